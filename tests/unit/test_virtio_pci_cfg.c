/* test_virtio_pci_cfg.c: the VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.2
 * §4.1.4.9) onto the virtio BAR, driven through config space as firmware
 * does, on a virtio-rng device: found by walking the capability list, reads
 * and writes of the common config, a notify that kicks the queue, an ISR read
 * that clears INTx, with and without the BAR mapped, and hostile windows. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/rng.h"
#include "virtio_rig.h"

struct t {
	struct vrig *r;
	struct virtio_rng *rng;
	unsigned cap; /* config offset of the PCI_CFG capability */
};

/* The first vendor capability of cfg_type 5, walked as a driver does; 0 if none. */
static unsigned find_pci_cfg_cap(struct vrig *r)
{
	unsigned n = 0;
	for (unsigned c = rig_cfg_rd(r, PCI_CAP_PTR, 1); c && n < PCI_CAP_LIST_MAX;
	     c = rig_cfg_rd(r, c + 1, 1), n++)
		if (rig_cfg_rd(r, c, 1) == PCI_CAP_ID_VENDOR &&
		    rig_cfg_rd(r, c + VIRTIO_PCI_CAP_CFG_TYPE, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			return c;
	return 0;
}

/* map=false: the BAR stays unprogrammed and decoding off, as at firmware start. */
static struct t setup(bool map)
{
	struct t t = { .r = rig_new() };
	struct err e = { 0 };
	ck_assert_int_eq(virtio_rng_create(&t.rng, &t.r->mem, &t.r->loop, &t.r->bus, &e), 0);
	if (map) {
		rig_map(t.r);
	} else {
		while (rig_cfg_rd(t.r, PCI_VENDOR_ID, 2) != VIRTIO_PCI_VENDOR)
			ck_assert_uint_lt(++t.r->slot, PCI_MAX_SLOTS);
	}
	t.cap = find_pci_cfg_cap(t.r);
	ck_assert_msg(t.cap != 0, "no VIRTIO_PCI_CAP_PCI_CFG capability");
	return t;
}

static void teardown(struct t *t)
{
	rig_stop(t->r);
	virtio_rng_destroy(t->rng);
	rig_free(t->r);
}

static void window(struct t *t, uint8_t bar, uint32_t off, uint32_t len)
{
	rig_cfg_wr(t->r, t->cap + VIRTIO_PCI_CAP_BAR, 1, bar);
	rig_cfg_wr(t->r, t->cap + VIRTIO_PCI_CAP_OFFSET, 4, off);
	rig_cfg_wr(t->r, t->cap + VIRTIO_PCI_CAP_LENGTH, 4, len);
}

/* Read or write len bytes at off of the virtio BAR through the window. */
static uint32_t cfg_bar_rd(struct t *t, uint32_t off, unsigned len)
{
	window(t, VIRTIO_PCI_BAR, off, len);
	return rig_cfg_rd(t->r, t->cap + VIRTIO_PCI_CFG_DATA, len);
}

static void cfg_bar_wr(struct t *t, uint32_t off, unsigned len, uint32_t val)
{
	window(t, VIRTIO_PCI_BAR, off, len);
	rig_cfg_wr(t->r, t->cap + VIRTIO_PCI_CFG_DATA, len, val);
}

static unsigned long bad(struct t *t)
{
	pthread_mutex_lock(&t->rng->vdev.lock);
	unsigned long n = t->rng->vdev.bad_accesses;
	pthread_mutex_unlock(&t->rng->vdev.lock);
	return n;
}

START_TEST(test_cap_layout_and_write_mask)
{
	struct t t = setup(true);
	unsigned c = t.cap;
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + 2, 1), VIRTIO_PCI_CFG_CAP_LEN);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + VIRTIO_PCI_CAP_BAR, 1), 0);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + VIRTIO_PCI_CAP_LENGTH, 4), 0);
	/* bar, offset, length: read-write for the driver. */
	window(&t, 0xA5, 0x12345678, 0x9ABCDEF0);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + VIRTIO_PCI_CAP_BAR, 1), 0xA5);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + VIRTIO_PCI_CAP_OFFSET, 4), 0x12345678);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + VIRTIO_PCI_CAP_LENGTH, 4), 0x9ABCDEF0);
	/* The rest is read-only: cap_vndr, cap_next, cap_len, cfg_type, id, padding. */
	uint32_t head = rig_cfg_rd(t.r, c, 4), id = rig_cfg_rd(t.r, c + 5, 1);
	rig_cfg_wr(t.r, c, 4, 0);
	rig_cfg_wr(t.r, c + 5, 1, 0x77);
	rig_cfg_wr(t.r, c + 6, 2, 0xFFFF);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c, 4), head);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + 5, 1), id);
	ck_assert_uint_eq(rig_cfg_rd(t.r, c + 6, 2), 0);
	teardown(&t);
}
END_TEST

START_TEST(test_reads_match_bar)
{
	struct t t = setup(true);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	rig_wr(t.r, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_DFSELECT, 4), 1);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_DF, 4), rig_rd(t.r, VIRTIO_PCI_COMMON_DF, 4));
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_DF, 4), 1); /* VERSION_1 is bit 32 */
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_Q_SIZE, 2), VQ_MAX_SIZE);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_STATUS, 1), 0);
	ck_assert_uint_eq(bad(&t), 0);
	teardown(&t);
}
END_TEST

START_TEST(test_writes_reach_bar)
{
	struct t t = setup(true);
	cfg_bar_wr(&t, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_DFSELECT, 4), 1);
	cfg_bar_wr(&t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 5);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2), 5);
	cfg_bar_wr(&t, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(rig_status(t.r), VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(bad(&t), 0);
	teardown(&t);
}
END_TEST

/* Firmware's case: nothing mapped, decoding off; the window works all the same. */
START_TEST(test_works_before_bar_mapped)
{
	struct t t = setup(false);
	uint64_t v;
	ck_assert(!bus_read(&t.r->mmio, RIG_BAR, 4, &v));
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY, 0);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	cfg_bar_wr(&t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 3);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_Q_SELECT, 2), 3);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0); /* no queue 3 */
	teardown(&t);
}
END_TEST

/* The type-1 mechanism (0xCF8/0xCFC), as SeaBIOS reaches the window. */
START_TEST(test_type1_access)
{
	struct t t = setup(false);
	window(&t, VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_NUMQ, 2);
	uint32_t data = t.cap + VIRTIO_PCI_CFG_DATA;
	pci_config_address_ops.write(&t.r->bus, 0, 4,
				     PCI_CONFIG_ENABLE | t.r->slot << 11 | (data & 0xFC));
	ck_assert_uint_eq(pci_config_data_ops.read(&t.r->bus, data & 3, 2), 1);
	window(&t, VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_STATUS, 1);
	pci_config_address_ops.write(&t.r->bus, 0, 4,
				     PCI_CONFIG_ENABLE | t.r->slot << 11 | (data & 0xFC));
	pci_config_data_ops.write(&t.r->bus, data & 3, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_STATUS, 1), VIRTIO_STATUS_ACKNOWLEDGE);
	teardown(&t);
}
END_TEST

/* A notify written through the window kicks the queue (served on the I/O
 * thread), and an ISR read through it clears the ISR and INTx. */
START_TEST(test_notify_kicks_and_isr_clears)
{
	struct t t = setup(true);
	rig_start(t.r);
	uint8_t s = rig_driver_init(t.r, VIRTIO_BIT(VIRTIO_F_VERSION_1), 1, 16);
	ck_assert_uint_ne(s & VIRTIO_STATUS_DRIVER_OK, 0);
	struct rig_buf b = { RIG_BUF, 64, true };
	rig_offer(t.r, 0, &b, 1);
	cfg_bar_wr(&t, VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	ck_assert_uint_eq(rig_used_len(t.r, 0, 0), 64);
	for (int i = 0; i < 1000 && !rig_intx(t.r); i++)
		usleep(1000);
	ck_assert_int_eq(rig_intx(t.r), 1);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_int_eq(rig_intx(t.r), 0);
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_ISR_OFF, 1), 0);
	teardown(&t);
}
END_TEST

/* Narrower config accesses to pci_cfg_data: a read refreshes the whole field
 * and returns the bytes asked for; a write moves the field's first
 * cap.length bytes, old and new (§4.1.4.9). */
START_TEST(test_partial_data_access)
{
	struct t t = setup(true);
	unsigned data = t.cap + VIRTIO_PCI_CFG_DATA;
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0x1234);
	window(&t, VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_Q_SELECT, 2);
	ck_assert_uint_eq(rig_cfg_rd(t.r, data + 1, 1), 0x12);
	ck_assert_uint_eq(rig_cfg_rd(t.r, data, 1), 0x34);
	rig_cfg_wr(t.r, data, 2, 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
	rig_cfg_wr(t.r, data + 1, 1, 0x01);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0x0100);
	/* A dword read with a 2-byte window: the high bytes are not the BAR's. */
	ck_assert_uint_eq(rig_cfg_rd(t.r, data, 4) & 0xFFFF, 0x0100);
	ck_assert_uint_eq(bad(&t), 0);
	teardown(&t);
}
END_TEST

/* Windows the driver must not set: reads give 0, writes change nothing, each
 * access is counted, and the device still works. */
START_TEST(test_hostile_windows)
{
	struct t t = setup(true);
	static const struct { uint8_t bar; uint32_t off, len; } cases[] = {
		{ 0, VIRTIO_PCI_COMMON_Q_SELECT, 2 },          /* not the virtio BAR */
		{ VIRTIO_PCI_BAR + 1, VIRTIO_PCI_COMMON_Q_SELECT, 2 }, /* its upper half */
		{ 0xFF, VIRTIO_PCI_COMMON_Q_SELECT, 2 },
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_Q_SELECT, 0 },  /* lengths not 1, 2, 4 */
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_Q_SELECT, 3 },
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_Q_DESC, 8 },
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_Q_SELECT, 0xFFFFFFFF },
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_Q_SELECT + 1, 2 }, /* misaligned */
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_NUMQ, 4 },
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_MSIX_TABLE_OFF, 4 },   /* not a virtio structure */
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE - 4, 4 },
		{ VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, 4 },         /* past the BAR */
		{ VIRTIO_PCI_BAR, 0xFFFFFFFC, 4 },                  /* wraps */
	};
	unsigned n = sizeof(cases) / sizeof(cases[0]);
	unsigned data = t.cap + VIRTIO_PCI_CFG_DATA;
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	for (unsigned i = 0; i < n; i++) {
		unsigned long before = bad(&t);
		window(&t, cases[i].bar, cases[i].off, cases[i].len);
		rig_cfg_wr(t.r, data, 4, 0xFFFFFFFF);
		ck_assert_uint_eq(rig_cfg_rd(t.r, data, 4), 0);
		ck_assert_uint_eq(rig_cfg_rd(t.r, data + 3, 1), 0);
		ck_assert_msg(bad(&t) == before + 3, "case %u", i);
		ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
	}
	/* Every config offset and width of the capability, read and written with
	 * junk, never hangs or crashes; a sane window works afterwards. */
	for (unsigned off = t.cap; off < t.cap + VIRTIO_PCI_CFG_CAP_LEN; off++)
		for (unsigned size = 1; size <= 4; size *= 2) {
			rig_cfg_rd(t.r, off, size);
			rig_cfg_wr(t.r, off, size, 0xDEADBEEF ^ off);
		}
	ck_assert_uint_eq(cfg_bar_rd(&t, VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	teardown(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_pci_cfg");
	TCase *tc = tcase_create("pci_cfg");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cap_layout_and_write_mask);
	tcase_add_test(tc, test_reads_match_bar);
	tcase_add_test(tc, test_writes_reach_bar);
	tcase_add_test(tc, test_works_before_bar_mapped);
	tcase_add_test(tc, test_type1_access);
	tcase_add_test(tc, test_notify_kicks_and_isr_clears);
	tcase_add_test(tc, test_partial_data_access);
	tcase_add_test(tc, test_hostile_windows);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
