// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file parser: a hand-written lexer and a
 * recursive-descent parser for the drbd.conf grammar (8.3 and 8.4 styles),
 * the checks over the whole file, the lookups and the normalized dump.
 * See conf.h for the model.
 */
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

/* ------------------------------------------------------------------ */
/* Memory                                                               */
/* ------------------------------------------------------------------ */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return p;
}

static void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* Append one pointer to a growing array of pointers. */
#define APPEND(arr, n, item) do {					\
	(arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr)));		\
	(arr)[(n)++] = (item);						\
} while (0)

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */
/* ------------------------------------------------------------------ */

static void vdiag(struct conf *c, bool error, const struct conf_loc *loc,
		  const char *fmt, va_list ap)
{
	struct conf_diag *d;
	char text[512];

	vsnprintf(text, sizeof(text), fmt, ap);
	c->diags = xrealloc(c->diags, (c->ndiags + 1) * sizeof(*c->diags));
	d = &c->diags[c->ndiags++];
	d->error = error;
	d->loc = *loc;
	d->text = xstrdup(text);
	if (error)
		c->nerrors++;
	else
		c->nwarnings++;
}

__attribute__((format(printf, 3, 4)))
static int cerr(struct conf *c, const struct conf_loc *loc,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, true, loc, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static void cwarn(struct conf *c, const struct conf_loc *loc,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, false, loc, fmt, ap);
	va_end(ap);
}

char *conf_diag_format(const struct conf_diag *d, char *buf, size_t len)
{
	if (!d->loc.line) {
		/* about a whole file (it cannot be read) */
		snprintf(buf, len, "%s: %s: %s",
			 d->loc.file ? d->loc.file : "?",
			 d->error ? "error" : "warning", d->text);
		return buf;
	}
	snprintf(buf, len, "%s:%u:%u: %s: %s",
		 d->loc.file ? d->loc.file : "?", d->loc.line, d->loc.col,
		 d->error ? "error" : "warning", d->text);
	return buf;
}

void conf_print_diags(FILE *out, const struct conf *c)
{
	char buf[1024];
	size_t i;

	for (i = 0; i < c->ndiags; i++)
		fprintf(out, "%s\n", conf_diag_format(&c->diags[i], buf,
						       sizeof(buf)));
}

/* "file:line:col" of @loc, for messages that point at a second place. */
static const char *where(const struct conf_loc *loc, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u:%u", loc->file, loc->line, loc->col);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Option table                                                         */
/* ------------------------------------------------------------------ */

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

static const char *const v_asb0[] = {
	"disconnect", "discard-younger-primary", "discard-older-primary",
	"discard-zero-changes", "discard-least-changes", "discard-local",
	"discard-remote", NULL };
static const char *const v_asb1[] = {
	"disconnect", "consensus", "discard-secondary",
	"call-pri-lost-after-sb", "violently-as0p", NULL };
static const char *const v_asb2[] = {
	"disconnect", "call-pri-lost-after-sb", "violently-as0p", NULL };
static const char *const v_rr[] = {
	"disconnect", "call-pri-lost", "violently", "retry-connect", NULL };
static const char *const v_ioerr[] = {
	"detach", "pass_on", "call-local-io-error", NULL };
static const char *const v_fencing[] = {
	"dont-care", "resource-only", "resource-and-stonith", NULL };
static const char *const v_cong[] = {
	"block", "pull-ahead", "disconnect", NULL };
static const char *const v_nodata[] = { "io-error", "suspend-io", NULL };
static const char *const v_readbal[] = {
	"prefer-local", "prefer-remote", "round-robin", "least-pending",
	"when-congested-remote", "32K-striping", "64K-striping",
	"128K-striping", "256K-striping", "512K-striping", "1M-striping",
	NULL };

#define U32	0xffffffffULL
#define B(n, s)		{ n, s, VT_BOOL, 0, 0, NULL, NULL }
#define N(n, s, m)	{ n, s, VT_UINT, 0, m, NULL, NULL }
#define SZ(n, s, u, m, un) { n, s, VT_SIZE, u, m, NULL, un }
#define E(n, s, v)	{ n, s, VT_ENUM, 0, 0, v, NULL }
#define S(n, s, t, m)	{ n, s, t, 0, m, NULL, NULL }
#define H(n)		{ n, CONF_HANDLERS, VT_CMD, 0, CONF_STRING_MAX, \
			  NULL, NULL }

static const struct optdef optdefs[] = {
	/* options { } */
	S("cpu-mask", CONF_OPTIONS, VT_CPUMASK, CONF_STRING_MAX),
	E("on-no-data-accessible", CONF_OPTIONS, v_nodata),
	B("auto-promote", CONF_OPTIONS),

	/* net { } */
	{ "protocol", CONF_NET, VT_PROTO, 0, 0, NULL, NULL },
	S("transport", CONF_NET, VT_XNAME, TANDEM_TRANSPORT_NAME_MAX - 1),
	B("allow-two-primaries", CONF_NET),
	S("cram-hmac-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	S("shared-secret", CONF_NET, VT_STR, TANDEM_SECRET_MAX),
	E("after-sb-0pri", CONF_NET, v_asb0),
	E("after-sb-1pri", CONF_NET, v_asb1),
	E("after-sb-2pri", CONF_NET, v_asb2),
	B("always-asbp", CONF_NET),
	E("rr-conflict", CONF_NET, v_rr),
	N("timeout", CONF_NET, U32),
	N("connect-int", CONF_NET, U32),
	N("ping-int", CONF_NET, U32),
	N("ping-timeout", CONF_NET, U32),
	N("ko-count", CONF_NET, U32),
	SZ("sndbuf-size", CONF_NET, 1, U32, "bytes"),
	SZ("rcvbuf-size", CONF_NET, 1, U32, "bytes"),
	N("max-buffers", CONF_NET, U32),
	N("max-epoch-size", CONF_NET, U32),
	S("verify-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	S("csums-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	S("data-integrity-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	E("on-congestion", CONF_NET, v_cong),
	SZ("congestion-fill", CONF_NET, 512, U32, "sectors"),
	N("congestion-extents", CONF_NET, U32),
	B("tcp-cork", CONF_NET),
	B("use-rle", CONF_NET),
	B("discard-my-data", CONF_NET),
	N("sock-check-timeo", CONF_NET, U32),
	B("csums-after-crash-only", CONF_NET),

	/* disk { } */
	E("on-io-error", CONF_DISK, v_ioerr),
	E("fencing", CONF_DISK, v_fencing),
	B("disk-barrier", CONF_DISK),
	B("disk-flushes", CONF_DISK),
	B("disk-drain", CONF_DISK),
	B("md-flushes", CONF_DISK),
	N("max-bio-bvecs", CONF_DISK, U32),
	SZ("size", CONF_DISK, 512, UINT64_MAX / 512, "sectors"),
	N("al-extents", CONF_DISK, U32),
	B("al-updates", CONF_DISK),
	SZ("resync-rate", CONF_DISK, 1024, U32, "KiB"),
	S("resync-after", CONF_DISK, VT_RESAFTER, TANDEM_RESOURCE_NAME_MAX - 1),
	N("c-plan-ahead", CONF_DISK, U32),
	SZ("c-fill-target", CONF_DISK, 512, U32, "sectors"),
	N("c-delay-target", CONF_DISK, U32),
	SZ("c-max-rate", CONF_DISK, 1024, U32, "KiB"),
	SZ("c-min-rate", CONF_DISK, 1024, U32, "KiB"),
	N("disk-timeout", CONF_DISK, U32),
	E("read-balancing", CONF_DISK, v_readbal),
	B("discard-zeroes-if-aligned", CONF_DISK),
	SZ("rs-discard-granularity", CONF_DISK, 1, U32, "bytes"),

	/* startup { } */
	N("wfc-timeout", CONF_STARTUP, U32),
	N("degr-wfc-timeout", CONF_STARTUP, U32),
	N("outdated-wfc-timeout", CONF_STARTUP, U32),
	B("wait-after-sb", CONF_STARTUP),
	S("become-primary-on", CONF_STARTUP, VT_STR, CONF_STRING_MAX),
	B("stacked-timeouts", CONF_STARTUP),

	/* handlers { } */
	H("pri-on-incon-degr"),
	H("pri-lost-after-sb"),
	H("pri-lost"),
	H("fence-peer"),
	H("unfence-peer"),
	H("local-io-error"),
	H("initial-split-brain"),
	H("split-brain"),
	H("before-resync-target"),
	H("after-resync-target"),
	H("before-resync-source"),
	H("out-of-sync"),
	H("emergency-shutdown"),
	H("quorum-lost"),
	H("disconnected"),
};

#define NOPTDEFS (sizeof(optdefs) / sizeof(optdefs[0]))

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

static const struct aliasdef aliasdefs[] = {
	/* 8.3 syncer { }: every option moved to net, disk or options. */
	{ "rate", CTX_SYNCER, "resync-rate", NULL, true, true },
	{ "after", CTX_SYNCER, "resync-after", NULL, true, false },
	{ "al-extents", CTX_SYNCER, "al-extents", NULL, true, false },
	{ "use-rle", CTX_SYNCER, "use-rle", NULL, true, false },
	{ "cpu-mask", CTX_SYNCER, "cpu-mask", NULL, true, false },
	{ "verify-alg", CTX_SYNCER, "verify-alg", NULL, true, false },
	{ "csums-alg", CTX_SYNCER, "csums-alg", NULL, true, false },
	{ "c-plan-ahead", CTX_SYNCER, "c-plan-ahead", NULL, true, false },
	{ "c-fill-target", CTX_SYNCER, "c-fill-target", NULL, true, false },
	{ "c-delay-target", CTX_SYNCER, "c-delay-target", NULL, true, false },
	{ "c-max-rate", CTX_SYNCER, "c-max-rate", NULL, true, false },
	{ "c-min-rate", CTX_SYNCER, "c-min-rate", NULL, true, false },
	{ "on-no-data-accessible", CTX_SYNCER, "on-no-data-accessible", NULL,
	  true, false },
	{ "delay-probe-volume", CTX_SYNCER, NULL, NULL, true, false },
	{ "delay-probe-interval", CTX_SYNCER, NULL, NULL, true, false },
	{ "throttle-threshold", CTX_SYNCER, NULL, NULL, true, false },
	{ "hold-off-threshold", CTX_SYNCER, NULL, NULL, true, false },

	/* 8.3 disk { } flags */
	{ "no-disk-barrier", CONF_DISK, "disk-barrier", "no", true, false },
	{ "no-disk-flushes", CONF_DISK, "disk-flushes", "no", true, false },
	{ "no-disk-drain", CONF_DISK, "disk-drain", "no", true, false },
	{ "no-md-flushes", CONF_DISK, "md-flushes", "no", true, false },
	{ "use-bmbv", CONF_DISK, NULL, NULL, true, false },
	{ "unplug-watermark", CONF_DISK, NULL, NULL, true, false },

	/* 8.3 net { } */
	{ "unplug-watermark", CONF_NET, NULL, NULL, true, false },
	{ "no-tcp-cork", CONF_NET, "tcp-cork", "no", true, false },
	/* DRBD 9 places fencing in net; it lives in disk here. */
	{ "fencing", CONF_NET, "fencing", NULL, false, false },

	/* 8.2 handler name */
	{ "outdate-peer", CONF_HANDLERS, "fence-peer", NULL, true, false },
};

static const struct optdef *optdef_find(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTDEFS; i++)
		if (!strcmp(optdefs[i].name, name))
			return &optdefs[i];
	return NULL;
}

static const struct aliasdef *aliasdef_find(unsigned int ctx,
					    const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aliasdefs) / sizeof(aliasdefs[0]); i++)
		if (aliasdefs[i].ctx == ctx && !strcmp(aliasdefs[i].name, name))
			return &aliasdefs[i];
	return NULL;
}

const char *conf_section_name(enum conf_section sec)
{
	static const char *const names[] = {
		[CONF_OPTIONS] = "options",
		[CONF_NET] = "net",
		[CONF_DISK] = "disk",
		[CONF_STARTUP] = "startup",
		[CONF_HANDLERS] = "handlers",
	};

	if ((unsigned int)sec < CONF_NSECTIONS)
		return names[sec];
	return "?";
}

static const char *ctx_name(unsigned int ctx)
{
	return ctx == CTX_SYNCER ? "syncer" : conf_section_name(ctx);
}

int conf_option_section(const char *name)
{
	const struct optdef *d = optdef_find(name);

	return d ? d->sec : -1;
}

/* ------------------------------------------------------------------ */
/* Lexer                                                                */
/* ------------------------------------------------------------------ */

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

static struct conf_loc here(const struct ps *p)
{
	struct conf_loc l = { p->file, p->line, p->col };

	return l;
}

static void adv(struct ps *p)
{
	unsigned char ch = p->buf[p->pos++];

	if (ch == '\n') {
		p->line++;
		p->col = 1;
	} else if ((ch & 0xc0) != 0x80) {
		p->col++;
	}
}

static bool is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\f' || ch == '\v';
}

/*
 * Length of a Unicode space at the current position (no-break space,
 * ideographic space, the U+2000 spaces, byte-order mark), else 0. Text
 * copied from web pages carries them; they separate tokens like blanks.
 */
static size_t uspace(const struct ps *p)
{
	const unsigned char *s = (const unsigned char *)p->buf + p->pos;
	size_t left = p->len - p->pos;

	if (left >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (left >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	if (left >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8b) || s[2] == 0xaf))
		return 3;
	return 0;
}

static void skip_line(struct ps *p)
{
	while (p->pos < p->len && p->buf[p->pos] != '\n')
		adv(p);
}

static bool word_char(const struct ps *p)
{
	unsigned char ch = p->buf[p->pos];

	if (is_space(ch) || ch < 0x20 || ch == 0x7f)
		return false;
	if (ch == '{' || ch == '}' || ch == ';' || ch == '"' || ch == '#')
		return false;
	return ch < 0x80 || !uspace(p);
}

static int too_long(struct ps *p, const struct token *t, size_t n)
{
	return cerr(p->c, &t->loc, "string is %zu bytes long; the limit is %d",
		    n, CONF_STRING_MAX);
}

static int lex_string(struct ps *p, struct token *t)
{
	size_t n = 0;
	unsigned char ch;

	adv(p);
	for (;;) {
		struct conf_loc l = here(p);

		if (p->pos >= p->len)
			return cerr(p->c, &t->loc, "unterminated quoted string "
				    "(end of file before the closing '\"')");
		ch = p->buf[p->pos];
		if (ch == '\n')
			return cerr(p->c, &t->loc, "unterminated quoted string "
				    "(end of line before the closing '\"')");
		if (ch == '"') {
			adv(p);
			break;
		}
		if (ch == '\\' && p->pos + 1 < p->len &&
		    (p->buf[p->pos + 1] == '"' || p->buf[p->pos + 1] == '\\')) {
			adv(p);
			ch = p->buf[p->pos];
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return cerr(p->c, &l, "control character 0x%02x in "
				    "quoted string", ch);
		if (n < CONF_STRING_MAX)
			t->text[n] = (char)ch;
		n++;
		adv(p);
	}
	if (n > CONF_STRING_MAX)
		return too_long(p, t, n);
	t->text[n] = '\0';
	t->len = n;
	t->kind = T_STRING;
	return 0;
}

static int lex(struct ps *p, struct token *t)
{
	unsigned char ch;
	size_t n, u;

	for (;;) {
		t->loc = here(p);
		t->text[0] = '\0';
		t->len = 0;
		if (p->pos >= p->len) {
			t->kind = T_EOF;
			return 0;
		}
		ch = p->buf[p->pos];
		if (is_space(ch)) {
			adv(p);
			continue;
		}
		if (ch == '#') {
			skip_line(p);
			continue;
		}
		if (ch >= 0x80) {
			u = uspace(p);
			if (u) {
				while (u--)
					adv(p);
				continue;
			}
			/*
			 * Text in another script where a keyword should be:
			 * a note pasted after a statement (seen in the field:
			 * "address ...; <- note"). Not grammar; skip it.
			 */
			cwarn(p->c, &t->loc, "ignoring non-ASCII text up to the "
			      "end of the line (not part of the grammar)");
			skip_line(p);
			continue;
		}
		if (ch < 0x20 || ch == 0x7f)
			return cerr(p->c, &t->loc, "unexpected control "
				    "character 0x%02x", ch);
		break;
	}
	switch (ch) {
	case '{':
		t->kind = T_LBRACE;
		break;
	case '}':
		t->kind = T_RBRACE;
		break;
	case ';':
		t->kind = T_SEMI;
		break;
	case '"':
		return lex_string(p, t);
	default:
		n = 0;
		while (p->pos < p->len && word_char(p)) {
			if (n < CONF_STRING_MAX)
				t->text[n] = p->buf[p->pos];
			n++;
			adv(p);
		}
		if (n > CONF_STRING_MAX)
			return too_long(p, t, n);
		t->text[n] = '\0';
		t->len = n;
		t->kind = T_WORD;
		return 0;
	}
	t->text[0] = (char)ch;
	t->text[1] = '\0';
	t->len = 1;
	adv(p);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parser helpers                                                       */
/* ------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int perr(struct ps *p, const struct conf_loc *loc, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p->c, true, loc, fmt, ap);
	va_end(ap);
	return -1;
}

static int next(struct ps *p, struct token *t)
{
	if (p->have_la) {
		*t = p->la;
		p->have_la = false;
		return 0;
	}
	return lex(p, t);
}

static int peek(struct ps *p, const struct token **t)
{
	if (!p->have_la) {
		if (lex(p, &p->la))
			return -1;
		p->have_la = true;
	}
	*t = &p->la;
	return 0;
}

static const char *tokdesc(const struct token *t, char *buf, size_t len)
{
	switch (t->kind) {
	case T_EOF:
		return "end of file";
	case T_STRING:
		snprintf(buf, len, "\"%s\"", t->text);
		return buf;
	default:
		snprintf(buf, len, "'%s'", t->text);
		return buf;
	}
}

static bool is_kw(const struct token *t, const char *kw)
{
	return t->kind == T_WORD && !strcmp(t->text, kw);
}

static bool is_value(const struct token *t)
{
	return t->kind == T_WORD || t->kind == T_STRING;
}

/* Consume the next token, which must be @kind; @after says what it ends. */
static int expect(struct ps *p, enum tok_kind kind, const char *after)
{
	struct token t;
	char d[CONF_STRING_MAX + 8];

	if (next(p, &t))
		return -1;
	if (t.kind == kind)
		return 0;
	return perr(p, &t.loc, "expected '%c' after %s, got %s",
		    kind == T_SEMI ? ';' : kind == T_LBRACE ? '{' : '}', after,
		    tokdesc(&t, d, sizeof(d)));
}

/* The next token must be a word or a quoted string: the value of @what. */
static int value(struct ps *p, struct token *t, const char *what)
{
	char d[CONF_STRING_MAX + 8];

	if (next(p, t))
		return -1;
	if (is_value(t))
		return 0;
	return perr(p, &t->loc, "expected a value after '%s', got %s", what,
		    tokdesc(t, d, sizeof(d)));
}

/*
 * At the start of each item of a block: 1 when the closing '}' was
 * consumed, 0 when an item follows, -1 at the end of the file.
 */
static int block_done(struct ps *p, const struct conf_loc *open,
		      const char *what)
{
	const struct token *t;
	struct token dummy;

	if (peek(p, &t))
		return -1;
	if (t->kind == T_RBRACE) {
		next(p, &dummy);
		return 1;
	}
	if (t->kind == T_EOF)
		return perr(p, open, "unterminated block: the '{' of %s is "
			    "not closed before the end of the file", what);
	return 0;
}

/* The keyword that starts an item; anything else is an error. */
static int item_keyword(struct ps *p, struct token *t, const char *what)
{
	char d[CONF_STRING_MAX + 8];

	if (next(p, t))
		return -1;
	if (t->kind == T_WORD)
		return 0;
	return perr(p, &t->loc, "expected a keyword in %s, got %s", what,
		    tokdesc(t, d, sizeof(d)));
}

/* Consume '{' and remember where it is. */
static int open_block(struct ps *p, const char *after, struct conf_loc *open)
{
	const struct token *t;

	if (peek(p, &t))
		return -1;
	*open = t->loc;
	return expect(p, T_LBRACE, after);
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -2;
	}
	if (v > max)
		return -2;
	*out = v;
	return 0;
}

/* A number token in [0, max]; @what names it in messages. */
static int number(struct ps *p, const struct token *t, uint64_t max,
		  const char *what, uint64_t *out)
{
	int r = parse_uint(t->text, max, out);

	if (r == -1)
		return perr(p, &t->loc, "%s: '%s' is not a number", what,
			    t->text);
	if (r == -2)
		return perr(p, &t->loc, "%s: %s is out of range (0 to %llu)",
			    what, t->text, (unsigned long long)max);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Option values and option sets                                        */
/* ------------------------------------------------------------------ */

static bool valid_resname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= TANDEM_RESOURCE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int size_value(struct ps *p, const struct optdef *d, const char *name,
		      const struct token *t, char *out, size_t outlen)
{
	const char *s = t->text;
	uint64_t n = 0, mult = 1, bytes, units;
	size_t i = 0;

	while (s[i] >= '0' && s[i] <= '9') {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(s[i] - '0'), &n))
			return perr(p, &t->loc, "%s: %s is out of range",
				    name, s);
		i++;
	}
	if (!i)
		return perr(p, &t->loc, "%s: bad size '%s' (expected a "
			    "number with an optional K, M, G or s suffix)",
			    name, s);
	if (s[i]) {
		switch (s[i]) {
		case 'k': case 'K':
			mult = 1024;
			break;
		case 'm': case 'M':
			mult = 1024 * 1024;
			break;
		case 'g': case 'G':
			mult = 1024 * 1024 * 1024;
			break;
		case 's':
			mult = 512;
			break;
		default:
			return perr(p, &t->loc, "%s: bad size '%s': unknown "
				    "suffix '%s' (expected K, M, G or s)",
				    name, s, s + i);
		}
		if (s[i + 1])
			return perr(p, &t->loc, "%s: bad size '%s': unknown "
				    "suffix '%s' (expected K, M, G or s)",
				    name, s, s + i);
		if (__builtin_mul_overflow(n, mult, &bytes))
			return perr(p, &t->loc, "%s: %s is out of range",
				    name, s);
		if (bytes % d->unit)
			return perr(p, &t->loc, "%s: %s is not a whole number "
				    "of %s", name, s, d->unitname);
		units = bytes / d->unit;
	} else {
		units = n;
	}
	if (units > d->max)
		return perr(p, &t->loc, "%s: %s is out of range (at most %llu "
			    "%s)", name, s, (unsigned long long)d->max,
			    d->unitname);
	snprintf(out, outlen, "%llu", (unsigned long long)units);
	return 0;
}

/*
 * The canonical form of the value @t (NULL: none written) of option @d,
 * into @out. @name is what the user wrote (for messages), @nloc where.
 */
static int canon_value(struct ps *p, const struct optdef *d, const char *name,
		       const struct conf_loc *nloc, const struct token *t,
		       char *out, size_t outlen)
{
	const char *s = t ? t->text : NULL;
	const char *const *v;
	uint64_t u;
	char list[512];
	size_t i, n;

	if (!t && d->type != VT_BOOL)
		return perr(p, nloc, "option '%s' needs a value", name);
	switch (d->type) {
	case VT_BOOL:
		if (!t || !strcmp(s, "yes"))
			snprintf(out, outlen, "yes");
		else if (!strcmp(s, "no"))
			snprintf(out, outlen, "no");
		else
			return perr(p, &t->loc, "%s: expected yes or no, got "
				    "'%s'", name, s);
		return 0;
	case VT_UINT:
		if (number(p, t, d->max, name, &u))
			return -1;
		snprintf(out, outlen, "%llu", (unsigned long long)u);
		return 0;
	case VT_SIZE:
		return size_value(p, d, name, t, out, outlen);
	case VT_ENUM:
		for (v = d->vals; *v; v++)
			if (!strcmp(*v, s)) {
				snprintf(out, outlen, "%s", s);
				return 0;
			}
		list[0] = '\0';
		for (v = d->vals, n = 0; *v; v++) {
			n += snprintf(list + n, sizeof(list) - n, "%s%s",
				      v == d->vals ? "" : ", ", *v);
			if (n >= sizeof(list))
				break;
		}
		return perr(p, &t->loc, "%s: '%s' is not one of: %s", name, s,
			    list);
	case VT_PROTO:
		if (strlen(s) == 1 && strchr("ABCabc", s[0])) {
			snprintf(out, outlen, "%c", s[0] & ~0x20);
			return 0;
		}
		return perr(p, &t->loc, "protocol: '%s' is not A, B or C", s);
	case VT_XNAME:
		n = strlen(s);
		for (i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_",
				    s[i]))
				break;
		if (!n || i < n || n > d->max)
			return perr(p, &t->loc, "%s: '%s' is not a name of 1 "
				    "to %llu characters from a-z, 0-9 and _",
				    name, s, (unsigned long long)d->max);
		snprintf(out, outlen, "%s", s);
		return 0;
	case VT_RESAFTER:
		if (!strcmp(s, "-1") || !strcmp(s, "none")) {
			snprintf(out, outlen, "-1");
			return 0;
		}
		if (!valid_resname(s))
			return perr(p, &t->loc, "%s: '%s' is not a resource "
				    "name", name, s);
		snprintf(out, outlen, "%s", s);
		return 0;
	case VT_CPUMASK:
		if (!*s || strspn(s, "0123456789abcdefABCDEF,") != strlen(s))
			return perr(p, &t->loc, "%s: '%s' is not a hexadecimal "
				    "CPU mask", name, s);
		snprintf(out, outlen, "%s", s);
		return 0;
	case VT_STR:
		if (strlen(s) > d->max)
			return perr(p, &t->loc, "%s: longer than %llu bytes",
				    name, (unsigned long long)d->max);
		/* fall through */
	case VT_CMD:
	default:
		snprintf(out, outlen, "%s", s);
		return 0;
	}
}

const struct conf_opt *conf_opt_find(const struct conf_optset *set,
				     const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->opts[i].name, name))
			return &set->opts[i];
	return NULL;
}

/* Insert a copy of @o keeping table order. */
static void optset_insert(struct conf_optset *set, const struct conf_opt *o)
{
	size_t i;

	set->opts = xrealloc(set->opts, (set->n + 1) * sizeof(*set->opts));
	for (i = set->n; i > 0 && set->opts[i - 1].index > o->index; i--)
		set->opts[i] = set->opts[i - 1];
	set->opts[i] = *o;
	set->opts[i].value = xstrdup(o->value);
	set->n++;
}

static void optset_free(struct conf_optset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->opts[i].value);
	free(set->opts);
	set->opts = NULL;
	set->n = 0;
}

/*
 * Store option @d = @value in @set. A value written twice in one place is
 * an error; implied values (from a mapping) yield to written ones in
 * either order.
 */
static int set_opt(struct ps *p, struct conf_optset *set,
		   const struct optdef *d, const char *value,
		   const struct conf_loc *loc, bool implied)
{
	struct conf_opt *old = (struct conf_opt *)conf_opt_find(set, d->name);
	struct conf_opt o = { .name = d->name, .value = (char *)value,
			      .loc = *loc, .index = (unsigned int)(d - optdefs),
			      .implied = implied };
	char w[64];

	if (old) {
		if (!old->implied && !implied)
			return perr(p, loc, "'%s' is already set at %s",
				    d->name, where(&old->loc, w, sizeof(w)));
		if (!old->implied && implied)
			return 0;
		free(old->value);
		old->value = xstrdup(value);
		old->loc = *loc;
		old->implied = implied;
		return 0;
	}
	optset_insert(set, &o);
	return 0;
}

/* The option sets an option section may write into. */
struct scope {
	struct conf_optset *set[CONF_NSECTIONS];	/* NULL: not here */
	const char *what;				/* for messages */
};

static int store(struct ps *p, struct scope *sc, const struct optdef *d,
		 const char *value, const struct conf_loc *loc, bool implied)
{
	if (!sc->set[d->sec])
		return perr(p, loc, "'%s' (section %s) cannot be set in %s",
			    d->name, conf_section_name(d->sec), sc->what);
	return set_opt(p, sc->set[d->sec], d, value, loc, implied);
}

/* One `name [value];` statement inside section @ctx. */
static int parse_option(struct ps *p, unsigned int ctx, struct scope *sc,
			const struct token *name)
{
	const struct aliasdef *a = aliasdef_find(ctx, name->text);
	const struct optdef *d = NULL;
	const struct token *pk;
	struct token val;
	bool has_val = false;
	char canon[CONF_STRING_MAX + 1], what[CONF_STRING_MAX * 2 + 32];

	if (!a) {
		d = optdef_find(name->text);
		if (!d || ctx == CTX_SYNCER) {
			if (ctx == CONF_HANDLERS)
				return perr(p, &name->loc, "unknown handler "
					    "'%s'", name->text);
			return perr(p, &name->loc, "unknown option '%s' in "
				    "section '%s'", name->text, ctx_name(ctx));
		}
		if (d->sec != ctx)
			return perr(p, &name->loc, "option '%s' belongs to "
				    "section '%s', not '%s'", name->text,
				    conf_section_name(d->sec), ctx_name(ctx));
	}
	if (peek(p, &pk))
		return -1;
	if (pk->kind != T_SEMI) {
		if (value(p, &val, name->text))
			return -1;
		has_val = true;
	}
	snprintf(what, sizeof(what), "'%s%s%s'", name->text,
		 has_val ? " " : "", has_val ? val.text : "");
	if (expect(p, T_SEMI, what))
		return -1;

	if (a) {
		if (!a->target) {
			cwarn(p->c, &name->loc, "obsolete option '%s' ignored",
			      name->text);
			return 0;
		}
		d = optdef_find(a->target);
		if (a->value && has_val)
			return perr(p, &val.loc, "'%s' takes no value",
				    name->text);
		if (a->value)
			snprintf(canon, sizeof(canon), "%s", a->value);
		else if (canon_value(p, d, name->text, &name->loc,
				     has_val ? &val : NULL, canon,
				     sizeof(canon)))
			return -1;
		if (a->warn) {
			if (ctx == CTX_SYNCER && a->fixed_rate)
				cwarn(p->c, &name->loc, "obsolete 'syncer' "
				      "section: '%s' is now '%s' in section "
				      "'%s' (a fixed rate: c-plan-ahead 0)",
				      name->text, d->name,
				      conf_section_name(d->sec));
			else if (ctx == CTX_SYNCER &&
				 strcmp(name->text, d->name))
				cwarn(p->c, &name->loc, "obsolete 'syncer' "
				      "section: '%s' is now '%s' in section "
				      "'%s'", name->text, d->name,
				      conf_section_name(d->sec));
			else if (ctx == CTX_SYNCER)
				cwarn(p->c, &name->loc, "obsolete 'syncer' "
				      "section: '%s' now belongs to section "
				      "'%s'", name->text,
				      conf_section_name(d->sec));
			else if (a->value)
				cwarn(p->c, &name->loc, "obsolete option '%s' "
				      "mapped to '%s %s'", name->text, d->name,
				      a->value);
			else
				cwarn(p->c, &name->loc, "obsolete option '%s' "
				      "is now '%s'", name->text, d->name);
		}
		if (store(p, sc, d, canon, &name->loc, false))
			return -1;
		if (a->fixed_rate)
			return store(p, sc, optdef_find("c-plan-ahead"), "0",
				     &name->loc, true);
		return 0;
	}

	if (canon_value(p, d, name->text, &name->loc, has_val ? &val : NULL,
			canon, sizeof(canon)))
		return -1;
	return store(p, sc, d, canon, &name->loc, false);
}

/* `SECTION { options }`, the keyword @kw already consumed. */
static int parse_section(struct ps *p, unsigned int ctx, struct scope *sc,
			 const struct token *kw)
{
	struct conf_loc open;
	struct token t;
	char what[CONF_STRING_MAX + 64];
	int r;

	if (ctx != CTX_SYNCER && !sc->set[ctx])
		return perr(p, &kw->loc, "section '%s' is not allowed in %s",
			    kw->text, sc->what);
	if (ctx == CTX_SYNCER && !sc->set[CONF_DISK])
		return perr(p, &kw->loc, "section 'syncer' is not allowed in "
			    "%s", sc->what);
	snprintf(what, sizeof(what), "'%s'", kw->text);
	if (open_block(p, what, &open))
		return -1;
	snprintf(what, sizeof(what), "section '%s' in %s", kw->text, sc->what);
	while (!(r = block_done(p, &open, what))) {
		if (item_keyword(p, &t, what) || parse_option(p, ctx, sc, &t))
			return -1;
	}
	return r < 0 ? -1 : 0;
}

/* The section a keyword opens, or -1. */
static int section_ctx(const struct token *t)
{
	static const char *const names[] = {
		[CONF_OPTIONS] = "options",
		[CONF_NET] = "net",
		[CONF_DISK] = "disk",
		[CONF_STARTUP] = "startup",
		[CONF_HANDLERS] = "handlers",
		[CTX_SYNCER] = "syncer",
	};
	unsigned int i;

	if (t->kind != T_WORD)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(t->text, names[i]))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Volumes, hosts, addresses                                            */
/* ------------------------------------------------------------------ */

static struct conf_volume *volume_new(unsigned int number,
				      const struct conf_loc *loc)
{
	struct conf_volume *v = xzalloc(sizeof(*v));

	v->number = number;
	v->minor = -1;
	v->loc = *loc;
	return v;
}

static void volume_free(struct conf_volume *v)
{
	if (!v)
		return;
	free(v->device);
	free(v->disk);
	free(v->md_path);
	optset_free(&v->disk_opts);
	free(v);
}

static void host_free(struct conf_host *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nvols; i++)
		volume_free(h->vols[i]);
	free(h->vols);
	optset_free(&h->disk_opts);
	free(h->name);
	free(h);
}

struct conf_volume *conf_host_volume(const struct conf_host *h,
				     unsigned int number)
{
	size_t i;

	for (i = 0; i < h->nvols; i++)
		if (h->vols[i]->number == number)
			return h->vols[i];
	return NULL;
}

/* Add @v to @h keeping volumes sorted by number. */
static void host_add_volume(struct conf_host *h, struct conf_volume *v)
{
	size_t i;

	h->vols = xrealloc(h->vols, (h->nvols + 1) * sizeof(*h->vols));
	for (i = h->nvols; i > 0 && h->vols[i - 1]->number > v->number; i--)
		h->vols[i] = h->vols[i - 1];
	h->vols[i] = v;
	h->nvols++;
}

/* /dev/drbdN or /dev/tandemN: N, else -1. */
static long devpath_minor(const char *path)
{
	const char *s;
	uint64_t u;

	if (!strncmp(path, "/dev/drbd", 9))
		s = path + 9;
	else if (!strncmp(path, "/dev/tandem", 11))
		s = path + 11;
	else
		return -1;
	if (parse_uint(s, CONF_MINOR_LIMIT - 1, &u))
		return -1;
	return (long)u;
}

static int minor_value(struct ps *p, const struct token *t, uint64_t *m)
{
	return number(p, t, CONF_MINOR_LIMIT - 1, "minor", m);
}

static int absolute_path(struct ps *p, const struct token *t,
			 const char *what)
{
	if (t->text[0] == '/')
		return 0;
	return perr(p, &t->loc, "%s: '%s' is not an absolute path", what,
		    t->text);
}

/* device /dev/tandemN | /dev/drbdN | minor N | PATH minor N; */
static int parse_device(struct ps *p, struct conf_volume *v,
			const struct token *kw)
{
	struct token t, m;
	const struct token *pk;
	uint64_t minor;
	long derived;
	char w[64];

	if (v->minor >= 0)
		return perr(p, &kw->loc, "'device' of volume %u is already "
			    "given at %s", v->number,
			    where(&v->device_loc, w, sizeof(w)));
	if (value(p, &t, "device"))
		return -1;
	v->device_loc = kw->loc;
	if (is_kw(&t, "minor")) {
		if (value(p, &m, "minor") || minor_value(p, &m, &minor))
			return -1;
		v->minor = (int)minor;
		return expect(p, T_SEMI, "'device minor N'");
	}
	if (absolute_path(p, &t, "device"))
		return -1;
	derived = devpath_minor(t.text);
	if (peek(p, &pk))
		return -1;
	if (is_kw(pk, "minor")) {
		next(p, &m);
		if (value(p, &m, "minor") || minor_value(p, &m, &minor))
			return -1;
		if (derived >= 0 && (uint64_t)derived != minor)
			return perr(p, &m.loc, "device %s does not match minor "
				    "%llu", t.text, (unsigned long long)minor);
	} else if (derived >= 0) {
		minor = (uint64_t)derived;
	} else {
		return perr(p, &t.loc, "cannot tell the minor of device '%s'; "
			    "write 'device %s minor N'", t.text, t.text);
	}
	v->minor = (int)minor;
	/* /dev/drbdN and /dev/tandemN both mean the tandem device N. */
	if (derived < 0)
		v->device = xstrdup(t.text);
	return expect(p, T_SEMI, "'device'");
}

/* disk PATH | none; (the `disk {` form is handled by the caller) */
static int parse_disk(struct ps *p, struct conf_volume *v)
{
	struct token t;

	if (value(p, &t, "disk"))
		return -1;
	if (v->disk)
		return perr(p, &t.loc, "'disk' of volume %u is already given",
			    v->number);
	if (strcmp(t.text, "none") && absolute_path(p, &t, "disk"))
		return -1;
	v->disk = xstrdup(t.text);
	return expect(p, T_SEMI, "'disk'");
}

/* "[N]" -> N */
static int md_index(struct ps *p, const struct token *t, const char *s,
		    unsigned int *idx)
{
	size_t n = strlen(s);
	char num[CONF_STRING_MAX + 1];
	uint64_t u;

	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		goto bad;
	memcpy(num, s + 1, n - 2);
	num[n - 2] = '\0';
	if (parse_uint(num, 0x7fffffff, &u))
		goto bad;
	*idx = (unsigned int)u;
	return 0;
bad:
	return perr(p, &t->loc, "meta-disk: bad index in '%s' (expected "
		    "PATH[N])", t->text);
}

/* meta-disk internal | PATH | PATH[N] | PATH [N]; flexible-meta-disk. */
static int parse_meta_disk(struct ps *p, struct conf_volume *v,
			   const struct token *kw)
{
	bool flexible = is_kw(kw, "flexible-meta-disk");
	const struct token *pk;
	struct token t, ix;
	char *br;

	if (v->md != CONF_MD_UNSET)
		return perr(p, &kw->loc, "'meta-disk' of volume %u is already "
			    "given", v->number);
	if (value(p, &t, kw->text))
		return -1;
	if (flexible)
		cwarn(p->c, &kw->loc, "obsolete 'flexible-meta-disk': now "
		      "'meta-disk %s'", t.text);
	if (is_kw(&t, "internal")) {
		v->md = CONF_MD_INTERNAL;
		return expect(p, T_SEMI, "'meta-disk internal'");
	}
	br = t.kind == T_WORD ? strchr(t.text, '[') : NULL;
	if (br) {
		if (flexible)
			return perr(p, &t.loc, "flexible-meta-disk takes no "
				    "index");
		if (md_index(p, &t, br, &v->md_index))
			return -1;
		*br = '\0';
		v->md = CONF_MD_INDEXED;
	} else {
		if (peek(p, &pk))
			return -1;
		if (pk->kind == T_WORD && pk->text[0] == '[') {
			next(p, &ix);
			if (flexible)
				return perr(p, &ix.loc, "flexible-meta-disk "
					    "takes no index");
			if (md_index(p, &ix, ix.text, &v->md_index))
				return -1;
			v->md = CONF_MD_INDEXED;
		} else {
			v->md = CONF_MD_FLEXIBLE;
		}
	}
	if (absolute_path(p, &t, "meta-disk"))
		return -1;
	v->md_path = xstrdup(t.text);
	return expect(p, T_SEMI, "'meta-disk'");
}

/* IP:PORT or [IPv6]:PORT in token @t. */
static int parse_ipport(struct ps *p, const struct token *t, int family,
			struct conf_addr *a)
{
	const char *s = t->text, *ip, *port, *close;
	char ipbuf[CONF_STRING_MAX + 1];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t iplen;
	uint64_t u;

	if (s[0] == '[') {
		if (family == AF_INET)
			return perr(p, &t->loc, "IPv4 address '%s' must not be "
				    "in brackets", s);
		family = AF_INET6;
		close = strchr(s, ']');
		if (!close)
			return perr(p, &t->loc, "missing ']' in address '%s'",
				    s);
		ip = s + 1;
		iplen = (size_t)(close - ip);
		if (!close[1])
			return perr(p, &t->loc, "address '%s' has no port "
				    "(expected [IP]:PORT)", s);
		if (close[1] != ':')
			return perr(p, &t->loc, "expected ':PORT' after ']' in "
				    "address '%s'", s);
		port = close + 2;
	} else {
		if (family == AF_INET6)
			return perr(p, &t->loc, "IPv6 address '%s' must be "
				    "written [IP]:PORT", s);
		family = AF_INET;
		close = strrchr(s, ':');
		if (!close)
			return perr(p, &t->loc, "address '%s' has no port "
				    "(expected IP:PORT)", s);
		if (strchr(s, ':') != close)
			return perr(p, &t->loc, "address '%s': write an IPv6 "
				    "address as 'ipv6 [IP]:PORT'", s);
		ip = s;
		iplen = (size_t)(close - s);
		port = close + 1;
	}
	if (!*port)
		return perr(p, &t->loc, "address '%s' has no port (expected "
			    "%s)", s, family == AF_INET ? "IP:PORT" :
			    "[IP]:PORT");
	memcpy(ipbuf, ip, iplen);
	ipbuf[iplen] = '\0';
	if (inet_pton(family, ipbuf, bin) != 1)
		return perr(p, &t->loc, "'%s' is not a valid %s address",
			    ipbuf, family == AF_INET ? "IPv4" : "IPv6");
	if (parse_uint(port, 65535, &u) || !u)
		return perr(p, &t->loc, "address '%s': bad port '%s' (1 to "
			    "65535)", s, port);
	a->family = family;
	inet_ntop(family, bin, a->ip, sizeof(a->ip));
	a->port = (unsigned int)u;
	a->loc = t->loc;
	return 0;
}

/* [ipv4|ipv6] IP:PORT, after the `address` keyword. */
static int parse_address(struct ps *p, struct conf_addr *a)
{
	struct token t;
	int family = 0;

	if (value(p, &t, "address"))
		return -1;
	if (is_kw(&t, "ipv4") || is_kw(&t, "ipv6")) {
		family = t.text[3] == '4' ? AF_INET : AF_INET6;
		if (value(p, &t, "address"))
			return -1;
	} else if (is_kw(&t, "ssocks") || is_kw(&t, "sdp") ||
		   is_kw(&t, "sci")) {
		return perr(p, &t.loc, "address family '%s' is not supported "
			    "(ipv4 or ipv6)", t.text);
	}
	return parse_ipport(p, &t, family, a);
}

/* Body of a `volume N { }` block, or one implicit volume statement. */
static int volume_stmt(struct ps *p, struct conf_volume *v,
		       const struct token *kw, const char *what)
{
	const struct token *pk;
	struct scope sc = { .what = what };

	if (is_kw(kw, "device"))
		return parse_device(p, v, kw);
	if (is_kw(kw, "meta-disk") || is_kw(kw, "flexible-meta-disk"))
		return parse_meta_disk(p, v, kw);
	/* disk */
	if (peek(p, &pk))
		return -1;
	if (pk->kind == T_LBRACE) {
		sc.set[CONF_DISK] = &v->disk_opts;
		return parse_section(p, CONF_DISK, &sc, kw);
	}
	return parse_disk(p, v);
}

static bool is_volume_kw(const struct token *t)
{
	return is_kw(t, "device") || is_kw(t, "disk") ||
	       is_kw(t, "meta-disk") || is_kw(t, "flexible-meta-disk");
}

static int parse_volume_block(struct ps *p, struct conf_host *h,
			      const struct token *kw, const char *owner)
{
	struct conf_volume *v;
	struct conf_loc open;
	struct token t;
	uint64_t nr;
	char what[CONF_STRING_MAX * 2 + 64], w[64];
	int r;

	if (value(p, &t, "volume") || number(p, &t, 65535, "volume", &nr))
		return -1;
	v = conf_host_volume(h, (unsigned int)nr);
	if (v)
		return perr(p, &t.loc, "volume %llu is already defined at %s",
			    (unsigned long long)nr,
			    where(&v->loc, w, sizeof(w)));
	snprintf(what, sizeof(what), "'volume %llu'", (unsigned long long)nr);
	if (open_block(p, what, &open))
		return -1;
	v = volume_new((unsigned int)nr, &kw->loc);
	host_add_volume(h, v);
	snprintf(what, sizeof(what), "volume %llu of %s",
		 (unsigned long long)nr, owner);
	while (!(r = block_done(p, &open, what))) {
		if (item_keyword(p, &t, what))
			return -1;
		if (!is_volume_kw(&t))
			return perr(p, &t.loc, "unknown keyword '%s' in %s",
				    t.text, what);
		if (volume_stmt(p, v, &t, what))
			return -1;
	}
	return r < 0 ? -1 : 0;
}

/*
 * Body of `on HOST { }`, or the statements of a resource that give every
 * host's defaults (@defaults: no address or node-id there).
 */
struct hostparse {
	struct conf_host *h;
	struct conf_volume *implicit;	/* volume 0 of 8.3-style statements */
	const char *what;
};

static int host_item(struct ps *p, struct hostparse *hp,
		     const struct token *kw, bool defaults)
{
	struct conf_host *h = hp->h;
	struct scope sc = { .what = hp->what };
	const struct token *pk;
	struct conf_volume *v;
	struct token t;
	uint64_t id;
	char w[64];

	if (is_kw(kw, "volume"))
		return parse_volume_block(p, h, kw, hp->what);
	if (is_kw(kw, "disk")) {
		if (peek(p, &pk))
			return -1;
		if (pk->kind == T_LBRACE) {
			sc.set[CONF_DISK] = &h->disk_opts;
			return parse_section(p, CONF_DISK, &sc, kw);
		}
	}
	if (is_volume_kw(kw)) {
		if (!hp->implicit) {
			v = conf_host_volume(h, 0);
			if (v)
				return perr(p, &kw->loc, "'%s' outside a "
					    "volume, but volume 0 is defined "
					    "at %s", kw->text,
					    where(&v->loc, w, sizeof(w)));
			hp->implicit = volume_new(0, &kw->loc);
			host_add_volume(h, hp->implicit);
		}
		return volume_stmt(p, hp->implicit, kw, hp->what);
	}
	if (!defaults && is_kw(kw, "address")) {
		if (h->addr.family)
			return perr(p, &kw->loc, "'address' is already given "
				    "at %s", where(&h->addr.loc, w, sizeof(w)));
		if (parse_address(p, &h->addr))
			return -1;
		return expect(p, T_SEMI, "'address'");
	}
	if (!defaults && is_kw(kw, "node-id")) {
		if (h->node_id >= 0)
			return perr(p, &kw->loc, "'node-id' is already given");
		if (value(p, &t, "node-id") ||
		    number(p, &t, TANDEM_NODE_ID_MAX - 1, "node-id", &id))
			return -1;
		h->node_id = (int)id;
		return expect(p, T_SEMI, "'node-id'");
	}
	return perr(p, &kw->loc, "unknown keyword '%s' in %s", kw->text,
		    hp->what);
}

static struct conf_host *host_new(const char *name, const struct conf_loc *l)
{
	struct conf_host *h = xzalloc(sizeof(*h));

	h->name = xstrdup(name);
	h->node_id = -1;
	h->loc = *l;
	return h;
}

/* ------------------------------------------------------------------ */
/* Resources, connections, common, global                               */
/* ------------------------------------------------------------------ */

static void conn_free(struct conf_connection *cn)
{
	size_t i;

	if (!cn)
		return;
	for (i = 0; i < cn->npeers; i++)
		free(cn->peers[i].name);
	free(cn->peers);
	optset_free(&cn->net);
	free(cn->name);
	free(cn);
}

static void res_free(struct conf_resource *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < CONF_NSECTIONS; i++)
		optset_free(&r->opts[i]);
	for (i = 0; i < r->nhosts; i++)
		host_free(r->hosts[i]);
	free(r->hosts);
	for (i = 0; i < r->nconns; i++)
		conn_free(r->conns[i]);
	free(r->conns);
	free(r->name);
	free(r);
}

static int add_peer(struct ps *p, struct conf_connection *cn,
		    const struct token *name)
{
	struct conf_peer *pe;
	char w[64];
	size_t i;

	for (i = 0; i < cn->npeers; i++)
		if (!strcmp(cn->peers[i].name, name->text))
			return perr(p, &name->loc, "host '%s' is already named "
				    "at %s", name->text,
				    where(&cn->peers[i].loc, w, sizeof(w)));
	cn->peers = xrealloc(cn->peers, (cn->npeers + 1) * sizeof(*pe));
	pe = &cn->peers[cn->npeers++];
	memset(pe, 0, sizeof(*pe));
	pe->name = xstrdup(name->text);
	pe->loc = name->loc;
	return 0;
}

/* connection [NAME] { host A [address ...]; host B ...; net { } } and
 * connection-mesh { hosts A B ...; net { } } */
static int parse_connection(struct ps *p, struct conf_resource *r,
			    const struct token *kw)
{
	struct conf_connection *cn = xzalloc(sizeof(*cn));
	struct scope sc = { .set[CONF_NET] = &cn->net };
	const struct token *pk;
	struct conf_loc open;
	struct token t;
	char what[CONF_STRING_MAX + 64];
	bool have_hosts = false;
	int r2;

	cn->mesh = is_kw(kw, "connection-mesh");
	cn->loc = kw->loc;
	APPEND(r->conns, r->nconns, cn);
	if (peek(p, &pk))
		return -1;
	if (!cn->mesh && is_value(pk)) {
		next(p, &t);
		cn->name = xstrdup(t.text);
	}
	snprintf(what, sizeof(what), "'%s' in resource '%s'", kw->text,
		 r->name);
	sc.what = what;
	if (open_block(p, what, &open))
		return -1;
	while (!(r2 = block_done(p, &open, what))) {
		if (item_keyword(p, &t, what))
			return -1;
		if (section_ctx(&t) == CONF_NET) {
			if (parse_section(p, CONF_NET, &sc, &t))
				return -1;
		} else if (!cn->mesh && is_kw(&t, "host")) {
			if (value(p, &t, "host") || add_peer(p, cn, &t))
				return -1;
			if (peek(p, &pk))
				return -1;
			if (is_kw(pk, "address")) {
				next(p, &t);
				if (parse_address(p, &cn->peers[cn->npeers - 1]
						  .addr))
					return -1;
			}
			if (expect(p, T_SEMI, "'host'"))
				return -1;
		} else if (cn->mesh && is_kw(&t, "hosts")) {
			if (have_hosts)
				return perr(p, &t.loc, "'hosts' is already "
					    "given");
			have_hosts = true;
			for (;;) {
				if (peek(p, &pk))
					return -1;
				if (!is_value(pk))
					break;
				next(p, &t);
				if (add_peer(p, cn, &t))
					return -1;
			}
			if (expect(p, T_SEMI, "'hosts'"))
				return -1;
		} else {
			return perr(p, &t.loc, "unknown keyword '%s' in %s",
				    t.text, what);
		}
	}
	if (r2 < 0)
		return -1;
	if (!cn->mesh && cn->npeers != 2)
		return perr(p, &cn->loc, "a connection needs exactly two 'host' "
			    "statements; this one has %zu", cn->npeers);
	if (cn->mesh && cn->npeers < 2)
		return perr(p, &cn->loc, "connection-mesh needs 'hosts' with at "
			    "least two names");
	return 0;
}

/* Resource-level device/disk/meta-disk/volume: defaults for every host. */
static void apply_defaults(struct conf_resource *r, const struct conf_host *d)
{
	struct conf_volume *dv, *v;
	size_t i, j, k;

	for (i = 0; i < d->nvols; i++) {
		dv = d->vols[i];
		for (j = 0; j < r->nhosts; j++) {
			v = conf_host_volume(r->hosts[j], dv->number);
			if (!v) {
				v = volume_new(dv->number, &dv->loc);
				host_add_volume(r->hosts[j], v);
			}
			if (v->minor < 0 && dv->minor >= 0) {
				v->minor = dv->minor;
				v->device_loc = dv->device_loc;
				if (dv->device)
					v->device = xstrdup(dv->device);
			}
			if (!v->disk && dv->disk)
				v->disk = xstrdup(dv->disk);
			if (v->md == CONF_MD_UNSET) {
				v->md = dv->md;
				v->md_index = dv->md_index;
				if (dv->md_path)
					v->md_path = xstrdup(dv->md_path);
			}
			for (k = 0; k < dv->disk_opts.n; k++)
				if (!conf_opt_find(&v->disk_opts,
						   dv->disk_opts.opts[k].name))
					optset_insert(&v->disk_opts,
						      &dv->disk_opts.opts[k]);
		}
	}
	for (j = 0; j < r->nhosts; j++)
		for (k = 0; k < d->disk_opts.n; k++)
			if (!conf_opt_find(&r->hosts[j]->disk_opts,
					   d->disk_opts.opts[k].name))
				optset_insert(&r->hosts[j]->disk_opts,
					      &d->disk_opts.opts[k]);
}

static int parse_on(struct ps *p, struct conf_resource *r,
		    const struct token *kw)
{
	struct hostparse hp = { 0 };
	const struct token *pk;
	struct conf_loc open;
	struct token name, t;
	char what[CONF_STRING_MAX * 2 + 64], w[64];
	size_t i;
	int r2;

	if (value(p, &name, "on"))
		return -1;
	if (!name.len)
		return perr(p, &name.loc, "empty host name");
	if (peek(p, &pk))
		return -1;
	if (is_value(pk))
		return perr(p, &pk->loc, "only one host name per 'on' section "
			    "is supported ('on %s %s')", name.text, pk->text);
	for (i = 0; i < r->nhosts; i++)
		if (!strcmp(r->hosts[i]->name, name.text))
			return perr(p, &name.loc, "host '%s' of resource '%s' "
				    "is already defined at %s", name.text,
				    r->name, where(&r->hosts[i]->loc, w,
						   sizeof(w)));
	snprintf(what, sizeof(what), "'on %s'", name.text);
	(void)kw;
	if (open_block(p, what, &open))
		return -1;
	hp.h = host_new(name.text, &name.loc);
	APPEND(r->hosts, r->nhosts, hp.h);
	snprintf(what, sizeof(what), "'on %s' in resource '%s'", name.text,
		 r->name);
	hp.what = what;
	while (!(r2 = block_done(p, &open, what)))
		if (item_keyword(p, &t, what) || host_item(p, &hp, &t, false))
			return -1;
	return r2 < 0 ? -1 : 0;
}

static int parse_resource(struct ps *p, const struct token *kw)
{
	struct conf *c = p->c;
	struct conf_resource *r;
	struct conf_host *defaults;
	struct hostparse hp = { 0 };
	struct scope sc;
	struct conf_loc open;
	struct token name, t;
	char what[CONF_STRING_MAX + 64], w[64];
	int ctx, r2;
	size_t i;

	(void)kw;
	if (value(p, &name, "resource"))
		return -1;
	if (!strcmp(name.text, "all"))
		return perr(p, &name.loc, "'all' is reserved and cannot name a "
			    "resource");
	if (!valid_resname(name.text))
		return perr(p, &name.loc, "'%s' is not a valid resource name "
			    "(1 to %d characters, no '/' or blanks)", name.text,
			    TANDEM_RESOURCE_NAME_MAX - 1);
	r = conf_find_resource(c, name.text);
	if (r)
		return perr(p, &name.loc, "resource '%s' is already defined at "
			    "%s", name.text, where(&r->loc, w, sizeof(w)));
	snprintf(what, sizeof(what), "'resource %s'", name.text);
	if (open_block(p, what, &open))
		return -1;
	r = xzalloc(sizeof(*r));
	r->conf = c;
	r->name = xstrdup(name.text);
	r->loc = name.loc;
	APPEND(c->res, c->nres, r);
	snprintf(what, sizeof(what), "resource '%s'", name.text);
	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < CONF_NSECTIONS; i++)
		sc.set[i] = &r->opts[i];
	sc.what = what;
	defaults = host_new("", &name.loc);
	hp.h = defaults;
	hp.what = what;

	while (!(r2 = block_done(p, &open, what))) {
		if (item_keyword(p, &t, what))
			goto fail;
		ctx = section_ctx(&t);
		if (is_kw(&t, "disk")) {
			const struct token *pk;

			if (peek(p, &pk))
				goto fail;
			if (pk->kind != T_LBRACE)
				ctx = -1;
		}
		if (ctx >= 0) {
			if (parse_section(p, (unsigned int)ctx, &sc, &t))
				goto fail;
		} else if (is_kw(&t, "protocol")) {
			if (parse_option(p, CONF_NET, &sc, &t))
				goto fail;
		} else if (is_kw(&t, "on")) {
			if (parse_on(p, r, &t))
				goto fail;
		} else if (is_kw(&t, "connection") ||
			   is_kw(&t, "connection-mesh")) {
			if (parse_connection(p, r, &t))
				goto fail;
		} else if (is_kw(&t, "volume") || is_volume_kw(&t)) {
			if (host_item(p, &hp, &t, true))
				goto fail;
		} else if (is_kw(&t, "floating")) {
			perr(p, &t.loc, "'floating' sections are not supported; "
			     "use 'on HOST'");
			goto fail;
		} else {
			perr(p, &t.loc, "unknown keyword '%s' in %s", t.text,
			     what);
			goto fail;
		}
	}
	if (r2 < 0)
		goto fail;
	apply_defaults(r, defaults);
	host_free(defaults);
	return 0;
fail:
	host_free(defaults);
	return -1;
}

static int parse_common(struct ps *p, const struct token *kw)
{
	struct conf *c = p->c;
	struct scope sc = { .what = "common" };
	struct conf_loc open;
	struct token t;
	size_t i;
	int ctx, r;

	if (c->has_common)
		return perr(p, &kw->loc, "a second 'common' section");
	c->has_common = true;
	for (i = 0; i < CONF_NSECTIONS; i++)
		sc.set[i] = &c->common[i];
	if (open_block(p, "'common'", &open))
		return -1;
	while (!(r = block_done(p, &open, "'common'"))) {
		if (item_keyword(p, &t, "common"))
			return -1;
		ctx = section_ctx(&t);
		if (ctx >= 0) {
			if (parse_section(p, (unsigned int)ctx, &sc, &t))
				return -1;
		} else if (is_kw(&t, "protocol")) {
			if (parse_option(p, CONF_NET, &sc, &t))
				return -1;
		} else {
			return perr(p, &t.loc, "unknown keyword '%s' in common",
				    t.text);
		}
	}
	return r < 0 ? -1 : 0;
}

static int parse_global(struct ps *p, const struct token *kw)
{
	struct conf_global *g = &p->c->global;
	static const char *const names[] = {
		"usage-count", "minor-count", "dialog-refresh",
		"disable-ip-verification", "udev-always-use-vnr",
	};
	struct conf_loc open, seen[5];
	bool have[5] = { false };
	struct token t, v;
	uint64_t u;
	char w[64];
	int i, r;

	if (g->present)
		return perr(p, &kw->loc, "a second 'global' section (the first "
			    "is at %s)", where(&g->loc, w, sizeof(w)));
	g->present = true;
	g->loc = kw->loc;
	if (open_block(p, "'global'", &open))
		return -1;
	while (!(r = block_done(p, &open, "'global'"))) {
		if (item_keyword(p, &t, "global"))
			return -1;
		for (i = 0; i < 5; i++)
			if (!strcmp(t.text, names[i]))
				break;
		if (i == 5)
			return perr(p, &t.loc, "unknown option '%s' in section "
				    "'global'", t.text);
		if (have[i])
			return perr(p, &t.loc, "'%s' is already set at %s",
				    t.text, where(&seen[i], w, sizeof(w)));
		have[i] = true;
		seen[i] = t.loc;
		switch (i) {
		case 0:
			if (value(p, &v, t.text))
				return -1;
			if (is_kw(&v, "yes"))
				g->usage_count = CONF_USAGE_YES;
			else if (is_kw(&v, "no"))
				g->usage_count = CONF_USAGE_NO;
			else if (is_kw(&v, "ask"))
				g->usage_count = CONF_USAGE_ASK;
			else
				return perr(p, &v.loc, "usage-count: expected "
					    "yes, no or ask, got '%s'", v.text);
			break;
		case 1:
			if (value(p, &v, t.text) ||
			    number(p, &v, CONF_MINOR_LIMIT, "minor-count", &u))
				return -1;
			g->minor_count = (long)u;
			break;
		case 2:
			if (value(p, &v, t.text) ||
			    number(p, &v, 0x7fffffff, "dialog-refresh", &u))
				return -1;
			g->dialog_refresh = (long)u;
			break;
		case 3:
			g->disable_ip_verification = true;
			break;
		case 4:
			g->udev_always_use_vnr = true;
			break;
		}
		snprintf(w, sizeof(w), "'%s'", names[i]);
		if (expect(p, T_SEMI, w))
			return -1;
	}
	return r < 0 ? -1 : 0;
}

/* skip [anything] { ... } : a commented-out block. */
static int parse_skip(struct ps *p, const struct token *kw)
{
	struct conf_loc open;
	struct token t;
	char d[CONF_STRING_MAX + 8];
	int depth = 0;

	for (;;) {
		if (next(p, &t))
			return -1;
		if (t.kind == T_LBRACE)
			break;
		if (!is_value(&t))
			return perr(p, &t.loc, "expected '{' after 'skip', got "
				    "%s", tokdesc(&t, d, sizeof(d)));
	}
	open = t.loc;
	depth = 1;
	while (depth) {
		if (next(p, &t))
			return -1;
		if (t.kind == T_EOF)
			return perr(p, &open, "unterminated block: the '{' of "
				    "'skip' is not closed before the end of "
				    "the file");
		if (t.kind == T_LBRACE)
			depth++;
		else if (t.kind == T_RBRACE)
			depth--;
	}
	(void)kw;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Files and includes                                                   */
/* ------------------------------------------------------------------ */

static const char *add_file(struct conf *c, const char *name)
{
	char *s = xstrdup(name);

	APPEND(c->files, c->nfiles, s);
	return s;
}

static int parse_top(struct ps *p);

static int parse_source(struct conf *c, const char *name, const char *buf,
			size_t len, int depth)
{
	struct ps p = {
		.c = c, .buf = buf, .len = len, .line = 1, .col = 1,
		.depth = depth,
	};

	p.file = add_file(c, name);
	return parse_top(&p);
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

static int parse_path(struct conf *c, const char *path, int depth,
		      const struct conf_loc *from)
{
	struct conf_loc none = { path, 0, 0 };
	char *buf;
	size_t len;
	int r;

	if (read_file(path, &buf, &len))
		return cerr(c, from ? from : &none, "cannot read '%s': %s",
			    path, errno == EFBIG ? "larger than 16 MiB" :
			    strerror(errno));
	r = parse_source(c, path, buf, len, depth);
	free(buf);
	return r;
}

static int parse_include(struct ps *p, const struct token *kw)
{
	struct token t;
	char *pat;
	const char *slash;
	size_t dirlen;
	glob_t g;
	size_t i;
	int r;

	if (value(p, &t, "include"))
		return -1;
	if (expect(p, T_SEMI, "'include'"))
		return -1;
	if (p->c->flags & CONF_F_NO_INCLUDE)
		return perr(p, &kw->loc, "'include' is not allowed here");
	if (p->depth + 1 >= CONF_INCLUDE_DEPTH)
		return perr(p, &kw->loc, "includes nest deeper than %d (does a "
			    "file include itself?)", CONF_INCLUDE_DEPTH);
	slash = strrchr(p->file, '/');
	dirlen = t.text[0] != '/' && slash ? (size_t)(slash - p->file) + 1 : 0;
	pat = xrealloc(NULL, dirlen + t.len + 1);
	memcpy(pat, p->file, dirlen);
	memcpy(pat + dirlen, t.text, t.len + 1);
	r = glob(pat, 0, NULL, &g);
	if (r == GLOB_NOMATCH) {
		if (!strpbrk(t.text, "*?["))
			cwarn(p->c, &t.loc, "include \"%s\": no such file",
			      t.text);
		free(pat);
		return 0;
	}
	if (r) {
		free(pat);
		return perr(p, &t.loc, "include \"%s\": cannot expand the "
			    "pattern", t.text);
	}
	free(pat);
	for (i = 0; i < g.gl_pathc; i++)
		if (parse_path(p->c, g.gl_pathv[i], p->depth + 1, &t.loc))
			break;
	globfree(&g);
	return i < g.gl_pathc ? -1 : 0;
}

static int parse_top(struct ps *p)
{
	char d[CONF_STRING_MAX + 8];
	struct token t;
	int r;

	for (;;) {
		if (next(p, &t))
			return -1;
		if (t.kind == T_EOF)
			return 0;
		if (is_kw(&t, "include"))
			r = parse_include(p, &t);
		else if (is_kw(&t, "global"))
			r = parse_global(p, &t);
		else if (is_kw(&t, "common"))
			r = parse_common(p, &t);
		else if (is_kw(&t, "resource"))
			r = parse_resource(p, &t);
		else if (is_kw(&t, "skip"))
			r = parse_skip(p, &t);
		else if (t.kind == T_WORD)
			r = perr(p, &t.loc, "unknown keyword '%s' (expected "
				 "global, common, resource or include)",
				 t.text);
		else
			r = perr(p, &t.loc, "expected a keyword, got %s",
				 tokdesc(&t, d, sizeof(d)));
		if (r)
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Whole-file checks                                                    */
/* ------------------------------------------------------------------ */

static void inherit_common(struct conf *c)
{
	struct conf_resource *r;
	struct conf_opt o;
	size_t i, s, k;

	for (i = 0; i < c->nres; i++) {
		r = c->res[i];
		for (s = 0; s < CONF_NSECTIONS; s++)
			for (k = 0; k < c->common[s].n; k++) {
				o = c->common[s].opts[k];
				if (conf_opt_find(&r->opts[s], o.name))
					continue;
				o.inherited = true;
				optset_insert(&r->opts[s], &o);
			}
	}
}

static void check_resync_after(struct conf *c, const struct conf_resource *r,
			       const struct conf_optset *set)
{
	const struct conf_opt *o = conf_opt_find(set, "resync-after");

	if (!o || !strcmp(o->value, "-1"))
		return;
	if (!strcmp(o->value, r->name))
		cerr(c, &o->loc, "resync-after: resource '%s' cannot resync "
		     "after itself", r->name);
	else if (!conf_find_resource(c, o->value))
		cerr(c, &o->loc, "resync-after: no resource named '%s' (in "
		     "resource '%s')", o->value, r->name);
}

static void check_volumes(struct conf *c, const struct conf_resource *r,
			  const struct conf_host *h)
{
	const struct conf_volume *v;
	size_t i;

	if (!h->nvols)
		cerr(c, &h->loc, "'on %s' in resource '%s' has no volume (no "
		     "device, disk, meta-disk)", h->name, r->name);
	for (i = 0; i < h->nvols; i++) {
		v = h->vols[i];
		if (v->minor < 0)
			cerr(c, &v->loc, "volume %u of host '%s' in resource "
			     "'%s' has no 'device'", v->number, h->name,
			     r->name);
		if (!v->disk)
			cerr(c, &v->loc, "volume %u of host '%s' in resource "
			     "'%s' has no 'disk'", v->number, h->name, r->name);
		else if (v->md == CONF_MD_UNSET && strcmp(v->disk, "none"))
			cerr(c, &v->loc, "volume %u of host '%s' in resource "
			     "'%s' has no 'meta-disk'", v->number, h->name,
			     r->name);
		check_resync_after(c, r, &v->disk_opts);
	}
	check_resync_after(c, r, &h->disk_opts);
}

/* Is the minor of volume (ri, hi, vi) used by an earlier volume of the
 * same host name? Reports the clash. */
static bool minor_clash(struct conf *c, size_t ri, size_t hi, size_t vi)
{
	const struct conf_resource *r = c->res[ri], *r2;
	const struct conf_host *h = r->hosts[hi], *h2;
	const struct conf_volume *v = h->vols[vi], *v2;
	size_t i, j, k;
	char w[64];

	for (i = 0; i <= ri; i++) {
		r2 = c->res[i];
		for (j = 0; j < r2->nhosts; j++) {
			h2 = r2->hosts[j];
			if (strcmp(h2->name, h->name))
				continue;
			for (k = 0; k < h2->nvols; k++) {
				v2 = h2->vols[k];
				if (i == ri && j == hi && k >= vi)
					return false;
				if (v2->minor != v->minor)
					continue;
				cerr(c, &v->device_loc, "minor %d on host '%s' "
				     "(resource '%s' volume %u) is already "
				     "used by resource '%s' volume %u at %s",
				     v->minor, h->name, r->name, v->number,
				     r2->name, v2->number,
				     where(&v2->device_loc, w, sizeof(w)));
				return true;
			}
		}
	}
	return false;
}

static void check_addresses(struct conf *c, size_t ri, size_t hi)
{
	const struct conf_resource *r = c->res[ri], *r2;
	const struct conf_host *h = r->hosts[hi], *h2;
	size_t i, j;
	char w[64];

	if (!h->addr.family)
		return;
	for (i = 0; i < ri; i++) {
		r2 = c->res[i];
		for (j = 0; j < r2->nhosts; j++) {
			h2 = r2->hosts[j];
			if (strcmp(h2->name, h->name) ||
			    h2->addr.family != h->addr.family ||
			    h2->addr.port != h->addr.port ||
			    strcmp(h2->addr.ip, h->addr.ip))
				continue;
			cerr(c, &h->addr.loc, "address %s%s%s:%u of host '%s' "
			     "is already used by resource '%s' at %s",
			     h->addr.family == AF_INET6 ? "[" : "", h->addr.ip,
			     h->addr.family == AF_INET6 ? "]" : "",
			     h->addr.port, h->name, r2->name,
			     where(&h2->addr.loc, w, sizeof(w)));
			return;
		}
	}
}

static const struct conf_host *res_host(const struct conf_resource *r,
					const char *name)
{
	size_t i;

	for (i = 0; i < r->nhosts; i++)
		if (!strcmp(r->hosts[i]->name, name))
			return r->hosts[i];
	return NULL;
}

static void check(struct conf *c)
{
	const struct conf_resource *r;
	const struct conf_host *h, *h2;
	const struct conf_connection *cn;
	size_t i, j, k;

	for (i = 0; i < c->nres; i++) {
		r = c->res[i];
		check_resync_after(c, r, &r->opts[CONF_DISK]);
		for (j = 0; j < r->nhosts; j++) {
			h = r->hosts[j];
			check_volumes(c, r, h);
			for (k = 0; k < h->nvols; k++)
				if (h->vols[k]->minor >= 0)
					minor_clash(c, i, j, k);
			check_addresses(c, i, j);
			for (k = 0; k < j && h->node_id >= 0; k++) {
				h2 = r->hosts[k];
				if (h2->node_id != h->node_id)
					continue;
				cerr(c, &h->loc, "node-id %d of host '%s' is "
				     "already used by host '%s' in resource "
				     "'%s'", h->node_id, h->name, h2->name,
				     r->name);
				break;
			}
		}
		for (j = 0; j < r->nconns; j++) {
			cn = r->conns[j];
			for (k = 0; k < cn->npeers; k++)
				if (!res_host(r, cn->peers[k].name))
					cerr(c, &cn->peers[k].loc, "connection "
					     "names host '%s', which has no "
					     "'on' section in resource '%s'",
					     cn->peers[k].name, r->name);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Entry points and lookups                                             */
/* ------------------------------------------------------------------ */

static struct conf *conf_new(unsigned int flags)
{
	struct conf *c = xzalloc(sizeof(*c));

	c->flags = flags;
	c->global.minor_count = -1;
	c->global.dialog_refresh = -1;
	return c;
}

static int finish(struct conf *c)
{
	if (c->nerrors)
		return -1;
	inherit_common(c);
	check(c);
	return c->nerrors ? -1 : 0;
}

int conf_parse_file(const char *path, unsigned int flags, struct conf **out)
{
	struct conf *c = conf_new(flags);

	*out = c;
	if (parse_path(c, path, 0, NULL))
		return -1;
	return finish(c);
}

int conf_parse_buffer(const char *name, const char *buf, size_t len,
		      unsigned int flags, struct conf **out)
{
	struct conf *c = conf_new(flags);

	*out = c;
	if (parse_source(c, name, buf, len, 0))
		return -1;
	return finish(c);
}

void conf_free(struct conf *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < CONF_NSECTIONS; i++)
		optset_free(&c->common[i]);
	for (i = 0; i < c->nres; i++)
		res_free(c->res[i]);
	free(c->res);
	for (i = 0; i < c->ndiags; i++)
		free(c->diags[i].text);
	free(c->diags);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

struct conf_resource *conf_find_resource(const struct conf *c,
					 const char *name)
{
	size_t i;

	for (i = 0; i < c->nres; i++)
		if (!strcmp(c->res[i]->name, name))
			return c->res[i];
	return NULL;
}

struct conf_host *conf_find_host(const struct conf_resource *r,
				 const char *hostname)
{
	const struct conf_host *h = res_host(r, hostname);

	if (!h)
		cerr(r->conf, &r->loc, "no 'on' section for host '%s' in resource "
		     "'%s'", hostname, r->name);
	return (struct conf_host *)h;
}

const char *conf_volume_device(const struct conf_volume *v, char *buf,
			       size_t len)
{
	if (v->device)
		snprintf(buf, len, "%s", v->device);
	else
		snprintf(buf, len, "/dev/tandem%d", v->minor);
	return buf;
}

const char *conf_res_opt(const struct conf_resource *r,
			 enum conf_section sec, const char *name)
{
	const struct conf_opt *o;

	if ((unsigned int)sec >= CONF_NSECTIONS)
		return NULL;
	o = conf_opt_find(&r->opts[sec], name);
	return o ? o->value : NULL;
}

const char *conf_disk_opt(const struct conf_resource *r,
			  const struct conf_host *h,
			  const struct conf_volume *v, const char *name)
{
	const struct conf_opt *o = NULL;

	if (v)
		o = conf_opt_find(&v->disk_opts, name);
	if (!o && h)
		o = conf_opt_find(&h->disk_opts, name);
	if (o)
		return o->value;
	return conf_res_opt(r, CONF_DISK, name);
}

const char *conf_net_opt(const struct conf_resource *r,
			 const struct conf_connection *cn, const char *name)
{
	const struct conf_opt *o = cn ? conf_opt_find(&cn->net, name) : NULL;

	return o ? o->value : conf_res_opt(r, CONF_NET, name);
}

int conf_value_u64(const char *value, uint64_t *out)
{
	return value && !parse_uint(value, UINT64_MAX, out) ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Dump                                                                 */
/* ------------------------------------------------------------------ */

static bool bare_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/_.+-:@,=%", *s))
			return false;
	return true;
}

static void put_str(FILE *f, const char *s, bool quote)
{
	if (!quote && bare_ok(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void indent(FILE *f, int n)
{
	while (n-- > 0)
		fputc('\t', f);
}

static bool printable(const struct conf_optset *s, bool own_only)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!own_only || !s->opts[i].inherited)
			return true;
	return false;
}

static void dump_optset(FILE *f, int ind, enum conf_section sec,
			const struct conf_optset *s, bool own_only)
{
	const struct conf_opt *o;
	size_t i;

	if (!printable(s, own_only))
		return;
	indent(f, ind);
	fprintf(f, "%s {\n", conf_section_name(sec));
	for (i = 0; i < s->n; i++) {
		o = &s->opts[i];
		if (own_only && o->inherited)
			continue;
		indent(f, ind + 1);
		fprintf(f, "%s ", o->name);
		put_str(f, o->value, sec == CONF_HANDLERS);
		fputs(";\n", f);
	}
	indent(f, ind);
	fputs("}\n", f);
}

static void dump_addr(FILE *f, const struct conf_addr *a)
{
	if (a->family == AF_INET6)
		fprintf(f, "address ipv6 [%s]:%u", a->ip, a->port);
	else
		fprintf(f, "address ipv4 %s:%u", a->ip, a->port);
}

static void dump_volume(FILE *f, const struct conf_volume *v)
{
	indent(f, 2);
	fprintf(f, "volume %u {\n", v->number);
	if (v->minor >= 0) {
		indent(f, 3);
		fputs("device ", f);
		if (v->device) {
			put_str(f, v->device, false);
			fputc(' ', f);
		}
		fprintf(f, "minor %d;\n", v->minor);
	}
	if (v->disk) {
		indent(f, 3);
		fputs("disk ", f);
		put_str(f, v->disk, false);
		fputs(";\n", f);
	}
	if (v->md != CONF_MD_UNSET) {
		indent(f, 3);
		fputs("meta-disk ", f);
		if (v->md == CONF_MD_INTERNAL) {
			fputs("internal", f);
		} else {
			put_str(f, v->md_path, false);
			if (v->md == CONF_MD_INDEXED)
				fprintf(f, "%s[%u]",
					bare_ok(v->md_path) ? "" : " ",
					v->md_index);
		}
		fputs(";\n", f);
	}
	dump_optset(f, 3, CONF_DISK, &v->disk_opts, false);
	indent(f, 2);
	fputs("}\n", f);
}

static void dump_host(FILE *f, const struct conf_host *h)
{
	size_t i;

	indent(f, 1);
	fputs("on ", f);
	put_str(f, h->name, false);
	fputs(" {\n", f);
	for (i = 0; i < h->nvols; i++)
		dump_volume(f, h->vols[i]);
	if (h->addr.family) {
		indent(f, 2);
		dump_addr(f, &h->addr);
		fputs(";\n", f);
	}
	if (h->node_id >= 0) {
		indent(f, 2);
		fprintf(f, "node-id %d;\n", h->node_id);
	}
	dump_optset(f, 2, CONF_DISK, &h->disk_opts, false);
	indent(f, 1);
	fputs("}\n", f);
}

static void dump_conn(FILE *f, const struct conf_connection *cn)
{
	size_t i;

	indent(f, 1);
	fputs(cn->mesh ? "connection-mesh" : "connection", f);
	if (cn->name) {
		fputc(' ', f);
		put_str(f, cn->name, false);
	}
	fputs(" {\n", f);
	if (cn->mesh) {
		indent(f, 2);
		fputs("hosts", f);
		for (i = 0; i < cn->npeers; i++) {
			fputc(' ', f);
			put_str(f, cn->peers[i].name, false);
		}
		fputs(";\n", f);
	} else {
		for (i = 0; i < cn->npeers; i++) {
			indent(f, 2);
			fputs("host ", f);
			put_str(f, cn->peers[i].name, false);
			if (cn->peers[i].addr.family) {
				fputc(' ', f);
				dump_addr(f, &cn->peers[i].addr);
			}
			fputs(";\n", f);
		}
	}
	dump_optset(f, 2, CONF_NET, &cn->net, false);
	indent(f, 1);
	fputs("}\n", f);
}

void conf_dump_resource(FILE *f, const struct conf_resource *r)
{
	size_t i;

	fputs("resource ", f);
	put_str(f, r->name, false);
	fputs(" {\n", f);
	for (i = 0; i < CONF_NSECTIONS; i++)
		dump_optset(f, 1, (enum conf_section)i, &r->opts[i], true);
	for (i = 0; i < r->nhosts; i++)
		dump_host(f, r->hosts[i]);
	for (i = 0; i < r->nconns; i++)
		dump_conn(f, r->conns[i]);
	fputs("}\n", f);
}

void conf_dump(FILE *f, const struct conf *c)
{
	static const char *const usage[] = {
		[CONF_USAGE_YES] = "yes", [CONF_USAGE_NO] = "no",
		[CONF_USAGE_ASK] = "ask",
	};
	const struct conf_global *g = &c->global;
	bool sep = false;
	size_t i;

	if (g->present) {
		fputs("global {\n", f);
		if (g->usage_count != CONF_USAGE_UNSET)
			fprintf(f, "\tusage-count %s;\n",
				usage[g->usage_count]);
		if (g->minor_count >= 0)
			fprintf(f, "\tminor-count %ld;\n", g->minor_count);
		if (g->dialog_refresh >= 0)
			fprintf(f, "\tdialog-refresh %ld;\n",
				g->dialog_refresh);
		if (g->disable_ip_verification)
			fputs("\tdisable-ip-verification;\n", f);
		if (g->udev_always_use_vnr)
			fputs("\tudev-always-use-vnr;\n", f);
		fputs("}\n", f);
		sep = true;
	}
	if (c->has_common) {
		if (sep)
			fputc('\n', f);
		fputs("common {\n", f);
		for (i = 0; i < CONF_NSECTIONS; i++)
			dump_optset(f, 1, (enum conf_section)i, &c->common[i],
				    false);
		fputs("}\n", f);
		sep = true;
	}
	for (i = 0; i < c->nres; i++) {
		if (sep)
			fputc('\n', f);
		conf_dump_resource(f, c->res[i]);
		sep = true;
	}
}
