/* test_boot_elf.c: the ELF64 loader on hand-built images, good and malformed. */
#include "boot_test.h"

#include "boot/elf.h"
#include "core/layout.h"
#include "core/memory.h"

#define PATH "build/guest.elf"
#define IMG_CAP (TEST_ELF_DATA_OFF + 0x10000)

/* Load buf into a fresh 64 MiB guest; returns elf_load's result. */
static int load(uint8_t *buf, size_t len, struct boot_image *img, struct err *e)
{
	struct guest_mem m;
	struct err me = { 0 };
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &me), 0);
	int rc = elf_load(&m, buf, len, PATH, img, e);
	mem_destroy(&m);
	return rc;
}

/* One PT_LOAD at 2 MiB: 0x100 bytes of 0x5a, 0x2000 in memory. */
static size_t one_segment(uint8_t *buf, uint64_t entry)
{
	struct test_seg s = { PT_LOAD, 2 * MiB, 2 * MiB, 0x100, 0x2000, 0x5a };
	return test_elf_build(buf, IMG_CAP, &s, 1, entry);
}

START_TEST(test_good_elf_loads_and_zeroes_bss)
{
	static uint8_t buf[IMG_CAP];
	struct test_seg s[2] = {
		{ PT_LOAD, 2 * MiB, 2 * MiB, 0x100, 0x2000, 0x5a },
		{ PT_LOAD, 8 * MiB, 8 * MiB, 0x10, 0x10, 0xc3 },
	};
	size_t len = test_elf_build(buf, IMG_CAP, s, 2, 2 * MiB + 0x10);
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img;
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &e), 0);
	uint8_t *ram = gpa_to_hva(&m, 0, 64 * MiB);
	memset(ram + 2 * MiB, 0xee, 0x3000); /* stale data where bss goes */
	ck_assert_int_eq(elf_load(&m, buf, len, PATH, &img, &e), 0);
	ck_assert_uint_eq(img.entry, 2 * MiB + 0x10);
	ck_assert_uint_eq(img.end, 8 * MiB + 0x10);
	ck_assert_uint_eq(img.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(img.cmdline_max, LAYOUT_CMDLINE_MAX - 1);
	ck_assert_uint_eq(ram[2 * MiB], 0x5a);
	ck_assert_uint_eq(ram[2 * MiB + 0xff], 0x5a);
	for (uint64_t i = 0x100; i < 0x2000; i++)
		ck_assert_uint_eq(ram[2 * MiB + i], 0);
	ck_assert_uint_eq(ram[2 * MiB + 0x2000], 0xee); /* past memsz: untouched */
	ck_assert_uint_eq(ram[8 * MiB + 0xf], 0xc3);
	mem_destroy(&m);
}
END_TEST

START_TEST(test_high_virtual_entry_is_translated)
{
	static uint8_t buf[IMG_CAP];
	/* vmlinux-like: linked at 0xffffffff81000000, loaded at 16 MiB. */
	struct test_seg s = { PT_LOAD, 16 * MiB, 0xffffffff81000000ULL, 0x200, 0x1000, 0x90 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, 0xffffffff81000100ULL);
	struct err e = { 0 };
	struct boot_image img;
	ck_assert_int_eq(load(buf, len, &img, &e), 0);
	ck_assert_uint_eq(img.entry, 16 * MiB + 0x100);
}
END_TEST

START_TEST(test_entry_outside_segments)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	size_t len = one_segment(buf, 2 * MiB + 0x2000); /* one past memsz */
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, PATH ": entry point 0x202000 is outside");
	e = (struct err){ 0 };
	len = one_segment(buf, 0xffffffff81000000ULL); /* virtual, no segment has it */
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "entry point");
}
END_TEST

START_TEST(test_truncated_header)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	one_segment(buf, 2 * MiB);
	ck_assert_int_eq(load(buf, 40, &img, &e), -1);
	ck_assert_input_err(e, "kernel " PATH ": truncated ELF header");
}
END_TEST

START_TEST(test_phdr_table_beyond_file)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	size_t len = one_segment(buf, 2 * MiB);
	Elf64_Ehdr eh;
	test_elf_get_ehdr(buf, &eh);
	eh.e_phoff = len - 8; /* table starts inside, ends outside */
	test_elf_put_ehdr(buf, &eh);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "truncated ELF program header table");

	e = (struct err){ 0 };
	eh.e_phoff = 1ULL << 40; /* far past the end */
	test_elf_put_ehdr(buf, &eh);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "truncated ELF program header table");
}
END_TEST

START_TEST(test_phdr_table_size_overflows)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	size_t len = one_segment(buf, 2 * MiB);
	Elf64_Ehdr eh;
	test_elf_get_ehdr(buf, &eh);
	eh.e_phnum = 0xfffe;
	eh.e_phentsize = 0xffff;
	eh.e_phoff = ~0ULL - 0x1000; /* phoff + phnum * phentsize wraps */
	test_elf_put_ehdr(buf, &eh);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "truncated ELF program header table");
}
END_TEST

START_TEST(test_filesz_larger_than_memsz)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	struct test_seg s = { PT_LOAD, 2 * MiB, 2 * MiB, 0x200, 0x100, 1 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, 2 * MiB);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "segment 0 file size 0x200 exceeds its memory size 0x100");
}
END_TEST

START_TEST(test_segment_below_1mib)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	struct test_seg s = { PT_LOAD, 0x7000, 0x7000, 0x100, 0x100, 1 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, 0x7000);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "below 1 MiB");
}
END_TEST

START_TEST(test_segment_past_end_of_ram)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	/* Starts inside the 64 MiB, ends 4 KiB past it. */
	struct test_seg s = { PT_LOAD, 64 * MiB - 0x1000, 0, 0x100, 0x2000, 1 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, 64 * MiB - 0x1000);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "is not inside guest RAM (64 MiB)");
}
END_TEST

START_TEST(test_segment_straddles_pci_hole)
{
	static uint8_t buf[IMG_CAP];
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img;
	/* 3 GiB + 64 MiB: RAM runs to MEM_LOW_TOP, then resumes at 4 GiB. */
	ck_assert_int_eq(mem_init(&m, MEM_LOW_TOP + 64 * MiB, &e), 0);
	struct test_seg s = { PT_LOAD, MEM_LOW_TOP - 0x1000, 0, 0x100, 0x2000, 1 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, MEM_LOW_TOP - 0x1000);
	ck_assert_int_eq(elf_load(&m, buf, len, PATH, &img, &e), -1);
	ck_assert_input_err(e, "is not inside guest RAM");
	/* The same segment wholly above 4 GiB loads. */
	e = (struct err){ 0 };
	s.paddr = MEM_HIGH_BASE;
	len = test_elf_build(buf, IMG_CAP, &s, 1, MEM_HIGH_BASE);
	ck_assert_int_eq(elf_load(&m, buf, len, PATH, &img, &e), 0);
	ck_assert_uint_eq(img.end, MEM_HIGH_BASE + 0x2000);
	mem_destroy(&m);
}
END_TEST

/* Edit one header field of a good image; the load must fail naming it. */
static void expect_ident_error(unsigned field, unsigned value, const char *needle)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	size_t len = one_segment(buf, 2 * MiB);
	Elf64_Ehdr eh;
	test_elf_get_ehdr(buf, &eh);
	if (field == 0)
		eh.e_ident[EI_CLASS] = (unsigned char)value;
	else if (field == 1)
		eh.e_ident[EI_DATA] = (unsigned char)value;
	else if (field == 2)
		eh.e_machine = (Elf64_Half)value;
	else
		eh.e_type = (Elf64_Half)value;
	test_elf_put_ehdr(buf, &eh);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, needle);
	ck_assert_ptr_nonnull(strstr(e.msg, PATH));
}

START_TEST(test_wrong_class_data_machine_type)
{
	expect_ident_error(0, ELFCLASS32, "ELF class 1, need ELFCLASS64");
	expect_ident_error(1, ELFDATA2MSB, "need little-endian");
	expect_ident_error(2, EM_386, "ELF machine 3, need x86-64");
	expect_ident_error(3, ET_REL, "is not an executable");
}
END_TEST

START_TEST(test_no_pt_load)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	struct test_seg s = { PT_NOTE, 2 * MiB, 2 * MiB, 0x10, 0x10, 1 };
	size_t len = test_elf_build(buf, IMG_CAP, &s, 1, 2 * MiB);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "no PT_LOAD segment");

	e = (struct err){ 0 };
	Elf64_Ehdr eh;
	test_elf_get_ehdr(buf, &eh);
	eh.e_phnum = 0;
	test_elf_put_ehdr(buf, &eh);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "no program headers");
}
END_TEST

START_TEST(test_huge_p_offset)
{
	static uint8_t buf[IMG_CAP];
	struct err e = { 0 };
	struct boot_image img;
	size_t len = one_segment(buf, 2 * MiB);
	Elf64_Phdr ph;
	test_elf_get_phdr(buf, 0, &ph);
	ph.p_offset = ~0ULL - 0x10; /* offset + filesz wraps around */
	test_elf_put_phdr(buf, 0, &ph);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "runs past the end of the file");

	e = (struct err){ 0 };
	ph.p_offset = len - 0x80; /* starts inside, ends outside */
	test_elf_put_phdr(buf, 0, &ph);
	ck_assert_int_eq(load(buf, len, &img, &e), -1);
	ck_assert_input_err(e, "runs past the end of the file");
}
END_TEST

START_TEST(test_bad_image_writes_nothing)
{
	static uint8_t buf[IMG_CAP];
	struct test_seg s[2] = {
		{ PT_LOAD, 2 * MiB, 2 * MiB, 0x100, 0x100, 0x5a },
		{ PT_LOAD, 0x1000, 0x1000, 0x10, 0x10, 1 }, /* below 1 MiB */
	};
	size_t len = test_elf_build(buf, IMG_CAP, s, 2, 2 * MiB);
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img;
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &e), 0);
	ck_assert_int_eq(elf_load(&m, buf, len, PATH, &img, &e), -1);
	ck_assert_input_err(e, "segment 1");
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&m, 2 * MiB, 1), 0);
	mem_destroy(&m);
}
END_TEST

static Suite *boot_elf_suite(void)
{
	Suite *s = suite_create("boot_elf");
	TCase *tc = tcase_create("elf");
	tcase_add_test(tc, test_good_elf_loads_and_zeroes_bss);
	tcase_add_test(tc, test_high_virtual_entry_is_translated);
	tcase_add_test(tc, test_entry_outside_segments);
	tcase_add_test(tc, test_truncated_header);
	tcase_add_test(tc, test_phdr_table_beyond_file);
	tcase_add_test(tc, test_phdr_table_size_overflows);
	tcase_add_test(tc, test_filesz_larger_than_memsz);
	tcase_add_test(tc, test_segment_below_1mib);
	tcase_add_test(tc, test_segment_past_end_of_ram);
	tcase_add_test(tc, test_segment_straddles_pci_hole);
	tcase_add_test(tc, test_wrong_class_data_machine_type);
	tcase_add_test(tc, test_no_pt_load);
	tcase_add_test(tc, test_huge_p_offset);
	tcase_add_test(tc, test_bad_image_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_elf_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
