/* test_boot_pagetables.c: the identity map (walked as the MMU would), the
 * boot GDT, and the long-mode register state. */
#include "boot_test.h"

#include <linux/kvm.h>

#include "boot/boot.h"
#include "boot/bytes.h"
#include "boot/longmode.h"
#include "boot/pagetables.h"
#include "core/layout.h"
#include "core/memory.h"

#define PTE_ADDR 0x000FFFFFFFFFF000ULL

static uint64_t read_pte(const struct guest_mem *m, uint64_t table, uint64_t index)
{
	const uint8_t *p = gpa_to_hva(m, (table & PTE_ADDR) + index * 8, 8);
	ck_assert_ptr_nonnull(p);
	return le_get64(p);
}

/* 4-level walk from CR3 = LAYOUT_PML4; false when the address is unmapped. */
static bool walk(const struct guest_mem *m, uint64_t va, uint64_t *pa)
{
	uint64_t e = read_pte(m, LAYOUT_PML4, (va >> 39) & 511);
	if (!(e & 1))
		return false;
	ck_assert_uint_eq(e & 0x80, 0);
	e = read_pte(m, e, (va >> 30) & 511);
	if (!(e & 1))
		return false;
	ck_assert_uint_eq(e & 0x80, 0); /* PDPTE points at a PD, not a 1 GiB page */
	e = read_pte(m, e, (va >> 21) & 511);
	if (!(e & 1))
		return false;
	ck_assert_uint_eq(e & 0x82, 0x82); /* writable 2 MiB page */
	*pa = (e & 0x000FFFFFFFE00000ULL) | (va & (2 * MiB - 1));
	return true;
}

static void expect_identity(const struct guest_mem *m, uint64_t va)
{
	uint64_t pa = 0;
	ck_assert_msg(walk(m, va, &pa), "0x%llx unmapped", (unsigned long long)va);
	ck_assert_uint_eq(pa, va);
}

START_TEST(test_identity_map_small_guest)
{
	struct guest_mem m;
	struct err e = { 0 };
	uint64_t pa;
	ck_assert_int_eq(mem_init(&m, 64 * MiB, &e), 0);
	memset(gpa_to_hva(&m, LAYOUT_PDPT, 4096), 0xff, 4096); /* stale tables */
	ck_assert_int_eq(pagetables_write(&m, &e), 0);
	expect_identity(&m, 0);
	expect_identity(&m, 2 * MiB + 0x1234);
	expect_identity(&m, 3 * GiB);
	expect_identity(&m, LAYOUT_IOAPIC_BASE);
	expect_identity(&m, LAYOUT_LAPIC_BASE + 0x300);
	expect_identity(&m, 4 * GiB - 1);
	ck_assert(!walk(&m, 4 * GiB, &pa));
	ck_assert(!walk(&m, 1ULL << 39, &pa)); /* second PML4 slot */
	mem_destroy(&m);
}
END_TEST

START_TEST(test_identity_map_covers_high_ram)
{
	struct guest_mem m;
	struct err e = { 0 };
	uint64_t pa;
	/* 6 GiB: RAM ends at 7 GiB (3 GiB low + 3 GiB from 4 GiB). */
	ck_assert_int_eq(mem_init(&m, 6 * GiB, &e), 0);
	ck_assert_int_eq(pagetables_write(&m, &e), 0);
	expect_identity(&m, MEM_HIGH_BASE);
	expect_identity(&m, 7 * GiB - 1);
	ck_assert(!walk(&m, 7 * GiB, &pa));
	mem_destroy(&m);
}
END_TEST

START_TEST(test_map_size)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_plan(&m, 64 * MiB, &e), 0);
	ck_assert_uint_eq(pagetables_map_size(&m), 4 * GiB);
	ck_assert_int_eq(mem_plan(&m, 5 * GiB + 2 * MiB, &e), 0);
	ck_assert_uint_eq(pagetables_map_size(&m), 7 * GiB); /* top 6 GiB + 2 MiB, rounded up */
	ck_assert_int_eq(mem_plan(&m, MEM_MAX_SIZE, &e), 0);
	ck_assert_uint_eq(pagetables_map_size(&m), LAYOUT_PD_PAGES * GiB); /* capped */
}
END_TEST

START_TEST(test_gdt_descriptors)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(gdt_write(&m, &e), 0);
	const uint8_t *g = gpa_to_hva(&m, LAYOUT_BOOT_GDT, 48);
	ck_assert_uint_eq(le_get64(g + 0x00), 0);
	ck_assert_uint_eq(le_get64(g + 0x08), 0);
	ck_assert_uint_eq(le_get64(g + BOOT_SEL_CODE), 0x00AF9B000000FFFFULL);
	ck_assert_uint_eq(le_get64(g + BOOT_SEL_DATA), 0x00CF93000000FFFFULL);
	ck_assert_uint_eq(le_get64(g + BOOT_SEL_TSS), 0x00008B0000000067ULL);
	ck_assert_uint_eq(le_get64(g + BOOT_SEL_TSS + 8), 0);
	mem_destroy(&m);
}
END_TEST

/* The hidden segment state KVM gets matches the GDT descriptor. */
static void expect_matches_gdt(const struct kvm_segment *s, uint64_t d)
{
	ck_assert_uint_eq(s->type, (d >> 40) & 0xf);
	ck_assert_uint_eq(s->s, (d >> 44) & 1);
	ck_assert_uint_eq(s->dpl, (d >> 45) & 3);
	ck_assert_uint_eq(s->present, (d >> 47) & 1);
	ck_assert_uint_eq(s->l, (d >> 53) & 1);
	ck_assert_uint_eq(s->db, (d >> 54) & 1);
	ck_assert_uint_eq(s->g, (d >> 55) & 1);
	ck_assert_uint_eq(s->base, 0);
}

START_TEST(test_longmode_regs)
{
	struct boot_entry entry = { .rip = 0x1000000, .rsp = LAYOUT_BOOT_STACK_TOP,
				    .rsi = LAYOUT_BOOT_PARAMS };
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	memset(&regs, 0, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	regs.rax = 0x1234;          /* not ours: must survive */
	sregs.apic_base = 0xfee00900;
	sregs.cr8 = 3;
	boot_longmode_regs(&entry, &regs, &sregs);

	ck_assert_uint_eq(regs.rip, 0x1000000);
	ck_assert_uint_eq(regs.rsp, LAYOUT_BOOT_STACK_TOP);
	ck_assert_uint_eq(regs.rbp, LAYOUT_BOOT_STACK_TOP);
	ck_assert_uint_eq(regs.rsi, LAYOUT_BOOT_PARAMS);
	ck_assert_uint_eq(regs.rflags, 0x2); /* IF clear */
	ck_assert_uint_eq(regs.rax, 0x1234);

	ck_assert_uint_eq(sregs.cr0, 0x80010033); /* PG WP NE ET MP PE */
	ck_assert_uint_eq(sregs.cr3, LAYOUT_PML4);
	ck_assert_uint_eq(sregs.cr4, 0x20);       /* PAE */
	ck_assert_uint_eq(sregs.efer, 0x500);     /* LMA LME, no SCE */
	ck_assert_uint_eq(sregs.gdt.base, LAYOUT_BOOT_GDT);
	ck_assert_uint_eq(sregs.gdt.limit, 47);
	ck_assert_uint_eq(sregs.idt.base, 0);
	ck_assert_uint_eq(sregs.idt.limit, 0);
	ck_assert_uint_eq(sregs.apic_base, 0xfee00900);
	ck_assert_uint_eq(sregs.cr8, 3);

	ck_assert_uint_eq(sregs.cs.selector, 0x10);
	ck_assert_uint_eq(sregs.cs.l, 1);
	ck_assert_uint_eq(sregs.cs.limit, 0xffffffff);
	expect_matches_gdt(&sregs.cs, 0x00AF9B000000FFFFULL);
	const struct kvm_segment *data[] = { &sregs.ds, &sregs.es, &sregs.fs, &sregs.gs, &sregs.ss };
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_uint_eq(data[i]->selector, 0x18);
		ck_assert_uint_eq(data[i]->limit, 0xffffffff);
		expect_matches_gdt(data[i], 0x00CF93000000FFFFULL);
	}
	ck_assert_uint_eq(sregs.tr.selector, 0x20);
	ck_assert_uint_eq(sregs.tr.limit, 0x67);
	expect_matches_gdt(&sregs.tr, 0x00008B0000000067ULL);
}
END_TEST

static Suite *boot_pagetables_suite(void)
{
	Suite *s = suite_create("boot_pagetables");
	TCase *tc = tcase_create("pagetables");
	tcase_add_test(tc, test_identity_map_small_guest);
	tcase_add_test(tc, test_identity_map_covers_high_ram);
	tcase_add_test(tc, test_map_size);
	tcase_add_test(tc, test_gdt_descriptors);
	tcase_add_test(tc, test_longmode_regs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_pagetables_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
