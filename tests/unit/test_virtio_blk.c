/* test_virtio_blk.c: virtio-blk requests end to end: a driver in the test
 * thread, the device on its own I/O thread, a temporary image file behind. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/blk.h"
#include "virtio_rig.h"

#define DISK_SIZE (4 * MiB)
#define QSIZE     256
#define HDR(n)    (RIG_BUF + 0x1000ULL * (n))        /* request n's header */
#define STATUS(n) (RIG_BUF + 0x1000ULL * (n) + 0x100) /* and its status byte */
#define DATA      0x400000ULL                          /* data buffers */

struct t {
	struct vrig *r;
	struct virtio_blk *blk;
	char path[64];
	unsigned nreq;
};

static const uint64_t drv_features = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
	VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) |
	VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
	VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE);

static struct t setup_disk(bool ro, uint64_t extra_features)
{
	struct t t = { .r = rig_new() };
	struct err e = { 0 };
	snprintf(t.path, sizeof(t.path), "/tmp/vmm-vblk-XXXXXX");
	int fd = mkstemp(t.path);
	ck_assert_int_ge(fd, 0);
	uint8_t fill[4096];
	memset(fill, 0xAA, sizeof(fill));
	for (uint64_t off = 0; off < DISK_SIZE; off += sizeof(fill))
		ck_assert_int_eq(pwrite(fd, fill, sizeof(fill), (off_t)off), (ssize_t)sizeof(fill));
	close(fd);
	struct blk_backend *be;
	ck_assert_msg(blk_open(&be, t.path, ro, &e) == 0, "%s", e.msg);
	ck_assert_msg(virtio_blk_create(&t.blk, be, "vmm-test-serial", &t.r->mem, &t.r->loop,
					&t.r->bus, &e) == 0, "%s", e.msg);
	rig_map(t.r);
	rig_start(t.r);
	uint64_t f = drv_features | extra_features;
	uint8_t s = rig_driver_init(t.r, f & rig_device_features(t.r), 1, QSIZE);
	ck_assert_uint_eq(s & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
	return t;
}

static struct t setup(void)
{
	return setup_disk(false, VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
				 VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
}

static void teardown(struct t *t)
{
	rig_stop(t->r);
	virtio_blk_destroy(t->blk);
	rig_free(t->r);
	unlink(t->path);
}

static void put_hdr(struct t *t, unsigned n, uint32_t type, uint64_t sector)
{
	uint8_t h[16] = { 0 };
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	ck_assert_int_eq(mem_write(&t->r->mem, HDR(n), h, 16), 0);
	uint8_t junk = 0x77;
	mem_write(&t->r->mem, STATUS(n), &junk, 1);
}

/* Offer a request: header, then data buffers, then the status byte. */
static unsigned submit(struct t *t, uint32_t type, uint64_t sector, const struct rig_buf *data,
		       unsigned ndata)
{
	unsigned n = t->nreq++;
	put_hdr(t, n, type, sector);
	struct rig_buf b[16];
	b[0] = (struct rig_buf){ HDR(n), 16, false };
	for (unsigned i = 0; i < ndata; i++)
		b[1 + i] = data[i];
	b[1 + ndata] = (struct rig_buf){ STATUS(n), 1, true };
	rig_offer(t->r, 0, b, ndata + 2);
	rig_kick(t->r, 0);
	return n;
}

static uint8_t status_of(struct t *t, unsigned n)
{
	uint8_t s;
	ck_assert(rig_wait_used(t->r, 0, (uint16_t)(n + 1)));
	mem_read(&t->r->mem, STATUS(n), &s, 1);
	return s;
}

static uint8_t run(struct t *t, uint32_t type, uint64_t sector, const struct rig_buf *data,
		   unsigned ndata)
{
	return status_of(t, submit(t, type, sector, data, ndata));
}

static void file_read(struct t *t, uint64_t off, void *buf, size_t len)
{
	int fd = open(t->path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static uint64_t cfg(struct t *t, unsigned off, unsigned size)
{
	return rig_rd(t->r, VIRTIO_PCI_DEVICE_OFF + off, size);
}

/* ---- config ---- */

START_TEST(test_config_and_features)
{
	struct t t = setup();
	uint64_t f = rig_device_features(t.r);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_DEVICE_ID, 2), 0x1042);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD), 0);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES), 0);
	ck_assert_uint_eq(f & VIRTIO_BIT(VIRTIO_BLK_F_RO), 0);
	ck_assert_uint_eq(cfg(&t, VIRTIO_BLK_CFG_CAPACITY, 8), DISK_SIZE / 512);
	ck_assert_uint_eq(cfg(&t, VIRTIO_BLK_CFG_SEG_MAX, 4), VQ_MAX_SIZE - 2);
	ck_assert_uint_eq(cfg(&t, VIRTIO_BLK_CFG_BLK_SIZE, 4), 512);
	ck_assert_uint_eq(cfg(&t, VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 4), 1);
	ck_assert_uint_gt(cfg(&t, VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, 4), 0);
	ck_assert_uint_eq(cfg(&t, VIRTIO_BLK_CFG_MAX_WZ_SEG, 4), 1);
	ck_assert_uint_gt(cfg(&t, VIRTIO_BLK_CFG_MAX_WZ_SECTORS, 4), 0);
	teardown(&t);
}
END_TEST

/* ---- data ---- */

START_TEST(test_write_then_read)
{
	struct t t = setup();
	uint8_t pat[4096], back[4096];
	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 31 + 7);
	mem_write(&t.r->mem, DATA, pat, 1024);
	mem_write(&t.r->mem, DATA + 0x10000, pat + 1024, 3072);
	struct rig_buf w[2] = { { DATA, 1024, false }, { DATA + 0x10000, 3072, false } };
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_OUT, 8, w, 2), VIRTIO_BLK_S_OK);
	file_read(&t, 8 * 512, back, sizeof(back));
	ck_assert_mem_eq(back, pat, sizeof(pat));

	struct rig_buf rd[2] = { { DATA + 0x20000, 512, true }, { DATA + 0x30000, 3584, true } };
	unsigned n = submit(&t, VIRTIO_BLK_T_IN, 8, rd, 2);
	ck_assert_uint_eq(status_of(&t, n), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(rig_used_len(t.r, 0, (uint16_t)n), 4096 + 1);
	mem_read(&t.r->mem, DATA + 0x20000, back, 512);
	mem_read(&t.r->mem, DATA + 0x30000, back + 512, 3584);
	ck_assert_mem_eq(back, pat, sizeof(pat));
	teardown(&t);
}
END_TEST

/* §2.6.4: the device assumes nothing about how the driver frames a request. */
START_TEST(test_any_framing)
{
	struct t t = setup();
	uint8_t req[16 + 512];
	uint32_t type = VIRTIO_BLK_T_OUT;
	uint64_t sector = 100;
	memset(req, 0, 16);
	memcpy(req, &type, 4);
	memcpy(req + 8, &sector, 8);
	memset(req + 16, 0x5C, 512);
	mem_write(&t.r->mem, DATA, req, sizeof(req));
	struct rig_buf one[2] = { { DATA, sizeof(req), false }, { DATA + 0x1000, 1, true } };
	rig_offer(t.r, 0, one, 2);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	uint8_t s = 0xFF, back[512];
	mem_read(&t.r->mem, DATA + 0x1000, &s, 1);
	ck_assert_uint_eq(s, VIRTIO_BLK_S_OK);
	file_read(&t, 100 * 512, back, 512);
	ck_assert(all_bytes(back, 512, 0x5C));

	/* Read: header split over two descriptors, data and status in one. */
	type = VIRTIO_BLK_T_IN;
	memcpy(req, &type, 4);
	mem_write(&t.r->mem, DATA + 0x2000, req, 16);
	struct rig_buf split[3] = { { DATA + 0x2000, 5, false }, { DATA + 0x2005, 11, false },
				    { DATA + 0x3000, 513, true } };
	rig_offer(t.r, 0, split, 3);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 2));
	mem_read(&t.r->mem, DATA + 0x3000, back, 512);
	ck_assert(all_bytes(back, 512, 0x5C));
	mem_read(&t.r->mem, DATA + 0x3000 + 512, &s, 1);
	ck_assert_uint_eq(s, VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(rig_used_len(t.r, 0, 1), 513);
	teardown(&t);
}
END_TEST

START_TEST(test_flush_and_get_id)
{
	struct t t = setup();
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_FLUSH, 0, NULL, 0), VIRTIO_BLK_S_OK);
	uint8_t junk[20];
	memset(junk, 0x99, sizeof(junk));
	mem_write(&t.r->mem, DATA, junk, sizeof(junk));
	struct rig_buf id = { DATA, VIRTIO_BLK_ID_BYTES, true };
	unsigned n = submit(&t, VIRTIO_BLK_T_GET_ID, 0, &id, 1);
	ck_assert_uint_eq(status_of(&t, n), VIRTIO_BLK_S_OK);
	char got[20];
	mem_read(&t.r->mem, DATA, got, sizeof(got));
	ck_assert_mem_eq(got, "vmm-test-serial\0\0\0\0\0", 20);
	ck_assert_uint_eq(rig_used_len(t.r, 0, (uint16_t)n), 21);
	teardown(&t);
}
END_TEST

START_TEST(test_bad_requests_get_errors)
{
	struct t t = setup();
	struct rig_buf rd = { DATA, 512, true };
	/* Past the end, partly past the end, sector overflow. */
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_IN, DISK_SIZE / 512, &rd, 1), VIRTIO_BLK_S_IOERR);
	rd.len = 1024;
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_IN, DISK_SIZE / 512 - 1, &rd, 1), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_IN, UINT64_MAX / 256, &rd, 1), VIRTIO_BLK_S_IOERR);
	/* Not a whole number of sectors. */
	rd.len = 100;
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_IN, 0, &rd, 1), VIRTIO_BLK_S_IOERR);
	/* Unknown and unsupported types. */
	ck_assert_uint_eq(run(&t, 99, 0, NULL, 0), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(run(&t, 14 /* SECURE_ERASE */, 0, NULL, 0), VIRTIO_BLK_S_UNSUPP);
	/* A header shorter than 16 bytes. */
	unsigned n = t.nreq++;
	put_hdr(&t, n, VIRTIO_BLK_T_IN, 0);
	struct rig_buf shorty[2] = { { HDR(n), 8, false }, { STATUS(n), 1, true } };
	rig_offer(t.r, 0, shorty, 2);
	rig_kick(t.r, 0);
	ck_assert_uint_eq(status_of(&t, n), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(t.blk->vdev.bad_requests, 7);
	/* The device still works and was never reset. */
	ck_assert_uint_eq(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET, 0);
	rd.len = 512;
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_IN, 0, &rd, 1), VIRTIO_BLK_S_OK);
	teardown(&t);
}
END_TEST

/* No device-writable byte for the status: nothing can be reported in-band. */
START_TEST(test_status_not_writable)
{
	struct t t = setup();
	unsigned n = t.nreq++;
	put_hdr(&t, n, VIRTIO_BLK_T_FLUSH, 0);
	struct rig_buf b[2] = { { HDR(n), 16, false }, { STATUS(n), 1, false } };
	rig_offer(t.r, 0, b, 2);
	rig_kick(t.r, 0);
	for (int i = 0; i < 1000 && !(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(1000);
	ck_assert_uint_ne(rig_status(t.r) & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(t.blk->vdev.bad_chains, 1);
	teardown(&t);
}
END_TEST

START_TEST(test_readonly_disk)
{
	struct t t = setup_disk(true, 0);
	uint64_t f = rig_device_features(t.r);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_BLK_F_RO), 0);
	ck_assert_uint_eq(f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD), 0);
	ck_assert_uint_eq(f & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES), 0);
	uint8_t zero[512] = { 0 };
	mem_write(&t.r->mem, DATA, zero, sizeof(zero));
	struct rig_buf w = { DATA, 512, false };
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_OUT, 0, &w, 1), VIRTIO_BLK_S_IOERR);
	uint8_t back[512];
	file_read(&t, 0, back, sizeof(back));
	ck_assert(all_bytes(back, sizeof(back), 0xAA));
	struct rig_buf rd = { DATA, 512, true };
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_IN, 0, &rd, 1), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_FLUSH, 0, NULL, 0), VIRTIO_BLK_S_OK);
	teardown(&t);
}
END_TEST

static void put_dwz(struct t *t, uint64_t gpa, uint64_t sector, uint32_t num, uint32_t flags)
{
	uint8_t s[16];
	memcpy(s, &sector, 8);
	memcpy(s + 8, &num, 4);
	memcpy(s + 12, &flags, 4);
	mem_write(&t->r->mem, gpa, s, 16);
}

START_TEST(test_discard_and_write_zeroes)
{
	struct t t = setup();
	struct rig_buf seg = { DATA, 16, false };
	put_dwz(&t, DATA, 256, 512, 0);
	struct stat before, after;
	ck_assert_int_eq(stat(t.path, &before), 0);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_DISCARD, 0, &seg, 1), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(stat(t.path, &after), 0);
	ck_assert_int_lt(after.st_blocks, before.st_blocks);

	put_dwz(&t, DATA, 2048, 3, VIRTIO_BLK_DWZ_F_UNMAP);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_WRITE_ZEROES, 0, &seg, 1), VIRTIO_BLK_S_OK);
	uint8_t back[2048];
	file_read(&t, 2048 * 512 - 512, back, sizeof(back));
	ck_assert(all_bytes(back, 512, 0xAA));
	ck_assert(all_bytes(back + 512, 3 * 512, 0));
	file_read(&t, 2051 * 512, back, 512);
	ck_assert(all_bytes(back, 512, 0xAA));

	/* §5.2.6.2: unmap on discard and reserved flags are UNSUPP. */
	put_dwz(&t, DATA, 0, 8, VIRTIO_BLK_DWZ_F_UNMAP);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_DISCARD, 0, &seg, 1), VIRTIO_BLK_S_UNSUPP);
	put_dwz(&t, DATA, 0, 8, 0x100);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_WRITE_ZEROES, 0, &seg, 1), VIRTIO_BLK_S_UNSUPP);
	/* Out of range, too many sectors, two segments (max_*_seg is 1). */
	put_dwz(&t, DATA, DISK_SIZE / 512 - 4, 8, 0);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_DISCARD, 0, &seg, 1), VIRTIO_BLK_S_IOERR);
	put_dwz(&t, DATA, 0, VIRTIO_BLK_MAX_DWZ_SECTORS + 1, 0);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_WRITE_ZEROES, 0, &seg, 1), VIRTIO_BLK_S_IOERR);
	put_dwz(&t, DATA, 0, 8, 0);
	put_dwz(&t, DATA + 16, 16, 8, 0);
	struct rig_buf two = { DATA, 32, false };
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_DISCARD, 0, &two, 1), VIRTIO_BLK_S_IOERR);
	teardown(&t);
}
END_TEST

START_TEST(test_indirect_request)
{
	struct t t = setup();
	uint8_t pat[1024];
	memset(pat, 0x3D, sizeof(pat));
	mem_write(&t.r->mem, DATA, pat, sizeof(pat));
	put_hdr(&t, 0, VIRTIO_BLK_T_OUT, 40);
	uint64_t table = DATA + 0x8000;
	rig_desc_set(t.r, table, 0, HDR(0), 16, VIRTQ_DESC_F_NEXT, 1);
	rig_desc_set(t.r, table, 1, DATA, 1024, VIRTQ_DESC_F_NEXT, 2);
	rig_desc_set(t.r, table, 2, STATUS(0), 1, VIRTQ_DESC_F_WRITE, 0);
	rig_desc_set(t.r, rig_desc(0), 0, table, 48, VIRTQ_DESC_F_INDIRECT, 0);
	rig_put16(t.r, rig_avail(0) + 4, 0);
	rig_put16(t.r, rig_avail(0) + 2, 1);
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, 1));
	uint8_t s = 0xFF, back[1024];
	mem_read(&t.r->mem, STATUS(0), &s, 1);
	ck_assert_uint_eq(s, VIRTIO_BLK_S_OK);
	file_read(&t, 40 * 512, back, sizeof(back));
	ck_assert_mem_eq(back, pat, sizeof(pat));
	teardown(&t);
}
END_TEST

/* Many requests at once, completed out of the backend in any order. */
START_TEST(test_many_in_flight)
{
	enum { N = 80 }; /* 3 descriptors each: 240 of the 256 */
	struct t t = setup();
	for (unsigned i = 0; i < N; i++) {
		uint8_t sec[512];
		memset(sec, (int)i, sizeof(sec));
		mem_write(&t.r->mem, DATA + 512ULL * i, sec, sizeof(sec));
		put_hdr(&t, i, VIRTIO_BLK_T_OUT, i);
		struct rig_buf b[3] = { { HDR(i), 16, false }, { DATA + 512ULL * i, 512, false },
					{ STATUS(i), 1, true } };
		rig_offer(t.r, 0, b, 3);
	}
	t.nreq = N;
	rig_kick(t.r, 0);
	ck_assert(rig_wait_used(t.r, 0, N));
	for (unsigned i = 0; i < N; i++) {
		uint8_t s, back[512];
		mem_read(&t.r->mem, STATUS(i), &s, 1);
		ck_assert_uint_eq(s, VIRTIO_BLK_S_OK);
		file_read(&t, 512ULL * i, back, 512);
		ck_assert(all_bytes(back, 512, (uint8_t)i));
	}
	teardown(&t);
}
END_TEST

/* A reset returns only when no request touches guest memory any more; the
 * used ring stays as the reset left it. */
START_TEST(test_reset_waits_for_requests)
{
	enum { N = 80 };
	struct t t = setup();
	for (unsigned i = 0; i < N; i++) {
		put_hdr(&t, i, VIRTIO_BLK_T_IN, i * 8);
		struct rig_buf b[3] = { { HDR(i), 16, false }, { DATA + 4096ULL * i, 4096, true },
					{ STATUS(i), 1, true } };
		rig_offer(t.r, 0, b, 3);
	}
	rig_kick(t.r, 0);
	rig_set_status(t.r, 0);
	ck_assert_uint_eq(t.blk->inflight, 0);
	uint16_t used = rig_used_idx(t.r, 0);
	usleep(50000);
	ck_assert_uint_eq(rig_used_idx(t.r, 0), used);
	/* And it works again after a fresh start. */
	t.r->dq[0] = (struct rig_dq){ 0 };
	t.nreq = 0;
	ck_assert_uint_eq(rig_driver_init(t.r, drv_features, 1, QSIZE) & VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(run(&t, VIRTIO_BLK_T_FLUSH, 0, NULL, 0), VIRTIO_BLK_S_OK);
	teardown(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("blk");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_config_and_features);
	tcase_add_test(tc, test_write_then_read);
	tcase_add_test(tc, test_any_framing);
	tcase_add_test(tc, test_flush_and_get_id);
	tcase_add_test(tc, test_bad_requests_get_errors);
	tcase_add_test(tc, test_status_not_writable);
	tcase_add_test(tc, test_readonly_disk);
	tcase_add_test(tc, test_discard_and_write_zeroes);
	tcase_add_test(tc, test_indirect_request);
	tcase_add_test(tc, test_many_in_flight);
	tcase_add_test(tc, test_reset_waits_for_requests);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
