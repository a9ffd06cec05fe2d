/* bootfile.h: open and read the files direct boot loads (kernel, initrd),
 * with one-line errors that name the file and what is wrong with it. */
#ifndef VMM_BOOT_BOOTFILE_H
#define VMM_BOOT_BOOTFILE_H

#include <stdint.h>

#include "core/error.h"

/* Open path read-only; it must be a regular, non-empty file of at most max
 * bytes. what ("kernel", "initrd") starts every message. On success *fd is
 * open and *size set; on failure nothing is left open. */
int bootfile_open(const char *what, const char *path, uint64_t max, int *fd, uint64_t *size,
		  struct err *e);

/* Read exactly size bytes from the start of fd into dst. */
int bootfile_read(const char *what, const char *path, int fd, void *dst, uint64_t size,
		  struct err *e);

#endif
