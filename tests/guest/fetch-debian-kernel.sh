#!/bin/sh
# fetch-debian-kernel.sh: Debian's stock kernel, the one linux-image-amd64
# depends on, unpacked with its modules for the stock-kernel tests.
#
# Output, cached outside the tree and keyed by package and version:
#   $CACHE/debian-kernel-<package>_<version>/
#     vmlinuz        the bzImage as Debian ships it (xz inside)
#     vmlinux        the ELF kernel inside it, unpacked on the host: booting it
#                    skips the emulated xz decompressor on PVM hosts
#     System.map     symbols, to decode a RIP: recovered from the kernel's
#                    kallsyms by kallsyms.py (the .deb's is a placeholder)
#     config         the kernel's .config
#     release        the kernel release (6.1.0-N-amd64)
#     lib/modules/<release>/  the modules, with modules.dep from depmod -b
#                    (the .deb ships none); modprobe -d DIR -S RELEASE reads it
# Prints the directory.
#
# usage: tests/guest/fetch-debian-kernel.sh   (needs: apt lists (apt-get update),
#        dpkg-deb, kmod for depmod, xz-utils, python3; no root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmm
die() { echo "fetch-debian-kernel.sh: $*" >&2; exit 1; }
command -v depmod >/dev/null 2>&1 || [ -x /usr/sbin/depmod ] || die "depmod missing (apt-get install kmod)"
PATH=$PATH:/usr/sbin:/sbin

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
[ -n "$pkg" ] || die "apt knows no linux-image-amd64 (run apt-get update)"
ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
[ -n "$ver" ] || die "apt has no version of $pkg"
release=${pkg#linux-image-}
out=$cache/debian-kernel-${pkg}_$(echo "$ver" | tr ':' '_')
if [ -f "$out/release" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetch-debian-kernel.sh: downloading $pkg $ver" >&2
(cd "$work" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
deb=$(ls "$work"/*.deb)
dpkg-deb -x "$deb" "$work/root"
boot=$work/root/boot
[ -f "$boot/vmlinuz-$release" ] || die "$deb holds no boot/vmlinuz-$release"
mkdir -p "$work/out/lib"
mv "$work/root/lib/modules" "$work/out/lib/modules"
depmod -b "$work/out" "$release"
mv "$boot/vmlinuz-$release" "$work/out/vmlinuz"
mv "$boot/config-$release" "$work/out/config"

# The protected-mode payload (boot.rst: payload_offset at 0x248 and
# payload_length at 0x24c, from the start of the protected-mode code, which
# follows setup_sects (0x1f1) + 1 sectors) is the compressed vmlinux ELF plus
# relocations; the build appends the uncompressed size as 4 bytes after it.
bz=$work/out/vmlinuz
le() { od -An -tu"$2" -j "$1" -N "$2" "$bz" | tr -d ' '; } # offset, bytes
setup_sects=$(le 497 1)
[ "$setup_sects" -ne 0 ] || setup_sects=4 # boot.rst: 0 means 4
poff=$(( (setup_sects + 1) * 512 + $(le 584 4) ))
plen=$(le 588 4)
magic=$(od -An -tx1 -j "$poff" -N 6 "$bz" | tr -d ' ')
[ "$magic" = fd377a585a00 ] || die "payload at $poff is not xz (magic $magic); only CONFIG_KERNEL_XZ is unpacked"
tail -c +"$((poff + 1))" "$bz" | head -c "$plen" | xz -dc --single-stream >"$work/out/vmlinux"
want=$(tail -c +"$((poff + plen - 3))" "$bz" | head -c 4 | od -An -tu4 | tr -d ' ')
got=$(wc -c <"$work/out/vmlinux")
[ "$got" -eq "$want" ] || die "vmlinux unpacked to $got bytes, the image says $want"
python3 "$here/kallsyms.py" "$work/out/vmlinux" >"$work/out/System.map" || die "no symbols recovered from vmlinux"
# The ELF's entry is startup_64 at the link base (nokaslr boots there).
grep -q '^ffffffff81000000 T startup_64$' "$work/out/System.map" || die "kallsyms.py's System.map has no startup_64 at 0xffffffff81000000"
echo "$release" >"$work/out/release"

rm -rf "$out"
mv "$work/out" "$out"
echo "$out"
