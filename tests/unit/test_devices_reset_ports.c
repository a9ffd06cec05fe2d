/* test_devices_reset_ports.c: port 0x92 fast reset / A20 and the 0xCF9 reset control. */
#include <check.h>
#include <stdlib.h>

#include "devices/reset_ports.h"

static void count_reset(void *ctx)
{
	(*(unsigned *)ctx)++;
}

START_TEST(test_port92)
{
	unsigned resets = 0;
	struct reset_ports r;
	reset_ports_init(&r, count_reset, &resets);
	ck_assert_uint_eq(port92_ops.read(&r, 0, 1), PORT92_A20); /* A20 is always on */
	port92_ops.write(&r, 0, 1, 0x00);                        /* "closing" A20: no effect */
	ck_assert_uint_eq(port92_ops.read(&r, 0, 1), PORT92_A20);
	ck_assert_uint_eq(resets, 0);
	port92_ops.write(&r, 0, 1, 0x40 | PORT92_A20);
	ck_assert_uint_eq(port92_ops.read(&r, 0, 1), 0x40 | PORT92_A20);
	port92_ops.write(&r, 0, 1, PORT92_A20 | PORT92_RESET);
	ck_assert_uint_eq(resets, 1);
	ck_assert_uint_eq(port92_ops.read(&r, 0, 1) & PORT92_RESET, 0);
}
END_TEST

START_TEST(test_rcr)
{
	unsigned resets = 0;
	struct reset_ports r;
	reset_ports_init(&r, count_reset, &resets);
	rcr_ops.write(&r, 0, 1, RCR_SYS_RST); /* Linux arms SYS_RST first */
	ck_assert_uint_eq(resets, 0);
	ck_assert_uint_eq(rcr_ops.read(&r, 0, 1), RCR_SYS_RST);
	rcr_ops.write(&r, 0, 1, RCR_SYS_RST | RCR_RST_CPU);
	ck_assert_uint_eq(resets, 1);
	rcr_ops.write(&r, 0, 1, 0x0E); /* full reset, as SeaBIOS writes it */
	ck_assert_uint_eq(resets, 2);
	reset_ports_init(&r, NULL, NULL);
	rcr_ops.write(&r, 0, 1, 0x06); /* no callback: nothing happens */
}
END_TEST

static Suite *reset_ports_suite(void)
{
	Suite *s = suite_create("reset_ports");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_port92);
	tcase_add_test(tc, test_rcr);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reset_ports_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
