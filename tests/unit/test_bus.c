/* test_bus.c: the PIO/MMIO range registry. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/bus.h"

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned last_size, reads, writes;
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake_dev *d = opaque;
	d->last_off = off;
	d->last_size = size;
	d->reads++;
	return 0x1122334455667788ULL;
}

static void fake_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fake_dev *d = opaque;
	d->last_off = off;
	d->last_size = size;
	d->last_val = val;
	d->writes++;
}

static const struct bus_ops fake_ops = { fake_read, fake_write };

START_TEST(test_register_rejects_empty_overlap_wrap)
{
	struct bus b;
	struct fake_dev d = { 0 };
	ck_assert_int_eq(bus_init(&b, "pio"), 0);
	ck_assert_int_eq(bus_register(&b, 0x3f8, 0, &fake_ops, &d, "x"), -EINVAL);
	ck_assert_int_eq(bus_register(&b, ~0ULL, 2, &fake_ops, &d, "x"), -EINVAL);
	ck_assert_int_eq(bus_register(&b, 0x10, 1, NULL, &d, "x"), -EINVAL);
	ck_assert_int_eq(bus_register(&b, 0x3f8, 8, &fake_ops, &d, "uart"), 0);
	ck_assert_int_eq(bus_register(&b, 0x3f8, 8, &fake_ops, &d, "dup"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0x3f0, 9, &fake_ops, &d, "tail"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0x3ff, 1, &fake_ops, &d, "head"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0x3f0, 16, &fake_ops, &d, "cover"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0x3fa, 1, &fake_ops, &d, "inside"), -EEXIST);
	/* Adjacent on both sides is fine. */
	ck_assert_int_eq(bus_register(&b, 0x3f0, 8, &fake_ops, &d, "below"), 0);
	ck_assert_int_eq(bus_register(&b, 0x400, 1, &fake_ops, &d, "above"), 0);
	ck_assert_int_eq(bus_register(&b, ~0ULL, 1, &fake_ops, &d, "last"), 0);
	ck_assert_uint_eq(b.count, 4);
	bus_destroy(&b);
}
END_TEST

START_TEST(test_dispatch_gives_offsets)
{
	struct bus b;
	struct fake_dev a = { 0 }, c = { 0 };
	uint64_t v;
	bus_init(&b, "mmio");
	ck_assert_int_eq(bus_register(&b, 0x1000, 0x100, &fake_ops, &a, "a"), 0);
	ck_assert_int_eq(bus_register(&b, 0x2000, 0x10, &fake_ops, &c, "c"), 0);
	ck_assert(bus_write(&b, 0x1004, 4, 0xdeadbeefcafeULL));
	ck_assert_uint_eq(a.last_off, 4);
	ck_assert_uint_eq(a.last_size, 4);
	ck_assert_uint_eq(a.last_val, 0xbeefcafeULL); /* truncated to the access size */
	ck_assert(bus_read(&b, 0x200f, 1, &v));
	ck_assert_uint_eq(c.last_off, 0xf);
	ck_assert_uint_eq(v, 0x88);
	ck_assert(bus_read(&b, 0x2008, 8, &v));
	ck_assert_uint_eq(v, 0x1122334455667788ULL);
	ck_assert_uint_eq(a.writes, 1);
	ck_assert_uint_eq(c.reads, 2);
	bus_destroy(&b);
}
END_TEST

START_TEST(test_unclaimed_reads_all_ones_and_counts)
{
	struct bus b;
	struct fake_dev a = { 0 };
	uint64_t v = 0;
	bus_init(&b, "pio");
	bus_register(&b, 0x60, 1, &fake_ops, &a, "kbd");
	ck_assert(!bus_read(&b, 0x61, 1, &v));
	ck_assert_uint_eq(v, 0xff);
	ck_assert(!bus_read(&b, 0x80, 2, &v));
	ck_assert_uint_eq(v, 0xffff);
	ck_assert(!bus_read(&b, 0x80, 4, &v));
	ck_assert_uint_eq(v, 0xffffffffULL);
	/* An access straddling the end of a range is not the device's. */
	ck_assert(!bus_read(&b, 0x60, 2, &v));
	ck_assert(!bus_write(&b, 0x5f, 2, 1));
	ck_assert(!bus_read(&b, 0x60, 3, &v)); /* odd size */
	ck_assert_uint_eq(a.reads, 0);
	ck_assert_uint_eq(a.writes, 0);
	ck_assert_uint_eq(b.unclaimed_reads, 5);
	ck_assert_uint_eq(b.unclaimed_writes, 1);
	bus_destroy(&b);
}
END_TEST

START_TEST(test_unregister_and_many_ranges)
{
	struct bus b;
	struct fake_dev a = { 0 };
	uint64_t v;
	bus_init(&b, "pio");
	/* Registered in reverse order to exercise sorted insertion and growth. */
	for (int i = 99; i >= 0; i--)
		ck_assert_int_eq(bus_register(&b, (uint64_t)i * 16, 8, &fake_ops, &a, "r"), 0);
	for (int i = 0; i < 100; i++) {
		ck_assert(bus_read(&b, (uint64_t)i * 16 + 7, 1, &v));
		ck_assert(!bus_read(&b, (uint64_t)i * 16 + 8, 1, &v));
	}
	ck_assert_int_eq(bus_unregister(&b, 16 * 50), 0);
	ck_assert_int_eq(bus_unregister(&b, 16 * 50), -ENOENT);
	ck_assert_int_eq(bus_unregister(&b, 16 * 51 + 1), -ENOENT);
	ck_assert(!bus_read(&b, 16 * 50, 1, &v));
	ck_assert(bus_read(&b, 16 * 51, 1, &v));
	ck_assert_int_eq(bus_register(&b, 16 * 50, 16, &fake_ops, &a, "again"), 0);
	bus_destroy(&b);
}
END_TEST

START_TEST(test_exit_counts_per_device)
{
	struct bus b;
	struct fake_dev d = { 0 };
	struct bus_exit_count c[3];
	ck_assert_int_eq(bus_init(&b, "pio"), 0);
	ck_assert_int_eq(bus_register(&b, 0x3f8, 8, &fake_ops, &d, "COM1"), 0);
	ck_assert_int_eq(bus_register(&b, 0x60, 1, &fake_ops, &d, "i8042"), 0);
	ck_assert_int_eq(bus_register(&b, 0x64, 1, &fake_ops, &d, "i8042"), 0);
	ck_assert_int_eq(bus_register(&b, 0xc000, 0x40, &fake_ops, &d, "BAR0"), 0);
	ck_assert_int_eq(bus_register(&b, 0x70, 2, &fake_ops, &d, NULL), 0);
	ck_assert_uint_eq(bus_exit_counts(&b, c, 3), 0);
	for (int i = 0; i < 5; i++)
		bus_count_exit(&b, 0x3fd);
	bus_count_exit(&b, 0x60);
	bus_count_exit(&b, 0x64); /* the same name: one device */
	bus_count_exit(&b, 0x71);
	bus_count_exit(&b, 0x500); /* unclaimed: nobody's */
	bus_count_exit(&b, 0x3f8 + 8);
	/* A BAR that moves keeps its count. */
	bus_count_exit(&b, 0xc03f);
	ck_assert_int_eq(bus_unregister(&b, 0xc000), 0);
	ck_assert_int_eq(bus_register(&b, 0xd000, 0x40, &fake_ops, &d, "BAR0"), 0);
	bus_count_exit(&b, 0xd000);
	bus_count_exit(&b, 0xd001);
	bus_count_exit(&b, 0xc000); /* the old place: nobody's now */
	ck_assert_uint_eq(bus_exit_counts(&b, c, 3), 4);
	ck_assert_str_eq(c[0].name, "COM1");
	ck_assert_uint_eq(c[0].exits, 5);
	ck_assert_str_eq(c[1].name, "BAR0");
	ck_assert_uint_eq(c[1].exits, 3);
	ck_assert_str_eq(c[2].name, "i8042");
	ck_assert_uint_eq(c[2].exits, 2);
	/* A short array keeps the largest. */
	ck_assert_uint_eq(bus_exit_counts(&b, c, 1), 4);
	ck_assert_str_eq(c[0].name, "COM1");
	ck_assert_uint_eq(bus_exit_counts(&b, c, 0), 4);
	struct bus_exit_count all[8];
	ck_assert_uint_eq(bus_exit_counts(&b, all, 8), 4);
	ck_assert_str_eq(all[3].name, "unnamed");
	ck_assert_uint_eq(all[3].exits, 1);
	bus_destroy(&b);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_register_rejects_empty_overlap_wrap);
	tcase_add_test(tc, test_dispatch_gives_offsets);
	tcase_add_test(tc, test_unclaimed_reads_all_ones_and_counts);
	tcase_add_test(tc, test_unregister_and_many_ranges);
	tcase_add_test(tc, test_exit_counts_per_device);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bus_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
