/* block.c: raw disk images served through one io_uring per backend (block.h).
 *
 * Requests enter from any thread under b->lock: they wait in `queued` until the
 * submission ring has room (and fewer than BLK_RING_ENTRIES are in flight, so
 * the completion ring, twice that size, never overflows). The ring's eventfd is
 * watched by the VM's evloop; its handler reaps completions, resubmits short
 * transfers and calls done() with no lock held. Requests finished without the
 * ring (bounds and read-only errors, fallocate on kernels without
 * IORING_OP_FALLOCATE) go through `deferred`, so done() always runs on the I/O
 * thread and never inside blk_submit.
 */
#include "backends/block.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLK_RING_ENTRIES 128
#define BLK_MAX_IOV      1024      /* UIO_MAXIOV: the kernel's readv/writev limit */
#define BLK_ZERO_CHUNK   (64 * 1024)
#define BLK_WAIT_POLL_MS 100       /* self-reaping waiters re-check this often */

enum blk_state {
	BLK_ST_RING,          /* the op itself goes to the ring */
	BLK_ST_ZERO_WRITES,   /* WRITE_ZEROES without ZERO_RANGE: plain writes */
	BLK_ST_DEFER_RESULT,  /* finished before reaching the ring: _res holds it */
	BLK_ST_DEFER_FALLOC,  /* fallocate(2) on the I/O thread */
};

struct blk_backend {
	char *path;
	int fd;                   /* through the page cache */
	int dfd;                  /* O_DIRECT, or -1 */
	unsigned dio_mem_align, dio_off_align;
	uint64_t size;
	bool readonly;
	bool uring_fallocate;     /* IORING_OP_FALLOCATE known to this kernel */
	struct io_uring ring;
	bool ring_ready;
	int efd;                  /* ring completions and deferred work */
	struct evloop *loop;

	pthread_mutex_t lock;     /* the ring, both lists, inflight */
	pthread_cond_t cond;      /* blk_submit_wait */
	struct blk_req *queued, *queued_tail;
	struct blk_req *deferred, *deferred_tail;
	unsigned inflight;        /* SQEs handed to the kernel, not yet reaped */
	unsigned plugged;         /* blk_plug depth: hold io_uring_submit */
};

struct blk_list {
	struct blk_req *head, *tail;
};

/* Source of WRITE_ZEROES fallback writes; read-only. */
static const uint8_t blk_zeroes[BLK_ZERO_CHUNK];

static void blk_list_add(struct blk_req **head, struct blk_req **tail, struct blk_req *r)
{
	r->_next = NULL;
	if (*tail)
		(*tail)->_next = r;
	else
		*head = r;
	*tail = r;
}

static void blk_kick(struct blk_backend *b)
{
	uint64_t one = 1;
	ssize_t n = write(b->efd, &one, sizeof(one));
	(void)n; /* a saturated counter still wakes the reader */
}

/* ---- opening ---- */

static int blk_open_fd(const char *path, bool *readonly, struct err *e)
{
	int fd = -1;
	if (!*readonly) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
			*readonly = true; /* not writable: serve it read-only */
		else if (fd < 0 && errno != EISDIR)
			return err_errno(e, ERR_INPUT, errno, "disk image %s", path);
	}
	if (fd < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_errno(e, ERR_INPUT, errno, "disk image %s", path);
	}
	return fd;
}

static int blk_size_of(int fd, const char *path, uint64_t *size, struct err *e)
{
	struct stat st;
	if (fstat(fd, &st))
		return err_errno(e, ERR_INPUT, errno, "disk image %s", path);
	if (S_ISDIR(st.st_mode))
		return err_set(e, ERR_INPUT, "disk image %s: is a directory", path);
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size))
			return err_errno(e, ERR_INPUT, errno, "disk image %s: BLKGETSIZE64", path);
	} else {
		return err_set(e, ERR_INPUT, "disk image %s: not a regular file or block device", path);
	}
	if (*size == 0)
		return err_set(e, ERR_INPUT, "disk image %s: empty", path);
	if (*size % BLK_SECTOR)
		return err_set(e, ERR_INPUT,
			       "disk image %s: size %llu bytes is not a multiple of %d", path,
			       (unsigned long long)*size, BLK_SECTOR);
	return 0;
}

static int blk_ring_setup(struct blk_backend *b, struct err *e)
{
	int rc = io_uring_queue_init(BLK_RING_ENTRIES, &b->ring, 0);
	if (rc < 0)
		return err_errno(e, ERR_HOST, -rc, "disk image %s: io_uring setup", b->path);
	b->ring_ready = true;
	b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->efd < 0)
		return err_errno(e, ERR_HOST, errno, "eventfd");
	rc = io_uring_register_eventfd(&b->ring, b->efd);
	if (rc < 0)
		return err_errno(e, ERR_HOST, -rc, "disk image %s: io_uring eventfd", b->path);
	struct io_uring_probe *p = io_uring_get_probe_ring(&b->ring);
	b->uring_fallocate = p && io_uring_opcode_supported(p, IORING_OP_FALLOCATE);
	if (p)
		io_uring_free_probe(p);
	return 0;
}

/* A second descriptor with O_DIRECT and the alignment it needs. */
static int blk_open_direct(struct blk_backend *b, struct err *e)
{
	b->dfd = open(b->path, (b->readonly ? O_RDONLY : O_RDWR) | O_DIRECT | O_CLOEXEC);
	if (b->dfd < 0 && errno == EINVAL)
		return err_set(e, ERR_INPUT,
			       "disk image %s: its file system does not support cache=none (O_DIRECT)",
			       b->path);
	if (b->dfd < 0)
		return err_errno(e, ERR_INPUT, errno, "disk image %s", b->path);
	/* Linux 6.1 reports the direct-I/O alignment; before, the logical
	 * block size of nearly every disk was 512. */
	b->dio_mem_align = b->dio_off_align = BLK_SECTOR;
	struct statx stx;
	if (statx(b->dfd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_mem_align && stx.stx_dio_offset_align) {
		b->dio_mem_align = stx.stx_dio_mem_align;
		b->dio_off_align = stx.stx_dio_offset_align;
	}
	return 0;
}

int blk_open_flags(struct blk_backend **out, const char *path, unsigned flags, struct err *e)
{
	*out = NULL;
	struct blk_backend *b = calloc(1, sizeof(*b));
	if (!b)
		return err_set(e, ERR_HOST, "out of memory");
	b->fd = b->dfd = b->efd = -1;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->path = strdup(path);
	b->readonly = flags & BLK_OPEN_READONLY;
	if (!b->path) {
		err_set(e, ERR_HOST, "out of memory");
		goto fail;
	}
	b->fd = blk_open_fd(path, &b->readonly, e);
	if (b->fd < 0 || blk_size_of(b->fd, path, &b->size, e))
		goto fail;
	if ((flags & BLK_OPEN_DIRECT) && blk_open_direct(b, e))
		goto fail;
	if (blk_ring_setup(b, e))
		goto fail;
	*out = b;
	return 0;
fail:
	blk_close(b);
	return -1;
}

int blk_open(struct blk_backend **out, const char *path, bool readonly, struct err *e)
{
	return blk_open_flags(out, path, readonly ? BLK_OPEN_READONLY : 0, e);
}

bool blk_direct(const struct blk_backend *b)
{
	return b->dfd >= 0;
}

void blk_close(struct blk_backend *b)
{
	if (!b)
		return;
	if (b->loop)
		evloop_remove(b->loop, b->efd);
	if (b->ring_ready) {
		/* The kernel may still write guest memory for requests in flight:
		 * wait for each before the ring (and then RAM) goes away. Queued and
		 * deferred requests are dropped without done(). */
		pthread_mutex_lock(&b->lock);
		if (b->inflight)
			io_uring_submit(&b->ring);
		while (b->inflight) {
			struct io_uring_cqe *cqe;
			int rc = io_uring_wait_cqe(&b->ring, &cqe);
			if (rc == -EINTR)
				continue;
			if (rc < 0)
				break;
			io_uring_cqe_seen(&b->ring, cqe);
			b->inflight--;
		}
		pthread_mutex_unlock(&b->lock);
		io_uring_queue_exit(&b->ring);
	}
	if (b->efd >= 0)
		close(b->efd);
	if (b->dfd >= 0)
		close(b->dfd);
	if (b->fd >= 0)
		close(b->fd);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b->path);
	free(b);
}

uint64_t blk_size(const struct blk_backend *b)
{
	return b->size;
}

bool blk_readonly(const struct blk_backend *b)
{
	return b->readonly;
}

const char *blk_path(const struct blk_backend *b)
{
	return b->path;
}

void blk_debug_no_uring_fallocate(struct blk_backend *b)
{
	b->uring_fallocate = false;
}

/* ---- submission ---- */

/* Can the rest of this READ/WRITE go straight to the disk (O_DIRECT)? Every
 * segment's address and length and the file offset must be aligned. */
static bool blk_dio_ok(const struct blk_backend *b, const struct blk_req *r,
		       const struct iovec *iov, unsigned n, uint64_t at)
{
	if (b->dfd < 0 || r->_buffered || at % b->dio_off_align)
		return false;
	for (unsigned i = 0; i < n; i++)
		if ((uintptr_t)iov[i].iov_base % b->dio_mem_align || iov[i].iov_len % b->dio_off_align)
			return false;
	return true;
}

/* Where a READ/WRITE resumes after _done_bytes: the rest of a partly moved
 * segment alone, or the untouched segments from the first one on. */
static const struct iovec *blk_resume_iov(struct blk_req *r, unsigned *n)
{
	uint64_t skip = r->_done_bytes;
	unsigned i = 0;
	while (i < r->iovcnt && skip >= r->iov[i].iov_len) {
		skip -= r->iov[i].iov_len;
		i++;
	}
	if (skip) {
		r->_part = (struct iovec){ (uint8_t *)r->iov[i].iov_base + skip,
					   r->iov[i].iov_len - skip };
		*n = 1;
		return &r->_part;
	}
	*n = r->iovcnt - i;
	return &r->iov[i];
}

static void blk_prep(struct blk_backend *b, struct io_uring_sqe *sqe, struct blk_req *r)
{
	const struct iovec *iov;
	unsigned n;
	uint64_t at = r->offset + r->_done_bytes;
	if (r->_state == BLK_ST_ZERO_WRITES) {
		uint64_t left = r->_total - r->_done_bytes;
		/* The kernel only reads from a write's buffers. */
		r->_part = (struct iovec){ (void *)(uintptr_t)blk_zeroes,
					   left < BLK_ZERO_CHUNK ? left : BLK_ZERO_CHUNK };
		io_uring_prep_writev(sqe, b->fd, &r->_part, 1, at);
	} else {
		switch (r->op) {
		case BLK_READ:
			iov = blk_resume_iov(r, &n);
			io_uring_prep_readv(sqe, blk_dio_ok(b, r, iov, n, at) ? b->dfd : b->fd, iov, n, at);
			break;
		case BLK_WRITE:
			iov = blk_resume_iov(r, &n);
			io_uring_prep_writev(sqe, blk_dio_ok(b, r, iov, n, at) ? b->dfd : b->fd, iov, n, at);
			break;
		case BLK_FLUSH:
			io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
			break;
		case BLK_DISCARD:
			io_uring_prep_fallocate(sqe, b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						(off_t)r->offset, (off_t)r->len);
			break;
		case BLK_WRITE_ZEROES:
			io_uring_prep_fallocate(sqe, b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
						(off_t)r->offset, (off_t)r->len);
			break;
		}
	}
	io_uring_sqe_set_data(sqe, r);
}

/* Move queued requests into the ring while it has room, then submit. */
static void blk_pump_locked(struct blk_backend *b)
{
	while (b->queued && b->inflight < BLK_RING_ENTRIES) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);
		if (!sqe)
			break;
		struct blk_req *r = b->queued;
		b->queued = r->_next;
		if (!b->queued)
			b->queued_tail = NULL;
		blk_prep(b, sqe, r);
		b->inflight++;
	}
	if (!b->plugged && io_uring_sq_ready(&b->ring) && io_uring_submit(&b->ring) < 0)
		blk_kick(b); /* the SQEs stay in the ring: retry from the I/O thread */
}

void blk_plug(struct blk_backend *b)
{
	pthread_mutex_lock(&b->lock);
	b->plugged++;
	pthread_mutex_unlock(&b->lock);
}

void blk_unplug(struct blk_backend *b)
{
	pthread_mutex_lock(&b->lock);
	if (b->plugged && --b->plugged == 0)
		blk_pump_locked(b);
	pthread_mutex_unlock(&b->lock);
}

static void blk_defer_locked(struct blk_backend *b, struct blk_req *r, unsigned state, int64_t res)
{
	r->_state = state;
	r->_res = res;
	blk_list_add(&b->deferred, &b->deferred_tail, r);
	blk_kick(b);
}

/* Total bytes of the request's buffers; false on overflow or too many. */
static bool blk_iov_total(const struct blk_req *r, uint64_t *total)
{
	uint64_t t = 0;
	if (r->iovcnt > BLK_MAX_IOV || (r->iovcnt && !r->iov))
		return false;
	for (unsigned i = 0; i < r->iovcnt; i++)
		if (__builtin_add_overflow(t, r->iov[i].iov_len, &t))
			return false;
	*total = t;
	return true;
}

static bool blk_in_bounds(const struct blk_backend *b, uint64_t off, uint64_t len)
{
	uint64_t end;
	return !__builtin_add_overflow(off, len, &end) && end <= b->size;
}

/* The result a request gets without touching the file, or 1 to go ahead. */
static int64_t blk_check(struct blk_backend *b, struct blk_req *r)
{
	bool writes = r->op == BLK_WRITE || r->op == BLK_DISCARD || r->op == BLK_WRITE_ZEROES;
	if (writes && b->readonly)
		return -EROFS;
	switch (r->op) {
	case BLK_READ:
	case BLK_WRITE:
		if (!blk_iov_total(r, &r->_total) || !blk_in_bounds(b, r->offset, r->_total))
			return -EINVAL;
		return r->_total ? 1 : 0;
	case BLK_DISCARD:
	case BLK_WRITE_ZEROES:
		if (!blk_in_bounds(b, r->offset, r->len))
			return -EINVAL;
		r->_total = r->len;
		return r->len ? 1 : 0;
	case BLK_FLUSH:
		return 1;
	}
	return -EINVAL;
}

int blk_submit(struct blk_backend *b, struct blk_req *r)
{
	if (!b || !r || !r->done)
		return -EINVAL;
	if ((unsigned)r->op > BLK_WRITE_ZEROES)
		return -EINVAL;
	r->_done_bytes = 0;
	r->_total = 0;
	r->_state = BLK_ST_RING;
	r->_buffered = false;
	int64_t verdict = blk_check(b, r);
	bool sync_falloc = verdict == 1 && !b->uring_fallocate &&
			   (r->op == BLK_DISCARD || r->op == BLK_WRITE_ZEROES);
	pthread_mutex_lock(&b->lock);
	if (verdict != 1)
		blk_defer_locked(b, r, BLK_ST_DEFER_RESULT, verdict);
	else if (sync_falloc)
		blk_defer_locked(b, r, BLK_ST_DEFER_FALLOC, 0);
	else {
		blk_list_add(&b->queued, &b->queued_tail, r);
		blk_pump_locked(b);
	}
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* ---- completion ---- */

static void blk_finish(struct blk_list *fin, struct blk_req *r, int64_t res)
{
	r->_res = res;
	blk_list_add(&fin->head, &fin->tail, r);
}

static void blk_requeue_locked(struct blk_backend *b, struct blk_req *r)
{
	blk_list_add(&b->queued, &b->queued_tail, r);
}

/* A READ/WRITE (or a fallback zero write) moved res bytes. */
static void blk_complete_rw(struct blk_backend *b, struct blk_req *r, int res,
			    struct blk_list *fin)
{
	if (res == -EAGAIN || res == -EINTR) {
		blk_requeue_locked(b, r);
		return;
	}
	if (res == -EINVAL && b->dfd >= 0 && !r->_buffered) {
		/* O_DIRECT wanted more alignment than the file said: the page
		 * cache takes any. */
		r->_buffered = true;
		blk_requeue_locked(b, r);
		return;
	}
	if (res <= 0) {
		/* 0 is end of file inside a range that was in bounds at submit:
		 * the image shrank under us. */
		blk_finish(fin, r, res < 0 ? res : -EIO);
		return;
	}
	r->_done_bytes += (uint64_t)res;
	if (r->_done_bytes < r->_total)
		blk_requeue_locked(b, r); /* short transfer: go on from there */
	else
		blk_finish(fin, r, r->op == BLK_WRITE_ZEROES ? 0 : (int64_t)r->_total);
}

static void blk_complete_locked(struct blk_backend *b, struct blk_req *r, int res,
				struct blk_list *fin)
{
	if (r->_state == BLK_ST_ZERO_WRITES) {
		blk_complete_rw(b, r, res, fin);
		return;
	}
	switch (r->op) {
	case BLK_READ:
	case BLK_WRITE:
		blk_complete_rw(b, r, res, fin);
		break;
	case BLK_FLUSH:
		blk_finish(fin, r, res < 0 ? res : 0);
		break;
	case BLK_DISCARD:
		/* Discard is a hint (virtio 1.2 §5.2.6.2): a file system that cannot
		 * punch holes leaves the data, which is allowed. */
		blk_finish(fin, r, res < 0 && res != -EOPNOTSUPP ? res : 0);
		break;
	case BLK_WRITE_ZEROES:
		if (res == -EOPNOTSUPP || res == -EINVAL) {
			r->_state = BLK_ST_ZERO_WRITES; /* no ZERO_RANGE here: write zeroes */
			r->_done_bytes = 0;
			blk_requeue_locked(b, r);
		} else {
			blk_finish(fin, r, res < 0 ? res : 0);
		}
		break;
	}
}

static int blk_fallocate_now(struct blk_backend *b, struct blk_req *r)
{
	int mode = r->op == BLK_DISCARD ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
					: FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (fallocate(b->fd, mode, (off_t)r->offset, (off_t)r->len))
		return -errno;
	return 0;
}

/* Reap completions, run deferred work, refill the ring, then call done()s
 * with no lock held (they may submit again). */
static void blk_process(struct blk_backend *b)
{
	uint64_t v;
	ssize_t n = read(b->efd, &v, sizeof(v));
	(void)n; /* EAGAIN: a spurious wake-up or a waiter reaped first */
	struct blk_list fin = { 0 };
	pthread_mutex_lock(&b->lock);
	struct io_uring_cqe *cqe;
	while (io_uring_peek_cqe(&b->ring, &cqe) == 0) {
		struct blk_req *r = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		io_uring_cqe_seen(&b->ring, cqe);
		b->inflight--;
		blk_complete_locked(b, r, res, &fin);
	}
	struct blk_req *d = b->deferred;
	b->deferred = b->deferred_tail = NULL;
	blk_pump_locked(b);
	pthread_mutex_unlock(&b->lock);

	while (d) {
		struct blk_req *r = d;
		d = d->_next;
		if (r->_state != BLK_ST_DEFER_FALLOC) {
			blk_finish(&fin, r, r->_res);
			continue;
		}
		int res = blk_fallocate_now(b, r);
		pthread_mutex_lock(&b->lock);
		r->_state = BLK_ST_RING;
		blk_complete_locked(b, r, res, &fin);
		blk_pump_locked(b);
		pthread_mutex_unlock(&b->lock);
	}
	while (fin.head) {
		struct blk_req *r = fin.head;
		fin.head = r->_next;
		r->done(r, r->_res);
	}
}

static void blk_on_event(void *opaque, uint32_t events)
{
	(void)events;
	blk_process(opaque);
}

int blk_attach(struct blk_backend *b, struct evloop *loop, struct err *e)
{
	if (evloop_add(loop, b->efd, EPOLLIN, blk_on_event, b, e))
		return -1;
	b->loop = loop;
	return 0;
}

/* ---- waiting ---- */

struct blk_waiter {
	struct blk_backend *b;
	bool done;
	int64_t res;
};

static void blk_wait_done(struct blk_req *r, int64_t res)
{
	struct blk_waiter *w = r->opaque;
	pthread_mutex_lock(&w->b->lock);
	w->res = res;
	w->done = true;
	pthread_cond_broadcast(&w->b->cond);
	pthread_mutex_unlock(&w->b->lock);
}

static bool blk_waiter_done(struct blk_waiter *w)
{
	pthread_mutex_lock(&w->b->lock);
	bool done = w->done;
	pthread_mutex_unlock(&w->b->lock);
	return done;
}

int64_t blk_submit_wait(struct blk_backend *b, struct blk_req *r)
{
	bool loop_runs = b && b->loop && b->loop->running;
	if (loop_runs && pthread_equal(pthread_self(), b->loop->thread))
		return -EDEADLK; /* only this thread could deliver the completion */
	void (*done)(struct blk_req *, int64_t) = r->done;
	void *opaque = r->opaque;
	struct blk_waiter w = { .b = b };
	r->done = blk_wait_done;
	r->opaque = &w;
	int rc = blk_submit(b, r);
	if (rc == 0 && loop_runs) {
		pthread_mutex_lock(&b->lock);
		while (!w.done)
			pthread_cond_wait(&b->cond, &b->lock);
		pthread_mutex_unlock(&b->lock);
	} else if (rc == 0) {
		while (!blk_waiter_done(&w)) {
			struct pollfd p = { .fd = b->efd, .events = POLLIN };
			poll(&p, 1, BLK_WAIT_POLL_MS);
			blk_process(b);
		}
	}
	r->done = done;
	r->opaque = opaque;
	return rc ? rc : w.res;
}
