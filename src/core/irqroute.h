/* irqroute.h: the VM's GSI routing table (KVM_SET_GSI_ROUTING), MSI routes,
 * irqfds and ioeventfds. Devices reach these only through the function
 * pointers in struct msi_ops / struct ioeventfd_ops, so they never see KVM.
 *
 * KVM_SET_GSI_ROUTING replaces the whole table, so the table always carries
 * the in-kernel irqchip's default routes too: GSI 0-15 to both PICs and the
 * IOAPIC pin of the same number, GSI 16-23 to the IOAPIC (api.rst 4.52).
 * MSI routes take GSIs from 24 up.
 */
#ifndef VMM_CORE_IRQROUTE_H
#define VMM_CORE_IRQROUTE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define IRQROUTE_IOAPIC_PINS 24
#define IRQROUTE_MSI_BASE    24
#define IRQROUTE_MAX_MSI     1000

struct irqroute_msi {
	bool used;
	bool valid;  /* false: routed nowhere (masked or never programmed) */
	uint64_t addr;
	uint32_t data;
	int irqfd;   /* eventfd bound to this GSI with KVM_IRQFD, -1 when none */
};

struct irqroute {
	int vm_fd;  /* -1: not initialized (irqroute_destroy is then a no-op) */
	pthread_mutex_t lock;
	struct irqroute_msi msi[IRQROUTE_MAX_MSI];
	unsigned long commit_failures; /* KVM_SET_GSI_ROUTING refused a table */
};

/* The table starts as the kernel's own default (nothing is committed until the
 * first MSI route changes, so init needs no working KVM). */
int irqroute_init(struct irqroute *r, int vm_fd, struct err *e);
/* Closes every irqfd; call once the vCPUs and the I/O thread are stopped. */
void irqroute_destroy(struct irqroute *r);

/* A new MSI GSI with an irqfd bound to it. Writing 1 (uint64) to *efd fires
 * the interrupt from any thread without a VM exit. Returns the GSI or -1. */
int irqroute_msi_alloc(struct irqroute *r, int *efd, struct err *e);
/* Point the GSI at an MSI address/data pair (valid=false routes it nowhere)
 * and commit the table. Returns 0 or -errno. */
int irqroute_msi_set(struct irqroute *r, int gsi, bool valid, uint64_t addr, uint32_t data);

/* Ioeventfd: a guest write of any value to [addr, addr+len) (len 1, 2, 4 or 8;
 * PIO when pio) signals efd inside the kernel, skipping the VMM. */
int irqroute_ioeventfd(int vm_fd, int efd, uint64_t addr, unsigned len, bool pio, bool assign);

/* The table KVM_SET_GSI_ROUTING receives: the irqchip defaults, then every
 * valid MSI route. Fills up to max entries, returns how many there are (for
 * tests; the caller holds no lock, so only call it while nothing else runs). */
#define IRQROUTE_DEFAULT_ROUTES (16 * 2 + (IRQROUTE_IOAPIC_PINS - 16))
#define IRQROUTE_MAX_ROUTES     (IRQROUTE_DEFAULT_ROUTES + IRQROUTE_MAX_MSI)
struct kvm_irq_routing_entry;
unsigned irqroute_table(const struct irqroute *r, struct kvm_irq_routing_entry *out, unsigned max);

#endif
