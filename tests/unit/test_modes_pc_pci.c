/* test_modes_pc_pci.c: pc_pci_intx_routes, the PCI INTx wiring direct boot
 * hands to the MP table: one route per wired (slot, pin), and each the line
 * the bus really raises for it. */
#include <check.h>
#include <stdlib.h>

#include "boot/mptable.h"
#include "devices/pci.h"
#include "modes/full/piix3.h"
#include "modes/mode.h"

#define MAX_GSI 24
#define UNWIRED_SLOT 6 /* the rig's router leaves this slot's pins unrouted */

struct rig {
	struct bus pio, mmio;
	struct pci_bus bus;
	struct piix3 isa; /* the router when piix is set */
	bool piix;
	struct pci_dev dev[8];
	int level[MAX_GSI];
};

static unsigned rig_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	struct rig *r = ctx;
	if (r->piix)
		return piix3_intx_gsi(&r->isa, slot, pin);
	if (slot == UNWIRED_SLOT)
		return PCI_INTX_NONE;
	return 16 + ((slot + pin - 1) & 7);
}

static void rig_intx_set(void *ctx, unsigned gsi, int level)
{
	struct rig *r = ctx;
	ck_assert_uint_lt(gsi, MAX_GSI);
	r->level[gsi] = level;
}

static struct rig *rig_new(bool piix, bool intx)
{
	struct rig *r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	r->piix = piix;
	ck_assert_int_eq(bus_init(&r->pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&r->mmio, "mmio"), 0);
	struct pci_host host = { .ctx = r, .intx_gsi = intx ? rig_intx_gsi : NULL,
				 .intx_set = rig_intx_set };
	ck_assert_int_eq(pci_bus_init(&r->bus, &r->pio, &r->mmio, &host), 0);
	return r;
}

/* Device i with INTERRUPT_PIN pin at slot/fn. */
static struct pci_dev *rig_add(struct rig *r, unsigned i, unsigned slot, unsigned fn, uint8_t pin)
{
	struct err e = { 0 };
	pci_dev_init(&r->dev[i], "dev", 0x1234, (uint16_t)i, 0xFF0000, 0, 0, 0, pin, NULL);
	ck_assert_int_eq(pci_bus_add_fn(&r->bus, &r->dev[i], slot, fn, &e), 0);
	return &r->dev[i];
}

static void rig_free(struct rig *r)
{
	pci_bus_destroy(&r->bus);
	bus_destroy(&r->pio);
	bus_destroy(&r->mmio);
	free(r);
}

/* Asserting d's pin raises exactly the route's GSI. */
static void check_raises(struct rig *r, struct pci_dev *d, unsigned gsi)
{
	pci_dev_set_intx(d, 1);
	for (unsigned g = 0; g < MAX_GSI; g++)
		ck_assert_int_eq(r->level[g], g == gsi);
	pci_dev_set_intx(d, 0);
	ck_assert_int_eq(r->level[gsi], 0);
}

/* Functions of one slot share its pins' entries; pins without a function,
 * functions without a pin and unrouted pins have none. */
START_TEST(test_routes)
{
	struct rig *r = rig_new(false, true);
	struct pci_bus *b = &r->bus;
	rig_add(r, 0, 0, 0, 0);                    /* a bridge: no pin */
	struct pci_dev *a = rig_add(r, 1, 1, 0, 1); /* INTA# */
	rig_add(r, 2, 1, 1, 1);                    /* INTA# again */
	struct pci_dev *bpin = rig_add(r, 3, 1, 2, 2);
	struct pci_dev *d = rig_add(r, 4, 3, 0, 4);
	rig_add(r, 5, UNWIRED_SLOT, 0, 1);
	struct mptable_pci_irq out[MPTABLE_MAX_PCI_IRQS];
	ck_assert_uint_eq(pc_pci_intx_routes(b, out), 3);
	const struct mptable_pci_irq want[] = { { 1, 1, 17 }, { 1, 2, 18 }, { 3, 4, 22 } };
	struct pci_dev *dev[] = { a, bpin, d };
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(out[i].slot, want[i].slot);
		ck_assert_uint_eq(out[i].pin, want[i].pin);
		ck_assert_uint_eq(out[i].gsi, want[i].gsi);
		check_raises(r, dev[i], out[i].gsi);
	}
	rig_free(r);
}
END_TEST

/* A bus whose host routes no INTx lists nothing. */
START_TEST(test_no_intx_host)
{
	struct rig *r = rig_new(false, false);
	rig_add(r, 0, 2, 0, 1);
	struct mptable_pci_irq out[MPTABLE_MAX_PCI_IRQS];
	ck_assert_uint_eq(pc_pci_intx_routes(&r->bus, out), 0);
	rig_free(r);
}
END_TEST

/* Full mode: the PIIX3's PIRQs are disabled at reset, so a direct boot's
 * table lists no PCI pin; once a PIRQ is routed the entry follows it. */
START_TEST(test_piix3_pirqs)
{
	struct rig *r = rig_new(true, true);
	piix3_init(&r->isa);
	struct err e = { 0 };
	ck_assert_int_eq(pci_bus_add_fn(&r->bus, &r->isa.pci, PIIX_SLOT, PIIX_FN_ISA, &e), 0);
	struct pci_dev *nic = rig_add(r, 0, 2, 0, 1); /* INTA# of slot 2: PIRQC */
	struct mptable_pci_irq out[MPTABLE_MAX_PCI_IRQS];
	ck_assert_uint_eq(pc_pci_intx_routes(&r->bus, out), 0);
	pci_bus_cfg_write_fn(&r->bus, PIIX_SLOT, PIIX_FN_ISA, PIIX3_PIRQRC + 2, 1, 11);
	ck_assert_uint_eq(pc_pci_intx_routes(&r->bus, out), 1);
	ck_assert_uint_eq(out[0].slot, 2);
	ck_assert_uint_eq(out[0].pin, 1);
	ck_assert_uint_eq(out[0].gsi, 11);
	check_raises(r, nic, 11);
	rig_free(r);
}
END_TEST

static Suite *modes_pc_pci_suite(void)
{
	Suite *s = suite_create("modes_pc_pci");
	TCase *tc = tcase_create("intx_routes");
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_no_intx_host);
	tcase_add_test(tc, test_piix3_pirqs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(modes_pc_pci_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
