/* exit_port.h: the port a guest writes its exit status to (DESIGN.md, "Exit port").
 *
 * Port 0xf4, as kvm-unit-tests and QEMU's isa-debug-exit users know it. A 1-,
 * 2- or 4-byte write of v at offset 0 ends the VM with status v & 0xff: the
 * device calls stop(ctx, v & 0xff) on the writing vCPU thread and the machine
 * does the rest. The device holds no mutable state besides atomic counters, so
 * it needs no lock; stop may be called by several vCPUs at once.
 */
#ifndef VMM_DEVICES_EXIT_PORT_H
#define VMM_DEVICES_EXIT_PORT_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/bus.h"

/* The machine places it (modes/pc_layout.h: PC_EXIT_PORT); it spans 4 ports
 * so that outl works, but only offset 0 counts. */
#define EXIT_PORT_LEN 4

struct exit_port {
	void (*stop)(void *ctx, int status); /* status is 0..255 */
	void *ctx;
	atomic_ulong ignored_writes; /* writes at offsets 1-3 */
	atomic_ulong reads;          /* reads return all ones; counted for diagnosis */
};

/* stop may be NULL (writes then do nothing but are still accepted). */
void exit_port_init(struct exit_port *e, void (*stop)(void *ctx, int status), void *ctx);

/* Register at 0xf4, len EXIT_PORT_LEN, with the struct exit_port as opaque. */
extern const struct bus_ops exit_port_ops;

#endif
