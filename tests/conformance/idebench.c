/* idebench.c: the IDE benchmark mode of the test OS: timed PIO and DMA transfers over the scratch disk (idebench.h).
 *
 * Timing is the TSC, calibrated against the ACPI PM timer (3.579545 MHz, ACPI 6.4 §4.8.3.3) before the
 * transfers: reading the TSC costs no exit, where every PM timer read is one, and a PIO write command (an
 * exit per word on KVM) can outlast the PM timer's 24-bit wrap (4.7 s) on a loaded host. Both clocks run on
 * while the host stops the vCPU. The PIT-based rate of the tsc check is printed beside it as a cross-check.
 *
 * The loops are what a polling driver does and no more, so the VMM's costs dominate: PIO polls the
 * alternate status for BSY clear and DRQ, then moves the DRQ block with one rep insw/outsw; DMA uses ata.c's
 * bus-master sequence (PRD pointer, direction, status clear, task file, command, start, IRQ 14/15 through
 * the PIC, stop, status). Every command moves IDEBENCH_CMD_SECTORS sectors from or to one 128 KiB buffer. */
#include "os.h"
#include "idebench.h"

#define PM_TIMER_MASK 0xFFFFFF /* 24 bits unless FADT TMR_VAL_EXT; masking works for both */
#define CAL_PM_TICKS  (PM_TIMER_HZ / 4) /* calibrate over 250 ms */
#define CAL_BRACKET_US 50               /* a PM timer read whose TSC bracket is wider is taken again */
#define CAL_TRIES     1000
#define IDEBENCH_TIMEOUT_US 2000000
#define IDEBENCH_DMA_PRDS 2 /* 2 x 64 KiB: byte count 0 means 64 KiB */
#define IDEBENCH_STATUS_READS 4000 /* alternate-status reads timed for the cost of one register access */

/* One PM timer reading paired with the TSC at its middle; false when the host kept stopping the vCPU. */
static bool pm_sample(uint16_t port, uint32_t *pm, uint64_t *tsc)
{
	for (int i = 0; i < CAL_TRIES; i++) {
		uint64_t t0 = rdtsc();
		uint32_t v = inl(port) & PM_TIMER_MASK;
		uint64_t t1 = rdtsc();
		if (t1 - t0 < tsc_from_us(CAL_BRACKET_US)) {
			*pm = v;
			*tsc = t0 + (t1 - t0) / 2;
			return true;
		}
	}
	return false;
}

/* TSC kHz from CAL_PM_TICKS of the PM timer (polled, so no wrap goes unseen), 0 on failure. */
static uint64_t tsc_khz_by_pm(uint16_t port)
{
	uint32_t pm0, pm1, last;
	uint64_t tsc0, tsc1, ticks = 0;
	if (!pm_sample(port, &pm0, &tsc0))
		return 0;
	last = pm0;
	while (ticks < CAL_PM_TICKS) {
		uint32_t v = inl(port) & PM_TIMER_MASK;
		ticks += (v - last) & PM_TIMER_MASK;
		last = v;
	}
	if (!pm_sample(port, &pm1, &tsc1))
		return 0;
	ticks += (pm1 - last) & PM_TIMER_MASK;
	return (tsc1 - tsc0) * PM_TIMER_HZ / ticks / 1000;
}

bool idebench_active(const struct os_state *s)
{
	if (!s->config)
		return false;
	for (int a = 0; a < IDEBENCH_AREAS; a++)
		if (s->config->bench_kib[a])
			return true;
	return false;
}

/* The checks that find what the benchmark uses: PCI functions and PMBASE, the TSC rate (timeouts), ACPI
 * (PM timer, poweroff), the scratch drive and its size. */
bool idebench_needs(int check)
{
	switch (check) {
	case CONF_C_PCI: case CONF_C_TSC: case CONF_C_ACPI: case CONF_C_IDE_RESET: case CONF_C_IDE_IDENTIFY:
	case CONF_C_POWEROFF:
		return true;
	default:
		return false;
	}
}

static void *bench_buf(void)
{
	return phys(CONF_BUF_PA);
}

static bool bench_fail(const char *name, uint64_t lba, const char *what, uint8_t st, uint8_t err)
{
	printf(IDEBENCH_LINE_PREFIX "%s FAILED at LBA 0x%lx: %s (status 0x%02x, error 0x%02x)\n", name, lba, what,
	       st, err);
	return false;
}

/* Where a PIO figure's time goes: status reads, and the cycles spent waiting for BSY to clear (the
 * VMM's disk round trip) rather than moving data (exits on the data port). */
struct pio_wait {
	uint64_t polls, cycles;
};

/* Poll the alternate status until BSY clears; the last value in *st. */
static bool wait_not_busy(const struct ata_dev *d, uint8_t *st, struct pio_wait *w)
{
	uint64_t t0 = rdtsc(), end = t0 + tsc_from_us(IDEBENCH_TIMEOUT_US);
	bool ok = true;
	do {
		w->polls++;
		*st = ata_altstatus(d);
	} while ((*st & ATA_SR_BSY) && (ok = rdtsc() <= end));
	w->cycles += rdtsc() - t0;
	return ok;
}

/* One PIO command of IDEBENCH_CMD_SECTORS sectors in DRQ blocks of block sectors. */
static bool pio_cmd(const struct ata_dev *d, const char *name, uint8_t cmd, uint64_t lba, unsigned block, bool out,
		    struct pio_wait *w)
{
	uint16_t port = (uint16_t)(d->cb + REG_DATA);
	uint16_t *p = bench_buf();
	uint8_t st;
	ata_setup(d, lba, IDEBENCH_CMD_SECTORS & 0xFF, false, 0);
	outb(d->cb + REG_STATUS, cmd);
	ata_altstatus(d); /* the 400 ns before the status is valid (ATA8-ACS: one alternate-status read) */
	for (unsigned left = IDEBENCH_CMD_SECTORS; left;) {
		unsigned n = left < block ? left : block;
		size_t words = (size_t)n * CONF_SECTOR / 2;
		if (!wait_not_busy(d, &st, w))
			return bench_fail(name, lba, "BSY stuck before a data block", st, 0);
		if ((st & (ATA_SR_ERR | ATA_SR_DF)) || !(st & ATA_SR_DRQ))
			return bench_fail(name, lba, "no DRQ for a data block", st, inb(d->cb + REG_ERROR));
		if (out)
			__asm__ volatile("rep outsw" : "+S"(p), "+c"(words) : "d"(port) : "memory");
		else
			__asm__ volatile("rep insw" : "+D"(p), "+c"(words) : "d"(port) : "memory");
		left -= n;
	}
	if (!wait_not_busy(d, &st, w))
		return bench_fail(name, lba, "BSY stuck after the last block", st, 0);
	st = ata_status(d);
	if ((st & (ATA_SR_DRQ | ATA_SR_ERR | ATA_SR_DF)) || !(st & ATA_SR_DRDY))
		return bench_fail(name, lba, "bad status after the last block", st, inb(d->cb + REG_ERROR));
	return true;
}

static bool dma_cmd(const struct ata_dev *d, const char *name, uint8_t cmd, uint64_t lba, bool out)
{
	struct ata_err e;
	if (!ata_dma(d, cmd, lba, IDEBENCH_CMD_SECTORS & 0xFF, false, CONF_PRD_PA, !out, &e))
		return bench_fail(name, lba, e.what, e.status, e.error);
	return true;
}

struct bench_op {
	const char *name;
	int area;
	uint8_t cmd;
	unsigned block; /* PIO: sectors per DRQ block; 0: DMA */
};

static const struct bench_op bench_ops[] = {
	{ "pio-read", IDEBENCH_PIO_READ, ATA_READ_SECTORS, 1 },
	{ "pio-write", IDEBENCH_PIO_WRITE, ATA_WRITE_SECTORS, 1 },
	{ "pio-read-mult", IDEBENCH_PIO_READ, ATA_READ_MULTIPLE, IDEBENCH_MULTIPLE },
	{ "pio-write-mult", IDEBENCH_PIO_WRITE, ATA_WRITE_MULTIPLE, IDEBENCH_MULTIPLE },
	{ "dma-read", IDEBENCH_DMA_READ, ATA_READ_DMA, 0 },
	{ "dma-write", IDEBENCH_DMA_WRITE, ATA_WRITE_DMA, 0 },
};

/* After a read: the last command's sectors hold the host pattern (two words a sector: CPL0 code is slow on
 * some hosts, and a misplaced or missing transfer shows in any word). */
static bool check_last_read(const struct bench_op *op, uint64_t lba)
{
	const uint64_t *w = bench_buf();
	for (unsigned s = 0; s < IDEBENCH_CMD_SECTORS; s++) {
		const uint64_t *sec = w + (size_t)s * CONF_SECTOR_WORDS;
		unsigned last = CONF_SECTOR_WORDS - 1;
		uint64_t want0 = idebench_word(op->area, 0, lba + s, 0);
		if (sec[0] != want0 || sec[last] != idebench_word(op->area, 0, lba + s, last)) {
			printf(IDEBENCH_LINE_PREFIX "%s FAILED at LBA 0x%lx: read data is not the host's (word 0 0x%lx, "
			       "expected 0x%lx)\n", op->name, lba + s, sec[0], want0);
			return false;
		}
	}
	return true;
}

static bool bench_run_op(const struct os_state *s, const struct bench_op *op, const struct idebench_layout *l,
			 uint64_t khz)
{
	uint64_t first = l->lba[op->area];
	uint32_t commands = l->sectors[op->area] / IDEBENCH_CMD_SECTORS;
	bool out = !idebench_area_is_read(op->area);
	if (!commands)
		return true;
	if (out) /* the buffer the host expects in every command's sectors */
		pattern_fill(bench_buf(), 0, IDEBENCH_CMD_SECTORS, CONF_TAG_GUEST);
	struct pio_wait w = { 0, 0 };
	uint64_t lba = first, c0 = rdtsc();
	for (uint32_t i = 0; i < commands; i++, lba += IDEBENCH_CMD_SECTORS) {
		bool ok = op->block ? pio_cmd(s->ata, op->name, op->cmd, lba, op->block, out, &w)
				    : dma_cmd(s->ata, op->name, op->cmd, lba, out);
		if (!ok)
			return false;
	}
	uint64_t cycles = rdtsc() - c0;
	if (!out && !check_last_read(op, lba - IDEBENCH_CMD_SECTORS))
		return false;
	uint64_t bytes = (uint64_t)commands * IDEBENCH_CMD_SECTORS * CONF_SECTOR;
	/* MB/s (10^6 bytes) with two decimals: bytes / (cycles / (khz * 1000)) / 10^6 * 100. */
	uint64_t centi = cycles ? bytes * khz / 10 / cycles : 0;
	printf(IDEBENCH_LINE_PREFIX "%s bytes=%lu commands=%u us=%lu MB/s=%lu.%02lu", op->name, bytes, commands,
	       cycles * 1000 / khz, centi / 100, centi % 100);
	if (op->block)
		printf(" status_polls=%lu busy_wait_us=%lu", w.polls, w.cycles * 1000 / khz);
	printf("\n");
	return true;
}

bool idebench_run(struct os_state *s)
{
	const struct conf_config *cfg = s->config;
	struct idebench_layout l;
	struct ata_err e;
	if (!s->ata || !s->pm_tmr)
		return bench_fail("setup", 0, "no scratch drive or no PM timer", 0, 0);
	if (!idebench_sizes_ok(cfg->bench_kib))
		return bench_fail("setup", 0, "bad sizes in the config sector", 0, 0);
	idebench_layout(cfg->bench_kib, &l);
	if (s->scratch_sectors < l.total)
		return bench_fail("setup", l.total, "the scratch disk is too small", 0, 0);
	printf(IDEBENCH_LINE_PREFIX "%s, %lu sectors; KiB per area: PIO read %u, write %u, DMA read %u, write %u; "
	       "%u sectors per command; PM timer at 0x%x\n", s->ata->where, s->scratch_sectors,
	       cfg->bench_kib[IDEBENCH_PIO_READ], cfg->bench_kib[IDEBENCH_PIO_WRITE], cfg->bench_kib[IDEBENCH_DMA_READ],
	       cfg->bench_kib[IDEBENCH_DMA_WRITE], IDEBENCH_CMD_SECTORS, s->pm_tmr);
	/* Polled PIO with the device's interrupt off; ata_dma turns it on for each command. */
	outb(s->ata->ctl, ATA_CTL_NIEN);
	ata_select(s->ata);
	if (!ata_nodata(s->ata, ATA_SET_MULTIPLE, 0, IDEBENCH_MULTIPLE, &e))
		return bench_fail("SET MULTIPLE MODE", 0, e.what, e.status, e.error);
	if (!ata_nodata(s->ata, ATA_SET_FEATURES, SETF_XFER_MODE, XFER_MWDMA2, &e))
		return bench_fail("SET FEATURES (MWDMA2)", 0, e.what, e.status, e.error);
	struct prd *t = phys(CONF_PRD_PA);
	for (int i = 0; i < IDEBENCH_DMA_PRDS; i++)
		t[i] = (struct prd){ CONF_BUF_PA + (uint32_t)i * 0x10000, 0, i == IDEBENCH_DMA_PRDS - 1 ? PRD_EOT : 0 };
	uint64_t khz = tsc_khz_by_pm(s->pm_tmr);
	if (!khz)
		return bench_fail("setup", 0, "no TSC rate against the PM timer", 0, 0);
	printf(IDEBENCH_LINE_PREFIX "TSC %lu kHz by the PM timer (%lu by the PIT)\n", khz, s->tsc_khz);
	/* One register access (a PIO exit and the device's handler): what every status poll and, on KVM,
	 * every word of rep outsw costs. */
	uint64_t c0 = rdtsc();
	for (int i = 0; i < IDEBENCH_STATUS_READS; i++)
		ata_altstatus(s->ata);
	uint64_t ns = (rdtsc() - c0) * 1000000 / khz;
	printf(IDEBENCH_LINE_PREFIX "status-read reads=%d ns=%lu ns/read=%lu\n", IDEBENCH_STATUS_READS, ns,
	       ns / IDEBENCH_STATUS_READS);
	for (size_t i = 0; i < sizeof(bench_ops) / sizeof(bench_ops[0]); i++)
		if (!bench_run_op(s, &bench_ops[i], &l, khz))
			return false;
	printf(IDEBENCH_LINE_PREFIX "done\n");
	return true;
}
