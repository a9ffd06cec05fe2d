/* console.c: polled 16550 output on COM1, a small printf, the console spinlock, guest_exit. */
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

/* Format one unsigned number into buf (reversed), return its length. */
static int fmt_digits(char *buf, uint64_t v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	return n;
}

static int put_padded(const char *rev, int len, bool neg, int width, bool zero, bool left)
{
	int total = len + (neg ? 1 : 0), out = 0;
	if (!left && !zero)
		for (; total < width; total++, out++)
			serial_putc(' ');
	if (neg) {
		serial_putc('-');
		out++;
	}
	if (!left && zero)
		for (; total < width; total++, out++)
			serial_putc('0');
	for (int i = len - 1; i >= 0; i--, out++)
		serial_putc(rev[i]);
	for (; left && out < width; out++)
		serial_putc(' ');
	return out;
}

/* Supports %s %c %d %i %u %x %X %p %% with flags '0' '-', a width and the
 * length modifiers l, ll, z. Enough for test output, nothing more. */
int vprintf_unlocked(const char *fmt, va_list ap)
{
	int out = 0;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			serial_putc(*fmt);
			out++;
			continue;
		}
		bool zero = false, left = false;
		int width = 0, lng = 0;
		for (fmt++;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		char buf[24];
		uint64_t u;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			out += put_padded(buf, fmt_digits(buf, u, 10, false), s < 0, width, zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			out += put_padded(buf, fmt_digits(buf, u, *fmt == 'u' ? 10 : 16, *fmt == 'X'), false,
					  width, zero, left);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			serial_puts("0x");
			out += 2 + put_padded(buf, fmt_digits(buf, u, 16, false), false, width, zero, left);
			break;
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			out += put_padded(buf, 1, false, width, false, left);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			for (int i = len; !left && i < width; i++, out++)
				serial_putc(' ');
			serial_puts(s);
			out += len;
			for (int i = len; left && i < width; i++, out++)
				serial_putc(' ');
			break;
		}
		case '%':
			serial_putc('%');
			out++;
			break;
		case '\0':
			return out;
		default: /* unknown: show it rather than guess */
			serial_putc('%');
			serial_putc(*fmt);
			out += 2;
		}
	}
	return out;
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
