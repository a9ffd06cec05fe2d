/* cmos.c: MC146818A RTC on the host's clock, plus NVRAM (see cmos.h). */
#include "devices/cmos.h"

#include <string.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL
#define SEC_PER_HOUR 3600
#define SEC_PER_DAY 86400
#define CMOS_NEVER INT64_MAX /* no such time */
#define CMOS_FLAGS (CMOS_C_PF | CMOS_C_AF | CMOS_C_UF)

/* IRQF = PF&PIE | AF&AIE | UF&UIE: the enable bits in B sit where their
 * flags sit in C (datasheet, registers B and C). */
_Static_assert(CMOS_B_PIE == CMOS_C_PF && CMOS_B_AIE == CMOS_C_AF && CMOS_B_UIE == CMOS_C_UF,
	       "register B enables line up with register C flags");

static int64_t cmos_host_now(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t cmos_guest_ns(struct cmos *c)
{
	return c->now_ns(c->now_ctx) + c->offset_ns;
}

static int64_t cmos_guest_sec(struct cmos *c)
{
	return c->frozen ? c->frozen_sec : floor_div(cmos_guest_ns(c), NS_PER_SEC);
}

static bool cmos_uip(struct cmos *c)
{
	if (c->frozen)
		return false;
	int64_t ns = cmos_guest_ns(c);
	int64_t phase = ns - floor_div(ns, NS_PER_SEC) * NS_PER_SEC;
	return phase >= NS_PER_SEC - CMOS_UIP_NS;
}

static bool cmos_binary(const struct cmos *c)
{
	return c->ram[CMOS_REG_B] & CMOS_B_DM;
}

static uint8_t cmos_encode(const struct cmos *c, unsigned v)
{
	return cmos_binary(c) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* -1 for a BCD byte with a digit above 9. */
static int cmos_decode(const struct cmos *c, uint8_t v)
{
	if (cmos_binary(c))
		return v;
	if ((v & 0x0F) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0F);
}

static uint8_t cmos_encode_hour(const struct cmos *c, unsigned hour)
{
	if (c->ram[CMOS_REG_B] & CMOS_B_24H)
		return cmos_encode(c, hour);
	unsigned h12 = hour % 12 ? hour % 12 : 12;
	return cmos_encode(c, h12) | (hour >= 12 ? CMOS_HOUR_PM : 0);
}

static int cmos_decode_hour(const struct cmos *c, uint8_t v)
{
	if (c->ram[CMOS_REG_B] & CMOS_B_24H)
		return cmos_decode(c, v);
	int h = cmos_decode(c, v & (uint8_t)~CMOS_HOUR_PM);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + ((v & CMOS_HOUR_PM) ? 12 : 0);
}

static void cmos_guest_tm(struct cmos *c, struct tm *tm)
{
	time_t t = (time_t)cmos_guest_sec(c);
	gmtime_r(&t, tm);
}

static uint8_t cmos_read_clock(struct cmos *c, unsigned idx)
{
	struct tm tm;
	cmos_guest_tm(c, &tm);
	int year = tm.tm_year + 1900;
	switch (idx) {
	case CMOS_SECONDS: return cmos_encode(c, (unsigned)tm.tm_sec);
	case CMOS_MINUTES: return cmos_encode(c, (unsigned)tm.tm_min);
	case CMOS_HOURS: return cmos_encode_hour(c, (unsigned)tm.tm_hour);
	case CMOS_DAY_OF_WEEK: return cmos_encode(c, (unsigned)tm.tm_wday + 1);
	case CMOS_DAY_OF_MONTH: return cmos_encode(c, (unsigned)tm.tm_mday);
	case CMOS_MONTH: return cmos_encode(c, (unsigned)tm.tm_mon + 1);
	case CMOS_YEAR: return cmos_encode(c, (unsigned)(year % 100));
	default: return cmos_encode(c, (unsigned)(year / 100)); /* CMOS_CENTURY, PS/2 century */
	}
}

/* Move the guest clock so that the field idx reads value v from now on. */
static void cmos_write_clock(struct cmos *c, unsigned idx, uint8_t v)
{
	struct tm tm;
	cmos_guest_tm(c, &tm);
	int year = tm.tm_year + 1900;
	int d = idx == CMOS_HOURS ? cmos_decode_hour(c, v) : cmos_decode(c, v);
	bool ok = d >= 0;
	switch (idx) {
	case CMOS_SECONDS: ok = ok && d < 60; tm.tm_sec = d; break;
	case CMOS_MINUTES: ok = ok && d < 60; tm.tm_min = d; break;
	case CMOS_HOURS: ok = ok && d < 24; tm.tm_hour = d; break;
	case CMOS_DAY_OF_MONTH: ok = ok && d >= 1 && d <= 31; tm.tm_mday = d; break;
	case CMOS_MONTH: ok = ok && d >= 1 && d <= 12; tm.tm_mon = d - 1; break;
	case CMOS_YEAR: ok = ok && d < 100; tm.tm_year = year / 100 * 100 + d - 1900; break;
	default: /* century */
		ok = ok && d >= 19 && d <= 99;
		tm.tm_year = d * 100 + year % 100 - 1900;
		break;
	}
	if (!ok) {
		atomic_fetch_add(&c->bad_writes, 1);
		return;
	}
	/* Day 31 of a 30-day month rolls over, as timegm normalises it. */
	int64_t sec = (int64_t)timegm(&tm);
	if (sec >= CMOS_END_SEC) {
		atomic_fetch_add(&c->bad_writes, 1);
		return;
	}
	if (c->frozen) {
		c->frozen_sec = sec;
		return;
	}
	/* Whole seconds only: the phase of the running second is kept. The
	 * jump is no update: UF and AF start again from the new time. */
	c->offset_ns += (sec - floor_div(cmos_guest_ns(c), NS_PER_SEC)) * NS_PER_SEC;
	c->acct_sec = sec;
}

static void cmos_write_reg_b(struct cmos *c, uint8_t v)
{
	bool set = v & CMOS_B_SET;
	if (set && !c->frozen) {
		c->frozen_sec = cmos_guest_sec(c);
		c->frozen = true;
		v &= (uint8_t)~CMOS_B_UIE; /* datasheet: SET clears UIE */
	} else if (!set && c->frozen) {
		/* The next update comes one second after SET is cleared. */
		c->offset_ns = c->frozen_sec * NS_PER_SEC - c->now_ns(c->now_ctx);
		c->acct_sec = c->frozen_sec;
		c->frozen = false;
	}
	c->ram[CMOS_REG_B] = v;
}

/* ---- Interrupt flags (register C) ---- */

/* The periodic interrupt's period in time-base cycles; 0 when RS = 0 (off). */
static int64_t cmos_period_cycles(const struct cmos *c)
{
	unsigned rs = c->ram[CMOS_REG_A] & CMOS_A_RS_MASK;
	if (rs == 0)
		return 0;
	if (rs == 1)
		return CMOS_RS_1_CYCLES;
	if (rs == 2)
		return CMOS_RS_2_CYCLES;
	return 1LL << (rs - 1);
}

/* Periods are counted on the host clock, not the guest's: writing the time
 * (or clearing SET) moves the guest clock, which must not bunch or skip
 * periods, and SET does not stop them. The period host time ns falls in: */
static int64_t cmos_period_index(int64_t ns, int64_t cycles)
{
	int64_t sec = floor_div(ns, NS_PER_SEC);
	int64_t frac = ns - sec * NS_PER_SEC;
	return floor_div(sec * CMOS_TIMEBASE_HZ + frac * CMOS_TIMEBASE_HZ / NS_PER_SEC, cycles);
}

/* The host time period p starts at, rounded up to a whole ns. */
static int64_t cmos_period_start(int64_t p, int64_t cycles)
{
	int64_t t = p * cycles;
	int64_t sec = floor_div(t, CMOS_TIMEBASE_HZ);
	int64_t rem = t - sec * CMOS_TIMEBASE_HZ;
	return sec * NS_PER_SEC + (rem * NS_PER_SEC + CMOS_TIMEBASE_HZ - 1) / CMOS_TIMEBASE_HZ;
}

/* An alarm register as a value (-1: don't care). False when it can never
 * match: a bad BCD digit or a value past 59 (23 for hours). */
static bool cmos_alarm_field(const struct cmos *c, unsigned idx, int *out)
{
	uint8_t v = c->ram[idx];
	if ((v & CMOS_ALARM_DONT_CARE) == CMOS_ALARM_DONT_CARE) {
		*out = -1;
		return true;
	}
	bool hours = idx == CMOS_HOURS_ALARM;
	*out = hours ? cmos_decode_hour(c, v) : cmos_decode(c, v);
	return *out >= 0 && *out < (hours ? 24 : 60);
}

/* The first guest second after `after` whose time of day matches the alarm,
 * or CMOS_NEVER. Each step jumps to the next hour, minute or second that
 * can match, so a few steps find it (at most a day ahead). */
static int64_t cmos_next_alarm(const struct cmos *c, int64_t after)
{
	int h, m, s;
	if (!cmos_alarm_field(c, CMOS_HOURS_ALARM, &h) || !cmos_alarm_field(c, CMOS_MINUTES_ALARM, &m) ||
	    !cmos_alarm_field(c, CMOS_SECONDS_ALARM, &s))
		return CMOS_NEVER;
	int64_t t = after + 1;
	for (int i = 0; i < 16; i++) {
		int64_t sod = t - floor_div(t, SEC_PER_DAY) * SEC_PER_DAY;
		int th = (int)(sod / SEC_PER_HOUR), tm = (int)(sod / 60 % 60), ts = (int)(sod % 60);
		int64_t into_hour = sod % SEC_PER_HOUR;
		if (h >= 0 && th != h)
			t += (h > th ? (int64_t)(h - th) * SEC_PER_HOUR : SEC_PER_DAY - (int64_t)th * SEC_PER_HOUR) -
			     into_hour;
		else if (m >= 0 && tm != m)
			t += (m > tm ? (int64_t)(m - tm) * 60 : SEC_PER_HOUR - (int64_t)tm * 60) - ts;
		else if (s >= 0 && ts != s)
			t += s > ts ? s - ts : 60 - ts;
		else
			return t;
	}
	return CMOS_NEVER;
}

/* Bring PF, UF and AF up to host time now: what the chip would have set
 * since they were last accounted. Several periods are one PF (a level). */
static void cmos_account(struct cmos *c, int64_t now)
{
	int64_t cycles = cmos_period_cycles(c);
	if (cycles) {
		int64_t p = cmos_period_index(now, cycles);
		if (p > c->pf_acct) {
			if (c->ram[CMOS_REG_B] & CMOS_B_PIE) {
				uint64_t lost = (uint64_t)(p - c->pf_acct) - ((c->flags & CMOS_C_PF) ? 0 : 1);
				atomic_fetch_add(&c->pf_coalesced, lost);
			}
			c->flags |= CMOS_C_PF;
		}
		c->pf_acct = p; /* also when the host clock stepped back */
	}
	if (c->frozen)
		return; /* SET: no updates, so no UF and no alarm */
	int64_t sec = floor_div(now + c->offset_ns, NS_PER_SEC);
	if (sec > c->acct_sec) {
		c->flags |= CMOS_C_UF;
		if (cmos_next_alarm(c, c->acct_sec) <= sec)
			c->flags |= CMOS_C_AF;
	}
	c->acct_sec = sec;
}

static uint8_t cmos_irqf(const struct cmos *c)
{
	return (c->flags & c->ram[CMOS_REG_B] & CMOS_FLAGS) ? CMOS_C_IRQF : 0;
}

static void cmos_update_line(struct cmos *c)
{
	bool level = cmos_irqf(c);
	if (level != c->line) {
		c->line = level;
		irq_line_set(&c->irq, level);
	}
}

/* The earliest host time an enabled flag gets set, counting flags already
 * set only if all_enabled (they change nothing until C is read); capped at
 * 1/CMOS_TIMER_MAX_HZ after the last deadline that fired. CMOS_NO_TIMER: none. */
static int64_t cmos_want_timer(const struct cmos *c, bool all_enabled)
{
	uint8_t en = c->ram[CMOS_REG_B] & CMOS_FLAGS;
	if (!all_enabled)
		en &= (uint8_t)~c->flags;
	int64_t t = CMOS_NEVER, cycles = cmos_period_cycles(c);
	if ((en & CMOS_C_PF) && cycles)
		t = cmos_period_start(c->pf_acct + 1, cycles);
	if (!c->frozen && (en & CMOS_C_UF)) {
		int64_t u = (c->acct_sec + 1) * NS_PER_SEC - c->offset_ns;
		t = u < t ? u : t;
	}
	if (!c->frozen && (en & CMOS_C_AF)) {
		int64_t a = cmos_next_alarm(c, c->acct_sec);
		if (a != CMOS_NEVER && a * NS_PER_SEC - c->offset_ns < t)
			t = a * NS_PER_SEC - c->offset_ns;
	}
	if (t == CMOS_NEVER)
		return CMOS_NO_TIMER;
	/* Relative to the deadline, not to when the poll ran: a late wakeup
	 * does not push the next one later (no drift at 1024 Hz). */
	int64_t earliest = c->last_fired_ns + NS_PER_SEC / CMOS_TIMER_MAX_HZ;
	return t > earliest ? t : earliest;
}

/* After the guest changed something: the line follows IRQF; if a timer is
 * now wanted sooner than the last poll armed, ask for a poll. */
static void cmos_changed(struct cmos *c)
{
	cmos_update_line(c);
	if (!c->kick || c->line)
		return;
	int64_t want = cmos_want_timer(c, false);
	if (want != CMOS_NO_TIMER && (c->armed_ns == CMOS_NO_TIMER || want < c->armed_ns)) {
		c->armed_ns = want; /* one kick until the poll */
		c->kick(c->kick_ctx);
	}
}

static uint8_t cmos_read_reg_c(struct cmos *c)
{
	cmos_account(c, c->now_ns(c->now_ctx));
	uint8_t v = c->flags | cmos_irqf(c);
	c->flags = 0;
	cmos_changed(c);
	return v;
}

static bool cmos_is_clock(unsigned idx)
{
	return idx <= CMOS_YEAR && idx != CMOS_SECONDS_ALARM && idx != CMOS_MINUTES_ALARM &&
	       idx != CMOS_HOURS_ALARM;
}

static uint8_t cmos_read_data(struct cmos *c)
{
	unsigned idx = c->index;
	if (cmos_is_clock(idx) || idx == CMOS_CENTURY)
		return cmos_read_clock(c, idx);
	switch (idx) {
	case CMOS_REG_A:
		return (uint8_t)((c->ram[idx] & ~CMOS_A_UIP) | (cmos_uip(c) ? CMOS_A_UIP : 0));
	case CMOS_REG_C:
		return cmos_read_reg_c(c);
	case CMOS_REG_D:
		return CMOS_D_VRT;
	default:
		return c->ram[idx];
	}
}

static void cmos_write_data(struct cmos *c, uint8_t v)
{
	unsigned idx = c->index;
	int64_t now = c->now_ns(c->now_ctx);
	/* Flags due under the old settings are set before they change. */
	cmos_account(c, now);
	if (idx == CMOS_DAY_OF_WEEK) {
		/* derived from the date: ignored */
	} else if (cmos_is_clock(idx) || idx == CMOS_CENTURY) {
		cmos_write_clock(c, idx, v);
	} else if (idx == CMOS_REG_A) {
		c->ram[idx] = v & (uint8_t)~CMOS_A_UIP;
		int64_t cycles = cmos_period_cycles(c);
		if (cycles) /* a new rate counts from now */
			c->pf_acct = cmos_period_index(now, cycles);
	} else if (idx == CMOS_REG_B) {
		cmos_write_reg_b(c, v);
	} else if (idx == CMOS_REG_C || idx == CMOS_REG_D) {
		atomic_fetch_add(&c->bad_writes, 1); /* read-only */
	} else {
		c->ram[idx] = v;
	}
	cmos_changed(c);
}

static uint64_t cmos_read(void *opaque, uint64_t off, unsigned size)
{
	struct cmos *c = opaque;
	uint64_t v = 0;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < size; i++) {
		/* The index register is write-only: reads float (QEMU gives 0xFF). */
		uint8_t b = off + i == 0 ? 0xFF : cmos_read_data(c);
		v |= (uint64_t)b << (8 * i);
	}
	pthread_mutex_unlock(&c->lock);
	return v;
}

static void cmos_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct cmos *c = opaque;
	pthread_mutex_lock(&c->lock);
	/* A word write to 0x70 is an index write followed by a data write. */
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		if (off + i == 0)
			c->index = b & CMOS_INDEX_MASK;
		else
			cmos_write_data(c, b);
	}
	pthread_mutex_unlock(&c->lock);
}

const struct bus_ops cmos_ops = {
	.read = cmos_read,
	.write = cmos_write,
};

int cmos_init(struct cmos *c, int64_t (*now_ns)(void *ctx), void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->now_ns = now_ns ? now_ns : cmos_host_now;
	c->now_ctx = ctx;
	c->ram[CMOS_REG_A] = CMOS_A_DEFAULT;
	c->ram[CMOS_REG_B] = CMOS_B_DEFAULT;
	c->ram[CMOS_REG_D] = CMOS_D_VRT;
	int64_t now = c->now_ns(c->now_ctx);
	c->acct_sec = floor_div(now, NS_PER_SEC);
	if (cmos_period_cycles(c))
		c->pf_acct = cmos_period_index(now, cmos_period_cycles(c));
	c->armed_ns = CMOS_NO_TIMER;
	atomic_init(&c->bad_writes, 0);
	atomic_init(&c->pf_coalesced, 0);
	atomic_init(&c->timer_polls, 0);
	return -pthread_mutex_init(&c->lock, NULL);
}

void cmos_set_irq(struct cmos *c, const struct irq_line *irq, void (*kick)(void *ctx), void *kick_ctx)
{
	pthread_mutex_lock(&c->lock);
	c->irq = irq ? *irq : (struct irq_line){ 0 };
	c->kick = kick;
	c->kick_ctx = kick_ctx;
	pthread_mutex_unlock(&c->lock);
}

int64_t cmos_timer_poll(struct cmos *c)
{
	pthread_mutex_lock(&c->lock);
	int64_t now = c->now_ns(c->now_ctx);
	atomic_fetch_add(&c->timer_polls, 1);
	bool was_up = c->line;
	if (c->armed_ns != CMOS_NO_TIMER && now >= c->armed_ns)
		c->last_fired_ns = c->armed_ns;
	cmos_account(c, now);
	cmos_update_line(c);
	int64_t want = CMOS_NO_TIMER;
	if (!c->line)
		want = cmos_want_timer(c, false);
	else if (!was_up) /* raised just now: the guest's read of C will */
		want = cmos_want_timer(c, true); /* likely want this deadline */
	c->armed_ns = want;
	pthread_mutex_unlock(&c->lock);
	if (want == CMOS_NO_TIMER)
		return CMOS_NO_TIMER;
	return want > now ? want - now : 1;
}

void cmos_destroy(struct cmos *c)
{
	pthread_mutex_destroy(&c->lock);
}

static void cmos_put16(struct cmos *c, unsigned lo, uint64_t v)
{
	if (v > 0xFFFF)
		v = 0xFFFF;
	c->ram[lo] = (uint8_t)v;
	c->ram[lo + 1] = (uint8_t)(v >> 8);
}

void cmos_fill_pc(struct cmos *c, const struct cmos_pc_info *info)
{
	const uint64_t kib = 1024, mib = 1024 * kib, unit64k = 64 * kib;
	pthread_mutex_lock(&c->lock);
	c->ram[CMOS_SHUTDOWN_STATUS] = 0;
	c->ram[CMOS_EQUIPMENT] = CMOS_EQUIPMENT_FPU;
	cmos_put16(c, CMOS_BASE_MEM_LO, CMOS_BASE_MEM_KIB);
	uint64_t ext = info->ram_below_4g > mib ? (info->ram_below_4g - mib) / kib : 0;
	cmos_put16(c, CMOS_EXT_MEM_LO, ext);
	cmos_put16(c, CMOS_EXT_MEM2_LO, ext);
	uint64_t above16 = info->ram_below_4g > 16 * mib ? (info->ram_below_4g - 16 * mib) / unit64k : 0;
	cmos_put16(c, CMOS_MEM_16M_LO, above16);
	uint64_t above4g = info->ram_above_4g / unit64k;
	if (above4g > 0xFFFFFF)
		above4g = 0xFFFFFF;
	c->ram[CMOS_MEM_4G_LO] = (uint8_t)above4g;
	c->ram[CMOS_MEM_4G_MID] = (uint8_t)(above4g >> 8);
	c->ram[CMOS_MEM_4G_HI] = (uint8_t)(above4g >> 16);
	c->ram[CMOS_SMP_COUNT] = (uint8_t)(info->cpus ? info->cpus - 1 : 0);
	c->ram[CMOS_BOOT_FLAG2] = CMOS_BOOT_HDD;
	c->ram[CMOS_BOOT_FLAG1] = CMOS_BOOT_NO_FD_CHECK;
	c->ram[CMOS_PS2_CENTURY] = cmos_read_clock(c, CMOS_CENTURY);
	unsigned sum = 0;
	for (unsigned i = CMOS_CHECKSUM_FIRST; i <= CMOS_CHECKSUM_LAST; i++)
		sum += c->ram[i];
	c->ram[CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
	c->ram[CMOS_CHECKSUM_LO] = (uint8_t)sum;
	pthread_mutex_unlock(&c->lock);
}

uint8_t cmos_nvram_get(struct cmos *c, unsigned idx)
{
	pthread_mutex_lock(&c->lock);
	uint8_t v = idx < CMOS_SIZE ? c->ram[idx] : 0xFF;
	pthread_mutex_unlock(&c->lock);
	return v;
}
