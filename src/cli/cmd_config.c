/* cmd_config.c: `vmm config check FILE` and `vmm config show`: validate a
 * configuration, or print the effective one as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "vmm/vmm.h"

static int config_check(int argc, char **argv)
{
	struct vmm_config cfg;
	struct cli_args args;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	int rc = cli_parse(argc, argv, CLI_POS_CONFIG, &cfg, &args);
	if (rc == 0 && args.help) {
		cli_print_config_help(stdout);
	} else if (rc == 0 && vmm_config_check(&cfg, VMM_CHECK_FILES, &err)) {
		fprintf(stderr, "vmm: %s\n", err.msg);
		rc = VMM_STATUS_USAGE;
	} else if (rc == 0) {
		printf("%s: ok\n", args.config_file);
	}
	vmm_config_release(&cfg);
	return rc;
}

static int config_show(int argc, char **argv)
{
	struct vmm_config cfg;
	struct cli_args args;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	int rc = cli_parse(argc, argv, CLI_POS_NONE, &cfg, &args);
	if (rc == 0 && args.help) {
		cli_print_config_help(stdout);
	} else if (rc == 0) {
		/* Only ranges are checked: the output may be a part to combine
		 * with options later, or meant for another machine's files. */
		char *json = vmm_config_to_json(&cfg, &err);
		if (json) {
			printf("%s\n", json);
			free(json);
		} else {
			fprintf(stderr, "vmm: %s\n", err.msg);
			rc = VMM_STATUS_USAGE;
		}
	}
	vmm_config_release(&cfg);
	return rc;
}

int cmd_config(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("config: give check FILE or show");
	const char *sub = argv[1];
	if (!strcmp(sub, "check"))
		return config_check(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return config_show(argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "help")) {
		cli_print_config_help(stdout);
		return 0;
	}
	return cli_usage_error("config: unknown subcommand '%s' (check or show)", sub);
}
