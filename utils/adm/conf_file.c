// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file: files and include globs. conf_int.h says
 * what the parser's files share; conf.h is the model.
 */
#include "adm/conf_int.h"

/* ------------------------------------------------------------------ */
/* Files and includes                                                   */
/* ------------------------------------------------------------------ */

static const char *add_file(struct conf *c, const char *name)
{
	char *s = xstrdup(name);

	APPEND(c->files, c->nfiles, s);
	return s;
}


int cf_parse_source(struct conf *c, const char *name, const char *buf,
			size_t len, int depth)
{
	struct ps p = {
		.c = c, .buf = buf, .len = len, .line = 1, .col = 1,
		.depth = depth,
	};

	p.file = add_file(c, name);
	return cf_parse_top(&p);
}

/*
 * Read a whole file (regular or not: `-c /dev/stdin` works), at most
 * CONF_FILE_MAX bytes.
 */
static int read_file(const char *path, char **buf, size_t *len)
{
	size_t n = 0, cap = 0;
	char *b = NULL;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap > CONF_FILE_MAX) {
				e = EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			if (cap > CONF_FILE_MAX)
				cap = CONF_FILE_MAX + 1;
			b = xrealloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			goto fail;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > CONF_FILE_MAX) {
		free(b);
		errno = EFBIG;
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
	close(fd);
	errno = e;
	return -1;
}

int cf_parse_path(struct conf *c, const char *path, int depth,
		      const struct conf_loc *from)
{
	struct conf_loc none = { path, 0, 0 };
	char *buf;
	size_t len;
	int r;

	if (read_file(path, &buf, &len))
		return cf_cerr(c, from ? from : &none, "cannot read '%s': %s",
			    path, errno == EFBIG ? "larger than 16 MiB" :
			    strerror(errno));
	r = cf_parse_source(c, path, buf, len, depth);
	free(buf);
	return r;
}

int cf_parse_include(struct ps *p, const struct token *kw)
{
	struct token t;
	char *pat;
	const char *slash;
	size_t dirlen;
	glob_t g;
	size_t i;
	int r;

	if (cf_value(p, &t, "include"))
		return -1;
	if (cf_expect(p, T_SEMI, "'include'"))
		return -1;
	if (p->c->flags & CONF_F_NO_INCLUDE)
		return cf_perr(p, &kw->loc, "'include' is not allowed here");
	if (p->depth + 1 >= CONF_INCLUDE_DEPTH)
		return cf_perr(p, &kw->loc, "includes nest deeper than %d (does a "
			    "file include itself?)", CONF_INCLUDE_DEPTH);
	slash = strrchr(p->file, '/');
	dirlen = t.text[0] != '/' && slash ? (size_t)(slash - p->file) + 1 : 0;
	pat = xrealloc(NULL, dirlen + t.len + 1);
	memcpy(pat, p->file, dirlen);
	memcpy(pat + dirlen, t.text, t.len + 1);
	r = glob(pat, 0, NULL, &g);
	if (r == GLOB_NOMATCH) {
		if (!strpbrk(t.text, "*?["))
			cf_cwarn(p->c, &t.loc, "include \"%s\": no such file",
			      t.text);
		free(pat);
		return 0;
	}
	if (r) {
		free(pat);
		return cf_perr(p, &t.loc, "include \"%s\": cannot expand the "
			    "pattern", t.text);
	}
	free(pat);
	for (i = 0; i < g.gl_pathc; i++)
		if (cf_parse_path(p->c, g.gl_pathv[i], p->depth + 1, &t.loc))
			break;
	globfree(&g);
	return i < g.gl_pathc ? -1 : 0;
}

