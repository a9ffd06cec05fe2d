/* vm.h: one virtual machine: KVM VM fd, RAM, buses, vCPUs, I/O thread, stop state.
 * No globals: everything a VM owns hangs off struct vm. */
#ifndef VMM_CORE_VM_H
#define VMM_CORE_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/cpuid.h"
#include "core/error.h"
#include "core/evloop.h"
#include "core/irqroute.h"
#include "core/kvm.h"
#include "core/memory.h"
#include "vmm/vmm.h"

#define VM_MAX_CPUS 64
#define VM_MAX_TEARDOWN 32

struct vcpu;

/* Read-only guest memory (firmware): a KVM_MEM_READONLY slot over a private copy. */
#define VM_MAX_ROMS 4
struct vm_rom {
	uint64_t gpa;
	size_t len;
	void *hva;
};

/* KVM slot numbers: RAM first, then ROMs, then slots a chipset remaps while
 * the guest runs (vm_slot_*). */
#define VM_SLOT_ROM0 MEM_MAX_SLOTS
#define VM_SLOT_DYN0 (VM_SLOT_ROM0 + VM_MAX_ROMS)
#define VM_MAX_DYN_SLOTS 16

/* Something to undo at teardown, in reverse order of registration. */
struct vm_teardown {
	void (*fn)(void *opaque);
	void *opaque;
};

struct vm {
	struct kvm_sys kvm;
	int fd; /* KVM VM fd */
	struct guest_mem mem;
	struct bus pio, mmio;
	struct evloop loop; /* the VM's I/O thread */
	struct irqroute irq; /* GSI routes, MSI irqfds (after the irqchip exists) */

	/* Set before vm_init (a recipe's plan): no in-kernel PIC, IOAPIC, LAPIC
	 * or PIT. For guests that take no interrupts (hypercall guests): KVM
	 * tears an irqchip down slowly (milliseconds on some hosts), which
	 * would dominate such a guest's whole run. */
	bool no_irqchip;
	/* Set before vm_init (a recipe's plan): guest-physical RAM the RAM slots
	 * leave out, for a chipset to map with vm_slot_* (the i440FX PAM's BIOS
	 * area). The RAM stays allocated there, so gpa_to_hva, and with it the
	 * VMM's DMA and boot loaders, still reaches it. len 0: none. */
	uint64_t ram_hole_gpa, ram_hole_len;

	/* The recipe's own state, from its build to its boot (the recipe frees it
	 * at teardown); core never looks inside. */
	void *mode_state;

	struct kvm_cpuid2 *cpuid; /* supported table; each vCPU gets a filtered copy */
	struct cpuid_policy cpuid_policy;

	struct vcpu *vcpus;
	unsigned ncpus;

	/* First stop wins; vcpu threads and vm_wait read it under stop_lock. */
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	atomic_bool stopping; /* written under stop_lock, read lock-free in run loops */
	struct vmm_result result;

	int kill_efd;        /* vmm_kill() writes here: async-signal-safe */
	int stop_efd;        /* readable from the first vm_request_stop on: blocking
			      * waits on vCPU threads (the poll hypercall) watch it */
	int pending_signal;  /* signo given to vmm_kill */
	bool started;
	/* Run first on each vCPU thread (the seccomp sandbox); NULL: nothing. */
	void (*vcpu_thread_start)(struct vm *vm);

	struct vm_teardown teardown[VM_MAX_TEARDOWN];
	unsigned nteardown;

	struct vm_rom roms[VM_MAX_ROMS]; /* vm_map_rom: unmapped after the VM fd closes */
	unsigned nroms;
	unsigned ndyn_slots; /* vm_slot_alloc */
	atomic_uint dyn_mapped; /* bit i: slot VM_SLOT_DYN0 + i is in KVM */
};

/* Make every field safe for vm_destroy; call first. */
void vm_prepare(struct vm *vm);
/* KVM VM, in-kernel irqchip + PIT, RAM slots, TSS/identity map. */
int vm_init(struct vm *vm, uint64_t mem_bytes, struct err *e);
void vm_destroy(struct vm *vm);

/* Run fn(opaque) at vm_destroy, newest first. */
int vm_on_teardown(struct vm *vm, void (*fn)(void *), void *opaque, struct err *e);

/* Register a port I/O / MMIO range; a clash is an ERR_HOST naming both. */
int vm_add_pio(struct vm *vm, uint64_t base, uint64_t len, const struct bus_ops *ops,
	       void *opaque, const char *name, struct err *e);
int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t len, const struct bus_ops *ops,
		void *opaque, const char *name, struct err *e);

/* Map len bytes of data read-only at gpa (both 4 KiB aligned, outside RAM and
 * other ROMs; needs KVM_CAP_READONLY_MEM). Guest reads run at memory speed;
 * guest writes exit as MMIO (unclaimed unless a device registers the range). */
int vm_map_rom(struct vm *vm, uint64_t gpa, const void *data, size_t len, struct err *e);

/* 0 if KVM has KVM_CAP_READONLY_MEM, else an ERR_HOST naming what needs it. */
int vm_need_readonly_mem(struct vm *vm, const char *what, struct err *e);

/* Reserve a KVM slot number for vm_slot_set (before the vCPUs start). */
int vm_slot_alloc(struct vm *vm, unsigned *slot, struct err *e);
/* Point reserved slot at len bytes of host memory hva (which must outlive the
 * VM) at gpa, read-only or not; len 0 only removes it. Both page-aligned and
 * inside vm->ram_hole. KVM changes a slot only by deleting and re-adding it,
 * so a slot already mapped is deleted first: until the new one is in, the
 * range's accesses exit as MMIO (its owner's bus handler must serve them).
 * Safe from any thread, vCPUs running. 0, or -1 with e set (ERR_HOST). */
int vm_slot_set(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t len, void *hva,
		bool readonly, struct err *e);

/* irq_line.set for devices: KVM_IRQ_LINE on the in-kernel irqchip. */
void vm_irq_set(void *vm, unsigned gsi, int level);

/* End the VM (first caller wins) and kick every vCPU out of KVM_RUN. */
void vm_request_stop(struct vm *vm, enum vmm_exit_kind kind, int guest_status,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool vm_is_stopping(struct vm *vm);

/* Convenience callbacks for devices. */
void vm_stop_exit_port(void *vm, int status);
void vm_stop_reboot(void *vm);

#endif
