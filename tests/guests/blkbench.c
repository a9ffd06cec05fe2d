/* blkbench.c: virtio-blk throughput: sequential write and read, 4 KiB random reads; timed with the TSC, polled completions.
 *
 * Set-up (PCI, virtio negotiation, one request queue with no interrupt
 * vector) runs at CPL0; the measured loops run at CPL3 (cpl=0 keeps them in
 * kernel mode), where a PVM host runs guest code natively, so the numbers
 * measure the device and the notify path rather than emulated guest
 * instructions. Requests use prebuilt 3-descriptor chains (header, data,
 * status), one per slot, up to qd in flight; the guest kicks once per batch
 * and honours EVENT_IDX / NO_NOTIFY like any driver.
 *
 * Command line (all optional): bs=131072 (sequential request bytes), qd=16,
 * size_mib=N (sequential span, default the whole disk), rqd=16 (random-read
 * depth), rand_ms=2000 (time per random phase), phases=wrRQ (w seq write +
 * flush, r seq read, R random read at rqd, Q random read at depth 1),
 * event_idx=0, cpl=0, tsc_khz=N.
 * Output: one "blkbench: <phase> ..." line per phase with MB/s or IOPS.
 */
#include "lib/guest.h"
#include "lib/pmem.h"
#include "lib/tsc.h"
#include "lib/virtio_blk.h"

#define BENCH_QUEUE_SIZE 256
#define BENCH_MAX_QD     64
#define BENCH_DESC_PER_REQ 3
#define BENCH_STALL_MS   10000 /* no completion for this long: the device is stuck */
#define RAND_BS          4096

struct bench {
	struct vblk *blk;
	struct vblk_req *req;      /* one per slot */
	uint8_t *buf;              /* qd slots of max(bs, RAND_BS) bytes */
	uint32_t bs, qd, rqd;
	uint64_t span;             /* bytes covered by the sequential phases */
	uint64_t khz;
	uint64_t rand_cycles;
	const char *phases;
	uint64_t rng;
	int errors;
};

static struct vblk blk;
static struct bench B;

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Slot i owns descriptors 3i..3i+2 for the whole run. */
static void slots_build(struct bench *b, uint32_t depth, uint32_t len, bool dev_writes)
{
	volatile struct virtq_desc *d = b->blk->q.desc;
	uint32_t stride = b->bs > RAND_BS ? b->bs : RAND_BS;
	for (uint32_t i = 0; i < depth; i++) {
		uint16_t h = (uint16_t)(BENCH_DESC_PER_REQ * i);
		d[h] = (struct virtq_desc){ (uintptr_t)&b->req[i].hdr, sizeof(struct virtio_blk_req_hdr),
					    VIRTQ_DESC_F_NEXT, (uint16_t)(h + 1) };
		d[h + 1] = (struct virtq_desc){ (uintptr_t)b->buf + (uint64_t)i * stride, len,
			(uint16_t)(VIRTQ_DESC_F_NEXT | (dev_writes ? VIRTQ_DESC_F_WRITE : 0)), (uint16_t)(h + 2) };
		d[h + 2] = (struct virtq_desc){ (uintptr_t)&b->req[i].status, 1, VIRTQ_DESC_F_WRITE, 0 };
	}
}

/* Run nreq requests (or until deadline cycles pass, when nonzero) of len
 * bytes with up to depth in flight; sectors from next_sector(). Returns the
 * number completed; elapsed cycles in *cycles. */
static uint64_t bench_run(struct bench *b, uint32_t type, uint32_t depth, uint32_t len, uint64_t nreq,
			  uint64_t deadline, bool random, uint64_t *cycles)
{
	struct virtq *q = &b->blk->q;
	uint32_t free_slots[BENCH_MAX_QD], nfree = depth;
	for (uint32_t i = 0; i < depth; i++)
		free_slots[i] = depth - 1 - i;
	uint64_t submitted = 0, done = 0, seq = 0;
	uint64_t sectors_per_req = len / VIRTIO_BLK_SECTOR;
	uint64_t rand_slots = b->blk->capacity / sectors_per_req;
	uint64_t t0 = rdtsc(), last_progress = t0;
	uint64_t stall = BENCH_STALL_MS * b->khz;
	for (;;) {
		uint64_t now = rdtsc();
		bool more = deadline ? now - t0 < deadline : submitted < nreq;
		bool published = false;
		while (more && nfree) {
			uint32_t s = free_slots[--nfree];
			struct vblk_req *r = &b->req[s];
			uint64_t sector = random ? (xorshift(&b->rng) % rand_slots) * sectors_per_req
						 : (seq++ * sectors_per_req);
			r->hdr.type = type;
			r->hdr.sector = sector;
			r->status = VBLK_STATUS_UNSET;
			virtq_publish(q, (uint16_t)(BENCH_DESC_PER_REQ * s));
			submitted++;
			published = true;
			more = deadline ? true : submitted < nreq;
		}
		if (published)
			virtq_kick(q);
		uint32_t id, ulen;
		while (virtq_pop(q, &id, &ulen)) {
			uint32_t s = id / BENCH_DESC_PER_REQ;
			if (s >= depth || id % BENCH_DESC_PER_REQ) {
				b->errors++;
				continue;
			}
			if (b->req[s].status != VIRTIO_BLK_S_OK)
				b->errors++;
			free_slots[nfree++] = s;
			done++;
			last_progress = rdtsc();
		}
		if (done == submitted && !(deadline ? rdtsc() - t0 < deadline : submitted < nreq))
			break;
		if (rdtsc() - last_progress > stall) {
			printf("blkbench: stuck: %lu submitted, %lu done\n", submitted, done);
			b->errors++;
			break;
		}
		cpu_relax();
	}
	*cycles = rdtsc() - t0;
	return done;
}

static uint64_t cycles_ms(const struct bench *b, uint64_t c)
{
	return c / b->khz;
}

/* MB/s (10^6 bytes) with one decimal, from bytes and TSC cycles. */
static void print_rate(const struct bench *b, const char *name, uint32_t bs, uint32_t depth, uint64_t bytes,
		       uint64_t cycles)
{
	uint64_t x10 = cycles ? bytes * b->khz / cycles / 100 : 0; /* bytes*khz/cycles = bytes/ms */
	printf("blkbench: %s bs=%u qd=%u bytes=%lu ms=%lu MB/s=%lu.%lu\n", name, bs, depth, bytes, cycles_ms(b, cycles),
	       x10 / 10, x10 % 10);
}

static void print_iops(const struct bench *b, const char *name, uint32_t depth, uint64_t n, uint64_t cycles)
{
	uint64_t iops = cycles ? n * b->khz * 1000 / cycles : 0;
	printf("blkbench: %s bs=%u qd=%u reqs=%lu ms=%lu IOPS=%lu\n", name, RAND_BS, depth, n, cycles_ms(b, cycles), iops);
}

static int bench_main(void *arg)
{
	struct bench *b = arg;
	uint64_t nseq = b->span / b->bs, c, n;
	for (const char *p = b->phases; *p && *p != ' '; p++) {
		switch (*p) {
		case 'w': {
			slots_build(b, b->qd, b->bs, false);
			n = bench_run(b, VIRTIO_BLK_T_OUT, b->qd, b->bs, nseq, 0, false, &c);
			/* The flush belongs to the write: data is on the host's disk (or
			 * in its page cache, per the backend) only after it. */
			uint64_t t0 = rdtsc();
			slots_build(b, 1, 0, false);
			struct virtq *q = &b->blk->q;
			b->req[0].hdr = (struct virtio_blk_req_hdr){ VIRTIO_BLK_T_FLUSH, 0, 0 };
			b->req[0].status = VBLK_STATUS_UNSET;
			/* Header and status only: descriptor 0 straight to 2. */
			q->desc[0].next = 2;
			virtq_publish(q, 0);
			virtq_kick(q);
			uint32_t id, len;
			uint64_t waited = rdtsc();
			while (!virtq_pop(q, &id, &len) && rdtsc() - waited < BENCH_STALL_MS * b->khz)
				cpu_relax();
			if (b->req[0].status != VIRTIO_BLK_S_OK)
				b->errors++;
			print_rate(b, "seq-write", b->bs, b->qd, n * b->bs, c + (rdtsc() - t0));
			break;
		}
		case 'r':
			slots_build(b, b->qd, b->bs, true);
			n = bench_run(b, VIRTIO_BLK_T_IN, b->qd, b->bs, nseq, 0, false, &c);
			print_rate(b, "seq-read", b->bs, b->qd, n * b->bs, c);
			break;
		case 'R':
			slots_build(b, b->rqd, RAND_BS, true);
			n = bench_run(b, VIRTIO_BLK_T_IN, b->rqd, RAND_BS, 0, b->rand_cycles, true, &c);
			print_iops(b, "rand-read", b->rqd, n, c);
			break;
		case 'Q':
			slots_build(b, 1, RAND_BS, true);
			n = bench_run(b, VIRTIO_BLK_T_IN, 1, RAND_BS, 0, b->rand_cycles, true, &c);
			print_iops(b, "rand-read", 1, n, c);
			break;
		default:
			printf("blkbench: unknown phase '%c'\n", *p);
			return 1;
		}
	}
	if (b->errors) {
		printf("blkbench: FAILED: %d request(s) failed\n", b->errors);
		return 1;
	}
	printf("blkbench: done\n");
	return 0;
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	struct bench *b = &B;
	if (!pmem_init() || pci_assign_bars() < 0) {
		printf("blkbench: FAIL: no RAM for buffers, or BARs could not be placed\n");
		return 1;
	}
	b->khz = tsc_khz();
	if (!b->khz) {
		printf("blkbench: FAIL: no TSC frequency (no PIT?); pass tsc_khz=\n");
		return 1;
	}
	struct pci_fn f;
	if (!pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE(VIRTIO_ID_BLOCK), 0, &f)) {
		printf("blkbench: FAIL: no virtio-blk device\n");
		return 1;
	}
	uint64_t want = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (cmdline_u64("event_idx", 1))
		want |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (virtio_probe(&blk.dev, &f) || vblk_init(&blk, want, BENCH_QUEUE_SIZE, VIRTIO_MSI_NO_VECTOR, 0)) {
		printf("blkbench: FAIL: blk init: %s\n", blk.dev.err);
		return 1;
	}
	b->blk = &blk;
	b->bs = (uint32_t)cmdline_u64("bs", 131072);
	b->qd = (uint32_t)cmdline_u64("qd", 16);
	b->rqd = (uint32_t)cmdline_u64("rqd", 16);
	b->phases = cmdline_get("phases");
	if (!b->phases)
		b->phases = "wrRQ";
	b->rand_cycles = cmdline_u64("rand_ms", 2000) * b->khz;
	b->rng = 0x9E3779B97F4A7C15ull;
	uint64_t disk = blk.capacity * VIRTIO_BLK_SECTOR;
	b->span = cmdline_u64("size_mib", 0) << 20;
	if (!b->span || b->span > disk)
		b->span = disk;
	uint32_t max_qd = blk.q.size / BENCH_DESC_PER_REQ;
	if (max_qd > BENCH_MAX_QD)
		max_qd = BENCH_MAX_QD;
	if (b->bs < VIRTIO_BLK_SECTOR || b->bs % VIRTIO_BLK_SECTOR || !b->qd || b->qd > max_qd || !b->rqd ||
	    b->rqd > max_qd || (blk.size_max && b->bs > blk.size_max) || blk.capacity < RAND_BS / VIRTIO_BLK_SECTOR) {
		printf("blkbench: FAIL: bad parameters (bs %u qd %u rqd %u; at most qd %u, size_max %u)\n", b->bs, b->qd,
		       b->rqd, max_qd, blk.size_max);
		return 1;
	}
	uint32_t stride = b->bs > RAND_BS ? b->bs : RAND_BS;
	b->req = pmem_alloc(sizeof(struct vblk_req) * BENCH_MAX_QD, 64);
	b->buf = pmem_alloc((uint64_t)stride * (b->qd > b->rqd ? b->qd : b->rqd), 4096);
	if (!b->req || !b->buf) {
		printf("blkbench: FAIL: out of memory for %u x %u bytes\n", b->qd, stride);
		return 1;
	}
	bool user = cmdline_u64("cpl", 3) == 3;
	printf("blkbench: tsc %lu kHz (%s), disk %lu MiB, span %lu MiB, queue %u, features 0x%lx, loops at CPL%d\n", b->khz, tsc_khz_source(),
	       disk >> 20, b->span >> 20, blk.q.size, blk.dev.features, user ? 3 : 0);
	if (user)
		user_run(bench_main, b);
	return bench_main(b);
}
