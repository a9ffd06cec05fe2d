/* json_read.c: apply a JSON configuration over a struct vmm_config (vmm_config_from_json*).
 * Structure and types come from the key table (keys.c); every error names
 * the file, the line and column (json_locate.c) and the key path. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/json_locate.h"
#include "config/keys.h"
#include "config/store.h"
#include "vmm/vmm.h"

#define JSON_MAX_FILE (1 << 20) /* a configuration is a few hundred bytes */
#define KEY_LEN 128

/* snprintf into an array; false when it did not fit. */
#define FMT(buf, ...) jr_fits(snprintf((buf), sizeof(buf), __VA_ARGS__), sizeof(buf))

static bool jr_fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len;
}

struct jread {
	struct vmm_config *cfg;
	const char *name;     /* the file as named, or "<json>" */
	const char *text;
	size_t len;
	const char *base_dir; /* relative paths are joined to it; NULL keeps them */
	struct err *e;
};

static void jr_where(const struct jread *r, const char *path, bool at_key, char *buf, size_t len)
{
	struct json_pos pos;
	if (json_locate(r->text, r->len, path, at_key, &pos) == 0)
		snprintf(buf, len, "%s:%u:%u", r->name, pos.line, pos.col);
	else
		snprintf(buf, len, "%s", r->name);
}

static int __attribute__((format(printf, 4, 5)))
jr_fail(const struct jread *r, const char *path, bool at_key, const char *fmt, ...)
{
	char where[PATH_MAX + 32], detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	jr_where(r, path, at_key, where, sizeof(where));
	if (!path[0])
		return err_set(r->e, ERR_INPUT, "%s: %s", where, detail);
	return cfg_fail(r->e, where, path, "%s", detail);
}

static const char *jr_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "something else";
}

static const char *jr_expected(const struct cfg_key *k, char *buf, size_t len)
{
	char types[96];
	switch (k->type) {
	case CFG_ENUM:
		snprintf(buf, len, "a string (%s)", cfg_key_type_name(k, types, sizeof(types)));
		return buf;
	case CFG_UINT: return "an integer";
	case CFG_SIZE: return "a size (a string like \"512M\", or an integer of MiB)";
	case CFG_STRING: return "a string or null";
	case CFG_PATH: return "a path (a string) or null";
	case CFG_BOOL: return "true or false";
	case CFG_SECONDS: return "a number of seconds";
	}
	return "?";
}

/* A JSON value into the key's union; -1 after reporting a type or syntax error. */
static int jr_convert(struct jread *r, const struct cfg_key *k, json_t *val, const char *path,
		      union cfg_value *v)
{
	char buf[128], msg[300];
	bool ok = false;
	switch (k->type) {
	case CFG_ENUM:
	case CFG_SIZE:
		if (json_is_string(val)) {
			if (cfg_key_parse_text(k, json_string_value(val), v, msg, sizeof(msg)))
				return jr_fail(r, path, false, "%s", msg);
			return 0;
		}
		if (k->type == CFG_SIZE && json_is_integer(val)) {
			json_int_t n = json_integer_value(val);
			if (n < 0 || (uint64_t)n > (~0ULL >> 20))
				return jr_fail(r, path, false, "%lld: not a size", (long long)n);
			v->size = (uint64_t)n << 20; /* MiB, as a plain number in text */
			return 0;
		}
		break;
	case CFG_UINT:
		if (json_is_integer(val)) {
			json_int_t n = json_integer_value(val);
			if (n < (json_int_t)k->min || (uint64_t)n > k->max)
				return jr_fail(r, path, false, "%lld: must be between %llu and %llu",
					       (long long)n, (unsigned long long)k->min,
					       (unsigned long long)k->max);
			v->u = (unsigned)n;
			return 0;
		}
		break;
	case CFG_STRING:
	case CFG_PATH:
		if (json_is_null(val)) {
			v->s = NULL;
			return 0;
		}
		if (json_is_string(val)) {
			v->s = json_string_value(val);
			if (k->type == CFG_PATH && v->s[0])
				return cfg_path_resolve(r->cfg, r->base_dir, v->s, &v->s, r->e);
			return 0;
		}
		break;
	case CFG_BOOL:
		ok = json_is_boolean(val);
		v->e = json_is_true(val);
		break;
	case CFG_SECONDS:
		ok = json_is_number(val);
		v->secs = json_number_value(val);
		break;
	}
	if (ok)
		return 0;
	return jr_fail(r, path, false, "expected %s, got %s", jr_expected(k, buf, sizeof(buf)),
		       jr_type_name(val));
}

static int jr_value(struct jread *r, const struct cfg_key *k, json_t *val, const char *path,
		    unsigned disk)
{
	union cfg_value v;
	char where[PATH_MAX + 32];
	if (jr_convert(r, k, val, path, &v))
		return -1;
	jr_where(r, path, false, where, sizeof(where));
	return cfg_value_store(r->cfg, k, disk, v, where, r->e);
}

/* The member names an object at key prefix kprefix takes ("device, output, path"). */
static void jr_members(const char *kprefix, char *buf, size_t len)
{
	size_t used = 0, plen = strlen(kprefix);
	buf[0] = '\0';
	for (unsigned i = 0; i < CFG_NKEYS; i++) {
		const char *name = cfg_keys[i].name;
		if (strncmp(name, kprefix, plen))
			continue;
		size_t n = strcspn(name + plen, ".[");
		bool seen = false;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = !strncmp(cfg_keys[j].name, kprefix, plen) &&
			       strcspn(cfg_keys[j].name + plen, ".[") == n &&
			       !strncmp(cfg_keys[j].name + plen, name + plen, n);
		if (!seen && used < len) {
			int w = snprintf(buf + used, len - used, "%s%.*s", used ? ", " : "", (int)n,
					 name + plen);
			used += w > 0 ? (size_t)w : 0;
		}
	}
}

/* Does some key start with prefix? ("boot." -> a section) */
static bool jr_has_prefix(const char *prefix)
{
	for (unsigned i = 0; i < CFG_NKEYS; i++)
		if (!strncmp(cfg_keys[i].name, prefix, strlen(prefix)))
			return true;
	return false;
}

static int jr_object(struct jread *r, json_t *obj, const char *kprefix, const char *ppath,
		     unsigned disk);

static int jr_disks(struct jread *r, json_t *arr, const char *kname, const char *path)
{
	char elem[KEY_LEN], kprefix[KEY_LEN];
	if (!json_is_array(arr))
		return jr_fail(r, path, false, "expected an array of objects, got %s",
			       jr_type_name(arr));
	if (json_array_size(arr) > VMM_MAX_DISKS)
		return jr_fail(r, path, false, "%zu disks: at most %d", json_array_size(arr),
			       VMM_MAX_DISKS);
	if (!FMT(kprefix, "%s[].", kname))
		return jr_fail(r, path, true, "key too long");
	r->cfg->ndisks = 0;
	size_t i;
	json_t *d;
	json_array_foreach(arr, i, d) {
		if (!FMT(elem, "%s[%zu].", path, i))
			return jr_fail(r, path, true, "key too long");
		elem[strlen(elem) - 1] = '\0'; /* "disks[1]" for messages about the element */
		if (!json_is_object(d))
			return jr_fail(r, elem, false, "expected an object, got %s", jr_type_name(d));
		r->cfg->disks[i] = (struct vmm_disk){ 0 };
		r->cfg->ndisks = (unsigned)i + 1;
		elem[strlen(elem)] = '.'; /* "disks[1]." prefixes its members */
		if (jr_object(r, d, kprefix, elem, (unsigned)i))
			return -1;
	}
	return 0;
}

static int jr_object(struct jread *r, json_t *obj, const char *kprefix, const char *ppath,
		     unsigned disk)
{
	const char *name;
	json_t *val;
	char kname[KEY_LEN], path[KEY_LEN], sub[KEY_LEN], psub[KEY_LEN], members[200];
	json_object_foreach(obj, name, val) {
		/* A member name is one component: "boot.kernel" at the top is unknown. */
		bool plain = name[0] && !strpbrk(name, ".[]") && FMT(kname, "%s%s", kprefix, name);
		if (!FMT(path, "%s%s", ppath, name))
			return jr_fail(r, ppath, true, "key too long");
		const struct cfg_key *k = plain ? cfg_key_find(kname) : NULL;
		if (k) {
			if (jr_value(r, k, val, path, disk))
				return -1;
			continue;
		}
		if (plain && FMT(sub, "%s.", kname) && jr_has_prefix(sub)) {
			if (!json_is_object(val))
				return jr_fail(r, path, false, "expected an object, got %s",
					       jr_type_name(val));
			if (!FMT(psub, "%s.", path) || jr_object(r, val, sub, psub, disk))
				return -1;
			continue;
		}
		if (plain && FMT(sub, "%s[].", kname) && jr_has_prefix(sub)) {
			if (jr_disks(r, val, kname, path))
				return -1;
			continue;
		}
		jr_members(kprefix, members, sizeof(members));
		if (!kprefix[0])
			return jr_fail(r, path, true, "unknown key (the top level takes %s)", members);
		return jr_fail(r, path, true, "unknown key (%.*s takes %s)",
			       (int)strlen(ppath) - 1, ppath, members);
	}
	/* Required members of this object. */
	size_t plen = strlen(kprefix);
	for (unsigned i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		if (!k->required || strncmp(k->name, kprefix, plen) || strpbrk(k->name + plen, ".["))
			continue;
		if (!json_object_get(obj, k->name + plen)) {
			char where[PATH_MAX + 32];
			FMT(psub, "%.*s", (int)strlen(ppath) - 1, ppath); /* the object's own path */
			FMT(path, "%s%s", ppath, k->name + plen);
			jr_where(r, psub, false, where, sizeof(where));
			return cfg_fail(r->e, where, path, "missing (required)");
		}
	}
	return 0;
}

static int jr_apply(struct jread *r)
{
	json_error_t jerr;
	json_t *root = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) /* jansson says column 0 for "before the first character" */
		return err_set(r->e, ERR_INPUT, "%s:%d:%d: invalid JSON: %s", r->name, jerr.line,
			       jerr.column > 0 ? jerr.column : 1, jerr.text);
	int rc;
	if (!json_is_object(root))
		rc = jr_fail(r, "", false, "expected an object at the top, got %s",
			     jr_type_name(root));
	else
		rc = jr_object(r, root, "", "", 0);
	json_decref(root);
	if (rc == 0) {
		struct vmm_config_store *st = cfg_store_get(r->cfg, r->e);
		if (!st || cfg_strdup(r->cfg, r->name, &st->source, r->e))
			return -1;
	}
	return rc;
}

int vmm_config_from_json(const char *text, struct vmm_config *cfg, struct vmm_error *err)
{
	struct err e = { 0 };
	struct jread r = { .cfg = cfg, .name = "<json>", .text = text, .len = strlen(text), .e = &e };
	if (jr_apply(&r)) {
		cfg_error_export(&e, err);
		return -1;
	}
	return 0;
}

/* The whole file, NUL-terminated, at most JSON_MAX_FILE bytes. */
static char *jr_read_file(const char *path, size_t *len, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	if (fd < 0) {
		err_errno(e, ERR_INPUT, errno, "%s", path);
		return NULL;
	}
	if (fstat(fd, &st))
		err_errno(e, ERR_INPUT, errno, "%s", path);
	else if (S_ISDIR(st.st_mode))
		err_set(e, ERR_INPUT, "%s: is a directory", path);
	else if (!S_ISREG(st.st_mode))
		err_set(e, ERR_INPUT, "%s: not a regular file", path);
	else if (st.st_size > JSON_MAX_FILE)
		err_set(e, ERR_INPUT, "%s: %lld bytes, more than the %d a configuration may have",
			path, (long long)st.st_size, JSON_MAX_FILE);
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		err_set(e, ERR_HOST, "out of memory");
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_errno(e, ERR_INPUT, n < 0 ? errno : EIO, "%s: read", path);
			free(buf);
			buf = NULL;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (buf) {
		buf[got] = '\0';
		*len = got;
	}
	return buf;
}

/* The absolute directory of path, for joining relative paths in the file. */
static int jr_base_dir(const char *path, char *out, size_t len)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	const char *slash = strrchr(path, '/');
	char cwd[PATH_MAX];
	int n;
	if (slash && path[0] == '/')
		n = snprintf(out, len, "%.*s", (int)(slash == path ? 1 : slash - path), path);
	else if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	else if (slash)
		n = snprintf(out, len, "%s/%.*s", cwd, (int)(slash - path), path);
	else
		n = snprintf(out, len, "%s", cwd);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int vmm_config_from_json_file(const char *path, struct vmm_config *cfg, struct vmm_error *err)
{
	struct err e = { 0 };
	char base[PATH_MAX];
	size_t len = 0;
	char *text = jr_read_file(path, &len, &e);
	if (text && jr_base_dir(path, base, sizeof(base)))
		err_errno(&e, ERR_HOST, errno, "%s: finding its directory", path);
	else if (text && strlen(text) != len)
		err_set(&e, ERR_INPUT, "%s: contains a NUL byte", path);
	if (text && !e.kind) {
		struct jread r = { .cfg = cfg, .name = path, .text = text, .len = len,
				   .base_dir = base, .e = &e };
		jr_apply(&r);
	}
	free(text);
	if (e.kind) {
		cfg_error_export(&e, err);
		return -1;
	}
	return 0;
}
