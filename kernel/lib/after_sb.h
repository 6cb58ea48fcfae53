/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - automatic split-brain recovery: the after-sb-0pri, after-sb-1pri
 * and after-sb-2pri policies (pure logic).
 *
 * When two nodes connect and find that both changed their data while they
 * were apart, each runs tandem_asb_decide() on its own view of the same
 * facts. The two results always mirror each other: TANDEM_ASB_R_I_WIN on
 * one node (the peer discards its changes, we become sync source) goes
 * with TANDEM_ASB_R_I_LOSE on the other (we discard ours, we become sync
 * target), and TANDEM_ASB_R_DISCONNECT on one with TANDEM_ASB_R_DISCONNECT
 * on the other.
 *
 * After-sb-1pri and after-sb-2pri must be equal on both nodes (the
 * connection handshake checks that). After-sb-0pri may differ between the
 * nodes, because discard-local and discard-remote only make sense set
 * differently per host ("discard-local" on the node whose changes are to
 * go, "discard-remote" on the other). To keep the results mirrored
 * whatever the two nodes configured, the after-sb-0pri step is evaluated
 * twice, once with each node's policy (the peer's from the peer's point of
 * view), and only names a victim when both evaluations name the same
 * node. Otherwise it finds no victim, which disconnects. So:
 *  - both nodes with the same symmetric policy (younger/older Primary,
 *    zero changes, least changes): both evaluations agree by construction;
 *  - discard-local here and discard-remote on the peer: we lose;
 *  - discard-local (or discard-remote) on both nodes: disconnect;
 *  - two different symmetric policies: a victim only where they coincide.
 */
#ifndef _TANDEM_AFTER_SB_H
#define _TANDEM_AFTER_SB_H

#include "tandem_lib.h"

/**
 * enum tandem_asb_policy - values of the after-sb-0pri/-1pri/-2pri options
 * @TANDEM_ASB_DISCONNECT: "disconnect": no automatic recovery (all three
 *	options; the default)
 * @TANDEM_ASB_DISCARD_YOUNGER_PRI: "discard-younger-primary" (0pri): the
 *	node that became Primary after the split discards
 * @TANDEM_ASB_DISCARD_OLDER_PRI: "discard-older-primary" (0pri): the node
 *	that already was Primary at the split discards
 * @TANDEM_ASB_DISCARD_ZERO_CHG: "discard-zero-changes" (0pri): a node that
 *	changed nothing since the split discards
 * @TANDEM_ASB_DISCARD_LEAST_CHG: "discard-least-changes" (0pri): the node
 *	with fewer changed blocks discards
 * @TANDEM_ASB_DISCARD_LOCAL: "discard-local" (0pri): this node discards
 * @TANDEM_ASB_DISCARD_REMOTE: "discard-remote" (0pri): the peer discards
 * @TANDEM_ASB_CONSENSUS: "consensus" (1pri): the after-sb-0pri result if
 *	its victim is the Secondary, else disconnect
 * @TANDEM_ASB_DISCARD_SECONDARY: "discard-secondary" (1pri): the
 *	Secondary discards
 * @TANDEM_ASB_CALL_HELPER: "call-pri-lost-after-sb" (1pri, 2pri): the
 *	after-sb-0pri result, even if its victim is Primary
 * @TANDEM_ASB_VIOLENTLY: "violently-as0p" (2pri): decided exactly like
 *	call-pri-lost-after-sb
 * @TANDEM_ASB_NR: number of values; not a policy
 */
enum tandem_asb_policy {
	TANDEM_ASB_DISCONNECT,
	TANDEM_ASB_DISCARD_YOUNGER_PRI,
	TANDEM_ASB_DISCARD_OLDER_PRI,
	TANDEM_ASB_DISCARD_ZERO_CHG,
	TANDEM_ASB_DISCARD_LEAST_CHG,
	TANDEM_ASB_DISCARD_LOCAL,
	TANDEM_ASB_DISCARD_REMOTE,
	TANDEM_ASB_CONSENSUS,
	TANDEM_ASB_DISCARD_SECONDARY,
	TANDEM_ASB_CALL_HELPER,
	TANDEM_ASB_VIOLENTLY,
	TANDEM_ASB_NR
};

/* The @which argument of tandem_asb_valid() and tandem_asb_parse(). */
#define TANDEM_ASB_0PRI	0	/* after-sb-0pri */
#define TANDEM_ASB_1PRI	1	/* after-sb-1pri */
#define TANDEM_ASB_2PRI	2	/* after-sb-2pri */

/**
 * tandem_asb_valid() - may an option take a policy value
 * @which: TANDEM_ASB_0PRI, TANDEM_ASB_1PRI or TANDEM_ASB_2PRI
 * @policy: an enum tandem_asb_policy value
 *
 * After-sb-0pri takes disconnect and the discard-* values up to
 * discard-remote; after-sb-1pri disconnect, consensus, discard-secondary
 * and call-pri-lost-after-sb; after-sb-2pri disconnect,
 * call-pri-lost-after-sb and violently-as0p.
 *
 * Return: true if @policy is a value of option @which; false otherwise,
 * and for any other @which.
 */
bool tandem_asb_valid(int which, u32 policy);

/**
 * tandem_asb_name() - the name of a policy value as users type it
 * @policy: an enum tandem_asb_policy value
 *
 * Return: a static string such as "discard-zero-changes", or "?" if
 * @policy is out of range.
 */
const char *tandem_asb_name(u32 policy);

/**
 * tandem_asb_parse() - look a policy name up for one option
 * @which: TANDEM_ASB_0PRI, TANDEM_ASB_1PRI or TANDEM_ASB_2PRI
 * @name: NUL-terminated name, exactly as tandem_asb_name() gives it
 *	(case-sensitive)
 * @policy: where to store the value; untouched on failure
 *
 * Return: 0, or -1 if @name is NULL, is no policy name, or names a value
 * that option @which does not take.
 */
int tandem_asb_parse(int which, const char *name, u32 *policy);

/**
 * enum tandem_asb_result - what one node does about the split brain
 * @TANDEM_ASB_R_DISCONNECT: no automatic recovery: disconnect
 * @TANDEM_ASB_R_I_WIN: the peer discards its changes; we become sync source
 * @TANDEM_ASB_R_I_LOSE: we discard our changes; we become sync target
 */
enum tandem_asb_result {
	TANDEM_ASB_R_DISCONNECT,
	TANDEM_ASB_R_I_WIN,
	TANDEM_ASB_R_I_LOSE,
};

/**
 * struct tandem_asb_facts - what one node knows about a split brain
 * @my_primary: we are Primary now
 * @peer_primary: the peer is Primary now
 * @my_older_primary: we already were Primary when the nodes got separated
 * @peer_older_primary: the same of the peer
 * @my_changes: blocks we changed since the split
 * @peer_changes: blocks the peer changed since the split
 * @my_node_lower: our node id is lower than the peer's (tie-breaks)
 * @my_0p: our after-sb-0pri
 * @peer_0p: the peer's after-sb-0pri
 * @p1: after-sb-1pri (the same on both nodes)
 * @p2: after-sb-2pri (the same on both nodes)
 *
 * Policy fields hold enum tandem_asb_policy values; a value the option
 * does not take counts as disconnect.
 */
struct tandem_asb_facts {
	bool my_primary;
	bool peer_primary;
	bool my_older_primary;
	bool peer_older_primary;
	u64 my_changes;
	u64 peer_changes;
	bool my_node_lower;
	u32 my_0p;
	u32 peer_0p;
	u32 p1;
	u32 p2;
};

/**
 * struct tandem_asb_outcome - the decision of one node
 * @result: what we do
 * @victim_primary: the node that discards its changes is Primary now
 *	(never set with TANDEM_ASB_R_DISCONNECT). The kernel then has to
 *	demote it first; if that fails, it calls the pri-lost-after-sb
 *	handler on it and disconnects.
 * @why: static string naming the rule that decided, for the kernel log;
 *	worded the same on both nodes (no "I" or "peer")
 * @why_0p: static string naming the after-sb-0pri rule consulted, or NULL
 *	if the decision did not consult after-sb-0pri; equal to @why when
 *	neither node is Primary
 */
struct tandem_asb_outcome {
	enum tandem_asb_result result;
	bool victim_primary;
	const char *why;
	const char *why_0p;
};

/**
 * tandem_asb_decide() - resolve a split brain automatically, if allowed
 * @f: this node's view of the facts
 * @out: the decision
 *
 * The number of Primaries now picks the option: none after-sb-0pri (the
 * pair of after-sb-0pri policies, see the top of this file), one
 * after-sb-1pri, two after-sb-2pri.
 *
 * After-sb-0pri (evaluated once per node's policy, from that node's
 * point of view; a victim only if both evaluations agree on it):
 *  - disconnect: no victim;
 *  - discard-younger-primary: if exactly one node is flagged older
 *    Primary, the other one is the victim; else as discard-least-changes;
 *  - discard-older-primary: if exactly one node is flagged older Primary,
 *    it is the victim; else as discard-least-changes;
 *  - discard-zero-changes: the one node with no changes; if neither
 *    changed anything, the node with the higher node id; if both changed
 *    something, no victim;
 *  - discard-least-changes: the node with fewer changed blocks; on a tie
 *    the node with the higher node id;
 *  - discard-local: the node whose policy this is;
 *  - discard-remote: the other node.
 *
 * After-sb-1pri:
 *  - disconnect: disconnect;
 *  - consensus: the after-sb-0pri victim if it is the Secondary; else
 *    (the Primary, or no victim) disconnect;
 *  - discard-secondary: the Secondary;
 *  - call-pri-lost-after-sb: the after-sb-0pri victim, with
 *    @out->victim_primary set if it is the Primary; no victim: disconnect.
 *
 * After-sb-2pri:
 *  - disconnect: disconnect;
 *  - call-pri-lost-after-sb, violently-as0p: the after-sb-0pri victim,
 *    always with @out->victim_primary set; no victim: disconnect.
 *
 * A policy value the option does not take counts as disconnect.
 *
 * For the same facts seen from the other node (tandem_asb_facts_swap()),
 * the other node gets the mirrored result and the same @victim_primary
 * (@why and @why_0p may differ where the nodes' after-sb-0pri policies
 * do, e.g. "discard-local" on one and "discard-remote" on the other).
 */
void tandem_asb_decide(const struct tandem_asb_facts *f,
		       struct tandem_asb_outcome *out);

/**
 * tandem_asb_facts_swap() - the same facts from the peer's point of view
 * @f: one node's facts
 * @out: the peer's facts (may not be @f)
 *
 * Every my_/peer_ pair is exchanged and @my_node_lower inverted; @p1 and
 * @p2 are copied.
 */
void tandem_asb_facts_swap(const struct tandem_asb_facts *f,
			   struct tandem_asb_facts *out);

/**
 * tandem_asb_result_name() - a result for the log
 * @r: an enum tandem_asb_result value
 *
 * Return: "disconnect", "win" or "lose"; "?" for anything else.
 */
const char *tandem_asb_result_name(enum tandem_asb_result r);

#endif /* _TANDEM_AFTER_SB_H */
