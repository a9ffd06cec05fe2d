/* test_devices_pci.c: PCI config-space masks, BAR sizing and mapping, capabilities, INTx
 * (type-1 access: test_devices_pci_type1.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"

#include "pci_rig.h"

START_TEST(test_ids_and_class_read_only)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 3);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_VENDOR_ID, 4), 0x10401af4);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_REVISION_ID, 4), 0x01800001);
	cfg_wr(r, 3, PCI_VENDOR_ID, 4, 0xFFFFFFFF);
	cfg_wr(r, 3, PCI_REVISION_ID, 4, 0);
	cfg_wr(r, 3, PCI_HEADER_TYPE, 1, 0x80);
	cfg_wr(r, 3, PCI_SUBSYS_VENDOR, 4, 0);
	cfg_wr(r, 3, PCI_INTERRUPT_PIN, 1, 3);
	cfg_wr(r, 3, PCI_ROM_ADDRESS, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_VENDOR_ID, 4), 0x10401af4);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_REVISION_ID, 4), 0x01800001);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_SUBSYS_VENDOR, 4), 0x00021af4);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(cfg_rd(r, 3, PCI_ROM_ADDRESS, 4), 0);
	ck_assert_uint_eq(cfg_rd(r, 3, 0x80, 4), 0); /* device-specific space: read-only 0 */
	rig_free(r);
}
END_TEST

START_TEST(test_command_writable_bits)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 0);
	cfg_wr(r, 0, PCI_COMMAND, 2, 0xFFFF);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	cfg_wr(r, 0, PCI_COMMAND, 1, 0);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_COMMAND, 2), PCI_COMMAND_INTX_DISABLE);
	cfg_wr(r, 0, PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_COMMAND, 2), 0);
	rig_free(r);
}
END_TEST

START_TEST(test_status_write_one_to_clear)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 0);
	/* The device reports a received master abort and a capability list. */
	pci_cfg_set(&r->dev[0].pci, PCI_STATUS, 2, 0x2000 | 0x0100 | PCI_STATUS_CAP_LIST);
	cfg_wr(r, 0, PCI_STATUS, 2, 0);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_STATUS, 2), 0x2000 | 0x0100 | PCI_STATUS_CAP_LIST);
	cfg_wr(r, 0, PCI_STATUS, 2, 0x2000);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_STATUS, 2), 0x0100 | PCI_STATUS_CAP_LIST);
	/* All ones clears every error bit but not the read-only ones. */
	cfg_wr(r, 0, PCI_STATUS, 2, 0xFFFF);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	/* A dword write of COMMAND with STATUS zero leaves STATUS alone. */
	pci_cfg_set(&r->dev[0].pci, PCI_STATUS, 2, 0x8000);
	cfg_wr(r, 0, PCI_COMMAND, 4, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_COMMAND, 4), 0x8000u << 16 | PCI_COMMAND_MASTER);
	rig_free(r);
}
END_TEST

START_TEST(test_interrupt_line_and_prefill)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 1);
	rig_add(r, 1, 2);
	/* pci_bus_add writes what the host routes the pin to. */
	ck_assert_uint_eq(cfg_rd(r, 1, PCI_INTERRUPT_LINE, 1), INTX_GSI_BASE + 1);
	ck_assert_uint_eq(cfg_rd(r, 2, PCI_INTERRUPT_LINE, 1), INTX_GSI_BASE);
	cfg_wr(r, 1, PCI_INTERRUPT_LINE, 1, 0x42);
	ck_assert_uint_eq(cfg_rd(r, 1, PCI_INTERRUPT_LINE, 1), 0x42);
	cfg_wr(r, 1, PCI_INTERRUPT_LINE, 4, 0xFFFFFFFF); /* with the read-only pin and grant/latency */
	ck_assert_uint_eq(cfg_rd(r, 1, PCI_INTERRUPT_LINE, 4), 0x000001FF);
	rig_free(r);
}
END_TEST

START_TEST(test_bar_sizing)
{
	struct rig *r = rig_new();
	struct pci_dev *d = &r->dev[0].pci;
	ck_assert_int_eq(pci_dev_set_bar(d, 0, 32, PCI_BAR_IO, &fake_bar_ops, &r->dev[0]), 0);
	ck_assert_int_eq(pci_dev_set_bar(d, 1, 4096, 0, &fake_bar_ops, &r->dev[0]), 0);
	ck_assert_int_eq(pci_dev_set_bar(d, 2, 0x4000, PCI_BAR_MEM64 | PCI_BAR_PREFETCH, &fake_bar_ops, &r->dev[0]), 0);
	ck_assert_int_eq(pci_dev_set_bar(d, 4, 8ULL << 30, PCI_BAR_MEM64, &fake_bar_ops, &r->dev[0]), 0);
	rig_add(r, 0, 0);

	/* Before sizing: the flag bits only. */
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0, 4), 0x1);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 4, 4), 0x0);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 8, 4), 0xC);
	for (unsigned off = PCI_BAR0; off < PCI_BAR_END; off += 4)
		cfg_wr(r, 0, off, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0, 4), 0xFFFFFFE1);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 4, 4), 0xFFFFF000);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 8, 4), 0xFFFFC00C);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 12, 4), 0xFFFFFFFF); /* upper half */
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 16, 4), 0x00000004); /* 8 GiB: no low address bits */
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 20, 4), 0xFFFFFFFE);
	/* Restoring a value reads it back with the flags. */
	cfg_wr(r, 0, PCI_BAR0, 4, 0xC040);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0, 4), 0xC041);
	cfg_wr(r, 0, PCI_BAR0 + 4, 4, 0xC0001234);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 4, 4), 0xC0001000);
	rig_free(r);
}
END_TEST

START_TEST(test_unused_bar_reads_zero)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 0);
	cfg_wr(r, 0, PCI_BAR0 + 12, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0 + 12, 4), 0);
	rig_free(r);
}
END_TEST

START_TEST(test_set_bar_checks)
{
	struct rig *r = rig_new();
	struct pci_dev *d = &r->dev[0].pci;
	const struct bus_ops *ops = &fake_bar_ops;
	ck_assert_int_ne(pci_dev_set_bar(d, 6, 4096, 0, ops, NULL), 0);
	ck_assert_int_ne(pci_dev_set_bar(d, -1, 4096, 0, ops, NULL), 0);
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 3000, 0, ops, NULL), 0);   /* not a power of two */
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 8, 0, ops, NULL), 0);      /* memory below 16 */
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 2, PCI_BAR_IO, ops, NULL), 0);
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 1ULL << 32, 0, ops, NULL), 0); /* too big for 32 bits */
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 16, PCI_BAR_IO | PCI_BAR_MEM64, ops, NULL), 0);
	ck_assert_int_ne(pci_dev_set_bar(d, 5, 4096, PCI_BAR_MEM64, ops, NULL), 0); /* no upper slot */
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 4096, 0, NULL, NULL), 0);
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 4096, 0x100, ops, NULL), 0);
	ck_assert_int_eq(pci_dev_set_bar(d, 0, 4096, PCI_BAR_MEM64, ops, NULL), 0);
	ck_assert_int_ne(pci_dev_set_bar(d, 1, 4096, 0, ops, NULL), 0);   /* the upper half */
	ck_assert_int_ne(pci_dev_set_bar(d, 0, 4096, 0, ops, NULL), 0);   /* twice */
	ck_assert_int_eq(pci_dev_set_bar(d, 2, 256, PCI_BAR_IO, ops, NULL), 0);
	rig_free(r);
}
END_TEST

START_TEST(test_bar_maps_with_decoding)
{
	struct rig *r = rig_new();
	struct fake_dev *f = &r->dev[0];
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 0, 32, PCI_BAR_IO, &fake_bar_ops, f), 0);
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 1, 0x1000, 0, &fake_bar_ops, f), 0);
	rig_add(r, 0, 4);
	cfg_wr(r, 4, PCI_BAR0, 4, 0xC000);
	cfg_wr(r, 4, PCI_BAR0 + 4, 4, 0xC0000000);
	ck_assert(!pio_claimed(r, 0xC000));
	ck_assert(!mmio_claimed(r, 0xC0000000));
	ck_assert_uint_eq(f->maps, 0);

	/* Memory decoding maps the memory BAR only. */
	cfg_wr(r, 4, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert(mmio_claimed(r, 0xC0000010));
	ck_assert_uint_eq(f->last_off, 0x10);
	ck_assert(!pio_claimed(r, 0xC000));
	ck_assert_uint_eq(f->maps, 1);
	ck_assert_int_eq(f->last_bar, 1);
	ck_assert_uint_eq(f->last_map_addr, 0xC0000000);

	cfg_wr(r, 4, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	ck_assert(pio_claimed(r, 0xC01F));
	ck_assert_uint_eq(f->last_off, 0x1F);
	ck_assert(!pio_claimed(r, 0xC020));

	/* A write reaches the BAR with its offset. */
	ck_assert(bus_write(&r->mmio, 0xC0000FFC, 4, 7));
	ck_assert_uint_eq(f->last_off, 0xFFC);
	ck_assert_uint_eq(f->writes, 1);

	/* Decoding off: both gone, and the device is told. */
	cfg_wr(r, 4, PCI_COMMAND, 2, 0);
	ck_assert(!pio_claimed(r, 0xC000));
	ck_assert(!mmio_claimed(r, 0xC0000000));
	ck_assert_uint_eq(f->unmaps, 2);
	rig_free(r);
}
END_TEST

START_TEST(test_bar_moves)
{
	struct rig *r = rig_new();
	struct fake_dev *f = &r->dev[0];
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 0, 0x1000, 0, &fake_bar_ops, f), 0);
	rig_add(r, 0, 0);
	cfg_wr(r, 0, PCI_BAR0, 4, 0xC0000000);
	cfg_wr(r, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert(mmio_claimed(r, 0xC0000000));
	/* Reprogrammed while decoding: it follows. */
	cfg_wr(r, 0, PCI_BAR0, 4, 0xD0000000);
	ck_assert(!mmio_claimed(r, 0xC0000000));
	ck_assert(mmio_claimed(r, 0xD0000FFC));
	ck_assert_uint_eq(f->last_map_addr, 0xD0000000);
	ck_assert_uint_eq(f->maps, 2);
	ck_assert_uint_eq(f->unmaps, 1);
	/* Rewriting the same address changes nothing. */
	cfg_wr(r, 0, PCI_BAR0, 4, 0xD0000000);
	ck_assert_uint_eq(f->maps, 2);
	/* A byte write moves it too (bits 15:8). */
	cfg_wr(r, 0, PCI_BAR0 + 1, 1, 0x20);
	ck_assert(mmio_claimed(r, 0xD0002000));
	ck_assert(!mmio_claimed(r, 0xD0000000));
	rig_free(r);
}
END_TEST

START_TEST(test_bar_64bit_mapping)
{
	struct rig *r = rig_new();
	struct fake_dev *f = &r->dev[0];
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 2, 0x4000, PCI_BAR_MEM64, &fake_bar_ops, f), 0);
	rig_add(r, 0, 0);
	cfg_wr(r, 0, PCI_BAR0 + 8, 4, 0xE0000000);
	cfg_wr(r, 0, PCI_BAR0 + 12, 4, 0x8);
	cfg_wr(r, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert(mmio_claimed(r, 0x8E0003FF0ULL));
	ck_assert_uint_eq(f->last_off, 0x3FF0);
	ck_assert(!mmio_claimed(r, 0xE0000000));
	/* Moving the upper half moves the BAR. */
	cfg_wr(r, 0, PCI_BAR0 + 12, 4, 0);
	ck_assert(mmio_claimed(r, 0xE0000000));
	ck_assert(!mmio_claimed(r, 0x8E0000000ULL));
	ck_assert_int_eq(f->last_bar, 2);
	rig_free(r);
}
END_TEST

START_TEST(test_bad_bar_addresses_refused)
{
	struct rig *r = rig_new();
	struct fake_dev *f = &r->dev[0];
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 0, 0x1000, 0, &fake_bar_ops, f), 0);
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 1, 0x20, PCI_BAR_IO, &fake_bar_ops, f), 0);
	ck_assert_int_eq(pci_dev_set_bar(&f->pci, 2, 0x1000, PCI_BAR_MEM64, &fake_bar_ops, f), 0);
	rig_add(r, 0, 0);
	cfg_wr(r, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	/* Address 0 (never programmed): nothing mapped, at 0 or anywhere. */
	ck_assert(!mmio_claimed(r, 0));
	ck_assert(!pio_claimed(r, 0));
	ck_assert_uint_eq(f->maps, 0);

	unsigned long bad = r->bus.bad_accesses;
	/* The all-ones sizing probe with decoding left on. */
	cfg_wr(r, 0, PCI_BAR0, 4, 0xFFFFFFFF);
	ck_assert(!mmio_claimed(r, 0xFFFFF000));
	cfg_wr(r, 0, PCI_BAR0 + 8, 4, 0xFFFFFFFF);
	cfg_wr(r, 0, PCI_BAR0 + 12, 4, 0xFFFFFFFF);
	ck_assert(!mmio_claimed(r, 0xFFFFFFFFFFFFF000ULL));
	/* The 64-bit BAR with only its low half probed ends at 4 GiB - 1. */
	cfg_wr(r, 0, PCI_BAR0 + 12, 4, 0);
	ck_assert(!mmio_claimed(r, 0xFFFFF000));
	/* I/O past 0xFFFF, and I/O that would end past it. */
	cfg_wr(r, 0, PCI_BAR0 + 4, 4, 0xFFFFFFFF);
	ck_assert(!pio_claimed(r, 0xFFE0));
	cfg_wr(r, 0, PCI_BAR0 + 4, 4, 0x10000);
	ck_assert(!pio_claimed(r, 0x10000));
	ck_assert_uint_eq(f->maps, 0);
	ck_assert_uint_gt(r->bus.bad_accesses, bad);

	/* Then sane addresses do map. */
	cfg_wr(r, 0, PCI_BAR0, 4, 0xC0000000);
	cfg_wr(r, 0, PCI_BAR0 + 4, 4, 0xFFE0);
	ck_assert(mmio_claimed(r, 0xC0000000));
	ck_assert(pio_claimed(r, 0xFFFF));
	rig_free(r);
}
END_TEST

START_TEST(test_bar_overlap_refused_then_placed)
{
	struct rig *r = rig_new();
	struct fake_dev *a = &r->dev[0], *b = &r->dev[1];
	struct fake_dev other = { 0 };
	ck_assert_int_eq(pci_dev_set_bar(&a->pci, 0, 0x1000, 0, &fake_bar_ops, a), 0);
	ck_assert_int_eq(pci_dev_set_bar(&b->pci, 0, 0x1000, 0, &fake_bar_ops, b), 0);
	rig_add(r, 0, 1);
	rig_add(r, 1, 2);
	/* Something else already owns 0xC0000000-0xC0000FFF. */
	ck_assert_int_eq(bus_register(&r->mmio, 0xC0000000, 0x1000, &fake_bar_ops, &other, "other"), 0);
	unsigned long bad = r->bus.bad_accesses;
	cfg_wr(r, 1, PCI_BAR0, 4, 0xC0000000);
	cfg_wr(r, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(a->maps, 0);
	ck_assert_uint_gt(r->bus.bad_accesses, bad);
	ck_assert(mmio_claimed(r, 0xC0000000));
	ck_assert_ptr_eq(r->mmio.ranges[0].opaque, &other);

	/* Two BARs on one address: the first wins; when it leaves, the second
	 * (still programmed and decoding) takes the range. */
	cfg_wr(r, 1, PCI_BAR0, 4, 0xC0010000);
	ck_assert_uint_eq(a->maps, 1);
	cfg_wr(r, 2, PCI_BAR0, 4, 0xC0010000);
	cfg_wr(r, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(b->maps, 0);
	bus_read(&r->mmio, 0xC0010004, 4, &(uint64_t){ 0 });
	ck_assert_uint_eq(a->reads, 1);
	cfg_wr(r, 1, PCI_BAR0, 4, 0xC0020000);
	ck_assert_uint_eq(b->maps, 1);
	bus_read(&r->mmio, 0xC0010004, 4, &(uint64_t){ 0 });
	ck_assert_uint_eq(b->reads, 1);
	ck_assert(mmio_claimed(r, 0xC0020000));
	rig_free(r);
}
END_TEST

START_TEST(test_capability_list)
{
	struct rig *r = rig_new();
	struct pci_dev *d = &r->dev[0].pci;
	uint8_t body1[] = { 0x10, 0xAA, 0xBB };
	uint8_t body2[14] = { 14 };
	ck_assert_uint_eq(pci_cfg_get(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	int c1 = pci_dev_add_cap(d, PCI_CAP_ID_VENDOR, body1, sizeof(body1));
	int c2 = pci_dev_add_cap(d, PCI_CAP_ID_MSIX, body2, sizeof(body2));
	ck_assert_int_eq(c1, PCI_CFG_HEADER_SIZE);
	ck_assert_int_eq(c2 % 4, 0);
	ck_assert_int_ge(c2, c1 + 2 + (int)sizeof(body1));
	rig_add(r, 0, 0);

	/* Walk it as a guest does. */
	ck_assert_uint_ne(cfg_rd(r, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	unsigned p = cfg_rd(r, 0, PCI_CAP_PTR, 1);
	ck_assert_uint_eq(p, (unsigned)c1);
	ck_assert_uint_eq(cfg_rd(r, 0, p, 1), PCI_CAP_ID_VENDOR);
	ck_assert_uint_eq(cfg_rd(r, 0, p + 2, 2), 0xAA10);
	p = cfg_rd(r, 0, p + 1, 1);
	ck_assert_uint_eq(p, (unsigned)c2);
	ck_assert_uint_eq(cfg_rd(r, 0, p, 1), PCI_CAP_ID_MSIX);
	ck_assert_uint_eq(cfg_rd(r, 0, p + 1, 1), 0);
	/* Read-only unless the device says otherwise. */
	cfg_wr(r, 0, (unsigned)c1, 4, 0);
	ck_assert_uint_eq(cfg_rd(r, 0, (unsigned)c1, 4), 0xAA10u << 16 | (unsigned)c2 << 8 | PCI_CAP_ID_VENDOR);
	d->wmask[c1 + 4] = 0xFF;
	cfg_wr(r, 0, (unsigned)c1 + 4, 1, 0x77);
	ck_assert_uint_eq(cfg_rd(r, 0, (unsigned)c1 + 4, 1), 0x77);
	rig_free(r);
}
END_TEST

START_TEST(test_capability_space_runs_out)
{
	struct pci_dev d;
	uint8_t body[64] = { 0 };
	pci_dev_init(&d, "full", 1, 2, 0, 0, 0, 0, 0, NULL);
	/* 192 bytes after the header: three 64-byte capabilities fit exactly. */
	ck_assert_int_eq(pci_dev_add_cap(&d, 9, body, 62), 0x40);
	ck_assert_int_eq(pci_dev_add_cap(&d, 9, body, 62), 0x80);
	ck_assert_int_eq(pci_dev_add_cap(&d, 9, body, 58), 0xC0);
	ck_assert_int_eq(pci_dev_add_cap(&d, 9, body, 2), 0xFC);
	ck_assert_int_eq(pci_dev_add_cap(&d, 9, body, 0), -1);
	ck_assert_uint_eq(d.cfg[0xC1], 0xFC);
	ck_assert_uint_eq(d.cfg[0xFD], 0);
}
END_TEST


START_TEST(test_direct_access_checks)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 0);
	unsigned long bad = r->bus.bad_accesses;
	ck_assert_uint_eq(cfg_rd(r, 0, 0xFF, 2), 0xFFFF);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 3), 0xFFFFFF);
	ck_assert_uint_eq(cfg_rd(r, 0, 0x100, 1), 0xFF);
	cfg_wr(r, 0, 0xFE, 4, 0);
	ck_assert_uint_eq(r->bus.bad_accesses, bad + 4);
	ck_assert_uint_eq(cfg_rd(r, 40, 0, 4), 0xFFFFFFFF);
	rig_free(r);
}
END_TEST

/* cfg_access: a window at HOOK_OFF whose reads the device fills in. */
#define HOOK_OFF 0x40

static void *try_bus_lock(void *bus)
{
	struct pci_bus *b = bus;
	if (pthread_mutex_trylock(&b->lock))
		return NULL;
	pthread_mutex_unlock(&b->lock);
	return b;
}

static void fake_cfg_access(struct pci_dev *pd, unsigned off, unsigned size, bool write)
{
	struct fake_dev *d = (struct fake_dev *)pd;
	pthread_t th;
	void *free_lock = NULL;
	(void)off, (void)size;
	ck_assert_int_eq(pthread_create(&th, NULL, try_bus_lock, pd->bus), 0);
	pthread_join(th, &free_lock);
	d->hooks++;
	d->hook_unlocked = free_lock != NULL;
	d->hook_write = write;
	if (write)
		d->hook_seen = pci_dev_cfg_load(pd, HOOK_OFF, 4);
	else
		pci_dev_cfg_store(pd, HOOK_OFF, 4, 0xCAFE0000u + d->hooks);
}

static const struct pci_dev_ops hook_ops = { .cfg_access = fake_cfg_access };

START_TEST(test_cfg_access_hook)
{
	struct rig *r = rig_new();
	struct fake_dev *f = &r->dev[0];
	f->pci.ops = &hook_ops;
	f->pci.cfg_hook_off = HOOK_OFF;
	f->pci.cfg_hook_len = 4;
	memset(&f->pci.wmask[HOOK_OFF], 0xFF, 8);
	rig_add(r, 0, 0);
	/* A read: the hook runs first, without the bus lock, and is seen. */
	ck_assert_uint_eq(cfg_rd(r, 0, HOOK_OFF + 2, 2), 0xCAFE);
	ck_assert_uint_eq(cfg_rd(r, 0, HOOK_OFF, 4), 0xCAFE0002);
	ck_assert(f->hook_unlocked && !f->hook_write);
	/* A write: the bus applied it before the hook ran. */
	cfg_wr(r, 0, HOOK_OFF + 1, 1, 0x55);
	ck_assert(f->hook_unlocked && f->hook_write);
	ck_assert_uint_eq(f->hook_seen, 0xCAFE5502);
	/* Bytes outside the window: no hook. */
	cfg_wr(r, 0, HOOK_OFF + 4, 4, 1);
	ck_assert_uint_eq(cfg_rd(r, 0, HOOK_OFF + 4, 4), 1);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_VENDOR_ID, 4), 0x10401af4);
	ck_assert_uint_eq(f->hooks, 3);
	/* Through 0xCF8/0xCFC as well. */
	pci_config_address_ops.write(&r->bus, 0, 4, PCI_CONFIG_ENABLE | HOOK_OFF);
	ck_assert_uint_eq(pci_config_data_ops.read(&r->bus, 0, 4), 0xCAFE0004);
	ck_assert(f->hook_unlocked);
	rig_free(r);
}
END_TEST

START_TEST(test_bus_add_slots)
{
	struct rig *r = rig_new();
	struct err e = { 0 };
	rig_add(r, 0, 0);
	ck_assert_int_ne(pci_bus_add(&r->bus, &r->dev[1].pci, 0, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "slot 0"));
	ck_assert_int_ne(pci_bus_add(&r->bus, &r->dev[1].pci, 32, &e), 0);
	rig_add(r, 1, -1);
	ck_assert_uint_eq(r->dev[1].pci.slot, 1);
	ck_assert_int_ne(pci_bus_add(&r->bus, &r->dev[1].pci, 9, &e), 0); /* already on */
	ck_assert_ptr_eq(r->dev[1].pci.bus, &r->bus);
	rig_free(r);
}
END_TEST

START_TEST(test_intx_level_and_disable)
{
	struct rig *r = rig_new();
	struct pci_dev *d = &r->dev[0].pci;
	rig_add(r, 0, 2); /* INTA of slot 2 -> GSI 10 */
	pci_dev_set_intx(d, 1);
	ck_assert_int_eq(r->level[10], 1);
	ck_assert_uint_ne(cfg_rd(r, 2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	/* INTX_DISABLE drops the line but STATUS keeps the request. */
	cfg_wr(r, 2, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	ck_assert_int_eq(r->level[10], 0);
	ck_assert_uint_ne(cfg_rd(r, 2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	cfg_wr(r, 2, PCI_COMMAND, 2, 0);
	ck_assert_int_eq(r->level[10], 1);
	/* STATUS.INTERRUPT is read-only to the guest. */
	cfg_wr(r, 2, PCI_STATUS, 2, 0xFFFF);
	ck_assert_uint_ne(cfg_rd(r, 2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	pci_dev_set_intx(d, 0);
	ck_assert_int_eq(r->level[10], 0);
	ck_assert_uint_eq(cfg_rd(r, 2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	/* Repeating a level does not touch the line again. */
	unsigned calls = r->intx_calls;
	pci_dev_set_intx(d, 0);
	ck_assert_uint_eq(r->intx_calls, calls);
	rig_free(r);
}
END_TEST

START_TEST(test_intx_shared_line)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 1); /* GSI 11 */
	rig_add(r, 1, 3); /* GSI 11 */
	rig_add(r, 2, 2); /* GSI 10 */
	pci_dev_set_intx(&r->dev[0].pci, 1);
	pci_dev_set_intx(&r->dev[1].pci, 1);
	pci_dev_set_intx(&r->dev[0].pci, 0);
	ck_assert_int_eq(r->level[11], 1); /* slot 3 still asserts it */
	ck_assert_int_eq(r->level[10], 0);
	pci_dev_set_intx(&r->dev[2].pci, 1);
	ck_assert_int_eq(r->level[10], 1);
	pci_dev_set_intx(&r->dev[1].pci, 0);
	ck_assert_int_eq(r->level[11], 0);
	ck_assert_int_eq(r->level[10], 1);
	rig_free(r);
}
END_TEST

START_TEST(test_host_bridge)
{
	struct rig *r = rig_new();
	struct pci_dev hb;
	struct err e = { 0 };
	pci_host_bridge_init(&hb, PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ID_REDHAT_HOST);
	ck_assert_int_eq(pci_bus_add(&r->bus, &hb, 0, &e), 0);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_VENDOR_ID, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_INTERRUPT_PIN, 1), 0);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_BAR0, 4), 0);
	rig_free(r);
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *cfg = tcase_create("config");
	tcase_add_test(cfg, test_ids_and_class_read_only);
	tcase_add_test(cfg, test_command_writable_bits);
	tcase_add_test(cfg, test_status_write_one_to_clear);
	tcase_add_test(cfg, test_interrupt_line_and_prefill);
	tcase_add_test(cfg, test_capability_list);
	tcase_add_test(cfg, test_capability_space_runs_out);
	tcase_add_test(cfg, test_direct_access_checks);
	tcase_add_test(cfg, test_cfg_access_hook);
	tcase_add_test(cfg, test_bus_add_slots);
	tcase_add_test(cfg, test_host_bridge);
	suite_add_tcase(s, cfg);
	TCase *bars = tcase_create("bars");
	tcase_add_test(bars, test_bar_sizing);
	tcase_add_test(bars, test_unused_bar_reads_zero);
	tcase_add_test(bars, test_set_bar_checks);
	tcase_add_test(bars, test_bar_maps_with_decoding);
	tcase_add_test(bars, test_bar_moves);
	tcase_add_test(bars, test_bar_64bit_mapping);
	tcase_add_test(bars, test_bad_bar_addresses_refused);
	tcase_add_test(bars, test_bar_overlap_refused_then_placed);
	suite_add_tcase(s, bars);
	TCase *intx = tcase_create("intx");
	tcase_add_test(intx, test_intx_level_and_disable);
	tcase_add_test(intx, test_intx_shared_line);
	suite_add_tcase(s, intx);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pci_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
