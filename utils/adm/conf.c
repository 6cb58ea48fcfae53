// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file: the recursive-descent parser for the
 * drbd.conf grammar (8.3 and 8.4 styles) and the entry points. conf_int.h
 * says what the parser's files share; conf.h is the model.
 */
#include "adm/conf_int.h"

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
			return cf_perr(p, &t->loc, "%s: %s is out of range",
				    name, s);
		i++;
	}
	if (!i)
		return cf_perr(p, &t->loc, "%s: bad size '%s' (expected a "
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
			return cf_perr(p, &t->loc, "%s: bad size '%s': unknown "
				    "suffix '%s' (expected K, M, G or s)",
				    name, s, s + i);
		}
		if (s[i + 1])
			return cf_perr(p, &t->loc, "%s: bad size '%s': unknown "
				    "suffix '%s' (expected K, M, G or s)",
				    name, s, s + i);
		if (__builtin_mul_overflow(n, mult, &bytes))
			return cf_perr(p, &t->loc, "%s: %s is out of range",
				    name, s);
		if (bytes % d->unit)
			return cf_perr(p, &t->loc, "%s: %s is not a whole number "
				    "of %s", name, s, d->unitname);
		units = bytes / d->unit;
	} else {
		units = n;
	}
	if (units > d->max)
		return cf_perr(p, &t->loc, "%s: %s is out of range (at most %llu "
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
		return cf_perr(p, nloc, "option '%s' needs a value", name);
	switch (d->type) {
	case VT_BOOL:
		if (!t || !strcmp(s, "yes"))
			snprintf(out, outlen, "yes");
		else if (!strcmp(s, "no"))
			snprintf(out, outlen, "no");
		else
			return cf_perr(p, &t->loc, "%s: expected yes or no, got "
				    "'%s'", name, s);
		return 0;
	case VT_UINT:
		if (cf_number(p, t, d->max, name, &u))
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
		return cf_perr(p, &t->loc, "%s: '%s' is not one of: %s", name, s,
			    list);
	case VT_PROTO:
		if (strlen(s) == 1 && strchr("ABCabc", s[0])) {
			snprintf(out, outlen, "%c", s[0] & ~0x20);
			return 0;
		}
		return cf_perr(p, &t->loc, "protocol: '%s' is not A, B or C", s);
	case VT_XNAME:
		n = strlen(s);
		for (i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_",
				    s[i]))
				break;
		if (!n || i < n || n > d->max)
			return cf_perr(p, &t->loc, "%s: '%s' is not a name of 1 "
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
			return cf_perr(p, &t->loc, "%s: '%s' is not a resource "
				    "name", name, s);
		snprintf(out, outlen, "%s", s);
		return 0;
	case VT_CPUMASK:
		if (!*s || strspn(s, "0123456789abcdefABCDEF,") != strlen(s))
			return cf_perr(p, &t->loc, "%s: '%s' is not a hexadecimal "
				    "CPU mask", name, s);
		snprintf(out, outlen, "%s", s);
		return 0;
	case VT_STR:
		if (strlen(s) > d->max)
			return cf_perr(p, &t->loc, "%s: longer than %llu bytes",
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
void cf_optset_insert(struct conf_optset *set, const struct conf_opt *o)
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
			      .loc = *loc, .index = (unsigned int)(d - cf_optdefs),
			      .implied = implied };
	char w[64];

	if (old) {
		if (!old->implied && !implied)
			return cf_perr(p, loc, "'%s' is already set at %s",
				    d->name, cf_where(&old->loc, w, sizeof(w)));
		if (!old->implied && implied)
			return 0;
		free(old->value);
		old->value = xstrdup(value);
		old->loc = *loc;
		old->implied = implied;
		return 0;
	}
	cf_optset_insert(set, &o);
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
		return cf_perr(p, loc, "'%s' (section %s) cannot be set in %s",
			    d->name, conf_section_name(d->sec), sc->what);
	return set_opt(p, sc->set[d->sec], d, value, loc, implied);
}

/* One `name [value];` statement inside section @ctx. */
static int parse_option(struct ps *p, unsigned int ctx, struct scope *sc,
			const struct token *name)
{
	const struct aliasdef *a = cf_aliasdef_find(ctx, name->text);
	const struct optdef *d = NULL;
	const struct token *pk;
	struct token val;
	bool has_val = false;
	char canon[CONF_STRING_MAX + 1], what[CONF_STRING_MAX * 2 + 32];

	if (!a) {
		d = cf_optdef_find(name->text);
		if (!d || ctx == CTX_SYNCER) {
			if (ctx == CONF_HANDLERS)
				return cf_perr(p, &name->loc, "unknown handler "
					    "'%s'", name->text);
			return cf_perr(p, &name->loc, "unknown option '%s' in "
				    "section '%s'", name->text, cf_ctx_name(ctx));
		}
		if (d->sec != ctx)
			return cf_perr(p, &name->loc, "option '%s' belongs to "
				    "section '%s', not '%s'", name->text,
				    conf_section_name(d->sec), cf_ctx_name(ctx));
	}
	if (cf_peek(p, &pk))
		return -1;
	if (pk->kind != T_SEMI) {
		if (cf_value(p, &val, name->text))
			return -1;
		has_val = true;
	}
	snprintf(what, sizeof(what), "'%s%s%s'", name->text,
		 has_val ? " " : "", has_val ? val.text : "");
	if (cf_expect(p, T_SEMI, what))
		return -1;

	if (a) {
		if (!a->target) {
			cf_cwarn(p->c, &name->loc, "obsolete option '%s' ignored",
			      name->text);
			return 0;
		}
		d = cf_optdef_find(a->target);
		if (a->value && has_val)
			return cf_perr(p, &val.loc, "'%s' takes no value",
				    name->text);
		if (a->value)
			snprintf(canon, sizeof(canon), "%s", a->value);
		else if (canon_value(p, d, name->text, &name->loc,
				     has_val ? &val : NULL, canon,
				     sizeof(canon)))
			return -1;
		if (a->warn) {
			if (ctx == CTX_SYNCER && a->fixed_rate)
				cf_cwarn(p->c, &name->loc, "obsolete 'syncer' "
				      "section: '%s' is now '%s' in section "
				      "'%s' (a fixed rate: c-plan-ahead 0)",
				      name->text, d->name,
				      conf_section_name(d->sec));
			else if (ctx == CTX_SYNCER &&
				 strcmp(name->text, d->name))
				cf_cwarn(p->c, &name->loc, "obsolete 'syncer' "
				      "section: '%s' is now '%s' in section "
				      "'%s'", name->text, d->name,
				      conf_section_name(d->sec));
			else if (ctx == CTX_SYNCER)
				cf_cwarn(p->c, &name->loc, "obsolete 'syncer' "
				      "section: '%s' now belongs to section "
				      "'%s'", name->text,
				      conf_section_name(d->sec));
			else if (a->value)
				cf_cwarn(p->c, &name->loc, "obsolete option '%s' "
				      "mapped to '%s %s'", name->text, d->name,
				      a->value);
			else
				cf_cwarn(p->c, &name->loc, "obsolete option '%s' "
				      "is now '%s'", name->text, d->name);
		}
		if (store(p, sc, d, canon, &name->loc, false))
			return -1;
		if (a->fixed_rate)
			return store(p, sc, cf_optdef_find("c-plan-ahead"), "0",
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
		return cf_perr(p, &kw->loc, "section '%s' is not allowed in %s",
			    kw->text, sc->what);
	if (ctx == CTX_SYNCER && !sc->set[CONF_DISK])
		return cf_perr(p, &kw->loc, "section 'syncer' is not allowed in "
			    "%s", sc->what);
	snprintf(what, sizeof(what), "'%s'", kw->text);
	if (cf_open_block(p, what, &open))
		return -1;
	snprintf(what, sizeof(what), "section '%s' in %s", kw->text, sc->what);
	while (!(r = cf_block_done(p, &open, what))) {
		if (cf_item_keyword(p, &t, what) || parse_option(p, ctx, sc, &t))
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
	if (cf_parse_uint(s, CONF_MINOR_LIMIT - 1, &u))
		return -1;
	return (long)u;
}

static int minor_value(struct ps *p, const struct token *t, uint64_t *m)
{
	return cf_number(p, t, CONF_MINOR_LIMIT - 1, "minor", m);
}

static int absolute_path(struct ps *p, const struct token *t,
			 const char *what)
{
	if (t->text[0] == '/')
		return 0;
	return cf_perr(p, &t->loc, "%s: '%s' is not an absolute path", what,
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
		return cf_perr(p, &kw->loc, "'device' of volume %u is already "
			    "given at %s", v->number,
			    cf_where(&v->device_loc, w, sizeof(w)));
	if (cf_value(p, &t, "device"))
		return -1;
	v->device_loc = kw->loc;
	if (cf_is_kw(&t, "minor")) {
		if (cf_value(p, &m, "minor") || minor_value(p, &m, &minor))
			return -1;
		v->minor = (int)minor;
		return cf_expect(p, T_SEMI, "'device minor N'");
	}
	if (absolute_path(p, &t, "device"))
		return -1;
	derived = devpath_minor(t.text);
	if (cf_peek(p, &pk))
		return -1;
	if (cf_is_kw(pk, "minor")) {
		cf_next(p, &m);
		if (cf_value(p, &m, "minor") || minor_value(p, &m, &minor))
			return -1;
		if (derived >= 0 && (uint64_t)derived != minor)
			return cf_perr(p, &m.loc, "device %s does not match minor "
				    "%llu", t.text, (unsigned long long)minor);
	} else if (derived >= 0) {
		minor = (uint64_t)derived;
	} else {
		return cf_perr(p, &t.loc, "cannot tell the minor of device '%s'; "
			    "write 'device %s minor N'", t.text, t.text);
	}
	v->minor = (int)minor;
	/* /dev/drbdN and /dev/tandemN both mean the tandem device N. */
	if (derived < 0)
		v->device = xstrdup(t.text);
	return cf_expect(p, T_SEMI, "'device'");
}

/* disk PATH | none; (the `disk {` form is handled by the caller) */
static int parse_disk(struct ps *p, struct conf_volume *v)
{
	struct token t;

	if (cf_value(p, &t, "disk"))
		return -1;
	if (v->disk)
		return cf_perr(p, &t.loc, "'disk' of volume %u is already given",
			    v->number);
	if (strcmp(t.text, "none") && absolute_path(p, &t, "disk"))
		return -1;
	v->disk = xstrdup(t.text);
	return cf_expect(p, T_SEMI, "'disk'");
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
	if (cf_parse_uint(num, 0x7fffffff, &u))
		goto bad;
	*idx = (unsigned int)u;
	return 0;
bad:
	return cf_perr(p, &t->loc, "meta-disk: bad index in '%s' (expected "
		    "PATH[N])", t->text);
}

/* meta-disk internal | PATH | PATH[N] | PATH [N]; flexible-meta-disk. */
static int parse_meta_disk(struct ps *p, struct conf_volume *v,
			   const struct token *kw)
{
	bool flexible = cf_is_kw(kw, "flexible-meta-disk");
	const struct token *pk;
	struct token t, ix;
	char *br;

	if (v->md != CONF_MD_UNSET)
		return cf_perr(p, &kw->loc, "'meta-disk' of volume %u is already "
			    "given", v->number);
	if (cf_value(p, &t, kw->text))
		return -1;
	if (flexible)
		cf_cwarn(p->c, &kw->loc, "obsolete 'flexible-meta-disk': now "
		      "'meta-disk %s'", t.text);
	if (cf_is_kw(&t, "internal")) {
		v->md = CONF_MD_INTERNAL;
		return cf_expect(p, T_SEMI, "'meta-disk internal'");
	}
	br = t.kind == T_WORD ? strchr(t.text, '[') : NULL;
	if (br) {
		if (flexible)
			return cf_perr(p, &t.loc, "flexible-meta-disk takes no "
				    "index");
		if (md_index(p, &t, br, &v->md_index))
			return -1;
		*br = '\0';
		v->md = CONF_MD_INDEXED;
	} else {
		if (cf_peek(p, &pk))
			return -1;
		if (pk->kind == T_WORD && pk->text[0] == '[') {
			cf_next(p, &ix);
			if (flexible)
				return cf_perr(p, &ix.loc, "flexible-meta-disk "
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
	return cf_expect(p, T_SEMI, "'meta-disk'");
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
			return cf_perr(p, &t->loc, "IPv4 address '%s' must not be "
				    "in brackets", s);
		family = AF_INET6;
		close = strchr(s, ']');
		if (!close)
			return cf_perr(p, &t->loc, "missing ']' in address '%s'",
				    s);
		ip = s + 1;
		iplen = (size_t)(close - ip);
		if (!close[1])
			return cf_perr(p, &t->loc, "address '%s' has no port "
				    "(expected [IP]:PORT)", s);
		if (close[1] != ':')
			return cf_perr(p, &t->loc, "expected ':PORT' after ']' in "
				    "address '%s'", s);
		port = close + 2;
	} else {
		if (family == AF_INET6)
			return cf_perr(p, &t->loc, "IPv6 address '%s' must be "
				    "written [IP]:PORT", s);
		family = AF_INET;
		close = strrchr(s, ':');
		if (!close)
			return cf_perr(p, &t->loc, "address '%s' has no port "
				    "(expected IP:PORT)", s);
		if (strchr(s, ':') != close)
			return cf_perr(p, &t->loc, "address '%s': write an IPv6 "
				    "address as 'ipv6 [IP]:PORT'", s);
		ip = s;
		iplen = (size_t)(close - s);
		port = close + 1;
	}
	if (!*port)
		return cf_perr(p, &t->loc, "address '%s' has no port (expected "
			    "%s)", s, family == AF_INET ? "IP:PORT" :
			    "[IP]:PORT");
	memcpy(ipbuf, ip, iplen);
	ipbuf[iplen] = '\0';
	if (inet_pton(family, ipbuf, bin) != 1)
		return cf_perr(p, &t->loc, "'%s' is not a valid %s address",
			    ipbuf, family == AF_INET ? "IPv4" : "IPv6");
	if (cf_parse_uint(port, 65535, &u) || !u)
		return cf_perr(p, &t->loc, "address '%s': bad port '%s' (1 to "
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

	if (cf_value(p, &t, "address"))
		return -1;
	if (cf_is_kw(&t, "ipv4") || cf_is_kw(&t, "ipv6")) {
		family = t.text[3] == '4' ? AF_INET : AF_INET6;
		if (cf_value(p, &t, "address"))
			return -1;
	} else if (cf_is_kw(&t, "ssocks") || cf_is_kw(&t, "sdp") ||
		   cf_is_kw(&t, "sci")) {
		return cf_perr(p, &t.loc, "address family '%s' is not supported "
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

	if (cf_is_kw(kw, "device"))
		return parse_device(p, v, kw);
	if (cf_is_kw(kw, "meta-disk") || cf_is_kw(kw, "flexible-meta-disk"))
		return parse_meta_disk(p, v, kw);
	/* disk */
	if (cf_peek(p, &pk))
		return -1;
	if (pk->kind == T_LBRACE) {
		sc.set[CONF_DISK] = &v->disk_opts;
		return parse_section(p, CONF_DISK, &sc, kw);
	}
	return parse_disk(p, v);
}

static bool is_volume_kw(const struct token *t)
{
	return cf_is_kw(t, "device") || cf_is_kw(t, "disk") ||
	       cf_is_kw(t, "meta-disk") || cf_is_kw(t, "flexible-meta-disk");
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

	if (cf_value(p, &t, "volume") || cf_number(p, &t, 65535, "volume", &nr))
		return -1;
	v = conf_host_volume(h, (unsigned int)nr);
	if (v)
		return cf_perr(p, &t.loc, "volume %llu is already defined at %s",
			    (unsigned long long)nr,
			    cf_where(&v->loc, w, sizeof(w)));
	snprintf(what, sizeof(what), "'volume %llu'", (unsigned long long)nr);
	if (cf_open_block(p, what, &open))
		return -1;
	v = volume_new((unsigned int)nr, &kw->loc);
	host_add_volume(h, v);
	snprintf(what, sizeof(what), "volume %llu of %s",
		 (unsigned long long)nr, owner);
	while (!(r = cf_block_done(p, &open, what))) {
		if (cf_item_keyword(p, &t, what))
			return -1;
		if (!is_volume_kw(&t))
			return cf_perr(p, &t.loc, "unknown keyword '%s' in %s",
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

	if (cf_is_kw(kw, "volume"))
		return parse_volume_block(p, h, kw, hp->what);
	if (cf_is_kw(kw, "disk")) {
		if (cf_peek(p, &pk))
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
				return cf_perr(p, &kw->loc, "'%s' outside a "
					    "volume, but volume 0 is defined "
					    "at %s", kw->text,
					    cf_where(&v->loc, w, sizeof(w)));
			hp->implicit = volume_new(0, &kw->loc);
			host_add_volume(h, hp->implicit);
		}
		return volume_stmt(p, hp->implicit, kw, hp->what);
	}
	if (!defaults && cf_is_kw(kw, "address")) {
		if (h->addr.family)
			return cf_perr(p, &kw->loc, "'address' is already given "
				    "at %s", cf_where(&h->addr.loc, w, sizeof(w)));
		if (parse_address(p, &h->addr))
			return -1;
		return cf_expect(p, T_SEMI, "'address'");
	}
	if (!defaults && cf_is_kw(kw, "node-id")) {
		if (h->node_id >= 0)
			return cf_perr(p, &kw->loc, "'node-id' is already given");
		if (cf_value(p, &t, "node-id") ||
		    cf_number(p, &t, TANDEM_NODE_ID_MAX - 1, "node-id", &id))
			return -1;
		h->node_id = (int)id;
		return cf_expect(p, T_SEMI, "'node-id'");
	}
	return cf_perr(p, &kw->loc, "unknown keyword '%s' in %s", kw->text,
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
			return cf_perr(p, &name->loc, "host '%s' is already named "
				    "at %s", name->text,
				    cf_where(&cn->peers[i].loc, w, sizeof(w)));
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

	cn->mesh = cf_is_kw(kw, "connection-mesh");
	cn->loc = kw->loc;
	APPEND(r->conns, r->nconns, cn);
	if (cf_peek(p, &pk))
		return -1;
	if (!cn->mesh && cf_is_value(pk)) {
		cf_next(p, &t);
		cn->name = xstrdup(t.text);
	}
	snprintf(what, sizeof(what), "'%s' in resource '%s'", kw->text,
		 r->name);
	sc.what = what;
	if (cf_open_block(p, what, &open))
		return -1;
	while (!(r2 = cf_block_done(p, &open, what))) {
		if (cf_item_keyword(p, &t, what))
			return -1;
		if (section_ctx(&t) == CONF_NET) {
			if (parse_section(p, CONF_NET, &sc, &t))
				return -1;
		} else if (!cn->mesh && cf_is_kw(&t, "host")) {
			if (cf_value(p, &t, "host") || add_peer(p, cn, &t))
				return -1;
			if (cf_peek(p, &pk))
				return -1;
			if (cf_is_kw(pk, "address")) {
				cf_next(p, &t);
				if (parse_address(p, &cn->peers[cn->npeers - 1]
						  .addr))
					return -1;
			}
			if (cf_expect(p, T_SEMI, "'host'"))
				return -1;
		} else if (cn->mesh && cf_is_kw(&t, "hosts")) {
			if (have_hosts)
				return cf_perr(p, &t.loc, "'hosts' is already "
					    "given");
			have_hosts = true;
			for (;;) {
				if (cf_peek(p, &pk))
					return -1;
				if (!cf_is_value(pk))
					break;
				cf_next(p, &t);
				if (add_peer(p, cn, &t))
					return -1;
			}
			if (cf_expect(p, T_SEMI, "'hosts'"))
				return -1;
		} else {
			return cf_perr(p, &t.loc, "unknown keyword '%s' in %s",
				    t.text, what);
		}
	}
	if (r2 < 0)
		return -1;
	if (!cn->mesh && cn->npeers != 2)
		return cf_perr(p, &cn->loc, "a connection needs exactly two 'host' "
			    "statements; this one has %zu", cn->npeers);
	if (cn->mesh && cn->npeers < 2)
		return cf_perr(p, &cn->loc, "connection-mesh needs 'hosts' with at "
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
					cf_optset_insert(&v->disk_opts,
						      &dv->disk_opts.opts[k]);
		}
	}
	for (j = 0; j < r->nhosts; j++)
		for (k = 0; k < d->disk_opts.n; k++)
			if (!conf_opt_find(&r->hosts[j]->disk_opts,
					   d->disk_opts.opts[k].name))
				cf_optset_insert(&r->hosts[j]->disk_opts,
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

	if (cf_value(p, &name, "on"))
		return -1;
	if (!name.len)
		return cf_perr(p, &name.loc, "empty host name");
	if (cf_peek(p, &pk))
		return -1;
	if (cf_is_value(pk))
		return cf_perr(p, &pk->loc, "only one host name per 'on' section "
			    "is supported ('on %s %s')", name.text, pk->text);
	for (i = 0; i < r->nhosts; i++)
		if (!strcmp(r->hosts[i]->name, name.text))
			return cf_perr(p, &name.loc, "host '%s' of resource '%s' "
				    "is already defined at %s", name.text,
				    r->name, cf_where(&r->hosts[i]->loc, w,
						   sizeof(w)));
	snprintf(what, sizeof(what), "'on %s'", name.text);
	(void)kw;
	if (cf_open_block(p, what, &open))
		return -1;
	hp.h = host_new(name.text, &name.loc);
	APPEND(r->hosts, r->nhosts, hp.h);
	snprintf(what, sizeof(what), "'on %s' in resource '%s'", name.text,
		 r->name);
	hp.what = what;
	while (!(r2 = cf_block_done(p, &open, what)))
		if (cf_item_keyword(p, &t, what) || host_item(p, &hp, &t, false))
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
	if (cf_value(p, &name, "resource"))
		return -1;
	if (!strcmp(name.text, "all"))
		return cf_perr(p, &name.loc, "'all' is reserved and cannot name a "
			    "resource");
	if (!valid_resname(name.text))
		return cf_perr(p, &name.loc, "'%s' is not a valid resource name "
			    "(1 to %d characters, no '/' or blanks)", name.text,
			    TANDEM_RESOURCE_NAME_MAX - 1);
	r = conf_find_resource(c, name.text);
	if (r)
		return cf_perr(p, &name.loc, "resource '%s' is already defined at "
			    "%s", name.text, cf_where(&r->loc, w, sizeof(w)));
	snprintf(what, sizeof(what), "'resource %s'", name.text);
	if (cf_open_block(p, what, &open))
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

	while (!(r2 = cf_block_done(p, &open, what))) {
		if (cf_item_keyword(p, &t, what))
			goto fail;
		ctx = section_ctx(&t);
		if (cf_is_kw(&t, "disk")) {
			const struct token *pk;

			if (cf_peek(p, &pk))
				goto fail;
			if (pk->kind != T_LBRACE)
				ctx = -1;
		}
		if (ctx >= 0) {
			if (parse_section(p, (unsigned int)ctx, &sc, &t))
				goto fail;
		} else if (cf_is_kw(&t, "protocol")) {
			if (parse_option(p, CONF_NET, &sc, &t))
				goto fail;
		} else if (cf_is_kw(&t, "on")) {
			if (parse_on(p, r, &t))
				goto fail;
		} else if (cf_is_kw(&t, "connection") ||
			   cf_is_kw(&t, "connection-mesh")) {
			if (parse_connection(p, r, &t))
				goto fail;
		} else if (cf_is_kw(&t, "volume") || is_volume_kw(&t)) {
			if (host_item(p, &hp, &t, true))
				goto fail;
		} else if (cf_is_kw(&t, "floating")) {
			cf_perr(p, &t.loc, "'floating' sections are not supported; "
			     "use 'on HOST'");
			goto fail;
		} else {
			cf_perr(p, &t.loc, "unknown keyword '%s' in %s", t.text,
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
		return cf_perr(p, &kw->loc, "a second 'common' section");
	c->has_common = true;
	for (i = 0; i < CONF_NSECTIONS; i++)
		sc.set[i] = &c->common[i];
	if (cf_open_block(p, "'common'", &open))
		return -1;
	while (!(r = cf_block_done(p, &open, "'common'"))) {
		if (cf_item_keyword(p, &t, "common"))
			return -1;
		ctx = section_ctx(&t);
		if (ctx >= 0) {
			if (parse_section(p, (unsigned int)ctx, &sc, &t))
				return -1;
		} else if (cf_is_kw(&t, "protocol")) {
			if (parse_option(p, CONF_NET, &sc, &t))
				return -1;
		} else {
			return cf_perr(p, &t.loc, "unknown keyword '%s' in common",
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
		return cf_perr(p, &kw->loc, "a second 'global' section (the first "
			    "is at %s)", cf_where(&g->loc, w, sizeof(w)));
	g->present = true;
	g->loc = kw->loc;
	if (cf_open_block(p, "'global'", &open))
		return -1;
	while (!(r = cf_block_done(p, &open, "'global'"))) {
		if (cf_item_keyword(p, &t, "global"))
			return -1;
		for (i = 0; i < 5; i++)
			if (!strcmp(t.text, names[i]))
				break;
		if (i == 5)
			return cf_perr(p, &t.loc, "unknown option '%s' in section "
				    "'global'", t.text);
		if (have[i])
			return cf_perr(p, &t.loc, "'%s' is already set at %s",
				    t.text, cf_where(&seen[i], w, sizeof(w)));
		have[i] = true;
		seen[i] = t.loc;
		switch (i) {
		case 0:
			if (cf_value(p, &v, t.text))
				return -1;
			if (cf_is_kw(&v, "yes"))
				g->usage_count = CONF_USAGE_YES;
			else if (cf_is_kw(&v, "no"))
				g->usage_count = CONF_USAGE_NO;
			else if (cf_is_kw(&v, "ask"))
				g->usage_count = CONF_USAGE_ASK;
			else
				return cf_perr(p, &v.loc, "usage-count: expected "
					    "yes, no or ask, got '%s'", v.text);
			break;
		case 1:
			if (cf_value(p, &v, t.text) ||
			    cf_number(p, &v, CONF_MINOR_LIMIT, "minor-count", &u))
				return -1;
			g->minor_count = (long)u;
			break;
		case 2:
			if (cf_value(p, &v, t.text) ||
			    cf_number(p, &v, 0x7fffffff, "dialog-refresh", &u))
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
		if (cf_expect(p, T_SEMI, w))
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
		if (cf_next(p, &t))
			return -1;
		if (t.kind == T_LBRACE)
			break;
		if (!cf_is_value(&t))
			return cf_perr(p, &t.loc, "expected '{' after 'skip', got "
				    "%s", cf_tokdesc(&t, d, sizeof(d)));
	}
	open = t.loc;
	depth = 1;
	while (depth) {
		if (cf_next(p, &t))
			return -1;
		if (t.kind == T_EOF)
			return cf_perr(p, &open, "unterminated block: the '{' of "
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

int cf_parse_top(struct ps *p)
{
	char d[CONF_STRING_MAX + 8];
	struct token t;
	int r;

	for (;;) {
		if (cf_next(p, &t))
			return -1;
		if (t.kind == T_EOF)
			return 0;
		if (cf_is_kw(&t, "include"))
			r = cf_parse_include(p, &t);
		else if (cf_is_kw(&t, "global"))
			r = parse_global(p, &t);
		else if (cf_is_kw(&t, "common"))
			r = parse_common(p, &t);
		else if (cf_is_kw(&t, "resource"))
			r = parse_resource(p, &t);
		else if (cf_is_kw(&t, "skip"))
			r = parse_skip(p, &t);
		else if (t.kind == T_WORD)
			r = cf_perr(p, &t.loc, "unknown keyword '%s' (expected "
				 "global, common, resource or include)",
				 t.text);
		else
			r = cf_perr(p, &t.loc, "expected a keyword, got %s",
				 cf_tokdesc(&t, d, sizeof(d)));
		if (r)
			return -1;
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
	cf_inherit_common(c);
	cf_check(c);
	return c->nerrors ? -1 : 0;
}

int conf_parse_file(const char *path, unsigned int flags, struct conf **out)
{
	struct conf *c = conf_new(flags);

	*out = c;
	if (cf_parse_path(c, path, 0, NULL))
		return -1;
	return finish(c);
}

int conf_parse_buffer(const char *name, const char *buf, size_t len,
		      unsigned int flags, struct conf **out)
{
	struct conf *c = conf_new(flags);

	*out = c;
	if (cf_parse_source(c, name, buf, len, 0))
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

