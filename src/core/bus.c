/* bus.c: interval registry for port I/O and MMIO ranges (see bus.h). */
#include "core/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	return -pthread_rwlock_init(&b->lock, NULL);
}

void bus_destroy(struct bus *b)
{
	for (struct bus_counter *c = b->counters, *next; c; c = next) {
		next = c->next;
		free(c->name);
		free(c);
	}
	b->counters = NULL;
	free(b->ranges);
	b->ranges = NULL;
	b->count = b->cap = 0;
	pthread_rwlock_destroy(&b->lock);
}

/* Index of the first range whose base is > addr. */
static unsigned bus_upper_bound(const struct bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->count;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (b->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int bus_grow(struct bus *b)
{
	if (b->count < b->cap)
		return 0;
	unsigned cap = b->cap ? b->cap * 2 : 16;
	struct bus_range *r = realloc(b->ranges, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	b->ranges = r;
	b->cap = cap;
	return 0;
}

/* Under the write lock. */
static struct bus_counter *bus_counter_get(struct bus *b, const char *name)
{
	if (!name)
		name = "unnamed";
	for (struct bus_counter *c = b->counters; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	struct bus_counter *c = calloc(1, sizeof(*c));
	if (!c || !(c->name = strdup(name))) {
		free(c);
		return NULL;
	}
	c->next = b->counters;
	b->counters = c;
	return c;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque, const char *name)
{
	uint64_t last;
	if (len == 0 || !ops || __builtin_add_overflow(base, len - 1, &last))
		return -EINVAL;

	pthread_rwlock_wrlock(&b->lock);
	unsigned pos = bus_upper_bound(b, base);
	int rc = 0;
	/* Overlap with the range before (it starts <= base) or the one after. */
	if (pos > 0) {
		const struct bus_range *prev = &b->ranges[pos - 1];
		if (prev->base + (prev->len - 1) >= base)
			rc = -EEXIST;
	}
	if (!rc && pos < b->count && b->ranges[pos].base <= last)
		rc = -EEXIST;
	if (!rc)
		rc = bus_grow(b);
	struct bus_counter *counter = NULL;
	if (!rc && !(counter = bus_counter_get(b, name)))
		rc = -ENOMEM;
	if (!rc) {
		memmove(&b->ranges[pos + 1], &b->ranges[pos], (b->count - pos) * sizeof(b->ranges[0]));
		b->ranges[pos] = (struct bus_range){ base, len, ops, opaque, name, counter };
		b->count++;
	}
	pthread_rwlock_unlock(&b->lock);
	return rc;
}

int bus_unregister(struct bus *b, uint64_t base)
{
	int rc = -ENOENT;
	pthread_rwlock_wrlock(&b->lock);
	unsigned pos = bus_upper_bound(b, base);
	if (pos > 0 && b->ranges[pos - 1].base == base) {
		pos--;
		memmove(&b->ranges[pos], &b->ranges[pos + 1], (b->count - pos - 1) * sizeof(b->ranges[0]));
		b->count--;
		rc = 0;
	}
	pthread_rwlock_unlock(&b->lock);
	return rc;
}

/* Copy out the range wholly containing [addr, addr+size), if any. */
static bool bus_find(struct bus *b, uint64_t addr, unsigned size, struct bus_range *out)
{
	bool found = false;
	pthread_rwlock_rdlock(&b->lock);
	unsigned pos = bus_upper_bound(b, addr);
	if (pos > 0) {
		const struct bus_range *r = &b->ranges[pos - 1];
		uint64_t off = addr - r->base;
		if (off < r->len && size <= r->len - off) {
			*out = *r;
			found = true;
		}
	}
	pthread_rwlock_unlock(&b->lock);
	return found;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

bool bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *val)
{
	struct bus_range r;
	if (!size_ok(size) || !bus_find(b, addr, size, &r) || !r.ops->read) {
		atomic_fetch_add(&b->unclaimed_reads, 1);
		*val = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
		return false;
	}
	uint64_t v = r.ops->read(r.opaque, addr - r.base, size);
	*val = size >= 8 ? v : v & ((1ULL << (size * 8)) - 1);
	return true;
}

bool bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t val)
{
	struct bus_range r;
	if (!size_ok(size) || !bus_find(b, addr, size, &r) || !r.ops->write) {
		atomic_fetch_add(&b->unclaimed_writes, 1);
		return false;
	}
	if (size < 8)
		val &= (1ULL << (size * 8)) - 1;
	r.ops->write(r.opaque, addr - r.base, size, val);
	return true;
}

void bus_count_exit(struct bus *b, uint64_t addr)
{
	pthread_rwlock_rdlock(&b->lock);
	unsigned pos = bus_upper_bound(b, addr);
	if (pos > 0) {
		const struct bus_range *r = &b->ranges[pos - 1];
		if (addr - r->base < r->len)
			atomic_fetch_add(&r->counter->exits, 1);
	}
	pthread_rwlock_unlock(&b->lock);
}

unsigned bus_exit_counts(struct bus *b, struct bus_exit_count *out, unsigned max)
{
	unsigned n = 0, filled = 0;
	pthread_rwlock_rdlock(&b->lock);
	for (const struct bus_counter *c = b->counters; c; c = c->next) {
		uint64_t exits = atomic_load(&c->exits);
		if (!exits)
			continue;
		n++;
		/* Insertion into the sorted prefix; the smallest falls off the end. */
		unsigned i = filled < max ? filled++ : max;
		while (i > 0 && out[i - 1].exits < exits) {
			if (i < max)
				out[i] = out[i - 1];
			i--;
		}
		if (i < max)
			out[i] = (struct bus_exit_count){ c->name, exits };
	}
	pthread_rwlock_unlock(&b->lock);
	return n;
}
