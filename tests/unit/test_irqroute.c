/* test_irqroute.c: the GSI routing table, argument checks, and (when /dev/kvm opens) MSI delivery through an irqfd. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/irqroute.h"

static int null_fd = -1;

/* fd < 0: a VM fd that is no VM (/dev/null), for tests that never reach KVM. */
static struct irqroute *route_new(int fd)
{
	if (fd < 0) {
		if (null_fd < 0)
			null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		ck_assert_int_ge(null_fd, 0);
		fd = null_fd;
	}
	struct irqroute *r = malloc(sizeof(*r));
	struct err e = { 0 };
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(irqroute_init(r, fd, &e), 0);
	return r;
}

static void route_free(struct irqroute *r)
{
	irqroute_destroy(r);
	free(r);
}

static const struct kvm_irq_routing_entry *find(const struct kvm_irq_routing_entry *t, unsigned n,
						unsigned gsi, unsigned chip)
{
	for (unsigned i = 0; i < n; i++)
		if (t[i].gsi == gsi && t[i].type == KVM_IRQ_ROUTING_IRQCHIP && t[i].u.irqchip.irqchip == chip)
			return &t[i];
	return NULL;
}

START_TEST(test_default_table_matches_kvm)
{
	struct irqroute *r = route_new(-1);
	struct kvm_irq_routing_entry t[IRQROUTE_MAX_ROUTES];
	unsigned n = irqroute_table(r, t, IRQROUTE_MAX_ROUTES);
	ck_assert_uint_eq(n, IRQROUTE_DEFAULT_ROUTES);
	ck_assert_uint_eq(n, 40);
	for (unsigned gsi = 0; gsi < 24; gsi++) {
		const struct kvm_irq_routing_entry *io = find(t, n, gsi, KVM_IRQCHIP_IOAPIC);
		ck_assert_ptr_nonnull(io);
		ck_assert_uint_eq(io->u.irqchip.pin, gsi);
		const struct kvm_irq_routing_entry *m = find(t, n, gsi, KVM_IRQCHIP_PIC_MASTER);
		const struct kvm_irq_routing_entry *s = find(t, n, gsi, KVM_IRQCHIP_PIC_SLAVE);
		if (gsi < 8) {
			ck_assert_ptr_nonnull(m);
			ck_assert_ptr_null(s);
			ck_assert_uint_eq(m->u.irqchip.pin, gsi);
		} else if (gsi < 16) {
			ck_assert_ptr_null(m);
			ck_assert_ptr_nonnull(s);
			ck_assert_uint_eq(s->u.irqchip.pin, gsi - 8);
		} else {
			ck_assert_ptr_null(m);
			ck_assert_ptr_null(s);
		}
	}
	/* The kernel's own order: IOAPIC entry, then the PIC entry, per GSI. */
	ck_assert_uint_eq(t[0].u.irqchip.irqchip, KVM_IRQCHIP_IOAPIC);
	ck_assert_uint_eq(t[1].u.irqchip.irqchip, KVM_IRQCHIP_PIC_MASTER);
	ck_assert_uint_eq(t[39].gsi, 23);
	route_free(r);
}
END_TEST

START_TEST(test_valid_msi_routes_are_listed)
{
	struct irqroute *r = route_new(-1);
	/* As irqroute_msi_alloc/_set leave them (no KVM here). */
	r->msi[0] = (struct irqroute_msi){ .used = true, .valid = true, .addr = 0x1FEE01000ULL, .data = 0x4041, .irqfd = -1 };
	r->msi[1] = (struct irqroute_msi){ .used = true, .valid = false, .irqfd = -1 };
	r->msi[5] = (struct irqroute_msi){ .used = true, .valid = true, .addr = 0xFEE00000, .data = 0x30, .irqfd = -1 };
	struct kvm_irq_routing_entry t[IRQROUTE_MAX_ROUTES];
	unsigned n = irqroute_table(r, t, IRQROUTE_MAX_ROUTES);
	ck_assert_uint_eq(n, IRQROUTE_DEFAULT_ROUTES + 2);
	const struct kvm_irq_routing_entry *a = &t[IRQROUTE_DEFAULT_ROUTES];
	ck_assert_uint_eq(a->gsi, IRQROUTE_MSI_BASE);
	ck_assert_uint_eq(a->type, KVM_IRQ_ROUTING_MSI);
	ck_assert_uint_eq(a->u.msi.address_lo, 0xFEE01000);
	ck_assert_uint_eq(a->u.msi.address_hi, 1);
	ck_assert_uint_eq(a->u.msi.data, 0x4041);
	ck_assert_uint_eq(a[1].gsi, IRQROUTE_MSI_BASE + 5);
	/* A short buffer still reports the full count without overrunning. */
	struct kvm_irq_routing_entry small[4];
	ck_assert_uint_eq(irqroute_table(r, small, 4), IRQROUTE_DEFAULT_ROUTES + 2);
	route_free(r);
}
END_TEST

START_TEST(test_argument_checks)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	struct irqroute *r = route_new(fd);
	ck_assert_int_eq(irqroute_msi_set(r, 23, true, 0xFEE00000, 0), -EINVAL);
	ck_assert_int_eq(irqroute_msi_set(r, IRQROUTE_MSI_BASE + IRQROUTE_MAX_MSI, true, 0, 0), -EINVAL);
	ck_assert_int_eq(irqroute_msi_set(r, IRQROUTE_MSI_BASE, true, 0xFEE00000, 0), -ENOENT);
	/* Not a VM fd: the irqfd ioctl fails, the error says so, nothing is kept. */
	struct err e = { 0 };
	int efd = -1;
	ck_assert_int_eq(irqroute_msi_alloc(r, &efd, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "KVM_IRQFD"));
	ck_assert_int_eq(efd, -1);
	ck_assert(!r->msi[0].used);

	ck_assert_int_eq(irqroute_ioeventfd(fd, 3, 0x1000, 3, true, true), -EINVAL);
	ck_assert_int_eq(irqroute_ioeventfd(fd, 3, 0x1000, 0, true, true), -EINVAL);
	ck_assert_int_eq(irqroute_ioeventfd(fd, -1, 0x1000, 2, true, true), -EINVAL);
	ck_assert_int_eq(irqroute_ioeventfd(fd, 3, 0xFFFF, 2, true, true), -EINVAL);
	ck_assert_int_eq(irqroute_ioeventfd(fd, 3, 0x10000, 1, true, true), -EINVAL);
	ck_assert_int_eq(irqroute_ioeventfd(fd, 3, 0xFFFE, 2, true, true), -ENOTTY); /* reached the ioctl */
	route_free(r);
	close(fd);
}
END_TEST

START_TEST(test_destroy_uninitialised_is_noop)
{
	struct irqroute r;
	struct err e = { 0 };
	memset(&r, 0, sizeof(r));
	r.vm_fd = -1;
	irqroute_destroy(&r);
	ck_assert_int_eq(irqroute_init(&r, -1, &e), -1);
	irqroute_destroy(&r);
	irqroute_destroy(&r);
}
END_TEST

/* ---- with KVM ------------------------------------------------------------ */

#define TEST_VECTOR  0x41
#define APIC_SVR     0xF0
#define APIC_SVR_ENABLE 0x100
#define APIC_IRR     0x200

static bool irr_has(int vcpu, unsigned vector)
{
	struct kvm_lapic_state s;
	ck_assert_int_eq(ioctl(vcpu, KVM_GET_LAPIC, &s), 0);
	uint32_t word;
	memcpy(&word, &s.regs[APIC_IRR + 0x10 * (vector / 32)], sizeof(word));
	return word & (1u << (vector % 32));
}

/* An MSI route + irqfd, end to end: writing the eventfd sets the vector in the
 * target vCPU's LAPIC, with no vCPU running. */
START_TEST(test_kvm_msi_through_irqfd)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("test_irqroute: no usable /dev/kvm (%s): KVM checks skipped\n", strerror(errno));
		return;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ck_assert_int_ge(vm, 0);
	ck_assert_int_eq(ioctl(vm, KVM_CREATE_IRQCHIP, 0), 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	ck_assert_int_ge(vcpu, 0);
	/* Software-enable the LAPIC, or fixed interrupts are dropped. */
	struct kvm_lapic_state s;
	ck_assert_int_eq(ioctl(vcpu, KVM_GET_LAPIC, &s), 0);
	uint32_t svr = APIC_SVR_ENABLE | 0xFF;
	memcpy(&s.regs[APIC_SVR], &svr, sizeof(svr));
	ck_assert_int_eq(ioctl(vcpu, KVM_SET_LAPIC, &s), 0);

	struct irqroute *r = route_new(vm);
	struct err e = { 0 };
	int efd[2];
	int gsi = irqroute_msi_alloc(r, &efd[0], &e);
	ck_assert_msg(gsi == IRQROUTE_MSI_BASE, "%s", e.msg);
	ck_assert_int_eq(irqroute_msi_alloc(r, &efd[1], &e), IRQROUTE_MSI_BASE + 1);
	/* Physical destination APIC ID 0, fixed delivery, edge (Intel SDM 11.11). */
	ck_assert_int_eq(irqroute_msi_set(r, gsi, true, 0xFEE00000, TEST_VECTOR), 0);
	ck_assert_int_eq(irqroute_msi_set(r, gsi + 1, false, 0, 0), 0);
	ck_assert(!irr_has(vcpu, TEST_VECTOR));

	uint64_t one = 1;
	ck_assert_int_eq(write(efd[0], &one, sizeof(one)), sizeof(one));
	/* Injection may go through a kernel work item: allow it a moment. */
	bool seen = false;
	for (int i = 0; i < 200 && !seen; i++) {
		seen = irr_has(vcpu, TEST_VECTOR);
		if (!seen)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	ck_assert_msg(seen, "MSI vector 0x%x not in the LAPIC IRR", TEST_VECTOR);

	/* A masked (invalid) route delivers nothing. */
	ck_assert_int_eq(write(efd[1], &one, sizeof(one)), sizeof(one));

	/* PIO ioeventfd without datamatch: assign, deassign, deassign again. */
	int io = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(io, 0);
	ck_assert_int_eq(irqroute_ioeventfd(vm, io, 0x6000, 2, true, true), 0);
	ck_assert_int_eq(irqroute_ioeventfd(vm, io, 0x6000, 2, true, false), 0);
	ck_assert_int_ne(irqroute_ioeventfd(vm, io, 0x6000, 2, true, false), 0);
	ck_assert_int_eq(irqroute_ioeventfd(vm, io, 0xD0000000ULL, 4, false, true), 0);
	close(io);

	route_free(r);
	close(vcpu);
	close(vm);
	close(kvm);
}
END_TEST

static Suite *irqroute_suite(void)
{
	Suite *s = suite_create("irqroute");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, test_default_table_matches_kvm);
	tcase_add_test(tc, test_valid_msi_routes_are_listed);
	tcase_add_test(tc, test_argument_checks);
	tcase_add_test(tc, test_destroy_uninitialised_is_noop);
	suite_add_tcase(s, tc);
	TCase *kvm = tcase_create("kvm");
	tcase_set_timeout(kvm, 30);
	tcase_add_test(kvm, test_kvm_msi_through_irqfd);
	suite_add_tcase(s, kvm);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(irqroute_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
