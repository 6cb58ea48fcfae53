/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - what the files of the configuration parser share:
 * conf_lex.c (tokens, diagnostics, parser primitives), conf_opts.c (the
 * option table), conf.c (the parser), conf_file.c (files, includes),
 * conf_check.c (whole-file checks), conf_dump.c (lookups, dump). Not for
 * users of the parser: they include conf.h.
 */
#ifndef TANDEM_ADM_CONF_INT_H
#define TANDEM_ADM_CONF_INT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/uapi/tandem_genl.h"
#include "kernel/uapi/tandem_limits.h"
#include "adm/conf.h"
#include "adm/util.h"

enum vtype {
	VT_BOOL,	/* yes|no; alone = yes */
	VT_UINT,	/* decimal number */
	VT_SIZE,	/* number with K/M/G/s suffix, stored in base units */
	VT_ENUM,	/* one of vals[] */
	VT_PROTO,	/* A|B|C */
	VT_STR,		/* any string up to max bytes */
	VT_XNAME,	/* transport: [a-z0-9_]{1,max} */
	VT_RESAFTER,	/* resource name, or -1/none */
	VT_CPUMASK,	/* hexadecimal digits and commas */
	VT_CMD,		/* handler command */
};

struct optdef {
	const char *name;
	unsigned char sec;		/* enum conf_section */
	unsigned char type;		/* enum vtype */
	unsigned short unit;		/* VT_SIZE: bytes per base unit */
	uint64_t max;			/* numbers: largest; strings: bytes */
	const char *const *vals;	/* VT_ENUM */
	const char *unitname;		/* VT_SIZE: for messages */
};

/* Where an option is written: the five sections, plus the old syncer. */
enum ctx {
	CTX_SYNCER = CONF_NSECTIONS,
};

/* Obsolete or relocated spellings. */
struct aliasdef {
	const char *name;	/* as written */
	unsigned char ctx;	/* section it is written in */
	const char *target;	/* current name; NULL: ignored */
	const char *value;	/* flag form: the value it stands for */
	bool warn;
	bool fixed_rate;	/* syncer rate: also c-plan-ahead 0 */
};


enum tok_kind { T_EOF, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_SEMI };

struct token {
	enum tok_kind kind;
	size_t len;
	struct conf_loc loc;
	char text[CONF_STRING_MAX + 1];
};

struct ps {
	struct conf *c;
	const char *file;	/* in c->files */
	const char *buf;
	size_t len;
	size_t pos;
	unsigned int line;
	unsigned int col;
	int depth;		/* include nesting */
	struct token la;	/* lookahead */
	bool have_la;
};

extern const struct optdef cf_optdefs[];
extern const size_t cf_noptdefs;
extern const struct aliasdef cf_aliasdefs[];
extern const size_t cf_naliasdefs;

int cf_parse_top(struct ps *p);
void cf_optset_insert(struct conf_optset *set, const struct conf_opt *o);
const struct conf_host *cf_res_host(const struct conf_resource *r,
					const char *name);
void cf_check(struct conf *c);
void cf_inherit_common(struct conf *c);
int cf_parse_include(struct ps *p, const struct token *kw);
int cf_parse_path(struct conf *c, const char *path, int depth,
		      const struct conf_loc *from);
int cf_parse_source(struct conf *c, const char *name, const char *buf,
			size_t len, int depth);
__attribute__((format(printf, 3, 4)))
int cf_cerr(struct conf *c, const struct conf_loc *loc,
		const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
int cf_perr(struct ps *p, const struct conf_loc *loc, const char *fmt,
		...);
__attribute__((format(printf, 3, 4)))
void cf_cwarn(struct conf *c, const struct conf_loc *loc,
		  const char *fmt, ...);
bool cf_is_kw(const struct token *t, const char *kw);
bool cf_is_value(const struct token *t);
const char *cf_tokdesc(const struct token *t, char *buf, size_t len);
const char *cf_where(const struct conf_loc *loc, char *buf, size_t len);
int cf_block_done(struct ps *p, const struct conf_loc *open,
		      const char *what);
int cf_expect(struct ps *p, enum tok_kind kind, const char *after);
int cf_item_keyword(struct ps *p, struct token *t, const char *what);
int cf_next(struct ps *p, struct token *t);
int cf_number(struct ps *p, const struct token *t, uint64_t max,
		  const char *what, uint64_t *out);
int cf_open_block(struct ps *p, const char *after, struct conf_loc *open);
int cf_parse_uint(const char *s, uint64_t max, uint64_t *out);
int cf_peek(struct ps *p, const struct token **t);
int cf_value(struct ps *p, struct token *t, const char *what);
const char *cf_ctx_name(unsigned int ctx);
const struct aliasdef *cf_aliasdef_find(unsigned int ctx,
					    const char *name);
const struct optdef *cf_optdef_find(const char *name);

#endif
