#!/bin/sh
# stock-init.sh: /stock-init of the stock-kernel initramfs (rdinit=/stock-init).
# Debian's kernel builds virtio, ATA, SCSI disks and ext4 as modules: load the
# chain build-stock-initramfs.sh listed in /lib/modules/order, in order, then
# run vmm's usual checks (/init, init.sh).
export PATH=/bin
n=0
while read -r ko; do
	if insmod "/lib/modules/$ko"; then
		n=$((n + 1))
	else
		# The SIMD variants (crc32c-intel, crct10dif-pclmul) refuse CPUs
		# without their instructions; the generic ones that follow serve.
		echo "stock-init: insmod $ko failed"
	fi
done </lib/modules/order
echo "stock-init: loaded $n modules"
exec /init
