/* pci_rig.h: a PCI bus without KVM for the PCI unit tests: three fake
 * devices whose BARs and config hooks record what reaches them, a host that
 * records INTx levels per GSI, and config-space helpers. */
#ifndef VMM_TESTS_PCI_RIG_H
#define VMM_TESTS_PCI_RIG_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"

#define INTX_GSI_BASE 10

/* A device whose BARs record what reaches them. */
struct fake_dev {
	struct pci_dev pci;
	uint64_t last_off;
	unsigned reads, writes;
	unsigned maps, unmaps;
	int last_bar;
	uint64_t last_map_addr;
	unsigned cfg_writes;
	unsigned last_cfg_off, last_cfg_size;
	uint32_t last_cfg_val;
	unsigned hooks;          /* cfg_access calls */
	bool hook_write, hook_unlocked;
	uint32_t hook_seen;      /* what a write hook found in config space */
};

struct rig {
	struct bus pio, mmio;
	struct pci_bus bus;
	struct fake_dev dev[3];
	unsigned intx_calls;
	int level[32]; /* last level set per GSI */
};

static inline uint64_t fake_bar_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake_dev *d = opaque;
	(void)size;
	d->last_off = off;
	d->reads++;
	return 0x5a;
}

static inline void fake_bar_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fake_dev *d = opaque;
	(void)size;
	(void)val;
	d->last_off = off;
	d->writes++;
}

static const struct bus_ops fake_bar_ops = { fake_bar_read, fake_bar_write };

static inline void fake_bar_mapped(struct pci_dev *pd, int bar, uint64_t addr, bool mapped)
{
	struct fake_dev *d = (struct fake_dev *)pd;
	if (mapped)
		d->maps++;
	else
		d->unmaps++;
	d->last_bar = bar;
	d->last_map_addr = addr;
}

static inline void fake_cfg_write(struct pci_dev *pd, unsigned off, unsigned size, uint32_t val)
{
	struct fake_dev *d = (struct fake_dev *)pd;
	d->cfg_writes++;
	d->last_cfg_off = off;
	d->last_cfg_size = size;
	d->last_cfg_val = val;
}

static const struct pci_dev_ops fake_dev_ops = { fake_cfg_write, fake_bar_mapped };

/* INTA of slot s reaches GSI 10 + (s & 1): slots 1 and 3 share GSI 11. */
static inline unsigned rig_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	(void)ctx;
	return INTX_GSI_BASE + ((slot + pin - 1) & 1);
}

static inline void rig_intx_set(void *ctx, unsigned gsi, int level)
{
	struct rig *r = ctx;
	ck_assert_uint_lt(gsi, 32);
	r->level[gsi] = level;
	r->intx_calls++;
}

static inline struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(bus_init(&r->pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&r->mmio, "mmio"), 0);
	struct pci_host host = { .ctx = r, .intx_gsi = rig_intx_gsi, .intx_set = rig_intx_set };
	ck_assert_int_eq(pci_bus_init(&r->bus, &r->pio, &r->mmio, &host), 0);
	for (int i = 0; i < 3; i++)
		pci_dev_init(&r->dev[i].pci, "fake", 0x1af4, (uint16_t)(0x1040 + i), 0x018000, 1,
			     0x1af4, 2, 1, &fake_dev_ops);
	return r;
}

static inline void rig_add(struct rig *r, int i, int slot)
{
	struct err e = { 0 };
	ck_assert_int_eq(pci_bus_add(&r->bus, &r->dev[i].pci, slot, &e), 0);
}

static inline void rig_free(struct rig *r)
{
	pci_bus_destroy(&r->bus);
	bus_destroy(&r->pio);
	bus_destroy(&r->mmio);
	free(r);
}

static inline uint32_t cfg_rd(struct rig *r, unsigned slot, unsigned off, unsigned size)
{
	return pci_bus_cfg_read(&r->bus, slot, off, size);
}

static inline void cfg_wr(struct rig *r, unsigned slot, unsigned off, unsigned size, uint32_t val)
{
	pci_bus_cfg_write(&r->bus, slot, off, size, val);
}

static inline bool mmio_claimed(struct rig *r, uint64_t addr)
{
	uint64_t v;
	return bus_read(&r->mmio, addr, 4, &v);
}

static inline bool pio_claimed(struct rig *r, uint64_t addr)
{
	uint64_t v;
	return bus_read(&r->pio, addr, 1, &v);
}

#endif
