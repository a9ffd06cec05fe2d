/* irq.h: how a device raises an interrupt line without knowing who listens. */
#ifndef VMM_CORE_IRQ_H
#define VMM_CORE_IRQ_H

struct irq_line {
	/* level 1 asserts, 0 deasserts the GSI. NULL set means "not wired". */
	void (*set)(void *ctx, unsigned gsi, int level);
	void *ctx;
	unsigned gsi;
};

static inline void irq_line_set(const struct irq_line *l, int level)
{
	if (l && l->set)
		l->set(l->ctx, l->gsi, level);
}

/* Edge: assert then deassert, as KVM's IOAPIC/PIC need for edge-triggered lines. */
static inline void irq_line_pulse(const struct irq_line *l)
{
	irq_line_set(l, 1);
	irq_line_set(l, 0);
}

#endif
