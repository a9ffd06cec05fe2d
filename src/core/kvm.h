/* kvm.h: the /dev/kvm system handle: API version, capabilities, host quirks. */
#ifndef VMM_CORE_KVM_H
#define VMM_CORE_KVM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct kvm_cpuid2;

struct kvm_sys {
	int fd;           /* /dev/kvm */
	size_t run_size;  /* KVM_GET_VCPU_MMAP_SIZE */
	bool host_pvm;    /* kvm_pvm module: CPL0 emulated, see pvm-host.md */
	bool has_emulation_exit; /* KVM_CAP_EXIT_ON_EMULATION_FAILURE enabled */
};

/* Open /dev/kvm, check the API version and every capability vmm relies on;
 * a missing one is reported by name. */
int kvm_sys_open(struct kvm_sys *k, struct err *e);
void kvm_sys_close(struct kvm_sys *k);

/* KVM_GET_SUPPORTED_CPUID into a malloc'd table the caller frees. */
struct kvm_cpuid2 *kvm_supported_cpuid(const struct kvm_sys *k, struct err *e);

/* ioctl that retries on EINTR (not for KVM_RUN). */
int kvm_ioctl(int fd, unsigned long req, void *arg);

#endif
