/* vcpu.c: vCPU setup and the per-vCPU KVM_RUN loop. */
#include "core/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/boot.h"
#include "core/exit.h"
#include "core/vm.h"

#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_NMI 0x4
#define APIC_MODE_EXTINT 0x7

static void lapic_set_mode(struct kvm_lapic_state *l, unsigned reg, uint32_t mode)
{
	uint32_t v;
	memcpy(&v, &l->regs[reg], 4);
	v = (v & ~0x700u) | (mode << 8);
	memcpy(&l->regs[reg], &v, 4);
}

/* What the BIOS leaves behind on a PC (MP spec 3.6.2.2 virtual wire mode):
 * PIC interrupts through LINT0, NMI through LINT1. Linux relies on it. */
static int vcpu_setup_lapic(struct vcpu *c, struct err *e)
{
	struct kvm_lapic_state l;
	if (kvm_ioctl(c->fd, KVM_GET_LAPIC, &l))
		return err_errno(e, ERR_HOST, errno, "vCPU %u: KVM_GET_LAPIC", c->index);
	lapic_set_mode(&l, APIC_LVT_LINT0, APIC_MODE_EXTINT);
	lapic_set_mode(&l, APIC_LVT_LINT1, APIC_MODE_NMI);
	if (kvm_ioctl(c->fd, KVM_SET_LAPIC, &l))
		return err_errno(e, ERR_HOST, errno, "vCPU %u: KVM_SET_LAPIC", c->index);
	return 0;
}

static int vcpu_setup_cpuid(struct vcpu *c, struct err *e)
{
	struct vm *vm = c->vm;
	size_t sz = sizeof(*vm->cpuid) + vm->cpuid->nent * sizeof(vm->cpuid->entries[0]);
	struct kvm_cpuid2 *t = malloc(sz);
	if (!t)
		return err_set(e, ERR_HOST, "out of memory for CPUID");
	memcpy(t, vm->cpuid, sz);
	cpuid_apply(t, &vm->cpuid_policy, c->index);
	int rc = kvm_ioctl(c->fd, KVM_SET_CPUID2, t);
	free(t);
	if (rc)
		return err_errno(e, ERR_HOST, errno, "vCPU %u: KVM_SET_CPUID2", c->index);
	return 0;
}

static int vcpu_create_one(struct vm *vm, struct vcpu *c, unsigned index, struct err *e)
{
	c->vm = vm;
	c->index = index;
	c->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (c->fd < 0)
		return err_errno(e, ERR_HOST, errno, "KVM_CREATE_VCPU %u", index);
	void *run = mmap(NULL, vm->kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (run == MAP_FAILED)
		return err_errno(e, ERR_HOST, errno, "vCPU %u: mapping kvm_run", index);
	c->run = run;
	if (vcpu_setup_cpuid(c, e))
		return -1;
	return vm->no_irqchip ? 0 : vcpu_setup_lapic(c, e); /* no LAPIC to set up */
}

int vcpus_create(struct vm *vm, unsigned n, struct err *e)
{
	if (n == 0 || n > VM_MAX_CPUS)
		return err_set(e, ERR_INPUT, "cpus %u: must be between 1 and %d", n, VM_MAX_CPUS);
	vm->vcpus = calloc(n, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return err_set(e, ERR_HOST, "out of memory for vCPUs");
	for (unsigned i = 0; i < n; i++)
		vm->vcpus[i].fd = -1;
	vm->ncpus = n;
	for (unsigned i = 0; i < n; i++)
		if (vcpu_create_one(vm, &vm->vcpus[i], i, e))
			return -1;
	return 0;
}

int vcpu_set_boot_entry(struct vcpu *c, const struct boot_entry *entry, struct err *e)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 }; /* power-on values (SDM 9.1.1) */
	if (kvm_ioctl(c->fd, KVM_GET_SREGS, &sregs))
		return err_errno(e, ERR_HOST, errno, "KVM_GET_SREGS");
	memset(&regs, 0, sizeof(regs));
	boot_longmode_regs(entry, &regs, &sregs);
	if (kvm_ioctl(c->fd, KVM_SET_SREGS, &sregs))
		return err_errno(e, ERR_HOST, errno, "KVM_SET_SREGS");
	if (kvm_ioctl(c->fd, KVM_SET_REGS, &regs))
		return err_errno(e, ERR_HOST, errno, "KVM_SET_REGS");
	if (kvm_ioctl(c->fd, KVM_SET_FPU, &fpu))
		return err_errno(e, ERR_HOST, errno, "KVM_SET_FPU");
	return 0;
}

/* Bytes of the failing instruction: from the exit when KVM gives them, else
 * read through the guest's page tables at RIP. */
static unsigned vcpu_insn_bytes(struct vcpu *c, uint64_t rip, uint8_t *buf)
{
	struct kvm_run *run = c->run;
	if (run->emulation_failure.ndata >= 1 &&
	    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		unsigned n = run->emulation_failure.insn_size;
		if (n > 15)
			n = 15;
		memcpy(buf, run->emulation_failure.insn_bytes, n);
		return n;
	}
	struct kvm_translation tr = { .linear_address = rip };
	if (kvm_ioctl(c->fd, KVM_TRANSLATE, &tr) || !tr.valid)
		return 0;
	for (unsigned n = 15; n > 0; n--)
		if (mem_read(&c->vm->mem, tr.physical_address, buf, n) == 0)
			return n;
	return 0;
}

static int vcpu_inject(struct vcpu *c, unsigned vector)
{
	struct kvm_vcpu_events ev;
	if (kvm_ioctl(c->fd, KVM_GET_VCPU_EVENTS, &ev))
		return -1;
	ev.exception.injected = 1;
	ev.exception.nr = (uint8_t)vector;
	ev.exception.has_error_code = 0;
	ev.exception.error_code = 0;
	ev.flags = 0;
	return kvm_ioctl(c->fd, KVM_SET_VCPU_EVENTS, &ev);
}

#define X86_RFLAGS_AC (1ULL << 18)
#define X86_CR4_SMAP (1ULL << 21)
#define X87_FSW_ES 0x80 /* x87 status word: an unmasked exception is pending */
#define VEC_BP 3
#define VEC_UD 6
#define VEC_MF 16

/* Finish instruction q exactly as the CPU would; -1 when vmm cannot. Traps
 * (int3) and completed instructions advance RIP; faults (#UD, #MF) leave it. */
static int vcpu_finish_quirk(struct vcpu *c, enum quirk_insn q, struct kvm_regs *regs)
{
	int vector = -1;
	if (q == QUIRK_UD2) {
		vector = VEC_UD;
	} else if (q == QUIRK_FWAIT) {
		struct kvm_fpu fpu;
		if (kvm_ioctl(c->fd, KVM_GET_FPU, &fpu))
			return -1;
		if (fpu.fsw & X87_FSW_ES)
			vector = VEC_MF;
	} else if (q == QUIRK_CLAC || q == QUIRK_STAC) {
		struct kvm_sregs sregs;
		if (kvm_ioctl(c->fd, KVM_GET_SREGS, &sregs))
			return -1;
		if (!(sregs.cr4 & X86_CR4_SMAP))
			vector = VEC_UD;
		else if (q == QUIRK_CLAC)
			regs->rflags &= ~X86_RFLAGS_AC;
		else
			regs->rflags |= X86_RFLAGS_AC;
	} else if (q == QUIRK_INT3) {
		vector = VEC_BP;
	}
	bool fault = vector == VEC_UD || vector == VEC_MF;
	if (!fault)
		regs->rip += quirk_length(q);
	if (kvm_ioctl(c->fd, KVM_SET_REGS, regs))
		return -1;
	return vector >= 0 ? vcpu_inject(c, (unsigned)vector) : 0;
}

/* PVM hosts fail to emulate some CPL0 instructions; the cheap, exactly
 * specified ones are finished here so unmodified guests go on (pvm-host.md). */
static int vcpu_emulation_failure(struct vcpu *c)
{
	struct kvm_regs regs;
	uint8_t bytes[15];
	char hex[64];
	if (kvm_ioctl(c->fd, KVM_GET_REGS, &regs)) {
		vm_request_stop(c->vm, VMM_EXIT_ERROR, 0, "vCPU %u: KVM_GET_REGS failed", c->index);
		return -1;
	}
	unsigned n = vcpu_insn_bytes(c, regs.rip, bytes);
	enum quirk_insn q = quirk_classify(bytes, n);
	if (q != QUIRK_NONE && vcpu_finish_quirk(c, q, &regs) == 0) {
		atomic_fetch_add(&c->fixups, 1);
		return 0;
	}
	exit_format_bytes(bytes, n, hex, sizeof(hex));
	vm_request_stop(c->vm, VMM_EXIT_EMULATION, 0,
			"vCPU %u: host cannot emulate the instruction at RIP 0x%llx (bytes: %s)",
			c->index, (unsigned long long)regs.rip, n ? hex : "unknown");
	return -1;
}

static uint64_t vcpu_rip(struct vcpu *c)
{
	struct kvm_regs regs;
	return kvm_ioctl(c->fd, KVM_GET_REGS, &regs) ? 0 : regs.rip;
}

static int vcpu_system_event(struct vcpu *c)
{
	switch (c->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(c->vm, VMM_EXIT_POWEROFF, 0, "guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(c->vm, VMM_EXIT_REBOOT, 0, "guest requested a reset");
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vm_request_stop(c->vm, VMM_EXIT_PANIC, 0, "guest reported a crash");
		break;
	default:
		vm_request_stop(c->vm, VMM_EXIT_ERROR, 0, "unknown system event %u",
				c->run->system_event.type);
	}
	return -1;
}

/* 0: re-enter the guest; -1: this vCPU is done (the VM is stopping). */
static int vcpu_handle_exit(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	struct vm *vm = c->vm;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		atomic_fetch_add(&c->exits_pio, 1);
		if (exit_handle_io(&vm->pio, run, vm->kvm.run_size) == 0)
			return 0;
		vm_request_stop(vm, VMM_EXIT_ERROR, 0, "vCPU %u: malformed I/O exit", c->index);
		return -1;
	case KVM_EXIT_MMIO:
		atomic_fetch_add(&c->exits_mmio, 1);
		if (exit_handle_mmio(&vm->mmio, run) == 0)
			return 0;
		vm_request_stop(vm, VMM_EXIT_ERROR, 0, "vCPU %u: malformed MMIO exit", c->index);
		return -1;
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_SHUTDOWN:
		vm_request_stop(vm, VMM_EXIT_TRIPLE_FAULT, 0, "vCPU %u: triple fault at RIP 0x%llx",
				c->index, (unsigned long long)vcpu_rip(c));
		return -1;
	case KVM_EXIT_SYSTEM_EVENT:
		return vcpu_system_event(c);
	case KVM_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
			return vcpu_emulation_failure(c);
		vm_request_stop(vm, VMM_EXIT_ERROR, 0, "vCPU %u: KVM internal error %u at RIP 0x%llx",
				c->index, run->internal.suberror, (unsigned long long)vcpu_rip(c));
		return -1;
	case KVM_EXIT_FAIL_ENTRY:
		vm_request_stop(vm, VMM_EXIT_ERROR, 0, "vCPU %u: VM entry failed (reason 0x%llx)",
				c->index,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return -1;
	default:
		vm_request_stop(vm, VMM_EXIT_ERROR, 0, "vCPU %u: unhandled exit reason %u at RIP 0x%llx",
				c->index, run->exit_reason, (unsigned long long)vcpu_rip(c));
		return -1;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	if (vm->vcpu_thread_start)
		vm->vcpu_thread_start(vm);
	while (!vm_is_stopping(vm)) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_request_stop(vm, VMM_EXIT_ERROR, 0, "vCPU %u: KVM_RUN: %s", c->index,
					strerror(errno));
			break;
		}
		if (vcpu_handle_exit(c))
			break;
	}
	return NULL;
}

static void vcpu_kick_handler(int sig)
{
	(void)sig; /* only here to interrupt KVM_RUN with EINTR */
}

int vcpus_start(struct vm *vm, struct err *e)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	sigemptyset(&sa.sa_mask);
	if (sigaction(VMM_KICK_SIGNAL, &sa, NULL))
		return err_errno(e, ERR_HOST, errno, "installing the vCPU kick signal");
	/* vCPU threads take only the kick; other signals go to the caller's threads. */
	sigset_t mask, old;
	sigfillset(&mask);
	sigdelset(&mask, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	int rc = 0;
	for (unsigned i = 0; i < vm->ncpus && !rc; i++) {
		rc = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]);
		if (!rc)
			vm->vcpus[i].thread_started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return err_errno(e, ERR_HOST, rc, "starting vCPU threads");
	return 0;
}

void vcpus_kick(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		if (!c->run)
			continue;
		/* immediate_exit covers the window between the stopping check and
		 * KVM_RUN (api.rst, KVM_CAP_IMMEDIATE_EXIT). */
		__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (c->thread_started)
			pthread_kill(c->thread, VMM_KICK_SIGNAL);
	}
}

void vcpus_join(struct vm *vm)
{
	for (unsigned i = 0; vm->vcpus && i < vm->ncpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		if (c->thread_started)
			pthread_join(c->thread, NULL);
		c->thread_started = false;
	}
}

void vcpus_destroy(struct vm *vm)
{
	if (!vm->vcpus)
		return;
	vcpus_join(vm);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		if (c->run)
			munmap(c->run, vm->kvm.run_size);
		if (c->fd >= 0)
			close(c->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->ncpus = 0;
}
