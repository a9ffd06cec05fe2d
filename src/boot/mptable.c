/* mptable.c: MP spec 1.4 floating pointer (§4.1) and configuration table
 * (§4.2, entries §4.3), laid out as the spec's packed structures. */
#include "boot/mptable.h"

#include <stdint.h>
#include <string.h>

#include "core/layout.h"

#define MP_SPEC_REV 4 /* 1.4 */
#define MP_LAPIC_VERSION 0x14  /* what KVM's in-kernel LAPIC reports (APIC_VERSION) */
#define MP_IOAPIC_VERSION 0x11 /* what KVM's in-kernel IOAPIC reports */
/* CPU signature and feature flags: a family-6 CPU with FPU and APIC, as
 * Firecracker writes; Linux reads the real values from CPUID. */
#define MP_CPU_SIGNATURE 0x600
#define MP_CPU_FEATURES 0x201
#define MP_ISA_IRQS 16
#define MP_LOCAL_IRQS 2 /* ExtINT on LINT0, NMI on LINT1 */

enum mp_entry_type { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4 };
enum mp_irq_type { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02
#define MP_IOAPIC_ENABLED 0x01
#define MP_ALL_LAPICS 0xFF
/* Linux matches a PCI entry's source bus against the PCI bus number
 * (IO_APIC_get_PCI_irq_vector): PCI bus 0 is MP bus 0, ISA comes after it,
 * as SeaBIOS and kvmtool number them. */
#define MP_PCI_BUS_ID 0
#define MP_ISA_BUS_ID 1
#define MP_BUSES 2
/* Interrupt entry flags (Table 4-10): PO in bits 1:0, EL in bits 3:2; 0 is
 * "conforms to the bus" (ISA: edge, active high). PCI INTx# is a shared,
 * level-triggered, active-low line (PCI 3.0 §2.2.6). KVM's IOAPIC takes
 * KVM_IRQ_LINE level 1 as asserted whatever the polarity, so this only has to
 * agree with what the guest programs for a PCI line. */
#define MP_IRQ_PO_ACTIVE_LOW 0x3
#define MP_IRQ_EL_LEVEL (0x3 << 2)
#define MP_IRQ_PCI (MP_IRQ_PO_ACTIVE_LOW | MP_IRQ_EL_LEVEL)

struct mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t config;   /* physical address of the configuration table */
	uint8_t length;    /* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5]; /* all 0: a configuration table is present, no IMCR */
} __attribute__((packed));

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;   /* header plus base entries */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type, bus_id;
	char bus_type[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

/* I/O (type 3) and local (type 4) interrupt assignment share one layout. */
struct mp_irq {
	uint8_t type, irq_type;
	uint16_t flags; /* MP_IRQ_*; 0: polarity and trigger conform to the bus */
	uint8_t src_bus, src_irq, dst_id, dst_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == 16, "MP spec table 4-1");
_Static_assert(sizeof(struct mp_config) == 44, "MP spec table 4-2");
_Static_assert(sizeof(struct mp_processor) == 20, "MP spec table 4-4");
_Static_assert(sizeof(struct mp_bus) == 8, "MP spec table 4-5");
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP spec table 4-6");
_Static_assert(sizeof(struct mp_irq) == 8, "MP spec tables 4-7, 4-9");

/* At most: every ISA IRQ and every PCI pin (an ISA IRQ whose pin a PCI pin
 * takes is left out, so this overcounts), plus the local inputs. */
#define MP_MAX_IRQS (MP_ISA_IRQS + MPTABLE_MAX_PCI_IRQS + MP_LOCAL_IRQS)
#define MP_MAX_CONFIG                                                                            \
	(sizeof(struct mp_config) + MPTABLE_MAX_CPUS * sizeof(struct mp_processor) +              \
	 MP_BUSES * sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +                           \
	 MP_MAX_IRQS * sizeof(struct mp_irq))

_Static_assert(MPTABLE_IOAPIC_PINS <= 32, "mp_pci_inputs keeps one bit per IOAPIC input");
_Static_assert(LAYOUT_MPTABLE_START + MP_MAX_CONFIG <= LAYOUT_EBDA_START,
	       "the largest configuration table ends below the floating pointer");
_Static_assert(LAYOUT_EBDA_START + sizeof(struct mp_floating) <= LAYOUT_BASE_MEM_END,
	       "the floating pointer lies in the last KiB of base memory");

/* Bit n: a PCI pin reaches IOAPIC input n. Those inputs are level-triggered
 * and shared, so they carry no ISA IRQ entry (SeaBIOS leaves its PCI IRQs
 * out of the ISA entries the same way). */
static uint32_t mp_pci_inputs(const struct mptable_pci *pci)
{
	uint32_t used = 0;
	for (unsigned i = 0; pci && i < pci->count; i++)
		used |= 1u << pci->irqs[i].gsi;
	return used;
}

static unsigned mp_irq_count(const struct mptable_pci *pci)
{
	uint32_t isa_inputs = mp_pci_inputs(pci) & ((1u << MP_ISA_IRQS) - 1);
	return MP_ISA_IRQS - (unsigned)__builtin_popcount(isa_inputs) + (pci ? pci->count : 0) +
	       MP_LOCAL_IRQS;
}

size_t mptable_config_size(unsigned ncpus, const struct mptable_pci *pci)
{
	return sizeof(struct mp_config) + ncpus * sizeof(struct mp_processor) +
	       MP_BUSES * sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +
	       mp_irq_count(pci) * sizeof(struct mp_irq);
}

/* Bytes so that the whole structure sums to 0 mod 256 (§4.1, §4.2). */
static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

/* Entries must come sorted by type (§4.3). Returns the bytes written at p. */
static size_t mp_put_cpus(uint8_t *p, unsigned ncpus)
{
	for (unsigned i = 0; i < ncpus; i++) {
		struct mp_processor c = {
			.type = MP_PROCESSOR,
			.apic_id = (uint8_t)i, /* vCPU index = APIC id, as KVM assigns */
			.apic_version = MP_LAPIC_VERSION,
			.flags = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0),
			.signature = MP_CPU_SIGNATURE,
			.features = MP_CPU_FEATURES,
		};
		memcpy(p + i * sizeof(c), &c, sizeof(c));
	}
	return ncpus * sizeof(struct mp_processor);
}

/* Bus entries in bus id order, then the IOAPIC. Bus type strings are
 * space-padded to 6 bytes (Table 4-8). */
static size_t mp_put_buses_ioapic(uint8_t *p, uint8_t ioapic_id)
{
	struct mp_bus bus[MP_BUSES] = {
		{ .type = MP_BUS, .bus_id = MP_PCI_BUS_ID },
		{ .type = MP_BUS, .bus_id = MP_ISA_BUS_ID },
	};
	memcpy(bus[0].bus_type, "PCI   ", sizeof(bus[0].bus_type));
	memcpy(bus[1].bus_type, "ISA   ", sizeof(bus[1].bus_type));
	struct mp_ioapic io = {
		.type = MP_IOAPIC,
		.id = ioapic_id,
		.version = MP_IOAPIC_VERSION,
		.flags = MP_IOAPIC_ENABLED,
		.addr = (uint32_t)LAYOUT_IOAPIC_BASE,
	};
	memcpy(p, bus, sizeof(bus));
	memcpy(p + sizeof(bus), &io, sizeof(io));
	return sizeof(bus) + sizeof(io);
}

static size_t mp_put_irq(uint8_t *p, struct mp_irq irq)
{
	memcpy(p, &irq, sizeof(irq));
	return sizeof(irq);
}

/* ISA IRQ n -> IOAPIC pin n: KVM's default GSI routing is the identity
 * (kvm_setup_default_irq_routing); pins PCI lines take are left out. Then
 * each PCI pin: source bus IRQ = device << 2 | (pin - 1) (§D.3), on the input
 * the VMM raises for it. Then the local APIC inputs as on a PC in
 * virtual-wire mode: ExtINT (the 8259) on the BSP's LINT0, NMI on every LINT1. */
static size_t mp_put_irqs(uint8_t *p, uint8_t ioapic_id, const struct mptable_pci *pci)
{
	size_t n = 0;
	uint32_t pci_inputs = mp_pci_inputs(pci);
	for (uint8_t i = 0; i < MP_ISA_IRQS; i++)
		if (!(pci_inputs & (1u << i)))
			n += mp_put_irq(p + n, (struct mp_irq){ MP_INTSRC, MP_INT, 0, MP_ISA_BUS_ID,
								i, ioapic_id, i });
	for (unsigned i = 0; pci && i < pci->count; i++) {
		const struct mptable_pci_irq *q = &pci->irqs[i];
		uint8_t src = (uint8_t)(q->slot << 2 | (q->pin - 1));
		n += mp_put_irq(p + n, (struct mp_irq){ MP_INTSRC, MP_INT, MP_IRQ_PCI,
							MP_PCI_BUS_ID, src, ioapic_id,
							(uint8_t)q->gsi });
	}
	n += mp_put_irq(p + n, (struct mp_irq){ MP_LINTSRC, MP_EXTINT, 0, MP_ISA_BUS_ID, 0, 0, 0 });
	n += mp_put_irq(p + n, (struct mp_irq){ MP_LINTSRC, MP_NMI, 0, MP_ISA_BUS_ID, 0,
						MP_ALL_LAPICS, 1 });
	return n;
}

static size_t mp_build_config(uint8_t *buf, unsigned ncpus, const struct mptable_pci *pci)
{
	size_t n = sizeof(struct mp_config);
	n += mp_put_cpus(buf + n, ncpus);
	n += mp_put_buses_ioapic(buf + n, (uint8_t)ncpus);
	n += mp_put_irqs(buf + n, (uint8_t)ncpus, pci);
	struct mp_config h = {
		.length = (uint16_t)n,
		.spec_rev = MP_SPEC_REV,
		.entry_count = (uint16_t)(ncpus + MP_BUSES + 1 + mp_irq_count(pci)),
		.lapic_addr = (uint32_t)LAYOUT_LAPIC_BASE,
	};
	memcpy(h.signature, "PCMP", 4);
	memcpy(h.oem_id, "VMM     ", sizeof(h.oem_id));
	memcpy(h.product_id, "VMM DIRECT  ", sizeof(h.product_id));
	memcpy(buf, &h, sizeof(h));
	buf[offsetof(struct mp_config, checksum)] = mp_checksum(buf, n);
	return n;
}

/* Each PCI pin once, on bus 0's 32 devices, to an input the IOAPIC has. */
static int mp_check_pci(const struct mptable_pci *pci, struct err *e)
{
	if (!pci)
		return 0;
	if (pci->count > MPTABLE_MAX_PCI_IRQS)
		return err_set(e, ERR_INPUT, "MP table: %u PCI interrupt pins, at most %u",
			       pci->count, MPTABLE_MAX_PCI_IRQS);
	uint8_t seen[MPTABLE_PCI_SLOTS] = { 0 }; /* bit pin-1 per slot */
	for (unsigned i = 0; i < pci->count; i++) {
		const struct mptable_pci_irq *q = &pci->irqs[i];
		if (q->slot >= MPTABLE_PCI_SLOTS || q->pin < 1 || q->pin > MPTABLE_PCI_PINS ||
		    q->gsi >= MPTABLE_IOAPIC_PINS)
			return err_set(e, ERR_INPUT,
				       "MP table: PCI slot %u pin %u -> GSI %u is out of range",
				       q->slot, q->pin, q->gsi);
		if (seen[q->slot] & (1u << (q->pin - 1)))
			return err_set(e, ERR_INPUT, "MP table: PCI slot %u pin %u listed twice",
				       q->slot, q->pin);
		seen[q->slot] |= (uint8_t)(1u << (q->pin - 1));
	}
	return 0;
}

int mptable_write(struct guest_mem *m, unsigned ncpus, const struct mptable_pci *pci,
		  struct err *e)
{
	if (ncpus < 1 || ncpus > MPTABLE_MAX_CPUS)
		return err_set(e, ERR_INPUT, "MP table: %u CPUs, must be between 1 and %u", ncpus,
			       MPTABLE_MAX_CPUS);
	if (mp_check_pci(pci, e))
		return -1;
	uint8_t cfg[MP_MAX_CONFIG];
	size_t n = mp_build_config(cfg, ncpus, pci);

	struct mp_floating f = { .config = (uint32_t)LAYOUT_MPTABLE_START, .length = 1,
				 .spec_rev = MP_SPEC_REV };
	memcpy(f.signature, "_MP_", 4);
	f.checksum = mp_checksum((const uint8_t *)&f, sizeof(f));

	/* Zero the whole area first: a previous boot may have left a larger table. */
	uint8_t *area = gpa_to_hva(m, LAYOUT_MPTABLE_START, LAYOUT_BASE_MEM_END - LAYOUT_MPTABLE_START);
	if (!area)
		return err_set(e, ERR_HOST, "MP table area 0x%llx is not guest RAM",
			       LAYOUT_MPTABLE_START);
	memset(area, 0, LAYOUT_BASE_MEM_END - LAYOUT_MPTABLE_START);
	memcpy(area, cfg, n);
	memcpy(area + (LAYOUT_EBDA_START - LAYOUT_MPTABLE_START), &f, sizeof(f));
	return 0;
}
