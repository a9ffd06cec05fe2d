/* cpuid.c: per-mode and per-host CPUID filtering (Intel SDM vol. 2A, CPUID). */
#include "core/cpuid.h"

#include <linux/kvm.h>
#include <stddef.h>

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		bool indexed = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (e->function == function && (!indexed || e->index == index))
			return e;
	}
	return NULL;
}

static bool cpuid_is_hv_leaf(uint32_t function)
{
	return (function & 0xFFFFFF00u) == CPUID_LEAF_KVM_BASE;
}

static void cpuid_drop_hv_leaves(struct kvm_cpuid2 *c)
{
	uint32_t out = 0;
	for (uint32_t i = 0; i < c->nent; i++)
		if (!cpuid_is_hv_leaf(c->entries[i].function))
			c->entries[out++] = c->entries[i];
	c->nent = out;
}

void cpuid_apply(struct kvm_cpuid2 *c, const struct cpuid_policy *p, uint32_t apic_id)
{
	if (!p->show_hypervisor)
		cpuid_drop_hv_leaves(c);
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1:
			/* Older kernels leave bit 31 out of the supported mask: set it
			 * or clear it explicitly (firmware-and-platform.md §5). */
			if (p->show_hypervisor)
				e->ecx |= CPUID_1_ECX_HYPERVISOR;
			else
				e->ecx &= ~CPUID_1_ECX_HYPERVISOR;
			if (p->hide_cx16)
				e->ecx &= ~CPUID_1_ECX_CX16;
			e->ebx = (e->ebx & 0x00FFFFFFu) | (apic_id << 24);
			break;
		case 0xB:
		case 0x1F:
			e->edx = apic_id; /* x2APIC ID of this logical processor */
			break;
		default:
			break;
		}
	}
}
