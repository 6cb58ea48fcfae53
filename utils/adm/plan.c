// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - plans: the tandemsetup/tandemmeta command lines of every
 * verb, built from the configuration (see plan.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "adm/util.h"
#include "adm/plan.h"
#include "adm/state.h"

/* ------------------------------------------------------------------ */
/* Memory                                                               */
/* ------------------------------------------------------------------ */

__attribute__((format(printf, 1, 0)))
static char *vxasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return s;
}

__attribute__((format(printf, 1, 2)))
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vxasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* ------------------------------------------------------------------ */
/* What tandemsetup knows                                               */
/* ------------------------------------------------------------------ */

/*
 * The options tandemsetup takes (`tandemsetup --help`), with the kernel's
 * defaults (kernel/uapi/tandem_genl.h) in the form `tandemsetup show`
 * prints them: adjust sets an option the file leaves out back to its
 * default. Other options of the configuration grammar are not supported
 * yet: they are reported and ignored.
 */
struct tsopt {
	const char *name;
	enum conf_section sec;
	const char *def;		/* NULL: never shown (secret) */
	bool is_bool;
	const char *const *vals;	/* when narrower than the grammar's */
};

static const char *const asb1_vals[] = {
	"disconnect", "consensus", "discard-secondary",
	"call-pri-lost-after-sb", NULL };

static const struct tsopt tsopts[] = {
	{ "protocol", CONF_NET, "C", false, NULL },
	{ "transport", CONF_NET, "tcp", false, NULL },
	{ "allow-two-primaries", CONF_NET, "no", true, NULL },
	{ "cram-hmac-alg", CONF_NET, "", false, NULL },
	{ "shared-secret", CONF_NET, NULL, false, NULL },
	{ "data-integrity-alg", CONF_NET, "", false, NULL },
	{ "verify-alg", CONF_NET, "", false, NULL },
	{ "timeout", CONF_NET, "60", false, NULL },
	{ "connect-int", CONF_NET, "10", false, NULL },
	{ "ping-int", CONF_NET, "10", false, NULL },
	{ "ping-timeout", CONF_NET, "5", false, NULL },
	{ "ko-count", CONF_NET, "7", false, NULL },
	{ "sndbuf-size", CONF_NET, "0", false, NULL },
	{ "rcvbuf-size", CONF_NET, "0", false, NULL },
	{ "max-buffers", CONF_NET, "2048", false, NULL },
	{ "max-epoch-size", CONF_NET, "2048", false, NULL },
	{ "after-sb-0pri", CONF_NET, "disconnect", false, NULL },
	{ "after-sb-1pri", CONF_NET, "disconnect", false, asb1_vals },
	{ "after-sb-2pri", CONF_NET, "disconnect", false, NULL },

	{ "resync-rate", CONF_DISK, "250", false, NULL },
	{ "c-plan-ahead", CONF_DISK, "20", false, NULL },
	{ "c-fill-target", CONF_DISK, "100", false, NULL },
	{ "c-delay-target", CONF_DISK, "10", false, NULL },
	{ "c-max-rate", CONF_DISK, "102400", false, NULL },
	{ "c-min-rate", CONF_DISK, "250", false, NULL },
	{ "al-extents", CONF_DISK, "1237", false, NULL },
	{ "on-io-error", CONF_DISK, "detach", false, NULL },
	{ "disk-barrier", CONF_DISK, "no", true, NULL },
	{ "disk-flushes", CONF_DISK, "yes", true, NULL },
	{ "md-flushes", CONF_DISK, "yes", true, NULL },
	{ "resync-after", CONF_DISK, "-1", false, NULL },
	{ "disk-timeout", CONF_DISK, "0", false, NULL },

	{ "auto-promote", CONF_OPTIONS, "no", true, NULL },
};

#define NTSOPTS (sizeof(tsopts) / sizeof(tsopts[0]))

/* Options of the grammar that tandemadm itself uses: not reported. */
static bool handled_elsewhere(const char *name)
{
	/* `discard-my-data` in net {} becomes connect --discard-my-data */
	return !strcmp(name, "discard-my-data");
}

/* yes/no options of the grammar that tandemsetup does not know. */
static const char *const other_bools[] = {
	"always-asbp", "tcp-cork", "use-rle", "discard-my-data",
	"csums-after-crash-only", "disk-drain", "al-updates",
	"discard-zeroes-if-aligned", "wait-after-sb", "stacked-timeouts",
	NULL };

static const struct tsopt *tsopt_find(const char *name)
{
	size_t i;

	for (i = 0; i < NTSOPTS; i++)
		if (!strcmp(tsopts[i].name, name))
			return &tsopts[i];
	return NULL;
}

const char *adm_option_name(const char *name, enum conf_section sec)
{
	int s;

	if (sec == CONF_DISK && !strcmp(name, "rate"))	/* 8.3 */
		return "resync-rate";
	s = conf_option_section(name);
	if (s < 0 || (enum conf_section)s != sec)
		return NULL;
	/* the grammar's own (static) spelling */
	return tsopt_find(name) ? tsopt_find(name)->name : name;
}

bool adm_option_is_bool(const char *name)
{
	const struct tsopt *d = tsopt_find(name);
	size_t i;

	if (d)
		return d->is_bool;
	for (i = 0; other_bools[i]; i++)
		if (!strcmp(other_bools[i], name))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Plans                                                                */
/* ------------------------------------------------------------------ */

/* A warning, once per @key (NULL: once per text). */
__attribute__((format(printf, 3, 4)))
static void warn(struct adm_plan *p, const char *key, const char *fmt, ...)
{
	char *text;
	va_list ap;
	size_t i;

	for (i = 0; key && i < p->nwarn_keys; i++)
		if (!strcmp(p->warn_keys[i], key))
			return;
	va_start(ap, fmt);
	text = vxasprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < p->nwarnings; i++)
		if (!strcmp(p->warnings[i], text)) {
			free(text);
			return;
		}
	p->warnings = xrealloc(p->warnings,
			       (p->nwarnings + 1) * sizeof(char *));
	p->warnings[p->nwarnings++] = text;
	if (key) {
		p->warn_keys = xrealloc(p->warn_keys,
					(p->nwarn_keys + 1) * sizeof(char *));
		p->warn_keys[p->nwarn_keys++] = xstrdup(key);
	}
}

__attribute__((format(printf, 3, 4)))
static void plan_error(struct adm_plan *p, int code, const char *fmt, ...)
{
	va_list ap;

	if (p->error)
		return;
	va_start(ap, fmt);
	p->error = vxasprintf(fmt, ap);
	va_end(ap);
	p->error_code = code;
}

static struct adm_cmd *cmd_new(struct adm_plan *p, enum adm_tool tool)
{
	struct adm_cmd *c;

	p->cmds = xrealloc(p->cmds, (p->n + 1) * sizeof(*p->cmds));
	c = &p->cmds[p->n++];
	memset(c, 0, sizeof(*c));
	c->tool = tool;
	c->argv = xrealloc(NULL, sizeof(char *));
	c->argv[0] = NULL;
	return c;
}

static void arg(struct adm_cmd *c, const char *s)
{
	c->argv = xrealloc(c->argv, (c->argc + 2) * sizeof(char *));
	c->argv[c->argc++] = xstrdup(s);
	c->argv[c->argc] = NULL;
}

__attribute__((format(printf, 2, 3)))
static void argf(struct adm_cmd *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vxasprintf(fmt, ap);
	va_end(ap);
	c->argv = xrealloc(c->argv, (c->argc + 2) * sizeof(char *));
	c->argv[c->argc++] = s;
	c->argv[c->argc] = NULL;
}

/* A tandemsetup command line; more arguments with arg()/argf(). */
static struct adm_cmd *setup(struct adm_plan *p, const char *verb)
{
	struct adm_cmd *c = cmd_new(p, ADM_TANDEMSETUP);

	arg(c, "tandemsetup");
	arg(c, verb);
	return c;
}

static struct adm_cmd *meta(struct adm_plan *p, const char *cmd)
{
	struct adm_cmd *c = cmd_new(p, ADM_TANDEMMETA);

	arg(c, "tandemmeta");
	arg(c, cmd);
	return c;
}

void adm_plan_free(struct adm_plan *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		for (j = 0; j < p->cmds[i].argc; j++)
			free(p->cmds[i].argv[j]);
		free(p->cmds[i].argv);
	}
	free(p->cmds);
	for (i = 0; i < p->nwarnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	for (i = 0; i < p->nwarn_keys; i++)
		free(p->warn_keys[i]);
	free(p->warn_keys);
	free(p->error);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------ */
/* Shell quoting                                                        */
/* ------------------------------------------------------------------ */

void adm_shell_quote(FILE *out, const char *s)
{
	const char *q;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			 "WXYZ0123456789_@%+=:,./-") == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (q = s; *q; q++) {
		if (*q == '\'')
			fputs("'\\''", out);
		else
			fputc(*q, out);
	}
	fputc('\'', out);
}

char *adm_cmd_shell(const struct adm_cmd *c)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	for (i = 0; i < c->argc; i++) {
		if (i)
			fputc(' ', f);
		adm_shell_quote(f, c->argv[i]);
	}
	fclose(f);
	return buf;
}

void adm_plan_print(FILE *out, const struct adm_plan *p)
{
	size_t i;
	char *s;

	for (i = 0; i < p->n; i++) {
		s = adm_cmd_shell(&p->cmds[i]);
		fprintf(out, "%s\n", s);
		free(s);
	}
}

/* ------------------------------------------------------------------ */
/* Resources as this node sees them                                     */
/* ------------------------------------------------------------------ */

static const char *locstr(const struct conf_loc *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u:%u", l->file ? l->file : "?", l->line,
		 l->col);
	return buf;
}

const char *adm_addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a->ip, a->port);
	else
		snprintf(buf, len, "%s:%u", a->ip, a->port);
	return buf;
}

bool adm_vol_has_disk(const struct conf_volume *v)
{
	return v->disk && strcmp(v->disk, "none");
}

static const struct conf_host *host_by_name(const struct conf_resource *r,
					    const char *name)
{
	size_t i;

	for (i = 0; i < r->nhosts; i++)
		if (!strcmp(r->hosts[i]->name, name))
			return r->hosts[i];
	return NULL;
}

bool adm_res_has_host(const struct conf_resource *r, const char *host)
{
	return host_by_name(r, host) != NULL;
}

static int host_node_id(const struct conf_resource *r,
			const struct conf_host *h)
{
	size_t i;

	if (h->node_id >= 0)
		return h->node_id;
	for (i = 0; i < r->nhosts; i++)
		if (r->hosts[i] == h)
			return (int)i;
	return -1;
}

static void add_peer(struct adm_res *ar, const struct conf_host *h,
		     const struct conf_connection *cn,
		     const struct conf_addr *local,
		     const struct conf_addr *remote)
{
	struct adm_peer *pe;
	size_t i;

	if (h == ar->me)
		return;
	for (i = 0; i < ar->npeers; i++)
		if (ar->peers[i].host == h)
			return;		/* the first connection naming it */
	ar->peers = xrealloc(ar->peers, (ar->npeers + 1) * sizeof(*pe));
	pe = &ar->peers[ar->npeers++];
	memset(pe, 0, sizeof(*pe));
	pe->host = h;
	pe->conn = cn;
	pe->node_id = host_node_id(ar->r, h);
	pe->local = *local;
	pe->remote = *remote;
}

int adm_res_init(struct adm_res *ar, const struct conf_resource *r,
		 const char *host, char *err, size_t errlen)
{
	const struct conf_connection *cn;
	const struct conf_host *h;
	bool any_id = false;
	char w[64];
	size_t i, j, me;

	memset(ar, 0, sizeof(*ar));
	ar->r = r;
	ar->me = conf_find_host(r, host);
	if (!ar->me) {
		/* conf_find_host() recorded it with its location */
		conf_diag_format(&r->conf->diags[r->conf->ndiags - 1], err,
				 errlen);
		return -1;
	}
	for (i = 0; i < r->nhosts; i++)
		any_id |= r->hosts[i]->node_id >= 0;
	for (i = 0; any_id && i < r->nhosts; i++) {
		h = r->hosts[i];
		if (h->node_id < 0) {
			snprintf(err, errlen, "%s: error: host '%s' in resource "
				 "'%s' has no node-id, but other hosts have one",
				 locstr(&h->loc, w, sizeof(w)), h->name,
				 r->name);
			return -1;
		}
	}
	ar->node_id = host_node_id(r, ar->me);

	if (!r->nconns) {
		for (i = 0; i < r->nhosts; i++)
			add_peer(ar, r->hosts[i], NULL, &ar->me->addr,
				 &r->hosts[i]->addr);
		return 0;
	}
	for (i = 0; i < r->nconns; i++) {
		cn = r->conns[i];
		for (me = 0; me < cn->npeers; me++)
			if (!strcmp(cn->peers[me].name, ar->me->name))
				break;
		if (me == cn->npeers)
			continue;	/* a connection of two other hosts */
		for (j = 0; j < cn->npeers; j++) {
			const struct conf_addr *local, *remote;

			h = host_by_name(r, cn->peers[j].name);
			if (j == me || !h)
				continue;
			local = !cn->mesh && cn->peers[me].addr.family ?
				&cn->peers[me].addr : &ar->me->addr;
			remote = !cn->mesh && cn->peers[j].addr.family ?
				 &cn->peers[j].addr : &h->addr;
			add_peer(ar, h, cn, local, remote);
		}
	}
	return 0;
}

void adm_res_free(struct adm_res *ar)
{
	free(ar->peers);
	memset(ar, 0, sizeof(*ar));
}

/* ------------------------------------------------------------------ */
/* Options                                                              */
/* ------------------------------------------------------------------ */

/* Where option @name of a volume comes from (as conf_disk_opt()). */
static const struct conf_opt *disk_opt(const struct adm_res *ar,
				       const struct conf_volume *v,
				       const char *name)
{
	const struct conf_opt *o = NULL;

	if (v)
		o = conf_opt_find(&v->disk_opts, name);
	if (!o && ar->me)
		o = conf_opt_find(&ar->me->disk_opts, name);
	if (!o)
		o = conf_opt_find(&ar->r->opts[CONF_DISK], name);
	return o;
}

static const struct conf_opt *net_opt(const struct adm_res *ar,
				      const struct adm_peer *pe,
				      const char *name)
{
	const struct conf_opt *o = NULL;

	if (pe && pe->conn)
		o = conf_opt_find(&pe->conn->net, name);
	if (!o)
		o = conf_opt_find(&ar->r->opts[CONF_NET], name);
	return o;
}

static const struct conf_opt *sec_opt(const struct adm_res *ar,
				      enum conf_section sec,
				      const struct conf_volume *v,
				      const struct adm_peer *pe,
				      const char *name)
{
	if (sec == CONF_DISK)
		return disk_opt(ar, v, name);
	if (sec == CONF_NET)
		return net_opt(ar, pe, name);
	return conf_opt_find(&ar->r->opts[sec], name);
}

static void warn_unsupported_set(struct adm_plan *p,
				 const struct conf_optset *set,
				 enum conf_section sec)
{
	const struct conf_opt *o;
	char w[64];
	size_t i;

	for (i = 0; i < set->n; i++) {
		o = &set->opts[i];
		if (tsopt_find(o->name) || handled_elsewhere(o->name))
			continue;
		warn(p, o->name, "%s: %s option '%s' is not supported yet, "
		     "ignored", locstr(&o->loc, w, sizeof(w)),
		     conf_section_name(sec), o->name);
	}
}

/* Report the options of section @sec that apply and that tandemsetup
 * does not know. */
static void warn_unsupported(struct adm_plan *p, const struct adm_res *ar,
			     enum conf_section sec)
{
	size_t i;

	warn_unsupported_set(p, &ar->r->opts[sec], sec);
	if (sec == CONF_DISK) {
		warn_unsupported_set(p, &ar->me->disk_opts, sec);
		for (i = 0; i < ar->me->nvols; i++)
			warn_unsupported_set(p, &ar->me->vols[i]->disk_opts,
					     sec);
	}
	if (sec == CONF_NET)
		for (i = 0; i < ar->npeers; i++)
			if (ar->peers[i].conn)
				warn_unsupported_set(p, &ar->peers[i].conn->net,
						     sec);
}

/* The minor that `resync-after RES` means for volume @v: RES's volume
 * with the same number on this host, else its first volume. */
static long resync_after_minor(const struct adm_res *ar,
			       const struct conf_volume *v, const char *res)
{
	const struct conf_resource *r2 = conf_find_resource(ar->r->conf, res);
	const struct conf_host *h2;
	const struct conf_volume *v2 = NULL;

	if (!r2)
		return -1;
	h2 = host_by_name(r2, ar->me->name);
	if (!h2 || !h2->nvols)
		return -1;
	if (v)
		v2 = conf_host_volume(h2, v->number);
	if (!v2)
		v2 = h2->vols[0];
	return v2->minor;
}

/*
 * The value tandemsetup gets for option @d, from the configuration's
 * option @o (for volume @v), into @buf; NULL when it is left out (and
 * reported).
 */
static const char *ts_value(struct adm_plan *p, const struct adm_res *ar,
			    const struct conf_volume *v,
			    const struct tsopt *d, const struct conf_opt *o,
			    char *buf, size_t len)
{
	char w[64];
	size_t i;
	long m;

	if (d->vals) {
		for (i = 0; d->vals[i]; i++)
			if (!strcmp(d->vals[i], o->value))
				break;
		if (!d->vals[i]) {
			warn(p, NULL, "%s: %s %s is not supported yet, ignored",
			     locstr(&o->loc, w, sizeof(w)), d->name, o->value);
			return NULL;
		}
	}
	if (!strcmp(d->name, "resync-after") && strcmp(o->value, "-1")) {
		m = resync_after_minor(ar, v, o->value);
		if (m < 0) {
			warn(p, NULL, "%s: resync-after: resource '%s' has no "
			     "volume on host '%s', ignored",
			     locstr(&o->loc, w, sizeof(w)), o->value,
			     ar->me->name);
			return NULL;
		}
		snprintf(buf, len, "%ld", m);
		return buf;
	}
	snprintf(buf, len, "%s", o->value);
	return buf;
}

static const struct adm_setopt *cmdline_opt(const struct adm_verbopts *o,
					    const char *name)
{
	size_t i;

	for (i = 0; o && i < o->nset; i++)
		if (!strcmp(o->set[i].name, name))
			return &o->set[i];
	return NULL;
}

/* Report command-line options of section @sec tandemsetup lacks. */
static void warn_cmdline(struct adm_plan *p, const struct adm_verbopts *o,
			 enum conf_section sec)
{
	size_t i;

	for (i = 0; o && i < o->nset; i++)
		if (conf_option_section(o->set[i].name) == (int)sec &&
		    !tsopt_find(o->set[i].name))
			warn(p, o->set[i].name, "--%s is not supported yet, "
			     "ignored", o->set[i].name);
}

/*
 * Append --name=value for every option of section @sec that is set: on
 * the command line (as written there), else in the configuration.
 */
static void add_opts(struct adm_plan *p, struct adm_cmd *c,
		     const struct adm_res *ar, enum conf_section sec,
		     const struct conf_volume *v, const struct adm_peer *pe,
		     const struct adm_verbopts *o)
{
	const struct adm_setopt *s;
	const struct conf_opt *co;
	const char *val;
	char buf[CONF_STRING_MAX + 32];
	size_t i;

	for (i = 0; i < NTSOPTS; i++) {
		if (tsopts[i].sec != sec)
			continue;
		s = cmdline_opt(o, tsopts[i].name);
		if (s) {
			if (s->value)
				argf(c, "--%s=%s", tsopts[i].name, s->value);
			else
				argf(c, "--%s", tsopts[i].name);
			continue;
		}
		co = sec_opt(ar, sec, v, pe, tsopts[i].name);
		if (!co)
			continue;
		val = ts_value(p, ar, v, &tsopts[i], co, buf, sizeof(buf));
		if (val)
			argf(c, "--%s=%s", tsopts[i].name, val);
	}
}

/* ------------------------------------------------------------------ */
/* Verbs                                                                */
/* ------------------------------------------------------------------ */

/* tandemmeta's META argument of volume @v. */
static void meta_arg(struct adm_cmd *c, const struct conf_volume *v)
{
	if (v->md == CONF_MD_INDEXED)
		argf(c, "%s[%u]", v->md_path, v->md_index);
	else if (v->md == CONF_MD_FLEXIBLE)
		arg(c, v->md_path);
	else
		arg(c, "internal");
}

/* attach MINOR BACKING_DEV META_DEV META_INDEX [disk options] */
static void attach_cmd(struct adm_plan *p, const struct adm_res *ar,
		       const struct conf_volume *v,
		       const struct adm_verbopts *o)
{
	struct adm_cmd *c = setup(p, "attach");

	argf(c, "%d", v->minor);
	arg(c, v->disk);
	switch (v->md) {
	case CONF_MD_INDEXED:
		arg(c, v->md_path);
		argf(c, "%u", v->md_index);
		break;
	case CONF_MD_FLEXIBLE:
		arg(c, v->md_path);
		arg(c, "flexible");
		break;
	default:
		arg(c, "internal");
		arg(c, "internal");
		break;
	}
	add_opts(p, c, ar, CONF_DISK, v, NULL, o);
}

static bool addresses_ok(struct adm_plan *p, const struct adm_res *ar,
			 const struct adm_peer *pe)
{
	char w[64];

	if (!pe->local.family) {
		plan_error(p, ADM_EXIT_CONFIG, "%s: error: host '%s' in "
			   "resource '%s' has no address",
			   locstr(&ar->me->loc, w, sizeof(w)), ar->me->name,
			   ar->r->name);
		return false;
	}
	if (!pe->remote.family) {
		plan_error(p, ADM_EXIT_CONFIG, "%s: error: host '%s' in "
			   "resource '%s' has no address",
			   locstr(&pe->host->loc, w, sizeof(w)),
			   pe->host->name, ar->r->name);
		return false;
	}
	return true;
}

/* connect RES PEER_NODE_ID LOCAL_ADDR PEER_ADDR [net options] */
static void connect_cmd(struct adm_plan *p, const struct adm_res *ar,
			const struct adm_peer *pe,
			const struct adm_verbopts *o)
{
	const struct conf_opt *dmd = net_opt(ar, pe, "discard-my-data");
	struct adm_cmd *c;
	char a[80];

	if (!addresses_ok(p, ar, pe))
		return;
	c = setup(p, "connect");
	arg(c, ar->r->name);
	argf(c, "%d", pe->node_id);
	arg(c, adm_addr_str(&pe->local, a, sizeof(a)));
	arg(c, adm_addr_str(&pe->remote, a, sizeof(a)));
	add_opts(p, c, ar, CONF_NET, NULL, pe, o);
	if ((o && o->discard_my_data) || (dmd && !strcmp(dmd->value, "yes")))
		arg(c, "--discard-my-data");
}

static void new_resource_cmd(struct adm_plan *p, const struct adm_res *ar)
{
	struct adm_cmd *c = setup(p, "new-resource");

	arg(c, ar->r->name);
	argf(c, "%d", ar->node_id);
	add_opts(p, c, ar, CONF_OPTIONS, NULL, NULL, NULL);
}

static void new_minor_cmd(struct adm_plan *p, const struct adm_res *ar,
			  const struct conf_volume *v)
{
	struct adm_cmd *c = setup(p, "new-minor");

	arg(c, ar->r->name);
	argf(c, "%d", v->minor);
	argf(c, "%u", v->number);
}

/* VERB MINOR for every volume with a disk */
static void per_disk(struct adm_plan *p, const struct adm_res *ar,
		     const char *verb)
{
	struct adm_cmd *c;
	size_t i;

	for (i = 0; i < ar->me->nvols; i++) {
		if (!adm_vol_has_disk(ar->me->vols[i]))
			continue;
		c = setup(p, verb);
		argf(c, "%d", ar->me->vols[i]->minor);
	}
}

/* VERB RES PEER_NODE_ID for every peer */
static void per_peer(struct adm_plan *p, const struct adm_res *ar,
		     const char *verb, const struct adm_verbopts *o)
{
	struct adm_cmd *c;
	size_t i;

	for (i = 0; i < ar->npeers; i++) {
		c = setup(p, verb);
		arg(c, ar->r->name);
		argf(c, "%d", ar->peers[i].node_id);
		if (!strcmp(verb, "net-options"))
			add_opts(p, c, ar, CONF_NET, NULL, &ar->peers[i], o);
	}
}

/* tandemmeta CMD DISK META [...] for every volume with a disk */
static void per_meta(struct adm_plan *p, const struct adm_res *ar,
		     enum adm_verb verb, const struct adm_verbopts *o)
{
	static const char *const names[] = {
		[ADM_CREATE_MD] = "create-md", [ADM_WIPE_MD] = "wipe-md",
		[ADM_DUMP_MD] = "dump-md", [ADM_APPLY_AL] = "apply-al",
	};
	const struct conf_opt *al;
	const struct conf_volume *v;
	struct adm_cmd *c;
	size_t i;

	for (i = 0; i < ar->me->nvols; i++) {
		v = ar->me->vols[i];
		if (!adm_vol_has_disk(v))
			continue;
		c = meta(p, names[verb]);
		arg(c, v->disk);
		meta_arg(c, v);
		if (verb == ADM_CREATE_MD) {
			argf(c, "--node-id=%d", ar->node_id);
			if (ar->npeers > 1)
				argf(c, "--max-peers=%zu", ar->npeers);
			al = disk_opt(ar, v, "al-extents");
			if (al)
				argf(c, "--al-extents=%s", al->value);
		}
		if ((verb == ADM_CREATE_MD || verb == ADM_WIPE_MD) && o &&
		    o->force)
			arg(c, "--force");
		if (verb == ADM_DUMP_MD && o && o->json)
			arg(c, "--json");
	}
}

static void plan_up(struct adm_plan *p, const struct adm_res *ar)
{
	const struct conf_volume *v;
	size_t i;

	warn_unsupported(p, ar, CONF_OPTIONS);
	warn_unsupported(p, ar, CONF_DISK);
	warn_unsupported(p, ar, CONF_NET);
	new_resource_cmd(p, ar);
	for (i = 0; i < ar->me->nvols; i++) {
		v = ar->me->vols[i];
		new_minor_cmd(p, ar, v);
		if (adm_vol_has_disk(v))
			attach_cmd(p, ar, v, NULL);
	}
	for (i = 0; i < ar->npeers; i++)
		connect_cmd(p, ar, &ar->peers[i], NULL);
}

void adm_plan_verb(struct adm_plan *p, enum adm_verb verb,
		   const struct adm_res *ar, const struct adm_verbopts *o)
{
	struct adm_cmd *c;
	size_t i, j;

	switch (verb) {
	case ADM_CREATE_MD:
	case ADM_WIPE_MD:
	case ADM_DUMP_MD:
	case ADM_APPLY_AL:
		per_meta(p, ar, verb, o);
		break;
	case ADM_UP:
		plan_up(p, ar);
		break;
	case ADM_DOWN:
		c = setup(p, "down");
		arg(c, ar->r->name);
		break;
	case ADM_ATTACH:
		warn_unsupported(p, ar, CONF_DISK);
		warn_cmdline(p, o, CONF_DISK);
		for (i = 0; i < ar->me->nvols; i++)
			if (adm_vol_has_disk(ar->me->vols[i]))
				attach_cmd(p, ar, ar->me->vols[i], o);
		break;
	case ADM_DETACH:
		per_disk(p, ar, "detach");
		break;
	case ADM_CONNECT:
		warn_unsupported(p, ar, CONF_NET);
		warn_cmdline(p, o, CONF_NET);
		for (i = 0; i < ar->npeers; i++)
			connect_cmd(p, ar, &ar->peers[i], o);
		break;
	case ADM_DISCONNECT:
		per_peer(p, ar, "disconnect", o);
		break;
	case ADM_PRIMARY:
		c = setup(p, "primary");
		arg(c, ar->r->name);
		if (o && o->force)
			arg(c, "--force");
		break;
	case ADM_SH_B_PRI: {
		/* startup { become-primary-on HOST|both; }, at boot */
		const char *who = conf_res_opt(ar->r, CONF_STARTUP,
					       "become-primary-on");

		if (who && (!strcmp(who, "both") ||
			    !strcmp(who, ar->me->name))) {
			c = setup(p, "primary");
			arg(c, ar->r->name);
		}
		break;
	}
	case ADM_SECONDARY:
		c = setup(p, "secondary");
		arg(c, ar->r->name);
		break;
	case ADM_NET_OPTIONS:
		warn_unsupported(p, ar, CONF_NET);
		warn_cmdline(p, o, CONF_NET);
		per_peer(p, ar, "net-options", o);
		break;
	case ADM_DISK_OPTIONS:
		warn_unsupported(p, ar, CONF_DISK);
		warn_cmdline(p, o, CONF_DISK);
		for (i = 0; i < ar->me->nvols; i++) {
			if (!adm_vol_has_disk(ar->me->vols[i]))
				continue;
			c = setup(p, "disk-options");
			argf(c, "%d", ar->me->vols[i]->minor);
			add_opts(p, c, ar, CONF_DISK, ar->me->vols[i], NULL, o);
		}
		break;
	case ADM_INVALIDATE:
		per_disk(p, ar, "invalidate");
		break;
	case ADM_INVALIDATE_REMOTE:
		per_disk(p, ar, "invalidate-remote");
		break;
	case ADM_OUTDATE:
		per_disk(p, ar, "outdate");
		break;
	case ADM_RESIZE:
		for (i = 0; i < ar->me->nvols; i++) {
			if (!adm_vol_has_disk(ar->me->vols[i]))
				continue;
			c = setup(p, "resize");
			argf(c, "%d", ar->me->vols[i]->minor);
			if (o && o->size)
				argf(c, "--size=%s", o->size);
		}
		break;
	case ADM_VERIFY:
	case ADM_PAUSE_SYNC:
	case ADM_RESUME_SYNC:
		for (i = 0; i < ar->me->nvols; i++) {
			if (!adm_vol_has_disk(ar->me->vols[i]))
				continue;
			for (j = 0; j < ar->npeers; j++) {
				c = setup(p, verb == ADM_VERIFY ? "verify" :
					  verb == ADM_PAUSE_SYNC ?
					  "pause-sync" : "resume-sync");
				argf(c, "%d", ar->me->vols[i]->minor);
				argf(c, "%d", ar->peers[j].node_id);
			}
		}
		break;
	case ADM_ADJUST:
		plan_error(p, ADM_EXIT_USAGE, "adjust needs the running state");
		break;
	}
}

/* ------------------------------------------------------------------ */
/* adjust                                                               */
/* ------------------------------------------------------------------ */

/*
 * Append --name=value for every option of section @sec whose running
 * value (@have) differs from the configured one (or from the default,
 * when the file leaves it out). Returns how many.
 */
static size_t changed_opts(struct adm_plan *p, struct adm_cmd *c,
			   const struct adm_res *ar, enum conf_section sec,
			   const struct conf_volume *v,
			   const struct adm_peer *pe,
			   const struct run_opts *have)
{
	const struct conf_opt *co;
	const char *want, *is;
	char buf[CONF_STRING_MAX + 32];
	size_t i, n = 0;

	for (i = 0; i < NTSOPTS; i++) {
		if (tsopts[i].sec != sec || !tsopts[i].def)
			continue;
		is = run_opt(have, tsopts[i].name);
		if (!is)
			continue;	/* the kernel did not say */
		co = sec_opt(ar, sec, v, pe, tsopts[i].name);
		want = co ? ts_value(p, ar, v, &tsopts[i], co, buf,
				     sizeof(buf)) : NULL;
		if (!want)
			want = tsopts[i].def;
		if (!strcmp(want, is))
			continue;
		if (c)
			argf(c, "--%s=%s", tsopts[i].name, want);
		n++;
	}
	return n;
}

static const struct run_volume *run_volume(const struct run_res *run,
					   unsigned int number)
{
	size_t i;

	for (i = 0; i < run->nvols; i++)
		if (run->vols[i].number == number)
			return &run->vols[i];
	return NULL;
}

static bool run_has_disk(const struct run_volume *rv)
{
	return rv->disk && strcmp(rv->disk, "none");
}

static bool same_disk(const struct conf_volume *v,
		      const struct run_volume *rv)
{
	if (strcmp(v->disk, rv->disk))
		return false;
	if (rv->md == CONF_MD_UNSET)	/* not shown: assume it is */
		return true;
	if ((v->md == CONF_MD_INTERNAL) != (rv->md == CONF_MD_INTERNAL))
		return false;
	if (v->md == CONF_MD_INTERNAL)
		return true;
	return v->md == rv->md && !strcmp(v->md_path, rv->md_path) &&
	       (v->md != CONF_MD_INDEXED || v->md_index == rv->md_index);
}

static void minor_cmd(struct adm_plan *p, const char *verb, long minor)
{
	struct adm_cmd *c = setup(p, verb);

	argf(c, "%ld", minor);
}

static void adjust_volumes(struct adm_plan *p, const struct adm_res *ar,
			   const struct run_res *run)
{
	const struct run_volume *rv;
	const struct conf_volume *v;
	struct adm_cmd *c;
	size_t i;

	/* volumes that are no longer configured go first */
	for (i = 0; i < run->nvols; i++) {
		rv = &run->vols[i];
		if (conf_host_volume(ar->me, rv->number) || rv->minor < 0)
			continue;
		if (run_has_disk(rv))
			minor_cmd(p, "detach", rv->minor);
		minor_cmd(p, "del-minor", rv->minor);
	}
	for (i = 0; i < ar->me->nvols; i++) {
		v = ar->me->vols[i];
		rv = run_volume(run, v->number);
		if (rv && rv->minor >= 0 && rv->minor != v->minor) {
			/* a new minor: the old device goes */
			if (run_has_disk(rv))
				minor_cmd(p, "detach", rv->minor);
			minor_cmd(p, "del-minor", rv->minor);
			rv = NULL;
		}
		if (!rv) {
			new_minor_cmd(p, ar, v);
			if (adm_vol_has_disk(v))
				attach_cmd(p, ar, v, NULL);
			continue;
		}
		if (!adm_vol_has_disk(v)) {
			if (run_has_disk(rv))
				minor_cmd(p, "detach", v->minor);
			continue;
		}
		if (run_has_disk(rv) && !same_disk(v, rv))
			minor_cmd(p, "detach", v->minor);
		if (!run_has_disk(rv) || !same_disk(v, rv)) {
			attach_cmd(p, ar, v, NULL);
			continue;
		}
		if (changed_opts(p, NULL, ar, CONF_DISK, v, NULL,
				 &rv->disk_opts)) {
			c = setup(p, "disk-options");
			argf(c, "%d", v->minor);
			changed_opts(p, c, ar, CONF_DISK, v, NULL,
				     &rv->disk_opts);
		}
	}
}

static const struct run_conn *run_conn(const struct run_res *run, int id)
{
	size_t i;

	for (i = 0; i < run->nconns; i++)
		if ((int)run->conns[i].peer_node_id == id)
			return &run->conns[i];
	return NULL;
}

static bool is_standalone(const struct json *status, int id)
{
	const char *cs = status ? adm_state_conn(status, id) : NULL;

	return cs && !strcmp(cs, "StandAlone");
}

static void disconnect_cmd(struct adm_plan *p, const struct adm_res *ar,
			   int id)
{
	struct adm_cmd *c = setup(p, "disconnect");

	arg(c, ar->r->name);
	argf(c, "%d", id);
}

/*
 * Does adjust_volumes() delete a device? The kernel deletes a volume only
 * while no connection of its resource runs.
 */
static bool volumes_go(const struct adm_res *ar, const struct run_res *run)
{
	const struct run_volume *rv;
	const struct conf_volume *v;
	size_t i;

	for (i = 0; i < run->nvols; i++) {
		rv = &run->vols[i];
		if (rv->minor < 0)
			continue;
		v = conf_host_volume(ar->me, rv->number);
		if (!v || v->minor != rv->minor)
			return true;
	}
	return false;
}

/* @all_down: this plan disconnected every connection already */
static void adjust_connections(struct adm_plan *p, const struct adm_res *ar,
			       const struct run_res *run,
			       const struct json *status, bool all_down)
{
	const struct adm_peer *pe;
	const struct run_conn *rc;
	struct adm_cmd *c;
	char a[80];
	bool moved;
	size_t i, j;

	for (i = 0; i < run->nconns; i++) {
		rc = &run->conns[i];
		for (j = 0; j < ar->npeers; j++)
			if (ar->peers[j].node_id == (int)rc->peer_node_id)
				break;
		if (j == ar->npeers && !all_down &&
		    !is_standalone(status, (int)rc->peer_node_id))
			disconnect_cmd(p, ar, (int)rc->peer_node_id);
	}
	for (i = 0; i < ar->npeers; i++) {
		pe = &ar->peers[i];
		rc = run_conn(run, pe->node_id);
		if (!rc) {
			connect_cmd(p, ar, pe, NULL);
			continue;
		}
		if (!addresses_ok(p, ar, pe))
			return;
		moved = (rc->local_addr &&
			 strcmp(rc->local_addr,
				adm_addr_str(&pe->local, a, sizeof(a)))) ||
			(rc->peer_addr &&
			 strcmp(rc->peer_addr,
				adm_addr_str(&pe->remote, a, sizeof(a))));
		/*
		 * Another transport is a net option like the others: the
		 * kernel reconnects over it (net-options below). A
		 * StandAlone connection takes it with its connect.
		 */
		if (moved) {
			if (!all_down && !is_standalone(status, pe->node_id))
				disconnect_cmd(p, ar, pe->node_id);
			connect_cmd(p, ar, pe, NULL);
			continue;
		}
		if (all_down || is_standalone(status, pe->node_id)) {
			connect_cmd(p, ar, pe, NULL);
			continue;
		}
		if (changed_opts(p, NULL, ar, CONF_NET, NULL, pe, &rc->net)) {
			c = setup(p, "net-options");
			arg(c, ar->r->name);
			argf(c, "%d", pe->node_id);
			changed_opts(p, c, ar, CONF_NET, NULL, pe, &rc->net);
		}
	}
}

void adm_plan_adjust(struct adm_plan *p, const struct adm_res *ar,
		     const struct run_res *run, const struct json *status)
{
	struct adm_cmd *c;
	bool all_down;
	size_t i;

	if (!run) {
		plan_up(p, ar);
		return;
	}
	if (run->node_id >= 0 && run->node_id != ar->node_id) {
		plan_error(p, ADM_EXIT_RUNNING, "%s: the running resource has "
			   "node-id %d, the configuration gives %d: that cannot "
			   "change online (down, then up)", ar->r->name,
			   run->node_id, ar->node_id);
		return;
	}
	warn_unsupported(p, ar, CONF_OPTIONS);
	warn_unsupported(p, ar, CONF_DISK);
	warn_unsupported(p, ar, CONF_NET);
	if (changed_opts(p, NULL, ar, CONF_OPTIONS, NULL, NULL,
			 &run->options)) {
		c = setup(p, "resource-options");
		arg(c, ar->r->name);
		changed_opts(p, c, ar, CONF_OPTIONS, NULL, NULL, &run->options);
	}
	all_down = volumes_go(ar, run);
	if (all_down) {
		/* down for the deletion, connected again below */
		for (i = 0; i < run->nconns; i++)
			if (!is_standalone(status,
					   (int)run->conns[i].peer_node_id))
				disconnect_cmd(p, ar,
					       (int)run->conns[i].peer_node_id);
	}
	adjust_volumes(p, ar, run);
	adjust_connections(p, ar, run, status, all_down);
}

/* ------------------------------------------------------------------ */
/* Handler environment                                                  */
/* ------------------------------------------------------------------ */

static long env_num(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}

struct envb {
	char **v;
	size_t n;
};

static void env_add(struct envb *e, const char *name, const char *value)
{
	if (!value)
		return;
	e->v = xrealloc(e->v, (e->n + 3) * sizeof(char *));
	e->v[e->n++] = xasprintf("TANDEM_%s=%s", name, value);
	e->v[e->n++] = xasprintf("DRBD_%s=%s", name, value);
	e->v[e->n] = NULL;
}

char **adm_handler_env(const struct adm_res *ar, const char *conf_path,
		       const struct adm_handler_in *in, size_t *n)
{
	const struct conf_host *me = ar->me;
	const struct conf_volume *v = NULL;
	const struct adm_peer *pe = NULL;
	struct envb e = { 0 };
	char minor[24], vol[24], peer[24];
	long m = env_num(in->minor), vn = env_num(in->volume);
	long pid = env_num(in->peer_node_id);
	size_t i;

	if (me) {
		for (i = 0; m >= 0 && i < me->nvols; i++)
			if (me->vols[i]->minor == m)
				v = me->vols[i];
		if (!v && vn >= 0)
			v = conf_host_volume(me, (unsigned int)vn);
		if (!v && m < 0 && vn < 0 && me->nvols == 1)
			v = me->vols[0];
		for (i = 0; pid >= 0 && i < ar->npeers; i++)
			if (ar->peers[i].node_id == pid)
				pe = &ar->peers[i];
		if (!pe && pid < 0 && ar->npeers == 1)
			pe = &ar->peers[0];
	}
	env_add(&e, "RESOURCE", ar->r->name);
	if (m < 0 && v)
		snprintf(minor, sizeof(minor), "%d", v->minor);
	else
		snprintf(minor, sizeof(minor), "%s", in->minor ? in->minor : "");
	env_add(&e, "MINOR", minor[0] ? minor : NULL);
	if (vn < 0 && v)
		snprintf(vol, sizeof(vol), "%u", v->number);
	else
		snprintf(vol, sizeof(vol), "%s", in->volume ? in->volume : "");
	env_add(&e, "VOLUME", vol[0] ? vol : NULL);
	if (pid < 0 && pe)
		snprintf(peer, sizeof(peer), "%d", pe->node_id);
	else
		snprintf(peer, sizeof(peer), "%s",
			 in->peer_node_id ? in->peer_node_id : "");
	env_add(&e, "PEER_NODE_ID", peer[0] ? peer : NULL);
	env_add(&e, "CONF", conf_path);
	if (v && adm_vol_has_disk(v))
		env_add(&e, "BACKING_DEV", v->disk);
	if (pe) {
		env_add(&e, "PEER", pe->host->name);
		if (pe->remote.family) {
			env_add(&e, "PEER_ADDRESS", pe->remote.ip);
			env_add(&e, "PEER_AF", pe->remote.family == AF_INET6 ?
				"ipv6" : "ipv4");
		}
	}
	*n = e.n;
	if (!e.v)
		e.v = xrealloc(NULL, sizeof(char *));
	e.v[e.n] = NULL;
	return e.v;
}
