/* test_modes_ide.c: the IDE controller on a temporary disk image: reset and
 * signature, IDENTIFY, PIO and DMA transfers, address checks, PRD tables with
 * bad entries. An evloop of the test's own stands in for the VM's I/O thread. */
#include <check.h>
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/layout.h"
#include "modes/full/ide.h"

#define DISK_SECTORS 2048 /* 1 MiB */
#define PRD_TABLE    0x10000ULL
#define DMA_BUF      0x20000ULL

struct irq_rec {
	int level;
	unsigned raises;
};

static void irq_set(void *ctx, unsigned gsi, int level)
{
	struct irq_rec *r = ctx;
	(void)gsi;
	if (level && !r->level)
		r->raises++;
	r->level = level;
}

static char path[64];
static struct evloop loop;
static struct guest_mem mem;
static struct ide_ctrl ide;
static struct irq_rec irqs[IDE_CHANNELS];
static struct ide_channel *ch;

static uint8_t pattern(uint64_t sector, unsigned i)
{
	return (uint8_t)(sector * 13 + i * 3 + (sector >> 8));
}

static void make_disk(void)
{
	snprintf(path, sizeof(path), "/tmp/vmm-ide-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	uint8_t sec[IDE_SECTOR];
	for (uint64_t s = 0; s < DISK_SECTORS; s++) {
		for (unsigned i = 0; i < IDE_SECTOR; i++)
			sec[i] = pattern(s, i);
		ck_assert_int_eq(pwrite(fd, sec, sizeof(sec), (off_t)(s * IDE_SECTOR)), IDE_SECTOR);
	}
	close(fd);
}

static void attach(unsigned idx, bool ro)
{
	struct err e = { 0 };
	struct blk_backend *b;
	ck_assert_msg(blk_open(&b, path, ro, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(blk_attach(b, &loop, &e), 0);
	ck_assert_int_eq(ide_attach_drive(&ide, idx, b, &e), 0);
}

static void setup_common(bool ro)
{
	struct err e = { 0 };
	make_disk();
	memset(irqs, 0, sizeof(irqs));
	ck_assert_int_eq(mem_init(&mem, MEM_MIN_SIZE, &e), 0);
	ck_assert_int_eq(evloop_init(&loop, &e), 0);
	struct irq_line lines[IDE_CHANNELS] = {
		{ .set = irq_set, .ctx = &irqs[0], .gsi = IDE_PRIMARY_IRQ },
		{ .set = irq_set, .ctx = &irqs[1], .gsi = IDE_SECONDARY_IRQ },
	};
	ck_assert_int_eq(ide_init(&ide, &mem, lines, &e), 0);
	attach(0, ro);
	ck_assert_int_eq(evloop_start(&loop, &e), 0);
	ch = &ide.ch[0];
}

static void setup(void)
{
	setup_common(false);
}

static void setup_ro(void)
{
	setup_common(true);
}

static void teardown(void)
{
	evloop_stop(&loop);
	ide_destroy(&ide);
	evloop_destroy(&loop);
	mem_destroy(&mem);
	unlink(path);
}

static void outb(unsigned reg, uint8_t v)
{
	ide_cmd_ops.write(ch, reg, 1, v);
}

static uint8_t inb(unsigned reg)
{
	return (uint8_t)ide_cmd_ops.read(ch, reg, 1);
}

static uint8_t altstatus(void)
{
	return (uint8_t)ide_ctl_ops.read(ch, 0, 1);
}

static void devctl(uint8_t v)
{
	ide_ctl_ops.write(ch, 0, 1, v);
}

static uint16_t inw_data(void)
{
	return (uint16_t)ide_cmd_ops.read(ch, ATA_REG_DATA, 2);
}

/* Poll the alternate status until BSY clears (the I/O thread completes). */
static uint8_t wait_ready(void)
{
	for (int i = 0; i < 5000; i++) {
		uint8_t s = altstatus();
		if (!(s & ATA_SR_BSY))
			return s;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("drive stayed busy");
	return 0;
}

/* Give the I/O thread up to 20 ms to finish what is in flight. */
static void settle(void)
{
	for (int i = 0; i < 20 && (altstatus() & ATA_SR_BSY); i++) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
}

static void task_lba28(uint32_t lba, uint8_t count)
{
	outb(ATA_REG_NSECT, count);
	outb(ATA_REG_LBAL, (uint8_t)lba);
	outb(ATA_REG_LBAM, (uint8_t)(lba >> 8));
	outb(ATA_REG_LBAH, (uint8_t)(lba >> 16));
	outb(ATA_REG_DEVICE, (uint8_t)(ATA_DEV_LBA | ((lba >> 24) & 0x0F)));
}

static void task_lba48(uint64_t lba, uint16_t count)
{
	outb(ATA_REG_NSECT, (uint8_t)(count >> 8));
	outb(ATA_REG_LBAL, (uint8_t)(lba >> 24));
	outb(ATA_REG_LBAM, (uint8_t)(lba >> 32));
	outb(ATA_REG_LBAH, (uint8_t)(lba >> 40));
	outb(ATA_REG_NSECT, (uint8_t)count);
	outb(ATA_REG_LBAL, (uint8_t)lba);
	outb(ATA_REG_LBAM, (uint8_t)(lba >> 8));
	outb(ATA_REG_LBAH, (uint8_t)(lba >> 16));
	outb(ATA_REG_DEVICE, ATA_DEV_LBA);
}

static void expect_abort(void)
{
	uint8_t s = wait_ready();
	ck_assert_uint_eq(s & (ATA_SR_ERR | ATA_SR_DRQ), ATA_SR_ERR);
	ck_assert_uint_eq(inb(ATA_REG_ERROR), ATA_ER_ABRT);
}

static void file_sector(uint64_t s, uint8_t *out)
{
	int fd = open(path, O_RDONLY);
	ck_assert_int_eq(pread(fd, out, IDE_SECTOR, (off_t)(s * IDE_SECTOR)), IDE_SECTOR);
	close(fd);
}

START_TEST(test_signature_after_reset)
{
	ck_assert_uint_eq(inb(ATA_REG_STATUS), ATA_SR_DRDY | ATA_SR_DSC);
	outb(ATA_REG_NSECT, 0x55);
	outb(ATA_REG_LBAL, 0xAA);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 0x55); /* SeaBIOS's presence check */
	ck_assert_uint_eq(inb(ATA_REG_LBAL), 0xAA);
	devctl(ATA_CTL_SRST | ATA_CTL_NIEN);
	ck_assert_uint_eq(altstatus() & ATA_SR_BSY, ATA_SR_BSY);
	outb(ATA_REG_DEVICE, ATA_DEV_SLAVE);
	devctl(ATA_CTL_NIEN);
	ck_assert_uint_eq(inb(ATA_REG_DEVICE) & ATA_DEV_SLAVE, 0); /* master selected */
	ck_assert_uint_eq(inb(ATA_REG_STATUS), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(inb(ATA_REG_ERROR), ATA_ER_DIAG_PASSED);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 1);
	ck_assert_uint_eq(inb(ATA_REG_LBAL), 1);
	ck_assert_uint_eq(inb(ATA_REG_LBAM), 0);
	ck_assert_uint_eq(inb(ATA_REG_LBAH), 0);
	/* The absent slave reads 0 and ignores commands. */
	outb(ATA_REG_DEVICE, ATA_DEV_SLAVE);
	ck_assert_uint_eq(inb(ATA_REG_STATUS), 0);
	ck_assert_uint_eq(altstatus(), 0);
	unsigned long bad = atomic_load(&ide.bad_accesses);
	outb(ATA_REG_STATUS, ATA_CMD_IDENTIFY);
	ck_assert_uint_eq(atomic_load(&ide.bad_accesses), bad + 1);
	/* An empty channel reads 0 too. */
	ck_assert_uint_eq(ide_cmd_ops.read(&ide.ch[1], ATA_REG_STATUS, 1), 0);
}
END_TEST

START_TEST(test_identify)
{
	outb(ATA_REG_DEVICE, 0);
	outb(ATA_REG_STATUS, ATA_CMD_IDENTIFY);
	ck_assert_int_eq(irqs[0].level, 1);
	ck_assert_uint_eq(altstatus(), ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
	ck_assert_int_eq(irqs[0].level, 1); /* the alternate status leaves the IRQ */
	ck_assert_uint_eq(inb(ATA_REG_STATUS) & ATA_SR_DRQ, ATA_SR_DRQ);
	ck_assert_int_eq(irqs[0].level, 0); /* the status read acknowledges it */
	uint16_t w[256];
	for (unsigned i = 0; i < 256; i++)
		w[i] = inw_data();
	ck_assert_uint_eq(inb(ATA_REG_STATUS), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(w[0], 0x0040);
	ck_assert_uint_eq(w[1], DISK_SECTORS / (IDE_HEADS * IDE_SPT));
	ck_assert_uint_eq(w[3], IDE_HEADS);
	ck_assert_uint_eq(w[6], IDE_SPT);
	ck_assert_uint_eq(w[47], 0x8000 | IDE_MAX_MULT);
	ck_assert_uint_eq(w[49] & (1 << 9), 1 << 9);
	ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, DISK_SECTORS);
	ck_assert_uint_eq(w[83] & (1 << 10 | 1 << 12 | 1 << 13), 1 << 10 | 1 << 12 | 1 << 13);
	ck_assert_uint_eq(w[100] | (uint64_t)w[101] << 16, DISK_SECTORS);
	ck_assert_uint_eq(w[27], ('A' << 8) | 'T'); /* "ATA HARDDISK", byte-swapped words */
	ck_assert_uint_eq(w[28], ('A' << 8) | ' ');
	/* With nIEN the line stays low. */
	devctl(ATA_CTL_NIEN);
	outb(ATA_REG_STATUS, ATA_CMD_IDENTIFY);
	ck_assert_int_eq(irqs[0].level, 0);
	/* A command while DRQ is up is ignored. */
	unsigned long bad = atomic_load(&ide.bad_accesses);
	outb(ATA_REG_STATUS, ATA_CMD_FLUSH);
	ck_assert_uint_eq(atomic_load(&ide.bad_accesses), bad + 1);
	/* 32-bit data reads work too. */
	uint32_t first = (uint32_t)ide_cmd_ops.read(ch, ATA_REG_DATA, 4);
	ck_assert_uint_eq(first & 0xFFFF, 0x0040);
}
END_TEST

START_TEST(test_identify_packet_and_unknown_abort)
{
	outb(ATA_REG_STATUS, ATA_CMD_IDENTIFY_PACKET);
	ck_assert_uint_eq(inb(ATA_REG_STATUS), ATA_SR_DRDY | ATA_SR_ERR);
	ck_assert_uint_eq(inb(ATA_REG_ERROR), ATA_ER_ABRT);
	outb(ATA_REG_STATUS, 0xFF);
	expect_abort();
	ck_assert_uint_eq(atomic_load(&ide.aborted), 2);
}
END_TEST

START_TEST(test_pio_read_sectors)
{
	/* Three sectors from LBA 5, one DRQ block each, mixed 16/32-bit reads. */
	task_lba28(5, 3);
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	for (uint64_t s = 5; s < 8; s++) {
		uint8_t st = wait_ready();
		ck_assert_uint_eq(st, ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
		ck_assert_int_eq(irqs[0].level, 1);
		inb(ATA_REG_STATUS);
		for (unsigned i = 0; i < IDE_SECTOR; i += 4) {
			uint32_t v = (uint32_t)ide_cmd_ops.read(ch, ATA_REG_DATA, (i / 4) % 2 ? 4 : 2);
			ck_assert_uint_eq(v & 0xFF, pattern(s, i));
			ck_assert_uint_eq((v >> 8) & 0xFF, pattern(s, i + 1));
			if ((i / 4) % 2) {
				ck_assert_uint_eq((v >> 16) & 0xFF, pattern(s, i + 2));
			} else {
				uint16_t hi = inw_data();
				ck_assert_uint_eq(hi & 0xFF, pattern(s, i + 2));
			}
		}
	}
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(irqs[0].raises, 3);
	/* Data reads without DRQ give 0 and are counted. */
	unsigned long bad = atomic_load(&ide.bad_accesses);
	ck_assert_uint_eq(inw_data(), 0);
	ck_assert_uint_eq(atomic_load(&ide.bad_accesses), bad + 1);
}
END_TEST

START_TEST(test_pio_write_multiple_then_read_ext)
{
	outb(ATA_REG_NSECT, 4);
	outb(ATA_REG_STATUS, ATA_CMD_SET_MULTIPLE);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	/* Six sectors at LBA 100: a 4-sector block, then a 2-sector block. */
	task_lba48(100, 6);
	outb(ATA_REG_STATUS, ATA_CMD_WRITE_MULTIPLE_EXT);
	unsigned written = 0;
	unsigned blocks = 0;
	while (written < 6) {
		uint8_t st = wait_ready();
		ck_assert_uint_eq(st & ATA_SR_DRQ, ATA_SR_DRQ);
		unsigned n = 6 - written < 4 ? 6 - written : 4;
		for (unsigned i = 0; i < n * IDE_SECTOR; i += 2)
			ide_cmd_ops.write(ch, ATA_REG_DATA, 2, (uint16_t)(0xA000 + written * 1000 + i));
		written += n;
		blocks++;
	}
	ck_assert_uint_eq(blocks, 2);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	uint8_t sec[IDE_SECTOR];
	file_sector(104, sec);
	ck_assert_uint_eq(sec[0] | sec[1] << 8, (uint16_t)(0xA000 + 4 * 1000 + 0));
	ck_assert_uint_eq(sec[2] | sec[3] << 8, (uint16_t)(0xA000 + 4 * 1000 + 2));
	file_sector(106, sec);
	ck_assert_uint_eq(sec[0], pattern(106, 0)); /* untouched */
	/* Read the same range back through READ SECTORS EXT. */
	task_lba48(100, 6);
	outb(ATA_REG_STATUS, ATA_CMD_READ_EXT);
	for (unsigned s = 0; s < 6; s++) {
		ck_assert_uint_eq(wait_ready() & ATA_SR_DRQ, ATA_SR_DRQ);
		for (unsigned i = 0; i < IDE_SECTOR; i += 2) {
			unsigned blk = s < 4 ? 0 : 4;
			ck_assert_uint_eq(inw_data(),
					  (uint16_t)(0xA000 + blk * 1000 + (s - blk) * IDE_SECTOR + i));
		}
	}
	/* SET MULTIPLE accepts only powers of two up to 16; 0 turns it off. */
	outb(ATA_REG_NSECT, 3);
	outb(ATA_REG_STATUS, ATA_CMD_SET_MULTIPLE);
	expect_abort();
	outb(ATA_REG_NSECT, 0);
	outb(ATA_REG_STATUS, ATA_CMD_SET_MULTIPLE);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	task_lba28(0, 1);
	outb(ATA_REG_STATUS, ATA_CMD_READ_MULTIPLE);
	expect_abort();
}
END_TEST

static void file_poke_sector(uint64_t s, uint8_t v)
{
	uint8_t sec[IDE_SECTOR];
	memset(sec, v, sizeof(sec));
	int fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, sec, sizeof(sec), (off_t)(s * IDE_SECTOR)), IDE_SECTOR);
	close(fd);
}

/* PIO data-in reads ahead: one disk request fetches up to IDE_PIO_READAHEAD sectors, and the blocks after
 * the first come from it with no BSY round trip. The file changes under a running command tell when each
 * sector was fetched: inside the first fetch the old data, past it the new. */
START_TEST(test_pio_read_ahead)
{
	const uint64_t first = 10, inside = first + 20, past = first + IDE_PIO_READAHEAD + 5;
	const unsigned count = IDE_PIO_READAHEAD + 44;
	task_lba48(first, (uint16_t)count);
	outb(ATA_REG_STATUS, ATA_CMD_READ_EXT);
	ck_assert_uint_eq(wait_ready() & ATA_SR_DRQ, ATA_SR_DRQ);
	file_poke_sector(inside, 0xEE);
	file_poke_sector(past, 0xEE);
	for (uint64_t s = first; s < first + count; s++) {
		if (s == first + 1)
			/* The second block is there at once: no BSY, no wait. */
			ck_assert_uint_eq(altstatus(), ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
		ck_assert_uint_eq(wait_ready() & (ATA_SR_DRQ | ATA_SR_ERR), ATA_SR_DRQ);
		ck_assert_int_eq(irqs[0].level, 1); /* each DRQ block interrupts */
		inb(ATA_REG_STATUS);
		for (unsigned i = 0; i < IDE_SECTOR; i += 2) {
			uint16_t w = inw_data();
			uint8_t lo = s == past ? 0xEE : pattern(s, i), hi = s == past ? 0xEE : pattern(s, i + 1);
			ck_assert_msg(w == (uint16_t)(lo | hi << 8), "sector %lu word %u: 0x%04x, expected 0x%04x",
				      (unsigned long)s, i / 2, w, (unsigned)(lo | hi << 8));
		}
	}
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(irqs[0].raises, count);
	/* READ MULTIPLE: 16-sector blocks from the same fetch. */
	outb(ATA_REG_NSECT, IDE_MAX_MULT);
	outb(ATA_REG_STATUS, ATA_CMD_SET_MULTIPLE);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	task_lba28((uint32_t)first, 48);
	outb(ATA_REG_STATUS, ATA_CMD_READ_MULTIPLE);
	ck_assert_uint_eq(wait_ready() & ATA_SR_DRQ, ATA_SR_DRQ);
	for (uint64_t s = first; s < first + 48; s++) {
		if (s > first && (s - first) % IDE_MAX_MULT == 0)
			ck_assert_uint_eq(altstatus(), ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ);
		uint16_t w = inw_data();
		uint8_t lo = s == inside ? 0xEE : pattern(s, 0), hi = s == inside ? 0xEE : pattern(s, 1);
		ck_assert_uint_eq(w, (uint16_t)(lo | hi << 8));
		for (unsigned i = 2; i < IDE_SECTOR; i += 2)
			inw_data();
	}
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
}
END_TEST

START_TEST(test_bad_addresses)
{
	/* The range runs one sector past the end. */
	task_lba28(DISK_SECTORS - 1, 2);
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	expect_abort();
	ck_assert_int_eq(irqs[0].level, 1);
	task_lba48(DISK_SECTORS, 1);
	outb(ATA_REG_STATUS, ATA_CMD_READ_EXT);
	expect_abort();
	task_lba48(1ULL << 40, 1);
	outb(ATA_REG_STATUS, ATA_CMD_WRITE_DMA_EXT);
	expect_abort();
	/* CHS: sector numbers start at 1. */
	outb(ATA_REG_NSECT, 1);
	outb(ATA_REG_LBAL, 0);
	outb(ATA_REG_LBAM, 0);
	outb(ATA_REG_LBAH, 0);
	outb(ATA_REG_DEVICE, 0);
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	expect_abort();
	/* CHS 0/0/2 is LBA 1. */
	outb(ATA_REG_LBAL, 2);
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	ck_assert_uint_eq(wait_ready() & ATA_SR_DRQ, ATA_SR_DRQ);
	ck_assert_uint_eq(inw_data() & 0xFF, pattern(1, 0));
	ck_assert_uint_gt(atomic_load(&ide.aborted), 3);
}
END_TEST

START_TEST(test_hob_readback)
{
	outb(ATA_REG_NSECT, 0x12);
	outb(ATA_REG_NSECT, 0x34);
	outb(ATA_REG_LBAH, 0x56);
	outb(ATA_REG_LBAH, 0x78);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 0x34);
	devctl(ATA_CTL_HOB);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 0x12);
	ck_assert_uint_eq(inb(ATA_REG_LBAH), 0x56);
	outb(ATA_REG_LBAL, 0); /* any command-block write clears HOB */
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 0x34);
}
END_TEST

static void prd(unsigned i, uint32_t addr, uint32_t count, bool eot)
{
	uint32_t ent[2] = { htole32(addr), htole32((count & 0xFFFF) | (eot ? BM_PRD_EOT : 0)) };
	ck_assert_int_eq(mem_write(&mem, PRD_TABLE + 8 * i, ent, sizeof(ent)), 0);
}

static void bm_setup(uint32_t table)
{
	ide_bmdma_ops.write(&ide, BM_REG_STATUS, 1, BM_ST_ERROR | BM_ST_INTR);
	ide_bmdma_ops.write(&ide, BM_REG_PRD, 4, table);
}

static void bm_start(bool to_mem)
{
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, BM_CMD_START | (to_mem ? BM_CMD_TO_MEM : 0));
}

static uint8_t bm_status(void)
{
	return (uint8_t)ide_bmdma_ops.read(&ide, BM_REG_STATUS, 1);
}

START_TEST(test_dma_read_and_write)
{
	/* Eight sectors from LBA 40 into two PRD entries (1 KiB + 3 KiB). */
	prd(0, DMA_BUF, 1024, false);
	prd(1, DMA_BUF + 0x3000, 3072, true);
	bm_setup(PRD_TABLE);
	task_lba28(40, 8);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_int_eq(irqs[0].level, 1);
	ck_assert_uint_eq(bm_status(), BM_ST_INTR); /* exact fit: Active clear */
	const uint8_t *a = gpa_to_hva(&mem, DMA_BUF, 1024), *b = gpa_to_hva(&mem, DMA_BUF + 0x3000, 3072);
	ck_assert_uint_eq(a[0], pattern(40, 0));
	ck_assert_uint_eq(a[1023], pattern(41, 511));
	ck_assert_uint_eq(b[0], pattern(42, 0));
	ck_assert_uint_eq(b[3071], pattern(47, 511));
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	inb(ATA_REG_STATUS);
	/* Write them to LBA 200 with the bus master started first. */
	bm_setup(PRD_TABLE);
	bm_start(false);
	ck_assert_uint_eq(bm_status() & BM_ST_ACTIVE, BM_ST_ACTIVE);
	task_lba28(200, 8);
	outb(ATA_REG_STATUS, ATA_CMD_WRITE_DMA);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(bm_status(), BM_ST_INTR);
	uint8_t sec[IDE_SECTOR];
	file_sector(202, sec);
	ck_assert_uint_eq(sec[0], pattern(42, 0));
	file_sector(207, sec);
	ck_assert_uint_eq(sec[511], pattern(47, 511));
	/* A zero count is 64 KiB: 128 sectors in one entry. */
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	prd(0, DMA_BUF, 0, true);
	bm_setup(PRD_TABLE);
	task_lba28(0, 128);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(bm_status(), BM_ST_INTR);
	ck_assert_uint_eq(((uint8_t *)gpa_to_hva(&mem, DMA_BUF, 0x10000))[0xFFFF], pattern(127, 511));
}
END_TEST

START_TEST(test_prd_bad_entries)
{
	/* An entry outside RAM: BM error, the command aborts. */
	prd(0, DMA_BUF, 512, false);
	prd(1, (uint32_t)MEM_MIN_SIZE, 512, true);
	bm_setup(PRD_TABLE);
	task_lba28(0, 2);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	expect_abort();
	ck_assert_uint_eq(bm_status(), BM_ST_ERROR | BM_ST_INTR);
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	/* An entry that runs past the end of RAM, though only its start is used. */
	prd(0, (uint32_t)MEM_MIN_SIZE - 512, 1024, true);
	bm_setup(PRD_TABLE);
	task_lba28(0, 1);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	expect_abort();
	ck_assert_uint_eq(bm_status(), BM_ST_ERROR | BM_ST_INTR);
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	/* The table itself outside RAM. */
	bm_setup((uint32_t)MEM_MIN_SIZE);
	task_lba28(0, 1);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	expect_abort();
	ck_assert_uint_eq(bm_status() & BM_ST_ERROR, BM_ST_ERROR);
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	/* A table without an end that runs off the end of RAM. */
	for (unsigned i = 0; i < 8; i++) {
		uint32_t ent[2] = { htole32(DMA_BUF), htole32(512) };
		ck_assert_int_eq(mem_write(&mem, MEM_MIN_SIZE - 64 + 8 * i, ent, sizeof(ent)), 0);
	}
	bm_setup((uint32_t)MEM_MIN_SIZE - 64);
	task_lba28(0, 16);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	expect_abort();
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	inb(ATA_REG_STATUS);
	/* A table shorter than the transfer: both Active and Interrupt clear,
	 * no IRQ, nothing moved. */
	memset(gpa_to_hva(&mem, DMA_BUF, 1024), 0xEE, 1024);
	prd(0, DMA_BUF, 512, true);
	bm_setup(PRD_TABLE);
	task_lba28(0, 2);
	unsigned raises = irqs[0].raises;
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(bm_status(), 0);
	ck_assert_uint_eq(irqs[0].raises, raises);
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&mem, DMA_BUF, 1), 0xEE);
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	/* A table larger than the transfer: Interrupt set, Active stays. */
	prd(0, DMA_BUF, 4096, true);
	bm_setup(PRD_TABLE);
	task_lba28(3, 1);
	outb(ATA_REG_STATUS, ATA_CMD_READ_DMA);
	bm_start(true);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(bm_status(), BM_ST_ACTIVE | BM_ST_INTR);
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&mem, DMA_BUF, 1), pattern(3, 0));
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&mem, DMA_BUF + 512, 1), 0xEE);
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	ck_assert_uint_eq(bm_status(), BM_ST_INTR); /* stopping clears Active */
	/* The PRD pointer is dword aligned. */
	ide_bmdma_ops.write(&ide, BM_REG_PRD, 4, 0x12345677);
	ck_assert_uint_eq(ide_bmdma_ops.read(&ide, BM_REG_PRD, 4), 0x12345674);
}
END_TEST

START_TEST(test_flush_and_features)
{
	outb(ATA_REG_STATUS, ATA_CMD_FLUSH_EXT);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_int_eq(irqs[0].level, 1);
	inb(ATA_REG_STATUS);
	/* MWDMA 2 is selected and shows in IDENTIFY word 63; UDMA is refused. */
	outb(ATA_REG_ERROR, ATA_SF_XFER_MODE);
	outb(ATA_REG_NSECT, ATA_XFER_MWDMA | 2);
	outb(ATA_REG_STATUS, ATA_CMD_SET_FEATURES);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	outb(ATA_REG_NSECT, 0x40 | 2);
	outb(ATA_REG_STATUS, ATA_CMD_SET_FEATURES);
	expect_abort();
	outb(ATA_REG_ERROR, ATA_SF_WCACHE_OFF);
	outb(ATA_REG_STATUS, ATA_CMD_SET_FEATURES);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	outb(ATA_REG_STATUS, ATA_CMD_IDENTIFY);
	uint16_t w[256];
	for (unsigned i = 0; i < 256; i++)
		w[i] = inw_data();
	ck_assert_uint_eq(w[63], 0x0407);
	ck_assert_uint_eq(w[85] & (1 << 5), 0);
	outb(ATA_REG_STATUS, ATA_CMD_CHECK_POWER);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), ATA_CHECK_POWER_ACTIVE);
}
END_TEST

START_TEST(test_reset_during_io)
{
	/* Reset right after a read starts (usually while it is in flight): the
	 * drive stays busy until the request comes back, then shows the
	 * signature, and the read's data phase is gone. */
	task_lba28(0, 16);
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	devctl(ATA_CTL_SRST);
	devctl(0);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 1);
	ck_assert_uint_eq(inb(ATA_REG_LBAL), 1);
	ck_assert_uint_eq(inw_data(), 0); /* no data phase any more */
}
END_TEST

START_TEST(test_read_only_refuses_writes)
{
	task_lba28(0, 1);
	outb(ATA_REG_STATUS, ATA_CMD_WRITE);
	expect_abort();
	prd(0, DMA_BUF, 512, true);
	bm_setup(PRD_TABLE);
	outb(ATA_REG_STATUS, ATA_CMD_WRITE_DMA);
	expect_abort();
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	ck_assert_uint_eq(wait_ready() & ATA_SR_DRQ, ATA_SR_DRQ);
}
END_TEST

/* A hostile guest: random register traffic, random PRD tables and bus-master
 * commands (fixed seed). Nothing may crash or reach outside RAM (ASan/UBSan
 * builds check that), and a software reset must bring back a working drive. */
START_TEST(test_random_traffic_then_reset)
{
	static const uint8_t cmds[] = {
		ATA_CMD_IDENTIFY, ATA_CMD_READ, ATA_CMD_WRITE, ATA_CMD_READ_EXT, ATA_CMD_WRITE_EXT,
		ATA_CMD_READ_MULTIPLE, ATA_CMD_WRITE_MULTIPLE, ATA_CMD_SET_MULTIPLE,
		ATA_CMD_READ_DMA, ATA_CMD_WRITE_DMA, ATA_CMD_READ_DMA_EXT, ATA_CMD_WRITE_DMA_EXT,
		ATA_CMD_FLUSH, ATA_CMD_SET_FEATURES, ATA_CMD_VERIFY_EXT, 0x5A,
	};
	uint32_t x = 12345;
	bool srst = false;
	for (unsigned i = 0; i < 16; i++)
		prd(i, (uint32_t)(DMA_BUF + i * 0x1000), 0x1000, i == 15);
	for (unsigned n = 0; n < 10000; n++) {
		x = x * 1103515245u + 12345u;
		uint32_t r = x >> 8;
		unsigned what = r % 16, reg = 1 + (r >> 4) % 6;
		uint8_t v = (uint8_t)(r >> 8);
		switch (what) {
		case 0: case 1: case 2:
			/* Small sector counts and LBAs near the start keep transfers short. */
			outb(reg, reg == ATA_REG_DEVICE ? (v & 0x50) | ATA_DEV_LBA
				  : reg == ATA_REG_NSECT ? v % 20 : v % 8);
			break;
		case 3:
			outb(ATA_REG_STATUS, cmds[(r >> 12) % sizeof(cmds)]);
			if ((r >> 16) & 1) /* often straight into a DMA transfer */
				ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, BM_CMD_START | (v & BM_CMD_TO_MEM));
			if (((r >> 17) & 1) && !srst) /* and often let it finish */
				settle();
			break;
		case 4: case 5:
			for (unsigned k = (r >> 12) % 300; k > 0; k--)
				ide_cmd_ops.read(ch, ATA_REG_DATA, (r >> 20) & 1 ? 4 : 2);
			break;
		case 6:
			for (unsigned k = (r >> 12) % 300; k > 0; k--)
				ide_cmd_ops.write(ch, ATA_REG_DATA, 2, k);
			break;
		case 7:
			srst = (r >> 12) % 4 == 0;
			devctl(srst ? ATA_CTL_SRST : v & (ATA_CTL_NIEN | ATA_CTL_HOB));
			break;
		case 8: case 9:
			ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, v & (BM_CMD_START | BM_CMD_TO_MEM));
			break;
		case 10:
			ide_bmdma_ops.write(&ide, BM_REG_STATUS, 1, v);
			break;
		case 11:
			/* The PRD pointer at our table, at random RAM, or outside RAM. */
			ide_bmdma_ops.write(&ide, BM_REG_PRD, 4,
					    (r >> 12) % 4 ? (uint32_t)PRD_TABLE : x);
			break;
		case 12:
			/* An entry anywhere, of any size, maybe the end of the table. */
			prd((r >> 12) % 16, (r >> 14) % 4 ? (uint32_t)(DMA_BUF + (x & 0xFFFFF)) : x,
			    x >> 16, (r >> 13) & 1);
			break;
		default:
			inb(ATA_REG_STATUS);
			altstatus();
			break;
		}
	}
	ck_assert_uint_gt(atomic_load(&ide.aborted), 10);
	/* Let whatever is in flight finish, then reset and use the drive. */
	devctl(ATA_CTL_SRST);
	devctl(0);
	ck_assert_uint_eq(wait_ready(), ATA_SR_DRDY | ATA_SR_DSC);
	ck_assert_uint_eq(inb(ATA_REG_NSECT), 1);
	ide_bmdma_ops.write(&ide, BM_REG_CMD, 1, 0);
	task_lba28(9, 1);
	outb(ATA_REG_STATUS, ATA_CMD_READ);
	ck_assert_uint_eq(wait_ready() & ATA_SR_DRQ, ATA_SR_DRQ);
	uint8_t sec[IDE_SECTOR]; /* the random writes may have changed it */
	file_sector(9, sec);
	ck_assert_uint_eq(inw_data(), sec[0] | sec[1] << 8);
}
END_TEST

static Suite *ide_suite(void)
{
	Suite *s = suite_create("ide");
	TCase *tc = tcase_create("rw");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_signature_after_reset);
	tcase_add_test(tc, test_identify);
	tcase_add_test(tc, test_identify_packet_and_unknown_abort);
	tcase_add_test(tc, test_pio_read_sectors);
	tcase_add_test(tc, test_pio_write_multiple_then_read_ext);
	tcase_add_test(tc, test_pio_read_ahead);
	tcase_add_test(tc, test_bad_addresses);
	tcase_add_test(tc, test_hob_readback);
	tcase_add_test(tc, test_dma_read_and_write);
	tcase_add_test(tc, test_prd_bad_entries);
	tcase_add_test(tc, test_flush_and_features);
	tcase_add_test(tc, test_reset_during_io);
	tcase_add_test(tc, test_random_traffic_then_reset);
	suite_add_tcase(s, tc);
	tc = tcase_create("ro");
	tcase_add_checked_fixture(tc, setup_ro, teardown);
	tcase_add_test(tc, test_read_only_refuses_writes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ide_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
