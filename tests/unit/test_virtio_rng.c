/* test_virtio_rng.c: virtio-rng fills device-writable buffers from getrandom,
 * at most VIRTIO_RNG_MAX_PER_REQ per request. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/rng.h"
#include "virtio_rig.h"

struct t {
	struct vrig *r;
	struct virtio_rng *rng;
};

static struct t setup(void)
{
	struct t t = { .r = rig_new() };
	struct err e = { 0 };
	ck_assert_int_eq(virtio_rng_create(&t.rng, &t.r->mem, &t.r->loop, &t.r->bus, &e), 0);
	rig_map(t.r);
	rig_start(t.r);
	uint8_t s = rig_driver_init(t.r, VIRTIO_BIT(VIRTIO_F_VERSION_1), 1, 16);
	ck_assert_uint_eq(s & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
	return t;
}

static void teardown(struct t *t)
{
	rig_stop(t->r);
	virtio_rng_destroy(t->rng);
	rig_free(t->r);
}

START_TEST(test_ids)
{
	struct t t = setup();
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_DEVICE_ID, 2), 0x1044);
	ck_assert_uint_eq(rig_device_features(t.r), VIRTIO_TRANSPORT_FEATURES);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	teardown(&t);
}
END_TEST

START_TEST(test_fills_buffers)
{
	struct t t = setup();
	uint8_t zero[256] = { 0 }, got[256];
	mem_write(&t.r->mem, RIG_BUF, zero, sizeof(zero));
	struct rig_buf b[2] = { { RIG_BUF, 128, true }, { RIG_BUF + 128, 128, true } };
	rig_offer(t.r, 0, b, 2);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	ck_assert_uint_eq(rig_used_len(t.r, 0, 0), 256);
	mem_read(&t.r->mem, RIG_BUF, got, sizeof(got));
	/* 2^-1024 odds that either half is still all zero. */
	ck_assert(memcmp(got, zero, 128) != 0);
	ck_assert(memcmp(got + 128, zero, 128) != 0);
	teardown(&t);
}
END_TEST

START_TEST(test_capped_per_request)
{
	struct t t = setup();
	struct rig_buf b = { RIG_BUF, 1024 * 1024, true };
	rig_offer(t.r, 0, &b, 1);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	ck_assert_uint_eq(rig_used_len(t.r, 0, 0), VIRTIO_RNG_MAX_PER_REQ);
	teardown(&t);
}
END_TEST

START_TEST(test_readable_buffers_get_nothing)
{
	struct t t = setup();
	uint8_t pat[64], got[64];
	memset(pat, 0x42, sizeof(pat));
	mem_write(&t.r->mem, RIG_BUF, pat, sizeof(pat));
	struct rig_buf b = { RIG_BUF, 64, false };
	rig_offer(t.r, 0, &b, 1);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	ck_assert_uint_eq(rig_used_len(t.r, 0, 0), 0);
	mem_read(&t.r->mem, RIG_BUF, got, sizeof(got));
	ck_assert_mem_eq(got, pat, sizeof(pat));
	teardown(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_rng");
	TCase *tc = tcase_create("rng");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_fills_buffers);
	tcase_add_test(tc, test_capped_per_request);
	tcase_add_test(tc, test_readable_buffers_get_nothing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
