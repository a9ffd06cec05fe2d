/* main.c: the `vmm` command, a thin client of libvmm (include/vmm/vmm.h).
 * Only this file prints and exits; exit statuses are in README "Exit status". */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/terminal.h"
#include "vmm/vmm.h"

static struct vmm *running_vm;

static const char usage_text[] =
	"usage: vmm run [options] [disk.img[,ro]...]\n"
	"       vmm --help | --version\n"
	"\n"
	"options for run:\n"
	"  --mode=para|full      machine type (default para)\n"
	"  --cpus N              number of vCPUs (default 1)\n"
	"  --mem SIZE            guest RAM, e.g. 256M, 1G (default 256M; plain number = MiB)\n"
	"  --kernel FILE         boot this ELF64 or bzImage directly\n"
	"  --initrd FILE         initial ramdisk for --kernel\n"
	"  --cmdline STR         kernel command line\n"
	"  --disk PATH[,ro]      a raw disk image (repeatable; ,ro refuses writes)\n"
	"  --timeout SECONDS     end the VM after this long (exit status 124)\n"
	"  --console=serial|virtio  guest console device (default serial: COM1)\n"
	"  --firmware FILE       firmware image (default /usr/share/seabios/bios.bin)\n"
	"  --firmware-log FILE   keep the firmware's port 0x402 log in FILE\n"
	"\n"
	"exit status: the guest's exit-port value; 0 on poweroff; 2 usage or input error;\n"
	"120 reboot, 121 panic, 122 triple fault, 123 emulation failure, 124 timeout,\n"
	"125 VMM error, 128+N killed by signal N.\n";

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vmm: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'vmm --help'.\n");
	va_end(ap);
	return VMM_STATUS_USAGE;
}

/* "256", "256M", "1G", "65536K": bytes, or 0 when malformed or huge. */
static uint64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return 0;
	unsigned shift = 20;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return 0;
		}
		if (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
			return 0;
	}
	if (v > (~0ULL >> shift))
		return 0;
	return (uint64_t)v << shift;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

enum { OPT_MODE = 256, OPT_CPUS, OPT_MEM, OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_TIMEOUT,
       OPT_FWLOG, OPT_DISK, OPT_CONSOLE, OPT_FIRMWARE, OPT_HELP };

static const struct option run_options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "firmware-log", required_argument, NULL, OPT_FWLOG },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "firmware", required_argument, NULL, OPT_FIRMWARE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

/* "PATH" or "PATH,ro". The string is the caller's argv, so it is edited in place. */
static int add_disk(struct vmm_config *cfg, char *arg)
{
	if (cfg->ndisks == VMM_MAX_DISKS)
		return usage_error("--disk %s: at most %d disks", arg, VMM_MAX_DISKS);
	struct vmm_disk *d = &cfg->disks[cfg->ndisks];
	char *comma = strrchr(arg, ',');
	d->readonly = 0;
	if (comma && !strcmp(comma, ",ro")) {
		*comma = '\0';
		d->readonly = 1;
	} else if (comma && !strcmp(comma, ",rw")) {
		*comma = '\0';
	}
	if (!*arg)
		return usage_error("--disk: empty path");
	d->path = arg;
	cfg->ndisks++;
	return 0;
}

static int run_option(struct vmm_config *cfg, int opt, char *arg)
{
	char *end;
	switch (opt) {
	case OPT_MODE:
		if (!strcmp(arg, "para"))
			cfg->mode = VMM_MODE_PARA;
		else if (!strcmp(arg, "full"))
			cfg->mode = VMM_MODE_FULL;
		else
			return usage_error("--mode %s: must be para or full", arg);
		return 0;
	case OPT_CPUS:
		if (parse_uint(arg, 1024, &cfg->cpus) || cfg->cpus == 0)
			return usage_error("--cpus %s: not a CPU count", arg);
		return 0;
	case OPT_MEM:
		if (!(cfg->mem_bytes = parse_size(arg)))
			return usage_error("--mem %s: not a size (e.g. 512M, 2G)", arg);
		return 0;
	case OPT_KERNEL: cfg->kernel = arg; return 0;
	case OPT_INITRD: cfg->initrd = arg; return 0;
	case OPT_CMDLINE: cfg->cmdline = arg; return 0;
	case OPT_FWLOG: cfg->firmware_log = arg; return 0;
	case OPT_DISK: return add_disk(cfg, arg);
	case OPT_FIRMWARE: cfg->firmware = arg; return 0;
	case OPT_CONSOLE:
		if (!strcmp(arg, "serial"))
			cfg->console = VMM_CONSOLE_SERIAL;
		else if (!strcmp(arg, "virtio"))
			cfg->console = VMM_CONSOLE_VIRTIO;
		else
			return usage_error("--console %s: must be serial or virtio", arg);
		return 0;
	case OPT_TIMEOUT:
		errno = 0;
		cfg->timeout_sec = strtod(arg, &end);
		if (errno || end == arg || *end || !(cfg->timeout_sec > 0 && cfg->timeout_sec < 1e9))
			return usage_error("--timeout %s: not a number of seconds", arg);
		return 0;
	default:
		return VMM_STATUS_USAGE; /* getopt already named the option */
	}
}

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
	terminal_raw(cfg->console_in_fd);
	int rc = vmm_run(vm, &res, &err);
	terminal_restore();
	running_vm = NULL;
	vmm_destroy(vm);
	if (rc) {
		fprintf(stderr, "vmm: %s\n", err.msg);
		return VMM_STATUS_ERROR;
	}
	if (res.kind != VMM_EXIT_PORT && res.kind != VMM_EXIT_POWEROFF)
		fprintf(stderr, "vmm: %s: %s\n", vmm_exit_kind_name(res.kind), res.detail);
	return vmm_exit_status(&res);
}

static int cmd_run(int argc, char **argv)
{
	struct vmm_config cfg;
	vmm_config_init(&cfg);
	optind = 1;
	opterr = 1;
	int opt;
	while ((opt = getopt_long(argc, argv, "+", run_options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(usage_text, stdout);
			return 0;
		}
		int rc = run_option(&cfg, opt, optarg);
		if (rc)
			return rc;
	}
	for (int i = optind; i < argc; i++) {
		int rc = add_disk(&cfg, argv[i]);
		if (rc)
			return rc;
	}
	if (!cfg.kernel && cfg.ndisks == 0)
		return usage_error("run: nothing to boot: give a disk image or --kernel FILE");
	return run_vm(&cfg);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("vmm %s\n", VMM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
