/* pci.h: a conventional PCI bus (bus 0) with type-1 configuration access,
 * shared by both modes.
 *
 * A device embeds struct pci_dev, fills its config header with
 * pci_dev_init(), declares BARs (pci_dev_set_bar) and capabilities
 * (pci_dev_add_cap, pci_msix_init), then joins the bus with pci_bus_add().
 * The bus owns all config-space semantics: read-only and write-1-to-clear
 * masks, BAR sizing (all-ones probe) and programming, and mapping each BAR onto
 * the PIO or MMIO bus while the guest has decoding enabled in COMMAND. A BAR's
 * ops receive offsets into the BAR. Guest writes to read-only bits are ignored.
 *
 * What the bus needs from the machine (interrupts, ioeventfds) comes through
 * struct pci_host, so devices and the bus never see KVM or a mode.
 *
 * Spec: PCI Local Bus 3.0 ch. 6 (config space), PCI-to-PCI bridge not modelled;
 * MSI-X: PCI 3.0 §6.8.2.
 */
#ifndef VMM_DEVICES_PCI_H
#define VMM_DEVICES_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/error.h"

#define PCI_CFG_SIZE 256
#define PCI_MAX_SLOTS 32
#define PCI_MAX_FUNCS 8 /* functions per slot (PCI 3.0 §3.2.2.3.2) */
#define PCI_MAX_DEVFN (PCI_MAX_SLOTS * PCI_MAX_FUNCS)
#define PCI_DEVFN(slot, fn) ((slot) * PCI_MAX_FUNCS + (fn))
#define PCI_NUM_BARS 6

/* Type-1 configuration mechanism (PCI 3.0 §3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC
/* CONFIG_ADDRESS fields: enable, bus 23:16, device 15:11, function 10:8,
 * register 7:2; bits 1:0 read as 0 (PCI 3.0 §3.2.2.3.2). */
#define PCI_CONFIG_ENABLE    0x80000000u
#define PCI_CONFIG_ADDR_MASK 0xFFFFFFFCu
#define PCI_CONFIG_BUS(a)    (((a) >> 16) & 0xFF)
#define PCI_CONFIG_SLOT(a)   (((a) >> 11) & 0x1F)
#define PCI_CONFIG_FUNC(a)   (((a) >> 8) & 0x7)
#define PCI_CONFIG_REG(a)    ((a) & 0xFC)
/* 0xCF9 lies inside CONFIG_ADDRESS's dword: the PIIX3 reset control register. */
#define PCI_CONFIG_RCR_OFF   1

/* Config header offsets (type 0). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION_ID    0x08
#define PCI_CLASS_PROG     0x09
#define PCI_CLASS_DEVICE   0x0A
#define PCI_CACHE_LINE_SIZE 0x0C
#define PCI_LATENCY_TIMER  0x0D
#define PCI_HEADER_TYPE    0x0E
#define PCI_HEADER_MULTIFUNCTION 0x80 /* in function 0: functions 1-7 may exist */
#define PCI_BAR0           0x10
#define PCI_BAR_END        0x28 /* one past BAR5 */
#define PCI_SUBSYS_VENDOR  0x2C
#define PCI_SUBSYS_ID      0x2E
#define PCI_ROM_ADDRESS    0x30 /* no expansion ROMs: reads 0 */
#define PCI_CAP_PTR        0x34
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN  0x3D
#define PCI_CFG_HEADER_SIZE 0x40 /* capabilities go after the type-0 header */
#define PCI_CAP_LIST_MAX   48   /* (256 - 64) / 4: a longer walk is a loop */

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT 0x0008
#define PCI_STATUS_CAP_LIST  0x0010
/* Error bits, write-1-to-clear (PCI 3.0 §6.2.3): master data parity error,
 * signaled/received target abort, received master abort, signaled system
 * error, detected parity error. */
#define PCI_STATUS_W1C       0xF900

/* BAR register low bits (PCI 3.0 §6.2.5.1). */
#define PCI_BASE_ADDRESS_SPACE_IO  0x1
#define PCI_BASE_ADDRESS_MEM_64    0x4
#define PCI_BASE_ADDRESS_MEM_PREF  0x8
#define PCI_BASE_ADDRESS_IO_MASK   0xFFFFFFFCu
#define PCI_BASE_ADDRESS_MEM_MASK  0xFFFFFFF0u
#define PCI_IO_SPACE_END           0x10000ULL /* x86 ports: I/O BARs end below */

/* The generic host bridge (class 0x0600: Linux's pci_sanity_check wants one
 * on bus 0). The IDs are QEMU's PCIe host bridge, Red Hat's vendor ID, which
 * no guest driver binds to. */
#define PCI_CLASS_BRIDGE_HOST      0x060000
#define PCI_VENDOR_ID_REDHAT       0x1B36
#define PCI_DEVICE_ID_REDHAT_HOST  0x0008

#define PCI_CAP_ID_MSIX   0x11
#define PCI_CAP_ID_VENDOR 0x09

/* BAR flags for pci_dev_set_bar. */
#define PCI_BAR_IO       0x1 /* I/O space (else 32-bit memory) */
#define PCI_BAR_MEM64    0x2 /* 64-bit memory BAR: takes this and the next slot */
#define PCI_BAR_PREFETCH 0x4
#define PCI_BAR_UPPER_HALF 0x8 /* set by the bus: this slot is a 64-bit BAR's high dword */

#define PCI_INTX_NONE 0xFFu /* intx_gsi: the pin reaches no interrupt line */

struct pci_dev;
struct pci_msix;

/* What the machine provides the bus. Any pointer may be NULL: the feature is
 * then absent (msi_alloc NULL => MSI-X vectors never fire). */
struct pci_host {
	void *ctx;
	/* A new MSI route + irqfd; returns the GSI or -1. */
	int (*msi_alloc)(void *ctx, int *efd);
	/* Route gsi to an MSI address/data (valid=false: nowhere). 0 or -errno. */
	int (*msi_set)(void *ctx, int gsi, bool valid, uint64_t addr, uint32_t data);
	/* (De)register an ioeventfd on a guest address. 0 or -errno. */
	int (*ioeventfd)(void *ctx, int efd, uint64_t addr, unsigned len, bool pio, bool assign);
	/* Legacy INTx: the GSI that slot's pin (1=INTA..4=INTD) reaches
	 * (PCI_INTX_NONE: not routed, e.g. a disabled PIIX3 PIRQ), and the
	 * line level setter (vm_irq_set). */
	unsigned (*intx_gsi)(void *ctx, unsigned slot, unsigned pin);
	void (*intx_set)(void *ctx, unsigned gsi, int level);
	/* Byte accesses to 0xCF9 (a chipset's reset control register) go here
	 * with off 0, outside the bus lock; NULL: they are ignored like any
	 * narrow CONFIG_ADDRESS access. */
	const struct bus_ops *rcr_ops;
	void *rcr_opaque;
};

struct pci_bar {
	uint64_t size;     /* power of two, 0 = unused */
	unsigned flags;    /* PCI_BAR_* */
	const struct bus_ops *ops;
	void *opaque;
	bool mapped;       /* currently registered on a bus */
	uint64_t mapped_addr;
};

/* Device hooks, all optional; called with the bus lock held, so they must not
 * call back into the bus except through the pci_* functions documented as
 * safe under it. */
struct pci_dev_ops {
	/* After the bus applied a config write (masks done) at off/size. */
	void (*cfg_write)(struct pci_dev *d, unsigned off, unsigned size, uint32_t val);
	/* A BAR was mapped at addr (mapped=true) or unmapped. */
	void (*bar_mapped)(struct pci_dev *d, int bar, uint64_t addr, bool mapped);
	/* Config bytes whose accesses have side effects beyond config space
	 * (d->cfg_hook_off, d->cfg_hook_len; e.g. virtio's PCI_CFG window onto a
	 * BAR): an access touching them calls this, for a read before the bus
	 * reads d->cfg (the hook may refresh the bytes), for a write after the
	 * bus applied it (masks, cfg_write). Called WITHOUT the bus lock, so the
	 * hook may take device locks held around pci_dev_set_intx; it reaches
	 * config space through pci_dev_cfg_load/pci_dev_cfg_store. */
	void (*cfg_access)(struct pci_dev *d, unsigned off, unsigned size, bool write);
};

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];   /* 1 = guest-writable bit */
	uint8_t w1cmask[PCI_CFG_SIZE]; /* 1 = write-1-to-clear bit */
	struct pci_bar bars[PCI_NUM_BARS];
	const struct pci_dev_ops *ops;
	const char *name;
	struct pci_bus *bus;  /* set by pci_bus_add */
	unsigned slot;        /* device number on bus 0, set by pci_bus_add */
	unsigned fn;          /* function number, set by pci_bus_add_fn */
	uint8_t cap_next;     /* where the next capability goes */
	uint8_t cfg_hook_off, cfg_hook_len; /* ops->cfg_access's bytes (len 0: none) */
	bool intx_level;      /* the device's INTx output (before INTX_DISABLE) */
	bool intx_driven;     /* what this device currently contributes to its GSI */
	/* Set by pci_msix_init: the bus tells MSI-X about message-control writes. */
	struct pci_msix *msix;
};

/* The lock guards every device's config space and BAR mappings. It is
 * recursive, so device hooks may call pci_dev_set_intx, pci_bus_cfg_read and
 * pci_bus_cfg_write. Lock order: bus lock, then a pci_msix lock, then the
 * host's (irqroute) lock. A device may call pci_dev_set_intx while holding its
 * own lock only if its hooks never take that lock (else: ABBA); cfg_access is
 * the hook that may, as the bus drops its lock around it. */
struct pci_bus {
	pthread_mutex_t lock;
	struct bus *pio, *mmio;
	struct pci_host host;
	struct pci_dev *fns[PCI_MAX_DEVFN];   /* [PCI_DEVFN(slot, function)] */
	uint32_t config_address;              /* last write to 0xCF8 */
	/* Counted, never fatal: config accesses of a wrong size or past config
	 * space, and BARs programmed where they cannot be mapped (address 0,
	 * wrapping, I/O past 0xFFFF, overlapping another range). */
	unsigned long bad_accesses;
};

/* Config header: IDs, class (base<<16 | sub<<8 | prog-if), revision, header
 * type 0, capabilities pointer empty, COMMAND writable bits (IO, MEMORY,
 * MASTER, INTX_DISABLE), INTERRUPT_LINE writable, INTERRUPT_PIN = pin (0 none). */
void pci_dev_init(struct pci_dev *d, const char *name, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint16_t subsys_vendor,
		  uint16_t subsys_id, uint8_t intx_pin, const struct pci_dev_ops *ops);

/* Declare BAR idx (size a power of two >= 16 for memory, >= 4 for I/O).
 * Accesses at offsets in [0, size) reach ops with that offset. */
int pci_dev_set_bar(struct pci_dev *d, int idx, uint64_t size, unsigned flags,
		    const struct bus_ops *ops, void *opaque);

/* Append a capability: id, next pointer, then len bytes of body (copied;
 * writable bits of the body set afterwards through d->wmask). Returns the
 * capability's config offset, or -1 when config space is full. */
int pci_dev_add_cap(struct pci_dev *d, uint8_t id, const void *body, unsigned len);

/* A host bridge: class 0x060000, no BARs, no interrupt pin. */
void pci_host_bridge_init(struct pci_dev *d, uint16_t vendor, uint16_t device);

/* Little-endian helpers on d->cfg (no masks: for the device's own use). */
uint32_t pci_cfg_get(const struct pci_dev *d, unsigned off, unsigned size);
void pci_cfg_set(struct pci_dev *d, unsigned off, unsigned size, uint32_t val);

/* d->cfg under the bus lock (d on a bus) or without it (not yet on one), no
 * masks, no hooks: for cfg_access hooks, which run unlocked. */
uint32_t pci_dev_cfg_load(struct pci_dev *d, unsigned off, unsigned size);
void pci_dev_cfg_store(struct pci_dev *d, unsigned off, unsigned size, uint32_t val);

/* Assert or deassert the device's INTx pin (honours COMMAND.INTX_DISABLE,
 * keeps STATUS.INTERRUPT). Safe from any thread. */
void pci_dev_set_intx(struct pci_dev *d, int level);
/* The INTx routing changed (a chipset's PIRQ register): set gsi's line to the
 * OR of the devices that now reach it. Call for the old and the new GSI.
 * Takes the (recursive) bus lock: fine from a cfg_write hook. */
void pci_bus_intx_resync(struct pci_bus *b, unsigned gsi);

int pci_bus_init(struct pci_bus *b, struct bus *pio, struct bus *mmio,
		 const struct pci_host *host);
/* Frees the bus only: devices may already be gone and their BAR ranges stay on
 * the PIO/MMIO buses, which are torn down after the devices. */
void pci_bus_destroy(struct pci_bus *b);
/* Put d at slot (0-31), or at the first free slot when slot < 0. Fills
 * INTERRUPT_LINE with the GSI the host routes the pin to (firmware may
 * rewrite it) and allocates the MSI-X vectors' routes. */
int pci_bus_add(struct pci_bus *b, struct pci_dev *d, int slot, struct err *e);
/* The same for function fn (0-7) of slot (0-31). A function above 0 needs
 * function 0 on the bus first, and sets its multi-function header bit; only
 * then do guests look for it. */
int pci_bus_add_fn(struct pci_bus *b, struct pci_dev *d, unsigned slot, unsigned fn,
		   struct err *e);

/* Register these at PCI_CONFIG_ADDRESS (len 4) and PCI_CONFIG_DATA (len 4),
 * opaque = the pci_bus. */
extern const struct bus_ops pci_config_address_ops;
extern const struct bus_ops pci_config_data_ops;

/* Direct config access (tests, firmware-less setup): bus lock taken inside. */
uint32_t pci_bus_cfg_read(struct pci_bus *b, unsigned slot, unsigned off, unsigned size);
void pci_bus_cfg_write(struct pci_bus *b, unsigned slot, unsigned off, unsigned size,
		       uint32_t val);
/* The same for any function of the slot. */
uint32_t pci_bus_cfg_read_fn(struct pci_bus *b, unsigned slot, unsigned fn, unsigned off,
			     unsigned size);
void pci_bus_cfg_write_fn(struct pci_bus *b, unsigned slot, unsigned fn, unsigned off,
			  unsigned size, uint32_t val);

#endif
