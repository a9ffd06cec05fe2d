/* ide_bmdma.c: PIIX bus-master DMA: the per-channel command/status/PRD
 * registers, the PRD table walk against guest RAM, and DMA transfers through
 * the block backend (see ide.h; SFF-8038i rev 1.0, PIIX3 datasheet §2.7). */
#include <endian.h>
#include <string.h>

#include "modes/full/ide.h"

/* Iovecs per backend request (the kernel's UIO_MAXIOV); longer tables are
 * moved in several requests, one after the other. */
#define IDE_DMA_IOV_CHUNK 1024

enum ide_prd_result {
	IDE_PRD_OK,    /* covers the transfer (maybe more: dma_prd_larger) */
	IDE_PRD_SHORT, /* ends before the transfer does */
	IDE_PRD_BAD,   /* an entry or the table itself is not in RAM */
};

/* Build dma_iov[] for need bytes from the PRD table. Every entry must lie
 * wholly in RAM even when only part of it is used, as must every 8-byte
 * descriptor read. */
static enum ide_prd_result ide_prd_walk(struct ide_channel *ch, uint64_t need)
{
	const struct guest_mem *mem = ch->ctrl->mem;
	uint64_t table = ch->bm_prd, total = 0;
	ch->dma_niov = 0;
	for (unsigned i = 0; i < BM_PRD_MAX; i++) {
		uint32_t ent[2];
		if (mem_read(mem, table + 8ULL * i, ent, sizeof(ent)))
			return IDE_PRD_BAD;
		uint32_t addr = le32toh(ent[0]) & ~1u; /* bit 0 is reserved (word aligned) */
		uint32_t flags = le32toh(ent[1]);
		uint32_t count = flags & 0xFFFE;
		if (count == 0)
			count = BM_PRD_COUNT_0;
		void *hva = gpa_to_hva(mem, addr, count);
		if (!hva)
			return IDE_PRD_BAD;
		uint64_t take = need - total < count ? need - total : count;
		ch->dma_iov[ch->dma_niov++] = (struct iovec){ hva, (size_t)take };
		total += take;
		if (total == need) {
			ch->dma_prd_larger = !((flags & BM_PRD_EOT) && take == count);
			return IDE_PRD_OK;
		}
		if (flags & BM_PRD_EOT)
			return IDE_PRD_SHORT;
	}
	return IDE_PRD_BAD; /* no end of table within its 64 KiB */
}

static void ide_dma_fail(struct ide_channel *ch, uint8_t bm_error)
{
	ch->bm_status = (uint8_t)((ch->bm_status & ~BM_ST_ACTIVE) | bm_error);
	ide_cmd_abort(ch);
}

static void ide_dma_submit_next(struct ide_channel *ch)
{
	unsigned n = ch->dma_niov - ch->dma_next;
	if (n > IDE_DMA_IOV_CHUNK)
		n = IDE_DMA_IOV_CHUNK;
	uint64_t bytes = 0;
	for (unsigned i = 0; i < n; i++)
		bytes += ch->dma_iov[ch->dma_next + i].iov_len;
	ch->dma_chunk = n;
	ch->dma_chunk_bytes = bytes;
	if (ide_submit(ch, IDE_IO_DMA, ch->dma_write ? BLK_WRITE : BLK_READ,
		       &ch->dma_iov[ch->dma_next], n, ch->dma_off))
		ide_dma_fail(ch, 0);
}

/* The bus master is started and a DMA command waits: move the data. */
static void ide_dma_run(struct ide_channel *ch)
{
	ch->dma_pending = false;
	switch (ide_prd_walk(ch, (uint64_t)ch->dma_count * IDE_SECTOR)) {
	case IDE_PRD_BAD:
		/* The PIIX would see a master abort: BM error, and the drive ends
		 * the command in error (QEMU: ide_dma_error). */
		ide_dma_fail(ch, BM_ST_ERROR);
		return;
	case IDE_PRD_SHORT:
		/* SFF-8038i table 2, "Interrupt 0, Active 0": the controller
		 * stopped early; no interrupt. QEMU likewise ends the command
		 * without one; the guest's timeout and reset recover. */
		ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
		ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC);
		return;
	case IDE_PRD_OK:
		break;
	}
	ide_set_status(ch, ATA_SR_BSY | ATA_SR_DRDY);
	ch->dma_next = 0;
	ch->dma_off = ch->dma_lba * IDE_SECTOR;
	ide_dma_submit_next(ch);
}

void ide_dma_begin(struct ide_channel *ch, bool write, uint64_t lba, uint32_t count)
{
	ch->dma_pending = true;
	ch->dma_write = write;
	ch->dma_lba = lba;
	ch->dma_count = count;
	/* Ready to move data; the bus master may be started before or after. */
	ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
	if (ch->bm_cmd & BM_CMD_START)
		ide_dma_run(ch);
}

void ide_dma_io_done(struct ide_channel *ch, int64_t res)
{
	if (res != (int64_t)ch->dma_chunk_bytes) {
		ide_dma_fail(ch, 0); /* a disk error, not a bus error */
		return;
	}
	ch->dma_next += ch->dma_chunk;
	ch->dma_off += ch->dma_chunk_bytes;
	if (ch->dma_next < ch->dma_niov) {
		ide_dma_submit_next(ch);
		return;
	}
	/* A table larger than the transfer leaves Active set until the guest
	 * stops the engine (SFF-8038i table 2, "Interrupt 1, Active 1"). */
	if (!ch->dma_prd_larger || !(ch->bm_cmd & BM_CMD_START))
		ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
	ide_cmd_done(ch);
}

/* ---- registers ----------------------------------------------------------- */

static uint8_t ide_bm_read_byte(struct ide_channel *ch, unsigned reg)
{
	switch (reg) {
	case BM_REG_CMD: return ch->bm_cmd;
	case BM_REG_STATUS: return ch->bm_status;
	case BM_REG_PRD: case BM_REG_PRD + 1: case BM_REG_PRD + 2: case BM_REG_PRD + 3:
		return (uint8_t)(ch->bm_prd >> (8 * (reg - BM_REG_PRD)));
	default: return 0; /* reserved */
	}
}

static void ide_bm_write_cmd(struct ide_channel *ch, uint8_t v)
{
	uint8_t old = ch->bm_cmd;
	ch->bm_cmd = v & (BM_CMD_START | BM_CMD_TO_MEM);
	if (!(old & BM_CMD_START) && (v & BM_CMD_START)) {
		ch->bm_status |= BM_ST_ACTIVE;
		if (ch->dma_pending)
			ide_dma_run(ch);
	} else if ((old & BM_CMD_START) && !(v & BM_CMD_START)) {
		/* Stopping: a request in flight still completes the command. */
		ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
	}
}

static void ide_bm_write_byte(struct ide_channel *ch, unsigned reg, uint8_t v)
{
	switch (reg) {
	case BM_REG_CMD:
		ide_bm_write_cmd(ch, v);
		break;
	case BM_REG_STATUS: {
		/* Error and interrupt are write-1-to-clear, the drive bits plain. */
		uint8_t keep = ch->bm_status & (BM_ST_ACTIVE | BM_ST_ERROR | BM_ST_INTR);
		keep &= (uint8_t)~(v & (BM_ST_ERROR | BM_ST_INTR));
		ch->bm_status = keep | (v & (BM_ST_DMA0 | BM_ST_DMA1));
		break;
	}
	case BM_REG_PRD: case BM_REG_PRD + 1: case BM_REG_PRD + 2: case BM_REG_PRD + 3: {
		unsigned shift = 8 * (reg - BM_REG_PRD);
		ch->bm_prd = (ch->bm_prd & ~(0xFFu << shift)) | ((uint32_t)v << shift);
		ch->bm_prd &= ~3u; /* dword aligned: bits 1:0 read as 0 */
		break;
	}
	default:
		break; /* reserved */
	}
}

static uint64_t ide_bmdma_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_ctrl *c = opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		struct ide_channel *ch = &c->ch[(off + i) / BM_CHANNEL_REGS];
		pthread_mutex_lock(&ch->lock);
		v |= (uint64_t)ide_bm_read_byte(ch, (unsigned)(off + i) % BM_CHANNEL_REGS) << (8 * i);
		pthread_mutex_unlock(&ch->lock);
	}
	return v;
}

static void ide_bmdma_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct ide_ctrl *c = opaque;
	for (unsigned i = 0; i < size; i++) {
		struct ide_channel *ch = &c->ch[(off + i) / BM_CHANNEL_REGS];
		pthread_mutex_lock(&ch->lock);
		ide_bm_write_byte(ch, (unsigned)(off + i) % BM_CHANNEL_REGS, (uint8_t)(val >> (8 * i)));
		pthread_mutex_unlock(&ch->lock);
	}
}

const struct bus_ops ide_bmdma_ops = {
	.read = ide_bmdma_read,
	.write = ide_bmdma_write,
};
