#!/bin/sh
# run-guest.sh: run vmm once and check its exit status and output (exit 0 pass, 1 fail, 77 skip, as meson reads them).
#
# usage: run-guest.sh [options] -- VMM [VMM ARGS...]
#   --status N      expected exit status (default 0)
#   --timeout S     kill vmm after S seconds (default 30), then SIGKILL 5 s later
#   --expect STR    STR must appear in the output (stdout and stderr together); repeatable
#   --reject STR    STR must not appear in the output; repeatable
#   --max-lines N   the output must have at most N lines
#   --no-kvm        run even without a usable /dev/kvm (for pure command-line checks)
#   --input STR     feed STR (printf %b escapes allowed) to vmm's stdin through a pipe
#   --stdin FILE    vmm's stdin is FILE (a regular file)
#   --signal SIG S  send signal SIG to vmm after S seconds (its own status is kept)
# Otherwise vmm runs with stdin from /dev/null, so it never touches the terminal.

set -u
set -f # no globbing: expected substrings are expanded unquoted below

status=0
secs=30
max_lines=
need_kvm=1
input=
stdin_file=/dev/null
use_pipe=0
sig=
sig_secs=
# Substring lists, one per line (arguments never contain newlines here).
expects=
rejects=
nl='
'

die_usage() {
	echo "run-guest.sh: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--status) [ $# -ge 2 ] || die_usage "--status needs a value"; status=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die_usage "--timeout needs a value"; secs=$2; shift 2 ;;
	--expect) [ $# -ge 2 ] || die_usage "--expect needs a value"; expects=$expects$2$nl; shift 2 ;;
	--reject) [ $# -ge 2 ] || die_usage "--reject needs a value"; rejects=$rejects$2$nl; shift 2 ;;
	--max-lines) [ $# -ge 2 ] || die_usage "--max-lines needs a value"; max_lines=$2; shift 2 ;;
	--no-kvm) need_kvm=0; shift ;;
	--input) [ $# -ge 2 ] || die_usage "--input needs a value"; input=$2; use_pipe=1; shift 2 ;;
	--stdin) [ $# -ge 2 ] || die_usage "--stdin needs a file"; stdin_file=$2; shift 2 ;;
	--signal) [ $# -ge 3 ] || die_usage "--signal needs SIG and SECONDS"; sig=$2; sig_secs=$3; shift 3 ;;
	--) shift; break ;;
	*) die_usage "unknown option '$1' (the vmm command follows --)" ;;
	esac
done
[ $# -ge 1 ] || die_usage "no vmm command given"

if [ "$need_kvm" = 1 ]; then
	if [ ! -e /dev/kvm ]; then
		echo "SKIP: /dev/kvm does not exist (no KVM on this host)"
		exit 77
	fi
	# Open it the way vmm will (read-write); test -r/-w would miss e.g. a
	# device cgroup or a read-only mount.
	if ! (: <>/dev/kvm) 2>/dev/null; then
		echo "SKIP: cannot open /dev/kvm read-write as $(id -un 2>/dev/null || id -u)"
		exit 77
	fi
fi

log=$(mktemp "${TMPDIR:-/tmp}/run-guest.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT HUP INT TERM

if [ -n "$sig" ]; then
	set -- timeout --preserve-status -s "$sig" "$sig_secs" "$@"
fi
if [ "$use_pipe" = 1 ]; then
	printf '%b' "$input" | timeout --kill-after=5 "$secs" "$@" >"$log" 2>&1
	got=$?
else
	timeout --kill-after=5 "$secs" "$@" <"$stdin_file" >"$log" 2>&1
	got=$?
fi

problems=
if [ "$got" != "$status" ]; then
	case $got in
	124 | 137) problems="${problems}exit status $got (killed by timeout after ${secs}s?), want $status$nl" ;;
	*) problems="${problems}exit status $got, want $status$nl" ;;
	esac
fi

# Iterate over the newline-separated lists without word splitting on spaces.
old_ifs=$IFS
IFS=$nl
for s in $expects; do
	grep -F -q -e "$s" "$log" || problems="${problems}missing from output: '$s'$nl"
done
for s in $rejects; do
	grep -F -q -e "$s" "$log" && problems="${problems}must not appear in output: '$s'$nl"
done
IFS=$old_ifs

if [ -n "$max_lines" ]; then
	lines=$(wc -l <"$log" | tr -d ' ')
	[ "$lines" -le "$max_lines" ] || problems="${problems}output has $lines lines, want at most $max_lines$nl"
fi

if [ -z "$problems" ]; then
	echo "PASS: status $got: $*"
	exit 0
fi

echo "FAIL: $*"
printf '%s' "$problems" | sed 's/^/  /'
echo "--- output (exit status $got) ---"
cat "$log"
echo "--- end of output ---"
exit 1
