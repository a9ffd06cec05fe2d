/* i440fx.c: the i440FX host bridge and its PAM registers (see i440fx.h). */
#include "modes/full/i440fx.h"

#include <string.h>

static void i440fx_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	(void)off;
	(void)size;
	(void)val;
	d->cfg[I440FX_PAM0] |= I440FX_PAM_RE_HI;
}

static const struct pci_dev_ops i440fx_ops = {
	.cfg_write = i440fx_cfg_write,
};

void i440fx_init(struct i440fx *h)
{
	pci_dev_init(&h->pci, "i440FX host bridge", PCI_VENDOR_ID_INTEL, I440FX_DEVICE_ID,
		     PCI_CLASS_BRIDGE_HOST, I440FX_REVISION, 0, 0, 0, &i440fx_ops);
	memset(&h->pci.wmask[I440FX_PAM0], 0xFF, I440FX_PAM_COUNT);
	h->pci.wmask[I440FX_SMRAM] = 0xFF;
	h->pci.cfg[I440FX_PAM0] = I440FX_PAM_RE_HI;
}
