/* error.h: the one way library code reports failure: a category plus a one-line message. */
#ifndef VMM_CORE_ERROR_H
#define VMM_CORE_ERROR_H

#include <stddef.h>

/* Categories map to the CLI's exit statuses (see README "Exit status"). */
enum err_kind {
	ERR_NONE = 0,
	ERR_INPUT, /* the user gave something unusable: option, file, image */
	ERR_HOST,  /* the host failed us: KVM, memory, threads */
};

struct err {
	enum err_kind kind;
	char msg[512];
};

/* Record the first failure only; later calls on the unwinding path keep it.
 * Always returns -1 so callers can write `return err_set(...)`. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, appending ": strerror(errnum)". */
int err_errno(struct err *e, enum err_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
