/* blkcopy_check.c: the host side of the blkcopy example's test.
 *
 *   blkcopy_check make IMAGE SECTORS   write SECTORS sectors of a fixed
 *                                      pseudo-random pattern
 *   blkcopy_check verify IMAGE [COPY]  IMAGE's last sector must hold the
 *                                      line blkcopy writes for the sectors
 *                                      before it (FNV-1a 64), and COPY, if
 *                                      given, the same data
 * Exit 0 when all holds; otherwise one line on stderr says what differs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR 512

/* "blkcopy_check: WHAT ARG" on stderr. */
static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "blkcopy_check: %s %s\n", what, arg);
	return 1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = buf ? (size_t)n : 0;
	return buf;
}

static int make(const char *path, unsigned long sectors)
{
	FILE *f = fopen(path, "wb");
	uint64_t x = 0x9e3779b97f4a7c15ULL; /* xorshift64 */
	if (!f)
		return fail("cannot create", path);
	for (unsigned long i = 0; i < sectors * SECTOR / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		fwrite(&x, 8, 1, f);
	}
	return fclose(f) ? fail("cannot write", path) : 0;
}

static int verify(const char *path, const char *copy)
{
	size_t len, clen = 0;
	uint8_t *img = slurp(path, &len), *cp = copy ? slurp(copy, &clen) : NULL;
	if (!img || len < 2 * SECTOR || len % SECTOR)
		return fail("unreadable or not whole sectors:", path);
	size_t data = len - SECTOR;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < data; i++)
		h = (h ^ img[i]) * 0x100000001b3ULL;
	char want[SECTOR] = { 0 };
	snprintf(want, sizeof(want), "blkcopy sectors=%zu fnv1a64=%016" PRIx64 "%s\n", data / SECTOR, h,
		 copy ? " copied" : "");
	if (memcmp(img + data, want, SECTOR))
		return fail("result sector differs; want:", want);
	if (copy && (!cp || clen < data || memcmp(cp, img, data)))
		return fail("the copy lacks the data:", copy);
	printf("blkcopy_check: %s", want);
	free(img);
	free(cp);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "make"))
		return make(argv[2], strtoul(argv[3], NULL, 0));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "verify"))
		return verify(argv[2], argc == 4 ? argv[3] : NULL);
	fprintf(stderr, "usage: blkcopy_check make IMAGE SECTORS | verify IMAGE [COPY]\n");
	return 2;
}
