/* machine.c: the embedding API (vmm.h): pick the mode, assemble, run, report. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "boot/boot.h"
#include "config/policy.h"
#include "sandbox/seccomp.h"
#include "core/layout.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "modes/mode.h"
#include "vmm/vmm.h"

struct vmm {
	struct vm vm;
	int timer_fd;
	atomic_int kill_signal;
	struct run_policy policy; /* reboot meaning, stats file, run time */
	struct sandbox *sandbox;  /* seccomp filters when cfg->seccomp */
};

static struct vmm *container_of_vmm(struct vm *vm)
{
	return (struct vmm *)((char *)vm - offsetof(struct vmm, vm));
}

static void error_export(const struct err *in, struct vmm_error *out)
{
	if (!out)
		return;
	out->kind = in->kind == ERR_INPUT ? VMM_ERROR_INPUT : VMM_ERROR_HOST;
	memcpy(out->msg, in->msg, sizeof(out->msg));
}

static void vmm_on_kill(void *opaque, uint32_t events)
{
	struct vmm *v = opaque;
	uint64_t n;
	(void)events;
	if (read(v->vm.kill_efd, &n, sizeof(n)) < 0)
		return;
	int sig = atomic_load(&v->kill_signal);
	vm_request_stop(&v->vm, VMM_EXIT_KILLED, 0, "stopped by request (signal %d)", sig);
}

static void vmm_on_timeout(void *opaque, uint32_t events)
{
	struct vmm *v = opaque;
	(void)events;
	vm_request_stop(&v->vm, VMM_EXIT_TIMEOUT, 0, "timed out");
}

static int vmm_arm_timeout(struct vmm *v, double seconds, struct err *e)
{
	v->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (v->timer_fd < 0)
		return err_errno(e, ERR_HOST, errno, "timerfd_create");
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - (double)its.it_value.tv_sec) * 1e9);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(v->timer_fd, 0, &its, NULL))
		return err_errno(e, ERR_HOST, errno, "timerfd_settime");
	return evloop_add(&v->vm.loop, v->timer_fd, EPOLLIN, vmm_on_timeout, v, e);
}

/* Ranges and conflicts (src/config/check.c); the files are opened later. */
static int vmm_check_config(const struct vmm_config *cfg, struct err *e)
{
	struct vmm_error ve = { 0 };
	if (vmm_config_check(cfg, 0, &ve))
		return err_set(e, ve.kind == VMM_ERROR_HOST ? ERR_HOST : ERR_INPUT, "%s", ve.msg);
	return 0;
}

/* A thread confines itself before it runs anything of the guest's; if that
 * fails the VM must not run unconfined. */
static void vmm_enter_sandbox(struct vmm *v, enum sandbox_role role)
{
	struct err e = { 0 };
	if (sandbox_enter(v->sandbox, role, &e))
		vm_request_stop(&v->vm, VMM_EXIT_ERROR, 0, "%s", e.msg);
}

static void vmm_vcpu_thread_start(struct vm *vm)
{
	vmm_enter_sandbox(container_of_vmm(vm), SANDBOX_VCPU);
}

static void vmm_io_thread_start(void *opaque)
{
	vmm_enter_sandbox(opaque, SANDBOX_IO);
}

static int vmm_prepare_sandbox(struct vmm *v, struct err *e)
{
	if (sandbox_prepare(&v->sandbox, e))
		return -1;
	v->vm.vcpu_thread_start = vmm_vcpu_thread_start;
	v->vm.loop.thread_start = vmm_io_thread_start;
	v->vm.loop.thread_start_opaque = v;
	return 0;
}

static int vmm_build(struct vmm *v, const struct vmm_config *cfg, struct err *e)
{
	const struct mode_recipe *mode = cfg->mode == VMM_MODE_FULL ? &full_recipe : &para_recipe;
	struct vm *vm = &v->vm;
	struct boot_request files = { .kernel_path = cfg->kernel, .initrd_path = cfg->initrd };
	if (vmm_check_config(cfg, e) || boot_check_files(&files, cfg->mem_bytes, e) ||
	    (mode->plan && mode->plan(vm, cfg, e)) || vm_init(vm, cfg->mem_bytes, e))
		return -1;
	if (mode->build(vm, cfg, e) || vcpus_create(vm, cfg->cpus, e) || mode->boot(vm, cfg, e))
		return -1;
	if (evloop_add(&vm->loop, vm->kill_efd, EPOLLIN, vmm_on_kill, v, e))
		return -1;
	if (cfg->timeout_sec > 0 && vmm_arm_timeout(v, cfg->timeout_sec, e))
		return -1;
	if (cfg->seccomp && vmm_prepare_sandbox(v, e))
		return -1;
	return run_policy_init(&v->policy, cfg, e);
}

int vmm_create(const struct vmm_config *cfg, struct vmm **out, struct vmm_error *err)
{
	struct err e = { 0 };
	*out = NULL;
	struct vmm *v = calloc(1, sizeof(*v));
	if (!v) {
		err_set(&e, ERR_HOST, "out of memory");
		error_export(&e, err);
		return -1;
	}
	v->timer_fd = -1;
	run_policy_prepare(&v->policy);
	vm_prepare(&v->vm);
	if (vmm_build(v, cfg, &e)) {
		error_export(&e, err);
		vmm_destroy(v);
		return -1;
	}
	*out = v;
	return 0;
}

int vmm_start(struct vmm *v, struct vmm_error *err)
{
	struct err e = { 0 };
	if (v->vm.started) {
		err_set(&e, ERR_INPUT, "VM already started");
		error_export(&e, err);
		return -1;
	}
	run_policy_start(&v->policy);
	if (evloop_start(&v->vm.loop, &e) == 0 && vcpus_start(&v->vm, &e) == 0) {
		v->vm.started = true;
		return 0;
	}
	v->vm.started = true; /* threads that did start must be stopped and joined */
	vm_request_stop(&v->vm, VMM_EXIT_ERROR, 0, "%s", e.msg);
	error_export(&e, err);
	return -1;
}

/* Both buses' top devices merged, most exits first. */
static void vmm_collect_devices(struct vm *vm, struct vmm_result *res)
{
	struct bus_exit_count c[2][VMM_RESULT_MAX_DEVICES];
	unsigned n[2] = { bus_exit_counts(&vm->pio, c[0], VMM_RESULT_MAX_DEVICES),
			  bus_exit_counts(&vm->mmio, c[1], VMM_RESULT_MAX_DEVICES) };
	unsigned i[2] = { 0, 0 };
	for (unsigned k = 0; k < 2; k++)
		if (n[k] > VMM_RESULT_MAX_DEVICES)
			n[k] = VMM_RESULT_MAX_DEVICES;
	res->ndevice_exits = 0;
	while (res->ndevice_exits < VMM_RESULT_MAX_DEVICES && (i[0] < n[0] || i[1] < n[1])) {
		int k = i[0] < n[0] && (i[1] >= n[1] || c[0][i[0]].exits >= c[1][i[1]].exits) ? 0 : 1;
		struct vmm_device_exits *d = &res->device_exits[res->ndevice_exits++];
		snprintf(d->name, sizeof(d->name), "%s", c[k][i[k]].name);
		d->mmio = k;
		d->exits = c[k][i[k]].exits;
		i[k]++;
	}
}

static void vmm_collect(struct vm *vm, struct vmm_result *res)
{
	*res = vm->result;
	if (res->kind == VMM_EXIT_KILLED)
		res->signal = atomic_load(&container_of_vmm(vm)->kill_signal);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		res->exits_pio += atomic_load(&vm->vcpus[i].exits_pio);
		res->exits_mmio += atomic_load(&vm->vcpus[i].exits_mmio);
		res->emulation_fixups += atomic_load(&vm->vcpus[i].fixups);
	}
	res->unclaimed_pio = atomic_load(&vm->pio.unclaimed_reads) + atomic_load(&vm->pio.unclaimed_writes);
	res->unclaimed_mmio = atomic_load(&vm->mmio.unclaimed_reads) + atomic_load(&vm->mmio.unclaimed_writes);
	vmm_collect_devices(vm, res);
}

int vmm_wait(struct vmm *v, struct vmm_result *res)
{
	struct vm *vm = &v->vm;
	pthread_mutex_lock(&vm->stop_lock);
	while (!atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);
	vcpus_join(vm);
	evloop_stop(&vm->loop);
	vmm_collect(vm, res);
	return run_policy_finish(&v->policy, res);
}

int vmm_run(struct vmm *v, struct vmm_result *res, struct vmm_error *err)
{
	int rc = vmm_start(v, err);
	if (vmm_wait(v, res) && rc == 0) {
		error_export(&v->policy.err, err);
		rc = -1;
	}
	return rc;
}

void vmm_kill(struct vmm *v, int signo)
{
	uint64_t one = 1;
	atomic_store(&v->kill_signal, signo);
	ssize_t n = write(v->vm.kill_efd, &one, sizeof(one));
	(void)n;
}

void vmm_destroy(struct vmm *v)
{
	if (!v)
		return;
	if (v->vm.started)
		vm_request_stop(&v->vm, VMM_EXIT_KILLED, 0, "destroyed while running");
	vm_destroy(&v->vm);
	if (v->timer_fd >= 0)
		close(v->timer_fd);
	run_policy_destroy(&v->policy);
	sandbox_free(v->sandbox);
	free(v);
}

int vmm_exit_status(const struct vmm_result *res)
{
	switch (res->kind) {
	case VMM_EXIT_PORT:
		return res->guest_status & 0xff;
	case VMM_EXIT_POWEROFF:
		return 0;
	case VMM_EXIT_REBOOT:
		return VMM_STATUS_REBOOT;
	case VMM_EXIT_PANIC:
		return VMM_STATUS_PANIC;
	case VMM_EXIT_TRIPLE_FAULT:
		return VMM_STATUS_TRIPLE_FAULT;
	case VMM_EXIT_EMULATION:
		return VMM_STATUS_EMULATION;
	case VMM_EXIT_TIMEOUT:
		return VMM_STATUS_TIMEOUT;
	case VMM_EXIT_KILLED:
		return res->signal > 0 ? 128 + res->signal : VMM_STATUS_ERROR;
	default:
		return VMM_STATUS_ERROR;
	}
}

const char *vmm_exit_kind_name(enum vmm_exit_kind kind)
{
	static const char *const names[] = {
		[VMM_EXIT_NONE] = "none",         [VMM_EXIT_PORT] = "exit-port",
		[VMM_EXIT_POWEROFF] = "poweroff", [VMM_EXIT_REBOOT] = "reboot",
		[VMM_EXIT_PANIC] = "panic",       [VMM_EXIT_TRIPLE_FAULT] = "triple-fault",
		[VMM_EXIT_EMULATION] = "emulation-failure", [VMM_EXIT_TIMEOUT] = "timeout",
		[VMM_EXIT_KILLED] = "killed",     [VMM_EXIT_ERROR] = "error",
	};
	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}
