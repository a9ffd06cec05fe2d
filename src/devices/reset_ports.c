/* reset_ports.c: port 0x92 and the PIIX3 reset control register (see reset_ports.h). */
#include "devices/reset_ports.h"

static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
	struct reset_ports *r = opaque;
	(void)off;
	(void)size; /* one port long: always a byte */
	return atomic_load(&r->port92) | PORT92_A20;
}

static void port92_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct reset_ports *r = opaque;
	(void)off;
	(void)size;
	/* The reset bit is a trigger: it never reads back (QEMU port92_write). */
	atomic_store(&r->port92, (uint8_t)(val & ~PORT92_RESET));
	if ((val & PORT92_RESET) && r->reset)
		r->reset(r->ctx);
}

static uint64_t rcr_read(void *opaque, uint64_t off, unsigned size)
{
	struct reset_ports *r = opaque;
	(void)off;
	(void)size;
	return atomic_load(&r->rcr);
}

static void rcr_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct reset_ports *r = opaque;
	(void)off;
	(void)size;
	atomic_store(&r->rcr, (uint8_t)(val & RCR_SYS_RST));
	if ((val & RCR_RST_CPU) && r->reset)
		r->reset(r->ctx);
}

const struct bus_ops port92_ops = {
	.read = port92_read,
	.write = port92_write,
};

const struct bus_ops rcr_ops = {
	.read = rcr_read,
	.write = rcr_write,
};

void reset_ports_init(struct reset_ports *r, void (*reset)(void *ctx), void *ctx)
{
	r->reset = reset;
	r->ctx = ctx;
	atomic_init(&r->port92, 0);
	atomic_init(&r->rcr, 0);
}
