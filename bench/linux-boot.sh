#!/bin/sh
# linux-boot.sh: the test kernel (tests/guest/build-kernel.sh) with the busybox
# initramfs, booted directly in each mode: wall time from exec to the /init
# script's first line, to the end of the run (/init's info check, then exit),
# and the exits the VMM served per boot, in all and per device (--stats).
# These are vmm's own numbers (no peer runs the same device set); compare
# them across commits on the same host.
#
# usage: bench/linux-boot.sh [BUILD_DIR] [RUNS]   (defaults: build 3)
# Needs BUILD_DIR/vmm, /dev/kvm, jq-free: the stats are read with sed/awk.
set -eu
build=${1:-build}
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
vmm=$build/vmm
kdir=${VMM_KERNEL_DIR:-$("$here/tests/guest/build-kernel.sh")}
initrd=$("$here/tests/guest/build-initramfs.sh")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/linuxboot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
now_ms() { date +%s%3N; }

# One boot: prints "init_ms total_ms exits status".
boot_once() { # mode
	t0=$(now_ms)
	"$vmm" run --mode="$1" --mem 64M --kernel "$kdir/vmlinux" --initrd "$initrd" --host-compat \
		--cmdline "console=ttyS0 acpi=off panic=-1 vmm.check=info" --timeout 300 \
		--stats "$tmp/stats.json" </dev/null 2>&1 |
		while IFS= read -r line; do
			case $line in
			"init: check"*) echo $(($(now_ms) - t0)) >"$tmp/init_ms" ;;
			esac
		done
	t1=$(now_ms)
	exits=$(tr -d ' \n' <"$tmp/stats.json" | sed 's/.*"exits":{"pio":\([0-9]*\),"mmio":\([0-9]*\).*/\1 \2/')
	status=$(sed -n 's/.*"status": \([0-9]*\).*/\1/p' "$tmp/stats.json" | head -1)
	echo "$(cat "$tmp/init_ms" 2>/dev/null || echo -1) $((t1 - t0)) $exits $status"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for mode in para full; do
	: >"$tmp/$mode.runs"
	i=0
	while [ $i -lt "$runs" ]; do
		boot_once $mode >>"$tmp/$mode.runs"
		i=$((i + 1))
	done
	init=$(cut -d' ' -f1 "$tmp/$mode.runs" | median)
	total=$(cut -d' ' -f2 "$tmp/$mode.runs" | median)
	pio=$(cut -d' ' -f3 "$tmp/$mode.runs" | median)
	mmio=$(cut -d' ' -f4 "$tmp/$mode.runs" | median)
	printf "%-4s to /init %6d ms  run %6d ms  exits/boot %6d (pio %d, mmio %d)  statuses %s\n" \
		$mode "$init" "$total" $((pio + mmio)) "$pio" "$mmio" \
		"$(cut -d' ' -f5 "$tmp/$mode.runs" | tr '\n' ' ')"
	# The last run's busiest devices.
	tr -d '\n' <"$tmp/stats.json" | sed 's/  */ /g' |
		grep -o '{ "device": "[^"]*", "bus": "[a-z]*", "exits": [0-9]* }' | head -6 |
		sed 's/{ "device": "\([^"]*\)", "bus": "\([a-z]*\)", "exits": \([0-9]*\) }/      \3 \2 \1/'
done
