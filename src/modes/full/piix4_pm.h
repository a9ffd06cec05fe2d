/* piix4_pm.h: the PIIX4 power-management function (82371AB function 3,
 * 8086:7113 at 00:01.3), the ACPI fixed hardware SeaBIOS builds its FADT for.
 *
 * Config space: PMBASE (0x40, I/O, 64 bytes) mapped while PMREGMISC (0x80)
 * bit 0 is set; DEVACTB byte 0x5B = 0x02 as QEMU presets it without SMM, so
 * SeaBIOS skips its SMM setup (src/fw/smm.c); the SMBus base and host
 * configuration read back as written (no SMBus controller behind them).
 *
 * I/O (ACPI 6.5 §4.8): PM1a_STS (+0, write-1-to-clear), PM1a_EN (+2),
 * PM1a_CNT (+4): SCI_EN, SLP_TYP, SLP_EN; PM_TMR (+8): 24-bit, 3.579545 MHz,
 * from the host's monotonic clock; the rest of the 64 bytes is storage. SMI_CMD
 * 0xB2: writing ACPI_ENABLE (0xF1) sets SCI_EN, ACPI_DISABLE (0xF0) clears it,
 * as QEMU's apm callback does; 0xB3 is storage. GPE0 at 0xAFE0: status
 * (write-1-to-clear) and enable, 16 GPEs, none of which ever fires.
 *
 * SLP_EN with SLP_TYP 0 (S5 in SeaBIOS's DSDT: Name(_S5, Package(){0, 0}))
 * or 2 (S4, which QEMU also treats as power off) ends the VM through
 * poweroff(); other sleep types (S3) are ignored and counted. No PM1 event is
 * generated, so the SCI (IRQ 9) is never raised: no power button, no timer
 * overflow interrupt.
 */
#ifndef VMM_MODES_FULL_PIIX4_PM_H
#define VMM_MODES_FULL_PIIX4_PM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "devices/pci.h"

#define PIIX4_PM_DEVICE_ID  0x7113
#define PIIX4_PM_CLASS      0x068000 /* bridge, other */
#define PIIX4_PM_REVISION   0x03
#define PIIX4_PMBASE        0x40
#define PIIX4_PMBASE_MASK   0xFFC0u
#define PIIX4_PMBASE_IO     0x01 /* read-only: an I/O base */
#define PIIX4_DEVACTB       0x58
#define PIIX4_DEVACTB_B3    0x5B
#define PIIX4_DEVACTB_NO_SMM 0x02 /* bit 25 of DEVACTB (QEMU piix4_pm_reset) */
#define PIIX4_PMREGMISC     0x80
#define PIIX4_PMIOSE        0x01
#define PIIX4_SMBBA         0x90
#define PIIX4_SMBHSTCFG     0xD2
#define PIIX4_PM_IO_SIZE    64

#define ACPI_PM1_STS        0x00
#define ACPI_PM1_EN         0x02
#define ACPI_PM1_CNT        0x04
#define ACPI_PM_TMR         0x08
#define ACPI_PM1_CNT_SCI_EN 0x0001
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP 0x1C00
#define ACPI_PM1_CNT_SLP_EN 0x2000 /* write-only */
#define ACPI_SLP_TYP_S5     0
#define ACPI_SLP_TYP_S4     2
#define ACPI_PM_TIMER_HZ    3579545ULL
#define ACPI_PM_TIMER_MASK  0xFFFFFFu

#define ACPI_SMI_CMD        0xB2
#define ACPI_APM_PORTS      2    /* SMI_CMD and APM status 0xB3 */
#define ACPI_ENABLE         0xF1
#define ACPI_DISABLE        0xF0
#define ACPI_GPE0_BLK       0xAFE0
#define ACPI_GPE0_LEN       4    /* 2 bytes status, 2 bytes enable */

struct piix4_pm {
	struct pci_dev pci;
	pthread_mutex_t lock; /* the registers below; taken inside the bus lock */
	struct bus *pio;
	uint16_t io_base;     /* mapped PM I/O base, 0 when unmapped */
	uint8_t regs[PIIX4_PM_IO_SIZE];
	uint8_t apm_cmd, apm_sts;
	uint16_t gpe_sts, gpe_en;
	int64_t (*now_ns)(void *ctx); /* monotonic ns; init sets CLOCK_MONOTONIC, tests may replace it */
	void *now_ctx;
	void (*poweroff)(void *ctx);
	void *ctx;
	atomic_ulong ignored_sleeps; /* SLP_EN with a sleep type we do not do */
	atomic_ulong map_failures;   /* PMBASE where it cannot be mapped */
};

/* pio: the bus the PM block is mapped on when the guest enables it. */
int piix4_pm_init(struct piix4_pm *pm, struct bus *pio, void (*poweroff)(void *ctx), void *ctx);
void piix4_pm_destroy(struct piix4_pm *pm);

/* Fixed ports, opaque = the struct piix4_pm: SMI_CMD/APM status at
 * ACPI_SMI_CMD (ACPI_APM_PORTS) and GPE0 at ACPI_GPE0_BLK (ACPI_GPE0_LEN). */
extern const struct bus_ops piix4_apm_ops;
extern const struct bus_ops piix4_gpe_ops;
/* The PM I/O block itself (mapped by the device at PMBASE). */
extern const struct bus_ops piix4_pm_io_ops;

#endif
