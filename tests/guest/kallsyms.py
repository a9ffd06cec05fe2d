#!/usr/bin/env python3
"""kallsyms.py: a System.map recovered from the kallsyms tables of a stripped
x86-64 vmlinux (Debian ships a placeholder System.map; the real one is in the
huge -dbg package). Prints "address type name" lines, sorted as the kernel
keeps them (by address).

usage: kallsyms.py VMLINUX >System.map

Layout (Linux 6.1, scripts/kallsyms.c write_src, each table 8-byte aligned):
kallsyms_offsets (s32 each), kallsyms_relative_base (u64), kallsyms_num_syms
(u32), kallsyms_names (per symbol: a length, 1 byte or 2 when the first has
bit 7 set, then that many token numbers; the first character of the expanded
name is the type), kallsyms_markers (u32: names offset of every 256th symbol),
kallsyms_seqs_of_names (3 bytes per symbol), kallsyms_token_table (256 NUL-
terminated strings), kallsyms_token_index (256 u16 offsets into it).
Addresses (kernel/kallsyms.c kallsyms_sym_address, KALLSYMS_ABSOLUTE_PERCPU):
a non-negative offset is absolute, a negative one is relative_base - 1 - offset.
"""
import struct
import sys


def load_segment(data):
    """(file offset, size) of the first PT_LOAD segment (.text and .rodata)."""
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    for i in range(phnum):
        p_type, _, p_off, _, _, p_filesz = struct.unpack_from('<IIQQQQ', data, phoff + i * phentsize)
        if p_type == 1:
            return p_off, p_filesz
    raise SystemExit('kallsyms.py: no PT_LOAD segment')


def find_tokens(data, start, end):
    """kallsyms_token_table and its index: 256 rising u16 offsets from 0,
    each naming a string that the table, ending just before the index,
    holds NUL-terminated."""
    o = start
    while True:
        o = data.find(b'\0\0', o, end - 512)
        if o < 0:
            raise SystemExit('kallsyms.py: no kallsyms_token_index found')
        if o % 8 == 0:
            idx = struct.unpack_from('<256H', data, o)
            if all(idx[i] < idx[i + 1] for i in range(255)) and idx[255] < 8192:
                for tt in range(o - idx[255] - 2, max(o - idx[255] - 64, start), -1):
                    if tt % 8 or not all(data[tt + idx[i] - 1] == 0 for i in range(1, 256)):
                        continue
                    last = data.index(b'\0', tt + idx[255])
                    if (last + 1 + 7) & ~7 == o:
                        return tt, [data[tt + x:data.index(b'\0', tt + x)].decode('latin-1') for x in idx]
        o += 1


def name_length(data, p):
    """(length, bytes the length took) of the kallsyms_names entry at p."""
    n = data[p]
    if n & 0x80:
        return (n & 0x7f) | (data[p + 1] << 7), 2
    return n, 1


def check_names(data, o, limit):
    """kallsyms_names after a num_syms candidate at o: every entry decodes
    before limit and kallsyms_markers, right after, agrees."""
    count, = struct.unpack_from('<I', data, o)
    names = o + 8
    p = names
    marks = []
    for k in range(count):
        if k % 256 == 0:
            marks.append(p - names)
        n, w = name_length(data, p)
        p += w + n
        if p > limit:
            return False
    mk = (p + 7) & ~7
    return list(struct.unpack_from('<%dI' % len(marks), data, mk)) == marks


def main():
    data = open(sys.argv[1], 'rb').read()
    seg, size = load_segment(data)
    tt, tokens = find_tokens(data, seg, seg + size)
    o = tt - 8
    while o > seg:
        count, high = struct.unpack_from('<II', data, o)
        if 1000 <= count <= 4000000 and high == 0 and tt - o > 4 * count and check_names(data, o, tt):
            break
        o -= 8
    else:
        raise SystemExit('kallsyms.py: no kallsyms_num_syms found')
    base, = struct.unpack_from('<Q', data, o - 8)
    offsets = o - 8 - ((4 * count + 7) & ~7)
    p = o + 8
    out = sys.stdout
    for k in range(count):
        n, w = name_length(data, p)
        p += w
        name = ''.join(tokens[b] for b in data[p:p + n])
        p += n
        v, = struct.unpack_from('<i', data, offsets + 4 * k)
        addr = v if v >= 0 else base - 1 - v
        out.write('%016x %s %s\n' % (addr, name[0], name[1:]))
    print('kallsyms.py: %d symbols' % count, file=sys.stderr)


if __name__ == '__main__':
    main()
