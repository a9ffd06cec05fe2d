/* idebench_tool.c: conftool's IDE benchmark commands: make the benchmark's scratch disk and check it after a run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idebench.h"

#define CHUNK_SECTORS IDEBENCH_CMD_SECTORS

bool idebench_parse_sizes(char **argv, uint32_t kib[IDEBENCH_AREAS])
{
	for (int a = 0; a < IDEBENCH_AREAS; a++) {
		char *end;
		unsigned long v = strtoul(argv[a], &end, 10);
		if (*end || !*argv[a] || v > IDEBENCH_MAX_KIB)
			goto bad;
		kib[a] = (uint32_t)v;
	}
	if (idebench_sizes_ok(kib))
		return true;
bad:
	fprintf(stderr, "conftool: sizes in KiB: each a multiple of %u, at most %u, not all 0\n", IDEBENCH_CMD_KIB,
		IDEBENCH_MAX_KIB);
	return false;
}

/* The sectors [lba, lba + n) of area a as the run must leave them (write areas: as the guest writes them;
 * with fresh set, as the host leaves them before the run: zeros). */
static void area_fill(uint8_t *p, const struct idebench_layout *l, int a, uint64_t lba, uint32_t n, bool fresh)
{
	if (fresh && !idebench_area_is_read(a)) {
		memset(p, 0, (size_t)n * CONF_SECTOR);
		return;
	}
	for (uint32_t s = 0; s < n; s++)
		for (unsigned j = 0; j < CONF_SECTOR_WORDS; j++) {
			uint64_t w = idebench_word(a, l->lba[a], lba + s, j);
			memcpy(p + (size_t)s * CONF_SECTOR + j * 8, &w, 8);
		}
}

static int scratch_create(const char *path, const struct idebench_layout *l)
{
	static uint8_t buf[CHUNK_SECTORS * CONF_SECTOR];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto fail;
	/* Every sector written (no holes the filesystem answers without I/O). */
	for (int a = 0; a < IDEBENCH_AREAS; a++)
		for (uint32_t off = 0; off < l->sectors[a]; off += CHUNK_SECTORS) {
			uint64_t lba = l->lba[a] + off;
			area_fill(buf, l, a, lba, CHUNK_SECTORS, true);
			if (pwrite(fd, buf, sizeof(buf), (off_t)(lba * CONF_SECTOR)) != (ssize_t)sizeof(buf))
				goto fail;
		}
	if (close(fd))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "conftool: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return 1;
}

/* 0 when the file is the layout's size and every area holds what the run must leave there. */
static int scratch_verify(const char *path, const struct idebench_layout *l, bool quiet)
{
	static uint8_t got[CHUNK_SECTORS * CONF_SECTOR], want[CHUNK_SECTORS * CONF_SECTOR];
	int fd = open(path, O_RDONLY), bad = 0;
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "conftool: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if ((uint64_t)st.st_size != l->total * CONF_SECTOR) {
		if (!quiet)
			printf("idebench-verify: size %lld bytes, expected %llu\n", (long long)st.st_size,
			       (unsigned long long)(l->total * CONF_SECTOR));
		bad++;
	}
	static const char *const names[IDEBENCH_AREAS] = { "pio-read", "pio-write", "dma-read", "dma-write" };
	for (int a = 0; a < IDEBENCH_AREAS; a++) {
		uint64_t wrong = 0, first_wrong = 0;
		for (uint32_t off = 0; off < l->sectors[a]; off += CHUNK_SECTORS) {
			uint64_t lba = l->lba[a] + off;
			area_fill(want, l, a, lba, CHUNK_SECTORS, false);
			ssize_t rd = pread(fd, got, sizeof(got), (off_t)(lba * CONF_SECTOR));
			for (uint32_t s = 0; s < CHUNK_SECTORS; s++)
				if ((rd < (ssize_t)((s + 1) * CONF_SECTOR) ||
				     memcmp(got + s * CONF_SECTOR, want + s * CONF_SECTOR, CONF_SECTOR)) && !wrong++)
					first_wrong = lba + s;
		}
		if (wrong) {
			if (!quiet)
				printf("idebench-verify: %s (LBA %llu, %u sectors): %llu sectors wrong, first LBA %llu\n",
				       names[a], (unsigned long long)l->lba[a], l->sectors[a], (unsigned long long)wrong,
				       (unsigned long long)first_wrong);
			bad++;
		}
	}
	close(fd);
	return bad ? 1 : 0;
}

int idebench_cmd_scratch(int argc, char **argv)
{
	uint32_t kib[IDEBENCH_AREAS];
	struct idebench_layout l;
	if (argc != 1 + IDEBENCH_AREAS) {
		fprintf(stderr, "usage: conftool idebench-scratch FILE PR PW DR DW (KiB per area)\n");
		return 2;
	}
	if (!idebench_parse_sizes(argv + 1, kib))
		return 2;
	idebench_layout(kib, &l);
	return scratch_create(argv[0], &l);
}

int idebench_cmd_verify(int argc, char **argv)
{
	uint32_t kib[IDEBENCH_AREAS];
	struct idebench_layout l;
	if (argc != 1 + IDEBENCH_AREAS) {
		fprintf(stderr, "usage: conftool idebench-verify FILE PR PW DR DW (KiB per area)\n");
		return 2;
	}
	if (!idebench_parse_sizes(argv + 1, kib))
		return 2;
	idebench_layout(kib, &l);
	return scratch_verify(argv[0], &l, false);
}

/* Write the sectors [lba, lba + n) of area a as the guest would (or, with fresh, as the host made them). */
static bool area_write(const char *path, const struct idebench_layout *l, int a, uint64_t lba, uint32_t n,
		       bool fresh)
{
	uint8_t *p = malloc((size_t)n * CONF_SECTOR);
	int fd = open(path, O_WRONLY);
	bool ok = p && fd >= 0;
	if (ok) {
		area_fill(p, l, a, lba, n, fresh);
		ok = pwrite(fd, p, (size_t)n * CONF_SECTOR, (off_t)(lba * CONF_SECTOR)) == (ssize_t)n * CONF_SECTOR;
	}
	free(p);
	if (fd >= 0)
		close(fd);
	return ok;
}

static void expect(const char *what, bool ok, int *fails)
{
	printf("selftest: idebench: %s: %s\n", what, ok ? "as expected" : "WRONG");
	if (!ok)
		(*fails)++;
}

int idebench_selftest(const char *dir, int *fails)
{
	char path[4096];
	struct idebench_layout l;
	snprintf(path, sizeof(path), "%s/selftest-idebench.img", dir);
	static const uint32_t kib[IDEBENCH_AREAS] = { 2 * IDEBENCH_CMD_KIB, IDEBENCH_CMD_KIB, 3 * IDEBENCH_CMD_KIB,
						      2 * IDEBENCH_CMD_KIB };
	idebench_layout(kib, &l);
	if (scratch_create(path, &l))
		return 1;
	expect("a fresh scratch disk (nothing written) is rejected", scratch_verify(path, &l, true) != 0, fails);
	for (int a = 0; a < IDEBENCH_AREAS; a++)
		if (!idebench_area_is_read(a) && !area_write(path, &l, a, l.lba[a], l.sectors[a], false))
			return 1;
	expect("every write area written passes", scratch_verify(path, &l, true) == 0, fails);
	uint64_t last = l.lba[IDEBENCH_DMA_WRITE] + l.sectors[IDEBENCH_DMA_WRITE] - 1;
	if (!area_write(path, &l, IDEBENCH_DMA_WRITE, last, 1, true))
		return 1;
	expect("the last command's last sector missing is caught", scratch_verify(path, &l, true) != 0, fails);
	if (!area_write(path, &l, IDEBENCH_DMA_WRITE, last, 1, false) ||
	    !area_write(path, &l, IDEBENCH_PIO_WRITE, l.lba[IDEBENCH_PIO_READ], 1, false))
		return 1;
	expect("a write that landed in a read area is caught", scratch_verify(path, &l, true) != 0, fails);
	if (!area_write(path, &l, IDEBENCH_PIO_READ, l.lba[IDEBENCH_PIO_READ], 1, false) ||
	    truncate(path, (off_t)((l.total + 1) * CONF_SECTOR)))
		return 1;
	expect("a disk grown by a write past the end is caught", scratch_verify(path, &l, true) != 0, fails);
	unlink(path);
	return 0;
}
