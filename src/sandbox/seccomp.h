/* seccomp.h: syscall allowlists for a VM's threads (libseccomp).
 *
 * Once a VM is built, its threads need only a few dozen syscalls: KVM ioctls,
 * reads and writes on fds they already hold, futexes, memory for malloc,
 * io_uring, polling, signals and exit. Each role gets its own list; anything
 * else kills the whole process (SIGSYS, exit status 159), which is the point:
 * a guest that took over a device model can do no more than the device could.
 *
 * The filters are compiled to BPF once (sandbox_prepare, any thread); each
 * thread then confines itself with sandbox_enter as the first thing it does,
 * so threads of the embedding program are never affected.
 */
#ifndef VMM_SANDBOX_SECCOMP_H
#define VMM_SANDBOX_SECCOMP_H

#include "core/error.h"

enum sandbox_role {
	SANDBOX_VCPU, /* a vCPU thread: KVM_RUN, device models, hypercalls */
	SANDBOX_IO,   /* the VM's I/O thread: epoll, io_uring, console fds */
	SANDBOX_NROLES
};

struct sandbox;

int sandbox_prepare(struct sandbox **out, struct err *e);
/* Confine the calling thread (no_new_privs + the role's filter); for good. */
int sandbox_enter(const struct sandbox *s, enum sandbox_role role, struct err *e);
void sandbox_free(struct sandbox *s);

#endif
