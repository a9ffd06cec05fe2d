/* pam_window.h: the BIOS area 0xC0000-0xFFFFF as the i440FX PAM registers
 * steer it (pam.h), applied to a VM with KVM memory slots.
 *
 * The recipe leaves the area out of the RAM slots (vm->ram_hole_*); the
 * window then maps each run of segments: RAM read/write, RAM read-only (a
 * KVM_MEM_READONLY slot: writes exit and are dropped), or the BIOS ROM's
 * alias read-only (writes exit: dropped, or stored in the RAM below when
 * the segment's WE bit is set). Segments with neither have no slot: their
 * reads exit and float. pam_window_ops, registered on the MMIO bus over the
 * whole area, answers every access that exits, from the same decoded state,
 * so the moments between deleting and re-adding a slot (KVM has no atomic
 * replace) are served correctly too, for data accesses. An instruction
 * fetch from the area in that moment by another vCPU would fail (KVM cannot
 * fetch from MMIO): guests change PAM while the other CPUs are parked
 * (SeaBIOS: before it starts the APs, and at the end of POST with the APs
 * halted), and vmm relies on that.
 */
#ifndef VMM_MODES_FULL_PAM_WINDOW_H
#define VMM_MODES_FULL_PAM_WINDOW_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "core/bus.h"
#include "core/error.h"
#include "modes/full/pam.h"

struct vm;

struct pam_window {
	struct vm *vm;
	pthread_mutex_t lock; /* guards view, runs and the slots */
	bool lock_ready;
	struct pam_view view;
	struct pam_run runs[PAM_SEGMENTS]; /* what KVM maps now */
	unsigned run_slot[PAM_SEGMENTS];   /* the KVM slot of runs[i] */
	unsigned nruns;
	unsigned slots[PAM_SEGMENTS]; /* reserved KVM slot numbers */
	atomic_ulong writes_dropped; /* bytes written where writes do not reach RAM */
	atomic_ulong remaps;         /* slot deletions and additions */
	bool failed;                 /* a slot change failed: the VM was stopped */
};

/* Reserve the slots (needs KVM_CAP_READONLY_MEM), take vm->ram_hole as the
 * area (it must be exactly 0xC0000-0xFFFFF), the ROM alias from rom/rom_len
 * (the whole ROM image; its last 128 KiB show; NULL/0: no ROM) and map the
 * area per regs. Before the vCPUs start; register pam_window_ops (opaque w)
 * at PAM_AREA_BASE, PAM_AREA_SIZE on the MMIO bus. */
int pam_window_init(struct pam_window *w, struct vm *vm, const uint8_t *rom, size_t rom_len,
		    const uint8_t regs[PAM_REGS], struct err *e);
void pam_window_destroy(struct pam_window *w);

/* The PAM registers changed (any thread, vCPUs running): remap. A failed slot
 * change stops the VM (VMM_EXIT_ERROR): the guest would see stale memory. */
void pam_window_set(struct pam_window *w, const uint8_t regs[PAM_REGS]);

extern const struct bus_ops pam_window_ops;

#endif
