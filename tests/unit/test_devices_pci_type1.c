/* test_devices_pci_type1.c: configuration mechanism #1 as a guest uses it,
 * through ports 0xCF8/0xCFC and the reset control register forward. */
#include "pci_rig.h"

/* Type-1 accesses as a guest makes them, through the bus ops. */
static void t1_select(struct rig *r, uint32_t addr)
{
	pci_config_address_ops.write(&r->bus, 0, 4, addr);
}

static uint32_t t1_read(struct rig *r, unsigned lane, unsigned size)
{
	return (uint32_t)pci_config_data_ops.read(&r->bus, lane, size);
}

static void t1_write(struct rig *r, unsigned lane, unsigned size, uint32_t val)
{
	pci_config_data_ops.write(&r->bus, lane, size, val);
}

static uint32_t t1_addr(unsigned bus, unsigned slot, unsigned fn, unsigned reg)
{
	return PCI_CONFIG_ENABLE | bus << 16 | slot << 11 | fn << 8 | reg;
}

START_TEST(test_type1_access)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 5);
	t1_select(r, t1_addr(0, 5, 0, 0));
	ck_assert_uint_eq(t1_read(r, 0, 4), 0x10401af4);
	ck_assert_uint_eq(t1_read(r, 0, 2), 0x1af4);
	ck_assert_uint_eq(t1_read(r, 2, 2), 0x1040);
	ck_assert_uint_eq(t1_read(r, 1, 1), 0x1a);
	ck_assert_uint_eq(t1_read(r, 3, 1), 0x10);
	/* Register 8: revision, then class 01 80 00. */
	t1_select(r, t1_addr(0, 5, 0, 8));
	ck_assert_uint_eq(t1_read(r, 0, 4), 0x01800001);
	ck_assert_uint_eq(t1_read(r, 2, 2), 0x0180);

	/* Word write at 0xCFC+0 of register 4 is COMMAND; at 0xCFC+2 STATUS. */
	t1_select(r, t1_addr(0, 5, 0, 4));
	t1_write(r, 0, 2, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(cfg_rd(r, 5, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	pci_cfg_set(&r->dev[0].pci, PCI_STATUS, 2, 0x4000);
	t1_write(r, 2, 2, 0x4000);
	ck_assert_uint_eq(cfg_rd(r, 5, PCI_STATUS, 2), 0);
	/* Byte write at 0xCFC+3 of register 0x3C is max latency (read-only),
	 * at 0xCFC+0 the interrupt line. */
	t1_select(r, t1_addr(0, 5, 0, PCI_INTERRUPT_LINE));
	t1_write(r, 0, 1, 0x0B);
	t1_write(r, 3, 1, 0xFF);
	ck_assert_uint_eq(cfg_rd(r, 5, PCI_INTERRUPT_LINE, 4), 0x0000010B);
	/* The device hook saw the write with its real offset. */
	ck_assert_uint_eq(r->dev[0].last_cfg_off, PCI_INTERRUPT_LINE + 3);
	ck_assert_uint_eq(r->dev[0].last_cfg_size, 1);
	rig_free(r);
}
END_TEST

START_TEST(test_type1_absent_reads_all_ones)
{
	struct rig *r = rig_new();
	rig_add(r, 0, 0);
	/* Missing slot. */
	t1_select(r, t1_addr(0, 7, 0, 0));
	ck_assert_uint_eq(t1_read(r, 0, 4), 0xFFFFFFFF);
	ck_assert_uint_eq(t1_read(r, 2, 2), 0xFFFF);
	ck_assert_uint_eq(t1_read(r, 1, 1), 0xFF);
	t1_write(r, 0, 4, 0); /* dropped, harmlessly */
	ck_assert_uint_eq(cfg_rd(r, 7, 0, 4), 0xFFFFFFFF);
	/* Function 1 of a present slot, bus 1, and the enable bit clear. */
	t1_select(r, t1_addr(0, 0, 1, 0));
	ck_assert_uint_eq(t1_read(r, 0, 4), 0xFFFFFFFF);
	t1_select(r, t1_addr(1, 0, 0, 0));
	ck_assert_uint_eq(t1_read(r, 0, 4), 0xFFFFFFFF);
	t1_select(r, t1_addr(0, 0, 0, 0) & ~PCI_CONFIG_ENABLE);
	ck_assert_uint_eq(t1_read(r, 0, 4), 0xFFFFFFFF);
	t1_write(r, 0, 2, PCI_COMMAND_MEMORY);
	t1_select(r, t1_addr(0, 0, 1, 4));
	t1_write(r, 0, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(cfg_rd(r, 0, PCI_COMMAND, 2), 0);
	/* Enabled again: the device is there. */
	t1_select(r, t1_addr(0, 0, 0, 0));
	ck_assert_uint_eq(t1_read(r, 0, 4), 0x10401af4);
	rig_free(r);
}
END_TEST

START_TEST(test_type1_address_register)
{
	struct rig *r = rig_new();
	/* Bits 1:0 read back as 0; narrow accesses do nothing (Linux's probe
	 * writes a byte to 0xCFB first). */
	t1_select(r, 0x80000003);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, 0, 4), 0x80000000);
	unsigned long bad = r->bus.bad_accesses;
	pci_config_address_ops.write(&r->bus, 3, 1, 0x01);
	pci_config_address_ops.write(&r->bus, 0, 2, 0x1234);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, 0, 4), 0x80000000);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, 0, 1), 0xFF);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, 2, 2), 0xFFFF);
	ck_assert_uint_eq(r->bus.bad_accesses, bad + 4);
	/* Registered on a port bus, the pair works end to end. */
	ck_assert_int_eq(bus_register(&r->pio, PCI_CONFIG_ADDRESS, 4, &pci_config_address_ops, &r->bus, "cf8"), 0);
	ck_assert_int_eq(bus_register(&r->pio, PCI_CONFIG_DATA, 4, &pci_config_data_ops, &r->bus, "cfc"), 0);
	rig_add(r, 1, 0);
	uint64_t v = 0;
	ck_assert(bus_write(&r->pio, PCI_CONFIG_ADDRESS, 4, t1_addr(0, 0, 0, 0)));
	ck_assert(bus_read(&r->pio, PCI_CONFIG_DATA + 2, 2, &v));
	ck_assert_uint_eq(v, 0x1041);
	rig_free(r);
}
END_TEST

/* A stand-in for the chipset's reset control register at 0xCF9. */
struct fake_rcr {
	uint8_t val;
	unsigned writes;
	uint64_t last_off;
};

static uint64_t fake_rcr_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake_rcr *f = opaque;
	(void)size;
	f->last_off = off;
	return f->val;
}

static void fake_rcr_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fake_rcr *f = opaque;
	(void)size;
	f->last_off = off;
	f->val = (uint8_t)val;
	f->writes++;
}

static const struct bus_ops fake_rcr_ops = { fake_rcr_read, fake_rcr_write };

START_TEST(test_type1_rcr_forward)
{
	struct rig *r = rig_new();
	struct fake_rcr rcr = { .last_off = 99 };
	t1_select(r, PCI_CONFIG_ENABLE);
	/* Without a register there, 0xCF9 is an ignored narrow access. */
	pci_config_address_ops.write(&r->bus, PCI_CONFIG_RCR_OFF, 1, 0x06);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, PCI_CONFIG_RCR_OFF, 1), 0xFF);
	r->bus.host.rcr_ops = &fake_rcr_ops;
	r->bus.host.rcr_opaque = &rcr;
	pci_config_address_ops.write(&r->bus, PCI_CONFIG_RCR_OFF, 1, 0x02);
	ck_assert_uint_eq(rcr.writes, 1);
	ck_assert_uint_eq(rcr.val, 0x02);
	ck_assert_uint_eq(rcr.last_off, 0);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, PCI_CONFIG_RCR_OFF, 1), 0x02);
	/* Only byte 0xCF9: the dword register and 0xCFB stay the bus's. */
	pci_config_address_ops.write(&r->bus, 3, 1, 0x01);
	pci_config_address_ops.write(&r->bus, PCI_CONFIG_RCR_OFF, 2, 0xFFFF);
	ck_assert_uint_eq(rcr.writes, 1);
	ck_assert_uint_eq(pci_config_address_ops.read(&r->bus, 0, 4), PCI_CONFIG_ENABLE);
	rig_free(r);
}
END_TEST

static Suite *type1_suite(void)
{
	Suite *s = suite_create("pci-type1");
	TCase *t1 = tcase_create("type1");
	tcase_add_test(t1, test_type1_access);
	tcase_add_test(t1, test_type1_absent_reads_all_ones);
	tcase_add_test(t1, test_type1_address_register);
	tcase_add_test(t1, test_type1_rcr_forward);
	suite_add_tcase(s, t1);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(type1_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
