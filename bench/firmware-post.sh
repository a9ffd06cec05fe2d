#!/bin/sh
# firmware-post.sh: SeaBIOS POST plus a boot sector, vmm against QEMU -M pc:
# exec-to-exit wall time of booting the firmware smoke disk
# (tests/integration/mbr-smoke.S: SeaBIOS boots it from IDE, it prints three
# lines, reads one sector through INT 13h and writes the exit port), with the
# same bios.bin, CPU flags and memory, interleaved so host load hits both alike.
#
# usage: bench/firmware-post.sh [BUILD_DIR] [RUNS]   (defaults: build 5)
# Needs BUILD_DIR/vmm, BUILD_DIR/bench/exec_time, the smoke disk the build
# makes (BUILD_DIR/tests/integration/mbr-smoke.img), /dev/kvm, and for the
# peer Debian's qemu-system-x86. Exit status 33 (vmm) and 67 = 33 << 1 | 1
# (QEMU's isa-debug-exit) mean the run booted all the way.
set -eu
build=${1:-build}
runs=${2:-5}
bios=/usr/share/seabios/bios.bin
img=$build/tests/integration/mbr-smoke.img
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwpost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$img" "$tmp/q.img" # QEMU's IDE wants a writable image

set -- "$build/vmm" run --mode=full --mem 256M --firmware "$bios" "$img,ro"
qemu=$(command -v qemu-system-x86_64 || true)
if [ -n "$qemu" ]; then
	# graphics=off gives SeaBIOS the serial console (etc/sercon-port), as vmm does.
	set -- "$@" -- "$qemu" -enable-kvm \
		-cpu host,-arch-capabilities,-cx16,-hypervisor,kvm=off \
		-M pc,graphics=off -m 256M -nodefaults -display none -serial stdio -no-reboot \
		-bios "$bios" -drive "file=$tmp/q.img,format=raw,if=ide" -boot menu=off \
		-device isa-debug-exit,iobase=0xf4,iosize=1
fi
# exec_time prints "median min max last-status" in us, one line per command.
"$build/bench/exec_time" "$runs" "$@" | awk -v runs="$runs" '
	{ med[NR] = $1; lo[NR] = $2; hi[NR] = $3; st[NR] = $4 }
	END {
		split("vmm-full qemu-pc", name, " ")
		for (i = 1; i <= NR; i++)
			printf "%-9s median %7.0f ms  (min %7.0f, max %7.0f, %d runs, last status %d)\n",
			       name[i], med[i] / 1000, lo[i] / 1000, hi[i] / 1000, runs, st[i]
		if (NR == 2)
			printf "qemu/vmm %.2fx\n", med[2] / med[1]
	}'
