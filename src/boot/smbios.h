/* smbios.h: SMBIOS structure tables for firmware boot.
 *
 * SeaBIOS takes ready-made tables from fw_cfg ("etc/smbios/smbios-tables",
 * plus the entry point "etc/smbios/smbios-anchor" for their count and sizes),
 * adds its own type 0 and fixes the entry point's address and checksums
 * (src/fw/biostables.c smbios_romfile_setup). Without them it builds legacy
 * tables itself, which costs ~0.2 s of emulated code on PVM hosts and names
 * the machine "QEMU". vmm builds: type 1 (system), 3 (chassis), 4 (one per
 * CPU), 16 (memory array), 17 (one device per 16 GiB), 19 (one per RAM
 * region), 32 (boot status) and 127 (end), in the SMBIOS 2.4 layouts of the
 * DMTF spec DSP0134 (§7.2 to §7.45).
 */
#ifndef VMM_BOOT_SMBIOS_H
#define VMM_BOOT_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#include "core/memory.h"

#define SMBIOS_EP_SIZE      31 /* the 2.1 entry point ("_SM_"), DSP0134 §5.2.1 */
#define SMBIOS_TABLES_MAX   8192
#define SMBIOS_MAX_CPUS     256
#define SMBIOS_DIMM_MIB     16384 /* memory devices of at most 16 GiB */

#define SMBIOS_MANUFACTURER "vmm"
#define SMBIOS_PRODUCT      "Standard PC (i440FX + PIIX3)"

struct smbios_info {
	unsigned cpus;
	uint32_t cpuid_signature; /* CPUID.1:EAX */
	uint32_t cpuid_features;  /* CPUID.1:EDX */
	char cpu_vendor[13];      /* CPUID.0 vendor string */
	const struct guest_mem *mem;
};

/* Write the structure table into tables (cap bytes) and the matching entry
 * point into ep. Returns the table's length, or 0 when cap is too small. */
size_t smbios_build(const struct smbios_info *info, uint8_t *tables, size_t cap,
		    uint8_t ep[SMBIOS_EP_SIZE]);

#endif
