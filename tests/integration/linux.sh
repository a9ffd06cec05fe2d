#!/bin/sh
# linux.sh: boot the test kernel (tests/guest/build-kernel.sh) with the busybox
# initramfs and run one /init check; verify status, console lines and, for blk,
# the ext4 image on the host afterwards.
# usage: linux.sh VMM MODE CHECK [extra vmm args...]
# Full mode boots the kernel directly too (--mode=full --kernel): no kvmclock,
# so the TSC rate comes from tsc_early_khz= (the PIT calibration loop is too
# slow where kernel code is emulated), and the disk is IDE (ata_piix).
set -u
vmm=$1 mode=$2 check=$3
shift 3
here=$(cd "$(dirname "$0")/../guest" && pwd)
runner=$(dirname "$0")/run-guest.sh
if [ -z "${VMM_KERNEL_DIR:-}" ]; then
	VMM_KERNEL_DIR=$("$here/build-kernel.sh") || { echo "FAIL: building the test kernel"; exit 1; }
fi
initrd=$("$here/build-initramfs.sh") || { echo "FAIL: building the initramfs"; exit 1; }
# Keep the kernel off CPU features PVM hosts emulate slowly or not at all
# (pvm-host.md); harmless elsewhere.
cl="console=ttyS0 nokaslr noxsave tsc=reliable no_timer_check cryptomgr.notests init_on_alloc=0"
cl="$cl nowatchdog rodata=off acpi=off panic=-1 clearcpuid=smap,fsgsbase,popcnt,rdpid,invpcid,pcid,rdtscp,clflushopt,clwb,pku,xsave,rdseed,erms,fsrm"
if [ "$mode" = full ]; then
	khz=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
	cl="$cl tsc_early_khz=${khz:-2000000}"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmm-linux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Generous: boot-to-init is ~26 s on an idle PVM host but 100 s+ under load.
common="--timeout 600 --expect init:"
# The MP table's PCI INTx entries: without them Linux warns for each PCI
# device with an interrupt pin (pirq_enable_irq) and has no INTx line for it.
no_intx="can't find IRQ for PCI INT"
case $check in
info)
	if [ "$mode" = full ]; then
		# An unmodified guest: no hypervisor found, PIIX IDE, the CMOS date.
		mkfs.ext4 -q -F "$tmp/disk.img" 16M || exit 1
		sh "$runner" $common --reject 'Hypervisor detected' --reject 'kvm-clock' --reject "$no_intx" \
			--expect 'pci: 0000:00:01.1 0x8086:0x7010 driver=ata_piix' --expect 'block: sda' \
			--expect "setting system clock to $(date -u +%Y-%m-)" -- \
			"$vmm" run --mode=full --mem 64M --kernel "$VMM_KERNEL_DIR/vmlinux" --initrd "$initrd" \
			--cmdline "$cl vmm.check=info" --disk "$tmp/disk.img" "$@"
		exit $?
	fi
	# The CMOS RTC is there in para mode too (the date, and no probe of an empty bus).
	sh "$runner" $common --expect 'Hypervisor detected: KVM' --expect 'kvm-clock' --reject "$no_intx" \
		--expect "setting system clock to $(date -u +%Y-%m-)" \
		--expect 'pci: 0000:00:01.0 0x1af4' --expect 'driver=virtio-pci' --expect 'hwrng: current=virtio_rng' --reject 'bytes:none' -- \
		"$vmm" run --mode="$mode" --mem 64M --kernel "$VMM_KERNEL_DIR/vmlinux" --initrd "$initrd" \
		--cmdline "$cl vmm.check=info" "$@"
	;;
blk)
	mkdir "$tmp/root"
	echo "host says hello" >"$tmp/root/host-file"
	mkfs.ext4 -q -F -d "$tmp/root" "$tmp/disk.img" 16M || { echo "FAIL: mkfs.ext4"; exit 1; }
	[ "$mode" = full ] && dev=ata_piix || dev=virtio_blk
	sh "$runner" $common --expect "$dev" --expect 'host says hello' --expect 'init: blk ok' -- \
		"$vmm" run --mode="$mode" --mem 64M --kernel "$VMM_KERNEL_DIR/vmlinux" --initrd "$initrd" \
		--cmdline "$cl vmm.check=blk" --disk "$tmp/disk.img" "$@" || exit 1
	got=$(debugfs -R 'cat /guest-file' "$tmp/disk.img" 2>/dev/null)
	[ "$got" = "written by the vmm guest" ] || { echo "FAIL: /guest-file on the image holds '$got'"; exit 1; }
	echo "PASS: the guest's file is on the image"
	;;
shell)
	# The PVM host options come from vmm (--host-compat), not from this script.
	base="console=ttyS0 acpi=off panic=-1"
	sh "$runner" $common --status 7 --expect 'from the guest shell' -- \
		"$vmm" run --mode="$mode" --mem 64M --kernel "$VMM_KERNEL_DIR/vmlinux" --initrd "$initrd" \
		--host-compat --cmdline "$base vmm.check=shell vmm.cmd=\"echo from the guest shell; exit 7\"" "$@"
	;;
panic)
	sh "$runner" $common --status 121 --expect 'Kernel panic' --expect 'panic' -- \
		"$vmm" run --mode="$mode" --mem 64M --kernel "$VMM_KERNEL_DIR/vmlinux" --initrd "$initrd" \
		--cmdline "$cl vmm.check=panic" "$@"
	;;
*)
	echo "linux.sh: unknown check $check" >&2
	exit 1
	;;
esac
