/* store.c: a configuration's owned strings and value origins (see store.h). */
#include "config/store.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cfg_chunk {
	struct cfg_chunk *next;
	char data[];
};

struct vmm_config_store *cfg_store_get(struct vmm_config *cfg, struct err *e)
{
	if (!cfg->store) {
		cfg->store = calloc(1, sizeof(*cfg->store));
		if (!cfg->store)
			err_set(e, ERR_HOST, "out of memory");
	}
	return cfg->store;
}

void cfg_store_free(struct vmm_config_store *s)
{
	if (!s)
		return;
	while (s->chunks) {
		struct cfg_chunk *next = s->chunks->next;
		free(s->chunks);
		s->chunks = next;
	}
	free(s);
}

int cfg_strdup(struct vmm_config *cfg, const char *s, const char **out, struct err *e)
{
	*out = NULL;
	if (!s)
		return 0;
	struct vmm_config_store *st = cfg_store_get(cfg, e);
	size_t n = strlen(s) + 1;
	struct cfg_chunk *c = st ? malloc(sizeof(*c) + n) : NULL;
	if (!c)
		return err_set(e, ERR_HOST, "out of memory");
	memcpy(c->data, s, n);
	c->next = st->chunks;
	st->chunks = c;
	*out = c->data;
	return 0;
}

int cfg_path_resolve(struct vmm_config *cfg, const char *base_dir, const char *path,
		     const char **out, struct err *e)
{
	*out = path;
	if (!base_dir || !path || !path[0] || path[0] == '/')
		return 0;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	char buf[PATH_MAX];
	size_t blen = strlen(base_dir);
	const char *sep = blen && base_dir[blen - 1] == '/' ? "" : "/";
	int n = snprintf(buf, sizeof(buf), "%s%s%s", base_dir, sep, path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return 0;
	return cfg_strdup(cfg, buf, out, e);
}

int cfg_origin_set(struct vmm_config *cfg, const struct cfg_key *k, unsigned disk,
		   const char *where, struct err *e)
{
	if (!where && !cfg->store)
		return 0; /* nothing recorded, nothing to forget */
	struct vmm_config_store *st = cfg_store_get(cfg, e);
	if (!st)
		return -1;
	struct cfg_origin *o = &st->origins[cfg_key_id_of(k)][k->per_disk ? disk : 0];
	if (cfg_strdup(cfg, where, &o->where, e))
		return -1;
	o->snap = cfg_key_get(cfg, k, disk);
	return 0;
}

const char *cfg_origin_get(const struct vmm_config *cfg, const struct cfg_key *k, unsigned disk)
{
	if (!cfg->store || (k->per_disk && disk >= VMM_MAX_DISKS))
		return NULL;
	const struct cfg_origin *o = &cfg->store->origins[cfg_key_id_of(k)][k->per_disk ? disk : 0];
	if (!o->where || !cfg_value_equal(k, o->snap, cfg_key_get(cfg, k, disk)))
		return NULL;
	return o->where;
}

static int cfg_vfail(struct err *e, const char *where, const char *key, const char *fmt,
		     va_list ap)
{
	char detail[400];
	vsnprintf(detail, sizeof(detail), fmt, ap);
	if (where)
		return err_set(e, ERR_INPUT, "%s: %s: %s", where, key, detail);
	return err_set(e, ERR_INPUT, "%s: %s", key, detail);
}

int cfg_fail(struct err *e, const char *where, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cfg_vfail(e, where, key, fmt, ap);
	va_end(ap);
	return -1;
}

int cfg_value_store(struct vmm_config *cfg, const struct cfg_key *k, unsigned disk,
		    union cfg_value v, const char *where, struct err *e)
{
	char msg[300], path[64];
	if (cfg_key_check_range(k, v, msg, sizeof(msg)))
		return cfg_fail(e, where, cfg_key_path(k, disk, path, sizeof(path)), "%s", msg);
	if ((k->type == CFG_STRING || k->type == CFG_PATH) && cfg_strdup(cfg, v.s, &v.s, e))
		return -1;
	cfg_key_put(cfg, k, disk, v);
	return cfg_origin_set(cfg, k, disk, where, e);
}

void cfg_error_export(const struct err *in, struct vmm_error *out)
{
	if (!out)
		return;
	out->kind = in->kind == ERR_HOST ? VMM_ERROR_HOST : VMM_ERROR_INPUT;
	memcpy(out->msg, in->msg, sizeof(out->msg));
}
