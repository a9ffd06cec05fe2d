/* pam_window.c: map the BIOS area's segments with KVM slots as the PAM registers say (see pam_window.h). */
#include "modes/full/pam_window.h"

#include <string.h>

#include "core/vm.h"

/* The host memory behind a run: the RAM below the area, or the ROM alias. */
static void *pam_run_hva(const struct pam_window *w, const struct pam_run *r)
{
	if (r->slot == PAM_SLOT_ROM)
		return (void *)(w->view.rom + (r->base - (PAM_AREA_END - w->view.rom_len)));
	return w->view.ram + (r->base - PAM_AREA_BASE);
}

/* Bring KVM's slots to w->view.map: keep the runs that did not change,
 * delete the others, then add the new ones (slots may never overlap). */
static int pam_window_apply(struct pam_window *w, struct err *e)
{
	struct pam_run want[PAM_SEGMENTS], runs[PAM_SEGMENTS];
	unsigned run_slot[PAM_SEGMENTS], n = 0;
	bool kept[PAM_SEGMENTS], had[PAM_SEGMENTS], busy[PAM_SEGMENTS] = { false };
	unsigned nwant = pam_plan_runs(w->view.map, want);
	pam_runs_match(w->runs, w->nruns, want, nwant, kept, had);
	for (unsigned i = 0; i < w->nruns; i++) {
		unsigned k = w->run_slot[i];
		if (!kept[i]) {
			atomic_fetch_add(&w->remaps, 1);
			if (vm_slot_set(w->vm, w->slots[k], 0, 0, NULL, false, e))
				return -1;
			continue;
		}
		busy[k] = true;
		runs[n] = w->runs[i];
		run_slot[n++] = k;
	}
	for (unsigned j = 0; j < nwant; j++) {
		if (had[j])
			continue;
		unsigned k = 0;
		while (busy[k]) /* n < PAM_SEGMENTS runs: a free slot exists */
			k++;
		busy[k] = true;
		atomic_fetch_add(&w->remaps, 1);
		if (vm_slot_set(w->vm, w->slots[k], want[j].base, want[j].size, pam_run_hva(w, &want[j]),
				want[j].slot != PAM_SLOT_RAM, e))
			return -1;
		runs[n] = want[j];
		run_slot[n++] = k;
	}
	memcpy(w->runs, runs, n * sizeof(runs[0]));
	memcpy(w->run_slot, run_slot, n * sizeof(run_slot[0]));
	w->nruns = n;
	return 0;
}

int pam_window_init(struct pam_window *w, struct vm *vm, const uint8_t *rom, size_t rom_len,
		    const uint8_t regs[PAM_REGS], struct err *e)
{
	memset(w, 0, sizeof(*w));
	w->vm = vm;
	if (vm->ram_hole_gpa != PAM_AREA_BASE || vm->ram_hole_len != PAM_AREA_SIZE)
		return err_set(e, ERR_HOST, "PAM: the BIOS area is not left out of the RAM slots");
	w->view.ram = gpa_to_hva(&vm->mem, PAM_AREA_BASE, PAM_AREA_SIZE);
	if (!w->view.ram)
		return err_set(e, ERR_HOST, "PAM: the BIOS area is not RAM");
	w->view.rom_len = rom ? pam_rom_alias_len(rom_len) : 0;
	w->view.rom = w->view.rom_len ? rom + (rom_len - w->view.rom_len) : NULL;
	if (vm_need_readonly_mem(vm, "the i440FX PAM", e))
		return -1;
	for (unsigned k = 0; k < PAM_SEGMENTS; k++)
		if (vm_slot_alloc(vm, &w->slots[k], e))
			return -1;
	int rc = pthread_mutex_init(&w->lock, NULL);
	if (rc)
		return err_errno(e, ERR_HOST, rc, "PAM lock");
	w->lock_ready = true;
	pam_view_update(&w->view, regs);
	return pam_window_apply(w, e);
}

void pam_window_destroy(struct pam_window *w)
{
	if (w->lock_ready)
		pthread_mutex_destroy(&w->lock);
	w->lock_ready = false;
}

void pam_window_set(struct pam_window *w, const uint8_t regs[PAM_REGS])
{
	struct err e = { 0 };
	pthread_mutex_lock(&w->lock);
	int rc = 0;
	if (!w->failed) {
		pam_view_update(&w->view, regs);
		rc = pam_window_apply(w, &e);
		w->failed = rc != 0;
	}
	pthread_mutex_unlock(&w->lock);
	if (rc)
		vm_request_stop(w->vm, VMM_EXIT_ERROR, 0, "i440FX PAM: %s", e.msg);
}

/* Accesses that exit: no slot under them (floating segments, or a slot
 * being replaced), or a write to a read-only one. */
static uint64_t pam_window_read(void *opaque, uint64_t off, unsigned size)
{
	struct pam_window *w = opaque;
	pthread_mutex_lock(&w->lock);
	uint64_t v = pam_view_read(&w->view, off, size);
	pthread_mutex_unlock(&w->lock);
	return v;
}

static void pam_window_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pam_window *w = opaque;
	pthread_mutex_lock(&w->lock);
	unsigned dropped = pam_view_write(&w->view, off, size, val);
	pthread_mutex_unlock(&w->lock);
	if (dropped)
		atomic_fetch_add(&w->writes_dropped, dropped);
}

const struct bus_ops pam_window_ops = {
	.read = pam_window_read,
	.write = pam_window_write,
};
