// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/after_sb.c: every rule of the after-sb-0pri,
 * -1pri and -2pri policies, the option names, and the property that both
 * nodes of a connection always reach mirrored decisions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/lib/after_sb.h"

/* Neither Primary, no changes, our node id lower, every policy disconnect. */
static struct tandem_asb_facts facts(void)
{
	struct tandem_asb_facts f;

	memset(&f, 0, sizeof(f));
	f.my_node_lower = true;
	f.my_0p = TANDEM_ASB_DISCONNECT;
	f.peer_0p = TANDEM_ASB_DISCONNECT;
	f.p1 = TANDEM_ASB_DISCONNECT;
	f.p2 = TANDEM_ASB_DISCONNECT;
	return f;
}

static struct tandem_asb_facts facts_0p(u32 policy)
{
	struct tandem_asb_facts f = facts();

	f.my_0p = policy;
	f.peer_0p = policy;
	return f;
}

static enum tandem_asb_result mirrored(enum tandem_asb_result r)
{
	switch (r) {
	case TANDEM_ASB_R_I_WIN:
		return TANDEM_ASB_R_I_LOSE;
	case TANDEM_ASB_R_I_LOSE:
		return TANDEM_ASB_R_I_WIN;
	default:
		return r;
	}
}

/*
 * Decide on both nodes; the results must mirror and agree on the victim's
 * role; return this node's outcome.
 */
static struct tandem_asb_outcome both(const struct tandem_asb_facts *f)
{
	struct tandem_asb_facts m;
	struct tandem_asb_outcome mine, theirs;

	tandem_asb_facts_swap(f, &m);
	tandem_asb_decide(f, &mine);
	tandem_asb_decide(&m, &theirs);
	assert_int_equal(theirs.result, mirrored(mine.result));
	assert_int_equal(theirs.victim_primary, mine.victim_primary);
	assert_non_null(mine.why);
	assert_non_null(theirs.why);
	return mine;
}

static enum tandem_asb_result result(const struct tandem_asb_facts *f)
{
	return both(f).result;
}

/* ---- after-sb-0pri ---- */

static void p0_disconnect(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCONNECT);
	struct tandem_asb_outcome o;

	(void)state;
	f.my_changes = 0;
	f.peer_changes = 100;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_DISCONNECT);
	assert_false(o.victim_primary);
	assert_string_equal(o.why, o.why_0p);
}

static void p0_discard_younger_primary(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_YOUNGER_PRI);
	struct tandem_asb_outcome o;

	(void)state;
	/* We were Primary at the split: the peer is the younger one. */
	f.my_older_primary = true;
	f.my_changes = 1;	/* changes do not matter here */
	f.peer_changes = 1000;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_false(o.victim_primary);
	f.my_older_primary = false;
	f.peer_older_primary = true;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_changes = 1000;
	f.peer_changes = 1;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
}

static void p0_discard_older_primary(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_OLDER_PRI);

	(void)state;
	f.my_older_primary = true;
	f.my_changes = 1000;
	f.peer_changes = 1;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_older_primary = false;
	f.peer_older_primary = true;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
}

/* Both or neither flagged older Primary: discard-least-changes. */
static void p0_younger_older_fallback(void **state)
{
	static const u32 pols[] = {
		TANDEM_ASB_DISCARD_YOUNGER_PRI, TANDEM_ASB_DISCARD_OLDER_PRI,
	};
	unsigned int i, flags;

	(void)state;
	for (i = 0; i < 2; i++) {
		for (flags = 0; flags < 2; flags++) {
			struct tandem_asb_facts f = facts_0p(pols[i]);

			f.my_older_primary = flags;
			f.peer_older_primary = flags;
			f.my_changes = 5;
			f.peer_changes = 7;
			assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
			f.my_changes = 9;
			assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
			/* Tie: the higher node id discards. */
			f.my_changes = 7;
			assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
			f.my_node_lower = false;
			assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
		}
	}
}

static void p0_discard_zero_changes_one_zero(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_ZERO_CHG);

	(void)state;
	f.my_changes = 0;
	f.peer_changes = 3;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_node_lower = false;	/* node ids do not matter here */
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_changes = 3;
	f.peer_changes = 0;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
	f.my_node_lower = true;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
}

static void p0_discard_zero_changes_both_zero(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_ZERO_CHG);

	(void)state;
	/* Either way would do: the lower node id wins. */
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
	f.my_node_lower = false;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
}

static void p0_discard_zero_changes_neither_zero(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_ZERO_CHG);

	(void)state;
	f.my_changes = 1;
	f.peer_changes = 1000000;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	f.my_node_lower = false;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
}

static void p0_discard_least_changes(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_LEAST_CHG);

	(void)state;
	f.my_changes = 10;
	f.peer_changes = 11;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_changes = 12;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
	/* Zero changes count like any other number. */
	f.my_changes = 0;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	/* The full u64 range. */
	f.my_changes = UINT64_MAX;
	f.peer_changes = UINT64_MAX - 1;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
}

static void p0_discard_least_changes_tie(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_LEAST_CHG);

	(void)state;
	f.my_changes = 42;
	f.peer_changes = 42;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
	f.my_node_lower = false;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_changes = f.peer_changes = 0;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
}

/* The per-host pair: discard-local on one node, discard-remote on the other. */
static void p0_discard_local_remote_pair(void **state)
{
	struct tandem_asb_facts f = facts();
	struct tandem_asb_outcome o;

	(void)state;
	f.my_0p = TANDEM_ASB_DISCARD_LOCAL;
	f.peer_0p = TANDEM_ASB_DISCARD_REMOTE;
	f.my_changes = 1000;	/* nothing else matters */
	f.my_older_primary = true;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_string_equal(o.why, "after-sb-0pri discard-local");
	f.my_0p = TANDEM_ASB_DISCARD_REMOTE;
	f.peer_0p = TANDEM_ASB_DISCARD_LOCAL;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_string_equal(o.why, "after-sb-0pri discard-remote");
	f.my_node_lower = false;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
}

/* The same on both nodes, they would not mirror: disconnect. */
static void p0_discard_local_remote_same_on_both(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_LOCAL);

	(void)state;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	f = facts_0p(TANDEM_ASB_DISCARD_REMOTE);
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
}

/* Different policies: a victim only where both name the same node. */
static void p0_policies_differ(void **state)
{
	struct tandem_asb_facts f = facts();

	(void)state;
	f.my_0p = TANDEM_ASB_DISCARD_LOCAL;
	f.peer_0p = TANDEM_ASB_DISCARD_LEAST_CHG;
	f.my_changes = 1;
	f.peer_changes = 2;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_changes = 3;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);

	f.my_0p = TANDEM_ASB_DISCARD_ZERO_CHG;
	f.peer_0p = TANDEM_ASB_DISCARD_LEAST_CHG;
	f.my_changes = 0;
	f.peer_changes = 2;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.my_changes = 1;	/* least-changes yes, zero-changes no */
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);

	/* One node says disconnect: disconnect. */
	f.my_0p = TANDEM_ASB_DISCONNECT;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	f.my_0p = TANDEM_ASB_DISCARD_LEAST_CHG;
	f.peer_0p = TANDEM_ASB_DISCONNECT;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);

	/* Younger against older Primary: never the same victim. */
	f.my_0p = TANDEM_ASB_DISCARD_YOUNGER_PRI;
	f.peer_0p = TANDEM_ASB_DISCARD_OLDER_PRI;
	f.my_older_primary = true;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
}

/* A value after-sb-0pri does not take counts as disconnect. */
static void p0_invalid_value(void **state)
{
	static const u32 bad[] = {
		TANDEM_ASB_CONSENSUS, TANDEM_ASB_DISCARD_SECONDARY,
		TANDEM_ASB_CALL_HELPER, TANDEM_ASB_VIOLENTLY, TANDEM_ASB_NR,
		0xffffffffu,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tandem_asb_facts f = facts_0p(bad[i]);

		assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
		f.peer_0p = TANDEM_ASB_DISCARD_REMOTE;
		assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	}
}

/* With no Primary, after-sb-1pri and -2pri play no part. */
static void p0_ignores_p1_p2(void **state)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_LEAST_CHG);

	(void)state;
	f.my_changes = 1;
	f.peer_changes = 2;
	f.p1 = TANDEM_ASB_DISCARD_SECONDARY;
	f.p2 = TANDEM_ASB_DISCONNECT;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
	f.p1 = TANDEM_ASB_DISCONNECT;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_LOSE);
}

/* ---- after-sb-1pri ---- */

/* We are Primary, the peer Secondary; after-sb-0pri least-changes. */
static struct tandem_asb_facts facts_1p(u32 p1)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_LEAST_CHG);

	f.my_primary = true;
	f.p1 = p1;
	f.p2 = TANDEM_ASB_CALL_HELPER;	/* must play no part */
	return f;
}

static void p1_disconnect(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_DISCONNECT);
	struct tandem_asb_outcome o;

	(void)state;
	f.peer_changes = 10;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_DISCONNECT);
	assert_false(o.victim_primary);
	assert_null(o.why_0p);
}

static void p1_consensus_victim_secondary(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_CONSENSUS);
	struct tandem_asb_outcome o;

	(void)state;
	/* The Secondary peer changed less: it discards. */
	f.my_changes = 10;
	f.peer_changes = 5;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_false(o.victim_primary);
	assert_non_null(o.why_0p);
	/* The same seen from a Secondary node that changed less. */
	f.my_primary = false;
	f.peer_primary = true;
	f.my_changes = 5;
	f.peer_changes = 10;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_false(o.victim_primary);
}

static void p1_consensus_victim_primary(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_CONSENSUS);
	struct tandem_asb_outcome o;

	(void)state;
	/* The Primary (we) changed less: no consensus. */
	f.my_changes = 5;
	f.peer_changes = 10;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_DISCONNECT);
	assert_false(o.victim_primary);
	f.my_primary = false;
	f.peer_primary = true;
	f.my_changes = 10;
	f.peer_changes = 5;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
}

static void p1_consensus_no_victim(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_CONSENSUS);

	(void)state;
	f.my_0p = f.peer_0p = TANDEM_ASB_DISCONNECT;
	f.peer_changes = 10;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	f.my_0p = f.peer_0p = TANDEM_ASB_DISCARD_ZERO_CHG;
	f.my_changes = 3;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	/* ...but the unchanged Secondary does discard. */
	f.peer_changes = 0;
	assert_int_equal(result(&f), TANDEM_ASB_R_I_WIN);
}

static void p1_discard_secondary(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_DISCARD_SECONDARY);
	struct tandem_asb_outcome o;

	(void)state;
	/* after-sb-0pri plays no part, even disconnect. */
	f.my_0p = f.peer_0p = TANDEM_ASB_DISCONNECT;
	f.my_changes = 1;
	f.peer_changes = 1000;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_false(o.victim_primary);
	assert_null(o.why_0p);
	f.my_primary = false;
	f.peer_primary = true;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_false(o.victim_primary);
}

static void p1_call_pri_lost_victim_primary(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_CALL_HELPER);
	struct tandem_asb_outcome o;

	(void)state;
	/* We are the Primary and changed less: we discard, flagged. */
	f.my_changes = 1;
	f.peer_changes = 2;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_true(o.victim_primary);
	assert_non_null(o.why_0p);
	/* The Primary peer discards. */
	f.my_primary = false;
	f.peer_primary = true;
	f.my_changes = 2;
	f.peer_changes = 1;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_true(o.victim_primary);
}

static void p1_call_pri_lost_victim_secondary(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_CALL_HELPER);
	struct tandem_asb_outcome o;

	(void)state;
	f.my_changes = 2;
	f.peer_changes = 1;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_false(o.victim_primary);
	f.my_primary = false;
	f.peer_primary = true;
	f.my_changes = 1;
	f.peer_changes = 2;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_false(o.victim_primary);
}

static void p1_call_pri_lost_no_victim(void **state)
{
	struct tandem_asb_facts f = facts_1p(TANDEM_ASB_CALL_HELPER);
	struct tandem_asb_outcome o;

	(void)state;
	f.my_0p = f.peer_0p = TANDEM_ASB_DISCONNECT;
	f.my_changes = 1;
	f.peer_changes = 2;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_DISCONNECT);
	assert_false(o.victim_primary);
}

static void p1_invalid_value(void **state)
{
	static const u32 bad[] = {
		TANDEM_ASB_DISCARD_YOUNGER_PRI, TANDEM_ASB_DISCARD_OLDER_PRI,
		TANDEM_ASB_DISCARD_ZERO_CHG, TANDEM_ASB_DISCARD_LEAST_CHG,
		TANDEM_ASB_DISCARD_LOCAL, TANDEM_ASB_DISCARD_REMOTE,
		TANDEM_ASB_VIOLENTLY, TANDEM_ASB_NR, 1234,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tandem_asb_facts f = facts_1p(bad[i]);

		f.peer_changes = 10;
		assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	}
}

/* ---- after-sb-2pri ---- */

static struct tandem_asb_facts facts_2p(u32 p2)
{
	struct tandem_asb_facts f = facts_0p(TANDEM_ASB_DISCARD_LEAST_CHG);

	f.my_primary = true;
	f.peer_primary = true;
	f.p1 = TANDEM_ASB_DISCARD_SECONDARY;	/* must play no part */
	f.p2 = p2;
	return f;
}

static void p2_disconnect(void **state)
{
	struct tandem_asb_facts f = facts_2p(TANDEM_ASB_DISCONNECT);
	struct tandem_asb_outcome o;

	(void)state;
	f.peer_changes = 10;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_DISCONNECT);
	assert_false(o.victim_primary);
	assert_null(o.why_0p);
}

static void check_p2_as_0p(u32 p2)
{
	struct tandem_asb_facts f = facts_2p(p2);
	struct tandem_asb_outcome o;

	f.my_changes = 1;
	f.peer_changes = 2;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_true(o.victim_primary);
	assert_non_null(o.why_0p);
	f.my_changes = 3;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_WIN);
	assert_true(o.victim_primary);
	/* No after-sb-0pri victim: disconnect. */
	f.my_0p = f.peer_0p = TANDEM_ASB_DISCARD_ZERO_CHG;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_DISCONNECT);
	assert_false(o.victim_primary);
	f.my_0p = f.peer_0p = TANDEM_ASB_DISCONNECT;
	assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	/* The per-host pair works here too. */
	f.my_0p = TANDEM_ASB_DISCARD_LOCAL;
	f.peer_0p = TANDEM_ASB_DISCARD_REMOTE;
	o = both(&f);
	assert_int_equal(o.result, TANDEM_ASB_R_I_LOSE);
	assert_true(o.victim_primary);
}

static void p2_call_pri_lost(void **state)
{
	(void)state;
	check_p2_as_0p(TANDEM_ASB_CALL_HELPER);
}

static void p2_violently_as0p(void **state)
{
	(void)state;
	check_p2_as_0p(TANDEM_ASB_VIOLENTLY);
}

static void p2_invalid_value(void **state)
{
	static const u32 bad[] = {
		TANDEM_ASB_DISCARD_LEAST_CHG, TANDEM_ASB_DISCARD_LOCAL,
		TANDEM_ASB_CONSENSUS, TANDEM_ASB_DISCARD_SECONDARY,
		TANDEM_ASB_NR, 0xffffffffu,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tandem_asb_facts f = facts_2p(bad[i]);

		f.peer_changes = 10;
		assert_int_equal(result(&f), TANDEM_ASB_R_DISCONNECT);
	}
}

/* ---- property test ---- */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 xorshift64(void)
{
	u64 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static u32 pick(u32 n)
{
	return (u32)(xorshift64() % n);
}

/* Mostly valid values, now and then one out of range. */
static u32 random_policy(void)
{
	return pick(16) ? pick(TANDEM_ASB_NR) : TANDEM_ASB_NR + pick(3);
}

static u64 random_changes(void)
{
	static const u64 few[] = { 0, 0, 1, 2, 3, 1000, UINT64_MAX };

	return pick(4) ? few[pick(7)] : xorshift64();
}

/* Is the node that discards (given by @r from @f's side) Primary now? */
static bool victim_is_primary(const struct tandem_asb_facts *f,
			      enum tandem_asb_result r)
{
	return r == TANDEM_ASB_R_I_LOSE ? f->my_primary : f->peer_primary;
}

/* What must hold of one outcome, from the rules. */
static void check_rules(const struct tandem_asb_facts *f,
			const struct tandem_asb_outcome *o)
{
	int primaries = f->my_primary + f->peer_primary;
	bool lose = o->result == TANDEM_ASB_R_I_LOSE;
	u64 victim_chg = lose ? f->my_changes : f->peer_changes;
	u64 winner_chg = lose ? f->peer_changes : f->my_changes;

	if (o->result == TANDEM_ASB_R_DISCONNECT) {
		assert_false(o->victim_primary);
	} else {
		assert_int_equal(o->victim_primary,
				 victim_is_primary(f, o->result));
	}

	if (primaries == 0) {
		assert_ptr_equal(o->why, o->why_0p);
		if (!tandem_asb_valid(TANDEM_ASB_0PRI, f->my_0p) ||
		    !tandem_asb_valid(TANDEM_ASB_0PRI, f->peer_0p) ||
		    f->my_0p == TANDEM_ASB_DISCONNECT ||
		    f->peer_0p == TANDEM_ASB_DISCONNECT ||
		    (f->my_0p == f->peer_0p &&
		     (f->my_0p == TANDEM_ASB_DISCARD_LOCAL ||
		      f->my_0p == TANDEM_ASB_DISCARD_REMOTE)))
			assert_int_equal(o->result, TANDEM_ASB_R_DISCONNECT);
		if (f->my_0p == TANDEM_ASB_DISCARD_LOCAL &&
		    f->peer_0p == TANDEM_ASB_DISCARD_REMOTE)
			assert_int_equal(o->result, TANDEM_ASB_R_I_LOSE);
		if (f->my_0p != f->peer_0p)
			return;
		switch (f->my_0p) {
		case TANDEM_ASB_DISCARD_LEAST_CHG:
			assert_int_not_equal(o->result,
					     TANDEM_ASB_R_DISCONNECT);
			assert_true(victim_chg <= winner_chg);
			break;
		case TANDEM_ASB_DISCARD_ZERO_CHG:
			assert_int_equal(o->result == TANDEM_ASB_R_DISCONNECT,
					 f->my_changes && f->peer_changes);
			if (o->result != TANDEM_ASB_R_DISCONNECT)
				assert_true(victim_chg == 0);
			break;
		case TANDEM_ASB_DISCARD_YOUNGER_PRI:
		case TANDEM_ASB_DISCARD_OLDER_PRI:
			assert_int_not_equal(o->result,
					     TANDEM_ASB_R_DISCONNECT);
			if (f->my_older_primary != f->peer_older_primary) {
				bool victim_older = lose ? f->my_older_primary :
							   f->peer_older_primary;

				assert_int_equal(victim_older,
					f->my_0p == TANDEM_ASB_DISCARD_OLDER_PRI);
			} else {
				assert_true(victim_chg <= winner_chg);
			}
			break;
		}
	} else if (primaries == 1) {
		if (!tandem_asb_valid(TANDEM_ASB_1PRI, f->p1) ||
		    f->p1 == TANDEM_ASB_DISCONNECT)
			assert_int_equal(o->result, TANDEM_ASB_R_DISCONNECT);
		if (f->p1 == TANDEM_ASB_DISCARD_SECONDARY)
			assert_int_equal(o->result, f->my_primary ?
					 TANDEM_ASB_R_I_WIN :
					 TANDEM_ASB_R_I_LOSE);
		if (f->p1 == TANDEM_ASB_CONSENSUS ||
		    f->p1 == TANDEM_ASB_DISCARD_SECONDARY)
			assert_false(o->victim_primary);
		if (f->p1 == TANDEM_ASB_CONSENSUS ||
		    f->p1 == TANDEM_ASB_CALL_HELPER)
			assert_non_null(o->why_0p);
		else
			assert_null(o->why_0p);
	} else {
		if (!tandem_asb_valid(TANDEM_ASB_2PRI, f->p2) ||
		    f->p2 == TANDEM_ASB_DISCONNECT)
			assert_int_equal(o->result, TANDEM_ASB_R_DISCONNECT);
		if (o->result != TANDEM_ASB_R_DISCONNECT)
			assert_true(o->victim_primary);
	}
}

/*
 * With 1 or 2 Primaries and a policy that applies after-sb-0pri, the
 * result is that of the same facts with no Primary (unless consensus
 * refuses a Primary victim).
 */
static void check_against_0p(const struct tandem_asb_facts *f,
			     const struct tandem_asb_outcome *o)
{
	struct tandem_asb_facts z = *f;
	struct tandem_asb_outcome oz;
	int primaries = f->my_primary + f->peer_primary;
	u32 p = primaries == 1 ? f->p1 : f->p2;

	if (!primaries || (p != TANDEM_ASB_CALL_HELPER &&
			   p != TANDEM_ASB_VIOLENTLY &&
			   p != TANDEM_ASB_CONSENSUS) ||
	    (primaries == 1 && p == TANDEM_ASB_VIOLENTLY) ||
	    (primaries == 2 && p == TANDEM_ASB_CONSENSUS))
		return;
	z.my_primary = z.peer_primary = false;
	tandem_asb_decide(&z, &oz);
	if (p == TANDEM_ASB_CONSENSUS && oz.result != TANDEM_ASB_R_DISCONNECT &&
	    victim_is_primary(f, oz.result))
		assert_int_equal(o->result, TANDEM_ASB_R_DISCONNECT);
	else
		assert_int_equal(o->result, oz.result);
	assert_string_equal(o->why_0p, oz.why_0p);
}

static void property_both_sides_mirror(void **state)
{
	unsigned int i, n[3] = { 0, 0, 0 };

	(void)state;
	for (i = 0; i < 200000; i++) {
		struct tandem_asb_facts f, m;
		struct tandem_asb_outcome o, om;

		f.my_primary = pick(2);
		f.peer_primary = pick(2);
		f.my_older_primary = pick(2);
		f.peer_older_primary = pick(2);
		f.my_changes = random_changes();
		f.peer_changes = pick(4) ? random_changes() : f.my_changes;
		f.my_node_lower = pick(2);
		f.my_0p = random_policy();
		f.peer_0p = pick(3) ? f.my_0p : random_policy();
		f.p1 = random_policy();
		f.p2 = random_policy();

		o = both(&f);
		tandem_asb_facts_swap(&f, &m);
		tandem_asb_decide(&m, &om);
		check_rules(&f, &o);
		check_rules(&m, &om);
		check_against_0p(&f, &o);
		check_against_0p(&m, &om);
		n[o.result]++;
	}
	/* The sample exercises every result. */
	assert_true(n[TANDEM_ASB_R_DISCONNECT] > 10000);
	assert_true(n[TANDEM_ASB_R_I_WIN] > 10000);
	assert_true(n[TANDEM_ASB_R_I_LOSE] > 10000);
}

static void swap_twice_is_identity(void **state)
{
	struct tandem_asb_facts f = facts(), m, mm;

	(void)state;
	f.my_primary = true;
	f.peer_older_primary = true;
	f.my_changes = 7;
	f.peer_changes = 9;
	f.my_0p = TANDEM_ASB_DISCARD_LOCAL;
	f.peer_0p = TANDEM_ASB_DISCARD_REMOTE;
	f.p1 = TANDEM_ASB_CONSENSUS;
	f.p2 = TANDEM_ASB_VIOLENTLY;
	tandem_asb_facts_swap(&f, &m);
	assert_false(m.my_primary);
	assert_true(m.peer_primary);
	assert_true(m.my_older_primary);
	assert_false(m.peer_older_primary);
	assert_int_equal(m.my_changes, 9);
	assert_int_equal(m.peer_changes, 7);
	assert_false(m.my_node_lower);
	assert_int_equal(m.my_0p, TANDEM_ASB_DISCARD_REMOTE);
	assert_int_equal(m.peer_0p, TANDEM_ASB_DISCARD_LOCAL);
	assert_int_equal(m.p1, TANDEM_ASB_CONSENSUS);
	assert_int_equal(m.p2, TANDEM_ASB_VIOLENTLY);
	tandem_asb_facts_swap(&m, &mm);
	assert_int_equal(mm.my_primary, f.my_primary);
	assert_int_equal(mm.peer_primary, f.peer_primary);
	assert_int_equal(mm.my_older_primary, f.my_older_primary);
	assert_int_equal(mm.peer_older_primary, f.peer_older_primary);
	assert_int_equal(mm.my_changes, f.my_changes);
	assert_int_equal(mm.peer_changes, f.peer_changes);
	assert_int_equal(mm.my_node_lower, f.my_node_lower);
	assert_int_equal(mm.my_0p, f.my_0p);
	assert_int_equal(mm.peer_0p, f.peer_0p);
	assert_int_equal(mm.p1, f.p1);
	assert_int_equal(mm.p2, f.p2);
}

/* ---- names ---- */

static const char *const all_names[TANDEM_ASB_NR] = {
	"disconnect", "discard-younger-primary", "discard-older-primary",
	"discard-zero-changes", "discard-least-changes", "discard-local",
	"discard-remote", "consensus", "discard-secondary",
	"call-pri-lost-after-sb", "violently-as0p",
};

static void names_and_validity(void **state)
{
	/* Which values each option takes, by policy. */
	static const bool valid[TANDEM_ASB_NR][3] = {
		[TANDEM_ASB_DISCONNECT] = { true, true, true },
		[TANDEM_ASB_DISCARD_YOUNGER_PRI] = { true, false, false },
		[TANDEM_ASB_DISCARD_OLDER_PRI] = { true, false, false },
		[TANDEM_ASB_DISCARD_ZERO_CHG] = { true, false, false },
		[TANDEM_ASB_DISCARD_LEAST_CHG] = { true, false, false },
		[TANDEM_ASB_DISCARD_LOCAL] = { true, false, false },
		[TANDEM_ASB_DISCARD_REMOTE] = { true, false, false },
		[TANDEM_ASB_CONSENSUS] = { false, true, false },
		[TANDEM_ASB_DISCARD_SECONDARY] = { false, true, false },
		[TANDEM_ASB_CALL_HELPER] = { false, true, true },
		[TANDEM_ASB_VIOLENTLY] = { false, false, true },
	};
	u32 p;
	int which;

	(void)state;
	for (p = 0; p < TANDEM_ASB_NR; p++) {
		assert_string_equal(tandem_asb_name(p), all_names[p]);
		for (which = 0; which < 3; which++) {
			u32 got = 0xdead;
			int rc = tandem_asb_parse(which, all_names[p], &got);

			assert_int_equal(tandem_asb_valid(which, p),
					 valid[p][which]);
			if (valid[p][which]) {
				assert_int_equal(rc, 0);
				assert_int_equal(got, p);
			} else {
				assert_int_equal(rc, -1);
				assert_int_equal(got, 0xdead);
			}
		}
		assert_false(tandem_asb_valid(-1, p));
		assert_false(tandem_asb_valid(3, p));
	}
	for (which = 0; which < 3; which++) {
		assert_false(tandem_asb_valid(which, TANDEM_ASB_NR));
		assert_false(tandem_asb_valid(which, 0xffffffffu));
	}
	assert_string_equal(tandem_asb_name(TANDEM_ASB_NR), "?");
	assert_string_equal(tandem_asb_name(0xffffffffu), "?");
}

static void parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", "discard", "DISCONNECT", "Disconnect", "disconnect ",
		" disconnect", "disconnectx", "discard-local\n", "consensu",
		"violently", "call-pri-lost", "discard_zero_changes",
	};
	unsigned int i;
	u32 got = 0xdead;
	int which;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (which = 0; which < 3; which++)
			assert_int_equal(tandem_asb_parse(which, bad[i], &got),
					 -1);
	for (which = 0; which < 3; which++)
		assert_int_equal(tandem_asb_parse(which, NULL, &got), -1);
	/* A value of one option is no value of another. */
	assert_int_equal(tandem_asb_parse(TANDEM_ASB_1PRI,
					  "discard-least-changes", &got), -1);
	assert_int_equal(tandem_asb_parse(TANDEM_ASB_2PRI, "consensus", &got),
			 -1);
	assert_int_equal(tandem_asb_parse(TANDEM_ASB_1PRI, "violently-as0p",
					  &got), -1);
	assert_int_equal(tandem_asb_parse(TANDEM_ASB_0PRI, "discard-secondary",
					  &got), -1);
	assert_int_equal(tandem_asb_parse(3, "disconnect", &got), -1);
	assert_int_equal(tandem_asb_parse(-1, "disconnect", &got), -1);
	assert_int_equal(got, 0xdead);
}

static void result_names(void **state)
{
	(void)state;
	assert_string_equal(tandem_asb_result_name(TANDEM_ASB_R_DISCONNECT),
			    "disconnect");
	assert_string_equal(tandem_asb_result_name(TANDEM_ASB_R_I_WIN), "win");
	assert_string_equal(tandem_asb_result_name(TANDEM_ASB_R_I_LOSE),
			    "lose");
	assert_string_equal(tandem_asb_result_name((enum tandem_asb_result)7),
			    "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(p0_disconnect),
		cmocka_unit_test(p0_discard_younger_primary),
		cmocka_unit_test(p0_discard_older_primary),
		cmocka_unit_test(p0_younger_older_fallback),
		cmocka_unit_test(p0_discard_zero_changes_one_zero),
		cmocka_unit_test(p0_discard_zero_changes_both_zero),
		cmocka_unit_test(p0_discard_zero_changes_neither_zero),
		cmocka_unit_test(p0_discard_least_changes),
		cmocka_unit_test(p0_discard_least_changes_tie),
		cmocka_unit_test(p0_discard_local_remote_pair),
		cmocka_unit_test(p0_discard_local_remote_same_on_both),
		cmocka_unit_test(p0_policies_differ),
		cmocka_unit_test(p0_invalid_value),
		cmocka_unit_test(p0_ignores_p1_p2),
		cmocka_unit_test(p1_disconnect),
		cmocka_unit_test(p1_consensus_victim_secondary),
		cmocka_unit_test(p1_consensus_victim_primary),
		cmocka_unit_test(p1_consensus_no_victim),
		cmocka_unit_test(p1_discard_secondary),
		cmocka_unit_test(p1_call_pri_lost_victim_primary),
		cmocka_unit_test(p1_call_pri_lost_victim_secondary),
		cmocka_unit_test(p1_call_pri_lost_no_victim),
		cmocka_unit_test(p1_invalid_value),
		cmocka_unit_test(p2_disconnect),
		cmocka_unit_test(p2_call_pri_lost),
		cmocka_unit_test(p2_violently_as0p),
		cmocka_unit_test(p2_invalid_value),
		cmocka_unit_test(property_both_sides_mirror),
		cmocka_unit_test(swap_twice_is_identity),
		cmocka_unit_test(names_and_validity),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(result_names),
	};

	return cmocka_run_group_tests_name("kernel/lib/after_sb", tests,
					   NULL, NULL);
}
