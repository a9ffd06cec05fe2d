/* virtio.c: drives virtio-blk, -rng and -console through the guest's own virtio 1.2 driver and checks what they do.
 *
 * Command line: sectors=N (expected capacity), need=blk,rng,console (devices
 * that must be present; default all three), indirect=0 / event_idx=0 (do not
 * negotiate those features), pci_fresh=1 (zero the virtio devices' BARs
 * first, so the guest places them itself even under firmware), tsc_khz=N.
 * The disk must be writable; the guest leaves FINAL_PATTERN in sector
 * FINAL_SECTOR for the host to check (tests/integration/virtio-disk.sh).
 */
#include "lib/guest.h"
#include "lib/irq.h"
#include "lib/pmem.h"
#include "lib/tsc.h"
#include "lib/virtio_blk.h"

/* Where the read/write checks happen (sectors 64..75) and the final mark. */
#define TEST_SECTOR   64
#define TEST_SECTORS  12
#define FINAL_SECTOR  2048
#define FINAL_PATTERN "virtio-blk-test\n" /* 16 bytes, repeated over the sector */
#define CONSOLE_LINE  "virtio-console: hello from the virtio guest\n"

#define BLK_MSIX_QUEUE  0
#define BLK_MSIX_CONFIG 1
#define BLK_VECTOR_QUEUE  0x30
#define BLK_VECTOR_CONFIG 0x31
#define BLK_QUEUE_SIZE    128
#define SMALL_QUEUE_SIZE  8
#define RNG_BYTES         64
#define REQ_TIMEOUT_MS    5000
#define IRQ_TIMEOUT_MS    1000

static int failures;
static uint64_t timeout;

static void check(bool ok, const char *what)
{
	if (!ok) {
		printf("virtio: FAIL: %s\n", what);
		failures++;
	}
}

/* Sector s's expected contents: 64 words from s and the word index. */
static void pattern_fill(uint64_t *p, uint64_t sector, unsigned nsect)
{
	for (unsigned s = 0; s < nsect; s++)
		for (unsigned k = 0; k < VIRTIO_BLK_SECTOR / 8; k++)
			*p++ = ((sector + s) * 0x100000001B3ull) ^ ((k + 1) * 0x9E3779B97F4A7C15ull);
}

/* Word compare: byte loops cost too much at CPL0 on PVM hosts. Reports the
 * first difference. */
static bool words_equal(const uint64_t *got, const uint64_t *want, size_t words)
{
	for (size_t i = 0; i < words; i++) {
		if (got[i] != want[i]) {
			printf("virtio: first difference at byte %lu: got %016lx want %016lx\n", (unsigned long)(i * 8),
			       got[i], want[i]);
			return false;
		}
	}
	return true;
}

static bool blk_used_ready(void *arg)
{
	return virtq_has_used(arg);
}

struct irq_wait {
	unsigned vector;
	uint32_t before;
};

static bool irq_arrived(void *arg)
{
	const struct irq_wait *w = arg;
	return irq_count(w->vector) != w->before;
}

static const char *status_name(int st)
{
	switch (st) {
	case VIRTIO_BLK_S_OK: return "OK";
	case VIRTIO_BLK_S_IOERR: return "IOERR";
	case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
	case VBLK_STATUS_UNSET: return "status never written";
	case VBLK_TIMEOUT: return "timeout";
	case VBLK_NO_SPACE: return "queue full";
	case VBLK_WRONG_ID: return "wrong used id";
	default: return "bad status value";
	}
}

static bool req_ok(const char *what, int st)
{
	if (st == VIRTIO_BLK_S_OK)
		return true;
	printf("virtio: FAIL: blk %s: %s (%d)\n", what, status_name(st), st);
	failures++;
	return false;
}

static struct vblk blk;

/* The read-back request, waited for with sti; hlt: proves the queue's MSI-X
 * vector reaches the CPU. */
static void blk_read_with_irq(struct vblk_req *r, uint64_t *buf)
{
	struct virtq_buf d[2] = {
		{ (uintptr_t)buf, 4096, true },
		{ (uintptr_t)buf + 4096, TEST_SECTORS * VIRTIO_BLK_SECTOR - 4096, true },
	};
	virtq_want_irq(&blk.q, true);
	irq_drain(); /* completions polled earlier may have left one pending */
	uint32_t before = irq_count(BLK_VECTOR_QUEUE);
	int head = vblk_queue(&blk, r, VIRTIO_BLK_T_IN, TEST_SECTOR, d, 2, NULL);
	if (head < 0) {
		check(false, "blk read: queue full");
		return;
	}
	virtq_publish(&blk.q, (uint16_t)head);
	virtq_kick(&blk.q);
	bool done = irq_halt_until(blk_used_ready, &blk.q, timeout);
	/* The device may fill the used ring before its interrupt reaches us,
	 * and a fast completion means we never halted: wait for it. */
	struct irq_wait w = { BLK_VECTOR_QUEUE, before };
	irq_halt_until(irq_arrived, &w, tsc_ms(IRQ_TIMEOUT_MS));
	uint32_t irqs = irq_count(BLK_VECTOR_QUEUE) - before;
	uint32_t id, len;
	if (!done || !virtq_pop(&blk.q, &id, &len)) {
		req_ok("read 64..75", VBLK_TIMEOUT);
		return;
	}
	virtq_free(&blk.q, (uint16_t)id);
	check(id == (uint32_t)head, "blk read: used id is not the head");
	req_ok("read 64..75", r->status);
	/* §2.7.8: len counts the bytes written into device-writable buffers. */
	if (len != TEST_SECTORS * VIRTIO_BLK_SECTOR + 1)
		printf("virtio: note: blk read used.len %u (data + status would be %u)\n", len,
		       TEST_SECTORS * VIRTIO_BLK_SECTOR + 1);
	printf("virtio: blk read completed with %u interrupt(s) on vector 0x%x\n", irqs, BLK_VECTOR_QUEUE);
	check(irqs > 0, "blk: no MSI-X interrupt for a used buffer");
	virtq_want_irq(&blk.q, false);
}

static void test_blk(void)
{
	struct pci_fn f;
	if (!pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE(VIRTIO_ID_BLOCK), 0, &f)) {
		check(false, "no virtio-blk device (1af4:1042)");
		return;
	}
	printf("virtio: blk at 00:%02x.%x\n", f.dev, f.fn);
	if (virtio_probe(&blk.dev, &f)) {
		printf("virtio: FAIL: blk probe: %s\n", blk.dev.err);
		failures++;
		return;
	}
	printf("virtio: blk common %s0x%lx notify %s0x%lx x%u isr %s0x%lx device %s0x%lx msix table 0x%lx\n",
	       blk.dev.common.io ? "io " : "", blk.dev.common.base, blk.dev.notify.io ? "io " : "", blk.dev.notify.base,
	       blk.dev.notify_mult, blk.dev.isr.io ? "io " : "", blk.dev.isr.base, blk.dev.device.io ? "io " : "",
	       blk.dev.device.base, blk.dev.msix_table);
	uint64_t want = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
			VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (cmdline_u64("indirect", 1))
		want |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (cmdline_u64("event_idx", 1))
		want |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (vblk_init(&blk, want, BLK_QUEUE_SIZE, BLK_MSIX_QUEUE, BLK_VECTOR_QUEUE) ||
	    virtio_msix_route(&blk.dev, BLK_MSIX_CONFIG, BLK_VECTOR_CONFIG) ||
	    virtio_config_vector(&blk.dev, BLK_MSIX_CONFIG)) {
		printf("virtio: FAIL: blk init: %s (status 0x%x)\n", blk.dev.err, virtio_status(&blk.dev));
		failures++;
		return;
	}
	uint64_t feat = blk.dev.features;
	bool indirect = feat & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	printf("virtio: blk offered 0x%lx negotiated 0x%lx queue %u msix %u capacity %lu seg_max %u size_max %u%s\n",
	       blk.dev.offered, feat, blk.q.size, blk.dev.msix_entries, blk.capacity, blk.seg_max, blk.size_max,
	       blk.ro ? " read-only" : "");
	uint64_t want_sectors = cmdline_u64("sectors", 0);
	if (want_sectors && want_sectors != blk.capacity) {
		printf("virtio: FAIL: blk capacity %lu, expected %lu\n", blk.capacity, want_sectors);
		failures++;
	}
	check(!blk.ro, "blk: device is read-only; this guest needs a writable disk");
	check(blk.capacity > FINAL_SECTOR, "blk: disk too small for the test sectors");
	if (failures)
		return;

	struct vblk_req *rq = pmem_alloc(8 * sizeof(struct vblk_req), 64);
	uint64_t *want_buf = pmem_alloc(TEST_SECTORS * VIRTIO_BLK_SECTOR, 4096);
	uint64_t *scatter = pmem_alloc(16 * VIRTIO_BLK_SECTOR, 4096); /* write sources, every other sector used */
	uint64_t *got = pmem_alloc(TEST_SECTORS * VIRTIO_BLK_SECTOR, 4096);
	struct virtq_desc *itable = pmem_alloc(16 * sizeof(struct virtq_desc), 16);
	uint8_t *id = pmem_alloc(VIRTIO_BLK_ID_BYTES + 1, 16);
	uint8_t *final = pmem_alloc(VIRTIO_BLK_SECTOR, 512);
	if (!rq || !want_buf || !scatter || !got || !itable || !id || !final) {
		check(false, "out of guest memory");
		return;
	}
	pattern_fill(want_buf, TEST_SECTOR, TEST_SECTORS);
	/* The write sources: sector k's data in slot 2k (k < 8) or 2(k-8)+1, so
	 * neighbouring descriptors of one request are not contiguous in memory. */
#define SRC(k) ((uintptr_t)scatter + ((k) < 8 ? 2 * (k) : 2 * ((k) - 8) + 1) * VIRTIO_BLK_SECTOR)
	for (unsigned k = 0; k < TEST_SECTORS; k++)
		memcpy(phys(SRC(k)), (uint8_t *)want_buf + k * VIRTIO_BLK_SECTOR, VIRTIO_BLK_SECTOR);

	/* 1: one sector, three descriptors. */
	struct virtq_buf d1 = { SRC(0), VIRTIO_BLK_SECTOR, false };
	req_ok("write 64 (3 descriptors)", vblk_run(&blk, &rq[0], VIRTIO_BLK_T_OUT, TEST_SECTOR, &d1, 1, NULL, timeout));

	/* 2: four sectors from four separate buffers: a 6-descriptor chain
	 * (or as many segments as seg_max allows). */
	unsigned nseg = 4;
	if (blk.seg_max && blk.seg_max < nseg)
		nseg = blk.seg_max;
	struct virtq_buf d2[4];
	for (unsigned k = 0; k < nseg; k++)
		d2[k] = (struct virtq_buf){ SRC(1 + k), VIRTIO_BLK_SECTOR, false };
	req_ok("write 65.. (multi-descriptor)", vblk_run(&blk, &rq[1], VIRTIO_BLK_T_OUT, TEST_SECTOR + 1, d2, nseg, NULL, timeout));
	unsigned next = 1 + nseg;

	/* 3: three sectors through an indirect table, when negotiated. */
	if (indirect) {
		struct virtq_buf d3[3];
		for (unsigned k = 0; k < 3; k++)
			d3[k] = (struct virtq_buf){ SRC(next + k), VIRTIO_BLK_SECTOR, false };
		req_ok("write (indirect table)", vblk_run(&blk, &rq[2], VIRTIO_BLK_T_OUT, TEST_SECTOR + next, d3, 3, itable, timeout));
		next += 3;
	}

	/* 4: the rest one sector per request, all in flight before one kick. */
	int heads[TEST_SECTORS];
	unsigned inflight = 0;
	struct virtq_buf d4[TEST_SECTORS];
	for (unsigned k = next; k < TEST_SECTORS; k++) {
		d4[k] = (struct virtq_buf){ SRC(k), VIRTIO_BLK_SECTOR, false };
		struct vblk_req *r = &rq[3 + (inflight % 5)];
		heads[inflight] = vblk_queue(&blk, r, VIRTIO_BLK_T_OUT, TEST_SECTOR + k, &d4[k], 1, NULL);
		virtq_publish(&blk.q, (uint16_t)heads[inflight]);
		inflight++;
		if (inflight == 5)
			break; /* rq[3..7]: five at most */
	}
	unsigned batch_end = next + inflight;
	virtq_kick(&blk.q);
	for (unsigned n = 0; n < inflight; n++) {
		uint32_t uid, ulen;
		if (!virtq_wait(&blk.q, timeout, &uid, &ulen)) {
			req_ok("batched write", VBLK_TIMEOUT);
			break;
		}
	}
	for (unsigned n = 0; n < inflight; n++)
		req_ok("batched write", rq[3 + n].status);
	/* Whatever the batch did not cover (indirect off, small seg_max). */
	for (unsigned k = batch_end; k < TEST_SECTORS; k++) {
		struct virtq_buf dk = { SRC(k), VIRTIO_BLK_SECTOR, false };
		req_ok("write (single)", vblk_run(&blk, &rq[0], VIRTIO_BLK_T_OUT, TEST_SECTOR + k, &dk, 1, NULL, timeout));
	}

	if (feat & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH))
		req_ok("flush", vblk_run(&blk, &rq[0], VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, timeout));
	else
		printf("virtio: note: blk does not offer VIRTIO_BLK_F_FLUSH\n");

	/* Read everything back in one request and compare. */
	pmem_zero(got, TEST_SECTORS * VIRTIO_BLK_SECTOR);
	blk_read_with_irq(&rq[0], got);
	check(words_equal(got, want_buf, TEST_SECTORS * VIRTIO_BLK_SECTOR / 8), "blk: read-back differs from what was written");

	/* GET_ID: up to 20 bytes, NUL-padded when shorter (§5.2.6). */
	pmem_zero(id, VIRTIO_BLK_ID_BYTES + 1);
	struct virtq_buf did = { (uintptr_t)id, VIRTIO_BLK_ID_BYTES, true };
	if (req_ok("get-id", vblk_run(&blk, &rq[1], VIRTIO_BLK_T_GET_ID, 0, &did, 1, NULL, timeout)))
		printf("virtio: blk id \"%s\"\n", (const char *)id);

	/* The mark the host checks in the image file. */
	for (unsigned i = 0; i < VIRTIO_BLK_SECTOR; i += sizeof(FINAL_PATTERN) - 1)
		memcpy(final + i, FINAL_PATTERN, sizeof(FINAL_PATTERN) - 1);
	struct virtq_buf dfin = { (uintptr_t)final, VIRTIO_BLK_SECTOR, false };
	req_ok("write final sector", vblk_run(&blk, &rq[2], VIRTIO_BLK_T_OUT, FINAL_SECTOR, &dfin, 1, NULL, timeout));
	if (feat & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH))
		req_ok("final flush", vblk_run(&blk, &rq[2], VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, timeout));
	printf("virtio: blk config interrupts %u\n", irq_count(BLK_VECTOR_CONFIG));
	if (!failures)
		printf("virtio: blk ok (%u sectors written, read back, flushed; final mark at sector %u)\n",
		       TEST_SECTORS + 1, FINAL_SECTOR);
#undef SRC
}

static void test_rng(void)
{
	static struct virtio_dev dev;
	static struct virtq q;
	struct pci_fn f;
	if (!pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE(VIRTIO_ID_ENTROPY), 0, &f)) {
		check(false, "no virtio-rng device (1af4:1044)");
		return;
	}
	if (virtio_probe(&dev, &f) || virtio_negotiate(&dev, 0) ||
	    virtq_setup(&dev, &q, VIRTIO_RNG_Q_REQ, SMALL_QUEUE_SIZE, VIRTIO_MSI_NO_VECTOR)) {
		printf("virtio: FAIL: rng init: %s\n", dev.err);
		failures++;
		return;
	}
	virtio_driver_ok(&dev);
	/* The config-space window onto the BAR (§4.1.4.9) reads what the BAR does. */
	uint32_t numq = 0, status = 0;
	check(virtio_pci_cfg_common_read(&dev, VIRTIO_COMMON_NUMQ, 2, &numq) == 0 &&
		      numq == dev.num_queues,
	      "rng: num_queues through the PCI_CFG capability");
	check(virtio_pci_cfg_common_read(&dev, VIRTIO_COMMON_STATUS, 1, &status) == 0 &&
		      status == virtio_status(&dev),
	      "rng: device_status through the PCI_CFG capability");
	uint8_t *buf = pmem_alloc(RNG_BYTES, 64);
	pmem_zero(buf, RNG_BYTES);
	unsigned got = 0, reqs = 0;
	/* §5.4.6: the device may fill less than the whole buffer. */
	while (got < RNG_BYTES && reqs < 64) {
		struct virtq_buf b = { (uintptr_t)buf + got, RNG_BYTES - got, true };
		int head = virtq_add(&q, &b, 1);
		virtq_publish(&q, (uint16_t)head);
		virtq_kick(&q);
		uint32_t uid, len;
		reqs++;
		if (!virtq_wait(&q, timeout, &uid, &len)) {
			check(false, "rng: request timed out");
			return;
		}
		if (uid != (uint32_t)head || len > RNG_BYTES - got) {
			printf("virtio: FAIL: rng used id %u len %u for head %d, %u bytes asked\n", uid, len, head,
			       RNG_BYTES - got);
			failures++;
			return;
		}
		got += len;
	}
	const uint64_t *w = (const uint64_t *)buf;
	uint64_t any = 0;
	for (unsigned i = 0; i < RNG_BYTES / 8; i++)
		any |= w[i];
	printf("virtio: rng %u bytes in %u request(s): %016lx%016lx...\n", got, reqs, __builtin_bswap64(w[0]),
	       __builtin_bswap64(w[1]));
	check(got == RNG_BYTES, "rng: short read");
	check(any != 0, "rng: all bytes zero");
	if (got == RNG_BYTES && any)
		printf("virtio: rng ok\n");
}

static void test_console(void)
{
	static struct virtio_dev dev;
	static struct virtq rx, tx;
	struct pci_fn f;
	if (!pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE(VIRTIO_ID_CONSOLE), 0, &f)) {
		check(false, "no virtio-console device (1af4:1043)");
		return;
	}
	/* No VIRTIO_CONSOLE_F_MULTIPORT: port 0 on queues 0 and 1 (§5.3.2). */
	if (virtio_probe(&dev, &f) || virtio_negotiate(&dev, 0) ||
	    virtq_setup(&dev, &rx, VIRTIO_CONSOLE_Q_RX0, SMALL_QUEUE_SIZE, VIRTIO_MSI_NO_VECTOR) ||
	    virtq_setup(&dev, &tx, VIRTIO_CONSOLE_Q_TX0, SMALL_QUEUE_SIZE, VIRTIO_MSI_NO_VECTOR)) {
		printf("virtio: FAIL: console init: %s\n", dev.err);
		failures++;
		return;
	}
	virtio_driver_ok(&dev);
	static const char line[] = CONSOLE_LINE;
	char *buf = pmem_alloc(sizeof(line), 16);
	memcpy(buf, line, sizeof(line) - 1);
	struct virtq_buf b = { (uintptr_t)buf, sizeof(line) - 1, false };
	int head = virtq_add(&tx, &b, 1);
	virtq_publish(&tx, (uint16_t)head);
	virtq_kick(&tx);
	uint32_t uid, len;
	if (!virtq_wait(&tx, timeout, &uid, &len)) {
		check(false, "console: transmit timed out");
		return;
	}
	check(uid == (uint32_t)head, "console: wrong used id");
	printf("virtio: console sent %u bytes: %s", (unsigned)(sizeof(line) - 1), line);
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	printf("virtio: start\n");
	if (!pmem_init()) {
		printf("virtio: FAIL: no RAM at 0x%lx for device buffers\n", (unsigned long)PMEM_ARENA_BASE);
		return 1;
	}
	if (cmdline_u64("pci_fresh", 0)) {
		struct pci_fn vf;
		for (unsigned i = 0; pci_find(VIRTIO_PCI_VENDOR_ID, 0xFFFF, i, &vf); i++)
			pci_unassign_bars(&vf);
	}
	int assigned = pci_assign_bars();
	printf("virtio: pci: %d BAR(s) assigned by the guest\n", assigned);
	check(assigned >= 0, "pci: could not place every BAR");
	struct pci_fn fns[16];
	int nfn = pci_scan(fns, 16);
	for (int i = 0; i < nfn && i < 16; i++)
		printf("virtio: pci 00:%02x.%x %04x:%04x class %06x\n", fns[i].dev, fns[i].fn, fns[i].vendor,
		       fns[i].device, pci_read32(&fns[i], PCI_REVISION) >> 8);
	irq_init();
	printf("virtio: tsc %lu kHz (%s)\n", tsc_khz(), tsc_khz_source());
	timeout = tsc_ms(REQ_TIMEOUT_MS);

	const char *need = cmdline_get("need");
	if (!need)
		need = "blk,rng,console";
	/* Substring tests on the value (it ends at the next space). */
	size_t nlen = 0;
	while (need[nlen] && need[nlen] != ' ')
		nlen++;
	bool want_blk = false, want_rng = false, want_con = false;
	for (size_t i = 0; i < nlen; i++) {
		if (!strncmp(need + i, "blk", 3))
			want_blk = true;
		if (!strncmp(need + i, "rng", 3))
			want_rng = true;
		if (!strncmp(need + i, "console", 7))
			want_con = true;
	}
	if (want_blk)
		test_blk();
	if (want_rng)
		test_rng();
	if (want_con)
		test_console();
	if (failures) {
		printf("virtio: FAILED (%d check(s))\n", failures);
		return 1;
	}
	printf("virtio: all ok\n");
	return 0;
}
