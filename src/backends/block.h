/* block.h: a disk image file served through io_uring (liburing).
 *
 * One backend per disk, one ring per backend. Requests are submitted from any
 * thread (a mutex guards the submission queue); completions are reaped on the
 * VM's I/O thread (the ring's eventfd is watched by the evloop) and each
 * request's done() runs there. vCPU threads that must wait (hypercalls, IDE
 * PIO) use blk_submit_wait(), which blocks only the calling thread.
 *
 * Images are raw files whose size is a multiple of 512. A read-only backend
 * (asked for, or the file is not writable) fails writes, discards and
 * write-zeroes with -EROFS without touching the file.
 */
#ifndef VMM_BACKENDS_BLOCK_H
#define VMM_BACKENDS_BLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/error.h"
#include "core/evloop.h"

#define BLK_SECTOR 512

enum blk_op {
	BLK_READ,
	BLK_WRITE,
	BLK_FLUSH,        /* fdatasync: everything completed before it is durable */
	BLK_DISCARD,      /* fallocate(PUNCH_HOLE | KEEP_SIZE) */
	BLK_WRITE_ZEROES, /* fallocate(ZERO_RANGE), falling back to writes */
};

struct blk_req {
	enum blk_op op;
	uint64_t offset;          /* bytes; READ/WRITE/DISCARD/WRITE_ZEROES */
	uint64_t len;             /* bytes for DISCARD/WRITE_ZEROES */
	const struct iovec *iov;  /* READ/WRITE: guest buffers, already checked */
	unsigned iovcnt;
	/* Called once on the I/O thread: res = bytes transferred (READ/WRITE),
	 * 0 (others), or -errno. A short transfer is retried internally. */
	void (*done)(struct blk_req *r, int64_t res);
	void *opaque;
	/* Backend-private from here on. */
	uint64_t _done_bytes;
	struct blk_req *_next;
	uint64_t _total;       /* bytes this request moves in all */
	int64_t _res;          /* result of a request completed without the ring */
	unsigned _state;       /* enum blk_state in block.c */
	struct iovec _part;    /* the rest of a partly transferred segment */
	bool _buffered;        /* through the page cache even on a direct backend */
};

struct blk_backend; /* defined in block.c */

/* Open path as a raw image. Errors (ERR_INPUT) name the path: missing, not a
 * regular file/block device, size not a multiple of 512, empty. readonly is
 * forced when the file cannot be opened for writing. */
int blk_open(struct blk_backend **out, const char *path, bool readonly, struct err *e);

/* blk_open with flags. BLK_OPEN_DIRECT bypasses the host page cache
 * (O_DIRECT, cache=none); a READ/WRITE whose buffers or offset do not meet
 * the file's direct-I/O alignment (statx STATX_DIOALIGN, else 512) goes
 * through the page cache instead, so guests need not align anything. A file
 * system without O_DIRECT is an ERR_INPUT naming the path. */
#define BLK_OPEN_READONLY 0x1u
#define BLK_OPEN_DIRECT   0x2u
int blk_open_flags(struct blk_backend **out, const char *path, unsigned flags, struct err *e);
bool blk_direct(const struct blk_backend *b);
void blk_close(struct blk_backend *b);
uint64_t blk_size(const struct blk_backend *b);    /* bytes */
bool blk_readonly(const struct blk_backend *b);
const char *blk_path(const struct blk_backend *b);

/* Watch the ring's completions on loop (before the loop starts). */
int blk_attach(struct blk_backend *b, struct evloop *loop, struct err *e);
/* Queue r; returns 0 or -errno (then done() is not called). Bounds: an
 * access past the end of the image completes with -EINVAL. */
int blk_submit(struct blk_backend *b, struct blk_req *r);
/* Batching: between blk_plug and blk_unplug, blk_submit only queues; the
 * unplug hands everything to the kernel in one system call. Plugs nest. A
 * request from another thread meanwhile waits for the unplug too. */
void blk_plug(struct blk_backend *b);
void blk_unplug(struct blk_backend *b);

/* Submit and wait for the result on the calling thread (not the I/O thread:
 * -EDEADLK there). r->done and r->opaque are borrowed for the wait and put
 * back; the caller's done() is not called. With no loop attached the caller
 * reaps completions itself (single-threaded use: tools and tests). */
int64_t blk_submit_wait(struct blk_backend *b, struct blk_req *r);

/* Tests: act as if the kernel had no IORING_OP_FALLOCATE, so DISCARD and
 * WRITE_ZEROES take the synchronous path on the I/O thread. */
void blk_debug_no_uring_fallocate(struct blk_backend *b);

#endif
