/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - a small JSON reader, enough for `tandemsetup status --json`
 * (objects, arrays, strings, numbers, true, false, null). Pure.
 */
#ifndef TANDEM_ADM_JSON_H
#define TANDEM_ADM_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting accepted. */
#define JSON_DEPTH_MAX	64

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean;
	double number;
	char *str;		/* JSON_STRING (UTF-8, NUL-terminated) */
	struct json **items;	/* JSON_ARRAY elements, JSON_OBJECT values */
	char **keys;		/* JSON_OBJECT keys, parallel to items */
	size_t n;
};

/*
 * Parse the @len bytes at @text (one value, surrounded by white space
 * only). Returns the tree (json_free() it), or NULL with a message that
 * names the byte offset in @err.
 */
struct json *json_parse(const char *text, size_t len, char *err,
			size_t errlen);

void json_free(struct json *j);

/* Member @key of object @j, or NULL (also when @j is no object). */
const struct json *json_get(const struct json *j, const char *key);

/* String member @key of object @j, or NULL when absent or not a string. */
const char *json_get_str(const struct json *j, const char *key);

/* Number member @key of object @j into *@out; false when absent or not a
 * number. */
bool json_get_num(const struct json *j, const char *key, double *out);

#endif
