/* keys.h: the configuration keys. One table drives JSON reading and writing,
 * vmm_config_set(), `vmm help config` and the man page check, so a key
 * exists everywhere or nowhere.
 *
 * Names are JSON paths: "boot.kernel" is {"boot": {"kernel": ...}}; per-disk
 * keys are "disks[].path" and live in each element of the "disks" array.
 */
#ifndef VMM_CONFIG_KEYS_H
#define VMM_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "vmm/vmm.h"

enum cfg_type {
	CFG_ENUM,    /* one of choices[]; stored as the enum (int) */
	CFG_UINT,    /* unsigned in [min, max] */
	CFG_SIZE,    /* bytes (uint64_t); text "512M", "2G"; a plain number is MiB */
	CFG_STRING,  /* const char *, at most max bytes; NULL = unset */
	CFG_PATH,    /* const char *, non-empty; NULL = unset */
	CFG_BOOL,    /* int 0/1 */
	CFG_SECONDS, /* double in [0, CFG_SECONDS_MAX) */
};

#define CFG_SECONDS_MAX 1e9

/* What a path key names, for vmm_config_check(VMM_CHECK_FILES). */
enum cfg_file_role {
	CFG_FILE_NONE,
	CFG_FILE_READ,  /* an existing, readable, non-empty regular file */
	CFG_FILE_DISK,  /* a disk image: regular file (size a multiple of 512) or block device */
	CFG_FILE_WRITE, /* created or truncated: its directory must exist */
};

enum cfg_key_id {
	KEY_MODE,
	KEY_CPUS,
	KEY_MEMORY,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_CMDLINE,
	KEY_HOST_COMPAT,
	KEY_FIRMWARE,
	KEY_FIRMWARE_LOG,
	KEY_CONSOLE_DEVICE,
	KEY_CONSOLE_OUTPUT,
	KEY_CONSOLE_PATH,
	KEY_TIMEOUT,
	KEY_REBOOT,
	KEY_SECCOMP,
	KEY_STATS,
	KEY_DISK_PATH,
	KEY_DISK_READONLY,
	KEY_DISK_CACHE,
	CFG_NKEYS
};

struct cfg_key {
	const char *name;
	enum cfg_type type;
	bool per_disk;               /* offset is into struct vmm_disk */
	bool required;               /* must be given in its JSON object */
	size_t offset;
	const char *const *choices;  /* CFG_ENUM: index = enum value, NULL-terminated */
	uint64_t min, max;           /* CFG_UINT/CFG_SIZE range; CFG_STRING max length */
	uint64_t align;              /* CFG_SIZE: a multiple of this */
	enum cfg_file_role file;
	const char *help;            /* one line for `vmm help config` */
};

union cfg_value {
	int e;            /* CFG_ENUM, CFG_BOOL */
	unsigned u;       /* CFG_UINT */
	uint64_t size;    /* CFG_SIZE */
	const char *s;    /* CFG_STRING, CFG_PATH */
	double secs;      /* CFG_SECONDS */
};

extern const struct cfg_key cfg_keys[CFG_NKEYS];

/* The key named name ("exit.timeout", "disks[].path"), or NULL. */
const struct cfg_key *cfg_key_find(const char *name);
static inline enum cfg_key_id cfg_key_id_of(const struct cfg_key *k)
{
	return (enum cfg_key_id)(k - cfg_keys);
}

/* "disks[2].path" for a per-disk key, else the name; buf of len bytes. */
const char *cfg_key_path(const struct cfg_key *k, unsigned disk, char *buf, size_t len);

/* Read and write a key's value in cfg (disk: index for per-disk keys). */
union cfg_value cfg_key_get(const struct vmm_config *cfg, const struct cfg_key *k, unsigned disk);
void cfg_key_put(struct vmm_config *cfg, const struct cfg_key *k, unsigned disk, union cfg_value v);
bool cfg_value_equal(const struct cfg_key *k, union cfg_value a, union cfg_value b);

/* Check v against the key's range. On failure writes "VALUE: must be ..."
 * into msg (without the key name) and returns -1. */
int cfg_key_check_range(const struct cfg_key *k, union cfg_value v, char *msg, size_t len);

/* Parse text in the key's syntax (strings are not copied: v->s = text).
 * On failure writes a "\"TEXT\": not ..." message into msg. */
int cfg_key_parse_text(const struct cfg_key *k, const char *text, union cfg_value *v,
		       char *msg, size_t len);

/* The value as text, in the syntax cfg_key_parse_text reads ("null" for an
 * unset string). */
void cfg_value_format(const struct cfg_key *k, union cfg_value v, char *buf, size_t len);

/* "para|full", "integer", "size", ... for documentation. */
const char *cfg_key_type_name(const struct cfg_key *k, char *buf, size_t len);

/* Sizes: "256M" <-> bytes. parse returns -1 on malformed text or overflow. */
int cfg_size_parse(const char *text, uint64_t *bytes);
void cfg_size_format(uint64_t bytes, char *buf, size_t len);

#endif
