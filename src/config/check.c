/* check.c: vmm_config_check: ranges, conflicting settings and (optionally)
 * the files a configuration names, each error pointing at where the value
 * came from (store.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/check.h"
#include "config/keys.h"
#include "config/store.h"
#include "vmm/vmm.h"

#define DISK_SECTOR 512 /* raw images are whole sectors (block.h BLK_SECTOR) */

struct check {
	const struct vmm_config *cfg;
	struct err *e;
};

static int ck_ranges(struct check *c);

static int __attribute__((format(printf, 4, 5)))
ck_fail(struct check *c, enum cfg_key_id id, unsigned disk, const char *fmt, ...)
{
	char detail[400], path[64];
	const struct cfg_key *k = &cfg_keys[id];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return cfg_fail(c->e, cfg_origin_get(c->cfg, k, disk), cfg_key_path(k, disk, path, sizeof(path)),
			"%s", detail);
}

static const char *ck_str(const struct vmm_config *cfg, enum cfg_key_id id, unsigned disk)
{
	return cfg_key_get(cfg, &cfg_keys[id], disk).s;
}

int cfg_check_ranges(const struct vmm_config *cfg, struct err *e)
{
	struct check c = { .cfg = cfg, .e = e };
	return ck_ranges(&c);
}

static int ck_ranges(struct check *c)
{
	const struct vmm_config *cfg = c->cfg;
	char msg[300];
	if (cfg->ndisks > VMM_MAX_DISKS)
		return cfg_fail(c->e, NULL, "disks", "%u disks: at most %d", cfg->ndisks, VMM_MAX_DISKS);
	for (unsigned i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		unsigned n = k->per_disk ? cfg->ndisks : 1;
		for (unsigned d = 0; d < n; d++) {
			union cfg_value v = cfg_key_get(cfg, k, d);
			if (i == KEY_CONSOLE_OUTPUT && v.e == VMM_CONSOLE_OUT_CALLBACK)
				continue; /* API only: checked with the conflicts */
			if (k->required && !v.s)
				return ck_fail(c, (enum cfg_key_id)i, d, "missing (required)");
			if (cfg_key_check_range(k, v, msg, sizeof(msg)))
				return ck_fail(c, (enum cfg_key_id)i, d, "%s", msg);
		}
	}
	return 0;
}

/* Output files must not overwrite an input or each other. */
static int ck_same_files(struct check *c)
{
	const struct vmm_config *cfg = c->cfg;
	char other[64];
	for (unsigned d = 1; d < cfg->ndisks; d++)
		for (unsigned j = 0; j < d; j++)
			if (!strcmp(cfg->disks[d].path, cfg->disks[j].path))
				return ck_fail(c, KEY_DISK_PATH, d, "same file as disks[%u]", j);
	for (unsigned w = 0; w < CFG_NKEYS; w++) {
		const char *out = ck_str(cfg, (enum cfg_key_id)w, 0);
		if (cfg_keys[w].file != CFG_FILE_WRITE || !out)
			continue;
		for (unsigned i = 0; i < CFG_NKEYS; i++) {
			const struct cfg_key *k = &cfg_keys[i];
			if (k->file == CFG_FILE_NONE || i == w || (k->file == CFG_FILE_WRITE && i > w))
				continue;
			unsigned n = k->per_disk ? cfg->ndisks : 1;
			for (unsigned d = 0; d < n; d++) {
				const char *in = ck_str(cfg, (enum cfg_key_id)i, d);
				if (in && !strcmp(in, out))
					return ck_fail(c, (enum cfg_key_id)w, 0, "same file as %s",
						       cfg_key_path(k, d, other, sizeof(other)));
			}
		}
	}
	return 0;
}

static int ck_conflicts(struct check *c)
{
	const struct vmm_config *cfg = c->cfg;
	if (cfg->console_output == VMM_CONSOLE_OUT_FILE && !cfg->console_file)
		return ck_fail(c, KEY_CONSOLE_OUTPUT, 0, "\"file\" needs console.path");
	if (cfg->console_output != VMM_CONSOLE_OUT_FILE && cfg->console_file)
		return ck_fail(c, KEY_CONSOLE_PATH, 0, "only used when console.output is \"file\"");
	if (cfg->console_output == VMM_CONSOLE_OUT_CALLBACK && !cfg->console_cb)
		return ck_fail(c, KEY_CONSOLE_OUTPUT, 0, "callback output without a callback");
	if (cfg->console == VMM_CONSOLE_VIRTIO && cfg->mode != VMM_MODE_PARA)
		return ck_fail(c, KEY_CONSOLE_DEVICE, 0, "\"virtio\" needs mode \"para\"");
	if (cfg->initrd && !cfg->kernel)
		return ck_fail(c, KEY_INITRD, 0, "needs boot.kernel");
	if (cfg->cmdline && !cfg->kernel)
		return ck_fail(c, KEY_CMDLINE, 0, "needs boot.kernel");
	if (cfg->host_compat && !cfg->kernel)
		return ck_fail(c, KEY_HOST_COMPAT, 0, "needs boot.kernel (a boot loader sets its own command line)");
	if (!cfg->kernel && !cfg->firmware && cfg->ndisks == 0) {
		const char *src = cfg->store ? cfg->store->source : NULL;
		return err_set(c->e, ERR_INPUT, "%s%snothing to boot: give boot.kernel, "
			       "boot.firmware or a disk", src ? src : "", src ? ": " : "");
	}
	return ck_same_files(c);
}

static int ck_file_read(struct check *c, enum cfg_key_id id, unsigned disk, const char *path)
{
	struct stat st;
	bool disk_image = cfg_keys[id].file == CFG_FILE_DISK;
	if (stat(path, &st))
		return ck_fail(c, id, disk, "%s (%s)",
			       errno == ENOENT ? "no such file" : strerror(errno), path);
	if (S_ISDIR(st.st_mode))
		return ck_fail(c, id, disk, "is a directory (%s)", path);
	if (!S_ISREG(st.st_mode) && !(disk_image && S_ISBLK(st.st_mode)))
		return ck_fail(c, id, disk, "not a regular file%s (%s)",
			       disk_image ? " or block device" : "", path);
	if (S_ISREG(st.st_mode) && st.st_size == 0)
		return ck_fail(c, id, disk, "file is empty (%s)", path);
	if (disk_image && S_ISREG(st.st_mode) && st.st_size % DISK_SECTOR)
		return ck_fail(c, id, disk, "size %lld is not a multiple of %d (%s)",
			       (long long)st.st_size, DISK_SECTOR, path);
	if (access(path, R_OK))
		return ck_fail(c, id, disk, "not readable (%s)", path);
	return 0;
}

static int ck_file_write(struct check *c, enum cfg_key_id id, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return ck_fail(c, id, 0, "is a directory (%s)", path);
		if (access(path, W_OK))
			return ck_fail(c, id, 0, "not writable (%s)", path);
		return 0;
	}
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
	if (stat(dir, &st))
		return ck_fail(c, id, 0, "no such directory (%s)", dir);
	if (!S_ISDIR(st.st_mode))
		return ck_fail(c, id, 0, "not a directory (%s)", dir);
	if (access(dir, W_OK | X_OK))
		return ck_fail(c, id, 0, "cannot create files in %s", dir);
	return 0;
}

static int ck_files(struct check *c)
{
	const struct vmm_config *cfg = c->cfg;
	for (unsigned i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		unsigned n = k->per_disk ? cfg->ndisks : 1;
		for (unsigned d = 0; d < n; d++) {
			const char *path = ck_str(cfg, (enum cfg_key_id)i, d);
			if (!path || k->file == CFG_FILE_NONE)
				continue;
			int rc = k->file == CFG_FILE_WRITE ? ck_file_write(c, (enum cfg_key_id)i, path)
							   : ck_file_read(c, (enum cfg_key_id)i, d, path);
			if (rc)
				return -1;
		}
	}
	return 0;
}

int vmm_config_check(const struct vmm_config *cfg, unsigned flags, struct vmm_error *err)
{
	struct err e = { 0 };
	struct check c = { .cfg = cfg, .e = &e };
	if (ck_ranges(&c) || ck_conflicts(&c) || ((flags & VMM_CHECK_FILES) && ck_files(&c))) {
		cfg_error_export(&e, err);
		return -1;
	}
	return 0;
}
