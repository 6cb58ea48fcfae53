// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file: lexer and the diagnostics: tokens from
 * the text, errors and warnings with file:line:column, and the primitives
 * the parser reads tokens with. conf_int.h says what the parser's files
 * share; conf.h is the model.
 */
#include "adm/conf_int.h"

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
int cf_cerr(struct conf *c, const struct conf_loc *loc,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, true, loc, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 3, 4)))
void cf_cwarn(struct conf *c, const struct conf_loc *loc,
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
const char *cf_where(const struct conf_loc *loc, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u:%u", loc->file, loc->line, loc->col);
	return buf;
}


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
	return cf_cerr(p->c, &t->loc, "string is %zu bytes long; the limit is %d",
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
			return cf_cerr(p->c, &t->loc, "unterminated quoted string "
				    "(end of file before the closing '\"')");
		ch = p->buf[p->pos];
		if (ch == '\n')
			return cf_cerr(p->c, &t->loc, "unterminated quoted string "
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
			return cf_cerr(p->c, &l, "control character 0x%02x in "
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
			cf_cwarn(p->c, &t->loc, "ignoring non-ASCII text up to the "
			      "end of the line (not part of the grammar)");
			skip_line(p);
			continue;
		}
		if (ch < 0x20 || ch == 0x7f)
			return cf_cerr(p->c, &t->loc, "unexpected control "
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
int cf_perr(struct ps *p, const struct conf_loc *loc, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p->c, true, loc, fmt, ap);
	va_end(ap);
	return -1;
}

int cf_next(struct ps *p, struct token *t)
{
	if (p->have_la) {
		*t = p->la;
		p->have_la = false;
		return 0;
	}
	return lex(p, t);
}

int cf_peek(struct ps *p, const struct token **t)
{
	if (!p->have_la) {
		if (lex(p, &p->la))
			return -1;
		p->have_la = true;
	}
	*t = &p->la;
	return 0;
}

const char *cf_tokdesc(const struct token *t, char *buf, size_t len)
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

bool cf_is_kw(const struct token *t, const char *kw)
{
	return t->kind == T_WORD && !strcmp(t->text, kw);
}

bool cf_is_value(const struct token *t)
{
	return t->kind == T_WORD || t->kind == T_STRING;
}

/* Consume the next token, which must be @kind; @after says what it ends. */
int cf_expect(struct ps *p, enum tok_kind kind, const char *after)
{
	struct token t;
	char d[CONF_STRING_MAX + 8];

	if (cf_next(p, &t))
		return -1;
	if (t.kind == kind)
		return 0;
	return cf_perr(p, &t.loc, "expected '%c' after %s, got %s",
		    kind == T_SEMI ? ';' : kind == T_LBRACE ? '{' : '}', after,
		    cf_tokdesc(&t, d, sizeof(d)));
}

/* The next token must be a word or a quoted string: the value of @what. */
int cf_value(struct ps *p, struct token *t, const char *what)
{
	char d[CONF_STRING_MAX + 8];

	if (cf_next(p, t))
		return -1;
	if (cf_is_value(t))
		return 0;
	return cf_perr(p, &t->loc, "expected a value after '%s', got %s", what,
		    cf_tokdesc(t, d, sizeof(d)));
}

/*
 * At the start of each item of a block: 1 when the closing '}' was
 * consumed, 0 when an item follows, -1 at the end of the file.
 */
int cf_block_done(struct ps *p, const struct conf_loc *open,
		      const char *what)
{
	const struct token *t;
	struct token dummy;

	if (cf_peek(p, &t))
		return -1;
	if (t->kind == T_RBRACE) {
		cf_next(p, &dummy);
		return 1;
	}
	if (t->kind == T_EOF)
		return cf_perr(p, open, "unterminated block: the '{' of %s is "
			    "not closed before the end of the file", what);
	return 0;
}

/* The keyword that starts an item; anything else is an error. */
int cf_item_keyword(struct ps *p, struct token *t, const char *what)
{
	char d[CONF_STRING_MAX + 8];

	if (cf_next(p, t))
		return -1;
	if (t->kind == T_WORD)
		return 0;
	return cf_perr(p, &t->loc, "expected a keyword in %s, got %s", what,
		    cf_tokdesc(t, d, sizeof(d)));
}

/* Consume '{' and remember where it is. */
int cf_open_block(struct ps *p, const char *after, struct conf_loc *open)
{
	const struct token *t;

	if (cf_peek(p, &t))
		return -1;
	*open = t->loc;
	return cf_expect(p, T_LBRACE, after);
}

int cf_parse_uint(const char *s, uint64_t max, uint64_t *out)
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
int cf_number(struct ps *p, const struct token *t, uint64_t max,
		  const char *what, uint64_t *out)
{
	int r = cf_parse_uint(t->text, max, out);

	if (r == -1)
		return cf_perr(p, &t->loc, "%s: '%s' is not a number", what,
			    t->text);
	if (r == -2)
		return cf_perr(p, &t->loc, "%s: %s is out of range (0 to %llu)",
			    what, t->text, (unsigned long long)max);
	return 0;
}

