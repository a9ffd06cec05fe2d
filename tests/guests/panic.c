/* panic.c: report a kernel panic the way Linux's pvpanic-pci driver does:
 * find PCI 1b36:0011 on bus 0, map its BAR0, read which events it supports,
 * then write "panicked" (bit 0). vmm must end the run with status 121 before
 * the guest gets further. With crash=1 the guest first writes "crash loaded"
 * (bit 1), which vmm only counts, and checks it is still running. */
#include "lib/guest.h"
#include "lib/pci.h"

#define PVPANIC_VENDOR 0x1B36 /* QEMU docs/specs/pvpanic.rst, PCI interface */
#define PVPANIC_DEVICE 0x0011
#define PVPANIC_PANICKED     0x1
#define PVPANIC_CRASH_LOADED 0x2

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	struct pci_fn f;
	if (!pci_find(PVPANIC_VENDOR, PVPANIC_DEVICE, 0, &f)) {
		printf("panic: FAIL no pvpanic device (1b36:0011) on bus 0\n");
		return 1;
	}
	if (pci_assign_bars() < 0) {
		printf("panic: FAIL assigning BARs\n");
		return 1;
	}
	bool io;
	uint64_t size;
	uint64_t base = pci_bar_base(&f, 0, &io, &size);
	printf("panic: pvpanic at 00:%02x.%x rev %u, BAR0 %s at 0x%llx size 0x%llx\n", f.dev, f.fn,
	       pci_read8(&f, PCI_REVISION), io ? "io" : "mem", (unsigned long long)base,
	       (unsigned long long)size);
	if (io || base == 0) {
		printf("panic: FAIL BAR0 is not an assigned memory BAR\n");
		return 1;
	}
	volatile uint8_t *reg = (volatile uint8_t *)(uintptr_t)base;
	uint8_t supported = *reg;
	printf("panic: supported events 0x%x\n", supported);
	if (!(supported & PVPANIC_PANICKED)) {
		printf("panic: FAIL the device does not take \"panicked\"\n");
		return 1;
	}
	if (cmdline_u64("crash", 0)) {
		*reg = PVPANIC_CRASH_LOADED;
		printf("panic: still running after \"crash loaded\"\n");
	}
	printf("panic: reporting a panic\n");
	*reg = PVPANIC_PANICKED;
	printf("panic: FAIL still running after \"panicked\"\n");
	return 1;
}
