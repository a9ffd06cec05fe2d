/* hc.c: one wrapper per hypercall (vmm/hypercall.h): fill the struct, call, unpack. */
#include "rt.h"

/* vmm's exit port (README "Exit status"): the fallback when the exit
 * hypercall does nothing, e.g. under a VMM without hypercalls. */
#define RT_PORT_EXIT 0xF4

void rt_exit(int status)
{
	struct vmm_hc_exit a = { .status = status };
	hc_call(VMM_HC_EXIT, &a);
	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)status), "Nd"((uint16_t)RT_PORT_EXIT));
	for (;;)
		__asm__ volatile("pause");
}

int rt_write(const void *buf, size_t len)
{
	struct vmm_hc_console a = { .buf = (uintptr_t)buf, .len = len };
	return len ? hc_call(VMM_HC_CONSOLE_WRITE, &a) : VMM_HC_OK;
}

int64_t rt_read(void *buf, size_t len, bool *eof)
{
	struct vmm_hc_console a = { .buf = (uintptr_t)buf, .len = len };
	int32_t rc = hc_call(VMM_HC_CONSOLE_READ, &a);
	if (eof)
		*eof = rc == VMM_HC_OK && (a.flags & VMM_HC_CONSOLE_EOF);
	return rc == VMM_HC_OK ? (int64_t)a.count : rc;
}

static struct vmm_hc_time rt_time(void)
{
	struct vmm_hc_time a = { 0 };
	hc_call(VMM_HC_TIME, &a);
	return a;
}

uint64_t rt_monotonic_ns(void)
{
	return rt_time().monotonic_ns;
}

uint64_t rt_wall_ns(void)
{
	return rt_time().wall_ns;
}

int rt_random(void *buf, size_t len)
{
	struct vmm_hc_random a = { .buf = (uintptr_t)buf, .len = len };
	return hc_call(VMM_HC_RANDOM, &a);
}

int rt_poll(uint32_t events, uint64_t deadline_ns, uint32_t *ready)
{
	struct vmm_hc_poll a = { .events = events, .deadline_ns = deadline_ns };
	int32_t rc = hc_call(VMM_HC_POLL, &a);
	if (ready)
		*ready = a.ready;
	return rc;
}

int rt_block_info(unsigned disk, uint64_t *sectors, uint32_t *flags)
{
	struct vmm_hc_block_info a = { .disk = disk };
	int32_t rc = hc_call(VMM_HC_BLOCK_INFO, &a);
	if (sectors)
		*sectors = a.sectors;
	if (flags)
		*flags = a.flags;
	return rc;
}

static int rt_block(unsigned nr, unsigned disk, uint64_t sector, uintptr_t buf, size_t len)
{
	struct vmm_hc_block a = { .disk = disk, .sector = sector, .buf = buf, .len = len };
	return hc_call(nr, &a);
}

int rt_block_read(unsigned disk, uint64_t sector, void *buf, size_t len)
{
	return rt_block(VMM_HC_BLOCK_READ, disk, sector, (uintptr_t)buf, len);
}

int rt_block_write(unsigned disk, uint64_t sector, const void *buf, size_t len)
{
	return rt_block(VMM_HC_BLOCK_WRITE, disk, sector, (uintptr_t)buf, len);
}

int rt_block_flush(unsigned disk)
{
	return rt_block(VMM_HC_BLOCK_FLUSH, disk, 0, 0, 0);
}

int rt_block_discard(unsigned disk, uint64_t sector, size_t len)
{
	return rt_block(VMM_HC_BLOCK_DISCARD, disk, sector, 0, len);
}

const char *rt_strerror(int32_t ret)
{
	static const char *const names[] = {
		"OK", "ENOSYS", "EFAULT", "EINVAL", "ENODEV", "ERANGE", "EROFS", "EIO", "EPENDING",
	};
	if (ret <= 0 && ret > -(int32_t)(sizeof(names) / sizeof(names[0])))
		return names[-ret];
	return "unknown";
}
