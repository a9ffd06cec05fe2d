/* i440fx.h: the i440FX host bridge (82441FX PMC) at 00:00.0, with the PAM
 * registers SeaBIOS unlocks the BIOS area through. QEMU's "pc" machine uses
 * the same chipset (with the PIIX3, piix3.h), and SeaBIOS's built-in tables
 * ($PIR, MP table, DSDT) describe exactly this layout. */
#ifndef VMM_MODES_FULL_I440FX_H
#define VMM_MODES_FULL_I440FX_H

#include <stdint.h>

#include "devices/pci.h"
#include "modes/full/pam.h"

#define PCI_VENDOR_ID_INTEL   0x8086

/* 82441FX host bridge (i440FX datasheet §3.2). */
#define I440FX_DEVICE_ID      0x1237
#define I440FX_REVISION       0x02
#define I440FX_SLOT           0
#define I440FX_PAM0           0x59 /* PAM0-6: 0x59-0x5F (§3.2.18; decoded in pam.h) */
#define I440FX_PAM_COUNT      PAM_REGS
#define I440FX_SMRAM          0x72 /* stored, ignored: no SMM */

struct i440fx {
	struct pci_dev pci;
	/* Called (under the PCI bus lock) after a config write that touched
	 * PAM0-PAM6, with the seven registers; NULL: they are only stored. */
	void (*pam_changed)(void *ctx, const uint8_t regs[PAM_REGS]);
	void *pam_ctx;
};

/* Every segment starts with attribute pam_attr (PAM_RE|PAM_WE bits): 0 as
 * on a real board at power-on (the BIOS area reads the ROM), or, for a
 * machine with no firmware, the RAM a BIOS would leave. Set pam_changed and
 * pam_ctx before the guest runs. */
void i440fx_init(struct i440fx *h, unsigned pam_attr);

#endif
