/* test_boot_mptable.c: the MP tables as a guest would find and read them. */
#include "boot_test.h"

#include "boot/bytes.h"
#include "boot/mptable.h"
#include "core/layout.h"
#include "core/memory.h"

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* Scan [base, base+len) on 16-byte boundaries for a floating pointer with a
 * valid checksum, as Linux's smp_scan_config does; returns its gpa or 0. */
static uint64_t find_floating(const struct guest_mem *m, uint64_t base, uint64_t len)
{
	const uint8_t *p = gpa_to_hva(m, base, len);
	for (uint64_t off = 0; off + 16 <= len; off += 16)
		if (!memcmp(p + off, "_MP_", 4) && p[off + 8] == 1 && sum8(p + off, 16) == 0)
			return base + off;
	return 0;
}

struct mp_counts {
	unsigned cpus, bsp, buses, ioapics, intsrc, lintsrc;
	uint8_t ioapic_id, ioapic_ver, ioapic_flags;
	uint32_t ioapic_addr;
};

/* Find, check and walk the tables; fails the test on any inconsistency. */
static struct mp_counts read_tables(const struct guest_mem *m)
{
	struct mp_counts c = { 0 };
	uint64_t fp = find_floating(m, LAYOUT_EBDA_START, 1024); /* the EBDA's first KiB */
	ck_assert_uint_eq(fp, LAYOUT_EBDA_START);
	const uint8_t *f = gpa_to_hva(m, fp, 16);
	ck_assert_uint_eq(f[9], 4); /* spec 1.4 */
	ck_assert_uint_eq(f[11], 0); /* feature 1: a configuration table follows */
	uint64_t cfg = le_get32(f + 4);
	const uint8_t *h = gpa_to_hva(m, cfg, 44);
	ck_assert_ptr_nonnull(h);
	ck_assert_mem_eq(h, "PCMP", 4);
	uint16_t len = le_get16(h + 4), count = le_get16(h + 34);
	ck_assert_uint_le(cfg + len, LAYOUT_EBDA_START);
	ck_assert_uint_eq(sum8(gpa_to_hva(m, cfg, len), len), 0);
	ck_assert_uint_eq(le_get32(h + 36), LAYOUT_LAPIC_BASE);
	const uint8_t *p = h + 44, *end = h + len;
	for (unsigned i = 0; i < count; i++) {
		ck_assert(p < end);
		switch (p[0]) {
		case 0:
			ck_assert_uint_eq(p[1], c.cpus); /* APIC id = index */
			ck_assert(p[3] & 1);
			c.bsp += (p[3] & 2) ? 1 : 0;
			if (p[3] & 2)
				ck_assert_uint_eq(p[1], 0);
			c.cpus++;
			p += 20;
			break;
		case 1:
			ck_assert_mem_eq(p + 2, "ISA   ", 6);
			c.buses++;
			p += 8;
			break;
		case 2:
			c.ioapic_id = p[1], c.ioapic_ver = p[2], c.ioapic_flags = p[3];
			c.ioapic_addr = le_get32(p + 4);
			c.ioapics++;
			p += 8;
			break;
		case 3:
			ck_assert_uint_eq(p[5], c.intsrc);       /* ISA IRQ n */
			ck_assert_uint_eq(p[6], c.ioapic_id);    /* -> this IOAPIC */
			ck_assert_uint_eq(p[7], c.intsrc);       /* pin n */
			c.intsrc++;
			p += 8;
			break;
		case 4:
			ck_assert_uint_eq(p[7], c.lintsrc); /* LINT0 then LINT1 */
			ck_assert_uint_eq(p[1], c.lintsrc ? 1 : 3); /* ExtINT, NMI */
			c.lintsrc++;
			p += 8;
			break;
		default:
			ck_abort_msg("unknown MP entry type %u", p[0]);
		}
	}
	ck_assert_ptr_eq(p, end);
	return c;
}

static void check_ncpus(unsigned n)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(mptable_write(&m, n, &e), 0);
	struct mp_counts c = read_tables(&m);
	ck_assert_uint_eq(c.cpus, n);
	ck_assert_uint_eq(c.bsp, 1);
	ck_assert_uint_eq(c.buses, 1);
	ck_assert_uint_eq(c.ioapics, 1);
	ck_assert_uint_eq(c.ioapic_id, n);
	ck_assert_uint_eq(c.ioapic_ver, 0x11);
	ck_assert_uint_eq(c.ioapic_flags, 1);
	ck_assert_uint_eq(c.ioapic_addr, LAYOUT_IOAPIC_BASE);
	ck_assert_uint_eq(c.intsrc, 16);
	ck_assert_uint_eq(c.lintsrc, 2);
	mem_destroy(&m);
}

START_TEST(test_one_cpu)
{
	check_ncpus(1);
}
END_TEST

START_TEST(test_four_cpus)
{
	check_ncpus(4);
}
END_TEST

START_TEST(test_max_cpus)
{
	check_ncpus(64);
	check_ncpus(MPTABLE_MAX_CPUS);
}
END_TEST

START_TEST(test_cpu_count_limits)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(mptable_write(&m, MPTABLE_MAX_CPUS + 1, &e), -1);
	ck_assert_input_err(e, "255 CPUs");
	e = (struct err){ 0 };
	ck_assert_int_eq(mptable_write(&m, 0, &e), -1);
	ck_assert_input_err(e, "0 CPUs");
	mem_destroy(&m);
}
END_TEST

START_TEST(test_smaller_table_replaces_larger)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(mptable_write(&m, 200, &e), 0);
	ck_assert_int_eq(mptable_write(&m, 2, &e), 0);
	ck_assert_uint_eq(read_tables(&m).cpus, 2);
	/* Nothing of the old table is left after the new one. */
	const uint8_t *p = gpa_to_hva(&m, LAYOUT_MPTABLE_START, LAYOUT_EBDA_START - LAYOUT_MPTABLE_START);
	size_t n = mptable_config_size(2);
	for (size_t i = n; i < LAYOUT_EBDA_START - LAYOUT_MPTABLE_START; i++)
		ck_assert_uint_eq(p[i], 0);
	mem_destroy(&m);
}
END_TEST

static Suite *boot_mptable_suite(void)
{
	Suite *s = suite_create("boot_mptable");
	TCase *tc = tcase_create("mptable");
	tcase_add_test(tc, test_one_cpu);
	tcase_add_test(tc, test_four_cpus);
	tcase_add_test(tc, test_max_cpus);
	tcase_add_test(tc, test_cpu_count_limits);
	tcase_add_test(tc, test_smaller_table_replaces_larger);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_mptable_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
