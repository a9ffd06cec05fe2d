#!/bin/sh
# virtio-disk.sh: run tests/guests/virtio.elf with a fresh 16 MiB disk, then check that the image file holds what the guest wrote.
#
# usage: virtio-disk.sh RUN_GUEST VMM [VMM ARGS...]
# The VMM arguments name the guest (--kernel, --cmdline); this script adds
# --disk. Passes run-guest.sh's 77 (no KVM) through. After the run the image
# must hold the guest's final mark, 32 x "virtio-blk-test\n", in sector 2048
# (tests/guests/virtio.c: FINAL_SECTOR, FINAL_PATTERN), zeros in the sectors
# around it, non-zero data in the sectors it tested (64-75), and its size.
set -u
[ $# -ge 2 ] || { echo "usage: virtio-disk.sh RUN_GUEST VMM [VMM ARGS...]" >&2; exit 1; }
run_guest=$1
shift

dir=$(mktemp -d "${TMPDIR:-/tmp}/virtio-disk.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT HUP INT TERM
img=$dir/disk.img
size=$((16 * 1024 * 1024))
truncate -s "$size" "$img" || exit 1

sh "$run_guest" --timeout 60 --expect 'virtio: all ok' --expect 'virtio: blk ok' --expect 'virtio: rng ok' \
	--expect 'virtio-console: hello from the virtio guest' --reject 'FAIL' -- "$@" --disk "$img"
s=$?
[ "$s" = 0 ] || exit "$s"

problems=
sector() { # N [COUNT]
	dd if="$img" bs=512 skip="$1" count="${2:-1}" status=none
}
i=0
while [ "$i" -lt 32 ]; do printf 'virtio-blk-test\n'; i=$((i + 1)); done >"$dir/mark"
head -c 512 /dev/zero >"$dir/zero"
sector 2048 | cmp -s - "$dir/mark" || problems="${problems}sector 2048 does not hold the guest's mark
"
sector 2047 | cmp -s - "$dir/zero" || problems="${problems}sector 2047 is not zero
"
sector 2049 | cmp -s - "$dir/zero" || problems="${problems}sector 2049 is not zero
"
[ "$(sector 64 12 | tr -d '\000' | wc -c)" -gt 0 ] || problems="${problems}sectors 64-75 are all zeros
"
[ "$(wc -c <"$img")" -eq "$size" ] || problems="${problems}image size changed to $(wc -c <"$img")
"
if [ -n "$problems" ]; then
	echo "FAIL: the image after the run:"
	printf '%s' "$problems" | sed 's/^/  /'
	echo "--- sectors 2047-2049 ---"
	sector 2047 3 | od -A d -c | head -20
	exit 1
fi
echo "PASS: image holds the guest's writes"
