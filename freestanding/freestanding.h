/* freestanding.h: what every freestanding guest here shares (examples/runtime/,
 * tests/guests/, tests/conformance/): the mem and str functions, a printf
 * engine that writes through a callback, and command-line parsing. No libc,
 * no OS: each user brings its own console and entry code. */
#ifndef FREESTANDING_H
#define FREESTANDING_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strings (string.c); the compiler may also call the mem* ones. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* Formatting (fmt.c). A sink takes the output one byte at a time; embed it
 * first in a larger struct to carry state (put gets the sink's address). */
struct fmt_sink {
	void (*put)(struct fmt_sink *sink, char c);
};
/* %s %c %d %i %u %x %X %p %%, flags 0 and -, a width (or *), .precision
 * for %s (or .*), length modifiers l, ll, z; an unknown conversion prints
 * as itself. Returns the number of bytes handed to sink->put. */
int fmt_format(struct fmt_sink *sink, const char *fmt, va_list ap);

/* Parsing (parse.c). A decimal or 0x-prefixed hex number at s: *v gets its
 * value (0 without digits, wrapping past 2^64), *end (if given) the first
 * character after the digits. False when no digit follows. */
bool parse_u64(const char *s, uint64_t *v, const char **end);
/* The value of "key=..." in a space-separated command line (it runs to the
 * next space), or NULL. */
const char *cmdline_find(const char *line, const char *key);

#endif
