/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - which way to resync after two nodes connect (pure logic).
 */
#ifndef _TANDEM_SYNC_DECIDE_H
#define _TANDEM_SYNC_DECIDE_H

#include "tandem_lib.h"
#include "../uapi/tandem_meta.h"

enum tandem_sync_decision {
	TANDEM_SYNC_NONE,		/* in sync, or nothing can be done */
	TANDEM_SYNC_FULL_SOURCE,	/* we send everything */
	TANDEM_SYNC_FULL_TARGET,	/* we receive everything */
	TANDEM_SYNC_BITMAP_SOURCE,	/* we send the blocks in our bitmap */
	TANDEM_SYNC_BITMAP_TARGET,	/* we receive the blocks in the peer's */
	TANDEM_SYNC_SPLIT_BRAIN,	/* both changed the data independently */
	TANDEM_SYNC_UNRELATED,		/* the two disks share no history */
};

/**
 * struct tandem_sync_facts - what one node knows after the state exchange
 * @my_disk: our enum tandem_disk_state
 * @peer_disk: the peer's
 * @my_current: our current generation
 * @my_bitmap: our bitmap generation towards this peer (0: none)
 * @my_history: our older generations
 * @peer_current: the peer's current generation
 * @peer_bitmap: the peer's bitmap generation towards us (0: none)
 * @peer_history: the peer's older generations
 * @my_crashed: we were Primary and did not demote cleanly
 * @peer_crashed: the same of the peer
 * @my_verified: an online verify we ran as source found blocks that
 *               differ; they are marked in both nodes' bitmaps
 * @peer_verified: the same of the peer
 * @my_node_lower: our node id is lower than the peer's (tie-breaks)
 * @my_discard: we connected with --discard-my-data
 * @peer_discard: the peer did
 * @my_sync_from: we are Inconsistent from a resync as target of this
 *                peer that did not finish; the peer's generation when it
 *                began (0: none)
 * @peer_sync_from: the same of the peer, towards us
 */
struct tandem_sync_facts {
	u32 my_disk;
	u32 peer_disk;
	u64 my_current;
	u64 my_bitmap;
	u64 my_history[TANDEM_MD_HISTORY];
	u64 peer_current;
	u64 peer_bitmap;
	u64 peer_history[TANDEM_MD_HISTORY];
	bool my_crashed;
	bool peer_crashed;
	bool my_verified;
	bool peer_verified;
	bool my_node_lower;
	bool my_discard;
	bool peer_discard;
	u64 my_sync_from;
	u64 peer_sync_from;
};

/**
 * tandem_sync_decide() - the resync decision of one node
 * @f: the facts
 *
 * The two nodes of a connection, each passing its own view, reach
 * mirrored decisions (SOURCE on one side, TARGET on the other; NONE,
 * SPLIT_BRAIN and UNRELATED on both). Rules, first match wins:
 *  1. either disk has no data we can use (Diskless/Failed/...): NONE;
 *  2. one side Inconsistent, the other UpToDate: BITMAP towards it when
 *     its resync from that side was interrupted and the side's current
 *     or bitmap generation is the one that resync began at (the side
 *     tracked every change since); else FULL towards it;
 *  3. either side without data (Inconsistent): NONE;
 *  4. same current generation: NONE, unless a side crashed as Primary
 *     (its last writes may not have reached the peer): BITMAP from it
 *     (from the lower node id if both did); its bitmap holds the
 *     extents of its replayed activity log; else, if a side's online
 *     verify found differences: BITMAP from the verify source (lower
 *     node id if both); both nodes' bitmaps hold the blocks found;
 *  5. our bitmap generation is the peer's current one and we are
 *     UpToDate: BITMAP_SOURCE; the mirror image: BITMAP_TARGET (a target
 *     that crashed as Primary adds its activity log extents to the
 *     source's bitmap); both at once: go to rule 6;
 *  6. any generation in common: SPLIT_BRAIN, resolved when exactly one
 *     side connected with --discard-my-data: that side becomes target
 *     of the other, BITMAP when both bitmaps started at the same
 *     generation (tandem_sync_sb_bitmap(): the union of both nodes'
 *     changes is what differs), FULL otherwise; none in common:
 *     UNRELATED.
 *
 * A bitmap resync transfers the union of both nodes' bitmaps: the source
 * sends its bits, the target adds them to its own.
 */
enum tandem_sync_decision tandem_sync_decide(const struct tandem_sync_facts *f);

/**
 * tandem_sync_sb_bitmap() - can a split brain be resolved by bitmaps?
 * @f: the facts
 *
 * Return: true if both nodes' bitmaps started collecting changes at the
 * same (non-zero) generation: together they name every block either
 * node changed since.
 */
bool tandem_sync_sb_bitmap(const struct tandem_sync_facts *f);

const char *tandem_sync_decision_name(enum tandem_sync_decision d);

#endif /* _TANDEM_SYNC_DECIDE_H */
