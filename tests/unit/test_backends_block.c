/* test_backends_block.c: the io_uring block backend on temporary files, with
 * an evloop of the test's own standing in for the VM's I/O thread. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/block.h"

struct rig {
	char path[64];
	struct evloop loop;
	struct blk_backend *b;
};

/* One request's outcome, filled by done() on the I/O thread. */
struct result {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned calls;
	int64_t res;
	bool on_io_thread;
	pthread_t io_thread;
};

static void make_file(char *path, size_t pathlen, const char *dir, uint64_t size, uint8_t fill)
{
	snprintf(path, pathlen, "%s/vmm-blk-XXXXXX", dir);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	uint8_t buf[4096];
	memset(buf, fill, sizeof(buf));
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		ck_assert_int_eq(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
	}
	close(fd);
}

static void rig_start(struct rig *r, const char *dir, uint64_t size, bool ro)
{
	struct err e = { 0 };
	memset(r, 0, sizeof(*r));
	make_file(r->path, sizeof(r->path), dir, size, 0xaa);
	ck_assert_int_eq(evloop_init(&r->loop, &e), 0);
	ck_assert_msg(blk_open(&r->b, r->path, ro, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(blk_attach(r->b, &r->loop, &e), 0);
	ck_assert_int_eq(evloop_start(&r->loop, &e), 0);
}

static void rig_stop(struct rig *r)
{
	evloop_stop(&r->loop);
	blk_close(r->b);
	evloop_destroy(&r->loop);
	unlink(r->path);
}

static void result_init(struct result *res, struct rig *r)
{
	memset(res, 0, sizeof(*res));
	pthread_mutex_init(&res->lock, NULL);
	pthread_cond_init(&res->cond, NULL);
	res->io_thread = r->loop.thread;
}

static void on_done(struct blk_req *req, int64_t v)
{
	struct result *res = req->opaque;
	pthread_mutex_lock(&res->lock);
	res->calls++;
	res->res = v;
	res->on_io_thread = pthread_equal(pthread_self(), res->io_thread);
	pthread_cond_broadcast(&res->cond);
	pthread_mutex_unlock(&res->lock);
}

static void result_wait(struct result *res, unsigned calls)
{
	pthread_mutex_lock(&res->lock);
	while (res->calls < calls)
		pthread_cond_wait(&res->cond, &res->lock);
	pthread_mutex_unlock(&res->lock);
}

static int64_t run_op(struct rig *r, enum blk_op op, uint64_t off, uint64_t len)
{
	struct blk_req req = { .op = op, .offset = off, .len = len };
	return blk_submit_wait(r->b, &req);
}

static int64_t run_rw(struct rig *r, enum blk_op op, uint64_t off, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct blk_req req = { .op = op, .offset = off, .iov = &iov, .iovcnt = 1 };
	return blk_submit_wait(r->b, &req);
}

static void file_read(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
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

/* ---- opening ---- */

static void expect_open_error(const char *path, const char *needle)
{
	struct blk_backend *b = (void *)1;
	struct err e = { 0 };
	ck_assert_int_eq(blk_open(&b, path, false, &e), -1);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(e.kind, ERR_INPUT);
	ck_assert_msg(strstr(e.msg, path) != NULL, "message does not name the path: %s", e.msg);
	ck_assert_msg(strstr(e.msg, needle) != NULL, "expected '%s' in: %s", needle, e.msg);
	ck_assert_ptr_null(strchr(e.msg, '\n'));
}

START_TEST(test_open_errors)
{
	char path[64];
	expect_open_error("/nonexistent/vmm-disk.img", "No such file");
	expect_open_error("/tmp", "is a directory");
	make_file(path, sizeof(path), "/tmp", 1000, 0);
	expect_open_error(path, "not a multiple of 512");
	unlink(path);
	make_file(path, sizeof(path), "/tmp", 0, 0);
	expect_open_error(path, "empty");
	unlink(path);
	expect_open_error("/dev/null", "not a regular file or block device");
}
END_TEST

START_TEST(test_open_reports_size_and_mode)
{
	struct rig r;
	rig_start(&r, "/tmp", 1 << 20, false);
	ck_assert_uint_eq(blk_size(r.b), 1 << 20);
	ck_assert(!blk_readonly(r.b));
	ck_assert_str_eq(blk_path(r.b), r.path);
	rig_stop(&r);
}
END_TEST

/* A file the process cannot write is served read-only, without an error.
 * Root may write anything, so the check runs as nobody in a child. */
START_TEST(test_unwritable_file_is_readonly)
{
	char path[64];
	make_file(path, sizeof(path), "/tmp", 4096, 1);
	ck_assert_int_eq(chmod(path, 0444), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0 && setresuid(65534, 65534, 65534))
			_exit(2);
		struct blk_backend *b;
		struct err e = { 0 };
		if (blk_open(&b, path, false, &e))
			_exit(3);
		int code = blk_readonly(b) ? 0 : 4;
		blk_close(b);
		_exit(code);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(path);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* ---- data ---- */

START_TEST(test_write_read_iovecs_on_io_thread)
{
	struct rig r;
	struct result res;
	rig_start(&r, "/tmp", 1 << 20, false);
	result_init(&res, &r);
	uint8_t a[1000], b[3096], back[4096];
	for (unsigned i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7);
	struct iovec iov[3] = { { a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) } };
	struct blk_req req = { .op = BLK_WRITE, .offset = 8192, .iov = iov, .iovcnt = 3,
			       .done = on_done, .opaque = &res };
	ck_assert_int_eq(blk_submit(r.b, &req), 0);
	result_wait(&res, 1);
	ck_assert_int_eq(res.res, 4096);
	ck_assert(res.on_io_thread);

	file_read(r.path, 8192, back, sizeof(back));
	ck_assert_mem_eq(back, a, sizeof(a));
	ck_assert_mem_eq(back + sizeof(a), b, sizeof(b));
	file_read(r.path, 8192 - 512, back, 512);
	ck_assert(all_bytes(back, 512, 0xaa));

	memset(back, 0, sizeof(back));
	struct iovec riov[2] = { { back, 100 }, { back + 100, 3996 } };
	struct blk_req rd = { .op = BLK_READ, .offset = 8192, .iov = riov, .iovcnt = 2,
			      .done = on_done, .opaque = &res };
	ck_assert_int_eq(blk_submit(r.b, &rd), 0);
	result_wait(&res, 2);
	ck_assert_int_eq(res.res, 4096);
	ck_assert_mem_eq(back, a, sizeof(a));
	ck_assert_mem_eq(back + sizeof(a), b, sizeof(b));
	rig_stop(&r);
}
END_TEST

START_TEST(test_bounds)
{
	struct rig r;
	uint8_t buf[1024];
	rig_start(&r, "/tmp", 64 * 1024, false);
	ck_assert_int_eq(run_rw(&r, BLK_READ, 63 * 1024, buf, 1024), 1024);  /* last KiB */
	ck_assert_int_eq(run_rw(&r, BLK_READ, 63 * 1024 + 512, buf, 1024), -EINVAL);
	ck_assert_int_eq(run_rw(&r, BLK_WRITE, 64 * 1024, buf, 512), -EINVAL);
	ck_assert_int_eq(run_rw(&r, BLK_READ, UINT64_MAX - 100, buf, 1024), -EINVAL);
	ck_assert_int_eq(run_op(&r, BLK_DISCARD, 60 * 1024, 8192), -EINVAL);
	ck_assert_int_eq(run_op(&r, BLK_WRITE_ZEROES, UINT64_MAX - 511, 1024), -EINVAL);
	/* Two iovecs whose lengths add up past 2^64. */
	struct iovec iov[2] = { { buf, UINT64_MAX - 10 }, { buf, 20 } };
	struct blk_req req = { .op = BLK_READ, .iov = iov, .iovcnt = 2 };
	ck_assert_int_eq(blk_submit_wait(r.b, &req), -EINVAL);
	/* More segments than readv takes. */
	static struct iovec many[1025];
	for (unsigned i = 0; i < 1025; i++)
		many[i] = (struct iovec){ buf, 1 };
	struct blk_req big = { .op = BLK_READ, .iov = many, .iovcnt = 1025 };
	ck_assert_int_eq(blk_submit_wait(r.b, &big), -EINVAL);
	/* Nothing to move is a success. */
	ck_assert_int_eq(run_rw(&r, BLK_READ, 0, buf, 0), 0);
	rig_stop(&r);
}
END_TEST

START_TEST(test_readonly_refuses_writes)
{
	struct rig r;
	uint8_t buf[512];
	rig_start(&r, "/tmp", 64 * 1024, true);
	ck_assert(blk_readonly(r.b));
	memset(buf, 0x55, sizeof(buf));
	ck_assert_int_eq(run_rw(&r, BLK_WRITE, 0, buf, sizeof(buf)), -EROFS);
	ck_assert_int_eq(run_op(&r, BLK_DISCARD, 0, 4096), -EROFS);
	ck_assert_int_eq(run_op(&r, BLK_WRITE_ZEROES, 0, 4096), -EROFS);
	ck_assert_int_eq(run_op(&r, BLK_FLUSH, 0, 0), 0);
	ck_assert_int_eq(run_rw(&r, BLK_READ, 0, buf, sizeof(buf)), 512);
	ck_assert(all_bytes(buf, sizeof(buf), 0xaa));
	uint8_t file[4096];
	file_read(r.path, 0, file, sizeof(file));
	ck_assert(all_bytes(file, sizeof(file), 0xaa));
	rig_stop(&r);
}
END_TEST

START_TEST(test_flush)
{
	struct rig r;
	uint8_t buf[4096];
	rig_start(&r, "/tmp", 64 * 1024, false);
	memset(buf, 0x11, sizeof(buf));
	ck_assert_int_eq(run_rw(&r, BLK_WRITE, 4096, buf, sizeof(buf)), 4096);
	ck_assert_int_eq(run_op(&r, BLK_FLUSH, 0, 0), 0);
	rig_stop(&r);
}
END_TEST

static void check_discard(const char *dir, bool sync_path)
{
	struct rig r;
	uint8_t buf[64 * 1024];
	rig_start(&r, dir, 1 << 20, false);
	if (sync_path)
		blk_debug_no_uring_fallocate(r.b);
	struct stat before, after;
	ck_assert_int_eq(stat(r.path, &before), 0);
	ck_assert_int_eq(run_op(&r, BLK_DISCARD, 256 * 1024, 512 * 1024), 0);
	ck_assert_int_eq(stat(r.path, &after), 0);
	ck_assert_int_eq(after.st_size, before.st_size);
	ck_assert_int_lt(after.st_blocks, before.st_blocks); /* the hole is real */
	file_read(r.path, 256 * 1024, buf, sizeof(buf));
	ck_assert(all_bytes(buf, sizeof(buf), 0));
	file_read(r.path, 256 * 1024 - sizeof(buf), buf, sizeof(buf));
	ck_assert(all_bytes(buf, sizeof(buf), 0xaa));
	file_read(r.path, 768 * 1024, buf, sizeof(buf));
	ck_assert(all_bytes(buf, sizeof(buf), 0xaa));
	rig_stop(&r);
}

START_TEST(test_discard_punches_hole)
{
	check_discard("/tmp", false);
}
END_TEST

START_TEST(test_discard_sync_path)
{
	check_discard("/tmp", true);
}
END_TEST

/* Zeroes exactly the range asked for, whatever way the file system allows:
 * ZERO_RANGE on ext4, plain writes on tmpfs (no ZERO_RANGE there). */
static void check_write_zeroes(const char *dir, bool sync_path)
{
	struct stat st;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return; /* no such file system here: nothing to prove */
	struct rig r;
	static uint8_t buf[200 * 1024];
	rig_start(&r, dir, 1 << 20, false);
	if (sync_path)
		blk_debug_no_uring_fallocate(r.b);
	/* 200 KiB: more than one fallback chunk, not a multiple of it. */
	ck_assert_int_eq(run_op(&r, BLK_WRITE_ZEROES, 4096 + 512, sizeof(buf)), 0);
	file_read(r.path, 4096 + 512, buf, sizeof(buf));
	ck_assert(all_bytes(buf, sizeof(buf), 0));
	file_read(r.path, 0, buf, 4096 + 512);
	ck_assert(all_bytes(buf, 4096 + 512, 0xaa));
	file_read(r.path, 4096 + 512 + sizeof(buf), buf, 4096);
	ck_assert(all_bytes(buf, 4096, 0xaa));
	rig_stop(&r);
}

START_TEST(test_write_zeroes)
{
	check_write_zeroes("/tmp", false);
	check_write_zeroes("/dev/shm", false);
}
END_TEST

START_TEST(test_write_zeroes_sync_path)
{
	check_write_zeroes("/tmp", true);
	check_write_zeroes("/dev/shm", true);
}
END_TEST

/* Many more requests at once than the ring holds: the overflow waits in the
 * backend's queue and every request completes with its own data. */
START_TEST(test_more_requests_than_ring)
{
	enum { N = 1000, SZ = 512 };
	struct rig r;
	struct result res;
	rig_start(&r, "/tmp", N * SZ, false);
	result_init(&res, &r);
	static uint8_t data[N][SZ];
	static struct iovec iov[N];
	static struct blk_req req[N];
	for (unsigned i = 0; i < N; i++) {
		memset(data[i], (int)(i * 13 + 1), SZ);
		iov[i] = (struct iovec){ data[i], SZ };
		req[i] = (struct blk_req){ .op = BLK_WRITE, .offset = (uint64_t)i * SZ,
					   .iov = &iov[i], .iovcnt = 1, .done = on_done,
					   .opaque = &res };
		ck_assert_int_eq(blk_submit(r.b, &req[i]), 0);
	}
	result_wait(&res, N);
	ck_assert_uint_eq(res.calls, N);
	for (unsigned i = 0; i < N; i++) {
		uint8_t back[SZ];
		file_read(r.path, (uint64_t)i * SZ, back, SZ);
		ck_assert_mem_eq(back, data[i], SZ);
	}
	rig_stop(&r);
}
END_TEST

/* The image shrinks under a read: the first pass is short, the backend
 * resumes inside the second segment, meets end of file and reports -EIO. */
START_TEST(test_short_read_resumes_then_eof)
{
	struct rig r;
	rig_start(&r, "/tmp", 8192, false);
	ck_assert_int_eq(truncate(r.path, 4096 + 512), 0);
	static uint8_t buf[8192];
	struct iovec iov[2] = { { buf, 1000 }, { buf + 1000, 8192 - 1000 } };
	struct blk_req req = { .op = BLK_READ, .iov = iov, .iovcnt = 2 };
	ck_assert_int_eq(blk_submit_wait(r.b, &req), -EIO);
	ck_assert_uint_eq(req._done_bytes, 4096 + 512);
	ck_assert(all_bytes(buf, 4096 + 512, 0xaa));
	rig_stop(&r);
}
END_TEST

struct deadlock_probe {
	struct blk_backend *b;
	struct result *res;
	int64_t inner;
};

static void on_done_try_wait(struct blk_req *req, int64_t v)
{
	struct deadlock_probe *p = req->opaque;
	struct blk_req inner = { .op = BLK_FLUSH };
	p->inner = blk_submit_wait(p->b, &inner);
	req->opaque = p->res;
	on_done(req, v);
}

START_TEST(test_wait_on_io_thread_refused)
{
	struct rig r;
	struct result res;
	rig_start(&r, "/tmp", 4096, false);
	result_init(&res, &r);
	struct deadlock_probe p = { .b = r.b, .res = &res };
	struct blk_req req = { .op = BLK_FLUSH, .done = on_done_try_wait, .opaque = &p };
	ck_assert_int_eq(blk_submit(r.b, &req), 0);
	result_wait(&res, 1);
	ck_assert_int_eq(p.inner, -EDEADLK);
	rig_stop(&r);
}
END_TEST

START_TEST(test_wait_without_loop)
{
	char path[64];
	struct blk_backend *b;
	struct err e = { 0 };
	uint8_t buf[4096];
	make_file(path, sizeof(path), "/tmp", 16384, 0x33);
	ck_assert_int_eq(blk_open(&b, path, false, &e), 0);
	struct iovec iov = { buf, sizeof(buf) };
	struct blk_req req = { .op = BLK_READ, .offset = 4096, .iov = &iov, .iovcnt = 1 };
	ck_assert_int_eq(blk_submit_wait(b, &req), 4096);
	ck_assert(all_bytes(buf, sizeof(buf), 0x33));
	struct blk_req bad = { .op = BLK_READ, .offset = 16384, .iov = &iov, .iovcnt = 1 };
	ck_assert_int_eq(blk_submit_wait(b, &bad), -EINVAL);
	blk_close(b);
	unlink(path);
}
END_TEST

START_TEST(test_submit_rejects_malformed)
{
	struct rig r;
	rig_start(&r, "/tmp", 4096, false);
	struct blk_req no_done = { .op = BLK_FLUSH };
	ck_assert_int_eq(blk_submit(r.b, &no_done), -EINVAL);
	struct blk_req bad_op = { .op = (enum blk_op)42, .done = on_done };
	ck_assert_int_eq(blk_submit(r.b, &bad_op), -EINVAL);
	rig_stop(&r);
}
END_TEST

/* ---- cache=none ---- */

/* Is the page of path at off in the host page cache? */
static bool resident(const char *path, uint64_t off)
{
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)off);
	ck_assert_ptr_ne(p, MAP_FAILED);
	unsigned char v = 0;
	ck_assert_int_eq(mincore(p, 4096, &v), 0);
	munmap(p, 4096);
	close(fd);
	return v & 1;
}

static void drop_cache(const char *path)
{
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fdatasync(fd), 0);
	ck_assert_int_eq(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
}

/* Aligned requests bypass the page cache; unaligned ones still work,
 * through it. */
START_TEST(test_direct_io)
{
	struct rig r;
	struct err e = { 0 };
	rig_start(&r, "/tmp", 1 << 20, false);
	evloop_stop(&r.loop); /* reopen the same file with O_DIRECT, on a new loop */
	blk_close(r.b);
	evloop_destroy(&r.loop);
	ck_assert_int_eq(evloop_init(&r.loop, &e), 0);
	ck_assert_msg(blk_open_flags(&r.b, r.path, BLK_OPEN_DIRECT, &e) == 0, "%s", e.msg);
	ck_assert(blk_direct(r.b));
	ck_assert_int_eq(blk_attach(r.b, &r.loop, &e), 0);
	ck_assert_int_eq(evloop_start(&r.loop, &e), 0);
	drop_cache(r.path);

	uint8_t *buf = aligned_alloc(4096, 3 * 4096);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 0x5A, 8192);
	ck_assert_int_eq(run_rw(&r, BLK_WRITE, 65536, buf, 8192), 8192);
	ck_assert_int_eq(run_rw(&r, BLK_READ, 131072, buf, 4096), 4096);
	ck_assert(!resident(r.path, 65536));
	ck_assert(!resident(r.path, 131072));
	ck_assert(all_bytes(buf, 4096, 0xaa));

	/* One byte off: served, through the page cache. */
	ck_assert_int_eq(run_rw(&r, BLK_READ, 65536, buf + 1, 4096), 4096);
	ck_assert(all_bytes(buf + 1, 4096, 0x5A));
	ck_assert(resident(r.path, 65536));
	/* An unaligned offset, too. */
	ck_assert_int_eq(run_rw(&r, BLK_READ, 196608 + 512, buf, 512), 512);
	ck_assert(all_bytes(buf, 512, 0xaa));
	uint8_t file[8192];
	file_read(r.path, 65536, file, sizeof(file));
	ck_assert(all_bytes(file, sizeof(file), 0x5A));
	free(buf);
	rig_stop(&r);
}
END_TEST

/* Plugged submissions wait for the unplug, then all go at once. */
START_TEST(test_plug_batches)
{
	struct rig r;
	struct result res;
	uint8_t buf[4][512];
	struct iovec iov[4];
	struct blk_req req[4];
	rig_start(&r, "/tmp", 64 * 1024, false);
	result_init(&res, &r);
	blk_plug(r.b);
	blk_plug(r.b); /* nested */
	for (unsigned i = 0; i < 4; i++) {
		iov[i] = (struct iovec){ buf[i], 512 };
		req[i] = (struct blk_req){ .op = BLK_READ, .offset = 512ULL * i, .iov = &iov[i],
					   .iovcnt = 1, .done = on_done, .opaque = &res };
		ck_assert_int_eq(blk_submit(r.b, &req[i]), 0);
	}
	blk_unplug(r.b);
	usleep(50000);
	pthread_mutex_lock(&res.lock);
	ck_assert_uint_eq(res.calls, 0);
	pthread_mutex_unlock(&res.lock);
	blk_unplug(r.b);
	result_wait(&res, 4);
	ck_assert(all_bytes(buf[3], 512, 0xaa));
	rig_stop(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backends_block");
	TCase *tc = tcase_create("block");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_open_reports_size_and_mode);
	tcase_add_test(tc, test_unwritable_file_is_readonly);
	tcase_add_test(tc, test_write_read_iovecs_on_io_thread);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_readonly_refuses_writes);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_discard_punches_hole);
	tcase_add_test(tc, test_discard_sync_path);
	tcase_add_test(tc, test_write_zeroes);
	tcase_add_test(tc, test_write_zeroes_sync_path);
	tcase_add_test(tc, test_more_requests_than_ring);
	tcase_add_test(tc, test_short_read_resumes_then_eof);
	tcase_add_test(tc, test_wait_on_io_thread_refused);
	tcase_add_test(tc, test_wait_without_loop);
	tcase_add_test(tc, test_submit_rejects_malformed);
	tcase_add_test(tc, test_direct_io);
	tcase_add_test(tc, test_plug_batches);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
