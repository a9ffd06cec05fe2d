#!/bin/sh
# run-qemu.sh: boot a test guest under QEMU (through its PVH entry) for side-by-side checks with vmm.
#
# usage: run-qemu.sh [--tcg] [--cpus N] [--mem SIZE] [--timeout S] GUEST.elf [CMDLINE]
# Exits with the guest's exit-port value like vmm does, decoded from QEMU's
# isa-debug-exit status ((v << 1) | 1; only values up to 127 survive). QEMU's
# plain 0 (the guest reset, e.g. a triple fault, with -no-reboot) becomes 122,
# vmm's triple-fault status. Not part of the test suite: QEMU needs ~3 s of
# SeaBIOS on PVM hosts, and its unclaimed MMIO reads 0, not all ones.

set -u
accel=
cpus=1
mem=128M
secs=60
while [ $# -gt 0 ]; do
	case $1 in
	--tcg) accel=tcg; shift ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) secs=$2; shift 2 ;;
	-*) echo "run-qemu.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: run-qemu.sh [--tcg] [--cpus N] [--mem SIZE] [--timeout S] GUEST.elf [CMDLINE]" >&2; exit 2; }
elf=$1
cmdline=${2:-}

if [ -z "$accel" ]; then
	if (: <>/dev/kvm) 2>/dev/null; then accel=kvm; else accel=tcg; fi
fi
if [ "$accel" = kvm ]; then
	# Plain -cpu host fails on PVM hosts (MSR 0x10a); CX16 is not emulated there.
	cpu=host,-arch-capabilities,-cx16
else
	cpu=max
fi

timeout --kill-after=5 "$secs" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -M pc -m "$mem" -smp "$cpus" \
	-nodefaults -display none -serial stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$elf" -append "$cmdline" </dev/null
s=$?
case $s in
0) exit 122 ;;
124 | 137) echo "run-qemu.sh: timed out after ${secs}s" >&2; exit 124 ;;
*) if [ $((s & 1)) = 1 ]; then exit $((s >> 1)); fi; exit "$s" ;;
esac
