/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - reading a status/event message into a struct ts_obj.
 */
#ifndef TANDEM_SETUP_OBJPARSE_H
#define TANDEM_SETUP_OBJPARSE_H

#include <linux/netlink.h>

#include "setup/obj.h"

/*
 * Read the attributes of a generic netlink message of the tandem family
 * (TANDEM_CMD_GET_STATUS reply or TANDEM_CMD_EVENT). Tolerant: an
 * attribute of an unexpected size is left out, attributes this build
 * does not know are ignored; numbers may come as u8/u16/u32/u64.
 * Returns 0, or -1 when the message has no genl header.
 */
int ts_obj_parse(const struct nlmsghdr *nlh, struct ts_obj *o);

#endif
