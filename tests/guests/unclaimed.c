/* unclaimed.c: an unclaimed I/O port and unclaimed MMIO read as all ones and ignore writes. */
#include "lib/guest.h"

/* Nothing decodes 0x2F0-0x2F3 on a PC (COM2 starts at 0x2F8), and vmm and
 * KVM register nothing there. 0xD0000000 lies in the PCI hole, above RAM and
 * away from BARs. Both can be overridden: port=0x... mmio=0x... */
#define DEFAULT_PORT 0x2F0
#define DEFAULT_MMIO 0xD0000000UL

static int failures;

static void check(const char *what, uint64_t got, uint64_t want)
{
	if (got != want) {
		printf("unclaimed: %s read 0x%lx, want 0x%lx\n", what, got, want);
		failures++;
	}
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	uint16_t port = (uint16_t)cmdline_u64("port", DEFAULT_PORT);
	uintptr_t mmio = (uintptr_t)cmdline_u64("mmio", DEFAULT_MMIO);
	printf("unclaimed: port 0x%x, mmio 0x%lx\n", port, (uint64_t)mmio);

	/* Writes first: they must be ignored, not stick and not stop the VM. */
	outb(port, 0x12);
	outw(port, 0x3456);
	outl(port, 0x789abcde);
	check("inb", inb(port), 0xff);
	check("inw", inw(port), 0xffff);
	check("inl", inl(port), 0xffffffff);

	mmio_write8(mmio, 0x12);
	mmio_write16(mmio, 0x3456);
	mmio_write32(mmio, 0x789abcde);
	check("mmio 8-bit", mmio_read8(mmio), 0xff);
	check("mmio 16-bit", mmio_read16(mmio), 0xffff);
	check("mmio 32-bit", mmio_read32(mmio), 0xffffffff);

	if (failures) {
		printf("unclaimed FAILED: %d checks\n", failures);
		return 1;
	}
	printf("unclaimed ok\n");
	return 0;
}
