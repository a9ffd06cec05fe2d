/* pci_check.c: the PCI enumeration check (type-1 configuration access through tests/guests/lib/pci.c). */
#include "os.h"

static void pci_print_all(void)
{
	for (uint8_t dev = 0; dev < PCI_MAX_DEVS; dev++) {
		for (uint8_t fn = 0; fn < PCI_MAX_FNS; fn++) {
			struct pci_fn f = { 0, dev, fn, 0, 0 };
			uint32_t id = pci_read32(&f, PCI_VENDOR_ID);
			if ((id & 0xFFFF) == 0xFFFF) {
				if (fn == 0)
					break;
				continue;
			}
			uint32_t cls = pci_read32(&f, PCI_REG_CLASS);
			check_note("00:%02x.%x %04x:%04x class %02x%02x prog-if %02x", dev, fn, id & 0xFFFF, id >> 16,
				   cls >> 24, (cls >> 16) & 0xFF, (cls >> 8) & 0xFF);
			if (fn == 0 && !(pci_read8(&f, PCI_HEADER_TYPE) & PCI_HEADER_MULTIFUNCTION))
				break;
		}
	}
}

/* A device we expect, with its class and subclass (PCI 3.0 appendix D). */
static bool expect_dev(struct pci_fn *f, bool *has, uint16_t did, uint32_t class_sub, const char *what)
{
	*has = pci_find(PCI_VID_INTEL, did, 0, f);
	if (!*has)
		return check_fail("no %s (8086:%04x)", what, did);
	uint32_t cls = pci_read32(f, PCI_REG_CLASS) >> 16;
	if (cls != class_sub)
		return check_fail("%s class %04x, expected %04x", what, cls, class_sub);
	return true;
}

bool check_pci(struct os_state *s)
{
	/* Mechanism #1 is there when CONFIG_ADDRESS reads back what was
	 * written (what SeaBIOS and Linux probe first). */
	outl(PCI_PORT_ADDRESS, PCI_ADDRESS_ENABLE);
	uint32_t back = inl(PCI_PORT_ADDRESS);
	if (back != PCI_ADDRESS_ENABLE)
		return check_fail("CONFIG_ADDRESS reads back 0x%x after writing 0x80000000", back);
	pci_print_all();
	bool ok = true;
	if (s->mode == CONF_MODE_FULL) {
		ok &= expect_dev(&s->host, &s->has_host, PCI_DID_I440FX, 0x0600, "i440FX host bridge");
		ok &= expect_dev(&s->isa, &s->has_isa, PCI_DID_PIIX3_ISA, 0x0601, "PIIX3 ISA bridge");
		ok &= expect_dev(&s->ide, &s->has_ide, PCI_DID_PIIX3_IDE, 0x0101, "PIIX3 IDE");
		ok &= expect_dev(&s->pm, &s->has_pm, PCI_DID_PIIX4_PM, 0x0680, "PIIX4 PM");
		if (s->has_host && (s->host.dev != 0 || s->host.fn != 0))
			ok = check_fail("the host bridge is not at 00:00.0");
		if (s->has_virtio_blk)
			ok = check_fail("a virtio-blk device in full mode");
	} else {
		if (!s->has_virtio_blk)
			ok = check_fail("para mode without a virtio-blk device (1af4:%04x)", PCI_DID_VIRTIO_BLK);
		/* Optional here: with it the OS powers off through ACPI. */
		s->has_pm = pci_find(PCI_VID_INTEL, PCI_DID_PIIX4_PM, 0, &s->pm);
	}
	if (s->has_pm) {
		/* SeaBIOS programs PMBASE and turns the PM I/O space on
		 * (src/fw/pciinit.c piix4_pm_setup). */
		uint32_t base = pci_read32(&s->pm, PIIX4_PM_PMBASE) & 0xFFC0;
		uint8_t misc = pci_read8(&s->pm, PIIX4_PM_PMREGMISC);
		check_note("PIIX4 PM: PMBASE 0x%x, PMREGMISC 0x%x", base, misc);
		if (!base || !(misc & 1))
			ok = check_fail("PM I/O space not set up (PMBASE 0x%x, PMREGMISC 0x%x)", base, misc);
		else
			s->pmbase = (uint16_t)base;
	}
	return ok;
}
