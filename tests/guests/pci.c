/* pci.c: enumerate PCI bus 0 through 0xCF8/0xCFC; check the type-1 mechanism, the host bridge, absent functions and BAR sizing. */
#include "lib/guest.h"

/* Type-1 configuration mechanism (PCI 3.0 §3.2.2.3.2). */
#define CONFIG_ADDRESS 0xCF8
#define CONFIG_DATA    0xCFC
#define CONFIG_ENABLE  0x80000000u

/* Type-0 header (PCI 3.0 §6.1). */
#define REG_ID         0x00
#define REG_COMMAND    0x04
#define REG_CLASS      0x08
#define REG_HEADER     0x0E
#define REG_BAR0       0x10
#define REG_INT_LINE   0x3C
#define HEADER_MULTI   0x80
#define CMD_DECODE     0x0003 /* I/O and memory space */
#define BAR_IO         0x1
#define BAR_MEM_TYPE   0x6
#define BAR_MEM_64     0x4
#define NUM_BARS       6
#define CLASS_HOST_BRIDGE 0x0600
#define CMD_MEMORY     0x0002

/* maptest=1 places unassigned memory BARs here, in the PCI hole below the
 * IOAPIC (vmm's layout.h: LAYOUT_PCI_MMIO_BASE up to 0xFEC00000). */
#define MAP_WINDOW     0xE0000000u
#define MAP_MOVE       0x01000000u /* the second placement, 16 MiB further */

static int failures;

static void fail(const char *what, uint32_t got, uint32_t want)
{
	printf("pci: FAIL %s: read 0x%x, want 0x%x\n", what, got, want);
	failures++;
}

static void expect(const char *what, uint32_t got, uint32_t want)
{
	if (got != want)
		fail(what, got, want);
}

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return CONFIG_ENABLE | bus << 16 | dev << 11 | fn << 8 | (reg & 0xFC);
}

/* Narrow accesses use the byte lanes 0xCFC + (reg & 3). */
static uint32_t rd32(unsigned dev, unsigned fn, unsigned reg)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, reg));
	return inl(CONFIG_DATA);
}

static uint16_t rd16(unsigned dev, unsigned fn, unsigned reg)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, reg));
	return inw((uint16_t)(CONFIG_DATA + (reg & 2)));
}

static uint8_t rd8(unsigned dev, unsigned fn, unsigned reg)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, reg));
	return inb((uint16_t)(CONFIG_DATA + (reg & 3)));
}

static void wr32(unsigned dev, unsigned fn, unsigned reg, uint32_t v)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, reg));
	outl(CONFIG_DATA, v);
}

static void wr16(unsigned dev, unsigned fn, unsigned reg, uint16_t v)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, reg));
	outw((uint16_t)(CONFIG_DATA + (reg & 2)), v);
}

static void wr8(unsigned dev, unsigned fn, unsigned reg, uint8_t v)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, reg));
	outb((uint16_t)(CONFIG_DATA + (reg & 3)), v);
}

/* Linux's pci_check_type1: a byte write to 0xCFB must not disturb
 * CONFIG_ADDRESS, which reads back what was written. (Bits 1:0 read as 0 per
 * the spec on vmm; QEMU keeps them, so they are not checked here.) */
static void check_mechanism(void)
{
	outl(CONFIG_ADDRESS, CONFIG_ENABLE);
	outb(CONFIG_ADDRESS + 3, 0x01);
	expect("CONFIG_ADDRESS after a byte write to 0xCFB", inl(CONFIG_ADDRESS), CONFIG_ENABLE);
	outl(CONFIG_ADDRESS, cfg_addr(0, 1, 0, 0) | 3);
	expect("CONFIG_ADDRESS read back", inl(CONFIG_ADDRESS) & ~3u, cfg_addr(0, 1, 0, 0));
}

/* Size every BAR of dev.fn with decoding off, restore it, and check the
 * original value reads back. */
static void size_bars(unsigned dev, unsigned fn)
{
	uint16_t cmd = rd16(dev, fn, REG_COMMAND);
	wr16(dev, fn, REG_COMMAND, cmd & (uint16_t)~CMD_DECODE);
	for (unsigned bar = 0; bar < NUM_BARS; bar++) {
		unsigned reg = REG_BAR0 + 4 * bar;
		uint32_t lo = rd32(dev, fn, reg);
		bool io = lo & BAR_IO;
		bool is64 = !io && (lo & BAR_MEM_TYPE) == BAR_MEM_64 && bar + 1 < NUM_BARS;
		wr32(dev, fn, reg, 0xFFFFFFFF);
		uint64_t mask = rd32(dev, fn, reg) & (io ? ~3u : ~15u);
		wr32(dev, fn, reg, lo);
		expect("BAR restored", rd32(dev, fn, reg), lo);
		uint32_t hi = 0;
		if (is64) {
			hi = rd32(dev, fn, reg + 4);
			wr32(dev, fn, reg + 4, 0xFFFFFFFF);
			mask |= (uint64_t)rd32(dev, fn, reg + 4) << 32;
			wr32(dev, fn, reg + 4, hi);
			expect("BAR upper half restored", rd32(dev, fn, reg + 4), hi);
		} else if (!io && mask) {
			mask |= 0xFFFFFFFF00000000ull;
		} else if (io && mask) {
			mask |= 0xFFFFFFFFFFFF0000ull; /* 16-bit I/O decoders */
		}
		if (mask) {
			uint64_t size = ~mask + 1;
			if (size & (size - 1))
				fail("BAR size is a power of two", (uint32_t)size, 0);
			printf("pci: 00:%02x.%x BAR%u %s size 0x%lx at 0x%lx\n", dev, fn, bar,
			       io ? "io" : is64 ? "mem64" : "mem32", size,
			       (uint64_t)hi << 32 | (lo & (io ? ~3u : ~15u)));
		}
		if (is64)
			bar++;
	}
	wr16(dev, fn, REG_COMMAND, cmd);
	expect("COMMAND restored", rd16(dev, fn, REG_COMMAND), cmd);
}

static uint32_t map_next = MAP_WINDOW;

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* vmm only (unclaimed MMIO reads all ones there, 0 on QEMU): each
 * unassigned memory BAR of at most 16 MiB is placed, read through MMIO with
 * decoding on (the device answers, so not all ones), moved (the old address
 * goes quiet, the new one answers), then decoding is turned off (quiet). */
static void map_bars(unsigned dev, unsigned fn)
{
	uint16_t cmd = rd16(dev, fn, REG_COMMAND);
	for (unsigned bar = 0; bar < NUM_BARS; bar++) {
		unsigned reg = REG_BAR0 + 4 * bar;
		uint32_t lo = rd32(dev, fn, reg);
		bool is64 = !(lo & BAR_IO) && (lo & BAR_MEM_TYPE) == BAR_MEM_64 && bar + 1 < NUM_BARS;
		uint32_t hi = is64 ? rd32(dev, fn, reg + 4) : 0;
		if (lo & BAR_IO || (lo & ~15u) || hi) {
			bar += is64;
			continue;
		}
		wr16(dev, fn, REG_COMMAND, cmd & (uint16_t)~CMD_DECODE);
		wr32(dev, fn, reg, 0xFFFFFFFF);
		uint32_t size = ~(rd32(dev, fn, reg) & ~15u) + 1;
		if (size == 0 || size > MAP_MOVE) {
			wr32(dev, fn, reg, lo);
			bar += is64;
			continue;
		}
		uint32_t a = align_up(map_next, size), b = a + MAP_MOVE;
		map_next = a + size;
		wr32(dev, fn, reg, a);
		wr16(dev, fn, REG_COMMAND, cmd | CMD_MEMORY);
		uint32_t v = mmio_read32(a);
		printf("pci: 00:%02x.%x BAR%u mapped at 0x%x reads 0x%x\n", dev, fn, bar, a, v);
		if (v == 0xFFFFFFFF)
			fail("a mapped BAR answers", v, 0);
		wr32(dev, fn, reg, b); /* moved with decoding on */
		if (mmio_read32(b) == 0xFFFFFFFF)
			fail("a moved BAR answers at its new address", 0xFFFFFFFF, 0);
		expect("the old address of a moved BAR", mmio_read32(a), 0xFFFFFFFF);
		wr16(dev, fn, REG_COMMAND, cmd & (uint16_t)~CMD_MEMORY);
		expect("a BAR with memory decoding off", mmio_read32(b), 0xFFFFFFFF);
		wr32(dev, fn, reg, lo);
		wr16(dev, fn, REG_COMMAND, cmd);
		bar += is64;
	}
}

/* What every function must do whatever it is. */
static bool maptest;

static void check_function(unsigned dev, unsigned fn, uint32_t id)
{
	/* IDs are read-only. */
	wr32(dev, fn, REG_ID, ~id);
	expect("vendor/device after a write", rd32(dev, fn, REG_ID), id);
	/* Narrow reads are lanes of the dword. */
	expect("vendor ID by word", rd16(dev, fn, REG_ID), id & 0xFFFF);
	expect("device ID by word", rd16(dev, fn, REG_ID + 2), id >> 16);
	expect("device ID high byte", rd8(dev, fn, REG_ID + 3), id >> 24);
	/* INTERRUPT_LINE is scratch for the OS. */
	uint8_t line = rd8(dev, fn, REG_INT_LINE);
	wr8(dev, fn, REG_INT_LINE, 0x5A);
	expect("INTERRUPT_LINE", rd8(dev, fn, REG_INT_LINE), 0x5A);
	wr8(dev, fn, REG_INT_LINE, line);
	size_bars(dev, fn);
	if (maptest)
		map_bars(dev, fn);
}

static void check_absent(unsigned dev, unsigned fn, const char *what)
{
	outl(CONFIG_ADDRESS, cfg_addr(0, dev, fn, 0));
	expect(what, inl(CONFIG_DATA), 0xFFFFFFFF);
	expect(what, inw(CONFIG_DATA + 2), 0xFFFF);
	expect(what, inb(CONFIG_DATA + 1), 0xFF);
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	int want_devices = (int)cmdline_u64("devices", 0); /* 0: any number */
	maptest = cmdline_u64("maptest", 0) != 0;
	check_mechanism();

	int found = 0, bridges = 0, bridge_slot = -1, absent_slot = -1;
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			uint32_t id = rd32(dev, fn, REG_ID);
			if ((id & 0xFFFF) == 0xFFFF) {
				if (fn == 0 && absent_slot < 0)
					absent_slot = (int)dev;
				if (fn == 0)
					break;
				continue;
			}
			uint32_t class = rd32(dev, fn, REG_CLASS) >> 8;
			printf("pci: 00:%02x.%x %04x:%04x class %06x\n", dev, fn, id & 0xFFFF, id >> 16, class);
			found++;
			if (class >> 8 == CLASS_HOST_BRIDGE) {
				bridges++;
				if (bridge_slot < 0)
					bridge_slot = (int)dev;
			}
			check_function(dev, fn, id);
			if (fn == 0 && !(rd8(dev, fn, REG_HEADER) & HEADER_MULTI))
				break;
		}
	}
	printf("pci: %d function(s), %d host bridge(s)\n", found, bridges);
	if (bridges < 1)
		fail("host bridges (class 0x0600)", 0, 1);
	if (want_devices && found != want_devices)
		fail("functions on bus 0", (uint32_t)found, (uint32_t)want_devices);

	if (absent_slot >= 0) {
		check_absent((unsigned)absent_slot, 0, "absent slot");
		printf("pci: missing slot %02x reads all ones\n", absent_slot);
	}
	if (bridge_slot >= 0 && !(rd8((unsigned)bridge_slot, 0, REG_HEADER) & HEADER_MULTI))
		check_absent((unsigned)bridge_slot, 1, "function 1 of a single-function device");
	/* Bus 1 does not exist; with the enable bit clear nothing answers. */
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | 1u << 16);
	expect("bus 1", inl(CONFIG_DATA), 0xFFFFFFFF);
	outl(CONFIG_ADDRESS, 0);
	expect("enable bit clear", inl(CONFIG_DATA), 0xFFFFFFFF);

	if (failures) {
		printf("pci FAILED: %d checks\n", failures);
		return 1;
	}
	printf("pci ok\n");
	return 0;
}
