/* test_virtio_pci.c: the modern virtio-pci transport and the generic device
 * state behind it (status machine, features, queues, reset, interrupts),
 * driven through config space and the BAR with an echo device behind it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_rig.h"

#define ECHO_ID      VIRTIO_ID_RNG
#define ECHO_NQ      2
#define ECHO_FEATURE 3   /* a device feature bit */

/* A device that fills every writable segment with 0xEE. */
struct echo {
	struct virtio_dev vdev;
	struct virtio_pci pci;
	uint8_t config[6];
	unsigned notifies, resets, driver_oks, cfg_writes;
	unsigned last_cfg_off, last_cfg_len;
	uint32_t last_cfg_val;
	struct vq_elem el;
};

static void echo_notify(struct virtio_dev *d, unsigned q)
{
	struct echo *x = (struct echo *)d;
	struct vq *vq = &d->queues[q];
	x->notifies++;
	while (vq_pop(vq, &x->el) > 0) {
		for (unsigned i = 0; i < x->el.nin; i++)
			memset(x->el.iov[x->el.nout + i].iov_base, 0xEE, x->el.iov[x->el.nout + i].iov_len);
		vq_push(vq, x->el.head, (uint32_t)x->el.in_bytes);
	}
	virtio_dev_used(d, q);
}

static void echo_reset(struct virtio_dev *d)
{
	((struct echo *)d)->resets++;
}

static void echo_driver_ok(struct virtio_dev *d)
{
	((struct echo *)d)->driver_oks++;
}

static void echo_cfg_write(struct virtio_dev *d, unsigned off, unsigned len, uint32_t val)
{
	struct echo *x = (struct echo *)d;
	x->cfg_writes++;
	x->last_cfg_off = off;
	x->last_cfg_len = len;
	x->last_cfg_val = val;
}

static const struct virtio_dev_ops echo_ops = {
	.queue_notify = echo_notify,
	.config_write = echo_cfg_write,
	.driver_ok = echo_driver_ok,
	.reset = echo_reset,
};

struct t {
	struct vrig *r;
	struct echo *x;
};

static struct t setup(bool start)
{
	struct t t = { .r = rig_new(), .x = calloc(1, sizeof(struct echo)) };
	struct err e = { 0 };
	memcpy(t.x->config, "\x11\x22\x33\x44\x55\x66", 6);
	ck_assert_int_eq(virtio_dev_init(&t.x->vdev, "echo", ECHO_ID, VIRTIO_BIT(ECHO_FEATURE),
					 ECHO_NQ, &t.r->mem, t.x->config, 6, &echo_ops), 0);
	ck_assert_msg(virtio_pci_init(&t.x->pci, &t.x->vdev, &t.r->loop, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(virtio_pci_attach(&t.x->pci, &t.r->bus, &e), 0);
	rig_map(t.r);
	if (start)
		rig_start(t.r);
	return t;
}

static void teardown(struct t *t)
{
	rig_stop(t->r);
	virtio_pci_destroy(&t->x->pci);
	virtio_dev_destroy(&t->x->vdev);
	free(t->x);
	rig_free(t->r);
}

static const uint64_t good = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(ECHO_FEATURE);
static const uint8_t live = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;

/* ---- PCI identity and capabilities ---- */

START_TEST(test_ids)
{
	struct t t = setup(false);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_VENDOR_ID, 2), 0x1AF4);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_DEVICE_ID, 2), 0x1040 + ECHO_ID);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_SUBSYS_VENDOR, 2), VIRTIO_PCI_SUBSYS_VENDOR);
	ck_assert_uint_ge(rig_cfg_rd(t.r, PCI_SUBSYS_ID, 2), 0x40); /* §4.1.2.1 */
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_REVISION_ID, 4) >> 8, VIRTIO_PCI_CLASS_OTHER);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_INTERRUPT_PIN, 1), 1);
	teardown(&t);
}
END_TEST

START_TEST(test_bar_sizing)
{
	struct t t = setup(false);
	unsigned bar = PCI_BAR0 + 4 * VIRTIO_PCI_BAR;
	ck_assert_uint_eq(rig_cfg_rd(t.r, bar, 4) & 0xF, PCI_BASE_ADDRESS_MEM_64);
	rig_cfg_wr(t.r, PCI_COMMAND, 2, 0);
	rig_cfg_wr(t.r, bar, 4, 0xFFFFFFFF);
	rig_cfg_wr(t.r, bar + 4, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(rig_cfg_rd(t.r, bar, 4), (uint32_t)~(VIRTIO_PCI_BAR_SIZE - 1) | 4);
	ck_assert_uint_eq(rig_cfg_rd(t.r, bar + 4, 4), 0xFFFFFFFF);
	teardown(&t);
}
END_TEST

/* Walk the capability list as a driver does (§4.1.4). */
START_TEST(test_capabilities)
{
	struct t t = setup(false);
	bool seen[6] = { false };
	bool msix = false;
	unsigned n = 0;
	for (unsigned cap = rig_cfg_rd(t.r, PCI_CAP_PTR, 1); cap; cap = rig_cfg_rd(t.r, cap + 1, 1)) {
		ck_assert_uint_lt(n++, 16);
		unsigned id = rig_cfg_rd(t.r, cap, 1);
		if (id == PCI_CAP_ID_MSIX) {
			msix = true;
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 2, 2) & 0x7FF, ECHO_NQ); /* N-1 */
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 4, 4),
					  VIRTIO_PCI_MSIX_TABLE_OFF | VIRTIO_PCI_BAR);
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 8, 4), VIRTIO_PCI_MSIX_PBA_OFF | VIRTIO_PCI_BAR);
			continue;
		}
		ck_assert_uint_eq(id, PCI_CAP_ID_VENDOR);
		unsigned type = rig_cfg_rd(t.r, cap + 3, 1);
		ck_assert(type >= 1 && type <= VIRTIO_PCI_CAP_PCI_CFG);
		seen[type] = true;
		if (type == VIRTIO_PCI_CAP_PCI_CFG) { /* §4.1.4.9: the driver sets the window */
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 2, 1), VIRTIO_PCI_CFG_CAP_LEN);
			continue;
		}
		ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 4, 1), VIRTIO_PCI_BAR);
		uint32_t off = rig_cfg_rd(t.r, cap + 8, 4), len = rig_cfg_rd(t.r, cap + 12, 4);
		ck_assert_uint_le(off + len, VIRTIO_PCI_BAR_SIZE);
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 2, 1), 16);
			ck_assert_uint_ge(len, VIRTIO_PCI_COMMON_LEN);
			ck_assert_uint_eq(off, VIRTIO_PCI_COMMON_OFF);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 2, 1), 20);
			ck_assert_uint_eq(rig_cfg_rd(t.r, cap + 16, 4), VIRTIO_PCI_NOTIFY_MULT);
			ck_assert_uint_ge(len, ECHO_NQ * VIRTIO_PCI_NOTIFY_MULT);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			ck_assert_uint_ge(len, 1);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			ck_assert_uint_eq(len, 6);
			break;
		}
	}
	ck_assert(msix && seen[1] && seen[2] && seen[3] && seen[4] && seen[5]);
	teardown(&t);
}
END_TEST

/* ---- features and status ---- */

START_TEST(test_feature_windows)
{
	struct t t = setup(false);
	uint64_t f = rig_device_features(t.r);
	ck_assert_uint_eq(f, VIRTIO_TRANSPORT_FEATURES | VIRTIO_BIT(ECHO_FEATURE));
	rig_wr(t.r, VIRTIO_PCI_COMMON_DFSELECT, 4, 7);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_DF, 4), 0);
	rig_driver_features(t.r, good);
	rig_wr(t.r, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_GF, 4), 1); /* VERSION_1 is bit 32 */
	teardown(&t);
}
END_TEST

START_TEST(test_features_ok_needs_version_1)
{
	struct t t = setup(false);
	uint8_t s = rig_driver_init(t.r, VIRTIO_BIT(ECHO_FEATURE), 0, 0);
	ck_assert_uint_eq(s & VIRTIO_STATUS_FEATURES_OK, 0);
	teardown(&t);
}
END_TEST

START_TEST(test_features_ok_refuses_unoffered)
{
	struct t t = setup(false);
	uint8_t s = rig_driver_init(t.r, good | VIRTIO_BIT(40), 0, 0);
	ck_assert_uint_eq(s & VIRTIO_STATUS_FEATURES_OK, 0);
	s = rig_driver_init(t.r, good, 0, 0);
	ck_assert_uint_ne(s & VIRTIO_STATUS_FEATURES_OK, 0);
	/* Settled: later feature writes change nothing. */
	rig_driver_features(t.r, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	ck_assert(virtio_dev_has(&t.x->vdev, ECHO_FEATURE));
	teardown(&t);
}
END_TEST

START_TEST(test_driver_ok_needs_features_ok)
{
	struct t t = setup(false);
	rig_set_status(t.r, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(rig_status(t.r) & VIRTIO_STATUS_DRIVER_OK, 0);
	ck_assert_uint_eq(t.x->driver_oks, 0);
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	ck_assert_uint_eq(t.x->driver_oks, 1);
	teardown(&t);
}
END_TEST

START_TEST(test_reset)
{
	struct t t = setup(false);
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	unsigned resets = t.x->resets;
	rig_wr(t.r, VIRTIO_PCI_COMMON_MSIX, 2, 1);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
	rig_set_status(t.r, 0);
	ck_assert_uint_eq(rig_status(t.r), 0);
	ck_assert_uint_eq(t.x->resets, resets + 1);
	ck_assert(!t.x->vdev.queues[0].ready);
	ck_assert_uint_eq(t.x->vdev.driver_features, 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2), VQ_MAX_SIZE);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_DESC, 8), 0);
	/* And it comes up again. */
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	teardown(&t);
}
END_TEST

/* ---- queue registers ---- */

START_TEST(test_queue_registers)
{
	struct t t = setup(false);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_NUMQ, 2), ECHO_NQ);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2), VQ_MAX_SIZE);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_NOFF, 2), 1);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_DESC, 4, 0x12345000);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_DESC + 4, 4, 0x9);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_DESC, 8), 0x912345000ULL);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_DESC + 4, 4), 0x9);
	/* A queue that does not exist: size 0, writes ignored (§4.1.4.3.2). */
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, ECHO_NQ);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2, 8);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	/* Past the structure: zero, writes dropped. */
	ck_assert_uint_eq(rig_rd(t.r, 0x40, 4), 0);
	rig_wr(t.r, 0x40, 4, 1);
	teardown(&t);
}
END_TEST

START_TEST(test_queue_frozen_once_enabled)
{
	struct t t = setup(false);
	ck_assert_uint_eq(rig_driver_init(t.r, good, 1, 16), live);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_DESC, 8, 0x500000);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2, 4);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_DESC, 8), rig_desc(0));
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_SIZE, 2), 16);
	teardown(&t);
}
END_TEST

/* Rings outside RAM: the device says NEEDS_RESET instead of enabling. */
START_TEST(test_bad_rings_need_reset)
{
	struct t t = setup(false);
	rig_set_status(t.r, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	rig_driver_features(t.r, good);
	rig_set_status(t.r, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_DESC, 8, RIG_RAM - 64);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_DRIVER, 8, rig_avail(0));
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_DEVICE, 8, rig_used(0));
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	ck_assert_uint_ne(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(t.x->vdev.bad_chains, 1);
	/* The driver cannot clear it, only reset. */
	rig_set_status(t.r, VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_ne(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET, 0);
	rig_set_status(t.r, 0);
	ck_assert_uint_eq(rig_status(t.r), 0);
	teardown(&t);
}
END_TEST

/* ---- notifications and interrupts ---- */

START_TEST(test_kick_served_on_io_thread_with_intx)
{
	struct t t = setup(true);
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	struct rig_buf b[2] = { { RIG_BUF, 8, false }, { RIG_BUF + 0x100, 32, true } };
	uint16_t head = rig_offer(t.r, 1, b, 2);
	rig_kick(t.r, 1);
	ck_assert(rig_wait_used(t.r, 1, 1));
	ck_assert_uint_eq(rig_used_id(t.r, 1, 0), head);
	ck_assert_uint_eq(rig_used_len(t.r, 1, 0), 32);
	uint8_t back[32];
	mem_read(&t.r->mem, RIG_BUF + 0x100, back, 32);
	ck_assert_uint_eq(back[31], 0xEE);
	/* No MSI-X: INTx plus ISR bit 0; reading ISR clears both. */
	for (int i = 0; i < 1000 && !rig_intx(t.r); i++)
		usleep(1000);
	ck_assert_int_eq(rig_intx(t.r), 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_int_eq(rig_intx(t.r), 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_ISR_OFF, 1), 0);
	teardown(&t);
}
END_TEST

START_TEST(test_kick_ignored_until_driver_ok_then_served)
{
	struct t t = setup(true);
	rig_set_status(t.r, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	rig_driver_features(t.r, good);
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	rig_set_status(t.r, s);
	rig_queue_setup(t.r, 0, 16);
	struct rig_buf b = { RIG_BUF, 16, true };
	rig_offer(t.r, 0, &b, 1);
	rig_kick(t.r, 0);
	usleep(20000);
	ck_assert_uint_eq(rig_used_idx(t.r, 0), 0);
	rig_set_status(t.r, s | VIRTIO_STATUS_DRIVER_OK);
	ck_assert(rig_wait_used(t.r, 0, 1));
	teardown(&t);
}
END_TEST

START_TEST(test_msix_vectors)
{
	struct t t = setup(true);
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	rig_msix_enable(t.r, ECHO_NQ + 1);
	rig_wr(t.r, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_MSIX, 2), 0);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_MSIX, 2, 2);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_MSIX, 2), 2);
	/* A vector the table lacks reads back NO_VECTOR (§4.1.5.1.2). */
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	rig_wr(t.r, VIRTIO_PCI_COMMON_Q_MSIX, 2, ECHO_NQ + 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);

	struct rig_buf b = { RIG_BUF, 16, true };
	rig_offer(t.r, 0, &b, 1);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	uint64_t fired = 0;
	for (int i = 0; i < 1000 && !fired; i++, usleep(1000))
		fired = rig_msi_count(t.r, 2);
	ck_assert_uint_eq(fired, 1);
	ck_assert_int_eq(rig_intx(t.r), 0);
	ck_assert_uint_eq(t.x->pci.isr, 0);
	/* Queue 1 has NO_VECTOR: used, and no interrupt of any kind. */
	rig_offer(t.r, 1, &b, 1);
	rig_kick(t.r, 1);
	ck_assert(rig_wait_used(t.r, 1, 1));
	usleep(10000);
	for (unsigned v = 0; v <= ECHO_NQ; v++)
		ck_assert_uint_eq(rig_msi_count(t.r, v), 0);
	ck_assert_int_eq(rig_intx(t.r), 0);
	teardown(&t);
}
END_TEST

/* A bad chain: NEEDS_RESET and a configuration interrupt; the VMM goes on. */
START_TEST(test_bad_chain_config_interrupt)
{
	struct t t = setup(true);
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	struct rig_buf b = { RIG_RAM - 4, 16, true }; /* runs past RAM */
	rig_offer(t.r, 0, &b, 1);
	rig_kick(t.r, 0);
	for (int i = 0; i < 1000 && !(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(1000);
	ck_assert_uint_ne(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_int_eq(rig_intx(t.r), 1);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(t.x->vdev.bad_chains, 1);
	ck_assert_uint_eq(rig_used_idx(t.r, 0), 0);
	/* Reset and go again. */
	t.r->dq[0] = (struct rig_dq){ 0 };
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	b.gpa = RIG_BUF;
	rig_offer(t.r, 0, &b, 1);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	teardown(&t);
}
END_TEST

START_TEST(test_ioeventfds_follow_bar)
{
	struct t t = setup(false);
	/* rig_map put the BAR at RIG_BAR: one registration per queue. */
	ck_assert_uint_eq(t.r->nioev, ECHO_NQ);
	for (unsigned q = 0; q < ECHO_NQ; q++) {
		ck_assert(t.r->ioev[q].assign);
		ck_assert_uint_eq(t.r->ioev[q].addr, RIG_BAR + VIRTIO_PCI_NOTIFY_OFF + 4 * q);
		ck_assert_uint_eq(t.r->ioev[q].len, 2);
		ck_assert_int_eq(t.r->ioev[q].efd, t.x->pci.kicks[q].efd);
	}
	/* Memory decoding off: unregistered. */
	rig_cfg_wr(t.r, PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(t.r->nioev, 2 * ECHO_NQ);
	for (unsigned q = 0; q < ECHO_NQ; q++) {
		ck_assert(!t.r->ioev[ECHO_NQ + q].assign);
		ck_assert_uint_eq(t.r->ioev[ECHO_NQ + q].addr, RIG_BAR + VIRTIO_PCI_NOTIFY_OFF + 4 * q);
	}
	/* Moved and on again: registered at the new place. */
	rig_cfg_wr(t.r, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 4, 0xD0000000);
	rig_cfg_wr(t.r, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(t.r->nioev, 3 * ECHO_NQ);
	ck_assert_uint_eq(t.r->ioev[2 * ECHO_NQ].addr, 0xD0000000ULL + VIRTIO_PCI_NOTIFY_OFF);
	teardown(&t);
}
END_TEST

START_TEST(test_device_config)
{
	struct t t = setup(false);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_DEVICE_OFF, 4), 0x44332211);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_DEVICE_OFF + 4, 4), 0x6655); /* zero past the end */
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_DEVICE_OFF + 0x100, 1), 0);
	rig_wr(t.r, VIRTIO_PCI_DEVICE_OFF + 2, 2, 0xBEEF);
	ck_assert_uint_eq(t.x->cfg_writes, 1);
	ck_assert_uint_eq(t.x->last_cfg_off, 2);
	ck_assert_uint_eq(t.x->last_cfg_len, 2);
	ck_assert_uint_eq(t.x->last_cfg_val, 0xBEEF);
	rig_wr(t.r, VIRTIO_PCI_DEVICE_OFF + 5, 2, 0xBEEF); /* straddles the end */
	ck_assert_uint_eq(t.x->cfg_writes, 1);
	teardown(&t);
}
END_TEST

/* Every offset and width of the BAR, read and written with junk: no crash,
 * and the device ends up in a state a reset recovers from. */
START_TEST(test_hostile_register_sweep)
{
	struct t t = setup(true);
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	for (uint64_t off = 0; off < VIRTIO_PCI_BAR_SIZE; off += 1) {
		for (unsigned s = 0; s < 4; s++) {
			if (off + sizes[s] > VIRTIO_PCI_BAR_SIZE)
				continue;
			uint64_t v;
			bus_read(&t.r->mmio, RIG_BAR + off, sizes[s], &v);
			if (off == VIRTIO_PCI_COMMON_STATUS)
				continue; /* a reset here would hide the rest of the sweep */
			bus_write(&t.r->mmio, RIG_BAR + off, sizes[s], 0xFFFFFFFFFFFFFFFFULL - off);
		}
	}
	ck_assert_uint_gt(t.x->vdev.bad_accesses, 0);
	t.r->dq[0] = t.r->dq[1] = (struct rig_dq){ 0 };
	ck_assert_uint_eq(rig_driver_init(t.r, good, ECHO_NQ, 16), live);
	teardown(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *tc = tcase_create("pci");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_bar_sizing);
	tcase_add_test(tc, test_capabilities);
	tcase_add_test(tc, test_feature_windows);
	tcase_add_test(tc, test_features_ok_needs_version_1);
	tcase_add_test(tc, test_features_ok_refuses_unoffered);
	tcase_add_test(tc, test_driver_ok_needs_features_ok);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_queue_registers);
	tcase_add_test(tc, test_queue_frozen_once_enabled);
	tcase_add_test(tc, test_bad_rings_need_reset);
	tcase_add_test(tc, test_kick_served_on_io_thread_with_intx);
	tcase_add_test(tc, test_kick_ignored_until_driver_ok_then_served);
	tcase_add_test(tc, test_msix_vectors);
	tcase_add_test(tc, test_bad_chain_config_interrupt);
	tcase_add_test(tc, test_ioeventfds_follow_bar);
	tcase_add_test(tc, test_device_config);
	tcase_add_test(tc, test_hostile_register_sweep);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
