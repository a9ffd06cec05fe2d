/* console.c: polled 16550 output on COM1, printf on the shared engine, the console spinlock, guest_exit. */
#include "guest.h"

#define UART_THR 0   /* transmit holding register */
#define UART_LSR 5   /* line status register */
#define LSR_THRE 0x20 /* THR empty: the UART takes another byte */

struct spinlock console_lock;

void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static void uart_put_raw(char c)
{
	/* Bounded: a UART that never reports THRE (or no UART: all ones
	 * reads as ready) must not hang the guest. */
	for (int i = 0; i < 100000; i++)
		if (inb(PORT_COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(PORT_COM1 + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	/* CRLF so the output reads right on a raw terminal too. */
	if (c == '\n')
		uart_put_raw('\r');
	uart_put_raw(c);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

static void serial_sink_put(struct fmt_sink *sink, char c)
{
	(void)sink;
	serial_putc(c);
}

/* The shared engine (freestanding/fmt.c), byte by byte to COM1: no buffer,
 * so output written before a crash or a hang is already out. */
int vprintf_unlocked(const char *fmt, va_list ap)
{
	struct fmt_sink sink = { serial_sink_put };
	return fmt_format(&sink, fmt, ap);
}

int printf_unlocked(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf_unlocked(fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	spin_lock(&console_lock);
	int n = vprintf_unlocked(fmt, ap);
	spin_unlock(&console_lock);
	va_end(ap);
	return n;
}

void guest_exit(int code)
{
	/* A 4-byte write: vmm takes v & 0xff; QEMU's isa-debug-exit (iosize=4)
	 * exits with (v << 1) | 1. */
	outl(PORT_EXIT, (uint32_t)code);
	/* No exit device: stop here. hlt at CPL3 would fault, so only at CPL0. */
	for (;;) {
		if ((read_cs() & 3) == 0)
			__asm__ volatile("cli; hlt");
		else
			cpu_relax();
	}
}
