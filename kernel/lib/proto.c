// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - wire protocol version agreement.
 */
#include "tandem_lib.h"

u32 tandem_proto_agree(const struct tandem_proto_range *mine,
		       const struct tandem_proto_range *peer)
{
	u32 lo, hi;

	if (!mine->min || mine->min > mine->max)
		return 0;
	if (!peer->min || peer->min > peer->max)
		return 0;
	lo = mine->min > peer->min ? mine->min : peer->min;
	hi = mine->max < peer->max ? mine->max : peer->max;
	return lo <= hi ? hi : 0;
}
