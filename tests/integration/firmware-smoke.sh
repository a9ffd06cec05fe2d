#!/bin/sh
# firmware-smoke.sh: boot the smoke disk through SeaBIOS and check the serial
# console (SeaBIOS banner, its boot message, the MBR's lines, the MBR's exit
# status 33) and the firmware log kept with --firmware-log, which must also
# hold DISK_LINE (how SeaBIOS found the disk: IDE in full mode, virtio-blk in
# para mode).
# usage: firmware-smoke.sh RUN_GUEST DISK DISK_LINE VMM [VMM ARGS...]
set -eu
runner=$1
disk=$2
disk_line=$3
shift 3
log=$(mktemp "${TMPDIR:-/tmp}/fwsmoke.XXXXXX")
trap 'rm -f "$log"' EXIT
sh "$runner" --timeout 90 --status 33 \
	--expect 'SeaBIOS (version' --expect 'Booting from Hard Disk' \
	--expect 'mbr-smoke: hello through int 10h' --expect 'mbr-smoke: hello through COM1' \
	--expect 'mbr-smoke: sector 1 says: sector one of the smoke disk' \
	--reject 'Boot failed' \
	-- "$@" --firmware-log "$log" "$disk,ro" || exit $?
for s in 'Found QEMU fw_cfg' "$disk_line" 'Booting from Hard Disk'; do
	if ! grep -q "$s" "$log"; then
		echo "FAIL: firmware log lacks '$s'; it holds:"
		cat "$log"
		exit 1
	fi
done
echo "PASS: firmware log kept"
