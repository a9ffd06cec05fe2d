/* cmos.c: the CMOS RTC check: BCD time, the update-in-progress bit toggling, seconds advancing once a second. */
#include "os.h"

/* MC146818A registers and bits (datasheet: registers A-D). */
#define RTC_SEC   0x00
#define RTC_MIN   0x02
#define RTC_HOUR  0x04
#define RTC_DAY   0x07
#define RTC_MONTH 0x08
#define RTC_YEAR  0x09
#define RTC_REG_A 0x0A
#define RTC_REG_B 0x0B
#define RTC_REG_D 0x0D
#define RTC_A_UIP 0x80
#define RTC_A_DV_MASK 0x70
#define RTC_A_DV_32K  0x20 /* divider: 32.768 kHz time base, running */
#define RTC_B_DM  0x04     /* 1: binary, 0: BCD */
#define RTC_B_24H 0x02
#define RTC_D_VRT 0x80     /* valid RAM and time */

#define PM_TIMER_MASK 0xFFFFFF /* 24-bit unless FADT TMR_VAL_EXT; a second is far below a wrap */

struct rtc_time {
	uint8_t sec, min, hour, day, month, year;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static bool bcd_ok(uint8_t v, uint8_t max)
{
	return (v & 0xF) <= 9 && (v >> 4) <= 9 && (v >> 4) * 10 + (v & 0xF) <= max;
}

static int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xF);
}

static void rtc_read(struct rtc_time *t)
{
	t->sec = cmos_read(RTC_SEC);
	t->min = cmos_read(RTC_MIN);
	t->hour = cmos_read(RTC_HOUR);
	t->day = cmos_read(RTC_DAY);
	t->month = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
}

static bool rtc_bcd_ok(const struct rtc_time *t)
{
	return bcd_ok(t->sec, 59) && bcd_ok(t->min, 59) && bcd_ok(t->hour, 23) && bcd_ok(t->day, 31) && t->day &&
	       bcd_ok(t->month, 12) && t->month && bcd_ok(t->year, 99);
}

/* Update cycles as the guest sees them. UIP (register A bit 7) is set for
 * the last 244 us before an update (MC146818A tBUC; QEMU and vmm hold it
 * just that long, a real part also through the ~2 ms update itself). Polling
 * keeps register A selected, so a poll is one port read; a busy host can
 * still stretch a gap past 244 us, so an update is also recognised by the
 * seconds register changing (read every RTC_SEC_EVERY polls), and UIP only
 * has to be caught once over a few updates. */
#define RTC_SEC_EVERY   16
#define RTC_MAX_UPDATES 10
#define RTC_BRACKET_US  4000 /* an update time known to better than this counts */

struct rtc_watch {
	uint8_t last_sec;
	bool uip_high;
	unsigned uip_seen; /* polls that saw UIP set */
	unsigned polls;
};

struct rtc_edge {
	uint64_t tsc, bracket; /* when it was seen; how long since the poll before it */
	uint32_t pm;
	struct rtc_time time;  /* read after the edge */
};

/* Wait at most 1.2 s for the next update and record it. The bracket is
 * the time since the last poll that still showed the old state: the UIP
 * poll that saw it set, or the seconds probe that saw the old second (the
 * UIP polls in between may have missed a short UIP while the vCPU was
 * stopped, so they bound nothing). */
static bool rtc_wait_update(const struct os_state *s, struct rtc_watch *w, struct rtc_edge *e)
{
	uint64_t start = rdtsc(), end = start + tsc_from_us(1200000);
	uint64_t uip_at = start, sec_at = start;
	outb(CMOS_INDEX, RTC_REG_A);
	for (unsigned i = 1;; i++) {
		uint64_t now = rdtsc();
		if (now > end)
			return false;
		w->polls++;
		uint64_t since = 0;
		if (inb(CMOS_DATA) & RTC_A_UIP) {
			w->uip_high = true;
			w->uip_seen++;
			uip_at = now;
		} else if (w->uip_high) {
			since = uip_at;
		} else if (i % RTC_SEC_EVERY == 0) {
			if (cmos_read(RTC_SEC) != w->last_sec)
				since = sec_at;
			else
				sec_at = now;
			outb(CMOS_INDEX, RTC_REG_A);
		}
		if (since) {
			e->tsc = now;
			e->pm = s->pm_tmr ? pmtimer_read(s) : 0;
			e->bracket = rdtsc() - since;
			rtc_read(&e->time);
			w->uip_high = false;
			w->last_sec = e->time.sec;
			return true;
		}
	}
}

bool check_cmos(struct os_state *s)
{
	uint8_t a = cmos_read(RTC_REG_A), b = cmos_read(RTC_REG_B), d = cmos_read(RTC_REG_D);
	if ((a & RTC_A_DV_MASK) != RTC_A_DV_32K)
		return check_fail("register A 0x%02x: divider not the running 32.768 kHz base", a);
	if (b & RTC_B_DM)
		return check_fail("register B 0x%02x: binary mode, SeaBIOS sets BCD", b);
	if (!(d & RTC_D_VRT))
		return check_fail("register D 0x%02x: VRT clear", d);
	struct rtc_watch w = { 0 };
	struct rtc_edge e0, e1;
	uint64_t end = rdtsc() + tsc_from_us(1200000);
	while (cmos_read(RTC_REG_A) & RTC_A_UIP)
		if (rdtsc() > end)
			return check_fail("UIP stuck at 1 for 1.2 s");
	w.last_sec = cmos_read(RTC_SEC);
	/* Two updates both seen promptly (the first such one, then the next),
	 * k updates apart: the seconds advance by k and k RTC seconds pass. */
	const uint64_t good = tsc_from_us(RTC_BRACKET_US);
	bool have0 = false, measured = false;
	int n = 0, n0 = 0;
	uint64_t brackets_us[RTC_MAX_UPDATES] = { 0 };
	for (; n < RTC_MAX_UPDATES && (!measured || !w.uip_seen); n++) {
		struct rtc_edge *e = have0 ? &e1 : &e0;
		if (!rtc_wait_update(s, &w, e))
			return check_fail("update %d did not come within 1.2 s", n + 1);
		if (!rtc_bcd_ok(&e->time))
			return check_fail("time registers are not valid BCD");
		brackets_us[n] = e->bracket * 1000 / (s->tsc_khz ? s->tsc_khz : 1);
		if (measured || e->bracket >= good)
			continue;
		if (!have0) {
			have0 = true;
			n0 = n;
			continue;
		}
		int k = n - n0;
		measured = true;
		if ((bcd(e0.time.sec) + k) % 60 != bcd(e1.time.sec))
			return check_fail("seconds went from %02x to %02x across %d updates", e0.time.sec, e1.time.sec, k);
		s->second_tsc = (e1.tsc - e0.tsc) / (uint64_t)k;
		s->second_pm = ((e1.pm - e0.pm) & PM_TIMER_MASK) / (uint32_t)k;
		check_note("20%02x-%02x-%02x %02x:%02x:%02x then :%02x, register B 0x%02x (%s)", e0.time.year,
			   e0.time.month, e0.time.day, e0.time.hour, e0.time.min, e0.time.sec, e1.time.sec, b,
			   b & RTC_B_24H ? "24-hour" : "12-hour");
	}
	uint64_t ms = s->second_tsc / (s->tsc_khz ? s->tsc_khz : 1);
	check_note("%d updates, %u polls, UIP seen in %u; one RTC second = %lu ms by the TSC", n, w.polls,
		   w.uip_seen, ms);
	printf(CONF_LINE_PREFIX "cmos: how long after each update it was seen (us):");
	for (int i = 0; i < n; i++)
		printf(" %lu", brackets_us[i]);
	printf("\n");
	if (!measured)
		return check_fail("no two of %d updates seen within %d us of happening", n, RTC_BRACKET_US);
	if (!w.uip_seen)
		return check_fail("UIP (register A bit 7) never seen set across %d updates", n);
	if (s->tsc_khz && (ms < 990 || ms > 1010))
		return check_fail("an RTC second lasted %lu ms by the PIT-calibrated TSC", ms);
	return true;
}
