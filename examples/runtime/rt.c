/* rt.c: the runtime's CPL3 start (IDT gates, machine info, main, exit), the
 * exception report, and the command-line helpers (on freestanding/parse.c). */
#include "rt.h"
#include "rt_defs.h"

/* From start.S. */
extern const uint64_t rt_exc_stubs[32];

struct rt_idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

/* Loaded by lidt at CPL0 (start.S), filled here at CPL3, where these stores
 * run natively: the pages are user pages, and nothing can fault before
 * main runs anyway. */
struct rt_idt_gate rt_idt[32] __attribute__((aligned(16)));

static struct vmm_hc_info info;
static char cmdline[4096];

static void rt_idt_fill(void)
{
	for (int v = 0; v < 32; v++) {
		uint64_t a = rt_exc_stubs[v];
		/* 0x8E: present, DPL 0, 64-bit interrupt gate (SDM vol. 3A 6.14.1). */
		rt_idt[v] = (struct rt_idt_gate){ (uint16_t)a, RT_SEL_KCODE, 0, 0x8E,
						  (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
	}
}

const struct vmm_hc_info *rt_info(void)
{
	return &info;
}

/* Entered from start.S by iretq, at CPL3. The boot_params page vmm passes is
 * not needed: everything comes from VMM_HC_INFO. */
__attribute__((noreturn)) void rt_start(uintptr_t boot_params);
void rt_start(uintptr_t boot_params)
{
	(void)boot_params;
	rt_idt_fill();
	info = (struct vmm_hc_info){ .cmdline = (uintptr_t)cmdline, .cmdline_size = sizeof(cmdline) };
	int32_t rc = hc_call(VMM_HC_INFO, &info);
	if (rc != VMM_HC_OK) {
		/* No hypercalls here (not vmm's para mode?): all we can do. */
		cmdline[0] = '\0';
		printf("runtime: VMM_HC_INFO failed: %s\n", rt_strerror(rc));
		rt_exit(RT_EXIT_EXCEPTION);
	}
	if (info.cmdline_len >= sizeof(cmdline))
		printf("runtime: command line truncated to %zu bytes\n", sizeof(cmdline) - 1);
	rt_exit(main(cmdline));
}

struct rt_exc_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static inline uint64_t rt_read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Called at CPL0 by the stubs in start.S; reports and ends the VM. */
__attribute__((noreturn)) void rt_exception(const struct rt_exc_frame *f);
void rt_exception(const struct rt_exc_frame *f)
{
	printf("\nruntime: exception %lu error 0x%lx at rip 0x%lx cs 0x%lx rflags 0x%lx rsp 0x%lx cr2 0x%lx\n",
	       f->vector, f->error, f->rip, f->cs, f->rflags, f->rsp, rt_read_cr2());
	rt_exit(RT_EXIT_EXCEPTION);
}

uint64_t rt_strtou64(const char *s, const char **end)
{
	uint64_t v;
	parse_u64(s, &v, end);
	return v;
}

const char *rt_cmdline_get(const char *line, const char *key)
{
	return cmdline_find(line, key);
}
