/* test_embed_two_vms.c: the embedding API runs several VMs in one process.
 * Two guests run at once with their consoles on their own files; a third is
 * stopped with vmm_kill; a bad kernel is an error return, not an exit.
 * usage: test_embed_two_vms HELLO.elf EXITCODE.elf IDLE.elf */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/vmm.h"

#define SKIP 77

static int failures;

#define CHECK(cond, ...)                                                                \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                   \
			fputc('\n', stderr);                                            \
			failures++;                                                     \
		}                                                                       \
	} while (0)

static int temp_console(void)
{
	char path[] = "/tmp/vmm-embed-XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void read_console(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
}

static struct vmm *create(const char *kernel, const char *cmdline, int out_fd)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	struct vmm *vm = NULL;
	vmm_config_init(&cfg);
	cfg.kernel = kernel;
	cfg.cmdline = cmdline;
	cfg.mem_bytes = 64 << 20;
	cfg.console_in_fd = -1;
	cfg.console_out_fd = out_fd;
	cfg.timeout_sec = 30;
	if (vmm_create(&cfg, &vm, &err))
		fprintf(stderr, "vmm_create %s: %s\n", kernel, err.msg);
	return vm;
}

static void test_two_at_once(const char *hello, const char *exitcode)
{
	int out_a = temp_console(), out_b = temp_console();
	struct vmm *a = create(hello, "vm-a", out_a);
	struct vmm *b = create(exitcode, "code=9", out_b);
	struct vmm_result ra, rb;
	struct vmm_error err;
	CHECK(a && b, "both VMs created");
	if (!a || !b)
		return;
	CHECK(vmm_start(a, &err) == 0, "start a: %s", err.msg);
	CHECK(vmm_start(b, &err) == 0, "start b: %s", err.msg);
	vmm_wait(b, &rb);
	vmm_wait(a, &ra);
	CHECK(ra.kind == VMM_EXIT_PORT && vmm_exit_status(&ra) == 0, "a: %s %s",
	      vmm_exit_kind_name(ra.kind), ra.detail);
	CHECK(rb.kind == VMM_EXIT_PORT && vmm_exit_status(&rb) == 9, "b: %s status %d",
	      vmm_exit_kind_name(rb.kind), vmm_exit_status(&rb));
	CHECK(ra.exits_pio > 0, "a made port I/O exits");
	char buf[4096];
	read_console(out_a, buf, sizeof(buf));
	CHECK(strstr(buf, "Hello from vmm guest") && strstr(buf, "vm-a"), "a's console: %s", buf);
	read_console(out_b, buf, sizeof(buf));
	CHECK(!strstr(buf, "Hello"), "b's console has only b's output: %s", buf);
	vmm_destroy(a);
	vmm_destroy(b);
	close(out_a);
	close(out_b);
}

static void test_kill(const char *idle)
{
	struct vmm *v = create(idle, NULL, -1);
	struct vmm_result r;
	struct vmm_error err;
	CHECK(v, "idle VM created");
	if (!v)
		return;
	CHECK(vmm_start(v, &err) == 0, "start: %s", err.msg);
	usleep(100 * 1000);
	vmm_kill(v, SIGTERM);
	vmm_wait(v, &r);
	CHECK(r.kind == VMM_EXIT_KILLED && r.signal == SIGTERM, "killed: %s signal %d",
	      vmm_exit_kind_name(r.kind), r.signal);
	CHECK(vmm_exit_status(&r) == 128 + SIGTERM, "status %d", vmm_exit_status(&r));
	vmm_destroy(v);
}

static void test_bad_kernel_is_an_error(void)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	struct vmm *vm = (struct vmm *)1;
	vmm_config_init(&cfg);
	cfg.kernel = "/nonexistent/kernel";
	CHECK(vmm_create(&cfg, &vm, &err) == -1, "create fails");
	CHECK(vm == NULL, "no VM handed out");
	CHECK(err.kind == VMM_ERROR_INPUT && strstr(err.msg, "/nonexistent/kernel"), "message: %s", err.msg);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s HELLO.elf EXITCODE.elf IDLE.elf\n", argv[0]);
		return 1;
	}
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("SKIP: cannot open /dev/kvm read-write\n");
		return SKIP;
	}
	close(kvm);
	test_bad_kernel_is_an_error();
	test_two_at_once(argv[1], argv[2]);
	test_kill(argv[3]);
	/* Twice more: teardown must leave nothing behind that breaks the next VM. */
	test_two_at_once(argv[1], argv[2]);
	if (failures)
		return 1;
	printf("PASS: embedding API\n");
	return 0;
}
