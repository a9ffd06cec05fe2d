/* test_virtio_queue.c: the split virtqueue against hand-built rings in a
 * 16 MiB guest_mem (no KVM): good chains, indirect tables, every kind of bad
 * chain, used ring updates and the EVENT_IDX arithmetic. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/layout.h"
#include "virtio/queue.h"

#define RAM   (16 * MiB)
#define DESC  0x10000ULL
#define AVAIL 0x11000ULL
#define USED  0x12000ULL
#define TABLE 0x20000ULL  /* indirect tables */
#define BUF   0x100000ULL

struct ring {
	struct guest_mem mem;
	struct vq q;
	struct vq_elem el;
	uint16_t size;
	uint16_t avail_idx;   /* the driver's */
	unsigned errors;      /* on_error calls */
	const char *why;
};

static void on_error(void *ctx, struct vq *q, const char *why)
{
	struct ring *r = ctx;
	ck_assert_ptr_eq(q, &r->q);
	r->errors++;
	r->why = why;
}

static struct ring *ring_new(uint16_t size, bool event_idx, bool indirect)
{
	struct ring *r = calloc(1, sizeof(*r));
	struct err e = { 0 };
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(mem_init(&r->mem, RAM, &e), 0);
	r->size = size;
	vq_init(&r->q, &r->mem, on_error, r);
	ck_assert_int_eq(vq_setup(&r->q, size, DESC, AVAIL, USED, event_idx, indirect), 0);
	return r;
}

static void ring_free(struct ring *r)
{
	mem_destroy(&r->mem);
	free(r);
}

static void put16(struct ring *r, uint64_t gpa, uint16_t v)
{
	ck_assert_int_eq(mem_write(&r->mem, gpa, &v, 2), 0);
}

static uint16_t get16(struct ring *r, uint64_t gpa)
{
	uint16_t v;
	ck_assert_int_eq(mem_read(&r->mem, gpa, &v, 2), 0);
	return v;
}

static uint32_t get32(struct ring *r, uint64_t gpa)
{
	uint32_t v;
	ck_assert_int_eq(mem_read(&r->mem, gpa, &v, 4), 0);
	return v;
}

static void desc_at(struct ring *r, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next)
{
	uint8_t d[16];
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	ck_assert_int_eq(mem_write(&r->mem, table + 16ULL * i, d, 16), 0);
}

static void desc(struct ring *r, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	desc_at(r, DESC, i, addr, len, flags, next);
}

static void offer(struct ring *r, uint16_t head)
{
	put16(r, AVAIL + 4 + 2ULL * (r->avail_idx % r->size), head);
	r->avail_idx++;
	put16(r, AVAIL + 2, r->avail_idx);
}

static void *hva(struct ring *r, uint64_t gpa)
{
	return gpa_to_hva(&r->mem, gpa, 1);
}

/* Offer head and expect vq_pop to refuse the chain with a reason containing needle. */
static void expect_bad(struct ring *r, uint16_t head, const char *needle)
{
	offer(r, head);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), -1);
	ck_assert_uint_eq(r->errors, 1);
	ck_assert_msg(strstr(r->why, needle) != NULL, "reason '%s' lacks '%s'", r->why, needle);
	ck_assert(r->q.broken);
	ck_assert_uint_eq(r->q.errors, 1);
	/* A broken queue serves nothing more and reports nothing more. */
	offer(r, 0);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 0);
	ck_assert_uint_eq(r->errors, 1);
}

/* ---- setup ---- */

START_TEST(test_setup_checks_rings)
{
	struct ring *r = ring_new(8, false, false);
	struct vq *q = &r->q;
	ck_assert_int_eq(vq_setup(q, 6, DESC, AVAIL, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 0, DESC, AVAIL, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 512, DESC, AVAIL, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 8, DESC + 8, AVAIL, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 8, DESC, AVAIL + 1, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 8, DESC, AVAIL, USED + 2, false, false), -EINVAL);
	/* Each area must lie wholly in RAM, including the event fields. */
	ck_assert_int_eq(vq_setup(q, 8, RAM - 16 * 8 + 16, AVAIL, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 8, DESC, RAM - 6 - 16 + 2, USED, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 8, DESC, AVAIL, RAM - 68, false, false), -EINVAL);
	ck_assert_int_eq(vq_setup(q, 8, DESC, AVAIL, 0xFFFFFFFFFFFFFFF0ULL, false, false), -EINVAL);
	ck_assert(!q->ready);
	ck_assert_ptr_nonnull(q->last_error);
	ck_assert_int_eq(vq_pop(q, &r->el), 0); /* not ready: nothing, no crash */
	ck_assert_int_eq(vq_setup(q, 8, RAM - 16 * 8, RAM - 4096, RAM - 72, false, false), 0);
	ck_assert(q->ready);
	ck_assert_uint_eq(r->errors, 0); /* setup failures are the transport's to report */
	ring_free(r);
}
END_TEST

/* ---- good chains ---- */

START_TEST(test_good_chain)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 3, BUF, 16, VIRTQ_DESC_F_NEXT, 5);
	desc(r, 5, BUF + 0x1000, 512, VIRTQ_DESC_F_NEXT, 1);
	desc(r, 1, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 7); /* next ignored without NEXT */
	offer(r, 3);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	struct vq_elem *el = &r->el;
	ck_assert_uint_eq(el->head, 3);
	ck_assert_uint_eq(el->nout, 2);
	ck_assert_uint_eq(el->nin, 1);
	ck_assert_uint_eq(el->out_bytes, 528);
	ck_assert_uint_eq(el->in_bytes, 1);
	ck_assert_ptr_eq(el->iov[0].iov_base, hva(r, BUF));
	ck_assert_uint_eq(el->iov[0].iov_len, 16);
	ck_assert_ptr_eq(el->iov[1].iov_base, hva(r, BUF + 0x1000));
	ck_assert_ptr_eq(el->iov[2].iov_base, hva(r, BUF + 0x2000));
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 0);
	ck_assert_uint_eq(r->errors, 0);
	ring_free(r);
}
END_TEST

START_TEST(test_zero_length_descriptor)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	/* Zero bytes at an address that is not RAM: nothing is mapped, no error. */
	desc(r, 1, 0xF0000000ULL, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc(r, 2, BUF + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(r, 0);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	ck_assert_uint_eq(r->el.nout, 1);
	ck_assert_uint_eq(r->el.nin, 1);
	ck_assert_ptr_eq(r->el.iov[1].iov_base, hva(r, BUF + 0x100));
	ring_free(r);
}
END_TEST

START_TEST(test_chain_as_long_as_queue)
{
	struct ring *r = ring_new(8, false, false);
	for (unsigned i = 0; i < 8; i++)
		desc(r, i, BUF + 0x1000 * i, 4096, i < 7 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(r, 0);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	ck_assert_uint_eq(r->el.nout, 8);
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_table)
{
	struct ring *r = ring_new(8, false, true);
	desc_at(r, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc_at(r, TABLE, 2, BUF + 0x1000, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc_at(r, TABLE, 1, BUF + 0x3000, 1, VIRTQ_DESC_F_WRITE, 0);
	/* The WRITE flag on the table's own descriptor is ignored (§2.7.5.3.2). */
	desc(r, 4, TABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	offer(r, 4);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	ck_assert_uint_eq(r->el.head, 4);
	ck_assert_uint_eq(r->el.nout, 1);
	ck_assert_uint_eq(r->el.nin, 2);
	ck_assert_uint_eq(r->el.in_bytes, 4097);
	ck_assert_ptr_eq(r->el.iov[2].iov_base, hva(r, BUF + 0x3000));
	ring_free(r);
}
END_TEST

/* Indirect tables need no alignment (§2.7.5.3 sets none; Linux kmallocs
 * them, 8-byte aligned, and a driver may use any address). */
START_TEST(test_indirect_table_unaligned)
{
	static const uint64_t offs[] = { 8, 4, 1 };
	for (unsigned k = 0; k < 3; k++) {
		struct ring *r = ring_new(8, false, true);
		uint64_t table = TABLE + offs[k];
		desc_at(r, table, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
		desc_at(r, table, 1, BUF + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
		desc(r, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
		offer(r, 0);
		ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
		ck_assert_uint_eq(r->el.nout, 1);
		ck_assert_uint_eq(r->el.nin, 1);
		ck_assert_ptr_eq(r->el.iov[1].iov_base, hva(r, BUF + 0x100));
		ck_assert_uint_eq(r->errors, 0);
		ring_free(r);
	}
}
END_TEST

/* ---- bad chains ---- */

START_TEST(test_loop_detected)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(r, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(r, 2, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	expect_bad(r, 0, "loop");
	ring_free(r);
}
END_TEST

START_TEST(test_self_loop_detected)
{
	struct ring *r = ring_new(2, false, false);
	desc(r, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	expect_bad(r, 1, "loop");
	ring_free(r);
}
END_TEST

START_TEST(test_next_outside_table)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 8);
	expect_bad(r, 0, "outside");
	ring_free(r);
}
END_TEST

START_TEST(test_head_outside_table)
{
	struct ring *r = ring_new(8, false, false);
	expect_bad(r, 9, "outside");
	ring_free(r);
}
END_TEST

START_TEST(test_avail_index_runs_ahead)
{
	struct ring *r = ring_new(8, false, false);
	put16(r, AVAIL + 2, 9);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), -1);
	ck_assert_uint_eq(r->errors, 1);
	ring_free(r);
}
END_TEST

static void check_out_of_ram(uint64_t addr, uint32_t len)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(r, 1, addr, len, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(r, 0, "not in RAM");
	ring_free(r);
}

START_TEST(test_buffer_outside_ram)
{
	check_out_of_ram(RAM, 1);                     /* just past the end */
	check_out_of_ram(RAM - 512, 513);             /* straddles the end */
	check_out_of_ram(0xFFFFFFFFFFFFFF00ULL, 512); /* wraps around 2^64 */
	check_out_of_ram(LAYOUT_IOAPIC_BASE, 16);     /* MMIO, not RAM */
}
END_TEST

START_TEST(test_readable_after_writable)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc(r, 1, BUF + 16, 16, 0, 0);
	expect_bad(r, 0, "readable descriptor after");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_not_negotiated)
{
	struct ring *r = ring_new(8, false, false);
	desc_at(r, TABLE, 0, BUF, 16, 0, 0);
	desc(r, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "INDIRECT_DESC");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_bad_length)
{
	struct ring *r = ring_new(8, false, true);
	desc(r, 0, TABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "multiple of 16");
	ring_free(r);
	r = ring_new(8, false, true);
	desc(r, 0, TABLE, 0, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "multiple of 16");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_nested)
{
	struct ring *r = ring_new(8, false, true);
	desc_at(r, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_at(r, TABLE, 1, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(r, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "nested");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_with_next)
{
	struct ring *r = ring_new(8, false, true);
	desc_at(r, TABLE, 0, BUF, 16, 0, 0);
	desc(r, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	expect_bad(r, 0, "NEXT");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_inside_chain)
{
	struct ring *r = ring_new(8, false, true);
	desc_at(r, TABLE, 0, BUF, 16, 0, 0);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(r, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "inside a chain");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_next_outside)
{
	struct ring *r = ring_new(8, false, true);
	desc_at(r, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc_at(r, TABLE, 1, BUF, 16, 0, 0);
	desc(r, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "outside the table");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_loop)
{
	struct ring *r = ring_new(8, false, true);
	desc_at(r, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_at(r, TABLE, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	desc(r, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "loop");
	ring_free(r);
}
END_TEST

START_TEST(test_indirect_table_outside_ram)
{
	struct ring *r = ring_new(8, false, true);
	desc(r, 0, RAM - 32, 64, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "not in RAM");
	ring_free(r);
}
END_TEST

/* A table of 16 chained descriptors behind a queue of 8: longer than the
 * queue, refused before it is walked. */
START_TEST(test_over_long_chain)
{
	struct ring *r = ring_new(8, false, true);
	for (unsigned i = 0; i < 16; i++)
		desc_at(r, TABLE, i, BUF, 16, i < 15 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	desc(r, 0, TABLE, 16 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(r, 0, "longer than the queue");
	ring_free(r);
}
END_TEST

START_TEST(test_reset_recovers_broken_queue)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	expect_bad(r, 0, "loop");
	vq_reset(&r->q);
	ck_assert(!r->q.broken);
	ck_assert_int_eq(vq_setup(&r->q, 8, DESC, AVAIL, USED, false, false), 0);
	r->avail_idx = 0;
	desc(r, 0, BUF, 16, 0, 0);
	offer(r, 0);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	ck_assert_uint_eq(r->q.errors, 1); /* the count survives the reset */
	ring_free(r);
}
END_TEST

/* ---- used ring and notifications ---- */

START_TEST(test_push_wraps_used_index)
{
	struct ring *r = ring_new(4, false, false);
	for (unsigned n = 1; n <= 70000; n++) {
		vq_push(&r->q, (uint16_t)(n % 4), n);
		ck_assert_uint_eq(get16(r, USED + 2), (uint16_t)n);
	}
	/* Element 70000 went to slot (70000 - 1) % 4 = 3. */
	ck_assert_uint_eq(get32(r, USED + 4 + 8 * 3), 70000 % 4);
	ck_assert_uint_eq(get32(r, USED + 4 + 8 * 3 + 4), 70000);
	ring_free(r);
}
END_TEST

START_TEST(test_pop_wraps_avail_index)
{
	struct ring *r = ring_new(4, false, false);
	desc(r, 2, BUF, 16, 0, 0);
	for (unsigned n = 0; n < 70000; n++) {
		offer(r, 2);
		ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
		ck_assert_uint_eq(r->el.head, 2);
		vq_push(&r->q, 2, 0);
	}
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 0);
	ck_assert_uint_eq(r->q.last_avail, (uint16_t)70000);
	ring_free(r);
}
END_TEST

START_TEST(test_need_event_arithmetic)
{
	/* new passed event when event lies in [old, new). */
	ck_assert(!vq_need_event(5, 5, 0));
	ck_assert(vq_need_event(5, 6, 0));
	ck_assert(vq_need_event(5, 6, 5));
	ck_assert(!vq_need_event(5, 7, 6));
	ck_assert(vq_need_event(0, 1, 0));
	ck_assert(!vq_need_event(0, 0, 0));
	/* Across the 16-bit wrap. */
	ck_assert(vq_need_event(0xFFFF, 0x0001, 0xFFFE));
	ck_assert(vq_need_event(0x0000, 0x0002, 0xFFFF));
	ck_assert(!vq_need_event(0x0002, 0x0002, 0xFFFF));
	ck_assert(!vq_need_event(0xFFF0, 0x0005, 0xFFF8));
	ck_assert(vq_need_event(0xFFF8, 0x0005, 0xFFF8));
}
END_TEST

START_TEST(test_interrupt_flag_without_event_idx)
{
	struct ring *r = ring_new(8, false, false);
	vq_push(&r->q, 0, 0);
	ck_assert(vq_should_interrupt(&r->q));
	ck_assert(!vq_should_interrupt(&r->q)); /* nothing used since */
	put16(r, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq_push(&r->q, 0, 0);
	ck_assert(!vq_should_interrupt(&r->q));
	put16(r, AVAIL, 0);
	vq_push(&r->q, 0, 0);
	ck_assert(vq_should_interrupt(&r->q));
	ring_free(r);
}
END_TEST

START_TEST(test_interrupt_with_event_idx)
{
	struct ring *r = ring_new(8, true, false);
	uint64_t used_event = AVAIL + 4 + 2 * 8;
	put16(r, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT); /* ignored with EVENT_IDX */
	put16(r, used_event, 0);
	vq_push(&r->q, 0, 0);                    /* used 0 -> 1 crosses 0 */
	ck_assert(vq_should_interrupt(&r->q));
	put16(r, used_event, 3);                 /* "interrupt me once entry 3 is used" */
	vq_push(&r->q, 0, 0);                    /* 1 -> 2 */
	ck_assert(!vq_should_interrupt(&r->q));
	vq_push(&r->q, 0, 0);                    /* 2 -> 3 */
	ck_assert(!vq_should_interrupt(&r->q));
	vq_push(&r->q, 0, 0);
	vq_push(&r->q, 0, 0);                    /* 3 -> 5 crosses 3 */
	ck_assert(vq_should_interrupt(&r->q));
	vq_push(&r->q, 0, 0);                    /* 5 -> 6: event 3 is behind */
	ck_assert(!vq_should_interrupt(&r->q));
	ring_free(r);
}
END_TEST

START_TEST(test_notify_suppression_flags)
{
	struct ring *r = ring_new(8, false, false);
	desc(r, 0, BUF, 16, 0, 0);
	vq_disable_notify(&r->q);
	ck_assert_uint_eq(get16(r, USED), VIRTQ_USED_F_NO_NOTIFY);
	ck_assert(!vq_enable_notify(&r->q));
	ck_assert_uint_eq(get16(r, USED), 0);
	vq_disable_notify(&r->q);
	offer(r, 0); /* arrives while notifications are off */
	ck_assert(vq_enable_notify(&r->q));
	ck_assert(vq_has_avail(&r->q));
	ring_free(r);
}
END_TEST

START_TEST(test_notify_avail_event)
{
	struct ring *r = ring_new(8, true, false);
	uint64_t avail_event = USED + 4 + 8 * 8;
	desc(r, 0, BUF, 16, 0, 0);
	offer(r, 0);
	offer(r, 0);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	ck_assert_uint_eq(get16(r, avail_event), 1); /* moves with each pop */
	vq_disable_notify(&r->q);
	ck_assert_int_eq(vq_pop(&r->q, &r->el), 1);
	ck_assert_uint_eq(get16(r, avail_event), 1); /* frozen while disabled */
	ck_assert_uint_eq(get16(r, USED), 0);        /* flags unused with EVENT_IDX */
	ck_assert(!vq_enable_notify(&r->q));
	ck_assert_uint_eq(get16(r, avail_event), 2);
	ring_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_queue");
	TCase *tc = tcase_create("queue");
	tcase_add_test(tc, test_setup_checks_rings);
	tcase_add_test(tc, test_good_chain);
	tcase_add_test(tc, test_zero_length_descriptor);
	tcase_add_test(tc, test_chain_as_long_as_queue);
	tcase_add_test(tc, test_indirect_table);
	tcase_add_test(tc, test_indirect_table_unaligned);
	tcase_add_test(tc, test_loop_detected);
	tcase_add_test(tc, test_self_loop_detected);
	tcase_add_test(tc, test_next_outside_table);
	tcase_add_test(tc, test_head_outside_table);
	tcase_add_test(tc, test_avail_index_runs_ahead);
	tcase_add_test(tc, test_buffer_outside_ram);
	tcase_add_test(tc, test_readable_after_writable);
	tcase_add_test(tc, test_indirect_not_negotiated);
	tcase_add_test(tc, test_indirect_bad_length);
	tcase_add_test(tc, test_indirect_nested);
	tcase_add_test(tc, test_indirect_with_next);
	tcase_add_test(tc, test_indirect_inside_chain);
	tcase_add_test(tc, test_indirect_next_outside);
	tcase_add_test(tc, test_indirect_loop);
	tcase_add_test(tc, test_indirect_table_outside_ram);
	tcase_add_test(tc, test_over_long_chain);
	tcase_add_test(tc, test_reset_recovers_broken_queue);
	tcase_add_test(tc, test_push_wraps_used_index);
	tcase_add_test(tc, test_pop_wraps_avail_index);
	tcase_add_test(tc, test_need_event_arithmetic);
	tcase_add_test(tc, test_interrupt_flag_without_event_idx);
	tcase_add_test(tc, test_interrupt_with_event_idx);
	tcase_add_test(tc, test_notify_suppression_flags);
	tcase_add_test(tc, test_notify_avail_event);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
