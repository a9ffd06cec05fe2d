/* hostile.c: every call with bad pointers, lengths and fields, plus wrong
 * access widths and unknown numbers. Each must come back with the right
 * error code (or, for a struct vmm cannot read, untouched), and vmm must
 * still answer afterwards. Prints one line per failed check and a summary;
 * exits 0 when every check held. With a disk (--disk), the block calls get
 * past ENODEV to their range and buffer checks. Command line "fault": then
 * also take an invalid-opcode exception at CPL3, which the runtime reports
 * ("runtime: exception 6") before it exits with status 3. */
#include "rt.h"

static unsigned checks, failures;

static void expect(const char *what, int32_t got, int32_t want)
{
	checks++;
	if (got != want) {
		failures++;
		printf("hostile: FAILED %s: got %s (%d), want %s\n", what, rt_strerror(got), got,
		       rt_strerror(want));
	}
}

static uint8_t page[4096] __attribute__((aligned(4096)));

/* In the 32-bit hole: the IOAPIC's MMIO page, never RAM. */
#define HOLE 0xFEC00000ULL

static void bad_info(uint64_t end)
{
	struct vmm_hc_info i = { .cmdline = end - 4, .cmdline_size = 64 };
	expect("info: buffer across the end of RAM", hc_call(VMM_HC_INFO, &i), VMM_HC_EFAULT);
	i = (struct vmm_hc_info){ .cmdline = UINT64_MAX - 15, .cmdline_size = 32 };
	expect("info: buffer wrapping around", hc_call(VMM_HC_INFO, &i), VMM_HC_EFAULT);
	i = (struct vmm_hc_info){ .cmdline = (uintptr_t)page, .cmdline_size = UINT64_MAX };
	expect("info: huge buffer size", hc_call(VMM_HC_INFO, &i), VMM_HC_EFAULT);
	i = (struct vmm_hc_info){ .cmdline = HOLE, .cmdline_size = 16 };
	expect("info: buffer in the MMIO hole", hc_call(VMM_HC_INFO, &i), VMM_HC_EFAULT);
	i = (struct vmm_hc_info){ .flags = 1 };
	expect("info: reserved flags", hc_call(VMM_HC_INFO, &i), VMM_HC_EINVAL);
}

static void bad_console(uint64_t end)
{
	struct vmm_hc_console c = { .buf = end - 10, .len = 20 };
	expect("write: across the end of RAM", hc_call(VMM_HC_CONSOLE_WRITE, &c), VMM_HC_EFAULT);
	c = (struct vmm_hc_console){ .buf = UINT64_MAX - 4, .len = 10 };
	expect("write: wrapping around", hc_call(VMM_HC_CONSOLE_WRITE, &c), VMM_HC_EFAULT);
	c = (struct vmm_hc_console){ .buf = HOLE, .len = 16 };
	expect("write: in the MMIO hole", hc_call(VMM_HC_CONSOLE_WRITE, &c), VMM_HC_EFAULT);
	c = (struct vmm_hc_console){ .buf = (uintptr_t)page, .len = VMM_HC_CONSOLE_MAX + 1 };
	expect("write: too long", hc_call(VMM_HC_CONSOLE_WRITE, &c), VMM_HC_EINVAL);
	c = (struct vmm_hc_console){ .buf = (uintptr_t)page, .len = 1, .flags = 4 };
	expect("write: reserved flags", hc_call(VMM_HC_CONSOLE_WRITE, &c), VMM_HC_EINVAL);
	c = (struct vmm_hc_console){ .buf = end - 10, .len = 20 };
	expect("read: across the end of RAM", hc_call(VMM_HC_CONSOLE_READ, &c), VMM_HC_EFAULT);
	c = (struct vmm_hc_console){ .buf = (uintptr_t)page, .len = UINT64_MAX };
	expect("read: huge length", hc_call(VMM_HC_CONSOLE_READ, &c), VMM_HC_EINVAL);
}

static void bad_misc(uint64_t end)
{
	struct vmm_hc_noop n = { .reserved = 1 };
	expect("noop: reserved", hc_call(VMM_HC_NOOP, &n), VMM_HC_EINVAL);
	struct vmm_hc_time t = { .reserved = 1 };
	expect("time: reserved", hc_call(VMM_HC_TIME, &t), VMM_HC_EINVAL);
	struct vmm_hc_random r = { .buf = end - 8, .len = 16 };
	expect("random: across the end of RAM", hc_call(VMM_HC_RANDOM, &r), VMM_HC_EFAULT);
	r = (struct vmm_hc_random){ .buf = (uintptr_t)page, .len = VMM_HC_RANDOM_MAX + 1 };
	expect("random: too long", hc_call(VMM_HC_RANDOM, &r), VMM_HC_EINVAL);
	struct vmm_hc_exit x = { .status = 99, .reserved = 1 };
	expect("exit: reserved (must not exit)", hc_call(VMM_HC_EXIT, &x), VMM_HC_EINVAL);
	struct vmm_hc_poll p = { .events = 0x80 };
	expect("poll: unknown event", hc_call(VMM_HC_POLL, &p), VMM_HC_EINVAL);
	p = (struct vmm_hc_poll){ .reserved = 1 };
	expect("poll: reserved", hc_call(VMM_HC_POLL, &p), VMM_HC_EINVAL);
	expect("call 13: unknown", hc_call(VMM_HC_NCALLS, &n), VMM_HC_ENOSYS);
	expect("call 63: unknown", hc_call(VMM_HC_MAX_CALLS - 1, &n), VMM_HC_ENOSYS);
}

static void bad_block(uint64_t end, bool have_disk)
{
	struct vmm_hc_block_info bi = { .disk = 99 };
	expect("block info: no such disk", hc_call(VMM_HC_BLOCK_INFO, &bi), VMM_HC_ENODEV);
	struct vmm_hc_block b = { .disk = 99, .buf = (uintptr_t)page, .len = 512 };
	expect("block read: no such disk", hc_call(VMM_HC_BLOCK_READ, &b), VMM_HC_ENODEV);
	expect("block flush: no such disk", hc_call(VMM_HC_BLOCK_FLUSH, &b), VMM_HC_ENODEV);
	if (!have_disk)
		return;
	b = (struct vmm_hc_block){ .disk = 0, .buf = end - 256, .len = 512 };
	expect("block read: across the end of RAM", hc_call(VMM_HC_BLOCK_READ, &b), VMM_HC_EFAULT);
	expect("block write: across the end of RAM", hc_call(VMM_HC_BLOCK_WRITE, &b), VMM_HC_EFAULT);
	b = (struct vmm_hc_block){ .disk = 0, .buf = HOLE, .len = 512 };
	expect("block read: into the MMIO hole", hc_call(VMM_HC_BLOCK_READ, &b), VMM_HC_EFAULT);
	b = (struct vmm_hc_block){ .disk = 0, .buf = (uintptr_t)page, .len = 100 };
	expect("block read: not whole sectors", hc_call(VMM_HC_BLOCK_READ, &b), VMM_HC_EINVAL);
	b.len = 2 * VMM_HC_BLOCK_MAX;
	expect("block read: too long", hc_call(VMM_HC_BLOCK_READ, &b), VMM_HC_EINVAL);
	b = (struct vmm_hc_block){ .disk = 0, .sector = UINT64_MAX, .buf = (uintptr_t)page, .len = 512 };
	expect("block read: sector far past the end", hc_call(VMM_HC_BLOCK_READ, &b), VMM_HC_ERANGE);
	b.sector = 1ULL << 55; /* sector * 512 wraps to 0 */
	expect("block write: sector wrapping to 0", hc_call(VMM_HC_BLOCK_WRITE, &b), VMM_HC_ERANGE);
	b = (struct vmm_hc_block){ .disk = 0, .len = 512 };
	expect("block flush: stray length", hc_call(VMM_HC_BLOCK_FLUSH, &b), VMM_HC_EINVAL);
	b = (struct vmm_hc_block){ .disk = 0, .buf = (uintptr_t)page, .len = 512 };
	expect("block discard: stray buffer", hc_call(VMM_HC_BLOCK_DISCARD, &b), VMM_HC_EINVAL);
	b = (struct vmm_hc_block){ .disk = 0, .sector = UINT64_MAX / 512, .len = 1024 };
	expect("block discard: past the end", hc_call(VMM_HC_BLOCK_DISCARD, &b), VMM_HC_ERANGE);
}

/* Structs vmm cannot read, and accesses that are no hypercall: nothing may
 * be written back, so ret keeps the EPENDING the wrapper put there. */
static void not_calls(uint64_t end)
{
	int32_t *edge = (int32_t *)(uintptr_t)(end - 4); /* ret in RAM, the rest not */
	expect("struct across the end of RAM", hc_call(VMM_HC_TIME, edge), VMM_HC_EPENDING);
	struct vmm_hc_noop n = { .ret = VMM_HC_EPENDING };
	uint32_t addr = (uint32_t)(uintptr_t)&n;
	uint16_t port = VMM_HC_BASE + VMM_HC_NOOP;
	__asm__ volatile("outb %b0, %w1" : : "a"(addr), "Nd"(port) : "memory");
	__asm__ volatile("outw %w0, %w1" : : "a"(addr), "Nd"(port) : "memory");
	expect("1- and 2-byte OUT", n.ret, VMM_HC_EPENDING);
	uint32_t in;
	__asm__ volatile("inl %w1, %0" : "=a"(in) : "Nd"(port) : "memory");
	expect("IN from the range", (int32_t)in, -1);
	expect("IN is no call", n.ret, VMM_HC_EPENDING);
}

int main(const char *cmdline)
{
	uint64_t end = rt_info()->mem_bytes; /* RAM is [0, end) below 3 GiB */
	if (end > 0xC0000000ULL) {
		printf("hostile: run with at most 3G of RAM (RAM must end below the hole)\n");
		return 2;
	}
	bad_info(end);
	bad_console(end);
	bad_misc(end);
	bad_block(end, rt_info()->ndisks > 0);
	not_calls(end);
	/* Still answering, and still correct. */
	struct vmm_hc_noop n = { 0 };
	expect("noop after all that", hc_call(VMM_HC_NOOP, &n), VMM_HC_OK);
	static const uint8_t zero[32];
	memset(page, 0, sizeof(zero));
	expect("random after all that", rt_random(page, sizeof(zero)), VMM_HC_OK);
	expect("random bytes are not all zero", memcmp(page, zero, sizeof(zero)) != 0, 1);
	printf("hostile: %u checks, %u failed\n", checks, failures);
	if (!strncmp(cmdline, "fault", 5))
		__asm__ volatile("ud2");
	return failures ? 1 : 0;
}
