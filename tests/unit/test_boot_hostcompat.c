/* test_boot_hostcompat.c: --host-compat's command line: where the options go,
 * the user's own values winning, init's arguments untouched, length limits. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "boot/hostcompat.h"

#define BIG 4096

static const char *compat(const char *user, unsigned khz)
{
	static char out[BIG];
	struct err e = { 0 };
	struct hostcompat_params p = { .tsc_khz = khz };
	ck_assert_int_eq(hostcompat_cmdline(user, &p, out, sizeof(out), sizeof(out) - 1, &e), 0);
	return out;
}

START_TEST(test_appends_all_options)
{
	ck_assert_str_eq(compat("console=ttyS0", 0), "console=ttyS0 " HOSTCOMPAT_OPTIONS);
	ck_assert_str_eq(compat(NULL, 0), HOSTCOMPAT_OPTIONS);
	ck_assert_str_eq(compat("", 0), HOSTCOMPAT_OPTIONS);
	ck_assert_str_eq(compat("a  ", 0), "a " HOSTCOMPAT_OPTIONS);
}
END_TEST

/* What Debian's stock kernel needs on a PVM host beyond the test kernel's
 * options (linux-stock.sh): without them it stops at an ldmxcsr it cannot
 * emulate (status 123) or waits minutes on tracefs's event_mutex. */
static bool has_word(const char *s, const char *list_opt, const char *word)
{
	const char *v = strstr(s, list_opt);
	if (!v)
		return false;
	v += strlen(list_opt);
	size_t n = strcspn(v, " ");
	for (const char *w = v; w < v + n;) {
		size_t len = strcspn(w, ", ");
		if (len == strlen(word) && strncmp(w, word, len) == 0)
			return true;
		w += len + (w[len] == ',');
		if (w[-1] != ',')
			break;
	}
	return false;
}

START_TEST(test_options_cover_stock_kernel)
{
	const char *out = compat("console=ttyS0", 0);
	ck_assert(has_word(out, "clearcpuid=", "ssse3"));
	ck_assert(has_word(out, "clearcpuid=", "xsave"));
	ck_assert(has_word(out, "initcall_blacklist=", "trace_eval_init"));
	ck_assert(has_word(out, "initcall_blacklist=", "tracer_init_tracefs"));
	ck_assert(!has_word(out, "clearcpuid=", "sse"));
}
END_TEST

START_TEST(test_tsc_rate_for_full_mode)
{
	ck_assert_str_eq(compat("a", 2100000), "a " HOSTCOMPAT_OPTIONS " tsc_early_khz=2100000");
}
END_TEST

START_TEST(test_before_init_arguments)
{
	/* After "--" the words are init's (init/main.c): options must not land there. */
	ck_assert_str_eq(compat("root=/dev/vda -- -s single", 0),
			 "root=/dev/vda " HOSTCOMPAT_OPTIONS " -- -s single");
	ck_assert_str_eq(compat("-- x", 0), HOSTCOMPAT_OPTIONS " -- x");
	/* "--x" and "a--" are ordinary words. */
	ck_assert_str_eq(compat("--x", 0), "--x " HOSTCOMPAT_OPTIONS);
	/* A quoted "--" is part of a value. */
	ck_assert_str_eq(compat("v=\"a -- b\"", 0), "v=\"a -- b\" " HOSTCOMPAT_OPTIONS);
}
END_TEST

START_TEST(test_user_value_wins)
{
	const char *out = compat("clearcpuid=pku tsc_early_khz=1000 nokaslr", 2000000);
	ck_assert_ptr_null(strstr(out, "clearcpuid=smap"));
	ck_assert_ptr_null(strstr(out, "tsc_early_khz=2000000"));
	ck_assert_ptr_nonnull(strstr(out, "tsc_early_khz=1000"));
	/* nokaslr once only. */
	ck_assert_ptr_null(strstr(strstr(out, "nokaslr") + 1, "nokaslr"));
	ck_assert_ptr_nonnull(strstr(out, "noxsave"));
	/* A name as a prefix of another option does not count. */
	ck_assert_ptr_nonnull(strstr(compat("tscx=1 no", 0), "tsc=reliable"));
	ck_assert_ptr_nonnull(strstr(compat("tscx=1 no", 0), " nokaslr"));
	ck_assert_ptr_null(strstr(compat("tsc=unstable", 0), "tsc=reliable"));
	/* Options given after "--" are init's, not the kernel's. */
	ck_assert_ptr_nonnull(strstr(compat("-- nokaslr", 0), "nokaslr "));
}
END_TEST

START_TEST(test_has_option)
{
	ck_assert(hostcompat_has_option("a b=1 c", "b"));
	ck_assert(hostcompat_has_option("a b=1 c", "b=2"));
	ck_assert(!hostcompat_has_option("a bb=1 c", "b"));
	ck_assert(!hostcompat_has_option("a -- b", "b"));
	ck_assert(!hostcompat_has_option("x=\"a b\"", "b"));
	ck_assert(!hostcompat_has_option("", "b"));
}
END_TEST

START_TEST(test_too_long)
{
	char out[BIG];
	struct err e = { 0 };
	struct hostcompat_params p = { 0 };
	size_t need = strlen("a " HOSTCOMPAT_OPTIONS);
	ck_assert_int_eq(hostcompat_cmdline("a", &p, out, sizeof(out), need, &e), 0);
	ck_assert_int_eq(hostcompat_cmdline("a", &p, out, sizeof(out), need - 1, &e), -1);
	ck_assert_int_eq(e.kind, ERR_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "--host-compat"));
	/* A too-small buffer is an error, never an overflow. */
	struct err e2 = { 0 };
	ck_assert_int_eq(hostcompat_cmdline("a", &p, out, 10, BIG, &e2), -1);
	char huge[BIG];
	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	struct err e3 = { 0 };
	ck_assert_int_eq(hostcompat_cmdline(huge, &p, out, sizeof(out), sizeof(out) - 1, &e3), -1);
}
END_TEST

static Suite *hostcompat_suite(void)
{
	Suite *s = suite_create("boot_hostcompat");
	TCase *tc = tcase_create("cmdline");
	tcase_add_test(tc, test_appends_all_options);
	tcase_add_test(tc, test_options_cover_stock_kernel);
	tcase_add_test(tc, test_tsc_rate_for_full_mode);
	tcase_add_test(tc, test_before_init_arguments);
	tcase_add_test(tc, test_user_value_wins);
	tcase_add_test(tc, test_has_option);
	tcase_add_test(tc, test_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hostcompat_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
