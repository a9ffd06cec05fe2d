/* hypercall.c: the hypercall table, the dispatcher and the port range's bus ops. */
#include "modes/para/hypercall.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t hc_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t hc_now_ns(const struct hypercall *h)
{
	return hc_clock_ns() - h->mono_base;
}

void *hc_guest_buf(const struct hypercall *h, uint64_t gpa, uint64_t len)
{
	return gpa_to_hva(h->env.mem, gpa, len);
}

int hypercall_register(struct hypercall *h, unsigned nr, const char *name, uint32_t size,
		       hc_fn_t *fn)
{
	if (nr >= VMM_HC_MAX_CALLS || h->table[nr].fn || !fn || size < sizeof(int32_t) ||
	    size > HC_ARGS_MAX)
		return -1;
	h->table[nr] = (struct hc_call){ .name = name, .size = size, .fn = fn };
	return 0;
}

int hypercall_init(struct hypercall *h, const struct hc_env *env, struct err *e)
{
	memset(h, 0, sizeof(*h));
	/* First: hypercall_destroy may follow any failure. */
	pthread_mutex_init(&h->out_lock, NULL);
	pthread_mutex_init(&h->in_lock, NULL);
	h->env = *env;
	h->cmdline = strdup(env->cmdline ? env->cmdline : "");
	if (!h->cmdline)
		return err_set(e, ERR_HOST, "hypercalls: out of memory");
	h->env.cmdline = h->cmdline;
	h->mono_base = hc_clock_ns() - 1; /* so no guest ever reads 0 */
	if (hc_register_basic(h) || hc_register_console(h) || hc_register_block(h))
		return err_set(e, ERR_HOST, "hypercalls: call table clash");
	return 0;
}

void hypercall_destroy(struct hypercall *h)
{
	free(h->cmdline);
	h->cmdline = NULL;
	pthread_mutex_destroy(&h->out_lock);
	pthread_mutex_destroy(&h->in_lock);
}

/* No such call: say so in the struct's ret field, the one field every
 * struct has (if the guest's address holds 4 bytes of RAM). */
static void hc_dispatch_unknown(struct hypercall *h, uint32_t gpa)
{
	int32_t ret = VMM_HC_ENOSYS;
	atomic_fetch_add(&h->unknown, 1);
	if (mem_write(h->env.mem, gpa, &ret, sizeof(ret)))
		atomic_fetch_add(&h->bad_struct, 1);
}

void hypercall_dispatch(struct hypercall *h, uint64_t nr, uint32_t gpa)
{
	uint64_t args[HC_ARGS_MAX / sizeof(uint64_t)];
	const struct hc_call *c = nr < VMM_HC_MAX_CALLS ? &h->table[nr] : NULL;
	if (!c || !c->fn) {
		hc_dispatch_unknown(h, gpa);
		return;
	}
	/* The one read of the struct: from here on only the copy counts. */
	if (mem_read(h->env.mem, gpa, args, c->size)) {
		atomic_fetch_add(&h->bad_struct, 1);
		return;
	}
	atomic_fetch_add(&h->count[nr].calls, 1);
	int32_t ret = c->fn(h, args);
	if (ret != VMM_HC_OK)
		atomic_fetch_add(&h->count[nr].errors, 1);
	memcpy(args, &ret, sizeof(ret));
	/* Same range as the read, and RAM never moves: cannot fail. */
	if (mem_write(h->env.mem, gpa, args, c->size))
		atomic_fetch_add(&h->bad_struct, 1);
}

/* Only a 4-byte OUT is a hypercall; the bus hands us the port's offset. */
static void hc_pio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct hypercall *h = opaque;
	if (size != 4) {
		atomic_fetch_add(&h->bad_width, 1);
		return;
	}
	hypercall_dispatch(h, off, (uint32_t)val);
}

static uint64_t hc_pio_read(void *opaque, uint64_t off, unsigned size)
{
	struct hypercall *h = opaque;
	(void)off;
	atomic_fetch_add(&h->bad_reads, 1);
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1; /* as an unclaimed port reads */
}

const struct bus_ops hypercall_ops = {
	.read = hc_pio_read,
	.write = hc_pio_write,
};
