/* debug_port.h: SeaBIOS's debug log port 0x402 (QEMU's isa-debugcon).
 *
 * Writes are log bytes for the sink. Reads answer the presence check SeaBIOS
 * makes after its banner (src/hw/serialio.c): 0xe9 means "keep logging". We
 * answer 0xe9 only when a sink is set, so an unlogged VM makes SeaBIOS stop
 * writing and spends no exits on its log; otherwise 0xff, a floating bus.
 *
 * Locking: a mutex serializes sink writes from several vCPUs (lock order:
 * debug_port lock -> sink write).
 */
#ifndef VMM_DEVICES_DEBUG_PORT_H
#define VMM_DEVICES_DEBUG_PORT_H

#include <pthread.h>

#include "core/bus.h"
#include "devices/console.h"

/* Placed by the machine at 0x402 (modes/pc_layout.h: PC_DEBUG_PORT). */
#define DEBUG_PORT_LEN      1
#define DEBUG_PORT_PRESENT  0xe9 /* the read-back value isa-debugcon defaults to */
#define DEBUG_PORT_ABSENT   0xff

struct debug_port {
	pthread_mutex_t lock;
	struct console_sink out; /* write NULL: discard, and read back ABSENT */
};

/* out may be NULL; it is copied. Returns 0 or -errno. */
int debug_port_init(struct debug_port *d, const struct console_sink *out);
void debug_port_destroy(struct debug_port *d);

/* Register at 0x402, len DEBUG_PORT_LEN, with the struct debug_port as opaque. */
extern const struct bus_ops debug_port_ops;

#endif
