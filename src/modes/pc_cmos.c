/* pc_cmos.c: the CMOS RTC at 0x70/0x71 with the NVRAM a PC BIOS leaves behind,
 * its interrupt on IRQ 8 and the I/O thread's timer that drives it. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/vm.h"
#include "devices/cmos.h"
#include "modes/mode.h"
#include "modes/pc_layout.h"

/* The device asks for a timer (cmos_timer_poll's answer); only the I/O
 * thread arms it: vCPU threads, which change what the device wants, kick
 * the I/O thread through an eventfd (the sandbox lets them write to one,
 * not set a timer). */
struct pc_cmos {
	struct cmos rtc;
	bool rtc_ready;
	int timer_fd;
	int kick_efd;
};

static void pc_cmos_free(void *opaque)
{
	struct pc_cmos *p = opaque;
	if (p->rtc_ready)
		cmos_destroy(&p->rtc);
	if (p->timer_fd >= 0)
		close(p->timer_fd);
	if (p->kick_efd >= 0)
		close(p->kick_efd);
	free(p);
}

static void pc_cmos_kick(void *opaque)
{
	struct pc_cmos *p = opaque;
	uint64_t one = 1;
	ssize_t w = write(p->kick_efd, &one, sizeof(one));
	(void)w; /* EAGAIN: a kick is already pending */
}

/* I/O thread: the timer fired or a vCPU kicked. */
static void pc_cmos_on_event(void *opaque, uint32_t events)
{
	struct pc_cmos *p = opaque;
	uint64_t n;
	(void)events;
	if (read(p->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	if (read(p->kick_efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	int64_t ns = cmos_timer_poll(&p->rtc);
	struct itimerspec its = { 0 }; /* CMOS_NO_TIMER: disarmed */
	if (ns != CMOS_NO_TIMER) {
		its.it_value.tv_sec = (time_t)(ns / 1000000000);
		its.it_value.tv_nsec = (long)(ns % 1000000000);
	}
	timerfd_settime(p->timer_fd, 0, &its, NULL);
}

static int pc_cmos_wire(struct vm *vm, struct pc_cmos *p, struct err *e)
{
	p->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (p->timer_fd < 0)
		return err_errno(e, ERR_HOST, errno, "CMOS timerfd_create");
	p->kick_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->kick_efd < 0)
		return err_errno(e, ERR_HOST, errno, "CMOS eventfd");
	if (evloop_add(&vm->loop, p->timer_fd, EPOLLIN, pc_cmos_on_event, p, e) ||
	    evloop_add(&vm->loop, p->kick_efd, EPOLLIN, pc_cmos_on_event, p, e))
		return -1;
	struct irq_line irq = { .set = vm_irq_set, .ctx = vm, .gsi = PC_RTC_IRQ };
	cmos_set_irq(&p->rtc, &irq, pc_cmos_kick, p);
	return 0;
}

int pc_cmos_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	struct pc_cmos *p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ERR_HOST, "out of memory");
	p->timer_fd = p->kick_efd = -1;
	int rc = cmos_init(&p->rtc, NULL, NULL);
	if (rc) {
		free(p);
		return err_errno(e, ERR_HOST, -rc, "CMOS lock");
	}
	p->rtc_ready = true;
	if (vm_on_teardown(vm, pc_cmos_free, p, e)) {
		pc_cmos_free(p);
		return -1;
	}
	if (pc_cmos_wire(vm, p, e))
		return -1;
	uint64_t low = vm->mem.regions[0].size;
	struct cmos_pc_info info = {
		.ram_below_4g = low,
		.ram_above_4g = vm->mem.ram_size - low,
		.cpus = cfg->cpus,
	};
	cmos_fill_pc(&p->rtc, &info);
	return vm_add_pio(vm, CMOS_PORT_BASE, CMOS_PORTS, &cmos_ops, &p->rtc, "CMOS RTC", e);
}
