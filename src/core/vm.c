/* vm.c: create and tear down a KVM VM with its RAM, irqchip, PIT and stop logic. */
#include "core/vm.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/layout.h"
#include "core/vcpu.h"

static int vm_map_ram(struct vm *vm, struct err *e)
{
	struct mem_region slots[MEM_MAX_SLOTS];
	unsigned n = mem_slot_plan(&vm->mem, vm->ram_hole_gpa, vm->ram_hole_len, slots);
	if (n == 0)
		return err_set(e, ERR_HOST, "RAM hole at 0x%llx+0x%llx is not inside RAM",
			       (unsigned long long)vm->ram_hole_gpa, (unsigned long long)vm->ram_hole_len);
	for (unsigned i = 0; i < n; i++) {
		const struct mem_region *r = &slots[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uintptr_t)r->hva,
		};
		if (kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot))
			return err_errno(e, ERR_HOST, errno, "KVM_SET_USER_MEMORY_REGION slot %u", i);
	}
	return 0;
}

/* In-kernel PIC/IOAPIC/LAPIC and PIT; the speaker dummy makes the kernel own
 * port 0x61, which SeaBIOS and Linux poll during TSC calibration. */
static int vm_create_irqchip(struct vm *vm, struct err *e)
{
	uint64_t idmap = LAYOUT_KVM_IDENTITY_MAP;
	if (kvm_ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap))
		return err_errno(e, ERR_HOST, errno, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS))
		return err_errno(e, ERR_HOST, errno, "KVM_SET_TSS_ADDR");
	if (vm->no_irqchip)
		return 0;
	if (kvm_ioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL))
		return err_errno(e, ERR_HOST, errno, "KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (kvm_ioctl(vm->fd, KVM_CREATE_PIT2, &pit))
		return err_errno(e, ERR_HOST, errno, "KVM_CREATE_PIT2");
	return 0;
}

void vm_prepare(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->fd = vm->kill_efd = vm->stop_efd = -1;
	vm->kvm.fd = -1;
	vm->mem.memfd = -1;
	vm->loop.epfd = vm->loop.wake_efd = -1;
	vm->irq.vm_fd = -1;
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
}

int vm_init(struct vm *vm, uint64_t mem_bytes, struct err *e)
{
	if (evloop_init(&vm->loop, e))
		return -1;
	vm->kill_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->kill_efd < 0)
		return err_errno(e, ERR_HOST, errno, "eventfd");
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0)
		return err_errno(e, ERR_HOST, errno, "eventfd");
	if (mem_plan(&vm->mem, mem_bytes, e))
		return -1;
	if (kvm_sys_open(&vm->kvm, e))
		return -1;
	vm->fd = ioctl(vm->kvm.fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return err_errno(e, ERR_HOST, errno, "KVM_CREATE_VM");
	if (mem_init(&vm->mem, mem_bytes, e) || vm_map_ram(vm, e) || vm_create_irqchip(vm, e) ||
	    irqroute_init(&vm->irq, vm->fd, e))
		return -1;
	vm->cpuid = kvm_supported_cpuid(&vm->kvm, e);
	return vm->cpuid ? 0 : -1;
}

int vm_need_readonly_mem(struct vm *vm, const char *what, struct err *e)
{
	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
		return err_set(e, ERR_HOST, "KVM lacks KVM_CAP_READONLY_MEM (needed for %s)", what);
	return 0;
}

int vm_map_rom(struct vm *vm, uint64_t gpa, const void *data, size_t len, struct err *e)
{
	const uint64_t page = 4096;
	uint64_t last;
	if (len == 0 || gpa % page || len % page || __builtin_add_overflow(gpa, len - 1, &last))
		return err_set(e, ERR_HOST, "ROM at 0x%llx+0x%zx: not page-aligned",
			       (unsigned long long)gpa, len);
	for (unsigned i = 0; i < vm->mem.nregions; i++) {
		const struct mem_region *r = &vm->mem.regions[i];
		if (gpa <= r->gpa + (r->size - 1) && r->gpa <= last)
			return err_set(e, ERR_HOST, "ROM at 0x%llx overlaps RAM", (unsigned long long)gpa);
	}
	for (unsigned i = 0; i < vm->nroms; i++) {
		const struct vm_rom *r = &vm->roms[i];
		if (gpa <= r->gpa + (r->len - 1) && r->gpa <= last)
			return err_set(e, ERR_HOST, "ROM at 0x%llx overlaps another", (unsigned long long)gpa);
	}
	if (vm->nroms == VM_MAX_ROMS)
		return err_set(e, ERR_HOST, "too many ROMs");
	if (vm_need_readonly_mem(vm, "firmware", e))
		return -1;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return err_errno(e, ERR_HOST, errno, "mapping a %zu-byte ROM", len);
	memcpy(p, data, len);
	struct kvm_userspace_memory_region slot = {
		.slot = VM_SLOT_ROM0 + vm->nroms,
		.flags = KVM_MEM_READONLY,
		.guest_phys_addr = gpa,
		.memory_size = len,
		.userspace_addr = (uintptr_t)p,
	};
	if (mprotect(p, len, PROT_READ) || kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot)) {
		int saved = errno;
		munmap(p, len);
		return err_errno(e, ERR_HOST, saved, "KVM_SET_USER_MEMORY_REGION (ROM at 0x%llx)",
				 (unsigned long long)gpa);
	}
	vm->roms[vm->nroms++] = (struct vm_rom){ .gpa = gpa, .len = len, .hva = p };
	return 0;
}

int vm_slot_alloc(struct vm *vm, unsigned *slot, struct err *e)
{
	if (vm->ndyn_slots == VM_MAX_DYN_SLOTS)
		return err_set(e, ERR_HOST, "too many remappable memory slots");
	*slot = VM_SLOT_DYN0 + vm->ndyn_slots++;
	return 0;
}

int vm_slot_set(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t len, void *hva,
		bool readonly, struct err *e)
{
	const uint64_t page = 4096;
	if (slot < VM_SLOT_DYN0 || slot >= VM_SLOT_DYN0 + vm->ndyn_slots)
		return err_set(e, ERR_HOST, "memory slot %u was not reserved", slot);
	if (len && (gpa % page || len % page || (uintptr_t)hva % page || gpa < vm->ram_hole_gpa ||
		    gpa - vm->ram_hole_gpa > vm->ram_hole_len ||
		    len > vm->ram_hole_len - (gpa - vm->ram_hole_gpa)))
		return err_set(e, ERR_HOST, "memory slot at 0x%llx+0x%llx: not page-aligned or outside the RAM hole",
			       (unsigned long long)gpa, (unsigned long long)len);
	uint32_t bit = 1u << (slot - VM_SLOT_DYN0);
	struct kvm_userspace_memory_region r = { .slot = slot }; /* size 0: delete */
	if (atomic_load(&vm->dyn_mapped) & bit) {
		if (kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r))
			return err_errno(e, ERR_HOST, errno, "KVM_SET_USER_MEMORY_REGION (removing slot %u)",
					 slot);
		atomic_fetch_and(&vm->dyn_mapped, ~bit);
	}
	if (!len)
		return 0;
	r = (struct kvm_userspace_memory_region){
		.slot = slot,
		.flags = readonly ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = gpa,
		.memory_size = len,
		.userspace_addr = (uintptr_t)hva,
	};
	if (kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r))
		return err_errno(e, ERR_HOST, errno, "KVM_SET_USER_MEMORY_REGION (slot %u at 0x%llx)", slot,
				 (unsigned long long)gpa);
	atomic_fetch_or(&vm->dyn_mapped, bit);
	return 0;
}

int vm_on_teardown(struct vm *vm, void (*fn)(void *), void *opaque, struct err *e)
{
	if (vm->nteardown == VM_MAX_TEARDOWN)
		return err_set(e, ERR_HOST, "too many devices");
	vm->teardown[vm->nteardown++] = (struct vm_teardown){ fn, opaque };
	return 0;
}

void vm_destroy(struct vm *vm)
{
	evloop_stop(&vm->loop);
	vcpus_destroy(vm);
	evloop_destroy(&vm->loop);
	while (vm->nteardown > 0) {
		struct vm_teardown *t = &vm->teardown[--vm->nteardown];
		t->fn(t->opaque);
	}
	/* After the devices: nothing signals an irqfd any more. */
	irqroute_destroy(&vm->irq);
	free(vm->cpuid);
	vm->cpuid = NULL;
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	mem_destroy(&vm->mem);
	for (unsigned i = 0; i < vm->nroms; i++)
		munmap(vm->roms[i].hva, vm->roms[i].len);
	vm->nroms = 0;
	kvm_sys_close(&vm->kvm);
	if (vm->kill_efd >= 0)
		close(vm->kill_efd);
	vm->kill_efd = -1;
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	vm->stop_efd = -1;
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	pthread_cond_destroy(&vm->stop_cond);
	pthread_mutex_destroy(&vm->stop_lock);
}

static int vm_add_range(struct bus *b, uint64_t base, uint64_t len,
			const struct bus_ops *ops, void *opaque, const char *name, struct err *e)
{
	int rc = bus_register(b, base, len, ops, opaque, name);
	if (rc == -EEXIST)
		return err_set(e, ERR_HOST, "%s: %s range 0x%llx+0x%llx overlaps another device",
			       name, b->name, (unsigned long long)base, (unsigned long long)len);
	if (rc)
		return err_errno(e, ERR_HOST, -rc, "%s: registering %s range", name, b->name);
	return 0;
}

int vm_add_pio(struct vm *vm, uint64_t base, uint64_t len, const struct bus_ops *ops,
	       void *opaque, const char *name, struct err *e)
{
	return vm_add_range(&vm->pio, base, len, ops, opaque, name, e);
}

int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t len, const struct bus_ops *ops,
		void *opaque, const char *name, struct err *e)
{
	return vm_add_range(&vm->mmio, base, len, ops, opaque, name, e);
}

void vm_irq_set(void *opaque, unsigned gsi, int level)
{
	struct vm *vm = opaque;
	struct kvm_irq_level irq = { .irq = gsi, .level = level };
	kvm_ioctl(vm->fd, KVM_IRQ_LINE, &irq);
}

void vm_request_stop(struct vm *vm, enum vmm_exit_kind kind, int guest_status,
		     const char *fmt, ...)
{
	pthread_mutex_lock(&vm->stop_lock);
	bool first = !vm->stopping;
	if (first) {
		atomic_store(&vm->stopping, true);
		vm->result.kind = kind;
		vm->result.guest_status = guest_status;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(vm->result.detail, sizeof(vm->result.detail), fmt, ap);
		va_end(ap);
		pthread_cond_broadcast(&vm->stop_cond);
	}
	pthread_mutex_unlock(&vm->stop_lock);
	if (first) {
		/* Never read back: it stays readable, so no waiter misses it. */
		uint64_t one = 1;
		if (vm->stop_efd >= 0) {
			ssize_t n = write(vm->stop_efd, &one, sizeof(one));
			(void)n; /* cannot fail on a fresh eventfd */
		}
		vcpus_kick(vm);
	}
}

bool vm_is_stopping(struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

void vm_stop_exit_port(void *vm, int status)
{
	vm_request_stop(vm, VMM_EXIT_PORT, status & 0xff, "guest wrote %d to the exit port",
			status & 0xff);
}

void vm_stop_reboot(void *vm)
{
	vm_request_stop(vm, VMM_EXIT_REBOOT, 0, "guest requested a reset");
}
