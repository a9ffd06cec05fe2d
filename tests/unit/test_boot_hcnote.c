/* test_boot_hcnote.c: ELF note lookup (elf_find_note over a note area,
 * elf_file_find_note over a file) and the hypercall ABI note (hcnote_read). */
#include "boot_test.h"

#include "boot/elf.h"
#include "boot/hcnote.h"
#include "core/layout.h"
#include "vmm/hypercall.h"

/* Append one note entry at off; name and descriptor start at offsets aligned to align. */
static size_t note_put(uint8_t *p, size_t off, uint64_t align, const char *name, uint32_t namesz,
		       uint32_t type, const void *desc, uint32_t descsz)
{
	uint32_t hdr[3] = { namesz, descsz, type };
	memcpy(p + off, hdr, sizeof(hdr));
	off += sizeof(hdr);
	memcpy(p + off, name, strlen(name) + 1 < namesz ? strlen(name) + 1 : namesz);
	off = (off + namesz + align - 1) & ~(align - 1);
	memcpy(p + off, desc, descsz);
	return (off + descsz + align - 1) & ~(align - 1);
}

static const uint32_t abi_one = 1;

START_TEST(test_find_note_among_others)
{
	uint8_t area[128] = { 0 };
	uint64_t entry = 0x100000;
	size_t len = note_put(area, 0, 4, "Xen", 4, 18, &entry, 8);
	len = note_put(area, len, 4, "vmm", 4, 7, &entry, 8); /* right name, other type */
	len = note_put(area, len, 4, "vmm", 4, VMM_HC_NOTE_TYPE, &abi_one, 4);
	const uint8_t *desc = NULL;
	uint32_t dlen = 0;
	ck_assert_int_eq(elf_find_note(area, len, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 1);
	ck_assert_uint_eq(dlen, 4);
	ck_assert_mem_eq(desc, &abi_one, 4);
	ck_assert_int_eq(elf_find_note(area, len, 4, "vm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
	ck_assert_int_eq(elf_find_note(area, len, 4, "vmm", 99, &desc, &dlen), 0);
}
END_TEST

START_TEST(test_find_note_align8)
{
	uint8_t area[64] = { 0 };
	uint32_t v = 3;
	size_t len = note_put(area, 0, 8, "GNU", 4, 1, &v, 4);
	len = note_put(area, len, 8, "vmm", 4, VMM_HC_NOTE_TYPE, &v, 4);
	const uint8_t *desc = NULL;
	uint32_t dlen = 0;
	ck_assert_int_eq(elf_find_note(area, len, 8, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 1);
	ck_assert_ptr_eq(desc, area + 24 + 16); /* entry 1 at 24, its desc 12 + 4 on */
	/* Read with the wrong alignment, the second entry is not where it looks. */
	ck_assert_int_eq(elf_find_note(area, len, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
}
END_TEST

START_TEST(test_find_note_name_needs_nul)
{
	uint8_t area[64] = { 0 };
	size_t len = note_put(area, 0, 4, "vmmx", 3, VMM_HC_NOTE_TYPE, &abi_one, 4); /* "vmm", no NUL */
	const uint8_t *desc;
	uint32_t dlen;
	ck_assert_int_eq(elf_find_note(area, len, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
}
END_TEST

/* Sizes that run past the area (or would overflow 32 bits): the search ends,
 * nothing past len is read (an exact-size heap copy lets ASan see it). */
START_TEST(test_find_note_malformed)
{
	uint8_t area[64] = { 0 };
	const uint8_t *desc;
	uint32_t dlen;
	size_t len = note_put(area, 0, 4, "vmm", 4, VMM_HC_NOTE_TYPE, &abi_one, 4);
	uint32_t huge = 0xffffffffu;
	for (int field = 0; field < 2; field++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, area, len);
		memcpy(copy + 4 * field, &huge, 4);
		ck_assert_int_eq(elf_find_note(copy, len, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
		free(copy);
	}
	/* Cut short: header only, then header plus half the name. */
	uint8_t *copy = malloc(len);
	memcpy(copy, area, len);
	ck_assert_int_eq(elf_find_note(copy, 12, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
	ck_assert_int_eq(elf_find_note(copy, 14, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
	ck_assert_int_eq(elf_find_note(copy, len - 1, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 0);
	ck_assert_int_eq(elf_find_note(copy, len, 4, "vmm", VMM_HC_NOTE_TYPE, &desc, &dlen), 1);
	free(copy);
}
END_TEST

/* An ELF file: one PT_LOAD, one PT_NOTE holding notes. */
static size_t elf_with_notes(uint8_t *buf, size_t cap, const uint8_t *notes, size_t nlen)
{
	struct test_seg s[2] = {
		{ PT_LOAD, 2 * MiB, 2 * MiB, 0x100, 0x100, 0x90 },
		{ PT_NOTE, 0, 0, nlen, nlen, 0 },
	};
	size_t len = test_elf_build(buf, cap, s, 2, 2 * MiB);
	memcpy(buf + TEST_ELF_DATA_OFF + 0x100, notes, nlen);
	return len;
}

static void write_tmp(char *path, size_t cap, const char *dir, const void *data, size_t len)
{
	test_write_file(path, cap, dir, "guest.elf", data, len);
}

static int probe(const char *path, bool *found, uint32_t *abi, struct err *e)
{
	return hcnote_read(path, 64 * MiB, found, abi, e);
}

START_TEST(test_hcnote_read)
{
	static uint8_t buf[0x3000];
	uint8_t notes[64] = { 0 };
	char dir[64], path[256];
	bool found = true;
	uint32_t abi = 0;
	struct err e = { 0 };
	test_tmpdir(dir, sizeof(dir));

	size_t nlen = note_put(notes, 0, 4, "vmm", 4, VMM_HC_NOTE_TYPE, &abi_one, 4);
	write_tmp(path, sizeof(path), dir, buf, elf_with_notes(buf, sizeof(buf), notes, nlen));
	ck_assert_int_eq(probe(path, &found, &abi, &e), 0);
	ck_assert(found);
	ck_assert_uint_eq(abi, 1);

	uint64_t eight = 1;
	nlen = note_put(notes, 0, 4, "vmm", 4, VMM_HC_NOTE_TYPE, &eight, 8);
	write_tmp(path, sizeof(path), dir, buf, elf_with_notes(buf, sizeof(buf), notes, nlen));
	ck_assert_int_eq(probe(path, &found, &abi, &e), -1);
	ck_assert_input_err(e, "8-byte descriptor");

	e = (struct err){ 0 };
	nlen = note_put(notes, 0, 4, "Xen", 4, 18, &eight, 8);
	write_tmp(path, sizeof(path), dir, buf, elf_with_notes(buf, sizeof(buf), notes, nlen));
	ck_assert_int_eq(probe(path, &found, &abi, &e), 0);
	ck_assert(!found);

	/* Not ELF at all (a bzImage, say): no note, no error. */
	write_tmp(path, sizeof(path), dir, "MZ not an elf file", 18);
	ck_assert_int_eq(probe(path, &found, &abi, &e), 0);
	ck_assert(!found);

	test_rmdir(dir);
	ck_assert_int_eq(probe(path, &found, &abi, &e), -1);
	ck_assert_input_err(e, path);
}
END_TEST

START_TEST(test_file_note_segment_past_eof)
{
	static uint8_t buf[0x3000];
	uint8_t notes[64] = { 0 };
	char dir[64], path[256];
	uint32_t desc = 0, dlen = 0;
	struct err e = { 0 };
	test_tmpdir(dir, sizeof(dir));
	size_t nlen = note_put(notes, 0, 4, "vmm", 4, VMM_HC_NOTE_TYPE, &abi_one, 4);
	size_t len = elf_with_notes(buf, sizeof(buf), notes, nlen);
	Elf64_Phdr ph;
	test_elf_get_phdr(buf, 1, &ph);
	ph.p_offset = len - 4; /* the segment runs past the end of the file */
	test_elf_put_phdr(buf, 1, &ph);
	write_tmp(path, sizeof(path), dir, buf, len);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(elf_file_find_note(fd, len, path, "vmm", VMM_HC_NOTE_TYPE, &desc,
					    sizeof(desc), &dlen, &e), 0);
	/* The program header table itself past the end: not ours to report. */
	Elf64_Ehdr eh;
	test_elf_get_ehdr(buf, &eh);
	eh.e_phoff = len;
	test_elf_put_ehdr(buf, &eh);
	close(fd);
	write_tmp(path, sizeof(path), dir, buf, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(elf_file_find_note(fd, len, path, "vmm", VMM_HC_NOTE_TYPE, &desc,
					    sizeof(desc), &dlen, &e), 0);
	close(fd);
	test_rmdir(dir);
}
END_TEST

static Suite *hcnote_suite(void)
{
	Suite *s = suite_create("boot_hcnote");
	TCase *tc = tcase_create("notes");
	tcase_add_test(tc, test_find_note_among_others);
	tcase_add_test(tc, test_find_note_align8);
	tcase_add_test(tc, test_find_note_name_needs_nul);
	tcase_add_test(tc, test_find_note_malformed);
	tcase_add_test(tc, test_hcnote_read);
	tcase_add_test(tc, test_file_note_segment_past_eof);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hcnote_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
