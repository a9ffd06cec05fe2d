/* cpu.c: TSS and IDT setup, the exception report, the user-mode page tables, and the drop to CPL3. */
#include "guest.h"

/* From start.S. */
extern uint64_t gdt[];
extern const uint64_t exc_stub_table[32];
extern char exc_stack_top[], user_stack_top[];
extern uint64_t pt_pml4[512], pt_pdpt[512], pt_pd[4 * 512];
extern volatile uint8_t paging_own;
extern char user_thunk[];

/* 64-bit TSS (Intel SDM vol. 3A 8.7) with a full I/O permission bitmap
 * (vol. 1 19.5.2). RSP0 is the stack the CPU switches to when an exception
 * arrives at CPL3. The all-zero bitmap allows every port at CPL3 even where
 * IOPL=3 does not survive: a PVM host runs user mode with the hardware IOPL
 * at 0, loses the guest's IOPL on the first exit, and its instruction
 * emulator then falls back to this bitmap. The 0xff byte ends the map. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
	uint8_t iomap[65536 / 8];
	uint8_t iomap_end;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* In .data, not .bss: 8 KiB of zeros cost nothing in the file, but clearing
 * them at CPL0 would cost a millisecond of emulation on PVM hosts. */
static struct tss64 tss __attribute__((aligned(16), section(".data"))) = { .iomap_end = 0xff };
static struct idt_gate idt[32] __attribute__((aligned(16)));

static void tss_install(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;
	tss.rsp[0] = (uintptr_t)exc_stack_top;
	tss.iomap_base = offsetof(struct tss64, iomap);
	/* System-segment descriptor, 16 bytes: type 9 = available 64-bit TSS, present. */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ULL << 40 |
			   ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
}

void cpu_load_idt(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void cpu_load_empty_idt(void)
{
	struct desc_ptr p = { 0, 0 };
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void cpu_set_gate(int vector, void (*handler)(void))
{
	uint64_t a = (uintptr_t)handler;
	idt[vector & 31] = (struct idt_gate){ (uint16_t)a, SEL_KCODE, 0, 0x8E, (uint16_t)(a >> 16),
					      (uint32_t)(a >> 32), 0 };
}

void cpu_init_bsp(void)
{
	for (int v = 0; v < 32; v++) {
		uint64_t a = exc_stub_table[v];
		/* 0x8E: present, DPL 0, 64-bit interrupt gate (IF cleared on entry). */
		idt[v] = (struct idt_gate){ (uint16_t)a, SEL_KCODE, 0, 0x8E, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
	}
	cpu_load_idt();
	tss_install();
}

struct exc_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?", "#TS", "#NP", "#SS", "#GP", "#PF", "?",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "?", "?", "?", "?", "?", "?", "#HV", "#VC", "#SX", "?",
};

/* Called by the stubs in start.S; reports and ends the VM. Unlocked printing:
 * the CPU that faulted may hold the console lock. */
__attribute__((noreturn)) void exception_handler(const struct exc_frame *f);
void exception_handler(const struct exc_frame *f)
{
	printf_unlocked("\nguest: unexpected exception %lu %s error 0x%lx at rip 0x%lx cs 0x%lx rflags 0x%lx "
			"rsp 0x%lx cr2 0x%lx\n",
			f->vector, exc_names[f->vector & 31], f->error, f->rip, f->cs, f->rflags, f->rsp, read_cr2());
	guest_exit(GUEST_EXIT_EXCEPTION);
}

/* Our own identity map of the first 4 GiB in 2 MiB pages, user-accessible at
 * every level so CPL3 code can run anywhere in the image. vmm's map says
 * nothing about the U bit, so user mode cannot rely on it. */
static void paging_use_own(void)
{
	if (paging_own)
		return;
	/* Word stores, not memset's byte loop: CPL0 code is emulated on PVM hosts. */
	for (int i = 0; i < 512; i++)
		pt_pml4[i] = pt_pdpt[i] = 0;
	pt_pml4[0] = (uintptr_t)pt_pdpt | PTE_P | PTE_W | PTE_U;
	for (int i = 0; i < 4; i++)
		pt_pdpt[i] = (uintptr_t)&pt_pd[i * 512] | PTE_P | PTE_W | PTE_U;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pt_pd[i] = i << 21 | PTE_P | PTE_W | PTE_U | PTE_PS;
	/* With every page a user page, SMEP would forbid CPL0 from running our
	 * own code and SMAP from touching our data. */
	uint64_t cr4 = read_cr4();
	if (cr4 & (CR4_SMEP | CR4_SMAP))
		write_cr4(cr4 & ~(uint64_t)(CR4_SMEP | CR4_SMAP));
	write_cr3((uintptr_t)pt_pml4);
	paging_own = 1;
}

void user_run(int (*fn)(void *), void *arg)
{
	paging_use_own();
	/* iretq to user_thunk at CPL3. RFLAGS: bit 1 (always 1) and IOPL=3, IF=0:
	 * nothing here takes interrupts. Port access also holds without IOPL
	 * thanks to the TSS bitmap (see struct tss64). user_thunk calls fn(arg)
	 * and hands its result to the exit port. */
	__asm__ volatile("pushq %[ss]\n\t"
			 "pushq %[sp]\n\t"
			 "pushq %[fl]\n\t"
			 "pushq %[cs]\n\t"
			 "pushq %[ip]\n\t"
			 "iretq"
			 :
			 : [ss] "i"(SEL_UDATA | 3), [sp] "r"((uintptr_t)user_stack_top), [fl] "i"(0x3002),
			   [cs] "i"(SEL_UCODE | 3), [ip] "r"((uintptr_t)user_thunk), "D"(arg), "a"(fn)
			 : "memory");
	__builtin_unreachable();
}
