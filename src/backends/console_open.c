/* console_open.c: a console backend set up the way a vmm_config asks:
 * stdio (its fds), a file (output only), none, or an output callback. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "backends/console_fd.h"

int console_fd_open(struct console_fd *c, const struct vmm_config *cfg, struct err *e)
{
	switch (cfg->console_output) {
	case VMM_CONSOLE_OUT_STDIO:
		return console_fd_init(c, cfg->console_in_fd, cfg->console_out_fd, e);
	case VMM_CONSOLE_OUT_NONE:
		return console_fd_init(c, -1, -1, e);
	case VMM_CONSOLE_OUT_CALLBACK:
		if (!cfg->console_cb)
			return err_set(e, ERR_INPUT, "console: callback output without a callback");
		if (console_fd_init(c, cfg->console_in_fd, -1, e))
			return -1;
		c->out_cb = cfg->console_cb;
		c->out_cb_opaque = cfg->console_cb_opaque;
		return 0;
	case VMM_CONSOLE_OUT_FILE:
		break;
	default:
		return err_set(e, ERR_INPUT, "console.output %d: not a console output",
			       (int)cfg->console_output);
	}
	if (!cfg->console_file)
		return err_set(e, ERR_INPUT, "console.output \"file\" needs console.path");
	int fd = open(cfg->console_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_errno(e, ERR_INPUT, errno, "console file %s", cfg->console_file);
	if (console_fd_init(c, -1, fd, e)) {
		close(fd);
		return -1;
	}
	c->own_out_fd = true;
	return 0;
}
