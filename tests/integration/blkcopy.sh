#!/bin/sh
# blkcopy.sh: run examples/blkcopy on two fresh disks and check on the host
# that disk 0's last sector holds the right checksum line and disk 1 the copy.
# usage: blkcopy.sh RUN_GUEST BLKCOPY_CHECK VMM [VMM ARGS...]   (the vmm command
# without disks; this script adds --disk for both images)
set -u
run_guest=$1 check=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/blkcopy.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
# 3 MiB + 1 sector: more than one 256 KiB request, and an odd tail.
"$check" make "$dir/a.img" 6145 || exit 1
"$check" make "$dir/b.img" 6200 || exit 1
sh "$run_guest" --expect 'blkcopy: 6144 sectors' --expect 'copied to disk 1' -- \
	"$@" --disk "$dir/a.img" --disk "$dir/b.img" || exit $?
# run-guest.sh skipped (77) or failed above; here the guest ran and passed.
"$check" verify "$dir/a.img" "$dir/b.img"
