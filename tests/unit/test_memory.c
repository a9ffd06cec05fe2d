/* test_memory.c: the RAM layout and the checked gpa->hva helper. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/layout.h"
#include "core/memory.h"

START_TEST(test_plan_small_is_one_region)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_plan(&m, 64 * MiB, &e), 0);
	ck_assert_uint_eq(m.nregions, 1);
	ck_assert_uint_eq(m.regions[0].gpa, 0);
	ck_assert_uint_eq(m.regions[0].size, 64 * MiB);
	ck_assert_uint_eq(mem_top(&m), 64 * MiB);
}
END_TEST

START_TEST(test_plan_large_splits_around_hole)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_plan(&m, 4 * GiB, &e), 0);
	ck_assert_uint_eq(m.nregions, 2);
	ck_assert_uint_eq(m.regions[0].size, MEM_LOW_TOP);
	ck_assert_uint_eq(m.regions[1].gpa, MEM_HIGH_BASE);
	ck_assert_uint_eq(m.regions[1].size, 4 * GiB - MEM_LOW_TOP);
	ck_assert_uint_eq(mem_top(&m), MEM_HIGH_BASE + GiB);
	ck_assert(mem_is_ram(&m, MEM_HIGH_BASE, 4096));
	ck_assert(!mem_is_ram(&m, MEM_LOW_TOP, 1));
	ck_assert(!mem_is_ram(&m, MEM_LOW_TOP - 1, 2)); /* ends in the hole */
}
END_TEST

START_TEST(test_plan_rejects_bad_sizes)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_plan(&m, 1 * MiB, &e), -1);
	ck_assert_int_eq(e.kind, ERR_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "memory size"));
	e = (struct err){ 0 };
	ck_assert_int_eq(mem_plan(&m, 64 * MiB + 4096, &e), -1);
	e = (struct err){ 0 };
	ck_assert_int_eq(mem_plan(&m, MEM_MAX_SIZE + 2 * MiB, &e), -1);
}
END_TEST

START_TEST(test_checked_helper_refuses_partial_ranges)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 32 * MiB, &e), 0);
	uint8_t *base = gpa_to_hva(&m, 0, 1);
	ck_assert_ptr_nonnull(base);
	ck_assert_ptr_eq(gpa_to_hva(&m, 0x1000, 16), base + 0x1000);
	ck_assert_ptr_eq(gpa_to_hva(&m, 32 * MiB - 4, 4), base + 32 * MiB - 4);
	ck_assert_ptr_null(gpa_to_hva(&m, 32 * MiB - 4, 5));
	ck_assert_ptr_null(gpa_to_hva(&m, 32 * MiB, 1));
	ck_assert_ptr_null(gpa_to_hva(&m, 0x1000, 0));
	ck_assert_ptr_null(gpa_to_hva(&m, ~0ULL - 3, 8)); /* wraps */
	ck_assert_ptr_null(gpa_to_hva(&m, 16, ~0ULL));
	uint32_t v = 0xabcd1234, r = 0;
	ck_assert_int_eq(mem_write(&m, 0x2000, &v, 4), 0);
	ck_assert_int_eq(mem_read(&m, 0x2000, &r, 4), 0);
	ck_assert_uint_eq(r, v);
	ck_assert_int_eq(mem_write(&m, 32 * MiB - 2, &v, 4), -1);
	/* RAM starts zeroed. */
	ck_assert_uint_eq(base[0x100000], 0);
	mem_destroy(&m);
}
END_TEST

START_TEST(test_high_region_is_backed)
{
	struct guest_mem m;
	struct err e = { 0 };
	/* MAP_NORESERVE: 3 GiB + 64 MiB costs nothing until touched. */
	ck_assert_int_eq(mem_init(&m, MEM_LOW_TOP + 64 * MiB, &e), 0);
	uint8_t *hi = gpa_to_hva(&m, MEM_HIGH_BASE, 64 * MiB);
	ck_assert_ptr_nonnull(hi);
	hi[64 * MiB - 1] = 0x5a;
	ck_assert_ptr_null(gpa_to_hva(&m, MEM_HIGH_BASE - 1, 2));
	ck_assert_ptr_null(gpa_to_hva(&m, MEM_LOW_TOP - 1, 2));
	mem_destroy(&m);
}
END_TEST

/* The RAM slots around a chipset's hole (the PAM's BIOS area): the piece
 * above keeps its host offset, the hole's RAM stays reachable, bad holes
 * are refused. */
START_TEST(test_slot_plan_hole)
{
	struct guest_mem m;
	struct err e = { 0 };
	struct mem_region out[MEM_MAX_SLOTS];
	ck_assert_int_eq(mem_init(&m, MEM_LOW_TOP + 64 * MiB, &e), 0);
	ck_assert_uint_eq(mem_slot_plan(&m, 0, 0, out), 2); /* no hole: the regions */
	ck_assert_uint_eq(out[1].gpa, MEM_HIGH_BASE);
	ck_assert_uint_eq(mem_slot_plan(&m, 0xC0000, 0x40000, out), 3);
	ck_assert_uint_eq(out[0].gpa, 0);
	ck_assert_uint_eq(out[0].size, 0xC0000);
	ck_assert_ptr_eq(out[0].hva, m.regions[0].hva);
	ck_assert_uint_eq(out[1].gpa, 0x100000);
	ck_assert_uint_eq(out[1].size, MEM_LOW_TOP - 0x100000);
	ck_assert_ptr_eq(out[1].hva, m.regions[0].hva + 0x100000);
	ck_assert_uint_eq(out[2].gpa, MEM_HIGH_BASE);
	ck_assert_ptr_nonnull(gpa_to_hva(&m, 0xC0000, 0x40000));
	/* A hole at a region's start or end leaves one piece. */
	ck_assert_uint_eq(mem_slot_plan(&m, 0, 0x1000, out), 2);
	ck_assert_uint_eq(out[0].gpa, 0x1000);
	ck_assert_ptr_eq(out[0].hva, m.regions[0].hva + 0x1000);
	ck_assert_uint_eq(mem_slot_plan(&m, MEM_LOW_TOP - 0x1000, 0x1000, out), 2);
	ck_assert_uint_eq(out[0].size, MEM_LOW_TOP - 0x1000);
	/* Unaligned, outside RAM, across a region's end, wrapping: refused. */
	ck_assert_uint_eq(mem_slot_plan(&m, 0xC0800, 0x1000, out), 0);
	ck_assert_uint_eq(mem_slot_plan(&m, 0xC0000, 0x800, out), 0);
	ck_assert_uint_eq(mem_slot_plan(&m, MEM_LOW_TOP, 0x1000, out), 0);
	ck_assert_uint_eq(mem_slot_plan(&m, MEM_LOW_TOP - 0x1000, 0x2000, out), 0);
	ck_assert_uint_eq(mem_slot_plan(&m, UINT64_MAX - 0xFFF, 0x2000, out), 0);
	mem_destroy(&m);
}
END_TEST

static Suite *memory_suite(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_plan_small_is_one_region);
	tcase_add_test(tc, test_plan_large_splits_around_hole);
	tcase_add_test(tc, test_plan_rejects_bad_sizes);
	tcase_add_test(tc, test_checked_helper_refuses_partial_ranges);
	tcase_add_test(tc, test_high_region_is_backed);
	tcase_add_test(tc, test_slot_plan_hole);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(memory_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
