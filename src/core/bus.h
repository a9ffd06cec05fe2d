/* bus.h: one registry for port I/O and MMIO ranges.
 *
 * A device registers [base, base+len) with ops; accesses reach it as an offset
 * into its range. Ranges may not be empty, wrap, or overlap another. Lookups are
 * binary searches over a sorted array under a read lock; the handler runs after
 * the lock is dropped, so a handler may (un)register ranges (PCI BAR moves)
 * without deadlocking. Devices live as long as the VM, so a handler that was
 * looked up just before its range moved still points at a live device.
 */
#ifndef VMM_CORE_BUS_H
#define VMM_CORE_BUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct bus_ops {
	/* size is 1, 2, 4 or 8; off + size never exceeds the registered len. */
	uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
	void (*write)(void *opaque, uint64_t off, unsigned size, uint64_t val);
};

/* Exits per device name, kept for the VM's life: a range that moves (a PCI
 * BAR) or registers twice under one name adds to the same count. */
struct bus_counter {
	struct bus_counter *next;
	char *name;
	atomic_ulong exits;
};

struct bus_range {
	uint64_t base, len;
	const struct bus_ops *ops;
	void *opaque;
	const char *name;
	struct bus_counter *counter;
};

struct bus {
	const char *name; /* "pio" or "mmio", for messages */
	pthread_rwlock_t lock;
	struct bus_range *ranges; /* sorted by base, non-overlapping */
	unsigned count, cap;
	atomic_ulong unclaimed_reads, unclaimed_writes;
	struct bus_counter *counters; /* under lock (written by register) */
};

int bus_init(struct bus *b, const char *name);
void bus_destroy(struct bus *b);

/* 0, or -EINVAL (empty or wrapping range, NULL ops), -EEXIST (overlap), -ENOMEM. */
int bus_register(struct bus *b, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque, const char *name);
/* 0, or -ENOENT when no range starts at base. */
int bus_unregister(struct bus *b, uint64_t base);

/* Dispatch one access. An access no range wholly contains is unclaimed: reads
 * give all ones (a floating ISA/PCI bus), writes are dropped; both are counted
 * and false is returned. */
bool bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *val);
bool bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t val);

/* Count one exit at addr against the device there (a string I/O exit is one
 * exit however many accesses it carries); nothing if no range holds addr. */
void bus_count_exit(struct bus *b, uint64_t addr);

struct bus_exit_count {
	const char *name; /* valid until bus_destroy */
	uint64_t exits;
};
/* The devices with exits, most first: fills up to max, returns how many
 * devices have exits (may exceed max). */
unsigned bus_exit_counts(struct bus *b, struct bus_exit_count *out, unsigned max);

#endif
