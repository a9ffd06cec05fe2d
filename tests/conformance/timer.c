/* timer.c: TSC calibration against PIT channel 2, delays, and the PIT interrupt check (channel 0, IRQ0). */
#include "os.h"

/* Until the calibration runs, timeouts assume a fast TSC (so they last at
 * least as long as asked on any real clock). */
#define TSC_KHZ_FALLBACK 4000000
#define PIT_TEST_HZ 1000

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

/* PIT channel 2 counts down from 0xFFFF (mode 0, gate on through port 0x61
 * bit 0, speaker off); samples of its count, latched with the counter-latch
 * command (8254 datasheet: control word SC=10, RW=00), paired with the TSC.
 * A host may stop the vCPU at any moment, so a sample whose TSC bracket is
 * wide is taken again: one preemption then cannot skew the rate, where a
 * "wait for OUT2 and read the TSC" loop would absorb it whole. */
#define CAL_SPAN      47727 /* PIT counts between the two samples: 40 ms */
#define CAL_BRACKET_US 100  /* a sample's TSC bracket, at the fallback rate */
#define CAL_TRIES      1000
#define CAL_GAP_US     20000 /* at the fallback rate: under 55 ms for any TSC of 1.5 GHz or more */

static bool pit2_sample(uint16_t *count, uint64_t *tsc)
{
	for (int i = 0; i < CAL_TRIES; i++) {
		uint64_t t0 = rdtsc();
		outb(PIT_MODE, 0x80); /* latch channel 2 */
		uint8_t lo = inb(PIT_CH2), hi = inb(PIT_CH2);
		uint64_t t1 = rdtsc();
		if (t1 - t0 < tsc_from_us(CAL_BRACKET_US)) {
			*count = (uint16_t)(lo | hi << 8);
			*tsc = t0 + (t1 - t0) / 2;
			return true;
		}
	}
	return false;
}

/* One measurement: samples until CAL_SPAN counts have passed; false when
 * the counter wrapped first (the vCPU was stopped for longer than the
 * count lasts), so the caller starts again. */
static bool pit2_measure(uint16_t *span, uint64_t *cycles, bool *sampled)
{
	outb(PIT_MODE, 0xB0); /* ch2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, 0xFF);
	outb(PIT_CH2, 0xFF);
	uint16_t c0, c1, last = 0;
	uint64_t t0, t1, prev, bound = rdtsc() + tsc_from_us(1000000);
	*sampled = pit2_sample(&c0, &t0);
	prev = t0;
	while (*sampled && rdtsc() < bound) {
		*sampled = pit2_sample(&c1, &t1);
		/* A stop between samples does not skew the rate (both clocks
		 * run on), but counts are modulo 2^16: a wrap shows as d going
		 * down, unless one gap lasts a whole count (55 ms), which
		 * CAL_GAP_US rules out. Either way: start over. */
		uint16_t d = (uint16_t)(c0 - c1);
		if (!*sampled || d < last || t1 - prev > tsc_from_us(CAL_GAP_US))
			return false;
		prev = t1;
		if (d >= CAL_SPAN) {
			*span = d;
			*cycles = t1 - t0;
			return true;
		}
		last = d;
	}
	return false;
}

#define CAL_ATTEMPTS 20

bool check_tsc(struct os_state *s)
{
	uint8_t ctrl = inb(PORT_SYS_CTRL_B);
	outb(PORT_SYS_CTRL_B, (ctrl & ~0x02) | 0x01); /* gate on, speaker off */
	uint16_t span = 0;
	uint64_t cycles = 0;
	bool sampled = true, done = false;
	for (int i = 0; i < CAL_ATTEMPTS && sampled && !done; i++)
		done = pit2_measure(&span, &cycles, &sampled);
	outb(PORT_SYS_CTRL_B, ctrl & ~0x03);
	if (!sampled)
		return check_fail("no PIT channel 2 sample within a %d us TSC bracket in %d tries", CAL_BRACKET_US,
				  CAL_TRIES);
	if (!done)
		return check_fail("PIT channel 2 did not count down %d counts steadily in %d attempts", CAL_SPAN,
				  CAL_ATTEMPTS);
	uint64_t khz = cycles * PIT_HZ / ((uint64_t)span * 1000);
	check_note("TSC %lu kHz by PIT channel 2 (%u counts)", khz, span);
	if (khz < 200000 || khz > 20000000)
		return check_fail("implausible TSC rate %lu kHz", khz);
	s->tsc_khz = khz;
	tsc_set_khz(khz);
	return true;
}

/* Channel 0 as a 1 kHz rate generator (mode 2) on IRQ0 through the master
 * PIC. The time PIT_TEST_TICKS interrupts take is bounded below by the rate
 * (they cannot come faster; KVM's PIT re-injects late ticks rather than
 * dropping them) and loosely above: on a loaded host (2 CPUs, load 8) QEMU
 * and vmm alike took 110-140 ms for the 50, as the vCPU gets a share of a
 * CPU and the backlog drains one interrupt at a time. A rate far off either
 * way (e.g. the BIOS's 18.2 Hz left running) still fails. */
#define PIT_TEST_TICKS 50
#define PIT_TEST_MAX_MS 1000 /* 50 Hz: far above BIOS's 18.2 Hz, far below the 1 kHz asked for */

bool check_pit(struct os_state *s)
{
	(void)s;
	const uint16_t div = (PIT_HZ + PIT_TEST_HZ / 2) / PIT_TEST_HZ;
	outb(PIT_MODE, 0x34); /* ch0, lo/hi byte, mode 2, binary */
	outb(PIT_CH0, div & 0xFF);
	outb(PIT_CH0, div >> 8);
	uint32_t c0 = pic_count(0);
	uint64_t start = rdtsc(), end = start + tsc_from_us(2 * PIT_TEST_MAX_MS * 1000), now;
	pic_unmask(0);
	__asm__ volatile("sti" ::: "memory");
	while (pic_count(0) - c0 < PIT_TEST_TICKS && (now = rdtsc()) < end)
		cpu_relax();
	now = rdtsc();
	__asm__ volatile("cli" ::: "memory");
	pic_mask(0);
	uint32_t n = pic_count(0) - c0;
	/* Stop the periodic timer: mode 0 with the longest count fires once. */
	outb(PIT_MODE, 0x30);
	outb(PIT_CH0, 0xFF);
	outb(PIT_CH0, 0xFF);
	uint64_t us = (now - start) * 1000 / (tsc_khz ? tsc_khz : 1);
	check_note("%u IRQ0 in %lu us at %d Hz", n, us, PIT_TEST_HZ);
	const uint64_t min_us = (PIT_TEST_TICKS - 1) * 1000000ULL / PIT_TEST_HZ;
	if (n < PIT_TEST_TICKS)
		return check_fail("only %u interrupts in %d ms at %d Hz", n, 2 * PIT_TEST_MAX_MS, PIT_TEST_HZ);
	if (us < min_us || us > PIT_TEST_MAX_MS * 1000ULL)
		return check_fail("%d interrupts took %lu us, expected %lu to %d000", PIT_TEST_TICKS, us, min_us,
				  PIT_TEST_MAX_MS);
	return true;
}
