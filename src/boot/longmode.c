/* longmode.c: the boot GDT and the vCPU state for a 64-bit entry
 * (boot.rst "64-bit Boot Protocol"; Intel SDM vol. 3A §3.4.5 segment
 * descriptors, §9.8.5 initializing IA-32e mode). */
#include <linux/kvm.h>
#include <string.h>

#include "boot/boot.h"
#include "boot/bytes.h"
#include "boot/longmode.h"
#include "core/layout.h"

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define RFLAGS_RESERVED (1ULL << 1) /* bit 1 always reads 1; IF stays 0 */

#define GDT_SLOTS 6 /* null, null, code, data, TSS (two slots) */

/* One segment, from which both its GDT descriptor and KVM's hidden-part
 * cache are made, so the two cannot disagree. Base is 0 for all of them. */
struct boot_seg {
	uint16_t selector;
	uint8_t type; /* code 0xB exec/read/accessed, data 0x3 r/w/accessed, TSS 0xB busy */
	uint8_t s;    /* 1 code/data, 0 system */
	uint8_t l;    /* 64-bit code */
	uint8_t db;
	uint8_t g;    /* limit in 4 KiB units */
	uint32_t limit; /* 20-bit descriptor limit */
};

static const struct boot_seg seg_code = { BOOT_SEL_CODE, 0xB, 1, 1, 0, 1, 0xFFFFF };
static const struct boot_seg seg_data = { BOOT_SEL_DATA, 0x3, 1, 0, 1, 1, 0xFFFFF };
static const struct boot_seg seg_tss = { BOOT_SEL_TSS, 0xB, 0, 0, 0, 0, 0x67 };

_Static_assert(LAYOUT_BOOT_GDT + GDT_SLOTS * 8 <= LAYOUT_FREE_LOW_START,
	       "GDT stays below the free low area");

static uint64_t seg_descriptor(const struct boot_seg *s)
{
	return (s->limit & 0xFFFFULL) | (uint64_t)s->type << 40 | (uint64_t)s->s << 44 |
	       1ULL << 47 /* present, DPL 0 */ | (uint64_t)(s->limit >> 16) << 48 |
	       (uint64_t)s->l << 53 | (uint64_t)s->db << 54 | (uint64_t)s->g << 55;
}

static struct kvm_segment seg_cache(const struct boot_seg *s)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = s->g ? s->limit << 12 | 0xFFF : s->limit, /* KVM wants bytes */
		.selector = s->selector,
		.type = s->type,
		.present = 1,
		.dpl = 0,
		.db = s->db,
		.s = s->s,
		.l = s->l,
		.g = s->g,
	};
}

int gdt_write(struct guest_mem *m, struct err *e)
{
	uint8_t gdt[GDT_SLOTS * 8] = { 0 };
	le_put64(gdt + seg_code.selector, seg_descriptor(&seg_code));
	le_put64(gdt + seg_data.selector, seg_descriptor(&seg_data));
	/* A 64-bit TSS descriptor spans two slots; the upper one holds base
	 * bits 63:32, all zero here. */
	le_put64(gdt + seg_tss.selector, seg_descriptor(&seg_tss));
	if (mem_write(m, LAYOUT_BOOT_GDT, gdt, sizeof(gdt)))
		return err_set(e, ERR_HOST, "GDT at 0x%llx is not guest RAM", LAYOUT_BOOT_GDT);
	return 0;
}

void boot_longmode_regs(const struct boot_entry *entry, struct kvm_regs *regs,
			struct kvm_sregs *sregs)
{
	sregs->cs = seg_cache(&seg_code);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = seg_cache(&seg_data);
	sregs->tr = seg_cache(&seg_tss);
	sregs->gdt.base = LAYOUT_BOOT_GDT;
	sregs->gdt.limit = GDT_SLOTS * 8 - 1;
	/* No IDT: interrupts are off and the kernel loads its own before use. */
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs->cr3 = LAYOUT_PML4;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;

	regs->rflags = RFLAGS_RESERVED;
	regs->rip = entry->rip;
	regs->rsp = entry->rsp;
	regs->rbp = entry->rsp;
	regs->rsi = entry->rsi;
}
