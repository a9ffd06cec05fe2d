/* pam.c: decode the i440FX PAM registers into segment behaviour and slot runs (see pam.h). */
#include "modes/full/pam.h"

uint32_t pam_seg_base(unsigned seg)
{
	return seg >= PAM_SEG_F ? PAM_SEG_F_BASE : PAM_AREA_BASE + seg * PAM_SEG_SIZE;
}

uint32_t pam_seg_size(unsigned seg)
{
	return seg >= PAM_SEG_F ? PAM_SEG_F_SIZE : PAM_SEG_SIZE;
}

int pam_seg_of(uint64_t gpa)
{
	if (gpa < PAM_AREA_BASE || gpa >= PAM_AREA_END)
		return -1;
	if (gpa >= PAM_SEG_F_BASE)
		return PAM_SEG_F;
	return (int)((gpa - PAM_AREA_BASE) / PAM_SEG_SIZE);
}

/* Datasheet §3.2.18: segment 2k and 2k+1 (k = 0..5) live in PAM(k+1), bits
 * 1:0 and 5:4; the F segment in PAM0 bits 5:4. */
unsigned pam_attr(const uint8_t regs[PAM_REGS], unsigned seg)
{
	if (seg >= PAM_SEG_F)
		return (regs[0] >> 4) & (PAM_RE | PAM_WE);
	uint8_t r = regs[1 + seg / 2];
	return (seg & 1 ? r >> 4 : r) & (PAM_RE | PAM_WE);
}

uint32_t pam_rom_alias_len(uint64_t rom_size)
{
	uint64_t n = rom_size < PAM_ROM_ALIAS_MAX ? rom_size : PAM_ROM_ALIAS_MAX;
	return (uint32_t)(n - n % PAM_SEG_SIZE);
}

struct pam_seg_map pam_seg_decode(unsigned attr, bool rom_here)
{
	struct pam_seg_map m;
	m.read = attr & PAM_RE ? PAM_READ_RAM : rom_here ? PAM_READ_ROM : PAM_READ_FLOAT;
	m.write_ram = attr & PAM_WE;
	if (m.read == PAM_READ_RAM)
		m.slot = m.write_ram ? PAM_SLOT_RAM : PAM_SLOT_RAM_RO;
	else
		m.slot = m.read == PAM_READ_ROM ? PAM_SLOT_ROM : PAM_SLOT_NONE;
	return m;
}

void pam_view_update(struct pam_view *v, const uint8_t regs[PAM_REGS])
{
	uint32_t rom_base = PAM_AREA_END - v->rom_len;
	for (unsigned s = 0; s < PAM_SEGMENTS; s++)
		v->map[s] = pam_seg_decode(pam_attr(regs, s), v->rom_len && pam_seg_base(s) >= rom_base);
}

unsigned pam_plan_runs(const struct pam_seg_map map[PAM_SEGMENTS], struct pam_run out[PAM_SEGMENTS])
{
	unsigned n = 0;
	for (unsigned s = 0; s < PAM_SEGMENTS; s++) {
		enum pam_slot k = map[s].slot;
		if (k == PAM_SLOT_NONE)
			continue;
		/* Segments are contiguous, and so are both the RAM and the ROM
		 * backing them: one slot covers a run of the same kind. */
		if (n > 0 && out[n - 1].slot == k && out[n - 1].base + out[n - 1].size == pam_seg_base(s)) {
			out[n - 1].size += pam_seg_size(s);
			continue;
		}
		out[n++] = (struct pam_run){ pam_seg_base(s), pam_seg_size(s), k };
	}
	return n;
}

void pam_runs_match(const struct pam_run *old, unsigned nold, const struct pam_run *new_runs,
		    unsigned nnew, bool old_kept[], bool new_had[])
{
	for (unsigned j = 0; j < nnew; j++)
		new_had[j] = false;
	for (unsigned i = 0; i < nold; i++) {
		old_kept[i] = false;
		for (unsigned j = 0; j < nnew && !old_kept[i]; j++) {
			if (!new_had[j] && old[i].base == new_runs[j].base && old[i].size == new_runs[j].size &&
			    old[i].slot == new_runs[j].slot)
				old_kept[i] = new_had[j] = true;
		}
	}
}

/* The segment at off from the area's base; -1 past the area (no wrap). */
static int pam_seg_at(uint64_t off)
{
	return off < PAM_AREA_SIZE ? pam_seg_of(PAM_AREA_BASE + off) : -1;
}

static uint8_t pam_read_byte(const struct pam_view *v, uint64_t off)
{
	int s = pam_seg_at(off);
	if (s < 0)
		return 0xFF;
	switch (v->map[s].read) {
	case PAM_READ_RAM:
		return v->ram ? v->ram[off] : 0xFF;
	case PAM_READ_ROM:
		/* pam_view_update names ROM only inside the alias */
		return v->rom ? v->rom[off - (PAM_AREA_SIZE - v->rom_len)] : 0xFF;
	default:
		return 0xFF;
	}
}

uint64_t pam_view_read(const struct pam_view *v, uint64_t off, unsigned size)
{
	uint64_t val = 0;
	if (off >= PAM_AREA_SIZE) /* also keeps off + i from wrapping */
		return size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
	for (unsigned i = 0; i < size && i < 8; i++)
		val |= (uint64_t)pam_read_byte(v, off + i) << (8 * i);
	return val;
}

unsigned pam_view_write(const struct pam_view *v, uint64_t off, unsigned size, uint64_t val)
{
	unsigned dropped = 0;
	if (off >= PAM_AREA_SIZE) /* also keeps off + i from wrapping */
		return size < 8 ? size : 8;
	for (unsigned i = 0; i < size && i < 8; i++) {
		int s = pam_seg_at(off + i);
		if (s < 0 || !v->map[s].write_ram || !v->ram)
			dropped++;
		else
			v->ram[off + i] = (uint8_t)(val >> (8 * i));
	}
	return dropped;
}
