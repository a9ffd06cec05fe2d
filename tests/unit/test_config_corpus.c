/* test_config_corpus.c: every malformed configuration in config-corpus/ is
 * refused with exactly the message in its .err file (file:line:col, key path).
 * usage: test_config_corpus CORPUS_DIR */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"

#define MIN_CASES 30

static const char *corpus_dir;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .err file's line with @DIR@ replaced by the corpus directory. */
static void expected_message(const char *err_path, char *out, size_t len)
{
	char line[1024] = "";
	FILE *f = fopen(err_path, "r");
	ck_assert_msg(f != NULL, "%s: missing", err_path);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	size_t used = 0;
	out[0] = '\0';
	for (const char *p = line; *p && used + 1 < len;) {
		if (!strncmp(p, "@DIR@", 5)) {
			used += (size_t)snprintf(out + used, len - used, "%s", corpus_dir);
			p += 5;
		} else {
			out[used++] = *p++;
			out[used] = '\0';
		}
	}
}

START_TEST(test_corpus)
{
	DIR *d = opendir(corpus_dir);
	ck_assert_msg(d != NULL, "cannot open %s", corpus_dir);
	char *names[256];
	unsigned n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".json"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	ck_assert_uint_ge(n, MIN_CASES);

	unsigned failures = 0;
	for (unsigned i = 0; i < n; i++) {
		char path[4096], err_path[4096], want[1024];
		snprintf(path, sizeof(path), "%s/%s", corpus_dir, names[i]);
		snprintf(err_path, sizeof(err_path), "%.*s.err", (int)strlen(path) - 5, path);
		expected_message(err_path, want, sizeof(want));

		struct vmm_config cfg;
		struct vmm_error err = { 0 };
		vmm_config_init(&cfg);
		int rc = vmm_config_from_json_file(path, &cfg, &err);
		if (rc == 0)
			rc = vmm_config_check(&cfg, VMM_CHECK_FILES, &err);
		vmm_config_release(&cfg);
		if (rc == 0) {
			fprintf(stderr, "%s: accepted, want: %s\n", names[i], want);
			failures++;
		} else if (strcmp(err.msg, want) || err.kind != VMM_ERROR_INPUT) {
			fprintf(stderr, "%s:\n   got: %s\n  want: %s\n", names[i], err.msg, want);
			failures++;
		}
		free(names[i]);
	}
	printf("%u malformed configurations checked\n", n);
	ck_assert_uint_eq(failures, 0);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_config_corpus CORPUS_DIR\n");
		return 2;
	}
	corpus_dir = argv[1];
	Suite *s = suite_create("config_corpus");
	TCase *tc = tcase_create("corpus");
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
