/* pci_cfg.c (virtio): the PCI configuration access capability (virtio 1.2
 * §4.1.4.9), a window in config space onto the virtio BAR for drivers that
 * cannot reach the BAR itself: firmware before it maps the BAR, or 32-bit code
 * with the BAR above 4 GiB (SeaBIOS does both).
 *
 * The driver writes cap.bar, cap.offset and cap.length (1, 2 or 4); a config
 * read that touches pci_cfg_data reads cap.length bytes at cap.offset of the
 * BAR into its first cap.length bytes before the bus returns them, and a config
 * write that touches it writes its first cap.length bytes there, as the spec
 * words it and QEMU does (so a byte access at data+1 moves the whole field).
 * The access goes through the BAR's own accessors, so every side effect is the
 * same as through the mapped BAR: a notify write kicks the queue, an ISR read
 * clears it. It works whether or not the BAR is mapped.
 */
#include "virtio/pci.h"

/* What the window may reach: the virtio structures, which the other vendor
 * capabilities place below the MSI-X table (§4.1.4.9.1: the driver stays
 * within a range some other virtio capability names). */
#define VP_CFG_WINDOW_END VIRTIO_PCI_MSIX_TABLE_OFF

_Static_assert(VP_CFG_WINDOW_END <= VIRTIO_PCI_BAR_SIZE, "window inside the BAR");

int virtio_pci_cfg_cap_add(struct virtio_pci *vp)
{
	/* From cap_len on (the bus writes cap_vndr and cap_next); bar, offset
	 * and length start at 0, which reaches nothing until the driver sets
	 * them (BAR 0 is not the virtio BAR). */
	uint8_t body[VIRTIO_PCI_CFG_CAP_LEN - 2] = { 0 };
	body[0] = VIRTIO_PCI_CFG_CAP_LEN;
	body[VIRTIO_PCI_CAP_CFG_TYPE - 2] = VIRTIO_PCI_CAP_PCI_CFG;
	int cap = pci_dev_add_cap(&vp->pci, PCI_CAP_ID_VENDOR, body, sizeof(body));
	if (cap < 0)
		return -1;
	unsigned c = (unsigned)cap;
	/* The fields the spec makes read-write for the driver; the rest of the
	 * capability stays read-only. */
	vp->pci.wmask[c + VIRTIO_PCI_CAP_BAR] = 0xFF;
	for (unsigned i = 0; i < 4; i++) {
		vp->pci.wmask[c + VIRTIO_PCI_CAP_OFFSET + i] = 0xFF;
		vp->pci.wmask[c + VIRTIO_PCI_CAP_LENGTH + i] = 0xFF;
		vp->pci.wmask[c + VIRTIO_PCI_CFG_DATA + i] = 0xFF;
	}
	vp->cfg_cap = (uint8_t)c;
	vp->pci.cfg_hook_off = (uint8_t)(c + VIRTIO_PCI_CFG_DATA);
	vp->pci.cfg_hook_len = 4;
	return 0;
}

/* The driver's window is guest-controlled: only the virtio BAR, a length of
 * 1, 2 or 4, naturally aligned (§4.1.4.9.1: the driver MUST NOT do otherwise),
 * within the virtio structures. */
static bool vp_cfg_window_ok(uint8_t bar, uint32_t off, uint32_t len)
{
	if (bar != VIRTIO_PCI_BAR || (len != 1 && len != 2 && len != 4))
		return false;
	return off % len == 0 && off < VP_CFG_WINDOW_END && len <= VP_CFG_WINDOW_END - off;
}

static void vp_cfg_count_bad(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->dev->lock);
	vp->dev->bad_accesses++;
	pthread_mutex_unlock(&vp->dev->lock);
}

/* Runs without the PCI bus lock (pci_dev_ops.cfg_access): the BAR accessors
 * take the device lock, which is held around pci_dev_set_intx. */
void virtio_pci_cfg_access(struct pci_dev *pd, unsigned off, unsigned size, bool write)
{
	struct virtio_pci *vp = virtio_pci_of(pd);
	unsigned cap = vp->cfg_cap, data = cap + VIRTIO_PCI_CFG_DATA;
	uint8_t bar = (uint8_t)pci_dev_cfg_load(pd, cap + VIRTIO_PCI_CAP_BAR, 1);
	uint32_t boff = pci_dev_cfg_load(pd, cap + VIRTIO_PCI_CAP_OFFSET, 4);
	uint32_t len = pci_dev_cfg_load(pd, cap + VIRTIO_PCI_CAP_LENGTH, 4);
	(void)off, (void)size; /* any access to the data bytes moves the whole field */
	if (!vp_cfg_window_ok(bar, boff, len)) {
		/* Ignored and counted. A read gives 0, as the BAR's reserved
		 * space does, rather than stale data (QEMU leaves the bytes as
		 * they were; the spec says nothing). */
		vp_cfg_count_bad(vp);
		if (!write)
			pci_dev_cfg_store(pd, data, 4, 0);
		return;
	}
	if (write)
		virtio_pci_bar_ops.write(vp, boff, len, pci_dev_cfg_load(pd, data, len));
	else
		pci_dev_cfg_store(pd, data, len, (uint32_t)virtio_pci_bar_ops.read(vp, boff, len));
}
