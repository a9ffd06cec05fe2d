/* evloop.c: epoll-driven I/O thread (one per VM). */
#include "core/evloop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int evloop_init(struct evloop *l, struct err *e)
{
	l->handlers = NULL;
	l->running = false;
	atomic_store(&l->quit, false);
	l->wake_efd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return err_errno(e, ERR_HOST, errno, "epoll_create1");
	l->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_efd < 0)
		return err_errno(e, ERR_HOST, errno, "eventfd");
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wake_efd, &ev))
		return err_errno(e, ERR_HOST, errno, "epoll_ctl");
	return 0;
}

int evloop_add(struct evloop *l, int fd, uint32_t events, evloop_fn_t *fn, void *opaque,
	       struct err *e)
{
	struct evloop_handler *h = calloc(1, sizeof(*h));
	if (!h)
		return err_set(e, ERR_HOST, "out of memory");
	*h = (struct evloop_handler){ .fd = fd, .fn = fn, .opaque = opaque, .next = l->handlers };
	struct epoll_event ev = { .events = events, .data.ptr = h };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int saved = errno;
		free(h);
		errno = saved;
		return err_errno(e, ERR_HOST, saved, "watching fd %d", fd);
	}
	l->handlers = h;
	return 0;
}

int evloop_modify(struct evloop *l, int fd, uint32_t events)
{
	for (struct evloop_handler *h = l->handlers; h; h = h->next) {
		if (h->fd == fd && !h->removed) {
			struct epoll_event ev = { .events = events, .data.ptr = h };
			return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
		}
	}
	return -1;
}

void evloop_remove(struct evloop *l, int fd)
{
	for (struct evloop_handler *h = l->handlers; h; h = h->next) {
		if (h->fd == fd && !h->removed) {
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			h->removed = true;
		}
	}
}

static void *evloop_thread(void *arg)
{
	struct evloop *l = arg;
	struct epoll_event evs[16];
	if (l->thread_start)
		l->thread_start(l->thread_start_opaque);
	while (!atomic_load(&l->quit)) {
		int n = epoll_wait(l->epfd, evs, 16, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n && !atomic_load(&l->quit); i++) {
			struct evloop_handler *h = evs[i].data.ptr;
			if (h && !h->removed)
				h->fn(h->opaque, evs[i].events);
		}
	}
	return NULL;
}

int evloop_start(struct evloop *l, struct err *e)
{
	sigset_t all, old;
	/* The I/O thread takes no signals: the process's handlers run elsewhere. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&l->thread, NULL, evloop_thread, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return err_errno(e, ERR_HOST, rc, "starting the I/O thread");
	l->running = true;
	return 0;
}

void evloop_stop(struct evloop *l)
{
	if (!l->running)
		return;
	atomic_store(&l->quit, true);
	uint64_t one = 1;
	ssize_t w = write(l->wake_efd, &one, sizeof(one));
	(void)w;
	pthread_join(l->thread, NULL);
	l->running = false;
}

void evloop_destroy(struct evloop *l)
{
	evloop_stop(l);
	while (l->handlers) {
		struct evloop_handler *h = l->handlers;
		l->handlers = h->next;
		free(h);
	}
	if (l->wake_efd >= 0)
		close(l->wake_efd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->wake_efd = l->epfd = -1;
}
