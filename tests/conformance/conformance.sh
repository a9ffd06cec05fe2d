#!/bin/sh
# conformance.sh: boot the conformance disk on vmm (full mode) or QEMU -M pc, then check the test OS's report
# and the scratch disk (exit 0 pass, 1 fail, 77 skip, as meson reads them).
#
# usage: conformance.sh vmm|qemu full|para CONFTOOL IMAGE [VMM]
#   full: both disks on IDE (primary master, primary slave), hypervisor hidden.
#   para: both disks virtio-blk-pci (modern), KVM's CPUID shown.
#   The scratch disk (a sparse 128 GiB file) is made fresh in a temporary
#   directory; the boot disk is copied there too, so runs never share files.
#   CONF_TIMEOUT overrides the 120 s limit; CONF_KEEP=1 keeps the directory.
set -u
[ $# -ge 4 ] || { echo "usage: conformance.sh vmm|qemu full|para CONFTOOL IMAGE [VMM]" >&2; exit 1; }
runner=$1
mode=$2
conftool=$3
image=$4
vmm=${5:-}
case $mode in full | para) ;; *) echo "conformance.sh: unknown mode '$mode'" >&2; exit 1 ;; esac
secs=${CONF_TIMEOUT:-120}
bios=/usr/share/seabios/bios.bin

if [ ! -e /dev/kvm ]; then
	echo "SKIP: /dev/kvm does not exist (no KVM on this host)"
	exit 77
fi
if ! (: <>/dev/kvm) 2>/dev/null; then
	echo "SKIP: cannot open /dev/kvm read-write"
	exit 77
fi
if [ "$runner" = qemu ] && ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: qemu-system-x86_64 is not installed"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/conformance.XXXXXX") || exit 1
[ "${CONF_KEEP:-0}" = 1 ] || trap 'rm -rf "$tmp"' EXIT HUP INT TERM
cp "$image" "$tmp/boot.img" || exit 1
"$conftool" scratch-create "$tmp/scratch.img" || exit 1
log=$tmp/log

start=$(date +%s)
case $runner in
vmm)
	timeout --kill-after=5 "$secs" "$vmm" run --mode="$mode" "$tmp/boot.img" "$tmp/scratch.img" \
		</dev/null >"$log" 2>&1
	status=$?
	;;
qemu)
	# SeaBIOS's serial console on COM1 (fw_cfg etc/sercon-port, a 2-byte
	# port number), as vmm's full mode sets it, so the banner shows.
	printf '\370\003' >"$tmp/sercon-port"
	if [ "$mode" = full ]; then
		cpu=host,-arch-capabilities,-cx16,-hypervisor,kvm=off
		set -- -drive file="$tmp/boot.img",format=raw,if=ide,index=0 \
			-drive file="$tmp/scratch.img",format=raw,if=ide,index=1
	else
		cpu=host,-arch-capabilities,-cx16
		set -- -drive file="$tmp/boot.img",format=raw,if=none,id=d0 \
			-device virtio-blk-pci,drive=d0,disable-legacy=on,bootindex=0 \
			-drive file="$tmp/scratch.img",format=raw,if=none,id=d1 \
			-device virtio-blk-pci,drive=d1,disable-legacy=on
	fi
	timeout --kill-after=5 "$secs" qemu-system-x86_64 -accel kvm -cpu "$cpu" -M pc -m 256M \
		-nodefaults -display none -serial stdio -no-reboot -bios "$bios" \
		-fw_cfg name=etc/sercon-port,file="$tmp/sercon-port" "$@" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null >"$log" 2>&1
	status=$?
	# QEMU exits 0 on poweroff and (v << 1) | 1 when v is written to the exit port.
	case $status in
	124 | 137) ;;
	*) [ $((status & 1)) = 1 ] && status=$((status >> 1)) ;;
	esac
	;;
*)
	echo "conformance.sh: unknown runner '$runner'" >&2
	exit 1
	;;
esac
elapsed=$(($(date +%s) - start))

fail=0
cat "$log"
echo "--- $runner $mode: status $status after ${elapsed}s"
if [ "$status" != 0 ]; then
	echo "FAIL: exit status $status, expected 0 (ACPI poweroff, or exit port 0 without ACPI)"
	fail=1
fi
if ! grep -q 'SeaBIOS' "$log"; then
	echo "FAIL: no SeaBIOS banner on the serial console"
	fail=1
fi
"$conftool" check-log "$mode" "$log" || fail=1
# pam_check.c reports rather than fails this: QEMU with KVM lets writes into
# PAM read-only RAM through; vmm must drop them.
if [ "$runner" = vmm ] && [ "$mode" = full ] && ! grep -q 'conformance: pam: read-only RAM drops writes' "$log"; then
	echo "FAIL: the BIOS area took writes after SeaBIOS made it read-only (i440FX PAM)"
	fail=1
fi
"$conftool" scratch-verify "$tmp/scratch.img" || fail=1
[ "$fail" = 0 ] && echo "PASS"
exit "$fail"
