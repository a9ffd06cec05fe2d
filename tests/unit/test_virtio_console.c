/* test_virtio_console.c: virtio-console's transmit path to a host pipe, and
 * its receive path from one, with input held back (not dropped) while the
 * driver has no receive buffers. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "virtio/console.h"
#include "virtio_rig.h"

struct t {
	struct vrig *r;
	struct virtio_console *c;
	int in_w;   /* the test writes host input here */
	int out_r;  /* and reads guest output here */
};

static const uint64_t features = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
				 VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE);

static struct t setup(bool driver)
{
	struct t t = { .r = rig_new() };
	struct err e = { 0 };
	int in[2], out[2];
	ck_assert_int_eq(pipe2(in, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	t.in_w = in[1];
	t.out_r = out[0];
	struct vmm_config cfg;
	vmm_config_init(&cfg);
	cfg.console_in_fd = in[0];
	cfg.console_out_fd = out[1];
	ck_assert_msg(virtio_console_create(&t.c, &cfg, &t.r->mem, &t.r->loop, &t.r->bus, &e) == 0,
		      "%s", e.msg);
	rig_map(t.r);
	rig_start(t.r);
	if (driver)
		ck_assert_uint_eq(rig_driver_init(t.r, features, 2, 16) & VIRTIO_STATUS_DRIVER_OK,
				  VIRTIO_STATUS_DRIVER_OK);
	return t;
}

static void teardown(struct t *t)
{
	rig_stop(t->r);
	close(t->c->fd.in_fd);
	close(t->c->fd.out_fd);
	virtio_console_destroy(t->c);
	rig_free(t->r);
	if (t->in_w >= 0)
		close(t->in_w);
	close(t->out_r);
}

static void read_exactly(int fd, char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		ssize_t n = read(fd, buf + got, len - got);
		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
}

/* The driver writes a line, as Linux does before input may flow. */
static void guest_says(struct t *t, const char *what)
{
	size_t n = strlen(what);
	mem_write(&t->r->mem, RIG_BUF + 0x4000, what, n);
	struct rig_buf b = { RIG_BUF + 0x4000, (uint32_t)n, false };
	rig_offer(t->r, VIRTIO_CONSOLE_TXQ, &b, 1);
	rig_kick(t->r, VIRTIO_CONSOLE_TXQ);
	char got[64];
	read_exactly(t->out_r, got, n);
}

START_TEST(test_ids_and_features)
{
	struct t t = setup(false);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_DEVICE_ID, 2), 0x1043);
	ck_assert_uint_eq(rig_cfg_rd(t.r, PCI_REVISION_ID, 4) >> 8, VIRTIO_PCI_CLASS_CONSOLE);
	uint64_t f = rig_device_features(t.r);
	ck_assert_uint_ne(f & VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE), 0);
	ck_assert_uint_eq(f & VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT), 0);
	ck_assert_uint_eq(rig_rd(t.r, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	teardown(&t);
}
END_TEST

START_TEST(test_transmit)
{
	struct t t = setup(true);
	mem_write(&t.r->mem, RIG_BUF, "hello ", 6);
	mem_write(&t.r->mem, RIG_BUF + 0x100, "world\n", 6);
	struct rig_buf b[2] = { { RIG_BUF, 6, false }, { RIG_BUF + 0x100, 6, false } };
	rig_offer(t.r, VIRTIO_CONSOLE_TXQ, b, 2);
	rig_kick(t.r, VIRTIO_CONSOLE_TXQ);
	char got[12];
	read_exactly(t.out_r, got, sizeof(got));
	ck_assert_mem_eq(got, "hello world\n", 12);
	ck_assert(rig_wait_used(t.r, VIRTIO_CONSOLE_TXQ, 1));
	ck_assert_uint_eq(rig_used_len(t.r, VIRTIO_CONSOLE_TXQ, 0), 0);
	teardown(&t);
}
END_TEST

START_TEST(test_emergency_write)
{
	struct t t = setup(true);
	rig_wr(t.r, VIRTIO_PCI_DEVICE_OFF + VIRTIO_CONSOLE_CFG_EMERG_WR, 4, '!');
	char c;
	read_exactly(t.out_r, &c, 1);
	ck_assert_int_eq(c, '!');
	teardown(&t);
}
END_TEST

/* Input typed before the guest has receive buffers, more than one buffer
 * holds: all of it arrives, in order, as buffers come. */
START_TEST(test_receive_waits_for_buffers)
{
	struct t t = setup(false);
	ck_assert_int_eq(write(t.in_w, "ping-pong", 9), 9);
	usleep(20000); /* the I/O thread reads it and finds no device ready */
	ck_assert_uint_eq(rig_driver_init(t.r, features, 2, 16) & VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
	guest_says(&t, "login: ");
	struct rig_buf small = { RIG_BUF, 4, true };
	rig_offer(t.r, VIRTIO_CONSOLE_RXQ, &small, 1);
	rig_kick(t.r, VIRTIO_CONSOLE_RXQ);
	ck_assert(rig_wait_used(t.r, VIRTIO_CONSOLE_RXQ, 1));
	ck_assert_uint_eq(rig_used_len(t.r, VIRTIO_CONSOLE_RXQ, 0), 4);
	char got[16] = { 0 };
	mem_read(&t.r->mem, RIG_BUF, got, 4);
	ck_assert_mem_eq(got, "ping", 4);
	usleep(20000);
	ck_assert_uint_eq(rig_used_idx(t.r, VIRTIO_CONSOLE_RXQ), 1); /* nowhere to put more */

	struct rig_buf big = { RIG_BUF + 0x100, 16, true };
	rig_offer(t.r, VIRTIO_CONSOLE_RXQ, &big, 1);
	rig_kick(t.r, VIRTIO_CONSOLE_RXQ);
	ck_assert(rig_wait_used(t.r, VIRTIO_CONSOLE_RXQ, 2));
	ck_assert_uint_eq(rig_used_len(t.r, VIRTIO_CONSOLE_RXQ, 1), 5);
	mem_read(&t.r->mem, RIG_BUF + 0x100, got, 5);
	ck_assert_mem_eq(got, "-pong", 5);
	ck_assert_uint_eq(t.c->rx_bytes, 9);
	teardown(&t);
}
END_TEST

/* Buffers first, input later: it arrives without another kick. */
START_TEST(test_receive_into_waiting_buffer)
{
	struct t t = setup(true);
	guest_says(&t, "$ ");
	struct rig_buf b = { RIG_BUF, 64, true };
	rig_offer(t.r, VIRTIO_CONSOLE_RXQ, &b, 1);
	rig_kick(t.r, VIRTIO_CONSOLE_RXQ);
	usleep(10000);
	ck_assert_int_eq(write(t.in_w, "abc", 3), 3);
	ck_assert(rig_wait_used(t.r, VIRTIO_CONSOLE_RXQ, 1));
	ck_assert_uint_eq(rig_used_len(t.r, VIRTIO_CONSOLE_RXQ, 0), 3);
	teardown(&t);
}
END_TEST

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The host closes its end right after typing, long before the guest has
 * buffers (echo hi | vmm ...): the input waits without the I/O thread
 * spinning on the hang-up, then arrives whole. */
START_TEST(test_receive_after_host_hangup)
{
	struct t t = setup(false);
	ck_assert_int_eq(write(t.in_w, "typed-then-gone\n", 16), 16);
	close(t.in_w);
	t.in_w = -1;
	usleep(50000);
	double before = cpu_seconds();
	usleep(300000);
	ck_assert_msg(cpu_seconds() - before < 0.1, "the I/O thread spins on the hang-up");
	ck_assert_uint_eq(rig_driver_init(t.r, features, 2, 16) & VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
	guest_says(&t, "# ");
	struct rig_buf b = { RIG_BUF, 64, true };
	rig_offer(t.r, VIRTIO_CONSOLE_RXQ, &b, 1);
	rig_kick(t.r, VIRTIO_CONSOLE_RXQ);
	ck_assert(rig_wait_used(t.r, VIRTIO_CONSOLE_RXQ, 1));
	ck_assert_uint_eq(rig_used_len(t.r, VIRTIO_CONSOLE_RXQ, 0), 16);
	char got[16];
	mem_read(&t.r->mem, RIG_BUF, got, 16);
	ck_assert_mem_eq(got, "typed-then-gone\n", 16);
	teardown(&t);
}
END_TEST

/* Receive buffers alone are not enough: Linux posts them before the port is
 * connected and would drop the bytes. Input flows once the driver wrote. */
START_TEST(test_receive_waits_for_first_transmit)
{
	struct t t = setup(true);
	ck_assert_int_eq(write(t.in_w, "early", 5), 5);
	struct rig_buf b = { RIG_BUF, 64, true };
	rig_offer(t.r, VIRTIO_CONSOLE_RXQ, &b, 1);
	rig_kick(t.r, VIRTIO_CONSOLE_RXQ);
	usleep(30000);
	ck_assert_uint_eq(rig_used_idx(t.r, VIRTIO_CONSOLE_RXQ), 0);
	guest_says(&t, "ready\n");
	ck_assert(rig_wait_used(t.r, VIRTIO_CONSOLE_RXQ, 1));
	ck_assert_uint_eq(rig_used_len(t.r, VIRTIO_CONSOLE_RXQ, 0), 5);
	char got[5];
	mem_read(&t.r->mem, RIG_BUF, got, 5);
	ck_assert_mem_eq(got, "early", 5);
	teardown(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_console");
	TCase *tc = tcase_create("console");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ids_and_features);
	tcase_add_test(tc, test_transmit);
	tcase_add_test(tc, test_emergency_write);
	tcase_add_test(tc, test_receive_waits_for_buffers);
	tcase_add_test(tc, test_receive_into_waiting_buffer);
	tcase_add_test(tc, test_receive_after_host_hangup);
	tcase_add_test(tc, test_receive_waits_for_first_transmit);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
