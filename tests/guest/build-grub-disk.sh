#!/bin/sh
# build-grub-disk.sh: a BIOS-bootable raw disk for full mode: Debian's GRUB
# (i386-pc) in the MBR gap, one ext2 partition at 1 MiB holding the kernel and
# initramfs. No loop device, no root-only tool.
#
# usage: tests/guest/build-grub-disk.sh KERNEL INITRD CMDLINE
#        (needs grub-pc-bin and grub-common; scripts/debian-packages.txt)
# Prints the path of the image, cached like build-initramfs.sh under
# ${XDG_CACHE_HOME:-$HOME/.cache}/vmm/ and keyed by the inputs.
#
# Layout (sectors of 512 bytes):
#   0        boot.img's code (bytes 0-439; it reads LBA 1 = core.img, the
#            sector number at 0x5c, from the drive in DL: 0xff at 0x64),
#            the MBR partition table, 55 AA
#   1..      core.img: diskboot.img, whose blocklist reads the rest of core
#            from LBA 2 (its default start; grub-mkimage sets the length)
#   2048..   partition 1 (type 0x83): ext2 with /boot/vmlinuz, /boot/initrd
# GRUB runs an embedded config (grub-mkimage -c) through its rescue parser:
# insmod, linux, initrd, boot; it reads no grub.cfg. On PVM hosts GRUB's code
# is emulated (pvm-host.md) and core.img's LZMA decompression is its dearest
# step, so core.img holds only what reaches the file system (~46 KB, not the
# ~325 KB with linux.mod and its dependencies, normal.mod among them); those
# modules are read from /boot/grub/i386-pc/ uncompressed.
set -eu
[ $# -eq 3 ] || { echo "usage: build-grub-disk.sh KERNEL INITRD CMDLINE" >&2; exit 2; }
kernel=$1 initrd=$2 cmdline=$3
grubdir=/usr/lib/grub/i386-pc
command -v grub-mkimage >/dev/null || { echo "build-grub-disk.sh: grub-mkimage missing (apt-get install grub-common)" >&2; exit 1; }
[ -f "$grubdir/boot.img" ] || { echo "build-grub-disk.sh: $grubdir missing (apt-get install grub-pc-bin)" >&2; exit 1; }
case $cmdline in *\"* | *\'* | *\\* | *\$*)
	echo "build-grub-disk.sh: the command line must not hold quotes, backslashes or \$" >&2; exit 2 ;;
esac
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmm
key=$( (cat "$0" "$kernel" "$initrd"; echo "$cmdline"; grub-mkimage --version; ls -l "$grubdir") |
	sha256sum | cut -c1-16)
out=$cache/grub-disk-$key.img
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/boot/grub/i386-pc"
cp "$kernel" "$tmp/root/boot/vmlinuz"
cp "$initrd" "$tmp/root/boot/initrd"

# The modules insmod loads, with their dependencies (moddep.lst lines are
# "name: dep dep...").
mods=
add_mod() { # name
	case " $mods " in *" $1 "*) return ;; esac
	mods="$mods $1"
	# shellcheck disable=SC2013 # the words of the line are the names
	for d in $(sed -n "s/^$1://p" "$grubdir/moddep.lst"); do add_mod "$d"; done
}
add_mod linux
add_mod echo
for m in $mods; do cp "$grubdir/$m.mod" "$tmp/root/boot/grub/i386-pc/"; done
cp "$grubdir/moddep.lst" "$tmp/root/boot/grub/i386-pc/"

# The embedded config: the rescue parser takes one command a line, words
# split on blanks (hence no quotes in CMDLINE). The root is the prefix's
# device, (hd0,msdos1). Each echo marks a step on the console.
cat >"$tmp/early.cfg" <<EOF
insmod echo
echo grub: loading modules
insmod linux
echo grub: loading the kernel
linux /boot/vmlinuz $cmdline
echo grub: loading the initrd
initrd /boot/initrd
echo grub: booting
boot
EOF
grub-mkimage -O i386-pc -d "$grubdir" -o "$tmp/core.img" -p '(hd0,msdos1)/boot/grub' \
	-c "$tmp/early.cfg" biosdisk part_msdos ext2
core_sectors=$(( ($(stat -c %s "$tmp/core.img") + 511) / 512 ))
part_lba=2048
[ $((1 + core_sectors)) -le $part_lba ] || { echo "build-grub-disk.sh: core.img too big for the MBR gap" >&2; exit 1; }

# The file system, sized for its files plus room for metadata; 4 KiB blocks
# so GRUB reads the files in few large pieces.
kib=$(du -sk "$tmp/root" | cut -f1)
fs_mib=$(( kib / 1024 + 4 ))
truncate -s "${fs_mib}M" "$tmp/fs.img"
mkfs.ext2 -q -F -b 4096 -L grubboot -d "$tmp/root" "$tmp/fs.img" "${fs_mib}M" >&2
fs_sectors=$(( fs_mib * 2048 ))

img=$tmp/disk.img
truncate -s $(( (part_lba + fs_sectors) * 512 )) "$img"
dd if="$grubdir/boot.img" of="$img" bs=440 count=1 conv=notrunc status=none
dd if="$tmp/core.img" of="$img" bs=512 seek=1 conv=notrunc status=none
dd if="$tmp/fs.img" of="$img" bs=512 seek=$part_lba conv=notrunc status=none

le32() { # value: 4 bytes little-endian as printf escapes
	printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}
# MBR partition entry 1 at 0x1BE: active, CHS start 0/32/33 (LBA 2048 in
# the 255-head, 63-sector geometry), type 0x83, CHS end past 1024
# cylinders (fe ff ff), LBA start, sector count; then the 55 AA signature.
# shellcheck disable=SC2059
printf "\\200\\040\\041\\000\\203\\376\\377\\377$(le32 $part_lba)$(le32 $fs_sectors)" |
	dd of="$img" bs=1 seek=446 conv=notrunc status=none
printf '\125\252' | dd of="$img" bs=1 seek=510 conv=notrunc status=none

mkdir -p "$cache"
mv "$img" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
