// SPDX-License-Identifier: GPL-2.0
/*
 * tandemmeta - bitmap slots and the activity log of a metadata area.
 * The formats and the replay are kernel/lib/al.c, shared with the module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta/area.h"

#define SECT ((uint64_t)TANDEM_SECT_BYTES)
#define BM_BLOCK ((uint64_t)TANDEM_BM_BLOCK_BYTES)
#define BM_BLOCK_BITS ((uint64_t)TANDEM_BM_BITS_PER_BLOCK)
/* AL extents one 4 KiB bitmap block covers (32). */
#define EXTENTS_PER_BM_BLOCK (BM_BLOCK_BITS / TANDEM_AL_BITS_PER_EXTENT)
#define CHUNK (1U << 20)

uint64_t meta_bm_bits(const struct tandem_md_info *info)
{
	uint64_t per_bit = TANDEM_BM_BLOCK_BYTES / SECT;

	return (info->data_sect + per_bit - 1) / per_bit;
}

uint64_t meta_bm_slot_offset(const struct tandem_md_info *info,
			     uint64_t md_off, unsigned int slot)
{
	return md_off + (info->bm_offset_sect + slot * info->bm_slot_sect) *
	       SECT;
}

uint64_t meta_al_offset(const struct tandem_md_info *info, uint64_t md_off)
{
	return md_off + info->al_offset_sect * SECT;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int meta_al_read(const struct meta_dev *d, uint64_t al_off,
		 struct meta_al *al)
{
	unsigned char *ring = malloc(TANDEM_AL_BYTES);
	uint32_t i, n = 0;

	if (!ring) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return -1;
	}
	if (meta_dev_read(d, ring, TANDEM_AL_BYTES, al_off) < 0) {
		free(ring);
		return -1;
	}
	tandem_al_replay(ring, al->table, &al->rp);
	free(ring);
	for (i = 0; i < al->rp.nr_slots; i++)
		if (al->table[i] != TANDEM_AL_NO_EXTENT)
			al->extents[n++] = al->table[i];
	qsort(al->extents, n, sizeof(al->extents[0]), cmp_u32);
	/* a sound ring never names an extent twice; be safe anyway */
	al->n_extents = 0;
	for (i = 0; i < n; i++)
		if (!i || al->extents[i] != al->extents[i - 1])
			al->extents[al->n_extents++] = al->extents[i];
	return 0;
}

int meta_bm_mark(const struct meta_dev *d, uint64_t slot_off,
		 uint64_t bm_bits, const uint32_t *extents, uint32_t n,
		 uint64_t *marked)
{
	unsigned char block[TANDEM_BM_BLOCK_BYTES];
	uint32_t i = 0;

	*marked = 0;
	while (i < n) {
		uint64_t blk = extents[i] / EXTENTS_PER_BM_BLOCK;
		uint64_t first = blk * BM_BLOCK_BITS, in_block, got = 0;
		uint64_t off = slot_off + blk * BM_BLOCK;

		/* ascending: this one and all after it lie beyond the data */
		if ((uint64_t)extents[i] * TANDEM_AL_BITS_PER_EXTENT >= bm_bits)
			break;
		in_block = bm_bits - first < BM_BLOCK_BITS ?
			   bm_bits - first : BM_BLOCK_BITS;
		if (meta_dev_read(d, block, sizeof(block), off) < 0)
			return -1;
		for (; i < n && extents[i] / EXTENTS_PER_BM_BLOCK == blk; i++)
			got += tandem_al_mark_extent(block, in_block,
				(uint32_t)(extents[i] - blk * EXTENTS_PER_BM_BLOCK));
		if (got && meta_dev_write(d, block, sizeof(block), off) < 0)
			return -1;
		*marked += got;
	}
	return 0;
}

int meta_al_write_empty(const struct meta_dev *d, uint64_t al_off,
			uint32_t nr_slots, uint64_t last_seq)
{
	unsigned char block[TANDEM_AL_BLOCK_BYTES];
	uint32_t *table = malloc(sizeof(uint32_t) * (nr_slots ? nr_slots : 1));
	uint64_t seq = last_seq;
	uint32_t i, ctx = 0;
	int ret = 0;

	if (!table) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return -1;
	}
	for (i = 0; i < nr_slots; i++)
		table[i] = TANDEM_AL_NO_EXTENT;
	/* every block is rewritten, so starting over cannot mix them up */
	if (seq > UINT64_MAX - TANDEM_AL_BLOCKS)
		seq = 0;
	for (i = 0; i < TANDEM_AL_BLOCKS && !ret; i++) {
		int next = tandem_al_encode(block, seq + 1, table, nr_slots,
					    NULL, 0, ctx);

		if (next < 0) {
			fprintf(stderr,
				"tandemmeta: internal error: cannot encode an activity log of %u extents\n",
				nr_slots);
			ret = -1;
			break;
		}
		/* transaction s goes to ring block (s - 1) mod 8 */
		ret = meta_dev_write(d, block, sizeof(block),
				     al_off + (seq % TANDEM_AL_BLOCKS) *
				     TANDEM_AL_BLOCK_BYTES);
		seq++;
		ctx = (uint32_t)next;
	}
	free(table);
	return ret;
}

static uint64_t popcount(const unsigned char *b, size_t n)
{
	uint64_t c = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		c += (uint64_t)__builtin_popcountll(w);
	}
	for (; i < n; i++)
		c += (uint64_t)__builtin_popcount(b[i]);
	return c;
}

static int count_range(const struct meta_dev *d, unsigned char *buf,
		       uint64_t off, uint64_t len, uint64_t *count)
{
	while (len) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;

		if (meta_dev_read(d, buf, n, off) < 0)
			return -1;
		*count += popcount(buf, n);
		off += n;
		len -= n;
	}
	return 0;
}

int meta_bm_count(const struct meta_dev *d, uint64_t slot_off,
		  uint64_t bm_bits, uint64_t *count)
{
	uint64_t off = slot_off, end = slot_off + bm_bits / 8;
	unsigned char *buf = malloc(CHUNK);
	int ret = 0;

	*count = 0;
	if (!buf) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return -1;
	}
	while (off < end && !ret) {
		uint64_t data = off, hole = end;

		/* in a regular file only the data extents can hold set bits */
		if (!d->is_blk) {
			off_t x = lseek(d->fd, (off_t)off, SEEK_DATA), h;

			if (x < 0 && errno == ENXIO)
				break;
			if (x >= 0) {
				if ((uint64_t)x >= end)
					break;
				data = (uint64_t)x;
				h = lseek(d->fd, x, SEEK_HOLE);
				if (h >= 0 && (uint64_t)h < end)
					hole = (uint64_t)h;
			}
		}
		ret = count_range(d, buf, data, hole - data, count);
		off = hole;
	}
	if (!ret && bm_bits % 8) {
		unsigned char last;

		ret = meta_dev_read(d, &last, 1, end);
		if (!ret)
			*count += (uint64_t)__builtin_popcount(
				last & ((1U << (bm_bits % 8)) - 1));
	}
	free(buf);
	return ret;
}
