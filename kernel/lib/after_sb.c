// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - automatic split-brain recovery: the after-sb-0pri, after-sb-1pri
 * and after-sb-2pri policies (pure logic).
 */
#include "after_sb.h"

static const char *const asb_names[TANDEM_ASB_NR] = {
	[TANDEM_ASB_DISCONNECT] = "disconnect",
	[TANDEM_ASB_DISCARD_YOUNGER_PRI] = "discard-younger-primary",
	[TANDEM_ASB_DISCARD_OLDER_PRI] = "discard-older-primary",
	[TANDEM_ASB_DISCARD_ZERO_CHG] = "discard-zero-changes",
	[TANDEM_ASB_DISCARD_LEAST_CHG] = "discard-least-changes",
	[TANDEM_ASB_DISCARD_LOCAL] = "discard-local",
	[TANDEM_ASB_DISCARD_REMOTE] = "discard-remote",
	[TANDEM_ASB_CONSENSUS] = "consensus",
	[TANDEM_ASB_DISCARD_SECONDARY] = "discard-secondary",
	[TANDEM_ASB_CALL_HELPER] = "call-pri-lost-after-sb",
	[TANDEM_ASB_VIOLENTLY] = "violently-as0p",
};

bool tandem_asb_valid(int which, u32 policy)
{
	switch (which) {
	case TANDEM_ASB_0PRI:
		return policy <= TANDEM_ASB_DISCARD_REMOTE;
	case TANDEM_ASB_1PRI:
		return policy == TANDEM_ASB_DISCONNECT ||
		       policy == TANDEM_ASB_CONSENSUS ||
		       policy == TANDEM_ASB_DISCARD_SECONDARY ||
		       policy == TANDEM_ASB_CALL_HELPER;
	case TANDEM_ASB_2PRI:
		return policy == TANDEM_ASB_DISCONNECT ||
		       policy == TANDEM_ASB_CALL_HELPER ||
		       policy == TANDEM_ASB_VIOLENTLY;
	}
	return false;
}

const char *tandem_asb_name(u32 policy)
{
	if (policy >= TANDEM_ASB_NR)
		return "?";
	return asb_names[policy];
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int tandem_asb_parse(int which, const char *name, u32 *policy)
{
	u32 p;

	if (!name)
		return -1;
	for (p = 0; p < TANDEM_ASB_NR; p++) {
		if (str_eq(name, asb_names[p])) {
			if (!tandem_asb_valid(which, p))
				return -1;
			*policy = p;
			return 0;
		}
	}
	return -1;
}

const char *tandem_asb_result_name(enum tandem_asb_result r)
{
	switch (r) {
	case TANDEM_ASB_R_DISCONNECT:
		return "disconnect";
	case TANDEM_ASB_R_I_WIN:
		return "win";
	case TANDEM_ASB_R_I_LOSE:
		return "lose";
	}
	return "?";
}

void tandem_asb_facts_swap(const struct tandem_asb_facts *f,
			   struct tandem_asb_facts *out)
{
	out->my_primary = f->peer_primary;
	out->peer_primary = f->my_primary;
	out->my_older_primary = f->peer_older_primary;
	out->peer_older_primary = f->my_older_primary;
	out->my_changes = f->peer_changes;
	out->peer_changes = f->my_changes;
	out->my_node_lower = !f->my_node_lower;
	out->my_0p = f->peer_0p;
	out->peer_0p = f->my_0p;
	out->p1 = f->p1;
	out->p2 = f->p2;
}

/* Which node discards its changes, from the point of view of @f. */
enum asb_victim {
	VICTIM_NONE,
	VICTIM_ME,
	VICTIM_PEER,
};

static enum asb_victim other(enum asb_victim v)
{
	if (v == VICTIM_ME)
		return VICTIM_PEER;
	if (v == VICTIM_PEER)
		return VICTIM_ME;
	return VICTIM_NONE;
}

static enum asb_victim least_changes(const struct tandem_asb_facts *f,
				     const char **why, const char *why_less,
				     const char *why_tie)
{
	if (f->my_changes != f->peer_changes) {
		*why = why_less;
		return f->my_changes < f->peer_changes ? VICTIM_ME :
							 VICTIM_PEER;
	}
	*why = why_tie;
	return f->my_node_lower ? VICTIM_PEER : VICTIM_ME;
}

/*
 * One node's after-sb-0pri policy @policy, evaluated from the point of
 * view of @f (whose node holds @policy).
 */
static enum asb_victim victim_0p(const struct tandem_asb_facts *f,
				 u32 policy, const char **why)
{
	bool older_known = f->my_older_primary != f->peer_older_primary;

	switch (policy) {
	case TANDEM_ASB_DISCONNECT:
		*why = "after-sb-0pri disconnect";
		return VICTIM_NONE;
	case TANDEM_ASB_DISCARD_YOUNGER_PRI:
		if (older_known) {
			*why = "after-sb-0pri discard-younger-primary";
			return f->my_older_primary ? VICTIM_PEER : VICTIM_ME;
		}
		return least_changes(f, why,
			"after-sb-0pri discard-younger-primary: no single older Primary, so discard-least-changes",
			"after-sb-0pri discard-younger-primary: no single older Primary, so discard-least-changes: equal changes, the higher node id discards");
	case TANDEM_ASB_DISCARD_OLDER_PRI:
		if (older_known) {
			*why = "after-sb-0pri discard-older-primary";
			return f->my_older_primary ? VICTIM_ME : VICTIM_PEER;
		}
		return least_changes(f, why,
			"after-sb-0pri discard-older-primary: no single older Primary, so discard-least-changes",
			"after-sb-0pri discard-older-primary: no single older Primary, so discard-least-changes: equal changes, the higher node id discards");
	case TANDEM_ASB_DISCARD_ZERO_CHG:
		if (f->my_changes && f->peer_changes) {
			*why = "after-sb-0pri discard-zero-changes: both nodes changed data";
			return VICTIM_NONE;
		}
		if (!f->my_changes && !f->peer_changes) {
			*why = "after-sb-0pri discard-zero-changes: neither node changed data, the higher node id discards";
			return f->my_node_lower ? VICTIM_PEER : VICTIM_ME;
		}
		*why = "after-sb-0pri discard-zero-changes";
		return f->my_changes ? VICTIM_PEER : VICTIM_ME;
	case TANDEM_ASB_DISCARD_LEAST_CHG:
		return least_changes(f, why, "after-sb-0pri discard-least-changes",
			"after-sb-0pri discard-least-changes: equal changes, the higher node id discards");
	case TANDEM_ASB_DISCARD_LOCAL:
		*why = "after-sb-0pri discard-local";
		return VICTIM_ME;
	case TANDEM_ASB_DISCARD_REMOTE:
		*why = "after-sb-0pri discard-remote";
		return VICTIM_PEER;
	}
	*why = "after-sb-0pri: not a value of this option, so disconnect";
	return VICTIM_NONE;
}

/*
 * Both nodes' after-sb-0pri policies, each from its own node's point of
 * view: a victim only if they name the same node. The peer's evaluation
 * on the swapped facts names a victim relative to the peer, hence other().
 * Computed the same way on the peer, the answer mirrors.
 */
static enum asb_victim victim_0p_both(const struct tandem_asb_facts *f,
				      const char **why)
{
	struct tandem_asb_facts peer;
	const char *peer_why;
	enum asb_victim mine, theirs;

	tandem_asb_facts_swap(f, &peer);
	mine = victim_0p(f, f->my_0p, why);
	theirs = other(victim_0p(&peer, peer.my_0p, &peer_why));
	if (mine == theirs)
		return mine;
	*why = "after-sb-0pri: the two nodes' policies do not name the same victim";
	return VICTIM_NONE;
}

static bool is_primary(const struct tandem_asb_facts *f, enum asb_victim v)
{
	return v == VICTIM_ME ? f->my_primary : f->peer_primary;
}

static void decide_1p(const struct tandem_asb_facts *f,
		      struct tandem_asb_outcome *out, enum asb_victim *v)
{
	switch (f->p1) {
	case TANDEM_ASB_DISCONNECT:
		out->why = "after-sb-1pri disconnect";
		return;
	case TANDEM_ASB_CONSENSUS:
		*v = victim_0p_both(f, &out->why_0p);
		if (*v == VICTIM_NONE) {
			out->why = "after-sb-1pri consensus: after-sb-0pri names no victim";
		} else if (is_primary(f, *v)) {
			out->why = "after-sb-1pri consensus: after-sb-0pri names the Primary";
			*v = VICTIM_NONE;
		} else {
			out->why = "after-sb-1pri consensus: after-sb-0pri names the Secondary";
		}
		return;
	case TANDEM_ASB_DISCARD_SECONDARY:
		out->why = "after-sb-1pri discard-secondary";
		*v = f->my_primary ? VICTIM_PEER : VICTIM_ME;
		return;
	case TANDEM_ASB_CALL_HELPER:
		*v = victim_0p_both(f, &out->why_0p);
		out->why = *v == VICTIM_NONE ?
			"after-sb-1pri call-pri-lost-after-sb: after-sb-0pri names no victim" :
			"after-sb-1pri call-pri-lost-after-sb: the after-sb-0pri victim";
		return;
	}
	out->why = "after-sb-1pri: not a value of this option, so disconnect";
}

static void decide_2p(const struct tandem_asb_facts *f,
		      struct tandem_asb_outcome *out, enum asb_victim *v)
{
	switch (f->p2) {
	case TANDEM_ASB_DISCONNECT:
		out->why = "after-sb-2pri disconnect";
		return;
	case TANDEM_ASB_CALL_HELPER:
	case TANDEM_ASB_VIOLENTLY:
		*v = victim_0p_both(f, &out->why_0p);
		if (*v == VICTIM_NONE)
			out->why = f->p2 == TANDEM_ASB_VIOLENTLY ?
				"after-sb-2pri violently-as0p: after-sb-0pri names no victim" :
				"after-sb-2pri call-pri-lost-after-sb: after-sb-0pri names no victim";
		else
			out->why = f->p2 == TANDEM_ASB_VIOLENTLY ?
				"after-sb-2pri violently-as0p: the after-sb-0pri victim" :
				"after-sb-2pri call-pri-lost-after-sb: the after-sb-0pri victim";
		return;
	}
	out->why = "after-sb-2pri: not a value of this option, so disconnect";
}

void tandem_asb_decide(const struct tandem_asb_facts *f,
		       struct tandem_asb_outcome *out)
{
	enum asb_victim v = VICTIM_NONE;

	out->why_0p = NULL;
	if (!f->my_primary && !f->peer_primary) {
		v = victim_0p_both(f, &out->why_0p);
		out->why = out->why_0p;
	} else if (f->my_primary && f->peer_primary) {
		decide_2p(f, out, &v);
	} else {
		decide_1p(f, out, &v);
	}

	switch (v) {
	case VICTIM_ME:
		out->result = TANDEM_ASB_R_I_LOSE;
		break;
	case VICTIM_PEER:
		out->result = TANDEM_ASB_R_I_WIN;
		break;
	case VICTIM_NONE:
		out->result = TANDEM_ASB_R_DISCONNECT;
		break;
	}
	out->victim_primary = v != VICTIM_NONE && is_primary(f, v);
}
