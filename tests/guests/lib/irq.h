/* irq.h: external interrupts for the virtio guests: a 64-entry IDT, the local APIC, MSI addresses, halting waits. */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/* Vectors 0x20-0x3F get a counting stub (irq.c); below 0x20 stay exceptions. */
#define IRQ_VECTOR_FIRST    0x20
#define IRQ_VECTOR_COUNT    32
#define IRQ_VECTOR_TIMER    0x3E /* the LAPIC timer that bounds each hlt */
#define IRQ_VECTOR_SPURIOUS 0x3F /* low nibble 0xF: old xAPICs hardwire it */

/* Local APIC in xAPIC mode (Intel SDM vol. 3A 11.4.1, table 11-1; 11.5.4 timer). */
#define LAPIC_MMIO_BASE   0xFEE00000u
#define LAPIC_REG_ID      0x020
#define LAPIC_REG_TPR     0x080
#define LAPIC_REG_EOI     0x0B0
#define LAPIC_REG_SVR     0x0F0
#define LAPIC_REG_IRR     0x200 /* 8 registers, 0x10 apart, 32 vectors each */
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_TIMER_INIT 0x380
#define LAPIC_REG_TIMER_DIV  0x3E0
#define LAPIC_SVR_ENABLE  0x100
#define LAPIC_TIMER_DIV_16 0x3
/* 2^20 ticks of a 1 GHz APIC bus (KVM's) divided by 16: about 17 ms. */
#define LAPIC_TIMER_WAKE_COUNT 0x100000u

/* MSI message address for a fixed, edge, physical-destination interrupt
 * (SDM vol. 3A 11.11.1): 0xFEE00000 | destination APIC ID << 12. */
#define MSI_ADDRESS_BASE  0xFEE00000u
#define MSI_DEST_SHIFT    12

/* The 8259A pair: OCW1 (interrupt mask) ports. */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1

/* Install the IDT (exceptions kept, 0x20-0x3F counting), mask both 8259s so
 * no legacy line can raise a vector we do not expect, and software-enable the
 * local APIC. Interrupts stay off (IF=0). */
void irq_init(void);
/* How many times vector v (0x20-0x3F) arrived since irq_init. */
uint32_t irq_count(unsigned vector);
/* MSI address that targets this CPU. */
uint32_t irq_msi_address(void);
/* Let interrupts already pending in the LAPIC for vectors 0x20-0x3F arrive. */
void irq_drain(void);
/* Halt with interrupts on until done(arg) is true or timeout_cycles TSC
 * cycles pass; a one-shot LAPIC timer bounds each hlt so a lost interrupt
 * cannot hang the guest. Interrupts are off again on return. */
bool irq_halt_until(bool (*done)(void *arg), void *arg, uint64_t timeout_cycles);

#endif
