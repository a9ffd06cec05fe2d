/* fmt.c: vsnprintf, and a printf that writes through the console hypercall,
 * one call per buffer (a line, usually) rather than per byte; both on the
 * shared printf engine (freestanding/fmt.c) with a buffer as its sink. */
#include "rt.h"

/* Where formatted bytes go: a fixed buffer, emptied by flush when it fills
 * (printf) or truncated (snprintf, flush NULL). total counts every byte. */
struct fmt_buf {
	struct fmt_sink sink; /* first: put gets this struct's address */
	char *buf;
	size_t size, pos, total;
	void (*flush)(struct fmt_buf *b);
	bool crlf; /* "\r\n" for "\n" */
};

static void fmt_buf_emit(struct fmt_buf *b, char c)
{
	if (b->pos == b->size && b->flush)
		b->flush(b);
	if (b->pos < b->size)
		b->buf[b->pos++] = c;
	b->total++;
}

static void fmt_buf_put(struct fmt_sink *sink, char c)
{
	struct fmt_buf *b = (struct fmt_buf *)sink;
	if (c == '\n' && b->crlf)
		fmt_buf_emit(b, '\r');
	fmt_buf_emit(b, c);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	char dummy;
	struct fmt_buf b = { .sink.put = fmt_buf_put, .buf = size ? buf : &dummy,
			     .size = size ? size - 1 : 0 };
	fmt_format(&b.sink, fmt, ap);
	b.buf[b.pos] = '\0';
	return (int)b.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void fmt_flush_console(struct fmt_buf *b)
{
	rt_write(b->buf, b->pos);
	b->pos = 0;
}

/* Console output gets "\r\n" for "\n", as a serial console would: vmm puts
 * a terminal in raw mode (no output processing) while the guest runs. */
int vprintf(const char *fmt, va_list ap)
{
	char line[512];
	struct fmt_buf b = { .sink.put = fmt_buf_put, .buf = line, .size = sizeof(line),
			     .flush = fmt_flush_console, .crlf = true };
	fmt_format(&b.sink, fmt, ap);
	fmt_flush_console(&b);
	return (int)b.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}
