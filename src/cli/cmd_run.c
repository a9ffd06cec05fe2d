/* cmd_run.c: `vmm run`: build the configuration, check it, run the VM with
 * the terminal and signals handled, and turn the result into the exit status. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/terminal.h"
#include "vmm/vmm.h"

/* The VM the signal handlers stop: a signal handler can reach nothing else. */
static struct vmm *running_vm;

static void on_signal(int sig)
{
	if (running_vm)
		vmm_kill(running_vm, sig);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed console pipe must not kill the VMM */
}

static int run_vm(const struct vmm_config *cfg)
{
	struct vmm_error err = { 0 };
	struct vmm_result res = { 0 };
	struct vmm *vm;
	if (vmm_create(cfg, &vm, &err)) {
		fprintf(stderr, "vmm: %s\n", err.msg);
		return err.kind == VMM_ERROR_INPUT ? VMM_STATUS_USAGE : VMM_STATUS_ERROR;
	}
	running_vm = vm;
	install_signals();
	if (cfg->console_output == VMM_CONSOLE_OUT_STDIO)
		terminal_raw(cfg->console_in_fd);
	int rc = vmm_run(vm, &res, &err);
	terminal_restore();
	running_vm = NULL;
	vmm_destroy(vm);
	if (res.kind != VMM_EXIT_PORT && res.kind != VMM_EXIT_POWEROFF)
		fprintf(stderr, "vmm: %s: %s\n", vmm_exit_kind_name(res.kind), res.detail);
	if (rc) {
		fprintf(stderr, "vmm: %s\n", err.msg);
		return VMM_STATUS_ERROR;
	}
	return vmm_exit_status(&res);
}

int cmd_run(int argc, char **argv)
{
	struct vmm_config cfg;
	struct cli_args args;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	int rc = cli_parse(argc, argv, CLI_POS_DISKS, &cfg, &args);
	if (rc == 0 && args.help) {
		cli_print_run_help(stdout);
	} else if (rc == 0 && !args.config_file && !cfg.kernel && !cfg.firmware && !cfg.ndisks) {
		rc = cli_usage_error("run: nothing to boot: give a disk image or --kernel FILE");
	} else if (rc == 0 && vmm_config_check(&cfg, VMM_CHECK_FILES, &err)) {
		fprintf(stderr, "vmm: %s\n", err.msg);
		rc = VMM_STATUS_USAGE;
	} else if (rc == 0) {
		rc = run_vm(&cfg);
	}
	vmm_config_release(&cfg);
	return rc;
}
