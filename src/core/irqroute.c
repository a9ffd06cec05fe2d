/* irqroute.c: the VM's GSI routing table, MSI routes with their irqfds, and ioeventfds (see irqroute.h). */
#include "core/irqroute.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/kvm.h"

/* The 8259 pair: GSI 0-7 on the master, 8-15 on the slave (pin = gsi % 8). */
#define IRQROUTE_PIC_GSIS     16
#define IRQROUTE_PIC_PINS     8

int irqroute_init(struct irqroute *r, int vm_fd, struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->vm_fd = -1;
	if (vm_fd < 0)
		return err_set(e, ERR_HOST, "irq routing: no VM");
	for (unsigned i = 0; i < IRQROUTE_MAX_MSI; i++)
		r->msi[i].irqfd = -1;
	int rc = pthread_mutex_init(&r->lock, NULL);
	if (rc)
		return err_errno(e, ERR_HOST, rc, "irq routing lock");
	r->vm_fd = vm_fd;
	return 0;
}

void irqroute_destroy(struct irqroute *r)
{
	if (r->vm_fd < 0)
		return;
	/* Closing the eventfd detaches its irqfd (the kernel sees POLLHUP). */
	for (unsigned i = 0; i < IRQROUTE_MAX_MSI; i++) {
		if (r->msi[i].irqfd >= 0)
			close(r->msi[i].irqfd);
		r->msi[i] = (struct irqroute_msi){ .irqfd = -1 };
	}
	pthread_mutex_destroy(&r->lock);
	r->vm_fd = -1;
}

static void irqroute_put_chip(struct kvm_irq_routing_entry *out, unsigned gsi, unsigned chip,
			      unsigned pin)
{
	*out = (struct kvm_irq_routing_entry){
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};
}

/* KVM_SET_GSI_ROUTING replaces the kernel's table whole, so it must repeat the
 * routes KVM_CREATE_IRQCHIP installed: Linux arch/x86/kvm/irq_comm.c
 * default_routing[] sends GSI 0-15 to the IOAPIC pin of that number and to the
 * PIC (master for 0-7, slave for 8-15, pin gsi % 8), GSI 2 included (it reaches
 * master pin 2, the cascade input, exactly as the kernel's own table does), and
 * GSI 16-23 to the IOAPIC only. Same order as the kernel. */
unsigned irqroute_table(const struct irqroute *r, struct kvm_irq_routing_entry *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned gsi = 0; gsi < IRQROUTE_IOAPIC_PINS; gsi++) {
		if (n < max)
			irqroute_put_chip(&out[n], gsi, KVM_IRQCHIP_IOAPIC, gsi);
		n++;
		if (gsi >= IRQROUTE_PIC_GSIS)
			continue;
		if (n < max)
			irqroute_put_chip(&out[n], gsi,
					  gsi < IRQROUTE_PIC_PINS ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
					  gsi % IRQROUTE_PIC_PINS);
		n++;
	}
	for (unsigned i = 0; i < IRQROUTE_MAX_MSI; i++) {
		const struct irqroute_msi *m = &r->msi[i];
		if (!m->used || !m->valid)
			continue;
		if (n < max)
			out[n] = (struct kvm_irq_routing_entry){
				.gsi = IRQROUTE_MSI_BASE + i,
				.type = KVM_IRQ_ROUTING_MSI,
				.u.msi = {
					.address_lo = (uint32_t)m->addr,
					.address_hi = (uint32_t)(m->addr >> 32),
					.data = m->data,
				},
			};
		n++;
	}
	return n;
}

/* Hand the whole table to KVM. Called with r->lock held. 0 or -errno. */
static int irqroute_commit(struct irqroute *r)
{
	size_t bytes = sizeof(struct kvm_irq_routing) +
		       IRQROUTE_MAX_ROUTES * sizeof(struct kvm_irq_routing_entry);
	struct kvm_irq_routing *t = calloc(1, bytes);
	if (!t)
		return -ENOMEM;
	t->nr = irqroute_table(r, t->entries, IRQROUTE_MAX_ROUTES);
	int rc = kvm_ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t) ? -errno : 0;
	free(t);
	if (rc)
		r->commit_failures++;
	return rc;
}

int irqroute_msi_alloc(struct irqroute *r, int *efd, struct err *e)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return err_errno(e, ERR_HOST, errno, "eventfd for an MSI irqfd");
	pthread_mutex_lock(&r->lock);
	unsigned i = 0;
	while (i < IRQROUTE_MAX_MSI && r->msi[i].used)
		i++;
	if (i == IRQROUTE_MAX_MSI) {
		pthread_mutex_unlock(&r->lock);
		close(fd);
		return err_set(e, ERR_HOST, "out of MSI routes (%d in use)", IRQROUTE_MAX_MSI);
	}
	/* The GSI has no route yet: an early signal goes nowhere, which is what
	 * a masked vector wants. */
	struct kvm_irqfd irqfd = { .fd = (uint32_t)fd, .gsi = IRQROUTE_MSI_BASE + i };
	if (kvm_ioctl(r->vm_fd, KVM_IRQFD, &irqfd)) {
		int errnum = errno;
		pthread_mutex_unlock(&r->lock);
		close(fd);
		return err_errno(e, ERR_HOST, errnum, "KVM_IRQFD gsi %u", IRQROUTE_MSI_BASE + i);
	}
	r->msi[i] = (struct irqroute_msi){ .used = true, .irqfd = fd };
	pthread_mutex_unlock(&r->lock);
	*efd = fd;
	return (int)(IRQROUTE_MSI_BASE + i);
}

int irqroute_msi_set(struct irqroute *r, int gsi, bool valid, uint64_t addr, uint32_t data)
{
	if (gsi < IRQROUTE_MSI_BASE || gsi >= IRQROUTE_MSI_BASE + IRQROUTE_MAX_MSI)
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	struct irqroute_msi *m = &r->msi[gsi - IRQROUTE_MSI_BASE];
	int rc = 0;
	if (!m->used) {
		rc = -ENOENT;
	} else if (!valid) {
		/* A route that goes nowhere need not remember where it went. */
		if (m->valid) {
			m->valid = false;
			rc = irqroute_commit(r);
			if (rc)
				m->valid = true;
		}
	} else if (!m->valid || m->addr != addr || m->data != data) {
		/* Skipping unchanged routes matters: each commit makes the kernel
		 * wait for an SRCU grace period. */
		struct irqroute_msi old = *m;
		m->valid = true;
		m->addr = addr;
		m->data = data;
		rc = irqroute_commit(r);
		if (rc)
			*m = old; /* the kernel still has the old table */
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int irqroute_ioeventfd(int vm_fd, int efd, uint64_t addr, unsigned len, bool pio, bool assign)
{
	if (efd < 0 || !(len == 1 || len == 2 || len == 4 || len == 8))
		return -EINVAL;
	if (pio && (addr > UINT16_MAX || addr + len - 1 > UINT16_MAX))
		return -EINVAL;
	/* No datamatch: any value written signals (api.rst 4.59). */
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0u) | (assign ? 0u : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};
	return kvm_ioctl(vm_fd, KVM_IOEVENTFD, &io) ? -errno : 0;
}
