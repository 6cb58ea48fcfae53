// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - netlink request building.
 */
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kernel/uapi/tandem_version.h"
#include "setup/msg.h"

int ts_put_optset(struct nl_msg *msg, unsigned int group,
		  const struct ts_optset *set)
{
	const struct ts_optdef *d;
	struct nlattr *nest;
	size_t i, n;
	int err = 0;

	/* libnl drops an empty nest at nla_nest_end(); keep it, marked */
	if (!set->have)
		return nla_put(msg, ts_optgroup_attr(group) | NLA_F_NESTED, 0,
			       NULL) ? -1 : 0;
	nest = nla_nest_start(msg, ts_optgroup_attr(group));
	if (!nest)
		return -1;
	d = ts_optdefs(&n);
	for (i = 0; i < n && !err; i++) {
		if (d[i].group != group || !ts_opt_has(set, &d[i]))
			continue;
		switch (d[i].kind) {
		case TS_OPT_BOOL:
			err = nla_put_u8(msg, d[i].attr,
					 (uint8_t)set->u[d[i].attr]);
			break;
		case TS_OPT_STRING:
		case TS_OPT_TRANSPORT:
			err = nla_put_string(msg, d[i].attr, set->s[d[i].attr]);
			break;
		case TS_OPT_SECRET:
			err = nla_put(msg, d[i].attr, set->len[d[i].attr],
				      set->s[d[i].attr]);
			break;
		default:
			err = nla_put_u32(msg, d[i].attr, set->u[d[i].attr]);
			break;
		}
	}
	if (err)
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_args(struct nl_msg *msg, const struct ts_request *req)
{
	const struct ts_verb *v = req->verb;
	unsigned int i;

	for (i = 0; i < (unsigned int)v->nargs + v->nopt; i++) {
		int err = 0;

		switch (v->args[i]) {
		case TS_ARG_RES:
			if (req->have_resource)
				err = nla_put_string(msg, TANDEM_A_RESOURCE,
						     req->resource);
			break;
		case TS_ARG_NODE_ID:
			err = nla_put_u32(msg, TANDEM_A_NODE_ID, req->node_id);
			break;
		case TS_ARG_PEER_NODE_ID:
			err = nla_put_u32(msg, TANDEM_A_PEER_NODE_ID,
					  req->peer_node_id);
			break;
		case TS_ARG_MINOR:
			err = nla_put_u32(msg, TANDEM_A_MINOR, req->minor);
			break;
		case TS_ARG_VOLUME:
			err = nla_put_u32(msg, TANDEM_A_VOLUME, req->volume);
			break;
		case TS_ARG_BACKING_DEV:
			err = nla_put_string(msg, TANDEM_A_BACKING_DEV,
					     req->backing_dev);
			break;
		case TS_ARG_META_DEV:
			err = nla_put_string(msg, TANDEM_A_META_DEV,
					     req->meta_dev);
			break;
		case TS_ARG_META_INDEX:
			err = nla_put_s32(msg, TANDEM_A_META_INDEX,
					  req->meta_index);
			break;
		case TS_ARG_LOCAL_ADDR:
			err = nla_put(msg, TANDEM_A_LOCAL_ADDR,
				      (int)req->local_addr.len,
				      &req->local_addr.ss);
			break;
		case TS_ARG_PEER_ADDR:
			err = nla_put(msg, TANDEM_A_PEER_ADDR,
				      (int)req->peer_addr.len,
				      &req->peer_addr.ss);
			break;
		case TS_ARG_RATE:
			break;	/* in the disk options */
		case TS_ARG_START:
			err = nla_put_u64(msg, TANDEM_A_VERIFY_START,
					  req->start_sector);
			break;
		}
		if (err)
			return -1;
	}
	return 0;
}

static const uint8_t opts_cmd[TS_GRP_COUNT] = {
	[TS_GRP_NET] = TANDEM_CMD_NET_OPTS,
	[TS_GRP_DISK] = TANDEM_CMD_DISK_OPTS,
	[TS_GRP_RES] = TANDEM_CMD_RES_OPTS,
};

struct nl_msg *ts_build_request(const struct ts_request *req, int family)
{
	const struct ts_verb *v = req->verb;
	bool dump = v->action != TS_ACT_REQUEST;
	struct nl_msg *msg;
	unsigned int g;

	msg = nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, v->cmd,
			 TANDEM_GENL_API_VERSION))
		goto fail;
	if (put_args(msg, req))
		goto fail;
	/*
	 * An option nest goes out when options of its group were given, and
	 * always (possibly empty) with the command that changes them.
	 */
	for (g = 0; g < TS_GRP_COUNT; g++)
		if ((req->opts[g].have || v->cmd == opts_cmd[g]) &&
		    ts_put_optset(msg, g, &req->opts[g]))
			goto fail;
	if (req->force && nla_put_flag(msg, TANDEM_A_FORCE))
		goto fail;
	if (req->discard_my_data && nla_put_flag(msg, TANDEM_A_DISCARD_MY_DATA))
		goto fail;
	if (req->have_size && nla_put_u64(msg, TANDEM_A_SIZE, req->size_sect))
		goto fail;
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}
