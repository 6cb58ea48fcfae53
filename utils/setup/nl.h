/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - talking to the "tandem" generic netlink family (libnl).
 * Every function returns an exit code of verbs.h (TS_EXIT_OK,
 * TS_EXIT_REFUSED, TS_EXIT_NOT_FOUND, TS_EXIT_NETLINK) and, when it is
 * not TS_EXIT_OK, leaves the text to print in @e: the kernel's extack
 * message, or strerror() of its errno, or what failed in netlink.
 */
#ifndef TANDEM_SETUP_NL_H
#define TANDEM_SETUP_NL_H

#include <linux/netlink.h>
#include <netlink/msg.h>

#include "setup/parse.h"

struct ts_nl {
	struct nl_sock *sk;
	int family;
};

#define TS_MSG_NO_MODULE \
	"tandem kernel module not loaded (no generic netlink family \"tandem\")"

/* Connect and resolve the family. */
int ts_nl_open(struct ts_nl *nl, struct ts_err *e);
/* Only the socket (extended acks on); @nl->family is left at -1. */
int ts_nl_connect(struct ts_nl *nl, struct ts_err *e);
void ts_nl_close(struct ts_nl *nl);

/* Map a negative errno from the kernel to an exit code. */
int ts_nl_errno_exit(int err);

/* Send @msg (consumed) and wait for its ack. */
int ts_nl_request(struct ts_nl *nl, struct nl_msg *msg, struct ts_err *e);

/*
 * Send the dump request @msg (consumed) and call @fn for every reply
 * message until the dump ends; @fn returns 0, or -1 to fail (out of
 * memory: TS_EXIT_NETLINK).
 */
typedef int (*ts_nl_fn)(const struct nlmsghdr *nlh, void *arg);
int ts_nl_dump(struct ts_nl *nl, struct nl_msg *msg, ts_nl_fn fn, void *arg,
	       struct ts_err *e);

/* Join multicast group @group of the family. */
int ts_nl_subscribe(struct ts_nl *nl, const char *group, struct ts_err *e);

/* Call @fn for every message received, until @fn returns non-zero
 * (then TS_EXIT_OK) or receiving fails. */
int ts_nl_listen(struct ts_nl *nl, ts_nl_fn fn, void *arg, struct ts_err *e);

#endif
