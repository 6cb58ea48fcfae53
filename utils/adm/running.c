// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - reader of `tandemsetup show` output: a tokenizer, a generic
 * tree of statements (words; optional block), then the interpretation.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/running.h"

/* ---- statements ------------------------------------------------------ */

struct stmt {
	char **words;
	size_t nwords;
	unsigned int line;
	bool block;		/* followed by { ... } */
	struct stmt *kids;
	size_t nkids;
};

struct rp {
	const char *s;
	size_t len, pos;
	unsigned int line;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 3, 4)))
static int rfail(struct rp *p, unsigned int line, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "line %u: %s", line, text);
	return -1;
}

static void *xgrow(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return q;
}

static char *xdup(const char *s, size_t n)
{
	char *d = xgrow(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void stmt_free(struct stmt *st)
{
	size_t i;

	for (i = 0; i < st->nwords; i++)
		free(st->words[i]);
	free(st->words);
	for (i = 0; i < st->nkids; i++)
		stmt_free(&st->kids[i]);
	free(st->kids);
}

enum tk { TK_EOF, TK_WORD, TK_LBRACE, TK_RBRACE, TK_SEMI, TK_ERR };

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Next token; a word is returned in *@word (malloc'ed). */
static enum tk token(struct rp *p, char **word)
{
	size_t start, n;
	char *w;

	for (;;) {
		while (p->pos < p->len && is_ws(p->s[p->pos])) {
			if (p->s[p->pos] == '\n')
				p->line++;
			p->pos++;
		}
		if (p->pos < p->len && p->s[p->pos] == '#') {
			while (p->pos < p->len && p->s[p->pos] != '\n')
				p->pos++;
			continue;
		}
		break;
	}
	if (p->pos >= p->len)
		return TK_EOF;
	switch (p->s[p->pos]) {
	case '{':
		p->pos++;
		return TK_LBRACE;
	case '}':
		p->pos++;
		return TK_RBRACE;
	case ';':
		p->pos++;
		return TK_SEMI;
	case '"':
		p->pos++;
		w = xgrow(NULL, p->len - p->pos + 1);
		n = 0;
		while (p->pos < p->len && p->s[p->pos] != '"') {
			if (p->s[p->pos] == '\\' && p->pos + 1 < p->len)
				p->pos++;
			if (p->s[p->pos] == '\n')
				p->line++;
			w[n++] = p->s[p->pos++];
		}
		if (p->pos >= p->len) {
			free(w);
			rfail(p, p->line, "unterminated string");
			return TK_ERR;
		}
		p->pos++;
		w[n] = '\0';
		*word = w;
		return TK_WORD;
	}
	start = p->pos;
	while (p->pos < p->len && !is_ws(p->s[p->pos]) &&
	       !strchr("{};\"#", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
	if (p->pos == start) {
		rfail(p, p->line, "unexpected character 0x%02x",
		      (unsigned char)p->s[p->pos]);
		return TK_ERR;
	}
	*word = xdup(p->s + start, p->pos - start);
	return TK_WORD;
}

/* Statements up to '}' (@nested) or the end. */
static int stmts(struct rp *p, struct stmt **out, size_t *nout, bool nested,
		 int depth)
{
	struct stmt cur = { 0 };
	char *w = NULL;
	enum tk t;

	*out = NULL;
	*nout = 0;
	if (depth > 8)
		return rfail(p, p->line, "nested too deeply");
	for (;;) {
		t = token(p, &w);
		switch (t) {
		case TK_ERR:
			goto bad;
		case TK_WORD:
			if (!cur.nwords)
				cur.line = p->line;
			cur.words = xgrow(cur.words,
					  (cur.nwords + 1) * sizeof(char *));
			cur.words[cur.nwords++] = w;
			continue;
		case TK_SEMI:
		case TK_LBRACE:
			if (!cur.nwords) {
				rfail(p, p->line, "'%c' without a keyword",
				      t == TK_SEMI ? ';' : '{');
				goto bad;
			}
			if (t == TK_LBRACE) {
				cur.block = true;
				if (stmts(p, &cur.kids, &cur.nkids, true,
					  depth + 1))
					goto bad;
			}
			*out = xgrow(*out, (*nout + 1) * sizeof(**out));
			(*out)[(*nout)++] = cur;
			memset(&cur, 0, sizeof(cur));
			continue;
		case TK_RBRACE:
			if (cur.nwords) {
				rfail(p, p->line, "missing ';' after '%s'",
				      cur.words[cur.nwords - 1]);
				goto bad;
			}
			if (!nested) {
				rfail(p, p->line, "'}' without '{'");
				goto bad;
			}
			return 0;
		case TK_EOF:
			if (cur.nwords) {
				rfail(p, p->line, "missing ';' after '%s'",
				      cur.words[cur.nwords - 1]);
				goto bad;
			}
			if (nested) {
				rfail(p, p->line, "missing '}'");
				goto bad;
			}
			return 0;
		}
	}
bad:
	stmt_free(&cur);
	while (*nout)
		stmt_free(&(*out)[--*nout]);
	free(*out);
	*out = NULL;
	return -1;
}

/* ---- interpretation -------------------------------------------------- */

static bool kw(const struct stmt *st, const char *word, size_t nwords,
	       bool block)
{
	return !strcmp(st->words[0], word) && st->nwords == nwords &&
	       st->block == block;
}

static int uint_word(struct rp *p, const struct stmt *st, const char *s,
		     unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		goto bad;
	v = strtoul(s, &end, 10);
	if (v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return rfail(p, st->line, "'%s': '%s' is not a number", st->words[0],
		     s);
}

static void opt_add(struct run_opts *set, const char *name, const char *v)
{
	set->v = xgrow(set->v, (set->n + 1) * sizeof(*set->v));
	set->v[set->n].name = xdup(name, strlen(name));
	set->v[set->n].value = xdup(v, strlen(v));
	set->n++;
}

static void opts_free(struct run_opts *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].value);
	}
	free(set->v);
}

const char *run_opt(const struct run_opts *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return set->v[i].value;
	return NULL;
}

static int optblock(struct rp *p, const struct stmt *st, struct run_opts *set)
{
	size_t i;

	for (i = 0; i < st->nkids; i++) {
		const struct stmt *o = &st->kids[i];

		if (o->block || o->nwords != 2)
			return rfail(p, o->line, "'%s' in '%s': expected "
				     "'NAME VALUE;'", o->words[0],
				     st->words[0]);
		if (run_opt(set, o->words[0]))
			return rfail(p, o->line, "'%s' given twice",
				     o->words[0]);
		opt_add(set, o->words[0], o->words[1]);
	}
	return 0;
}

static int volume(struct rp *p, const struct stmt *st, struct run_res *r)
{
	struct run_volume *v;
	unsigned long u;
	size_t i, n;
	char *br;

	if (uint_word(p, st, st->words[1], 65535, &u))
		return -1;
	for (i = 0; i < r->nvols; i++)
		if (r->vols[i].number == u)
			return rfail(p, st->line, "volume %lu given twice", u);
	r->vols = xgrow(r->vols, (r->nvols + 1) * sizeof(*r->vols));
	v = &r->vols[r->nvols++];
	memset(v, 0, sizeof(*v));
	v->number = (unsigned int)u;
	v->minor = -1;
	for (i = 0; i < st->nkids; i++) {
		const struct stmt *k = &st->kids[i];

		if (kw(k, "device", 3, false) && !strcmp(k->words[1], "minor")) {
			if (uint_word(p, k, k->words[2], CONF_MINOR_LIMIT - 1,
				      &u))
				return -1;
			v->minor = (long)u;
		} else if (kw(k, "disk", 2, false) && !v->disk) {
			v->disk = xdup(k->words[1], strlen(k->words[1]));
		} else if (kw(k, "disk", 1, true)) {
			if (optblock(p, k, &v->disk_opts))
				return -1;
		} else if (kw(k, "meta-disk", 2, false) &&
			   v->md == CONF_MD_UNSET) {
			const char *m = k->words[1];

			if (!strcmp(m, "internal")) {
				v->md = CONF_MD_INTERNAL;
				continue;
			}
			n = strlen(m);
			br = strrchr(m, '[');
			if (br && n > 2 && m[n - 1] == ']' && br != m) {
				char num[16];
				size_t len = (size_t)(m + n - 1 - (br + 1));

				if (len == 0 || len >= sizeof(num))
					return rfail(p, k->line, "meta-disk: "
						     "bad index in '%s'", m);
				memcpy(num, br + 1, len);
				num[len] = '\0';
				if (uint_word(p, k, num, 0x7fffffff, &u))
					return -1;
				v->md = CONF_MD_INDEXED;
				v->md_index = (unsigned int)u;
				v->md_path = xdup(m, (size_t)(br - m));
			} else {
				v->md = CONF_MD_FLEXIBLE;
				v->md_path = xdup(m, n);
			}
		} else {
			return rfail(p, k->line, "'%s' not understood in "
				     "volume %u", k->words[0], v->number);
		}
	}
	return 0;
}

static int address(struct rp *p, const struct stmt *st, char **out)
{
	const char *fam = st->words[1], *a = st->words[2];

	if (*out)
		return rfail(p, st->line, "'%s' given twice", st->words[0]);
	if (strcmp(fam, "ipv4") && strcmp(fam, "ipv6"))
		return rfail(p, st->line, "%s: unknown address family '%s'",
			     st->words[0], fam);
	if (!strrchr(a, ':'))
		return rfail(p, st->line, "%s: '%s' has no port",
			     st->words[0], a);
	*out = xdup(a, strlen(a));
	return 0;
}

static int connection(struct rp *p, const struct stmt *st, struct run_res *r)
{
	struct run_conn *c;
	unsigned long u;
	bool have_id = false;
	size_t i;

	r->conns = xgrow(r->conns, (r->nconns + 1) * sizeof(*r->conns));
	c = &r->conns[r->nconns++];
	memset(c, 0, sizeof(*c));
	for (i = 0; i < st->nkids; i++) {
		const struct stmt *k = &st->kids[i];

		if (kw(k, "peer-node-id", 2, false) && !have_id) {
			if (uint_word(p, k, k->words[1], 31, &u))
				return -1;
			c->peer_node_id = (unsigned int)u;
			have_id = true;
		} else if (kw(k, "local-address", 3, false)) {
			if (address(p, k, &c->local_addr))
				return -1;
		} else if (kw(k, "peer-address", 3, false)) {
			if (address(p, k, &c->peer_addr))
				return -1;
		} else if (kw(k, "net", 1, true)) {
			if (optblock(p, k, &c->net))
				return -1;
		} else {
			return rfail(p, k->line, "'%s' not understood in a "
				     "connection", k->words[0]);
		}
	}
	if (!have_id)
		return rfail(p, st->line, "connection without peer-node-id");
	for (i = 0; i + 1 < r->nconns; i++)
		if (r->conns[i].peer_node_id == c->peer_node_id)
			return rfail(p, st->line, "two connections to peer "
				     "node %u", c->peer_node_id);
	return 0;
}

static int resource(struct rp *p, const struct stmt *st, struct run_conf *rc)
{
	struct run_res *r;
	unsigned long u;
	size_t i;

	if (!kw(st, "resource", 2, true))
		return rfail(p, st->line, "'%s' not understood (expected "
			     "'resource NAME {')", st->words[0]);
	if (run_find(rc, st->words[1]))
		return rfail(p, st->line, "resource '%s' given twice",
			     st->words[1]);
	rc->res = xgrow(rc->res, (rc->nres + 1) * sizeof(*rc->res));
	r = &rc->res[rc->nres++];
	memset(r, 0, sizeof(*r));
	r->name = xdup(st->words[1], strlen(st->words[1]));
	r->node_id = -1;
	for (i = 0; i < st->nkids; i++) {
		const struct stmt *k = &st->kids[i];

		if (kw(k, "node-id", 2, false) && r->node_id < 0) {
			if (uint_word(p, k, k->words[1], 31, &u))
				return -1;
			r->node_id = (int)u;
		} else if (kw(k, "options", 1, true)) {
			if (optblock(p, k, &r->options))
				return -1;
		} else if (kw(k, "volume", 2, true)) {
			if (volume(p, k, r))
				return -1;
		} else if (kw(k, "connection", 1, true)) {
			if (connection(p, k, r))
				return -1;
		} else {
			return rfail(p, k->line, "'%s' not understood in "
				     "resource '%s'", k->words[0], r->name);
		}
	}
	return 0;
}

int run_parse(const char *text, size_t len, struct run_conf **out,
	      char *err, size_t errlen)
{
	struct rp p = { .s = text, .len = len, .line = 1, .err = err,
			.errlen = errlen };
	struct run_conf *rc = xgrow(NULL, sizeof(*rc));
	struct stmt *top;
	size_t ntop, i;
	int ret = 0;

	memset(rc, 0, sizeof(*rc));
	*out = NULL;
	if (stmts(&p, &top, &ntop, false, 0)) {
		free(rc);
		return -1;
	}
	for (i = 0; i < ntop && !ret; i++)
		ret = resource(&p, &top[i], rc);
	for (i = 0; i < ntop; i++)
		stmt_free(&top[i]);
	free(top);
	if (ret) {
		run_free(rc);
		return -1;
	}
	*out = rc;
	return 0;
}

void run_free(struct run_conf *rc)
{
	size_t i, j;

	if (!rc)
		return;
	for (i = 0; i < rc->nres; i++) {
		struct run_res *r = &rc->res[i];

		free(r->name);
		opts_free(&r->options);
		for (j = 0; j < r->nvols; j++) {
			free(r->vols[j].disk);
			free(r->vols[j].md_path);
			opts_free(&r->vols[j].disk_opts);
		}
		free(r->vols);
		for (j = 0; j < r->nconns; j++) {
			free(r->conns[j].local_addr);
			free(r->conns[j].peer_addr);
			opts_free(&r->conns[j].net);
		}
		free(r->conns);
	}
	free(rc->res);
	free(rc);
}

const struct run_res *run_find(const struct run_conf *rc, const char *name)
{
	size_t i;

	for (i = 0; i < rc->nres; i++)
		if (!strcmp(rc->res[i].name, name))
			return &rc->res[i];
	return NULL;
}
