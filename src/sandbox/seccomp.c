/* seccomp.c: per-role syscall allowlists, compiled once, loaded per thread (see seccomp.h). */
#include "sandbox/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* _IOC_TYPE of every KVM ioctl (linux/kvm.h: KVMIO); the request number is
 * ioctl's second argument. */
#define SANDBOX_IOCTL_TYPE_MASK 0xFF00u
#define SANDBOX_IOCTL_KVM       ((unsigned)KVMIO << 8)

struct sandbox {
	struct sock_fprog prog[SANDBOX_NROLES];
};

/* Both roles: fds they hold, locks, memory (malloc, ASan), signals (the vCPU
 * kick, vmm_kill's), time, and leaving. */
static const int common_syscalls[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(fdatasync), SCMP_SYS(fsync), SCMP_SYS(fallocate), SCMP_SYS(eventfd2),
	SCMP_SYS(io_uring_enter), SCMP_SYS(futex), SCMP_SYS(sched_yield), SCMP_SYS(getrandom),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
	SCMP_SYS(brk), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* vCPU threads also wait in ppoll (the console poll hypercall). */
static const int vcpu_syscalls[] = {
	SCMP_SYS(poll), SCMP_SYS(ppoll),
};

/* The I/O thread runs the epoll loop and changes what it watches. */
static const int io_syscalls[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(timerfd_settime), SCMP_SYS(poll), SCMP_SYS(ppoll),
};

static int sandbox_allow(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nrs[i], 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* The BPF program of ctx, through a memfd: libseccomp 2.5 exports to fds only. */
static int sandbox_export(scmp_filter_ctx ctx, struct sock_fprog *prog, struct err *e)
{
	struct stat st;
	int fd = memfd_create("vmm-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return err_errno(e, ERR_HOST, errno, "seccomp: memfd_create");
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc == 0 && fstat(fd, &st))
		rc = -errno;
	if (rc == 0 && (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) ||
			st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS))
		rc = -EINVAL;
	if (rc == 0) {
		prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		prog->filter = malloc((size_t)st.st_size);
		if (!prog->filter)
			rc = -ENOMEM;
		else if (pread(fd, prog->filter, (size_t)st.st_size, 0) != st.st_size)
			rc = -EIO;
	}
	close(fd);
	return rc ? err_errno(e, ERR_HOST, -rc, "seccomp: exporting the filter") : 0;
}

static int sandbox_build(enum sandbox_role role, struct sock_fprog *prog, struct err *e)
{
	/* Anything not listed ends the process: a compromised device model
	 * must not get to try again. */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return err_set(e, ERR_HOST, "seccomp: seccomp_init failed");
	int rc = sandbox_allow(ctx, common_syscalls, sizeof(common_syscalls) / sizeof(int));
	if (rc == 0 && role == SANDBOX_VCPU)
		rc = sandbox_allow(ctx, vcpu_syscalls, sizeof(vcpu_syscalls) / sizeof(int));
	if (rc == 0 && role == SANDBOX_IO)
		rc = sandbox_allow(ctx, io_syscalls, sizeof(io_syscalls) / sizeof(int));
	/* ioctl only on KVM requests: KVM_RUN, register access, IRQ lines,
	 * GSI routes, irqfds and ioeventfds (devices set those up on demand). */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, SANDBOX_IOCTL_TYPE_MASK,
					      SANDBOX_IOCTL_KVM));
	if (rc == 0)
		rc = sandbox_export(ctx, prog, e) ? -EIO : 0;
	else
		err_errno(e, ERR_HOST, -rc, "seccomp: adding a rule");
	seccomp_release(ctx);
	return rc ? -1 : 0;
}

int sandbox_prepare(struct sandbox **out, struct err *e)
{
	struct sandbox *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return err_set(e, ERR_HOST, "seccomp: out of memory");
	for (int r = 0; r < SANDBOX_NROLES; r++) {
		if (sandbox_build((enum sandbox_role)r, &s->prog[r], e)) {
			sandbox_free(s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

int sandbox_enter(const struct sandbox *s, enum sandbox_role role, struct err *e)
{
	/* Required for an unprivileged filter, and right anyway. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return err_errno(e, ERR_HOST, errno, "seccomp: PR_SET_NO_NEW_PRIVS");
	/* This thread only: no SECCOMP_FILTER_FLAG_TSYNC. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &s->prog[role], 0, 0))
		return err_errno(e, ERR_HOST, errno, "seccomp: loading the filter");
	return 0;
}

void sandbox_free(struct sandbox *s)
{
	if (!s)
		return;
	for (int r = 0; r < SANDBOX_NROLES; r++)
		free(s->prog[r].filter);
	free(s);
}
