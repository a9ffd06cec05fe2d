/* pam.h: the i440FX Programmable Attribute Map, decoded: what each of the
 * BIOS area's 13 segments does with reads and writes, the KVM memory slots
 * that give it, and the answer to accesses that exit to the VMM. Pure: no
 * KVM, no locks (pam_window.h applies it to a VM).
 *
 * 82441FX datasheet §3.2.18, PAM0-PAM6 (config 0x59-0x5F): PAM0 bits 5:4
 * steer 0xF0000-0xFFFFF; PAM1-PAM6 steer 0xC0000-0xEFFFF in 16 KiB segments,
 * two per register: bits 1:0 the lower segment, bits 5:4 the upper one
 * (PAM1 = 0xC0000 and 0xC4000, ..., PAM6 = 0xE8000 and 0xEC000). In each
 * pair, the low bit (RE) sends reads to DRAM and the high bit (WE) sends
 * writes to DRAM; a clear bit forwards the access to PCI, where only the
 * BIOS ROM answers: the board aliases the ROM's last 128 KiB (all of a
 * smaller ROM) at the top of the area, ending at 1 MiB (QEMU hw/i386/x86.c
 * x86_bios_rom_init). Anything else forwarded reads as a floating bus
 * (all ones) and swallows writes. The other bits of each register are
 * reserved: stored, never decoded. The power-on value of every register is
 * 0: reads of 0xE0000-0xFFFFF reach the ROM.
 */
#ifndef VMM_MODES_FULL_PAM_H
#define VMM_MODES_FULL_PAM_H

#include <stdbool.h>
#include <stdint.h>

#define PAM_REGS        7        /* PAM0-PAM6 */
#define PAM_SEGMENTS    13       /* 12 x 16 KiB (PAM1-6) + 64 KiB (PAM0) */
#define PAM_SEG_F       12       /* 0xF0000-0xFFFFF, PAM0 bits 5:4 */
#define PAM_AREA_BASE   0xC0000u
#define PAM_AREA_END    0x100000u
#define PAM_AREA_SIZE   (PAM_AREA_END - PAM_AREA_BASE)
#define PAM_SEG_SIZE    0x4000u  /* 16 KiB: the C, D and E segments */
#define PAM_SEG_F_BASE  0xF0000u
#define PAM_SEG_F_SIZE  0x10000u /* 64 KiB */
#define PAM_ROM_ALIAS_MAX 0x20000u /* the ROM's last 128 KiB show at 0xE0000 */

/* A segment's attribute: its two bits, shifted down. */
#define PAM_RE 0x1 /* reads from DRAM */
#define PAM_WE 0x2 /* writes to DRAM */

/* Where reads of a segment come from. */
enum pam_read {
	PAM_READ_FLOAT, /* forwarded, nothing answers: all ones */
	PAM_READ_ROM,   /* forwarded to the BIOS ROM alias */
	PAM_READ_RAM,
};

/* The KVM memory slot that serves a segment without exits. */
enum pam_slot {
	PAM_SLOT_NONE,   /* every access exits (reads float) */
	PAM_SLOT_ROM,    /* read-only slot on the ROM bytes: writes exit */
	PAM_SLOT_RAM_RO, /* read-only slot on the RAM: writes exit */
	PAM_SLOT_RAM,    /* read-write slot on the RAM: nothing exits */
};

struct pam_seg_map {
	enum pam_read read;
	bool write_ram; /* else writes are dropped */
	enum pam_slot slot;
};

/* A run of adjacent segments served by one slot. */
struct pam_run {
	uint32_t base, size;
	enum pam_slot slot;
};

/* What accesses that exit see: the decoded map, the RAM backing the area
 * (PAM_AREA_SIZE bytes, 0xC0000 first) and the ROM alias (rom_len bytes
 * ending at PAM_AREA_END; rom_len 0: no ROM). */
struct pam_view {
	struct pam_seg_map map[PAM_SEGMENTS];
	uint8_t *ram;
	const uint8_t *rom;
	uint32_t rom_len;
};

/* Segment geometry; pam_seg_of gives -1 outside the area. */
uint32_t pam_seg_base(unsigned seg);
uint32_t pam_seg_size(unsigned seg);
int pam_seg_of(uint64_t gpa);

/* Segment seg's RE|WE bits from the PAM0-PAM6 bytes. */
unsigned pam_attr(const uint8_t regs[PAM_REGS], unsigned seg);

/* The ROM alias length a ROM of rom_size bytes gives: min(size, 128 KiB),
 * rounded down to whole 16 KiB segments. */
uint32_t pam_rom_alias_len(uint64_t rom_size);

/* One segment's behaviour for attribute attr (PAM_RE|PAM_WE) when the ROM
 * alias covers it (rom_here) or not. */
struct pam_seg_map pam_seg_decode(unsigned attr, bool rom_here);

/* Decode all 13 segments of regs into v->map (v->rom_len says where the ROM
 * alias lies). */
void pam_view_update(struct pam_view *v, const uint8_t regs[PAM_REGS]);

/* The slots map[] needs: maximal runs of adjacent segments with the same slot
 * kind, PAM_SLOT_NONE left out, in address order. Returns the count. */
unsigned pam_plan_runs(const struct pam_seg_map map[PAM_SEGMENTS], struct pam_run out[PAM_SEGMENTS]);

/* Which runs survive a remap: old_kept[i] when old[i] is also in new (same
 * range and kind: its slot stays), new_had[j] when new[j] was in old. The
 * rest of old must be deleted before the rest of new is added (KVM slots may
 * not overlap). */
void pam_runs_match(const struct pam_run *old, unsigned nold, const struct pam_run *new_runs,
		    unsigned nnew, bool old_kept[], bool new_had[]);

/* An access at off (from PAM_AREA_BASE) of size bytes (1-8), little-endian,
 * byte by byte per segment. Accesses reaching past the area read all ones
 * and drop writes. pam_view_write returns the number of bytes dropped. */
uint64_t pam_view_read(const struct pam_view *v, uint64_t off, unsigned size);
unsigned pam_view_write(const struct pam_view *v, uint64_t off, unsigned size, uint64_t val);

#endif
