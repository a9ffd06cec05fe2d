#!/bin/sh
# host-compat.sh: --host-compat adds the PVM host's kernel options to the
# command line (before init's "--" arguments, the TSC rate in full mode only)
# on a PVM host, and leaves the line alone elsewhere; without a kernel it is a
# usage error. hello.elf prints the command line it was given.
# usage: host-compat.sh VMM HELLO.elf
set -u
. "$(dirname "$0")/kvm.sh"
vmm=$1 hello=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

timeout 30 "$vmm" run --host-compat --disk /dev/null </dev/null >"$tmp/err" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q 'boot.host_compat: needs boot.kernel' "$tmp/err" ||
	{ echo "FAIL: --host-compat without --kernel: status $rc, want 2 and a message:"; cat "$tmp/err"; fail=1; }

skip_without_kvm
user='user-arg -- init-arg'
for mode in para full; do
	timeout 30 "$vmm" run --mode=$mode --host-compat --kernel "$hello" --cmdline "$user" \
		</dev/null >"$tmp/$mode" 2>&1
	rc=$?
	[ "$rc" = 0 ] || { echo "FAIL: $mode: status $rc"; cat "$tmp/$mode"; fail=1; continue; }
	got=$(sed -n 's/^cmdline: "\(.*\)"\r*$/\1/p' "$tmp/$mode")
	if [ -e /sys/module/kvm_pvm ]; then
		case $got in
		"user-arg nokaslr noxsave "*"clearcpuid=smap,"*" -- init-arg") ;;
		*) echo "FAIL: $mode on a PVM host: cmdline '$got'"; fail=1 ;;
		esac
		case $mode:$got in
		full:*" tsc_early_khz="[1-9]*" -- init-arg" | para:*) ;;
		*) echo "FAIL: full mode lacks tsc_early_khz: '$got'"; fail=1 ;;
		esac
		case $mode:$got in
		para:*tsc_early_khz*) echo "FAIL: para mode (kvmclock) got tsc_early_khz"; fail=1 ;;
		esac
	else
		[ "$got" = "$user" ] || { echo "FAIL: $mode, not a PVM host: cmdline '$got', want '$user'"; fail=1; }
	fi
	echo "$mode: $got"
done
[ $fail = 0 ] && echo "PASS"
exit $fail
