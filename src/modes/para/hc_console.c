/* hc_console.c: console write and read, and poll (block the vCPU until
 * console input, a deadline or the VM's stop). */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "modes/para/hypercall.h"

static int32_t hc_console_write(struct hypercall *h, void *args)
{
	struct vmm_hc_console *a = args;
	a->count = 0;
	if (a->flags || a->len > VMM_HC_CONSOLE_MAX)
		return VMM_HC_EINVAL;
	if (a->len == 0)
		return VMM_HC_OK;
	/* Straight from guest RAM: the bytes are only passed on, never
	 * interpreted, so a guest rewriting them meanwhile only garbles its own
	 * output. */
	const uint8_t *src = hc_guest_buf(h, a->buf, a->len);
	if (!src)
		return VMM_HC_EFAULT;
	pthread_mutex_lock(&h->out_lock);
	console_sink_write(&h->env.out, src, a->len);
	pthread_mutex_unlock(&h->out_lock);
	a->count = a->len;
	return VMM_HC_OK;
}

/* in_lock held. Is input (or its end) there now? Never blocks. */
static bool hc_input_ready(struct hypercall *h)
{
	if (h->env.in_fd < 0)
		h->in_eof = true;
	if (h->in_eof)
		return true;
	struct pollfd p = { .fd = h->env.in_fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1; /* POLLIN, or POLLHUP/POLLERR/POLLNVAL: read says which */
}

/* in_lock held. Read what is there without waiting: only after poll said so,
 * since the fd (stdin, say) may be in blocking mode and is not ours to change. */
static uint64_t hc_input_take(struct hypercall *h, uint8_t *dst, uint64_t len)
{
	if (!hc_input_ready(h) || h->in_eof)
		return 0;
	ssize_t n = read(h->env.in_fd, dst, len);
	if (n > 0)
		return (uint64_t)n;
	if (n == 0 || (errno != EINTR && errno != EAGAIN))
		h->in_eof = true;
	return 0;
}

static int32_t hc_console_read(struct hypercall *h, void *args)
{
	struct vmm_hc_console *a = args;
	uint8_t *dst = NULL;
	a->count = 0;
	a->flags = 0;
	if (a->len > VMM_HC_CONSOLE_MAX)
		return VMM_HC_EINVAL;
	if (a->len > 0 && !(dst = hc_guest_buf(h, a->buf, a->len)))
		return VMM_HC_EFAULT;
	pthread_mutex_lock(&h->in_lock);
	if (dst)
		a->count = hc_input_take(h, dst, a->len);
	else
		hc_input_ready(h);
	if (h->in_eof && a->count == 0)
		a->flags = VMM_HC_CONSOLE_EOF;
	pthread_mutex_unlock(&h->in_lock);
	return VMM_HC_OK;
}

/* How long ppoll may sleep before the deadline (NULL: no deadline). */
static struct timespec *hc_poll_timeout(const struct hypercall *h, uint64_t deadline,
					struct timespec *ts)
{
	if (deadline == VMM_HC_POLL_FOREVER)
		return NULL;
	uint64_t now = hc_now_ns(h);
	uint64_t left = deadline > now ? deadline - now : 0;
	ts->tv_sec = (time_t)(left / 1000000000u);
	ts->tv_nsec = (long)(left % 1000000000u);
	return ts;
}

/* Sleep in ppoll on the stop eventfd and the console input. The vCPU kick
 * signal is unblocked on vCPU threads, so a stop also ends the wait with
 * EINTR; the stop eventfd covers a stop that came just before ppoll. */
static int32_t hc_poll(struct hypercall *h, void *args)
{
	struct vmm_hc_poll *a = args;
	a->ready = 0;
	if (a->reserved || (a->events & ~VMM_HC_EV_ALL))
		return VMM_HC_EINVAL;
	for (;;) {
		struct pollfd fds[2];
		struct timespec ts;
		nfds_t n = 0;
		if (a->events & VMM_HC_EV_CONSOLE_IN) {
			pthread_mutex_lock(&h->in_lock);
			bool ready = hc_input_ready(h);
			pthread_mutex_unlock(&h->in_lock);
			if (ready) {
				a->ready = VMM_HC_EV_CONSOLE_IN;
				return VMM_HC_OK;
			}
			fds[n++] = (struct pollfd){ .fd = h->env.in_fd, .events = POLLIN };
		}
		if (h->env.stop_fd >= 0)
			fds[n++] = (struct pollfd){ .fd = h->env.stop_fd, .events = POLLIN };
		int r = ppoll(fds, n, hc_poll_timeout(h, a->deadline_ns, &ts), NULL);
		if (r < 0 && errno == EINTR)
			continue; /* the stop eventfd is readable by now, or it was no stop */
		if (r < 0)
			return VMM_HC_EIO;
		if (r == 0)
			return VMM_HC_OK; /* the deadline */
		if (h->env.stop_fd >= 0 && fds[n - 1].revents)
			return VMM_HC_OK; /* the VM is stopping: this vCPU will not resume */
		/* Input (or its end): the next round reports it. */
	}
}

int hc_register_console(struct hypercall *h)
{
	return hypercall_register(h, VMM_HC_CONSOLE_WRITE, "console_write",
				  sizeof(struct vmm_hc_console), hc_console_write) ||
	       hypercall_register(h, VMM_HC_CONSOLE_READ, "console_read",
				  sizeof(struct vmm_hc_console), hc_console_read) ||
	       hypercall_register(h, VMM_HC_POLL, "poll", sizeof(struct vmm_hc_poll), hc_poll) ?
		       -1 :
		       0;
}
