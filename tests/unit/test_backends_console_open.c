/* test_backends_console_open.c: the console backend a vmm_config asks for:
 * stdio fds, a created file with no input, nothing, or the output callback. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/console_fd.h"

struct captured {
	char buf[64];
	size_t len;
	unsigned calls;
};

static void capture(void *opaque, const char *buf, size_t len)
{
	struct captured *c = opaque;
	if (c->len + len < sizeof(c->buf)) {
		memcpy(c->buf + c->len, buf, len);
		c->len += len;
	}
	c->calls++;
}

static void sink_write(struct console_fd *c, const char *s)
{
	struct console_sink sink = console_fd_sink(c);
	console_sink_write(&sink, (const uint8_t *)s, strlen(s));
}

START_TEST(test_callback)
{
	struct vmm_config cfg;
	struct console_fd c;
	struct err e = { 0 };
	struct captured got = { 0 };
	vmm_config_init(&cfg);
	cfg.console_output = VMM_CONSOLE_OUT_CALLBACK;
	cfg.console_cb = capture;
	cfg.console_cb_opaque = &got;
	cfg.console_in_fd = -1;
	ck_assert_int_eq(console_fd_open(&c, &cfg, &e), 0);
	sink_write(&c, "hello ");
	sink_write(&c, "guest");
	ck_assert_uint_eq(got.calls, 2);
	ck_assert_str_eq(got.buf, "hello guest");
	ck_assert_int_eq(c.in_fd, -1);
	console_fd_destroy(&c);
	cfg.console_cb = NULL;
	ck_assert_int_eq(console_fd_open(&c, &cfg, &e), -1);
}
END_TEST

START_TEST(test_file_and_none)
{
	char dir[] = "/tmp/vmm-console-XXXXXX", path[64], buf[32] = "";
	struct vmm_config cfg;
	struct console_fd c;
	struct err e = { 0 };
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/console.log", dir);
	vmm_config_init(&cfg);
	cfg.console_output = VMM_CONSOLE_OUT_FILE;
	cfg.console_file = path;
	ck_assert_int_eq(console_fd_open(&c, &cfg, &e), 0);
	ck_assert_int_eq(c.in_fd, -1); /* a file console takes no input */
	sink_write(&c, "to the file\n");
	console_fd_destroy(&c); /* closes the file it opened */
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 12);
	close(fd);
	ck_assert_str_eq(buf, "to the file\n");
	unlink(path);
	rmdir(dir);
	cfg.console_file = "/no/such/dir/console.log";
	ck_assert_int_eq(console_fd_open(&c, &cfg, &e), -1);
	ck_assert_int_eq(e.kind, ERR_INPUT);

	cfg.console_output = VMM_CONSOLE_OUT_NONE;
	ck_assert_int_eq(console_fd_open(&c, &cfg, &e), 0);
	ck_assert_int_eq(c.in_fd, -1);
	ck_assert_int_eq(c.out_fd, -1);
	sink_write(&c, "dropped");
	console_fd_destroy(&c);

	cfg.console_output = VMM_CONSOLE_OUT_STDIO;
	cfg.console_in_fd = 5;
	cfg.console_out_fd = 6;
	ck_assert_int_eq(console_fd_open(&c, &cfg, &e), 0);
	ck_assert_int_eq(c.in_fd, 5);
	ck_assert_int_eq(c.out_fd, 6);
	ck_assert(!c.own_out_fd);
	console_fd_destroy(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backends_console_open");
	TCase *tc = tcase_create("console");
	tcase_add_test(tc, test_callback);
	tcase_add_test(tc, test_file_and_none);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
