/* serial.c: 16550A UART register model (see serial.h for scope and locking). */
#include "devices/serial.h"

#include <string.h>

/* MSR inputs when not in loopback: the host end is a null-modem peer that is
 * always ready, so CTS, DSR and DCD stay asserted (RI never rings). Constant
 * inputs also mean Linux never sees CTS drop and stall output under CRTSCTS. */
#define SERIAL_MSR_HOST_READY (SERIAL_MSR_CTS | SERIAL_MSR_DSR | SERIAL_MSR_DCD)

static const uint8_t serial_rx_trigger[4] = { 1, 4, 8, 14 }; /* FCR bits 7:6 */

static bool serial_fifo_on(const struct serial *s)
{
	return s->fcr & SERIAL_FCR_ENABLE;
}

static bool serial_loopback(const struct serial *s)
{
	return s->mcr & SERIAL_MCR_LOOP;
}

/* With FIFOs off the chip is a 16450: a single receiver buffer register. */
static unsigned serial_rx_capacity(const struct serial *s)
{
	return serial_fifo_on(s) ? SERIAL_FIFO_SIZE : 1;
}

static void serial_rx_push(struct serial *s, uint8_t byte)
{
	s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
	s->rx_count++;
}

static uint8_t serial_rx_pop(struct serial *s)
{
	uint8_t byte = s->rx_fifo[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
	s->rx_count--;
	return byte;
}

static void serial_rx_clear(struct serial *s)
{
	s->rx_head = s->rx_count = 0;
}

/* Modem inputs as the chip sees them. In loopback the datasheet wires
 * RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD internally; Linux's autoconfig
 * writes MCR = LOOP|OUT2|RTS and requires MSR & 0xf0 == DCD|CTS. */
static uint8_t serial_msr_inputs(const struct serial *s)
{
	uint8_t m = s->mcr;

	if (!serial_loopback(s))
		return SERIAL_MSR_HOST_READY;
	return (m & SERIAL_MCR_RTS ? SERIAL_MSR_CTS : 0) | (m & SERIAL_MCR_DTR ? SERIAL_MSR_DSR : 0) |
	       (m & SERIAL_MCR_OUT1 ? SERIAL_MSR_RI : 0) | (m & SERIAL_MCR_OUT2 ? SERIAL_MSR_DCD : 0);
}

/* Latch the delta bits for whatever inputs changed (TERI: RI trailing edge). */
static void serial_msr_update(struct serial *s)
{
	uint8_t old = s->msr & ~SERIAL_MSR_DELTAS, now = serial_msr_inputs(s);
	uint8_t changed = old ^ now, deltas = s->msr & SERIAL_MSR_DELTAS;

	if (changed & SERIAL_MSR_CTS)
		deltas |= SERIAL_MSR_DCTS;
	if (changed & SERIAL_MSR_DSR)
		deltas |= SERIAL_MSR_DDSR;
	if ((old & SERIAL_MSR_RI) && !(now & SERIAL_MSR_RI))
		deltas |= SERIAL_MSR_TERI;
	if (changed & SERIAL_MSR_DCD)
		deltas |= SERIAL_MSR_DDCD;
	s->msr = now | deltas;
}

/* The highest-priority enabled interrupt, as IIR bits 3:0 (datasheet table
 * IV): line status > received data (or timeout) > THR empty > modem status. */
static uint8_t serial_pending_iid(const struct serial *s)
{
	if ((s->ier & SERIAL_IER_ELSI) && (s->lsr_errs & SERIAL_LSR_ERRORS))
		return SERIAL_IIR_RLS;
	if ((s->ier & SERIAL_IER_ERBFI) && s->rx_count) {
		/* Below the trigger level a real 16550 reports the character
		 * timeout after 4 idle character times; we report it at once so
		 * a single keystroke still interrupts. Linux treats both alike. */
		unsigned trig = serial_rx_trigger[(s->fcr & SERIAL_FCR_TRIG_MASK) >> SERIAL_FCR_TRIG_SHIFT];
		if (!serial_fifo_on(s) || s->rx_count >= trig)
			return SERIAL_IIR_RDA;
		return SERIAL_IIR_TIMEOUT;
	}
	if ((s->ier & SERIAL_IER_ETBEI) && s->thre_pending)
		return SERIAL_IIR_THRE;
	if ((s->ier & SERIAL_IER_EDSSI) && (s->msr & SERIAL_MSR_DELTAS))
		return SERIAL_IIR_MSR;
	return SERIAL_IIR_NONE;
}

/* The INTR pin reaches the PIC only through the OUT2-controlled buffer on PC
 * boards; Linux sets OUT2 whenever the port has an IRQ. Drive edges only. */
static void serial_update_irq(struct serial *s)
{
	bool level = serial_pending_iid(s) != SERIAL_IIR_NONE && (s->mcr & SERIAL_MCR_OUT2);

	if (level != s->irq_level) {
		s->irq_level = level;
		irq_line_set(&s->irq, level);
	}
}

/* Owe the I/O thread a wake-up once room appears after a short receive. */
static void serial_check_room(struct serial *s)
{
	if (s->rx_blocked && !serial_loopback(s) && s->rx_count < serial_rx_capacity(s)) {
		s->rx_blocked = false;
		s->rx_room_due = true;
	}
}

static void serial_write_thr(struct serial *s, uint8_t byte)
{
	if (!serial_loopback(s)) {
		console_sink_write(&s->out, &byte, 1);
	} else if (s->rx_count < serial_rx_capacity(s)) {
		serial_rx_push(s, byte);
	} else {
		/* Overrun: a 16450 overwrites RBR, a 16550 FIFO keeps its
		 * contents and loses the new character (datasheet, LSR bit 1). */
		if (!serial_fifo_on(s))
			s->rx_fifo[s->rx_head] = byte;
		s->lsr_errs |= SERIAL_LSR_OE;
		atomic_fetch_add(&s->rx_overruns, 1);
	}
	/* The byte left THR at once, so THR is empty again: a fresh THRE event. */
	s->thre_pending = true;
}

static void serial_write_ier(struct serial *s, uint8_t val)
{
	uint8_t old = s->ier;

	s->ier = val & SERIAL_IER_MASK;
	/* Enabling ETBEI while THR is empty (always, here) raises THRE at once;
	 * Linux's startup test toggles IER 0 -> THRI twice and wants it both
	 * times, or it falls back to polling with UART_BUG_THRE. */
	if (!(old & SERIAL_IER_ETBEI) && (s->ier & SERIAL_IER_ETBEI))
		s->thre_pending = true;
	else if (!(s->ier & SERIAL_IER_ETBEI))
		s->thre_pending = false;
}

static void serial_write_fcr(struct serial *s, uint8_t val)
{
	/* Changing FCR0 resets both FIFOs (datasheet, FCR bit 0). */
	if ((val ^ s->fcr) & SERIAL_FCR_ENABLE)
		serial_rx_clear(s);
	if (!(val & SERIAL_FCR_ENABLE)) {
		s->fcr = 0;
		return;
	}
	if (val & SERIAL_FCR_CLEAR_RX)
		serial_rx_clear(s);
	/* CLEAR_TX: the transmit FIFO is always empty already. */
	s->fcr = val & (SERIAL_FCR_ENABLE | SERIAL_FCR_TRIG_MASK);
}

static void serial_write_mcr(struct serial *s, uint8_t val)
{
	s->mcr = val & SERIAL_MCR_MASK;
	serial_msr_update(s);
}

static void serial_reg_write(struct serial *s, unsigned reg, uint8_t val)
{
	bool dlab = s->lcr & SERIAL_LCR_DLAB;

	switch (reg) {
	case SERIAL_REG_THR:
		if (dlab)
			s->divisor = (s->divisor & 0xff00) | val;
		else
			serial_write_thr(s, val);
		break;
	case SERIAL_REG_IER:
		if (dlab)
			s->divisor = (s->divisor & 0x00ff) | (uint16_t)(val << 8);
		else
			serial_write_ier(s, val);
		break;
	case SERIAL_REG_FCR:
		serial_write_fcr(s, val);
		break;
	case SERIAL_REG_LCR:
		s->lcr = val;
		break;
	case SERIAL_REG_MCR:
		serial_write_mcr(s, val);
		break;
	case SERIAL_REG_SCR:
		s->scr = val;
		break;
	default: /* LSR and MSR: factory-test writes on real parts */
		atomic_fetch_add(&s->ignored_writes, 1);
		break;
	}
}

static uint8_t serial_read_iir(struct serial *s)
{
	uint8_t iid = serial_pending_iid(s);

	/* Reading IIR clears a THRE interrupt only when THRE is what it reports. */
	if (iid == SERIAL_IIR_THRE)
		s->thre_pending = false;
	return iid | (serial_fifo_on(s) ? SERIAL_IIR_FIFO_ON : 0);
}

static uint8_t serial_read_lsr(struct serial *s)
{
	uint8_t lsr = SERIAL_LSR_THRE | SERIAL_LSR_TEMT | s->lsr_errs;

	if (s->rx_count)
		lsr |= SERIAL_LSR_DR;
	s->lsr_errs = 0;
	return lsr;
}

static uint8_t serial_read_msr(struct serial *s)
{
	uint8_t msr = s->msr;

	s->msr &= ~SERIAL_MSR_DELTAS;
	return msr;
}

static uint8_t serial_reg_read(struct serial *s, unsigned reg)
{
	bool dlab = s->lcr & SERIAL_LCR_DLAB;

	switch (reg) {
	case SERIAL_REG_RBR:
		if (dlab)
			return s->divisor & 0xff;
		/* An empty RBR reads 0; DR tells the guest not to trust it. */
		return s->rx_count ? serial_rx_pop(s) : 0;
	case SERIAL_REG_IER:
		return dlab ? s->divisor >> 8 : s->ier;
	case SERIAL_REG_IIR:
		return serial_read_iir(s);
	case SERIAL_REG_LCR:
		return s->lcr;
	case SERIAL_REG_MCR:
		return s->mcr;
	case SERIAL_REG_LSR:
		return serial_read_lsr(s);
	case SERIAL_REG_MSR:
		return serial_read_msr(s);
	default:
		return s->scr;
	}
}

/* Common tail of every entry point: settle the IRQ, then report whether the
 * I/O thread is owed an rx_room call (made by the caller after unlocking). */
static bool serial_settle(struct serial *s)
{
	bool due;

	serial_check_room(s);
	serial_update_irq(s);
	due = s->rx_room_due;
	s->rx_room_due = false;
	return due;
}

static void serial_notify_room(struct serial *s)
{
	if (s->rx_room)
		s->rx_room(s->rx_room_ctx);
}

/* The registers are one byte wide. A wider access is split into consecutive
 * byte accesses, little-endian, as an ISA bus converts a 16-bit cycle to an
 * 8-bit device; the bus guarantees off + size stays inside the UART. */
static uint64_t serial_bus_read(void *opaque, uint64_t off, unsigned size)
{
	struct serial *s = opaque;
	uint64_t val = 0;
	bool due;

	if (size > 1)
		atomic_fetch_add(&s->wide_accesses, 1);
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < size; i++)
		val |= (uint64_t)serial_reg_read(s, (unsigned)off + i) << (8 * i);
	due = serial_settle(s);
	pthread_mutex_unlock(&s->lock);
	if (due)
		serial_notify_room(s);
	return val;
}

static void serial_bus_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct serial *s = opaque;
	bool due;

	if (size > 1)
		atomic_fetch_add(&s->wide_accesses, 1);
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < size; i++)
		serial_reg_write(s, (unsigned)off + i, (uint8_t)(val >> (8 * i)));
	due = serial_settle(s);
	pthread_mutex_unlock(&s->lock);
	if (due)
		serial_notify_room(s);
}

const struct bus_ops serial_ops = {
	.read = serial_bus_read,
	.write = serial_bus_write,
};

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	if (!serial_loopback(s)) {
		while (n < len && s->rx_count < serial_rx_capacity(s))
			serial_rx_push(s, buf[n++]);
	}
	if (n < len)
		s->rx_blocked = true;
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

int serial_init(struct serial *s, const struct irq_line *irq, const struct console_sink *out,
		void (*rx_room)(void *ctx), void *rx_room_ctx)
{
	memset(s, 0, sizeof(*s));
	if (irq)
		s->irq = *irq;
	if (out)
		s->out = *out;
	s->rx_room = rx_room;
	s->rx_room_ctx = rx_room_ctx;
	s->divisor = SERIAL_DIVISOR_RESET;
	s->msr = SERIAL_MSR_HOST_READY;
	atomic_init(&s->wide_accesses, 0);
	atomic_init(&s->ignored_writes, 0);
	atomic_init(&s->rx_overruns, 0);
	return -pthread_mutex_init(&s->lock, NULL);
}

void serial_destroy(struct serial *s)
{
	pthread_mutex_destroy(&s->lock);
}
