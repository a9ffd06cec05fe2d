/* keys.c: the configuration key table and per-type parsing, range checks and access. */
#include "config/keys.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/layout.h"
#include "core/vm.h"

static const char *const mode_names[] = { "para", "full", NULL };
static const char *const device_names[] = { "serial", "virtio", NULL };
/* VMM_CONSOLE_OUT_CALLBACK has no name: an API-only setting. */
static const char *const output_names[] = { "stdio", "file", "none", NULL };
static const char *const reboot_names[] = { "exit", "poweroff", NULL };
static const char *const cache_names[] = { "writeback", "none", NULL };

_Static_assert(sizeof(enum vmm_mode) == sizeof(int) && sizeof(enum vmm_console_output) == sizeof(int),
	       "enum keys are accessed as int");

#define CFG_OFF(field) offsetof(struct vmm_config, field)
#define DISK_OFF(field) offsetof(struct vmm_disk, field)

const struct cfg_key cfg_keys[CFG_NKEYS] = {
	[KEY_MODE] = { "mode", CFG_ENUM, .offset = CFG_OFF(mode), .choices = mode_names,
		       .help = "machine type: para (virtio, KVM PV) or full (emulated PC)" },
	[KEY_CPUS] = { "cpus", CFG_UINT, .offset = CFG_OFF(cpus), .min = 1, .max = VM_MAX_CPUS,
		       .help = "number of vCPUs" },
	[KEY_MEMORY] = { "memory", CFG_SIZE, .offset = CFG_OFF(mem_bytes), .min = MEM_MIN_SIZE,
			 .max = MEM_MAX_SIZE, .align = 2 * MiB,
			 .help = "guest RAM (\"512M\", \"2G\"; a number is MiB)" },
	[KEY_KERNEL] = { "boot.kernel", CFG_PATH, .offset = CFG_OFF(kernel), .file = CFG_FILE_READ,
			 .help = "ELF64 or bzImage to boot directly" },
	[KEY_INITRD] = { "boot.initrd", CFG_PATH, .offset = CFG_OFF(initrd), .file = CFG_FILE_READ,
			 .help = "initial ramdisk for boot.kernel" },
	[KEY_CMDLINE] = { "boot.cmdline", CFG_STRING, .offset = CFG_OFF(cmdline),
			  .max = LAYOUT_CMDLINE_MAX - 1, .help = "kernel command line" },
	[KEY_HOST_COMPAT] = { "boot.host_compat", CFG_BOOL, .offset = CFG_OFF(host_compat),
			      .help = "on a PVM host, add the kernel options it needs to boot.cmdline" },
	[KEY_FIRMWARE] = { "boot.firmware", CFG_PATH, .offset = CFG_OFF(firmware),
			   .file = CFG_FILE_READ,
			   .help = "firmware image (null: /usr/share/seabios/bios.bin)" },
	[KEY_FIRMWARE_LOG] = { "boot.firmware_log", CFG_PATH, .offset = CFG_OFF(firmware_log),
			       .file = CFG_FILE_WRITE,
			       .help = "file for the firmware's port 0x402 log (null discards it)" },
	[KEY_CONSOLE_DEVICE] = { "console.device", CFG_ENUM, .offset = CFG_OFF(console),
				 .choices = device_names,
				 .help = "guest console device: serial (COM1) or virtio (hvc0, para)" },
	[KEY_CONSOLE_OUTPUT] = { "console.output", CFG_ENUM, .offset = CFG_OFF(console_output),
				 .choices = output_names,
				 .help = "stdio, file (console.path, no input) or none" },
	[KEY_CONSOLE_PATH] = { "console.path", CFG_PATH, .offset = CFG_OFF(console_file),
			       .file = CFG_FILE_WRITE,
			       .help = "console output file when console.output is file" },
	[KEY_TIMEOUT] = { "exit.timeout", CFG_SECONDS, .offset = CFG_OFF(timeout_sec),
			  .help = "end the VM after this many seconds, status 124 (0: never)" },
	[KEY_REBOOT] = { "exit.reboot", CFG_ENUM, .offset = CFG_OFF(reboot),
			 .choices = reboot_names,
			 .help = "a guest reset ends the run: exit (status 120) or poweroff (0)" },
	[KEY_SECCOMP] = { "seccomp", CFG_BOOL, .offset = CFG_OFF(seccomp),
			  .help = "syscall allowlists on the vCPU and I/O threads" },
	[KEY_STATS] = { "stats", CFG_PATH, .offset = CFG_OFF(stats_file), .file = CFG_FILE_WRITE,
			.help = "write the run's result and counters as JSON here" },
	[KEY_DISK_PATH] = { "disks[].path", CFG_PATH, .per_disk = true, .required = true,
			    .offset = DISK_OFF(path), .file = CFG_FILE_DISK,
			    .help = "raw disk image (size a multiple of 512) or block device" },
	[KEY_DISK_READONLY] = { "disks[].readonly", CFG_BOOL, .per_disk = true,
				.offset = DISK_OFF(readonly),
				.help = "refuse guest writes" },
	[KEY_DISK_CACHE] = { "disks[].cache", CFG_ENUM, .per_disk = true,
			     .offset = DISK_OFF(cache), .choices = cache_names,
			     .help = "writeback (host page cache) or none (O_DIRECT)" },
};

const struct cfg_key *cfg_key_find(const char *name)
{
	for (unsigned i = 0; i < CFG_NKEYS; i++)
		if (!strcmp(cfg_keys[i].name, name))
			return &cfg_keys[i];
	return NULL;
}

const char *cfg_key_path(const struct cfg_key *k, unsigned disk, char *buf, size_t len)
{
	if (!k->per_disk)
		return k->name;
	const char *field = strchr(k->name, ']') + 1; /* ".path" */
	snprintf(buf, len, "disks[%u]%s", disk, field);
	return buf;
}

static void *cfg_key_slot(const struct vmm_config *cfg, const struct cfg_key *k, unsigned disk)
{
	const char *base = k->per_disk ? (const char *)&cfg->disks[disk] : (const char *)cfg;
	return (void *)(base + k->offset);
}

union cfg_value cfg_key_get(const struct vmm_config *cfg, const struct cfg_key *k, unsigned disk)
{
	union cfg_value v = { 0 };
	void *p = cfg_key_slot(cfg, k, disk);
	switch (k->type) {
	case CFG_ENUM: /* an enum's compatible type is unsigned int: int reaches it (C11 6.5p7) */
	case CFG_BOOL: v.e = *(int *)p; break;
	case CFG_UINT: v.u = *(unsigned *)p; break;
	case CFG_SIZE: v.size = *(uint64_t *)p; break;
	case CFG_STRING:
	case CFG_PATH: v.s = *(const char **)p; break;
	case CFG_SECONDS: v.secs = *(double *)p; break;
	}
	return v;
}

void cfg_key_put(struct vmm_config *cfg, const struct cfg_key *k, unsigned disk, union cfg_value v)
{
	void *p = cfg_key_slot(cfg, k, disk);
	switch (k->type) {
	case CFG_ENUM:
	case CFG_BOOL: *(int *)p = v.e; break;
	case CFG_UINT: *(unsigned *)p = v.u; break;
	case CFG_SIZE: *(uint64_t *)p = v.size; break;
	case CFG_STRING:
	case CFG_PATH: *(const char **)p = v.s; break;
	case CFG_SECONDS: *(double *)p = v.secs; break;
	}
}

bool cfg_value_equal(const struct cfg_key *k, union cfg_value a, union cfg_value b)
{
	switch (k->type) {
	case CFG_ENUM:
	case CFG_BOOL: return a.e == b.e;
	case CFG_UINT: return a.u == b.u;
	case CFG_SIZE: return a.size == b.size;
	case CFG_STRING:
	case CFG_PATH: return a.s == b.s;
	case CFG_SECONDS: return a.secs == b.secs;
	}
	return false;
}

static unsigned cfg_nchoices(const struct cfg_key *k)
{
	unsigned n = 0;
	while (k->choices[n])
		n++;
	return n;
}

static void cfg_choices_list(const struct cfg_key *k, const char *sep, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; k->choices[i] && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? sep : "", k->choices[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

int cfg_key_check_range(const struct cfg_key *k, union cfg_value v, char *msg, size_t len)
{
	char a[32], b[32];
	switch (k->type) {
	case CFG_ENUM:
		if (v.e >= 0 && (unsigned)v.e < cfg_nchoices(k))
			return 0;
		snprintf(msg, len, "%d: not a valid setting", v.e);
		return -1;
	case CFG_BOOL:
		if (v.e == 0 || v.e == 1)
			return 0;
		snprintf(msg, len, "%d: must be 0 or 1", v.e);
		return -1;
	case CFG_UINT:
		if (v.u >= k->min && v.u <= k->max)
			return 0;
		snprintf(msg, len, "%u: must be between %llu and %llu", v.u,
			 (unsigned long long)k->min, (unsigned long long)k->max);
		return -1;
	case CFG_SIZE:
		if (v.size >= k->min && v.size <= k->max && (!k->align || v.size % k->align == 0))
			return 0;
		cfg_size_format(k->min, a, sizeof(a));
		cfg_size_format(k->max, b, sizeof(b));
		char val[32], al[32];
		cfg_size_format(v.size, val, sizeof(val));
		cfg_size_format(k->align, al, sizeof(al));
		snprintf(msg, len, "%s: must be a multiple of %s between %s and %s", val, al, a, b);
		return -1;
	case CFG_STRING:
		if (!v.s || strlen(v.s) <= k->max)
			return 0;
		snprintf(msg, len, "%zu bytes long: at most %llu allowed", strlen(v.s),
			 (unsigned long long)k->max);
		return -1;
	case CFG_PATH:
		if (v.s && !v.s[0]) {
			snprintf(msg, len, "empty path");
			return -1;
		}
		if (v.s && strlen(v.s) >= PATH_MAX) {
			snprintf(msg, len, "path longer than %d bytes", PATH_MAX - 1);
			return -1;
		}
		return 0;
	case CFG_SECONDS:
		if (v.secs >= 0 && v.secs < CFG_SECONDS_MAX) /* false for NaN */
			return 0;
		snprintf(msg, len, "%g: must be at least 0 and below %g seconds", v.secs,
			 CFG_SECONDS_MAX);
		return -1;
	}
	return -1;
}

int cfg_size_parse(const char *s, uint64_t *bytes)
{
	char *end;
	if (!(s[0] >= '0' && s[0] <= '9'))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 20; /* a plain number is MiB, as it always was for --mem */
	if (*end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return -1;
		}
		if (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
			return -1;
	}
	if (v > (~0ULL >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

void cfg_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const struct { unsigned shift; char unit; } units[] = {
		{ 40, 'T' }, { 30, 'G' }, { 20, 'M' }, { 10, 'K' },
	};
	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t one = 1ULL << units[i].shift;
		if (bytes && bytes % one == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> units[i].shift),
				 units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%lluB", (unsigned long long)bytes);
}

static int cfg_parse_bool(const char *t, int *out)
{
	static const char *const yes[] = { "true", "on", "yes", "1" };
	static const char *const no[] = { "false", "off", "no", "0" };
	for (unsigned i = 0; i < 4; i++) {
		if (!strcmp(t, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(t, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int cfg_key_parse_text(const struct cfg_key *k, const char *t, union cfg_value *v, char *msg,
		       size_t len)
{
	char *end;
	char list[128];
	switch (k->type) {
	case CFG_ENUM:
		for (int i = 0; k->choices[i]; i++) {
			if (!strcmp(t, k->choices[i])) {
				v->e = i;
				return 0;
			}
		}
		cfg_choices_list(k, ", ", list, sizeof(list));
		snprintf(msg, len, "\"%s\": must be one of %s", t, list);
		return -1;
	case CFG_BOOL:
		if (cfg_parse_bool(t, &v->e) == 0)
			return 0;
		snprintf(msg, len, "\"%s\": not a boolean (true or false)", t);
		return -1;
	case CFG_UINT: {
		errno = 0;
		unsigned long long n = strtoull(t, &end, 10);
		if (t[0] < '0' || t[0] > '9' || *end || errno) {
			snprintf(msg, len, "\"%s\": not a whole number", t);
			return -1;
		}
		v->u = n > UINT_MAX ? UINT_MAX : (unsigned)n; /* the range check names it */
		return 0;
	}
	case CFG_SIZE:
		if (cfg_size_parse(t, &v->size) == 0)
			return 0;
		snprintf(msg, len, "\"%s\": not a size (e.g. 512M, 2G)", t);
		return -1;
	case CFG_STRING:
	case CFG_PATH:
		v->s = t;
		return 0;
	case CFG_SECONDS:
		errno = 0;
		v->secs = strtod(t, &end);
		if (end == t || *end || errno || !isfinite(v->secs)) {
			snprintf(msg, len, "\"%s\": not a number of seconds", t);
			return -1;
		}
		return 0;
	}
	return -1;
}

const char *cfg_key_type_name(const struct cfg_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case CFG_ENUM:
		cfg_choices_list(k, "|", buf, len);
		return buf;
	case CFG_UINT: return "integer";
	case CFG_SIZE: return "size";
	case CFG_STRING: return "string";
	case CFG_PATH: return "path";
	case CFG_BOOL: return "boolean";
	case CFG_SECONDS: return "seconds";
	}
	return "?";
}

void cfg_value_format(const struct cfg_key *k, union cfg_value v, char *buf, size_t len)
{
	switch (k->type) {
	case CFG_ENUM:
		if (v.e >= 0 && (unsigned)v.e < cfg_nchoices(k))
			snprintf(buf, len, "%s", k->choices[v.e]);
		else
			snprintf(buf, len, "%d", v.e);
		return;
	case CFG_BOOL: snprintf(buf, len, "%s", v.e ? "true" : "false"); return;
	case CFG_UINT: snprintf(buf, len, "%u", v.u); return;
	case CFG_SIZE: cfg_size_format(v.size, buf, len); return;
	case CFG_STRING:
	case CFG_PATH: snprintf(buf, len, "%s", v.s ? v.s : "null"); return;
	case CFG_SECONDS: snprintf(buf, len, "%.15g", v.secs); return;
	}
}
