/* reset_ports.h: the two chipset registers a PC guest resets the machine through.
 *
 * - Port 0x92, System Control Port A (IBM PS/2; PIIX3 datasheet §4.7.1):
 *   bit 0 written 1 = fast reset, bit 1 = A20 gate. KVM never masks A20, so
 *   bit 1 always reads 1; the other bits read back as written.
 * - Port 0xCF9, the PIIX3 Reset Control Register (datasheet §4.1.24): bit 2
 *   (RST_CPU) written 1 resets; bit 1 (SYS_RST) is stored and read back.
 *   Linux writes 0x02 then 0x06, firmware 0x06 or 0x0E.
 * A reset ends the VM as a reboot: reset(ctx) runs on the writing vCPU
 * thread. The registers are atomics: no lock needed.
 */
#ifndef VMM_DEVICES_RESET_PORTS_H
#define VMM_DEVICES_RESET_PORTS_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/bus.h"

#define PORT92_ADDR      0x92
#define PORT92_RESET     0x01
#define PORT92_A20       0x02
#define RCR_ADDR         0xCF9 /* inside the PCI CONFIG_ADDRESS dword 0xCF8-0xCFB */
#define RCR_SYS_RST      0x02
#define RCR_RST_CPU      0x04

struct reset_ports {
	void (*reset)(void *ctx);
	void *ctx;
	atomic_uchar port92;
	atomic_uchar rcr;
};

void reset_ports_init(struct reset_ports *r, void (*reset)(void *ctx), void *ctx);

/* One byte each: port92_ops at PORT92_ADDR, rcr_ops at RCR_ADDR (or reached
 * through whatever decodes 0xCF8-0xCFB, with off 0). opaque = the struct. */
extern const struct bus_ops port92_ops;
extern const struct bus_ops rcr_ops;

#endif
