/* virtio_check.c: para mode's disk check: the same scratch-disk plan as the IDE checks, through virtio-blk
 * (tests/guests/lib's virtio 1.2 driver, polled: no MSI-X, as SeaBIOS drives it). */
#include "os.h"
#include "lib/pmem.h"
#include "lib/virtio_blk.h"

#define VBLK_QUEUE_SIZE 16
#define VBLK_CHUNK      8       /* sectors per request: 4 KiB, within any size_max */
#define VBLK_TIMEOUT_US 5000000
#define VBLK_MAX_DEVS   4

static struct vblk vblk;

static bool vblk_io(struct vblk *b, struct vblk_req *r, uint32_t type, uint64_t lba, uint32_t count, void *p,
		    const char *name)
{
	for (uint32_t done = 0; done < count; done += VBLK_CHUNK) {
		uint32_t n = count - done < VBLK_CHUNK ? count - done : VBLK_CHUNK;
		struct virtq_buf d = { (uintptr_t)p + (uint64_t)done * CONF_SECTOR, n * CONF_SECTOR, false };
		int rc = vblk_run(b, r, type, lba + done, &d, 1, NULL, tsc_from_us(VBLK_TIMEOUT_US));
		if (rc != VIRTIO_BLK_S_OK)
			return check_fail("%s: %s of %u sectors at LBA 0x%lx: result %d", name,
					  type == VIRTIO_BLK_T_IN ? "read" : "write", n, lba + done, rc);
	}
	return true;
}

/* The virtio-blk device whose capacity is the scratch disk's. */
static bool vblk_find_scratch(struct os_state *s, uint64_t want)
{
	int assigned = pci_assign_bars(); /* 0 when the firmware placed every BAR */
	if (assigned < 0)
		return check_fail("cannot place every PCI BAR");
	for (unsigned i = 0; i < VBLK_MAX_DEVS; i++) {
		struct pci_fn f;
		if (!pci_find(PCI_VID_VIRTIO, PCI_DID_VIRTIO_BLK, i, &f))
			break;
		memset(&vblk, 0, sizeof(vblk));
		if (virtio_probe(&vblk.dev, &f) ||
		    vblk_init(&vblk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH), VBLK_QUEUE_SIZE, VIRTIO_MSI_NO_VECTOR, 0)) {
			check_note("00:%02x.%x: %s", f.dev, f.fn, vblk.dev.err ? vblk.dev.err : "set-up failed");
			continue;
		}
		check_note("00:%02x.%x: capacity %lu sectors, features 0x%lx", f.dev, f.fn, vblk.capacity,
			   vblk.dev.features);
		if (vblk.capacity == want)
			return true;
	}
	(void)s;
	return check_fail("no virtio-blk device with the scratch disk's %lu sectors", want);
}

bool check_virtio_blk(struct os_state *s)
{
	uint64_t want = s->config && s->config->scratch_sectors ? s->config->scratch_sectors : CONF_SCRATCH_SECTORS;
	if (!pmem_init())
		return check_fail("no memory for the virtio rings");
	if (!vblk_find_scratch(s, want))
		return false;
	struct vblk *b = &vblk;
	struct vblk_req *r = pmem_alloc(sizeof(*r), 16);
	void *p = phys(CONF_BUF_PA);
	if (!r)
		return check_fail("no memory for a request");
	/* Host data in, guest data out and back: the regions the IDE checks use. */
	for (int i = 0; i < CONF_R_COUNT; i++) {
		const struct conf_region *g = &conf_regions[i];
		uint64_t tag = g->owner == CONF_BY_HOST ? CONF_TAG_HOST : CONF_TAG_GUEST;
		if (g->owner == CONF_BY_GUEST) {
			pattern_fill(p, g->lba, g->count, tag);
			if (!vblk_io(b, r, VIRTIO_BLK_T_OUT, g->lba, g->count, p, g->name))
				return false;
		}
		memset(p, 0, (size_t)g->count * CONF_SECTOR);
		if (!vblk_io(b, r, VIRTIO_BLK_T_IN, g->lba, g->count, p, g->name))
			return false;
		long bad = pattern_check(p, g->lba, g->count, tag);
		if (bad >= 0)
			return check_fail("%s: sector LBA 0x%lx differs", g->name, g->lba + (uint64_t)bad);
	}
	/* A read past the end fails with IOERR (virtio 1.2 §5.2.6.1). */
	struct virtq_buf d = { (uintptr_t)p, CONF_SECTOR, false };
	int rc = vblk_run(b, r, VIRTIO_BLK_T_IN, b->capacity, &d, 1, NULL, tsc_from_us(VBLK_TIMEOUT_US));
	if (rc != VIRTIO_BLK_S_IOERR)
		return check_fail("read past the end: result %d, expected IOERR (%d)", rc, VIRTIO_BLK_S_IOERR);
	if (b->dev.features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) {
		rc = vblk_run(b, r, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, tsc_from_us(VBLK_TIMEOUT_US));
		if (rc != VIRTIO_BLK_S_OK)
			return check_fail("FLUSH: result %d", rc);
	} else {
		check_note("no VIRTIO_BLK_F_FLUSH offered: no flush");
	}
	return true;
}
