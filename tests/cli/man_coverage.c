/* man_coverage.c: the man pages document what the code accepts. Every option
 * in the CLI's table (src/cli/options.c) appears in vmm.1, every option vmm.1
 * names exists, and every configuration key (vmm_config_key_info) appears in
 * vmm-config.5. usage: man_coverage vmm.1 vmm-config.5 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "vmm/vmm.h"

#define MAX_PAGE (256 * 1024)

/* The page as plain text: roff escapes for '-', zero-width breaks and font
 * changes dropped, so "\fB\-\-cpus\fR" reads "--cpus". */
static char *read_page(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	char *raw = calloc(1, MAX_PAGE + 1), *out = calloc(1, MAX_PAGE + 1);
	size_t n = fread(raw, 1, MAX_PAGE, f), o = 0;
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		if (raw[i] != '\\') {
			out[o++] = raw[i];
		} else if (raw[i + 1] == '-' || raw[i + 1] == 'e') {
			out[o++] = raw[i + 1] == '-' ? '-' : '\\';
			i++;
		} else if (raw[i + 1] == '&') {
			i++;
		} else if (raw[i + 1] == 'f' && raw[i + 2] == '(') {
			i += 4;
		} else if (raw[i + 1] == 'f') {
			i += 2;
		} else {
			out[o++] = raw[i];
		}
	}
	free(raw);
	return out;
}

static bool word_char(char c, const char *extra)
{
	return isalnum((unsigned char)c) || (c && strchr(extra, c));
}

/* word occurs in text, not as part of a longer name. */
static bool has_word(const char *text, const char *word, const char *extra)
{
	size_t n = strlen(word);
	for (const char *p = text; (p = strstr(p, word)); p++) {
		bool left = p == text || !word_char(p[-1], extra);
		if (left && !word_char(p[n], extra))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: man_coverage vmm.1 vmm-config.5\n");
		return 2;
	}
	char *page1 = read_page(argv[1]), *page5 = read_page(argv[2]);
	int missing = 0, options = 0, keys = 0;
	char word[96];

	for (const struct cli_option *o = cli_options; o->name; o++, options++) {
		snprintf(word, sizeof(word), "--%s", o->name);
		if (!has_word(page1, word, "-_")) {
			fprintf(stderr, "%s: option %s is not documented\n", argv[1], word);
			missing++;
		}
	}
	/* And the other way: an option the page names must exist. */
	for (const char *p = page1; (p = strstr(p, "--")); p += 2) {
		size_t n = 0;
		while (word_char(p[2 + n], "-"))
			n++;
		if (n == 0 || (p > page1 && word_char(p[-1], "-")))
			continue;
		snprintf(word, sizeof(word), "%.*s", (int)n, p + 2);
		bool known = !strcmp(word, "version");
		for (const struct cli_option *o = cli_options; o->name && !known; o++)
			known = !strcmp(o->name, word);
		if (!known) {
			fprintf(stderr, "%s: documents --%s, which vmm does not take\n", argv[1], word);
			missing++;
		}
	}
	struct vmm_config_key_info info;
	for (unsigned i = 0; vmm_config_key_info(i, &info) == 0; i++, keys++) {
		if (!has_word(page5, info.name, "_.[]")) {
			fprintf(stderr, "%s: key %s is not documented\n", argv[2], info.name);
			missing++;
		}
	}
	printf("%d options, %d keys, %d problems\n", options, keys, missing);
	free(page1);
	free(page5);
	return missing || options < 10 || keys < 10 ? 1 : 0;
}
