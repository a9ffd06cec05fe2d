#!/bin/sh
# virtio-hostile.sh: run tests/guests/virtio_hostile.elf on a read-only disk whose sectors are not zero; the image must be unchanged after.
#
# usage: virtio-hostile.sh RUN_GUEST VMM [VMM ARGS...]
# The VMM arguments name the guest (--kernel, --cmdline); this script adds
# --disk IMG,ro. Passes run-guest.sh's 77 (no KVM) through.
set -u
[ $# -ge 2 ] || { echo "usage: virtio-hostile.sh RUN_GUEST VMM [VMM ARGS...]" >&2; exit 1; }
run_guest=$1
shift

dir=$(mktemp -d "${TMPDIR:-/tmp}/virtio-hostile.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT HUP INT TERM
img=$dir/disk.img
# 16 MiB of text: every sector differs from zero, so the guest's good reads
# compare real data.
yes 'hostile-baseline' | head -c $((16 * 1024 * 1024)) >"$img" || exit 1
cp "$img" "$dir/orig"

sh "$run_guest" --timeout 120 --expect 'hostile: all ok' --reject 'FAIL' --reject 'skipped' -- "$@" --disk "$img,ro"
s=$?
[ "$s" = 0 ] || exit "$s"
if ! cmp -s "$img" "$dir/orig"; then
	echo "FAIL: the read-only image changed: $(cmp "$img" "$dir/orig" 2>&1)"
	exit 1
fi
echo "PASS: read-only image unchanged"
