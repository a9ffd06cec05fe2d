/* json_locate.h: where a value sits in JSON text, by key path.
 *
 * jansson reports positions only for syntax errors, and its values carry
 * none; messages about a value ("vm.json:4:15: disks[1].path: no such file")
 * need its line and column, so this scanner finds them in the text jansson
 * already accepted. Paths use the configuration's syntax: "" is the root,
 * "boot.kernel" an object member, "disks[1].path" an array element's member.
 */
#ifndef VMM_CONFIG_JSON_LOCATE_H
#define VMM_CONFIG_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

struct json_pos {
	unsigned line, col; /* 1-based; col counts characters, as jansson does */
};

/* Position of the value at path (or, with at_key, of its member name).
 * Returns 0, or -1 when the path is not in the text. */
int json_locate(const char *text, size_t len, const char *path, bool at_key, struct json_pos *out);

#endif
