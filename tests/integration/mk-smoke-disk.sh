#!/bin/sh
# mk-smoke-disk.sh: a firmware smoke disk: the boot sector, then in sector 1
# a NUL-terminated line of text the boot sector prints, padded to 1 MiB. A
# line starting with '!' makes the boot sector power off through ACPI.
# usage: mk-smoke-disk.sh MBR.BIN OUT.IMG [poweroff]
set -eu
cp "$1" "$2"
if [ "${3:-}" = poweroff ]; then
	printf '!power off through ACPI S5\r\n\000' >>"$2"
else
	printf 'sector one of the smoke disk\r\n\000' >>"$2"
fi
truncate -s 1M "$2"
