// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - generic netlink plumbing: family resolution, requests
 * with extended-ack messages, dumps, multicast.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "kernel/uapi/tandem_genl.h"
#include "setup/nl.h"
#include "setup/obj.h"
#include "setup/verbs.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int ts_nl_errno_exit(int err)
{
	if (err == -ENOENT || err == -ENODEV)
		return TS_EXIT_NOT_FOUND;
	return TS_EXIT_REFUSED;
}

int ts_nl_connect(struct ts_nl *nl, struct ts_err *e)
{
	int one = 1, err;

	nl->family = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return ts_fail(e, "out of memory"), TS_EXIT_NETLINK;
	err = genl_connect(nl->sk);
	if (err < 0) {
		ts_fail(e, "netlink: cannot open a generic netlink socket: %s",
			nl_geterror(err));
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return TS_EXIT_NETLINK;
	}
	/* the kernel's error text, without a copy of our request */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl_socket_enable_msg_peek(nl->sk);
	return TS_EXIT_OK;
}

int ts_nl_open(struct ts_nl *nl, struct ts_err *e)
{
	int code = ts_nl_connect(nl, e);

	if (code)
		return code;
	nl->family = genl_ctrl_resolve(nl->sk, TANDEM_GENL_NAME);
	if (nl->family >= 0)
		return TS_EXIT_OK;
	if (nl->family == -NLE_OBJ_NOTFOUND)
		ts_fail(e, TS_MSG_NO_MODULE);
	else
		ts_fail(e, "netlink: looking up family \"%s\": %s",
			TANDEM_GENL_NAME, nl_geterror(nl->family));
	ts_nl_close(nl);
	return TS_EXIT_NETLINK;
}

void ts_nl_close(struct ts_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct reply {
	bool done;
	int err;			/* negative errno, 0 */
	char msg[TS_ERRMSG_MAX];	/* extack message */
	ts_nl_fn fn;
	void *arg;
	bool fn_failed;
};

/* NLMSGERR_ATTR_MSG among the TLVs at @off bytes into @nlh's payload. */
static void extack_text(const struct nlmsghdr *nlh, size_t off, char *buf,
			size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN || off >= payload)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)NLMSG_DATA(nlh) + off),
		      (int)(payload - off), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(buf, tb[NLMSGERR_ATTR_MSG], len);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct reply *r = arg;
	/* libnl hands us the payload of the NLMSG_ERROR message */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)err - NLMSG_HDRLEN);
	size_t off = sizeof(*err);

	(void)who;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off = NLMSG_ALIGN(off + err->msg.nlmsg_len - NLMSG_HDRLEN);
	r->err = err->error;
	extack_text(nlh, off, r->msg, sizeof(r->msg));
	r->done = true;
	return NL_STOP;
}

/* A success ack may carry a message too (resize says what it did). */
static int on_ack(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct reply *r = arg;
	size_t off = sizeof(struct nlmsgerr);

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + off) {
		const struct nlmsgerr *err = NLMSG_DATA(nlh);

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off = NLMSG_ALIGN(off + err->msg.nlmsg_len -
					  NLMSG_HDRLEN);
		extack_text(nlh, off, r->msg, sizeof(r->msg));
	}
	r->done = true;
	return NL_STOP;
}

/* End of a dump: NLMSG_DONE carries the dump's errno (and extack). */
static int on_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct reply *r = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(err)) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			r->err = err;
			extack_text(nlh, NLMSG_ALIGN(sizeof(err)), r->msg,
				    sizeof(r->msg));
		}
	}
	r->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	if (!r->fn)
		return NL_OK;
	if (r->fn(nlmsg_hdr(msg), r->arg)) {
		r->fn_failed = true;
		return NL_STOP;
	}
	return NL_OK;
}

static struct nl_cb *reply_cb(struct reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	return cb;
}

/* Send @msg, then receive until acked, finished or failed. */
static int transact(struct ts_nl *nl, struct nl_msg *msg, struct reply *r,
		    struct ts_err *e)
{
	struct nl_cb *cb = reply_cb(r);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return ts_fail(e, "out of memory"), TS_EXIT_NETLINK;
	}
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return ts_fail(e, "netlink: sending the request: %s",
			       nl_geterror(ret)), TS_EXIT_NETLINK;
	}
	while (!r->done && !r->fn_failed) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r->done && !r->fn_failed) {
			nl_cb_put(cb);
			return ts_fail(e, "netlink: receiving the reply: %s",
				       nl_geterror(ret)), TS_EXIT_NETLINK;
		}
	}
	nl_cb_put(cb);
	if (r->fn_failed)
		return ts_fail(e, "out of memory"), TS_EXIT_NETLINK;
	if (r->err < 0) {
		if (r->msg[0])
			ts_fail(e, "%s", r->msg);
		else
			ts_fail(e, "%s", strerror(-r->err));
		return ts_nl_errno_exit(r->err);
	}
	e->msg[0] = '\0';
	if (r->msg[0])
		ts_fail(e, "%s", r->msg);	/* informational */
	return TS_EXIT_OK;
}

int ts_nl_request(struct ts_nl *nl, struct nl_msg *msg, struct ts_err *e)
{
	struct reply r = { 0 };

	return transact(nl, msg, &r, e);
}

int ts_nl_dump(struct ts_nl *nl, struct nl_msg *msg, ts_nl_fn fn, void *arg,
	       struct ts_err *e)
{
	struct reply r = { 0 };

	r.fn = fn;
	r.arg = arg;
	return transact(nl, msg, &r, e);
}

int ts_nl_subscribe(struct ts_nl *nl, const char *group, struct ts_err *e)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(nl->sk, TANDEM_GENL_NAME, group);
	if (grp == -NLE_OBJ_NOTFOUND)
		return ts_fail(e, "netlink: family \"%s\" has no multicast "
			       "group \"%s\"", TANDEM_GENL_NAME, group),
		       TS_EXIT_NETLINK;
	if (grp < 0)
		return ts_fail(e, "netlink: looking up group \"%s\": %s", group,
			       nl_geterror(grp)), TS_EXIT_NETLINK;
	/* room for bursts of events while we print */
	nl_socket_set_buffer_size(nl->sk, 4 << 20, 0);
	err = nl_socket_add_membership(nl->sk, grp);
	if (err < 0)
		return ts_fail(e, "netlink: joining group \"%s\": %s", group,
			       nl_geterror(err)), TS_EXIT_NETLINK;
	return TS_EXIT_OK;
}

struct listen_state {
	ts_nl_fn fn;
	void *arg;
	bool stop;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct listen_state *ls = arg;

	if (ls->fn(nlmsg_hdr(msg), ls->arg)) {
		ls->stop = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int ts_nl_listen(struct ts_nl *nl, ts_nl_fn fn, void *arg, struct ts_err *e)
{
	struct listen_state ls = { fn, arg, false };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = 0;

	if (!cb)
		return ts_fail(e, "out of memory"), TS_EXIT_NETLINK;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &ls);
	/* multicast messages carry no sequence number of ours */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	while (!ls.stop) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !ls.stop)
			break;
	}
	nl_cb_put(cb);
	if (ls.stop)
		return TS_EXIT_OK;
	if (ret == -NLE_NOMEM)
		return ts_fail(e, "events were lost: the receive buffer "
			       "overflowed (%s)", nl_geterror(ret)),
		       TS_EXIT_NETLINK;
	return ts_fail(e, "netlink: receiving events: %s", nl_geterror(ret)),
	       TS_EXIT_NETLINK;
}
