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
 * the last 244 us before an update (MC146818A "update cycle"; QEMU holds it
 * just that long), and one poll here costs two port exits, which a busy host
 * can stretch past 244 us. So an update is seen either as UIP going 1 -> 0 or
 * as the seconds register changing, and UIP only has to be caught once over
 * a few updates. */
struct rtc_watch {
	uint8_t last_sec;
	bool uip_high;
	unsigned uip_seen; /* polls that saw UIP set */
};

/* Wait at most 1.2 s for the next update; records when it was seen. */
static bool rtc_wait_update(const struct os_state *s, struct rtc_watch *w, uint64_t *tsc, uint32_t *pm)
{
	uint64_t end = rdtsc() + tsc_from_us(1200000);
	while (rdtsc() < end) {
		if (cmos_read(RTC_REG_A) & RTC_A_UIP) {
			w->uip_high = true;
			w->uip_seen++;
			continue;
		}
		uint8_t sec = cmos_read(RTC_SEC);
		if (w->uip_high || sec != w->last_sec) {
			*tsc = rdtsc();
			*pm = s->pm_tmr ? pmtimer_read(s) : 0;
			w->uip_high = false;
			w->last_sec = sec;
			return true;
		}
	}
	return false;
}

#define RTC_MAX_UPDATES 4

bool check_cmos(struct os_state *s)
{
	uint8_t a = cmos_read(RTC_REG_A), b = cmos_read(RTC_REG_B), d = cmos_read(RTC_REG_D);
	if ((a & RTC_A_DV_MASK) != RTC_A_DV_32K)
		return check_fail("register A 0x%02x: divider not the running 32.768 kHz base", a);
	if (b & RTC_B_DM)
		return check_fail("register B 0x%02x: binary mode, SeaBIOS sets BCD", b);
	if (!(d & RTC_D_VRT))
		return check_fail("register D 0x%02x: VRT clear", d);
	struct rtc_time t1, t2;
	struct rtc_watch w = { 0 };
	uint64_t tsc1, tsc2;
	uint32_t pm1, pm2;
	uint64_t end = rdtsc() + tsc_from_us(1200000);
	while (cmos_read(RTC_REG_A) & RTC_A_UIP)
		if (rdtsc() > end)
			return check_fail("UIP stuck at 1 for 1.2 s");
	w.last_sec = cmos_read(RTC_SEC);
	if (!rtc_wait_update(s, &w, &tsc1, &pm1))
		return check_fail("the time did not update within 1.2 s");
	rtc_read(&t1);
	if (!rtc_wait_update(s, &w, &tsc2, &pm2))
		return check_fail("no second update within 1.2 s");
	rtc_read(&t2);
	uint64_t tsc3;
	uint32_t pm3;
	for (int n = 2; !w.uip_seen && n < RTC_MAX_UPDATES; n++)
		if (!rtc_wait_update(s, &w, &tsc3, &pm3))
			return check_fail("no update %d within 1.2 s", n + 1);
	if (!w.uip_seen)
		return check_fail("UIP (register A bit 7) never seen set across %d updates", RTC_MAX_UPDATES);
	check_note("20%02x-%02x-%02x %02x:%02x:%02x then :%02x, register B 0x%02x (%s), UIP seen in %u polls",
		   t1.year, t1.month, t1.day, t1.hour, t1.min, t1.sec, t2.sec, b, b & RTC_B_24H ? "24-hour" : "12-hour",
		   w.uip_seen);
	if (!rtc_bcd_ok(&t1) || !rtc_bcd_ok(&t2))
		return check_fail("time registers are not valid BCD");
	if ((bcd(t1.sec) + 1) % 60 != bcd(t2.sec))
		return check_fail("seconds went from %02x to %02x across one update", t1.sec, t2.sec);
	s->second_tsc = tsc2 - tsc1;
	s->second_pm = (pm2 - pm1) & PM_TIMER_MASK;
	uint64_t ms = s->second_tsc / (s->tsc_khz ? s->tsc_khz : 1);
	check_note("one RTC second = %lu ms by the TSC", ms);
	if (s->tsc_khz && (ms < 900 || ms > 1100))
		return check_fail("an RTC second lasted %lu ms by the PIT-calibrated TSC", ms);
	return true;
}
