/* main.c: the `vmm` command, a thin client of libvmm (include/vmm/vmm.h):
 * dispatch to a subcommand. Only src/cli/ prints and picks exit statuses
 * (README "Exit status", vmm(1)). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "vmm/vmm.h"

static const char usage_text[] =
	"usage: vmm run [--config FILE] [options] [disk.img[,ro]...]\n"
	"       vmm config check FILE [options]\n"
	"       vmm config show [--config FILE] [options]\n"
	"       vmm help [run|config]\n"
	"       vmm --version\n"
	"\n"
	"Runs a KVM virtual machine. 'vmm help run' lists the options; 'vmm help config'\n"
	"the configuration file keys. Manual: vmm(1), vmm-config(5).\n";

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc > 2)
		return cli_usage_error("help: one topic at most");
	if (!strcmp(argv[1], "run")) {
		cli_print_run_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "config")) {
		cli_print_config_help(stdout);
		return 0;
	}
	return cli_usage_error("help: unknown topic '%s' (run or config)", argv[1]);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("no command given");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		if (argc > 2)
			return cli_usage_error("--version takes no arguments");
		printf("vmm %s\n", VMM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "config"))
		return cmd_config(argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s'", cmd);
}
