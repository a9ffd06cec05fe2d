/* i8042.h: the PS/2 keyboard controller, just enough for probes and reboot.
 *
 * Guests use it for three things here: SeaBIOS and Linux probe it (self-test,
 * command byte, keyboard reset/identify), Linux reboots through it (pulse reset
 * line, command 0xFE), and old code opens A20 through the output port. A
 * keyboard is attached that answers commands but never sends keystrokes (the
 * console is the UART). No mouse. Linux's probe must not stall on that, and
 * every wait in drivers/input/serio/i8042.c is a 250-500 ms timeout, so the AUX
 * port takes one of two shapes, both quick:
 *
 * - No AUX port (default): 0xD3/0xD4 are unknown commands, so Linux's AUX loop
 *   test gets a keyboard byte back (auxerr), and the AUX interface test 0xA9
 *   answers 0x02 "clock line stuck", which makes i8042_check_aux give up at once.
 * - AUX port with nothing plugged in (after i8042_set_aux_irq wires IRQ 12):
 *   0xA9 answers 0x00, 0xD3 loops a byte back as AUX data on IRQ 12 (Linux's
 *   AUX IRQ test needs that), and each byte sent to the mouse with 0xD4 comes
 *   back as 0xFE with the status timeout bit, as a real controller reports an
 *   absent device; psmouse then fails its first command without a timeout.
 *
 * A20 is not emulated: KVM never masks address line 20, so the output port's
 * A20 bit is stored and read back only.
 *
 * Locking: one mutex guards all state. Lock order: i8042 lock -> irq_line set.
 * The reset callback runs with no lock held.
 */
#ifndef VMM_DEVICES_I8042_H
#define VMM_DEVICES_I8042_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/irq.h"

/* Ports 0x60 (data) and 0x64 (read: status, write: command), IRQs 1 and 12:
 * the machine places them (modes/pc_layout.h). */

/* Status register (port 0x64 read). */
#define I8042_STR_OBF     0x01 /* output buffer full: a byte waits at 0x60 */
#define I8042_STR_IBF     0x02 /* input buffer full: never, we consume at once */
#define I8042_STR_SYS     0x04 /* system flag, mirrors the command byte's */
#define I8042_STR_CMD     0x08 /* last write went to 0x64 */
#define I8042_STR_UNLOCK  0x10 /* keyboard not inhibited by the key lock */
#define I8042_STR_AUXDATA 0x20 /* the waiting byte came from the AUX port */
#define I8042_STR_TIMEOUT 0x40
#define I8042_STR_PARITY  0x80

/* Command byte (controller RAM byte 0). */
#define I8042_CTR_KBDINT 0x01 /* IRQ 1 when keyboard data waits */
#define I8042_CTR_AUXINT 0x02 /* IRQ 12 when AUX data waits */
#define I8042_CTR_SYS    0x04
#define I8042_CTR_KBDDIS 0x10
#define I8042_CTR_AUXDIS 0x20
#define I8042_CTR_XLATE  0x40 /* translate set 2 scancodes to set 1 */
/* What a PC BIOS leaves: keyboard IRQ on, POST done, AUX off, translation on. */
#define I8042_CTR_RESET  (I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_AUXDIS | I8042_CTR_XLATE)

/* Output port bits (commands 0xD0/0xD1). Bit 0 low holds the CPU in reset. */
#define I8042_OUT_RESET 0x01
#define I8042_OUT_A20   0x02
#define I8042_OUT_INIT  (I8042_OUT_RESET | I8042_OUT_A20)

/* Controller commands written to 0x64. */
#define I8042_CMD_READ_RAM   0x20 /* 0x20-0x3f: read RAM byte n (0x20: command byte) */
#define I8042_CMD_WRITE_RAM  0x60 /* 0x60-0x7f: next data byte -> RAM byte n */
#define I8042_CMD_AUX_DIS    0xa7
#define I8042_CMD_AUX_EN     0xa8
#define I8042_CMD_AUX_TEST   0xa9 /* -> 0x00 OK, or I8042_TEST_CLK_HIGH with no AUX port */
#define I8042_CMD_SELF_TEST  0xaa /* -> 0x55 */
#define I8042_CMD_KBD_TEST   0xab /* -> 0x00 */
#define I8042_CMD_KBD_DIS    0xad
#define I8042_CMD_KBD_EN     0xae
#define I8042_CMD_READ_OUT   0xd0
#define I8042_CMD_WRITE_OUT  0xd1
#define I8042_CMD_WRITE_KBD_OBUF 0xd2 /* next data byte appears as keyboard data */
#define I8042_CMD_WRITE_AUX_OBUF 0xd3 /* ... as AUX data (Linux's AUX loop test) */
#define I8042_CMD_WRITE_AUX  0xd4 /* next data byte goes to the mouse */
#define I8042_CMD_PULSE      0xf0 /* 0xf0-0xff: pulse output bits whose mask bit is 0 */
#define I8042_CMD_RESET      0xfe /* pulse bit 0: reset the CPU */

/* Keyboard commands and replies (written to 0x60). */
#define I8042_KBD_SET_LEDS  0xed
#define I8042_KBD_ECHO      0xee
#define I8042_KBD_SCANSET   0xf0
#define I8042_KBD_GET_ID    0xf2
#define I8042_KBD_TYPEMATIC 0xf3
#define I8042_KBD_ENABLE    0xf4
#define I8042_KBD_DISABLE   0xf5
#define I8042_KBD_DEFAULTS  0xf6
#define I8042_KBD_RESEND    0xfe
#define I8042_KBD_RESET     0xff
#define I8042_REPLY_ACK     0xfa
#define I8042_REPLY_BAT_OK  0xaa
#define I8042_REPLY_RESEND  0xfe /* also "no device" on the AUX port */
#define I8042_REPLY_TEST_OK 0x55
#define I8042_TEST_OK       0x00 /* interface tests 0xab/0xa9: no line stuck */
#define I8042_TEST_CLK_HIGH 0x02 /* ... clock line stuck high: nothing there */
#define I8042_KBD_ID0       0xab /* MF2 keyboard: 0xab 0x83, or 0xab 0x41 translated */
#define I8042_KBD_ID1       0x83
#define I8042_KBD_ID1_XLATE 0x41

#define I8042_RAM_SIZE  32
#define I8042_OUTQ_SIZE 16

struct i8042_byte {
	uint8_t val;
	uint8_t status; /* I8042_STR_AUXDATA / I8042_STR_TIMEOUT to show with it */
};

struct i8042 {
	pthread_mutex_t lock;
	struct irq_line kbd_irq, aux_irq;
	void (*reset)(void *ctx);
	void *reset_ctx;

	/* Guarded by lock. */
	uint8_t ram[I8042_RAM_SIZE]; /* ram[0] is the command byte */
	uint8_t outport;
	uint8_t ctl_pending; /* controller command awaiting its data byte, 0 if none */
	uint8_t kbd_pending; /* keyboard command awaiting its parameter, 0 if none */
	uint8_t kbd_last;    /* last byte the keyboard sent, for RESEND */
	uint8_t last_read;   /* port 0x60 reads this when the queue is empty */
	bool last_was_cmd;
	bool kbd_scanning;
	uint8_t kbd_scanset;
	bool kbd_level, aux_level;
	bool reset_due;
	struct i8042_byte outq[I8042_OUTQ_SIZE];
	unsigned out_head, out_count;

	atomic_ulong unknown_cmds; /* controller/keyboard commands we do not know */
	atomic_ulong out_dropped;  /* replies lost to a full output queue */
};

/* kbd_irq (ISA IRQ 1) and reset may be NULL; the irq_line is copied. reset is
 * called (on a vCPU thread, no lock held) when the guest pulses the CPU reset
 * line. Returns 0 or -errno. */
int i8042_init(struct i8042 *k, const struct irq_line *kbd_irq, void (*reset)(void *ctx),
	       void *reset_ctx);
void i8042_destroy(struct i8042 *k);

/* Optional, before the guest runs: wire IRQ 12 and so give the controller an
 * (empty) AUX port. Without it the controller reports no AUX port. */
void i8042_set_aux_irq(struct i8042 *k, const struct irq_line *aux_irq);

/* Register i8042_data_ops at 0x60 and i8042_cmd_ops at 0x64, both len 1, both
 * with the struct i8042 as opaque. */
extern const struct bus_ops i8042_data_ops;
extern const struct bus_ops i8042_cmd_ops;

#endif
