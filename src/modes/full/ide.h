/* ide.h: the PIIX3 IDE controller: two ATA channels at the legacy ports, each
 * with up to two disks, and the PIIX bus-master DMA engine.
 *
 * Each channel has a command block (8 ports: data, error/features, sector
 * count, LBA low/mid/high, device, status/command), a control block (1 port:
 * alternate status / device control) and an IRQ line (14 or 15). The task
 * file is shared by both drives, as the host's writes reach both; status and
 * error are per drive and reads come from the selected one (an absent drive
 * reads 0, as QEMU's does). INTRQ is a level: raised when a command or a DRQ
 * block completes, dropped by a status read or a new command, masked by nIEN.
 *
 * All disk I/O is asynchronous (backends/block.h blk_submit): a command or a
 * drained PIO block sets BSY, and the completion on the VM's I/O thread fills
 * the next block (DRQ) or ends the command, then raises the IRQ. PIO data-in
 * fetches up to IDE_PIO_READAHEAD sectors at a time, so only every such fetch
 * (not every DRQ block) goes through BSY. No vCPU ever
 * waits for the disk, and no lock is held across a wait. SeaBIOS polls BSY
 * and DRQ; Linux waits for the interrupt; both see a real drive's protocol.
 *
 * Commands (ATA8-ACS numbering): IDENTIFY DEVICE, READ/WRITE SECTORS (EXT),
 * READ/WRITE MULTIPLE (EXT), SET MULTIPLE MODE, READ/WRITE DMA (EXT), READ
 * VERIFY (EXT), SET FEATURES (transfer mode, write cache, look-ahead), FLUSH
 * CACHE (EXT) through the backend's fdatasync, INITIALIZE DEVICE PARAMETERS,
 * RECALIBRATE, SEEK, EXECUTE DEVICE DIAGNOSTIC, the power commands, CHECK
 * POWER MODE. IDENTIFY PACKET DEVICE and anything else: ERR with ABRT. An
 * address range past the end of the disk, a write to a read-only disk, and
 * an I/O error: ERR with ABRT (QEMU's choice; ATA8-ACS also allows IDNF).
 * LBA28, LBA48 (the HOB bytes: each command-block write keeps the previous
 * value, read back with device control HOB) and CHS through the IDENTIFY
 * geometry (16 heads, 63 sectors).
 *
 * Bus master (SFF-8038i, PIIX3 datasheet §2.7): per channel a command byte
 * (start, direction), a status byte (active, error and interrupt W1C, drive
 * DMA-capable bits), and a PRD table pointer. Each PRD entry {le32 address,
 * le16 byte count (0 = 64 KiB), bit 31 of the second dword = end of table}
 * must lie wholly in RAM, as must the table itself (at most 8192 entries).
 * Outcomes: a table exactly the transfer's size ends with Interrupt set and
 * Active clear; a larger one leaves Active set; a shorter one stops with both
 * clear and no interrupt (the drive keeps waiting, SFF-8038i table 2); a bad
 * entry sets the BM error bit, and the drive aborts the command.
 */
#ifndef VMM_MODES_FULL_IDE_H
#define VMM_MODES_FULL_IDE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "backends/block.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/memory.h"

/* Legacy ("compatibility mode") resources. */
#define IDE_PRIMARY_CMD    0x1F0
#define IDE_PRIMARY_CTL    0x3F6
#define IDE_PRIMARY_IRQ    14
#define IDE_SECONDARY_CMD  0x170
#define IDE_SECONDARY_CTL  0x376
#define IDE_SECONDARY_IRQ  15
#define IDE_CMD_PORTS      8
#define IDE_CTL_PORTS      1 /* 0x3F7/0x377 belong to the floppy controller */
#define IDE_CHANNELS       2
#define IDE_UNITS          2 /* master, slave */
#define IDE_MAX_DISKS      (IDE_CHANNELS * IDE_UNITS)

/* Command block register offsets. */
#define ATA_REG_DATA    0
#define ATA_REG_ERROR   1 /* write: features */
#define ATA_REG_NSECT   2
#define ATA_REG_LBAL    3
#define ATA_REG_LBAM    4
#define ATA_REG_LBAH    5
#define ATA_REG_DEVICE  6
#define ATA_REG_STATUS  7 /* write: command */

#define ATA_SR_BSY  0x80
#define ATA_SR_DRDY 0x40
#define ATA_SR_DF   0x20
#define ATA_SR_DSC  0x10
#define ATA_SR_DRQ  0x08
#define ATA_SR_ERR  0x01

#define ATA_ER_ABRT 0x04
#define ATA_ER_DIAG_PASSED 0x01 /* EXECUTE DEVICE DIAGNOSTIC / reset: device 0 passed */

#define ATA_DEV_LBA   0x40
#define ATA_DEV_SLAVE 0x10
#define ATA_DEV_OBS   0xA0 /* obsolete bits 7 and 5: read as 1 */

#define ATA_CTL_HOB  0x80
#define ATA_CTL_SRST 0x04
#define ATA_CTL_NIEN 0x02

/* Commands (ATA8-ACS). */
#define ATA_CMD_NOP                 0x00
#define ATA_CMD_DEVICE_RESET        0x08
#define ATA_CMD_RECALIBRATE         0x10 /* 0x10-0x1F */
#define ATA_CMD_READ                0x20
#define ATA_CMD_READ_NORETRY        0x21
#define ATA_CMD_READ_EXT            0x24
#define ATA_CMD_READ_DMA_EXT        0x25
#define ATA_CMD_READ_MULTIPLE_EXT   0x29
#define ATA_CMD_WRITE               0x30
#define ATA_CMD_WRITE_NORETRY       0x31
#define ATA_CMD_WRITE_EXT           0x34
#define ATA_CMD_WRITE_DMA_EXT       0x35
#define ATA_CMD_WRITE_MULTIPLE_EXT  0x39
#define ATA_CMD_VERIFY              0x40
#define ATA_CMD_VERIFY_NORETRY      0x41
#define ATA_CMD_VERIFY_EXT          0x42
#define ATA_CMD_SEEK                0x70
#define ATA_CMD_DIAGNOSE            0x90
#define ATA_CMD_INIT_PARAMS         0x91
#define ATA_CMD_IDENTIFY_PACKET     0xA1
#define ATA_CMD_READ_MULTIPLE       0xC4
#define ATA_CMD_WRITE_MULTIPLE      0xC5
#define ATA_CMD_SET_MULTIPLE        0xC6
#define ATA_CMD_READ_DMA            0xC8
#define ATA_CMD_READ_DMA_NORETRY    0xC9
#define ATA_CMD_WRITE_DMA           0xCA
#define ATA_CMD_WRITE_DMA_NORETRY   0xCB
#define ATA_CMD_STANDBY_IMMEDIATE   0xE0
#define ATA_CMD_IDLE_IMMEDIATE      0xE1
#define ATA_CMD_STANDBY             0xE2
#define ATA_CMD_IDLE                0xE3
#define ATA_CMD_CHECK_POWER         0xE5
#define ATA_CMD_SLEEP               0xE6
#define ATA_CMD_FLUSH               0xE7
#define ATA_CMD_FLUSH_EXT           0xEA
#define ATA_CMD_IDENTIFY            0xEC
#define ATA_CMD_SET_FEATURES        0xEF

/* SET FEATURES subcommands (features register). */
#define ATA_SF_WCACHE_ON   0x02
#define ATA_SF_XFER_MODE   0x03
#define ATA_SF_WCACHE_OFF  0x82
#define ATA_SF_LOOKAHEAD_OFF 0x55
#define ATA_SF_REVERT_OFF  0x66
#define ATA_SF_LOOKAHEAD_ON 0xAA
#define ATA_SF_REVERT_ON   0xCC
/* Transfer mode values (sector count of SET FEATURES 03h). */
#define ATA_XFER_PIO_DEFAULT 0x00
#define ATA_XFER_PIO_NOIORDY 0x01
#define ATA_XFER_PIO         0x08 /* | mode 0-4 */
#define ATA_XFER_MWDMA       0x20 /* | mode 0-2 */
#define ATA_CHECK_POWER_ACTIVE 0xFF

#define IDE_SECTOR      512
#define IDE_MAX_MULT    16 /* sectors per DRQ block in multiple mode (IDENTIFY word 47) */
#define IDE_PIO_READAHEAD 256 /* sectors one PIO data-in disk read fetches: a whole LBA28 command */
#define IDE_HEADS       16
#define IDE_SPT         63
#define IDE_MAX_CYLS    16383
#define IDE_LBA28_MAX   0x0FFFFFFFULL

/* Bus master registers, 8 bytes per channel in BAR4. */
#define BM_REG_CMD      0
#define BM_REG_STATUS   2
#define BM_REG_PRD      4
#define BM_CHANNEL_REGS 8
#define BM_IO_SIZE      16
#define BM_CMD_START    0x01
#define BM_CMD_TO_MEM   0x08 /* device-to-memory transfer (a disk read) */
#define BM_ST_ACTIVE    0x01
#define BM_ST_ERROR     0x02
#define BM_ST_INTR      0x04
#define BM_ST_DMA0      0x20 /* drive 0 DMA capable (software-set) */
#define BM_ST_DMA1      0x40
#define BM_PRD_EOT      0x80000000u
#define BM_PRD_MAX      8192 /* a table lies in one 64 KiB region */
#define BM_PRD_COUNT_0  0x10000 /* a count of 0 means 64 KiB */

struct ide_drive {
	struct blk_backend *blk; /* NULL: no drive at this position */
	uint64_t sectors;
	uint16_t cyls;
	uint8_t status, error;
	uint8_t mult;   /* READ/WRITE MULTIPLE block size; 0 = multiple mode off */
	int8_t mwdma;   /* selected multiword DMA mode, -1 none */
	bool wcache;    /* write cache enabled (IDENTIFY word 85) */
	unsigned index; /* 0-3: serial number */
};

enum ide_xfer {
	IDE_XFER_NONE,
	IDE_XFER_PIO_IN,  /* device to host through the data port */
	IDE_XFER_PIO_OUT, /* host to device */
};

enum ide_io {
	IDE_IO_NONE,
	IDE_IO_PIO_READ,
	IDE_IO_PIO_WRITE,
	IDE_IO_DMA,
	IDE_IO_FLUSH,
};

struct ide_channel {
	pthread_mutex_t lock;
	struct ide_ctrl *ctrl;
	unsigned index;
	struct irq_line irq;
	struct ide_drive drives[IDE_UNITS];
	unsigned cur;  /* selected drive (device register bit 4) */
	unsigned unit; /* the drive the current command belongs to */

	/* Task file (both drives see host writes). */
	uint8_t feature, nsect, lbal, lbam, lbah, device;
	uint8_t hob_feature, hob_nsect, hob_lbal, hob_lbam, hob_lbah;
	uint8_t devctl;
	bool irq_pending;
	bool irq_level; /* what the line was last set to */

	/* PIO: the DRQ block in buf[pos..end), then xfer_left more sectors. Data-in reads up to
	 * IDE_PIO_READAHEAD sectors (whole DRQ blocks) into buf[0..fill) with one disk request and serves
	 * the blocks from there, as a drive's read-ahead does: one round trip through the I/O thread per
	 * fetch, not per block (SeaBIOS and polling drivers wait out each one). */
	enum ide_xfer xfer;
	uint8_t buf[IDE_PIO_READAHEAD * IDE_SECTOR];
	unsigned pos, end, fill;
	uint64_t xfer_lba;
	uint32_t xfer_left;
	unsigned xfer_block; /* sectors per DRQ block */

	/* One disk request at a time; a reset waits for it (reset_pending). */
	enum ide_io io;
	struct blk_req req;
	struct iovec pio_iov;
	bool reset_pending;

	/* Bus master DMA. */
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
	bool dma_pending;    /* a DMA command waits for the start bit */
	bool dma_write;      /* memory to disk */
	bool dma_prd_larger; /* leave Active set at the end */
	uint64_t dma_lba;
	uint32_t dma_count;  /* sectors */
	unsigned dma_niov, dma_next; /* iovecs built, first one not yet submitted */
	uint64_t dma_off;    /* disk offset of dma_iov[dma_next] */
	unsigned dma_chunk;  /* iovecs in the request in flight */
	uint64_t dma_chunk_bytes;
	struct iovec dma_iov[BM_PRD_MAX];
};

struct ide_ctrl {
	const struct guest_mem *mem;
	struct ide_channel ch[IDE_CHANNELS];
	atomic_ulong bad_accesses; /* ignored commands, odd widths, data without DRQ */
	atomic_ulong aborted;      /* commands ended with ERR */
};

/* irqs[i] is channel i's line (GSI 14/15). */
int ide_init(struct ide_ctrl *c, const struct guest_mem *mem, const struct irq_line irqs[IDE_CHANNELS],
	     struct err *e);
/* Put blk (owned from here on, closed by ide_destroy) at position idx:
 * 0 primary master, 1 primary slave, 2 secondary master, 3 secondary slave. */
int ide_attach_drive(struct ide_ctrl *c, unsigned idx, struct blk_backend *blk, struct err *e);
/* Closes the disks (waiting for requests in flight), then frees the locks. */
void ide_destroy(struct ide_ctrl *c);

/* Command block (IDE_CMD_PORTS) and control block (IDE_CTL_PORTS), opaque =
 * &c->ch[i]; bus master registers (BM_IO_SIZE), opaque = the controller. */
extern const struct bus_ops ide_cmd_ops;
extern const struct bus_ops ide_ctl_ops;
extern const struct bus_ops ide_bmdma_ops;

/* ---- shared by ide.c, ide_ata.c and ide_bmdma.c (channel lock held) ---- */
void ide_irq_raise(struct ide_channel *ch);
void ide_cmd_done(struct ide_channel *ch);             /* DRDY|DSC, IRQ */
void ide_cmd_abort(struct ide_channel *ch);            /* DRDY|ERR, ABRT, IRQ */
void ide_set_status(struct ide_channel *ch, uint8_t status);
void ide_exec(struct ide_channel *ch, uint8_t cmd);    /* ide_ata.c */
void ide_pio_data_done(struct ide_channel *ch);        /* ide_ata.c: buffer drained/filled */
void ide_identify(const struct ide_drive *d, uint16_t w[256]); /* ide_ata.c */
/* A DMA command's transfer: runs when the bus master is started (ide_bmdma.c). */
void ide_dma_begin(struct ide_channel *ch, bool write, uint64_t lba, uint32_t count);
/* A completed request (I/O thread, lock held): ide_ata.c or ide_bmdma.c. */
void ide_pio_io_done(struct ide_channel *ch, bool write, int64_t res);
void ide_dma_io_done(struct ide_channel *ch, int64_t res);
/* Start a disk request for the channel (ide.c); 0 or -errno. */
int ide_submit(struct ide_channel *ch, enum ide_io io, enum blk_op op, struct iovec *iov,
	       unsigned niov, uint64_t offset);

#endif
