/* evloop.h: the VM's I/O thread: an epoll loop over eventfds, timers and host fds.
 * Handlers run on the I/O thread only, never on a vCPU thread. */
#ifndef VMM_CORE_EVLOOP_H
#define VMM_CORE_EVLOOP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

typedef void evloop_fn_t(void *opaque, uint32_t events);

struct evloop_handler {
	int fd;
	evloop_fn_t *fn;
	void *opaque;
	bool removed;
	struct evloop_handler *next;
};

struct evloop {
	int epfd;
	int wake_efd; /* evloop_stop() pokes it */
	pthread_t thread;
	bool running;
	atomic_bool quit;
	struct evloop_handler *handlers; /* freed at evloop_destroy */
	/* Run first on the I/O thread (the seccomp sandbox); NULL: nothing. */
	void (*thread_start)(void *opaque);
	void *thread_start_opaque;
};

int evloop_init(struct evloop *l, struct err *e);
/* Watch fd for events (EPOLLIN...). Before evloop_start or from a handler. */
int evloop_add(struct evloop *l, int fd, uint32_t events, evloop_fn_t *fn, void *opaque,
	       struct err *e);
/* Change the events watched on fd (0 disarms it without forgetting it). */
int evloop_modify(struct evloop *l, int fd, uint32_t events);
/* Stop watching fd; safe from a handler (the record lives until destroy). */
void evloop_remove(struct evloop *l, int fd);
int evloop_start(struct evloop *l, struct err *e);
/* Make the thread return and join it. Idempotent. */
void evloop_stop(struct evloop *l);
void evloop_destroy(struct evloop *l);

#endif
