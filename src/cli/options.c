/* options.c: the run/config option table, its getopt_long parsing into a
 * vmm_config (file first, then options in order), and `vmm help run`. */
#include "cli/options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_MAX_OPTIONS 32
#define CLI_OPT_BASE 256 /* getopt val of cli_options[i] is CLI_OPT_BASE + i */

const struct cli_option cli_options[] = {
	{ "config", "FILE", CLI_OPT_CONFIG, NULL,
	  "read the configuration from a JSON file; the options below override it" },
	{ "mode", "para|full", CLI_OPT_KEY, "mode", "machine type (default para)" },
	{ "cpus", "N", CLI_OPT_KEY, "cpus", "number of vCPUs (default 1, at most 64)" },
	{ "mem", "SIZE", CLI_OPT_KEY, "memory",
	  "guest RAM: 512M, 2G; a plain number is MiB (default 256M)" },
	{ "kernel", "FILE", CLI_OPT_KEY, "boot.kernel", "boot this ELF64 or bzImage directly" },
	{ "initrd", "FILE", CLI_OPT_KEY, "boot.initrd", "initial ramdisk for --kernel" },
	{ "cmdline", "STR", CLI_OPT_KEY, "boot.cmdline", "kernel command line" },
	{ "host-compat", NULL, CLI_OPT_ON, "boot.host_compat",
	  "on a PVM host, add the kernel options Linux needs there to --cmdline" },
	{ "firmware", "FILE", CLI_OPT_KEY, "boot.firmware",
	  "firmware image (default /usr/share/seabios/bios.bin)" },
	{ "firmware-log", "FILE", CLI_OPT_KEY, "boot.firmware_log",
	  "keep the firmware's port 0x402 log in FILE" },
	{ "disk", "PATH[,ro][,cache=none]", CLI_OPT_DISK, NULL,
	  "a raw disk image (repeatable); ro refuses writes, cache=none is O_DIRECT" },
	{ "console", "DEVICE|OUTPUT", CLI_OPT_CONSOLE, NULL,
	  "console device serial|virtio (default serial), or output stdio|none" },
	{ "console-file", "FILE", CLI_OPT_CONSOLE_FILE, NULL,
	  "console output to FILE, no input: vmm's stdout stays clean" },
	{ "timeout", "SECONDS", CLI_OPT_KEY, "exit.timeout",
	  "end the VM after this long (exit status 124)" },
	{ "reboot", "exit|poweroff", CLI_OPT_KEY, "exit.reboot",
	  "a guest reset ends vmm with 120 (exit, default) or 0 (poweroff)" },
	{ "seccomp", NULL, CLI_OPT_ON, "seccomp",
	  "syscall allowlists on the vCPU and I/O threads" },
	{ "no-seccomp", NULL, CLI_OPT_OFF, "seccomp", "no syscall allowlists (default)" },
	{ "stats", "FILE", CLI_OPT_KEY, "stats",
	  "write the result and exit counters as JSON to FILE at the end" },
	{ "set", "KEY=VALUE", CLI_OPT_SET, NULL,
	  "set any configuration key, e.g. disks[0].cache=none (vmm help config)" },
	{ "help", NULL, CLI_OPT_HELP, NULL, "show this help" },
	{ NULL, NULL, 0, NULL, NULL },
};

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vmm: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'vmm --help'.\n");
	va_end(ap);
	return VMM_STATUS_USAGE;
}

static int cli_config_error(const struct vmm_error *err)
{
	fprintf(stderr, "vmm: %s\n", err->msg);
	return VMM_STATUS_USAGE;
}

static unsigned cli_build_longopts(struct option *lo)
{
	unsigned n = 0;
	for (; cli_options[n].name && n < CLI_MAX_OPTIONS; n++)
		lo[n] = (struct option){ cli_options[n].name,
					 cli_options[n].arg ? required_argument : no_argument,
					 NULL, CLI_OPT_BASE + (int)n };
	lo[n] = (struct option){ 0 };
	return n;
}

/* PATH[,ro|,rw][,cache=MODE]: options come off the end, so a comma inside
 * PATH survives when what follows it is not an option. */
static int cli_add_disk(struct vmm_config *cfg, const char *spec, const char *origin)
{
	char path[4096];
	const char *cache = NULL;
	int readonly = 0;
	if (snprintf(path, sizeof(path), "%s", spec) >= (int)sizeof(path))
		return cli_usage_error("%s %s: path too long", origin, spec);
	for (char *comma; (comma = strrchr(path, ','));) {
		const char *opt = comma + 1;
		if (!strcmp(opt, "ro"))
			readonly = 1;
		else if (!strcmp(opt, "rw"))
			readonly = 0;
		else if (!strncmp(opt, "cache=", 6))
			cache = opt + 6;
		else
			break;
		*comma = '\0';
	}
	struct vmm_error err = { 0 };
	char key[64];
	if (vmm_config_add_disk(cfg, path, readonly, VMM_DISK_CACHE_WRITEBACK, &err)) {
		fprintf(stderr, "vmm: %s: %s\n", origin, err.msg);
		return VMM_STATUS_USAGE;
	}
	/* Again through the key, so later checks name the option. */
	snprintf(key, sizeof(key), "disks[%u].path", cfg->ndisks - 1);
	if (vmm_config_set(cfg, key, path, origin, &err))
		return cli_config_error(&err);
	snprintf(key, sizeof(key), "disks[%u].cache", cfg->ndisks - 1);
	if (cache && vmm_config_set(cfg, key, cache, origin, &err))
		return cli_config_error(&err);
	return 0;
}

static int cli_set_console(struct vmm_config *cfg, const char *arg)
{
	struct vmm_error err = { 0 };
	int rc = 0;
	if (!strcmp(arg, "serial") || !strcmp(arg, "virtio"))
		rc = vmm_config_set(cfg, "console.device", arg, "--console", &err);
	else if (!strcmp(arg, "stdio"))
		rc = vmm_config_set_console_output(cfg, VMM_CONSOLE_OUT_STDIO, NULL, &err);
	else if (!strcmp(arg, "none"))
		rc = vmm_config_set_console_output(cfg, VMM_CONSOLE_OUT_NONE, NULL, &err);
	else if (!strcmp(arg, "file"))
		return cli_usage_error("--console file: use --console-file FILE");
	else
		return cli_usage_error("--console %s: must be serial, virtio, stdio or none", arg);
	return rc ? cli_config_error(&err) : 0;
}

static int cli_apply(struct vmm_config *cfg, const struct cli_option *o, const char *arg)
{
	struct vmm_error err = { 0 };
	char origin[160];
	snprintf(origin, sizeof(origin), "--%s", o->name);
	switch (o->kind) {
	case CLI_OPT_KEY:
		return vmm_config_set(cfg, o->key, arg, origin, &err) ? cli_config_error(&err) : 0;
	case CLI_OPT_ON:
	case CLI_OPT_OFF:
		return vmm_config_set(cfg, o->key, o->kind == CLI_OPT_ON ? "true" : "false", origin,
				      &err) ? cli_config_error(&err) : 0;
	case CLI_OPT_DISK:
		return cli_add_disk(cfg, arg, origin);
	case CLI_OPT_CONSOLE:
		return cli_set_console(cfg, arg);
	case CLI_OPT_CONSOLE_FILE:
		if (vmm_config_set_console_output(cfg, VMM_CONSOLE_OUT_FILE, arg, &err) ||
		    vmm_config_set(cfg, "console.path", arg, origin, &err))
			return cli_config_error(&err);
		return 0;
	case CLI_OPT_SET: {
		const char *eq = strchr(arg, '=');
		char key[128];
		if (!eq || eq == arg)
			return cli_usage_error("--set %s: want KEY=VALUE", arg);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
		snprintf(origin, sizeof(origin), "--set %s", key);
		return vmm_config_set(cfg, key, eq + 1, origin, &err) ? cli_config_error(&err) : 0;
	}
	case CLI_OPT_CONFIG:
	case CLI_OPT_HELP:
		return 0; /* handled by cli_parse */
	}
	return 0;
}

/* getopt_long gave '?' or ':' for the argument before optind. */
static int cli_getopt_error(char **argv, int c, const struct option *lo)
{
	const char *bad = argv[optind - 1];
	if (c == ':')
		return cli_usage_error("%s: option '%s' needs a value", argv[0], bad);
	if (!strncmp(bad, "--", 2) && strchr(bad, '=')) {
		size_t n = (size_t)(strchr(bad, '=') - bad - 2);
		for (const struct option *o = lo; o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, bad + 2, n))
				return cli_usage_error("%s: option '--%s' takes no value", argv[0],
						       o->name);
	}
	if (bad[0] == '-' && bad[1] != '-' && optopt)
		return cli_usage_error("%s: unknown option '-%c'", argv[0], optopt);
	return cli_usage_error("%s: unknown or ambiguous option '%s'", argv[0], bad);
}

int cli_parse(int argc, char **argv, enum cli_positional pos, struct vmm_config *cfg,
	      struct cli_args *out)
{
	struct option lo[CLI_MAX_OPTIONS + 1];
	struct vmm_error err = { 0 };
	int c;
	cli_build_longopts(lo);
	*out = (struct cli_args){ 0 };
	opterr = 0;

	/* Pass 1: syntax, --help and --config (which must be applied first). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_getopt_error(argv, c, lo);
		const struct cli_option *o = &cli_options[c - CLI_OPT_BASE];
		if (o->kind == CLI_OPT_HELP)
			out->help = true;
		if (o->kind == CLI_OPT_CONFIG && out->config_file)
			return cli_usage_error("%s: --config given twice", argv[0]);
		if (o->kind == CLI_OPT_CONFIG)
			out->config_file = optarg;
	}
	out->positional = argv + optind;
	out->npositional = argc - optind;
	if (out->help)
		return 0;
	if (pos == CLI_POS_CONFIG) {
		if (out->npositional > 1 || (out->npositional == 1 && out->config_file))
			return cli_usage_error("%s: give one configuration file", argv[0]);
		if (out->npositional == 1)
			out->config_file = out->positional[0];
		if (!out->config_file)
			return cli_usage_error("%s: no configuration file given", argv[0]);
		out->npositional = 0;
	} else if (pos == CLI_POS_NONE && out->npositional) {
		return cli_usage_error("%s: unexpected argument '%s'", argv[0], out->positional[0]);
	}
	if (out->config_file && vmm_config_from_json_file(out->config_file, cfg, &err))
		return cli_config_error(&err);

	/* Pass 2: every other option, in order, over the file. */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		int rc = cli_apply(cfg, &cli_options[c - CLI_OPT_BASE], optarg);
		if (rc)
			return rc;
	}
	for (int i = 0; pos == CLI_POS_DISKS && i < out->npositional; i++) {
		int rc = cli_add_disk(cfg, out->positional[i], "disk argument");
		if (rc)
			return rc;
	}
	return 0;
}

void cli_print_run_help(FILE *f)
{
	fputs("usage: vmm run [--config FILE] [options] [--] [disk.img[,ro]...]\n"
	      "\n"
	      "Options override the configuration file key by key; --disk and disk\n"
	      "arguments add disks after the file's.\n"
	      "\n", f);
	for (const struct cli_option *o = cli_options; o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		if (strlen(left) > 28)
			fprintf(f, "  %s\n  %-28s %s\n", left, "", o->help);
		else
			fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fputs("\n"
	      "exit status: the guest's exit-port value; 0 on poweroff; 2 usage or input error;\n"
	      "120 reboot, 121 panic, 122 triple fault, 123 emulation failure, 124 timeout,\n"
	      "125 VMM error, 128+N killed by signal N. See vmm(1).\n", f);
}

void cli_print_config_help(FILE *f)
{
	fputs("usage: vmm config check FILE [options]\n"
	      "       vmm config show [--config FILE] [options]\n"
	      "\n"
	      "check validates a configuration (types, ranges, conflicts, the files it names)\n"
	      "without running it; show prints the effective configuration, options applied, as\n"
	      "JSON that reads back to the same configuration. Both take the options of vmm run.\n"
	      "\n"
	      "Keys (a.b is {\"a\": {\"b\": ...}}; disks is an array of objects), see vmm-config(5):\n",
	      f);
	struct vmm_config_key_info info;
	for (unsigned i = 0; vmm_config_key_info(i, &info) == 0; i++)
		fprintf(f, "  %-18s %-16s default %s\n  %-18s %s\n", info.name, info.type, info.def, "",
			info.help);
}
