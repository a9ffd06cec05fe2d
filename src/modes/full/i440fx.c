/* i440fx.c: the i440FX host bridge and its PAM registers (see i440fx.h). */
#include "modes/full/i440fx.h"

#include <stddef.h>
#include <string.h>

static struct i440fx *i440fx_of(struct pci_dev *d)
{
	return (struct i440fx *)((char *)d - offsetof(struct i440fx, pci));
}

static void i440fx_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	struct i440fx *h = i440fx_of(d);
	(void)val;
	if (off + size <= I440FX_PAM0 || off >= I440FX_PAM0 + I440FX_PAM_COUNT || !h->pam_changed)
		return;
	h->pam_changed(h->pam_ctx, &d->cfg[I440FX_PAM0]);
}

static const struct pci_dev_ops i440fx_ops = {
	.cfg_write = i440fx_cfg_write,
};

void i440fx_init(struct i440fx *h, unsigned pam_attr)
{
	pci_dev_init(&h->pci, "i440FX host bridge", PCI_VENDOR_ID_INTEL, I440FX_DEVICE_ID,
		     PCI_CLASS_BRIDGE_HOST, I440FX_REVISION, 0, 0, 0, &i440fx_ops);
	h->pam_changed = NULL;
	h->pam_ctx = NULL;
	memset(&h->pci.wmask[I440FX_PAM0], 0xFF, I440FX_PAM_COUNT);
	/* PAM0 steers one segment with bits 5:4; PAM1-6 two, with 1:0 and 5:4. */
	pam_attr &= PAM_RE | PAM_WE;
	memset(&h->pci.cfg[I440FX_PAM0], (int)(pam_attr | pam_attr << 4), I440FX_PAM_COUNT);
	h->pci.cfg[I440FX_PAM0] = (uint8_t)(pam_attr << 4);
	h->pci.wmask[I440FX_SMRAM] = 0xFF;
}
