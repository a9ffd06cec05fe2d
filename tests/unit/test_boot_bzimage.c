/* test_boot_bzimage.c: setup header checks and loading, on hand-built bzImages. */
#include "boot_test.h"

#include "boot/bytes.h"
#include "boot/bzimage.h"
#include "boot/zeropage.h"
#include "core/layout.h"
#include "core/memory.h"

#define PATH "out/bzImage"
#define BODY_LEN 0x3000
#define BUF_CAP 0x10000
#define HDR_LEN 0x66 /* jump byte: header ends at 0x268, as in Linux 5.x+ */

/* A plausible protocol-2.15 header followed by a BODY_LEN-byte kernel whose
 * bytes are their offset in the body (mod 251). Returns the length. */
static size_t bz_build(uint8_t *buf, size_t cap, unsigned setup_sects)
{
	memset(buf, 0, cap);
	unsigned sects = setup_sects ? setup_sects : 4;
	size_t setup_len = (sects + 1) * 512;
	buf[HDR_SETUP_SECTS] = (uint8_t)setup_sects;
	le_put16(buf + HDR_BOOT_FLAG, HDR_BOOT_FLAG_MAGIC);
	buf[HDR_JUMP] = 0xEB;
	buf[HDR_JUMP + 1] = HDR_LEN;
	le_put32(buf + HDR_HEADER, HDR_HEADER_MAGIC);
	le_put16(buf + HDR_VERSION, 0x020F);
	buf[HDR_LOADFLAGS] = LOADFLAG_LOADED_HIGH;
	le_put32(buf + HDR_INITRD_ADDR_MAX, 0x7fffffff);
	le_put32(buf + HDR_KERNEL_ALIGNMENT, 0x200000);
	buf[HDR_RELOCATABLE] = 1;
	le_put16(buf + HDR_XLOADFLAGS, XLF_KERNEL_64 | 0x2);
	le_put32(buf + HDR_CMDLINE_SIZE, 2047);
	le_put64(buf + HDR_PREF_ADDRESS, 0x1000000);
	le_put32(buf + HDR_INIT_SIZE, 0x1000000);
	buf[HDR_HEADER + HDR_LEN] = 0x77; /* first byte past the header: not copied */
	for (size_t i = 0; i < BODY_LEN; i++)
		buf[setup_len + i] = (uint8_t)(i % 251);
	return setup_len + BODY_LEN;
}

static int load_in(uint64_t ram, const uint8_t *buf, size_t len, uint8_t *bp,
		   struct boot_image *img, struct err *e)
{
	struct guest_mem m;
	struct err me = { 0 };
	ck_assert_int_eq(mem_init(&m, ram, &me), 0);
	int rc = bzimage_load(&m, buf, len, PATH, bp, img, e);
	mem_destroy(&m);
	return rc;
}

START_TEST(test_good_bzimage)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	size_t len = bz_build(buf, sizeof(buf), 27);
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img;
	ck_assert(bzimage_is_bzimage(buf, len));
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &e), 0);
	ck_assert_int_eq(bzimage_load(&m, buf, len, PATH, bp, &img, &e), 0);
	const uint8_t *k = gpa_to_hva(&m, LAYOUT_HIMEM_START, BODY_LEN);
	ck_assert_mem_eq(k, buf + 28 * 512, BODY_LEN);
	ck_assert_uint_eq(img.entry, 0x100200);
	/* Relocatable, 2 MiB aligned, but never below pref_address 16 MiB. */
	ck_assert_uint_eq(img.end, 16 * MiB + 16 * MiB);
	ck_assert_uint_eq(img.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(img.cmdline_max, 2047);
	/* The header went into the zero page, with the loader's fields set. */
	ck_assert_uint_eq(le_get32(bp + HDR_HEADER), HDR_HEADER_MAGIC);
	ck_assert_uint_eq(le_get16(bp + HDR_VERSION), 0x020F);
	ck_assert_uint_eq(le_get32(bp + HDR_INIT_SIZE), 0x1000000);
	ck_assert_uint_eq(bp[HDR_SETUP_SECTS], 27);
	ck_assert_uint_eq(bp[HDR_TYPE_OF_LOADER], 0xFF);
	ck_assert_uint_eq(bp[HDR_LOADFLAGS], LOADFLAG_LOADED_HIGH | LOADFLAG_CAN_USE_HEAP);
	ck_assert_uint_eq(le_get16(bp + HDR_HEAP_END_PTR), 0xDE00);
	ck_assert_uint_eq(le_get16(bp + HDR_VID_MODE), 0xFFFF);
	ck_assert_uint_eq(bp[HDR_HEADER + HDR_LEN], 0); /* past the header: not copied */
	ck_assert_uint_eq(bp[HDR_START - 1], 0);
	mem_destroy(&m);
}
END_TEST

START_TEST(test_setup_sects_zero_means_four)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	size_t len = bz_build(buf, sizeof(buf), 0);
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img;
	ck_assert_uint_eq(len, 5 * 512 + BODY_LEN);
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &e), 0);
	ck_assert_int_eq(bzimage_load(&m, buf, len, PATH, bp, &img, &e), 0);
	ck_assert_mem_eq(gpa_to_hva(&m, LAYOUT_HIMEM_START, BODY_LEN), buf + 5 * 512, BODY_LEN);
	mem_destroy(&m);
}
END_TEST

START_TEST(test_missing_signatures)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	struct err e = { 0 };
	struct boot_image img;
	size_t len = bz_build(buf, sizeof(buf), 4);
	buf[HDR_HEADER] = 'X';
	ck_assert(!bzimage_is_bzimage(buf, len));
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, "kernel " PATH ": no \"HdrS\"");

	e = (struct err){ 0 };
	len = bz_build(buf, sizeof(buf), 4);
	le_put16(buf + HDR_BOOT_FLAG, 0);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, "no boot flag 0xAA55");
}
END_TEST

START_TEST(test_old_protocol_refused)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	struct err e = { 0 };
	struct boot_image img;
	size_t len = bz_build(buf, sizeof(buf), 4);
	le_put16(buf + HDR_VERSION, 0x020A);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, PATH ": boot protocol 2.10 is older than 2.12");
}
END_TEST

START_TEST(test_no_64bit_entry_refused)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	struct err e = { 0 };
	struct boot_image img;
	size_t len = bz_build(buf, sizeof(buf), 4);
	le_put16(buf + HDR_XLOADFLAGS, 0x2);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, "XLF_KERNEL_64");
}
END_TEST

START_TEST(test_truncated)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	struct err e = { 0 };
	struct boot_image img;
	bz_build(buf, sizeof(buf), 4);
	/* Setup code only, no protected-mode kernel. */
	ck_assert_int_eq(load_in(64 * MiB, buf, 5 * 512, bp, &img, &e), -1);
	ck_assert_input_err(e, PATH ": truncated bzImage");
	e = (struct err){ 0 };
	bz_build(buf, sizeof(buf), 60); /* setup claims 61 sectors */
	ck_assert_int_eq(load_in(64 * MiB, buf, 61 * 512 - 100, bp, &img, &e), -1);
	ck_assert_input_err(e, "truncated bzImage");
	e = (struct err){ 0 };
	ck_assert_int_eq(load_in(64 * MiB, buf, 0x300, bp, &img, &e), -1);
	ck_assert_input_err(e, "truncated bzImage header");
}
END_TEST

START_TEST(test_kernel_too_large)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	struct err e = { 0 };
	struct boot_image img;
	size_t len = bz_build(buf, sizeof(buf), 4);
	/* Decompressing needs 64 MiB from 16 MiB: more than a 64 MiB guest has. */
	le_put32(buf + HDR_INIT_SIZE, 0x4000000);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, "(init_size), past the end of guest RAM (64 MiB)");
	ck_assert_ptr_nonnull(strstr(e.msg, PATH));
	/* A body that itself does not fit above 1 MiB. */
	e = (struct err){ 0 };
	size_t big_len = 16 * MiB;
	uint8_t *big = calloc(1, big_len);
	memcpy(big, buf, 5 * 512);
	ck_assert_int_eq(load_in(16 * MiB, big, big_len, bp, &img, &e), -1);
	ck_assert_input_err(e, "does not fit in guest RAM at 1 MiB");
	free(big);
}
END_TEST

START_TEST(test_runtime_start_rules)
{
	static uint8_t buf[BUF_CAP];
	uint8_t bp[BP_SIZE] = { 0 };
	struct err e = { 0 };
	struct boot_image img;
	size_t len = bz_build(buf, sizeof(buf), 4);
	/* Not relocatable: runs at pref_address. */
	buf[HDR_RELOCATABLE] = 0;
	le_put64(buf + HDR_PREF_ADDRESS, 0x2000000);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), 0);
	ck_assert_uint_eq(img.end, 0x2000000 + 0x1000000);
	/* Relocatable with no pref_address: 1 MiB aligned up to 4 MiB. */
	buf[HDR_RELOCATABLE] = 1;
	le_put64(buf + HDR_PREF_ADDRESS, 0);
	le_put32(buf + HDR_KERNEL_ALIGNMENT, 0x400000);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), 0);
	ck_assert_uint_eq(img.end, 0x400000 + 0x1000000);
	/* An alignment that is not a power of two. */
	le_put32(buf + HDR_KERNEL_ALIGNMENT, 0x300000);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, "kernel_alignment 0x300000");
	/* A fixed kernel that wants to run below 1 MiB. */
	e = (struct err){ 0 };
	buf[HDR_RELOCATABLE] = 0;
	le_put64(buf + HDR_PREF_ADDRESS, 0x10000);
	ck_assert_int_eq(load_in(64 * MiB, buf, len, bp, &img, &e), -1);
	ck_assert_input_err(e, "below 1 MiB");
}
END_TEST

static Suite *boot_bzimage_suite(void)
{
	Suite *s = suite_create("boot_bzimage");
	TCase *tc = tcase_create("bzimage");
	tcase_add_test(tc, test_good_bzimage);
	tcase_add_test(tc, test_setup_sects_zero_means_four);
	tcase_add_test(tc, test_missing_signatures);
	tcase_add_test(tc, test_old_protocol_refused);
	tcase_add_test(tc, test_no_64bit_entry_refused);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_kernel_too_large);
	tcase_add_test(tc, test_runtime_start_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_bzimage_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
