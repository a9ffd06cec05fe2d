/* tsc.c: TSC frequency from "tsc_khz=" or a PIT channel 2 one-shot (as Linux's pit_calibrate_tsc does). */
#include "guest.h"
#include "tsc.h"

#define TSC_GUESS_KHZ 3000000u

static uint64_t khz_cached;
static bool khz_known;
static const char *khz_source = "none";

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* The pvclock structure KVM writes (32 bytes, must not cross a page). */
static volatile uint8_t pvclock[32] __attribute__((aligned(64)));

/* KVM's own idea of the guest TSC rate: 10^6 kHz * 2^32 / mul, shifted back
 * by tsc_shift (as Linux's pvclock_tsc_khz computes it). */
static uint64_t tsc_kvmclock_khz(void)
{
	uint32_t a, b, c, d;
	cpuid(CPUID_KVM_SIGNATURE, &a, &b, &c, &d);
	/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX. */
	if (b != 0x4B4D564Bu || c != 0x564B4D56u || d != 0x4D)
		return 0;
	if (a < CPUID_KVM_FEATURES)
		return 0;
	cpuid(CPUID_KVM_FEATURES, &a, &b, &c, &d);
	if (!(a & (1u << KVM_FEATURE_CLOCKSOURCE2)))
		return 0;
	for (unsigned i = 0; i < sizeof(pvclock); i++)
		pvclock[i] = 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)pvclock | 1);
	uint32_t mul = 0;
	int8_t shift = 0;
	/* KVM fills it before the vCPU runs again; bound the wait anyway. */
	for (int i = 0; i < 1000000 && !mul; i++) {
		mul = *(volatile uint32_t *)&pvclock[PVCLOCK_MUL_OFF];
		shift = (int8_t)pvclock[PVCLOCK_SHIFT_OFF];
	}
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!mul)
		return 0;
	uint64_t khz = (1000000ull << 32) / mul;
	return shift < 0 ? khz << -shift : khz >> shift;
}

static uint64_t tsc_measure_once(void)
{
	uint32_t latch = PIT_HZ / 1000 * TSC_CALIBRATE_MS;
	/* Gate on, speaker off; mode 0 counts down once and raises OUT2 at zero. */
	outb(PORT_SYS_CTRL_B, (uint8_t)((inb(PORT_SYS_CTRL_B) & ~SYS_CTRL_B_SPKR) | SYS_CTRL_B_GATE2));
	outb(PIT_PORT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_PORT_CH2, (uint8_t)latch);
	/* The count starts with its high byte: reading the TSC first means a
	 * delay anywhere (an exit, a descheduled vCPU) can only lengthen the
	 * measured interval, never shorten it. */
	uint64_t t0 = rdtsc();
	outb(PIT_PORT_CH2, (uint8_t)(latch >> 8));
	/* Each poll is a port exit (several microseconds on PVM hosts): the
	 * bound is generous; a missing PIT ends it. */
	for (uint32_t i = 0; i < 10000000; i++)
		if (inb(PORT_SYS_CTRL_B) & SYS_CTRL_B_OUT2)
			return (rdtsc() - t0) / TSC_CALIBRATE_MS;
	return 0;
}

/* Errors only add time, so the smallest of a few runs is the best estimate. */
static uint64_t tsc_measure_khz(void)
{
	uint64_t best = 0;
	for (int i = 0; i < TSC_CALIBRATE_RUNS; i++) {
		uint64_t k = tsc_measure_once();
		if (!k)
			return 0;
		if (!best || k < best)
			best = k;
	}
	return best;
}

uint64_t tsc_khz(void)
{
	if (!khz_known) {
		khz_known = true;
		if ((khz_cached = cmdline_u64("tsc_khz", 0)))
			khz_source = "cmdline";
		else if ((khz_cached = tsc_kvmclock_khz()))
			khz_source = "kvmclock";
		else if ((khz_cached = tsc_measure_khz()))
			khz_source = "pit";
	}
	return khz_cached;
}

const char *tsc_khz_source(void)
{
	tsc_khz();
	return khz_source;
}

uint64_t tsc_ms(uint64_t ms)
{
	uint64_t k = tsc_khz();
	return ms * (k ? k : TSC_GUESS_KHZ);
}
