// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - generic netlink family "tandem": configuration commands.
 *
 * Every command needs CAP_NET_ADMIN and runs under tandem_cfg_mutex.
 * Attributes are validated strictly by the policies below before a
 * handler sees them; handlers check what policies cannot (object
 * existence, ranges, states) and explain refusals through extack.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "tandem_int.h"
#include "uapi/tandem_version.h"

/* Policy min/max are s16: larger limits need a range structure. */
static struct netlink_range_validation a_volume_range = {
	.min = 0,
	.max = 65534,
};

static struct netlink_range_validation net_max_buffers_range = {
	.min = 32,
	.max = 131072,
};

static struct netlink_range_validation net_max_epoch_size_range = {
	.min = 1,
	.max = 20000,
};

static struct netlink_range_validation disk_resync_rate_range = {
	.min = 1,
	.max = 4 << 20,
};

static struct netlink_range_validation disk_c_max_rate_range = {
	.min = 250,
	.max = 4 << 20,
};

static struct netlink_range_validation disk_al_extents_range = {
	.min = 7,
	.max = 65534,
};

static struct netlink_range_validation net_sndbuf_size_range = {
	.min = 0,
	.max = 64 << 20,
};

static struct netlink_range_validation net_rcvbuf_size_range = {
	.min = 0,
	.max = 64 << 20,
};

static struct netlink_range_validation disk_c_fill_target_range = {
	.min = 0,
	.max = 1 << 20,
};

static struct netlink_range_validation disk_c_min_rate_range = {
	.min = 0,
	.max = 4 << 20,
};

static struct netlink_range_validation a_minor_range = {
	.min = 0,
	.max = TANDEM_MAX_MINORS - 1,
};

static const struct nla_policy net_policy[TANDEM_NET_MAX + 1] = {
	[TANDEM_NET_PROTOCOL]		= NLA_POLICY_RANGE(NLA_U32, TANDEM_PROT_A,
							   TANDEM_PROT_C),
	[TANDEM_NET_TRANSPORT]		= { .type = NLA_NUL_STRING,
					    .len = TANDEM_TRANSPORT_NAME_MAX - 1 },
	[TANDEM_NET_ALLOW_TWO_PRIMARIES] = NLA_POLICY_MAX(NLA_U8, 1),
	[TANDEM_NET_CRAM_HMAC_ALG]	= { .type = NLA_NUL_STRING,
					    .len = TANDEM_ALG_NAME_MAX - 1 },
	[TANDEM_NET_SHARED_SECRET]	= { .type = NLA_BINARY,
					    .len = TANDEM_SECRET_MAX },
	[TANDEM_NET_DATA_INTEGRITY_ALG]	= { .type = NLA_NUL_STRING,
					    .len = TANDEM_ALG_NAME_MAX - 1 },
	[TANDEM_NET_TIMEOUT]		= NLA_POLICY_RANGE(NLA_U32, 1, 600),
	[TANDEM_NET_CONNECT_INT]	= NLA_POLICY_RANGE(NLA_U32, 1, 120),
	[TANDEM_NET_PING_INT]		= NLA_POLICY_RANGE(NLA_U32, 1, 120),
	[TANDEM_NET_PING_TIMEOUT]	= NLA_POLICY_RANGE(NLA_U32, 1, 300),
	[TANDEM_NET_KO_COUNT]		= NLA_POLICY_RANGE(NLA_U32, 0, 200),
	[TANDEM_NET_SNDBUF_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &net_sndbuf_size_range),
	[TANDEM_NET_RCVBUF_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &net_rcvbuf_size_range),
	[TANDEM_NET_MAX_BUFFERS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &net_max_buffers_range),
	[TANDEM_NET_MAX_EPOCH_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &net_max_epoch_size_range),
	[TANDEM_NET_AFTER_SB_0PRI]	= { .type = NLA_U32 },
	[TANDEM_NET_AFTER_SB_1PRI]	= { .type = NLA_U32 },
	[TANDEM_NET_AFTER_SB_2PRI]	= { .type = NLA_U32 },
	[TANDEM_NET_VERIFY_ALG]		= { .type = NLA_NUL_STRING,
					    .len = TANDEM_ALG_NAME_MAX - 1 },
};

static const struct nla_policy disk_policy[TANDEM_DISK_MAX + 1] = {
	[TANDEM_DISK_RESYNC_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &disk_resync_rate_range),
	[TANDEM_DISK_C_PLAN_AHEAD]	= NLA_POLICY_MAX(NLA_U32, 300),
	[TANDEM_DISK_C_FILL_TARGET]	= NLA_POLICY_FULL_RANGE(NLA_U32, &disk_c_fill_target_range),
	[TANDEM_DISK_C_DELAY_TARGET]	= NLA_POLICY_RANGE(NLA_U32, 1, 100),
	[TANDEM_DISK_C_MAX_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &disk_c_max_rate_range),
	[TANDEM_DISK_C_MIN_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &disk_c_min_rate_range),
	[TANDEM_DISK_AL_EXTENTS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &disk_al_extents_range),
	[TANDEM_DISK_ON_IO_ERROR]	= NLA_POLICY_MAX(NLA_U32,
							 TANDEM_IOERR_CALL_HANDLER),
	[TANDEM_DISK_BARRIER]		= NLA_POLICY_MAX(NLA_U8, 1),
	[TANDEM_DISK_FLUSHES]		= NLA_POLICY_MAX(NLA_U8, 1),
	[TANDEM_DISK_MD_FLUSHES]	= NLA_POLICY_MAX(NLA_U8, 1),
	[TANDEM_DISK_RESYNC_AFTER]	= { .type = NLA_U32 },
	[TANDEM_DISK_TIMEOUT]		= NLA_POLICY_MAX(NLA_U32, 6000),
};

static const struct nla_policy res_policy[TANDEM_RES_MAX + 1] = {
	[TANDEM_RES_AUTO_PROMOTE]	= NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy tandem_policy[TANDEM_A_MAX + 1] = {
	[TANDEM_A_RESOURCE]	= { .type = NLA_NUL_STRING,
				    .len = TANDEM_RESOURCE_NAME_MAX - 1 },
	[TANDEM_A_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, TANDEM_NODE_ID_MAX - 1),
	[TANDEM_A_PEER_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, TANDEM_NODE_ID_MAX - 1),
	[TANDEM_A_MINOR]	= NLA_POLICY_FULL_RANGE(NLA_U32, &a_minor_range),
	[TANDEM_A_VOLUME]	= NLA_POLICY_FULL_RANGE(NLA_U32, &a_volume_range),
	[TANDEM_A_BACKING_DEV]	= { .type = NLA_NUL_STRING,
				    .len = TANDEM_PATH_MAX - 1 },
	[TANDEM_A_META_DEV]	= { .type = NLA_NUL_STRING,
				    .len = TANDEM_PATH_MAX - 1 },
	[TANDEM_A_META_INDEX]	= NLA_POLICY_RANGE(NLA_S32, -1, 1023),
	[TANDEM_A_LOCAL_ADDR]	= { .type = NLA_BINARY,
				    .len = sizeof(struct sockaddr_in6) },
	[TANDEM_A_PEER_ADDR]	= { .type = NLA_BINARY,
				    .len = sizeof(struct sockaddr_in6) },
	[TANDEM_A_FORCE]	= { .type = NLA_FLAG },
	[TANDEM_A_DISCARD_MY_DATA] = { .type = NLA_FLAG },
	[TANDEM_A_NET_OPTS]	= NLA_POLICY_NESTED(net_policy),
	[TANDEM_A_DISK_OPTS]	= NLA_POLICY_NESTED(disk_policy),
	[TANDEM_A_RES_OPTS]	= NLA_POLICY_NESTED(res_policy),
	[TANDEM_A_VERIFY_START]	= { .type = NLA_U64 },
	[TANDEM_A_SIZE]		= { .type = NLA_U64 },
};

static struct genl_family tandem_genl_family;
char tandem_nl_errbuf[256];

#define REQUIRE(info, attr, what)					\
	do {								\
		if (!(info)->attrs[attr]) {				\
			NL_SET_ERR_MSG_ATTR((info)->extack, NULL,	\
					    "missing " what);		\
			return -EINVAL;					\
		}							\
	} while (0)

static bool resource_name_ok(const char *name)
{
	const char *p;

	if (!*name)
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	return true;
}

static struct tandem_resource *nl_resource(struct genl_info *info)
{
	struct tandem_resource *r;

	if (!info->attrs[TANDEM_A_RESOURCE]) {
		NL_SET_ERR_MSG(info->extack, "missing resource name");
		return ERR_PTR(-EINVAL);
	}
	r = tandem_resource_find(nla_data(info->attrs[TANDEM_A_RESOURCE]));
	if (!r) {
		NL_SET_ERR_MSG(info->extack, "unknown resource");
		return ERR_PTR(-ENOENT);
	}
	return r;
}

static struct tandem_device *nl_device(struct genl_info *info)
{
	struct tandem_device *d;

	if (!info->attrs[TANDEM_A_MINOR]) {
		NL_SET_ERR_MSG(info->extack, "missing minor");
		return ERR_PTR(-EINVAL);
	}
	d = tandem_device_find(nla_get_u32(info->attrs[TANDEM_A_MINOR]));
	if (!d) {
		NL_SET_ERR_MSG(info->extack, "unknown minor");
		return ERR_PTR(-ENODEV);
	}
	return d;
}

static struct tandem_connection *nl_connection(struct genl_info *info,
						struct tandem_resource *r)
{
	struct tandem_connection *c;

	if (!info->attrs[TANDEM_A_PEER_NODE_ID]) {
		NL_SET_ERR_MSG(info->extack, "missing peer node id");
		return ERR_PTR(-EINVAL);
	}
	c = tandem_connection_find(r,
			nla_get_u32(info->attrs[TANDEM_A_PEER_NODE_ID]));
	if (!c) {
		NL_SET_ERR_MSG(info->extack, "no connection to that peer");
		return ERR_PTR(-ENOENT);
	}
	return c;
}

/* ---- options ------------------------------------------------------ */

static int parse_net_opts(struct nlattr *nest, struct tandem_net_opts *o,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TANDEM_NET_MAX + 1];
	int i, err;

	if (!nest)
		return 0;
	err = nla_parse_nested(tb, TANDEM_NET_MAX, nest, net_policy, extack);
	if (err)
		return err;
	if (tb[TANDEM_NET_PROTOCOL])
		o->protocol = nla_get_u32(tb[TANDEM_NET_PROTOCOL]);
	if (tb[TANDEM_NET_TRANSPORT]) {
		const char *name = nla_data(tb[TANDEM_NET_TRANSPORT]);

		if (!tandem_transport_name_valid(name)) {
			NL_SET_ERR_MSG(extack, "invalid transport name");
			return -EINVAL;
		}
		strscpy(o->transport, name, sizeof(o->transport));
	}
	if (tb[TANDEM_NET_ALLOW_TWO_PRIMARIES])
		o->two_primaries = nla_get_u8(tb[TANDEM_NET_ALLOW_TWO_PRIMARIES]);
	if (tb[TANDEM_NET_CRAM_HMAC_ALG])
		strscpy(o->hmac_alg, nla_data(tb[TANDEM_NET_CRAM_HMAC_ALG]),
			sizeof(o->hmac_alg));
	if (tb[TANDEM_NET_SHARED_SECRET]) {
		o->secret_len = nla_len(tb[TANDEM_NET_SHARED_SECRET]);
		memcpy(o->secret, nla_data(tb[TANDEM_NET_SHARED_SECRET]),
		       o->secret_len);
	}
	if (tb[TANDEM_NET_DATA_INTEGRITY_ALG])
		strscpy(o->integrity_alg,
			nla_data(tb[TANDEM_NET_DATA_INTEGRITY_ALG]),
			sizeof(o->integrity_alg));
	if (tb[TANDEM_NET_VERIFY_ALG])
		strscpy(o->verify_alg, nla_data(tb[TANDEM_NET_VERIFY_ALG]),
			sizeof(o->verify_alg));
	if (tb[TANDEM_NET_TIMEOUT])
		o->conf.timeout = nla_get_u32(tb[TANDEM_NET_TIMEOUT]);
	if (tb[TANDEM_NET_CONNECT_INT])
		o->conf.connect_int = nla_get_u32(tb[TANDEM_NET_CONNECT_INT]);
	if (tb[TANDEM_NET_PING_INT])
		o->ping_int = nla_get_u32(tb[TANDEM_NET_PING_INT]);
	if (tb[TANDEM_NET_PING_TIMEOUT])
		o->ping_timeout = nla_get_u32(tb[TANDEM_NET_PING_TIMEOUT]);
	if (tb[TANDEM_NET_KO_COUNT])
		o->ko_count = nla_get_u32(tb[TANDEM_NET_KO_COUNT]);
	if (tb[TANDEM_NET_SNDBUF_SIZE])
		o->conf.sndbuf_size = nla_get_u32(tb[TANDEM_NET_SNDBUF_SIZE]);
	if (tb[TANDEM_NET_RCVBUF_SIZE])
		o->conf.rcvbuf_size = nla_get_u32(tb[TANDEM_NET_RCVBUF_SIZE]);
	if (tb[TANDEM_NET_MAX_BUFFERS])
		o->conf.max_buffers = nla_get_u32(tb[TANDEM_NET_MAX_BUFFERS]);
	if (tb[TANDEM_NET_MAX_EPOCH_SIZE])
		o->conf.max_epoch_size =
			nla_get_u32(tb[TANDEM_NET_MAX_EPOCH_SIZE]);
	for (i = 0; i < 3; i++) {
		struct nlattr *a = tb[TANDEM_NET_AFTER_SB_0PRI + i];

		if (!a)
			continue;
		if (!tandem_asb_valid(i, nla_get_u32(a))) {
			TANDEM_SET_ERR(extack,
				       "after-sb-%dpri: %u is not a policy of this option",
				       i, nla_get_u32(a));
			return -EINVAL;
		}
		o->after_sb[i] = nla_get_u32(a);
	}

	if (o->hmac_alg[0] && !o->secret_len) {
		NL_SET_ERR_MSG(extack, "cram-hmac-alg needs a shared-secret");
		return -EINVAL;
	}
	if (o->ping_timeout >= o->ping_int * 10) {
		NL_SET_ERR_MSG(extack, "ping-timeout must be shorter than ping-int");
		return -EINVAL;
	}
	if (o->verify_alg[0] && tandem_verify_alg_check(o->verify_alg)) {
		TANDEM_SET_ERR(extack,
			       "verify-alg '%s' is not a hash this kernel offers (unkeyed, digest of at most 64 bytes, name under 32 characters)",
			       o->verify_alg);
		return -EINVAL;
	}
	if (o->integrity_alg[0]) {
		NL_SET_ERR_MSG(extack, "data-integrity-alg is not supported yet");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int check_resync_after(struct tandem_device *d,
			      const struct tandem_disk_opts *o,
			      struct netlink_ext_ack *extack);

static int parse_disk_opts(struct nlattr *nest, struct tandem_disk_opts *o,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TANDEM_DISK_MAX + 1];
	int err;

	if (!nest)
		return 0;
	err = nla_parse_nested(tb, TANDEM_DISK_MAX, nest, disk_policy, extack);
	if (err)
		return err;
	if (tb[TANDEM_DISK_RESYNC_RATE])
		o->resync_rate = nla_get_u32(tb[TANDEM_DISK_RESYNC_RATE]);
	if (tb[TANDEM_DISK_C_PLAN_AHEAD])
		o->c_plan_ahead = nla_get_u32(tb[TANDEM_DISK_C_PLAN_AHEAD]);
	if (tb[TANDEM_DISK_C_FILL_TARGET])
		o->c_fill_target = nla_get_u32(tb[TANDEM_DISK_C_FILL_TARGET]);
	if (tb[TANDEM_DISK_C_DELAY_TARGET])
		o->c_delay_target = nla_get_u32(tb[TANDEM_DISK_C_DELAY_TARGET]);
	if (tb[TANDEM_DISK_C_MAX_RATE])
		o->c_max_rate = nla_get_u32(tb[TANDEM_DISK_C_MAX_RATE]);
	if (tb[TANDEM_DISK_C_MIN_RATE])
		o->c_min_rate = nla_get_u32(tb[TANDEM_DISK_C_MIN_RATE]);
	if (tb[TANDEM_DISK_AL_EXTENTS])
		o->al_extents = nla_get_u32(tb[TANDEM_DISK_AL_EXTENTS]);
	if (tb[TANDEM_DISK_ON_IO_ERROR])
		o->on_io_error = nla_get_u32(tb[TANDEM_DISK_ON_IO_ERROR]);
	if (tb[TANDEM_DISK_BARRIER])
		o->disk_barrier = nla_get_u8(tb[TANDEM_DISK_BARRIER]);
	if (tb[TANDEM_DISK_FLUSHES])
		o->disk_flushes = nla_get_u8(tb[TANDEM_DISK_FLUSHES]);
	if (tb[TANDEM_DISK_MD_FLUSHES])
		o->md_flushes = nla_get_u8(tb[TANDEM_DISK_MD_FLUSHES]);
	if (tb[TANDEM_DISK_RESYNC_AFTER])
		o->resync_after = nla_get_u32(tb[TANDEM_DISK_RESYNC_AFTER]);
	if (tb[TANDEM_DISK_TIMEOUT])
		o->disk_timeout = nla_get_u32(tb[TANDEM_DISK_TIMEOUT]);
	return 0;
}

static int parse_addr(struct nlattr *a, struct sockaddr_storage *ss,
		      struct netlink_ext_ack *extack)
{
	int len = nla_len(a);
	sa_family_t family;

	memset(ss, 0, sizeof(*ss));
	if (len < (int)sizeof(sa_family_t))
		goto bad;
	memcpy(&family, nla_data(a), sizeof(family));
	if (family == AF_INET && len == sizeof(struct sockaddr_in)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		memcpy(sin, nla_data(a), len);
		if (!sin->sin_port || sin->sin_addr.s_addr == htonl(INADDR_ANY))
			goto bad;
		return 0;
	}
	if (family == AF_INET6 && len == sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		memcpy(sin6, nla_data(a), len);
		if (!sin6->sin6_port || ipv6_addr_any(&sin6->sin6_addr))
			goto bad;
		return 0;
	}
bad:
	NL_SET_ERR_MSG_ATTR(extack, a,
			    "bad address: need IPv4 or IPv6 address and port");
	return -EINVAL;
}

/* ---- commands ----------------------------------------------------- */

static int nl_new_resource(struct sk_buff *skb, struct genl_info *info)
{
	const char *name;

	REQUIRE(info, TANDEM_A_RESOURCE, "resource name");
	REQUIRE(info, TANDEM_A_NODE_ID, "node id");
	name = nla_data(info->attrs[TANDEM_A_RESOURCE]);
	if (!resource_name_ok(name)) {
		NL_SET_ERR_MSG(info->extack,
			       "resource names use letters, digits, '_', '-' and '.'");
		return -EINVAL;
	}
	if (tandem_resource_find(name)) {
		NL_SET_ERR_MSG(info->extack, "resource exists already");
		return -EEXIST;
	}
	if (!tandem_resource_create(name,
			nla_get_u32(info->attrs[TANDEM_A_NODE_ID])))
		return -ENOMEM;
	return 0;
}

static int nl_del_resource(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_resource *r = nl_resource(info);

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (!idr_is_empty(&r->devices) || !list_empty(&r->connections)) {
		NL_SET_ERR_MSG(info->extack,
			       "resource still has volumes or connections");
		return -EBUSY;
	}
	tandem_resource_destroy(r);
	return 0;
}

static int nl_new_minor(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_resource *r = nl_resource(info);
	struct tandem_device *d;
	unsigned int minor, volume;

	if (IS_ERR(r))
		return PTR_ERR(r);
	REQUIRE(info, TANDEM_A_MINOR, "minor");
	REQUIRE(info, TANDEM_A_VOLUME, "volume");
	minor = nla_get_u32(info->attrs[TANDEM_A_MINOR]);
	volume = nla_get_u32(info->attrs[TANDEM_A_VOLUME]);
	if (tandem_device_find(minor)) {
		NL_SET_ERR_MSG(info->extack, "minor in use");
		return -EEXIST;
	}
	if (tandem_device_by_volume(r, volume)) {
		NL_SET_ERR_MSG(info->extack, "volume exists already");
		return -EEXIST;
	}
	d = tandem_device_create(r, minor, volume);
	if (IS_ERR(d)) {
		NL_SET_ERR_MSG(info->extack, "cannot create the device");
		return PTR_ERR(d);
	}
	return 0;
}

static int nl_del_minor(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_device *d = nl_device(info);
	struct tandem_connection *c;

	if (IS_ERR(d))
		return PTR_ERR(d);
	if (d->disk_state != TANDEM_DS_DISKLESS) {
		NL_SET_ERR_MSG(info->extack, "detach the disk first");
		return -EBUSY;
	}
	if (d->open_count) {
		NL_SET_ERR_MSG(info->extack, "device is open");
		return -EBUSY;
	}
	/*
	 * A connection's threads find devices and walk their peer devices
	 * without a reference: a volume goes only while none runs.
	 */
	list_for_each_entry(c, &d->resource->connections, list) {
		if (tandem_connection_live(c)) {
			TANDEM_SET_ERR(info->extack,
				       "peer %u is connected or connecting: disconnect it first",
				       c->peer_node_id);
			return -EBUSY;
		}
	}
	/* Writes a peer has not confirmed yet still refer to the device. */
	if (!wait_event_timeout(d->interval_wait, !atomic_read(&d->reqs),
				10 * HZ)) {
		NL_SET_ERR_MSG(info->extack,
			       "writes not yet confirmed by a peer; disconnect it or retry");
		return -EBUSY;
	}
	tandem_device_destroy(d);
	return 0;
}

static int nl_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_device *d = nl_device(info);
	struct tandem_disk_opts opts;
	const char *meta = NULL;
	int index = -1, err;

	if (IS_ERR(d))
		return PTR_ERR(d);
	REQUIRE(info, TANDEM_A_BACKING_DEV, "backing device");
	if (d->disk_state != TANDEM_DS_DISKLESS) {
		NL_SET_ERR_MSG(info->extack, "a disk is attached already");
		return -EBUSY;
	}
	opts = d->opts;
	err = parse_disk_opts(info->attrs[TANDEM_A_DISK_OPTS], &opts,
			      info->extack);
	if (!err)
		err = check_resync_after(d, &opts, info->extack);
	if (err)
		return err;
	if (info->attrs[TANDEM_A_META_DEV]) {
		meta = nla_data(info->attrs[TANDEM_A_META_DEV]);
		if (!strcmp(meta, "internal"))
			meta = NULL;
	}
	if (info->attrs[TANDEM_A_META_INDEX])
		index = nla_get_s32(info->attrs[TANDEM_A_META_INDEX]);
	d->opts = opts;
	return tandem_attach(d, nla_data(info->attrs[TANDEM_A_BACKING_DEV]),
			     meta, index, info->extack);
}

static int nl_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_device *d = nl_device(info);
	bool served;

	if (IS_ERR(d))
		return PTR_ERR(d);
	if (d->disk_state == TANDEM_DS_DISKLESS)
		return 0;
	/* An open Primary goes on through a peer, if one has the data. */
	spin_lock_irq(&d->resource->lock);
	served = tandem_read_peer(d);
	spin_unlock_irq(&d->resource->lock);
	if (d->resource->role == TANDEM_ROLE_PRIMARY && d->open_count &&
	    !served) {
		NL_SET_ERR_MSG(info->extack,
			       "device is Primary and open, and no connected peer has UpToDate data: demote it first");
		return -EBUSY;
	}
	tandem_detach(d);
	return 0;
}

/* resync-after names an existing minor and forms no cycle. */
static int check_resync_after(struct tandem_device *d,
			      const struct tandem_disk_opts *o,
			      struct netlink_ext_ack *extack)
{
	u32 m = o->resync_after;
	int steps;

	for (steps = 0; m != TANDEM_NO_MINOR; steps++) {
		struct tandem_device *other;

		if (m == d->minor || steps > 64) {
			TANDEM_SET_ERR(extack,
				       "resync-after %u would make minor %u wait for itself",
				       o->resync_after, d->minor);
			return -EINVAL;
		}
		other = tandem_device_find(m);
		if (!other) {
			TANDEM_SET_ERR(extack, "resync-after: no minor %u", m);
			return -ENOENT;
		}
		m = other->opts.resync_after;
	}
	return 0;
}

static int nl_disk_opts(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_device *d = nl_device(info);
	struct tandem_disk_opts opts;
	int err;

	if (IS_ERR(d))
		return PTR_ERR(d);
	REQUIRE(info, TANDEM_A_DISK_OPTS, "disk options");
	opts = d->opts;
	err = parse_disk_opts(info->attrs[TANDEM_A_DISK_OPTS], &opts,
			      info->extack);
	if (!err)
		err = check_resync_after(d, &opts, info->extack);
	if (err)
		return err;
	d->opts = opts;	/* the resync thread reads the rate each tick */
	tandem_disk_timeout_start(d);
	tandem_nl_notify_device(d, TANDEM_EV_CHANGE);
	return 0;
}

static int nl_connect(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_resource *r = nl_resource(info);
	struct tandem_connection *c;
	struct tandem_net_opts opts;
	struct tandem_path path = {};
	u32 peer;
	bool created;
	int err;

	if (IS_ERR(r))
		return PTR_ERR(r);
	REQUIRE(info, TANDEM_A_PEER_NODE_ID, "peer node id");
	REQUIRE(info, TANDEM_A_LOCAL_ADDR, "local address");
	REQUIRE(info, TANDEM_A_PEER_ADDR, "peer address");
	peer = nla_get_u32(info->attrs[TANDEM_A_PEER_NODE_ID]);
	if (peer == r->node_id) {
		NL_SET_ERR_MSG(info->extack, "peer node id is our own");
		return -EINVAL;
	}
	err = parse_addr(info->attrs[TANDEM_A_LOCAL_ADDR], &path.my_addr,
			 info->extack);
	if (err)
		return err;
	err = parse_addr(info->attrs[TANDEM_A_PEER_ADDR], &path.peer_addr,
			 info->extack);
	if (err)
		return err;
	if (path.my_addr.ss_family != path.peer_addr.ss_family) {
		NL_SET_ERR_MSG(info->extack,
			       "local and peer address families differ");
		return -EINVAL;
	}
	path.active = r->node_id < peer;

	c = tandem_connection_find(r, peer);
	if (c && c->cstate != TANDEM_CS_STANDALONE) {
		NL_SET_ERR_MSG(info->extack, "already connected or connecting");
		return -EALREADY;
	}
	opts = c ? c->opts : (struct tandem_net_opts){};
	if (!c)
		tandem_net_opts_default(&opts);
	err = parse_net_opts(info->attrs[TANDEM_A_NET_OPTS], &opts,
			     info->extack);
	if (err)
		return err;

	created = !c;
	if (!c) {
		c = tandem_connection_create(r, peer);
		if (IS_ERR(c))
			return PTR_ERR(c);
	}
	c->opts = opts;
	c->path = path;
	c->discard_my_data = !!info->attrs[TANDEM_A_DISCARD_MY_DATA];
	err = tandem_connect(c);
	if (err) {
		TANDEM_SET_ERR(info->extack, "%s", c->last_error);
		if (created)
			tandem_connection_destroy(c);
	}
	return err;
}

static int nl_disconnect(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_resource *r = nl_resource(info);
	struct tandem_connection *c;

	if (IS_ERR(r))
		return PTR_ERR(r);
	c = nl_connection(info, r);
	if (IS_ERR(c))
		return PTR_ERR(c);
	/*
	 * The connection stays, StandAlone: its peer devices keep recording
	 * what the peer misses, and a later connect picks it up again.
	 */
	tandem_disconnect(c);
	return 0;
}

static int nl_net_opts(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_resource *r = nl_resource(info);
	struct tandem_connection *c;
	struct tandem_transport_class *tc;
	struct tandem_net_opts opts;
	bool proto_changed, switch_transport;
	int err;

	if (IS_ERR(r))
		return PTR_ERR(r);
	c = nl_connection(info, r);
	if (IS_ERR(c))
		return PTR_ERR(c);
	REQUIRE(info, TANDEM_A_NET_OPTS, "net options");
	opts = c->opts;
	err = parse_net_opts(info->attrs[TANDEM_A_NET_OPTS], &opts,
			     info->extack);
	if (err)
		return err;
	/*
	 * Another transport: the connection goes down and comes back over
	 * it (the peer must switch too); the bitmaps carry what was written
	 * meanwhile, so only that is resynced.
	 */
	switch_transport = strcmp(opts.transport, c->opts.transport) &&
			   c->cstate != TANDEM_CS_STANDALONE;
	if (switch_transport) {
		tc = tandem_transport_class_get(opts.transport);
		if (IS_ERR(tc)) {
			TANDEM_SET_ERR(info->extack,
				       "no transport \"%s\" (module tandem_transport_%s cannot be loaded)",
				       opts.transport, opts.transport);
			return PTR_ERR(tc);
		}
		tandem_transport_class_put(tc);
	} else {
		/*
		 * The worker replaces and frees c->transport under
		 * transport_sem (write): hold it so the instance stays.
		 */
		err = 0;
		down_read(&c->transport_sem);
		if (c->transport)
			err = c->transport->class->ops->net_conf_change(
					c->transport, &opts.conf);
		up_read(&c->transport_sem);
		if (err) {
			NL_SET_ERR_MSG(info->extack,
				       "the transport refused these options");
			return err;
		}
	}
	if (c->opts.two_primaries && !opts.two_primaries &&
	    READ_ONCE(r->role) == TANDEM_ROLE_PRIMARY &&
	    READ_ONCE(c->peer_role) == TANDEM_ROLE_PRIMARY) {
		NL_SET_ERR_MSG(info->extack,
			       "both nodes are Primary: demote one before allow-two-primaries goes off");
		return -EBUSY;
	}
	proto_changed = opts.protocol != c->opts.protocol ||
			opts.two_primaries != c->opts.two_primaries;
	spin_lock_irq(&r->lock);
	c->opts = opts;
	spin_unlock_irq(&r->lock);
	if (proto_changed) {
		pr_info("%s peer %u: protocol %c%s\n", r->name, c->peer_node_id,
			tandem_protocol_letter(opts.protocol),
			opts.two_primaries ? ", two primaries allowed" : "");
		if (c->cstate == TANDEM_CS_CONNECTED)
			tandem_send_net_opts(c);
	}
	if (switch_transport)
		tandem_conn_failed(c, TANDEM_CS_TEAR_DOWN,
				   "transport changed to %s: reconnecting",
				   opts.transport);
	tandem_nl_notify_connection(c, TANDEM_EV_CHANGE);
	return 0;
}

static int nl_role(struct genl_info *info, enum tandem_role role)
{
	struct tandem_resource *r = nl_resource(info);
	const char *why = NULL;
	int err;

	if (IS_ERR(r))
		return PTR_ERR(r);
	err = tandem_set_role(r, role, !!info->attrs[TANDEM_A_FORCE], &why);
	if (err && why) {
		TANDEM_SET_ERR(info->extack, "%s", why);
		pr_info("%s: %s refused: %s\n", r->name,
			role == TANDEM_ROLE_PRIMARY ? "primary" : "secondary",
			why);
	}
	return err;
}

static int nl_primary(struct sk_buff *skb, struct genl_info *info)
{
	return nl_role(info, TANDEM_ROLE_PRIMARY);
}

static int nl_secondary(struct sk_buff *skb, struct genl_info *info)
{
	return nl_role(info, TANDEM_ROLE_SECONDARY);
}

static int nl_down(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_resource *r = nl_resource(info);
	struct tandem_device *d;
	const char *why = NULL;
	int vnr, err;

	if (IS_ERR(r))
		return PTR_ERR(r);
	idr_for_each_entry(&r->devices, d, vnr) {
		if (d->open_count) {
			NL_SET_ERR_MSG(info->extack, "a device is open");
			return -EBUSY;
		}
	}
	err = tandem_set_role(r, TANDEM_ROLE_SECONDARY, false, &why);
	if (err) {
		TANDEM_SET_ERR(info->extack, "%s", why);
		return err;
	}
	tandem_resource_teardown(r);
	return 0;
}

/* ---- status and events -------------------------------------------- */

static int put_addr(struct sk_buff *skb, int type,
		    const struct sockaddr_storage *ss)
{
	size_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						 sizeof(struct sockaddr_in);

	return nla_put(skb, type, len, ss);
}

static int fill_net_opts(struct sk_buff *skb, const struct tandem_net_opts *o)
{
	struct nlattr *nest = nla_nest_start(skb, TANDEM_A_NET_OPTS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TANDEM_NET_PROTOCOL, o->protocol) ||
	    nla_put_string(skb, TANDEM_NET_TRANSPORT, o->transport) ||
	    nla_put_u8(skb, TANDEM_NET_ALLOW_TWO_PRIMARIES, o->two_primaries) ||
	    (o->hmac_alg[0] &&
	     nla_put_string(skb, TANDEM_NET_CRAM_HMAC_ALG, o->hmac_alg)) ||
	    (o->verify_alg[0] &&
	     nla_put_string(skb, TANDEM_NET_VERIFY_ALG, o->verify_alg)) ||
	    nla_put_u32(skb, TANDEM_NET_TIMEOUT, o->conf.timeout) ||
	    nla_put_u32(skb, TANDEM_NET_CONNECT_INT, o->conf.connect_int) ||
	    nla_put_u32(skb, TANDEM_NET_PING_INT, o->ping_int) ||
	    nla_put_u32(skb, TANDEM_NET_PING_TIMEOUT, o->ping_timeout) ||
	    nla_put_u32(skb, TANDEM_NET_KO_COUNT, o->ko_count) ||
	    nla_put_u32(skb, TANDEM_NET_SNDBUF_SIZE, o->conf.sndbuf_size) ||
	    nla_put_u32(skb, TANDEM_NET_RCVBUF_SIZE, o->conf.rcvbuf_size) ||
	    nla_put_u32(skb, TANDEM_NET_MAX_BUFFERS, o->conf.max_buffers) ||
	    nla_put_u32(skb, TANDEM_NET_MAX_EPOCH_SIZE, o->conf.max_epoch_size) ||
	    nla_put_u32(skb, TANDEM_NET_AFTER_SB_0PRI, o->after_sb[0]) ||
	    nla_put_u32(skb, TANDEM_NET_AFTER_SB_1PRI, o->after_sb[1]) ||
	    nla_put_u32(skb, TANDEM_NET_AFTER_SB_2PRI, o->after_sb[2]))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_disk_opts(struct sk_buff *skb,
			  const struct tandem_disk_opts *o)
{
	struct nlattr *nest = nla_nest_start(skb, TANDEM_A_DISK_OPTS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TANDEM_DISK_RESYNC_RATE, o->resync_rate) ||
	    nla_put_u32(skb, TANDEM_DISK_C_PLAN_AHEAD, o->c_plan_ahead) ||
	    nla_put_u32(skb, TANDEM_DISK_C_FILL_TARGET, o->c_fill_target) ||
	    nla_put_u32(skb, TANDEM_DISK_C_DELAY_TARGET, o->c_delay_target) ||
	    nla_put_u32(skb, TANDEM_DISK_C_MAX_RATE, o->c_max_rate) ||
	    nla_put_u32(skb, TANDEM_DISK_C_MIN_RATE, o->c_min_rate) ||
	    nla_put_u32(skb, TANDEM_DISK_AL_EXTENTS, o->al_extents) ||
	    nla_put_u32(skb, TANDEM_DISK_ON_IO_ERROR, o->on_io_error) ||
	    nla_put_u8(skb, TANDEM_DISK_BARRIER, o->disk_barrier) ||
	    nla_put_u8(skb, TANDEM_DISK_FLUSHES, o->disk_flushes) ||
	    nla_put_u8(skb, TANDEM_DISK_MD_FLUSHES, o->md_flushes) ||
	    nla_put_u32(skb, TANDEM_DISK_RESYNC_AFTER, o->resync_after) ||
	    nla_put_u32(skb, TANDEM_DISK_TIMEOUT, o->disk_timeout))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One status/event message per object. @obj points to a resource,
 * device, connection or peer device according to @kind.
 */
static int fill_obj(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		    u8 cmd, enum tandem_obj kind, void *obj,
		    enum tandem_event ev)
{
	struct tandem_resource *r;
	struct tandem_device *d = NULL;
	struct tandem_connection *c = NULL;
	struct tandem_peer_device *pd = NULL;
	struct nlattr *st;
	void *hdr;

	switch (kind) {
	case TANDEM_OBJ_RESOURCE:
		r = obj;
		break;
	case TANDEM_OBJ_DEVICE:
		d = obj;
		r = d->resource;
		break;
	case TANDEM_OBJ_CONNECTION:
		c = obj;
		r = c->resource;
		break;
	default:
		pd = obj;
		d = pd->device;
		c = pd->connection;
		r = d->resource;
		break;
	}

	hdr = genlmsg_put(skb, portid, seq, &tandem_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TANDEM_A_OBJ, kind) ||
	    (ev && nla_put_u32(skb, TANDEM_A_EVENT, ev)) ||
	    nla_put_string(skb, TANDEM_A_RESOURCE, r->name) ||
	    nla_put_u32(skb, TANDEM_A_NODE_ID, r->node_id))
		goto nla_fail;
	if (d && (nla_put_u32(skb, TANDEM_A_MINOR, d->minor) ||
		  nla_put_u32(skb, TANDEM_A_VOLUME, d->volume)))
		goto nla_fail;
	if (c && nla_put_u32(skb, TANDEM_A_PEER_NODE_ID, c->peer_node_id))
		goto nla_fail;
	if (kind == TANDEM_OBJ_CONNECTION &&
	    (put_addr(skb, TANDEM_A_LOCAL_ADDR, &c->path.my_addr) ||
	     put_addr(skb, TANDEM_A_PEER_ADDR, &c->path.peer_addr) ||
	     fill_net_opts(skb, &c->opts)))
		goto nla_fail;
	if (kind == TANDEM_OBJ_DEVICE &&
	    (fill_disk_opts(skb, &d->opts) ||
	     (d->backing_path[0] &&
	      (nla_put_string(skb, TANDEM_A_BACKING_DEV, d->backing_path) ||
	       nla_put_string(skb, TANDEM_A_META_DEV,
			      d->meta_path[0] ? d->meta_path : "internal") ||
	       nla_put_s32(skb, TANDEM_A_META_INDEX, d->meta_index)))))
		goto nla_fail;

	st = nla_nest_start(skb, TANDEM_A_STATE);
	if (!st)
		goto nla_fail;
	switch (kind) {
	case TANDEM_OBJ_RESOURCE:
		if (nla_put_u32(skb, TANDEM_ST_ROLE, r->role))
			goto nla_fail;
		break;
	case TANDEM_OBJ_DEVICE:
		if (nla_put_u32(skb, TANDEM_ST_DISK, d->disk_state) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_SIZE_SECT,
				      get_capacity(d->disk), TANDEM_ST_UNSPEC) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_WRITTEN_KIB,
				      atomic64_read(&d->written_kib),
				      TANDEM_ST_UNSPEC) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_READ_KIB,
				      atomic64_read(&d->read_kib),
				      TANDEM_ST_UNSPEC) ||
		    nla_put_u32(skb, TANDEM_ST_APP_PENDING,
				atomic_read(&d->ap_pending)) ||
		    (d->backing_path[0] &&
		     nla_put_string(skb, TANDEM_ST_BACKING_DEV,
				    d->backing_path)))
			goto nla_fail;
		break;
	case TANDEM_OBJ_CONNECTION:
		if (nla_put_u32(skb, TANDEM_ST_CONN, c->cstate) ||
		    nla_put_u32(skb, TANDEM_ST_PEER_ROLE, c->peer_role) ||
		    nla_put_u32(skb, TANDEM_ST_PROTOCOL, c->opts.protocol) ||
		    nla_put_string(skb, TANDEM_ST_TRANSPORT, c->opts.transport) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_SENT_KIB,
				      atomic64_read(&c->sent_kib),
				      TANDEM_ST_UNSPEC) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_RECV_KIB,
				      atomic64_read(&c->recv_kib),
				      TANDEM_ST_UNSPEC) ||
		    nla_put_u32(skb, TANDEM_ST_PENDING,
				atomic_read(&c->pending)) ||
		    nla_put_u32(skb, TANDEM_ST_UNACKED,
				atomic_read(&c->unacked)) ||
		    (c->last_error[0] &&
		     nla_put_string(skb, TANDEM_ST_LAST_ERROR, c->last_error)))
			goto nla_fail;
		break;
	default: {
		u64 oos, total;

		spin_lock_irq(&r->lock);
		oos = pd->oos_bits;
		total = pd->rs_total;
		spin_unlock_irq(&r->lock);
		if (nla_put_u32(skb, TANDEM_ST_REPL, pd->repl) ||
		    nla_put_u32(skb, TANDEM_ST_PEER_DISK, pd->peer_disk) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_OOS_KIB, oos * 4,
				      TANDEM_ST_UNSPEC) ||
		    nla_put_u64_64bit(skb, TANDEM_ST_SYNC_TOTAL_KIB, total * 4,
				      TANDEM_ST_UNSPEC) ||
		    nla_put_u32(skb, TANDEM_ST_SYNC_SPEED_KIBS, pd->rs_speed))
			goto nla_fail;
		break;
	}
	}
	nla_nest_end(skb, st);
	genlmsg_end(skb, hdr);
	return 0;

nla_fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Dump every object in a fixed order: resource, its devices, its
 * connections, its peer devices. cb->args[0] counts objects already sent.
 */
static int nl_get_status(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *dinfo = genl_dumpit_info(cb);
	struct nlattr *filter = dinfo->attrs[TANDEM_A_RESOURCE];
	long skip = cb->args[0], n = 0;
	struct tandem_resource *r;
	struct tandem_device *d;
	struct tandem_connection *c;
	struct tandem_peer_device *pd;
	u32 portid = NETLINK_CB(cb->skb).portid;
	u32 seq = cb->nlh->nlmsg_seq;
	int vnr, err = 0;

#define EMIT(kind, obj)							\
	do {								\
		if (n++ >= skip) {					\
			err = fill_obj(skb, portid, seq, NLM_F_MULTI,	\
				       TANDEM_CMD_GET_STATUS, kind, obj, 0); \
			if (err)					\
				goto out;				\
		}							\
	} while (0)

	mutex_lock(&tandem_cfg_mutex);
	list_for_each_entry(r, &tandem_resources, list) {
		if (filter && strcmp(nla_data(filter), r->name))
			continue;
		EMIT(TANDEM_OBJ_RESOURCE, r);
		idr_for_each_entry(&r->devices, d, vnr)
			EMIT(TANDEM_OBJ_DEVICE, d);
		list_for_each_entry(c, &r->connections, list)
			EMIT(TANDEM_OBJ_CONNECTION, c);
		idr_for_each_entry(&r->devices, d, vnr)
			list_for_each_entry(pd, &d->peer_devices, dev_list)
				EMIT(TANDEM_OBJ_PEER_DEVICE, pd);
	}
#undef EMIT
out:
	mutex_unlock(&tandem_cfg_mutex);
	cb->args[0] = n - (err ? 1 : 0);
	if (err && n - 1 == skip)	/* one object does not fit at all */
		return err;
	return skb->len;
}

static void notify(enum tandem_obj kind, void *obj, enum tandem_event ev)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&tandem_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_NOIO);
	if (!skb)
		return;
	if (fill_obj(skb, 0, 0, 0, TANDEM_CMD_EVENT, kind, obj, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast(&tandem_genl_family, skb, 0, 0, GFP_NOIO);
}

void tandem_nl_notify_resource(struct tandem_resource *r, enum tandem_event ev)
{
	notify(TANDEM_OBJ_RESOURCE, r, ev);
}

void tandem_nl_notify_device(struct tandem_device *d, enum tandem_event ev)
{
	notify(TANDEM_OBJ_DEVICE, d, ev);
}

void tandem_nl_notify_connection(struct tandem_connection *c,
				 enum tandem_event ev)
{
	notify(TANDEM_OBJ_CONNECTION, c, ev);
}

void tandem_nl_notify_peer_device(struct tandem_peer_device *pd,
				  enum tandem_event ev)
{
	notify(TANDEM_OBJ_PEER_DEVICE, pd, ev);
}

/* invalidate, invalidate-remote, pause-sync, resume-sync */
static int nl_sync_ctl(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_device *d = nl_device(info);
	u8 cmd = info->genlhdr->cmd;
	struct tandem_connection *c;
	struct tandem_peer_device *pd;

	if (IS_ERR(d))
		return PTR_ERR(d);
	if (cmd == TANDEM_CMD_INVALIDATE || cmd == TANDEM_CMD_INVALIDATE_REMOTE)
		return tandem_invalidate(d, cmd == TANDEM_CMD_INVALIDATE_REMOTE,
					 info->extack);
	REQUIRE(info, TANDEM_A_PEER_NODE_ID, "peer node id");
	c = tandem_connection_find(d->resource,
				   nla_get_u32(info->attrs[TANDEM_A_PEER_NODE_ID]));
	pd = c ? tandem_peer_device(d, c) : NULL;
	if (!pd) {
		TANDEM_SET_ERR(info->extack, "minor %u has no peer %u", d->minor,
			       nla_get_u32(info->attrs[TANDEM_A_PEER_NODE_ID]));
		return -ENOENT;
	}
	if (cmd == TANDEM_CMD_VERIFY)
		return tandem_verify_start(pd, info->attrs[TANDEM_A_VERIFY_START] ?
					   nla_get_u64(info->attrs[TANDEM_A_VERIFY_START]) : 0,
					   info->extack);
	return tandem_pause_sync(pd, cmd == TANDEM_CMD_PAUSE_SYNC,
				 info->extack);
}

/* resize MINOR [SIZE]: kernel/resize.c */
static int nl_resize(struct sk_buff *skb, struct genl_info *info)
{
	struct tandem_device *d = nl_device(info);

	if (IS_ERR(d))
		return PTR_ERR(d);
	return tandem_resize(d, info->attrs[TANDEM_A_SIZE] ?
			     nla_get_u64(info->attrs[TANDEM_A_SIZE]) : 0,
			     info->extack);
}

/* ---- family ------------------------------------------------------- */

static int pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
		    struct genl_info *info)
{
	mutex_lock(&tandem_cfg_mutex);
	return 0;
}

static void post_doit(const struct genl_ops *ops, struct sk_buff *skb,
		      struct genl_info *info)
{
	mutex_unlock(&tandem_cfg_mutex);
}

#define DOIT(c, fn) { .cmd = (c), .doit = (fn), .flags = GENL_ADMIN_PERM }

static const struct genl_small_ops tandem_ops[] = {
	DOIT(TANDEM_CMD_NEW_RESOURCE, nl_new_resource),
	DOIT(TANDEM_CMD_DEL_RESOURCE, nl_del_resource),
	DOIT(TANDEM_CMD_NEW_MINOR, nl_new_minor),
	DOIT(TANDEM_CMD_DEL_MINOR, nl_del_minor),
	DOIT(TANDEM_CMD_ATTACH, nl_attach),
	DOIT(TANDEM_CMD_DETACH, nl_detach),
	DOIT(TANDEM_CMD_DISK_OPTS, nl_disk_opts),
	DOIT(TANDEM_CMD_CONNECT, nl_connect),
	DOIT(TANDEM_CMD_DISCONNECT, nl_disconnect),
	DOIT(TANDEM_CMD_NET_OPTS, nl_net_opts),
	DOIT(TANDEM_CMD_PRIMARY, nl_primary),
	DOIT(TANDEM_CMD_SECONDARY, nl_secondary),
	DOIT(TANDEM_CMD_DOWN, nl_down),
	DOIT(TANDEM_CMD_INVALIDATE, nl_sync_ctl),
	DOIT(TANDEM_CMD_INVALIDATE_REMOTE, nl_sync_ctl),
	DOIT(TANDEM_CMD_PAUSE_SYNC, nl_sync_ctl),
	DOIT(TANDEM_CMD_RESUME_SYNC, nl_sync_ctl),
	DOIT(TANDEM_CMD_VERIFY, nl_sync_ctl),
	DOIT(TANDEM_CMD_RESIZE, nl_resize),
	{
		.cmd = TANDEM_CMD_GET_STATUS,
		.dumpit = nl_get_status,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tandem_mcgrps[] = {
	{ .name = TANDEM_GENL_MCGRP_EVENTS, },
};

static struct genl_family tandem_genl_family __ro_after_init = {
	.name		= TANDEM_GENL_NAME,
	.version	= TANDEM_GENL_API_VERSION,
	.maxattr	= TANDEM_A_MAX,
	.policy		= tandem_policy,
	.netnsok	= false,
	.module		= THIS_MODULE,
	.small_ops	= tandem_ops,
	.n_small_ops	= ARRAY_SIZE(tandem_ops),
	.mcgrps		= tandem_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tandem_mcgrps),
	.pre_doit	= pre_doit,
	.post_doit	= post_doit,
};

int tandem_nl_init(void)
{
	return genl_register_family(&tandem_genl_family);
}

void tandem_nl_exit(void)
{
	genl_unregister_family(&tandem_genl_family);
}
