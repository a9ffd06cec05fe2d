/* smp.c: wake every AP with INIT-SIPI-SIPI; each prints "cpu N online". Proves SMP start-up and LAPIC IPIs. */
#include "lib/guest.h"

static volatile uint32_t online; /* APs that finished printing */

static void ap_main(uint32_t apic_id)
{
	printf("cpu %u online\n", apic_id);
	__atomic_add_fetch(&online, 1, __ATOMIC_SEQ_CST);
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	uint32_t ids[MAX_CPUS];
	int mp = mptable_cpus(ids, MAX_CPUS);
	int n = (int)cmdline_u64("cpus", mp > 0 ? (uint64_t)mp : 1);
	uint32_t self = lapic_id();
	if (n < 1 || n > MAX_CPUS) {
		printf("smp: bad cpu count %d (1..%d)\n", n, MAX_CPUS);
		return 1;
	}
	/* APIC IDs: the MP table's when it agrees on the count, else 0..n-1. */
	bool use_mp = mp == n;
	printf("smp: %d cpus (MP table: %d), bsp apic id %u\n", n, mp, self);
	printf("cpu %u online\n", self);

	smp_init(ap_main);
	int started = 0;
	for (int i = 0; i < n; i++) {
		uint32_t id = use_mp ? ids[i] : (uint32_t)i;
		if (id == self)
			continue;
		if (!smp_start_ap(id)) {
			printf("smp: cpu %u did not start\n", id);
			return 1;
		}
		started++;
	}
	if (started != n - 1) {
		printf("smp: BSP apic id %u not among the %d cpus\n", self, n);
		return 1;
	}
	if (!wait_u32_at_least(&online, (uint32_t)started, 1ULL << 33)) {
		printf("smp: only %u of %d APs reported online\n", online, started);
		return 1;
	}
	printf("all %d cpus online\n", n);
	return 0;
}
