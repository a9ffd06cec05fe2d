/* rtc_irq.c: the CMOS RTC's interrupt on IRQ 8 (slave 8259 IR0): none while nothing is enabled, the
 * update-ended interrupt once a second, the periodic interrupt at 64 Hz, none again once disabled. */
#include "os.h"

/* MC146818A registers and bits (datasheet: registers A-C). */
#define RTC_REG_A 0x0A
#define RTC_REG_B 0x0B
#define RTC_REG_C 0x0C
#define RTC_A_RS_MASK 0x0F /* rate select */
#define RTC_A_RS_64HZ 0x0A /* 32768 >> (10 - 1) = 64 Hz on the 32.768 kHz time base */
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_C_IRQF 0x80
#define RTC_C_PF  0x40
#define RTC_C_UF  0x10
#define RTC_IRQ   8 /* ISA IRQ 8: the slave PIC's IR0, through the master's IR2 */

#define RTC_QUIET_US   100000  /* no interrupt expected over this long */
#define RTC_DRAIN_US   20000   /* for an interrupt latched before the disable */
#define RTC_UPDATE_US  2500000 /* 2.5 s: two or three updates */
#define RTC_PERIODIC_US 500000 /* 0.5 s at 64 Hz: 32 periods */
#define RTC_PERIODIC_HZ 64
/* The periodic count's tolerance: a loaded host (2 CPUs, other VMs) may
 * wake the device late, and periods that end before the guest read C
 * coalesce into one interrupt (the flag is a level), so the low bound is
 * loose; above the rate by more than the window's edges it must never be. */
#define RTC_PERIODIC_MIN (RTC_PERIODIC_HZ * RTC_PERIODIC_US / 1000000 / 2)
#define RTC_PERIODIC_MAX (RTC_PERIODIC_HZ * RTC_PERIODIC_US / 1000000 + 2)

static uint8_t rtc_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void rtc_write(uint8_t reg, uint8_t v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

struct rtc_count {
	unsigned irqs;
	unsigned bad_c; /* C reads after an interrupt without IRQF or the expected flag */
	uint8_t first_bad;
	uint64_t first_us, last_us; /* interrupt times after the start */
};

/* For us microseconds with IRQ 8 unmasked: each interrupt is answered by a
 * read of register C (which lowers the line, so the next one is an edge
 * again), which must show IRQF and flag. */
static void rtc_count_irqs(uint64_t us, uint8_t flag, struct rtc_count *n)
{
	uint64_t per_ms = tsc_from_us(1000) ? tsc_from_us(1000) : 1;
	uint64_t start = rdtsc(), end = start + tsc_from_us(us);
	*n = (struct rtc_count){ 0 };
	for (;;) {
		uint64_t now = rdtsc();
		if (now >= end)
			break;
		uint32_t before = pic_count(RTC_IRQ);
		uint64_t left_us = (end - now) * 1000 / per_ms;
		if (!pic_wait_change(RTC_IRQ, before, left_us ? left_us : 1))
			continue;
		uint64_t at_us = (rdtsc() - start) * 1000 / per_ms;
		uint8_t c = rtc_read(RTC_REG_C);
		n->irqs += pic_count(RTC_IRQ) - before;
		if ((c & (RTC_C_IRQF | flag)) != (RTC_C_IRQF | flag) && n->bad_c++ == 0)
			n->first_bad = c;
		if (n->irqs == 1)
			n->first_us = at_us;
		n->last_us = at_us;
	}
}

bool check_rtc_irq(struct os_state *s)
{
	(void)s;
	uint8_t a = rtc_read(RTC_REG_A), b = rtc_read(RTC_REG_B);
	const uint8_t enables = RTC_B_PIE | RTC_B_AIE | RTC_B_UIE;
	rtc_write(RTC_REG_B, b & ~enables);
	rtc_read(RTC_REG_C);
	pic_unmask(RTC_IRQ);
	struct rtc_count quiet, upd, per, after;
	/* Nothing enabled (register C's PF still runs at register A's rate). */
	rtc_count_irqs(RTC_QUIET_US, 0, &quiet);
	/* UIE: an interrupt at each update. */
	rtc_write(RTC_REG_B, (b & ~enables) | RTC_B_UIE);
	rtc_count_irqs(RTC_UPDATE_US, RTC_C_UF, &upd);
	/* PIE at 64 Hz, UIE off. */
	rtc_write(RTC_REG_B, b & ~enables);
	rtc_write(RTC_REG_A, (a & ~RTC_A_RS_MASK) | RTC_A_RS_64HZ);
	rtc_read(RTC_REG_C);
	rtc_write(RTC_REG_B, (b & ~enables) | RTC_B_PIE);
	rtc_count_irqs(RTC_PERIODIC_US, RTC_C_PF, &per);
	/* Both off again; the line must stay low. A period that ended just
	 * before PIE was cleared may already sit in the 8259's IRR as an edge
	 * (QEMU delivers it, real 8259s do too): let it in, then count. */
	rtc_write(RTC_REG_B, b & ~enables);
	rtc_write(RTC_REG_A, a);
	rtc_read(RTC_REG_C);
	rtc_count_irqs(RTC_DRAIN_US, 0, &after);
	rtc_read(RTC_REG_C);
	rtc_count_irqs(RTC_QUIET_US, 0, &after);
	pic_mask(RTC_IRQ);
	rtc_write(RTC_REG_B, b);
	rtc_read(RTC_REG_C);
	check_note("IRQ 8: %u with nothing enabled; UIE: %u in %u ms (at %lu..%lu ms); PIE at %d Hz: %u in %u ms; "
		   "%u after disabling", quiet.irqs, upd.irqs, RTC_UPDATE_US / 1000, upd.first_us / 1000,
		   upd.last_us / 1000, RTC_PERIODIC_HZ, per.irqs, RTC_PERIODIC_US / 1000, after.irqs);
	if (quiet.irqs)
		return check_fail("%u interrupts with PIE, AIE and UIE clear", quiet.irqs);
	if (upd.irqs < 2 || upd.irqs > 3)
		return check_fail("%u update interrupts in %u ms, expected 2-3", upd.irqs, RTC_UPDATE_US / 1000);
	if (upd.bad_c)
		return check_fail("register C 0x%02x after an update interrupt: IRQF|UF expected", upd.first_bad);
	if (per.irqs < RTC_PERIODIC_MIN || per.irqs > RTC_PERIODIC_MAX)
		return check_fail("%u periodic interrupts in %u ms at %d Hz, expected %d-%d", per.irqs,
				  RTC_PERIODIC_US / 1000, RTC_PERIODIC_HZ, RTC_PERIODIC_MIN, RTC_PERIODIC_MAX);
	if (per.bad_c)
		return check_fail("register C 0x%02x after a periodic interrupt: IRQF|PF expected", per.first_bad);
	if (after.irqs)
		return check_fail("%u interrupts after PIE and UIE were cleared", after.irqs);
	return true;
}
