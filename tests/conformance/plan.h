/* plan.h: what the test OS does to the scratch disk and what the host checks afterwards; the config
 * sector; the list of checks. Shared by the test OS (freestanding) and the host tool (conftool.c). */
#ifndef CONF_PLAN_H
#define CONF_PLAN_H

#include <stdint.h>

#include "layout.h"

/* ---- The config sector (LBA 1, loaded at CONF_CONFIG_PA) ---- */
#define CONF_MAGIC "VMMCONF1"
enum conf_expect {
	CONF_EXPECT_AUTO = 0, /* decide by the devices found: virtio-blk -> para, else full */
	CONF_EXPECT_FULL = 1,
	CONF_EXPECT_PARA = 2,
};
#define CONF_BENCH_AREAS 4
struct conf_config {
	char magic[8];
	uint8_t expect;           /* enum conf_expect */
	uint8_t reserved[3];
	uint32_t os_sectors;      /* OS image sectors after this one */
	uint64_t scratch_sectors; /* the scratch disk's size the OS expects in IDENTIFY */
	/* IDE benchmark mode (idebench.h) when any is set: KiB per area (pio-read, pio-write, dma-read, dma-write) */
	uint32_t bench_kib[CONF_BENCH_AREAS];
};

/* ---- The scratch disk ---- */
/* 2^28 + 4096 sectors (128 GiB + 2 MiB, a sparse file): large enough that
 * LBAs at and above 2^28 need the 48-bit (EXT) commands, so their high
 * address bytes are exercised. */
#define CONF_HIGH_LBA        (1ULL << 28)
#define CONF_SCRATCH_SECTORS (CONF_HIGH_LBA + 4096)

/* Who fills a region: the host before the run (the OS reads and checks it),
 * or the OS (which reads it back; the host checks the file after the run). */
enum conf_owner { CONF_BY_HOST = 1, CONF_BY_GUEST = 2 };

struct conf_region {
	const char *name;
	uint64_t lba;
	uint32_t count;
	uint8_t owner;
};

/* Regions are at least CONF_GUARD sectors apart: the host checks that the
 * CONF_GUARD sectors on each side stayed zero (no write ran long or landed
 * off by a few sectors). */
#define CONF_GUARD 8

#define CONF_REGIONS(X)                                                                          \
	X(PIO_READ,     "pio-read",     100,                  4,   CONF_BY_HOST)  /* READ SECTORS */  \
	X(EXT_READ,     "ext-read",     CONF_HIGH_LBA + 100,  3,   CONF_BY_HOST)  /* READ SECTORS EXT */ \
	X(MULT_READ,    "mult-read",    200,                  10,  CONF_BY_HOST)  /* READ MULTIPLE */ \
	X(DMA_READ,     "dma-read",     300,                  16,  CONF_BY_HOST)  /* READ DMA */      \
	X(DMAEXT_READ,  "dmaext-read",  CONF_HIGH_LBA + 300,  8,   CONF_BY_HOST)  /* READ DMA EXT */  \
	X(PIO_WRITE,    "pio-write",    1000,                 3,   CONF_BY_GUEST) /* WRITE SECTORS */ \
	X(EXT_WRITE,    "ext-write",    CONF_HIGH_LBA + 1000, 2,   CONF_BY_GUEST) /* WRITE SECTORS EXT */ \
	X(MULT_WRITE,   "mult-write",   1100,                 10,  CONF_BY_GUEST) /* WRITE MULTIPLE */ \
	X(DMA_WRITE,    "dma-write",    1200,                 16,  CONF_BY_GUEST) /* WRITE DMA */     \
	X(DMAEXT_WRITE, "dmaext-write", CONF_HIGH_LBA + 1200, 8,   CONF_BY_GUEST) /* WRITE DMA EXT */ \
	X(DMA_BIG,      "dma-big",      2048,                 256, CONF_BY_GUEST) /* WRITE DMA, count 0 */

enum conf_region_id {
#define CONF_REGION_ENUM(id, name, lba, count, owner) CONF_R_##id,
	CONF_REGIONS(CONF_REGION_ENUM)
#undef CONF_REGION_ENUM
	CONF_R_COUNT
};

static const struct conf_region conf_regions[CONF_R_COUNT] = {
#define CONF_REGION_INIT(id, name, lba, count, owner) { name, lba, count, owner },
	CONF_REGIONS(CONF_REGION_INIT)
#undef CONF_REGION_INIT
};

/* Tags mixed into the pattern so host-written and guest-written data differ. */
#define CONF_TAG_HOST  0x484f535420646174ULL /* "HOST dat" */
#define CONF_TAG_GUEST 0x4755455354646174ULL /* "GUESTdat" */

/* 64-bit word j (0..63) of the sector at lba: a splitmix64-style mix, so a
 * sector at the wrong LBA, a shifted word or a stale buffer all show. */
static inline uint64_t conf_pattern_word(uint64_t lba, unsigned j, uint64_t tag)
{
	uint64_t x = lba * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(j + 1) * 0xBF58476D1CE4E5B9ULL ^ tag;
	x ^= x >> 31;
	x *= 0x94D049BB133111EBULL;
	x ^= x >> 29;
	return x;
}

#define CONF_SECTOR_WORDS (CONF_SECTOR / 8)

/* ---- The checks, in the order the OS runs them ----
 * X(id, name, exit code, modes). A failed check makes the OS end through the
 * exit port (0xF4) with the code of the first failure instead of powering off. */
#define CONF_MODE_FULL 1
#define CONF_MODE_PARA 2
#define CONF_MODE_BOTH 3
#define CONF_CHECKS(X)                                         \
	X(CPUID,        "cpuid",        0x41, CONF_MODE_BOTH)  \
	X(PCI,          "pci",          0x42, CONF_MODE_BOTH)  \
	X(PAM,          "pam",          0x59, CONF_MODE_FULL)  \
	X(TSC,          "tsc",          0x43, CONF_MODE_BOTH)  \
	X(PIT,          "pit",          0x44, CONF_MODE_BOTH)  \
	X(ACPI,         "acpi",         0x45, CONF_MODE_FULL)  \
	X(CMOS,         "cmos",         0x46, CONF_MODE_BOTH)  \
	X(RTC_IRQ,      "rtc-irq",      0x5a, CONF_MODE_BOTH)  \
	X(PMTIMER,      "pmtimer",      0x47, CONF_MODE_FULL)  \
	X(IDE_RESET,    "ide-reset",    0x48, CONF_MODE_FULL)  \
	X(IDE_IDENTIFY, "ide-identify", 0x49, CONF_MODE_FULL)  \
	X(IDE_PIO,      "ide-pio",      0x4a, CONF_MODE_FULL)  \
	X(IDE_PIO_EXT,  "ide-pio-ext",  0x4b, CONF_MODE_FULL)  \
	X(IDE_MULTIPLE, "ide-multiple", 0x4c, CONF_MODE_FULL)  \
	X(IDE_ERRORS,   "ide-errors",   0x4d, CONF_MODE_FULL)  \
	X(IDE_DMA,      "ide-dma",      0x4e, CONF_MODE_FULL)  \
	X(IDE_DMA_EXT,  "ide-dma-ext",  0x4f, CONF_MODE_FULL)  \
	X(IDE_DMA_BIG,  "ide-dma-big",  0x50, CONF_MODE_FULL)  \
	X(IDE_FLUSH,    "ide-flush",    0x51, CONF_MODE_FULL)  \
	X(VIRTIO_BLK,   "virtio-blk",   0x53, CONF_MODE_PARA)  \
	X(POWEROFF,     "poweroff",     0x52, CONF_MODE_BOTH)

enum conf_check_id {
#define CONF_CHECK_ENUM(id, name, code, modes) CONF_C_##id,
	CONF_CHECKS(CONF_CHECK_ENUM)
#undef CONF_CHECK_ENUM
	CONF_C_COUNT
};

struct conf_check_info {
	const char *name;
	uint8_t exit_code;
	uint8_t modes;
};

static const struct conf_check_info conf_checks[CONF_C_COUNT] = {
#define CONF_CHECK_INIT(id, name, code, modes) { name, code, modes },
	CONF_CHECKS(CONF_CHECK_INIT)
#undef CONF_CHECK_INIT
};

/* Printed lines (COM1): "conformance: NAME ok", "conformance: NAME FAILED: why",
 * "conformance: NAME skipped: why", then "conformance: platform full|para" early
 * and "conformance: all N checks ok" before the poweroff. */
#define CONF_LINE_PREFIX "conformance: "

#endif
