/* json_write.c: a configuration and a run's result as JSON (vmm_config_to_json,
 * vmm_result_to_json). The configuration's shape comes from the key table, so
 * what is written is what json_read.c reads back. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "config/check.h"
#include "config/keys.h"
#include "config/store.h"
#include "vmm/vmm.h"

/* Print reals with 15 significant digits: 0.1 stays "0.1", and reads back
 * to the same double. */
#define JSON_DUMP_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

static json_t *jw_value(const struct cfg_key *k, union cfg_value v)
{
	char buf[64];
	switch (k->type) {
	case CFG_ENUM:
	case CFG_SIZE:
		cfg_value_format(k, v, buf, sizeof(buf));
		return json_string(buf);
	case CFG_UINT: return json_integer(v.u);
	case CFG_STRING:
	case CFG_PATH: return v.s ? json_string(v.s) : json_null();
	case CFG_BOOL: return json_boolean(v.e);
	case CFG_SECONDS:
		/* Whole seconds as an integer: "timeout": 30, not 30.0. */
		if (v.secs == (double)(json_int_t)v.secs)
			return json_integer((json_int_t)v.secs);
		return json_real(v.secs);
	}
	return NULL;
}

/* Set obj["a"]["b"] = val for name "a.b", creating the inner objects. */
static int jw_put(json_t *obj, const char *name, json_t *val)
{
	const char *dot;
	while (val && (dot = strchr(name, '.'))) {
		char part[64];
		snprintf(part, sizeof(part), "%.*s", (int)(dot - name), name);
		json_t *inner = json_object_get(obj, part);
		if (!inner) {
			inner = json_object();
			if (json_object_set_new(obj, part, inner))
				break;
		}
		obj = inner;
		name = dot + 1;
	}
	return val ? json_object_set_new(obj, name, val) : -1;
}

/* NULL only when out of memory, or for a string that is not UTF-8 (JSON
 * cannot carry it): then *bad_key names it. */
static json_t *jw_config(const struct vmm_config *cfg, const struct cfg_key **bad_key,
			 unsigned *bad_disk)
{
	json_t *root = json_object(), *disks = json_array();
	int bad = !root || !disks;
	for (unsigned i = 0; i < CFG_NKEYS && !bad; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		*bad_key = k;
		*bad_disk = 0;
		if (!k->per_disk)
			bad = jw_put(root, k->name, jw_value(k, cfg_key_get(cfg, k, 0)));
	}
	for (unsigned d = 0; d < cfg->ndisks && d < VMM_MAX_DISKS && !bad; d++) {
		json_t *disk = json_object();
		bad = !disk || json_array_append_new(disks, disk);
		for (unsigned i = 0; i < CFG_NKEYS && !bad; i++) {
			const struct cfg_key *k = &cfg_keys[i];
			*bad_key = k;
			*bad_disk = d;
			if (k->per_disk) /* "disks[].path" -> "path" */
				bad = jw_put(disk, strchr(k->name, '.') + 1,
					     jw_value(k, cfg_key_get(cfg, k, d)));
		}
	}
	*bad_key = NULL;
	if (!bad && json_object_set(root, "disks", disks) == 0) {
		json_decref(disks);
		return root;
	}
	json_decref(disks);
	json_decref(root);
	return NULL;
}

char *vmm_config_to_json(const struct vmm_config *cfg, struct vmm_error *err)
{
	struct err e = { 0 };
	char *text = NULL, path[64];
	const struct cfg_key *bad_key = NULL;
	unsigned bad_disk = 0;
	/* Ranges only: an incomplete configuration (a base file with no
	 * kernel yet) has a JSON form too; vmm_config_check judges it. */
	if (cfg_check_ranges(cfg, &e)) {
		cfg_error_export(&e, err);
		return NULL;
	}
	if (cfg->console_output == VMM_CONSOLE_OUT_CALLBACK) {
		cfg_fail(&e, NULL, "console.output", "a callback has no JSON form");
	} else {
		json_t *root = jw_config(cfg, &bad_key, &bad_disk);
		text = root ? json_dumps(root, JSON_DUMP_FLAGS) : NULL;
		json_decref(root);
		if (!root && bad_key && (bad_key->type == CFG_PATH || bad_key->type == CFG_STRING))
			cfg_fail(&e, NULL, cfg_key_path(bad_key, bad_disk, path, sizeof(path)),
				 "not UTF-8: JSON cannot carry it");
		else if (!text)
			err_set(&e, ERR_HOST, "out of memory");
	}
	if (e.kind)
		cfg_error_export(&e, err);
	return text;
}

/* JSON strings are UTF-8; a detail line is ASCII, but keep it valid anyway. */
static void jw_ascii(const char *in, char *out, size_t len)
{
	size_t i = 0;
	for (; in[i] && i + 1 < len; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

char *vmm_result_to_json(const struct vmm_result *res)
{
	char detail[sizeof(res->detail)];
	jw_ascii(res->detail, detail, sizeof(detail));
	json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:s, s:f, s:{s:I, s:I}, s:{s:I, s:I}, s:I}",
			      "exit", vmm_exit_kind_name(res->kind),
			      "status", vmm_exit_status(res),
			      "guest_status", res->guest_status,
			      "signal", res->signal,
			      "detail", detail,
			      "run_time_sec", (double)res->run_ns / 1e9,
			      "exits", "pio", (json_int_t)res->exits_pio,
			      "mmio", (json_int_t)res->exits_mmio,
			      "unclaimed", "pio", (json_int_t)res->unclaimed_pio,
			      "mmio", (json_int_t)res->unclaimed_mmio,
			      "fixups", (json_int_t)res->emulation_fixups);
	json_t *devs = o ? json_array() : NULL;
	for (unsigned i = 0; devs && i < res->ndevice_exits && i < VMM_RESULT_MAX_DEVICES; i++) {
		const struct vmm_device_exits *d = &res->device_exits[i];
		char name[sizeof(d->name)];
		jw_ascii(d->name, name, sizeof(name));
		json_array_append_new(devs, json_pack("{s:s, s:s, s:I}", "device", name, "bus",
						      d->mmio ? "mmio" : "pio", "exits",
						      (json_int_t)d->exits));
	}
	if (devs)
		json_object_set_new(json_object_get(o, "exits"), "by_device", devs);
	char *text = o ? json_dumps(o, JSON_DUMP_FLAGS) : NULL;
	json_decref(o);
	return text;
}
