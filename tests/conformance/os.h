/* os.h: the conformance test OS's internal API: check reporting, PCI, interrupts, time, ATA, ACPI. */
#ifndef CONF_OS_H
#define CONF_OS_H

#include "lib/guest.h"
#include "lib/pci.h"
#include "plan.h"

/* ---- Platform constants (each named once) ---- */
/* PCI IDs (i440FX/PIIX3/PIIX4 datasheets; virtio 1.2 §4.1.2). */
#define PCI_VID_INTEL      0x8086
#define PCI_DID_I440FX     0x1237
#define PCI_DID_PIIX3_ISA  0x7000
#define PCI_DID_PIIX3_IDE  0x7010
#define PCI_DID_PIIX4_PM   0x7113
#define PCI_VID_VIRTIO     0x1AF4
#define PCI_DID_VIRTIO_BLK 0x1042 /* modern virtio-blk: 0x1040 + device ID 2 */

/* Config-space registers we read beyond lib/pci.h's (PCI 3.0 §6.1, PIIX datasheets). */
#define PCI_REG_CLASS      0x08 /* revision, prog-if, subclass, class */
#define PCI_REG_BAR4       0x20
#define PIIX_IDE_TIM_PRI   0x40 /* IDE timing, bit 15: decode enable (PIIX datasheet 2.7.2) */
#define PIIX_IDE_TIM_SEC   0x42
#define PIIX4_PM_PMBASE    0x40 /* PIIX4 datasheet 3.2: PM I/O base, bits 15:6 */
#define PIIX4_PM_PMREGMISC 0x80 /* bit 0: PM I/O space enabled */

/* Legacy PIC (8259A) and PIT (8254) ports. */
#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define IRQ_VECTOR_BASE 0x20 /* we remap the PICs to vectors 0x20-0x2F */
#define PIT_CH0   0x40
#define PIT_CH2   0x42
#define PIT_MODE  0x43
#define PIT_HZ    1193182
#define PORT_SYS_CTRL_B 0x61 /* bit 0: PIT ch2 gate, bit 1: speaker, bit 5: ch2 output */

/* CMOS RTC (MC146818A). */
#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

/* Memory the OS uses at fixed physical addresses: above the OS image and its
 * stacks (1 MiB + ~1 MiB), in RAM that every configuration here has (the
 * disk needs a VM of at least 64 MiB). */
#define CONF_PRD_PA  0x3F0000 /* PRD table: dword aligned, within one 64 KiB page */
#define CONF_BUF_PA  0x400000 /* 64 KiB aligned data buffers */
/* Device-visible memory for the shared virtio driver (lib/pmem.h), which
 * normally finds it in the boot loader's e820 map; a firmware-booted OS has
 * no such map here, so pmem_fixed.c hands out this fixed range instead. */
#define CONF_PMEM_BASE 0x1000000
#define CONF_PMEM_END  0x4000000

/* ---- Checks (main.c) ---- */
struct os_state {
	int mode;             /* CONF_MODE_FULL or CONF_MODE_PARA */
	const struct conf_config *config; /* NULL when the config sector is missing */
	/* PCI functions found (check_pci); has_* says which. */
	struct pci_fn host, isa, ide, pm;
	bool has_host, has_isa, has_ide, has_pm, has_virtio_blk;
	uint64_t tsc_khz;     /* 0 until calibrated */
	uint16_t pmbase;      /* PIIX4 PM I/O base, 0 if none */
	/* ACPI (acpi.c) */
	uint16_t pm1a_cnt, pm_tmr;
	uint32_t smi_cmd;
	uint8_t acpi_enable, slp_typ_s5;
	/* CMOS second measured against other clocks (cmos.c), for the pmtimer check */
	uint64_t second_tsc;
	uint32_t second_pm;
	/* IDE scratch drive (ide_checks.c) */
	struct ata_dev *ata;
	uint64_t scratch_sectors;
};

/* Report a failure of the running check ("conformance: NAME FAILED: ...");
 * returns false so a check can `return check_fail(...)`. */
bool check_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An informational line for the running check ("conformance: NAME: ..."). */
void check_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool check_cpuid(struct os_state *s);
bool check_pci(struct os_state *s);
bool check_pam(struct os_state *s); /* pam_check.c */
bool check_tsc(struct os_state *s);
bool check_pit(struct os_state *s);
bool check_cmos(struct os_state *s);
bool check_rtc_irq(struct os_state *s); /* rtc_irq.c */
bool check_acpi(struct os_state *s);
bool check_pmtimer(struct os_state *s);
bool check_ide_reset(struct os_state *s);
bool check_ide_identify(struct os_state *s);
bool check_ide_pio(struct os_state *s);
bool check_ide_pio_ext(struct os_state *s);
bool check_ide_multiple(struct os_state *s);
bool check_ide_errors(struct os_state *s);
bool check_ide_dma(struct os_state *s);
bool check_ide_dma_ext(struct os_state *s);
bool check_ide_dma_big(struct os_state *s);
bool check_ide_flush(struct os_state *s);
bool check_virtio_blk(struct os_state *s);
/* Returns only if the machine did not power off. */
bool check_poweroff(struct os_state *s);

/* ---- Legacy interrupts through the 8259A PICs (pic.c, pic.S) ---- */
/* Install an IDT with the exception stubs and 16 IRQ vectors at
 * IRQ_VECTOR_BASE, and remap both PICs there with every line masked. */
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
uint32_t pic_count(unsigned irq);
/* With interrupts enabled, spin until pic_count(irq) != since or timeout_us
 * passes. True if it changed. */
bool pic_wait_change(unsigned irq, uint32_t since, uint64_t timeout_us);

/* ---- Time (timer.c) ---- */
/* Microseconds -> TSC ticks (needs s->tsc_khz; a fallback rate before). */
uint64_t tsc_from_us(uint64_t us);
void tsc_set_khz(uint64_t khz);
void udelay(uint64_t us);

/* ---- ATA (ata.c) ---- */
struct ata_dev {
	uint16_t cb, ctl, bm; /* command block, control block, bus-master base (0: none) */
	uint8_t dev;          /* 0 master, 1 slave */
	uint8_t irq;          /* 14 primary, 15 secondary */
	const char *where;    /* "primary slave", ... */
};
struct ata_err {
	char what[96];
	uint8_t status, error;
};
#define ATA_SR_BSY  0x80
#define ATA_SR_DRDY 0x40
#define ATA_SR_DF   0x20
#define ATA_SR_DRQ  0x08
#define ATA_SR_ERR  0x01
#define ATA_ER_ABRT 0x04
#define ATA_ER_IDNF 0x10
#define ATA_CTL_NIEN 0x02
#define ATA_CTL_SRST 0x04

/* Command block register offsets (ATA8-ACS / ATA/ATAPI-6 §7). */
#define REG_DATA    0
#define REG_ERROR   1 /* read; write: FEATURES */
#define REG_COUNT   2
#define REG_LBA0    3
#define REG_LBA1    4
#define REG_LBA2    5
#define REG_DEVICE  6
#define REG_STATUS  7 /* read; write: COMMAND */
#define DEV_LBA     0x40
#define DEV_OBS     0xA0 /* bits 7 and 5: obsolete, set by convention */

/* ATA command opcodes (ATA8-ACS §7). */
#define ATA_READ_SECTORS       0x20
#define ATA_READ_SECTORS_EXT   0x24
#define ATA_READ_DMA_EXT       0x25
#define ATA_WRITE_SECTORS      0x30
#define ATA_WRITE_SECTORS_EXT  0x34
#define ATA_WRITE_DMA_EXT      0x35
#define ATA_IDENTIFY_PACKET    0xA1
#define ATA_READ_MULTIPLE      0xC4
#define ATA_WRITE_MULTIPLE     0xC5
#define ATA_SET_MULTIPLE       0xC6
#define ATA_READ_DMA           0xC8
#define ATA_WRITE_DMA          0xCA
#define ATA_FLUSH_CACHE        0xE7
#define ATA_IDENTIFY           0xEC
#define ATA_FLUSH_CACHE_EXT    0xEA
#define ATA_SET_FEATURES       0xEF
#define SETF_XFER_MODE         0x03
#define XFER_MWDMA2            0x22 /* SET FEATURES 03h count: 00100b mode 2 (ATA8-ACS 7.48.11) */

void ata_select(const struct ata_dev *d);
uint8_t ata_status(const struct ata_dev *d);     /* command-block status: clears INTRQ */
uint8_t ata_altstatus(const struct ata_dev *d);
/* Task-file registers for an LBA28 or LBA48 command (device, features, count, LBA), not the command. */
void ata_setup(const struct ata_dev *d, uint64_t lba, uint32_t count, bool ext, uint8_t features);
/* Wait for BSY clear; false on timeout. */
bool ata_wait_idle(const struct ata_dev *d, uint64_t timeout_us, uint8_t *status);
/* PIO data-in/out: count sectors (0 means 256, or 65536 with ext), DRQ blocks
 * of block sectors (1 for READ/WRITE SECTORS, the multiple count for
 * READ/WRITE MULTIPLE). */
bool ata_pio_in(const struct ata_dev *d, uint8_t cmd, uint64_t lba, uint32_t count, bool ext,
		unsigned block, void *buf, struct ata_err *e);
bool ata_pio_out(const struct ata_dev *d, uint8_t cmd, uint64_t lba, uint32_t count, bool ext,
		 unsigned block, const void *buf, struct ata_err *e);
/* Non-data command (FLUSH, SET FEATURES, SET MULTIPLE); features/count as given. */
bool ata_nodata(const struct ata_dev *d, uint8_t cmd, uint8_t features, uint8_t count, struct ata_err *e);
/* IDENTIFY (0xEC) or IDENTIFY PACKET (0xA1) into 256 words. */
bool ata_identify(const struct ata_dev *d, uint8_t cmd, uint16_t *words, struct ata_err *e);
/* A physical region descriptor (PIIX datasheet, bus-master IDE: PRD format). */
struct prd {
	uint32_t addr;
	uint16_t bytes; /* 0 means 64 KiB */
	uint16_t flags; /* bit 15: end of table */
} __attribute__((packed));
#define PRD_EOT 0x8000

/* Bus-master DMA: the PRD table at prd_pa is already built; to_memory for reads.
 * Waits for the channel's IRQ and checks the bus-master and ATA status. */
bool ata_dma(const struct ata_dev *d, uint8_t cmd, uint64_t lba, uint32_t count, bool ext, uint32_t prd_pa,
	     bool to_memory, struct ata_err *e);

/* ---- ACPI (acpi.c) ---- */
/* Finds RSDP -> RSDT -> FADT (-> DSDT _S5); fills s->pm1a_cnt etc. */
bool acpi_find_tables(struct os_state *s);
uint32_t pmtimer_read(const struct os_state *s);
#define PM_TIMER_HZ 3579545 /* ACPI 6.4 §4.8.3.3 */

/* ---- IDE benchmark mode (idebench.c, idebench.h) ---- */
/* The config sector asks for it. */
bool idebench_active(const struct os_state *s);
/* Whether the benchmark needs check (enum conf_check_id) to run first; the others are skipped. */
bool idebench_needs(int check);
/* The timed transfers, one report line each; false after a failure (reported). */
bool idebench_run(struct os_state *s);

/* ---- Pattern buffers (pattern.c) ---- */
void pattern_fill(void *buf, uint64_t lba, uint32_t count, uint64_t tag);
/* Index of the first sector that differs, or -1 when all match. */
long pattern_check(const void *buf, uint64_t lba, uint32_t count, uint64_t tag);

#endif
