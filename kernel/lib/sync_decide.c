// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - which way to resync after two nodes connect (pure logic).
 */
#include "../uapi/tandem_genl.h"
#include "sync_decide.h"

static bool has_data(u32 ds)
{
	return ds == TANDEM_DS_OUTDATED || ds == TANDEM_DS_CONSISTENT ||
	       ds == TANDEM_DS_UPTODATE;
}

static bool usable(u32 ds)
{
	return ds == TANDEM_DS_INCONSISTENT || has_data(ds);
}

/* Does @u (non-zero) appear among a node's generations? */
static bool known(u64 u, u64 current, u64 bitmap, const u64 *history)
{
	int i;

	if (!u)
		return false;
	if (u == current || u == bitmap)
		return true;
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		if (u == history[i])
			return true;
	return false;
}

static bool related(const struct tandem_sync_facts *f)
{
	int i;

	if (known(f->my_current, f->peer_current, f->peer_bitmap,
		  f->peer_history) ||
	    known(f->my_bitmap, f->peer_current, f->peer_bitmap,
		  f->peer_history))
		return true;
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		if (known(f->my_history[i], f->peer_current, f->peer_bitmap,
			  f->peer_history))
			return true;
	return false;
}

bool tandem_sync_sb_bitmap(const struct tandem_sync_facts *f)
{
	return f->my_bitmap && f->my_bitmap == f->peer_bitmap;
}

enum tandem_sync_decision tandem_sync_decide(const struct tandem_sync_facts *f)
{
	bool ahead, behind;

	if (!usable(f->my_disk) || !usable(f->peer_disk))
		return TANDEM_SYNC_NONE;
	if (f->my_disk == TANDEM_DS_UPTODATE &&
	    f->peer_disk == TANDEM_DS_INCONSISTENT)
		return f->peer_sync_from &&
		       (f->peer_sync_from == f->my_current ||
			f->peer_sync_from == f->my_bitmap) ?
		       TANDEM_SYNC_BITMAP_SOURCE : TANDEM_SYNC_FULL_SOURCE;
	if (f->peer_disk == TANDEM_DS_UPTODATE &&
	    f->my_disk == TANDEM_DS_INCONSISTENT)
		return f->my_sync_from &&
		       (f->my_sync_from == f->peer_current ||
			f->my_sync_from == f->peer_bitmap) ?
		       TANDEM_SYNC_BITMAP_TARGET : TANDEM_SYNC_FULL_TARGET;
	if (!has_data(f->my_disk) || !has_data(f->peer_disk))
		return TANDEM_SYNC_NONE;

	if (f->my_current == f->peer_current) {
		if (f->my_crashed && (!f->peer_crashed || f->my_node_lower))
			return TANDEM_SYNC_BITMAP_SOURCE;
		if (f->peer_crashed)
			return TANDEM_SYNC_BITMAP_TARGET;
		/* Online verify found blocks that differ: its source wins. */
		if (f->my_verified && (!f->peer_verified || f->my_node_lower))
			return TANDEM_SYNC_BITMAP_SOURCE;
		if (f->peer_verified)
			return TANDEM_SYNC_BITMAP_TARGET;
		return TANDEM_SYNC_NONE;
	}
	ahead = f->my_bitmap && f->my_bitmap == f->peer_current &&
		f->my_disk == TANDEM_DS_UPTODATE;
	behind = f->peer_bitmap && f->peer_bitmap == f->my_current &&
		 f->peer_disk == TANDEM_DS_UPTODATE;
	if (ahead && !behind)
		return TANDEM_SYNC_BITMAP_SOURCE;
	if (behind && !ahead)
		return TANDEM_SYNC_BITMAP_TARGET;
	if (!related(f))
		return TANDEM_SYNC_UNRELATED;
	if (f->my_discard && !f->peer_discard)
		return tandem_sync_sb_bitmap(f) ? TANDEM_SYNC_BITMAP_TARGET :
						  TANDEM_SYNC_FULL_TARGET;
	if (f->peer_discard && !f->my_discard)
		return tandem_sync_sb_bitmap(f) ? TANDEM_SYNC_BITMAP_SOURCE :
						  TANDEM_SYNC_FULL_SOURCE;
	return TANDEM_SYNC_SPLIT_BRAIN;
}

const char *tandem_sync_decision_name(enum tandem_sync_decision d)
{
	switch (d) {
	case TANDEM_SYNC_NONE:
		return "none";
	case TANDEM_SYNC_FULL_SOURCE:
		return "full sync as source";
	case TANDEM_SYNC_FULL_TARGET:
		return "full sync as target";
	case TANDEM_SYNC_BITMAP_SOURCE:
		return "bitmap resync as source";
	case TANDEM_SYNC_BITMAP_TARGET:
		return "bitmap resync as target";
	case TANDEM_SYNC_SPLIT_BRAIN:
		return "split brain";
	case TANDEM_SYNC_UNRELATED:
		return "unrelated data";
	}
	return "?";
}
