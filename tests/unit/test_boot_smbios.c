/* test_boot_smbios.c: the SMBIOS tables firmware boot hands SeaBIOS: a walk
 * over every structure (lengths, string sets, counts, handles), the entry
 * point's fields and checksums, and, when dmidecode is installed, its
 * reading of a dump of them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/smbios.h"
#include "core/layout.h"

struct walk {
	unsigned count, by_type[128];
	size_t max_size;
	char strings[8][64]; /* the first structure of type 1's strings */
};

/* Walk the table as an SMBIOS reader does; fail on any malformed structure. */
static void walk(const uint8_t *t, size_t len, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	size_t off = 0;
	while (off < len) {
		ck_assert_uint_ge(len - off, 4);
		uint8_t type = t[off], slen = t[off + 1];
		ck_assert_uint_ge(slen, 4);
		ck_assert_uint_le(slen, len - off);
		size_t s = off + slen;
		unsigned nstr = 0;
		/* Strings, then the extra NUL (two NULs when there are none). */
		if (t[s] == 0) {
			ck_assert_uint_lt(s + 1, len);
			ck_assert_uint_eq(t[s + 1], 0);
			s += 2;
		} else {
			while (t[s] != 0) {
				size_t n = strnlen((const char *)t + s, len - s);
				ck_assert_uint_lt(s + n, len);
				if (type == 1 && nstr < 8)
					snprintf(w->strings[nstr], sizeof(w->strings[0]), "%s", t + s);
				nstr++;
				s += n + 1;
			}
			s++;
		}
		ck_assert_uint_lt(type, 128);
		w->by_type[type]++;
		w->count++;
		if (s - off > w->max_size)
			w->max_size = s - off;
		off = s;
		if (type == 127)
			break;
	}
	ck_assert_uint_eq(off, len); /* the end structure is last */
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void check_tables(uint64_t ram, unsigned cpus, unsigned dimms, unsigned regions)
{
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_plan(&m, ram, &e), 0);
	struct smbios_info info = { .cpus = cpus, .cpuid_signature = 0x806F8, .cpu_vendor = "GenuineIntel",
				    .mem = &m };
	uint8_t t[SMBIOS_TABLES_MAX], ep[SMBIOS_EP_SIZE];
	size_t len = smbios_build(&info, t, sizeof(t), ep);
	ck_assert_uint_gt(len, 0);
	struct walk w;
	walk(t, len, &w);
	ck_assert_uint_eq(w.by_type[1], 1);
	ck_assert_uint_eq(w.by_type[3], 1);
	ck_assert_uint_eq(w.by_type[4], cpus);
	ck_assert_uint_eq(w.by_type[16], 1);
	ck_assert_uint_eq(w.by_type[17], dimms);
	ck_assert_uint_eq(w.by_type[19], regions);
	ck_assert_uint_eq(w.by_type[32], 1);
	ck_assert_uint_eq(w.by_type[127], 1);
	ck_assert_str_eq(w.strings[0], SMBIOS_MANUFACTURER);
	ck_assert_str_eq(w.strings[1], SMBIOS_PRODUCT);
	/* Entry point: what SeaBIOS reads from it, and valid checksums. */
	ck_assert_int_eq(memcmp(ep, "_SM_", 4), 0);
	ck_assert_int_eq(memcmp(ep + 0x10, "_DMI_", 5), 0);
	ck_assert_uint_eq(ep[5], SMBIOS_EP_SIZE);
	ck_assert_uint_eq(ep[0x16] | ep[0x17] << 8, len);
	ck_assert_uint_eq(ep[0x1C] | ep[0x1D] << 8, w.count);
	ck_assert_uint_eq(ep[8] | ep[9] << 8, w.max_size);
	ck_assert_uint_eq(sum(ep, 0x10), 0);
	ck_assert_uint_eq(sum(ep + 0x10, SMBIOS_EP_SIZE - 0x10), 0);
	/* Too little room: refused, not overrun. */
	ck_assert_uint_eq(smbios_build(&info, t, len - 1, ep), 0);
}

START_TEST(test_small_machine)
{
	check_tables(256 * MiB, 1, 1, 1);
}
END_TEST

START_TEST(test_large_machine)
{
	/* 40 GiB: three 16 GiB devices, RAM below 3 GiB and from 4 GiB. */
	check_tables(40 * GiB, 64, 3, 2);
}
END_TEST

/* dmidecode's --from-dump format: the entry point at 0, the table at 0x20
 * (the table address field says where). */
START_TEST(test_dmidecode_reads_it)
{
	if (access("/usr/sbin/dmidecode", X_OK))
		return; /* not installed: the walk above still checks the format */
	struct guest_mem m;
	struct err e = { 0 };
	ck_assert_int_eq(mem_plan(&m, 512 * MiB, &e), 0);
	struct smbios_info info = { .cpus = 2, .cpu_vendor = "AuthenticAMD", .mem = &m };
	uint8_t t[SMBIOS_TABLES_MAX], ep[SMBIOS_EP_SIZE];
	size_t len = smbios_build(&info, t, sizeof(t), ep);
	ck_assert_uint_gt(len, 0);
	ep[0x18] = 0x20; /* table address, then fix the intermediate checksum */
	ep[0x15] = 0;
	ep[0x15] = (uint8_t)-sum(ep + 0x10, SMBIOS_EP_SIZE - 0x10);
	char dump[] = "/tmp/vmm-smbios-XXXXXX";
	int fd = mkstemp(dump);
	ck_assert_int_ge(fd, 0);
	uint8_t pad[0x20 - SMBIOS_EP_SIZE] = { 0 };
	ck_assert_int_eq(write(fd, ep, sizeof(ep)), (ssize_t)sizeof(ep));
	ck_assert_int_eq(write(fd, pad, sizeof(pad)), (ssize_t)sizeof(pad));
	ck_assert_int_eq(write(fd, t, len), (ssize_t)len);
	close(fd);
	char cmd[256], out[8192];
	snprintf(cmd, sizeof(cmd), "/usr/sbin/dmidecode --from-dump %s 2>&1", dump);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	ck_assert_int_eq(pclose(p), 0);
	unlink(dump);
	ck_assert_msg(strstr(out, "Manufacturer: " SMBIOS_MANUFACTURER), "%s", out);
	ck_assert_msg(strstr(out, "Product Name: " SMBIOS_PRODUCT), "%s", out);
	ck_assert_msg(strstr(out, "Socket Designation: CPU 1"), "%s", out);
	ck_assert_msg(strstr(out, "Size: 512 MB"), "%s", out);
	ck_assert_msg(strstr(out, "Range Size: 512 MB"), "%s", out);
	ck_assert_msg(!strstr(out, "Invalid") && !strstr(out, "nvalid entry"), "%s", out);
}
END_TEST

static Suite *smbios_suite(void)
{
	Suite *s = suite_create("smbios");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, test_small_machine);
	tcase_add_test(tc, test_large_machine);
	tcase_add_test(tc, test_dmidecode_reads_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(smbios_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
