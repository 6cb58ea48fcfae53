// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - status/event message reader (libnl).
 */
#include <netinet/in.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "setup/objparse.h"

/* A number sent as u8, u16, u32 or u64; false for any other size. */
static bool get_num(const struct nlattr *a, uint64_t *out)
{
	switch (nla_len(a)) {
	case 1:
		*out = nla_get_u8((struct nlattr *)a);
		return true;
	case 2:
		*out = nla_get_u16((struct nlattr *)a);
		return true;
	case 4:
		*out = nla_get_u32((struct nlattr *)a);
		return true;
	case 8:
		*out = nla_get_u64((struct nlattr *)a);
		return true;
	}
	return false;
}

static bool get_u32(const struct nlattr *a, uint32_t *out)
{
	uint64_t v;

	if (!a || !get_num(a, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool get_str(const struct nlattr *a, char *buf, size_t len)
{
	if (!a)
		return false;
	nla_strlcpy(buf, a, len);
	return true;
}

static bool get_addr(const struct nlattr *a, struct ts_addr *out)
{
	const struct sockaddr *sa;
	size_t n;

	if (!a)
		return false;
	n = (size_t)nla_len(a);
	sa = nla_data(a);
	if (n < sizeof(sa_family_t) || n > sizeof(out->ss))
		return false;
	if (!(sa->sa_family == AF_INET && n >= sizeof(struct sockaddr_in)) &&
	    !(sa->sa_family == AF_INET6 && n >= sizeof(struct sockaddr_in6)))
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, sa, n);
	out->len = (socklen_t)n;
	return true;
}

static void parse_state(struct nlattr *nest, struct ts_obj *o)
{
	struct nlattr *tb[TANDEM_ST_MAX + 1];
	int i;

	if (nla_parse_nested(tb, TANDEM_ST_MAX, nest, NULL))
		return;
	for (i = 1; i <= TANDEM_ST_MAX && i < TS_ST_SLOTS; i++) {
		bool ok;

		if (!tb[i])
			continue;
		switch (i) {
		case TANDEM_ST_TRANSPORT:
			ok = get_str(tb[i], o->st_transport,
				     sizeof(o->st_transport));
			break;
		case TANDEM_ST_BACKING_DEV:
			ok = get_str(tb[i], o->st_backing_dev,
				     sizeof(o->st_backing_dev));
			break;
		case TANDEM_ST_LAST_ERROR:
			ok = get_str(tb[i], o->st_last_error,
				     sizeof(o->st_last_error));
			break;
		case TANDEM_ST_PEER_ADDR:
			ok = get_addr(tb[i], &o->st_peer_addr);
			break;
		default:
			ok = get_num(tb[i], &o->st[i]);
			break;
		}
		if (ok)
			o->st_have |= 1u << i;
	}
}

static void parse_opts(struct nlattr *nest, unsigned int group,
		       struct ts_optset *set)
{
	struct nlattr *tb[TS_OPT_SLOTS];
	const struct ts_optdef *d;
	size_t i, n;

	if (nla_parse_nested(tb, TS_OPT_SLOTS - 1, nest, NULL))
		return;
	d = ts_optdefs(&n);
	for (i = 0; i < n; i++) {
		struct nlattr *a = tb[d[i].attr];
		size_t len;

		if (d[i].group != group || !a)
			continue;
		switch (d[i].kind) {
		case TS_OPT_STRING:
		case TS_OPT_TRANSPORT:
			nla_strlcpy(set->s[d[i].attr], a, d[i].maxlen);
			set->len[d[i].attr] = (uint8_t)strlen(set->s[d[i].attr]);
			break;
		case TS_OPT_SECRET:	/* not expected back; keep it hidden */
			len = (size_t)nla_len(a);
			if (len > TANDEM_SECRET_MAX)
				continue;
			set->len[d[i].attr] = (uint8_t)len;
			break;
		default:
			if (!get_u32(a, &set->u[d[i].attr]))
				continue;
			break;
		}
		set->have |= 1u << d[i].attr;
	}
}

int ts_obj_parse(const struct nlmsghdr *nlh, struct ts_obj *o)
{
	struct nlattr *tb[TANDEM_A_MAX + 1];
	int i;

	memset(o, 0, sizeof(*o));
	o->event = TANDEM_EV_EXISTS;
	o->meta_index = -1;
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0) ||
	    genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, TANDEM_A_MAX, NULL))
		return -1;

	if (get_u32(tb[TANDEM_A_OBJ], &o->kind))
		o->have |= 1u << TANDEM_A_OBJ;
	if (get_u32(tb[TANDEM_A_EVENT], &o->event))
		o->have |= 1u << TANDEM_A_EVENT;
	if (get_str(tb[TANDEM_A_RESOURCE], o->resource, sizeof(o->resource)))
		o->have |= 1u << TANDEM_A_RESOURCE;
	if (get_u32(tb[TANDEM_A_NODE_ID], &o->node_id))
		o->have |= 1u << TANDEM_A_NODE_ID;
	if (get_u32(tb[TANDEM_A_PEER_NODE_ID], &o->peer_node_id))
		o->have |= 1u << TANDEM_A_PEER_NODE_ID;
	if (get_u32(tb[TANDEM_A_MINOR], &o->minor))
		o->have |= 1u << TANDEM_A_MINOR;
	if (get_u32(tb[TANDEM_A_VOLUME], &o->volume))
		o->have |= 1u << TANDEM_A_VOLUME;
	if (get_str(tb[TANDEM_A_BACKING_DEV], o->backing_dev,
		    sizeof(o->backing_dev)))
		o->have |= 1u << TANDEM_A_BACKING_DEV;
	if (get_str(tb[TANDEM_A_META_DEV], o->meta_dev, sizeof(o->meta_dev)))
		o->have |= 1u << TANDEM_A_META_DEV;
	if (tb[TANDEM_A_META_INDEX] && nla_len(tb[TANDEM_A_META_INDEX]) == 4) {
		o->meta_index = nla_get_s32(tb[TANDEM_A_META_INDEX]);
		o->have |= 1u << TANDEM_A_META_INDEX;
	}
	if (get_addr(tb[TANDEM_A_LOCAL_ADDR], &o->local_addr))
		o->have |= 1u << TANDEM_A_LOCAL_ADDR;
	if (get_addr(tb[TANDEM_A_PEER_ADDR], &o->peer_addr))
		o->have |= 1u << TANDEM_A_PEER_ADDR;
	if (tb[TANDEM_A_STATE]) {
		parse_state(tb[TANDEM_A_STATE], o);
		o->have |= 1u << TANDEM_A_STATE;
	}
	for (i = 0; i < TS_GRP_COUNT; i++) {
		int attr = ts_optgroup_attr((unsigned int)i);

		if (tb[attr]) {
			parse_opts(tb[attr], (unsigned int)i, &o->opts[i]);
			o->have |= 1u << attr;
		}
	}
	return 0;
}
