/* acpi.c: ACPI tables (RSDP, RSDT, FADT, the DSDT's _S5), the PM timer, SCI_EN, and poweroff through PM1a_CNT. */
#include "os.h"

/* ACPI 1.0b / 6.4 §5.2: table layouts. */
#define RSDP_SIG        0x2052545020445352ULL /* "RSD PTR " */
#define RSDP_LEN_V1     20
#define RSDP_RSDT       16
#define SDT_HDR_LEN     36
#define SDT_LENGTH      4
#define FADT_DSDT       40
#define FADT_SMI_CMD    48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT   64
#define FADT_PM_TMR     76
#define FADT_MIN_LEN    116
#define TABLE_MAX_LEN   0x40000 /* more than any table here; bounds the scans */
/* PM1 control register bits (ACPI 6.4 §4.8.3.2.1). */
#define PM1_SCI_EN      0x0001
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7 << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN      0x2000
/* AML opcodes (ACPI 6.4 §20.2) in "Name(_S5, Package(){...})". */
#define AML_PACKAGE_OP  0x12
#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_BYTE_PREFIX 0x0A
#define BDA_EBDA_SEG    0x40E

static uint8_t rd8(uintptr_t pa) { return *(volatile uint8_t *)phys(pa); }
static uint32_t rd32(uintptr_t pa) { uint32_t v; memcpy(&v, phys(pa), 4); return v; }

static bool sum_ok(uintptr_t pa, uint32_t len)
{
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += rd8(pa + i);
	return sum == 0;
}

static uintptr_t rsdp_scan(uintptr_t from, uintptr_t to)
{
	for (uintptr_t p = from; p + RSDP_LEN_V1 <= to; p += 16) {
		uint64_t sig;
		memcpy(&sig, phys(p), 8);
		if (sig == RSDP_SIG && sum_ok(p, RSDP_LEN_V1))
			return p;
	}
	return 0;
}

/* A table at pa with a valid header, checksum and sane length, else 0. */
static uint32_t sdt_len(uintptr_t pa, const char *sig)
{
	if (!pa || pa >= (1ULL << 32) || memcmp(phys(pa), sig, 4))
		return 0;
	uint32_t len = rd32(pa + SDT_LENGTH);
	if (len < SDT_HDR_LEN || len > TABLE_MAX_LEN || !sum_ok(pa, len))
		return 0;
	return len;
}

/* SLP_TYPa for S5 from a definition block's "_S5_" PackageOp PkgLength NumElements <first element>. */
static int aml_s5(uintptr_t dsdt, uint32_t len)
{
	for (uint32_t i = SDT_HDR_LEN; i + 10 < len; i++) {
		if (memcmp(phys(dsdt + i), "_S5_", 4) || rd8(dsdt + i + 4) != AML_PACKAGE_OP)
			continue;
		uint32_t p = i + 5;
		p += 1 + (rd8(dsdt + p) >> 6); /* PkgLength: bits 7:6 of the lead byte count the extra bytes */
		p += 1;                        /* NumElements */
		uint8_t op = rd8(dsdt + p);
		if (op == AML_ZERO_OP)
			return 0;
		if (op == AML_ONE_OP)
			return 1;
		if (op == AML_BYTE_PREFIX)
			return rd8(dsdt + p + 1) & 7;
		return -1;
	}
	return -1;
}

bool acpi_find_tables(struct os_state *s)
{
	uintptr_t ebda = (uintptr_t)(*(volatile uint16_t *)phys(BDA_EBDA_SEG)) << 4;
	uintptr_t rsdp = ebda ? rsdp_scan(ebda, ebda + 1024) : 0;
	if (!rsdp)
		rsdp = rsdp_scan(0xE0000, 0x100000);
	if (!rsdp)
		return check_fail("no RSDP in the EBDA or 0xE0000-0xFFFFF");
	uintptr_t rsdt = rd32(rsdp + RSDP_RSDT);
	uint32_t rlen = sdt_len(rsdt, "RSDT");
	if (!rlen)
		return check_fail("RSDT at 0x%lx missing or bad", rsdt);
	uintptr_t fadt = 0;
	uint32_t flen = 0;
	for (uint32_t off = SDT_HDR_LEN; off + 4 <= rlen && !flen; off += 4) {
		fadt = rd32(rsdt + off);
		flen = sdt_len(fadt, "FACP");
	}
	if (flen < FADT_MIN_LEN)
		return check_fail("no valid FADT (FACP) in the RSDT");
	s->smi_cmd = rd32(fadt + FADT_SMI_CMD);
	s->acpi_enable = rd8(fadt + FADT_ACPI_ENABLE);
	s->pm1a_cnt = (uint16_t)rd32(fadt + FADT_PM1A_CNT);
	s->pm_tmr = (uint16_t)rd32(fadt + FADT_PM_TMR);
	uintptr_t dsdt = rd32(fadt + FADT_DSDT);
	uint32_t dlen = sdt_len(dsdt, "DSDT");
	if (!dlen)
		return check_fail("DSDT at 0x%lx missing or bad", dsdt);
	/* \_S5 is in the DSDT (QEMU's tables) or in an SSDT (SeaBIOS's own
	 * tables keep the sleep states in ssdt-misc). */
	const char *where = "DSDT";
	int s5 = aml_s5(dsdt, dlen);
	for (uint32_t off = SDT_HDR_LEN; s5 < 0 && off + 4 <= rlen; off += 4) {
		uintptr_t t = rd32(rsdt + off);
		uint32_t tlen = sdt_len(t, "SSDT");
		if (tlen && (s5 = aml_s5(t, tlen)) >= 0)
			where = "SSDT";
	}
	if (s5 < 0)
		return check_fail("no _S5 package in the DSDT or an SSDT");
	s->slp_typ_s5 = (uint8_t)s5;
	check_note("RSDP 0x%lx, FADT 0x%lx: PM1a_CNT 0x%x, PM_TMR 0x%x, SMI_CMD 0x%x, ACPI_ENABLE 0x%x; "
		   "DSDT 0x%lx (%u bytes); _S5 SLP_TYP %d (in the %s)", rsdp, fadt, s->pm1a_cnt, s->pm_tmr,
		   s->smi_cmd, s->acpi_enable, dsdt, dlen, s5, where);
	return true;
}

uint32_t pmtimer_read(const struct os_state *s)
{
	return inl(s->pm_tmr);
}

bool check_acpi(struct os_state *s)
{
	if (!acpi_find_tables(s))
		return false;
	/* QEMU's PIIX4 PM block (SeaBIOS's tables describe it): PM1a_EVT at
	 * PMBASE, PM1a_CNT at +4, PM_TMR at +8. */
	if (s->pmbase && (s->pm1a_cnt != s->pmbase + 4 || s->pm_tmr != s->pmbase + 8))
		return check_fail("FADT blocks (CNT 0x%x, TMR 0x%x) do not match PMBASE 0x%x", s->pm1a_cnt, s->pm_tmr,
				  s->pmbase);
	uint16_t cnt = inw(s->pm1a_cnt);
	if (!(cnt & PM1_SCI_EN)) {
		/* Legacy mode: ask the firmware's SMI handler (here, the
		 * chipset) for ACPI mode (ACPI 6.4 §4.8.2.1.1, §16.3.1). */
		if (!s->smi_cmd || !s->acpi_enable)
			return check_fail("SCI_EN clear and no SMI_CMD/ACPI_ENABLE to set it");
		outb((uint16_t)s->smi_cmd, s->acpi_enable);
		uint64_t end = rdtsc() + tsc_from_us(100000);
		while (!((cnt = inw(s->pm1a_cnt)) & PM1_SCI_EN) && rdtsc() < end)
			cpu_relax();
		if (!(cnt & PM1_SCI_EN))
			return check_fail("SCI_EN still clear 100 ms after writing 0x%x to SMI_CMD 0x%x", s->acpi_enable,
					  s->smi_cmd);
		check_note("SCI_EN was clear; set by writing 0x%x to SMI_CMD 0x%x", s->acpi_enable, s->smi_cmd);
	} else {
		check_note("SCI_EN already set (PM1a_CNT 0x%04x)", cnt);
	}
	return true;
}

/* The PM timer's count across one RTC second (measured by check_cmos). */
bool check_pmtimer(struct os_state *s)
{
	if (!s->pm_tmr)
		return check_fail("no PM timer (the acpi check failed)");
	uint32_t a = pmtimer_read(s);
	udelay(1000);
	uint32_t b = pmtimer_read(s);
	if (a == b)
		return check_fail("the PM timer does not move (0x%x)", a);
	if (!s->second_pm)
		return check_fail("no RTC second to measure against (the cmos check failed)");
	check_note("%u ticks in one RTC second (nominal %u)", s->second_pm, PM_TIMER_HZ);
	if (s->second_pm < PM_TIMER_HZ / 100 * 99 || s->second_pm > PM_TIMER_HZ / 100 * 101)
		return check_fail("%u ticks per RTC second, expected %u +- 1%%", s->second_pm, PM_TIMER_HZ);
	return true;
}

bool check_poweroff(struct os_state *s)
{
	/* Para mode skips the acpi check; a PIIX4 PM there still powers off. */
	if (!s->pm1a_cnt && s->has_pm && !acpi_find_tables(s))
		s->pm1a_cnt = 0;
	if (!s->pm1a_cnt) {
		/* No ACPI PM (para mode): end through the exit port with 0. */
		check_note("no ACPI PM1a_CNT; exiting through port 0x%x", PORT_EXIT);
		guest_exit(0);
	}
	uint16_t v = (uint16_t)((inw(s->pm1a_cnt) & ~PM1_SLP_TYP_MASK) | s->slp_typ_s5 << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
	check_note("writing 0x%04x (SLP_TYP %d | SLP_EN) to PM1a_CNT 0x%x", v, s->slp_typ_s5, s->pm1a_cnt);
	outw(s->pm1a_cnt, v);
	udelay(1000000);
	return check_fail("still running 1 s after the S5 request");
}
