/* parse.c: numbers and "key=value" words on a command line. */
#include "freestanding.h"

bool parse_u64(const char *s, uint64_t *v, const char **end)
{
	unsigned base = 10;
	uint64_t x = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	const char *start = s;
	for (;; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		x = x * base + d;
	}
	*v = x;
	if (end)
		*end = s;
	return s != start;
}

const char *cmdline_find(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}
