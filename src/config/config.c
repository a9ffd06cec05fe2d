/* config.c: the configuration model's defaults, builders and key-by-name setter (vmm.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/keys.h"
#include "config/store.h"
#include "core/layout.h"
#include "vmm/vmm.h"

_Static_assert(sizeof(((struct vmm_error *)0)->msg) == sizeof(((struct err *)0)->msg),
	       "vmm_error and err carry the same message");

/* The defaults, written down once (vmm-config(5) and README repeat them). */
void vmm_config_init(struct vmm_config *cfg)
{
	*cfg = (struct vmm_config){
		.mode = VMM_MODE_PARA,
		.cpus = 1,
		.mem_bytes = 256 * MiB,
		.console = VMM_CONSOLE_SERIAL,
		.console_output = VMM_CONSOLE_OUT_STDIO,
		.console_in_fd = 0,
		.console_out_fd = 1,
		.timeout_sec = 0,
		.reboot = VMM_REBOOT_EXIT,
		.seccomp = 0,
	};
}

void vmm_config_release(struct vmm_config *cfg)
{
	cfg_store_free(cfg->store);
	vmm_config_init(cfg);
}

static int cfg_set_key(struct vmm_config *cfg, enum cfg_key_id id, union cfg_value v,
		       struct vmm_error *err)
{
	struct err e = { 0 };
	if (cfg_value_store(cfg, &cfg_keys[id], 0, v, NULL, &e)) {
		cfg_error_export(&e, err);
		return -1;
	}
	return 0;
}

int vmm_config_set_mode(struct vmm_config *cfg, enum vmm_mode mode, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_MODE, (union cfg_value){ .e = (int)mode }, err);
}

int vmm_config_set_cpus(struct vmm_config *cfg, unsigned cpus, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_CPUS, (union cfg_value){ .u = cpus }, err);
}

int vmm_config_set_mem(struct vmm_config *cfg, uint64_t bytes, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_MEMORY, (union cfg_value){ .size = bytes }, err);
}

int vmm_config_set_kernel(struct vmm_config *cfg, const char *path, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_KERNEL, (union cfg_value){ .s = path }, err);
}

int vmm_config_set_initrd(struct vmm_config *cfg, const char *path, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_INITRD, (union cfg_value){ .s = path }, err);
}

int vmm_config_set_cmdline(struct vmm_config *cfg, const char *cmdline, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_CMDLINE, (union cfg_value){ .s = cmdline }, err);
}

int vmm_config_set_firmware(struct vmm_config *cfg, const char *path, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_FIRMWARE, (union cfg_value){ .s = path }, err);
}

int vmm_config_set_firmware_log(struct vmm_config *cfg, const char *path, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_FIRMWARE_LOG, (union cfg_value){ .s = path }, err);
}

int vmm_config_set_console(struct vmm_config *cfg, enum vmm_console device, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_CONSOLE_DEVICE, (union cfg_value){ .e = (int)device }, err);
}

int vmm_config_set_console_output(struct vmm_config *cfg, enum vmm_console_output out,
				  const char *path, struct vmm_error *err)
{
	struct err e = { 0 };
	if (out == VMM_CONSOLE_OUT_CALLBACK)
		cfg_fail(&e, NULL, "console.output", "a callback is set with vmm_config_set_console_callback");
	else if (out == VMM_CONSOLE_OUT_FILE && !path)
		cfg_fail(&e, NULL, "console.path", "required when console.output is \"file\"");
	else if (out != VMM_CONSOLE_OUT_FILE && path)
		cfg_fail(&e, NULL, "console.path", "only used when console.output is \"file\"");
	if (e.kind) {
		cfg_error_export(&e, err);
		return -1;
	}
	if (cfg_set_key(cfg, KEY_CONSOLE_OUTPUT, (union cfg_value){ .e = (int)out }, err) ||
	    cfg_set_key(cfg, KEY_CONSOLE_PATH, (union cfg_value){ .s = path }, err))
		return -1;
	cfg->console_cb = NULL;
	cfg->console_cb_opaque = NULL;
	return 0;
}

int vmm_config_set_console_callback(struct vmm_config *cfg, vmm_console_fn *fn, void *opaque,
				    struct vmm_error *err)
{
	if (!fn) {
		struct err e = { 0 };
		cfg_fail(&e, NULL, "console.output", "the callback is NULL");
		cfg_error_export(&e, err);
		return -1;
	}
	if (cfg_set_key(cfg, KEY_CONSOLE_PATH, (union cfg_value){ .s = NULL }, err))
		return -1;
	cfg->console_output = VMM_CONSOLE_OUT_CALLBACK; /* outside the key's JSON range */
	cfg->console_cb = fn;
	cfg->console_cb_opaque = opaque;
	cfg->console_in_fd = -1;
	return 0;
}

int vmm_config_set_timeout(struct vmm_config *cfg, double seconds, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_TIMEOUT, (union cfg_value){ .secs = seconds }, err);
}

int vmm_config_set_reboot(struct vmm_config *cfg, enum vmm_reboot_action action,
			  struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_REBOOT, (union cfg_value){ .e = (int)action }, err);
}

int vmm_config_set_seccomp(struct vmm_config *cfg, int on, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_SECCOMP, (union cfg_value){ .e = on != 0 }, err);
}

int vmm_config_set_stats(struct vmm_config *cfg, const char *path, struct vmm_error *err)
{
	return cfg_set_key(cfg, KEY_STATS, (union cfg_value){ .s = path }, err);
}

int vmm_config_add_disk(struct vmm_config *cfg, const char *path, int readonly,
			enum vmm_disk_cache cache, struct vmm_error *err)
{
	struct err e = { 0 };
	unsigned i = cfg->ndisks;
	if (i >= VMM_MAX_DISKS) {
		cfg_fail(&e, NULL, "disks", "at most %d disks", VMM_MAX_DISKS);
	} else {
		cfg->disks[i] = (struct vmm_disk){ 0 };
		if (!cfg_value_store(cfg, &cfg_keys[KEY_DISK_PATH], i, (union cfg_value){ .s = path },
				     NULL, &e) &&
		    !cfg_value_store(cfg, &cfg_keys[KEY_DISK_READONLY], i,
				     (union cfg_value){ .e = readonly != 0 }, NULL, &e) &&
		    !cfg_value_store(cfg, &cfg_keys[KEY_DISK_CACHE], i,
				     (union cfg_value){ .e = (int)cache }, NULL, &e))
			cfg->ndisks = i + 1;
	}
	if (e.kind) {
		cfg_error_export(&e, err);
		return -1;
	}
	return 0;
}

/* "disks[2].cache" -> the "disks[].cache" key and 2. */
static const struct cfg_key *cfg_key_lookup(const char *name, unsigned *disk, struct err *e,
					    const struct vmm_config *cfg)
{
	*disk = 0;
	if (strncmp(name, "disks[", 6) != 0) {
		const struct cfg_key *k = cfg_key_find(name);
		if (!k || k->per_disk)
			cfg_fail(e, NULL, name, "unknown key (see vmm help config)");
		return k && !k->per_disk ? k : NULL;
	}
	char *end;
	errno = 0;
	unsigned long n = strtoul(name + 6, &end, 10);
	if (name[6] < '0' || name[6] > '9' || errno || *end != ']') {
		cfg_fail(e, NULL, name, "unknown key: want disks[N].FIELD");
		return NULL;
	}
	char generic[64];
	snprintf(generic, sizeof(generic), "disks[]%s", end + 1);
	const struct cfg_key *k = cfg_key_find(generic);
	if (!k) {
		cfg_fail(e, NULL, name, "unknown key (see vmm help config)");
		return NULL;
	}
	if (n >= cfg->ndisks) {
		cfg_fail(e, NULL, name, "no such disk (%u configured)", cfg->ndisks);
		return NULL;
	}
	*disk = (unsigned)n;
	return k;
}

int vmm_config_set(struct vmm_config *cfg, const char *key, const char *value,
		   const char *origin, struct vmm_error *err)
{
	struct err e = { 0 };
	unsigned disk;
	char msg[300], path[64];
	union cfg_value v;
	char cwd[PATH_MAX] = "";
	const struct cfg_key *k = cfg_key_lookup(key, &disk, &e, cfg);
	if (k && cfg_key_parse_text(k, value, &v, msg, sizeof(msg))) {
		cfg_fail(&e, origin, cfg_key_path(k, disk, path, sizeof(path)), "%s", msg);
	} else if (k) {
		/* Relative to the current directory, as the caller meant, but
		 * stored absolute: vmm_config_to_json's output then means the
		 * same wherever it is saved and read back. */
		if (k->type == CFG_PATH && v.s[0] && v.s[0] != '/' && !getcwd(cwd, sizeof(cwd)))
			err_errno(&e, ERR_HOST, errno, "%s: the current directory", key);
		else if (k->type != CFG_PATH || !cfg_path_resolve(cfg, cwd, v.s, &v.s, &e))
			cfg_value_store(cfg, k, disk, v, origin, &e);
	}
	if (e.kind) {
		if (!k && origin) { /* name the option too */
			char inner[sizeof(e.msg)];
			memcpy(inner, e.msg, sizeof(inner));
			snprintf(e.msg, sizeof(e.msg), "%s: %.400s", origin, inner);
		}
		cfg_error_export(&e, err);
		return -1;
	}
	return 0;
}

int vmm_config_key_info(unsigned i, struct vmm_config_key_info *out)
{
	if (i >= CFG_NKEYS)
		return -1;
	const struct cfg_key *k = &cfg_keys[i];
	struct vmm_config def;
	vmm_config_init(&def);
	def.disks[0] = (struct vmm_disk){ 0 };
	out->name = k->name;
	out->help = k->help;
	const char *t = cfg_key_type_name(k, out->type, sizeof(out->type));
	if (t != out->type)
		snprintf(out->type, sizeof(out->type), "%s", t);
	cfg_value_format(k, cfg_key_get(&def, k, 0), out->def, sizeof(out->def));
	if (k->required)
		snprintf(out->def, sizeof(out->def), "(required)");
	return 0;
}
