/* ide_ata.c: the ATA command set of an IDE disk: IDENTIFY, the PIO data-in
 * and data-out engines, and the non-data commands (see ide.h). Channel lock
 * held throughout. */
#include <stdio.h>
#include <string.h>

#include "modes/full/ide.h"

/* ATA strings: two characters per word, the first in the high byte, padded
 * with spaces (ATA8-ACS 3.2.9). */
static void ide_put_string(uint16_t *w, const char *s, unsigned words)
{
	size_t len = strlen(s);
	for (unsigned i = 0; i < words * 2; i++) {
		uint8_t c = i < len ? (uint8_t)s[i] : ' ';
		if (i % 2 == 0)
			w[i / 2] = (uint16_t)(c << 8);
		else
			w[i / 2] |= c;
	}
}

/* IDENTIFY DEVICE data (ATA8-ACS 7.16 table 22), with the values QEMU's
 * ide_identify gives a disk (firmware-and-platform.md §3). */
void ide_identify(const struct ide_drive *d, uint16_t w[256])
{
	char serial[21];
	uint64_t lba28 = d->sectors < IDE_LBA28_MAX ? d->sectors : IDE_LBA28_MAX;
	uint32_t chs = (uint32_t)d->cyls * IDE_HEADS * IDE_SPT;
	memset(w, 0, 256 * sizeof(w[0]));
	w[0] = 0x0040; /* fixed device, not removable */
	w[1] = d->cyls;
	w[3] = IDE_HEADS;
	w[6] = IDE_SPT;
	snprintf(serial, sizeof(serial), "VD%010u", d->index + 1);
	ide_put_string(&w[10], serial, 10);
	ide_put_string(&w[23], "1.0", 4);
	ide_put_string(&w[27], "ATA HARDDISK", 20);
	w[47] = 0x8000 | IDE_MAX_MULT;
	w[49] = (1 << 11) | (1 << 9) | (1 << 8); /* IORDY, LBA, DMA */
	w[50] = 0x4000;
	w[51] = w[52] = 0x200; /* PIO/DMA timing mode 2 (obsolete words) */
	w[53] = 0x7;           /* words 54-58, 64-70 and 88 are valid */
	w[54] = d->cyls;
	w[55] = IDE_HEADS;
	w[56] = IDE_SPT;
	w[57] = (uint16_t)chs;
	w[58] = (uint16_t)(chs >> 16);
	w[59] = d->mult ? 0x100 | d->mult : 0;
	w[60] = (uint16_t)lba28;
	w[61] = (uint16_t)(lba28 >> 16);
	w[63] = 0x07 | (d->mwdma >= 0 ? 1 << (8 + d->mwdma) : 0); /* MWDMA 0-2 */
	w[64] = 0x03;          /* PIO 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0xF0;          /* ATA/ATAPI-4 to -7 */
	w[82] = 1 << 5;        /* write cache */
	w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10); /* FLUSH EXT, FLUSH, LBA48 */
	w[84] = 1 << 14;
	w[85] = d->wcache ? 1 << 5 : 0;
	w[86] = (1 << 13) | (1 << 12) | (1 << 10);
	w[87] = 1 << 14;
	w[93] = 0x6001;        /* hardware reset result: device 0 passed */
	for (unsigned i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(d->sectors >> (16 * i));
}

static bool ide_is_lba48(uint8_t cmd)
{
	switch (cmd) {
	case ATA_CMD_READ_EXT: case ATA_CMD_WRITE_EXT: case ATA_CMD_READ_MULTIPLE_EXT:
	case ATA_CMD_WRITE_MULTIPLE_EXT: case ATA_CMD_READ_DMA_EXT: case ATA_CMD_WRITE_DMA_EXT:
	case ATA_CMD_VERIFY_EXT:
		return true;
	default:
		return false;
	}
}

/* The command's first sector and count from the task file; false when the
 * address is malformed (CHS outside the geometry) or the range does not fit. */
static bool ide_decode(const struct ide_channel *ch, bool lba48, uint64_t *lba, uint32_t *count)
{
	const struct ide_drive *d = &ch->drives[ch->unit];
	uint64_t a;
	uint32_t n;
	if (lba48) {
		a = (uint64_t)ch->hob_lbah << 40 | (uint64_t)ch->hob_lbam << 32 |
		    (uint64_t)ch->hob_lbal << 24 | (uint64_t)ch->lbah << 16 |
		    (uint64_t)ch->lbam << 8 | ch->lbal;
		n = (uint32_t)ch->hob_nsect << 8 | ch->nsect;
		if (n == 0)
			n = 65536;
	} else {
		if (ch->device & ATA_DEV_LBA) {
			a = (uint64_t)(ch->device & 0x0F) << 24 | (uint64_t)ch->lbah << 16 |
			    (uint64_t)ch->lbam << 8 | ch->lbal;
		} else {
			unsigned cyl = (unsigned)ch->lbah << 8 | ch->lbam;
			unsigned head = ch->device & 0x0F, sect = ch->lbal;
			if (sect == 0 || sect > IDE_SPT || cyl >= d->cyls)
				return false;
			a = ((uint64_t)cyl * IDE_HEADS + head) * IDE_SPT + sect - 1;
		}
		n = ch->nsect ? ch->nsect : 256;
	}
	if (a >= d->sectors || n > d->sectors - a)
		return false;
	*lba = a;
	*count = n;
	return true;
}

/* Data-in: fetch the next blocks (whole ones, so none straddles two fetches); the completion raises DRQ
 * and the IRQ for the first. */
static void ide_pio_fill(struct ide_channel *ch)
{
	uint32_t max = IDE_PIO_READAHEAD / ch->xfer_block * ch->xfer_block;
	uint32_t n = ch->xfer_left < max ? ch->xfer_left : max;
	ch->pio_iov = (struct iovec){ ch->buf, (size_t)n * IDE_SECTOR };
	ide_set_status(ch, ATA_SR_BSY | ATA_SR_DRDY);
	if (ide_submit(ch, IDE_IO_PIO_READ, BLK_READ, &ch->pio_iov, 1, ch->xfer_lba * IDE_SECTOR))
		ide_cmd_abort(ch);
}

/* Data-out: open a DRQ block for the host to fill. */
static void ide_pio_open_out(struct ide_channel *ch)
{
	uint32_t n = ch->xfer_left < ch->xfer_block ? ch->xfer_left : ch->xfer_block;
	ch->pos = 0;
	ch->end = n * IDE_SECTOR;
	ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
}

void ide_pio_data_done(struct ide_channel *ch)
{
	if (ch->xfer == IDE_XFER_PIO_IN) {
		if (ch->end < ch->fill) {
			/* The next block is fetched already: DRQ stays set, and each
			 * DRQ block gets its interrupt (ATA8-ACS 4.6, PIO data-in). */
			unsigned next = ch->end + ch->xfer_block * IDE_SECTOR;
			ch->pos = ch->end;
			ch->end = next < ch->fill ? next : ch->fill;
			ide_irq_raise(ch);
		} else if (ch->xfer_left > 0) {
			ide_pio_fill(ch);
		} else {
			ch->xfer = IDE_XFER_NONE; /* the last block's IRQ was the command's */
			ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC);
		}
		return;
	}
	ch->pio_iov = (struct iovec){ ch->buf, ch->end };
	ide_set_status(ch, ATA_SR_BSY | ATA_SR_DRDY);
	if (ide_submit(ch, IDE_IO_PIO_WRITE, BLK_WRITE, &ch->pio_iov, 1, ch->xfer_lba * IDE_SECTOR))
		ide_cmd_abort(ch);
}

void ide_pio_io_done(struct ide_channel *ch, bool write, int64_t res)
{
	uint32_t n = (uint32_t)(ch->pio_iov.iov_len / IDE_SECTOR);
	if (res != (int64_t)ch->pio_iov.iov_len) {
		ide_cmd_abort(ch);
		return;
	}
	ch->xfer_lba += n;
	ch->xfer_left -= n;
	if (!write) {
		unsigned block = ch->xfer_block * IDE_SECTOR;
		ch->fill = (unsigned)ch->pio_iov.iov_len;
		ch->pos = 0;
		ch->end = block < ch->fill ? block : ch->fill;
		ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
		ide_irq_raise(ch);
	} else if (ch->xfer_left > 0) {
		ide_pio_open_out(ch);
		ide_irq_raise(ch);
	} else {
		ch->xfer = IDE_XFER_NONE;
		ide_cmd_done(ch);
	}
}

static void ide_cmd_rw(struct ide_channel *ch, uint8_t cmd, bool write, unsigned block)
{
	const struct ide_drive *d = &ch->drives[ch->unit];
	uint64_t lba;
	uint32_t count;
	if (block == 0 || !ide_decode(ch, ide_is_lba48(cmd), &lba, &count) ||
	    (write && blk_readonly(d->blk))) {
		ide_cmd_abort(ch);
		return;
	}
	ch->xfer_lba = lba;
	ch->xfer_left = count;
	ch->xfer_block = block;
	ch->fill = 0;
	if (write) {
		ch->xfer = IDE_XFER_PIO_OUT;
		ide_pio_open_out(ch); /* no interrupt before the first block (ATA8-ACS 4.6) */
	} else {
		ch->xfer = IDE_XFER_PIO_IN;
		ide_pio_fill(ch);
	}
}

static void ide_cmd_dma(struct ide_channel *ch, uint8_t cmd, bool write)
{
	uint64_t lba;
	uint32_t count;
	if (!ide_decode(ch, ide_is_lba48(cmd), &lba, &count) ||
	    (write && blk_readonly(ch->drives[ch->unit].blk))) {
		ide_cmd_abort(ch);
		return;
	}
	ide_dma_begin(ch, write, lba, count);
}

static void ide_cmd_identify(struct ide_channel *ch)
{
	uint16_t w[256];
	ide_identify(&ch->drives[ch->unit], w);
	for (unsigned i = 0; i < 256; i++) {
		ch->buf[2 * i] = (uint8_t)w[i];
		ch->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
	ch->xfer = IDE_XFER_PIO_IN;
	ch->xfer_left = 0;
	ch->pos = 0;
	ch->end = ch->fill = IDE_SECTOR;
	ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
	ide_irq_raise(ch);
}

static void ide_cmd_set_features(struct ide_channel *ch)
{
	struct ide_drive *d = &ch->drives[ch->unit];
	uint8_t mode = ch->nsect;
	switch (ch->feature) {
	case ATA_SF_WCACHE_ON:
	case ATA_SF_WCACHE_OFF:
		d->wcache = ch->feature == ATA_SF_WCACHE_ON;
		break;
	case ATA_SF_XFER_MODE:
		if (mode == ATA_XFER_PIO_DEFAULT || mode == ATA_XFER_PIO_NOIORDY ||
		    ((mode & 0xF8) == ATA_XFER_PIO && (mode & 7) <= 4)) {
			break;
		} else if ((mode & 0xF8) == ATA_XFER_MWDMA && (mode & 7) <= 2) {
			d->mwdma = (int8_t)(mode & 7);
			break;
		}
		ide_cmd_abort(ch); /* UDMA and unknown modes: the PIIX3 has none */
		return;
	case ATA_SF_LOOKAHEAD_ON:
	case ATA_SF_LOOKAHEAD_OFF:
	case ATA_SF_REVERT_ON:
	case ATA_SF_REVERT_OFF:
		break;
	default:
		ide_cmd_abort(ch);
		return;
	}
	ide_cmd_done(ch);
}

static void ide_cmd_set_multiple(struct ide_channel *ch)
{
	unsigned n = ch->nsect;
	/* 0 turns multiple mode off; otherwise a power of two up to word 47's. */
	if (n > IDE_MAX_MULT || (n & (n - 1))) {
		ide_cmd_abort(ch);
		return;
	}
	ch->drives[ch->unit].mult = (uint8_t)n;
	ide_cmd_done(ch);
}

static void ide_cmd_flush(struct ide_channel *ch)
{
	ide_set_status(ch, ATA_SR_BSY | ATA_SR_DRDY);
	if (ide_submit(ch, IDE_IO_FLUSH, BLK_FLUSH, NULL, 0, 0))
		ide_cmd_abort(ch);
}

static void ide_cmd_verify(struct ide_channel *ch, uint8_t cmd)
{
	uint64_t lba;
	uint32_t count;
	if (ide_decode(ch, ide_is_lba48(cmd), &lba, &count))
		ide_cmd_done(ch);
	else
		ide_cmd_abort(ch);
}

void ide_exec(struct ide_channel *ch, uint8_t cmd)
{
	unsigned mult = ch->drives[ch->unit].mult;
	switch (cmd) {
	case ATA_CMD_IDENTIFY: ide_cmd_identify(ch); break;
	case ATA_CMD_READ: case ATA_CMD_READ_NORETRY: case ATA_CMD_READ_EXT:
		ide_cmd_rw(ch, cmd, false, 1);
		break;
	case ATA_CMD_WRITE: case ATA_CMD_WRITE_NORETRY: case ATA_CMD_WRITE_EXT:
		ide_cmd_rw(ch, cmd, true, 1);
		break;
	case ATA_CMD_READ_MULTIPLE: case ATA_CMD_READ_MULTIPLE_EXT:
		ide_cmd_rw(ch, cmd, false, mult); /* 0: multiple mode off, aborted */
		break;
	case ATA_CMD_WRITE_MULTIPLE: case ATA_CMD_WRITE_MULTIPLE_EXT:
		ide_cmd_rw(ch, cmd, true, mult);
		break;
	case ATA_CMD_READ_DMA: case ATA_CMD_READ_DMA_NORETRY: case ATA_CMD_READ_DMA_EXT:
		ide_cmd_dma(ch, cmd, false);
		break;
	case ATA_CMD_WRITE_DMA: case ATA_CMD_WRITE_DMA_NORETRY: case ATA_CMD_WRITE_DMA_EXT:
		ide_cmd_dma(ch, cmd, true);
		break;
	case ATA_CMD_VERIFY: case ATA_CMD_VERIFY_NORETRY: case ATA_CMD_VERIFY_EXT:
		ide_cmd_verify(ch, cmd);
		break;
	case ATA_CMD_SET_MULTIPLE: ide_cmd_set_multiple(ch); break;
	case ATA_CMD_SET_FEATURES: ide_cmd_set_features(ch); break;
	case ATA_CMD_FLUSH: case ATA_CMD_FLUSH_EXT: ide_cmd_flush(ch); break;
	case ATA_CMD_CHECK_POWER:
		ch->nsect = ATA_CHECK_POWER_ACTIVE;
		ide_cmd_done(ch);
		break;
	case ATA_CMD_DIAGNOSE:
		for (unsigned u = 0; u < IDE_UNITS; u++)
			ch->drives[u].error = ATA_ER_DIAG_PASSED;
		ch->nsect = ch->lbal = 1;
		ch->lbam = ch->lbah = 0;
		ide_cmd_done(ch);
		break;
	case ATA_CMD_INIT_PARAMS: case ATA_CMD_SEEK:
	case ATA_CMD_STANDBY_IMMEDIATE: case ATA_CMD_IDLE_IMMEDIATE:
	case ATA_CMD_STANDBY: case ATA_CMD_IDLE: case ATA_CMD_SLEEP:
		ide_cmd_done(ch);
		break;
	default:
		if ((cmd & 0xF0) == ATA_CMD_RECALIBRATE) {
			ide_cmd_done(ch);
			break;
		}
		/* IDENTIFY PACKET DEVICE, DEVICE RESET (packet devices only) and
		 * everything unknown: a disk aborts them (ATA8-ACS 7.17). */
		ide_cmd_abort(ch);
		break;
	}
}
