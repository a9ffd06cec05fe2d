/* virtio_hostile.c: hands virtio-blk malformed descriptor chains and requests; each must end in an error status or NEEDS_RESET, never a hang.
 *
 * After every case the guest resets and re-initialises the device and reads
 * sector 1 back to prove the VM and the device still work. Run it on a
 * read-only disk (vmm: --disk img,ro; QEMU: readonly=on) whose sector 1 is
 * not all zeros. Command line:
 *   strict=1     also demand what vmm promises beyond the spec (issue 3):
 *                INDIRECT_DESC offered, over-long chains and a device-writable
 *                header rejected
 *   only=A,B     run only these cases
 *   skip=A,B     skip these cases (tests/integration/virtio-qemu.sh skips
 *                QEMU's documented differences)
 *   tsc_khz=N    skip the PIT calibration
 * Exit 0 when every case behaved, 1 otherwise.
 */
#include "lib/guest.h"
#include "lib/irq.h"
#include "lib/pmem.h"
#include "lib/tsc.h"
#include "lib/virtio_blk.h"

#define HQ_SIZE           16
#define HOST_SECTOR       1       /* the sector every good read checks */
#define MSIX_CONFIG       0
#define VECTOR_CONFIG     0x31
#define CASE_TIMEOUT_MS   2000
#define NOTIFY_TIMEOUT_MS 1000
/* Guest-physical addresses no RAM can reach: vmm's RAM ends below 64 GiB. */
#define ADDR_PAST_RAM     0x8000000000ull   /* 512 GiB */
#define ADDR_WRAPS        0xFFFFFFFFFFFFFE00ull
#define LONG_CHAIN_MAX    64

enum outcome { GOT_ERROR, GOT_NEEDS_RESET, GOT_OK, GOT_HUNG };

struct hcase {
	const char *name;
	int (*build)(void);   /* writes descriptors, returns the head to publish (-1: published) */
	unsigned flags;
	const char *why;      /* the rule the chain breaks */
};
#define NEED_INDIRECT  0x1
#define NEED_RO        0x2
#define STRICT_ONLY    0x4 /* the spec lets a device accept it; vmm promises not to */
#define STATUS_NOT_WRITABLE 0x8 /* the status byte must stay VBLK_STATUS_UNSET */

static struct vblk blk;
static struct vblk_req *req;
static uint8_t *data;          /* LONG_CHAIN_MAX sectors */
static uint64_t *baseline;     /* sector HOST_SECTOR as first read */
static struct virtq_desc *itab;
static uint64_t timeout;
static int failures;

static void put(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	volatile struct virtq_desc *d = &blk.q.desc[i];
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static void hdr(uint32_t type, uint64_t sector)
{
	req->hdr = (struct virtio_blk_req_hdr){ type, 0, sector };
	req->status = VBLK_STATUS_UNSET;
}

#define F_N  VIRTQ_DESC_F_NEXT
#define F_W  VIRTQ_DESC_F_WRITE
#define F_NW (VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE)
#define HDR_PA  ((uintptr_t)&req->hdr)
#define STS_PA  ((uintptr_t)&req->status)
#define DATA_PA ((uintptr_t)data)
#define SECTOR  VIRTIO_BLK_SECTOR

/* 0 -> 1 -> 2 -> 1: the chain never ends (§2.7.5.2: loops are forbidden);
 * the loop stays among device-writable descriptors so that it is the only
 * thing wrong with the chain. */
static int build_loop(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_NW, 1);
	return 0;
}

static int build_next_out_of_range(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, HQ_SIZE + 5);
	return 0;
}

static int build_head_out_of_range(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	return HQ_SIZE + 3;
}

/* avail idx moves by queue size + 1: more buffers than the queue can hold
 * (§2.7: Queue Size is the most buffers queued at any time). The ring
 * entries are left as they are; the harness publishes nothing itself. */
static int build_avail_idx_jump(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	blk.q.avail_idx = (uint16_t)(blk.q.avail_idx + blk.q.size + 1);
	blk.q.avail[1] = blk.q.avail_idx;
	return -1;
}

static int build_data_past_ram(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, ADDR_PAST_RAM, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

static int build_header_past_ram(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, ADDR_PAST_RAM, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

/* addr + len wraps past 2^64: a range check without overflow care passes it. */
static int build_addr_wraps(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, ADDR_WRAPS, 2 * SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

/* Starts in RAM, runs 4 GiB past it. */
static int build_len_past_ram(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, 0xFFFFFE00u, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

/* An indirect chain of queue size + 1 descriptors (§2.7.5.3.1: a driver
 * MUST NOT create a chain longer than the Queue Size; §2.7.4.1: the device
 * MAY limit chains). */
static int build_chain_too_long(void)
{
	unsigned n = blk.q.size + 1u, nd = n - 2;
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	itab[0] = (struct virtq_desc){ HDR_PA, sizeof(req->hdr), F_N, 1 };
	for (unsigned k = 0; k < nd; k++)
		itab[1 + k] = (struct virtq_desc){ DATA_PA + k * SECTOR, SECTOR, F_NW, (uint16_t)(2 + k) };
	itab[n - 1] = (struct virtq_desc){ STS_PA, 1, F_W, 0 };
	put(0, (uintptr_t)itab, n * (uint32_t)sizeof(struct virtq_desc), VIRTQ_DESC_F_INDIRECT, 0);
	return 0;
}

static void indirect_good_table(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	itab[0] = (struct virtq_desc){ HDR_PA, sizeof(req->hdr), F_N, 1 };
	itab[1] = (struct virtq_desc){ DATA_PA, SECTOR, F_NW, 2 };
	itab[2] = (struct virtq_desc){ STS_PA, 1, F_W, 0 };
}

/* 24 bytes: not a whole number of 16-byte descriptors. */
static int build_indirect_bad_len(void)
{
	indirect_good_table();
	put(0, (uintptr_t)itab, 24, VIRTQ_DESC_F_INDIRECT, 0);
	return 0;
}

static int build_indirect_zero_len(void)
{
	indirect_good_table();
	put(0, (uintptr_t)itab, 0, VIRTQ_DESC_F_INDIRECT, 0);
	return 0;
}

static int build_indirect_past_ram(void)
{
	indirect_good_table();
	put(0, ADDR_PAST_RAM, 3 * sizeof(struct virtq_desc), VIRTQ_DESC_F_INDIRECT, 0);
	return 0;
}

/* The status buffer holds 0 bytes: nowhere to put the status (§5.2.6). */
static int build_status_zero_len(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 0, F_W, 0);
	return 0;
}

/* Status in a device-readable buffer: the device MUST NOT write it (§2.7.5). */
static int build_status_readable(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, 0, 0);
	return 0;
}

/* The header in a device-writable buffer (§2.7.5: SHOULD NOT read it). */
static int build_header_writable(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, sizeof(req->hdr), F_NW, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

static int build_header_short(void)
{
	hdr(VIRTIO_BLK_T_IN, HOST_SECTOR);
	put(0, HDR_PA, 8, F_N, 1);
	put(1, DATA_PA, SECTOR, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

static int read_at(uint64_t sector, uint32_t len)
{
	hdr(VIRTIO_BLK_T_IN, sector);
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, len, F_NW, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

/* §5.2.6.1: a driver MUST NOT read beyond capacity. */
static int build_read_beyond_capacity(void) { return read_at(blk.capacity, SECTOR); }
static int build_read_straddling_end(void) { return read_at(blk.capacity - 1, 2 * SECTOR); }
/* sector * 512 overflows 64 bits. */
static int build_sector_overflow(void) { return read_at(0xFFFFFFFFFFFFFFFFull, SECTOR); }
/* §5.2.6.1: data MUST be a multiple of 512 bytes. */
static int build_data_odd_len(void) { return read_at(HOST_SECTOR, 100); }

static int build_unknown_type(void)
{
	read_at(HOST_SECTOR, SECTOR);
	req->hdr.type = 0xDEAD;
	return 0;
}

/* §5.2.6.2: with VIRTIO_BLK_F_RO the device MUST fail writes with IOERR and
 * MUST NOT write any data (the good read afterwards checks the sector). */
static int build_write_read_only(void)
{
	hdr(VIRTIO_BLK_T_OUT, HOST_SECTOR);
	for (unsigned i = 0; i < SECTOR; i += 8)
		*(uint64_t *)(data + i) = ~baseline[i / 8];
	put(0, HDR_PA, sizeof(req->hdr), F_N, 1);
	put(1, DATA_PA, SECTOR, F_N, 2);
	put(2, STS_PA, 1, F_W, 0);
	return 0;
}

static const struct hcase cases[] = {
	{ "descriptor-loop", build_loop, 0, "loop in the chain" },
	{ "next-out-of-range", build_next_out_of_range, 0, "next >= queue size" },
	{ "head-out-of-range", build_head_out_of_range, 0, "available ring entry >= queue size" },
	{ "avail-idx-jump", build_avail_idx_jump, 0, "avail idx moved by queue size + 1" },
	{ "data-past-ram", build_data_past_ram, 0, "data buffer at 512 GiB" },
	{ "header-past-ram", build_header_past_ram, 0, "header at 512 GiB" },
	{ "addr-wraps", build_addr_wraps, 0, "addr + len wraps past 2^64" },
	{ "len-past-ram", build_len_past_ram, 0, "4 GiB buffer starting in RAM" },
	{ "chain-too-long", build_chain_too_long, NEED_INDIRECT | STRICT_ONLY, "queue size + 1 descriptors" },
	{ "indirect-bad-len", build_indirect_bad_len, NEED_INDIRECT, "indirect table of 24 bytes" },
	{ "indirect-zero-len", build_indirect_zero_len, NEED_INDIRECT, "indirect table of 0 bytes" },
	{ "indirect-past-ram", build_indirect_past_ram, NEED_INDIRECT, "indirect table at 512 GiB" },
	{ "status-zero-len", build_status_zero_len, STATUS_NOT_WRITABLE, "0-byte status buffer" },
	{ "status-readable", build_status_readable, STATUS_NOT_WRITABLE, "status in a device-readable buffer" },
	{ "header-writable", build_header_writable, STRICT_ONLY, "header in a device-writable buffer" },
	{ "header-short", build_header_short, 0, "8-byte header" },
	{ "read-beyond-capacity", build_read_beyond_capacity, 0, "sector = capacity" },
	{ "read-straddling-end", build_read_straddling_end, 0, "2 sectors from capacity - 1" },
	{ "sector-overflow", build_sector_overflow, 0, "sector 2^64 - 1" },
	{ "data-odd-len", build_data_odd_len, 0, "100-byte read" },
	{ "unknown-type", build_unknown_type, 0, "request type 0xdead" },
	{ "write-read-only", build_write_read_only, NEED_RO, "write to a VIRTIO_BLK_F_RO disk" },
};

/* Is name one of the comma-separated entries of list (which ends at a
 * space or NUL)? */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	while (list && *list && *list != ' ') {
		if (!strncmp(list, name, n) && (list[n] == ',' || list[n] == ' ' || !list[n]))
			return true;
		while (*list && *list != ' ' && *list != ',')
			list++;
		if (*list == ',')
			list++;
	}
	return false;
}

static const char *outcome_name(enum outcome o)
{
	switch (o) {
	case GOT_ERROR: return "error status";
	case GOT_NEEDS_RESET: return "NEEDS_RESET";
	case GOT_OK: return "completed OK";
	default: return "no completion and no NEEDS_RESET";
	}
}

static bool config_irq_arrived(void *arg)
{
	return irq_count(VECTOR_CONFIG) != *(uint32_t *)arg;
}

/* Reset, renegotiate, route the config vector: a fresh device and queue. */
static bool blk_bring_up(void)
{
	uint64_t want = VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (vblk_init(&blk, want, HQ_SIZE, VIRTIO_MSI_NO_VECTOR, 0) ||
	    virtio_msix_route(&blk.dev, MSIX_CONFIG, VECTOR_CONFIG) || virtio_config_vector(&blk.dev, MSIX_CONFIG)) {
		printf("hostile: FAIL: blk bring-up: %s (status 0x%x)\n", blk.dev.err, virtio_status(&blk.dev));
		return false;
	}
	return true;
}

/* Read HOST_SECTOR through the driver and compare with the baseline. */
static bool good_read(const char *after)
{
	pmem_zero(data, SECTOR);
	struct virtq_buf b = { DATA_PA, SECTOR, true };
	int st = vblk_run(&blk, req, VIRTIO_BLK_T_IN, HOST_SECTOR, &b, 1, NULL, timeout);
	if (st != VIRTIO_BLK_S_OK) {
		printf("hostile: FAIL: good read after %s: status %d, device status 0x%x\n", after, st,
		       virtio_status(&blk.dev));
		return false;
	}
	for (unsigned i = 0; i < SECTOR / 8; i++) {
		if (((const uint64_t *)data)[i] != baseline[i]) {
			printf("hostile: FAIL: good read after %s: sector %u differs at byte %u\n", after, HOST_SECTOR, i * 8);
			return false;
		}
	}
	return true;
}

static enum outcome wait_outcome(void)
{
	uint64_t start = rdtsc();
	while (rdtsc() - start < timeout) {
		if (virtq_has_used(&blk.q))
			return GOT_OK; /* refined by the caller from the status byte */
		if (virtio_status(&blk.dev) & VIRTIO_STATUS_NEEDS_RESET)
			return GOT_NEEDS_RESET;
		cpu_relax();
	}
	return GOT_HUNG;
}

static void run_case(const struct hcase *c, bool strict)
{
	bool indirect = blk.dev.features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if ((c->flags & NEED_INDIRECT) && !indirect) {
		printf("hostile: %s: skipped (VIRTIO_F_INDIRECT_DESC not offered)\n", c->name);
		if (strict) {
			printf("hostile: FAIL: %s: strict mode needs INDIRECT_DESC\n", c->name);
			failures++;
		}
		return;
	}
	if ((c->flags & NEED_RO) && !blk.ro) {
		printf("hostile: %s: skipped (disk is not read-only)\n", c->name);
		return;
	}
	irq_drain();
	uint32_t cfg_before = irq_count(VECTOR_CONFIG);
	int head = c->build();
	if (head >= 0)
		virtq_publish(&blk.q, (uint16_t)head);
	virtq_notify(&blk.q);
	enum outcome o = wait_outcome();
	uint8_t st = req->status;
	uint32_t uid = 0, ulen = 0;
	if (o == GOT_OK) {
		virtq_pop(&blk.q, &uid, &ulen);
		if (st != VIRTIO_BLK_S_OK)
			o = GOT_ERROR;
	}
	bool ok = o == GOT_ERROR || o == GOT_NEEDS_RESET;
	const char *note = "";
	if (o == GOT_OK && (c->flags & STRICT_ONLY) && !strict) {
		ok = true;
		note = " (allowed: the spec lets a device accept this)";
	}
	if (o != GOT_HUNG && (c->flags & STATUS_NOT_WRITABLE) && st != VBLK_STATUS_UNSET) {
		ok = false;
		note = " but the device wrote the status into a buffer it must not write";
	}
	if ((c->flags & NEED_RO) && o == GOT_ERROR && st != VIRTIO_BLK_S_IOERR) {
		ok = false;
		note = " but not VIRTIO_BLK_S_IOERR";
	}
	printf("hostile: %s (%s): %s", c->name, c->why, outcome_name(o));
	if (o == GOT_OK || o == GOT_ERROR)
		printf(" status 0x%x used.len %u", st, ulen);
	printf("%s -> %s\n", note, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
	if (o == GOT_NEEDS_RESET) {
		/* §2.1.2: with DRIVER_OK set, NEEDS_RESET comes with a
		 * configuration change notification. */
		if (!irq_halt_until(config_irq_arrived, &cfg_before, tsc_ms(NOTIFY_TIMEOUT_MS))) {
			printf("hostile: FAIL: %s: NEEDS_RESET without a configuration change interrupt\n", c->name);
			failures++;
		}
	}
	if (!blk_bring_up() || !good_read(c->name)) {
		failures++;
		return;
	}
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	printf("hostile: start\n");
	if (!pmem_init() || pci_assign_bars() < 0) {
		printf("hostile: FAIL: no RAM for buffers, or BARs could not be placed\n");
		return 1;
	}
	irq_init();
	timeout = tsc_ms(CASE_TIMEOUT_MS);
	bool strict = cmdline_u64("strict", 0);
	const char *only = cmdline_get("only");
	const char *skip = cmdline_get("skip");

	struct pci_fn f;
	if (!pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE(VIRTIO_ID_BLOCK), 0, &f)) {
		printf("hostile: FAIL: no virtio-blk device\n");
		return 1;
	}
	if (virtio_probe(&blk.dev, &f) || !blk_bring_up())
		return 1;
	req = pmem_alloc(sizeof(*req), 64);
	data = pmem_alloc(LONG_CHAIN_MAX * SECTOR, 4096);
	baseline = pmem_alloc(SECTOR, 512);
	itab = pmem_alloc(LONG_CHAIN_MAX * sizeof(struct virtq_desc), 16);
	if (!req || !data || !baseline || !itab || blk.q.size + 1u > LONG_CHAIN_MAX)
		return 1;
	printf("hostile: blk queue %u capacity %lu features 0x%lx%s%s\n", blk.q.size, blk.capacity, blk.dev.features,
	       blk.ro ? " read-only" : "", strict ? " strict" : "");

	/* The baseline every good read is compared with. */
	struct virtq_buf b = { (uintptr_t)baseline, SECTOR, true };
	pmem_zero(baseline, SECTOR);
	int st = vblk_run(&blk, req, VIRTIO_BLK_T_IN, HOST_SECTOR, &b, 1, NULL, timeout);
	if (st != VIRTIO_BLK_S_OK) {
		printf("hostile: FAIL: first read: status %d\n", st);
		return 1;
	}
	uint64_t any = 0;
	for (unsigned i = 0; i < SECTOR / 8; i++)
		any |= baseline[i];
	if (!any)
		printf("hostile: note: sector %u is all zeros; the good reads prove less\n", HOST_SECTOR);

	unsigned ran = 0;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((only && !listed(only, cases[i].name)) || listed(skip, cases[i].name))
			continue;
		run_case(&cases[i], strict);
		ran++;
	}
	bool final_ok = good_read("all cases");
	if (!final_ok)
		failures++;
	printf("hostile: %u case(s) run, final read %s\n", ran, final_ok ? "ok" : "FAILED");
	if (failures) {
		printf("hostile: FAILED (%d)\n", failures);
		return 1;
	}
	printf("hostile: all ok\n");
	return 0;
}
