// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/sync_decide.c: every rule of the resync
 * decision, and the property that both nodes of a connection always reach
 * mirrored decisions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/lib/sync_decide.h"
#include "kernel/uapi/tandem_genl.h"

#define G1 0x1111111111111110ULL
#define G2 0x2222222222222220ULL
#define G3 0x3333333333333330ULL
#define G4 0x4444444444444440ULL

static struct tandem_sync_facts facts(u32 me, u32 peer, u64 mine, u64 theirs)
{
	struct tandem_sync_facts f;

	memset(&f, 0, sizeof(f));
	f.my_disk = me;
	f.peer_disk = peer;
	f.my_current = mine;
	f.peer_current = theirs;
	f.my_node_lower = true;
	return f;
}

/* The peer's view of the same connection. */
static struct tandem_sync_facts mirror(const struct tandem_sync_facts *f)
{
	struct tandem_sync_facts m;

	m.my_disk = f->peer_disk;
	m.peer_disk = f->my_disk;
	m.my_current = f->peer_current;
	m.peer_current = f->my_current;
	m.my_bitmap = f->peer_bitmap;
	m.peer_bitmap = f->my_bitmap;
	memcpy(m.my_history, f->peer_history, sizeof(m.my_history));
	memcpy(m.peer_history, f->my_history, sizeof(m.peer_history));
	m.my_crashed = f->peer_crashed;
	m.peer_crashed = f->my_crashed;
	m.my_verified = f->peer_verified;
	m.peer_verified = f->my_verified;
	m.my_node_lower = !f->my_node_lower;
	m.my_discard = f->peer_discard;
	m.peer_discard = f->my_discard;
	m.my_sync_from = f->peer_sync_from;
	m.peer_sync_from = f->my_sync_from;
	return m;
}

static enum tandem_sync_decision mirrored(enum tandem_sync_decision d)
{
	switch (d) {
	case TANDEM_SYNC_FULL_SOURCE:
		return TANDEM_SYNC_FULL_TARGET;
	case TANDEM_SYNC_FULL_TARGET:
		return TANDEM_SYNC_FULL_SOURCE;
	case TANDEM_SYNC_BITMAP_SOURCE:
		return TANDEM_SYNC_BITMAP_TARGET;
	case TANDEM_SYNC_BITMAP_TARGET:
		return TANDEM_SYNC_BITMAP_SOURCE;
	default:
		return d;
	}
}

/* Decide on both nodes; they must agree; return this node's decision. */
static enum tandem_sync_decision both(const struct tandem_sync_facts *f)
{
	struct tandem_sync_facts m = mirror(f);
	enum tandem_sync_decision d = tandem_sync_decide(f);

	assert_int_equal(tandem_sync_decide(&m), mirrored(d));
	return d;
}

static void rule1_unusable_disks(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	f = facts(TANDEM_DS_DISKLESS, TANDEM_DS_UPTODATE, 0, G1);
	assert_int_equal(both(&f), TANDEM_SYNC_NONE);
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_FAILED, G1, G2);
	assert_int_equal(both(&f), TANDEM_SYNC_NONE);
}

static void rule2_full_sync_towards_inconsistent(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_INCONSISTENT, G1, 0);
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_SOURCE);
	f = facts(TANDEM_DS_INCONSISTENT, TANDEM_DS_UPTODATE, G2, G1);
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_TARGET);
}

/* An interrupted resync goes on from the bitmap if the source tracked
 * every change since it began; else it starts over. */
static void rule2_interrupted_resync_resumes_from_bitmap(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	/* the source's generation did not move */
	f = facts(TANDEM_DS_INCONSISTENT, TANDEM_DS_UPTODATE, G2, G1);
	f.my_sync_from = G1;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	/* it moved on, tracking changes for us from where we began */
	f.peer_current = G3;
	f.peer_bitmap = G1;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	/* it moved on from another generation: the bitmap is not enough */
	f.peer_bitmap = G4;
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_TARGET);
	f.peer_bitmap = 0;
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_TARGET);
	/* the source side of the same */
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_INCONSISTENT, G1, G2);
	f.peer_sync_from = G1;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
}

static void rule3_no_data_no_sync(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	f = facts(TANDEM_DS_INCONSISTENT, TANDEM_DS_INCONSISTENT, 0, 0);
	assert_int_equal(both(&f), TANDEM_SYNC_NONE);
	/* Outdated data is no source for an Inconsistent disk. */
	f = facts(TANDEM_DS_OUTDATED, TANDEM_DS_INCONSISTENT, G1, 0);
	assert_int_equal(both(&f), TANDEM_SYNC_NONE);
}

static void rule4_same_generation(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_UPTODATE, G1, G1);
	assert_int_equal(both(&f), TANDEM_SYNC_NONE);
	/* A crashed Primary's AL extents are in its bitmap: it is source. */
	f.my_crashed = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	f.my_crashed = false;
	f.peer_crashed = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	f.my_crashed = true;	/* both: the lower node id wins */
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	f.my_node_lower = false;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
}

static void rule4_verify_found_differences(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_UPTODATE, G1, G1);
	/* The node that ran verify as source holds the good copy. */
	f.my_verified = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	f.my_verified = false;
	f.peer_verified = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	f.my_verified = true;	/* both: the lower node id wins */
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	f.my_node_lower = false;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	/* A crashed Primary comes first: its AL extents decide. */
	f.my_verified = true;
	f.peer_verified = false;
	f.peer_crashed = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	/* Different generations: the verify flag plays no role. */
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_UPTODATE, G2, G1);
	f.my_bitmap = G1;
	f.peer_verified = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	/* An Inconsistent side still gets everything. */
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_INCONSISTENT, G1, G1);
	f.peer_verified = true;
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_SOURCE);
}

static void rule5_bitmap_resync(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	/* We were Primary and lost the peer at G1; we are at G2 now. */
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_UPTODATE, G2, G1);
	f.my_bitmap = G1;
	f.my_history[0] = G1;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	/* An Outdated peer at G1 takes the same bitmap resync. */
	f.peer_disk = TANDEM_DS_OUTDATED;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	/*
	 * A peer that crashed as Primary at G1 still takes a bitmap resync:
	 * its replayed AL extents are in its own bitmap, which it adds.
	 */
	f.peer_disk = TANDEM_DS_UPTODATE;
	f.peer_crashed = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	/* We are not UpToDate: no source of a bitmap resync. */
	f.peer_crashed = false;
	f.my_disk = TANDEM_DS_CONSISTENT;
	assert_int_not_equal(tandem_sync_decide(&f), TANDEM_SYNC_BITMAP_SOURCE);
}

static void rule6_split_brain_or_unrelated(void **state)
{
	struct tandem_sync_facts f;

	(void)state;
	/* Both went on from G1 while apart. */
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_UPTODATE, G2, G3);
	f.my_bitmap = G1;
	f.peer_bitmap = G1;
	f.my_history[0] = G1;
	f.peer_history[0] = G1;
	assert_int_equal(both(&f), TANDEM_SYNC_SPLIT_BRAIN);
	/* Bitmaps from the same generation: the victim takes their union. */
	f.my_discard = true;
	assert_true(tandem_sync_sb_bitmap(&f));
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_TARGET);
	f.my_discard = false;
	f.peer_discard = true;
	assert_int_equal(both(&f), TANDEM_SYNC_BITMAP_SOURCE);
	f.peer_discard = false;
	/* Bitmaps from different generations: everything. */
	f.peer_bitmap = G4;
	f.peer_history[1] = G4;
	f.my_discard = true;
	assert_false(tandem_sync_sb_bitmap(&f));
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_TARGET);
	f.my_discard = false;
	f.peer_history[1] = 0;
	/* Common ancestry in history only is still split brain. */
	f.my_bitmap = f.peer_bitmap = 0;
	f.my_history[0] = G4;
	f.my_history[1] = G1;
	assert_int_equal(both(&f), TANDEM_SYNC_SPLIT_BRAIN);
	/* The victim of a split brain discards its data: full sync to it. */
	f.my_discard = true;
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_TARGET);
	f.peer_discard = true;	/* both discarding resolves nothing */
	assert_int_equal(both(&f), TANDEM_SYNC_SPLIT_BRAIN);
	f.my_discard = false;
	assert_int_equal(both(&f), TANDEM_SYNC_FULL_SOURCE);
	f.peer_discard = false;
	/* Two disks created independently. */
	f = facts(TANDEM_DS_UPTODATE, TANDEM_DS_UPTODATE, G2, G3);
	assert_int_equal(both(&f), TANDEM_SYNC_UNRELATED);
	f.my_discard = true;	/* never overwrite unrelated data */
	assert_int_equal(both(&f), TANDEM_SYNC_UNRELATED);
	f.my_discard = false;
	/* Zero generations never count as common history. */
	f.my_history[0] = 0;
	f.peer_bitmap = 0;
	assert_int_equal(both(&f), TANDEM_SYNC_UNRELATED);
}

/* Mirrored decisions for many generated situations. */
static void property_both_sides_agree(void **state)
{
	static const u32 disks[] = {
		TANDEM_DS_DISKLESS, TANDEM_DS_INCONSISTENT, TANDEM_DS_OUTDATED,
		TANDEM_DS_CONSISTENT, TANDEM_DS_UPTODATE,
	};
	static const u64 gens[] = { 0, G1, G2, G3 };
	unsigned int seed = 12345, i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		struct tandem_sync_facts f;
		int k;

		memset(&f, 0, sizeof(f));
		seed = seed * 1103515245 + 12345;
		f.my_disk = disks[(seed >> 16) % 5];
		f.peer_disk = disks[(seed >> 8) % 5];
		seed = seed * 1103515245 + 12345;
		f.my_current = gens[(seed >> 16) % 4];
		f.peer_current = gens[(seed >> 12) % 4];
		f.my_bitmap = gens[(seed >> 8) % 4];
		f.peer_bitmap = gens[(seed >> 4) % 4];
		seed = seed * 1103515245 + 12345;
		for (k = 0; k < TANDEM_MD_HISTORY; k++) {
			f.my_history[k] = gens[(seed >> (k * 2)) % 4];
			f.peer_history[k] = gens[(seed >> (k * 2 + 8)) % 4];
		}
		f.my_crashed = (seed >> 20) & 1;
		f.peer_crashed = (seed >> 21) & 1;
		f.my_verified = (seed >> 25) & 1;
		f.peer_verified = (seed >> 26) & 1;
		f.my_node_lower = (seed >> 22) & 1;
		f.my_discard = (seed >> 23) & 1;
		f.peer_discard = (seed >> 24) & 1;
		both(&f);
	}
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(tandem_sync_decision_name(TANDEM_SYNC_SPLIT_BRAIN),
			    "split brain");
	assert_string_equal(tandem_sync_decision_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule1_unusable_disks),
		cmocka_unit_test(rule2_full_sync_towards_inconsistent),
		cmocka_unit_test(rule3_no_data_no_sync),
		cmocka_unit_test(rule4_same_generation),
		cmocka_unit_test(rule4_verify_found_differences),
		cmocka_unit_test(rule5_bitmap_resync),
		cmocka_unit_test(rule6_split_brain_or_unrelated),
		cmocka_unit_test(rule2_interrupted_resync_resumes_from_bitmap),
		cmocka_unit_test(property_both_sides_agree),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests_name("kernel/lib/sync_decide", tests,
					   NULL, NULL);
}
