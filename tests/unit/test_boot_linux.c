/* test_boot_linux.c: boot_load_kernel end to end on temp files: the file-level
 * errors, and a good ELF boot with command line and initrd. */
#include "boot_test.h"

#include <sys/stat.h>

#include "boot/boot.h"
#include "boot/bytes.h"
#include "boot/zeropage.h"
#include "core/layout.h"
#include "core/memory.h"

#define IMG_CAP (TEST_ELF_DATA_OFF + 0x1000)

struct fixture {
	char dir[64];
	char kernel[128];
	struct guest_mem m;
};

static void fixture_init(struct fixture *f, uint64_t ram)
{
	struct err e = { 0 };
	test_tmpdir(f->dir, sizeof(f->dir));
	ck_assert_int_eq(mem_init(&f->m, ram, &e), 0);
}

static void fixture_fini(struct fixture *f)
{
	mem_destroy(&f->m);
	test_rmdir(f->dir);
}

/* A kernel file: one PT_LOAD at 2 MiB, entry at its start. */
static void write_good_elf(struct fixture *f)
{
	static uint8_t buf[IMG_CAP];
	struct test_seg s = { PT_LOAD, 2 * MiB, 2 * MiB, 0x100, 0x1000, 0xf4 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, 2 * MiB);
	test_write_file(f->kernel, sizeof(f->kernel), f->dir, "vmlinux", buf, len);
}

static int boot(struct fixture *f, const char *kernel, const char *initrd, const char *cmdline,
		struct boot_entry *out, struct err *e)
{
	struct boot_request req = { .kernel_path = kernel, .initrd_path = initrd,
				    .cmdline = cmdline, .ncpus = 2 };
	return boot_load_kernel(&f->m, &req, out, e);
}

START_TEST(test_missing_file)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	char path[160];
	fixture_init(&f, 16 * MiB);
	snprintf(path, sizeof(path), "%s/no-such-kernel", f.dir);
	ck_assert_int_eq(boot(&f, path, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, path);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	fixture_fini(&f);
}
END_TEST

START_TEST(test_directory_and_fifo)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	fixture_init(&f, 16 * MiB);
	ck_assert_int_eq(boot(&f, f.dir, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, f.dir);
	ck_assert_ptr_nonnull(strstr(e.msg, "is a directory"));
	/* A FIFO is refused without blocking on the open. */
	e = (struct err){ 0 };
	snprintf(f.kernel, sizeof(f.kernel), "%s/fifo", f.dir);
	ck_assert_int_eq(mkfifo(f.kernel, 0600), 0);
	ck_assert_int_eq(boot(&f, f.kernel, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, f.kernel);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
	fixture_fini(&f);
}
END_TEST

START_TEST(test_empty_file)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	fixture_init(&f, 16 * MiB);
	test_write_file(f.kernel, sizeof(f.kernel), f.dir, "empty", "", 0);
	ck_assert_int_eq(boot(&f, f.kernel, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, f.kernel);
	ck_assert_ptr_nonnull(strstr(e.msg, "empty"));
	fixture_fini(&f);
}
END_TEST

START_TEST(test_truncated_elf_file)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	fixture_init(&f, 16 * MiB);
	test_write_file(f.kernel, sizeof(f.kernel), f.dir, "short.elf", "\x7f" "ELF\2\1\1", 7);
	ck_assert_int_eq(boot(&f, f.kernel, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, f.kernel);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated ELF header"));
	fixture_fini(&f);
}
END_TEST

START_TEST(test_unknown_format_and_oversize)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	fixture_init(&f, 16 * MiB);
	test_write_file(f.kernel, sizeof(f.kernel), f.dir, "text", "hello, world\n", 13);
	ck_assert_int_eq(boot(&f, f.kernel, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, f.kernel);
	ck_assert_ptr_nonnull(strstr(e.msg, "neither an ELF file nor a bzImage"));
	/* A (sparse) file larger than guest RAM is refused before reading it. */
	e = (struct err){ 0 };
	ck_assert_int_eq(truncate(f.kernel, 17 * MiB), 0);
	ck_assert_int_eq(boot(&f, f.kernel, NULL, NULL, &out, &e), -1);
	ck_assert_input_err(e, f.kernel);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than the 16 MiB"));
	fixture_fini(&f);
}
END_TEST

START_TEST(test_good_elf_boot)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	char initrd[160];
	static const char rd[] = "070701 pretend cpio archive";
	fixture_init(&f, 64 * MiB);
	write_good_elf(&f);
	test_write_file(initrd, sizeof(initrd), f.dir, "initrd", rd, sizeof(rd));
	ck_assert_int_eq(boot(&f, f.kernel, initrd, "console=ttyS0", &out, &e), 0);
	ck_assert_uint_eq(out.rip, 2 * MiB);
	ck_assert_uint_eq(out.rsp, LAYOUT_BOOT_STACK_TOP);
	ck_assert_uint_eq(out.rsi, LAYOUT_BOOT_PARAMS);

	const uint8_t *bp = gpa_to_hva(&f.m, LAYOUT_BOOT_PARAMS, BP_SIZE);
	ck_assert_uint_eq(le_get16(bp + HDR_BOOT_FLAG), 0xAA55);
	ck_assert_uint_eq(le_get32(bp + HDR_HEADER), HDR_HEADER_MAGIC);
	ck_assert_uint_eq(bp[BP_E820_ENTRIES], 4);
	ck_assert_str_eq(gpa_to_hva(&f.m, le_get32(bp + HDR_CMD_LINE_PTR), 14), "console=ttyS0");
	uint32_t rd_gpa = le_get32(bp + HDR_RAMDISK_IMAGE);
	ck_assert_uint_eq(le_get32(bp + HDR_RAMDISK_SIZE), sizeof(rd));
	ck_assert_uint_eq(rd_gpa % 4096, 0);
	ck_assert_uint_ge(rd_gpa, 2 * MiB + 0x1000);
	ck_assert_mem_eq(gpa_to_hva(&f.m, rd_gpa, sizeof(rd)), rd, sizeof(rd));
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&f.m, 2 * MiB, 1), 0xf4);
	/* Page tables, GDT and MP table are in place. */
	ck_assert_uint_eq(le_get64(gpa_to_hva(&f.m, LAYOUT_PML4, 8)) & ~0xfffULL, LAYOUT_PDPT);
	ck_assert_uint_ne(le_get64(gpa_to_hva(&f.m, LAYOUT_BOOT_GDT + BOOT_SEL_CODE, 8)), 0);
	ck_assert_mem_eq(gpa_to_hva(&f.m, LAYOUT_EBDA_START, 4), "_MP_", 4);
	fixture_fini(&f);
}
END_TEST

START_TEST(test_cmdline_too_long)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	fixture_init(&f, 16 * MiB);
	write_good_elf(&f);
	char *big = malloc(LAYOUT_CMDLINE_MAX + 1);
	memset(big, 'x', LAYOUT_CMDLINE_MAX);
	big[LAYOUT_CMDLINE_MAX] = 0;
	ck_assert_int_eq(boot(&f, f.kernel, NULL, big, &out, &e), -1);
	ck_assert_input_err(e, "command line");
	free(big);
	fixture_fini(&f);
}
END_TEST

START_TEST(test_initrd_errors_name_the_file)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	char initrd[160];
	fixture_init(&f, 16 * MiB);
	write_good_elf(&f);
	snprintf(initrd, sizeof(initrd), "%s/missing.img", f.dir);
	ck_assert_int_eq(boot(&f, f.kernel, initrd, NULL, &out, &e), -1);
	ck_assert_input_err(e, "initrd ");
	ck_assert_ptr_nonnull(strstr(e.msg, initrd));
	/* 15 MiB cannot sit between the kernel's end (2 MiB + 4 KiB) and 16 MiB. */
	e = (struct err){ 0 };
	test_write_file(initrd, sizeof(initrd), f.dir, "big.img", "x", 1);
	ck_assert_int_eq(truncate(initrd, 15 * MiB), 0);
	ck_assert_int_eq(boot(&f, f.kernel, initrd, NULL, &out, &e), -1);
	ck_assert_input_err(e, initrd);
	ck_assert_ptr_nonnull(strstr(e.msg, "do not fit"));
	fixture_fini(&f);
}
END_TEST

START_TEST(test_bad_cpu_count)
{
	struct fixture f;
	struct err e = { 0 };
	struct boot_entry out;
	fixture_init(&f, 16 * MiB);
	write_good_elf(&f);
	struct boot_request req = { .kernel_path = f.kernel, .ncpus = 0 };
	ck_assert_int_eq(boot_load_kernel(&f.m, &req, &out, &e), -1);
	ck_assert_input_err(e, "0 CPUs");
	fixture_fini(&f);
}
END_TEST

static Suite *boot_linux_suite(void)
{
	Suite *s = suite_create("boot_linux");
	TCase *tc = tcase_create("linux");
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_directory_and_fifo);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_truncated_elf_file);
	tcase_add_test(tc, test_unknown_format_and_oversize);
	tcase_add_test(tc, test_good_elf_boot);
	tcase_add_test(tc, test_cmdline_too_long);
	tcase_add_test(tc, test_initrd_errors_name_the_file);
	tcase_add_test(tc, test_bad_cpu_count);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_linux_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
