/* irq.c: a 64-entry IDT with counting stubs for vectors 0x20-0x3F, LAPIC set-up, and halting waits with a timer bound. */
#include "guest.h"
#include "irq.h"

#define IDT_ENTRIES (IRQ_VECTOR_FIRST + IRQ_VECTOR_COUNT)

struct idt_gate64 {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Bumped by the stubs below. */
volatile uint32_t irq_counts[IRQ_VECTOR_COUNT];
static struct idt_gate64 idt64[IDT_ENTRIES] __attribute__((aligned(16)));
extern const uint64_t irq_stub_table[IRQ_VECTOR_COUNT];

/* Each stub counts its vector and sends the LAPIC an EOI, except for the
 * spurious vector, which must not get one (SDM vol. 3A 11.9). 64-bit absolute
 * addresses need a register: a disp32 would sign-extend 0xFEE000B0. */
__asm__(".pushsection .text\n"
	".macro IRQ_STUB v\n"
	".balign 16\n"
	"irq_stub_\\v:\n"
	"	pushq %rax\n"
	"	lock incl irq_counts+4*(\\v-32)(%rip)\n"
	"	.if \\v != " "63" "\n"
	"	movl $0xFEE000B0, %eax\n"
	"	movl $0, (%rax)\n"
	"	.endif\n"
	"	popq %rax\n"
	"	iretq\n"
	".endm\n"
	".irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
	"IRQ_STUB \\v\n"
	".endr\n"
	".popsection\n"
	".pushsection .rodata\n"
	".balign 8\n"
	".globl irq_stub_table\n"
	"irq_stub_table:\n"
	".irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
	".quad irq_stub_\\v\n"
	".endr\n"
	".popsection\n");

_Static_assert(IRQ_VECTOR_SPURIOUS == 63 && IRQ_VECTOR_FIRST == 32, "irq stubs hard-code these vectors");

static uint32_t lapic_rd(unsigned reg)
{
	return mmio_read32(LAPIC_MMIO_BASE + reg);
}

static void lapic_wr(unsigned reg, uint32_t v)
{
	mmio_write32(LAPIC_MMIO_BASE + reg, v);
}

static void gate_set(int v, uint64_t a)
{
	/* 0x8E: present, DPL 0, 64-bit interrupt gate (IF cleared on entry). */
	idt64[v] = (struct idt_gate64){ (uint16_t)a, SEL_KCODE, 0, 0x8E, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
}

void irq_init(void)
{
	struct idt_ptr cur;
	__asm__ volatile("cli; sidt %0" : "=m"(cur));
	/* Keep the runtime's exception gates (cpu.c), add ours after them. */
	const struct idt_gate64 *old = phys(cur.base);
	int nold = (cur.limit + 1) / (int)sizeof(struct idt_gate64);
	for (int v = 0; v < IRQ_VECTOR_FIRST; v++)
		idt64[v] = v < nold ? old[v] : (struct idt_gate64){ 0 };
	for (int i = 0; i < IRQ_VECTOR_COUNT; i++)
		gate_set(IRQ_VECTOR_FIRST + i, irq_stub_table[i]);
	struct idt_ptr p = { sizeof(idt64) - 1, (uintptr_t)idt64 };
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");

	/* Firmware (SeaBIOS) leaves the PIT and keyboard lines unmasked with the
	 * master 8259 based at vector 8, which would land on #DF here. */
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);

	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic_wr(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	lapic_wr(LAPIC_REG_TPR, 0);
	lapic_wr(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV_16);
}

uint32_t irq_count(unsigned vector)
{
	if (vector < IRQ_VECTOR_FIRST || vector >= IRQ_VECTOR_FIRST + IRQ_VECTOR_COUNT)
		return 0;
	return irq_counts[vector - IRQ_VECTOR_FIRST];
}

uint32_t irq_msi_address(void)
{
	return MSI_ADDRESS_BASE | (lapic_rd(LAPIC_REG_ID) >> 24) << MSI_DEST_SHIFT;
}

/* Any of our vectors requested in the LAPIC's IRR (SDM vol. 3A 11.8.4)? */
static bool irr_pending(void)
{
	uint32_t bits = lapic_rd(LAPIC_REG_IRR + 0x10 * (IRQ_VECTOR_FIRST / 32));
	return bits != 0;
}

void irq_drain(void)
{
	/* Interrupts on, then LAPIC reads until the IRR is clear: a
	 * hypervisor may inject a pending interrupt only at its next exit,
	 * which a bare "sti; nop; cli" need not cause. */
	__asm__ volatile("sti" ::: "memory");
	for (int i = 0; i < 1000 && irr_pending(); i++)
		cpu_relax();
	__asm__ volatile("cli" ::: "memory");
}

bool irq_halt_until(bool (*done)(void *arg), void *arg, uint64_t timeout_cycles)
{
	uint64_t start = rdtsc();
	for (;;) {
		if (done(arg))
			return true;
		if (rdtsc() - start > timeout_cycles)
			return done(arg);
		/* One-shot timer (LVT mode bits 0): wakes the hlt if nothing else does. */
		lapic_wr(LAPIC_REG_LVT_TIMER, IRQ_VECTOR_TIMER);
		lapic_wr(LAPIC_REG_TIMER_INIT, LAPIC_TIMER_WAKE_COUNT);
		/* sti's one-instruction shadow covers hlt: no wake-up is lost
		 * between the check above and the halt. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}
