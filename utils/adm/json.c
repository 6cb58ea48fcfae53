// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - a small recursive-descent JSON reader (RFC 8259 values;
 * \u escapes are decoded to UTF-8, surrogate pairs included).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/json.h"

struct jp {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static struct json *fail(struct jp *p, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "JSON: offset %zu: %s", p->pos,
			 text);
	return NULL;
}

static void skip_ws(struct jp *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) &&
	       p->s[p->pos])
		p->pos++;
}

static struct json *node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

static bool append(struct json *j, char *key, struct json *item)
{
	struct json **items = realloc(j->items, (j->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return false;
	j->items = items;
	if (j->type == JSON_OBJECT) {
		keys = realloc(j->keys, (j->n + 1) * sizeof(*keys));
		if (!keys)
			return false;
		j->keys = keys;
		j->keys[j->n] = key;
	}
	j->items[j->n++] = item;
	return true;
}

static int hex4(struct jp *p, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	if (p->pos + 4 > p->len)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	p->pos += 4;
	*out = v;
	return 0;
}

static size_t utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string starting at the opening quote; NULL on error. */
static char *string(struct jp *p)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap), *grown;
	uint32_t cp, lo;
	char c;

	if (!out)
		return (char *)fail(p, "out of memory");
	p->pos++;	/* " */
	for (;;) {
		if (n + 5 > cap) {
			cap *= 2;
			grown = realloc(out, cap);
			if (!grown)
				goto oom;
			out = grown;
		}
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			goto bad;
		}
		c = p->s[p->pos++];
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20) {
			p->pos--;
			fail(p, "control character in a string");
			goto bad;
		}
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			goto bad;
		}
		c = p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			out[n++] = c;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			if (hex4(p, &cp)) {
				fail(p, "bad \\u escape");
				goto bad;
			}
			if (cp >= 0xd800 && cp < 0xdc00 &&
			    p->pos + 2 <= p->len && p->s[p->pos] == '\\' &&
			    p->s[p->pos + 1] == 'u') {
				p->pos += 2;
				if (hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					fail(p, "bad surrogate pair");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			if (!cp) {
				fail(p, "\\u0000 in a string");
				goto bad;
			}
			n += utf8(cp, out + n);
			break;
		default:
			p->pos--;
			fail(p, "bad escape '\\%c'", c);
			goto bad;
		}
	}
	out[n] = '\0';
	return out;
oom:
	fail(p, "out of memory");
bad:
	free(out);
	return NULL;
}

static struct json *value(struct jp *p, int depth);

static struct json *container(struct jp *p, int depth, bool object)
{
	struct json *j = node(object ? JSON_OBJECT : JSON_ARRAY), *item;
	char close = object ? '}' : ']';
	char *key = NULL;

	if (!j)
		return fail(p, "out of memory");
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return j;
	}
	for (;;) {
		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				fail(p, "expected a member name");
				goto bad;
			}
			key = string(p);
			if (!key)
				goto bad;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				fail(p, "expected ':'");
				goto bad;
			}
			p->pos++;
		}
		item = value(p, depth + 1);
		if (!item)
			goto bad;
		if (!append(j, key, item)) {
			json_free(item);
			fail(p, "out of memory");
			goto bad;
		}
		key = NULL;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return j;
		}
		fail(p, "expected ',' or '%c'", close);
		goto bad;
	}
bad:
	free(key);
	json_free(j);
	return NULL;
}

static struct json *number(struct jp *p)
{
	size_t start = p->pos;
	char buf[64], *end;
	struct json *j;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	while (p->pos < p->len && strchr("0123456789.eE+-", p->s[p->pos]) &&
	       p->s[p->pos])
		p->pos++;
	if (p->pos - start >= sizeof(buf) || p->pos == start) {
		p->pos = start;
		return fail(p, "bad number");
	}
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	j = node(JSON_NUMBER);
	if (!j)
		return fail(p, "out of memory");
	j->number = strtod(buf, &end);
	if (*end || !(buf[buf[0] == '-'] >= '0' && buf[buf[0] == '-'] <= '9')) {
		free(j);
		p->pos = start;
		return fail(p, "bad number '%s'", buf);
	}
	return j;
}

static bool word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	if (p->pos + n <= p->len && !memcmp(p->s + p->pos, w, n)) {
		p->pos += n;
		return true;
	}
	return false;
}

static struct json *value(struct jp *p, int depth)
{
	struct json *j;
	char c;

	if (depth > JSON_DEPTH_MAX)
		return fail(p, "nested deeper than %d", JSON_DEPTH_MAX);
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, "unexpected end");
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		char *s = string(p);

		if (!s)
			return NULL;
		j = node(JSON_STRING);
		if (!j) {
			free(s);
			return fail(p, "out of memory");
		}
		j->str = s;
		return j;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(p);
	if (word(p, "true") || word(p, "false")) {
		j = node(JSON_BOOL);
		if (j)
			j->boolean = c == 't';
		return j ? j : fail(p, "out of memory");
	}
	if (word(p, "null")) {
		j = node(JSON_NULL);
		return j ? j : fail(p, "out of memory");
	}
	return fail(p, "unexpected character '%c'", c);
}

struct json *json_parse(const char *text, size_t len, char *err,
			size_t errlen)
{
	struct jp p = { .s = text, .len = len, .err = err, .errlen = errlen };
	struct json *j = value(&p, 0);

	if (!j)
		return NULL;
	skip_ws(&p);
	if (p.pos != p.len) {
		json_free(j);
		return fail(&p, "text after the value");
	}
	return j;
}

void json_free(struct json *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

const struct json *json_get(const struct json *j, const char *key)
{
	size_t i;

	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (!strcmp(j->keys[i], key))
			return j->items[i];
	return NULL;
}

const char *json_get_str(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}

bool json_get_num(const struct json *j, const char *key, double *out)
{
	const struct json *v = json_get(j, key);

	if (!v || v->type != JSON_NUMBER)
		return false;
	*out = v->number;
	return true;
}
