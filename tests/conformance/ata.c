/* ata.c: a small polled ATA driver for one IDE device: PIO data-in/out, non-data commands, bus-master DMA. */
#include "os.h"

/* PIIX bus-master registers (PIIX datasheet 2.7.x; SFF-8038i): per channel. */
#define BM_CMD      0
#define BM_STATUS   2
#define BM_PRD      4
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEM 0x08 /* bus master writes memory (device -> memory: reads) */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR  0x02
#define BM_ST_INTR   0x04

#define TIMEOUT_US 2000000

uint8_t ata_status(const struct ata_dev *d) { return inb(d->cb + REG_STATUS); }
uint8_t ata_altstatus(const struct ata_dev *d) { return inb(d->ctl); }

/* The 400 ns a device may take to show a new status (ATA8-ACS: read the
 * alternate status once and ignore it, here four reads as drivers do). */
static void ata_pause(const struct ata_dev *d)
{
	for (int i = 0; i < 4; i++)
		ata_altstatus(d);
}

void ata_select(const struct ata_dev *d)
{
	outb(d->cb + REG_DEVICE, DEV_OBS | DEV_LBA | d->dev << 4);
	ata_pause(d);
}

bool ata_wait_idle(const struct ata_dev *d, uint64_t timeout_us, uint8_t *status)
{
	uint64_t end = rdtsc() + tsc_from_us(timeout_us);
	uint8_t st;
	while ((st = ata_altstatus(d)) & ATA_SR_BSY) {
		if (rdtsc() > end) {
			*status = st;
			return false;
		}
	}
	*status = st;
	return true;
}

static bool ata_errf(struct ata_err *e, const struct ata_dev *d, uint8_t st, const char *what)
{
	size_t n = strlen(what);
	if (n >= sizeof(e->what))
		n = sizeof(e->what) - 1;
	memcpy(e->what, what, n);
	e->what[n] = 0;
	e->status = st;
	e->error = inb(d->cb + REG_ERROR);
	return false;
}

/* Registers for an LBA28 or LBA48 command; the first write of each
 * LBA48 pair is the "previous" (high) byte (ATA8-ACS 4.x, 48-bit Address feature set). */
void ata_setup(const struct ata_dev *d, uint64_t lba, uint32_t count, bool ext, uint8_t features)
{
	if (ext) {
		outb(d->cb + REG_DEVICE, DEV_OBS | DEV_LBA | d->dev << 4);
		outb(d->cb + REG_ERROR, 0);
		outb(d->cb + REG_COUNT, (uint8_t)(count >> 8));
		outb(d->cb + REG_LBA0, (uint8_t)(lba >> 24));
		outb(d->cb + REG_LBA1, (uint8_t)(lba >> 32));
		outb(d->cb + REG_LBA2, (uint8_t)(lba >> 40));
	} else {
		outb(d->cb + REG_DEVICE, DEV_OBS | DEV_LBA | d->dev << 4 | ((lba >> 24) & 0xF));
	}
	outb(d->cb + REG_ERROR, features);
	outb(d->cb + REG_COUNT, (uint8_t)count);
	outb(d->cb + REG_LBA0, (uint8_t)lba);
	outb(d->cb + REG_LBA1, (uint8_t)(lba >> 8));
	outb(d->cb + REG_LBA2, (uint8_t)(lba >> 16));
}

static uint32_t ata_sectors(uint32_t count, bool ext)
{
	return count ? count : ext ? 65536 : 256;
}

/* After the last data block: BSY, DRQ, ERR and DF clear, DRDY set. */
static bool ata_finish(const struct ata_dev *d, struct ata_err *e, const char *what)
{
	uint8_t st;
	if (!ata_wait_idle(d, TIMEOUT_US, &st))
		return ata_errf(e, d, st, "BSY stuck at the end");
	st = ata_status(d); /* the real status register: also clears INTRQ */
	if ((st & (ATA_SR_DRQ | ATA_SR_ERR | ATA_SR_DF)) || !(st & ATA_SR_DRDY))
		return ata_errf(e, d, st, what);
	return true;
}

bool ata_pio_in(const struct ata_dev *d, uint8_t cmd, uint64_t lba, uint32_t count, bool ext, unsigned block,
		void *buf, struct ata_err *e)
{
	uint32_t left = ata_sectors(count, ext);
	uint16_t *p = buf;
	ata_setup(d, lba, count, ext, 0);
	outb(d->cb + REG_STATUS, cmd);
	ata_pause(d);
	while (left) {
		uint8_t st;
		unsigned n = left < block ? left : block;
		if (!ata_wait_idle(d, TIMEOUT_US, &st))
			return ata_errf(e, d, st, "BSY stuck before a data block");
		if (st & ATA_SR_ERR)
			return ata_errf(e, d, st, "ERR before a data block");
		if (!(st & ATA_SR_DRQ))
			return ata_errf(e, d, st, "no DRQ for a data block");
		size_t words = (size_t)n * 256;
		__asm__ volatile("rep insw" : "+D"(p), "+c"(words) : "d"((uint16_t)(d->cb + REG_DATA)) : "memory");
		left -= n;
		ata_pause(d);
	}
	return ata_finish(d, e, "bad status after the last block");
}

bool ata_pio_out(const struct ata_dev *d, uint8_t cmd, uint64_t lba, uint32_t count, bool ext, unsigned block,
		 const void *buf, struct ata_err *e)
{
	uint32_t left = ata_sectors(count, ext);
	const uint16_t *p = buf;
	ata_setup(d, lba, count, ext, 0);
	outb(d->cb + REG_STATUS, cmd);
	ata_pause(d);
	while (left) {
		uint8_t st;
		unsigned n = left < block ? left : block;
		if (!ata_wait_idle(d, TIMEOUT_US, &st))
			return ata_errf(e, d, st, "BSY stuck before a data block");
		if (st & ATA_SR_ERR)
			return ata_errf(e, d, st, "ERR before a data block");
		if (!(st & ATA_SR_DRQ))
			return ata_errf(e, d, st, "no DRQ for a data block");
		size_t words = (size_t)n * 256;
		__asm__ volatile("rep outsw" : "+S"(p), "+c"(words) : "d"((uint16_t)(d->cb + REG_DATA)) : "memory");
		left -= n;
		ata_pause(d);
	}
	return ata_finish(d, e, "bad status after the last block");
}

bool ata_nodata(const struct ata_dev *d, uint8_t cmd, uint8_t features, uint8_t count, struct ata_err *e)
{
	ata_setup(d, 0, count, false, features);
	outb(d->cb + REG_STATUS, cmd);
	ata_pause(d);
	return ata_finish(d, e, "bad status after a non-data command");
}

bool ata_identify(const struct ata_dev *d, uint8_t cmd, uint16_t *words, struct ata_err *e)
{
	ata_select(d);
	outb(d->cb + REG_STATUS, cmd);
	ata_pause(d);
	uint8_t st;
	if (!ata_wait_idle(d, TIMEOUT_US, &st))
		return ata_errf(e, d, st, "BSY stuck");
	if ((st & ATA_SR_ERR) || !(st & ATA_SR_DRQ))
		return ata_errf(e, d, st, "no data");
	size_t n = 256;
	uint16_t *p = words;
	__asm__ volatile("rep insw" : "+D"(p), "+c"(n) : "d"((uint16_t)(d->cb + REG_DATA)) : "memory");
	ata_pause(d);
	return ata_finish(d, e, "bad status after the data");
}

/* SFF-8038i / PIIX: program the PRD pointer, clear the interrupt and error
 * bits, set the direction, issue the ATA command, then start the engine;
 * completion is the channel's IRQ with the bus-master INTR bit set and
 * ACTIVE clear. The device interrupts only with nIEN clear. */
bool ata_dma(const struct ata_dev *d, uint8_t cmd, uint64_t lba, uint32_t count, bool ext, uint32_t prd_pa,
	     bool to_memory, struct ata_err *e)
{
	uint8_t dir = to_memory ? BM_CMD_TO_MEM : 0;
	outb(d->bm + BM_CMD, dir);
	outl(d->bm + BM_PRD, prd_pa);
	outb(d->bm + BM_STATUS, inb(d->bm + BM_STATUS) | BM_ST_INTR | BM_ST_ERROR);
	outb(d->ctl, 0); /* nIEN clear: interrupts on */
	ata_setup(d, lba, count, ext, 0);
	uint32_t irqs = pic_count(d->irq);
	pic_unmask(d->irq);
	outb(d->cb + REG_STATUS, cmd);
	outb(d->bm + BM_CMD, dir | BM_CMD_START);
	bool got_irq = pic_wait_change(d->irq, irqs, TIMEOUT_US);
	pic_mask(d->irq);
	uint8_t bst = inb(d->bm + BM_STATUS);
	outb(d->bm + BM_CMD, dir); /* stop the engine */
	outb(d->ctl, ATA_CTL_NIEN);
	bool ok;
	if (!got_irq)
		ok = ata_errf(e, d, ata_altstatus(d), "no IRQ within 2 s");
	else
		ok = ata_finish(d, e, "bad ATA status after DMA");
	outb(d->bm + BM_STATUS, bst | BM_ST_INTR | BM_ST_ERROR);
	if (ok && (bst & (BM_ST_ERROR | BM_ST_ACTIVE | BM_ST_INTR)) != BM_ST_INTR) {
		ok = ata_errf(e, d, ata_altstatus(d), "bus-master status not INTR-only");
		e->error = bst; /* report the bus-master status in place of the error register */
	}
	return ok;
}
