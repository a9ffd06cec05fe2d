/* policy.c: the reboot meaning, the stats file and the run time of one run (see policy.h). */
#include "config/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t policy_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void run_policy_prepare(struct run_policy *p)
{
	*p = (struct run_policy){ .stats_fd = -1 };
}

int run_policy_init(struct run_policy *p, const struct vmm_config *cfg, struct err *e)
{
	p->reboot = cfg->reboot;
	if (!cfg->stats_file)
		return 0;
	/* Created now, so a bad path is an input error before the guest runs. */
	p->stats_fd = open(cfg->stats_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (p->stats_fd < 0)
		return err_errno(e, ERR_INPUT, errno, "stats file %s", cfg->stats_file);
	return 0;
}

void run_policy_start(struct run_policy *p)
{
	p->start_ns = policy_now_ns();
}

static int policy_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int run_policy_finish(struct run_policy *p, struct vmm_result *res)
{
	struct err *e = &p->err;
	if (p->start_ns)
		res->run_ns = policy_now_ns() - p->start_ns;
	if (res->kind == VMM_EXIT_REBOOT && p->reboot == VMM_REBOOT_POWEROFF) {
		res->kind = VMM_EXIT_POWEROFF;
		size_t n = strlen(res->detail);
		snprintf(res->detail + n, sizeof(res->detail) - n, "%s(reset taken as poweroff)",
			 n ? " " : "");
	}
	if (p->stats_fd < 0)
		return 0;
	char *text = vmm_result_to_json(res);
	int rc = 0;
	if (!text)
		rc = err_set(e, ERR_HOST, "stats file: out of memory");
	else if (policy_write_all(p->stats_fd, text, strlen(text)) ||
		 policy_write_all(p->stats_fd, "\n", 1))
		rc = err_errno(e, ERR_HOST, errno, "stats file: write");
	free(text);
	close(p->stats_fd);
	p->stats_fd = -1;
	return rc;
}

void run_policy_destroy(struct run_policy *p)
{
	if (p->stats_fd >= 0)
		close(p->stats_fd);
	p->stats_fd = -1;
}
