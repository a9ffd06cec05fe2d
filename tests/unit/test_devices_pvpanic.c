/* test_devices_pvpanic.c: the pvpanic PCI device: IDs, BAR0, supported events, panic reports. */
#include <check.h>
#include <stdlib.h>

#include "core/bus.h"
#include "devices/pci.h"
#include "devices/pvpanic.h"

#define BAR_ADDR 0xC0001000u

static void record_panic(void *ctx)
{
	(*(unsigned *)ctx)++;
}

START_TEST(test_events)
{
	struct pvpanic p;
	unsigned panics = 0;
	ck_assert_int_eq(pvpanic_init(&p, record_panic, &panics), 0);
	/* Byte 0 reads the supported events: panicked and crash loaded. */
	ck_assert_uint_eq(pvpanic_bar_ops.read(&p, 0, 1), PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	ck_assert_uint_eq(pvpanic_bar_ops.read(&p, 1, 1), 0);
	pvpanic_bar_ops.write(&p, 0, 1, PVPANIC_CRASH_LOADED);
	ck_assert_uint_eq(panics, 0); /* the guest's crash kernel handles it */
	ck_assert_uint_eq(atomic_load(&p.crash_loaded), 1);
	pvpanic_bar_ops.write(&p, 0, 1, 0x4 | 0x80); /* bits it does not know */
	ck_assert_uint_eq(panics, 0);
	ck_assert_uint_eq(atomic_load(&p.ignored), 1);
	pvpanic_bar_ops.write(&p, 3, 1, PVPANIC_PANICKED); /* not byte 0 */
	ck_assert_uint_eq(panics, 0);
	ck_assert_uint_eq(atomic_load(&p.ignored), 2);
	pvpanic_bar_ops.write(&p, 0, 4, PVPANIC_PANICKED);
	ck_assert_uint_eq(panics, 1);
	ck_assert_uint_eq(atomic_load(&p.panics), 1);
	/* Without a callback a report is only counted. */
	ck_assert_int_eq(pvpanic_init(&p, NULL, NULL), 0);
	pvpanic_bar_ops.write(&p, 0, 1, PVPANIC_PANICKED);
	ck_assert_uint_eq(atomic_load(&p.panics), 1);
}
END_TEST

START_TEST(test_on_the_bus)
{
	struct bus pio, mmio;
	struct pci_bus pb;
	struct pvpanic p;
	struct err e = { 0 };
	unsigned panics = 0;
	struct pci_host host = { 0 };
	ck_assert_int_eq(bus_init(&pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&mmio, "mmio"), 0);
	ck_assert_int_eq(pci_bus_init(&pb, &pio, &mmio, &host), 0);
	ck_assert_int_eq(pvpanic_init(&p, record_panic, &panics), 0);
	ck_assert_int_eq(pci_bus_add(&pb, &p.pci, -1, &e), 0);
	unsigned slot = p.pci.slot;
	/* What Linux's pvpanic-pci driver matches on (PCI_VDEVICE(REDHAT, 0x0011)). */
	ck_assert_uint_eq(pci_bus_cfg_read(&pb, slot, PCI_VENDOR_ID, 2), 0x1B36);
	ck_assert_uint_eq(pci_bus_cfg_read(&pb, slot, PCI_DEVICE_ID, 2), 0x0011);
	ck_assert_uint_eq(pci_bus_cfg_read(&pb, slot, PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(pci_bus_cfg_read(&pb, slot, PCI_INTERRUPT_PIN, 1), 0);
	/* BAR0: 16 bytes of 32-bit memory. */
	pci_bus_cfg_write(&pb, slot, PCI_BAR0, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(pci_bus_cfg_read(&pb, slot, PCI_BAR0, 4), 0xFFFFFFF0);
	pci_bus_cfg_write(&pb, slot, PCI_BAR0, 4, BAR_ADDR);
	pci_bus_cfg_write(&pb, slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	uint64_t v = 0;
	ck_assert(bus_read(&mmio, BAR_ADDR, 1, &v));
	ck_assert_uint_eq(v, PVPANIC_SUPPORTED);
	ck_assert(bus_write(&mmio, BAR_ADDR, 1, PVPANIC_PANICKED));
	ck_assert_uint_eq(panics, 1);
	pci_bus_destroy(&pb);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("devices_pvpanic");
	TCase *tc = tcase_create("pvpanic");
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_on_the_bus);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
