/* vcpu.h: vCPU creation, boot registers, and one run-loop thread per vCPU. */
#ifndef VMM_CORE_VCPU_H
#define VMM_CORE_VCPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "core/error.h"

struct vm;
struct kvm_run;
struct boot_entry;

struct vcpu {
	struct vm *vm;
	unsigned index; /* also the APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	atomic_ulong exits_pio, exits_mmio, fixups;
};

/* Create n vCPUs with their CPUID (vm->cpuid filtered by vm->cpuid_policy) and
 * LAPIC LINT0/LINT1 in virtual-wire mode. APs wait for INIT/SIPI. */
int vcpus_create(struct vm *vm, unsigned n, struct err *e);
/* Put the boot CPU in 64-bit long mode at the direct-boot entry. */
int vcpu_set_boot_entry(struct vcpu *c, const struct boot_entry *entry, struct err *e);
int vcpus_start(struct vm *vm, struct err *e);
/* Make every running vCPU leave KVM_RUN soon (after vm->stopping is set). */
void vcpus_kick(struct vm *vm);
/* Wait for every vCPU thread to end (call after vm_request_stop). */
void vcpus_join(struct vm *vm);
/* Join the threads, unmap and close. Safe on a partly built set. */
void vcpus_destroy(struct vm *vm);

#endif
