/* pattern.c: fill and check sector buffers with plan.h's per-LBA pattern. */
#include "os.h"

void pattern_fill(void *buf, uint64_t lba, uint32_t count, uint64_t tag)
{
	uint64_t *w = buf;
	for (uint32_t s = 0; s < count; s++)
		for (unsigned j = 0; j < CONF_SECTOR_WORDS; j++)
			*w++ = conf_pattern_word(lba + s, j, tag);
}

long pattern_check(const void *buf, uint64_t lba, uint32_t count, uint64_t tag)
{
	const uint64_t *w = buf;
	for (uint32_t s = 0; s < count; s++)
		for (unsigned j = 0; j < CONF_SECTOR_WORDS; j++)
			if (*w++ != conf_pattern_word(lba + s, j, tag))
				return (long)s;
	return -1;
}
