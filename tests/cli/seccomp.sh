#!/bin/sh
# seccomp.sh: with --seccomp every thread but the main one runs under a
# seccomp filter (/proc/PID/task/TID/status "Seccomp: 2") while the guest
# runs, SIGTERM still ends the run cleanly, and guests that use console input,
# SMP and virtio devices still work; without it no thread is filtered.
# usage: seccomp.sh VMM IDLE.elf ECHO.elf SMP.elf VIRTIO.elf
set -u
. "$(dirname "$0")/kvm.sh"
vmm=$1 idle=$2 echo_elf=$3 smp=$4 virtio=$5
skip_without_kvm
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

seccomp_mode() { # status file -> the Seccomp field (0 none, 2 filter)
	awk '/^Seccomp:/ { print $2 }' "$1" 2>/dev/null
}
# Start an idle 2-vCPU guest; once its threads are up (main, 2 vCPUs, I/O),
# count them and the filtered ones, then stop it with SIGTERM.
probe() {
	"$vmm" run "$@" --cpus 2 --kernel "$idle" --timeout 20 </dev/null >"$tmp/out" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 100 ] && [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -lt 4 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	sleep 0.2 # a thread confines itself first thing: long enough
	total=0 filtered=0
	for t in /proc/$pid/task/*; do
		total=$((total + 1))
		[ "$(seccomp_mode "$t/status")" = 2 ] && filtered=$((filtered + 1))
	done
	main=$(seccomp_mode /proc/$pid/status)
	kill -TERM $pid
	wait $pid
	rc=$?
}

probe --seccomp
echo "--seccomp: $total threads, $filtered filtered, main thread mode $main, exit $rc"
[ "$total" -ge 4 ] || { echo "FAIL: want main + 2 vCPUs + I/O thread"; fail=1; }
[ "$filtered" = $((total - 1)) ] || { echo "FAIL: not every VM thread is filtered"; fail=1; }
[ "$main" = 0 ] || { echo "FAIL: the main thread is filtered (mode $main)"; fail=1; }
[ "$rc" = 143 ] || { echo "FAIL: SIGTERM under seccomp exited $rc, want 143"; cat "$tmp/out"; fail=1; }

probe
echo "without: $total threads, $filtered filtered, exit $rc"
[ "$total" -ge 4 ] || { echo "FAIL: the probe did not see the VM's threads"; fail=1; }
[ "$filtered" = 0 ] || { echo "FAIL: threads filtered without --seccomp"; fail=1; }

# Guests doing real work under the filters.
printf 'ping\nquit\n' | timeout 30 "$vmm" run --seccomp --kernel "$echo_elf" >"$tmp/out" 2>&1
rc=$?
{ [ "$rc" = 0 ] && grep -q 'got: ping' "$tmp/out"; } || { echo "FAIL: echo under seccomp ($rc)"; cat "$tmp/out"; fail=1; }
timeout 30 "$vmm" run --seccomp --cpus 2 --kernel "$smp" --cmdline cpus=2 </dev/null >"$tmp/out" 2>&1
rc=$?
{ [ "$rc" = 0 ] && grep -q 'all 2 cpus online' "$tmp/out"; } || { echo "FAIL: smp under seccomp ($rc)"; cat "$tmp/out"; fail=1; }
truncate -s 16M "$tmp/disk.img"
timeout 60 "$vmm" run --seccomp --console virtio --kernel "$virtio" --cmdline sectors=32768 \
	--disk "$tmp/disk.img" </dev/null >"$tmp/out" 2>&1
rc=$?
{ [ "$rc" = 0 ] && grep -q 'virtio: all ok' "$tmp/out"; } || { echo "FAIL: virtio under seccomp ($rc)"; cat "$tmp/out"; fail=1; }

[ "$fail" = 0 ] && echo "PASS: seccomp"
exit "$fail"
