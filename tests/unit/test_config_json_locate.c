/* test_config_json_locate.c: line and column of values and member names by key path. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config/json_locate.h"

static struct json_pos at(const char *text, const char *path, bool at_key)
{
	struct json_pos p = { 0, 0 };
	ck_assert_msg(json_locate(text, strlen(text), path, at_key, &p) == 0, "%s not found", path);
	return p;
}

static const char doc[] =
	"{\n"
	"  \"cpus\": 2,\n"
	"  \"boot\": { \"kernel\": \"k\", \"cmdline\": \"a \\\"}\\\" b\" },\n"
	"  \"disks\": [\n"
	"    {\"path\": \"a.img\"},\n"
	"    {\"readonly\": [1, {\"x\": 2}], \"path\": \"b.img\"}\n"
	"  ]\n"
	"}\n";

START_TEST(test_values_and_keys)
{
	struct json_pos p = at(doc, "", false);
	ck_assert_uint_eq(p.line, 1);
	ck_assert_uint_eq(p.col, 1);
	p = at(doc, "cpus", false);
	ck_assert_uint_eq(p.line, 2);
	ck_assert_uint_eq(p.col, 11);
	p = at(doc, "cpus", true);
	ck_assert_uint_eq(p.col, 3);
	p = at(doc, "boot.cmdline", false);
	ck_assert_uint_eq(p.line, 3);
	ck_assert_uint_eq(p.col, 39);
	p = at(doc, "disks[0].path", false);
	ck_assert_uint_eq(p.line, 5);
	ck_assert_uint_eq(p.col, 14);
	/* Escaped quotes and braces inside strings and nested values are skipped. */
	p = at(doc, "disks[1].path", false);
	ck_assert_uint_eq(p.line, 6);
	ck_assert_uint_eq(p.col, 41);
	p = at(doc, "disks[1].readonly[1].x", false);
	ck_assert_uint_eq(p.col, 28);
	p = at(doc, "disks[1]", false);
	ck_assert_uint_eq(p.col, 5);
}
END_TEST

START_TEST(test_absent_and_malformed)
{
	struct json_pos p;
	ck_assert_int_eq(json_locate(doc, strlen(doc), "memory", false, &p), -1);
	ck_assert_int_eq(json_locate(doc, strlen(doc), "disks[2]", false, &p), -1);
	ck_assert_int_eq(json_locate(doc, strlen(doc), "cpus.x", false, &p), -1);
	ck_assert_int_eq(json_locate(doc, strlen(doc), "", true, &p), -1);
	const char *bad[] = { "", "{", "{\"a\"", "{\"a\" 1}", "{\"a\": ", "{\"b\": [1,", "\"unterminated", "}" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(json_locate(bad[i], strlen(bad[i]), "a", false, &p), -1);
	/* Length bounds the scan, not the NUL. */
	ck_assert_int_eq(json_locate("{\"a\": 1}", 4, "a", false, &p), -1);
}
END_TEST

START_TEST(test_columns_count_characters)
{
	/* "é" is two bytes and one column, as jansson counts. */
	const char *t = "{\"c\": \"\xc3\xa9\xc3\xa9\", \"k\": 5}";
	struct json_pos p = at(t, "k", false);
	ck_assert_uint_eq(p.line, 1);
	ck_assert_uint_eq(p.col, 18);
	/* A byte order mark is not a column. */
	p = at("\xEF\xBB\xBF{\"k\": 5}", "k", false);
	ck_assert_uint_eq(p.col, 7);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_json_locate");
	TCase *tc = tcase_create("locate");
	tcase_add_test(tc, test_values_and_keys);
	tcase_add_test(tc, test_absent_and_malformed);
	tcase_add_test(tc, test_columns_count_characters);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
