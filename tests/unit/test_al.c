// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/al.c: the activity log transaction block, its
 * replay, and marking an extent in an on-disk bitmap slot.
 *
 * The centre piece is a model of an AL writer (an LRU table, random
 * extents, one transaction per change set written round-robin into an
 * 8-block ring): after every transaction the replay of the ring must give
 * back exactly the model's table, and a torn or otherwise invalid newest
 * block must give back the table as it was one transaction earlier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/lib/al.h"
#include "../../kernel/lib/md_layout.h"

#define BLOCK	TANDEM_AL_BLOCK_BYTES
#define NBLK	TANDEM_AL_BLOCKS
#define NONE	TANDEM_AL_NO_EXTENT
#define XMAX	TANDEM_AL_EXTENTS_MAX

/* ---- helpers --------------------------------------------------------- */

static u64 rng = 0x9E3779B97F4A7C15ULL;

static u32 rnd(u32 n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (u32)((rng * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

static u32 be16(const unsigned char *p)
{
	return (u32)p[0] << 8 | p[1];
}

/* Give a block a valid checksum after editing it (computed here, not by
 * al.c: CRC32C of the block with the field zero). */
static void reseal(unsigned char *b)
{
	tandem_put_be32(b + 4, 0);
	tandem_put_be32(b + 4, tandem_crc32c(~0U, b, BLOCK) ^ ~0U);
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* The non-free extents of @t[0..n), sorted, into @out; returns how many. */
static u32 extent_set(const u32 *t, u32 n, u32 *out)
{
	u32 i, k = 0;

	for (i = 0; i < n; i++)
		if (t[i] != NONE)
			out[k++] = t[i];
	qsort(out, k, sizeof(*out), cmp_u32);
	return k;
}

/*
 * Replay @ring and check it gives @want (@nr slots, all others free), with
 * @valid blocks and @seq as the newest transaction.
 */
static void check_replay(const unsigned char *ring, const u32 *want, u32 nr,
			 u64 seq, u32 valid)
{
	u32 *table = malloc(XMAX * sizeof(u32));
	u32 *a = malloc(XMAX * sizeof(u32)), *b = malloc(XMAX * sizeof(u32));
	struct tandem_al_replay rp;
	u32 i, na, nb;

	assert_non_null(table);
	assert_non_null(a);
	assert_non_null(b);
	memset(table, 0x5a, XMAX * sizeof(u32));
	memset(&rp, 0xa5, sizeof(rp));
	tandem_al_replay(ring, table, &rp);

	/* as sets */
	na = extent_set(table, XMAX, a);
	nb = extent_set(want, nr, b);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(u32));
	/* and slot by slot */
	for (i = 0; i < XMAX; i++)
		assert_int_equal(table[i], i < nr ? want[i] : NONE);
	assert_int_equal(rp.active, nb);
	assert_int_equal(rp.valid, valid);
	assert_true(rp.max_seq == seq);
	assert_int_equal(rp.nr_slots, valid ? nr : 0);
	free(table);
	free(a);
	free(b);
}

/* ---- the model writer ---------------------------------------------- */

/**
 * struct model - an AL writer as the module runs one
 * @nr: AL size
 * @table: current table
 * @prev: table before the last transaction
 * @lru: slots, most recently used first
 * @seq: last transaction number written (0: none)
 * @ctx: where the next context window starts
 * @ring: the on-disk ring
 */
struct model {
	u32 nr;
	u32 table[XMAX];
	u32 prev[XMAX];
	u32 lru[XMAX];
	u64 seq;
	u32 ctx;
	unsigned char ring[TANDEM_AL_BYTES];
};

/* A new, empty table of @nr slots; the ring and seq are kept. */
static void model_table(struct model *m, u32 nr)
{
	u32 i;

	m->nr = nr;
	m->ctx = 0;
	for (i = 0; i < XMAX; i++) {
		m->table[i] = NONE;
		m->prev[i] = NONE;
		m->lru[i] = i;
	}
}

static struct model *model_new(u32 nr)
{
	struct model *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	model_table(m, nr);
	return m;
}

static void lru_move(struct model *m, u32 slot, bool front)
{
	u32 i, at = 0;

	for (i = 0; i < m->nr; i++)
		if (m->lru[i] == slot)
			at = i;
	if (front) {
		memmove(m->lru + 1, m->lru, at * sizeof(u32));
		m->lru[0] = slot;
	} else {
		memmove(m->lru + at, m->lru + at + 1,
			(m->nr - at - 1) * sizeof(u32));
		m->lru[m->nr - 1] = slot;
	}
}

static bool in_table(const struct model *m, u32 e)
{
	u32 i;

	for (i = 0; i < m->nr; i++)
		if (m->table[i] == e)
			return true;
	return false;
}

static void model_write(struct model *m, const struct tandem_al_update *upd,
			u32 n)
{
	u32 want = (m->ctx + tandem_al_ctx_per_block(m->nr)) % m->nr;
	int next;

	next = tandem_al_encode(m->ring + (m->seq % NBLK) * BLOCK, m->seq + 1,
				m->table, m->nr, upd, n, m->ctx);
	assert_int_equal(next, want);
	m->seq++;
	m->ctx = (u32)next;
}

/* Some LRU hits, then one transaction of 1..@max changes. */
static void model_step(struct model *m, u32 max)
{
	struct tandem_al_update upd[TANDEM_AL_MAX_UPDATES];
	u32 n = 1 + rnd(max), i, hits = rnd(4);
	u32 range = 3 * m->nr + 5;

	while (hits--)
		lru_move(m, rnd(m->nr), true);
	memcpy(m->prev, m->table, sizeof(m->table));
	for (i = 0; i < n; i++) {
		u32 slot, e;

		if (!rnd(6)) {
			/* an extent leaves (its bitmap blocks are written) */
			slot = rnd(m->nr);
			e = NONE;
			lru_move(m, slot, false);
		} else {
			/* a cold extent takes the least recently used slot */
			do {
				e = rnd(16) ? rnd(range) :
				    0xfffffff0U + rnd(15);
			} while (in_table(m, e));
			slot = m->lru[m->nr - 1];
			lru_move(m, slot, true);
		}
		m->table[slot] = e;
		upd[i].slot = slot;
		upd[i].extent = e;
	}
	model_write(m, upd, n);
}

static u32 ring_valid(u64 seq)
{
	return seq < NBLK ? (u32)seq : NBLK;
}

/* Ways of spoiling one block; each must make replay ignore it. */
enum damage {
	D_FLIP,		/* a flipped byte: bad checksum (a torn write) */
	D_MAGIC,	/* another magic, checksum fixed up */
	D_SEQ0,		/* seq 0 */
	D_NR_LOW,	/* AL size below the minimum */
	D_NR_HIGH,	/* above the maximum */
	D_NCTX,		/* context count not the one for the AL size */
	D_CTX_START,	/* window start beyond the table */
	D_NUPD,		/* more updates than a block holds */
	D_ZERO,		/* never written */
	D_MAX
};

static void damage(unsigned char *b, enum damage how)
{
	switch (how) {
	case D_FLIP:
		b[rnd(BLOCK)] ^= (unsigned char)(1 + rnd(255));
		return;
	case D_MAGIC:
		tandem_put_be32(b, TANDEM_AL_MAGIC ^ (1U << rnd(32)));
		break;
	case D_SEQ0:
		tandem_put_be64(b + 8, 0);
		break;
	case D_NR_LOW:
		tandem_put_be32(b + 16, TANDEM_AL_EXTENTS_MIN - 1);
		break;
	case D_NR_HIGH:
		tandem_put_be32(b + 16, TANDEM_AL_EXTENTS_MAX + 1);
		break;
	case D_NCTX:
		b[23] ^= 1;
		break;
	case D_CTX_START:
		tandem_put_be32(b + 24, tandem_get_be32(b + 16));
		break;
	case D_NUPD:
		b[20] = 0;
		b[21] = TANDEM_AL_MAX_UPDATES + 1;
		break;
	default:
		memset(b, 0, BLOCK);
		return;
	}
	reseal(b);
}

/*
 * Run the model for @n transactions of up to @max changes, checking the
 * replay after every one, and that spoiling the newest block gives back
 * the previous table, spoiling the oldest changes nothing, and the order
 * of the blocks in the ring does not matter.
 */
static void run_model(struct model *m, u32 n, u32 max)
{
	unsigned char *copy = malloc(TANDEM_AL_BYTES);
	u32 t, perm[NBLK], i;

	assert_non_null(copy);
	for (t = 0; t < n; t++) {
		model_step(m, max);
		check_replay(m->ring, m->table, m->nr, m->seq,
			     ring_valid(m->seq));

		memcpy(copy, m->ring, TANDEM_AL_BYTES);
		damage(copy + ((m->seq - 1) % NBLK) * BLOCK,
		       (enum damage)(t % D_MAX));
		check_replay(copy, m->prev, m->nr, m->seq - 1,
			     ring_valid(m->seq) - 1);

		if (m->seq >= NBLK) {
			memcpy(copy, m->ring, TANDEM_AL_BYTES);
			damage(copy + (m->seq % NBLK) * BLOCK,
			       (enum damage)(t % D_MAX));
			check_replay(copy, m->table, m->nr, m->seq, NBLK - 1);
		}

		for (i = 0; i < NBLK; i++)
			perm[i] = i;
		for (i = NBLK - 1; i > 0; i--) {
			u32 j = rnd(i + 1), x = perm[i];

			perm[i] = perm[j];
			perm[j] = x;
		}
		for (i = 0; i < NBLK; i++)
			memcpy(copy + i * BLOCK, m->ring + perm[i] * BLOCK,
			       BLOCK);
		check_replay(copy, m->table, m->nr, m->seq,
			     ring_valid(m->seq));
	}
	free(copy);
}

/* ---- tests ----------------------------------------------------------- */

static void ctx_per_block_values(void **state)
{
	u32 nr;

	(void)state;
	assert_int_equal(NBLK, 8);
	assert_int_equal(TANDEM_AL_CTX_OFFSET, 544);
	assert_int_equal(TANDEM_AL_MAX_CTX, 888);
	assert_int_equal(tandem_al_ctx_per_block(TANDEM_AL_EXTENTS_MIN), 1);
	assert_int_equal(tandem_al_ctx_per_block(1237), 177);
	assert_int_equal(tandem_al_ctx_per_block(TANDEM_AL_EXTENTS_MAX), 878);
	for (nr = TANDEM_AL_EXTENTS_MIN; nr <= TANDEM_AL_EXTENTS_MAX; nr++) {
		u32 c = tandem_al_ctx_per_block(nr);

		/* the newest seven cover the table, and no more than needed */
		assert_true(c * (NBLK - 1) >= nr);
		assert_true((c - 1) * (NBLK - 1) < nr);
		assert_true(c <= TANDEM_AL_MAX_CTX);
		assert_true(c <= nr);
	}
}

/* Seven consecutive blocks, from any start, name every slot. */
static void seven_blocks_cover_every_slot(void **state)
{
	static const u32 sizes[] = {
		7, 8, 9, 13, 14, 15, 100, 1237, 6143, 6144,
	};
	unsigned char *block = malloc(BLOCK);
	u32 *table = malloc(XMAX * sizeof(u32));
	bool *seen = malloc(XMAX);
	u32 s, r, i, k;

	(void)state;
	assert_non_null(block);
	assert_non_null(table);
	assert_non_null(seen);
	for (i = 0; i < XMAX; i++)
		table[i] = i;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		u32 nr = sizes[s], c = tandem_al_ctx_per_block(nr);

		for (r = 0; r < 24; r++) {
			u32 start = r == 0 ? 0 : r == 1 ? nr - 1 : rnd(nr);
			u32 at = start;

			memset(seen, 0, XMAX);
			for (k = 0; k < NBLK - 1; k++) {
				int next = tandem_al_encode(block, k + 1, table,
							    nr, NULL, 0, at);

				assert_true(next >= 0);
				assert_int_equal(be16(block + 22), c);
				assert_int_equal(tandem_get_be32(block + 24),
						 at);
				for (i = 0; i < c; i++) {
					u32 v = tandem_get_be32(block + 544 +
								4 * i);

					assert_int_equal(v, (at + i) % nr);
					seen[v] = true;
				}
				at = (u32)next;
			}
			for (i = 0; i < nr; i++)
				assert_true(seen[i]);
		}
	}
	free(block);
	free(table);
	free(seen);
}

/* The block, byte by byte, as al.h describes it. */
static void encode_format(void **state)
{
	unsigned char block[BLOCK];
	u32 table[20], i;
	struct tandem_al_update upd[2] = { { 3, 77 }, { 19, NONE } };
	int next;

	(void)state;
	for (i = 0; i < 20; i++)
		table[i] = 1000 + i;
	table[19] = NONE;
	memset(block, 0xee, sizeof(block));
	next = tandem_al_encode(block, 0x0102030405060708ULL, table, 20, upd, 2,
				19);
	/* 20 slots: 3 per block, from 19 wrapping to 0 and 1 */
	assert_int_equal(next, 2);
	assert_memory_equal(block, "TNAL", 4);
	assert_true(tandem_get_be64(block + 8) == 0x0102030405060708ULL);
	assert_int_equal(tandem_get_be32(block + 16), 20);
	assert_int_equal(be16(block + 20), 2);
	assert_int_equal(be16(block + 22), 3);
	assert_int_equal(tandem_get_be32(block + 24), 19);
	assert_int_equal(tandem_get_be32(block + 28), 0);
	assert_int_equal(tandem_get_be32(block + 32), 3);
	assert_int_equal(tandem_get_be32(block + 36), 77);
	assert_int_equal(tandem_get_be32(block + 40), 19);
	assert_int_equal(tandem_get_be32(block + 44), NONE);
	for (i = 48; i < 544; i++)
		assert_int_equal(block[i], 0);
	assert_int_equal(tandem_get_be32(block + 544), NONE);
	assert_int_equal(tandem_get_be32(block + 548), 1000);
	assert_int_equal(tandem_get_be32(block + 552), 1001);
	for (i = 556; i < BLOCK; i++)
		assert_int_equal(block[i], 0);
	/* the checksum: CRC32C of the block with the field zero */
	i = tandem_get_be32(block + 4);
	reseal(block);
	assert_int_equal(tandem_get_be32(block + 4), i);

	/* the smallest table: one entry per block, wrapping at the end */
	next = tandem_al_encode(block, 1, table, 7, NULL, 0, 4);
	assert_int_equal(next, 5);
	assert_int_equal(be16(block + 22), 1);
	assert_int_equal(tandem_get_be32(block + 544), 1004);
	next = tandem_al_encode(block, 1, table, 7, NULL, 0, 6);
	assert_int_equal(next, 0);
}

static void encode_argument_checks(void **state)
{
	struct tandem_al_update upd[TANDEM_AL_MAX_UPDATES + 1];
	unsigned char *block = malloc(BLOCK);
	u32 *table = malloc(XMAX * sizeof(u32)), i;

	(void)state;
	assert_non_null(block);
	assert_non_null(table);
	for (i = 0; i < XMAX; i++)
		table[i] = NONE;
	for (i = 0; i <= TANDEM_AL_MAX_UPDATES; i++) {
		upd[i].slot = i % 7;
		upd[i].extent = i;
	}
	assert_int_equal(tandem_al_encode(block, 1, table, 1237, upd, 3, 0),
			 177);
	assert_true(tandem_al_encode(block, 0, table, 1237, upd, 3, 0) < 0);
	assert_true(tandem_al_encode(block, 1, table, 0, upd, 3, 0) < 0);
	assert_true(tandem_al_encode(block, 1, table,
				     TANDEM_AL_EXTENTS_MIN - 1, upd, 3, 0) < 0);
	assert_true(tandem_al_encode(block, 1, table,
				     TANDEM_AL_EXTENTS_MAX + 1, upd, 3, 0) < 0);
	assert_true(tandem_al_encode(block, 1, table, TANDEM_AL_EXTENTS_MIN,
				     upd, 3, 0) >= 0);
	assert_true(tandem_al_encode(block, 1, table, TANDEM_AL_EXTENTS_MAX,
				     upd, 3, 0) >= 0);
	assert_true(tandem_al_encode(block, 1, table, 1237, upd,
				     TANDEM_AL_MAX_UPDATES, 0) >= 0);
	assert_true(tandem_al_encode(block, 1, table, 1237, upd,
				     TANDEM_AL_MAX_UPDATES + 1, 0) < 0);
	upd[2].slot = 1237;
	assert_true(tandem_al_encode(block, 1, table, 1237, upd, 3, 0) < 0);
	upd[2].slot = 1236;
	assert_true(tandem_al_encode(block, 1, table, 1237, upd, 3, 0) >= 0);
	upd[2].slot = 6;
	assert_true(tandem_al_encode(block, 1, table, 7, upd, 3, 6) >= 0);
	assert_true(tandem_al_encode(block, 1, table, 7, upd, 3, 7) < 0);
	assert_true(tandem_al_encode(block, 1, table, 1237, upd, 3, 1237) < 0);
	assert_true(tandem_al_encode(block, 1, table, 1237, upd, 3,
				     0xffffffffU) < 0);
	free(block);
	free(table);
}

static void replay_all_zero_ring(void **state)
{
	unsigned char *ring = calloc(1, TANDEM_AL_BYTES);
	u32 none[1] = { NONE };

	(void)state;
	assert_non_null(ring);
	check_replay(ring, none, 0, 0, 0);
	free(ring);
}

/* One valid block among garbage: a ring just after one transaction. */
static void replay_single_block(void **state)
{
	struct model *m = model_new(7);
	struct tandem_al_update u = { 5, 42 };
	struct tandem_al_replay rp;
	u32 table[XMAX];

	(void)state;
	memset(m->ring, 0x6b, sizeof(m->ring));
	m->table[5] = 42;
	model_write(m, &u, 1);
	tandem_al_replay(m->ring, table, &rp);
	assert_int_equal(rp.valid, 1);
	assert_int_equal(rp.active, 1);
	assert_int_equal(rp.nr_slots, 7);
	assert_true(rp.max_seq == 1);
	assert_int_equal(table[5], 42);
	free(m);
}

static void writer_small_tables(void **state)
{
	static const u32 sizes[] = { 7, 8, 9, 15, 64, 200 };
	u32 s;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct model *m = model_new(sizes[s]);

		run_model(m, 400, sizes[s] < 16 ? 3 : 8);
		free(m);
	}
}

/* Batches up to a full block of updates, slots changed twice in one. */
static void writer_large_batches(void **state)
{
	static const u32 sizes[] = { 7, 31, 1237 };
	u32 s;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct model *m = model_new(sizes[s]);

		run_model(m, 120, TANDEM_AL_MAX_UPDATES);
		free(m);
	}
}

static void writer_default_and_max(void **state)
{
	struct model *m = model_new(TANDEM_AL_EXTENTS_DEFAULT);

	(void)state;
	run_model(m, 150, 4);
	free(m);
	m = model_new(TANDEM_AL_EXTENTS_MAX);
	run_model(m, 60, 16);
	free(m);
}

/* An attach writes eight empty transactions after the last seq seen. */
static void writer_after_empty_ring(void **state)
{
	struct model *m = model_new(1237);
	u32 i;

	(void)state;
	m->seq = 1000000;
	for (i = 0; i < NBLK; i++) {
		model_write(m, NULL, 0);
		check_replay(m->ring, m->table, m->nr, m->seq, i + 1);
	}
	run_model(m, 40, 6);
	free(m);
}

/*
 * After an attach with another al-extents, the blocks of the old size
 * left in the ring are older than the newest and are ignored, whatever
 * extents they name.
 */
static void other_size_blocks_ignored(void **state)
{
	static const u32 pairs[][2] = {
		{ 1237, 64 }, { 64, 1237 }, { 7, 6144 }, { 100, 101 },
		{ 8, 7 },
	};
	u32 p, k;

	(void)state;
	for (p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		struct model *m = model_new(pairs[p][0]);

		for (k = 0; k < 30; k++)
			model_step(m, 5);
		model_table(m, pairs[p][1]);
		for (k = 1; k <= NBLK + 2; k++) {
			model_step(m, 5);
			check_replay(m->ring, m->table, m->nr, m->seq,
				     k < NBLK ? k : NBLK);
		}
		free(m);
	}
}

/* Damaged blocks anywhere but among the newest seven change nothing. */
static void replay_needs_only_newest_seven(void **state)
{
	struct model *m = model_new(50);
	unsigned char *copy = malloc(TANDEM_AL_BYTES);
	u32 k;

	(void)state;
	assert_non_null(copy);
	for (k = 0; k < 20; k++)
		model_step(m, 4);
	for (k = 0; k < D_MAX; k++) {
		memcpy(copy, m->ring, TANDEM_AL_BYTES);
		damage(copy + (m->seq % NBLK) * BLOCK, (enum damage)k);
		check_replay(copy, m->table, m->nr, m->seq, NBLK - 1);
	}
	free(copy);
	free(m);
}

/* ---- marking extents in a bitmap slot ------------------------------- */

static u64 count_bits(const unsigned char *bm, u64 bytes)
{
	u64 i, n = 0;

	for (i = 0; i < bytes; i++)
		n += (u64)__builtin_popcount(bm[i]);
	return n;
}

static void mark_extent_exact_bits(void **state)
{
	const u64 bytes = 8 * 128, bits = bytes * 8;	/* 8 extents */
	unsigned char *bm = calloc(1, bytes);
	u64 i;

	(void)state;
	assert_non_null(bm);
	assert_int_equal(TANDEM_AL_BITS_PER_EXTENT, 1024);
	assert_int_equal(tandem_al_mark_extent(bm, bits, 3), 1024);
	for (i = 0; i < bytes; i++)
		assert_int_equal(bm[i], i >= 3 * 128 && i < 4 * 128 ? 0xff : 0);
	/* idempotent */
	assert_int_equal(tandem_al_mark_extent(bm, bits, 3), 0);
	assert_int_equal(count_bits(bm, bytes), 1024);
	/* bits already set in the extent are not counted */
	bm[0] = 0x81;
	bm[127] = 0x10;
	assert_int_equal(tandem_al_mark_extent(bm, bits, 0), 1024 - 3);
	assert_int_equal(count_bits(bm, bytes), 2048);
	/* neighbours untouched, first and last bit of the extent set */
	assert_int_equal(tandem_al_mark_extent(bm, bits, 7), 1024);
	assert_int_equal(bm[6 * 128 - 1], 0);
	assert_int_equal(bm[7 * 128] & 1, 1);
	assert_int_equal(bm[bytes - 1] >> 7, 1);
	free(bm);
}

/* Bit n is bit n % 8 of byte n / 8: bit 0 of a little-endian word. */
static void mark_extent_bit_order(void **state)
{
	const u64 bits = 2 * 1024 + 13;
	unsigned char *bm = calloc(1, 512);
	uint64_t word;
	u64 i;

	(void)state;
	assert_non_null(bm);
	/* the last extent covers only 13 bits */
	assert_int_equal(tandem_al_mark_extent(bm, bits, 2), 13);
	assert_int_equal(bm[256], 0xff);
	assert_int_equal(bm[257], 0x1f);
	for (i = 258; i < 512; i++)
		assert_int_equal(bm[i], 0);
	for (i = 0; i < 256; i++)
		assert_int_equal(bm[i], 0);
	assert_int_equal(tandem_al_mark_extent(bm, bits, 2), 0);
	/* beyond the data: nothing */
	assert_int_equal(tandem_al_mark_extent(bm, bits, 3), 0);
	assert_int_equal(tandem_al_mark_extent(bm, bits, 0xfffffffeU), 0);
	assert_int_equal(count_bits(bm, 512), 13);
	/* the word view of bytes 256..263 on a little-endian CPU */
	word = 0;
	for (i = 0; i < 8; i++)
		word |= (uint64_t)bm[256 + i] << (8 * i);
	assert_true(word == 0x1fffULL);
	free(bm);
}

static void mark_extent_partial_sizes(void **state)
{
	unsigned char *bm = malloc(4096);
	u64 bits;

	(void)state;
	assert_non_null(bm);
	for (bits = 1; bits <= 4 * 1024; bits++) {
		u64 e, total = 0;

		/* every size around an extent edge, a sample of the rest */
		if ((bits + 2) % 1024 > 4 && bits % 37)
			continue;

		memset(bm, 0, 4096);
		for (e = 0; e < 5; e++) {
			u64 lo = e * 1024, hi = lo + 1024, want;

			if (hi > bits)
				hi = bits;
			want = lo < hi ? hi - lo : 0;
			assert_true(tandem_al_mark_extent(bm, bits, (u32)e) ==
				    want);
			total += want;
		}
		assert_true(total == bits);
		assert_true(count_bits(bm, 4096) == bits);
	}
	free(bm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctx_per_block_values),
		cmocka_unit_test(seven_blocks_cover_every_slot),
		cmocka_unit_test(encode_format),
		cmocka_unit_test(encode_argument_checks),
		cmocka_unit_test(replay_all_zero_ring),
		cmocka_unit_test(replay_single_block),
		cmocka_unit_test(writer_small_tables),
		cmocka_unit_test(writer_large_batches),
		cmocka_unit_test(writer_default_and_max),
		cmocka_unit_test(writer_after_empty_ring),
		cmocka_unit_test(other_size_blocks_ignored),
		cmocka_unit_test(replay_needs_only_newest_seven),
		cmocka_unit_test(mark_extent_exact_bits),
		cmocka_unit_test(mark_extent_bit_order),
		cmocka_unit_test(mark_extent_partial_sizes),
	};

	return cmocka_run_group_tests_name("al", tests, NULL, NULL);
}
