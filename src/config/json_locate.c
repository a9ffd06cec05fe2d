/* json_locate.c: find a value's line and column in JSON text by key path (see json_locate.h). */
#include "config/json_locate.h"

#include <stdio.h>
#include <string.h>

#define PATH_LEN 256

struct scan {
	const char *p, *end;
	struct json_pos pos; /* of *p */
};

/* Columns count characters: only bytes that start one (not UTF-8
 * continuation bytes 10xxxxxx) move the column. */
static void scan_advance(struct scan *s)
{
	unsigned char c = (unsigned char)*s->p++;
	if (c == '\n') {
		s->pos.line++;
		s->pos.col = 1;
	} else if ((c & 0xC0) != 0x80) {
		s->pos.col++;
	}
}

static bool scan_more(const struct scan *s)
{
	return s->p < s->end;
}

static void scan_ws(struct scan *s)
{
	while (scan_more(s) && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		scan_advance(s);
}

/* A string at *p; its content (escapes reduced to the escaped byte, which is
 * enough to compare member names) into out when out is not NULL. */
static int scan_string(struct scan *s, char *out, size_t outlen)
{
	size_t n = 0;
	if (!scan_more(s) || *s->p != '"')
		return -1;
	scan_advance(s);
	while (scan_more(s) && *s->p != '"') {
		if (*s->p == '\\') {
			scan_advance(s);
			if (!scan_more(s))
				return -1;
		}
		if (out && n + 1 < outlen)
			out[n++] = *s->p;
		scan_advance(s);
	}
	if (!scan_more(s))
		return -1;
	scan_advance(s);
	if (out)
		out[n] = '\0';
	return 0;
}

static int scan_skip_value(struct scan *s)
{
	unsigned depth = 0;
	do {
		scan_ws(s);
		if (!scan_more(s))
			return -1;
		char c = *s->p;
		if (c == '"') {
			if (scan_string(s, NULL, 0))
				return -1;
		} else if (c == '{' || c == '[') {
			depth++;
			scan_advance(s);
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return -1;
			depth--;
			scan_advance(s);
		} else if (c == ',' || c == ':') {
			if (depth == 0)
				return -1;
			scan_advance(s);
		} else {
			while (scan_more(s) && !strchr(",:]}\" \t\r\n{[", *s->p))
				scan_advance(s);
		}
	} while (depth > 0);
	return 0;
}

/* Is cur a proper ancestor of target ("" of anything; "a" of "a.b", "a[0]")? */
static bool path_below(const char *cur, const char *target)
{
	size_t n = strlen(cur);
	if (n == 0)
		return target[0] != '\0';
	return !strncmp(cur, target, n) && (target[n] == '.' || target[n] == '[');
}

/* 1 found, 0 not in this value, -1 malformed text. */
static int scan_find(struct scan *s, const char *cur, const char *target, bool at_key,
		     struct json_pos *out)
{
	scan_ws(s);
	if (!scan_more(s))
		return -1;
	if (!at_key && !strcmp(cur, target)) {
		*out = s->pos;
		return 1;
	}
	if (!path_below(cur, target) || (*s->p != '{' && *s->p != '['))
		return scan_skip_value(s) ? -1 : 0;
	char open = *s->p, close = open == '{' ? '}' : ']';
	scan_advance(s);
	for (unsigned index = 0;; index++) {
		char child[PATH_LEN], name[PATH_LEN];
		scan_ws(s);
		if (scan_more(s) && *s->p == close && index == 0) {
			scan_advance(s);
			return 0;
		}
		if (open == '{') {
			struct json_pos key_pos = s->pos;
			if (scan_string(s, name, sizeof(name)))
				return -1;
			int n = snprintf(child, sizeof(child), "%s%s%s", cur, cur[0] ? "." : "", name);
			if (n < 0 || (size_t)n >= sizeof(child))
				child[0] = '\0'; /* too long to be any key: matches nothing */
			scan_ws(s);
			if (!scan_more(s) || *s->p != ':')
				return -1;
			scan_advance(s);
			if (at_key && !strcmp(child, target)) {
				*out = key_pos;
				return 1;
			}
		} else {
			int n = snprintf(child, sizeof(child), "%s[%u]", cur, index);
			if (n < 0 || (size_t)n >= sizeof(child))
				child[0] = '\0';
		}
		int r = scan_find(s, child, target, at_key, out);
		if (r)
			return r;
		scan_ws(s);
		if (!scan_more(s))
			return -1;
		if (*s->p == close) {
			scan_advance(s);
			return 0;
		}
		if (*s->p != ',')
			return -1;
		scan_advance(s);
	}
}

int json_locate(const char *text, size_t len, const char *path, bool at_key, struct json_pos *out)
{
	struct scan s = { .p = text, .end = text + len, .pos = { 1, 1 } };
	if (strlen(path) >= PATH_LEN)
		return -1;
	/* A UTF-8 byte order mark is not a character of the document. */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		s.p += 3;
	return scan_find(&s, "", path, at_key, out) == 1 ? 0 : -1;
}
