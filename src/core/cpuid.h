/* cpuid.h: shape the CPUID table a vCPU sees, per mode and per host quirk. */
#ifndef VMM_CORE_CPUID_H
#define VMM_CORE_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct kvm_cpuid2;

#define CPUID_LEAF_KVM_BASE   0x40000000u /* hypervisor leaves 0x40000000-0x400000FF */
#define CPUID_1_ECX_CX16      (1u << 13)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

struct cpuid_policy {
	bool show_hypervisor; /* para: hypervisor bit + KVM leaves; full: neither */
	bool hide_cx16;       /* PVM hosts cannot emulate cmpxchg16b at CPL0 */
};

/* Edit the table in place: apply the policy, then give the vCPU its APIC ID
 * (leaf 1 EBX[31:24], leaves 0xB/0x1F EDX). Entries removed are compacted. */
void cpuid_apply(struct kvm_cpuid2 *c, const struct cpuid_policy *p, uint32_t apic_id);

/* Find an entry, NULL if absent (for tests and later mode hooks). */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index);

#endif
