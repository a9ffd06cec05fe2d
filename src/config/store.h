/* store.h: what a struct vmm_config owns (vmm.h "Ownership"): copies of its
 * strings, freed together by vmm_config_release(), and where each value came
 * from ("vm.json:4:15", "--kernel"), so checks made later, on the merged
 * configuration, can still point at the file position or the option. */
#ifndef VMM_CONFIG_STORE_H
#define VMM_CONFIG_STORE_H

#include "config/keys.h"
#include "core/error.h"
#include "vmm/vmm.h"

struct cfg_chunk;

struct cfg_origin {
	const char *where;    /* NULL: not recorded */
	union cfg_value snap; /* the value it was recorded for */
};

struct vmm_config_store {
	struct cfg_chunk *chunks; /* every string this config owns */
	struct cfg_origin origins[CFG_NKEYS][VMM_MAX_DISKS]; /* [key][disk]; disk 0 for others */
	const char *source;      /* the last JSON file applied: names whole-config problems */
};

/* The config's store, created on first use. */
struct vmm_config_store *cfg_store_get(struct vmm_config *cfg, struct err *e);
void cfg_store_free(struct vmm_config_store *s);
/* A copy of s that lives until vmm_config_release (NULL in, NULL out). */
int cfg_strdup(struct vmm_config *cfg, const char *s, const char **out, struct err *e);

/* A relative path joined to base_dir ("./" prefixes dropped), as one of
 * cfg's strings; absolute paths and a NULL base_dir leave path as it is.
 * A result too long for PATH_MAX is left to the range check. */
int cfg_path_resolve(struct vmm_config *cfg, const char *base_dir, const char *path,
		     const char **out, struct err *e);

/* Record (where may be NULL) or look up where key k (of disk) came from. The
 * lookup answers NULL once the value was changed behind the store's back. */
int cfg_origin_set(struct vmm_config *cfg, const struct cfg_key *k, unsigned disk,
		   const char *where, struct err *e);
const char *cfg_origin_get(const struct vmm_config *cfg, const struct cfg_key *k, unsigned disk);

/* Check v's range, copy its string, store it with its origin. Errors read
 * "WHERE: KEY: detail". */
int cfg_value_store(struct vmm_config *cfg, const struct cfg_key *k, unsigned disk,
		    union cfg_value v, const char *where, struct err *e);

/* err_set with the "WHERE: KEY: " prefix (WHERE omitted when NULL). */
int cfg_fail(struct err *e, const char *where, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void cfg_error_export(const struct err *in, struct vmm_error *out);

#endif
