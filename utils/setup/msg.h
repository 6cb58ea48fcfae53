/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - building the netlink request of a parsed command line.
 * Uses libnl to lay out the message but never touches a socket, so the
 * unit tests can check every attribute.
 */
#ifndef TANDEM_SETUP_MSG_H
#define TANDEM_SETUP_MSG_H

#include <netlink/msg.h>

#include "setup/verbs.h"

/*
 * A new message for @req addressed to generic netlink family @family:
 * genl header (cmd, version TANDEM_GENL_API_VERSION), then the
 * attributes of the verb. Status/show/events give a dump request
 * (NLM_F_DUMP) with TANDEM_A_RESOURCE when RES was given.
 * Returns NULL when out of memory or when the message would not fit.
 */
struct nl_msg *ts_build_request(const struct ts_request *req, int family);

/* Put the options of @set (group @group) as one nested attribute. */
int ts_put_optset(struct nl_msg *msg, unsigned int group,
		  const struct ts_optset *set);

#endif
