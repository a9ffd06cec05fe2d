/* exit_port.c: guest-chosen exit status through one port write (see exit_port.h). */
#include "devices/exit_port.h"

static uint64_t exit_port_read(void *opaque, uint64_t off, unsigned size)
{
	struct exit_port *e = opaque;

	(void)off;
	atomic_fetch_add(&e->reads, 1);
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void exit_port_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct exit_port *e = opaque;

	(void)size; /* the bus keeps off + size <= 4: sizes 1, 2, 4 at offset 0 */
	if (off != 0) {
		atomic_fetch_add(&e->ignored_writes, 1);
		return;
	}
	if (e->stop)
		e->stop(e->ctx, (int)(val & 0xff));
}

const struct bus_ops exit_port_ops = {
	.read = exit_port_read,
	.write = exit_port_write,
};

void exit_port_init(struct exit_port *e, void (*stop)(void *ctx, int status), void *ctx)
{
	e->stop = stop;
	e->ctx = ctx;
	atomic_init(&e->ignored_writes, 0);
	atomic_init(&e->reads, 0);
}
