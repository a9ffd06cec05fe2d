/* hypercall.h: the host side of the para hypercall ABI (include/vmm/hypercall.h).
 *
 * struct hypercall is a device on the port range [VMM_HC_BASE,
 * VMM_HC_BASE + VMM_HC_PORT_SPAN): hypercall_ops' write handler takes a
 * 4-byte OUT at offset n as call n with the argument struct at the written
 * guest-physical address. The dispatcher copies the struct out of guest RAM
 * once (a guest on another vCPU may rewrite it meanwhile: only the copy is
 * ever looked at), runs the call on the copy and writes the copy back with
 * its ret field set. Calls see guest RAM only through gpa_to_hva/mem_read/
 * mem_write, every guest pointer checked as a whole range.
 *
 * Everything a call reaches (RAM, console, disks, the stop signal, exit) comes
 * in struct hc_env, so the whole dispatcher runs in unit tests on a fake guest
 * memory and fake disks, without KVM.
 *
 * Threads: calls run on the vCPU thread that made them, several at once on an
 * SMP guest; counters are atomic, console output and input take out_lock
 * and in_lock, blk_submit_wait is thread-safe on its own.
 */
#ifndef VMM_MODES_PARA_HYPERCALL_H
#define VMM_MODES_PARA_HYPERCALL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/error.h"
#include "core/memory.h"
#include "devices/console.h"
#include "vmm/hypercall.h"
#include "vmm/vmm.h"

struct blk_req;
struct vm;

/* A disk as the block calls see it: the io_uring backend in a VM, a fake in
 * unit tests. submit_wait blocks the calling thread until r completes and
 * returns bytes moved or -errno (blk_submit_wait's contract, block.h). */
struct hc_disk {
	void *backend;
	uint64_t bytes; /* a multiple of VMM_HC_SECTOR_SIZE */
	bool readonly;
	int64_t (*submit_wait)(void *backend, struct blk_req *r);
};

/* What the calls reach; hypercall_init copies it (and the command line). */
struct hc_env {
	const struct guest_mem *mem;
	const char *cmdline;     /* NULL: "" */
	unsigned ncpus;
	struct console_sink out; /* VMM_HC_CONSOLE_WRITE; unset discards */
	int in_fd;               /* VMM_HC_CONSOLE_READ; -1: no input (reads see EOF) */
	int stop_fd;             /* readable once the VM stops (ends a poll); -1: none */
	void (*exit)(void *ctx, int status); /* VMM_HC_EXIT */
	void *exit_ctx;
	struct hc_disk disks[VMM_MAX_DISKS];
	unsigned ndisks;
};

struct hypercall;

/* A call runs on the host copy of its argument struct (args, size bytes,
 * 8-byte aligned), fills the struct's out fields there and returns its ret. */
typedef int32_t hc_fn_t(struct hypercall *h, void *args);

struct hc_call {
	const char *name;
	uint32_t size; /* bytes of the argument struct */
	hc_fn_t *fn;   /* NULL: no such call (VMM_HC_ENOSYS) */
};

/* The largest argument struct a call may declare. */
#define HC_ARGS_MAX 64

struct hc_counter {
	atomic_ulong calls;  /* dispatched (the struct was in RAM) */
	atomic_ulong errors; /* of those, returned ret != VMM_HC_OK */
};

struct hypercall {
	struct hc_env env;
	char *cmdline;               /* owned copy of env.cmdline */
	uint64_t mono_base;          /* CLOCK_MONOTONIC ns at init: VMM_HC_TIME's zero */
	struct hc_call table[VMM_HC_MAX_CALLS]; /* fixed at init, read-only after */
	struct hc_counter count[VMM_HC_MAX_CALLS];
	atomic_ulong bad_width;      /* 1/2/8-byte OUTs on the range: ignored */
	atomic_ulong bad_reads;      /* INs on the range: all ones */
	atomic_ulong bad_struct;     /* argument struct not wholly RAM: nothing written */
	atomic_ulong unknown;        /* call numbers with no call: VMM_HC_ENOSYS */
	pthread_mutex_t out_lock;    /* console output: a callback sink wants one writer */
	pthread_mutex_t in_lock;     /* console input: one reader at a time */
	bool in_eof;                 /* under in_lock */
};

/* Fill the table with every call of this ABI version. 0, or -1 (ERR_HOST);
 * hypercall_destroy is due either way. */
int hypercall_init(struct hypercall *h, const struct hc_env *env, struct err *e);
void hypercall_destroy(struct hypercall *h);

/* Put a call in the table: -1 when nr is out of range or taken, or size is
 * 0, too large, or lacks room for ret. */
int hypercall_register(struct hypercall *h, unsigned nr, const char *name, uint32_t size,
		       hc_fn_t *fn);

/* One hypercall: call nr with its struct at gpa (what a 4-byte OUT carries). */
void hypercall_dispatch(struct hypercall *h, uint64_t nr, uint32_t gpa);

/* The port range's handlers (opaque: struct hypercall). */
extern const struct bus_ops hypercall_ops;

/* Monotonic ns as VMM_HC_TIME reports it (and VMM_HC_POLL compares with). */
uint64_t hc_now_ns(const struct hypercall *h);

/* Host pointer for a guest buffer [gpa, gpa + len), len >= 1, or NULL. */
void *hc_guest_buf(const struct hypercall *h, uint64_t gpa, uint64_t len);

/* The call groups (hc_*.c) put their calls in the table. */
int hc_register_basic(struct hypercall *h);   /* noop, info, time, random, exit */
int hc_register_console(struct hypercall *h); /* console write/read, poll */
int hc_register_block(struct hypercall *h);   /* block info/read/write/flush/discard */

/* The para machine (hc_attach.c). */

/* Does cfg->kernel declare the hypercall ABI (its ELF note)? A version this
 * vmm does not serve is an ERR_INPUT naming both. */
int hypercall_probe(const struct vmm_config *cfg, bool *guest, struct err *e);
/* Build the device for this VM: console on cfg's fds, cfg's disks on the
 * io_uring backend, the port range on vm->pio; freed at VM teardown. */
int hypercall_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e);

#endif
