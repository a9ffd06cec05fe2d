#!/bin/sh
# console-file.sh: with --console-file the guest console goes to the file and
# vmm's stdout stays empty; with --console=none it goes nowhere. The guest's
# exit status still comes through.
# usage: console-file.sh VMM HELLO.elf EXITCODE.elf
set -u
. "$(dirname "$0")/kvm.sh"
vmm=$1 hello=$2 exitcode=$3
skip_without_kvm
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

timeout 30 "$vmm" run --kernel "$hello" --cmdline to-file --console-file "$tmp/console.log" \
	</dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: --console-file run exited $rc"; fail=1; }
[ -s "$tmp/out" ] && { echo "FAIL: stdout is not clean:"; cat "$tmp/out"; fail=1; }
[ -s "$tmp/err" ] && { echo "FAIL: stderr is not clean:"; cat "$tmp/err"; fail=1; }
grep -q 'Hello from vmm guest' "$tmp/console.log" || { echo "FAIL: console.log lacks the guest's output"; fail=1; }
grep -q 'cmdline: "to-file"' "$tmp/console.log" || { echo "FAIL: console.log lacks the command line"; fail=1; }

timeout 30 "$vmm" run --kernel "$exitcode" --cmdline code=5 --console=none </dev/null >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 5 ] || { echo "FAIL: --console=none run exited $rc, want 5"; fail=1; }
[ -s "$tmp/out" ] && { echo "FAIL: --console=none printed:"; cat "$tmp/out"; fail=1; }

# A console file that cannot be created is an input error before the guest runs.
timeout 30 "$vmm" run --kernel "$hello" --console-file "$tmp/no/such/dir/c.log" </dev/null \
	>"$tmp/out" 2>&1
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: unwritable console file exited $rc, want 2"; fail=1; }
grep -q -- '--console-file: console.path: no such directory' "$tmp/out" || { echo "FAIL: message:"; cat "$tmp/out"; fail=1; }

[ "$fail" = 0 ] && echo "PASS: console file and none"
exit "$fail"
