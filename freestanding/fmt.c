/* fmt.c: the printf engine: parses the format and hands each output byte to
 * a sink (COM1 for the test guests, a buffer for the hypercall runtime). */
#include "freestanding.h"

/* The sink and how many bytes went to it. */
struct fmt_out {
	struct fmt_sink *sink;
	int count;
};

struct fmt_spec {
	bool zero, left;
	int width, prec; /* prec -1: none */
	int lng;         /* count of l/z modifiers */
};

static void fmt_putc(struct fmt_out *o, char c)
{
	o->sink->put(o->sink, c);
	o->count++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	for (; n > 0; n--)
		fmt_putc(o, c);
}

/* Digits of v in base, reversed into buf; returns how many. */
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

static void fmt_number(struct fmt_out *o, const struct fmt_spec *s, uint64_t u, bool neg,
		       unsigned base, bool upper, const char *prefix)
{
	char buf[24];
	int n = fmt_digits(buf, u, base, upper);
	int plen = (int)strlen(prefix) + (neg ? 1 : 0);
	int pad = s->width - n - plen;
	if (!s->left && !s->zero)
		fmt_pad(o, ' ', pad);
	if (neg)
		fmt_putc(o, '-');
	for (const char *p = prefix; *p; p++)
		fmt_putc(o, *p);
	if (!s->left && s->zero)
		fmt_pad(o, '0', pad);
	while (n > 0)
		fmt_putc(o, buf[--n]);
	if (s->left)
		fmt_pad(o, ' ', pad);
}

static void fmt_char(struct fmt_out *o, const struct fmt_spec *s, char c)
{
	if (!s->left)
		fmt_pad(o, ' ', s->width - 1);
	fmt_putc(o, c);
	if (s->left)
		fmt_pad(o, ' ', s->width - 1);
}

static void fmt_string(struct fmt_out *o, const struct fmt_spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int len = 0;
	while (str[len] && (s->prec < 0 || len < s->prec))
		len++;
	if (!s->left)
		fmt_pad(o, ' ', s->width - len);
	for (int i = 0; i < len; i++)
		fmt_putc(o, str[i]);
	if (s->left)
		fmt_pad(o, ' ', s->width - len);
}

/* Parse flags, width, precision and length after a '%'; returns the
 * conversion character's position. */
static const char *fmt_parse(const char *f, struct fmt_spec *s, va_list *ap)
{
	*s = (struct fmt_spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '0')
			s->zero = true;
		else if (*f == '-')
			s->left = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		s->width = s->width * 10 + (*f - '0');
	if (*f == '.') {
		s->prec = 0;
		if (*++f == '*') {
			s->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			s->prec = s->prec * 10 + (*f - '0');
	}
	for (; *f == 'l' || *f == 'z'; f++)
		s->lng++;
	return f;
}

int fmt_format(struct fmt_sink *sink, const char *f, va_list ap)
{
	struct fmt_out o = { .sink = sink };
	va_list aq;
	va_copy(aq, ap);
	for (; *f; f++) {
		if (*f != '%') {
			fmt_putc(&o, *f);
			continue;
		}
		struct fmt_spec s;
		f = fmt_parse(f + 1, &s, &aq);
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = s.lng ? va_arg(aq, int64_t) : va_arg(aq, int);
			fmt_number(&o, &s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, "");
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = s.lng ? va_arg(aq, uint64_t) : va_arg(aq, unsigned int);
			fmt_number(&o, &s, v, false, *f == 'u' ? 10 : 16, *f == 'X', "");
			break;
		}
		case 'p':
			fmt_number(&o, &s, (uintptr_t)va_arg(aq, void *), false, 16, false, "0x");
			break;
		case 'c':
			fmt_char(&o, &s, (char)va_arg(aq, int));
			break;
		case 's':
			fmt_string(&o, &s, va_arg(aq, const char *));
			break;
		case '%':
			fmt_putc(&o, '%');
			break;
		case '\0':
			va_end(aq);
			return o.count;
		default: /* unknown: show it rather than guess */
			fmt_putc(&o, '%');
			fmt_putc(&o, *f);
		}
	}
	va_end(aq);
	return o.count;
}
