/* terminal.h: raw mode on the host terminal while a guest owns the console. */
#ifndef VMM_CLI_TERMINAL_H
#define VMM_CLI_TERMINAL_H

/* Raw mode on fd when it is a tty (ISIG kept: Ctrl-C ends vmm cleanly). */
void terminal_raw(int fd);
/* Restore what terminal_raw changed; idempotent and async-signal-safe. */
void terminal_restore(void);

#endif
