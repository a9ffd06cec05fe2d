/* elf.c: ELF64 loader (System V gABI "ELF Header", "Program Header"; x86-64
 * psABI). Every offset and size from the file is checked against the buffer
 * with overflow-safe arithmetic before it is used. */
#include "boot/elf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/layout.h"

/* x86-64 Linux maps its kernel text from here (Documentation/arch/x86/x86_64/mm.rst);
 * an entry at or above it is virtual and needs translating to physical. */
#define ELF_KERNEL_VBASE 0xffffffff80000000ULL

bool elf_is_elf(const uint8_t *buf, size_t len)
{
	return len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0;
}

static int elf_check_ident(const Elf64_Ehdr *eh, const char *path, struct err *e)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return err_set(e, ERR_INPUT, "kernel %s: not an ELF file (bad magic)", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return err_set(e, ERR_INPUT, "kernel %s: ELF class %u, need ELFCLASS64",
			       path, eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return err_set(e, ERR_INPUT, "kernel %s: ELF data encoding %u, need little-endian",
			       path, eh->e_ident[EI_DATA]);
	if (eh->e_machine != EM_X86_64)
		return err_set(e, ERR_INPUT, "kernel %s: ELF machine %u, need x86-64 (%u)",
			       path, eh->e_machine, EM_X86_64);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return err_set(e, ERR_INPUT, "kernel %s: ELF type %u is not an executable",
			       path, eh->e_type);
	return 0;
}

static int elf_check_ehdr(const uint8_t *buf, size_t len, const char *path, Elf64_Ehdr *eh,
			  struct err *e)
{
	if (len < sizeof(*eh))
		return err_set(e, ERR_INPUT, "kernel %s: truncated ELF header (%zu bytes)", path, len);
	memcpy(eh, buf, sizeof(*eh));
	if (elf_check_ident(eh, path, e))
		return -1;
	/* PN_XNUM moves the count into section header 0; no kernel needs that. */
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return err_set(e, ERR_INPUT, "kernel %s: %s program headers", path,
			       eh->e_phnum ? "too many (PN_XNUM)" : "no");
	if (eh->e_phentsize < sizeof(Elf64_Phdr))
		return err_set(e, ERR_INPUT, "kernel %s: program header size %u, need at least %zu",
			       path, eh->e_phentsize, sizeof(Elf64_Phdr));
	uint64_t tbl, end;
	if (__builtin_mul_overflow((uint64_t)eh->e_phnum, eh->e_phentsize, &tbl) ||
	    __builtin_add_overflow(eh->e_phoff, tbl, &end) || end > len)
		return err_set(e, ERR_INPUT, "kernel %s: truncated ELF program header table", path);
	return 0;
}

/* Program header i; elf_check_ehdr has proven the whole table lies in buf. */
static void elf_get_phdr(const uint8_t *buf, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	memcpy(ph, buf + eh->e_phoff + (uint64_t)i * eh->e_phentsize, sizeof(*ph));
}

static int elf_check_segment(const struct guest_mem *m, size_t len, const char *path, unsigned i,
			     const Elf64_Phdr *ph, struct err *e)
{
	uint64_t fend;
	if (ph->p_filesz > ph->p_memsz)
		return err_set(e, ERR_INPUT,
			       "kernel %s: segment %u file size 0x%llx exceeds its memory size 0x%llx",
			       path, i, (unsigned long long)ph->p_filesz,
			       (unsigned long long)ph->p_memsz);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &fend) || fend > len)
		return err_set(e, ERR_INPUT,
			       "kernel %s: segment %u data (offset 0x%llx, 0x%llx bytes) runs past the end of the file (%zu bytes)",
			       path, i, (unsigned long long)ph->p_offset,
			       (unsigned long long)ph->p_filesz, len);
	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_paddr < LAYOUT_KERNEL_MIN)
		return err_set(e, ERR_INPUT,
			       "kernel %s: segment %u at 0x%llx is below 1 MiB, where vmm keeps its boot structures",
			       path, i, (unsigned long long)ph->p_paddr);
	if (!mem_is_ram(m, ph->p_paddr, ph->p_memsz))
		return err_set(e, ERR_INPUT,
			       "kernel %s: segment %u at 0x%llx (0x%llx bytes) is not inside guest RAM (%llu MiB)",
			       path, i, (unsigned long long)ph->p_paddr,
			       (unsigned long long)ph->p_memsz,
			       (unsigned long long)(m->ram_size / MiB));
	return 0;
}

/* Copy the file part and zero the rest (bss): RAM may hold a previous boot. */
static void elf_copy_segment(struct guest_mem *m, const uint8_t *buf, const Elf64_Phdr *ph)
{
	uint8_t *dst = gpa_to_hva(m, ph->p_paddr, ph->p_memsz);
	memcpy(dst, buf + ph->p_offset, ph->p_filesz);
	memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
}

static bool elf_range_has(uint64_t base, uint64_t size, uint64_t addr)
{
	return addr >= base && addr - base < size;
}

/* vmlinux's e_entry is already physical (phys_startup_64); a virtual one is
 * translated through the PT_LOAD whose p_vaddr range holds it. Either way it
 * must land inside a loaded segment. */
static int elf_resolve_entry(const uint8_t *buf, const Elf64_Ehdr *eh, const char *path,
			     uint64_t *entry, struct err *e)
{
	uint64_t pa = eh->e_entry;
	Elf64_Phdr ph;
	if (pa >= ELF_KERNEL_VBASE) {
		for (unsigned i = 0; i < eh->e_phnum; i++) {
			elf_get_phdr(buf, eh, i, &ph);
			if (ph.p_type == PT_LOAD && elf_range_has(ph.p_vaddr, ph.p_memsz, pa)) {
				pa = ph.p_paddr + (pa - ph.p_vaddr);
				break;
			}
		}
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		elf_get_phdr(buf, eh, i, &ph);
		if (ph.p_type == PT_LOAD && elf_range_has(ph.p_paddr, ph.p_memsz, pa)) {
			*entry = pa;
			return 0;
		}
	}
	return err_set(e, ERR_INPUT, "kernel %s: entry point 0x%llx is outside the loaded segments",
		       path, (unsigned long long)eh->e_entry);
}

/* Check all PT_LOADs before writing any, so a bad image leaves RAM untouched. */
static int elf_check_segments(const struct guest_mem *m, const uint8_t *buf, size_t len,
			      const Elf64_Ehdr *eh, const char *path, struct err *e)
{
	unsigned nload = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		elf_get_phdr(buf, eh, i, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		if (elf_check_segment(m, len, path, i, &ph, e))
			return -1;
		nload += ph.p_memsz != 0;
	}
	if (nload == 0)
		return err_set(e, ERR_INPUT, "kernel %s: no PT_LOAD segment to load", path);
	return 0;
}

int elf_load(struct guest_mem *m, const uint8_t *buf, size_t len, const char *path,
	     struct boot_image *img, struct err *e)
{
	Elf64_Ehdr eh;
	if (elf_check_ehdr(buf, len, path, &eh, e) ||
	    elf_check_segments(m, buf, len, &eh, path, e) ||
	    elf_resolve_entry(buf, &eh, path, &img->entry, e))
		return -1;
	img->end = LAYOUT_KERNEL_MIN;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		elf_get_phdr(buf, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		elf_copy_segment(m, buf, &ph);
		if (ph.p_paddr + ph.p_memsz > img->end)
			img->end = ph.p_paddr + ph.p_memsz;
	}
	img->initrd_addr_max = ELF_INITRD_ADDR_MAX;
	img->cmdline_max = LAYOUT_CMDLINE_MAX - 1;
	return 0;
}

static uint64_t elf_note_pad(uint64_t n, uint64_t align)
{
	return (n + align - 1) & ~(align - 1);
}

int elf_find_note(const uint8_t *area, size_t len, uint64_t align, const char *name,
		  uint32_t type, const uint8_t **desc, uint32_t *desc_len)
{
	const uint64_t hdr = 3 * sizeof(uint32_t); /* namesz, descsz, type */
	uint64_t nlen = strlen(name) + 1;
	uint64_t off = 0;
	if (align != 8)
		align = 4;
	while (off + hdr <= len) {
		uint32_t f[3];
		memcpy(f, area + off, sizeof(f));
		/* 32-bit sizes in 64-bit sums: no overflow. Padding aligns the
		 * offsets within the area, as readelf and Linux's binfmt_elf do
		 * (for 8-byte notes it is not the same as padding the sizes). */
		uint64_t name_off = off + hdr;
		uint64_t desc_off = elf_note_pad(name_off + f[0], align);
		uint64_t next = elf_note_pad(desc_off + f[1], align);
		if (name_off + f[0] > len || desc_off + f[1] > len)
			return 0;
		if (f[2] == type && f[0] == nlen && memcmp(area + name_off, name, nlen) == 0) {
			*desc = area + desc_off;
			*desc_len = f[1];
			return 1;
		}
		off = next;
	}
	return 0;
}

static int elf_pread(int fd, void *dst, size_t n, uint64_t off, const char *path, struct err *e)
{
	uint8_t *p = dst;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_errno(e, ERR_INPUT, errno, "kernel %s: read", path);
		if (r == 0)
			return err_set(e, ERR_INPUT, "kernel %s: file shrank while being read", path);
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* One PT_NOTE segment of the file: read it whole, then search it. */
static int elf_file_note_segment(int fd, uint64_t size, const Elf64_Phdr *ph, const char *path,
				 const char *name, uint32_t type, void *desc, size_t desc_max,
				 uint32_t *desc_len, struct err *e)
{
	uint64_t end;
	if (ph->p_filesz == 0 || ph->p_filesz > ELF_NOTE_AREA_MAX ||
	    __builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) || end > size)
		return 0;
	uint8_t *area = malloc(ph->p_filesz);
	if (!area)
		return err_set(e, ERR_HOST, "kernel %s: out of memory reading its notes", path);
	const uint8_t *d;
	uint32_t dlen = 0;
	int found = elf_pread(fd, area, ph->p_filesz, ph->p_offset, path, e) ? -1 :
		    elf_find_note(area, ph->p_filesz, ph->p_align, name, type, &d, &dlen);
	if (found == 1) {
		memcpy(desc, d, dlen < desc_max ? dlen : desc_max);
		*desc_len = dlen;
	}
	free(area);
	return found;
}

int elf_file_find_note(int fd, uint64_t size, const char *path, const char *name, uint32_t type,
		       void *desc, size_t desc_max, uint32_t *desc_len, struct err *e)
{
	Elf64_Ehdr eh;
	struct err ignored = { 0 };
	if (size < sizeof(eh))
		return 0;
	if (elf_pread(fd, &eh, sizeof(eh), 0, path, e))
		return -1;
	/* Anything malformed is elf_load's to report, with its own messages. */
	if (elf_check_ident(&eh, path, &ignored))
		return 0;
	uint64_t tbl = (uint64_t)eh.e_phnum * eh.e_phentsize, end;
	if (eh.e_phnum == 0 || eh.e_phnum == PN_XNUM || eh.e_phentsize < sizeof(Elf64_Phdr) ||
	    __builtin_add_overflow(eh.e_phoff, tbl, &end) || end > size)
		return 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (elf_pread(fd, &ph, sizeof(ph), eh.e_phoff + (uint64_t)i * eh.e_phentsize, path, e))
			return -1;
		if (ph.p_type != PT_NOTE)
			continue;
		int rc = elf_file_note_segment(fd, size, &ph, path, name, type, desc, desc_max,
					       desc_len, e);
		if (rc)
			return rc;
	}
	return 0;
}
