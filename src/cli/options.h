/* options.h: the options `vmm run`, `vmm config check` and `vmm config show`
 * take. One table gives getopt_long its entries, `vmm help run` its text and
 * the man page test its list; each option sets configuration keys through
 * the public API (vmm_config_set), so the library checks every value. */
#ifndef VMM_CLI_OPTIONS_H
#define VMM_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "vmm/vmm.h"

enum cli_opt_kind {
	CLI_OPT_KEY,          /* sets `key` from the argument */
	CLI_OPT_ON,           /* sets boolean `key` to true */
	CLI_OPT_OFF,          /* sets boolean `key` to false */
	CLI_OPT_CONFIG,       /* --config FILE: read before every other option */
	CLI_OPT_DISK,         /* --disk PATH[,ro][,cache=MODE] */
	CLI_OPT_CONSOLE,      /* --console serial|virtio|stdio|none */
	CLI_OPT_CONSOLE_FILE, /* --console-file FILE */
	CLI_OPT_SET,          /* --set KEY=VALUE */
	CLI_OPT_HELP,
};

struct cli_option {
	const char *name;  /* long option, without the dashes */
	const char *arg;   /* the argument's name in help; NULL: takes none */
	enum cli_opt_kind kind;
	const char *key;   /* configuration key (CLI_OPT_KEY, _ON, _OFF) */
	const char *help;
};

/* The table, ended by an entry with a NULL name. */
extern const struct cli_option cli_options[];

struct cli_args {
	const char *config_file; /* --config, or the positional FILE of `config check` */
	char **positional;       /* what is left after the options */
	int npositional;
	bool help;               /* --help was given: nothing else was applied */
};

/* How a command treats positional arguments. */
enum cli_positional {
	CLI_POS_DISKS,  /* run: disk images, PATH[,ro] */
	CLI_POS_CONFIG, /* config check: one FILE, like --config */
	CLI_POS_NONE,   /* config show: none */
};

/* Parse argv (argv[0] names the command in messages) into cfg, which must be
 * vmm_config_init'ed: the configuration file first, then every option in
 * command-line order, so options override the file. Returns 0, or prints one
 * line naming the problem and returns VMM_STATUS_USAGE. */
int cli_parse(int argc, char **argv, enum cli_positional pos, struct vmm_config *cfg,
	      struct cli_args *out);

/* Print "vmm: MESSAGE" and the --help hint; returns VMM_STATUS_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void cli_print_run_help(FILE *f);
void cli_print_config_help(FILE *f);

#endif
