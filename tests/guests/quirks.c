/* quirks.c: int3 and ud2 at CPL0 reach the guest's own #BP and #UD handlers;
 * fwait with no x87 exception pending does nothing; stac/clac set and clear
 * RFLAGS.AC (with CR4.SMAP on). Natively that is plain hardware behaviour; on
 * PVM hosts the host cannot emulate these and vmm must finish them exactly. */
#include "lib/guest.h"

volatile uint64_t bp_count, ud_count, bp_rip, ud_rip;
extern char bp_stub[], ud_stub[], after_int3[], at_ud2[];

/* #BP is a trap: the frame's RIP is already past int3. #UD is a fault: the
 * frame's RIP is the ud2 itself, so step over its two bytes. */
__asm__(".text\n"
	"bp_stub:\n"
	"	incq bp_count(%rip)\n"
	"	pushq %rax\n"
	"	movq 8(%rsp), %rax\n"
	"	movq %rax, bp_rip(%rip)\n"
	"	popq %rax\n"
	"	iretq\n"
	"ud_stub:\n"
	"	incq ud_count(%rip)\n"
	"	pushq %rax\n"
	"	movq 8(%rsp), %rax\n"
	"	movq %rax, ud_rip(%rip)\n"
	"	popq %rax\n"
	"	addq $2, (%rsp)\n"
	"	iretq\n");

static uint64_t rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

/* stac/clac need CR4.SMAP, which needs CPUID.(7,0):EBX[20]. vmm's boot page
 * tables have no user pages, so SMAP changes nothing else here. */
static bool smap_check(void)
{
	uint32_t a = 7, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (!(b & (1u << 20))) {
		printf("quirks: no SMAP, stac/clac not tried\n");
		return true;
	}
	uint64_t cr4 = read_cr4();
	write_cr4(cr4 | CR4_SMAP);
	__asm__ volatile("stac" ::: "memory", "cc");
	bool set = rflags() & (1u << 18);
	__asm__ volatile("clac" ::: "memory", "cc");
	bool clear = !(rflags() & (1u << 18));
	write_cr4(cr4);
	printf("quirks: stac %s, clac %s\n", set ? "ok" : "wrong", clear ? "ok" : "wrong");
	return set && clear;
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	cpu_set_gate(3, (void (*)(void))bp_stub);
	cpu_set_gate(6, (void (*)(void))ud_stub);
	__asm__ volatile("int3\n.globl after_int3\nafter_int3:" ::: "memory");
	uint64_t first_bp_rip = bp_rip;
	__asm__ volatile(".globl at_ud2\nat_ud2: ud2" ::: "memory");
	__asm__ volatile("int3" ::: "memory");
	bool bp_ok = first_bp_rip == (uintptr_t)after_int3;
	bool ud_ok = ud_rip == (uintptr_t)at_ud2;
	__asm__ volatile("fwait" ::: "memory");
	bool ac_ok = smap_check();
	bool ok = bp_count == 2 && ud_count == 1 && bp_ok && ud_ok && ac_ok;
	printf("quirks: #BP %lu (return rip %s), #UD %lu (rip %s)\n", (unsigned long)bp_count,
	       bp_ok ? "ok" : "wrong", (unsigned long)ud_count, ud_ok ? "ok" : "wrong");
	printf(ok ? "quirks ok\n" : "quirks FAILED\n");
	return ok ? 0 : 1;
}
