#!/bin/sh
# ide.sh: IDE throughput and firmware boot time of vmm --mode=full against QEMU -M pc in the same run.
#
# usage: bench/ide.sh [BUILD_DIR] [RUNS]        (defaults: build 3)
#
# Boots the conformance disk in its benchmark mode (BUILD_DIR/tests/conformance/idebench.img; see
# tests/conformance/idebench.h) through SeaBIOS on both VMMs, alternating vmm and QEMU in every round so
# host load hits both alike: the same /usr/share/seabios/bios.bin, the same boot image as IDE primary
# master, the same freshly made scratch disk (a raw file, every sector written) as primary slave, 256 MiB,
# the hypervisor hidden (QEMU: -cpu host,-arch-capabilities,-cx16,-hypervisor,kvm=off). The test OS times
# each transfer with the ACPI PM timer and prints MB/s (10^6 bytes) per figure:
#   pio-read, pio-write             READ/WRITE SECTORS, 256 sectors a command, one sector per DRQ block,
#                                   polled, rep insw/outsw
#   pio-read-mult, pio-write-mult   READ/WRITE MULTIPLE with 16 sectors per DRQ block
#   dma-read, dma-write             READ/WRITE DMA, 256 sectors (128 KiB) a command through two 64 KiB PRD
#                                   entries, completion by IRQ 14
# and status-read-us, the cost of one IDE register access (4000 alternate-status reads: a PIO exit and the
# device's handler; every status poll and, on KVM, every word of rep outsw costs about this much). The host
# adds boot-ms: process start to the test OS's first line ("conformance: test OS started"), i.e. SeaBIOS
# POST, the boot sector and the switch to long mode. After each run the host checks the
# scratch disk (conftool idebench-verify: every sector the guest wrote is there, nothing else changed).
#
# Prints per figure the median of RUNS runs on each VMM and the ratio, > 1 when vmm is faster (MB/s
# vmm/QEMU; times QEMU/vmm). Exit 0, 1 when a run failed, 2 on a missing build product, 77 (SKIP)
# without a usable /dev/kvm or without qemu-system-x86_64.
#
# On PVM hosts (/work/shared/reference/pvm-host.md) every port access is an exit, and KVM's emulator
# moves `rep insw` a page per exit but `rep outsw` one word per exit, on both VMMs alike: PIO writes
# cost ~27 us a word here, hence their small default size.
#
# Environment: IDE_KIB="PR PW DR DW" (KiB per area: PIO read, PIO write, DMA read, DMA write; multiples
# of 128, default the image's 4096 256 32768 32768; makes a new image with conftool), RAW=1 (also print
# every run's figures), IDE_TIMEOUT (seconds per boot, default 300), VMM_ARGS (extra vmm run options),
# LOGS=DIR (keep each run's console output there as PEER-RUN.log: the PIO lines also give status_polls and
# busy_wait_us, the time spent waiting for BSY, i.e. the VMM's disk round trips).
set -eu
build=${1:-build}
runs=${2:-3}
vmm=$build/vmm
conftool=$build/tests/conformance/conftool
image=$build/tests/conformance/idebench.img
bios=/usr/share/seabios/bios.bin
secs=${IDE_TIMEOUT:-300}

if [ -n "${LOGS:-}" ]; then mkdir -p "$LOGS"; fi
for f in "$vmm" "$conftool" "$image" "$bios"; do
	[ -e "$f" ] || { echo "ide.sh: no $f (build first: meson compile -C $build)" >&2; exit 2; }
done
if ! (: <>/dev/kvm) 2>/dev/null; then
	echo "SKIP: ide.sh: /dev/kvm is missing or not usable here"
	exit 77
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: ide.sh: qemu-system-x86_64 is not installed (the comparison needs it)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idebench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
if [ -n "${IDE_KIB:-}" ]; then
	# The OS and boot sector the build linked, in a new image with these sizes.
	# shellcheck disable=SC2086 # four numbers
	"$conftool" image "$build/tests/conformance/conformance-mbr.elf" "$build/tests/conformance/conformance-os.elf" \
		"$tmp/boot.img" full idebench $IDE_KIB
else
	cp "$image" "$tmp/boot.img"
fi
# The sizes the image asks for: the config sector (LBA 1), struct conf_config.bench_kib at byte 24.
sizes=$(od -An -t u4 -j $((512 + 24)) -N 16 "$tmp/boot.img" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
# sercon-port: SeaBIOS's serial console on COM1 (fw_cfg, a 2-byte port), as vmm's full mode sets it.
printf '\370\003' >"$tmp/sercon-port"

# shellcheck disable=SC2317 # run_vmm and run_qemu are called through collect's "$@"
run_vmm() {
	# shellcheck disable=SC2086 # VMM_ARGS is a list of options
	timeout --kill-after=5 "$secs" "$vmm" run --mode=full --mem 256M --firmware "$bios" ${VMM_ARGS:-} \
		"$tmp/boot.img" "$tmp/scratch.img"
}

# shellcheck disable=SC2317
run_qemu() {
	timeout --kill-after=5 "$secs" qemu-system-x86_64 -accel kvm \
		-cpu host,-arch-capabilities,-cx16,-hypervisor,kvm=off -M pc -m 256M \
		-nodefaults -display none -serial stdio -no-reboot -bios "$bios" \
		-fw_cfg name=etc/sercon-port,file="$tmp/sercon-port" \
		-drive file="$tmp/boot.img",format=raw,if=ide,index=0 \
		-drive file="$tmp/scratch.img",format=raw,if=ide,index=1 \
		-device isa-debug-exit,iobase=0xf4,iosize=4
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# One run: fresh scratch disk, the VMM with its console through a reader that stamps the OS's first line,
# then the disk check; "peer metric value" rows go to $tmp/rows.
failed=0
collect() { # peer, then the command
	peer=$1
	shift
	# shellcheck disable=SC2086 # four numbers
	"$conftool" idebench-scratch "$tmp/scratch.img" $sizes
	rm -f "$tmp/first" "$tmp/status"
	t0=$(now_ms)
	{
		"$@" </dev/null 2>&1 && echo 0 >"$tmp/status" || echo $? >"$tmp/status"
	} | while IFS= read -r line || [ -n "$line" ]; do
		case $line in *"conformance: test OS started"*) [ -e "$tmp/first" ] || now_ms >"$tmp/first" ;; esac
		printf '%s\n' "$line"
	done >"$tmp/out"
	status=$(cat "$tmp/status")
	if [ -n "${LOGS:-}" ]; then cp "$tmp/out" "$LOGS/$peer-$i.log"; fi
	# shellcheck disable=SC2086 # four numbers
	if [ "$status" != 0 ] || ! grep -q '^idebench: done' "$tmp/out" || [ ! -e "$tmp/first" ] ||
		! "$conftool" idebench-verify "$tmp/scratch.img" $sizes >"$tmp/verify" 2>&1; then
		echo "ide.sh: $peer run failed (exit status $status):" >&2
		sed 's/^/  /' "$tmp/out" "$tmp/verify" >&2 2>/dev/null || true
		failed=1
		return 0
	fi
	echo "$peer boot-ms $(($(cat "$tmp/first") - t0))" >>"$tmp/rows"
	# MB/s (10^6 bytes) = bytes per microsecond, at full precision (the guest's own MB/s has two decimals).
	awk -v p="$peer" '/^idebench: [a-z-]+ bytes=/ {
		b = 0; us = 0
		for (i = 3; i <= NF; i++) {
			if ($i ~ /^bytes=/) b = substr($i, 7)
			if ($i ~ /^us=/) us = substr($i, 4)
		}
		if (us > 0) printf "%s %s %.6g\n", p, $2, b / us
	}
	/^idebench: status-read / {
		for (i = 3; i <= NF; i++) if ($i ~ /^ns\/read=/) printf "%s status-read-us %.6g\n", p, substr($i, 9) / 1000
	}' "$tmp/out" >>"$tmp/rows"
}

: >"$tmp/rows"
i=0
while [ "$i" -lt "$runs" ]; do
	collect vmm run_vmm
	collect qemu run_qemu
	i=$((i + 1))
done

echo "IDE on vmm --mode=full and QEMU $(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }') -M pc, median of $runs run(s), $(nproc) CPUs, $(uname -r)"
echo "KiB per area (PIO read, PIO write, DMA read, DMA write): $sizes; scratch on $(df -P "$tmp" | awk 'NR == 2 { print $1 }')"
awk -v raw="${RAW:-0}" '
	{
		if (!($2 in seen)) { seen[$2] = 1; order[++nm] = $2 }
		key = $1 SUBSEP $2; n[key]++; v[key, n[key]] = $3
	}
	function median(key,    c, i, j, t, a) {
		c = n[key]
		if (!c) return ""
		for (i = 1; i <= c; i++) a[i] = v[key, i] + 0
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	function fmt(x) { return x == "" ? "-" : x < 1 ? sprintf("%.3f", x) : x < 100 ? sprintf("%.2f", x) : sprintf("%.0f", x) }
	END {
		printf "%-22s %10s %10s %16s\n", "", "vmm", "qemu", "ratio (>1: vmm)"
		for (o = 1; o <= nm; o++) {
			m = order[o]
			a = median("vmm" SUBSEP m)
			b = median("qemu" SUBSEP m)
			unit = m == "boot-ms" ? "ms" : m == "status-read-us" ? "us" : "MB/s"
			# Higher is better for MB/s, lower for times.
			r = (a == "" || b == "" || a == 0 || b == 0) ? "-" : sprintf("%.2f", unit == "MB/s" ? a / b : b / a)
			printf "%-22s %10s %10s %16s\n", m " (" unit ")", fmt(a), fmt(b), r
		}
		if (raw == 1) {
			print "every run:"
			for (o = 1; o <= nm; o++)
				for (p = 1; p <= 2; p++) {
					peer = p == 1 ? "vmm" : "qemu"
					key = peer SUBSEP order[o]
					line = sprintf("  %-16s %-5s", order[o], peer)
					for (i = 1; i <= n[key]; i++) line = line sprintf(" %s", fmt(v[key, i]))
					print line
				}
		}
	}' "$tmp/rows"
exit "$failed"
