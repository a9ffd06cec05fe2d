/* console_fd.c: guest console <-> host fds with flow control toward the device. */
#include "backends/console_fd.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int console_fd_init(struct console_fd *c, int in_fd, int out_fd, struct err *e)
{
	*c = (struct console_fd){ .in_fd = in_fd, .out_fd = out_fd, .room_efd = -1 };
	c->room_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->room_efd < 0)
		return err_errno(e, ERR_HOST, errno, "eventfd");
	return 0;
}

static void console_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct console_fd *c = ctx;
	if (c->out_cb) {
		c->out_cb(c->out_cb_opaque, (const char *)buf, len);
		return;
	}
	while (len > 0 && c->out_fd >= 0) {
		ssize_t n = write(c->out_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* host side gone: the guest keeps running, output is lost */
		buf += n;
		len -= (size_t)n;
	}
}

struct console_sink console_fd_sink(struct console_fd *c)
{
	return (struct console_sink){ .write = console_write, .ctx = c };
}

static void console_arm(struct console_fd *c, bool on)
{
	if (!c->in_pollable || c->in_eof || c->in_armed == on)
		return;
	evloop_modify(c->loop, c->in_fd, on ? EPOLLIN : 0);
	c->in_armed = on;
}

/* Offer buffered bytes; read more while the device keeps taking them. */
static void console_pump(struct console_fd *c, bool readable)
{
	for (;;) {
		if (c->off < c->len) {
			size_t took = c->push(c->dev, c->buf + c->off, c->len - c->off);
			c->off += took;
			if (c->off < c->len) {
				console_arm(c, false); /* wait for console_fd_room */
				return;
			}
		}
		c->off = c->len = 0;
		if (c->in_eof || (c->in_pollable && !readable))
			break;
		ssize_t n = read(c->in_fd, c->buf, sizeof(c->buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			break;
		if (n <= 0) {
			c->in_eof = true;
			if (c->in_pollable)
				evloop_remove(c->loop, c->in_fd);
			break;
		}
		c->len = (size_t)n;
		readable = false; /* one read per readiness event: a tty may block */
	}
	console_arm(c, true);
}

static void console_on_input(void *opaque, uint32_t events)
{
	struct console_fd *c = opaque;
	/* epoll reports a hang-up even while input is disarmed, so a device
	 * with no room would see it forever: stop watching, and read the rest
	 * on room events, as for a regular file (a hung-up pipe or tty never
	 * blocks a read). */
	if (events & (EPOLLHUP | EPOLLERR)) {
		evloop_remove(c->loop, c->in_fd);
		c->in_pollable = false;
		c->in_armed = false;
	}
	console_pump(c, true);
}

static void console_on_room(void *opaque, uint32_t events)
{
	struct console_fd *c = opaque;
	uint64_t v;
	(void)events;
	if (read(c->room_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	console_pump(c, !c->in_pollable);
}

int console_fd_attach(struct console_fd *c, struct evloop *loop, console_push_fn_t *push,
		      void *dev, struct err *e)
{
	c->loop = loop;
	c->push = push;
	c->dev = dev;
	if (evloop_add(loop, c->room_efd, EPOLLIN, console_on_room, c, e))
		return -1;
	if (c->in_fd < 0) {
		c->in_eof = true;
		return 0;
	}
	/* epoll refuses regular files and /dev/null (EPERM): those never block,
	 * so they are fed on room events instead. */
	struct err ignored = { 0 };
	c->in_pollable = evloop_add(loop, c->in_fd, EPOLLIN, console_on_input, c, &ignored) == 0;
	if (!c->in_pollable) {
		uint64_t one = 1;
		if (write(c->room_efd, &one, sizeof(one)) < 0)
			return err_errno(e, ERR_HOST, errno, "eventfd");
		return 0;
	}
	c->in_armed = true;
	return 0;
}

void console_fd_room(void *opaque)
{
	struct console_fd *c = opaque;
	uint64_t one = 1;
	ssize_t n = write(c->room_efd, &one, sizeof(one));
	(void)n; /* a full counter already means "room" */
}

void console_fd_destroy(void *opaque)
{
	struct console_fd *c = opaque;
	if (c->room_efd >= 0)
		close(c->room_efd);
	c->room_efd = -1;
	if (c->own_out_fd && c->out_fd >= 0)
		close(c->out_fd);
	c->own_out_fd = false;
}
