/* timer.c: TSC calibration against PIT channel 2, delays, and the PIT interrupt check (channel 0, IRQ0). */
#include "os.h"

/* Until the calibration runs, timeouts assume a fast TSC (so they last at
 * least as long as asked on any real clock). */
#define TSC_KHZ_FALLBACK 4000000
#define CAL_LATCH  59659 /* PIT counts in 50 ms: 1193182 Hz * 0.05 s */
#define PIT_TEST_HZ 1000
#define PIT_TEST_MS 50

static uint64_t tsc_khz = TSC_KHZ_FALLBACK;

void tsc_set_khz(uint64_t khz)
{
	tsc_khz = khz;
}

uint64_t tsc_from_us(uint64_t us)
{
	return us * tsc_khz / 1000;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_from_us(us);
	while (rdtsc() < end)
		cpu_relax();
}

/* PIT channel 2 in mode 0 (interrupt on terminal count) with its gate on:
 * OUT2, visible as port 0x61 bit 5, goes high after CAL_LATCH input clocks
 * (8254 datasheet, mode 0; the PC/AT wiring of port 0x61). */
bool check_tsc(struct os_state *s)
{
	uint8_t ctrl = inb(PORT_SYS_CTRL_B);
	outb(PORT_SYS_CTRL_B, (ctrl & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_MODE, 0xB0);                          /* ch2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, CAL_LATCH & 0xFF);
	outb(PIT_CH2, CAL_LATCH >> 8);
	uint64_t t0 = rdtsc(), bound = t0 + tsc_from_us(2000000), t1;
	bool seen = false;
	while (!(seen = inb(PORT_SYS_CTRL_B) & 0x20) && (t1 = rdtsc()) < bound)
		;
	t1 = rdtsc();
	outb(PORT_SYS_CTRL_B, ctrl & ~0x03);
	if (!seen)
		return check_fail("PIT channel 2 output (port 0x61 bit 5) never rose");
	uint64_t khz = (t1 - t0) * PIT_HZ / ((uint64_t)CAL_LATCH * 1000);
	check_note("TSC %lu kHz by PIT channel 2", khz);
	if (khz < 200000 || khz > 20000000)
		return check_fail("implausible TSC rate %lu kHz", khz);
	s->tsc_khz = khz;
	tsc_set_khz(khz);
	return true;
}

/* Channel 0 as a 1 kHz rate generator (mode 2) on IRQ0 through the master
 * PIC: about PIT_TEST_MS interrupts should arrive in PIT_TEST_MS ms. */
bool check_pit(struct os_state *s)
{
	(void)s;
	const uint16_t div = (PIT_HZ + PIT_TEST_HZ / 2) / PIT_TEST_HZ;
	outb(PIT_MODE, 0x34); /* ch0, lo/hi byte, mode 2, binary */
	outb(PIT_CH0, div & 0xFF);
	outb(PIT_CH0, div >> 8);
	uint32_t c0 = pic_count(0);
	pic_unmask(0);
	uint64_t start = rdtsc(), end = start + tsc_from_us(PIT_TEST_MS * 1000);
	__asm__ volatile("sti" ::: "memory");
	while (rdtsc() < end)
		cpu_relax();
	__asm__ volatile("cli" ::: "memory");
	pic_mask(0);
	uint32_t n = pic_count(0) - c0;
	/* Stop the periodic timer: mode 0 with the longest count fires once. */
	outb(PIT_MODE, 0x30);
	outb(PIT_CH0, 0xFF);
	outb(PIT_CH0, 0xFF);
	check_note("%u IRQ0 in %d ms at %d Hz", n, PIT_TEST_MS, PIT_TEST_HZ);
	const uint32_t want = PIT_TEST_MS * PIT_TEST_HZ / 1000;
	if (n < want * 8 / 10 || n > want * 12 / 10)
		return check_fail("%u interrupts, expected %u +- 20%%", n, want);
	return true;
}
