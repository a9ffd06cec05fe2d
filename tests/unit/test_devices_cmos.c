/* test_devices_cmos.c: the RTC (BCD/binary/12-hour, UIP, SET, UF) and the NVRAM fields. */
#include <check.h>
#include <stdlib.h>
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
	struct fake_clock clk = { leap_evening() };
	struct cmos c;
	ck_assert_int_eq(cmos_init(&c, fake_now, &clk), 0);
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
