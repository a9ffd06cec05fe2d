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

#define MAX_IRQS 160

/* One I/O (type 3) or local (type 4) interrupt entry, fields as Table 4-10. */
struct mp_irq_entry {
	uint8_t irq_type;
	uint16_t flags;
	uint8_t src_bus, src_irq, dst_id, dst_pin;
};

struct mp_tables {
	unsigned cpus, bsp, ioapics, nio, nlocal;
	unsigned nbuses;
	uint8_t bus_id[4];
	char bus_type[4][7];
	uint8_t ioapic_id, ioapic_ver, ioapic_flags;
	uint32_t ioapic_addr;
	uint16_t len;
	struct mp_irq_entry io[MAX_IRQS], local[2];
};

static struct mp_irq_entry irq_entry(const uint8_t *p)
{
	return (struct mp_irq_entry){ p[1], le_get16(p + 2), p[4], p[5], p[6], p[7] };
}

/* One entry at p into t; returns its length. Entries must come sorted by type
 * (§4.3). */
static unsigned read_entry(const uint8_t *p, uint8_t *last_type, struct mp_tables *t)
{
	ck_assert_uint_ge(p[0], *last_type);
	*last_type = p[0];
	switch (p[0]) {
	case 0:
		ck_assert_uint_eq(p[1], t->cpus); /* APIC id = index */
		ck_assert(p[3] & 1);
		t->bsp += (p[3] & 2) ? 1 : 0;
		if (p[3] & 2)
			ck_assert_uint_eq(p[1], 0);
		t->cpus++;
		return 20;
	case 1:
		ck_assert_uint_lt(t->nbuses, 4);
		t->bus_id[t->nbuses] = p[1];
		memcpy(t->bus_type[t->nbuses], p + 2, 6);
		t->bus_type[t->nbuses++][6] = 0;
		return 8;
	case 2:
		t->ioapic_id = p[1], t->ioapic_ver = p[2], t->ioapic_flags = p[3];
		t->ioapic_addr = le_get32(p + 4);
		t->ioapics++;
		return 8;
	case 3:
		ck_assert_uint_lt(t->nio, MAX_IRQS);
		t->io[t->nio++] = irq_entry(p);
		return 8;
	case 4:
		ck_assert_uint_lt(t->nlocal, 2);
		t->local[t->nlocal++] = irq_entry(p);
		return 8;
	default:
		ck_abort_msg("unknown MP entry type %u", p[0]);
		return 0;
	}
}

/* Find, check and walk the tables as a guest would; fails the test on any
 * inconsistency (checksums, length, count, bounds). */
static struct mp_tables read_tables(const struct guest_mem *m)
{
	struct mp_tables t = { 0 };
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
	uint8_t last_type = 0;
	for (unsigned i = 0; i < count; i++) {
		ck_assert(p + 8 <= end);
		p += read_entry(p, &last_type, &t);
	}
	ck_assert_ptr_eq(p, end);
	t.len = len;
	return t;
}

/* PCI bus 0 is MP bus 0 (Linux compares the source bus with the PCI bus
 * number), then ISA as bus 1; the local inputs are ExtINT on the BSP's LINT0
 * and NMI on every LINT1. */
static void check_platform(const struct mp_tables *t, unsigned ncpus)
{
	ck_assert_uint_eq(t->cpus, ncpus);
	ck_assert_uint_eq(t->bsp, 1);
	ck_assert_uint_eq(t->nbuses, 2);
	ck_assert_uint_eq(t->bus_id[0], 0);
	ck_assert_str_eq(t->bus_type[0], "PCI   ");
	ck_assert_uint_eq(t->bus_id[1], 1);
	ck_assert_str_eq(t->bus_type[1], "ISA   ");
	ck_assert_uint_eq(t->ioapics, 1);
	ck_assert_uint_eq(t->ioapic_id, ncpus);
	ck_assert_uint_eq(t->ioapic_ver, 0x11);
	ck_assert_uint_eq(t->ioapic_flags, 1);
	ck_assert_uint_eq(t->ioapic_addr, LAYOUT_IOAPIC_BASE);
	ck_assert_uint_eq(t->nlocal, 2);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_uint_eq(t->local[i].irq_type, i ? 1 : 3); /* NMI, ExtINT */
		ck_assert_uint_eq(t->local[i].src_bus, 1);
		ck_assert_uint_eq(t->local[i].dst_id, i ? 0xFF : 0);
		ck_assert_uint_eq(t->local[i].dst_pin, i); /* LINT0, LINT1 */
	}
}

/* The I/O entry from src_bus/src_irq, or NULL. */
static const struct mp_irq_entry *find_io(const struct mp_tables *t, uint8_t bus, uint8_t irq)
{
	const struct mp_irq_entry *found = NULL;
	for (unsigned i = 0; i < t->nio; i++)
		if (t->io[i].src_bus == bus && t->io[i].src_irq == irq) {
			ck_assert_msg(!found, "bus %u IRQ %u listed twice", bus, irq);
			found = &t->io[i];
		}
	return found;
}

/* ISA IRQ n on IOAPIC pin n, flags 0 (ISA: edge, active high), except the
 * pins in pci_pins (bit n), which PCI lines take. */
static void check_isa(const struct mp_tables *t, uint32_t pci_pins)
{
	for (uint8_t irq = 0; irq < 16; irq++) {
		const struct mp_irq_entry *q = find_io(t, 1, irq);
		if (pci_pins & (1u << irq)) {
			ck_assert_msg(!q, "ISA IRQ %u listed on a PCI line", irq);
			continue;
		}
		ck_assert_msg(q, "ISA IRQ %u missing", irq);
		ck_assert_uint_eq(q->irq_type, 0);
		ck_assert_uint_eq(q->flags, 0);
		ck_assert_uint_eq(q->dst_id, t->ioapic_id);
		ck_assert_uint_eq(q->dst_pin, irq);
	}
}

/* Every route as an INT entry from PCI bus 0, source IRQ device << 2 |
 * (pin - 1) (§D.3), level-triggered and active low (PO = EL = 11b: 0x0F), on
 * the route's IOAPIC input; and no other PCI entries. */
static void check_pci(const struct mp_tables *t, const struct mptable_pci *pci)
{
	unsigned pci_entries = 0;
	for (unsigned i = 0; i < t->nio; i++)
		pci_entries += t->io[i].src_bus == 0;
	ck_assert_uint_eq(pci_entries, pci->count);
	for (unsigned i = 0; i < pci->count; i++) {
		const struct mptable_pci_irq *r = &pci->irqs[i];
		uint8_t src = (uint8_t)(r->slot << 2 | (r->pin - 1));
		const struct mp_irq_entry *q = find_io(t, 0, src);
		ck_assert_msg(q, "slot %u pin %u missing", r->slot, r->pin);
		ck_assert_uint_eq(q->irq_type, 0);
		ck_assert_uint_eq(q->flags, 0x0F);
		ck_assert_uint_eq(q->dst_id, t->ioapic_id);
		ck_assert_uint_eq(q->dst_pin, r->gsi);
	}
}

static void check_ncpus(unsigned n)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(mptable_write(&m, n, NULL, &e), 0);
	struct mp_tables t = read_tables(&m);
	check_platform(&t, n);
	check_isa(&t, 0);
	ck_assert_uint_eq(t.nio, 16);
	ck_assert_uint_eq(t.len, mptable_config_size(n, NULL));
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

/* pci written for ncpus reads back as the platform, pci's entries and the ISA
 * IRQs on the other pins. */
static void check_with_pci(unsigned ncpus, const struct mptable_pci *pci)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(mptable_write(&m, ncpus, pci, &e), 0);
	struct mp_tables t = read_tables(&m);
	check_platform(&t, ncpus);
	check_pci(&t, pci);
	uint32_t pins = 0;
	for (unsigned i = 0; i < pci->count; i++)
		pins |= 1u << pci->irqs[i].gsi;
	check_isa(&t, pins);
	ck_assert_uint_eq(t.len, mptable_config_size(ncpus, pci));
	mem_destroy(&m);
}

/* The para machine's wiring: virtio at slots 1-3 on INTA#, swizzled onto GSI
 * 10/11, and a multi-pin device at slot 5 on all four pins. */
START_TEST(test_pci_intx)
{
	const struct mptable_pci_irq r[] = {
		{ 1, 1, 10 }, { 2, 1, 11 }, { 3, 1, 11 },
		{ 5, 1, 10 }, { 5, 2, 11 }, { 5, 3, 11 }, { 5, 4, 10 },
	};
	check_with_pci(2, &(struct mptable_pci){ r, 7 });
}
END_TEST

/* No PCI pins wired (full mode's PIIX3 before anyone enables a PIRQ): the PCI
 * bus is there, every ISA IRQ too. */
START_TEST(test_pci_none)
{
	check_with_pci(1, &(struct mptable_pci){ NULL, 0 });
}
END_TEST

/* Lines above the ISA range take no ISA entry away. */
START_TEST(test_pci_high_gsi)
{
	const struct mptable_pci_irq r[] = { { 3, 1, 16 }, { 4, 2, 23 } };
	check_with_pci(1, &(struct mptable_pci){ r, 2 });
}
END_TEST

/* The largest table: every CPU, every pin of every slot; it still ends below
 * the floating pointer (read_tables checks the bounds and checksum). */
START_TEST(test_pci_max)
{
	static struct mptable_pci_irq r[MPTABLE_MAX_PCI_IRQS];
	for (unsigned i = 0; i < MPTABLE_MAX_PCI_IRQS; i++)
		r[i] = (struct mptable_pci_irq){ i / 4, i % 4 + 1, 16 + i % 8 };
	struct mptable_pci pci = { r, MPTABLE_MAX_PCI_IRQS };
	check_with_pci(MPTABLE_MAX_CPUS, &pci);
	for (unsigned i = 0; i < MPTABLE_MAX_PCI_IRQS; i++)
		r[i].gsi = i % MPTABLE_IOAPIC_PINS;
	check_with_pci(MPTABLE_MAX_CPUS, &pci);
	ck_assert_uint_le(LAYOUT_MPTABLE_START + mptable_config_size(MPTABLE_MAX_CPUS, &pci),
			  LAYOUT_EBDA_START);
}
END_TEST

static void expect_pci_refused(struct mptable_pci_irq bad, const char *needle)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	const struct mptable_pci_irq r[] = { { 1, 1, 10 }, bad };
	ck_assert_int_eq(mptable_write(&m, 1, &(struct mptable_pci){ r, 2 }, &e), -1);
	ck_assert_input_err(e, needle);
	mem_destroy(&m);
}

START_TEST(test_pci_refused)
{
	expect_pci_refused((struct mptable_pci_irq){ 32, 1, 10 }, "slot 32 pin 1");
	expect_pci_refused((struct mptable_pci_irq){ 2, 0, 10 }, "pin 0");
	expect_pci_refused((struct mptable_pci_irq){ 2, 5, 10 }, "pin 5");
	expect_pci_refused((struct mptable_pci_irq){ 2, 1, 24 }, "GSI 24");
	expect_pci_refused((struct mptable_pci_irq){ 2, 1, 266 }, "GSI 266"); /* not 10 */
	expect_pci_refused((struct mptable_pci_irq){ 1, 1, 11 }, "slot 1 pin 1 listed twice");

	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	static struct mptable_pci_irq r[MPTABLE_MAX_PCI_IRQS + 1];
	ck_assert_int_eq(mptable_write(&m, 1, &(struct mptable_pci){ r, MPTABLE_MAX_PCI_IRQS + 1 },
				       &e), -1);
	ck_assert_input_err(e, "129 PCI interrupt pins");
	mem_destroy(&m);
}
END_TEST

START_TEST(test_cpu_count_limits)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	ck_assert_int_eq(mptable_write(&m, MPTABLE_MAX_CPUS + 1, NULL, &e), -1);
	ck_assert_input_err(e, "255 CPUs");
	e = (struct err){ 0 };
	ck_assert_int_eq(mptable_write(&m, 0, NULL, &e), -1);
	ck_assert_input_err(e, "0 CPUs");
	mem_destroy(&m);
}
END_TEST

START_TEST(test_smaller_table_replaces_larger)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&m, 16 * MiB, &e), 0);
	static struct mptable_pci_irq r[MPTABLE_MAX_PCI_IRQS];
	for (unsigned i = 0; i < MPTABLE_MAX_PCI_IRQS; i++)
		r[i] = (struct mptable_pci_irq){ i / 4, i % 4 + 1, 20 };
	struct mptable_pci pci = { r, MPTABLE_MAX_PCI_IRQS };
	ck_assert_int_eq(mptable_write(&m, 200, &pci, &e), 0);
	ck_assert_int_eq(mptable_write(&m, 2, NULL, &e), 0);
	ck_assert_uint_eq(read_tables(&m).cpus, 2);
	/* Nothing of the old table is left after the new one. */
	const uint8_t *p = gpa_to_hva(&m, LAYOUT_MPTABLE_START, LAYOUT_EBDA_START - LAYOUT_MPTABLE_START);
	size_t n = mptable_config_size(2, NULL);
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
	tcase_add_test(tc, test_pci_intx);
	tcase_add_test(tc, test_pci_none);
	tcase_add_test(tc, test_pci_high_gsi);
	tcase_add_test(tc, test_pci_max);
	tcase_add_test(tc, test_pci_refused);
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
