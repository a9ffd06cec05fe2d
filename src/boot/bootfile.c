/* bootfile.c: checked whole-file reads for the kernel and the initrd. */
#include "boot/bootfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/layout.h"

static int bootfile_check(const char *what, const char *path, const struct stat *st, uint64_t max,
			  struct err *e)
{
	if (S_ISDIR(st->st_mode))
		return err_set(e, ERR_INPUT, "%s %s: is a directory", what, path);
	if (!S_ISREG(st->st_mode))
		return err_set(e, ERR_INPUT, "%s %s: not a regular file", what, path);
	if (st->st_size == 0)
		return err_set(e, ERR_INPUT, "%s %s: file is empty", what, path);
	if ((uint64_t)st->st_size > max)
		return err_set(e, ERR_INPUT, "%s %s: %llu bytes, more than the %llu MiB it may take",
			       what, path, (unsigned long long)st->st_size,
			       (unsigned long long)(max / MiB));
	return 0;
}

int bootfile_open(const char *what, const char *path, uint64_t max, int *fd, uint64_t *size,
		  struct err *e)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO must not hang the open; reads of the regular file
	 * this turns out to be are unaffected. */
	int f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f < 0)
		return err_errno(e, ERR_INPUT, errno, "%s %s", what, path);
	if (fstat(f, &st)) {
		int saved = errno;
		close(f);
		return err_errno(e, ERR_INPUT, saved, "%s %s", what, path);
	}
	if (bootfile_check(what, path, &st, max, e)) {
		close(f);
		return -1;
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
}

int bootfile_read(const char *what, const char *path, int fd, void *dst, uint64_t size,
		  struct err *e)
{
	uint8_t *p = dst;
	uint64_t done = 0;
	while (done < size) {
		ssize_t n = pread(fd, p + done, size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno(e, ERR_INPUT, errno, "%s %s: read", what, path);
		if (n == 0)
			return err_set(e, ERR_INPUT, "%s %s: file shrank while being read", what, path);
		done += (uint64_t)n;
	}
	return 0;
}
