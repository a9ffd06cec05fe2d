#!/bin/sh
# fwlog.sh: --firmware-log FILE keeps what the guest writes to port 0x402, and
# only then does the port answer 0xE9 (SeaBIOS logs only when it does).
# usage: fwlog.sh RUN_GUEST VMM [VMM ARGS...]
set -eu
runner=$1
shift
log=$(mktemp "${TMPDIR:-/tmp}/fwlog.XXXXXX")
trap 'rm -f "$log"' EXIT
sh "$runner" --expect 'reads 0xff' -- "$@" || exit $?
sh "$runner" --expect 'reads 0xe9' -- "$@" --firmware-log "$log" || exit $?
if ! grep -q 'hello from the debug port' "$log"; then
	echo "FAIL: firmware log $log lacks the guest's line; it holds:"
	cat "$log"
	exit 1
fi
echo "PASS: firmware log kept"
