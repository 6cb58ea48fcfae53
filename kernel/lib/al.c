// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - activity log transactions and their replay (pure logic).
 * The format is described in al.h and docs/METADATA.md.
 */
#include "al.h"
#include "md_layout.h"

#define OFF_MAGIC	0
#define OFF_CSUM	4
#define OFF_SEQ		8
#define OFF_NR		16
#define OFF_NUPD	20
#define OFF_NCTX	22
#define OFF_CTX_START	24
#define OFF_UPDATES	32

static void put_be16(unsigned char *p, u32 v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static u32 get_be16(const unsigned char *p)
{
	return (u32)p[0] << 8 | p[1];
}

static void zero(unsigned char *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = 0;
}

u32 tandem_al_ctx_per_block(u32 nr_slots)
{
	u32 n = (nr_slots + TANDEM_AL_BLOCKS - 2) / (TANDEM_AL_BLOCKS - 1);

	return n < nr_slots ? n : nr_slots;
}

static u32 block_csum(const unsigned char *block)
{
	static const unsigned char zeros[4];
	u32 crc;

	crc = tandem_crc32c(~0U, block, OFF_CSUM);
	crc = tandem_crc32c(crc, zeros, 4);
	crc = tandem_crc32c(crc, block + OFF_CSUM + 4,
			    TANDEM_AL_BLOCK_BYTES - OFF_CSUM - 4);
	return ~crc;
}

int tandem_al_encode(unsigned char *block, u64 seq, const u32 *table,
		     u32 nr_slots, const struct tandem_al_update *updates,
		     u32 n_updates, u32 ctx_start)
{
	u32 n_ctx = tandem_al_ctx_per_block(nr_slots), i, s;

	if (!seq || nr_slots < TANDEM_AL_EXTENTS_MIN ||
	    nr_slots > TANDEM_AL_EXTENTS_MAX ||
	    n_updates > TANDEM_AL_MAX_UPDATES || ctx_start >= nr_slots ||
	    n_ctx > TANDEM_AL_MAX_CTX)
		return -1;
	for (i = 0; i < n_updates; i++)
		if (updates[i].slot >= nr_slots)
			return -1;
	zero(block, TANDEM_AL_BLOCK_BYTES);
	tandem_put_be32(block + OFF_MAGIC, TANDEM_AL_MAGIC);
	tandem_put_be64(block + OFF_SEQ, seq);
	tandem_put_be32(block + OFF_NR, nr_slots);
	put_be16(block + OFF_NUPD, n_updates);
	put_be16(block + OFF_NCTX, n_ctx);
	tandem_put_be32(block + OFF_CTX_START, ctx_start);
	for (i = 0; i < n_updates; i++) {
		tandem_put_be32(block + OFF_UPDATES + 8 * i, updates[i].slot);
		tandem_put_be32(block + OFF_UPDATES + 8 * i + 4,
				updates[i].extent);
	}
	for (i = 0, s = ctx_start; i < n_ctx; i++) {
		tandem_put_be32(block + TANDEM_AL_CTX_OFFSET + 4 * i, table[s]);
		if (++s == nr_slots)
			s = 0;
	}
	tandem_put_be32(block + OFF_CSUM, block_csum(block));
	return (int)s;
}

/* Checks one block; returns its AL size, or 0 if it is not valid. */
static u32 block_valid(const unsigned char *b)
{
	u32 nr = tandem_get_be32(b + OFF_NR);

	if (tandem_get_be32(b + OFF_MAGIC) != TANDEM_AL_MAGIC ||
	    tandem_get_be32(b + OFF_CSUM) != block_csum(b) ||
	    !tandem_get_be64(b + OFF_SEQ))
		return 0;
	if (nr < TANDEM_AL_EXTENTS_MIN || nr > TANDEM_AL_EXTENTS_MAX ||
	    get_be16(b + OFF_NUPD) > TANDEM_AL_MAX_UPDATES ||
	    get_be16(b + OFF_NCTX) != tandem_al_ctx_per_block(nr) ||
	    tandem_get_be32(b + OFF_CTX_START) >= nr)
		return 0;
	return nr;
}

static void apply(const unsigned char *b, u32 *table, u32 nr)
{
	u32 n_ctx = get_be16(b + OFF_NCTX), n_upd = get_be16(b + OFF_NUPD);
	u32 s = tandem_get_be32(b + OFF_CTX_START), i;

	for (i = 0; i < n_ctx; i++) {
		table[s] = tandem_get_be32(b + TANDEM_AL_CTX_OFFSET + 4 * i);
		if (++s == nr)
			s = 0;
	}
	for (i = 0; i < n_upd; i++) {
		u32 slot = tandem_get_be32(b + OFF_UPDATES + 8 * i);

		if (slot < nr)
			table[slot] = tandem_get_be32(b + OFF_UPDATES + 8 * i + 4);
	}
}

void tandem_al_replay(const unsigned char *ring, u32 *table,
		      struct tandem_al_replay *out)
{
	u32 order[TANDEM_AL_BLOCKS], nr[TANDEM_AL_BLOCKS];
	u32 n = 0, i, j, newest = 0;
	u64 newest_seq = 0;

	out->valid = 0;
	out->nr_slots = 0;
	out->max_seq = 0;
	out->active = 0;
	for (i = 0; i < TANDEM_AL_EXTENTS_MAX; i++)
		table[i] = TANDEM_AL_NO_EXTENT;

	for (i = 0; i < TANDEM_AL_BLOCKS; i++) {
		const unsigned char *b = ring + i * TANDEM_AL_BLOCK_BYTES;
		u64 seq;

		nr[i] = block_valid(b);
		if (!nr[i])
			continue;
		seq = tandem_get_be64(b + OFF_SEQ);
		if (seq > newest_seq) {
			newest_seq = seq;
			newest = nr[i];
		}
	}
	if (!newest_seq)
		return;
	/* Valid blocks of the newest AL size, in transaction order. */
	for (i = 0; i < TANDEM_AL_BLOCKS; i++) {
		u64 seq;

		if (nr[i] != newest)
			continue;
		seq = tandem_get_be64(ring + i * TANDEM_AL_BLOCK_BYTES + OFF_SEQ);
		for (j = n; j > 0; j--) {
			u64 other = tandem_get_be64(ring + order[j - 1] *
						    TANDEM_AL_BLOCK_BYTES +
						    OFF_SEQ);
			if (other <= seq)
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
		n++;
	}
	for (i = 0; i < n; i++)
		apply(ring + order[i] * TANDEM_AL_BLOCK_BYTES, table, newest);
	out->valid = n;
	out->nr_slots = newest;
	out->max_seq = newest_seq;
	for (i = 0; i < newest; i++)
		if (table[i] != TANDEM_AL_NO_EXTENT)
			out->active++;
}

u64 tandem_al_mark_extent(unsigned char *bm, u64 bm_bits, u32 extent)
{
	u64 first = (u64)extent * TANDEM_AL_BITS_PER_EXTENT, b, n = 0;
	u64 end = first + TANDEM_AL_BITS_PER_EXTENT;

	if (end > bm_bits)
		end = bm_bits;
	for (b = first; b < end; b++) {
		unsigned char bit = (unsigned char)(1U << (b & 7));

		if (!(bm[b >> 3] & bit)) {
			bm[b >> 3] |= bit;
			n++;
		}
	}
	return n;
}
