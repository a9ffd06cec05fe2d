#!/bin/sh
# man-lint.sh: the man pages format without a single groff warning.
# usage: man-lint.sh PAGE...
set -u
if ! command -v groff >/dev/null 2>&1; then
	echo "SKIP: groff is not installed (Debian: groff-base)"
	exit 77
fi
fail=0
for page in "$@"; do
	warnings=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
	[ -z "$warnings" ] || { echo "FAIL: $page:"; echo "$warnings"; fail=1; }
done
[ "$fail" = 0 ] && echo "PASS: $# pages"
exit "$fail"
