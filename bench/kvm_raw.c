/* kvm_raw.c: the floors vmm's hypercall numbers are compared with, as bare
 * KVM ioctls with nothing else around them (bench/hypercall.sh runs it).
 *
 *   kvm_raw start         create a VM with 64 KiB of RAM and one vCPU in
 *                         real mode, run three instructions (the last an
 *                         `out` to 0xF4), exit: the least a VMM process can
 *                         do to run anything.
 *   kvm_raw loop N [cpl0] run a guest that does N+1 4-byte `out`s to port
 *                         VMM_HC_BASE in a loop, in 64-bit mode at CPL3
 *                         (as the hypercall runtime's applications run) or
 *                         CPL0; each one exits to this loop, which only
 *                         counts it. Prints the host-clock time between the
 *                         first and the last exit over N: one round trip
 *                         measured the way examples/hcbench measures a
 *                         no-op hypercall.
 *
 * The 64-bit guest starts at CPL0 and reaches CPL3 the way the runtime does,
 * with iretq, on a 2 MiB user page at 0, with a TSS whose I/O bitmap allows
 * every port: PVM hosts lose IOPL 3 at CPL3 and fall back to that bitmap
 * (tests/guests/README.md). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/hypercall.h"

#define PORT_EXIT 0xF4
#define RAM_SIZE  (2u << 20)
/* Guest-physical layout of the 64-bit guest. */
#define GPA_PML4  0x1000
#define GPA_PDPT  0x2000
#define GPA_PD    0x3000
#define GPA_TSS   0x4000 /* 0x68 bytes, then an 8 KiB I/O bitmap and its 0xff end */
#define GPA_CODE  0x8000
#define GPA_STACK 0x10000

struct raw_vm {
	int kvm, vm, cpu;
	uint8_t *ram;
	struct kvm_run *run;
};

static void die(const char *what)
{
	fprintf(stderr, "kvm_raw: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void raw_create(struct raw_vm *r, size_t ram_size)
{
	r->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (r->kvm < 0)
		die("/dev/kvm");
	r->vm = ioctl(r->kvm, KVM_CREATE_VM, 0);
	if (r->vm < 0)
		die("KVM_CREATE_VM");
	r->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->ram == MAP_FAILED)
		die("mmap");
	struct kvm_userspace_memory_region slot = {
		.memory_size = ram_size, .userspace_addr = (uintptr_t)r->ram,
	};
	if (ioctl(r->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
	r->cpu = ioctl(r->vm, KVM_CREATE_VCPU, 0);
	if (r->cpu < 0)
		die("KVM_CREATE_VCPU");
	int size = ioctl(r->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	r->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, r->cpu, 0);
	if (r->run == MAP_FAILED)
		die("mmap kvm_run");
}

/* Real mode at 0x1000: mov $0, %al; out %al, $0xf4; hlt. */
static void raw_setup_realmode(struct raw_vm *r)
{
	static const uint8_t code[] = { 0xb0, 0x00, 0xe6, PORT_EXIT, 0xf4 };
	struct kvm_sregs s;
	memcpy(r->ram + 0x1000, code, sizeof(code));
	if (ioctl(r->cpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(r->cpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	if (ioctl(r->cpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
}

/* KVM refuses EFER.LME unless the vCPU's CPUID has long mode. */
static void raw_set_cpuid(struct raw_vm *r)
{
	unsigned n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		die("calloc");
	c->nent = n;
	if (ioctl(r->kvm, KVM_GET_SUPPORTED_CPUID, c) || ioctl(r->cpu, KVM_SET_CPUID2, c))
		die("CPUID");
	free(c);
}

static struct kvm_segment raw_seg(uint16_t sel, uint8_t type, int code)
{
	return (struct kvm_segment){
		.selector = sel, .limit = 0xffffffff, .type = type, .present = 1,
		.s = 1, .l = (uint8_t)code, .db = (uint8_t)!code, .g = 1,
	};
}

/* The loop: 1: outl %eax, %dx ; dec %rcx ; jnz 1b ; mov $0xf4, %dx ;
 * outl %eax, %dx ; hlt */
static const uint8_t loop_code[] = {
	0xef, 0x48, 0xff, 0xc9, 0x75, 0xfa, 0x66, 0xba, PORT_EXIT, 0x00, 0xef, 0xf4,
};

/* To CPL3 as the runtime gets there (examples/runtime/start.S): iretq from
 * CPL0. push $0x23 (user SS); push $GPA_STACK; push $0x3002 (RFLAGS, IOPL 3);
 * push $0x1b (user CS); push $GPA_LOOP; iretq. */
static const uint8_t to_user_code[] = {
	0x6a, 0x23, 0x68, 0x00, 0x00, 0x01, 0x00, 0x68, 0x02, 0x30, 0x00, 0x00,
	0x6a, 0x1b, 0x68, 0x00, 0x90, 0x00, 0x00, 0x48, 0xcf,
};
#define GPA_GDT  0x5000
#define GPA_LOOP 0x9000

/* GDT: 0x08 kernel code, 0x10 kernel data, 0x18 user code, 0x20 user data
 * (the runtime's descriptors), 0x28 the TSS. */
static void raw_write_gdt(struct raw_vm *r)
{
	uint64_t gdt[7] = { 0, 0x00af9a000000ffff, 0x00cf92000000ffff, 0x00affa000000ffff,
			    0x00cff2000000ffff };
	uint64_t base = GPA_TSS, limit = 0x68 + 8192;
	gdt[5] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x8bULL << 40 | /* busy TSS */
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[6] = base >> 32;
	memcpy(r->ram + GPA_GDT, gdt, sizeof(gdt));
}

static void raw_setup_longmode(struct raw_vm *r, int cpl, uint64_t count)
{
	uint64_t *pml4 = (uint64_t *)(r->ram + GPA_PML4), *pdpt = (uint64_t *)(r->ram + GPA_PDPT);
	uint64_t *pd = (uint64_t *)(r->ram + GPA_PD);
	pml4[0] = GPA_PDPT | 0x7; /* present, writable, user */
	pdpt[0] = GPA_PD | 0x7;
	pd[0] = 0x87;             /* and a 2 MiB page */
	uint8_t *tss = r->ram + GPA_TSS;
	uint16_t iomap = 0x68;
	memcpy(tss + 0x66, &iomap, 2);
	tss[0x68 + 8192] = 0xff; /* the bitmap between is all zeros: every port allowed */
	raw_write_gdt(r);
	memcpy(r->ram + GPA_CODE, to_user_code, sizeof(to_user_code));
	memcpy(r->ram + GPA_LOOP, loop_code, sizeof(loop_code));
	raw_set_cpuid(r);

	struct kvm_sregs s;
	if (ioctl(r->cpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs = raw_seg(0x08, 11, 1);
	s.ds = s.es = s.fs = s.gs = s.ss = raw_seg(0x10, 3, 0);
	s.tr = (struct kvm_segment){ .selector = 0x28, .base = GPA_TSS, .limit = 0x68 + 8192,
				     .type = 11, .present = 1 };
	s.gdt.base = GPA_GDT;
	s.gdt.limit = 7 * 8 - 1;
	s.cr0 = 0x80000011; /* PG, ET, PE */
	s.cr3 = GPA_PML4;
	s.cr4 = 0x20;       /* PAE */
	s.efer = 0x500;     /* LME, LMA */
	if (ioctl(r->cpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
	struct kvm_regs regs = {
		.rip = cpl ? GPA_CODE : GPA_LOOP, .rsp = GPA_STACK, .rflags = 0x3002, /* IOPL 3 */
		.rcx = count, .rdx = VMM_HC_BASE, .rax = 0x1000,
	};
	if (ioctl(r->cpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
}

/* Run until the exit port; count OUTs to VMM_HC_BASE and stamp the first
 * and the last. Returns the exit port's value. */
static int raw_run(struct raw_vm *r, uint64_t *outs, uint64_t *first, uint64_t *last)
{
	for (;;) {
		if (ioctl(r->cpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (r->run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvm_raw: unexpected exit %u\n", r->run->exit_reason);
			exit(1);
		}
		if (r->run->io.port == PORT_EXIT)
			return ((uint8_t *)r->run)[r->run->io.data_offset];
		uint64_t t = now_ns();
		if ((*outs)++ == 0)
			*first = t;
		*last = t;
	}
}

int main(int argc, char **argv)
{
	struct raw_vm r;
	uint64_t outs = 0, first = 0, last = 0;
	if (argc >= 2 && !strcmp(argv[1], "start")) {
		raw_create(&r, 64 * 1024);
		raw_setup_realmode(&r);
		return raw_run(&r, &outs, &first, &last);
	}
	if (argc >= 3 && !strcmp(argv[1], "loop")) {
		uint64_t n = strtoull(argv[2], NULL, 0);
		int cpl = argc >= 4 && !strcmp(argv[3], "cpl0") ? 0 : 3;
		if (n < 1) {
			fprintf(stderr, "kvm_raw: loop needs N >= 1\n");
			return 2;
		}
		raw_create(&r, RAM_SIZE);
		raw_setup_longmode(&r, cpl, n + 1);
		raw_run(&r, &outs, &first, &last);
		if (outs != n + 1) {
			fprintf(stderr, "kvm_raw: %llu exits, expected %llu\n", (unsigned long long)outs,
				(unsigned long long)n + 1);
			return 1;
		}
		printf("kvm_raw: out exit %llu ns per round trip (%llu round trips, cpl %d)\n",
		       (unsigned long long)((last - first) / n), (unsigned long long)n, cpl);
		return 0;
	}
	fprintf(stderr, "usage: kvm_raw start | kvm_raw loop N [cpl0]\n");
	return 2;
}
