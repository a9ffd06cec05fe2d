/* test_devices_cmos.c: the RTC (BCD/binary/12-hour, UIP, SET, UF), its interrupts (PF, AF, UF, IRQF, the
 * line and the timer it asks for) and the NVRAM fields. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bus.h"
#include "devices/cmos.h"

#define NS 1000000000LL

struct fake_clock {
	int64_t ns;
};

static int64_t fake_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->ns;
}

/* 2024-02-29 23:59:58 UTC, a Thursday. */
static int64_t leap_evening(void)
{
	struct tm tm = { .tm_year = 124, .tm_mon = 1, .tm_mday = 29, .tm_hour = 23, .tm_min = 59,
			 .tm_sec = 58 };
	return (int64_t)timegm(&tm) * NS;
}

static uint8_t rd(struct cmos *c, uint8_t idx)
{
	cmos_ops.write(c, 0, 1, idx);
	return (uint8_t)cmos_ops.read(c, 1, 1);
}

static void wr(struct cmos *c, uint8_t idx, uint8_t v)
{
	cmos_ops.write(c, 0, 1, idx);
	cmos_ops.write(c, 1, 1, v);
}

START_TEST(test_bcd_time)
{
	struct fake_clock clk = { leap_evening() + NS / 2 };
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x58);
	ck_assert_uint_eq(rd(&c, CMOS_MINUTES), 0x59);
	ck_assert_uint_eq(rd(&c, CMOS_HOURS), 0x23);
	ck_assert_uint_eq(rd(&c, CMOS_DAY_OF_WEEK), 5); /* Thursday; Sunday = 1 */
	ck_assert_uint_eq(rd(&c, CMOS_DAY_OF_MONTH), 0x29);
	ck_assert_uint_eq(rd(&c, CMOS_MONTH), 0x02);
	ck_assert_uint_eq(rd(&c, CMOS_YEAR), 0x24);
	ck_assert_uint_eq(rd(&c, CMOS_CENTURY), 0x20);
	ck_assert_uint_eq(rd(&c, CMOS_REG_B), CMOS_B_24H);
	ck_assert_uint_eq(rd(&c, CMOS_REG_D), CMOS_D_VRT);
	/* Two seconds later the date rolls to March 1st. */
	clk.ns += 2 * NS;
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x00);
	ck_assert_uint_eq(rd(&c, CMOS_HOURS), 0x00);
	ck_assert_uint_eq(rd(&c, CMOS_DAY_OF_MONTH), 0x01);
	ck_assert_uint_eq(rd(&c, CMOS_MONTH), 0x03);
	cmos_destroy(&c);
}
END_TEST

START_TEST(test_binary_and_12_hour)
{
	struct fake_clock clk = { leap_evening() };
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	wr(&c, CMOS_REG_B, CMOS_B_DM | CMOS_B_24H);
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 58);
	ck_assert_uint_eq(rd(&c, CMOS_DAY_OF_MONTH), 29);
	ck_assert_uint_eq(rd(&c, CMOS_YEAR), 24);
	ck_assert_uint_eq(rd(&c, CMOS_CENTURY), 20);
	/* 12-hour BCD: 23h is 11 PM. */
	wr(&c, CMOS_REG_B, 0);
	ck_assert_uint_eq(rd(&c, CMOS_HOURS), 0x11 | CMOS_HOUR_PM);
	/* 12-hour binary: midnight is 12 AM. */
	clk.ns += 2 * NS;
	wr(&c, CMOS_REG_B, CMOS_B_DM);
	ck_assert_uint_eq(rd(&c, CMOS_HOURS), 12);
	cmos_destroy(&c);
}
END_TEST

START_TEST(test_uip_window)
{
	struct fake_clock clk = { leap_evening() + NS / 2 };
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	ck_assert_uint_eq(rd(&c, CMOS_REG_A), CMOS_A_DEFAULT);
	clk.ns = leap_evening() + NS - CMOS_UIP_NS - 1;
	ck_assert_uint_eq(rd(&c, CMOS_REG_A) & CMOS_A_UIP, 0);
	clk.ns += 1;
	ck_assert_uint_eq(rd(&c, CMOS_REG_A) & CMOS_A_UIP, CMOS_A_UIP);
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x58); /* the update has not happened yet */
	clk.ns = leap_evening() + NS;
	ck_assert_uint_eq(rd(&c, CMOS_REG_A) & CMOS_A_UIP, 0);
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x59);
	/* UIP is read-only; the divider bits are kept. */
	wr(&c, CMOS_REG_A, 0xA6);
	ck_assert_uint_eq(rd(&c, CMOS_REG_A), 0x26);
	/* With SET the clock stands still and UIP stays clear. */
	wr(&c, CMOS_REG_B, CMOS_B_SET | CMOS_B_24H);
	clk.ns = leap_evening() + 2 * NS - 1000;
	ck_assert_uint_eq(rd(&c, CMOS_REG_A) & CMOS_A_UIP, 0);
	cmos_destroy(&c);
}
END_TEST

START_TEST(test_set_time)
{
	struct fake_clock clk = { leap_evening() + NS / 4 };
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	/* SET freezes the clock while the guest writes a new time. */
	wr(&c, CMOS_REG_B, CMOS_B_SET | CMOS_B_24H);
	wr(&c, CMOS_HOURS, 0x08);
	wr(&c, CMOS_MINUTES, 0x30);
	wr(&c, CMOS_SECONDS, 0x00);
	wr(&c, CMOS_YEAR, 0x31);
	clk.ns += 5 * NS;
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x00);
	ck_assert_uint_eq(rd(&c, CMOS_MINUTES), 0x30);
	wr(&c, CMOS_REG_B, CMOS_B_24H);
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x00);
	clk.ns += NS;
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x01);
	ck_assert_uint_eq(rd(&c, CMOS_HOURS), 0x08);
	ck_assert_uint_eq(rd(&c, CMOS_YEAR), 0x31);
	ck_assert_uint_eq(rd(&c, CMOS_CENTURY), 0x20);
	/* Without SET a write moves the running clock. */
	wr(&c, CMOS_MINUTES, 0x45);
	ck_assert_uint_eq(rd(&c, CMOS_MINUTES), 0x45);
	ck_assert_uint_eq(rd(&c, CMOS_SECONDS), 0x01);
	/* Malformed values are refused and counted. */
	wr(&c, CMOS_MINUTES, 0x5A);
	wr(&c, CMOS_MONTH, 0x13);
	wr(&c, CMOS_REG_C, 0xFF);
	ck_assert_uint_eq(rd(&c, CMOS_MINUTES), 0x45);
	ck_assert_uint_eq(atomic_load(&c.bad_writes), 3);
	cmos_destroy(&c);
}
END_TEST

START_TEST(test_update_flag)
{
	struct fake_clock clk = { leap_evening() - 60 * NS }; /* not across midnight: the alarm (0:00:00) */
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	wr(&c, CMOS_REG_A, 0x20); /* RS 0: no periodic flag */
	ck_assert_uint_eq(rd(&c, CMOS_REG_C), 0);
	clk.ns += NS;
	ck_assert_uint_eq(rd(&c, CMOS_REG_C), CMOS_C_UF);
	ck_assert_uint_eq(rd(&c, CMOS_REG_C), 0); /* reading clears it */
	wr(&c, CMOS_REG_B, CMOS_B_24H | CMOS_B_UIE);
	clk.ns += NS;
	ck_assert_uint_eq(rd(&c, CMOS_REG_C), CMOS_C_UF | CMOS_C_IRQF);
	cmos_destroy(&c);
}
END_TEST

START_TEST(test_nvram_fields)
{
	struct fake_clock clk = { leap_evening() };
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	/* 6 GiB: 3 GiB below the hole, 3 GiB above 4 GiB, 4 CPUs. */
	struct cmos_pc_info info = { .ram_below_4g = 3ULL << 30, .ram_above_4g = 3ULL << 30, .cpus = 4 };
	cmos_fill_pc(&c, &info);
	ck_assert_uint_eq(rd(&c, CMOS_BASE_MEM_LO) | rd(&c, CMOS_BASE_MEM_HI) << 8, 640);
	ck_assert_uint_eq(rd(&c, CMOS_EXT_MEM2_LO) | rd(&c, CMOS_EXT_MEM2_HI) << 8, 0xFFFF);
	ck_assert_uint_eq(rd(&c, CMOS_MEM_16M_LO) | rd(&c, CMOS_MEM_16M_HI) << 8, 0xBF00);
	ck_assert_uint_eq(rd(&c, CMOS_MEM_4G_LO), 0x00);
	ck_assert_uint_eq(rd(&c, CMOS_MEM_4G_MID), 0xC0);
	ck_assert_uint_eq(rd(&c, CMOS_MEM_4G_HI), 0x00);
	ck_assert_uint_eq(rd(&c, CMOS_SMP_COUNT), 3);
	ck_assert_uint_eq(rd(&c, CMOS_BOOT_FLAG2) & 0x0F, CMOS_BOOT_HDD);
	ck_assert_uint_eq(rd(&c, CMOS_SHUTDOWN_STATUS), 0);
	ck_assert_uint_eq(rd(&c, CMOS_PS2_CENTURY), 0x20);
	unsigned sum = 0;
	for (unsigned i = CMOS_CHECKSUM_FIRST; i <= CMOS_CHECKSUM_LAST; i++)
		sum += rd(&c, (uint8_t)i);
	ck_assert_uint_eq(rd(&c, CMOS_CHECKSUM_HI) << 8 | rd(&c, CMOS_CHECKSUM_LO), sum);
	/* 20 MiB: 19 MiB of extended memory, 4 MiB above 16 MiB, one CPU. */
	info = (struct cmos_pc_info){ .ram_below_4g = 20 << 20, .cpus = 1 };
	cmos_fill_pc(&c, &info);
	ck_assert_uint_eq(rd(&c, CMOS_EXT_MEM2_LO) | rd(&c, CMOS_EXT_MEM2_HI) << 8, 19 * 1024);
	ck_assert_uint_eq(rd(&c, CMOS_EXT_MEM_LO) | rd(&c, CMOS_EXT_MEM_HI) << 8, 19 * 1024);
	ck_assert_uint_eq(rd(&c, CMOS_MEM_16M_LO) | rd(&c, CMOS_MEM_16M_HI) << 8, 64);
	ck_assert_uint_eq(rd(&c, CMOS_MEM_4G_MID), 0);
	ck_assert_uint_eq(rd(&c, CMOS_SMP_COUNT), 0);
	/* NVRAM bytes are plain storage; the index keeps 7 bits (bit 7 masks NMI). */
	wr(&c, 0x80 | 0x50, 0xA5);
	ck_assert_uint_eq(rd(&c, 0x50), 0xA5);
	ck_assert_uint_eq(cmos_nvram_get(&c, 0x50), 0xA5);
	ck_assert_uint_eq(cmos_ops.read(&c, 0, 1), 0xFF); /* the index port reads back nothing */
	cmos_destroy(&c);
}
END_TEST

START_TEST(test_through_bus)
{
	struct fake_clock clk = { leap_evening() };
	struct cmos c;
	struct bus b;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
	ck_assert_int_eq(bus_init(&b, "pio"), 0);
	ck_assert_int_eq(bus_register(&b, CMOS_PORT_BASE, CMOS_PORTS, &cmos_ops, &c, "cmos"), 0);
	uint64_t v;
	ck_assert(bus_write(&b, CMOS_PORT_BASE, 1, CMOS_MINUTES));
	ck_assert(bus_read(&b, CMOS_PORT_BASE + 1, 1, &v));
	ck_assert_uint_eq(v, 0x59);
	/* outw 0x70: index in the low byte, data in the high byte. */
	ck_assert(bus_write(&b, CMOS_PORT_BASE, 2, 0x7700 | 0x60));
	ck_assert_uint_eq(cmos_nvram_get(&c, 0x60), 0x77);
	bus_destroy(&b);
	cmos_destroy(&c);
}
END_TEST

/* ---- Interrupts: a fake line and a fake I/O thread ---- */

#define RTC_GSI 8

struct fake_line {
	int level;
	unsigned rises;
};

static void fake_set(void *ctx, unsigned gsi, int level)
{
	struct fake_line *l = ctx;
	ck_assert_uint_eq(gsi, RTC_GSI);
	if (level && !l->level)
		l->rises++;
	l->level = level;
}

static void fake_kick(void *ctx)
{
	(*(unsigned *)ctx)++;
}

struct rig {
	struct fake_clock clk;
	struct fake_line line;
	unsigned kicks;
	struct cmos c;
};

/* At a whole second: 2024-02-29 23:59:58.000 UTC. */
static void rig_init(struct rig *r, int64_t start_ns)
{
	memset(r, 0, sizeof(*r));
	r->clk.ns = start_ns;
	ck_assert_int_eq(cmos_init(&r->c, fake_now, &r->clk), 0);
	struct irq_line irq = { .set = fake_set, .ctx = &r->line, .gsi = RTC_GSI };
	cmos_set_irq(&r->c, &irq, fake_kick, &r->kicks);
}

/* Read C and check it, and that the read lowered the line. */
static void expect_c(struct rig *r, uint8_t want)
{
	ck_assert_uint_eq(rd(&r->c, CMOS_REG_C), want);
	ck_assert_int_eq(r->line.level, 0);
}

/* Periods counted by a guest polling register C (PIE off: no timer) at
 * a quarter period for one second: the rate table, RS 0-15. */
START_TEST(test_periodic_rates)
{
	static const unsigned hz[16] = { 0, 256, 128, 8192, 4096, 2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2 };
	struct rig r;
	rig_init(&r, leap_evening());
	for (unsigned rs = 0; rs < 16; rs++) {
		wr(&r.c, CMOS_REG_A, (uint8_t)(0x20 | rs));
		rd(&r.c, CMOS_REG_C);
		int64_t step = hz[rs] ? NS / hz[rs] / 4 : NS / 1000;
		int64_t end = r.clk.ns + NS;
		unsigned pf = 0;
		while (r.clk.ns + step <= end) {
			r.clk.ns += step;
			if (rd(&r.c, CMOS_REG_C) & CMOS_C_PF)
				pf++;
		}
		ck_assert_msg(pf + 1 >= hz[rs] && pf <= hz[rs] + 1, "RS %u: %u periods in 1 s, want %u", rs, pf,
			      hz[rs]);
	}
	/* Polling only: no timer was ever asked for, no line raised. */
	ck_assert_uint_eq(r.kicks, 0);
	ck_assert_uint_eq(r.line.rises, 0);
	cmos_destroy(&r.c);
}
END_TEST

/* The I/O thread: sleep as long as the device asks, then poll. */
static int64_t rig_sleep_poll(struct rig *r, int64_t delay)
{
	ck_assert_int_ge(delay, 1);
	r->clk.ns += delay;
	return cmos_timer_poll(&r->c);
}

START_TEST(test_update_interrupt)
{
	struct rig r;
	rig_init(&r, leap_evening() - 60 * NS + NS / 4); /* no alarm at midnight in the way */
	ck_assert_int_eq(cmos_timer_poll(&r.c), CMOS_NO_TIMER); /* nothing enabled */
	wr(&r.c, CMOS_REG_A, 0x20); /* RS 0: no periodic flag either */
	wr(&r.c, CMOS_REG_B, CMOS_B_24H | CMOS_B_UIE);
	ck_assert_uint_eq(r.kicks, 1);
	int64_t d = cmos_timer_poll(&r.c);
	ck_assert_int_eq(d, 3 * NS / 4); /* the next update */
	for (int i = 0; i < 5; i++) {
		d = rig_sleep_poll(&r, d);
		ck_assert_int_eq(r.line.level, 1);
		ck_assert_uint_eq(r.line.rises, (unsigned)i + 1);
		/* Armed for the next second already, which the guest's read
		 * of C (its handler, 10 ms later) keeps: no kick per read. */
		ck_assert_int_eq(d, NS);
		r.clk.ns += NS / 100;
		expect_c(&r, CMOS_C_UF | CMOS_C_IRQF);
		d -= NS / 100;
	}
	ck_assert_uint_eq(r.kicks, 1);
	/* A guest that does not read C: one more poll, then none. */
	d = rig_sleep_poll(&r, d);
	ck_assert_int_eq(r.line.level, 1);
	d = rig_sleep_poll(&r, d);
	ck_assert_int_eq(d, CMOS_NO_TIMER);
	r.clk.ns += 3 * NS;
	expect_c(&r, CMOS_C_UF | CMOS_C_IRQF); /* three updates, one flag */
	ck_assert_uint_eq(r.kicks, 2); /* the read wants a timer again */
	ck_assert_int_eq(cmos_timer_poll(&r.c), NS);
	/* Disabled: the last timer finds nothing to do and asks for none. */
	wr(&r.c, CMOS_REG_B, CMOS_B_24H);
	ck_assert_int_eq(rig_sleep_poll(&r, NS), CMOS_NO_TIMER);
	ck_assert_int_eq(r.line.level, 0);
	ck_assert_uint_eq(r.line.rises, 6);
	cmos_destroy(&r.c);
}
END_TEST

START_TEST(test_irqf_follows_enables)
{
	struct rig r;
	rig_init(&r, leap_evening());
	wr(&r.c, CMOS_REG_A, 0x20);
	r.clk.ns += NS;
	/* UF is set (lazily) with UIE off: no line. Enabling UIE raises it
	 * at once, disabling lowers it: IRQF = UF & UIE. */
	wr(&r.c, CMOS_REG_B, CMOS_B_24H | CMOS_B_UIE);
	ck_assert_int_eq(r.line.level, 1);
	wr(&r.c, CMOS_REG_B, CMOS_B_24H);
	ck_assert_int_eq(r.line.level, 0);
	wr(&r.c, CMOS_REG_B, CMOS_B_24H | CMOS_B_AIE | CMOS_B_PIE);
	ck_assert_int_eq(r.line.level, 0); /* other flags' enables */
	expect_c(&r, CMOS_C_UF);
	ck_assert_uint_eq(rd(&r.c, CMOS_REG_C), 0);
	ck_assert_uint_eq(r.line.rises, 1);
	cmos_destroy(&r.c);
}
END_TEST

START_TEST(test_alarm)
{
	struct rig r;
	rig_init(&r, leap_evening() + NS / 2); /* 23:59:58.5 */
	wr(&r.c, CMOS_REG_A, 0x20);
	/* Exact: 00:00:03 (BCD), after midnight. */
	wr(&r.c, CMOS_HOURS_ALARM, 0x00);
	wr(&r.c, CMOS_MINUTES_ALARM, 0x00);
	wr(&r.c, CMOS_SECONDS_ALARM, 0x03);
	wr(&r.c, CMOS_REG_B, CMOS_B_24H | CMOS_B_AIE);
	int64_t d = cmos_timer_poll(&r.c);
	ck_assert_int_eq(d, 4 * NS + NS / 2);
	r.clk.ns += d - 1;
	expect_c(&r, CMOS_C_UF); /* 00:00:02.999: updates, no alarm */
	ck_assert_int_eq(cmos_timer_poll(&r.c), 1); /* 1 ns to go */
	d = rig_sleep_poll(&r, 1);
	ck_assert_int_eq(r.line.level, 1);
	expect_c(&r, CMOS_C_AF | CMOS_C_UF | CMOS_C_IRQF);
	ck_assert_uint_eq(rd(&r.c, CMOS_SECONDS), 0x03);
	/* Next: a day later. */
	ck_assert_int_eq(cmos_timer_poll(&r.c), 86400 * NS);
	/* Don't care hours and minutes (bits 7:6 = 11): every minute at :30. */
	wr(&r.c, CMOS_HOURS_ALARM, 0xC0);
	wr(&r.c, CMOS_MINUTES_ALARM, 0xFF);
	wr(&r.c, CMOS_SECONDS_ALARM, 0x30);
	for (int i = 0; i < 5; i++) {
		d = cmos_timer_poll(&r.c);
		d = rig_sleep_poll(&r, d);
		ck_assert_int_eq(r.line.level, 1);
		ck_assert_uint_eq(rd(&r.c, CMOS_SECONDS), 0x30);
		ck_assert_uint_eq(rd(&r.c, CMOS_REG_C) & CMOS_C_AF, CMOS_C_AF);
	}
	ck_assert_uint_eq(rd(&r.c, CMOS_MINUTES), 0x04); /* 00:00:30 ... 00:04:30 */
	/* All three don't care: every second. */
	wr(&r.c, CMOS_SECONDS_ALARM, 0xC5);
	r.clk.ns += NS;
	ck_assert_uint_eq(rd(&r.c, CMOS_REG_C), CMOS_C_AF | CMOS_C_UF | CMOS_C_IRQF);
	/* A value that never matches (BCD 0x7A) asks for no timer; AIE off,
	 * AF is still seen by polling. */
	wr(&r.c, CMOS_SECONDS_ALARM, 0x7A);
	ck_assert_int_eq(cmos_timer_poll(&r.c), CMOS_NO_TIMER);
	r.clk.ns += 120 * NS;
	ck_assert_uint_eq(rd(&r.c, CMOS_REG_C), CMOS_C_UF);
	wr(&r.c, CMOS_REG_B, CMOS_B_24H);
	wr(&r.c, CMOS_SECONDS_ALARM, 0x00);
	r.clk.ns += 61 * NS;
	expect_c(&r, CMOS_C_AF | CMOS_C_UF);
	ck_assert_int_eq(cmos_timer_poll(&r.c), CMOS_NO_TIMER);
	/* A long gap still finds the alarm time passed in it (12-hour, binary:
	 * 1 PM every day, hit once in two days without a read). */
	wr(&r.c, CMOS_REG_B, CMOS_B_DM);
	wr(&r.c, CMOS_HOURS_ALARM, 0x80 | 1);
	wr(&r.c, CMOS_MINUTES_ALARM, 0);
	wr(&r.c, CMOS_SECONDS_ALARM, 0);
	rd(&r.c, CMOS_REG_C);
	r.clk.ns += 2 * 86400 * NS;
	ck_assert_uint_eq(rd(&r.c, CMOS_REG_C), CMOS_C_AF | CMOS_C_UF);
	r.clk.ns += 3600 * NS; /* within an hour of 1 PM at most: not passed again */
	ck_assert_uint_eq(rd(&r.c, CMOS_REG_C) & CMOS_C_AF, 0);
	cmos_destroy(&r.c);
}
END_TEST

START_TEST(test_set_stops_updates_not_periodic)
{
	struct rig r;
	rig_init(&r, leap_evening() + NS / 2);
	wr(&r.c, CMOS_HOURS_ALARM, 0xC0); /* alarm every second */
	wr(&r.c, CMOS_MINUTES_ALARM, 0xC0);
	wr(&r.c, CMOS_SECONDS_ALARM, 0xC0);
	wr(&r.c, CMOS_REG_A, 0x2F); /* 2 Hz */
	rd(&r.c, CMOS_REG_C);
	wr(&r.c, CMOS_REG_B, CMOS_B_SET | CMOS_B_24H | CMOS_B_AIE);
	ck_assert_int_eq(cmos_timer_poll(&r.c), CMOS_NO_TIMER); /* no updates, no alarm */
	r.clk.ns += 3 * NS;
	expect_c(&r, CMOS_C_PF);
	/* PIE under SET: the periodic timer runs. */
	wr(&r.c, CMOS_REG_B, CMOS_B_SET | CMOS_B_24H | CMOS_B_AIE | CMOS_B_PIE);
	int64_t d = cmos_timer_poll(&r.c);
	ck_assert_int_eq(d, NS / 2);
	d = rig_sleep_poll(&r, d);
	ck_assert_int_eq(r.line.level, 1);
	expect_c(&r, CMOS_C_PF | CMOS_C_IRQF);
	/* SET cleared: the next update (and alarm) one second later. */
	wr(&r.c, CMOS_REG_B, CMOS_B_24H | CMOS_B_AIE);
	ck_assert_int_eq(cmos_timer_poll(&r.c), NS);
	r.clk.ns += NS;
	ck_assert_uint_eq(rd(&r.c, CMOS_REG_C), CMOS_C_PF | CMOS_C_AF | CMOS_C_UF | CMOS_C_IRQF);
	cmos_destroy(&r.c);
}
END_TEST

/* A guest at the periodic rate RS with PIE, reading C as each interrupt
 * arrives, for one second; the I/O thread wakes `late` ns after each
 * deadline. Returns the interrupts taken. */
static unsigned run_periodic(struct rig *r, unsigned rs, int64_t late, unsigned *wakeups)
{
	wr(&r->c, CMOS_REG_A, (uint8_t)(0x20 | rs));
	wr(&r->c, CMOS_REG_B, CMOS_B_24H | CMOS_B_PIE);
	rd(&r->c, CMOS_REG_C);
	int64_t end = r->clk.ns + NS, d = cmos_timer_poll(&r->c);
	unsigned irqs = 0, rises = r->line.rises;
	*wakeups = 0;
	while (d != CMOS_NO_TIMER && r->clk.ns + d + late <= end) {
		d = rig_sleep_poll(r, d + late);
		(*wakeups)++;
		if (r->line.level) {
			irqs++;
			ck_assert_uint_eq(rd(&r->c, CMOS_REG_C) & (CMOS_C_PF | CMOS_C_IRQF), CMOS_C_PF | CMOS_C_IRQF);
			ck_assert_int_eq(r->line.level, 0);
		}
	}
	ck_assert_uint_eq(r->line.rises - rises, irqs);
	wr(&r->c, CMOS_REG_B, CMOS_B_24H);
	return irqs;
}

START_TEST(test_periodic_interrupt)
{
	struct rig r;
	unsigned wakeups;
	rig_init(&r, leap_evening() - 3600 * NS);
	/* 64 Hz and 1024 Hz, with wakeups 50 us late: no drift, nothing lost. */
	unsigned n = run_periodic(&r, 0x0A, 50000, &wakeups);
	ck_assert_msg(n >= 63 && n <= 64, "%u at 64 Hz", n);
	n = run_periodic(&r, 0x06, 50000, &wakeups);
	ck_assert_msg(n >= 1023 && n <= 1024, "%u at 1024 Hz", n);
	ck_assert_uint_eq(atomic_load(&r.c.pf_coalesced), 0);
	ck_assert_uint_eq(r.kicks, 2); /* one per PIE enable: the reads keep the deadline */
	cmos_destroy(&r.c);
}
END_TEST

/* Hostile rates: RS 3 (8192 Hz) and 4 (4096 Hz) get at most
 * CMOS_TIMER_MAX_HZ wakeups; the rest coalesce and are counted. */
START_TEST(test_periodic_rate_cap)
{
	struct rig r;
	unsigned wakeups;
	rig_init(&r, leap_evening() - 3600 * NS);
	unsigned n = run_periodic(&r, 0x03, 0, &wakeups);
	ck_assert_msg(wakeups <= CMOS_TIMER_MAX_HZ + 1 && n <= wakeups, "%u wakeups, %u interrupts", wakeups, n);
	ck_assert_msg(n >= CMOS_TIMER_MAX_HZ - 1, "%u interrupts", n);
	unsigned long lost = atomic_load(&r.c.pf_coalesced);
	/* Up to two wakeups' worth (8 periods each) fall outside the second. */
	ck_assert_msg(lost + n >= 8192 - 16 && lost + n <= 8193, "%u taken + %lu coalesced at 8192 Hz", n, lost);
	n = run_periodic(&r, 0x04, 0, &wakeups);
	ck_assert_msg(wakeups <= CMOS_TIMER_MAX_HZ + 1, "%u wakeups at 4096 Hz", wakeups);
	/* A guest that never reads C: one wakeup after the line rose, then none. */
	wr(&r.c, CMOS_REG_A, 0x23);
	wr(&r.c, CMOS_REG_B, CMOS_B_24H | CMOS_B_PIE);
	int64_t d = cmos_timer_poll(&r.c);
	d = rig_sleep_poll(&r, d);
	ck_assert_int_eq(r.line.level, 1);
	d = rig_sleep_poll(&r, d);
	ck_assert_int_eq(d, CMOS_NO_TIMER);
	cmos_destroy(&r.c);
}
END_TEST

/* Random guest writes to the control and alarm registers and the clock,
 * random host time steps (also backwards) and polls: no UB (the ASan/UBSan
 * build), every answer a sane delay, the line always IRQF. */
START_TEST(test_hostile_registers)
{
	struct rig r;
	rig_init(&r, leap_evening());
	static const uint8_t regs[] = { CMOS_REG_A, CMOS_REG_B, CMOS_SECONDS_ALARM, CMOS_MINUTES_ALARM,
					CMOS_HOURS_ALARM, CMOS_SECONDS, CMOS_HOURS, CMOS_YEAR, CMOS_CENTURY };
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint8_t reg = regs[(x >> 8) % sizeof(regs)], v = (uint8_t)(x >> 24);
		switch ((x >> 32) % 4) {
		case 0: wr(&r.c, reg, v); break;
		case 1: rd(&r.c, CMOS_REG_C); ck_assert_int_eq(r.line.level, 0); break;
		case 2: r.clk.ns += (int64_t)((x >> 40) % (3 * NS)) - NS / 10; break;
		default: {
			int64_t d = cmos_timer_poll(&r.c);
			ck_assert(d == CMOS_NO_TIMER || (d >= 1 && d <= 2 * 86400 * NS));
			break;
		}
		}
	}
	/* Century 99 (year 9999) would not fit the clock's nanoseconds: refused. */
	wr(&r.c, CMOS_REG_B, CMOS_B_24H);
	uint8_t century = rd(&r.c, CMOS_CENTURY);
	unsigned long bad = atomic_load(&r.c.bad_writes);
	wr(&r.c, CMOS_CENTURY, 0x99);
	ck_assert_uint_eq(rd(&r.c, CMOS_CENTURY), century);
	ck_assert_uint_eq(atomic_load(&r.c.bad_writes), bad + 1);
	cmos_destroy(&r.c);
}
END_TEST

static Suite *cmos_suite(void)
{
	Suite *s = suite_create("cmos");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_bcd_time);
	tcase_add_test(tc, test_binary_and_12_hour);
	tcase_add_test(tc, test_uip_window);
	tcase_add_test(tc, test_set_time);
	tcase_add_test(tc, test_update_flag);
	tcase_add_test(tc, test_nvram_fields);
	tcase_add_test(tc, test_through_bus);
	tcase_add_test(tc, test_periodic_rates);
	tcase_add_test(tc, test_update_interrupt);
	tcase_add_test(tc, test_irqf_follows_enables);
	tcase_add_test(tc, test_alarm);
	tcase_add_test(tc, test_set_stops_updates_not_periodic);
	tcase_add_test(tc, test_periodic_interrupt);
	tcase_add_test(tc, test_periodic_rate_cap);
	tcase_add_test(tc, test_hostile_registers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cmos_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
