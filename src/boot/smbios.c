/* smbios.c: SMBIOS 2.4 structure tables and entry point (see smbios.h). */
#include "boot/smbios.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/layout.h"

/* Structure types and the lengths of their formatted areas (DSP0134). */
#define SMBIOS_TYPE_SYSTEM      1
#define SMBIOS_TYPE_CHASSIS     3
#define SMBIOS_TYPE_CPU         4
#define SMBIOS_TYPE_MEM_ARRAY   16
#define SMBIOS_TYPE_MEM_DEVICE  17
#define SMBIOS_TYPE_MEM_MAPPED  19
#define SMBIOS_TYPE_BOOT        32
#define SMBIOS_TYPE_END         127
#define SMBIOS_LEN_SYSTEM       0x1B
#define SMBIOS_LEN_CHASSIS      0x15
#define SMBIOS_LEN_CPU          0x20
#define SMBIOS_LEN_MEM_ARRAY    0x0F
#define SMBIOS_LEN_MEM_DEVICE   0x15
#define SMBIOS_LEN_MEM_MAPPED   0x0F
#define SMBIOS_LEN_BOOT         0x0B
#define SMBIOS_LEN_END          0x04
/* Handles: one range per type, as SeaBIOS numbers its own. */
#define SMBIOS_HANDLE_MEM_ARRAY 0x1000

struct sb {
	uint8_t *buf;
	size_t cap, len;
	bool full;
	unsigned count;   /* structures */
	size_t max_size;  /* largest structure with its strings */
	size_t start;     /* of the structure being written */
	unsigned strings; /* in it so far */
};

static uint8_t *sb_take(struct sb *b, size_t n)
{
	if (b->full || n > b->cap - b->len) {
		b->full = true;
		return NULL;
	}
	uint8_t *p = b->buf + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

/* A structure's header; its formatted area follows, zeroed. */
static uint8_t *sb_begin(struct sb *b, uint8_t type, uint8_t len, uint16_t handle)
{
	b->start = b->len;
	b->strings = 0;
	uint8_t *p = sb_take(b, len);
	if (p) {
		p[0] = type;
		p[1] = len;
		p[2] = (uint8_t)handle;
		p[3] = (uint8_t)(handle >> 8);
	}
	return p;
}

/* Append a string to the structure; returns its number for the formatted area. */
static uint8_t sb_string(struct sb *b, const char *s)
{
	size_t n = strlen(s) + 1;
	uint8_t *p = sb_take(b, n);
	if (p)
		memcpy(p, s, n);
	return (uint8_t)++b->strings;
}

/* The string set ends with an extra NUL; with no strings, two NULs. */
static void sb_end(struct sb *b)
{
	sb_take(b, b->strings ? 1 : 2);
	b->count++;
	if (!b->full && b->len - b->start > b->max_size)
		b->max_size = b->len - b->start;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void sb_system(struct sb *b)
{
	uint8_t *p = sb_begin(b, SMBIOS_TYPE_SYSTEM, SMBIOS_LEN_SYSTEM, 0x100);
	if (!p)
		return;
	p[4] = sb_string(b, SMBIOS_MANUFACTURER);
	p[5] = sb_string(b, SMBIOS_PRODUCT);
	p[0x18] = 0x06; /* wake-up type: power switch; the UUID (0x08) stays 0: unknown */
	sb_end(b);
}

static void sb_chassis(struct sb *b)
{
	uint8_t *p = sb_begin(b, SMBIOS_TYPE_CHASSIS, SMBIOS_LEN_CHASSIS, 0x300);
	if (!p)
		return;
	p[4] = sb_string(b, SMBIOS_MANUFACTURER);
	p[5] = 0x01;                     /* type: other */
	p[9] = p[0x0A] = p[0x0B] = 0x03; /* boot-up, power supply, thermal: safe */
	p[0x0C] = 0x02;                  /* security: unknown */
	sb_end(b);
}

static void sb_cpu(struct sb *b, const struct smbios_info *info, unsigned n)
{
	char socket[16];
	uint8_t *p = sb_begin(b, SMBIOS_TYPE_CPU, SMBIOS_LEN_CPU, (uint16_t)(0x400 + n));
	if (!p)
		return;
	snprintf(socket, sizeof(socket), "CPU %u", n);
	p[4] = sb_string(b, socket);
	p[5] = 0x03;       /* central processor */
	p[6] = 0x01;       /* family: other */
	p[7] = info->cpu_vendor[0] ? sb_string(b, info->cpu_vendor) : 0;
	put32(p + 8, info->cpuid_signature);
	put32(p + 12, info->cpuid_features);
	p[0x18] = 0x41;    /* socket populated, CPU enabled */
	p[0x19] = 0x01;    /* upgrade: other */
	put16(p + 0x1A, 0xFFFF); /* no cache information structures */
	put16(p + 0x1C, 0xFFFF);
	put16(p + 0x1E, 0xFFFF);
	sb_end(b);
}

static void sb_memory(struct sb *b, const struct guest_mem *m)
{
	uint64_t mib = m->ram_size / MiB;
	unsigned ndev = (unsigned)((mib + SMBIOS_DIMM_MIB - 1) / SMBIOS_DIMM_MIB);
	uint8_t *p = sb_begin(b, SMBIOS_TYPE_MEM_ARRAY, SMBIOS_LEN_MEM_ARRAY, SMBIOS_HANDLE_MEM_ARRAY);
	if (p) {
		p[4] = 0x03; /* location: system board */
		p[5] = 0x03; /* use: system memory */
		p[6] = 0x03; /* error correction: none */
		put32(p + 7, (uint32_t)(m->ram_size / KiB)); /* at most 64 GiB: fits */
		put16(p + 0x0B, 0xFFFE); /* no error information */
		put16(p + 0x0D, (uint16_t)ndev);
		sb_end(b);
	}
	for (unsigned i = 0; i < ndev; i++) {
		char loc[16];
		uint64_t left = mib - (uint64_t)i * SMBIOS_DIMM_MIB;
		p = sb_begin(b, SMBIOS_TYPE_MEM_DEVICE, SMBIOS_LEN_MEM_DEVICE, (uint16_t)(0x1100 + i));
		if (!p)
			return;
		snprintf(loc, sizeof(loc), "DIMM %u", i);
		put16(p + 4, SMBIOS_HANDLE_MEM_ARRAY);
		put16(p + 6, 0xFFFE);
		put16(p + 8, 64);  /* total width */
		put16(p + 0x0A, 64); /* data width */
		put16(p + 0x0C, (uint16_t)(left < SMBIOS_DIMM_MIB ? left : SMBIOS_DIMM_MIB)); /* MiB */
		p[0x0E] = 0x09;    /* form factor: DIMM */
		p[0x10] = sb_string(b, loc);
		p[0x12] = 0x07;    /* type: RAM */
		sb_end(b);
	}
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct mem_region *r = &m->regions[i];
		p = sb_begin(b, SMBIOS_TYPE_MEM_MAPPED, SMBIOS_LEN_MEM_MAPPED, (uint16_t)(0x1300 + i));
		if (!p)
			return;
		put32(p + 4, (uint32_t)(r->gpa / KiB));
		put32(p + 8, (uint32_t)((r->gpa + r->size) / KiB - 1));
		put16(p + 0x0C, SMBIOS_HANDLE_MEM_ARRAY);
		p[0x0E] = 1; /* partition width */
		sb_end(b);
	}
}

static void sb_tail(struct sb *b)
{
	if (sb_begin(b, SMBIOS_TYPE_BOOT, SMBIOS_LEN_BOOT, 0x2000))
		sb_end(b); /* boot status 0: no errors detected */
	if (sb_begin(b, SMBIOS_TYPE_END, SMBIOS_LEN_END, 0x7F00))
		sb_end(b);
}

/* The 2.1 entry point (DSP0134 §5.2.1). SeaBIOS fills in the table address
 * and both checksums once it has placed the table. */
static void smbios_entry_point(uint8_t ep[SMBIOS_EP_SIZE], const struct sb *b)
{
	memset(ep, 0, SMBIOS_EP_SIZE);
	memcpy(ep, "_SM_", 4);
	ep[5] = SMBIOS_EP_SIZE;
	ep[6] = 2; /* version 2.4 */
	ep[7] = 4;
	put16(ep + 8, (uint16_t)b->max_size);
	memcpy(ep + 0x10, "_DMI_", 5);
	put16(ep + 0x16, (uint16_t)b->len);
	put16(ep + 0x1C, (uint16_t)b->count);
	ep[0x1E] = 0x24; /* BCD revision */
	uint8_t sum = 0;
	for (unsigned i = 0x10; i < SMBIOS_EP_SIZE; i++)
		sum = (uint8_t)(sum + ep[i]);
	ep[0x15] = (uint8_t)-sum;
	sum = 0;
	for (unsigned i = 0; i < 0x10; i++)
		sum = (uint8_t)(sum + ep[i]);
	ep[4] = (uint8_t)-sum;
}

size_t smbios_build(const struct smbios_info *info, uint8_t *tables, size_t cap,
		    uint8_t ep[SMBIOS_EP_SIZE])
{
	struct sb b = { .buf = tables, .cap = cap < 0xFFFF ? cap : 0xFFFF };
	sb_system(&b);
	sb_chassis(&b);
	for (unsigned i = 0; i < info->cpus && i < SMBIOS_MAX_CPUS; i++)
		sb_cpu(&b, info, i);
	sb_memory(&b, info->mem);
	sb_tail(&b);
	if (b.full)
		return 0;
	smbios_entry_point(ep, &b);
	return b.len;
}
