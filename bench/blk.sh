#!/bin/sh
# blk.sh: virtio-blk throughput of vmm against QEMU on the same host in the same run.
#
# usage: bench/blk.sh [BUILD_DIR] [RUNS]        (defaults: build 3)
#
# Boots tests/guests/blkbench.elf (a guest with its own virtio-pci driver) on
# a 256 MiB raw image, once per run on each VMM, alternating, and prints the
# median of each figure with the vmm/QEMU ratio:
#   seq-write   128 KiB requests, 16 in flight, over the whole image, then a
#               FLUSH (counted in the time)
#   seq-read    the same, reading
#   rand-read   4 KiB random reads, 16 in flight, 2 s; and 1 in flight, 2 s
# Each figure is measured with the host page cache bypassed (cache=none:
# O_DIRECT on both VMMs; QEMU's configuration as issue 3 names it) and used
# (vmm's default buffered image against QEMU's cache=writeback). Both VMMs
# use io_uring (QEMU aio=io_uring) and a modern-only virtio-blk-pci; QEMU
# runs -M pc, whose ~3 s of SeaBIOS per boot is outside the guest's timing.
# QEMU columns are "-" when qemu-system-x86_64 is missing.
#
# What it measures on PVM hosts (see /work/shared/reference/pvm-host.md): the
# guest's set-up runs at CPL0, which the host emulates at ~1 us/instruction,
# but the timed loops run at CPL3, natively, with prebuilt descriptor chains
# and polled used rings (no interrupts). So the figures are dominated by the
# VMM's notify -> I/O -> used-ring path and the host's storage, not by the
# guest. Guest option cpl=0 (BENCH_ARGS="cpl=0") keeps the loops at CPL0,
# where each request also costs ~100 emulated instructions.
#
# Timing: the guest counts TSC cycles and converts them with the TSC rate KVM
# publishes through kvmclock (both VMMs offer it; tests/guests/lib/tsc.c),
# else with a PIT channel 2 measurement, or with TSC_KHZ=N from the
# environment (passed as tsc_khz=N). The guest prints which one it used.
#
# Environment: IMG (image path; default a temporary file, removed afterwards),
# BENCH_ARGS (extra guest command line, e.g. "bs=65536 qd=32"), TSC_KHZ,
# CACHES (default "none writeback"), RAW=1 (also print every run's figures:
# these hosts are noisy, so look at the spread before trusting a ratio).
set -eu
build=${1:-build}
runs=${2:-3}
vmm=$build/vmm
elf=$build/tests/guests/blkbench.elf
args=${BENCH_ARGS:-}
if [ -n "${TSC_KHZ:-}" ]; then args="$args tsc_khz=$TSC_KHZ"; fi
caches=${CACHES:-none writeback}

[ -x "$vmm" ] || { echo "blk.sh: no $vmm (build first: meson compile -C $build)" >&2; exit 2; }
[ -f "$elf" ] || { echo "blk.sh: no $elf" >&2; exit 2; }
if ! (: <>/dev/kvm) 2>/dev/null; then
	echo "blk.sh: /dev/kvm is not usable here" >&2
	exit 77
fi
have_qemu=0
if command -v qemu-system-x86_64 >/dev/null; then have_qemu=1; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blkbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
img=${IMG:-$tmp/disk.img}
# Fully written, so no run reads holes the filesystem answers without I/O.
dd if=/dev/zero of="$img" bs=1M count=256 conv=fsync status=none

run_vmm() { # cache mode
	disk=$img
	[ "$1" = none ] && disk="$img,cache=none"
	timeout --kill-after=5 300 "$vmm" run --mode=para --mem 256M --kernel "$elf" \
		--cmdline "$args" --disk "$disk" </dev/null
}

run_qemu() { # cache mode
	timeout --kill-after=5 300 qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities,-cx16 -M pc -m 256M \
		-nodefaults -display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$elf" -append "$args" \
		-drive "file=$img,if=none,id=d0,format=raw,cache=$1,aio=io_uring" \
		-device virtio-blk-pci,drive=d0,disable-legacy=on </dev/null
}

# One run: the guest's "blkbench: NAME ... KEY=VALUE" lines become
# "peer metric value" rows in $tmp/rows.
collect() { # peer, then the command
	peer=$1
	shift
	"$@" >"$tmp/out" 2>&1 || true # QEMU's isa-debug-exit turns a clean exit into status 1
	if ! grep -q '^blkbench: done' "$tmp/out"; then
		echo "blk.sh: $peer run failed:" >&2
		sed 's/^/  /' "$tmp/out" >&2
		return 0
	fi
	awk -v p="$peer" '/^blkbench: (seq-write|seq-read|rand-read) / {
		name = $2; qd = ""; val = ""; unit = ""
		for (i = 3; i <= NF; i++) {
			if ($i ~ /^qd=/) qd = substr($i, 4)
			if ($i ~ /^(MB\/s|IOPS)=/) { split($i, kv, "="); val = kv[2]; unit = kv[1] }
		}
		if (name == "rand-read") name = name "-qd" qd
		print p, name, "(" unit ")", val
	}' "$tmp/out" >>"$tmp/rows"
}

: >"$tmp/rows"
peers=
for c in $caches; do peers="$peers vmm,cache=$c qemu,cache=$c"; done
i=0
while [ "$i" -lt "$runs" ]; do
	for c in $caches; do
		collect "vmm,cache=$c" run_vmm "$c"
		if [ "$have_qemu" = 1 ]; then collect "qemu,cache=$c" run_qemu "$c"; fi
	done
	i=$((i + 1))
done

echo "virtio-blk, 256 MiB raw image on $(df -P "$img" | awk 'NR == 2 { print $1 }'), median of $runs run(s), $(nproc) CPUs, $(uname -r)"
if [ -n "$args" ]; then echo "guest command line:$args"; fi
# Medians per (peer, metric), then one line per metric: vmm, each QEMU, ratio.
awk -v peers="$peers" -v raw="${RAW:-0}" '
	{
		m = $2 " " $3
		if (!(m in seen)) { seen[m] = 1; order[++nm] = m }
		key = $1 SUBSEP m; n[key]++; v[key, n[key]] = $4
	}
	function median(key,    c, i, j, t, a) {
		c = n[key]
		if (!c) return ""
		for (i = 1; i <= c; i++) a[i] = v[key, i] + 0
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	END {
		# Peers come in pairs: vmm,cache=X then qemu,cache=X.
		np = split(peers, P, " ")
		line = sprintf("%-22s", "")
		for (p = 1; p <= np; p += 2)
			line = line sprintf(" %20s %20s %9s", P[p], P[p + 1], "vmm/qemu")
		print line
		for (o = 1; o <= nm; o++) {
			m = order[o]
			line = sprintf("%-22s", m)
			for (p = 1; p <= np; p += 2) {
				a = median(P[p] SUBSEP m)
				b = median(P[p + 1] SUBSEP m)
				line = line sprintf(" %20s %20s %9s", a == "" ? "-" : sprintf("%.1f", a),
					b == "" ? "-" : sprintf("%.1f", b),
					(a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b))
			}
			print line
		}
		if (raw == 1) {
			print "every run:"
			for (o = 1; o <= nm; o++)
				for (p = 1; p <= np; p++) {
					key = P[p] SUBSEP order[o]
					line = sprintf("  %-22s %-21s", order[o], P[p])
					for (i = 1; i <= n[key]; i++) line = line sprintf(" %s", v[key, i])
					print line
				}
		}
	}' "$tmp/rows"
