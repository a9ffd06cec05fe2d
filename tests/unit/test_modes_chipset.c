/* test_modes_chipset.c: the full machine's PCI functions: i440FX PAM, the
 * PIIX3 as a multi-function device with its PIRQ router, and PIIX4 PM (PMBASE
 * mapping, PM timer, SCI_EN through SMI_CMD, S5 power-off, GPE0). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "modes/full/i440fx.h"
#include "modes/full/piix3.h"
#include "modes/full/piix4_pm.h"

#define MAX_GSI 24

struct rig {
	struct bus pio, mmio;
	struct pci_bus pci;
	struct i440fx host;
	struct piix3 isa;
	struct piix4_pm pm;
	struct pci_dev nic; /* a device with INTA# at slot 2 */
	int level[MAX_GSI];
	unsigned sets[MAX_GSI];
	unsigned poweroffs;
	int64_t now;
	uint8_t pam[PAM_REGS]; /* what the last pam_changed call passed */
	unsigned pam_calls;
};

static void rig_pam_changed(void *ctx, const uint8_t regs[PAM_REGS])
{
	struct rig *r = ctx;
	memcpy(r->pam, regs, PAM_REGS);
	r->pam_calls++;
}

static void rig_intx_set(void *ctx, unsigned gsi, int level)
{
	struct rig *r = ctx;
	ck_assert_uint_lt(gsi, MAX_GSI);
	r->level[gsi] = level;
	r->sets[gsi]++;
}

static unsigned rig_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	struct rig *r = ctx;
	return piix3_intx_gsi(&r->isa, slot, pin);
}

static void rig_poweroff(void *ctx)
{
	((struct rig *)ctx)->poweroffs++;
}

static int64_t rig_now(void *ctx)
{
	return ((struct rig *)ctx)->now;
}

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct err e = { 0 };
	ck_assert_int_eq(bus_init(&r->pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&r->mmio, "mmio"), 0);
	struct pci_host host = { .ctx = r, .intx_gsi = rig_intx_gsi, .intx_set = rig_intx_set };
	ck_assert_int_eq(pci_bus_init(&r->pci, &r->pio, &r->mmio, &host), 0);
	ck_assert_int_eq(bus_register(&r->pio, PCI_CONFIG_ADDRESS, 4, &pci_config_address_ops, &r->pci, "cf8"), 0);
	ck_assert_int_eq(bus_register(&r->pio, PCI_CONFIG_DATA, 4, &pci_config_data_ops, &r->pci, "cfc"), 0);
	i440fx_init(&r->host, 0);
	r->host.pam_changed = rig_pam_changed;
	r->host.pam_ctx = r;
	piix3_init(&r->isa);
	ck_assert_int_eq(piix4_pm_init(&r->pm, &r->pio, rig_poweroff, r), 0);
	r->pm.now_ns = rig_now;
	r->pm.now_ctx = r;
	pci_dev_init(&r->nic, "nic", 0x1234, 0x5678, 0x020000, 0, 0, 0, 1, NULL);
	ck_assert_int_eq(pci_bus_add(&r->pci, &r->host.pci, I440FX_SLOT, &e), 0);
	ck_assert_int_eq(pci_bus_add_fn(&r->pci, &r->isa.pci, PIIX_SLOT, PIIX_FN_ISA, &e), 0);
	ck_assert_int_eq(pci_bus_add_fn(&r->pci, &r->pm.pci, PIIX_SLOT, PIIX_FN_PM, &e), 0);
	ck_assert_int_eq(pci_bus_add(&r->pci, &r->nic, 2, &e), 0);
	ck_assert_int_eq(bus_register(&r->pio, ACPI_SMI_CMD, ACPI_APM_PORTS, &piix4_apm_ops, &r->pm, "apm"), 0);
	ck_assert_int_eq(bus_register(&r->pio, ACPI_GPE0_BLK, ACPI_GPE0_LEN, &piix4_gpe_ops, &r->pm, "gpe"), 0);
	return r;
}

static void rig_free(struct rig *r)
{
	piix4_pm_destroy(&r->pm);
	pci_bus_destroy(&r->pci);
	bus_destroy(&r->pio);
	bus_destroy(&r->mmio);
	free(r);
}

/* Config access through the ports, as a guest does it. */
static uint32_t cfg_rd(struct rig *r, unsigned slot, unsigned fn, unsigned off, unsigned size)
{
	uint64_t v;
	bus_write(&r->pio, PCI_CONFIG_ADDRESS, 4,
		  PCI_CONFIG_ENABLE | slot << 11 | fn << 8 | (off & 0xFC));
	bus_read(&r->pio, PCI_CONFIG_DATA + (off & 3), size, &v);
	return (uint32_t)v;
}

static void cfg_wr(struct rig *r, unsigned slot, unsigned fn, unsigned off, unsigned size, uint32_t v)
{
	bus_write(&r->pio, PCI_CONFIG_ADDRESS, 4,
		  PCI_CONFIG_ENABLE | slot << 11 | fn << 8 | (off & 0xFC));
	bus_write(&r->pio, PCI_CONFIG_DATA + (off & 3), size, v);
}

static uint32_t io_rd(struct rig *r, uint64_t port, unsigned size)
{
	uint64_t v;
	bus_read(&r->pio, port, size, &v);
	return (uint32_t)v;
}

static void io_wr(struct rig *r, uint64_t port, unsigned size, uint32_t v)
{
	bus_write(&r->pio, port, size, v);
}

START_TEST(test_pam)
{
	struct rig *r = rig_new();
	ck_assert_uint_eq(cfg_rd(r, 0, 0, PCI_VENDOR_ID, 4), 0x12378086);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	/* Power-on: every PAM register 0 (the BIOS area reads the ROM). */
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x58, 4), 0);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x5C, 4), 0);
	/* SeaBIOS's unlock and lock (src/fw/shadow.c), as dwords: each write
	 * reaches the hook with all seven registers. */
	cfg_wr(r, 0, 0, 0x58, 4, 0x33333000);
	ck_assert_uint_eq(r->pam_calls, 1);
	ck_assert_uint_eq(r->pam[0], 0x30);
	ck_assert_uint_eq(r->pam[2], 0x33);
	ck_assert_uint_eq(r->pam[3], 0x00);
	cfg_wr(r, 0, 0, 0x5C, 4, 0x33333333);
	ck_assert_uint_eq(r->pam_calls, 2);
	ck_assert_uint_eq(r->pam[6], 0x33);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x58, 4), 0x33333000);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x5C, 4), 0x33333333);
	cfg_wr(r, 0, 0, 0x58, 4, 0x11111000);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x58, 4), 0x11111000);
	ck_assert_uint_eq(r->pam[0], 0x10);
	/* Every value sticks: PAM0 back to 0 (ROM) too. */
	cfg_wr(r, 0, 0, I440FX_PAM0, 1, 0x00);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, I440FX_PAM0, 1), 0);
	ck_assert_uint_eq(r->pam[0], 0);
	/* A byte write to the last register, a word straddling into PAM0. */
	cfg_wr(r, 0, 0, I440FX_PAM0 + 6, 1, 0x21);
	ck_assert_uint_eq(r->pam[6], 0x21);
	unsigned calls = r->pam_calls;
	cfg_wr(r, 0, 0, 0x58, 2, 0x3000);
	ck_assert_uint_eq(r->pam_calls, calls + 1);
	ck_assert_uint_eq(r->pam[0], 0x30);
	/* Byte 0x58 is not a PAM register: read-only, no hook. SMRAM reads
	 * back and leaves the PAM alone. */
	calls = r->pam_calls;
	cfg_wr(r, 0, 0, 0x58, 1, 0xFF);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x58, 1), 0);
	cfg_wr(r, 0, 0, I440FX_SMRAM, 1, 0x4A);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, I440FX_SMRAM, 1), 0x4A);
	cfg_wr(r, 0, 0, 0x60, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(r->pam_calls, calls);
	ck_assert_uint_eq(cfg_rd(r, 0, 0, 0x58, 4), 0x11113000);
	rig_free(r);
}
END_TEST

START_TEST(test_piix3_functions)
{
	struct rig *r = rig_new();
	struct err e = { 0 };
	ck_assert_uint_eq(cfg_rd(r, 1, 0, PCI_VENDOR_ID, 4), 0x70008086);
	ck_assert_uint_eq(cfg_rd(r, 1, 0, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTIFUNCTION,
			  PCI_HEADER_MULTIFUNCTION);
	ck_assert_uint_eq(cfg_rd(r, 1, 0, PCI_REVISION_ID, 4) >> 8, PIIX3_ISA_CLASS);
	ck_assert_uint_eq(cfg_rd(r, 1, 3, PCI_VENDOR_ID, 4), 0x71138086);
	ck_assert_uint_eq(cfg_rd(r, 1, 3, PCI_REVISION_ID, 4) >> 8, PIIX4_PM_CLASS);
	ck_assert_uint_eq(cfg_rd(r, 1, 3, PIIX4_DEVACTB, 4), PIIX4_DEVACTB_NO_SMM << 24);
	/* Absent functions and a slot without function 0 read all ones. */
	ck_assert_uint_eq(cfg_rd(r, 1, 2, PCI_VENDOR_ID, 2), 0xFFFF);
	ck_assert_uint_eq(cfg_rd(r, 2, 1, PCI_VENDOR_ID, 2), 0xFFFF);
	struct pci_dev orphan;
	pci_dev_init(&orphan, "orphan", 0x1234, 1, 0, 0, 0, 0, 0, NULL);
	ck_assert_int_ne(pci_bus_add_fn(&r->pci, &orphan, 5, 2, &e), 0);
	ck_assert_int_ne(pci_bus_add_fn(&r->pci, &orphan, 1, 3, &e), 0); /* taken */
	ck_assert_int_ne(pci_bus_add_fn(&r->pci, &orphan, 1, 8, &e), 0);
	/* Chipset registers read back; the PIRQs start disabled. */
	ck_assert_uint_eq(cfg_rd(r, 1, 0, PIIX3_PIRQRC, 4), 0x80808080);
	cfg_wr(r, 1, 0, 0x4C, 1, 0x4D);
	ck_assert_uint_eq(cfg_rd(r, 1, 0, 0x4C, 1), 0x4D);
	rig_free(r);
}
END_TEST

START_TEST(test_pirq_routing)
{
	struct rig *r = rig_new();
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 1, 1), PCI_INTX_NONE);
	/* SeaBIOS's values (src/fw/pciinit.c pci_irqs), with C disabled and D
	 * pointing at reserved IRQ 13. */
	cfg_wr(r, 1, 0, PIIX3_PIRQRC, 4, 0x0D850B0A);
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 0, 1), 10);            /* PIRQA */
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 1, 1), 11);            /* PIRQB */
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 3, 2), 10);            /* (3+2-1)&3 = A */
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 1, 2), PCI_INTX_NONE); /* C: disabled */
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 2, 2), PCI_INTX_NONE); /* D: IRQ 13 */
	ck_assert_uint_eq(piix3_intx_gsi(&r->isa, 2, 5), PCI_INTX_NONE);
	/* The slot-2 device's INTA# uses PIRQC: asserted while unrouted, the
	 * line follows the register as it is moved around. */
	unsigned sets = r->sets[10] + r->sets[11];
	pci_dev_set_intx(&r->nic, 1);
	ck_assert_uint_eq(r->sets[10] + r->sets[11], sets);
	ck_assert_int_eq(r->level[10] | r->level[11], 0);
	cfg_wr(r, 1, 0, PIIX3_PIRQRC + 2, 1, 11);
	ck_assert_int_eq(r->level[11], 1);
	cfg_wr(r, 1, 0, PIIX3_PIRQRC + 2, 1, 10);
	ck_assert_int_eq(r->level[11], 0);
	ck_assert_int_eq(r->level[10], 1);
	pci_dev_set_intx(&r->nic, 0);
	ck_assert_int_eq(r->level[10], 0);
	pci_dev_set_intx(&r->nic, 1);
	ck_assert_int_eq(r->level[10], 1);
	cfg_wr(r, 1, 0, PIIX3_PIRQRC + 2, 1, PIIX3_PIRQ_DISABLE | 10);
	ck_assert_int_eq(r->level[10], 0);
	rig_free(r);
}
END_TEST

START_TEST(test_pm_base_and_timer)
{
	struct rig *r = rig_new();
	/* Not mapped until PMBASE is set and PMIOSE turns decoding on. */
	cfg_wr(r, 1, 3, PIIX4_PMBASE, 4, 0xB000 | 1);
	ck_assert_uint_eq(cfg_rd(r, 1, 3, PIIX4_PMBASE, 4), 0xB001);
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM_TMR, 4), 0xFFFFFFFF);
	cfg_wr(r, 1, 3, PIIX4_PMREGMISC, 1, PIIX4_PMIOSE);
	r->now = 1000000000LL; /* 1 s: 3579545 ticks */
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM_TMR, 4), 3579545u);
	r->now = 5000000000LL; /* 5 s: 17897725 ticks, past 2^24 */
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM_TMR, 4), 17897725u & ACPI_PM_TIMER_MASK);
	io_wr(r, 0xB000 + ACPI_PM_TMR, 4, 0); /* read-only */
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM_TMR, 4), 17897725u & ACPI_PM_TIMER_MASK);
	/* Moving PMBASE moves the block; clearing PMIOSE removes it. */
	cfg_wr(r, 1, 3, PIIX4_PMBASE, 2, 0x0600);
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM_TMR, 4), 0xFFFFFFFF);
	ck_assert_uint_eq(io_rd(r, 0x0600 + ACPI_PM_TMR, 4), 17897725u & ACPI_PM_TIMER_MASK);
	cfg_wr(r, 1, 3, PIIX4_PMREGMISC, 1, 0);
	ck_assert_uint_eq(io_rd(r, 0x0600 + ACPI_PM_TMR, 4), 0xFFFFFFFF);
	/* A base that clashes with another range is refused and counted. */
	cfg_wr(r, 1, 3, PIIX4_PMBASE, 2, 0x0CC0); /* 0xCC0-0xCFF holds 0xCF8/0xCFC */
	cfg_wr(r, 1, 3, PIIX4_PMREGMISC, 1, PIIX4_PMIOSE);
	ck_assert_uint_eq(atomic_load(&r->pm.map_failures), 1);
	rig_free(r);
}
END_TEST

START_TEST(test_pm1_control)
{
	struct rig *r = rig_new();
	cfg_wr(r, 1, 3, PIIX4_PMBASE, 4, 0xB001);
	cfg_wr(r, 1, 3, PIIX4_PMREGMISC, 1, PIIX4_PMIOSE);
	const uint16_t cnt = 0xB000 + ACPI_PM1_CNT;
	ck_assert_uint_eq(io_rd(r, cnt, 2), 0);
	/* Linux's acpi_enable: ACPI_ENABLE to SMI_CMD, then it polls SCI_EN. */
	io_wr(r, ACPI_SMI_CMD, 1, ACPI_ENABLE);
	ck_assert_uint_eq(io_rd(r, cnt, 2), ACPI_PM1_CNT_SCI_EN);
	ck_assert_uint_eq(io_rd(r, ACPI_SMI_CMD, 1), ACPI_ENABLE);
	io_wr(r, ACPI_SMI_CMD + 1, 1, 0x5A); /* APM status: storage */
	ck_assert_uint_eq(io_rd(r, ACPI_SMI_CMD + 1, 1), 0x5A);
	/* S3 (SLP_TYP 1 in SeaBIOS's DSDT) is not done: ignored. */
	io_wr(r, cnt, 2, ACPI_PM1_CNT_SCI_EN | 1 << ACPI_PM1_CNT_SLP_TYP_SHIFT | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(r->poweroffs, 0);
	ck_assert_uint_eq(atomic_load(&r->pm.ignored_sleeps), 1);
	ck_assert_uint_eq(io_rd(r, cnt, 2), ACPI_PM1_CNT_SCI_EN | 1 << ACPI_PM1_CNT_SLP_TYP_SHIFT);
	/* SLP_TYP alone does nothing; SLP_EN with S5 powers off. */
	io_wr(r, cnt, 2, ACPI_PM1_CNT_SCI_EN);
	ck_assert_uint_eq(r->poweroffs, 0);
	io_wr(r, cnt, 2, ACPI_PM1_CNT_SCI_EN | ACPI_SLP_TYP_S5 << ACPI_PM1_CNT_SLP_TYP_SHIFT |
			      ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(r->poweroffs, 1);
	/* A byte write of the high half works too (S4 is a power-off as in QEMU). */
	io_wr(r, cnt + 1, 1, (ACPI_SLP_TYP_S4 << ACPI_PM1_CNT_SLP_TYP_SHIFT | ACPI_PM1_CNT_SLP_EN) >> 8);
	ck_assert_uint_eq(r->poweroffs, 2);
	io_wr(r, ACPI_SMI_CMD, 1, ACPI_DISABLE);
	ck_assert_uint_eq(io_rd(r, cnt, 2) & ACPI_PM1_CNT_SCI_EN, 0);
	/* PM1_STS clears on 1; PM1_EN is plain. */
	r->pm.regs[ACPI_PM1_STS] = 0x21;
	io_wr(r, 0xB000 + ACPI_PM1_STS, 2, 0x0001);
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM1_STS, 2), 0x20);
	io_wr(r, 0xB000 + ACPI_PM1_EN, 2, 0x0121);
	ck_assert_uint_eq(io_rd(r, 0xB000 + ACPI_PM1_EN, 2), 0x0121);
	/* GPE0: enable reads back, status clears on 1. */
	io_wr(r, ACPI_GPE0_BLK + 2, 2, 0x0002);
	ck_assert_uint_eq(io_rd(r, ACPI_GPE0_BLK, 4), 0x00020000);
	r->pm.gpe_sts = 0x0003;
	io_wr(r, ACPI_GPE0_BLK, 1, 0x01);
	ck_assert_uint_eq(io_rd(r, ACPI_GPE0_BLK, 2), 0x0002);
	rig_free(r);
}
END_TEST

static Suite *chipset_suite(void)
{
	Suite *s = suite_create("chipset");
	TCase *tc = tcase_create("pci");
	tcase_add_test(tc, test_pam);
	tcase_add_test(tc, test_piix3_functions);
	tcase_add_test(tc, test_pirq_routing);
	suite_add_tcase(s, tc);
	tc = tcase_create("pm");
	tcase_add_test(tc, test_pm_base_and_timer);
	tcase_add_test(tc, test_pm1_control);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(chipset_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
