/* terminal.c: put the console tty in raw mode and always put it back. */
#include "cli/terminal.h"

#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tio;
static int saved_fd = -1;

void terminal_restore(void)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSANOW, &saved_tio);
		saved_fd = -1;
	}
}

void terminal_raw(int fd)
{
	if (!isatty(fd) || tcgetattr(fd, &saved_tio))
		return;
	struct termios raw = saved_tio;
	raw.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_oflag &= ~(unsigned)OPOST;
	raw.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | IEXTEN);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) == 0) {
		saved_fd = fd;
		atexit(terminal_restore);
	}
}
