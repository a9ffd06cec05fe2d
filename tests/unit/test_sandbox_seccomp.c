/* test_sandbox_seccomp.c: a thread that entered its role's allowlist keeps
 * the syscalls it needs and dies of SIGSYS on any other; the filters stay on
 * the thread that entered them. Each case runs in a child process. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox/seccomp.h"

/* Run fn in a child after confining it to role; return its wait status. */
static int run_confined(enum sandbox_role role, int (*fn)(void))
{
	struct sandbox *s = NULL;
	struct err e = { 0 };
	ck_assert_msg(sandbox_prepare(&s, &e) == 0, "%s", e.msg);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (sandbox_enter(s, role, &e))
			_exit(100);
		_exit(fn());
	}
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	sandbox_free(s);
	return status;
}

/* What a device model does: write to an fd it holds, allocate, sleep. */
static int allowed_calls(void)
{
	if (write(2, "", 0) < 0)
		return 1;
	void *m = malloc(1 << 20); /* big enough for mmap */
	free(m);
	struct timespec ts = { 0, 1000 };
	return nanosleep(&ts, NULL) ? 1 : 0;
}

static int socket_call(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1;
}

static int tty_ioctl(void)
{
	struct termios t;
	ioctl(0, TCGETS, &t); /* not a KVM request */
	return 0;
}

static int epoll_create_call(void)
{
	return syscall(SYS_epoll_create1, 0) >= 0 ? 0 : 1;
}

START_TEST(test_allowed)
{
	int st = run_confined(SANDBOX_VCPU, allowed_calls);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "vCPU role: status 0x%x", st);
	st = run_confined(SANDBOX_IO, allowed_calls);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "I/O role: status 0x%x", st);
}
END_TEST

START_TEST(test_killed)
{
	int st = run_confined(SANDBOX_VCPU, socket_call);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "socket: status 0x%x", st);
	st = run_confined(SANDBOX_IO, socket_call);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "socket (I/O): status 0x%x", st);
	st = run_confined(SANDBOX_VCPU, tty_ioctl);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "TCGETS: status 0x%x", st);
	/* Per role: the I/O thread's epoll is not the vCPUs'. */
	st = run_confined(SANDBOX_VCPU, epoll_create_call);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "epoll_create1: status 0x%x", st);
}
END_TEST

struct thread_arg {
	int rc;
	struct sandbox *s;
};

static void *confine_thread(void *p)
{
	struct thread_arg *a = p;
	struct err e = { 0 };
	a->rc = sandbox_enter(a->s, SANDBOX_VCPU, &e);
	return NULL;
}

static int other_thread_unconfined(void)
{
	struct thread_arg a = { .rc = -1 };
	struct err e = { 0 };
	pthread_t t;
	if (sandbox_prepare(&a.s, &e) || pthread_create(&t, NULL, confine_thread, &a) ||
	    pthread_join(t, NULL) || a.rc)
		return 2;
	sandbox_free(a.s);
	/* This thread never entered a filter: socket() is still allowed. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return errno == EAFNOSUPPORT ? 0 : 3;
	close(fd);
	return 0;
}

START_TEST(test_per_thread)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(other_thread_unconfined());
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox_seccomp");
	TCase *tc = tcase_create("seccomp");
	tcase_add_test(tc, test_allowed);
	tcase_add_test(tc, test_killed);
	tcase_add_test(tc, test_per_thread);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
