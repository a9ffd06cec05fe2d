/* test_modes_pam.c: the i440FX PAM decoder (modes/full/pam.c): every register
 * value, segment boundaries, the ROM alias, slot runs and their diff, and
 * what accesses that exit see; the registers' reset values (i440fx.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "modes/full/i440fx.h"
#include "modes/full/pam.h"

/* Every value of every register: only bits 1:0 and 5:4 steer, each register
 * only its own segments, the reserved bits nothing (datasheet §3.2.18). */
START_TEST(test_attr_every_value)
{
	for (unsigned reg = 0; reg < PAM_REGS; reg++) {
		for (unsigned v = 0; v < 256; v++) {
			uint8_t regs[PAM_REGS] = { 0 };
			regs[reg] = (uint8_t)v;
			for (unsigned seg = 0; seg < PAM_SEGMENTS; seg++) {
				unsigned want = 0;
				if (reg == 0 && seg == PAM_SEG_F)
					want = (v >> 4) & 3;
				else if (reg > 0 && seg == 2 * (reg - 1))
					want = v & 3;
				else if (reg > 0 && seg == 2 * (reg - 1) + 1)
					want = (v >> 4) & 3;
				ck_assert_msg(pam_attr(regs, seg) == want, "PAM%u=0x%02x segment %u: %u, want %u", reg,
					      v, seg, pam_attr(regs, seg), want);
			}
		}
	}
}
END_TEST

START_TEST(test_segment_boundaries)
{
	ck_assert_int_eq(pam_seg_of(0xBFFFF), -1);
	ck_assert_int_eq(pam_seg_of(0xC0000), 0);
	ck_assert_int_eq(pam_seg_of(0xC3FFF), 0);
	ck_assert_int_eq(pam_seg_of(0xC4000), 1);
	ck_assert_int_eq(pam_seg_of(0xDFFFF), 7);
	ck_assert_int_eq(pam_seg_of(0xE0000), 8);
	ck_assert_int_eq(pam_seg_of(0xEC000), 11);
	ck_assert_int_eq(pam_seg_of(0xEFFFF), 11);
	ck_assert_int_eq(pam_seg_of(0xF0000), PAM_SEG_F);
	ck_assert_int_eq(pam_seg_of(0xFFFFF), PAM_SEG_F);
	ck_assert_int_eq(pam_seg_of(0x100000), -1);
	ck_assert_int_eq(pam_seg_of(UINT64_MAX), -1);
	/* The segments tile the area, each where pam_seg_of puts it. */
	uint32_t next = PAM_AREA_BASE;
	for (unsigned s = 0; s < PAM_SEGMENTS; s++) {
		ck_assert_uint_eq(pam_seg_base(s), next);
		ck_assert_int_eq(pam_seg_of(next), (int)s);
		ck_assert_int_eq(pam_seg_of(next + pam_seg_size(s) - 1), (int)s);
		next += pam_seg_size(s);
	}
	ck_assert_uint_eq(next, PAM_AREA_END);
}
END_TEST

START_TEST(test_decode)
{
	struct pam_seg_map m = pam_seg_decode(0, true);
	ck_assert(m.read == PAM_READ_ROM && !m.write_ram && m.slot == PAM_SLOT_ROM);
	m = pam_seg_decode(0, false);
	ck_assert(m.read == PAM_READ_FLOAT && !m.write_ram && m.slot == PAM_SLOT_NONE);
	m = pam_seg_decode(PAM_RE, false);
	ck_assert(m.read == PAM_READ_RAM && !m.write_ram && m.slot == PAM_SLOT_RAM_RO);
	m = pam_seg_decode(PAM_WE, true);
	ck_assert(m.read == PAM_READ_ROM && m.write_ram && m.slot == PAM_SLOT_ROM);
	m = pam_seg_decode(PAM_WE, false);
	ck_assert(m.read == PAM_READ_FLOAT && m.write_ram && m.slot == PAM_SLOT_NONE);
	m = pam_seg_decode(PAM_RE | PAM_WE, true);
	ck_assert(m.read == PAM_READ_RAM && m.write_ram && m.slot == PAM_SLOT_RAM);
}
END_TEST

/* The ROM's last 128 KiB at most, ending at 1 MiB. */
START_TEST(test_rom_alias)
{
	ck_assert_uint_eq(pam_rom_alias_len(0x40000), 0x20000);
	ck_assert_uint_eq(pam_rom_alias_len(0x20000), 0x20000);
	ck_assert_uint_eq(pam_rom_alias_len(0x10000), 0x10000);
	ck_assert_uint_eq(pam_rom_alias_len(0x1000), 0);
	ck_assert_uint_eq(pam_rom_alias_len(0), 0);
	const uint8_t zero[PAM_REGS] = { 0 };
	struct pam_view v = { .rom_len = 0x20000 };
	pam_view_update(&v, zero);
	for (unsigned s = 0; s < PAM_SEGMENTS; s++)
		ck_assert_int_eq(v.map[s].read, pam_seg_base(s) >= 0xE0000 ? PAM_READ_ROM : PAM_READ_FLOAT);
	v.rom_len = 0x10000; /* a 64 KiB ROM: only 0xF0000 */
	pam_view_update(&v, zero);
	ck_assert_int_eq(v.map[PAM_SEG_F - 1].read, PAM_READ_FLOAT);
	ck_assert_int_eq(v.map[PAM_SEG_F].read, PAM_READ_ROM);
	v.rom_len = 0; /* no firmware: all floats */
	pam_view_update(&v, zero);
	ck_assert_int_eq(v.map[PAM_SEG_F].read, PAM_READ_FLOAT);
}
END_TEST

static unsigned runs_of(const uint8_t regs[PAM_REGS], uint32_t rom_len, struct pam_run out[PAM_SEGMENTS])
{
	struct pam_view v = { .rom_len = rom_len };
	pam_view_update(&v, regs);
	return pam_plan_runs(v.map, out);
}

static void assert_run(const struct pam_run *r, uint32_t base, uint32_t size, enum pam_slot slot)
{
	ck_assert_uint_eq(r->base, base);
	ck_assert_uint_eq(r->size, size);
	ck_assert_int_eq(r->slot, slot);
}

/* The states SeaBIOS goes through (src/fw/shadow.c), and a patchwork. */
START_TEST(test_plan_runs)
{
	struct pam_run r[PAM_SEGMENTS];
	const uint8_t reset[PAM_REGS] = { 0 };
	ck_assert_uint_eq(runs_of(reset, 0x20000, r), 1);
	assert_run(&r[0], 0xE0000, 0x20000, PAM_SLOT_ROM);
	ck_assert_uint_eq(runs_of(reset, 0, r), 0);
	const uint8_t unlocked[PAM_REGS] = { 0x30, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33 };
	ck_assert_uint_eq(runs_of(unlocked, 0x20000, r), 1);
	assert_run(&r[0], PAM_AREA_BASE, PAM_AREA_SIZE, PAM_SLOT_RAM);
	const uint8_t locked[PAM_REGS] = { 0x10, 0x11, 0x11, 0x11, 0x11, 0x11, 0x31 };
	ck_assert_uint_eq(runs_of(locked, 0x20000, r), 3);
	assert_run(&r[0], 0xC0000, 0x2C000, PAM_SLOT_RAM_RO);
	assert_run(&r[1], 0xEC000, 0x4000, PAM_SLOT_RAM);
	assert_run(&r[2], 0xF0000, 0x10000, PAM_SLOT_RAM_RO);
	/* A patchwork: floating gaps split runs, neighbours of one kind merge,
	 * WE-only segments float below the ROM alias and show it inside. */
	const uint8_t mixed[PAM_REGS] = { 0x20, 0x10, 0x31, 0x03, 0x20, 0x12, 0x31 };
	ck_assert_uint_eq(runs_of(mixed, 0x20000, r), 6);
	assert_run(&r[0], 0xC4000, 0x8000, PAM_SLOT_RAM_RO); /* PAM1 high, PAM2 low: RE */
	assert_run(&r[1], 0xCC000, 0x8000, PAM_SLOT_RAM);    /* PAM2 high, PAM3 low: RE+WE */
	/* PAM3 high, PAM4 low: off; PAM4 high: WE only, no ROM there */
	assert_run(&r[2], 0xE0000, 0x4000, PAM_SLOT_ROM);    /* PAM5 low: WE only */
	assert_run(&r[3], 0xE4000, 0x8000, PAM_SLOT_RAM_RO); /* PAM5 high, PAM6 low */
	assert_run(&r[4], 0xEC000, 0x4000, PAM_SLOT_RAM);    /* PAM6 high */
	assert_run(&r[5], 0xF0000, 0x10000, PAM_SLOT_ROM);   /* PAM0: WE only */
	/* Runs never overlap and stay in order. */
	unsigned n = runs_of(mixed, 0x20000, r);
	for (unsigned i = 1; i < n; i++)
		ck_assert_uint_le(r[i - 1].base + r[i - 1].size, r[i].base);
}
END_TEST

START_TEST(test_runs_match)
{
	struct pam_run a[PAM_SEGMENTS], b[PAM_SEGMENTS];
	bool kept[PAM_SEGMENTS], had[PAM_SEGMENTS];
	const uint8_t unlocked[PAM_REGS] = { 0x30, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33 };
	const uint8_t locked[PAM_REGS] = { 0x10, 0x11, 0x11, 0x11, 0x11, 0x11, 0x31 };
	const uint8_t f_rom[PAM_REGS] = { 0x00, 0x11, 0x11, 0x11, 0x11, 0x11, 0x31 };
	unsigned na = runs_of(locked, 0x20000, a), nb = runs_of(f_rom, 0x20000, b);
	/* Only PAM0 changed: the C-E runs stay, 0xF0000's is replaced. */
	ck_assert_uint_eq(nb, 3);
	pam_runs_match(a, na, b, nb, kept, had);
	ck_assert(kept[0] && kept[1] && !kept[2]);
	ck_assert(had[0] && had[1] && !had[2]);
	/* Unlocked -> locked: nothing survives (the single RAM run splits). */
	na = runs_of(unlocked, 0x20000, a);
	pam_runs_match(a, na, b, nb, kept, had);
	ck_assert(!kept[0]);
	for (unsigned j = 0; j < nb; j++)
		ck_assert(!had[j]);
	/* The same map: everything kept. */
	pam_runs_match(b, nb, b, nb, kept, had);
	for (unsigned j = 0; j < nb; j++)
		ck_assert(kept[j] && had[j]);
	/* To or from no runs. */
	pam_runs_match(a, na, b, 0, kept, had);
	ck_assert(!kept[0]);
	pam_runs_match(a, 0, b, nb, kept, had);
	ck_assert(!had[0]);
}
END_TEST

struct view_rig {
	uint8_t ram[PAM_AREA_SIZE];
	uint8_t rom[0x20000];
	struct pam_view v;
};

static struct view_rig *view_rig_new(void)
{
	struct view_rig *r = calloc(1, sizeof(*r));
	for (size_t i = 0; i < sizeof(r->rom); i++)
		r->rom[i] = (uint8_t)(i * 7 + 1);
	memset(r->ram, 0x5A, sizeof(r->ram));
	r->v.ram = r->ram;
	r->v.rom = r->rom;
	r->v.rom_len = sizeof(r->rom);
	return r;
}

#define OFF(gpa) ((gpa) - PAM_AREA_BASE)

/* What exits see: per segment, byte by byte. */
START_TEST(test_view_access)
{
	struct view_rig *r = view_rig_new();
	const uint8_t reset[PAM_REGS] = { 0 };
	pam_view_update(&r->v, reset);
	/* Power-on: the ROM's last bytes at 0xFFFF0, the C segment floats,
	 * writes go nowhere. */
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xFFFF0), 1), r->rom[0x1FFF0]);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xE0000), 2), r->rom[0] | r->rom[1] << 8);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xC0000), 4), 0xFFFFFFFF);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xC0000), 8), UINT64_MAX);
	ck_assert_uint_eq(pam_view_write(&r->v, OFF(0xF0000), 4, 0x11223344), 4);
	ck_assert_uint_eq(r->ram[OFF(0xF0000)], 0x5A);
	/* WE only: writes reach the RAM under the ROM, reads still the ROM. */
	const uint8_t we[PAM_REGS] = { 0x20, 0x22, 0, 0, 0, 0, 0 };
	pam_view_update(&r->v, we);
	ck_assert_uint_eq(pam_view_write(&r->v, OFF(0xF0000), 2, 0xBEEF), 0);
	ck_assert_uint_eq(r->ram[OFF(0xF0000)], 0xEF);
	ck_assert_uint_eq(r->ram[OFF(0xF0001)], 0xBE);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xF0000), 1), r->rom[0x10000]);
	ck_assert_uint_eq(pam_view_write(&r->v, OFF(0xC4000), 1, 0x77), 0); /* PAM1 high WE, floats */
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xC4000), 1), 0xFF);
	ck_assert_uint_eq(r->ram[OFF(0xC4000)], 0x77);
	/* RE only: RAM reads, writes dropped. */
	const uint8_t ro[PAM_REGS] = { 0x10, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 };
	pam_view_update(&r->v, ro);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xF0000), 2), 0xBEEF);
	ck_assert_uint_eq(pam_view_write(&r->v, OFF(0xF0000), 8, 0), 8);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xF0000), 2), 0xBEEF);
	/* An access straddling a RAM segment and a floating one. */
	const uint8_t half[PAM_REGS] = { 0, 0x03, 0, 0, 0, 0, 0 };
	pam_view_update(&r->v, half);
	ck_assert_uint_eq(pam_view_read(&r->v, OFF(0xC3FFE), 4), 0xFFFF5A5A);
	ck_assert_uint_eq(pam_view_write(&r->v, OFF(0xC3FFE), 4, 0x01020304), 2);
	ck_assert_uint_eq(r->ram[OFF(0xC3FFE)], 0x04);
	ck_assert_uint_eq(r->ram[OFF(0xC4000)], 0x77);
	/* Past the area (the bus never sends these): all ones, dropped. */
	ck_assert_uint_eq(pam_view_read(&r->v, PAM_AREA_SIZE - 1, 2), 0xFF00u | r->rom[0x1FFFF]);
	ck_assert_uint_eq(pam_view_read(&r->v, UINT64_MAX - 2, 4), 0xFFFFFFFF);
	ck_assert_uint_eq(pam_view_write(&r->v, UINT64_MAX - 2, 4, 0), 4);
	free(r);
}
END_TEST

/* Power-on 0 everywhere; without firmware, RAM read/write as a BIOS leaves
 * it. SMRAM is separate: not a PAM register. */
START_TEST(test_i440fx_reset_values)
{
	struct i440fx h;
	i440fx_init(&h, 0);
	for (unsigned i = 0; i < PAM_REGS; i++)
		ck_assert_uint_eq(h.pci.cfg[I440FX_PAM0 + i], 0);
	i440fx_init(&h, PAM_RE | PAM_WE);
	ck_assert_uint_eq(h.pci.cfg[I440FX_PAM0], 0x30);
	for (unsigned i = 1; i < PAM_REGS; i++)
		ck_assert_uint_eq(h.pci.cfg[I440FX_PAM0 + i], 0x33);
	ck_assert_uint_eq(h.pci.cfg[I440FX_PAM0 - 1], 0);
	ck_assert_uint_eq(h.pci.cfg[I440FX_PAM0 + PAM_REGS], 0);
	ck_assert_uint_eq(h.pci.cfg[I440FX_SMRAM], 0);
	ck_assert_ptr_null(h.pam_changed);
}
END_TEST

static Suite *pam_suite(void)
{
	Suite *s = suite_create("pam");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, test_attr_every_value);
	tcase_add_test(tc, test_segment_boundaries);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_rom_alias);
	tcase_add_test(tc, test_i440fx_reset_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("slots");
	tcase_add_test(tc, test_plan_runs);
	tcase_add_test(tc, test_runs_match);
	tcase_add_test(tc, test_view_access);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pam_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
