/* ide.c: the IDE channels' registers: task file, status, device control and
 * software reset, the data port, INTRQ, and the disk-request plumbing (see ide.h). */
#include "modes/full/ide.h"

#include <string.h>

static void ide_irq_update(struct ide_channel *ch)
{
	bool level = ch->irq_pending && !(ch->devctl & ATA_CTL_NIEN);
	if (level == ch->irq_level)
		return;
	ch->irq_level = level;
	irq_line_set(&ch->irq, level);
}

void ide_irq_raise(struct ide_channel *ch)
{
	ch->irq_pending = true;
	/* The PIIX latches the drive's interrupt in the bus-master status. */
	if (!(ch->devctl & ATA_CTL_NIEN))
		ch->bm_status |= BM_ST_INTR;
	ide_irq_update(ch);
}

static void ide_irq_lower(struct ide_channel *ch)
{
	ch->irq_pending = false;
	ide_irq_update(ch);
}

void ide_set_status(struct ide_channel *ch, uint8_t status)
{
	ch->drives[ch->unit].status = status;
}

void ide_cmd_done(struct ide_channel *ch)
{
	ide_set_status(ch, ATA_SR_DRDY | ATA_SR_DSC);
	ide_irq_raise(ch);
}

void ide_cmd_abort(struct ide_channel *ch)
{
	ch->xfer = IDE_XFER_NONE;
	ch->drives[ch->unit].error = ATA_ER_ABRT;
	ide_set_status(ch, ATA_SR_DRDY | ATA_SR_ERR);
	atomic_fetch_add(&ch->ctrl->aborted, 1);
	ide_irq_raise(ch);
}

/* What a drive shows after reset or EXECUTE DEVICE DIAGNOSTIC: the ATA
 * signature (sector count 1, LBA 1/0/0: a non-packet device) and
 * diagnostic code 01h (ATA8-ACS 7.9; QEMU hw/ide/core.c ide_set_signature). */
static void ide_signature(struct ide_channel *ch)
{
	ch->nsect = ch->hob_nsect = 1;
	ch->lbal = ch->hob_lbal = 1;
	ch->lbam = ch->lbah = ch->hob_lbam = ch->hob_lbah = 0;
	ch->device = ATA_DEV_OBS;
	ch->cur = 0;
	for (unsigned u = 0; u < IDE_UNITS; u++) {
		ch->drives[u].status = ATA_SR_DRDY | ATA_SR_DSC;
		ch->drives[u].error = ATA_ER_DIAG_PASSED;
	}
}

static void ide_reset_finish(struct ide_channel *ch)
{
	ch->reset_pending = false;
	ch->xfer = IDE_XFER_NONE;
	ch->dma_pending = false;
	ide_signature(ch);
}

/* Device control (ATA8-ACS 6.2.6). SRST 0->1 puts both drives in reset
 * (BSY), 1->0 finishes it; a request still in flight delays the finish. */
static void ide_devctl_write(struct ide_channel *ch, uint8_t v)
{
	bool was = ch->devctl & ATA_CTL_SRST;
	ch->devctl = v;
	if (!was && (v & ATA_CTL_SRST)) {
		ch->xfer = IDE_XFER_NONE;
		ch->dma_pending = false;
		for (unsigned u = 0; u < IDE_UNITS; u++)
			ch->drives[u].status = ATA_SR_BSY | ATA_SR_DSC;
		ch->irq_pending = false;
	} else if (was && !(v & ATA_CTL_SRST)) {
		if (ch->io != IDE_IO_NONE)
			ch->reset_pending = true;
		else
			ide_reset_finish(ch);
	}
	ide_irq_update(ch);
}

static bool ide_channel_busy(const struct ide_channel *ch)
{
	if (ch->io != IDE_IO_NONE || ch->reset_pending || (ch->devctl & ATA_CTL_SRST))
		return true;
	for (unsigned u = 0; u < IDE_UNITS; u++)
		if (ch->drives[u].blk && (ch->drives[u].status & (ATA_SR_BSY | ATA_SR_DRQ)))
			return true;
	return false;
}

static void ide_command(struct ide_channel *ch, uint8_t cmd)
{
	/* Commands to an absent drive, or while the channel is busy or in a
	 * data phase, are ignored (ATA8-ACS 6.3.5; QEMU does the same). */
	if (!ch->drives[ch->cur].blk || ide_channel_busy(ch)) {
		atomic_fetch_add(&ch->ctrl->bad_accesses, 1);
		return;
	}
	ide_irq_lower(ch);
	ch->unit = ch->cur;
	ch->drives[ch->unit].error = 0;
	ide_exec(ch, cmd);
}

static bool ide_data_ready(const struct ide_channel *ch, enum ide_xfer dir)
{
	return ch->xfer == dir && ch->cur == ch->unit && (ch->drives[ch->unit].status & ATA_SR_DRQ);
}

static uint64_t ide_data_read(struct ide_channel *ch, unsigned size)
{
	if (size < 2 || !ide_data_ready(ch, IDE_XFER_PIO_IN)) {
		atomic_fetch_add(&ch->ctrl->bad_accesses, 1);
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < size && ch->pos < ch->end; i++)
		v |= (uint64_t)ch->buf[ch->pos++] << (8 * i);
	if (ch->pos >= ch->end)
		ide_pio_data_done(ch);
	return v;
}

static void ide_data_write(struct ide_channel *ch, unsigned size, uint64_t v)
{
	if (size < 2 || !ide_data_ready(ch, IDE_XFER_PIO_OUT)) {
		atomic_fetch_add(&ch->ctrl->bad_accesses, 1);
		return;
	}
	for (unsigned i = 0; i < size && ch->pos < ch->end; i++)
		ch->buf[ch->pos++] = (uint8_t)(v >> (8 * i));
	if (ch->pos >= ch->end)
		ide_pio_data_done(ch);
}

static uint8_t ide_reg_read(struct ide_channel *ch, unsigned reg)
{
	const struct ide_drive *d = &ch->drives[ch->cur];
	bool hob = ch->devctl & ATA_CTL_HOB;
	if (reg == ATA_REG_DEVICE)
		return ch->device;
	if (!d->blk)
		return 0; /* an absent drive: QEMU reads 0 */
	switch (reg) {
	case ATA_REG_ERROR: return hob ? ch->hob_feature : d->error;
	case ATA_REG_NSECT: return hob ? ch->hob_nsect : ch->nsect;
	case ATA_REG_LBAL: return hob ? ch->hob_lbal : ch->lbal;
	case ATA_REG_LBAM: return hob ? ch->hob_lbam : ch->lbam;
	case ATA_REG_LBAH: return hob ? ch->hob_lbah : ch->lbah;
	default: /* ATA_REG_STATUS: reading it acknowledges the interrupt */
		ide_irq_lower(ch);
		return d->status;
	}
}

/* A command-block write keeps the previous byte for LBA48 (the HOB copy) and
 * clears device control's HOB bit (ATA8-ACS 6.2.6). */
static void ide_reg_write(struct ide_channel *ch, unsigned reg, uint8_t v)
{
	uint8_t *cur = NULL, *hob = NULL;
	switch (reg) {
	case ATA_REG_ERROR: cur = &ch->feature; hob = &ch->hob_feature; break;
	case ATA_REG_NSECT: cur = &ch->nsect; hob = &ch->hob_nsect; break;
	case ATA_REG_LBAL: cur = &ch->lbal; hob = &ch->hob_lbal; break;
	case ATA_REG_LBAM: cur = &ch->lbam; hob = &ch->hob_lbam; break;
	case ATA_REG_LBAH: cur = &ch->lbah; hob = &ch->hob_lbah; break;
	case ATA_REG_DEVICE:
		ch->device = v | ATA_DEV_OBS;
		ch->cur = (v & ATA_DEV_SLAVE) ? 1 : 0;
		break;
	default:
		ide_command(ch, v);
		return;
	}
	ch->devctl &= (uint8_t)~ATA_CTL_HOB;
	if (cur) {
		*hob = *cur;
		*cur = v;
	}
}

static uint64_t ide_cmd_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_channel *ch = opaque;
	uint64_t v = 0;
	pthread_mutex_lock(&ch->lock);
	if (off == ATA_REG_DATA) {
		v = ide_data_read(ch, size);
	} else {
		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)ide_reg_read(ch, (unsigned)off + i) << (8 * i);
	}
	pthread_mutex_unlock(&ch->lock);
	return v;
}

static void ide_cmd_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct ide_channel *ch = opaque;
	pthread_mutex_lock(&ch->lock);
	if (off == ATA_REG_DATA) {
		ide_data_write(ch, size, val);
	} else {
		for (unsigned i = 0; i < size; i++)
			ide_reg_write(ch, (unsigned)off + i, (uint8_t)(val >> (8 * i)));
	}
	pthread_mutex_unlock(&ch->lock);
}

/* Alternate status: the status without acknowledging the interrupt. */
static uint64_t ide_ctl_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_channel *ch = opaque;
	(void)off;
	(void)size; /* one port */
	pthread_mutex_lock(&ch->lock);
	const struct ide_drive *d = &ch->drives[ch->cur];
	uint8_t v = d->blk ? d->status : 0;
	pthread_mutex_unlock(&ch->lock);
	return v;
}

static void ide_ctl_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct ide_channel *ch = opaque;
	(void)off;
	(void)size;
	pthread_mutex_lock(&ch->lock);
	ide_devctl_write(ch, (uint8_t)val);
	pthread_mutex_unlock(&ch->lock);
}

const struct bus_ops ide_cmd_ops = {
	.read = ide_cmd_read,
	.write = ide_cmd_write,
};

const struct bus_ops ide_ctl_ops = {
	.read = ide_ctl_read,
	.write = ide_ctl_write,
};

/* ---- disk requests ------------------------------------------------------- */

/* I/O thread: the channel's one request finished. */
static void ide_req_done(struct blk_req *r, int64_t res)
{
	struct ide_channel *ch = r->opaque;
	pthread_mutex_lock(&ch->lock);
	enum ide_io io = ch->io;
	ch->io = IDE_IO_NONE;
	if (ch->reset_pending) {
		/* The guest reset the channel meanwhile: the result is dropped. */
		ide_reset_finish(ch);
	} else {
		switch (io) {
		case IDE_IO_PIO_READ:
		case IDE_IO_PIO_WRITE:
			ide_pio_io_done(ch, io == IDE_IO_PIO_WRITE, res);
			break;
		case IDE_IO_DMA:
			ide_dma_io_done(ch, res);
			break;
		case IDE_IO_FLUSH:
			if (res < 0)
				ide_cmd_abort(ch);
			else
				ide_cmd_done(ch);
			break;
		case IDE_IO_NONE:
			break;
		}
	}
	pthread_mutex_unlock(&ch->lock);
}

int ide_submit(struct ide_channel *ch, enum ide_io io, enum blk_op op, struct iovec *iov,
	       unsigned niov, uint64_t offset)
{
	struct blk_req *r = &ch->req;
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->offset = offset;
	r->iov = iov;
	r->iovcnt = niov;
	r->done = ide_req_done;
	r->opaque = ch;
	ch->io = io;
	int rc = blk_submit(ch->drives[ch->unit].blk, r);
	if (rc)
		ch->io = IDE_IO_NONE;
	return rc;
}

/* ---- setup --------------------------------------------------------------- */

int ide_init(struct ide_ctrl *c, const struct guest_mem *mem, const struct irq_line irqs[IDE_CHANNELS],
	     struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	atomic_init(&c->bad_accesses, 0);
	atomic_init(&c->aborted, 0);
	for (unsigned i = 0; i < IDE_CHANNELS; i++) {
		struct ide_channel *ch = &c->ch[i];
		int rc = pthread_mutex_init(&ch->lock, NULL);
		if (rc) {
			while (i-- > 0)
				pthread_mutex_destroy(&c->ch[i].lock);
			return err_errno(e, ERR_HOST, rc, "IDE channel lock");
		}
		ch->ctrl = c;
		ch->index = i;
		ch->irq = irqs[i];
		for (unsigned u = 0; u < IDE_UNITS; u++)
			ch->drives[u].mwdma = -1;
		ide_signature(ch);
	}
	return 0;
}

int ide_attach_drive(struct ide_ctrl *c, unsigned idx, struct blk_backend *blk, struct err *e)
{
	if (idx >= IDE_MAX_DISKS || !blk)
		return err_set(e, ERR_HOST, "IDE: no position %u", idx);
	struct ide_drive *d = &c->ch[idx / IDE_UNITS].drives[idx % IDE_UNITS];
	if (d->blk)
		return err_set(e, ERR_HOST, "IDE: position %u is taken", idx);
	uint64_t sectors = blk_size(blk) / IDE_SECTOR;
	uint64_t cyls = sectors / (IDE_HEADS * IDE_SPT);
	d->blk = blk;
	d->sectors = sectors;
	d->cyls = (uint16_t)(cyls > IDE_MAX_CYLS ? IDE_MAX_CYLS : cyls ? cyls : 1);
	d->index = idx;
	d->wcache = true;
	d->status = ATA_SR_DRDY | ATA_SR_DSC;
	d->error = ATA_ER_DIAG_PASSED;
	return 0;
}

void ide_destroy(struct ide_ctrl *c)
{
	for (unsigned i = 0; i < IDE_CHANNELS; i++) {
		for (unsigned u = 0; u < IDE_UNITS; u++) {
			blk_close(c->ch[i].drives[u].blk);
			c->ch[i].drives[u].blk = NULL;
		}
		pthread_mutex_destroy(&c->ch[i].lock);
	}
}
