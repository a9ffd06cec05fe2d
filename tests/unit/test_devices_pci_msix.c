/* test_devices_pci_msix.c: the MSI-X capability, vector table, masks, pending bits and irqfd delivery. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/pci_msix.h"

#define NVEC      40
#define BAR_SIZE  0x4000
#define TABLE_OFF 0x2000
#define PBA_OFF   0x3000
#define GSI_BASE  100

/* The fake host hands out GSIs with real eventfds and records routes. */
struct route {
	bool valid;
	uint64_t addr;
	uint32_t data;
};

struct rig {
	struct bus pio, mmio;
	struct pci_bus bus;
	struct pci_dev dev;
	struct pci_msix msix;
	int efds[PCI_MSIX_MAX_VECTORS];
	unsigned nalloc;
	int fail_allocs;      /* this many msi_alloc calls fail first */
	bool refuse_valid;    /* msi_set refuses valid routes */
	unsigned set_calls;
	int last_gsi;
	struct route routes[PCI_MSIX_MAX_VECTORS];
};

static int fake_msi_alloc(void *ctx, int *efd)
{
	struct rig *r = ctx;
	if (r->fail_allocs > 0) {
		r->fail_allocs--;
		return -1;
	}
	ck_assert_uint_lt(r->nalloc, PCI_MSIX_MAX_VECTORS);
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	r->efds[r->nalloc] = fd;
	*efd = fd;
	return GSI_BASE + (int)r->nalloc++;
}

static int fake_msi_set(void *ctx, int gsi, bool valid, uint64_t addr, uint32_t data)
{
	struct rig *r = ctx;
	ck_assert_int_ge(gsi, GSI_BASE);
	ck_assert_int_lt(gsi, GSI_BASE + (int)r->nalloc);
	r->set_calls++;
	r->last_gsi = gsi;
	if (valid && r->refuse_valid)
		return -EINVAL;
	r->routes[gsi - GSI_BASE] = (struct route){ valid, addr, data };
	return 0;
}

static uint64_t bar_read(void *opaque, uint64_t off, unsigned size)
{
	struct rig *r = opaque;
	if (off >= TABLE_OFF && off < TABLE_OFF + NVEC * PCI_MSIX_ENTRY_SIZE)
		return pci_msix_table_read(&r->msix, off - TABLE_OFF, size);
	if (off >= PBA_OFF && off < PBA_OFF + PCI_MSIX_PBA_SIZE)
		return pci_msix_pba_read(&r->msix, off - PBA_OFF, size);
	return 0;
}

static void bar_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct rig *r = opaque;
	if (off >= TABLE_OFF && off < TABLE_OFF + NVEC * PCI_MSIX_ENTRY_SIZE)
		pci_msix_table_write(&r->msix, off - TABLE_OFF, size, val);
}

static const struct bus_ops bar_ops = { bar_read, bar_write };

static struct rig *rig_new_host(bool with_alloc, bool add_before_init)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct err e = { 0 };
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(bus_init(&r->pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&r->mmio, "mmio"), 0);
	struct pci_host host = {
		.ctx = r,
		.msi_alloc = with_alloc ? fake_msi_alloc : NULL,
		.msi_set = fake_msi_set,
	};
	ck_assert_int_eq(pci_bus_init(&r->bus, &r->pio, &r->mmio, &host), 0);
	pci_dev_init(&r->dev, "msix-dev", 0x1af4, 0x1041, 0x020000, 1, 0x1af4, 1, 0, NULL);
	ck_assert_int_eq(pci_dev_set_bar(&r->dev, 1, BAR_SIZE, 0, &bar_ops, r), 0);
	if (add_before_init)
		ck_assert_int_eq(pci_bus_add(&r->bus, &r->dev, 3, &e), 0);
	ck_assert_int_eq(pci_msix_init(&r->msix, &r->dev, NVEC, 1, TABLE_OFF, PBA_OFF, &e), 0);
	if (!add_before_init)
		ck_assert_int_eq(pci_bus_add(&r->bus, &r->dev, 3, &e), 0);
	return r;
}

static struct rig *rig_new(void)
{
	return rig_new_host(true, false);
}

static void rig_free(struct rig *r)
{
	for (unsigned i = 0; i < r->nalloc; i++)
		close(r->efds[i]);
	pci_msix_destroy(&r->msix);
	pci_bus_destroy(&r->bus);
	bus_destroy(&r->pio);
	bus_destroy(&r->mmio);
	free(r);
}

static unsigned ctrl_off(struct rig *r)
{
	return (unsigned)r->msix.cap + PCI_MSIX_FLAGS;
}

static void set_ctrl(struct rig *r, uint16_t v)
{
	pci_bus_cfg_write(&r->bus, 3, ctrl_off(r), 2, v);
}

static uint32_t tbl_rd(struct rig *r, unsigned vec, unsigned field)
{
	return (uint32_t)pci_msix_table_read(&r->msix, vec * PCI_MSIX_ENTRY_SIZE + field, 4);
}

static void tbl_wr(struct rig *r, unsigned vec, unsigned field, uint32_t v)
{
	pci_msix_table_write(&r->msix, vec * PCI_MSIX_ENTRY_SIZE + field, 4, v);
}

/* Program vector v's message (masked), then unmask it, as Linux does. */
static void program(struct rig *r, unsigned v, uint64_t addr, uint32_t data)
{
	tbl_wr(r, v, PCI_MSIX_ENTRY_ADDR_LO, (uint32_t)addr);
	tbl_wr(r, v, PCI_MSIX_ENTRY_ADDR_HI, (uint32_t)(addr >> 32));
	tbl_wr(r, v, PCI_MSIX_ENTRY_DATA, data);
	tbl_wr(r, v, PCI_MSIX_ENTRY_CTRL, 0);
}

/* How many times vector v's eventfd was written since the last look. */
static uint64_t fired(struct rig *r, unsigned v)
{
	int gsi = r->msix.vec[v].gsi;
	ck_assert_int_ge(gsi, GSI_BASE);
	uint64_t n = 0;
	if (read(r->efds[gsi - GSI_BASE], &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

static uint64_t pba(struct rig *r)
{
	return pci_msix_pba_read(&r->msix, 0, 8);
}

START_TEST(test_capability_layout)
{
	struct rig *r = rig_new();
	/* Found by walking the list from CAP_PTR. */
	unsigned p = pci_bus_cfg_read(&r->bus, 3, PCI_CAP_PTR, 1);
	ck_assert_uint_eq(p, (unsigned)r->msix.cap);
	ck_assert_uint_eq(pci_bus_cfg_read(&r->bus, 3, p, 1), PCI_CAP_ID_MSIX);
	ck_assert_uint_ne(pci_bus_cfg_read(&r->bus, 3, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	ck_assert_uint_eq(pci_bus_cfg_read(&r->bus, 3, p + PCI_MSIX_FLAGS, 2), NVEC - 1);
	ck_assert_uint_eq(pci_bus_cfg_read(&r->bus, 3, p + PCI_MSIX_TABLE, 4), TABLE_OFF | 1);
	ck_assert_uint_eq(pci_bus_cfg_read(&r->bus, 3, p + PCI_MSIX_PBA, 4), PBA_OFF | 1);
	/* Only enable and function mask are writable. */
	set_ctrl(r, 0xFFFF);
	ck_assert_uint_eq(pci_bus_cfg_read(&r->bus, 3, p + PCI_MSIX_FLAGS, 2),
			  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (NVEC - 1));
	pci_bus_cfg_write(&r->bus, 3, p + PCI_MSIX_TABLE, 4, 0);
	ck_assert_uint_eq(pci_bus_cfg_read(&r->bus, 3, p + PCI_MSIX_TABLE, 4), TABLE_OFF | 1);
	rig_free(r);
}
END_TEST

START_TEST(test_init_checks)
{
	struct pci_dev d;
	struct pci_msix m;
	struct err e = { 0 };
	pci_dev_init(&d, "x", 1, 2, 0, 0, 0, 0, 0, NULL);
	ck_assert_int_eq(pci_dev_set_bar(&d, 0, 0x1000, 0, &bar_ops, NULL), 0);
	ck_assert_int_eq(pci_dev_set_bar(&d, 2, 0x100, PCI_BAR_IO, &bar_ops, NULL), 0);
	ck_assert_int_ne(pci_msix_init(&m, &d, 0, 0, 0, 0x800, &e), 0);
	ck_assert_int_ne(pci_msix_init(&m, &d, PCI_MSIX_MAX_VECTORS + 1, 0, 0, 0x800, &e), 0);
	ck_assert_int_ne(pci_msix_init(&m, &d, 4, 1, 0, 0x800, &e), 0);     /* undeclared BAR */
	ck_assert_int_ne(pci_msix_init(&m, &d, 4, 2, 0, 0x80, &e), 0);      /* I/O BAR */
	ck_assert_int_ne(pci_msix_init(&m, &d, 4, 0, 4, 0x800, &e), 0);     /* unaligned */
	ck_assert_int_ne(pci_msix_init(&m, &d, 4, 0, 0xFF8, 0x800, &e), 0); /* table past the BAR */
	ck_assert_int_ne(pci_msix_init(&m, &d, 4, 0, 0, 0x1000, &e), 0);    /* PBA past the BAR */
	ck_assert_int_ne(pci_msix_init(&m, &d, 4, 0, 0, 0x38, &e), 0);      /* PBA inside the table */
	ck_assert_uint_eq(pci_cfg_get(&d, PCI_CAP_PTR, 1), 0);
	ck_assert_int_eq(pci_msix_init(&m, &d, 4, 0, 0, 0x40, &e), 0);
	struct pci_msix m2;
	ck_assert_int_ne(pci_msix_init(&m2, &d, 4, 0, 0x80, 0xC0, &e), 0); /* twice */
	pci_msix_destroy(&m);
}
END_TEST

START_TEST(test_vectors_allocated_at_bus_add)
{
	struct rig *r = rig_new();
	ck_assert_uint_eq(r->nalloc, NVEC);
	for (unsigned v = 0; v < NVEC; v++) {
		ck_assert_int_eq(r->msix.vec[v].gsi, GSI_BASE + (int)v);
		ck_assert_int_eq(r->msix.vec[v].efd, r->efds[v]);
	}
	/* Masked vectors need no route yet. */
	ck_assert_uint_eq(r->set_calls, 0);
	rig_free(r);

	/* Initialised after joining the bus: allocated at once. */
	r = rig_new_host(true, true);
	ck_assert_uint_eq(r->nalloc, NVEC);
	rig_free(r);
}
END_TEST

START_TEST(test_table_reads_and_writes)
{
	struct rig *r = rig_new();
	/* Reset state: masked, zero message. */
	ck_assert_uint_eq(tbl_rd(r, 5, PCI_MSIX_ENTRY_CTRL), PCI_MSIX_ENTRY_MASKED);
	ck_assert_uint_eq(tbl_rd(r, 5, PCI_MSIX_ENTRY_ADDR_LO), 0);
	tbl_wr(r, 5, PCI_MSIX_ENTRY_ADDR_LO, 0xFEE01000);
	tbl_wr(r, 5, PCI_MSIX_ENTRY_ADDR_HI, 0x12);
	tbl_wr(r, 5, PCI_MSIX_ENTRY_DATA, 0x4041);
	ck_assert_uint_eq(tbl_rd(r, 5, PCI_MSIX_ENTRY_ADDR_LO), 0xFEE01000);
	ck_assert_uint_eq(tbl_rd(r, 5, PCI_MSIX_ENTRY_ADDR_HI), 0x12);
	ck_assert_uint_eq(tbl_rd(r, 5, PCI_MSIX_ENTRY_DATA), 0x4041);
	ck_assert_uint_eq(pci_msix_table_read(&r->msix, 5 * 16, 8), 0x12FEE01000ULL);
	ck_assert_uint_eq(pci_msix_table_read(&r->msix, 5 * 16 + 8, 8), 1ULL << 32 | 0x4041);
	/* Reserved vector-control bits read 0. */
	tbl_wr(r, 5, PCI_MSIX_ENTRY_CTRL, 0xFFFFFFFE);
	ck_assert_uint_eq(tbl_rd(r, 5, PCI_MSIX_ENTRY_CTRL), 0);
	/* Qword writes, both halves. */
	pci_msix_table_write(&r->msix, 6 * 16, 8, 0x00000000FEE02000ULL);
	pci_msix_table_write(&r->msix, 6 * 16 + 8, 8, 1ULL << 32 | 0x77);
	ck_assert_uint_eq(tbl_rd(r, 6, PCI_MSIX_ENTRY_ADDR_LO), 0xFEE02000);
	ck_assert_uint_eq(tbl_rd(r, 6, PCI_MSIX_ENTRY_DATA), 0x77);
	ck_assert_uint_eq(tbl_rd(r, 6, PCI_MSIX_ENTRY_CTRL), 1);
	/* Bytes, words, misaligned and past-the-table accesses are ignored. */
	pci_msix_table_write(&r->msix, 6 * 16 + 8, 1, 0x55);
	pci_msix_table_write(&r->msix, 6 * 16 + 8, 2, 0x5555);
	pci_msix_table_write(&r->msix, 6 * 16 + 4, 8, 0);
	pci_msix_table_write(&r->msix, NVEC * 16, 4, 0);
	ck_assert_uint_eq(tbl_rd(r, 6, PCI_MSIX_ENTRY_DATA), 0x77);
	ck_assert_uint_eq(tbl_rd(r, 6, PCI_MSIX_ENTRY_ADDR_HI), 0);
	ck_assert_uint_eq(pci_msix_table_read(&r->msix, 6 * 16 + 8, 2), 0xFFFF);
	ck_assert_uint_eq(pci_msix_table_read(&r->msix, NVEC * 16, 4), 0);
	ck_assert_uint_eq(r->msix.bad_accesses, 5);
	/* Through the BAR on the MMIO bus, once mapped. */
	pci_bus_cfg_write(&r->bus, 3, PCI_BAR0 + 4, 4, 0xC0000000);
	pci_bus_cfg_write(&r->bus, 3, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	uint64_t v = 0;
	ck_assert(bus_read(&r->mmio, 0xC0000000 + TABLE_OFF + 6 * 16 + 8, 4, &v));
	ck_assert_uint_eq(v, 0x77);
	rig_free(r);
}
END_TEST

START_TEST(test_routes_follow_entries)
{
	struct rig *r = rig_new();
	/* Writes to a masked entry do not route. */
	tbl_wr(r, 2, PCI_MSIX_ENTRY_ADDR_LO, 0xFEE00000);
	tbl_wr(r, 2, PCI_MSIX_ENTRY_DATA, 0x30);
	ck_assert_uint_eq(r->set_calls, 0);
	/* Unmasking does. */
	tbl_wr(r, 2, PCI_MSIX_ENTRY_CTRL, 0);
	ck_assert_uint_eq(r->set_calls, 1);
	ck_assert_int_eq(r->last_gsi, GSI_BASE + 2);
	ck_assert(r->routes[2].valid);
	ck_assert_uint_eq(r->routes[2].addr, 0xFEE00000);
	ck_assert_uint_eq(r->routes[2].data, 0x30);
	/* Address/data of an unmasked entry take effect at once. */
	tbl_wr(r, 2, PCI_MSIX_ENTRY_DATA, 0x31);
	ck_assert_uint_eq(r->set_calls, 2);
	ck_assert_uint_eq(r->routes[2].data, 0x31);
	tbl_wr(r, 2, PCI_MSIX_ENTRY_ADDR_HI, 0);
	ck_assert_uint_eq(r->set_calls, 2); /* unchanged: no call */
	/* Masking routes it nowhere. */
	tbl_wr(r, 2, PCI_MSIX_ENTRY_CTRL, 1);
	ck_assert_uint_eq(r->set_calls, 3);
	ck_assert(!r->routes[2].valid);
	rig_free(r);
}
END_TEST

START_TEST(test_refused_route_is_pulled)
{
	struct rig *r = rig_new();
	r->refuse_valid = true;
	program(r, 1, 0xFEE00000, 0x40);
	ck_assert_uint_eq(r->msix.route_failures, 1);
	ck_assert(!r->routes[1].valid);
	ck_assert_uint_eq(r->set_calls, 2);
	rig_free(r);
}
END_TEST

START_TEST(test_notify_writes_eventfd)
{
	struct rig *r = rig_new();
	program(r, 0, 0xFEE00000, 0x41);
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	ck_assert(pci_msix_enabled(&r->msix));
	pci_msix_notify(&r->msix, 0);
	pci_msix_notify(&r->msix, 0);
	ck_assert_uint_eq(fired(r, 0), 2);
	ck_assert_uint_eq(fired(r, 1), 0);
	ck_assert_uint_eq(pba(r), 0);
	rig_free(r);
}
END_TEST

START_TEST(test_masked_vector_pends_until_unmask)
{
	struct rig *r = rig_new();
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	tbl_wr(r, 3, PCI_MSIX_ENTRY_ADDR_LO, 0xFEE00000);
	tbl_wr(r, 3, PCI_MSIX_ENTRY_DATA, 0x42);
	pci_msix_notify(&r->msix, 3);
	ck_assert_uint_eq(fired(r, 3), 0);
	ck_assert_uint_eq(pba(r), 1ULL << 3);
	/* Vector 33 lands in the PBA's upper dword. */
	pci_msix_notify(&r->msix, 33);
	ck_assert_uint_eq(pci_msix_pba_read(&r->msix, 4, 4), 1u << 1);
	ck_assert_uint_eq(pci_msix_pba_read(&r->msix, 0, 4), 1u << 3);
	/* Unmask: routed first, then delivered, and the bit clears. */
	tbl_wr(r, 3, PCI_MSIX_ENTRY_CTRL, 0);
	ck_assert(r->routes[3].valid);
	ck_assert_uint_eq(r->routes[3].data, 0x42);
	ck_assert_uint_eq(fired(r, 3), 1);
	ck_assert_uint_eq(pba(r), 1ULL << 33);
	rig_free(r);
}
END_TEST

START_TEST(test_function_mask)
{
	struct rig *r = rig_new();
	program(r, 0, 0xFEE00000, 0x41);
	program(r, 1, 0xFEE00000, 0x42);
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_msix_notify(&r->msix, 0);
	pci_msix_notify(&r->msix, 1);
	ck_assert_uint_eq(fired(r, 0), 0);
	ck_assert_uint_eq(pba(r), 3);
	/* Clearing the function mask delivers both. */
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_uint_eq(fired(r, 0), 1);
	ck_assert_uint_eq(fired(r, 1), 1);
	ck_assert_uint_eq(pba(r), 0);
	rig_free(r);
}
END_TEST

START_TEST(test_disabled_and_out_of_range_ignored)
{
	struct rig *r = rig_new();
	program(r, 0, 0xFEE00000, 0x41);
	ck_assert(!pci_msix_enabled(&r->msix));
	pci_msix_notify(&r->msix, 0);
	ck_assert_uint_eq(fired(r, 0), 0);
	ck_assert_uint_eq(pba(r), 0);
	ck_assert_uint_eq(r->msix.undelivered, 1);
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	pci_msix_notify(&r->msix, NVEC);
	pci_msix_notify(&r->msix, PCI_MSIX_NO_VECTOR);
	pci_msix_notify(&r->msix, ~0u);
	ck_assert_uint_eq(r->msix.undelivered, 4);
	ck_assert_uint_eq(pba(r), 0);
	/* Disabling again stops delivery. */
	set_ctrl(r, 0);
	ck_assert(!pci_msix_enabled(&r->msix));
	pci_msix_notify(&r->msix, 0);
	ck_assert_uint_eq(fired(r, 0), 0);
	rig_free(r);
}
END_TEST

START_TEST(test_no_msi_alloc_counts)
{
	struct rig *r = rig_new_host(false, false);
	ck_assert_uint_eq(r->nalloc, 0);
	program(r, 0, 0xFEE00000, 0x41);
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_int_eq(r->msix.vec[0].gsi, -1);
	pci_msix_notify(&r->msix, 0);
	ck_assert_uint_eq(r->msix.undelivered, 1);
	rig_free(r);
}
END_TEST

START_TEST(test_lazy_allocation)
{
	/* Every allocation at bus time fails; unmasking with MSI-X on retries. */
	struct rig *r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	struct err e = { 0 };
	ck_assert_int_eq(bus_init(&r->pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&r->mmio, "mmio"), 0);
	struct pci_host host = { .ctx = r, .msi_alloc = fake_msi_alloc, .msi_set = fake_msi_set };
	ck_assert_int_eq(pci_bus_init(&r->bus, &r->pio, &r->mmio, &host), 0);
	pci_dev_init(&r->dev, "lazy", 1, 2, 0, 0, 0, 0, 0, NULL);
	ck_assert_int_eq(pci_dev_set_bar(&r->dev, 1, BAR_SIZE, 0, &bar_ops, r), 0);
	ck_assert_int_eq(pci_msix_init(&r->msix, &r->dev, NVEC, 1, TABLE_OFF, PBA_OFF, &e), 0);
	r->fail_allocs = NVEC;
	ck_assert_int_eq(pci_bus_add(&r->bus, &r->dev, 3, &e), 0);
	ck_assert_uint_eq(r->nalloc, 0);
	ck_assert_uint_eq(r->msix.route_failures, NVEC);

	/* Unmasked while disabled: nothing yet. */
	program(r, 7, 0xFEE00000, 0x47);
	ck_assert_uint_eq(r->nalloc, 0);
	/* Enabling allocates the unmasked vector and routes it. */
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_uint_eq(r->nalloc, 1);
	ck_assert_int_eq(r->msix.vec[7].gsi, GSI_BASE);
	ck_assert(r->routes[0].valid);
	ck_assert_uint_eq(r->routes[0].data, 0x47);
	/* Unmasking another with MSI-X on allocates it too. */
	program(r, 9, 0xFEE00000, 0x49);
	ck_assert_int_eq(r->msix.vec[9].gsi, GSI_BASE + 1);
	ck_assert_uint_eq(r->routes[1].data, 0x49);
	pci_msix_notify(&r->msix, 9);
	ck_assert_uint_eq(fired(r, 9), 1);
	rig_free(r);
}
END_TEST

struct race {
	struct rig *r;
	unsigned rounds;
};

static void *race_notifier(void *arg)
{
	struct race *x = arg;
	for (unsigned i = 0; i < x->rounds; i++)
		pci_msix_notify(&x->r->msix, 0);
	return NULL;
}

/* The I/O thread notifies while a vCPU masks and unmasks: once the vector
 * ends unmasked, nothing stays pending and something was delivered. */
START_TEST(test_notify_races_with_mask_toggles)
{
	struct rig *r = rig_new();
	program(r, 0, 0xFEE00000, 0x41);
	set_ctrl(r, PCI_MSIX_FLAGS_ENABLE);
	struct race x = { r, 20000 };
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, race_notifier, &x), 0);
	for (unsigned i = 0; i < 2000; i++) {
		tbl_wr(r, 0, PCI_MSIX_ENTRY_CTRL, 1);
		tbl_wr(r, 0, PCI_MSIX_ENTRY_CTRL, 0);
	}
	pthread_join(t, NULL);
	ck_assert_uint_eq(pba(r), 0);
	ck_assert_uint_gt(fired(r, 0), 0);
	rig_free(r);
}
END_TEST

static Suite *msix_suite(void)
{
	Suite *s = suite_create("pci_msix");
	TCase *tc = tcase_create("msix");
	tcase_add_test(tc, test_capability_layout);
	tcase_add_test(tc, test_init_checks);
	tcase_add_test(tc, test_vectors_allocated_at_bus_add);
	tcase_add_test(tc, test_table_reads_and_writes);
	tcase_add_test(tc, test_routes_follow_entries);
	tcase_add_test(tc, test_refused_route_is_pulled);
	tcase_add_test(tc, test_notify_writes_eventfd);
	tcase_add_test(tc, test_masked_vector_pends_until_unmask);
	tcase_add_test(tc, test_function_mask);
	tcase_add_test(tc, test_disabled_and_out_of_range_ignored);
	tcase_add_test(tc, test_no_msi_alloc_counts);
	tcase_add_test(tc, test_lazy_allocation);
	tcase_add_test(tc, test_notify_races_with_mask_toggles);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(msix_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
