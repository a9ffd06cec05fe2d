/* test_exit.c: KVM exit decoding with synthetic kvm_run pages (no KVM needed). */
#include <check.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "core/exit.h"

#define RUN_SIZE 4096

struct rec {
	uint64_t off, val;
	unsigned size, writes, reads;
};

static uint64_t rec_read(void *o, uint64_t off, unsigned size)
{
	struct rec *r = o;
	r->reads++;
	r->off = off;
	r->size = size;
	return 0xA0 + r->reads;
}

static void rec_write(void *o, uint64_t off, unsigned size, uint64_t val)
{
	struct rec *r = o;
	r->writes++;
	r->off = off;
	r->size = size;
	r->val = val;
}

static const struct bus_ops rec_ops = { rec_read, rec_write };

static struct kvm_run *run_new(void)
{
	return calloc(1, RUN_SIZE);
}

START_TEST(test_io_out_and_in)
{
	struct bus b;
	struct rec r = { 0 };
	struct kvm_run *run = run_new();
	bus_init(&b, "pio");
	bus_register(&b, 0xf4, 4, &rec_ops, &r, "exit");
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.port = 0xf4;
	run->io.size = 2;
	run->io.count = 1;
	run->io.data_offset = 256;
	memcpy((uint8_t *)run + 256, "\x07\x01", 2);
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), 0);
	ck_assert_uint_eq(r.val, 0x107);
	ck_assert_uint_eq(r.size, 2);
	run->io.direction = KVM_EXIT_IO_IN;
	run->io.port = 0xf6;
	run->io.size = 1;
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), 0);
	ck_assert_uint_eq(r.off, 2);
	ck_assert_uint_eq(((uint8_t *)run)[256], 0xA1);
	/* Unclaimed port: all ones. */
	run->io.port = 0x2f0;
	run->io.size = 4;
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), 0);
	uint32_t v;
	memcpy(&v, (uint8_t *)run + 256, 4);
	ck_assert_uint_eq(v, 0xffffffffu);
	bus_destroy(&b);
	free(run);
}
END_TEST

START_TEST(test_io_string_and_bad_offsets)
{
	struct bus b;
	struct rec r = { 0 };
	struct kvm_run *run = run_new();
	bus_init(&b, "pio");
	bus_register(&b, 0x3f8, 8, &rec_ops, &r, "uart");
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.port = 0x3f8;
	run->io.size = 1;
	run->io.count = 5; /* rep outsb */
	run->io.data_offset = 512;
	memcpy((uint8_t *)run + 512, "hello", 5);
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), 0);
	ck_assert_uint_eq(r.writes, 5);
	ck_assert_uint_eq(r.val, 'o');
	run->io.count = 4000; /* past the run page */
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), -1);
	run->io.count = 1;
	run->io.data_offset = RUN_SIZE + 1;
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), -1);
	run->io.data_offset = 0xffffffffu;
	run->io.count = 0xffffffffu;
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), -1);
	run->io.data_offset = 512;
	run->io.size = 8;
	ck_assert_int_eq(exit_handle_io(&b, run, RUN_SIZE), -1);
	ck_assert_uint_eq(r.writes, 5);
	bus_destroy(&b);
	free(run);
}
END_TEST

START_TEST(test_mmio_read_write_unclaimed)
{
	struct bus b;
	struct rec r = { 0 };
	struct kvm_run *run = run_new();
	bus_init(&b, "mmio");
	bus_register(&b, 0xd0000000, 0x1000, &rec_ops, &r, "dev");
	run->mmio.phys_addr = 0xd0000010;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x78\x56\x34\x12", 4);
	ck_assert_int_eq(exit_handle_mmio(&b, run), 0);
	ck_assert_uint_eq(r.val, 0x12345678);
	ck_assert_uint_eq(r.off, 0x10);
	run->mmio.is_write = 0;
	run->mmio.phys_addr = 0xe0000000;
	run->mmio.len = 2;
	memset(run->mmio.data, 0, 8);
	ck_assert_int_eq(exit_handle_mmio(&b, run), 0);
	ck_assert_uint_eq(run->mmio.data[0], 0xff);
	ck_assert_uint_eq(run->mmio.data[1], 0xff);
	ck_assert_uint_eq(run->mmio.data[2], 0);
	run->mmio.len = 9;
	ck_assert_int_eq(exit_handle_mmio(&b, run), -1);
	run->mmio.len = 0;
	ck_assert_int_eq(exit_handle_mmio(&b, run), -1);
	ck_assert_uint_eq(b.unclaimed_reads, 1);
	bus_destroy(&b);
	free(run);
}
END_TEST

START_TEST(test_quirk_classify)
{
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\xcc\x90", 2), QUIRK_INT3);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f\x0b", 2), QUIRK_UD2);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f", 1), QUIRK_NONE);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f\x01\xca", 3), QUIRK_CLAC);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f\x01\xcb", 3), QUIRK_STAC);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f\x01\xcc", 3), QUIRK_NONE);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f\x01", 2), QUIRK_NONE);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x9b\x48", 2), QUIRK_FWAIT);
	ck_assert_int_eq(quirk_classify((const uint8_t *)"\x0f\xae\x2f", 3), QUIRK_NONE); /* xrstor */
	ck_assert_uint_eq(quirk_length(QUIRK_INT3), 1);
	ck_assert_uint_eq(quirk_length(QUIRK_FWAIT), 1);
	ck_assert_uint_eq(quirk_length(QUIRK_UD2), 2);
	ck_assert_uint_eq(quirk_length(QUIRK_CLAC), 3);
	ck_assert_uint_eq(quirk_length(QUIRK_NONE), 0);
	ck_assert_int_eq(quirk_classify(NULL, 0), QUIRK_NONE);
	char buf[64];
	exit_format_bytes((const uint8_t *)"\x0f\x01\xca", 3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0f 01 ca");
	exit_format_bytes((const uint8_t *)"\x0f\x01\xca", 3, buf, 6);
	ck_assert_str_eq(buf, "0f");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_io_out_and_in);
	tcase_add_test(tc, test_io_string_and_bad_offsets);
	tcase_add_test(tc, test_mmio_read_write_unclaimed);
	tcase_add_test(tc, test_quirk_classify);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
