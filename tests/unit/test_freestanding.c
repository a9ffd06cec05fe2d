/* test_freestanding.c: the freestanding guests' printf engine and parsers
 * (freestanding/fmt.c, parse.c), built for the host; glibc's snprintf is the
 * reference for every conversion both support. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freestanding.h"

/* A sink into a buffer, as the hypercall runtime's snprintf does. */
struct buf_sink {
	struct fmt_sink sink;
	char buf[256];
	size_t pos;
};

static void buf_put(struct fmt_sink *sink, char c)
{
	struct buf_sink *b = (struct buf_sink *)sink;
	if (b->pos < sizeof(b->buf) - 1)
		b->buf[b->pos++] = c;
}

/* Format with the engine; *n gets its return value. No format attribute:
 * some cases are ones the compiler would reject (SAME checks the rest). */
static const char *fmt(int *n, const char *f, ...);
static const char *fmt(int *n, const char *f, ...)
{
	static struct buf_sink b;
	b = (struct buf_sink){ .sink.put = buf_put };
	va_list ap;
	va_start(ap, f);
	*n = fmt_format(&b.sink, f, ap);
	va_end(ap);
	b.buf[b.pos] = '\0';
	ck_assert_int_eq(*n, (int)b.pos);
	return b.buf;
}

/* The engine and glibc agree on output and length. */
#define SAME(...)                                                  \
	do {                                                       \
		char want[256];                                    \
		int n, wn = snprintf(want, sizeof(want), __VA_ARGS__); \
		ck_assert_str_eq(fmt(&n, __VA_ARGS__), want);       \
		ck_assert_int_eq(n, wn);                           \
	} while (0)

START_TEST(test_fmt_like_libc)
{
	SAME("plain text\n");
	SAME("%d %i %u %x %X", -5, 7, 3000000000u, 0xbeefu, 0xbeefu);
	SAME("%ld %lu %lx %llx %zu %zx", -1234567890123L, 18446744073709551615UL, 0x1234UL, 0xfedcULL,
	     (size_t)42, (size_t)255);
	SAME("%ld %d", (long)INT64_MIN, INT32_MIN);
	SAME("[%5d][%-5d][%05d][%5d][%05d][%-6d]", 42, 42, 42, -42, -42, -42);
	SAME("[%8x][%08x][%-8x][%016lx][%2x]", 0xabu, 0xabu, 0xabu, 0x1UL, 0x12345u);
	SAME("[%*d][%-*d]", 6, 12, 6, 12);
	SAME("[%s][%10s][%-10s][%2s]", "abc", "abc", "abc", "abcdef");
	SAME("[%.2s][%8.3s][%-8.3s][%.*s][%.0s]", "abcdef", "abcdef", "abcdef", 4, "abcdef", "abc");
	SAME("[%c][%3c][%-3c]", 'x', 'y', 'z');
	SAME("[%p][%20p][%-20p]", (void *)0x1000, (void *)0xdeadbeef, (void *)0xdeadbeef);
	SAME("100%%");
}
END_TEST

START_TEST(test_fmt_own_rules)
{
	int n;
	/* A NUL from %c is output and counted. */
	fmt(&n, "a%cb", 0);
	ck_assert_int_eq(n, 3);
	/* NULL strings print as "(null)"; NULL pointers as 0x0 (glibc: "(nil)"). */
	ck_assert_str_eq(fmt(&n, "%s", (char *)NULL), "(null)");
	ck_assert_str_eq(fmt(&n, "%p", (void *)NULL), "0x0");
	/* An unknown conversion shows itself; a lone '%' at the end ends the output. */
	ck_assert_str_eq(fmt(&n, "%q|%"), "%q|");
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(test_parse_u64)
{
	const char *s, *end;
	uint64_t v;
	s = "1234 rest";
	ck_assert(parse_u64(s, &v, &end));
	ck_assert_uint_eq(v, 1234);
	ck_assert_ptr_eq(end, s + 4);
	s = "0x1fAb";
	ck_assert(parse_u64(s, &v, &end));
	ck_assert_uint_eq(v, 0x1fab);
	ck_assert_ptr_eq(end, s + 6);
	ck_assert(parse_u64("0XFF", &v, NULL));
	ck_assert_uint_eq(v, 255);
	ck_assert(parse_u64("0", &v, NULL));
	ck_assert_uint_eq(v, 0);
	/* Hex digits without 0x end a decimal number. */
	s = "12ab";
	ck_assert(parse_u64(s, &v, &end));
	ck_assert_uint_eq(v, 12);
	ck_assert_ptr_eq(end, s + 2);
	/* No digits: false, 0, and end after what was read. */
	s = "0x";
	ck_assert(!parse_u64(s, &v, &end));
	ck_assert_uint_eq(v, 0);
	ck_assert_ptr_eq(end, s + 2);
	s = "x1";
	ck_assert(!parse_u64(s, &v, &end));
	ck_assert_ptr_eq(end, s);
	ck_assert(!parse_u64("", &v, NULL));
	/* Past 2^64 it wraps (callers are test knobs, not the guest's input). */
	ck_assert(parse_u64("18446744073709551617", &v, NULL));
	ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(test_cmdline_find)
{
	const char *line = "  a=1 bb=22 console=ttyS0  empty= ab=3";
	ck_assert_str_eq(cmdline_find(line, "a"), "1 bb=22 console=ttyS0  empty= ab=3");
	ck_assert_str_eq(cmdline_find(line, "bb"), "22 console=ttyS0  empty= ab=3");
	ck_assert_str_eq(cmdline_find(line, "ab"), "3");
	ck_assert_str_eq(cmdline_find(line, "empty"), " ab=3");
	/* Whole keys only, and a word without '=' is no key. */
	ck_assert_ptr_null(cmdline_find(line, "b"));
	ck_assert_ptr_null(cmdline_find(line, "console=ttyS"));
	ck_assert_ptr_null(cmdline_find("quiet", "quiet"));
	ck_assert_ptr_null(cmdline_find("", "a"));
}
END_TEST

int main(void)
{
	const TTest *tests[] = { test_fmt_like_libc, test_fmt_own_rules, test_parse_u64, test_cmdline_find };
	Suite *s = suite_create("freestanding");
	SRunner *sr = srunner_create(s);
	TCase *tc = tcase_create("engine and parsers");
	suite_add_tcase(s, tc);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
