#!/bin/sh
# linux-grub.sh: full mode end to end from a disk: SeaBIOS -> GRUB (Debian's
# i386-pc) -> the test kernel's bzImage and the busybox initramfs from an
# ext2 partition on the IDE disk. The guest finds no hypervisor, ata_piix
# drives sda with DMA, the CMOS clock gives today's date, and `poweroff -f`
# ends the VM with status 0 through ACPI S5 (SeaBIOS's tables, PIIX4 PM).
# usage: linux-grub.sh RUN_GUEST VMM [extra vmm args...]
# GRUB and the kernel's decompressor run emulated on PVM hosts: minutes.
set -u
runner=$1 vmm=$2
shift 2
here=$(cd "$(dirname "$0")/../guest" && pwd)
if ! command -v grub-mkimage >/dev/null || [ ! -d /usr/lib/grub/i386-pc ]; then
	echo "SKIP: grub-mkimage or /usr/lib/grub/i386-pc missing (apt-get install grub-common grub-pc-bin)"
	exit 77
fi
if [ -z "${VMM_KERNEL_DIR:-}" ]; then
	VMM_KERNEL_DIR=$("$here/build-kernel.sh") || { echo "FAIL: building the test kernel"; exit 1; }
fi
initrd=$("$here/build-initramfs.sh") || { echo "FAIL: building the initramfs"; exit 1; }
# linux.sh's command line for full mode, without acpi=off: Linux takes
# SeaBIOS's ACPI tables and powers off through them.
khz=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
cl="console=ttyS0 nokaslr noxsave tsc=reliable no_timer_check cryptomgr.notests init_on_alloc=0"
cl="$cl nowatchdog rodata=off panic=-1 clearcpuid=smap,fsgsbase,popcnt,rdpid,invpcid,pcid,rdtscp,clflushopt,clwb,pku,xsave,rdseed,erms,fsrm"
cl="$cl tsc_early_khz=${khz:-2000000} vmm.check=poweroff"
disk=$("$here/build-grub-disk.sh" "$VMM_KERNEL_DIR/bzImage" "$initrd" "$cl") ||
	{ echo "FAIL: building the GRUB disk"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmm-grub.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Read-only: the cached image stays as built.
sh "$runner" --timeout 600 --status 0 \
	--expect 'SeaBIOS (version' --expect 'Command line: BOOT_IMAGE=/boot/vmlinuz' \
	--reject 'Hypervisor detected' --reject 'kvm-clock' \
	--expect 'ACPI: PM: (supports S0' \
	--expect "setting system clock to $(date -u +%Y-%m-)" \
	--expect 'pci: 0000:00:01.1 driver=ata_piix' --expect 'block: sda at /sys/devices/pci0000:00/0000:00:01.1/' \
	--expect ' sda: sda1' --expect 'ata: dev1.0 xfer_mode=XFER_MW_DMA_2' \
	--expect 'init: poweroff -f' --expect 'reboot: Power down' -- \
	"$vmm" run --mode=full --mem 64M --stats "$tmp/stats.json" "$disk,ro" "$@" || exit 1
# Status 0 from ACPI S5, not from the exit port.
if ! grep -q '"exit": *"poweroff"' "$tmp/stats.json"; then
	echo "FAIL: the VM did not end through ACPI power-off; stats:"
	cat "$tmp/stats.json"
	exit 1
fi
echo "PASS: powered off through ACPI"
