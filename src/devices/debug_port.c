/* debug_port.c: firmware debug log to a console sink (see debug_port.h). */
#include "devices/debug_port.h"

#include <string.h>

static uint64_t debug_port_read(void *opaque, uint64_t off, unsigned size)
{
	struct debug_port *d = opaque;

	(void)off;
	(void)size;
	/* out never changes after init, so no lock is needed to look at it. */
	return console_sink_is_set(&d->out) ? DEBUG_PORT_PRESENT : DEBUG_PORT_ABSENT;
}

static void debug_port_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct debug_port *d = opaque;
	uint8_t byte = (uint8_t)val;

	(void)off;
	(void)size; /* one port long: always a byte */
	if (!console_sink_is_set(&d->out))
		return;
	pthread_mutex_lock(&d->lock);
	console_sink_write(&d->out, &byte, 1);
	pthread_mutex_unlock(&d->lock);
}

const struct bus_ops debug_port_ops = {
	.read = debug_port_read,
	.write = debug_port_write,
};

int debug_port_init(struct debug_port *d, const struct console_sink *out)
{
	memset(d, 0, sizeof(*d));
	if (out)
		d->out = *out;
	return -pthread_mutex_init(&d->lock, NULL);
}

void debug_port_destroy(struct debug_port *d)
{
	pthread_mutex_destroy(&d->lock);
}
