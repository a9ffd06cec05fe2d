#!/bin/sh
# build-kernel.sh: vmm's small test kernel from Debian's linux-source-6.1.
#
# tinyconfig + kernel.config (UP, SLOB, no modules, serial, virtio-pci, ATA PIIX,
# ext4, ACPI, pvpanic, KVM guest) + pvm-syscall-fixup.patch (a workaround for
# PVM hosts only; see the patch). Output, cached outside the tree and keyed by
# the inputs: $CACHE/kernel-<key>/{vmlinux,bzImage}. Prints the directory.
#
# usage: tests/guest/build-kernel.sh      (needs: linux-source-6.1 bc flex bison
#        libelf-dev; scripts/debian-packages.txt lists them)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmm
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build-kernel.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }

key=$( (cat "$here/kernel.config" "$here/pvm-syscall-fixup.patch"; ls -l "$tarball") | sha256sum | cut -c1-16)
out=$cache/kernel-$key
if [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ]; then
	echo "$out"
	exit 0
fi
# One build per key at a time: tests started together (meson runs them in
# parallel) wait for the first one's kernel instead of wiping its tree.
mkdir -p "$cache"
exec 9>"$cache/kernel-$key.lock"
flock 9
if [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ]; then
	echo "$out"
	exit 0
fi

work=$cache/build-$key
rm -rf "$work"
mkdir -p "$work"
echo "build-kernel.sh: unpacking into $work" >&2
tar -xf "$tarball" -C "$work"
src=$work/linux-source-6.1
(cd "$src" && patch -p1 <"$here/pvm-syscall-fixup.patch" >&2)
make -C "$src" -s ARCH=x86_64 tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$here/kernel.config" >&2
make -C "$src" -s ARCH=x86_64 olddefconfig >&2
# Every line of the fragment must have survived olddefconfig.
missing=$(grep '^CONFIG_' "$here/kernel.config" | while IFS= read -r line; do
	case $line in
	*=n) if grep -q "^${line%=n}=" "$src/.config"; then echo "$line"; fi ;;
	*) if ! grep -qx "$line" "$src/.config"; then echo "$line"; fi ;;
	esac
done)
[ -z "$missing" ] || echo "build-kernel.sh: not taken by kconfig (dependencies?):$(echo "$missing" | tr '\n' ' ')" >&2
nice make -C "$src" -s ARCH=x86_64 -j"$(nproc)" vmlinux bzImage >&2
mkdir -p "$out.tmp"
cp "$src/vmlinux" "$src/arch/x86/boot/bzImage" "$src/.config" "$out.tmp/"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -rf "$work"
echo "$out"
