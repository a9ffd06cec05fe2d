#!/bin/sh
# init.sh: /init of vmm's test initramfs (busybox-static). Runs the check named
# by vmm.check= on the kernel command line, reports on the console, and ends
# the VM through the exit port 0xf4 (via /dev/port) with the check's status.
#   vmm.check=shell vmm.cmd="..."  run a shell command; its status is the VM's
#   vmm.check=blk [vmm.disk=sda]    ext4 on the disk (default: vda, else sda):
#                                   write, fsync, read back
#   vmm.check=info                  print what the kernel found (devices, clock)
#   vmm.check=panic                 /init exits: the kernel panics (pvpanic -> status)
#   vmm.check=poweroff              print the PCI drivers, disks and ATA transfer
#                                   modes, then `poweroff -f` (ACPI S5), no exit port
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null

vm_exit() { # status
	printf "$(printf '\\%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

arg() { # name: value of name= on the command line (a "quoted value" allowed)
	sed -n "s/.*$1=\"\\([^\"]*\\)\".*/\\1/p; t; s/.*$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline
}

check=$(arg vmm.check)
echo "init: check '${check:-none}'"
case $check in
shell)
	cmd=$(arg vmm.cmd)
	sh -c "$cmd"
	vm_exit $?
	;;
blk)
	disk=$(arg vmm.disk)
	[ -n "$disk" ] || { [ -b /dev/vda ] && disk=vda; } || disk=sda
	echo "init: disk $disk"
	mkdir -p /mnt
	mount -t ext4 "/dev/$disk" /mnt || vm_exit 10
	echo "written by the vmm guest" > /mnt/guest-file || vm_exit 11
	fsync /mnt/guest-file 2>/dev/null || sync
	read -r line < /mnt/guest-file
	[ "$line" = "written by the vmm guest" ] || vm_exit 12
	cat /mnt/host-file 2>/dev/null
	umount /mnt || vm_exit 13
	echo "init: blk ok"
	vm_exit 0
	;;
info)
	echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	for d in /sys/bus/pci/devices/*; do
		echo "pci: ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") driver=$(basename "$(readlink "$d/driver" 2>/dev/null)")"
	done
	echo "block: $(ls /sys/block | tr '\n' ' ')"
	# The virtio-rng driver may still be registering with the hwrng core
	# when /init starts: give it a few tries.
	for try in 1 2 3 4 5; do
		rng=$(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1)
		[ -n "$rng" ] && break
		sleep 1
	done
	echo "hwrng: current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null) bytes:${rng:-none}"
	vm_exit 0
	;;
poweroff)
	# Shell builtins only: each fork+exec costs ~0.5 s where kernel code is
	# emulated (PVM hosts).
	for d in /sys/bus/pci/drivers/*/0000:*; do
		drv=${d%/*}
		echo "pci: ${d##*/} driver=${drv##*/}"
	done
	for b in /sys/block/*; do
		cd -P "$b" && echo "block: ${b##*/} at $PWD"
	done
	for d in /sys/class/ata_device/*; do
		read -r mode <"$d/xfer_mode" && echo "ata: ${d##*/} xfer_mode=$mode"
	done
	cd /
	# Without a working ACPI power-off the kernel halts and the VM runs on.
	echo "init: poweroff -f"
	poweroff -f
	;;
panic)
	echo "init: exiting, the kernel will panic"
	exit 1
	;;
*)
	echo "init: unknown check '$check'"
	vm_exit 2
	;;
esac
