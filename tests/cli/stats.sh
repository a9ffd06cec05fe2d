#!/bin/sh
# stats.sh: --stats writes the result as JSON when the run ends, and
# --reboot=poweroff (or exit.reboot in a file) turns a guest reset into status 0.
# usage: stats.sh VMM EXITCODE.elf REBOOT.elf
set -u
. "$(dirname "$0")/kvm.sh"
vmm=$1 exitcode=$2
reboot=$(cd "$(dirname "$3")" && pwd)/$(basename "$3") # it goes into a file elsewhere
skip_without_kvm
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # file, substring
	grep -q -F -e "$2" "$1" || { echo "FAIL: $1 lacks '$2':"; cat "$1"; fail=1; }
}

timeout 30 "$vmm" run --kernel "$exitcode" --stats "$tmp/s.json" </dev/null >/dev/null 2>&1
rc=$?
[ "$rc" = 7 ] || { echo "FAIL: exitcode guest exited $rc, want 7"; fail=1; }
expect "$tmp/s.json" '"exit": "exit-port"'
expect "$tmp/s.json" '"status": 7'
expect "$tmp/s.json" '"guest_status": 7'
expect "$tmp/s.json" '"run_time_sec":'
grep -q '"pio": [1-9]' "$tmp/s.json" || { echo "FAIL: no port I/O exits counted"; cat "$tmp/s.json"; fail=1; }
# Exits per device: the exit port's one write.
tr -d ' \n' <"$tmp/s.json" | grep -q '{"device":"exitport","bus":"pio","exits":1}' ||
	{ echo "FAIL: no by_device entry for the exit port"; cat "$tmp/s.json"; fail=1; }

timeout 30 "$vmm" run --kernel "$reboot" --stats "$tmp/r.json" </dev/null >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 120 ] || { echo "FAIL: reboot guest exited $rc, want 120"; fail=1; }
expect "$tmp/r.json" '"exit": "reboot"'

timeout 30 "$vmm" run --kernel "$reboot" --reboot=poweroff --stats "$tmp/p.json" </dev/null \
	>"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: --reboot=poweroff exited $rc, want 0"; cat "$tmp/out"; fail=1; }
expect "$tmp/p.json" '"exit": "poweroff"'
expect "$tmp/p.json" 'reset taken as poweroff'

printf '{"boot": {"kernel": "%s"}, "exit": {"reboot": "poweroff"}}\n' "$reboot" >"$tmp/vm.json"
timeout 30 "$vmm" run --config "$tmp/vm.json" </dev/null >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: exit.reboot poweroff in a file exited $rc, want 0"; cat "$tmp/out"; fail=1; }
# ... and the command line overrides the file.
timeout 30 "$vmm" run --reboot exit --config "$tmp/vm.json" </dev/null >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 120 ] || { echo "FAIL: --reboot exit over the file exited $rc, want 120"; fail=1; }

[ "$fail" = 0 ] && echo "PASS: stats and reboot policy"
exit "$fail"
