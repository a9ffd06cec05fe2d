/* hostcompat.c: add the PVM host options to a kernel command line (see hostcompat.h). */
#include "boot/hostcompat.h"

#include <stdio.h>
#include <string.h>

/* One whitespace-separated word, with Linux's rule that double quotes group
 * (kernel/params.c next_arg): a quoted value keeps its spaces. */
static const char *word_end(const char *s)
{
	bool quoted = false;
	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == ' ' && !quoted)
			break;
	}
	return s;
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

static size_t key_len(const char *w, size_t wlen)
{
	const char *eq = memchr(w, '=', wlen);
	return eq ? (size_t)(eq - w) : wlen;
}

/* Where init's arguments start: the word "--" (init/main.c), else the end. */
static const char *init_args(const char *cmdline)
{
	for (const char *s = skip_spaces(cmdline); *s; s = skip_spaces(word_end(s))) {
		size_t n = (size_t)(word_end(s) - s);
		if (n == 2 && s[0] == '-' && s[1] == '-')
			return s;
	}
	return cmdline + strlen(cmdline);
}

bool hostcompat_has_option(const char *cmdline, const char *name)
{
	size_t nlen = key_len(name, strlen(name));
	const char *stop = init_args(cmdline);
	for (const char *s = skip_spaces(cmdline); s < stop; s = skip_spaces(word_end(s))) {
		size_t wlen = (size_t)(word_end(s) - s);
		if (key_len(s, wlen) == nlen && !memcmp(s, name, nlen))
			return true;
	}
	return false;
}

struct cmdline_buf {
	char *p;
	size_t len, cap;
	bool overflow;
};

static void buf_put(struct cmdline_buf *b, const char *s, size_t n)
{
	if (b->overflow || n >= b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_word(struct cmdline_buf *b, const char *w, size_t n)
{
	if (b->len)
		buf_put(b, " ", 1);
	buf_put(b, w, n);
}

static void buf_add_option(struct cmdline_buf *b, const char *user, const char *w, size_t n)
{
	char name[64];
	size_t k = key_len(w, n);
	if (k >= sizeof(name))
		k = sizeof(name) - 1;
	memcpy(name, w, k);
	name[k] = '\0';
	if (!hostcompat_has_option(user, name))
		buf_word(b, w, n);
}

int hostcompat_cmdline(const char *user, const struct hostcompat_params *p, char *out,
		       size_t outlen, size_t max, struct err *e)
{
	if (!user)
		user = "";
	if (!outlen)
		return err_set(e, ERR_INPUT, "--host-compat: no room for the command line");
	struct cmdline_buf b = { .p = out, .cap = outlen };
	out[0] = '\0';
	const char *tail = init_args(user);
	size_t head = (size_t)(tail - user);
	while (head && user[head - 1] == ' ')
		head--;
	buf_put(&b, user, head);
	const char *opts = HOSTCOMPAT_OPTIONS;
	for (const char *s = opts; *s; s = skip_spaces(word_end(s)))
		buf_add_option(&b, user, s, (size_t)(word_end(s) - s));
	if (p && p->tsc_khz) {
		char tsc[40];
		int n = snprintf(tsc, sizeof(tsc), "tsc_early_khz=%u", p->tsc_khz);
		buf_add_option(&b, user, tsc, (size_t)n);
	}
	if (*tail)
		buf_word(&b, tail, strlen(tail));
	if (b.overflow || b.len > max)
		return err_set(e, ERR_INPUT,
			       "--host-compat: the kernel command line with the PVM host options is longer than %zu bytes",
			       max);
	return 0;
}
