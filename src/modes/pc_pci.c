/* pc_pci.c: a PC's PCI bus for either mode: ports 0xCF8/0xCFC, a host bridge, glue to irqroute and the irqchip. */
#include <stdlib.h>

#include "boot/mptable.h"
#include "core/vm.h"
#include "devices/pci.h"
#include "modes/mode.h"

struct pc_pci {
	struct pci_bus bus;
	struct pci_dev bridge;
	struct vm *vm;
	unsigned (*intx_gsi)(void *ctx, unsigned slot, unsigned pin);
	void *intx_ctx;
	bool bus_ready;
};

static int pc_pci_msi_alloc(void *ctx, int *efd)
{
	struct pc_pci *p = ctx;
	struct err e = { 0 }; /* the device counts the failure; nobody reads why */
	return irqroute_msi_alloc(&p->vm->irq, efd, &e);
}

static int pc_pci_msi_set(void *ctx, int gsi, bool valid, uint64_t addr, uint32_t data)
{
	struct pc_pci *p = ctx;
	return irqroute_msi_set(&p->vm->irq, gsi, valid, addr, data);
}

static int pc_pci_ioeventfd(void *ctx, int efd, uint64_t addr, unsigned len, bool pio, bool assign)
{
	struct pc_pci *p = ctx;
	return irqroute_ioeventfd(p->vm->fd, efd, addr, len, pio, assign);
}

static unsigned pc_pci_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	struct pc_pci *p = ctx;
	return p->intx_gsi(p->intx_ctx, slot, pin);
}

static void pc_pci_intx_set(void *ctx, unsigned gsi, int level)
{
	struct pc_pci *p = ctx;
	vm_irq_set(p->vm, gsi, level);
}

static void pc_pci_free(void *opaque)
{
	struct pc_pci *p = opaque;
	if (p->bus_ready)
		pci_bus_destroy(&p->bus);
	free(p);
}

struct pci_bus *pc_pci_attach(struct vm *vm,
			      unsigned (*intx_gsi)(void *ctx, unsigned slot, unsigned pin),
			      void *intx_ctx, bool generic_bridge, struct err *e)
{
	struct pc_pci *p = calloc(1, sizeof(*p));
	if (!p) {
		err_set(e, ERR_HOST, "out of memory");
		return NULL;
	}
	if (vm_on_teardown(vm, pc_pci_free, p, e)) {
		free(p);
		return NULL;
	}
	p->vm = vm;
	p->intx_gsi = intx_gsi;
	p->intx_ctx = intx_ctx;
	struct pci_host host = {
		.ctx = p,
		.msi_alloc = pc_pci_msi_alloc,
		.msi_set = pc_pci_msi_set,
		.ioeventfd = pc_pci_ioeventfd,
		.intx_gsi = intx_gsi ? pc_pci_intx_gsi : NULL,
		.intx_set = pc_pci_intx_set,
	};
	int rc = pci_bus_init(&p->bus, &vm->pio, &vm->mmio, &host);
	if (rc) {
		err_errno(e, ERR_HOST, -rc, "PCI bus lock");
		return NULL;
	}
	p->bus_ready = true;
	if (vm_add_pio(vm, PCI_CONFIG_ADDRESS, 4, &pci_config_address_ops, &p->bus,
		       "PCI config address", e) ||
	    vm_add_pio(vm, PCI_CONFIG_DATA, 4, &pci_config_data_ops, &p->bus, "PCI config data", e))
		return NULL;
	if (generic_bridge) {
		pci_host_bridge_init(&p->bridge, PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ID_REDHAT_HOST);
		if (pci_bus_add(&p->bus, &p->bridge, 0, e))
			return NULL;
	}
	return &p->bus;
}

/* INTERRUPT_PIN bits (bit pin-1) of every function at slot. */
static unsigned pc_pci_slot_pins(const struct pci_bus *bus, unsigned slot)
{
	unsigned pins = 0;
	for (unsigned fn = 0; fn < PCI_MAX_FUNCS; fn++) {
		const struct pci_dev *d = bus->fns[PCI_DEVFN(slot, fn)];
		unsigned pin = d ? d->cfg[PCI_INTERRUPT_PIN] : 0;
		if (pin >= 1 && pin <= MPTABLE_PCI_PINS)
			pins |= 1u << (pin - 1);
	}
	return pins;
}

/* The routing comes from the same intx_gsi the bus raises lines through
 * (pci_dev_set_intx), so the table cannot disagree with what the VMM does. */
unsigned pc_pci_intx_routes(struct pci_bus *bus, struct mptable_pci_irq *out)
{
	_Static_assert(PCI_MAX_SLOTS == MPTABLE_PCI_SLOTS, "one entry per slot and pin fits");
	unsigned n = 0;
	if (!bus->host.intx_gsi)
		return 0;
	pthread_mutex_lock(&bus->lock);
	for (unsigned slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		unsigned pins = pc_pci_slot_pins(bus, slot);
		for (unsigned pin = 1; pin <= MPTABLE_PCI_PINS; pin++) {
			if (!(pins & (1u << (pin - 1))))
				continue;
			unsigned gsi = bus->host.intx_gsi(bus->host.ctx, slot, pin);
			if (gsi == PCI_INTX_NONE)
				continue; /* e.g. a PIIX3 PIRQ nobody enabled */
			out[n++] = (struct mptable_pci_irq){ slot, pin, gsi };
		}
	}
	pthread_mutex_unlock(&bus->lock);
	return n;
}
