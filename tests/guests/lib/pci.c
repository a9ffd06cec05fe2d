/* pci.c: guest-side PCI: type-1 config access, bus-0 enumeration, BAR sizing and assignment, capability walk. */
#include "guest.h"
#include "pci.h"

/* At most this many BARs are tracked by pci_assign_bars (QEMU's pc machine
 * with a few virtio devices has about a dozen). */
#define PCI_MAX_TRACKED_BARS 64

static void cfg_select(const struct pci_fn *f, unsigned off)
{
	outl(PCI_PORT_ADDRESS, PCI_ADDRESS_ENABLE | (uint32_t)f->bus << 16 | (uint32_t)f->dev << 11 |
				       (uint32_t)f->fn << 8 | (off & 0xFC));
}

/* Narrow accesses go to CFC + (off & 3), the byte lanes of the dword (PCI 3.0
 * §3.2.2.3.2), so no read-modify-write can clobber write-1-to-clear bits. */
uint8_t pci_read8(const struct pci_fn *f, unsigned off)
{
	cfg_select(f, off);
	return inb((uint16_t)(PCI_PORT_DATA + (off & 3)));
}

uint16_t pci_read16(const struct pci_fn *f, unsigned off)
{
	cfg_select(f, off);
	return inw((uint16_t)(PCI_PORT_DATA + (off & 2)));
}

uint32_t pci_read32(const struct pci_fn *f, unsigned off)
{
	cfg_select(f, off);
	return inl(PCI_PORT_DATA);
}

void pci_write8(const struct pci_fn *f, unsigned off, uint8_t v)
{
	cfg_select(f, off);
	outb((uint16_t)(PCI_PORT_DATA + (off & 3)), v);
}

void pci_write16(const struct pci_fn *f, unsigned off, uint16_t v)
{
	cfg_select(f, off);
	outw((uint16_t)(PCI_PORT_DATA + (off & 2)), v);
}

void pci_write32(const struct pci_fn *f, unsigned off, uint32_t v)
{
	cfg_select(f, off);
	outl(PCI_PORT_DATA, v);
}

/* Visit every present function on bus 0 in order; stop when fn returns true. */
static bool pci_walk(bool (*fn)(const struct pci_fn *f, void *arg), void *arg)
{
	for (uint8_t dev = 0; dev < PCI_MAX_DEVS; dev++) {
		for (uint8_t func = 0; func < PCI_MAX_FNS; func++) {
			struct pci_fn f = { 0, dev, func, 0, 0 };
			uint32_t id = pci_read32(&f, PCI_VENDOR_ID);
			if ((id & 0xFFFF) == 0xFFFF) {
				if (func == 0)
					break; /* no device in this slot */
				continue;
			}
			f.vendor = (uint16_t)id;
			f.device = (uint16_t)(id >> 16);
			if (fn(&f, arg))
				return true;
			if (func == 0 && !(pci_read8(&f, PCI_HEADER_TYPE) & PCI_HEADER_MULTIFUNCTION))
				break;
		}
	}
	return false;
}

struct find_arg {
	uint16_t vendor, device;
	unsigned index;
	struct pci_fn *out;
};

static bool find_one(const struct pci_fn *f, void *arg)
{
	struct find_arg *a = arg;
	if (f->vendor != a->vendor || (a->device != 0xFFFF && f->device != a->device))
		return false;
	if (a->index--)
		return false;
	*a->out = *f;
	return true;
}

struct scan_arg {
	struct pci_fn *out;
	int max, n;
};

static bool scan_one(const struct pci_fn *f, void *arg)
{
	struct scan_arg *a = arg;
	if (a->n < a->max)
		a->out[a->n] = *f;
	a->n++;
	return false;
}

int pci_scan(struct pci_fn *out, int max)
{
	struct scan_arg a = { out, max, 0 };
	pci_walk(scan_one, &a);
	return a.n;
}

bool pci_find(uint16_t vendor, uint16_t device, unsigned index, struct pci_fn *out)
{
	struct find_arg a = { vendor, device, index, out };
	return pci_walk(find_one, &a);
}

/* Lowest set bit: a BAR's size from its all-ones read-back (PCI 3.0 §6.2.5.1),
 * also right for I/O BARs that implement only 16 address bits. */
static uint64_t lowest_bit(uint64_t v)
{
	return v & (~v + 1);
}

/* Size BAR bar (decoding must be off). lo is its current low dword. */
static uint64_t bar_probe_size(const struct pci_fn *f, int bar, uint32_t lo)
{
	unsigned off = PCI_BAR0 + 4 * (unsigned)bar;
	pci_write32(f, off, 0xFFFFFFFFu);
	uint32_t m = pci_read32(f, off);
	pci_write32(f, off, lo);
	if (lo & PCI_BAR_IO)
		return lowest_bit(m & PCI_BAR_IO_MASK);
	uint64_t m64 = m & PCI_BAR_MEM_MASK;
	if ((lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64 && bar + 1 < PCI_NUM_BARS) {
		uint32_t hi = pci_read32(f, off + 4);
		pci_write32(f, off + 4, 0xFFFFFFFFu);
		m64 |= (uint64_t)pci_read32(f, off + 4) << 32;
		pci_write32(f, off + 4, hi);
	}
	return lowest_bit(m64);
}

uint64_t pci_bar_base(const struct pci_fn *f, int bar, bool *io, uint64_t *size)
{
	if (bar < 0 || bar >= PCI_NUM_BARS)
		return 0;
	unsigned off = PCI_BAR0 + 4 * (unsigned)bar;
	uint32_t lo = pci_read32(f, off);
	bool is_io = lo & PCI_BAR_IO;
	bool is64 = !is_io && (lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64 && bar + 1 < PCI_NUM_BARS;
	uint64_t base = is_io ? (lo & PCI_BAR_IO_MASK) : (lo & PCI_BAR_MEM_MASK);
	if (is64)
		base |= (uint64_t)pci_read32(f, off + 4) << 32;
	if (io)
		*io = is_io;
	if (size) {
		uint16_t cmd = pci_read16(f, PCI_COMMAND);
		pci_write16(f, PCI_COMMAND, cmd & (uint16_t)~(PCI_CMD_IO | PCI_CMD_MEMORY));
		*size = bar_probe_size(f, bar, lo);
		pci_write16(f, PCI_COMMAND, cmd);
	}
	return base;
}

struct bar_rec {
	struct pci_fn f;
	int bar;
	bool io, is64;
	uint64_t size, addr; /* addr 0: needs one */
};

struct bar_table {
	struct bar_rec r[PCI_MAX_TRACKED_BARS];
	int n;
	bool overflow;
};

static bool collect_bars(const struct pci_fn *f, void *arg)
{
	struct bar_table *t = arg;
	/* Bridges are left alone: a PCI-PCI bridge has a type 1 header (neither
	 * vmm nor QEMU pc has one on bus 0), and turning a host bridge's
	 * decoding off to size BARs it does not have is asking for trouble. */
	if ((pci_read8(f, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK) != 0 ||
	    pci_read8(f, PCI_CLASS_BASE) == PCI_CLASS_BRIDGE)
		return false;
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	pci_write16(f, PCI_COMMAND, cmd & (uint16_t)~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (int bar = 0; bar < PCI_NUM_BARS; bar++) {
		uint32_t lo = pci_read32(f, PCI_BAR0 + 4 * (unsigned)bar);
		uint64_t size = bar_probe_size(f, bar, lo);
		bool io = lo & PCI_BAR_IO;
		bool is64 = !io && (lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64;
		if (size) {
			if (t->n == PCI_MAX_TRACKED_BARS) {
				t->overflow = true;
			} else {
				uint64_t addr = pci_bar_base(f, bar, NULL, NULL);
				/* Only what our 4 GiB identity map reaches counts as placed. */
				if (!io && addr + size > (1ull << 32))
					addr = 0;
				t->r[t->n++] = (struct bar_rec){ *f, bar, io, is64, size, addr };
			}
		}
		if (is64)
			bar++; /* the upper half is not a BAR of its own */
	}
	pci_write16(f, PCI_COMMAND, cmd);
	return false;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* First address in [base, end) aligned to size that overlaps no placed BAR of
 * the same kind; 0 when none fits. Each step moves past one placed BAR, so
 * the walk ends within n steps per BAR. */
static uint64_t bar_place(const struct bar_table *t, bool io, uint64_t size, uint64_t base, uint64_t end)
{
	uint64_t a = align_up(base, size);
	for (int guard = 0; guard <= t->n; guard++) {
		if (a + size > end)
			return 0;
		const struct bar_rec *hit = NULL;
		for (int i = 0; i < t->n && !hit; i++) {
			const struct bar_rec *r = &t->r[i];
			if (r->io == io && r->addr && r->addr < a + size && a < r->addr + r->size)
				hit = r;
		}
		if (!hit)
			return a;
		a = align_up(hit->addr + hit->size, size);
	}
	return 0;
}

static void bar_program(const struct bar_rec *r)
{
	unsigned off = PCI_BAR0 + 4 * (unsigned)r->bar;
	uint32_t lo = pci_read32(&r->f, off);
	uint32_t keep = r->io ? (lo & ~PCI_BAR_IO_MASK) : (lo & ~PCI_BAR_MEM_MASK);
	pci_write32(&r->f, off, (uint32_t)r->addr | keep);
	if (r->is64)
		pci_write32(&r->f, off + 4, (uint32_t)(r->addr >> 32));
}

void pci_unassign_bars(const struct pci_fn *f)
{
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	pci_write16(f, PCI_COMMAND, cmd & (uint16_t)~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (int bar = 0; bar < PCI_NUM_BARS; bar++) {
		unsigned off = PCI_BAR0 + 4 * (unsigned)bar;
		uint32_t lo = pci_read32(f, off);
		bool is64 = !(lo & PCI_BAR_IO) && (lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64;
		pci_write32(f, off, lo & (lo & PCI_BAR_IO ? ~PCI_BAR_IO_MASK : ~PCI_BAR_MEM_MASK));
		if (is64 && bar + 1 < PCI_NUM_BARS)
			pci_write32(f, off + 4, 0);
		if (is64)
			bar++;
	}
}

/* In .bss (zeroed by start.S with rep stosq): 64 records are ~3 KiB. */
static struct bar_table bars;

int pci_assign_bars(void)
{
	bars.n = 0;
	bars.overflow = false;
	pci_walk(collect_bars, &bars);
	int assigned = 0, failed = bars.overflow;
	/* Largest first would pack tighter; in order is enough for a few devices. */
	for (int i = 0; i < bars.n; i++) {
		struct bar_rec *r = &bars.r[i];
		if (r->addr)
			continue;
		uint64_t a = r->io ? bar_place(&bars, true, r->size, PCI_IO_WINDOW_BASE, PCI_IO_WINDOW_END)
				   : bar_place(&bars, false, r->size, PCI_MEM_WINDOW_BASE, PCI_MEM_WINDOW_END);
		if (!a) {
			failed = 1;
			continue;
		}
		r->addr = a;
		uint16_t cmd = pci_read16(&r->f, PCI_COMMAND);
		pci_write16(&r->f, PCI_COMMAND, cmd & (uint16_t)~(PCI_CMD_IO | PCI_CMD_MEMORY));
		bar_program(r);
		pci_write16(&r->f, PCI_COMMAND, cmd);
		assigned++;
	}
	/* Decoding on for each function whose BARs all have addresses. */
	for (int i = 0; i < bars.n; i++) {
		const struct pci_fn *f = &bars.r[i].f;
		uint16_t want = 0;
		bool complete = true;
		for (int j = 0; j < bars.n; j++) {
			const struct bar_rec *r = &bars.r[j];
			if (r->f.dev != f->dev || r->f.fn != f->fn)
				continue;
			if (!r->addr)
				complete = false;
			want |= r->io ? PCI_CMD_IO : PCI_CMD_MEMORY;
		}
		uint16_t cmd = pci_read16(f, PCI_COMMAND);
		if (complete && (cmd & want) != want)
			pci_write16(f, PCI_COMMAND, cmd | want);
	}
	return failed ? -1 : assigned;
}

unsigned pci_cap_find(const struct pci_fn *f, uint8_t id, unsigned after)
{
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned off = after ? pci_read8(f, after + 1) : pci_read8(f, PCI_CAP_PTR);
	/* 48 capabilities of 4 bytes fill the 192 bytes after the header: more
	 * steps than that means the list loops. */
	for (int guard = 0; guard < 48 && off >= 0x40; guard++) {
		off &= 0xFC; /* the bottom two bits are reserved (PCI 3.0 §6.7) */
		if (pci_read8(f, off) == id)
			return off;
		off = pci_read8(f, off + 1);
	}
	return 0;
}
