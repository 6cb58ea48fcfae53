// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file: the checks over the whole file, once it
 * is parsed. conf_int.h says what the parser's files share; conf.h is the
 * model.
 */
#include "adm/conf_int.h"

/* ------------------------------------------------------------------ */
/* Whole-file checks                                                    */
/* ------------------------------------------------------------------ */

void cf_inherit_common(struct conf *c)
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
				cf_optset_insert(&r->opts[s], &o);
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
		cf_cerr(c, &o->loc, "resync-after: resource '%s' cannot resync "
		     "after itself", r->name);
	else if (!conf_find_resource(c, o->value))
		cf_cerr(c, &o->loc, "resync-after: no resource named '%s' (in "
		     "resource '%s')", o->value, r->name);
}

static void check_volumes(struct conf *c, const struct conf_resource *r,
			  const struct conf_host *h)
{
	const struct conf_volume *v;
	size_t i;

	if (!h->nvols)
		cf_cerr(c, &h->loc, "'on %s' in resource '%s' has no volume (no "
		     "device, disk, meta-disk)", h->name, r->name);
	for (i = 0; i < h->nvols; i++) {
		v = h->vols[i];
		if (v->minor < 0)
			cf_cerr(c, &v->loc, "volume %u of host '%s' in resource "
			     "'%s' has no 'device'", v->number, h->name,
			     r->name);
		if (!v->disk)
			cf_cerr(c, &v->loc, "volume %u of host '%s' in resource "
			     "'%s' has no 'disk'", v->number, h->name, r->name);
		else if (v->md == CONF_MD_UNSET && strcmp(v->disk, "none"))
			cf_cerr(c, &v->loc, "volume %u of host '%s' in resource "
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
				cf_cerr(c, &v->device_loc, "minor %d on host '%s' "
				     "(resource '%s' volume %u) is already "
				     "used by resource '%s' volume %u at %s",
				     v->minor, h->name, r->name, v->number,
				     r2->name, v2->number,
				     cf_where(&v2->device_loc, w, sizeof(w)));
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
			cf_cerr(c, &h->addr.loc, "address %s%s%s:%u of host '%s' "
			     "is already used by resource '%s' at %s",
			     h->addr.family == AF_INET6 ? "[" : "", h->addr.ip,
			     h->addr.family == AF_INET6 ? "]" : "",
			     h->addr.port, h->name, r2->name,
			     cf_where(&h2->addr.loc, w, sizeof(w)));
			return;
		}
	}
}

const struct conf_host *cf_res_host(const struct conf_resource *r,
					const char *name)
{
	size_t i;

	for (i = 0; i < r->nhosts; i++)
		if (!strcmp(r->hosts[i]->name, name))
			return r->hosts[i];
	return NULL;
}

void cf_check(struct conf *c)
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
				cf_cerr(c, &h->loc, "node-id %d of host '%s' is "
				     "already used by host '%s' in resource "
				     "'%s'", h->node_id, h->name, h2->name,
				     r->name);
				break;
			}
		}
		for (j = 0; j < r->nconns; j++) {
			cn = r->conns[j];
			for (k = 0; k < cn->npeers; k++)
				if (!cf_res_host(r, cn->peers[k].name))
					cf_cerr(c, &cn->peers[k].loc, "connection "
					     "names host '%s', which has no "
					     "'on' section in resource '%s'",
					     cn->peers[k].name, r->name);
		}
	}
}

