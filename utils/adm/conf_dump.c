// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file: the lookups of options as they apply,
 * and the dump normalized to current syntax. conf_int.h says what the
 * parser's files share; conf.h is the model.
 */
#include "adm/conf_int.h"

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
	const struct conf_host *h = cf_res_host(r, hostname);

	if (!h)
		cf_cerr(r->conf, &r->loc, "no 'on' section for host '%s' in resource "
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
	return value && !cf_parse_uint(value, UINT64_MAX, out) ? 0 : -1;
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

