/* serial.h: a 16550A UART as the PC's COM ports have it.
 *
 * What the guest sees: the eight byte-wide registers of the National/TI
 * PC16550D datasheet, a 16-byte receive FIFO, and a transmitter so fast that
 * THR and the shift register are always empty (every byte goes straight to the
 * console sink). That is enough for SeaBIOS sercon, for Linux's 8250 driver
 * (autoconfig finds a 16550A; the THRE test in serial8250_do_startup passes)
 * and for guests that poll LSR.
 *
 * Threads and locks: vCPU threads call serial_ops, the I/O thread calls
 * serial_receive. One mutex per UART guards all state. Lock order:
 * serial lock -> irq_line set / console sink write (both are called with the
 * lock held, to keep IRQ levels and output bytes in guest order). rx_room is
 * called with no lock held, so it may call serial_receive again, but it runs on
 * a vCPU thread and must be quick (an eventfd write, say).
 */
#ifndef VMM_DEVICES_SERIAL_H
#define VMM_DEVICES_SERIAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/irq.h"
#include "devices/console.h"

/* Where a UART sits (COM1 0x3f8, IRQ 4) is the machine's choice, named in
 * modes/pc_layout.h; the device only knows it spans eight ports. */
#define SERIAL_PORT_LEN 8

/* Register offsets (PC16550D datasheet, table II). DLAB = LCR bit 7 turns
 * offsets 0 and 1 into the divisor latch. */
#define SERIAL_REG_RBR 0 /* read, DLAB 0: receiver buffer */
#define SERIAL_REG_THR 0 /* write, DLAB 0: transmitter holding */
#define SERIAL_REG_DLL 0 /* DLAB 1: divisor latch, low byte */
#define SERIAL_REG_IER 1 /* DLAB 0: interrupt enable */
#define SERIAL_REG_DLM 1 /* DLAB 1: divisor latch, high byte */
#define SERIAL_REG_IIR 2 /* read: interrupt identification */
#define SERIAL_REG_FCR 2 /* write: FIFO control */
#define SERIAL_REG_LCR 3
#define SERIAL_REG_MCR 4
#define SERIAL_REG_LSR 5
#define SERIAL_REG_MSR 6
#define SERIAL_REG_SCR 7

/* IER: only the low nibble exists on a 16550A; the rest reads 0, which
 * Linux's autoconfig scratch test expects (it masks with 0x0f). */
#define SERIAL_IER_ERBFI 0x01 /* received data available */
#define SERIAL_IER_ETBEI 0x02 /* THR empty */
#define SERIAL_IER_ELSI  0x04 /* receiver line status */
#define SERIAL_IER_EDSSI 0x08 /* modem status */
#define SERIAL_IER_MASK  0x0f

/* IIR: bit 0 clear means "interrupt pending", bits 3:1 say which. */
#define SERIAL_IIR_NONE     0x01
#define SERIAL_IIR_MSR      0x00
#define SERIAL_IIR_THRE     0x02
#define SERIAL_IIR_RDA      0x04
#define SERIAL_IIR_RLS      0x06
#define SERIAL_IIR_TIMEOUT  0x0c
#define SERIAL_IIR_FIFO_ON  0xc0 /* both bits set: a 16550A with FIFOs enabled */

/* FCR (write only). Bits other than ENABLE only take when ENABLE is 1. */
#define SERIAL_FCR_ENABLE     0x01
#define SERIAL_FCR_CLEAR_RX   0x02
#define SERIAL_FCR_CLEAR_TX   0x04
#define SERIAL_FCR_TRIG_MASK  0xc0 /* RX trigger: 1, 4, 8, 14 bytes */
#define SERIAL_FCR_TRIG_SHIFT 6

#define SERIAL_LCR_DLAB 0x80

#define SERIAL_MCR_DTR  0x01
#define SERIAL_MCR_RTS  0x02
#define SERIAL_MCR_OUT1 0x04
#define SERIAL_MCR_OUT2 0x08 /* PC wiring: gates the IRQ pin onto the ISA bus */
#define SERIAL_MCR_LOOP 0x10
#define SERIAL_MCR_MASK 0x1f

#define SERIAL_LSR_DR    0x01 /* data ready */
#define SERIAL_LSR_OE    0x02 /* overrun */
#define SERIAL_LSR_PE    0x04
#define SERIAL_LSR_FE    0x08
#define SERIAL_LSR_BI    0x10
#define SERIAL_LSR_THRE  0x20
#define SERIAL_LSR_TEMT  0x40
#define SERIAL_LSR_ERRORS (SERIAL_LSR_OE | SERIAL_LSR_PE | SERIAL_LSR_FE | SERIAL_LSR_BI)

#define SERIAL_MSR_DCTS 0x01
#define SERIAL_MSR_DDSR 0x02
#define SERIAL_MSR_TERI 0x04
#define SERIAL_MSR_DDCD 0x08
#define SERIAL_MSR_CTS  0x10
#define SERIAL_MSR_DSR  0x20
#define SERIAL_MSR_RI   0x40
#define SERIAL_MSR_DCD  0x80
#define SERIAL_MSR_DELTAS 0x0f

#define SERIAL_FIFO_SIZE 16
#define SERIAL_DIVISOR_RESET 12 /* 9600 baud from the PC's 1.8432 MHz clock */

struct serial {
	pthread_mutex_t lock;
	struct irq_line irq;
	struct console_sink out;
	void (*rx_room)(void *ctx);
	void *rx_room_ctx;

	/* Everything below is guarded by lock. */
	uint8_t ier, lcr, mcr, scr;
	uint8_t fcr;      /* ENABLE and trigger bits as last programmed */
	uint8_t lsr_errs; /* sticky LSR error bits, cleared by reading LSR */
	uint8_t msr;      /* status (high nibble) and deltas (low nibble) */
	uint16_t divisor;
	bool thre_pending; /* THRE interrupt latched, cleared by IIR read or THR write */
	bool irq_level;    /* what we last drove onto irq */
	bool rx_blocked;   /* serial_receive refused bytes; owe the I/O thread rx_room */
	bool rx_room_due;  /* call rx_room once the lock is dropped */
	uint8_t rx_fifo[SERIAL_FIFO_SIZE];
	unsigned rx_head, rx_count;

	/* Oddities, readable without the lock. */
	atomic_ulong wide_accesses;  /* 2/4/8-byte accesses, split into byte accesses */
	atomic_ulong ignored_writes; /* writes to read-only LSR/MSR */
	atomic_ulong rx_overruns;    /* loopback bytes lost to a full FIFO */
};

/* irq, out and rx_room may be NULL (not wired, discard, no flow control).
 * The structs are copied. Returns 0 or -errno. */
int serial_init(struct serial *s, const struct irq_line *irq, const struct console_sink *out,
		void (*rx_room)(void *ctx), void *rx_room_ctx);
void serial_destroy(struct serial *s);

/* Register at a COM base with len SERIAL_PORT_LEN and the struct serial as opaque. */
extern const struct bus_ops serial_ops;

/* Host input: queue up to len bytes into the RX FIFO and return how many fit
 * (0 in loopback mode, where the real chip disconnects its input pin). After a
 * short count, rx_room is called once, from whichever thread makes room. */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);

#endif
