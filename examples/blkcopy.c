/* blkcopy.c: checksum disk 0 through the block hypercalls and write the
 * result into its last sector; with a second disk, also copy the data there
 * and check the copy by reading it back.
 *
 * The result sector (BLKCOPY_RESULT_FORMAT, NUL-padded to 512 bytes) is what
 * the host checks: "blkcopy sectors=N fnv1a64=HHHHHHHHHHHHHHHH" over the N
 * sectors before it (FNV-1a 64, http://www.isthe.com/chongo/tech/comp/fnv/). */
#include "rt.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL
#define CHUNK      (256u * 1024) /* bytes per block hypercall */

static uint8_t buf[CHUNK] __attribute__((aligned(4096)));
static uint8_t result[VMM_HC_SECTOR_SIZE];

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

static int fail(const char *what, int32_t rc)
{
	printf("blkcopy: %s: %s\n", what, rt_strerror(rc));
	return 1;
}

/* Hash sectors [0, n) of disk; with copy_to >= 0 write each chunk there too. */
static int hash_disk(unsigned disk, uint64_t n, int copy_to, uint64_t *out)
{
	uint64_t h = FNV_OFFSET;
	for (uint64_t s = 0; s < n;) {
		uint64_t count = n - s < CHUNK / VMM_HC_SECTOR_SIZE ? n - s : CHUNK / VMM_HC_SECTOR_SIZE;
		size_t len = count * VMM_HC_SECTOR_SIZE;
		int32_t rc = rt_block_read(disk, s, buf, len);
		if (rc)
			return fail("read", rc);
		if (copy_to >= 0 && (rc = rt_block_write((unsigned)copy_to, s, buf, len)))
			return fail("write to the copy", rc);
		h = fnv1a(h, buf, len);
		s += count;
	}
	*out = h;
	return 0;
}

int main(const char *cmdline)
{
	uint64_t sectors = 0, copy_sectors = 0, h = 0, hc = 0;
	uint32_t flags = 0, copy_flags = 0;
	bool copy = rt_info()->ndisks >= 2;
	int32_t rc;
	(void)cmdline;
	if (rt_info()->ndisks < 1) {
		printf("blkcopy: no disk (give --disk IMAGE)\n");
		return 1;
	}
	if ((rc = rt_block_info(0, &sectors, &flags)))
		return fail("disk 0", rc);
	if (sectors < 2 || (flags & VMM_HC_BLOCK_RO)) {
		printf("blkcopy: disk 0 must be writable and hold at least 2 sectors\n");
		return 1;
	}
	uint64_t data = sectors - 1; /* the last sector takes the result */
	if (copy && (rc = rt_block_info(1, &copy_sectors, &copy_flags)))
		return fail("disk 1", rc);
	if (copy && (copy_sectors < data || (copy_flags & VMM_HC_BLOCK_RO))) {
		printf("blkcopy: disk 1 must be writable and hold %lu sectors\n", data);
		return 1;
	}
	if (hash_disk(0, data, copy ? 1 : -1, &h))
		return 1;
	if (copy) {
		if ((rc = rt_block_flush(1)))
			return fail("flush the copy", rc);
		if (hash_disk(1, data, -1, &hc))
			return 1;
		if (hc != h) {
			printf("blkcopy: the copy reads back as %016lx, not %016lx\n", hc, h);
			return 1;
		}
	}
	snprintf((char *)result, sizeof(result), "blkcopy sectors=%lu fnv1a64=%016lx%s\n", data, h,
		 copy ? " copied" : "");
	if ((rc = rt_block_write(0, data, result, sizeof(result))) || (rc = rt_block_flush(0)))
		return fail("write the result", rc);
	printf("blkcopy: %lu sectors, fnv1a64 %016lx%s\n", data, h, copy ? ", copied to disk 1" : "");
	return 0;
}
