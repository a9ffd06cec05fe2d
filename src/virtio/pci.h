/* pci.h (virtio): the virtio 1.2 modern PCI transport (§4.1).
 *
 * One 64-bit memory BAR holds every structure the capabilities point at:
 * common config, ISR, device-specific config, the notify area (one 4-byte
 * slot per queue) and the MSI-X table and PBA. While the BAR is mapped, each
 * queue's notify slot is an ioeventfd, so a driver's kick reaches the VM's
 * I/O thread without a VM exit; a notify write that does reach the BAR (no
 * ioeventfd, other access width) signals the same eventfd, so queues are
 * always served on the I/O thread. Interrupts go through MSI-X when the
 * driver enabled it, else through INTA# and the ISR.
 *
 * A VIRTIO_PCI_CAP_PCI_CFG capability (§4.1.4.9, pci_cfg.c) reaches the same
 * registers through config space, mapped BAR or not.
 *
 * Not offered: legacy (0.9.5) registers.
 */
#ifndef VMM_VIRTIO_PCI_H
#define VMM_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/evloop.h"
#include "devices/pci.h"
#include "devices/pci_msix.h"
#include "virtio/virtio.h"

/* IDs (§4.1.2): modern device IDs are 0x1040 + the virtio device type. The
 * subsystem IDs are QEMU's (Red Hat / QEMU), which §4.1.2.1 allows. */
#define VIRTIO_PCI_VENDOR        0x1AF4
#define VIRTIO_PCI_DEVICE_BASE   0x1040
#define VIRTIO_PCI_REVISION      1
#define VIRTIO_PCI_SUBSYS_VENDOR 0x1AF4
#define VIRTIO_PCI_SUBSYS_ID     0x1100

/* Class codes per device type (base << 16 | sub << 8 | prog-if). */
#define VIRTIO_PCI_CLASS_BLOCK   0x018000 /* mass storage, other */
#define VIRTIO_PCI_CLASS_CONSOLE 0x078000 /* simple communication, other */
#define VIRTIO_PCI_CLASS_OTHER   0xFF0000 /* rng and the rest */

/* Capability cfg_type (§4.1.4) and layout: cap_vndr, cap_next, cap_len,
 * cfg_type, bar, id, padding[2], offset (le32), length (le32); the notify
 * capability adds notify_off_multiplier (le32). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5
#define VIRTIO_PCI_CAP_LEN        16
#define VIRTIO_PCI_NOTIFY_CAP_LEN 20
#define VIRTIO_PCI_CAP_CFG_TYPE   3
#define VIRTIO_PCI_CAP_BAR        4
#define VIRTIO_PCI_CAP_OFFSET     8
#define VIRTIO_PCI_CAP_LENGTH     12
#define VIRTIO_PCI_CAP_NOTIFY_MULT 16
/* struct virtio_pci_cfg_cap (§4.1.4.9): the common layout plus pci_cfg_data[4];
 * bar, offset and length say what a config access to the data bytes reaches. */
#define VIRTIO_PCI_CFG_CAP_LEN    20
#define VIRTIO_PCI_CFG_DATA       16

/* struct virtio_pci_common_cfg (§4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT  0x00
#define VIRTIO_PCI_COMMON_DF        0x04
#define VIRTIO_PCI_COMMON_GFSELECT  0x08
#define VIRTIO_PCI_COMMON_GF        0x0C
#define VIRTIO_PCI_COMMON_MSIX      0x10
#define VIRTIO_PCI_COMMON_NUMQ      0x12
#define VIRTIO_PCI_COMMON_STATUS    0x14
#define VIRTIO_PCI_COMMON_CFGGEN    0x15
#define VIRTIO_PCI_COMMON_Q_SELECT  0x16
#define VIRTIO_PCI_COMMON_Q_SIZE    0x18
#define VIRTIO_PCI_COMMON_Q_MSIX    0x1A
#define VIRTIO_PCI_COMMON_Q_ENABLE  0x1C
#define VIRTIO_PCI_COMMON_Q_NOFF    0x1E
#define VIRTIO_PCI_COMMON_Q_DESC    0x20
#define VIRTIO_PCI_COMMON_Q_DRIVER  0x28
#define VIRTIO_PCI_COMMON_Q_DEVICE  0x30
#define VIRTIO_PCI_COMMON_LEN       0x38

/* ISR status bits (§4.1.4.5). */
#define VIRTIO_PCI_ISR_QUEUE  0x1
#define VIRTIO_PCI_ISR_CONFIG 0x2

#define VIRTIO_MSI_NO_VECTOR PCI_MSIX_NO_VECTOR

/* The BAR and where things sit in it. */
#define VIRTIO_PCI_BAR            4
#define VIRTIO_PCI_BAR_SIZE       0x4000
#define VIRTIO_PCI_COMMON_OFF     0x0000
#define VIRTIO_PCI_ISR_OFF        0x0800
#define VIRTIO_PCI_WINDOW         0x0800 /* common and ISR windows */
#define VIRTIO_PCI_DEVICE_OFF     0x1000
#define VIRTIO_PCI_DEVICE_MAX     0x1000
#define VIRTIO_PCI_NOTIFY_OFF     0x2000
#define VIRTIO_PCI_NOTIFY_MULT    4      /* queue q's slot: NOTIFY_OFF + 4 * q */
#define VIRTIO_PCI_NOTIFY_WIDTH   2      /* drivers write the 16-bit queue index */
#define VIRTIO_PCI_MSIX_TABLE_OFF 0x3000
#define VIRTIO_PCI_MSIX_PBA_OFF   0x3800

struct virtio_pci;

/* One per queue: the evloop handler's argument. */
struct virtio_pci_kick {
	struct virtio_pci *vp;
	unsigned q;
	int efd;
};

struct virtio_pci {
	struct pci_dev pci;
	struct pci_msix msix;
	struct virtio_dev *dev;
	struct evloop *loop;
	struct virtio_pci_kick kicks[VIRTIO_MAX_QUEUES];
	bool msix_ready, pci_ready;
	/* Registers, under dev->lock. */
	uint32_t dfselect, gfselect;
	uint16_t queue_select;
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
	uint8_t isr;
	uint8_t cfg_cap; /* config offset of the PCI_CFG capability */
	/* Under the PCI bus lock (bar_mapped hook). */
	bool ioeventfds_on;
	uint64_t notify_base;
	unsigned long ioeventfd_failures;
};

static inline struct virtio_pci *virtio_pci_of(struct pci_dev *d)
{
	return (struct virtio_pci *)(void *)((char *)d - offsetof(struct virtio_pci, pci));
}

/* Build the PCI function for d (config header, capabilities, BAR, MSI-X with
 * one vector per queue plus one for config changes) and watch each queue's
 * kick eventfd on loop (NULL: the caller drives virtio_dev_kick itself). */
int virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *d, struct evloop *loop,
		    struct err *e);
/* Join the bus (first free slot). */
int virtio_pci_attach(struct virtio_pci *vp, struct pci_bus *bus, struct err *e);
/* After the I/O thread stopped. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* The BAR's accessors (also for tests). */
extern const struct bus_ops virtio_pci_bar_ops;

/* pci_cfg.c, for pci.c: add the PCI_CFG capability (0, or -1 when config
 * space is full), and the pci_dev_ops.cfg_access hook that serves it. */
int virtio_pci_cfg_cap_add(struct virtio_pci *vp);
void virtio_pci_cfg_access(struct pci_dev *pd, unsigned off, unsigned size, bool write);

#endif
