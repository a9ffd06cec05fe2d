/* hc_basic.c: the calls that need no device: noop, info, time, random, exit. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "modes/para/hypercall.h"

static int32_t hc_noop(struct hypercall *h, void *args)
{
	struct vmm_hc_noop *a = args;
	(void)h;
	return a->reserved ? VMM_HC_EINVAL : VMM_HC_OK;
}

static int32_t hc_info(struct hypercall *h, void *args)
{
	struct vmm_hc_info *a = args;
	if (a->flags || a->reserved)
		return VMM_HC_EINVAL;
	uint64_t len = strlen(h->cmdline);
	if (a->cmdline_size > 0) {
		/* The whole buffer the guest claims must be RAM, not just the part
		 * this command line happens to fill. */
		char *dst = hc_guest_buf(h, a->cmdline, a->cmdline_size);
		if (!dst)
			return VMM_HC_EFAULT;
		uint64_t n = len < a->cmdline_size - 1 ? len : a->cmdline_size - 1;
		memcpy(dst, h->cmdline, n);
		dst[n] = '\0';
	}
	a->abi_version = VMM_HC_ABI_VERSION;
	a->mem_bytes = h->env.mem->ram_size;
	a->cmdline_len = len;
	a->ndisks = h->env.ndisks;
	a->ncpus = h->env.ncpus;
	return VMM_HC_OK;
}

static int32_t hc_time(struct hypercall *h, void *args)
{
	struct vmm_hc_time *a = args;
	struct timespec ts;
	if (a->reserved)
		return VMM_HC_EINVAL;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return VMM_HC_EIO;
	a->monotonic_ns = hc_now_ns(h);
	a->wall_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return VMM_HC_OK;
}

static int32_t hc_random(struct hypercall *h, void *args)
{
	struct vmm_hc_random *a = args;
	if (a->reserved || a->len > VMM_HC_RANDOM_MAX)
		return VMM_HC_EINVAL;
	if (a->len == 0)
		return VMM_HC_OK;
	uint8_t *dst = hc_guest_buf(h, a->buf, a->len);
	if (!dst)
		return VMM_HC_EFAULT;
	/* getrandom(2) may return short for requests above 256 bytes when a
	 * signal (the vCPU kick) arrives: go on until the buffer is full. */
	for (uint64_t done = 0; done < a->len;) {
		ssize_t n = getrandom(dst + done, a->len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return VMM_HC_EIO;
		done += (uint64_t)n;
	}
	return VMM_HC_OK;
}

static int32_t hc_exit(struct hypercall *h, void *args)
{
	struct vmm_hc_exit *a = args;
	if (a->reserved)
		return VMM_HC_EINVAL;
	if (h->env.exit)
		h->env.exit(h->env.exit_ctx, a->status);
	return VMM_HC_OK;
}

int hc_register_basic(struct hypercall *h)
{
	return hypercall_register(h, VMM_HC_NOOP, "noop", sizeof(struct vmm_hc_noop), hc_noop) ||
	       hypercall_register(h, VMM_HC_INFO, "info", sizeof(struct vmm_hc_info), hc_info) ||
	       hypercall_register(h, VMM_HC_TIME, "time", sizeof(struct vmm_hc_time), hc_time) ||
	       hypercall_register(h, VMM_HC_RANDOM, "random", sizeof(struct vmm_hc_random),
				  hc_random) ||
	       hypercall_register(h, VMM_HC_EXIT, "exit", sizeof(struct vmm_hc_exit), hc_exit) ?
		       -1 :
		       0;
}
