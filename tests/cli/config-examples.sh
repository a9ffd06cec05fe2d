#!/bin/sh
# config-examples.sh: every examples/configs/*.json passes `vmm config check`
# next to stand-ins for the files it names, and its `config show` output
# round-trips. With KVM, minimal.json and ci-runner.json boot a test guest as
# their vmlinux: the file's command line, console file and stats reach the VM.
# usage: config-examples.sh VMM EXAMPLES_DIR HELLO.elf
set -u
. "$(dirname "$0")/kvm.sh"
vmm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the runs below cd
examples=$2 hello=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/vm" "$tmp/shown"
cp "$examples"/*.json "$tmp/vm/"
cp "$hello" "$tmp/vm/vmlinux"
printf 'initrd stand-in\n' >"$tmp/vm/initrd.img"
for img in rootfs.img data.img disk.img; do
	truncate -s 1M "$tmp/vm/$img"
done
fail=0 n=0
for f in "$tmp"/vm/*.json; do
	n=$((n + 1))
	name=$(basename "$f")
	"$vmm" config check "$f" || { echo "FAIL: $name does not check"; fail=1; continue; }
	"$vmm" config show --config "$f" >"$tmp/shown/$name" || { fail=1; continue; }
	"$vmm" config show --config "$tmp/shown/$name" >"$tmp/again" || { fail=1; continue; }
	cmp -s "$tmp/shown/$name" "$tmp/again" || { echo "FAIL: $name: show does not round-trip"; fail=1; }
done
[ "$n" -ge 4 ] || { echo "FAIL: only $n example configurations"; fail=1; }

if kvm_usable; then
	(cd "$tmp" && timeout 30 "$vmm" run --config vm/minimal.json </dev/null >out 2>&1)
	rc=$?
	[ "$rc" = 0 ] || { echo "FAIL: minimal.json run exited $rc"; cat "$tmp/out"; fail=1; }
	grep -q 'Hello from vmm guest' "$tmp/out" || { echo "FAIL: minimal.json: no guest output"; fail=1; }

	(cd "$tmp" && timeout 30 "$vmm" run --config vm/ci-runner.json </dev/null >out 2>&1)
	rc=$?
	[ "$rc" = 0 ] || { echo "FAIL: ci-runner.json run exited $rc"; cat "$tmp/out"; fail=1; }
	[ -s "$tmp/out" ] && { echo "FAIL: ci-runner.json printed on stdout/stderr:"; cat "$tmp/out"; fail=1; }
	grep -q 'cmdline: "console=ttyS0 panic=-1 quiet"' "$tmp/vm/console.log" ||
		{ echo "FAIL: ci-runner.json: console.log lacks the command line"; fail=1; }
	grep -q '"exit": "exit-port"' "$tmp/vm/stats.json" ||
		{ echo "FAIL: ci-runner.json: no stats.json"; fail=1; }
	grep -q '"status": 0' "$tmp/vm/stats.json" || { echo "FAIL: stats.json status"; fail=1; }
else
	echo "(no usable /dev/kvm: the example configurations were checked, not booted)"
fi
[ "$fail" = 0 ] && echo "PASS: $n example configurations"
exit "$fail"
