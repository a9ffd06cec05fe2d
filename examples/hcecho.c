/* hcecho.c: console input through poll + read. Command line:
 *   (none)     echo every line read back as "got: LINE" until input ends,
 *              then print "hcecho: N lines" and exit 0
 *   sleep=MS   poll with nothing to wait for but a deadline MS ms away, print
 *              how long it took, exit 0
 *   wait       poll with no deadline and no events: only the VM's end (a
 *              timeout, a signal) stops it */
#include "rt.h"

static int echo_lines(void)
{
	char line[256];
	size_t len = 0;
	unsigned lines = 0;
	for (;;) {
		bool eof = false;
		uint32_t ready = 0;
		int32_t rc = rt_poll(VMM_HC_EV_CONSOLE_IN, VMM_HC_POLL_FOREVER, &ready);
		if (rc)
			return printf("hcecho: poll: %s\n", rt_strerror(rc)), 1;
		char c;
		int64_t n;
		while ((n = rt_read(&c, 1, &eof)) == 1) {
			if (c == '\n' || len == sizeof(line) - 1) {
				printf("got: %.*s\n", (int)len, line);
				lines++;
				len = 0;
			} else if (c != '\r') {
				line[len++] = c;
			}
		}
		if (n < 0)
			return printf("hcecho: read: %s\n", rt_strerror((int32_t)n)), 1;
		if (eof)
			break;
	}
	if (len)
		printf("got: %.*s\n", (int)len, line), lines++;
	printf("hcecho: %u lines\n", lines);
	return 0;
}

int main(const char *cmdline)
{
	const char *ms = rt_cmdline_get(cmdline, "sleep");
	if (ms) {
		uint64_t t0 = rt_monotonic_ns(), want = rt_strtou64(ms, NULL) * 1000000u;
		uint32_t ready = 1;
		int32_t rc = rt_poll(0, t0 + want, &ready);
		uint64_t took = rt_monotonic_ns() - t0;
		printf("hcecho: slept %lu ms (ret %s, ready %u)\n", took / 1000000u, rt_strerror(rc), ready);
		return rc == VMM_HC_OK && ready == 0 && took >= want ? 0 : 1;
	}
	if (!strncmp(cmdline, "wait", 4)) {
		printf("hcecho: waiting for the VM to end\n");
		rt_poll(0, VMM_HC_POLL_FOREVER, NULL);
		printf("hcecho: poll returned\n"); /* the VM is stopping: never seen */
		return 1;
	}
	return echo_lines();
}
