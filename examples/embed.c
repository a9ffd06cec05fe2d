/* embed.c: run a guest from your own program through libvmm's embedding API:
 * a configuration from builders, the guest console through a callback, and
 * the result as a struct and as JSON. The library never prints or exits; what
 * appears here is this program's doing.
 *
 * Build against the installed library:
 *   cc $(pkg-config --cflags vmm) -o embed embed.c $(pkg-config --libs vmm)
 * usage: embed KERNEL [CMDLINE]
 * exit status: vmm_exit_status() of the run, as `vmm run` would give it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/vmm.h>

/* The console callback runs on a vCPU thread: it only collects bytes into
 * lines and prints each finished line with a prefix. */
struct console_lines {
	char line[256];
	size_t len;
	unsigned lines;
};

static void console_flush(struct console_lines *c)
{
	printf("guest| %.*s\n", (int)c->len, c->line);
	c->len = 0;
	c->lines++;
}

static void on_console(void *opaque, const char *buf, size_t len)
{
	struct console_lines *c = opaque;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || c->len == sizeof(c->line))
			console_flush(c);
		if (buf[i] != '\n' && buf[i] != '\r')
			c->line[c->len++] = buf[i];
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: embed KERNEL [CMDLINE]\n");
		return VMM_STATUS_USAGE;
	}
	struct console_lines console = { .len = 0 };
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	struct vmm_result res;
	struct vmm *vm = NULL;

	vmm_config_init(&cfg);
	if (vmm_config_set_kernel(&cfg, argv[1], &err) ||
	    (argc == 3 && vmm_config_set_cmdline(&cfg, argv[2], &err)) ||
	    vmm_config_set_mem(&cfg, 64 << 20, &err) ||
	    vmm_config_set_timeout(&cfg, 30, &err) ||
	    vmm_config_set_console_callback(&cfg, on_console, &console, &err) ||
	    vmm_config_check(&cfg, VMM_CHECK_FILES, &err) ||
	    vmm_create(&cfg, &vm, &err)) {
		fprintf(stderr, "embed: %s\n", err.msg);
		vmm_config_release(&cfg);
		return err.kind == VMM_ERROR_INPUT ? VMM_STATUS_USAGE : VMM_STATUS_ERROR;
	}
	vmm_config_release(&cfg); /* the VM keeps nothing of it */

	int rc = vmm_run(vm, &res, &err);
	vmm_destroy(vm);
	if (console.len)
		console_flush(&console);
	if (rc) {
		fprintf(stderr, "embed: %s\n", err.msg);
		return VMM_STATUS_ERROR;
	}

	printf("embed: %u console lines; the run ended with %s (status %d): %s\n", console.lines,
	       vmm_exit_kind_name(res.kind), vmm_exit_status(&res), res.detail);
	char *json = vmm_result_to_json(&res);
	if (json) {
		printf("%s\n", json);
		free(json);
	}
	return vmm_exit_status(&res);
}
