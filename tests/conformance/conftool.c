/* conftool.c: host side of the conformance disk: build the image, make and verify the scratch disk, check the log. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idebench.h"
#include "plan.h"

#define IMAGE_MIN_BYTES (1u << 20) /* pad the boot disk to 1 MiB: a sane geometry for any BIOS */
#define PART_BOOTABLE 0x80
#define PART_TYPE     0xDA /* "non-filesystem data" */

static int usage(void)
{
	fprintf(stderr, "usage: conftool image MBR.elf OS.elf OUT.img [auto|full|para] [idebench PR PW DR DW]\n"
			"       conftool scratch-create FILE\n"
			"       conftool scratch-verify FILE\n"
			"       conftool check-log full|para LOG\n"
			"       conftool idebench-scratch FILE PR PW DR DW\n"
			"       conftool idebench-verify FILE PR PW DR DW\n"
			"       conftool selftest DIR\n");
	return 2;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "conftool: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap + 1);
	size_t r;
	while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *q = realloc(p, cap * 2 + 1);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap *= 2;
		}
	}
	fclose(f);
	if (p) {
		p[n] = 0;
		*len = n;
	}
	return p;
}

/* The PT_LOAD file contents of an ELF64 as one flat image from the lowest
 * physical address; gaps are zero. */
struct flat {
	uint8_t *data;
	uint64_t base, size, entry;
};

static bool elf_flatten(const char *path, struct flat *out)
{
	size_t len;
	uint8_t *f = read_file(path, &len);
	if (!f)
		return false;
	Elf64_Ehdr eh;
	bool ok = false;
	if (len < sizeof(eh) || (memcpy(&eh, f, sizeof(eh)), memcmp(eh.e_ident, ELFMAG, SELFMAG)) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff) {
		fprintf(stderr, "conftool: %s: not a usable ELF64 file\n", path);
		goto out;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			memcpy(&ph, f + eh.e_phoff + i * sizeof(ph), sizeof(ph));
			if (ph.p_type != PT_LOAD || !ph.p_filesz)
				continue;
			if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset || ph.p_paddr > (1ULL << 32)) {
				fprintf(stderr, "conftool: %s: segment %u out of range\n", path, i);
				goto out;
			}
			if (pass == 0) {
				lo = ph.p_paddr < lo ? ph.p_paddr : lo;
				hi = ph.p_paddr + ph.p_filesz > hi ? ph.p_paddr + ph.p_filesz : hi;
			} else {
				memcpy(out->data + (ph.p_paddr - lo), f + ph.p_offset, ph.p_filesz);
			}
		}
		if (pass == 0) {
			if (lo >= hi || hi - lo > (64u << 20)) {
				fprintf(stderr, "conftool: %s: no loadable contents\n", path);
				goto out;
			}
			out->data = calloc(1, hi - lo);
			if (!out->data)
				goto out;
		}
	}
	out->base = lo;
	out->size = hi - lo;
	out->entry = eh.e_entry;
	ok = true;
out:
	free(f);
	return ok;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static bool write_all(int fd, const void *p, size_t n, uint64_t off)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = pwrite(fd, b, n, (off_t)off);
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return true;
}

static int cmd_image(int argc, char **argv)
{
	uint32_t bench_kib[CONF_BENCH_AREAS] = { 0 };
	bool bench = argc == 5 + IDEBENCH_AREAS && !strcmp(argv[4], "idebench"); /* idebench.h */
	if (bench && !idebench_parse_sizes(argv + 5, bench_kib))
		return usage();
	if (bench)
		argc = 4;
	if (argc < 3 || argc > 4)
		return usage();
	uint8_t expect = CONF_EXPECT_AUTO;
	if (argc == 4) {
		if (!strcmp(argv[3], "full"))
			expect = CONF_EXPECT_FULL;
		else if (!strcmp(argv[3], "para"))
			expect = CONF_EXPECT_PARA;
		else if (strcmp(argv[3], "auto"))
			return usage();
	}
	struct flat mbr = { 0 }, os = { 0 };
	if (!elf_flatten(argv[0], &mbr) || !elf_flatten(argv[1], &os))
		return 1;
	if (mbr.base != 0x7C00 || mbr.size != CONF_SECTOR) {
		fprintf(stderr, "conftool: %s: the boot sector must be 512 bytes at 0x7C00\n", argv[0]);
		return 1;
	}
	uint64_t os_sectors = (os.size + CONF_SECTOR - 1) / CONF_SECTOR;
	if (1 + os_sectors > CONF_LOAD_MAX_SECTORS || os.base < (1u << 20) || os.entry < os.base ||
	    os.entry >= os.base + os.size) {
		fprintf(stderr, "conftool: %s: %lu sectors at 0x%lx, entry 0x%lx: does not fit the loader\n", argv[1],
			(unsigned long)os_sectors, (unsigned long)os.base, (unsigned long)os.entry);
		return 1;
	}
	uint64_t total = (CONF_OS_LBA + os_sectors) * CONF_SECTOR;
	if (total < IMAGE_MIN_BYTES)
		total = IMAGE_MIN_BYTES;
	uint8_t *img = calloc(1, total);
	if (!img)
		return 1;
	memcpy(img, mbr.data, CONF_SECTOR);
	put32(img + CONF_MBR_ENTRY_OFF, (uint32_t)os.entry);
	put32(img + CONF_MBR_DEST_OFF, (uint32_t)os.base);
	put16(img + CONF_MBR_COUNT_OFF, (uint16_t)(1 + os_sectors));
	/* One bootable partition over the rest of the disk, LBA only (CHS
	 * fields FE FF FF); SeaBIOS itself needs only the 55 AA signature. */
	uint8_t *pe = img + CONF_MBR_PART_OFF;
	pe[0] = PART_BOOTABLE;
	pe[1] = 0xFE, pe[2] = 0xFF, pe[3] = 0xFF;
	pe[4] = PART_TYPE;
	pe[5] = 0xFE, pe[6] = 0xFF, pe[7] = 0xFF;
	put32(pe + 8, 1);
	put32(pe + 12, (uint32_t)(total / CONF_SECTOR - 1));
	if (img[CONF_MBR_SIG_OFF] != 0x55 || img[CONF_MBR_SIG_OFF + 1] != 0xAA) {
		fprintf(stderr, "conftool: %s: no 55 AA signature\n", argv[0]);
		return 1;
	}
	struct conf_config cfg = { .expect = expect, .os_sectors = (uint32_t)os_sectors,
				   .scratch_sectors = CONF_SCRATCH_SECTORS };
	if (bench) {
		struct idebench_layout l;
		idebench_layout(bench_kib, &l);
		cfg.scratch_sectors = l.total;
		memcpy(cfg.bench_kib, bench_kib, sizeof(cfg.bench_kib));
	}
	memcpy(cfg.magic, CONF_MAGIC, 8);
	memcpy(img + CONF_CONFIG_LBA * CONF_SECTOR, &cfg, sizeof(cfg));
	memcpy(img + CONF_OS_LBA * CONF_SECTOR, os.data, os.size);
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !write_all(fd, img, total, 0) || close(fd)) {
		fprintf(stderr, "conftool: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	free(img);
	free(mbr.data);
	free(os.data);
	return 0;
}

static void sectors_fill(uint8_t *p, uint64_t lba, uint32_t n, uint64_t tag)
{
	for (uint32_t s = 0; s < n; s++)
		for (unsigned j = 0; j < CONF_SECTOR_WORDS; j++) {
			uint64_t w = conf_pattern_word(lba + s, j, tag);
			memcpy(p + (size_t)s * CONF_SECTOR + j * 8, &w, 8);
		}
}

static int cmd_scratch_create(int argc, char **argv)
{
	if (argc != 1)
		return usage();
	int fd = open(argv[0], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)(CONF_SCRATCH_SECTORS * CONF_SECTOR))) {
		fprintf(stderr, "conftool: %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	for (int i = 0; i < CONF_R_COUNT; i++) {
		const struct conf_region *r = &conf_regions[i];
		if (r->owner != CONF_BY_HOST)
			continue;
		uint8_t *p = malloc((size_t)r->count * CONF_SECTOR);
		if (!p)
			return 1;
		sectors_fill(p, r->lba, r->count, CONF_TAG_HOST);
		if (!write_all(fd, p, (size_t)r->count * CONF_SECTOR, r->lba * CONF_SECTOR)) {
			fprintf(stderr, "conftool: %s: %s\n", argv[0], strerror(errno));
			return 1;
		}
		free(p);
	}
	return close(fd) ? 1 : 0;
}

static int scratch_verify(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "conftool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int bad = 0;
	if ((uint64_t)st.st_size != CONF_SCRATCH_SECTORS * CONF_SECTOR) {
		printf("scratch: size %lld bytes, expected %llu (a write past the end landed?)\n", (long long)st.st_size,
		       (unsigned long long)(CONF_SCRATCH_SECTORS * CONF_SECTOR));
		bad++;
	}
	for (int i = 0; i < CONF_R_COUNT; i++) {
		const struct conf_region *r = &conf_regions[i];
		uint32_t n = r->count + 2 * CONF_GUARD;
		uint64_t first = r->lba - CONF_GUARD;
		uint8_t *got = malloc((size_t)n * CONF_SECTOR), *want = calloc(n, CONF_SECTOR);
		if (!got || !want)
			return 1;
		ssize_t rd = pread(fd, got, (size_t)n * CONF_SECTOR, (off_t)(first * CONF_SECTOR));
		if (rd != (ssize_t)n * CONF_SECTOR) {
			printf("scratch: %s: short read\n", r->name);
			free(got);
			free(want);
			close(fd);
			return 1;
		}
		sectors_fill(want + CONF_GUARD * CONF_SECTOR, r->lba, r->count,
			     r->owner == CONF_BY_HOST ? CONF_TAG_HOST : CONF_TAG_GUEST);
		int wrong = 0;
		uint64_t first_wrong = 0;
		for (uint32_t s = 0; s < n; s++)
			if (memcmp(got + (size_t)s * CONF_SECTOR, want + (size_t)s * CONF_SECTOR, CONF_SECTOR) &&
			    !wrong++)
				first_wrong = first + s;
		if (wrong) {
			printf("scratch: %s (LBA %llu, %u sectors, %s data): %d sectors wrong around it, first LBA %llu\n",
			       r->name, (unsigned long long)r->lba, r->count, r->owner == CONF_BY_HOST ? "host" : "guest",
			       wrong, (unsigned long long)first_wrong);
			bad++;
		} else {
			printf("scratch: %s ok\n", r->name);
		}
		free(got);
		free(want);
	}
	close(fd);
	return bad ? 1 : 0;
}

static int cmd_scratch_verify(int argc, char **argv)
{
	if (argc != 1)
		return usage();
	return scratch_verify(argv[0]);
}

static int mode_parse(const char *s)
{
	return !strcmp(s, "full") ? CONF_MODE_FULL : !strcmp(s, "para") ? CONF_MODE_PARA : 0;
}

static int check_log(int mode, const char *path)
{
	const char *mode_name = mode == CONF_MODE_FULL ? "full" : "para";
	size_t len;
	char *log = read_file(path, &len);
	if (!log)
		return 1;
	if (strlen(log) != len) /* NUL bytes: look past them */
		for (size_t i = 0; i < len; i++)
			if (!log[i])
				log[i] = ' ';
	int bad = 0, n = 0;
	char line[128];
	snprintf(line, sizeof(line), CONF_LINE_PREFIX "platform %s", mode_name);
	if (!strstr(log, line)) {
		printf("check-log: missing \"%s\"\n", line);
		bad++;
	}
	for (int i = 0; i < CONF_C_COUNT; i++) {
		if (!(conf_checks[i].modes & mode) || i == CONF_C_POWEROFF)
			continue;
		n++;
		snprintf(line, sizeof(line), CONF_LINE_PREFIX "%s ok", conf_checks[i].name);
		if (!strstr(log, line)) {
			printf("check-log: missing \"%s\"\n", line);
			bad++;
		}
	}
	snprintf(line, sizeof(line), CONF_LINE_PREFIX "all %d checks ok", n);
	if (!strstr(log, line)) {
		printf("check-log: missing \"%s\"\n", line);
		bad++;
	}
	if (strstr(log, "FAILED")) {
		printf("check-log: the log has a FAILED line\n");
		bad++;
	}
	free(log);
	return bad ? 1 : 0;
}

static int cmd_check_log(int argc, char **argv)
{
	if (argc != 2 || !mode_parse(argv[0]))
		return usage();
	return check_log(mode_parse(argv[0]), argv[1]);
}

/* ---- selftest: the host-side checks must catch what they are for ---- */
static bool region_write(const char *path, const struct conf_region *r, uint64_t tag)
{
	int fd = open(path, O_WRONLY);
	uint8_t *p = malloc((size_t)r->count * CONF_SECTOR);
	bool ok = fd >= 0 && p;
	if (ok) {
		sectors_fill(p, r->lba, r->count, tag);
		ok = write_all(fd, p, (size_t)r->count * CONF_SECTOR, r->lba * CONF_SECTOR);
	}
	free(p);
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool file_poke(const char *path, uint64_t off, uint8_t v)
{
	int fd = open(path, O_WRONLY);
	bool ok = fd >= 0 && write_all(fd, &v, 1, off);
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool log_write(const char *path, int mode, int skip, const char *extra)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	int n = 0;
	fprintf(f, CONF_LINE_PREFIX "platform %s (by the devices found)\n", mode == CONF_MODE_FULL ? "full" : "para");
	for (int i = 0; i < CONF_C_COUNT; i++) {
		if (!(conf_checks[i].modes & mode) || i == CONF_C_POWEROFF)
			continue;
		n++;
		if (i != skip)
			fprintf(f, CONF_LINE_PREFIX "%s ok\n", conf_checks[i].name);
	}
	fprintf(f, CONF_LINE_PREFIX "all %d checks ok\n%s", n, extra);
	return fclose(f) == 0;
}

static int expect(const char *what, int got, int want, int *fails)
{
	printf("selftest: %s: %s\n", what, got == want ? "as expected" : "WRONG");
	if (got != want)
		(*fails)++;
	return got;
}

static int cmd_selftest(int argc, char **argv)
{
	if (argc != 1)
		return usage();
	char img[4096], log[4096];
	snprintf(img, sizeof(img), "%s/selftest-scratch.img", argv[0]);
	snprintf(log, sizeof(log), "%s/selftest.log", argv[0]);
	int fails = 0;
	const char *args[1] = { img };
	if (cmd_scratch_create(1, (char **)args))
		return 1;
	expect("fresh scratch (no guest data) is rejected", scratch_verify(img) != 0, 1, &fails);
	for (int i = 0; i < CONF_R_COUNT; i++)
		if (conf_regions[i].owner == CONF_BY_GUEST && !region_write(img, &conf_regions[i], CONF_TAG_GUEST))
			return 1;
	expect("scratch with every guest region written passes", scratch_verify(img), 0, &fails);
	const struct conf_region *r = &conf_regions[CONF_R_DMA_WRITE];
	uint64_t guard = (r->lba + r->count) * CONF_SECTOR + 17;
	if (!file_poke(img, guard, 0x5A))
		return 1;
	expect("a byte written just past a region is caught", scratch_verify(img) != 0, 1, &fails);
	if (!file_poke(img, guard, 0) || !file_poke(img, (r->lba + 3) * CONF_SECTOR + 100, 0))
		return 1;
	expect("a zeroed byte inside a region is caught", scratch_verify(img) != 0, 1, &fails);
	if (!region_write(img, r, CONF_TAG_GUEST) || truncate(img, (off_t)((CONF_SCRATCH_SECTORS + 1) * CONF_SECTOR)))
		return 1;
	expect("a disk grown by a write past the end is caught", scratch_verify(img) != 0, 1, &fails);
	unlink(img);
	for (int m = CONF_MODE_FULL; m <= CONF_MODE_PARA; m++) {
		if (!log_write(log, m, -1, ""))
			return 1;
		expect("a complete log passes", check_log(m, log), 0, &fails);
		if (!log_write(log, m, m == CONF_MODE_FULL ? CONF_C_IDE_DMA : CONF_C_VIRTIO_BLK, ""))
			return 1;
		expect("a log missing one ok line is rejected", check_log(m, log) != 0, 1, &fails);
		if (!log_write(log, m, -1, CONF_LINE_PREFIX "pit FAILED: 3 interrupts\n"))
			return 1;
		expect("a log with a FAILED line is rejected", check_log(m, log) != 0, 1, &fails);
	}
	if (!log_write(log, CONF_MODE_PARA, -1, ""))
		return 1;
	expect("a para log does not pass as full", check_log(CONF_MODE_FULL, log) != 0, 1, &fails);
	unlink(log);
	if (idebench_selftest(argv[0], &fails))
		return 1;
	printf("selftest: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "image"))
		return cmd_image(argc - 2, argv + 2);
	if (!strcmp(argv[1], "scratch-create"))
		return cmd_scratch_create(argc - 2, argv + 2);
	if (!strcmp(argv[1], "scratch-verify"))
		return cmd_scratch_verify(argc - 2, argv + 2);
	if (!strcmp(argv[1], "check-log"))
		return cmd_check_log(argc - 2, argv + 2);
	if (!strcmp(argv[1], "idebench-scratch"))
		return idebench_cmd_scratch(argc - 2, argv + 2);
	if (!strcmp(argv[1], "idebench-verify"))
		return idebench_cmd_verify(argc - 2, argv + 2);
	if (!strcmp(argv[1], "selftest"))
		return cmd_selftest(argc - 2, argv + 2);
	return usage();
}
