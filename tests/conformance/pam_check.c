/* pam_check.c: the i440FX PAM registers after SeaBIOS: as its make_bios_readonly leaves them
 * (src/fw/shadow.c), the BIOS area write-protected, and the registers still steering 0xF0000-0xFFFFF
 * between RAM, read-only RAM and the BIOS ROM's alias (82441FX datasheet §3.2.18). Full mode only:
 * vmm's para machine has no i440FX. Everything it changes it puts back. */
#include "os.h"

/* Only this check touches these (datasheet §3.2.18). */
#define I440FX_PAM0     0x59 /* PAM0-PAM6: 0x59-0x5F */
#define PAM_REGS        7
#define PAM_HI_RE       0x10 /* PAM0 bits 5:4 steer 0xF0000-0xFFFFF: RE, WE */
#define PAM_HI_RW       0x30
#define PAM_HI_ROM      0x00 /* neither: reads and writes go to PCI, i.e. the ROM */
#define PAM_SEG_F_BASE  0xF0000u
#define PAM_AREA_BASE   0xC0000u
#define PAM_PAIR_SIZE   0x8000u /* PAM1-6: two 16 KiB segments each */
/* The ROM ends at 4 GiB and its last 64 KiB are what 0xF0000 shows through
 * PCI (QEMU hw/i386/x86.c x86_bios_rom_init; SeaBIOS BIOS_SRC_OFFSET). */
#define BIOS_ROM_F_ALIAS 0xFFFF0000u
/* The byte we probe: the reset vector's far jump, which nothing runs again. */
#define PAM_PROBE_OFF   0xFFF0u
/* conformance.sh requires this line from vmm. */
#define PAM_NOTE_WRITE_PROTECTED "read-only RAM drops writes"

static volatile uint8_t *bios_f(void)
{
	return phys(PAM_SEG_F_BASE + PAM_PROBE_OFF);
}

static volatile uint8_t *rom_f(void)
{
	return phys(BIOS_ROM_F_ALIAS + PAM_PROBE_OFF);
}

/* SeaBIOS's lock: PAM0 = 0x10; PAM1-6 = 0x11 over its code and data, maybe
 * one 0x31 where option ROMs end inside a pair, 0x33 (still RAM, read and
 * write) above what it used. */
static bool pam_check_left(const uint8_t pam[PAM_REGS])
{
	check_note("PAM0-6 after SeaBIOS: %02x %02x %02x %02x %02x %02x %02x", pam[0], pam[1], pam[2], pam[3],
		   pam[4], pam[5], pam[6]);
	if (pam[0] != PAM_HI_RE)
		return check_fail("PAM0 0x%02x, SeaBIOS leaves 0x10 (0xF0000 read-only)", pam[0]);
	int stage = 0; /* 0: 0x11s, 1: after a 0x31, 2: 0x33s */
	for (int i = 1; i < PAM_REGS; i++) {
		int want = pam[i] == 0x11 ? 0 : pam[i] == 0x31 ? 1 : pam[i] == 0x33 ? 2 : -1;
		if (want < 0 || want < stage || (want == 1 && stage == 1))
			return check_fail("PAM%d 0x%02x breaks SeaBIOS's 0x11.. [0x31] 0x33.. pattern", i, pam[i]);
		stage = want;
	}
	return true;
}

/* Whether a write is dropped; the byte is put back if it stuck. */
static bool pam_write_dropped(volatile uint8_t *p, uint32_t pa)
{
	uint8_t b = *p;
	*p = (uint8_t)~b;
	uint8_t now = *p;
	if (now == b)
		return true;
	*p = b;
	check_note("a write at 0x%x stuck (0x%02x -> 0x%02x)", pa, b, now);
	return false;
}

static void pam0_set(const struct os_state *s, uint8_t v)
{
	pci_write8(&s->host, I440FX_PAM0, v);
}

bool check_pam(struct os_state *s)
{
	if (!s->has_host)
		return check_fail("no i440FX (the pci check failed)");
	uint8_t pam[PAM_REGS];
	for (int i = 0; i < PAM_REGS; i++)
		pam[i] = pci_read8(&s->host, I440FX_PAM0 + i);
	bool ok = pam_check_left(pam);
	volatile uint8_t *f = bios_f(), *rom = rom_f();
	uint32_t f_pa = PAM_SEG_F_BASE + PAM_PROBE_OFF;
	/* Read-only RAM (RE only) drops writes, at 0xF0000 and in a C-E
	 * segment SeaBIOS locked. Reported, not failed here: on QEMU 7.2 with
	 * KVM such writes stick (observed; its read-only "pam-rom" alias,
	 * hw/pci-host/pam.c, seems to reach KVM as a writable slot), so the
	 * host side requires the line for vmm only. */
	bool wp = pam_write_dropped(f, f_pa);
	for (int i = 1; i < PAM_REGS; i++) {
		if ((pam[i] & 0x3) == 0x1) {
			uint32_t pa = PAM_AREA_BASE + (uint32_t)(i - 1) * PAM_PAIR_SIZE;
			wp &= pam_write_dropped(phys(pa), pa);
			break;
		}
	}
	check_note("%s", wp ? PAM_NOTE_WRITE_PROTECTED : "read-only RAM takes writes (QEMU with KVM does)");
	/* RE+WE: RAM again, writable. Leave a marker that differs from the ROM. */
	uint8_t orig = *f, rom_byte = *rom, marker = (uint8_t)~rom_byte;
	pam0_set(s, PAM_HI_RW);
	*f = marker;
	uint8_t got = *f;
	if (got != marker)
		ok = check_fail("PAM0 0x30: a write at 0x%x did not stick (0x%02x, wrote 0x%02x)", f_pa, got, marker);
	/* Neither: reads come from the ROM's alias, not the RAM below. */
	pam0_set(s, PAM_HI_ROM);
	got = *f;
	if (got != rom_byte)
		ok = check_fail("PAM0 0x00: 0x%x reads 0x%02x, the ROM has 0x%02x", f_pa, got, rom_byte);
	/* RE only again: the RAM under the ROM kept the marker. */
	pam0_set(s, PAM_HI_RE);
	got = *f;
	if (got != marker)
		ok = check_fail("PAM0 0x10: 0x%x reads 0x%02x, the RAM had 0x%02x", f_pa, got, marker);
	/* Put back SeaBIOS's byte and lock. */
	pam0_set(s, PAM_HI_RW);
	*f = orig;
	pam0_set(s, pam[0]);
	got = pci_read8(&s->host, I440FX_PAM0);
	if (got != pam[0] || *f != orig)
		ok = check_fail("restoring: PAM0 0x%02x, 0x%x holds 0x%02x (want 0x%02x, 0x%02x)", got, f_pa, *f,
				pam[0], orig);
	return ok;
}
