/* ide_checks.c: the IDE checks on the scratch disk: reset signature, IDENTIFY, PIO, multiple, errors, DMA, flush.
 *
 * The scratch disk is the primary slave (QEMU -drive if=ide,index=1; vmm's
 * second disk); when that position is empty the secondary master is tried.
 * PIO runs with nIEN set and polls; DMA runs with interrupts on and waits
 * for IRQ 14/15 through the PIC. */
#include "os.h"

#define MULTIPLE_COUNT 4

/* Legacy channel resources (PIIX in compatibility mode). */
#define PRI_CMD 0x1F0
#define PRI_CTL 0x3F6
#define SEC_CMD 0x170
#define SEC_CTL 0x376
#define BM_SECONDARY 8

static struct ata_dev candidates[2] = {
	{ PRI_CMD, PRI_CTL, 0, 1, 14, "primary slave" },
	{ SEC_CMD, SEC_CTL, 0, 0, 15, "secondary master" },
};

static void *buf(uint32_t off)
{
	return phys(CONF_BUF_PA + off);
}

static bool report(const char *cmd, uint64_t lba, const struct ata_err *e)
{
	return check_fail("%s at LBA 0x%lx: %s (status 0x%02x, error 0x%02x)", cmd, lba, e->what, e->status, e->error);
}

static bool need_drive(const struct os_state *s)
{
	return s->ata ? true : check_fail("no scratch drive (see ide-reset/ide-identify)");
}

static bool verify(const void *p, const struct conf_region *r, uint32_t first, uint32_t n, uint64_t tag,
		   const char *how)
{
	long bad = pattern_check(p, r->lba + first, n, tag);
	if (bad < 0)
		return true;
	const uint64_t *w = p;
	return check_fail("%s: %s sector LBA 0x%lx differs: word 0 0x%lx, expected 0x%lx", r->name, how,
			  r->lba + first + (uint64_t)bad, w[bad * CONF_SECTOR_WORDS],
			  conf_pattern_word(r->lba + first + (uint64_t)bad, 0, tag));
}

/* ---- ide-reset: software reset and the ATA signature ---- */
static bool present(const struct ata_dev *d)
{
	ata_select(d);
	uint8_t st = ata_altstatus(d);
	/* No device: QEMU reads 0, a floating bus 0xFF (or 0x7F). */
	return st != 0 && st != 0xFF && st != 0x7F;
}

bool check_ide_reset(struct os_state *s)
{
	if (!s->has_ide)
		return check_fail("no PIIX3 IDE function");
	uint32_t bar4 = pci_read32(&s->ide, PCI_REG_BAR4);
	uint16_t cmd = pci_read16(&s->ide, PCI_COMMAND);
	pci_write16(&s->ide, PCI_COMMAND, cmd | PCI_CMD_IO | PCI_CMD_MASTER);
	uint16_t cmd2 = pci_read16(&s->ide, PCI_COMMAND);
	uint16_t tim_pri = pci_read16(&s->ide, PIIX_IDE_TIM_PRI), tim_sec = pci_read16(&s->ide, PIIX_IDE_TIM_SEC);
	check_note("BAR4 0x%x, COMMAND 0x%x -> 0x%x, IDETIM 0x%04x/0x%04x", bar4, cmd, cmd2, tim_pri, tim_sec);
	if (!(bar4 & 1) || !(bar4 & ~3u))
		return check_fail("BAR4 0x%x is not an assigned I/O BAR", bar4);
	if ((cmd2 & (PCI_CMD_IO | PCI_CMD_MASTER)) != (PCI_CMD_IO | PCI_CMD_MASTER))
		return check_fail("COMMAND 0x%x: I/O and bus master do not stick", cmd2);
	candidates[0].bm = (uint16_t)(bar4 & 0xFFFC);
	candidates[1].bm = (uint16_t)((bar4 & 0xFFFC) + BM_SECONDARY);

	for (int i = 0; i < 2; i++) {
		struct ata_dev *d = &candidates[i];
		uint16_t tim = i == 0 ? tim_pri : tim_sec;
		if (!(tim & 0x8000))
			continue; /* channel decode disabled */
		if (!present(d))
			continue;
		/* SRST (device control bit 2) resets both devices on the
		 * channel; afterwards each shows the ATA signature: count 1,
		 * LBA 1/0/0 (ATA8-ACS 9.12, "device signatures"). */
		outb(d->ctl, ATA_CTL_SRST | ATA_CTL_NIEN);
		udelay(10);
		outb(d->ctl, ATA_CTL_NIEN);
		udelay(2000);
		uint8_t st;
		struct ata_dev master = *d;
		master.dev = 0;
		ata_select(&master);
		if (!ata_wait_idle(&master, 3000000, &st))
			return check_fail("%s channel: BSY stuck after SRST (status 0x%02x)", d->where, st);
		ata_select(d);
		if (!ata_wait_idle(d, 3000000, &st))
			return check_fail("%s: BSY stuck after SRST (status 0x%02x)", d->where, st);
		uint8_t sig[4] = { inb(d->cb + 2), inb(d->cb + 3), inb(d->cb + 4), inb(d->cb + 5) };
		uint8_t err = inb(d->cb + 1);
		check_note("%s after SRST: status 0x%02x error 0x%02x count %u LBA %u/%u/%u", d->where, st, err, sig[0],
			   sig[1], sig[2], sig[3]);
		if (sig[0] != 1 || sig[1] != 1 || sig[2] != 0 || sig[3] != 0)
			return check_fail("%s: not the ATA signature 1, 1/0/0", d->where);
		if (err != 0x01)
			return check_fail("%s: error register 0x%02x after reset, expected 0x01 (no error)", d->where,
					  err);
		if (!(st & ATA_SR_DRDY) || (st & (ATA_SR_DRQ | ATA_SR_ERR)))
			return check_fail("%s: status 0x%02x after reset", d->where, st);
		s->ata = d;
		return true;
	}
	return check_fail("no ATA device at the primary slave or secondary master");
}

/* ---- ide-identify ---- */
static uint64_t words_u64(const uint16_t *w, int first, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 16 | w[first + i];
	return v;
}

bool check_ide_identify(struct os_state *s)
{
	if (!need_drive(s))
		return false;
	uint16_t *w = buf(0);
	struct ata_err e;
	if (!ata_identify(s->ata, ATA_IDENTIFY, w, &e))
		return report("IDENTIFY DEVICE", 0, &e);
	/* Words 27-46: model, two ASCII characters per word, first in the high byte. */
	char model[41];
	for (int i = 0; i < 20; i++) {
		model[2 * i] = (char)(w[27 + i] >> 8);
		model[2 * i + 1] = (char)w[27 + i];
	}
	model[40] = 0;
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = 0;
	uint64_t lba28 = words_u64(w, 60, 2), lba48 = words_u64(w, 100, 4);
	uint64_t want = s->config && s->config->scratch_sectors ? s->config->scratch_sectors : CONF_SCRATCH_SECTORS;
	check_note("%s: model \"%s\", words 0 0x%04x 47 0x%04x 49 0x%04x 63 0x%04x 83 0x%04x 86 0x%04x, "
		   "LBA28 %lu, LBA48 %lu sectors", s->ata->where, model, w[0], w[47], w[49], w[63], w[83], w[86],
		   lba28, lba48);
	bool ok = true;
	if (w[0] & 0x8000)
		ok = check_fail("word 0 0x%04x: not an ATA device", w[0]);
	if (!model[0])
		ok = check_fail("empty model string");
	for (int i = 0; model[i]; i++)
		if (model[i] < 0x20 || model[i] > 0x7E)
			ok = check_fail("model string has a non-printable byte 0x%02x", (uint8_t)model[i]);
	if ((w[49] & 0x0300) != 0x0300)
		ok = check_fail("word 49 0x%04x: LBA or DMA not supported", w[49]);
	/* Word 83: bit 14 set, 15 clear (valid); 10 LBA48, 12 FLUSH CACHE, 13 FLUSH CACHE EXT. */
	if ((w[83] & 0xC000) != 0x4000 || (w[83] & 0x3400) != 0x3400)
		ok = check_fail("word 83 0x%04x: LBA48/FLUSH CACHE/FLUSH CACHE EXT not all supported", w[83]);
	if ((w[47] & 0xFF) < MULTIPLE_COUNT)
		ok = check_fail("word 47 0x%04x: fewer than %d sectors per READ/WRITE MULTIPLE", w[47], MULTIPLE_COUNT);
	if (!(w[63] & 0x0004))
		ok = check_fail("word 63 0x%04x: multiword DMA mode 2 not supported", w[63]);
	if (lba48 != want)
		ok = check_fail("LBA48 capacity %lu sectors, the scratch disk has %lu", lba48, want);
	uint64_t want28 = want < 0x0FFFFFFF ? want : 0x0FFFFFFF;
	if (lba28 != want28)
		ok = check_fail("LBA28 capacity (words 60-61) %lu, expected %lu", lba28, want28);
	s->scratch_sectors = lba48;
	return ok;
}

/* ---- ide-pio, ide-pio-ext, ide-multiple: host data in, guest data out and back ---- */
static bool pio_round(struct os_state *s, enum conf_region_id rd, enum conf_region_id wr, uint8_t rcmd,
		      uint8_t wcmd, bool ext, unsigned block, const char *rname, const char *wname)
{
	const struct conf_region *r = &conf_regions[rd], *w = &conf_regions[wr];
	struct ata_err e;
	void *p = buf(0);
	if (!ata_pio_in(s->ata, rcmd, r->lba, r->count, ext, block, p, &e))
		return report(rname, r->lba, &e);
	if (!verify(p, r, 0, r->count, CONF_TAG_HOST, rname))
		return false;
	pattern_fill(p, w->lba, w->count, CONF_TAG_GUEST);
	if (!ata_pio_out(s->ata, wcmd, w->lba, w->count, ext, block, p, &e))
		return report(wname, w->lba, &e);
	memset(p, 0, (size_t)w->count * CONF_SECTOR);
	if (!ata_pio_in(s->ata, rcmd, w->lba, w->count, ext, block, p, &e))
		return report(rname, w->lba, &e);
	return verify(p, w, 0, w->count, CONF_TAG_GUEST, "read back");
}

bool check_ide_pio(struct os_state *s)
{
	return need_drive(s) && pio_round(s, CONF_R_PIO_READ, CONF_R_PIO_WRITE, ATA_READ_SECTORS, ATA_WRITE_SECTORS,
					  false, 1, "READ SECTORS", "WRITE SECTORS");
}

bool check_ide_pio_ext(struct os_state *s)
{
	return need_drive(s) && pio_round(s, CONF_R_EXT_READ, CONF_R_EXT_WRITE, ATA_READ_SECTORS_EXT,
					  ATA_WRITE_SECTORS_EXT, true, 1, "READ SECTORS EXT", "WRITE SECTORS EXT");
}

bool check_ide_multiple(struct os_state *s)
{
	if (!need_drive(s))
		return false;
	struct ata_err e;
	ata_select(s->ata);
	if (!ata_nodata(s->ata, ATA_SET_MULTIPLE, 0, MULTIPLE_COUNT, &e))
		return report("SET MULTIPLE MODE", 0, &e);
	return pio_round(s, CONF_R_MULT_READ, CONF_R_MULT_WRITE, ATA_READ_MULTIPLE, ATA_WRITE_MULTIPLE, false,
			 MULTIPLE_COUNT, "READ MULTIPLE", "WRITE MULTIPLE");
}

/* ---- ide-errors: commands a disk must refuse ---- */
static bool expect_abort(const struct os_state *s, const char *what, bool ok, const struct ata_err *e, bool idnf_ok)
{
	uint8_t st = ata_status(s->ata); /* clears INTRQ */
	if (ok)
		return check_fail("%s succeeded", what);
	if (!(e->status & ATA_SR_ERR))
		return check_fail("%s: %s (status 0x%02x), expected ERR", what, e->what, e->status);
	uint8_t want = ATA_ER_ABRT | (idnf_ok ? ATA_ER_IDNF : 0);
	if (!(e->error & want))
		return check_fail("%s: error register 0x%02x, expected ABRT%s", what, e->error, idnf_ok ? " or IDNF" : "");
	if (st & (ATA_SR_BSY | ATA_SR_DRQ))
		return check_fail("%s: status 0x%02x after the error", what, st);
	check_note("%s refused: status 0x%02x error 0x%02x", what, e->status, e->error);
	return true;
}

bool check_ide_errors(struct os_state *s)
{
	if (!need_drive(s))
		return false;
	struct ata_err e;
	bool ok = true;
	uint64_t end = s->scratch_sectors;
	/* IDENTIFY PACKET DEVICE is for ATAPI; an ATA disk aborts it (SeaBIOS relies on that). */
	ok &= expect_abort(s, "IDENTIFY PACKET DEVICE", ata_identify(s->ata, ATA_IDENTIFY_PACKET, buf(0), &e), &e, false);
	ok &= expect_abort(s, "READ SECTORS EXT past the end",
			   ata_pio_in(s->ata, ATA_READ_SECTORS_EXT, end, 1, true, 1, buf(0), &e), &e, true);
	ok &= expect_abort(s, "READ SECTORS EXT across the end",
			   ata_pio_in(s->ata, ATA_READ_SECTORS_EXT, end - 1, 2, true, 1, buf(0), &e), &e, true);
	pattern_fill(buf(0), end, 1, CONF_TAG_GUEST);
	ok &= expect_abort(s, "WRITE SECTORS EXT past the end",
			   ata_pio_out(s->ata, ATA_WRITE_SECTORS_EXT, end, 1, true, 1, buf(0), &e), &e, true);
	/* The drive still works afterwards. */
	const struct conf_region *r = &conf_regions[CONF_R_PIO_READ];
	if (!ata_pio_in(s->ata, ATA_READ_SECTORS, r->lba, 1, false, 1, buf(0), &e))
		return report("READ SECTORS after the errors", r->lba, &e);
	return verify(buf(0), r, 0, 1, CONF_TAG_HOST, "after the errors") && ok;
}

/* ---- DMA ---- */
struct piece {
	uint32_t off;   /* from CONF_BUF_PA */
	uint32_t bytes; /* a multiple of 512; 65536 for a 64 KiB entry */
};

static uint32_t prd_build(const struct piece *pc, int n)
{
	struct prd *t = phys(CONF_PRD_PA);
	for (int i = 0; i < n; i++)
		t[i] = (struct prd){ CONF_BUF_PA + pc[i].off, (uint16_t)pc[i].bytes, i == n - 1 ? PRD_EOT : 0 };
	return CONF_PRD_PA;
}

static void pieces_fill(const struct piece *pc, int n, uint64_t lba, uint64_t tag)
{
	for (int i = 0; i < n; i++) {
		pattern_fill(buf(pc[i].off), lba, pc[i].bytes / CONF_SECTOR, tag);
		lba += pc[i].bytes / CONF_SECTOR;
	}
}

static bool pieces_verify(const struct piece *pc, int n, const struct conf_region *r, uint64_t tag, const char *how)
{
	uint32_t first = 0;
	for (int i = 0; i < n; i++) {
		uint32_t cnt = pc[i].bytes / CONF_SECTOR;
		if (!verify(buf(pc[i].off), r, first, cnt, tag, how))
			return false;
		first += cnt;
	}
	return true;
}

static void pieces_clear(const struct piece *pc, int n)
{
	for (int i = 0; i < n; i++)
		memset(buf(pc[i].off), 0, pc[i].bytes);
}

/* Read the host region, write the guest region, read it back; each through
 * the PRD pieces given (scattered buffers). */
static bool dma_round(struct os_state *s, enum conf_region_id rd, enum conf_region_id wr, uint8_t rcmd, uint8_t wcmd,
		      bool ext, const struct piece *pc, int n, const char *rname, const char *wname)
{
	struct ata_err e;
	ata_select(s->ata);
	if (rd != CONF_R_COUNT) {
		const struct conf_region *r = &conf_regions[rd];
		pieces_clear(pc, n);
		if (!ata_dma(s->ata, rcmd, r->lba, r->count & 0xFF, ext, prd_build(pc, n), true, &e))
			return report(rname, r->lba, &e);
		if (!pieces_verify(pc, n, r, CONF_TAG_HOST, rname))
			return false;
	}
	const struct conf_region *w = &conf_regions[wr];
	uint32_t count = w->count & (ext ? 0xFFFF : 0xFF); /* 256 sectors are count 0 in LBA28 */
	pieces_fill(pc, n, w->lba, CONF_TAG_GUEST);
	if (!ata_dma(s->ata, wcmd, w->lba, count, ext, prd_build(pc, n), false, &e))
		return report(wname, w->lba, &e);
	pieces_clear(pc, n);
	if (!ata_dma(s->ata, rcmd, w->lba, count, ext, prd_build(pc, n), true, &e))
		return report(rname, w->lba, &e);
	return pieces_verify(pc, n, w, CONF_TAG_GUEST, "read back");
}

bool check_ide_dma(struct os_state *s)
{
	if (!need_drive(s))
		return false;
	struct ata_err e;
	/* What a driver does before DMA: pick the transfer mode. */
	ata_select(s->ata);
	if (!ata_nodata(s->ata, ATA_SET_FEATURES, SETF_XFER_MODE, XFER_MWDMA2, &e))
		return report("SET FEATURES (transfer mode MWDMA2)", 0, &e);
	/* 16 sectors in three scattered pieces, out of address order. */
	static const struct piece pc[] = { { 0x0000, 2048 }, { 0x8000, 4096 }, { 0x3000, 2048 } };
	return dma_round(s, CONF_R_DMA_READ, CONF_R_DMA_WRITE, ATA_READ_DMA, ATA_WRITE_DMA, false, pc, 3, "READ DMA",
			 "WRITE DMA");
}

bool check_ide_dma_ext(struct os_state *s)
{
	static const struct piece pc[] = { { 0x1000, 4096 } };
	return need_drive(s) && dma_round(s, CONF_R_DMAEXT_READ, CONF_R_DMAEXT_WRITE, ATA_READ_DMA_EXT,
					  ATA_WRITE_DMA_EXT, true, pc, 1, "READ DMA EXT", "WRITE DMA EXT");
}

/* 256 sectors as sector count 0, in two PRD entries whose byte count 0
 * means 64 KiB (PIIX datasheet, PRD format). */
bool check_ide_dma_big(struct os_state *s)
{
	static const struct piece pc[] = { { 0x10000, 65536 }, { 0x20000, 65536 } };
	return need_drive(s) && dma_round(s, CONF_R_COUNT, CONF_R_DMA_BIG, ATA_READ_DMA, ATA_WRITE_DMA, false, pc, 2,
					  "READ DMA", "WRITE DMA");
}

bool check_ide_flush(struct os_state *s)
{
	if (!need_drive(s))
		return false;
	struct ata_err e;
	ata_select(s->ata);
	if (!ata_nodata(s->ata, ATA_FLUSH_CACHE, 0, 0, &e))
		return report("FLUSH CACHE", 0, &e);
	if (!ata_nodata(s->ata, ATA_FLUSH_CACHE_EXT, 0, 0, &e))
		return report("FLUSH CACHE EXT", 0, &e);
	return true;
}
