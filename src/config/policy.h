/* policy.h: what a configuration asks of a run beyond building the machine:
 * what a guest reset means, where the result's counters go, how long the run
 * took. The embedding API (core/machine.c) keeps one per VM, so vmm_create
 * can let go of the configuration. */
#ifndef VMM_CONFIG_POLICY_H
#define VMM_CONFIG_POLICY_H

#include <stdint.h>

#include "core/error.h"
#include "vmm/vmm.h"

struct run_policy {
	enum vmm_reboot_action reboot;
	int stats_fd;       /* -1: no stats file */
	uint64_t start_ns;  /* CLOCK_MONOTONIC at vmm_start */
	struct err err;     /* why run_policy_finish failed */
};

/* Safe for run_policy_destroy whatever happens next. */
void run_policy_prepare(struct run_policy *p);
/* Copy the policy and create the stats file (ERR_INPUT naming it on failure). */
int run_policy_init(struct run_policy *p, const struct vmm_config *cfg, struct err *e);
void run_policy_start(struct run_policy *p);
/* Fill run_ns, apply the reboot meaning, write the stats file; -1 with
 * p->err when the stats could not be written. */
int run_policy_finish(struct run_policy *p, struct vmm_result *res);
void run_policy_destroy(struct run_policy *p);

#endif
