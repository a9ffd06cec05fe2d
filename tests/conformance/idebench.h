/* idebench.h: the conformance disk's IDE benchmark mode: the scratch-disk layout, the data the host and the
 * guest put there, and the report lines. Shared by the test OS (idebench.c) and the host tool
 * (idebench_tool.c); bench/ide.sh drives it.
 *
 * A config sector with any bench_kib[] set (conftool image ... idebench PR PW DR DW, KiB per area) makes the
 * OS run only the checks that find the hardware (pci, tsc, acpi, ide-reset, ide-identify), then the timed
 * transfers, then power off. The scratch disk then holds four areas, in this order, each its own size:
 *   pio-read   host pattern   READ SECTORS, then READ MULTIPLE, read it
 *   pio-write  zeros          WRITE SECTORS, then WRITE MULTIPLE, write it
 *   dma-read   host pattern   READ DMA reads it
 *   dma-write  zeros          WRITE DMA writes it
 * Every command moves IDEBENCH_CMD_SECTORS sectors (sector count 0 in LBA28). The guest writes the same
 * buffer each time: the sector at offset o in a write area holds the guest pattern of sector o mod
 * IDEBENCH_CMD_SECTORS, which the host checks afterwards (idebench-verify). */
#ifndef CONF_IDEBENCH_H
#define CONF_IDEBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"

#define IDEBENCH_CMD_SECTORS 256 /* LBA28 sector count 0 (ATA8-ACS 7.x: "a value of 00h means 256") */
#define IDEBENCH_CMD_KIB     (IDEBENCH_CMD_SECTORS * CONF_SECTOR / 1024)
#define IDEBENCH_MAX_KIB     (512u * 1024) /* per area: keeps the whole disk below LBA28's 2^28 sectors */
#define IDEBENCH_AREAS       CONF_BENCH_AREAS
#define IDEBENCH_MULTIPLE    16  /* SET MULTIPLE MODE: QEMU's and vmm's largest (IDENTIFY word 47) */
#define IDEBENCH_EXIT_FAILED 0x60 /* exit-port code when a timed transfer fails (after the checks' codes) */
#define IDEBENCH_LINE_PREFIX "idebench: "

/* Index into conf_config.bench_kib[] and the layout. */
enum idebench_area { IDEBENCH_PIO_READ, IDEBENCH_PIO_WRITE, IDEBENCH_DMA_READ, IDEBENCH_DMA_WRITE };

struct idebench_layout {
	uint64_t lba[IDEBENCH_AREAS];
	uint32_t sectors[IDEBENCH_AREAS];
	uint64_t total; /* the scratch disk's size in sectors */
};

/* Sizes are whole commands (multiples of IDEBENCH_CMD_KIB), each at most IDEBENCH_MAX_KIB, not all 0. */
static inline bool idebench_sizes_ok(const uint32_t kib[IDEBENCH_AREAS])
{
	uint32_t any = 0;
	for (int a = 0; a < IDEBENCH_AREAS; a++) {
		if (kib[a] % IDEBENCH_CMD_KIB || kib[a] > IDEBENCH_MAX_KIB)
			return false;
		any |= kib[a];
	}
	return any != 0;
}

static inline void idebench_layout(const uint32_t kib[IDEBENCH_AREAS], struct idebench_layout *l)
{
	uint64_t at = 0;
	for (int a = 0; a < IDEBENCH_AREAS; a++) {
		l->lba[a] = at;
		l->sectors[a] = kib[a] * (1024 / CONF_SECTOR);
		at += l->sectors[a];
	}
	l->total = at;
}

static inline bool idebench_area_is_read(int a)
{
	return a == IDEBENCH_PIO_READ || a == IDEBENCH_DMA_READ;
}

/* Word j of the sector at lba: what the host wrote (read areas), what the guest must have written (write
 * areas, whose first sector is first). */
static inline uint64_t idebench_word(int area, uint64_t first, uint64_t lba, unsigned j)
{
	if (idebench_area_is_read(area))
		return conf_pattern_word(lba, j, CONF_TAG_HOST);
	return conf_pattern_word((lba - first) % IDEBENCH_CMD_SECTORS, j, CONF_TAG_GUEST);
}

/* Host side (idebench_tool.c, linked into conftool): `conftool idebench-scratch FILE PR PW DR DW` makes
 * the scratch disk, `conftool idebench-verify FILE PR PW DR DW` checks it after a run; 0 on success.
 * idebench_parse_sizes reads four KiB sizes (argv[0..3]). */
bool idebench_parse_sizes(char **argv, uint32_t kib[IDEBENCH_AREAS]);
int idebench_cmd_scratch(int argc, char **argv);
int idebench_cmd_verify(int argc, char **argv);
/* conftool selftest: the verifier catches what it is for; adds to *fails. */
int idebench_selftest(const char *dir, int *fails);

#endif
