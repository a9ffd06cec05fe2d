/* boot_test.h: helpers shared by the direct-boot unit tests: hand-built ELF
 * images, temp files, and error assertions. Header-only (static inline) so
 * each test program stays one file. */
#ifndef VMM_TESTS_BOOT_TEST_H
#define VMM_TESTS_BOOT_TEST_H

#include <check.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

/* The call failed with ERR_INPUT and a message containing needle. */
#define ck_assert_input_err(e, needle)                                                     \
	do {                                                                               \
		ck_assert_int_eq((e).kind, ERR_INPUT);                                     \
		ck_assert_msg(strstr((e).msg, (needle)) != NULL,                          \
			      "message \"%s\" lacks \"%s\"", (e).msg, (needle));           \
	} while (0)

/* Segment data starts here, past the ELF and program headers. */
#define TEST_ELF_DATA_OFF 0x1000

struct test_seg {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
	uint8_t fill; /* every file byte of the segment */
};

static inline void test_elf_get_ehdr(const uint8_t *buf, Elf64_Ehdr *eh)
{
	memcpy(eh, buf, sizeof(*eh));
}

static inline void test_elf_put_ehdr(uint8_t *buf, const Elf64_Ehdr *eh)
{
	memcpy(buf, eh, sizeof(*eh));
}

static inline void test_elf_get_phdr(const uint8_t *buf, unsigned i, Elf64_Phdr *ph)
{
	memcpy(ph, buf + sizeof(Elf64_Ehdr) + i * sizeof(*ph), sizeof(*ph));
}

static inline void test_elf_put_phdr(uint8_t *buf, unsigned i, const Elf64_Phdr *ph)
{
	memcpy(buf + sizeof(Elf64_Ehdr) + i * sizeof(*ph), ph, sizeof(*ph));
}

/* A valid ELF64 x86-64 executable with the given segments; returns its
 * length. buf must hold TEST_ELF_DATA_OFF plus every segment's filesz. */
static inline size_t test_elf_build(uint8_t *buf, size_t cap, const struct test_seg *s,
				    unsigned n, uint64_t entry)
{
	memset(buf, 0, cap);
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = entry;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)n;
	test_elf_put_ehdr(buf, &eh);
	size_t off = TEST_ELF_DATA_OFF;
	for (unsigned i = 0; i < n; i++) {
		Elf64_Phdr ph = {
			.p_type = s[i].type, .p_flags = PF_R | PF_W | PF_X, .p_offset = off,
			.p_vaddr = s[i].vaddr, .p_paddr = s[i].paddr, .p_filesz = s[i].filesz,
			.p_memsz = s[i].memsz, .p_align = 0x1000,
		};
		test_elf_put_phdr(buf, i, &ph);
		memset(buf + off, s[i].fill, s[i].filesz);
		off += s[i].filesz;
	}
	return off;
}

/* A fresh private directory for temp files; the caller removes it. */
static inline void test_tmpdir(char *dir, size_t cap)
{
	snprintf(dir, cap, "/tmp/vmm-boot-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove dir and the plain files in it. */
static inline void test_rmdir(const char *dir)
{
	char path[512];
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_int_eq(unlink(path), 0);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(dir), 0);
}

/* Write len bytes of data to dir/name; the full path lands in path. */
static inline void test_write_file(char *path, size_t cap, const char *dir, const char *name,
				   const void *data, size_t len)
{
	snprintf(path, cap, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

#endif
