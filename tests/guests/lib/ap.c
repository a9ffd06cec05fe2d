/* ap.c: application-processor startup (LAPIC INIT-SIPI-SIPI, real-mode trampoline) and MP-table reading. */
#include "guest.h"

/* Local APIC registers (Intel SDM vol. 3A 11.4.1, table 11-1). */
#define LAPIC_BASE   0xFEE00000UL
#define LAPIC_ID     0x020
#define LAPIC_SVR    0x0F0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define SVR_ENABLE   0x100
#define ICR_PENDING  0x1000 /* delivery status: send pending */
#define ICR_ASSERT   0x4000
#define ICR_INIT     0x0500
#define ICR_STARTUP  0x0600

/* From trampoline.S: the code copied below 1 MiB and its parameter slots. */
extern char ap_tramp_start[], ap_tramp_end[], tramp_gdtr[], tramp_cr3[], tramp_efer[];
/* From start.S. */
extern uint64_t gdt[];
extern const struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) gdtr;

static void (*ap_fn)(uint32_t apic_id);
/* APs that reached C; the BSP waits on it after each SIPI. */
static volatile uint32_t ap_checkins;

static uint32_t lapic_read(unsigned reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

static void lapic_write(unsigned reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static void tsc_delay(uint64_t cycles)
{
	uint64_t start = rdtsc();
	for (int i = 0; i < 10000000 && rdtsc() - start < cycles; i++)
		cpu_relax();
}

bool wait_u32_at_least(volatile uint32_t *p, uint32_t want, uint64_t timeout_cycles)
{
	uint64_t start = rdtsc();
	/* The iteration cap only matters if the TSC stands still. */
	for (uint32_t i = 0; i < 50000000; i++) {
		if (*p >= want)
			return true;
		if (rdtsc() - start > timeout_cycles)
			break;
		cpu_relax();
	}
	return *p >= want;
}

static void lapic_send_ipi(uint32_t apic_id, uint32_t cmd)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, cmd);
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
}

/* Called by trampoline.S on the AP's own stack, in long mode with our GDT. */
__attribute__((noreturn)) void ap_c_entry(void);
void ap_c_entry(void)
{
	cpu_load_idt();
	__atomic_add_fetch(&ap_checkins, 1, __ATOMIC_SEQ_CST);
	if (ap_fn)
		ap_fn(lapic_id());
	for (;;)
		__asm__ volatile("cli; hlt");
}

void smp_init(void (*fn)(uint32_t apic_id))
{
	ap_fn = fn;
	/* The LAPIC must be on (globally and in software) to send IPIs reliably. */
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | SVR_ENABLE | 0xFF);

	/* The trampoline runs in real mode, so it can only load 32-bit values:
	 * our GDT, CR3 and the image all sit below 4 GiB. */
	uint8_t *t = phys(AP_TRAMPOLINE_PA);
	memcpy(t, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	uint32_t gbase = (uint32_t)gdtr.base, cr3 = (uint32_t)read_cr3();
	uint32_t efer = (uint32_t)(rdmsr(MSR_EFER) & ~(uint64_t)EFER_LMA) | EFER_LME;
	memcpy(t + (tramp_gdtr - ap_tramp_start), &gdtr.limit, 2);
	memcpy(t + (tramp_gdtr - ap_tramp_start) + 2, &gbase, 4);
	memcpy(t + (tramp_cr3 - ap_tramp_start), &cr3, 4);
	memcpy(t + (tramp_efer - ap_tramp_start), &efer, 4);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool smp_start_ap(uint32_t apic_id)
{
	uint32_t before = ap_checkins;
	uint32_t sipi = ICR_STARTUP | ICR_ASSERT | (AP_TRAMPOLINE_PA >> 12);

	/* MP spec B.4 / SDM 8.4.4.1: INIT, wait, SIPI, and a second SIPI if the
	 * first did not take. KVM needs no delays; real hardware wants 10 ms
	 * after INIT, which only matters for QEMU TCG side-by-side runs. */
	lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
	tsc_delay(1 << 20);
	lapic_send_ipi(apic_id, sipi);
	if (wait_u32_at_least(&ap_checkins, before + 1, 1 << 24))
		return true;
	lapic_send_ipi(apic_id, sipi);
	/* ~2-8 s at 1-4 GHz: PVM hosts emulate the real-mode trampoline slowly. */
	return wait_u32_at_least(&ap_checkins, before + 1, 1ULL << 33);
}

/* --- MP table (Intel MultiProcessor Specification 1.4, chapter 4) --- */

#define MP_FLOAT_SIG 0x5F504D5F /* "_MP_" */
#define MP_CONF_SIG  0x504D4350 /* "PCMP" */

static uint8_t sum_bytes(const volatile uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static uintptr_t mp_scan(uintptr_t start, size_t len)
{
	for (uintptr_t a = start; a + 16 <= start + len; a += 16) {
		const volatile uint8_t *p = phys(a);
		if (*(const volatile uint32_t *)p == MP_FLOAT_SIG && p[8] == 1 && sum_bytes(p, 16) == 0)
			return a;
	}
	return 0;
}

int mptable_cpus(uint32_t *ids, int max)
{
	/* Search order from the spec: first KiB of the EBDA, last KiB of base
	 * memory, then the BIOS ROM area. */
	uintptr_t ebda = (uintptr_t)*(volatile uint16_t *)phys(0x40E) << 4;
	uintptr_t fp = 0;
	if (ebda >= 0x80000 && ebda < 0xA0000)
		fp = mp_scan(ebda, 1024);
	if (!fp)
		fp = mp_scan(0x9FC00, 1024);
	if (!fp)
		fp = mp_scan(0xF0000, 0x10000);
	if (!fp)
		return 0;
	uintptr_t conf = *(volatile uint32_t *)phys(fp + 4);
	if (!conf || conf >= 0x100000 || *(volatile uint32_t *)phys(conf) != MP_CONF_SIG)
		return 0; /* a "default configuration" or none: count unknown */
	uint16_t count = *(volatile uint16_t *)phys(conf + 0x22);
	uint16_t len = *(volatile uint16_t *)phys(conf + 4);
	uintptr_t e = conf + 0x2C, end = conf + len;
	int n = 0;
	for (unsigned i = 0; i < count && e < end; i++) {
		const volatile uint8_t *p = phys(e);
		if (p[0] == 0) { /* processor: 20 bytes, [1] LAPIC ID, [3] bit 0 enabled */
			if ((p[3] & 1) && n < max)
				ids[n] = p[1];
			n += p[3] & 1;
			e += 20;
		} else if (p[0] <= 4) {
			e += 8;
		} else {
			break; /* unknown entry: the rest cannot be walked */
		}
	}
	return n;
}
