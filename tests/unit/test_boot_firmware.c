/* test_boot_firmware.c: loading the SeaBIOS image (size rules, messages) and its copy below 1 MiB. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/firmware.h"
#include "core/layout.h"

static char dir[] = "/tmp/vmm-fw-XXXXXX";

static const char *make_file(const char *name, size_t size)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 7 + i / 65536) & 0xFF), f);
	fclose(f);
	return path;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 7 + i / 65536) & 0xFF);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/vmm-fw-XXXXXX");
}

static void expect_error(const char *path, const char *what)
{
	struct firmware_image fw;
	struct err e = { 0 };
	ck_assert_int_ne(firmware_load(&fw, path, &e), 0);
	ck_assert_int_eq(e.kind, ERR_INPUT);
	ck_assert_msg(strstr(e.msg, path) && strstr(e.msg, what), "message: %s", e.msg);
	ck_assert_ptr_null(fw.data);
}

START_TEST(test_bad_files)
{
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/none.bin", dir);
	expect_error(missing, "No such file");
	expect_error(dir, "directory");
	expect_error(make_file("empty.bin", 0), "empty");
	expect_error(make_file("odd.bin", 1000), "not a multiple of 64 KiB");
	expect_error(make_file("big.bin", 320 * 1024), "larger than");
}
END_TEST

START_TEST(test_load_and_alias)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, MEM_MIN_SIZE, &e), 0);
	const size_t sizes[] = { 64 * 1024, 128 * 1024, 256 * 1024 };
	for (unsigned k = 0; k < 3; k++) {
		struct firmware_image fw;
		ck_assert_int_eq(firmware_load(&fw, make_file("bios.bin", sizes[k]), &e), 0);
		ck_assert_uint_eq(fw.len, sizes[k]);
		ck_assert_uint_eq(firmware_rom_base(&fw), 0x100000000ULL - sizes[k]);
		memset(gpa_to_hva(&m, 0xC0000, 0x40000), 0xEE, 0x40000);
		ck_assert_int_eq(firmware_copy_low(&fw, &m, &e), 0);
		/* The whole image, ending at 1 MiB. */
		const uint8_t *low = gpa_to_hva(&m, 0x100000 - sizes[k], sizes[k]);
		for (size_t i = 0; i < sizes[k]; i++)
			ck_assert_uint_eq(low[i], pattern(i));
		/* The reset vector's far jump lands in the copy: F000:FFF0 = last 16 bytes. */
		ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&m, 0xFFFF0, 1), pattern(sizes[k] - 16));
		if (sizes[k] < 0x40000)
			ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&m, 0xC0000, 1), 0xEE);
		firmware_free(&fw);
	}
	mem_destroy(&m);
}
END_TEST

START_TEST(test_default_path)
{
	if (access(FIRMWARE_DEFAULT_PATH, R_OK))
		return; /* the seabios package is not installed: nothing to load */
	struct firmware_image fw;
	struct err e = { 0 };
	ck_assert_int_eq(firmware_load(&fw, NULL, &e), 0);
	ck_assert_uint_eq(fw.len % FIRMWARE_SIZE_UNIT, 0);
	/* The reset vector holds a far jump (0xEA). */
	ck_assert_uint_eq(fw.data[fw.len - 16], 0xEA);
	firmware_free(&fw);
}
END_TEST

static Suite *firmware_suite(void)
{
	Suite *s = suite_create("firmware");
	TCase *tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_load_and_alias);
	tcase_add_test(tc, test_default_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(firmware_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
