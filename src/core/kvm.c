/* kvm.c: open /dev/kvm and check what vmm relies on before any VM exists. */
#include "core/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct kvm_cap_need {
	int cap;
	const char *name;
};

/* Everything the core and the later device layers use unconditionally. */
static const struct kvm_cap_need kvm_caps_needed[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	{ KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
};

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	int rc;
	do
		rc = ioctl(fd, req, arg);
	while (rc < 0 && errno == EINTR);
	return rc;
}

int kvm_sys_open(struct kvm_sys *k, struct err *e)
{
	k->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	k->host_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
	k->has_emulation_exit = false;
	if (k->fd < 0)
		return err_errno(e, ERR_HOST, errno, "/dev/kvm");
	int version = ioctl(k->fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		kvm_sys_close(k);
		return err_set(e, ERR_HOST, "/dev/kvm: API version %d, vmm needs %d", version,
			       KVM_API_VERSION);
	}
	for (size_t i = 0; i < sizeof(kvm_caps_needed) / sizeof(kvm_caps_needed[0]); i++) {
		if (ioctl(k->fd, KVM_CHECK_EXTENSION, kvm_caps_needed[i].cap) <= 0) {
			kvm_sys_close(k);
			return err_set(e, ERR_HOST, "/dev/kvm lacks %s", kvm_caps_needed[i].name);
		}
	}
	int size = ioctl(k->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		kvm_sys_close(k);
		return err_set(e, ERR_HOST, "/dev/kvm: bad vCPU mmap size %d", size);
	}
	k->run_size = (size_t)size;
	return 0;
}

void kvm_sys_close(struct kvm_sys *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

struct kvm_cpuid2 *kvm_supported_cpuid(const struct kvm_sys *k, struct err *e)
{
	/* Grow until the kernel stops saying E2BIG. Start big enough for
	 * today's hosts (75 entries here): the kernel fills the table before it
	 * says E2BIG, and its CPUID instructions are slow when nested (~0.3 ms). */
	for (unsigned n = 256; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c) {
			err_set(e, ERR_HOST, "out of memory for CPUID");
			return NULL;
		}
		c->nent = n;
		if (kvm_ioctl(k->fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		int saved = errno;
		free(c);
		if (saved != E2BIG) {
			err_errno(e, ERR_HOST, saved, "KVM_GET_SUPPORTED_CPUID");
			return NULL;
		}
	}
	err_set(e, ERR_HOST, "KVM_GET_SUPPORTED_CPUID: table too large");
	return NULL;
}
