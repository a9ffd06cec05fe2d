/* test_devices_exit_port.c: the exit port and the firmware debug port. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "devices/debug_port.h"
#include "devices/exit_port.h"

#define EXIT_PORT_BASE 0xf4

struct stops {
	unsigned calls;
	int last;
};

static void record_stop(void *ctx, int status)
{
	struct stops *s = ctx;
	s->calls++;
	s->last = status;
}

START_TEST(test_exit_sizes_give_low_byte)
{
	struct exit_port e;
	struct stops st = { 0 };
	exit_port_init(&e, record_stop, &st);
	exit_port_ops.write(&e, 0, 1, 0x2a);
	ck_assert_uint_eq(st.calls, 1);
	ck_assert_uint_eq(st.last, 0x2a);
	exit_port_ops.write(&e, 0, 2, 0x1203);
	ck_assert_uint_eq(st.last, 0x03);
	exit_port_ops.write(&e, 0, 4, 0xdeadbe00);
	ck_assert_uint_eq(st.last, 0x00);
	exit_port_ops.write(&e, 0, 4, 0xffffffff);
	ck_assert_uint_eq(st.last, 0xff);
	ck_assert_uint_eq(st.calls, 4);
	ck_assert_uint_eq(atomic_load(&e.ignored_writes), 0);
}
END_TEST

START_TEST(test_exit_other_offsets_and_reads)
{
	struct exit_port e;
	struct stops st = { 0 };
	exit_port_init(&e, record_stop, &st);
	exit_port_ops.write(&e, 1, 1, 7);
	exit_port_ops.write(&e, 2, 2, 7);
	exit_port_ops.write(&e, 3, 1, 7);
	ck_assert_uint_eq(st.calls, 0);
	ck_assert_uint_eq(atomic_load(&e.ignored_writes), 3);
	ck_assert_uint_eq(exit_port_ops.read(&e, 0, 1), 0xff);
	ck_assert_uint_eq(exit_port_ops.read(&e, 0, 2), 0xffff);
	ck_assert_uint_eq(exit_port_ops.read(&e, 0, 4), 0xffffffffULL);
	ck_assert_uint_eq(atomic_load(&e.reads), 3);
	/* No stop callback: accepted, nothing happens. */
	exit_port_init(&e, NULL, NULL);
	exit_port_ops.write(&e, 0, 1, 1);
}
END_TEST

START_TEST(test_exit_through_bus)
{
	struct bus b;
	struct exit_port e;
	struct stops st = { 0 };
	exit_port_init(&e, record_stop, &st);
	ck_assert_int_eq(bus_init(&b, "pio"), 0);
	ck_assert_int_eq(bus_register(&b, EXIT_PORT_BASE, EXIT_PORT_LEN, &exit_port_ops, &e, "exit"), 0);
	ck_assert(bus_write(&b, EXIT_PORT_BASE, 4, 0x101));
	ck_assert_uint_eq(st.last, 0x01);
	ck_assert(bus_write(&b, EXIT_PORT_BASE, 2, 0x3));
	ck_assert_uint_eq(st.last, 0x03);
	ck_assert(bus_write(&b, EXIT_PORT_BASE + 2, 2, 0x5)); /* upper half: ignored */
	ck_assert_uint_eq(st.calls, 2);
	bus_destroy(&b);
}
END_TEST

struct logbuf {
	char text[64];
	size_t len;
};

static void log_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct logbuf *l = ctx;
	ck_assert_uint_lt(l->len + len, sizeof(l->text));
	memcpy(l->text + l->len, buf, len);
	l->len += len;
}

START_TEST(test_debug_port_with_sink)
{
	struct debug_port d;
	struct logbuf l = { { 0 }, 0 };
	struct console_sink sink = { log_write, &l };
	ck_assert_int_eq(debug_port_init(&d, &sink), 0);
	ck_assert_uint_eq(debug_port_ops.read(&d, 0, 1), DEBUG_PORT_PRESENT);
	for (const char *p = "SeaBIOS\n"; *p; p++)
		debug_port_ops.write(&d, 0, 1, (uint8_t)*p);
	ck_assert_str_eq(l.text, "SeaBIOS\n");
	debug_port_destroy(&d);
}
END_TEST

START_TEST(test_debug_port_discards)
{
	struct debug_port d;
	struct console_sink none = { NULL, NULL };
	ck_assert_int_eq(debug_port_init(&d, NULL), 0);
	ck_assert_uint_eq(debug_port_ops.read(&d, 0, 1), DEBUG_PORT_ABSENT);
	debug_port_ops.write(&d, 0, 1, 'x');
	debug_port_destroy(&d);
	ck_assert_int_eq(debug_port_init(&d, &none), 0);
	ck_assert_uint_eq(debug_port_ops.read(&d, 0, 1), DEBUG_PORT_ABSENT);
	debug_port_ops.write(&d, 0, 1, 'x');
	debug_port_destroy(&d);
}
END_TEST

static Suite *exit_port_suite(void)
{
	Suite *s = suite_create("devices_exit_port");
	TCase *tc = tcase_create("exit");
	tcase_add_test(tc, test_exit_sizes_give_low_byte);
	tcase_add_test(tc, test_exit_other_offsets_and_reads);
	tcase_add_test(tc, test_exit_through_bus);
	suite_add_tcase(s, tc);
	tc = tcase_create("debug");
	tcase_add_test(tc, test_debug_port_with_sink);
	tcase_add_test(tc, test_debug_port_discards);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(exit_port_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
