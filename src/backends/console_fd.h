/* console_fd.h: a guest console on host file descriptors (stdio by default).
 * Output is a console_sink; input is read on the I/O thread and pushed into
 * the device as fast as the device accepts it. */
#ifndef VMM_BACKENDS_CONSOLE_FD_H
#define VMM_BACKENDS_CONSOLE_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/evloop.h"
#include "devices/console.h"
#include "vmm/vmm.h"

/* Push up to len bytes into the device; returns how many it took. */
typedef size_t console_push_fn_t(void *dev, const uint8_t *buf, size_t len);

struct console_fd {
	int in_fd, out_fd; /* -1: none */
	struct evloop *loop;
	console_push_fn_t *push;
	void *dev;
	int room_efd;      /* the device says it has room again */
	bool in_pollable;  /* false for regular files: epoll refuses them */
	bool in_armed;
	bool in_eof;
	uint8_t buf[512];
	size_t len, off;   /* bytes read from in_fd not yet taken by the device */
	vmm_console_fn *out_cb; /* when set, output goes here instead of out_fd */
	void *out_cb_opaque;
	bool own_out_fd;   /* out_fd is a console file this backend opened */
};

int console_fd_init(struct console_fd *c, int in_fd, int out_fd, struct err *e);
/* Connect input to a device and start watching (I/O thread not yet running). */
int console_fd_attach(struct console_fd *c, struct evloop *loop, console_push_fn_t *push,
		      void *dev, struct err *e);
/* The device's rx_room callback: any thread. */
void console_fd_room(void *c);
/* A sink writing to out_fd (discarding when out_fd is -1). */
struct console_sink console_fd_sink(struct console_fd *c);
void console_fd_destroy(void *c);

/* console_fd_init the way cfg asks (console_open.c): its fds for stdio, a
 * created console_file with no input, nothing, or the output callback. */
int console_fd_open(struct console_fd *c, const struct vmm_config *cfg, struct err *e);

#endif
