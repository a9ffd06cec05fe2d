#!/bin/sh
# emufail.sh: an instruction the host cannot emulate ends the VM with status 123
# and a message giving RIP and the bytes. Only PVM hosts fail to emulate
# `popcnt` at CPL0; elsewhere the guest simply finishes.
# usage: emufail.sh RUN_GUEST VMM [VMM ARGS...]
set -eu
runner=$1
shift
if [ -e /sys/module/kvm_pvm ]; then
	exec sh "$runner" --status 123 --expect 'emulation-failure' --expect 'bytes: f3' \
		--expect 'RIP 0x' --reject 'popcnt ran' -- "$@"
fi
exec sh "$runner" --status 0 --expect 'popcnt ran' -- "$@"
