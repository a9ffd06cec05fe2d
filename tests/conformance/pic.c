/* pic.c: the IDT (CPU exceptions plus the 16 remapped PIC vectors) and the 8259A PICs. */
#include "os.h"

/* From start.S (tests/guests) and pic.S. */
extern const uint64_t exc_stub_table[32];
extern const uint64_t pic_stub_table[16];
extern volatile uint32_t pic_irq_counts[16];

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

static struct idt_gate idt[IRQ_VECTOR_BASE + 16] __attribute__((aligned(16)));

static void idt_set(int v, uint64_t a)
{
	/* 0x8E: present, DPL 0, 64-bit interrupt gate (IF cleared on entry). */
	idt[v] = (struct idt_gate){ (uint16_t)a, SEL_KCODE, 0, 0x8E, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
}

void pic_init(void)
{
	for (int v = 0; v < 32; v++)
		idt_set(v, exc_stub_table[v]);
	for (int i = 0; i < 16; i++)
		idt_set(IRQ_VECTOR_BASE + i, pic_stub_table[i]);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");

	/* SeaBIOS leaves the PICs at the real-mode vectors 0x08/0x70, which
	 * collide with CPU exceptions in long mode. Re-initialise both (8259A
	 * ICW1-ICW4: edge, cascade, ICW4 needed; vector bases; slave on IR2;
	 * 8086 mode), then mask every line. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_VECTOR_BASE);
	outb(PIC2_DATA, IRQ_VECTOR_BASE + 8);
	outb(PIC1_DATA, 0x04);
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}

void pic_unmask(unsigned irq)
{
	if (irq >= 8) {
		outb(PIC2_DATA, inb(PIC2_DATA) & ~(1u << (irq - 8)));
		irq = 2; /* the cascade */
	}
	outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << irq));
}

void pic_mask(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_DATA, inb(PIC2_DATA) | 1u << (irq - 8));
	else
		outb(PIC1_DATA, inb(PIC1_DATA) | 1u << irq);
}

uint32_t pic_count(unsigned irq)
{
	return pic_irq_counts[irq & 15];
}

bool pic_wait_change(unsigned irq, uint32_t since, uint64_t timeout_us)
{
	uint64_t end = rdtsc() + tsc_from_us(timeout_us);
	bool changed = false;
	__asm__ volatile("sti" ::: "memory");
	while (!(changed = pic_irq_counts[irq & 15] != since) && rdtsc() < end)
		cpu_relax();
	__asm__ volatile("cli" ::: "memory");
	return changed || pic_irq_counts[irq & 15] != since;
}
