/* test_para_hypercall.c: the hypercall dispatcher on a fake guest memory
 * (mem_init, no KVM), a capturing console, a pipe for input and in-memory
 * disks: access width and direction, unknown calls, pointers at the end of
 * RAM, length overflows, a struct rewritten while a call runs, and each call. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "backends/block.h"
#include "core/layout.h"
#include "core/memory.h"
#include "modes/para/hypercall.h"

#define RAM (16 * MiB)
#define ARG 0x1000ULL    /* where tests put argument structs */
#define BUF 0x10000ULL   /* and buffers */
#define DISK_SECTORS 64

/* A disk in host memory; hook runs inside each request (a racing vCPU). */
struct fake_disk {
	uint8_t data[DISK_SECTORS * VMM_HC_SECTOR_SIZE];
	unsigned requests;
	enum blk_op last_op;
	uint64_t last_offset, last_len;
	int64_t fail; /* nonzero: every request returns this */
	void (*hook)(void);
};

static struct guest_mem mem;
static struct hypercall hc;
static struct fake_disk disk0, disk1;
static char out[4096];
static size_t out_len;
static unsigned out_writes;
static size_t out_max_write;
static int exit_status = -1;
static int in_pipe[2];
static int stop_efd;
static void (*sink_hook)(void);

static void sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	if (sink_hook)
		sink_hook();
	out_writes++;
	if (len > out_max_write)
		out_max_write = len;
	size_t n = len < sizeof(out) - out_len ? len : sizeof(out) - out_len;
	memcpy(out + out_len, buf, n);
	out_len += n;
}

static void on_exit_call(void *ctx, int status)
{
	(void)ctx;
	exit_status = status;
}

static int64_t fake_submit_wait(void *backend, struct blk_req *r)
{
	struct fake_disk *d = backend;
	d->requests++;
	d->last_op = r->op;
	d->last_offset = r->offset;
	d->last_len = r->op == BLK_READ || r->op == BLK_WRITE ? r->iov[0].iov_len : r->len;
	if (d->hook)
		d->hook();
	if (d->fail)
		return d->fail;
	switch (r->op) {
	case BLK_READ:
		memcpy(r->iov[0].iov_base, d->data + r->offset, r->iov[0].iov_len);
		return (int64_t)r->iov[0].iov_len;
	case BLK_WRITE:
		memcpy(d->data + r->offset, r->iov[0].iov_base, r->iov[0].iov_len);
		return (int64_t)r->iov[0].iov_len;
	case BLK_DISCARD:
		memset(d->data + r->offset, 0, r->len);
		return 0;
	default:
		return 0;
	}
}

static void setup(void)
{
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&mem, RAM, &e), 0);
	ck_assert_int_eq(pipe(in_pipe), 0);
	stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(stop_efd, 0);
	memset(&disk0, 0, sizeof(disk0));
	memset(&disk1, 0, sizeof(disk1));
	for (size_t i = 0; i < sizeof(disk0.data); i++)
		disk0.data[i] = (uint8_t)(i * 7 + 1);
	out_len = out_writes = 0;
	out_max_write = 0;
	exit_status = -1;
	sink_hook = NULL;
	struct hc_env env = {
		.mem = &mem,
		.cmdline = "hello world",
		.ncpus = 3,
		.out = { .write = sink_write },
		.in_fd = in_pipe[0],
		.stop_fd = stop_efd,
		.exit = on_exit_call,
		.disks = {
			{ &disk0, sizeof(disk0.data), false, fake_submit_wait },
			{ &disk1, sizeof(disk1.data), true, fake_submit_wait },
		},
		.ndisks = 2,
	};
	ck_assert_int_eq(hypercall_init(&hc, &env, &e), 0);
}

static void teardown(void)
{
	hypercall_destroy(&hc);
	close(in_pipe[0]);
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	close(stop_efd);
	mem_destroy(&mem);
}

/* Put a struct at gpa with ret = VMM_HC_EPENDING, as the guest wrappers do. */
static void put(uint64_t gpa, void *s, size_t size)
{
	int32_t pending = VMM_HC_EPENDING;
	memcpy(s, &pending, sizeof(pending));
	ck_assert_int_eq(mem_write(&mem, gpa, s, size), 0);
}

static void get(uint64_t gpa, void *s, size_t size)
{
	ck_assert_int_eq(mem_read(&mem, gpa, s, size), 0);
}

/* Place the struct at ARG, make the call the way a 4-byte OUT does, read it back. */
static int32_t call(unsigned nr, void *s, size_t size)
{
	put(ARG, s, size);
	hypercall_ops.write(&hc, nr, 4, ARG);
	get(ARG, s, size);
	int32_t ret;
	memcpy(&ret, s, sizeof(ret));
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint8_t *ram(uint64_t gpa)
{
	return gpa_to_hva(&mem, gpa, 1);
}

START_TEST(test_noop_and_counters)
{
	struct vmm_hc_noop a = { 0 };
	ck_assert_int_eq(call(VMM_HC_NOOP, &a, sizeof(a)), VMM_HC_OK);
	a.reserved = 1;
	ck_assert_int_eq(call(VMM_HC_NOOP, &a, sizeof(a)), VMM_HC_EINVAL);
	ck_assert_uint_eq(atomic_load(&hc.count[VMM_HC_NOOP].calls), 2);
	ck_assert_uint_eq(atomic_load(&hc.count[VMM_HC_NOOP].errors), 1);
}
END_TEST

START_TEST(test_only_4_byte_out_is_a_call)
{
	struct vmm_hc_noop a = { 0 };
	put(ARG, &a, sizeof(a));
	hypercall_ops.write(&hc, VMM_HC_NOOP, 1, ARG);
	hypercall_ops.write(&hc, VMM_HC_NOOP, 2, ARG);
	hypercall_ops.write(&hc, VMM_HC_NOOP, 8, ARG);
	get(ARG, &a, sizeof(a));
	ck_assert_int_eq(a.ret, VMM_HC_EPENDING); /* untouched */
	ck_assert_uint_eq(atomic_load(&hc.bad_width), 3);
	ck_assert_uint_eq(atomic_load(&hc.count[VMM_HC_NOOP].calls), 0);
}
END_TEST

START_TEST(test_in_is_not_a_call)
{
	struct vmm_hc_noop a = { 0 };
	put(ARG, &a, sizeof(a));
	ck_assert_uint_eq(hypercall_ops.read(&hc, VMM_HC_NOOP, 4), 0xffffffffu);
	ck_assert_uint_eq(hypercall_ops.read(&hc, VMM_HC_INFO, 1), 0xff);
	ck_assert_uint_eq(hypercall_ops.read(&hc, VMM_HC_INFO, 2), 0xffff);
	get(ARG, &a, sizeof(a));
	ck_assert_int_eq(a.ret, VMM_HC_EPENDING);
	ck_assert_uint_eq(atomic_load(&hc.bad_reads), 3);
	ck_assert_uint_eq(atomic_load(&hc.count[VMM_HC_NOOP].calls), 0);
}
END_TEST

START_TEST(test_unknown_call)
{
	struct vmm_hc_noop a = { 0 };
	ck_assert_int_eq(call(VMM_HC_NCALLS, &a, sizeof(a)), VMM_HC_ENOSYS);
	ck_assert_int_eq(call(VMM_HC_MAX_CALLS - 1, &a, sizeof(a)), VMM_HC_ENOSYS);
	put(ARG, &a, sizeof(a));
	hypercall_dispatch(&hc, 1000, ARG); /* past the table: never indexed */
	get(ARG, &a, sizeof(a));
	ck_assert_int_eq(a.ret, VMM_HC_ENOSYS);
	ck_assert_uint_eq(atomic_load(&hc.unknown), 3);
	/* With the struct off the end of RAM, nothing is written anywhere. */
	hypercall_dispatch(&hc, VMM_HC_NCALLS, RAM - 2);
	ck_assert_uint_eq(atomic_load(&hc.bad_struct), 1);
}
END_TEST

START_TEST(test_struct_straddling_end_of_ram)
{
	struct vmm_hc_time t = { 0 };
	uint8_t before[8];
	memcpy(before, ram(RAM - 8), 8);
	hypercall_ops.write(&hc, VMM_HC_TIME, 4, RAM - 8); /* 24-byte struct, 8 bytes of RAM */
	ck_assert_mem_eq(ram(RAM - 8), before, 8);
	hypercall_ops.write(&hc, VMM_HC_TIME, 4, 0xfffffff8u); /* far past RAM */
	ck_assert_uint_eq(atomic_load(&hc.bad_struct), 2);
	ck_assert_uint_eq(atomic_load(&hc.count[VMM_HC_TIME].calls), 0);
	/* Ending exactly at the end of RAM is fine. */
	put(RAM - sizeof(t), &t, sizeof(t));
	hypercall_ops.write(&hc, VMM_HC_TIME, 4, RAM - sizeof(t));
	get(RAM - sizeof(t), &t, sizeof(t));
	ck_assert_int_eq(t.ret, VMM_HC_OK);
}
END_TEST

START_TEST(test_pointers_straddling_end_of_ram)
{
	struct vmm_hc_console c = { .buf = RAM - 10, .len = 20 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_EFAULT);
	c = (struct vmm_hc_console){ .buf = RAM, .len = 1 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_EFAULT);
	c = (struct vmm_hc_console){ .buf = UINT64_MAX - 4, .len = 10 }; /* wraps */
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_EFAULT);
	ck_assert_uint_eq(out_writes, 0);
	c = (struct vmm_hc_console){ .buf = RAM - 10, .len = 20 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_READ, &c, sizeof(c)), VMM_HC_EFAULT);

	struct vmm_hc_info i = { .cmdline = RAM - 4, .cmdline_size = 64 };
	uint8_t before[4];
	memcpy(before, ram(RAM - 4), 4);
	ck_assert_int_eq(call(VMM_HC_INFO, &i, sizeof(i)), VMM_HC_EFAULT);
	ck_assert_mem_eq(ram(RAM - 4), before, 4); /* not even the part that fits */

	struct vmm_hc_random r = { .buf = RAM - 8, .len = 16 };
	ck_assert_int_eq(call(VMM_HC_RANDOM, &r, sizeof(r)), VMM_HC_EFAULT);
	ck_assert_mem_eq(ram(RAM - 4), before, 4);

	struct vmm_hc_block b = { .disk = 0, .buf = RAM - 512, .len = 1024 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_EFAULT);
	ck_assert_int_eq(call(VMM_HC_BLOCK_WRITE, &b, sizeof(b)), VMM_HC_EFAULT);
	ck_assert_uint_eq(disk0.requests, 0);
}
END_TEST

START_TEST(test_length_overflows)
{
	struct vmm_hc_console c = { .buf = BUF, .len = VMM_HC_CONSOLE_MAX + 1 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_EINVAL);
	c.len = UINT64_MAX;
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_EINVAL);
	ck_assert_int_eq(call(VMM_HC_CONSOLE_READ, &c, sizeof(c)), VMM_HC_EINVAL);
	struct vmm_hc_random r = { .buf = BUF, .len = UINT64_MAX };
	ck_assert_int_eq(call(VMM_HC_RANDOM, &r, sizeof(r)), VMM_HC_EINVAL);
	struct vmm_hc_info i = { .cmdline = BUF, .cmdline_size = UINT64_MAX };
	ck_assert_int_eq(call(VMM_HC_INFO, &i, sizeof(i)), VMM_HC_EFAULT);

	struct vmm_hc_block b = { .disk = 0, .buf = BUF, .len = UINT64_MAX - 511 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_EINVAL);
	b.len = 100; /* not whole sectors */
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_EINVAL);
	b.len = 0;
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_EINVAL);
	/* sector * 512 would wrap to 0: still past the end. */
	b = (struct vmm_hc_block){ .disk = 0, .sector = 1ULL << 55, .buf = BUF, .len = 512 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_ERANGE);
	b.sector = UINT64_MAX;
	ck_assert_int_eq(call(VMM_HC_BLOCK_WRITE, &b, sizeof(b)), VMM_HC_ERANGE);
	b.sector = DISK_SECTORS - 1;
	b.len = 1024; /* one sector too many */
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_ERANGE);
	struct vmm_hc_block d = { .disk = 0, .sector = 1, .len = UINT64_MAX - 511 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_DISCARD, &d, sizeof(d)), VMM_HC_ERANGE);
	ck_assert_uint_eq(disk0.requests, 0);
}
END_TEST

/* A second "vCPU" rewriting the struct while the call runs: the call must
 * act on, and write back, what it copied at the start. */
static void rewrite_block_struct(void)
{
	struct vmm_hc_block evil = { .ret = 77, .disk = 9, .sector = 1ULL << 60,
				     .buf = RAM - 1, .len = VMM_HC_BLOCK_MAX };
	ck_assert_int_eq(mem_write(&mem, ARG, &evil, sizeof(evil)), 0);
}

START_TEST(test_struct_changed_during_block_call)
{
	disk0.hook = rewrite_block_struct;
	struct vmm_hc_block b = { .disk = 0, .sector = 2, .buf = BUF, .len = 1024 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_OK);
	ck_assert_uint_eq(disk0.last_offset, 1024);
	ck_assert_uint_eq(disk0.last_len, 1024);
	ck_assert_mem_eq(ram(BUF), disk0.data + 1024, 1024);
	/* The written-back struct is the copy, not the rewrite. */
	ck_assert_uint_eq(b.disk, 0);
	ck_assert_uint_eq(b.sector, 2);
	ck_assert_uint_eq(b.buf, BUF);
	ck_assert_uint_eq(b.len, 1024);
}
END_TEST

static void rewrite_console_struct(void)
{
	struct vmm_hc_console evil = { .buf = RAM - 1, .len = VMM_HC_CONSOLE_MAX * 4 };
	ck_assert_int_eq(mem_write(&mem, ARG, &evil, sizeof(evil)), 0);
}

START_TEST(test_struct_changed_during_console_write)
{
	memcpy(ram(BUF), "abcdef", 6);
	sink_hook = rewrite_console_struct;
	struct vmm_hc_console c = { .buf = BUF, .len = 6 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_OK);
	ck_assert_uint_eq(out_len, 6);
	ck_assert_mem_eq(out, "abcdef", 6);
	ck_assert_uint_eq(c.count, 6);
	ck_assert_uint_eq(c.len, 6);
	ck_assert_uint_eq(c.buf, BUF);
}
END_TEST

/* The racing version: a thread flips the struct between a good and a
 * hostile shape as fast as it can while calls run, until both shapes (and
 * torn mixes) have been seen many times. A second fetch of len or buf
 * anywhere would show up as an oversized write (or, under ASan, as a read
 * outside the mapping). */
static atomic_bool racing, flipping;

static void *flipper(void *arg)
{
	(void)arg;
	struct vmm_hc_console good = { .buf = BUF, .len = 16 };
	struct vmm_hc_console bad = { .buf = RAM - 8, .len = VMM_HC_CONSOLE_MAX + 1 };
	uint8_t *p = ram(ARG);
	atomic_store(&flipping, true);
	/* The barriers keep the compiler from dropping the stores as dead. */
	while (atomic_load(&racing)) {
		memcpy(p + 8, &bad.buf, 8);
		atomic_signal_fence(memory_order_seq_cst);
		memcpy(p + 16, &bad.len, 8);
		atomic_signal_fence(memory_order_seq_cst);
		memcpy(p + 8, &good.buf, 8);
		atomic_signal_fence(memory_order_seq_cst);
		memcpy(p + 16, &good.len, 8);
		atomic_signal_fence(memory_order_seq_cst);
	}
	return NULL;
}

START_TEST(test_struct_racing_with_another_vcpu)
{
	struct vmm_hc_console c = { .buf = BUF, .len = 16 };
	put(ARG, &c, sizeof(c));
	pthread_t t;
	atomic_store(&racing, true);
	ck_assert_int_eq(pthread_create(&t, NULL, flipper, NULL), 0);
	while (!atomic_load(&flipping))
		sched_yield();
	unsigned ok = 0, failed = 0;
	uint64_t give_up = now_ns() + 10 * 1000000000ULL; /* a starved flipper */
	while ((ok < 1000 || failed < 1000) && now_ns() < give_up) {
		hypercall_dispatch(&hc, VMM_HC_CONSOLE_WRITE, ARG);
		int32_t ret;
		memcpy(&ret, ram(ARG), sizeof(ret));
		ck_assert(ret == VMM_HC_OK || ret == VMM_HC_EFAULT || ret == VMM_HC_EINVAL);
		ok += ret == VMM_HC_OK;
		failed += ret != VMM_HC_OK;
		out_len = 0; /* keep the capture small */
	}
	atomic_store(&racing, false);
	pthread_join(t, NULL);
	ck_assert_uint_le(out_max_write, 16);
	ck_assert_uint_eq(out_writes, ok);
	ck_assert_msg(ok >= 1000 && failed >= 1000, "no real race: %u ok, %u failed", ok, failed);
}
END_TEST

START_TEST(test_info)
{
	struct vmm_hc_info i = { .cmdline = BUF, .cmdline_size = 64 };
	ck_assert_int_eq(call(VMM_HC_INFO, &i, sizeof(i)), VMM_HC_OK);
	ck_assert_uint_eq(i.abi_version, VMM_HC_ABI_VERSION);
	ck_assert_uint_eq(i.mem_bytes, RAM);
	ck_assert_uint_eq(i.cmdline_len, 11);
	ck_assert_uint_eq(i.ndisks, 2);
	ck_assert_uint_eq(i.ncpus, 3);
	ck_assert_str_eq((char *)ram(BUF), "hello world");
	/* Truncated as snprintf does; the length still tells the whole. */
	memset(ram(BUF), 'x', 16);
	i = (struct vmm_hc_info){ .cmdline = BUF, .cmdline_size = 6 };
	ck_assert_int_eq(call(VMM_HC_INFO, &i, sizeof(i)), VMM_HC_OK);
	ck_assert_str_eq((char *)ram(BUF), "hello");
	ck_assert_uint_eq(ram(BUF)[6], 'x');
	ck_assert_uint_eq(i.cmdline_len, 11);
	i = (struct vmm_hc_info){ .cmdline = 0, .cmdline_size = 0 };
	ck_assert_int_eq(call(VMM_HC_INFO, &i, sizeof(i)), VMM_HC_OK);
	i = (struct vmm_hc_info){ .flags = 1 };
	ck_assert_int_eq(call(VMM_HC_INFO, &i, sizeof(i)), VMM_HC_EINVAL);
}
END_TEST

START_TEST(test_time)
{
	struct vmm_hc_time a = { 0 }, b = { 0 };
	struct timespec now;
	ck_assert_int_eq(call(VMM_HC_TIME, &a, sizeof(a)), VMM_HC_OK);
	clock_gettime(CLOCK_REALTIME, &now);
	ck_assert_int_eq(call(VMM_HC_TIME, &b, sizeof(b)), VMM_HC_OK);
	ck_assert_uint_gt(a.monotonic_ns, 0);
	ck_assert_uint_ge(b.monotonic_ns, a.monotonic_ns);
	uint64_t host = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	ck_assert_uint_le(a.wall_ns, host);
	ck_assert_uint_ge(b.wall_ns, host);
	a.reserved = 5;
	ck_assert_int_eq(call(VMM_HC_TIME, &a, sizeof(a)), VMM_HC_EINVAL);
}
END_TEST

START_TEST(test_random)
{
	memset(ram(BUF), 0, 256);
	struct vmm_hc_random r = { .buf = BUF, .len = 64 };
	ck_assert_int_eq(call(VMM_HC_RANDOM, &r, sizeof(r)), VMM_HC_OK);
	static const uint8_t zero[64];
	ck_assert(memcmp(ram(BUF), zero, 64) != 0); /* 2^-512 to fail by chance */
	ck_assert_uint_eq(ram(BUF)[64], 0);          /* not a byte more */
	r = (struct vmm_hc_random){ .buf = BUF, .len = VMM_HC_RANDOM_MAX };
	ck_assert_int_eq(call(VMM_HC_RANDOM, &r, sizeof(r)), VMM_HC_OK);
	r = (struct vmm_hc_random){ .buf = RAM + 5, .len = 0 }; /* nothing to check */
	ck_assert_int_eq(call(VMM_HC_RANDOM, &r, sizeof(r)), VMM_HC_OK);
}
END_TEST

START_TEST(test_exit)
{
	struct vmm_hc_exit x = { .status = 42 };
	ck_assert_int_eq(call(VMM_HC_EXIT, &x, sizeof(x)), VMM_HC_OK);
	ck_assert_int_eq(exit_status, 42);
	x = (struct vmm_hc_exit){ .status = 1, .reserved = 1 };
	ck_assert_int_eq(call(VMM_HC_EXIT, &x, sizeof(x)), VMM_HC_EINVAL);
	ck_assert_int_eq(exit_status, 42);
}
END_TEST

START_TEST(test_console_write_and_read)
{
	memcpy(ram(BUF), "guest says hi\n", 14);
	struct vmm_hc_console c = { .buf = BUF, .len = 14 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_OK);
	ck_assert_uint_eq(c.count, 14);
	ck_assert_mem_eq(out, "guest says hi\n", 14);
	c.flags = 1;
	ck_assert_int_eq(call(VMM_HC_CONSOLE_WRITE, &c, sizeof(c)), VMM_HC_EINVAL);

	c = (struct vmm_hc_console){ .buf = BUF, .len = 100 };
	ck_assert_int_eq(call(VMM_HC_CONSOLE_READ, &c, sizeof(c)), VMM_HC_OK);
	ck_assert_uint_eq(c.count, 0); /* nothing yet, and no waiting */
	ck_assert_uint_eq(c.flags, 0);
	ck_assert_int_eq(write(in_pipe[1], "typed", 5), 5);
	ck_assert_int_eq(call(VMM_HC_CONSOLE_READ, &c, sizeof(c)), VMM_HC_OK);
	ck_assert_uint_eq(c.count, 5);
	ck_assert_mem_eq(ram(BUF), "typed", 5);
	close(in_pipe[1]);
	in_pipe[1] = -1;
	ck_assert_int_eq(call(VMM_HC_CONSOLE_READ, &c, sizeof(c)), VMM_HC_OK);
	ck_assert_uint_eq(c.count, 0);
	ck_assert_uint_eq(c.flags, VMM_HC_CONSOLE_EOF);
}
END_TEST

static uint64_t guest_now(void)
{
	struct vmm_hc_time t = { 0 };
	ck_assert_int_eq(call(VMM_HC_TIME, &t, sizeof(t)), VMM_HC_OK);
	return t.monotonic_ns;
}

START_TEST(test_poll_deadline)
{
	struct vmm_hc_poll p = { .events = VMM_HC_EV_CONSOLE_IN, .deadline_ns = 0 };
	uint64_t t0 = now_ns();
	ck_assert_int_eq(call(VMM_HC_POLL, &p, sizeof(p)), VMM_HC_OK);
	ck_assert_uint_eq(p.ready, 0);
	p = (struct vmm_hc_poll){ .events = VMM_HC_EV_CONSOLE_IN,
				  .deadline_ns = guest_now() + 50 * 1000000ULL };
	ck_assert_int_eq(call(VMM_HC_POLL, &p, sizeof(p)), VMM_HC_OK);
	ck_assert_uint_eq(p.ready, 0);
	ck_assert_uint_ge(now_ns() - t0, 50 * 1000000ULL);
	p = (struct vmm_hc_poll){ .events = 0x80 };
	ck_assert_int_eq(call(VMM_HC_POLL, &p, sizeof(p)), VMM_HC_EINVAL);
}
END_TEST

static void *type_later(void *arg)
{
	(void)arg;
	usleep(30000);
	ck_assert_int_eq(write(in_pipe[1], "k", 1), 1);
	return NULL;
}

static void *stop_later(void *arg)
{
	(void)arg;
	usleep(30000);
	uint64_t one = 1;
	ck_assert_int_eq(write(stop_efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	return NULL;
}

START_TEST(test_poll_wakes_on_input)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, type_later, NULL), 0);
	struct vmm_hc_poll p = { .events = VMM_HC_EV_CONSOLE_IN, .deadline_ns = VMM_HC_POLL_FOREVER };
	uint64_t t0 = now_ns();
	ck_assert_int_eq(call(VMM_HC_POLL, &p, sizeof(p)), VMM_HC_OK);
	ck_assert_uint_eq(p.ready, VMM_HC_EV_CONSOLE_IN);
	ck_assert_uint_lt(now_ns() - t0, 5000000000ULL);
	pthread_join(t, NULL);
}
END_TEST

START_TEST(test_poll_ends_when_vm_stops)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, stop_later, NULL), 0);
	struct vmm_hc_poll p = { .events = VMM_HC_EV_CONSOLE_IN, .deadline_ns = VMM_HC_POLL_FOREVER };
	ck_assert_int_eq(call(VMM_HC_POLL, &p, sizeof(p)), VMM_HC_OK);
	ck_assert_uint_eq(p.ready, 0);
	pthread_join(t, NULL);
	/* Once stopped, stays stopped: no wait at all. */
	p = (struct vmm_hc_poll){ .deadline_ns = VMM_HC_POLL_FOREVER };
	ck_assert_int_eq(call(VMM_HC_POLL, &p, sizeof(p)), VMM_HC_OK);
}
END_TEST

START_TEST(test_block_calls)
{
	struct vmm_hc_block_info bi = { .disk = 0 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_INFO, &bi, sizeof(bi)), VMM_HC_OK);
	ck_assert_uint_eq(bi.sectors, DISK_SECTORS);
	ck_assert_uint_eq(bi.sector_size, 512);
	ck_assert_uint_eq(bi.flags, 0);
	bi.disk = 1;
	ck_assert_int_eq(call(VMM_HC_BLOCK_INFO, &bi, sizeof(bi)), VMM_HC_OK);
	ck_assert_uint_eq(bi.flags, VMM_HC_BLOCK_RO);
	bi.disk = 2;
	ck_assert_int_eq(call(VMM_HC_BLOCK_INFO, &bi, sizeof(bi)), VMM_HC_ENODEV);

	/* Read the last two sectors, write them back one sector on. */
	struct vmm_hc_block b = { .disk = 0, .sector = DISK_SECTORS - 2, .buf = BUF, .len = 1024 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_OK);
	ck_assert_mem_eq(ram(BUF), disk0.data + (DISK_SECTORS - 2) * 512, 1024);
	b.sector = 0;
	ck_assert_int_eq(call(VMM_HC_BLOCK_WRITE, &b, sizeof(b)), VMM_HC_OK);
	ck_assert_mem_eq(disk0.data, disk0.data + (DISK_SECTORS - 2) * 512, 1024);

	struct vmm_hc_block f = { .disk = 0 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_FLUSH, &f, sizeof(f)), VMM_HC_OK);
	ck_assert_int_eq(disk0.last_op, BLK_FLUSH);
	f.len = 512;
	ck_assert_int_eq(call(VMM_HC_BLOCK_FLUSH, &f, sizeof(f)), VMM_HC_EINVAL);

	struct vmm_hc_block d = { .disk = 0, .sector = 4, .len = 2048 };
	ck_assert_int_eq(call(VMM_HC_BLOCK_DISCARD, &d, sizeof(d)), VMM_HC_OK);
	ck_assert_int_eq(disk0.last_op, BLK_DISCARD);
	ck_assert_uint_eq(disk0.last_offset, 2048);
	ck_assert_uint_eq(disk0.last_len, 2048);
	d.buf = BUF;
	ck_assert_int_eq(call(VMM_HC_BLOCK_DISCARD, &d, sizeof(d)), VMM_HC_EINVAL);

	/* Read-only disk: reads yes, writes and discards no, and unseen. */
	b.disk = 1;
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_OK);
	ck_assert_int_eq(call(VMM_HC_BLOCK_WRITE, &b, sizeof(b)), VMM_HC_EROFS);
	d.disk = 1;
	d.buf = 0;
	ck_assert_int_eq(call(VMM_HC_BLOCK_DISCARD, &d, sizeof(d)), VMM_HC_EROFS);
	ck_assert_uint_eq(disk1.requests, 1);
	b.disk = 7;
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_ENODEV);

	/* A failing host: EIO, or EROFS when the backend says so. */
	b.disk = 0;
	disk0.fail = -EIO;
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_EIO);
	disk0.fail = -EROFS;
	ck_assert_int_eq(call(VMM_HC_BLOCK_WRITE, &b, sizeof(b)), VMM_HC_EROFS);
	disk0.fail = 512; /* short */
	ck_assert_int_eq(call(VMM_HC_BLOCK_READ, &b, sizeof(b)), VMM_HC_EIO);
}
END_TEST

static int32_t dummy_call(struct hypercall *h, void *args)
{
	(void)h;
	(void)args;
	return VMM_HC_OK;
}

START_TEST(test_register_refuses_bad_entries)
{
	ck_assert_int_eq(hypercall_register(&hc, VMM_HC_NOOP, "dup", 8, dummy_call), -1);
	ck_assert_int_eq(hypercall_register(&hc, VMM_HC_MAX_CALLS, "far", 8, dummy_call), -1);
	ck_assert_int_eq(hypercall_register(&hc, 40, "small", 2, dummy_call), -1);
	ck_assert_int_eq(hypercall_register(&hc, 40, "big", HC_ARGS_MAX + 8, dummy_call), -1);
	ck_assert_int_eq(hypercall_register(&hc, 40, "ok", 8, dummy_call), 0);
	for (unsigned n = 0; n < VMM_HC_NCALLS; n++)
		ck_assert_msg(hc.table[n].fn != NULL, "call %u missing", n);
}
END_TEST

static Suite *hypercall_suite(void)
{
	Suite *s = suite_create("para_hypercall");
	TCase *tc = tcase_create("dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_noop_and_counters);
	tcase_add_test(tc, test_only_4_byte_out_is_a_call);
	tcase_add_test(tc, test_in_is_not_a_call);
	tcase_add_test(tc, test_unknown_call);
	tcase_add_test(tc, test_struct_straddling_end_of_ram);
	tcase_add_test(tc, test_pointers_straddling_end_of_ram);
	tcase_add_test(tc, test_length_overflows);
	tcase_add_test(tc, test_struct_changed_during_block_call);
	tcase_add_test(tc, test_struct_changed_during_console_write);
	tcase_add_test(tc, test_struct_racing_with_another_vcpu);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_exit);
	tcase_add_test(tc, test_console_write_and_read);
	tcase_add_test(tc, test_poll_deadline);
	tcase_add_test(tc, test_poll_wakes_on_input);
	tcase_add_test(tc, test_poll_ends_when_vm_stops);
	tcase_add_test(tc, test_block_calls);
	tcase_add_test(tc, test_register_refuses_bad_entries);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hypercall_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
