/* hc_attach.c: the hypercall device in the para machine: is the kernel a
 * hypercall guest (its ELF note), and wiring the device to the VM's console,
 * disks, stop signal and exit. */
#include <stdlib.h>

#include "backends/block.h"
#include "backends/console_fd.h"
#include "boot/hcnote.h"
#include "core/vm.h"
#include "modes/para/hypercall.h"

struct hc_machine {
	struct hypercall hc;
	bool hc_ready;
	struct console_fd out; /* its input is read by VMM_HC_CONSOLE_READ */
	struct blk_backend *blk[VMM_MAX_DISKS];
};

/* At VM teardown: vCPUs and the I/O thread are gone by then. */
static void hc_machine_free(void *opaque)
{
	struct hc_machine *m = opaque;
	if (m->hc_ready)
		hypercall_destroy(&m->hc);
	for (unsigned i = 0; i < VMM_MAX_DISKS; i++)
		blk_close(m->blk[i]);
	console_fd_destroy(&m->out);
	free(m);
}

static void hc_vm_exit(void *vm, int status)
{
	vm_request_stop(vm, VMM_EXIT_PORT, status & 0xff,
			"guest called exit(%d) through the hypercall interface", status);
}

static int64_t hc_blk_submit_wait(void *backend, struct blk_req *r)
{
	return blk_submit_wait(backend, r);
}

int hypercall_probe(const struct vmm_config *cfg, bool *guest, struct err *e)
{
	bool found = false;
	uint32_t abi = 0;
	*guest = false;
	if (!cfg->kernel)
		return 0;
	if (hcnote_read(cfg->kernel, cfg->mem_bytes, &found, &abi, e))
		return -1;
	if (found && (abi < VMM_HC_ABI_OLDEST || abi > VMM_HC_ABI_VERSION))
		return err_set(e, ERR_INPUT,
			       "kernel %s: built for hypercall ABI version %u, this vmm serves versions %d to %d",
			       cfg->kernel, abi, VMM_HC_ABI_OLDEST, VMM_HC_ABI_VERSION);
	*guest = found;
	return 0;
}

static int hc_open_disks(struct vm *vm, struct hc_machine *m, const struct vmm_config *cfg,
			 struct hc_env *env, struct err *e)
{
	if (cfg->ndisks > VMM_MAX_DISKS)
		return err_set(e, ERR_INPUT, "%u disks: at most %d", cfg->ndisks, VMM_MAX_DISKS);
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		const struct vmm_disk *d = &cfg->disks[i];
		unsigned flags = (d->readonly ? BLK_OPEN_READONLY : 0) |
				 (d->cache == VMM_DISK_CACHE_NONE ? BLK_OPEN_DIRECT : 0);
		if (!d->path)
			return err_set(e, ERR_INPUT, "disk %u: no image path", i);
		if (blk_open_flags(&m->blk[i], d->path, flags, e) ||
		    blk_attach(m->blk[i], &vm->loop, e))
			return -1;
		env->disks[i] = (struct hc_disk){
			.backend = m->blk[i],
			.bytes = blk_size(m->blk[i]),
			.readonly = blk_readonly(m->blk[i]),
			.submit_wait = hc_blk_submit_wait,
		};
	}
	env->ndisks = cfg->ndisks;
	return 0;
}

int hypercall_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	struct hc_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return err_set(e, ERR_HOST, "hypercalls: out of memory");
	m->out.room_efd = -1;
	if (vm_on_teardown(vm, hc_machine_free, m, e)) {
		free(m);
		return -1;
	}
	/* The console the config asks for (stdio, a file, a callback): the
	 * para recipe leaves a file or callback to us alone. */
	if (console_fd_open(&m->out, cfg, e))
		return -1;
	struct hc_env env = {
		.mem = &vm->mem,
		.cmdline = cfg->cmdline,
		.ncpus = cfg->cpus,
		.out = console_fd_sink(&m->out),
		.in_fd = m->out.in_fd, /* read on the vCPU thread, never watched by the I/O thread */
		.stop_fd = vm->stop_efd,
		.exit = hc_vm_exit,
		.exit_ctx = vm,
	};
	if (hc_open_disks(vm, m, cfg, &env, e))
		return -1;
	m->hc_ready = true; /* hypercall_destroy undoes even a failed init */
	if (hypercall_init(&m->hc, &env, e))
		return -1;
	return vm_add_pio(vm, VMM_HC_BASE, VMM_HC_PORT_SPAN, &hypercall_ops, &m->hc, "hypercalls",
			  e);
}
