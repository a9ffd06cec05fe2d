#!/bin/sh
# virtio-qemu.sh: run a virtio test guest on QEMU's own virtio-pci devices, proving the guest's driver follows the spec and not only vmm.
#
# usage: virtio-qemu.sh virtio|hostile GUEST.elf
# SKIPs (77) without qemu-system-x86_64 or a usable /dev/kvm. QEMU -M pc
# boots the ELF through its PVH note after ~3 s of SeaBIOS here.
#   virtio   virtio-blk-pci (16 MiB image), virtio-rng-pci, virtio-serial-pci
#            with a virtconsole on the serial's stdio; the image must hold the
#            guest's mark afterwards, as in virtio-disk.sh
#   hostile  a read-only virtio-blk-pci; the cases where QEMU completes a
#            request whose buffers lie outside RAM (it drops such DMA writes
#            and reads zeros instead of failing: data-past-ram,
#            header-past-ram, addr-wraps) are skipped; see tests/guests/README.md
set -u
[ $# -eq 2 ] || { echo "usage: virtio-qemu.sh virtio|hostile GUEST.elf" >&2; exit 1; }
mode=$1
elf=$2
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is not installed"; exit 77; }
(: <>/dev/kvm) 2>/dev/null || { echo "SKIP: /dev/kvm is not usable"; exit 77; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/virtio-qemu.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT HUP INT TERM
img=$dir/disk.img
case $mode in
virtio)
	truncate -s 16M "$img"
	ro=
	cmdline="sectors=32768"
	want='virtio: all ok'
	extra="-device virtio-rng-pci,disable-legacy=on -device virtio-serial-pci,disable-legacy=on -device virtconsole,chardev=s0"
	;;
hostile)
	yes 'hostile-baseline' | head -c $((16 * 1024 * 1024)) >"$img"
	ro=",readonly=on"
	cmdline="skip=data-past-ram,header-past-ram,addr-wraps"
	want='hostile: all ok'
	extra=
	;;
*) echo "virtio-qemu.sh: unknown mode $mode" >&2; exit 1 ;;
esac

# shellcheck disable=SC2086 # $extra is a list of arguments
timeout --kill-after=5 60 qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities,-cx16 -M pc -m 256M \
	-nodefaults -display none -no-reboot -chardev stdio,id=s0,mux=on -serial chardev:s0 \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$elf" -append "$cmdline" \
	-drive "file=$img,if=none,id=d0,format=raw,cache=none,aio=io_uring$ro" \
	-device virtio-blk-pci,drive=d0,disable-legacy=on $extra </dev/null >"$dir/out" 2>&1
s=$?
problems=
# isa-debug-exit: the guest's 0 becomes status 1.
[ "$s" = 1 ] || problems="${problems}QEMU exit status $s (guest status $((s >> 1))), want 1 (guest 0)
"
grep -q "$want" "$dir/out" || problems="${problems}missing from output: '$want'
"
if [ "$mode" = virtio ]; then
	grep -q 'virtio-console: hello from the virtio guest' "$dir/out" ||
		problems="${problems}nothing arrived through the virtconsole
"
	i=0
	while [ "$i" -lt 32 ]; do printf 'virtio-blk-test\n'; i=$((i + 1)); done >"$dir/mark"
	dd if="$img" bs=512 skip=2048 count=1 status=none | cmp -s - "$dir/mark" ||
		problems="${problems}sector 2048 does not hold the guest's mark
"
fi
if [ -n "$problems" ]; then
	echo "FAIL: $mode guest on QEMU"
	printf '%s' "$problems" | sed 's/^/  /'
	echo "--- output ---"
	cat "$dir/out"
	exit 1
fi
echo "PASS: $mode guest on QEMU"
