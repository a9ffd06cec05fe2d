/* console.h: where console devices (UART, debug port) send guest output.
 *
 * The machine owns the sink (stdio, a file, a buffer for tests); devices only
 * call write. A device may call it from any vCPU thread, with its own mutex
 * held, so a sink must be thread-safe on its own and should not block for long.
 */
#ifndef VMM_DEVICES_CONSOLE_H
#define VMM_DEVICES_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console_sink {
	/* NULL write means "discard". */
	void (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

static inline bool console_sink_is_set(const struct console_sink *s)
{
	return s && s->write;
}

static inline void console_sink_write(const struct console_sink *s, const uint8_t *buf, size_t len)
{
	if (console_sink_is_set(s) && len)
		s->write(s->ctx, buf, len);
}

#endif
