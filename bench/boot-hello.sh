#!/bin/sh
# boot-hello.sh: wall time from exec to exit of a tiny guest, vmm against QEMU
# on the same machine in the same run (these hosts are noisy: compare ratios).
#
# usage: bench/boot-hello.sh [BUILD_DIR] [RUNS]   (defaults: build 10)
# Needs build/vmm and build/tests/guests/*.elf, /dev/kvm, and for the peer
# Debian's qemu-system-x86 (QEMU microvm + qboot, its fastest direct-boot path,
# booting the same ELF through its PVH note). Prints medians in ms and ratios.
set -eu
build=${1:-build}
runs=${2:-10}
vmm=$build/vmm
guests=$build/tests/guests

# Median wall time in microseconds of running "$@" $runs times.
median_us() {
	i=0
	while [ "$i" -lt "$runs" ]; do
		s=$(date +%s%N)
		"$@" </dev/null >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
		i=$((i + 1))
	done | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

qemu_microvm() {
	qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities,-cx16 \
		-M microvm,x-option-roms=off,rtc=off -m 256M -nodefaults -display none \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-bios /usr/share/qemu/qboot.rom -kernel "$1" -append "bench"
}

row() { # name vmm_us [qemu_us]
	if [ -n "${3:-}" ]; then
		awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-12s vmm %8.1f ms   qemu-microvm %8.1f ms   qemu/vmm %5.1fx\n", n, a / 1000, b / 1000, b / a }'
	else
		awk -v n="$1" -v a="$2" 'BEGIN { printf "%-12s vmm %8.1f ms   (no qemu-system-x86_64)\n", n, a / 1000 }'
	fi
}

echo "median of $runs runs, exec to exit, $(nproc) CPUs, $(uname -r)"
for g in exitcode hello; do
	v=$(median_us "$vmm" run --mem 256M --kernel "$guests/$g.elf" --cmdline bench)
	if command -v qemu-system-x86_64 >/dev/null; then
		q=$(median_us qemu_microvm "$guests/$g.elf")
		row "$g" "$v" "$q"
	else
		row "$g" "$v"
	fi
done
