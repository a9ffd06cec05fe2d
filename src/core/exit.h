/* exit.h: decode KVM exits that need no vCPU ioctl (unit-testable without KVM). */
#ifndef VMM_CORE_EXIT_H
#define VMM_CORE_EXIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/bus.h"

struct kvm_run;

/* KVM_EXIT_IO: dispatch every element (string I/O carries count > 1).
 * Returns 0, or -1 when the exit's data area lies outside the run page. */
int exit_handle_io(struct bus *pio, struct kvm_run *run, size_t run_size);
/* KVM_EXIT_MMIO: reads fill run->mmio.data. Returns 0, or -1 on a bad length. */
int exit_handle_mmio(struct bus *mmio, struct kvm_run *run);

/* Instructions a PVM host fails to emulate at CPL0 that vmm fixes up itself. */
enum quirk_insn {
	QUIRK_NONE = 0,
	QUIRK_INT3, /* 0xCC: advance RIP, inject #BP (a trap) */
	QUIRK_UD2,  /* 0x0F 0x0B: inject #UD (a fault, RIP unchanged) */
	QUIRK_FWAIT, /* 0x9B: a no-op unless an x87 exception is pending (#MF then) */
	QUIRK_CLAC, /* 0x0F 0x01 0xCA: RFLAGS.AC = 0 (#UD unless CR4.SMAP) */
	QUIRK_STAC, /* 0x0F 0x01 0xCB: RFLAGS.AC = 1 (#UD unless CR4.SMAP) */
};

/* Length of the instruction a quirk finishes. */
unsigned quirk_length(enum quirk_insn q);

enum quirk_insn quirk_classify(const uint8_t *bytes, unsigned n);

/* "cc 0f 0b ..." into buf, for messages. */
void exit_format_bytes(const uint8_t *bytes, unsigned n, char *buf, size_t len);

#endif
