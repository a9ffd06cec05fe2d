#!/bin/sh
# build-stock-initramfs.sh: the initramfs for Debian's stock kernel
# (fetch-debian-kernel.sh): build-initramfs.sh's busybox archive followed by a
# second cpio archive (the kernel unpacks them one after the other) with
# /stock-init (stock-init.sh; boot with rdinit=/stock-init) and the modules a
# mode needs, in the order modprobe --show-depends loads them. Uncompressed,
# like the first. Cached; prints the path.
#
# usage: build-stock-initramfs.sh KERNEL_DIR para|full   (needs kmod)
#   para: virtio_pci, virtio_blk, virtio_console, virtio_rng, ext4
#   full: ata_piix, sd_mod, ext4
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmm
PATH=$PATH:/usr/sbin:/sbin
die() { echo "build-stock-initramfs.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: build-stock-initramfs.sh KERNEL_DIR para|full"
kdir=$1 mode=$2
case $mode in
para) mods="virtio_pci virtio_blk virtio_console virtio_rng ext4" ;;
full) mods="ata_piix sd_mod ext4" ;;
*) die "unknown mode '$mode'" ;;
esac
release=$(cat "$kdir/release") || die "$kdir is not a fetch-debian-kernel.sh directory"
base=$("$here/build-initramfs.sh")

# modprobe prints "insmod PATH" per module, dependencies first; a module
# several chains share appears once per chain: keep its first place.
for m in $mods; do
	modprobe -d "$kdir" -S "$release" --show-depends "$m" >/dev/null || die "modprobe finds no $m"
done
order=$(for m in $mods; do
	modprobe -d "$kdir" -S "$release" --show-depends "$m"
done | sed -n 's/^insmod \([^ ]*\).*/\1/p' | awk '!seen[$0]++')
[ -n "$order" ] || die "no modules found for $mode"

key=$( (echo "$base $mode $release"; echo "$order"; cat "$here/stock-init.sh") | sha256sum | cut -c1-16)
out=$cache/stock-initramfs-$key.cpio
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/lib/modules"
for ko in $order; do
	name=${ko##*/}
	case $name in
	*.ko) cp "$ko" "$root/lib/modules/$name" ;;
	*.ko.xz) xz -dc "$ko" >"$root/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*) die "unexpected module file $ko" ;;
	esac
	echo "$name" >>"$root/lib/modules/order"
done
cp "$here/stock-init.sh" "$root/stock-init"
chmod 755 "$root/stock-init"
(cat "$base"; cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
