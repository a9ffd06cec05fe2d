/* i440fx.h: the i440FX host bridge (82441FX PMC) at 00:00.0, with the PAM
 * registers SeaBIOS unlocks the BIOS area through. QEMU's "pc" machine uses
 * the same chipset (with the PIIX3, piix3.h), and SeaBIOS's built-in tables
 * ($PIR, MP table, DSDT) describe exactly this layout. */
#ifndef VMM_MODES_FULL_I440FX_H
#define VMM_MODES_FULL_I440FX_H

#include <stdint.h>

#include "devices/pci.h"

#define PCI_VENDOR_ID_INTEL   0x8086

/* 82441FX host bridge (i440FX datasheet §3.2). */
#define I440FX_DEVICE_ID      0x1237
#define I440FX_REVISION       0x02
#define I440FX_SLOT           0
#define I440FX_PAM0           0x59 /* PAM0-6: 0x59-0x5F */
#define I440FX_PAM_COUNT      7
#define I440FX_SMRAM          0x72 /* stored, ignored: no SMM */
/* PAM0 bits 5:4 steer 0xF0000-0xFFFFF; bit 4 = reads come from RAM. vmm
 * keeps the whole BIOS area RAM, so bit 4 always reads 1 and SeaBIOS skips
 * copying itself from the ROM (src/fw/shadow.c; firmware-and-platform.md §1.1). */
#define I440FX_PAM_RE_HI      0x10

struct i440fx {
	struct pci_dev pci;
};

void i440fx_init(struct i440fx *h);

#endif
