/* bytes.h: little-endian field access for file and guest formats (ELF, the
 * Linux setup header, boot_params, the MP table).
 *
 * Every such format is little-endian (boot.rst: "The byte order of all fields
 * is littleendian"), as is the only host vmm runs on; memcpy keeps the
 * accesses free of alignment and aliasing assumptions. */
#ifndef VMM_BOOT_BYTES_H
#define VMM_BOOT_BYTES_H

#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vmm writes guest formats in host byte order: little-endian hosts only"
#endif

static inline uint16_t le_get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t le_get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t le_get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void le_put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void le_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void le_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Register-sized fields (n = 1..8 bytes) of device registers and configs. */
static inline uint64_t le_get_n(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	memcpy(&v, p, n <= sizeof(v) ? n : sizeof(v));
	return v;
}

static inline void le_put_n(uint8_t *p, unsigned n, uint64_t v)
{
	memcpy(p, &v, n <= sizeof(v) ? n : sizeof(v));
}

#endif
