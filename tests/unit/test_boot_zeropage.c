/* test_boot_zeropage.c: e820 map, boot_params fields, command line, initrd placement. */
#include "boot_test.h"

#include "boot/bytes.h"
#include "boot/e820.h"
#include "boot/initrd.h"
#include "boot/zeropage.h"
#include "core/layout.h"
#include "core/memory.h"

#define INITRD "img/initrd.cpio"

static void expect_entry(const struct e820_entry *t, uint64_t addr, uint64_t size, uint32_t type)
{
	ck_assert_uint_eq(t->addr, addr);
	ck_assert_uint_eq(t->size, size);
	ck_assert_uint_eq(t->type, type);
}

START_TEST(test_e820_small_guest)
{
	struct guest_mem m;
	struct err e = { 0 };
	struct e820_entry t[E820_BUILD_MAX];
	ck_assert_int_eq(mem_plan(&m, 64 * MiB, &e), 0);
	ck_assert_uint_eq(e820_build(&m, t, E820_BUILD_MAX), 4);
	expect_entry(&t[0], 0, LAYOUT_MPTABLE_START, E820_TYPE_RAM);
	expect_entry(&t[1], LAYOUT_MPTABLE_START, MiB - LAYOUT_MPTABLE_START, E820_TYPE_RESERVED);
	expect_entry(&t[2], MiB, 63 * MiB, E820_TYPE_RAM);
	expect_entry(&t[3], LAYOUT_KVM_IDENTITY_MAP, 4 * 4096, E820_TYPE_RESERVED);
	/* The EBDA (MP floating pointer) is inside the reserved range. */
	ck_assert(LAYOUT_EBDA_START >= t[1].addr && LAYOUT_EBDA_START < t[1].addr + t[1].size);
}
END_TEST

START_TEST(test_e820_4gib_guest_has_high_ram)
{
	struct guest_mem m;
	struct err e = { 0 };
	struct e820_entry t[E820_BUILD_MAX];
	ck_assert_int_eq(mem_plan(&m, 4 * GiB, &e), 0);
	ck_assert_uint_eq(e820_build(&m, t, E820_BUILD_MAX), 5);
	expect_entry(&t[2], MiB, MEM_LOW_TOP - MiB, E820_TYPE_RAM);
	expect_entry(&t[4], MEM_HIGH_BASE, 4 * GiB - MEM_LOW_TOP, E820_TYPE_RAM);
	uint64_t ram = 0;
	for (unsigned i = 0; i < 5; i++) {
		if (t[i].type == E820_TYPE_RAM)
			ram += t[i].size;
		if (i)
			ck_assert_uint_ge(t[i].addr, t[i - 1].addr + t[i - 1].size); /* sorted */
	}
	ck_assert_uint_eq(ram + MiB - LAYOUT_MPTABLE_START, 4 * GiB);
	/* A short output array gets the first entries only. */
	ck_assert_uint_eq(e820_build(&m, t, 2), 2);
}
END_TEST

START_TEST(test_zeropage_e820_and_ramdisk_offsets)
{
	uint8_t bp[BP_SIZE] = { 0 };
	struct e820_entry t[2] = { { 0, 0x1000, 1 }, { 0x100000, 0x200000, 2 } };
	zeropage_set_e820(bp, t, 2);
	ck_assert_uint_eq(bp[0x1E8], 2);
	ck_assert_uint_eq(le_get64(bp + 0x2D0 + 20), 0x100000);
	ck_assert_uint_eq(le_get64(bp + 0x2D0 + 28), 0x200000);
	ck_assert_uint_eq(le_get32(bp + 0x2D0 + 36), 2);
	zeropage_set_ramdisk(bp, 0x123456000ULL, 0x200000001ULL);
	ck_assert_uint_eq(le_get32(bp + 0x218), 0x23456000);
	ck_assert_uint_eq(le_get32(bp + 0x21C), 1);
	ck_assert_uint_eq(le_get32(bp + 0x0C0), 1);
	ck_assert_uint_eq(le_get32(bp + 0x0C4), 2);
}
END_TEST

START_TEST(test_zeropage_elf_header)
{
	uint8_t bp[BP_SIZE] = { 0 };
	zeropage_init_elf(bp);
	ck_assert_uint_eq(le_get16(bp + 0x1FE), 0xAA55);
	ck_assert_mem_eq(bp + 0x202, "HdrS", 4);
	ck_assert_uint_eq(le_get16(bp + 0x206), 0x020F);
	ck_assert_uint_eq(bp[0x210], 0xFF);
	ck_assert_uint_eq(bp[0x211], LOADFLAG_LOADED_HIGH);
	ck_assert_uint_eq(le_get32(bp + 0x230), 0x1000000);
	ck_assert_uint_eq(le_get32(bp + 0x238), LAYOUT_CMDLINE_MAX - 1);
}
END_TEST

START_TEST(test_cmdline_written_and_limited)
{
	struct guest_mem m;
	struct err e = { 0 };
	uint8_t bp[BP_SIZE] = { 0 };
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &e), 0);
	ck_assert_int_eq(zeropage_write_cmdline(&m, bp, "console=ttyS0 quiet", 19, &e), 0);
	ck_assert_uint_eq(le_get32(bp + 0x228), LAYOUT_CMDLINE);
	ck_assert_uint_eq(le_get32(bp + 0x0C8), 0);
	ck_assert_str_eq(gpa_to_hva(&m, LAYOUT_CMDLINE, 20), "console=ttyS0 quiet");
	/* One byte over the kernel's cmdline_size. */
	ck_assert_int_eq(zeropage_write_cmdline(&m, bp, "console=ttyS0 quiet", 18, &e), -1);
	ck_assert_input_err(e, "19 bytes, longer than the limit of 18");
	/* NULL is the empty command line. */
	e = (struct err){ 0 };
	ck_assert_int_eq(zeropage_write_cmdline(&m, bp, NULL, 100, &e), 0);
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&m, LAYOUT_CMDLINE, 1), 0);
	/* Never more than the area holds, whatever the kernel allows. */
	char *big = malloc(LAYOUT_CMDLINE_MAX + 1);
	memset(big, 'a', LAYOUT_CMDLINE_MAX);
	big[LAYOUT_CMDLINE_MAX] = 0;
	ck_assert_int_eq(zeropage_write_cmdline(&m, bp, big, ~0ULL, &e), -1);
	ck_assert_input_err(e, "65536 bytes, longer than the limit of 65535");
	e = (struct err){ 0 };
	big[LAYOUT_CMDLINE_MAX - 1] = 0; /* 65535 bytes + NUL fill the area exactly */
	ck_assert_int_eq(zeropage_write_cmdline(&m, bp, big, ~0ULL, &e), 0);
	ck_assert_uint_eq(*(uint8_t *)gpa_to_hva(&m, LAYOUT_CMDLINE + LAYOUT_CMDLINE_MAX - 1, 1), 0);
	free(big);
	mem_destroy(&m);
}
END_TEST

START_TEST(test_initrd_placed_high_and_aligned)
{
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img = { .end = 8 * MiB + 1, .initrd_addr_max = 0x7fffffff };
	uint64_t gpa;
	ck_assert_int_eq(mem_plan(&m, 64 * MiB, &e), 0);
	ck_assert_int_eq(initrd_place(&m, INITRD, 5000, &img, &gpa, &e), 0);
	ck_assert_uint_eq(gpa % 4096, 0);
	ck_assert_uint_le(gpa + 5000, 64 * MiB);
	ck_assert_uint_eq(gpa, 64 * MiB - 8192); /* as high as alignment allows */
	/* initrd_addr_max is the last usable byte. */
	img.initrd_addr_max = 32 * MiB - 1;
	ck_assert_int_eq(initrd_place(&m, INITRD, 4096, &img, &gpa, &e), 0);
	ck_assert_uint_eq(gpa, 32 * MiB - 4096);
	/* Exactly the room between the kernel's end (page-rounded) and the top. */
	img.initrd_addr_max = 0x7fffffff;
	ck_assert_int_eq(initrd_place(&m, INITRD, 56 * MiB - 4096, &img, &gpa, &e), 0);
	ck_assert_uint_eq(gpa, 8 * MiB + 4096);
}
END_TEST

START_TEST(test_initrd_stays_below_hole_and_addr_max)
{
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img = { .end = 16 * MiB, .initrd_addr_max = 0xffffffff };
	uint64_t gpa;
	ck_assert_int_eq(mem_plan(&m, 8 * GiB, &e), 0);
	ck_assert_int_eq(initrd_place(&m, INITRD, 100 * MiB, &img, &gpa, &e), 0);
	ck_assert_uint_eq(gpa + 100 * MiB, MEM_LOW_TOP);
	img.initrd_addr_max = 0x7fffffff;
	ck_assert_int_eq(initrd_place(&m, INITRD, 100 * MiB, &img, &gpa, &e), 0);
	ck_assert_uint_eq(gpa + 100 * MiB, 0x80000000ULL);
}
END_TEST

START_TEST(test_initrd_does_not_fit)
{
	struct guest_mem m;
	struct err e = { 0 };
	struct boot_image img = { .end = 40 * MiB, .initrd_addr_max = 0x7fffffff };
	uint64_t gpa;
	ck_assert_int_eq(mem_plan(&m, 64 * MiB, &e), 0);
	ck_assert_int_eq(initrd_place(&m, INITRD, 24 * MiB + 1, &img, &gpa, &e), -1);
	ck_assert_input_err(e, "initrd " INITRD ": 25165825 bytes do not fit");
	e = (struct err){ 0 };
	ck_assert_int_eq(initrd_place(&m, INITRD, 1ULL << 40, &img, &gpa, &e), -1);
	ck_assert_input_err(e, INITRD);
	e = (struct err){ 0 };
	img.initrd_addr_max = 32 * MiB - 1; /* below the kernel's end */
	ck_assert_int_eq(initrd_place(&m, INITRD, 4096, &img, &gpa, &e), -1);
	ck_assert_input_err(e, "do not fit");
}
END_TEST

static Suite *boot_zeropage_suite(void)
{
	Suite *s = suite_create("boot_zeropage");
	TCase *tc = tcase_create("zeropage");
	tcase_add_test(tc, test_e820_small_guest);
	tcase_add_test(tc, test_e820_4gib_guest_has_high_ram);
	tcase_add_test(tc, test_zeropage_e820_and_ramdisk_offsets);
	tcase_add_test(tc, test_zeropage_elf_header);
	tcase_add_test(tc, test_cmdline_written_and_limited);
	tcase_add_test(tc, test_initrd_placed_high_and_aligned);
	tcase_add_test(tc, test_initrd_stays_below_hole_and_addr_max);
	tcase_add_test(tc, test_initrd_does_not_fit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_zeropage_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
