// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/md_layout.c: CRC32C, superblock encoding and
 * decoding, layout arithmetic and validation against device sizes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/lib/md_layout.h"
#include "../../kernel/uapi/tandem_limits.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)
#define BLK 4096ULL
#define SLOT TANDEM_MD_INDEXED_SLOT_BYTES
#define BITS 32768ULL

/* ---- CRC32C and byte order ---------------------------------------- */

static u32 crc(const void *buf, size_t len)
{
	return tandem_crc32c(~0U, buf, len) ^ ~0U;
}

static void crc32c_vectors(void **state)
{
	unsigned char buf[48];
	size_t i;

	(void)state;
	assert_int_equal(crc("123456789", 9), 0xE3069283);
	assert_int_equal(crc("", 0), 0);
	assert_int_equal(crc("a", 1), 0xC1D04330);
	/* RFC 3720, B.4 */
	memset(buf, 0, 32);
	assert_int_equal(crc(buf, 32), 0x8A9136AA);
	memset(buf, 0xff, 32);
	assert_int_equal(crc(buf, 32), 0x62A8AB43);
	for (i = 0; i < 32; i++)
		buf[i] = (unsigned char)i;
	assert_int_equal(crc(buf, 32), 0x46DD794E);
	for (i = 0; i < 32; i++)
		buf[i] = (unsigned char)(31 - i);
	assert_int_equal(crc(buf, 32), 0x113FDB5C);
}

static void crc32c_chains(void **state)
{
	const char *s = "The quick brown fox jumps over the lazy dog";
	size_t n = strlen(s), cut;

	(void)state;
	assert_int_equal(crc(s, n), 0x22620404);
	for (cut = 0; cut <= n; cut++) {
		u32 c = tandem_crc32c(~0U, s, cut);

		c = tandem_crc32c(c, s + cut, n - cut);
		assert_int_equal(c ^ ~0U, 0x22620404);
	}
}

static void big_endian_helpers(void **state)
{
	unsigned char b[8];

	(void)state;
	tandem_put_be32(b, 0x01020304);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[3], 4);
	assert_int_equal(tandem_get_be32(b), 0x01020304);
	tandem_put_be64(b, 0x8877665544332211ULL);
	assert_int_equal(b[0], 0x88);
	assert_int_equal(b[7], 0x11);
	assert_true(tandem_get_be64(b) == 0x8877665544332211ULL);
	tandem_put_be32(b, 0xffffffffU);
	assert_int_equal(tandem_get_be32(b), 0xffffffffU);
}

/* ---- layout ---------------------------------------------------------- */

static struct tandem_md_place place(u32 kind, u64 disk, u64 meta, u32 index)
{
	struct tandem_md_place p = {
		.kind = kind, .index = index,
		.disk_bytes = disk, .meta_bytes = meta,
	};

	return p;
}

static int layout(u32 kind, u64 disk, u64 meta, u32 index, u32 peers,
		  struct tandem_md_layout *l)
{
	struct tandem_md_place p = place(kind, disk, meta, index);

	memset(l, 0xa5, sizeof(*l));
	return tandem_md_compute_layout(&p, peers, TANDEM_AL_EXTENTS_DEFAULT,
					l);
}

static u64 bm_blocks(u64 data_blocks)
{
	return (data_blocks + BITS - 1) / BITS;
}

/* What every layout must satisfy, whatever the kind. */
static void common_invariants(const struct tandem_md_layout *l, u32 peers)
{
	u64 md = l->md_size_sect;

	assert_int_equal(l->data_sect % 8, 0);
	assert_true(l->data_sect >= 2048);
	assert_int_equal(md % 8, 0);
	assert_int_equal(l->bm_offset_sect, 0);
	assert_int_equal(l->bm_slot_sect, 8 * bm_blocks(l->data_sect / 8));
	assert_int_equal(l->al_size_sect, TANDEM_AL_BYTES / 512);
	assert_int_equal(l->al_offset_sect, md - 8 - l->al_size_sect);
	assert_true(l->bm_offset_sect + peers * l->bm_slot_sect <=
		    l->al_offset_sect);
	assert_int_equal(l->sb_offset, l->md_offset + md * 512 - BLK);
	assert_int_equal(l->md_offset % BLK, 0);
}

static void internal_checked(u64 disk, u32 peers)
{
	struct tandem_md_layout l;
	struct tandem_md_place p = place(TANDEM_MD_INTERNAL, disk, 0, 0);
	u64 total = disk / BLK, data, next, off;

	assert_int_equal(layout(TANDEM_MD_INTERNAL, disk, 0, 0, peers, &l), 0);
	common_invariants(&l, peers);
	data = l.data_sect / 8;
	/* data area + metadata area = the device, in whole 4 KiB */
	assert_int_equal(data + l.md_size_sect / 8, total);
	assert_int_equal(l.md_offset, data * BLK);
	assert_int_equal(l.sb_offset, (total - 1) * BLK);
	/* it fits ... */
	assert_true(data + peers * bm_blocks(data) + 9 <= total);
	/* ... and one more data block would not */
	next = data + 1;
	assert_true(next + peers * bm_blocks(next) + 9 > total);
	/* slack beyond the needed area is under one bitmap block per peer */
	assert_true(l.md_size_sect / 8 - peers * bm_blocks(data) - 9 <= peers);
	assert_int_equal(tandem_md_sb_offset(&p, &off), 0);
	assert_int_equal(off, l.sb_offset);
}

static void layout_internal_boundaries(void **state)
{
	struct tandem_md_layout l;
	u32 peers;

	(void)state;
	for (peers = 1; peers <= TANDEM_MD_MAX_PEERS; peers++) {
		/* smallest: 1 MiB of data + one bitmap block per peer + AL + sb */
		u64 min = (256 + peers + 9) * BLK;

		assert_int_equal(layout(TANDEM_MD_INTERNAL, min, 0, 0, peers,
					&l), 0);
		assert_int_equal(l.data_sect, 2048);
		assert_int_equal(l.md_size_sect, (peers + 9) * 8);
		internal_checked(min, peers);
		internal_checked(min + BLK - 1, peers);
		assert_int_equal(layout(TANDEM_MD_INTERNAL, min - 1, 0, 0,
					peers, &l), -TANDEM_MD_EDISKSMALL);
		assert_int_equal(layout(TANDEM_MD_INTERNAL, min - BLK, 0, 0,
					peers, &l), -TANDEM_MD_EDISKSMALL);
	}
	assert_int_equal(layout(TANDEM_MD_INTERNAL, 0, 0, 0, 1, &l),
			 -TANDEM_MD_EDISKSMALL);
	assert_int_equal(layout(TANDEM_MD_INTERNAL, 8 * BLK, 0, 0, 1, &l),
			 -TANDEM_MD_EDISKSMALL);
}

static void layout_internal_group_edges(void **state)
{
	struct tandem_md_layout l;
	u32 peers;
	u64 d;

	(void)state;
	/* one bitmap block covers exactly 128 MiB of data */
	for (peers = 1; peers <= TANDEM_MD_MAX_PEERS; peers += 5) {
		u64 exact = (BITS + peers + 9) * BLK;

		assert_int_equal(layout(TANDEM_MD_INTERNAL, exact, 0, 0, peers,
					&l), 0);
		assert_int_equal(l.data_sect, BITS * 8);
		assert_int_equal(l.bm_slot_sect, 8);
		assert_int_equal(l.md_size_sect, (peers + 9) * 8);
		/* up to `peers` more blocks cannot become data */
		for (d = 1; d <= peers; d++) {
			assert_int_equal(layout(TANDEM_MD_INTERNAL,
						exact + d * BLK, 0, 0, peers,
						&l), 0);
			assert_int_equal(l.data_sect, BITS * 8);
			internal_checked(exact + d * BLK, peers);
		}
		/* the next one does, with a second bitmap block per peer */
		assert_int_equal(layout(TANDEM_MD_INTERNAL,
					exact + (peers + 1) * BLK, 0, 0, peers,
					&l), 0);
		assert_int_equal(l.data_sect, (BITS + 1) * 8);
		assert_int_equal(l.bm_slot_sect, 16);
		assert_int_equal(l.md_size_sect, (2 * peers + 9) * 8);
		internal_checked(exact + (peers + 1) * BLK, peers);
	}
}

static void layout_internal_sweep(void **state)
{
	static const u64 sizes[] = {
		1 * MiB + 160 * KiB, 10 * MiB, 10 * MiB + 512, 128 * MiB,
		129 * MiB, 1 * GiB, 1 * GiB - 512, 4 * GiB + 3 * KiB,
		100 * GiB + 7 * BLK, 1 * TiB, 16 * TiB + 123456789,
		1ULL << 50, ~0ULL,
	};
	size_t i;
	u32 peers;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (peers = 1; peers <= TANDEM_MD_MAX_PEERS; peers++)
			internal_checked(sizes[i], peers);
	/* every size around a few bitmap-block edges, block by block */
	for (peers = 1; peers <= 3; peers++) {
		u64 t;

		for (t = 2 * BITS - 40; t < 2 * BITS + 40; t++)
			internal_checked(t * BLK, peers);
	}
}

static void layout_flexible(void **state)
{
	struct tandem_md_layout l;
	struct tandem_md_place p;
	u64 off, need, disk = 10 * GiB + 5 * KiB;
	u32 peers;

	(void)state;
	for (peers = 1; peers <= TANDEM_MD_MAX_PEERS; peers++) {
		need = (peers * bm_blocks(disk / BLK) + 9) * BLK;
		assert_int_equal(layout(TANDEM_MD_FLEXIBLE, disk, need, 0,
					peers, &l), 0);
		common_invariants(&l, peers);
		assert_int_equal(l.data_sect, disk / BLK * 8);
		assert_int_equal(l.md_offset, 0);
		assert_int_equal(l.md_size_sect, need / 512);
		assert_int_equal(l.sb_offset, need - BLK);
		/* a partial block at the end of the meta device is unused */
		assert_int_equal(layout(TANDEM_MD_FLEXIBLE, disk,
					need + BLK - 512, 0, peers, &l), 0);
		assert_int_equal(l.md_size_sect, need / 512);
		/* one block less: too small */
		assert_int_equal(layout(TANDEM_MD_FLEXIBLE, disk, need - 512,
					0, peers, &l),
				 -TANDEM_MD_EMETASMALL);
		/* a bigger meta device: the area is all of it */
		assert_int_equal(layout(TANDEM_MD_FLEXIBLE, disk, 1 * GiB, 0,
					peers, &l), 0);
		common_invariants(&l, peers);
		assert_int_equal(l.md_size_sect, 1 * GiB / 512);
		assert_int_equal(l.sb_offset, 1 * GiB - BLK);
	}
	p = place(TANDEM_MD_FLEXIBLE, disk, 1 * GiB + 100, 0);
	assert_int_equal(tandem_md_sb_offset(&p, &off), 0);
	assert_int_equal(off, 1 * GiB - BLK);
	p.meta_bytes = BLK - 1;
	assert_int_equal(tandem_md_sb_offset(&p, &off), -TANDEM_MD_EMETASMALL);
	/* data area: exactly 1 MiB is enough, a byte less is not */
	assert_int_equal(layout(TANDEM_MD_FLEXIBLE, 1 * MiB, 1 * MiB, 0, 1,
				&l), 0);
	assert_int_equal(l.data_sect, 2048);
	assert_int_equal(layout(TANDEM_MD_FLEXIBLE, 1 * MiB - 1, 1 * MiB, 0,
				1, &l), -TANDEM_MD_EDISKSMALL);
	assert_int_equal(layout(TANDEM_MD_FLEXIBLE, 1 * MiB, 0, 0, 1, &l),
			 -TANDEM_MD_EMETASMALL);
	assert_int_equal(layout(TANDEM_MD_FLEXIBLE, 1 * MiB, 9 * BLK, 0, 1,
				&l), -TANDEM_MD_EMETASMALL);
	assert_int_equal(layout(TANDEM_MD_FLEXIBLE, 1 * MiB, 10 * BLK, 0, 1,
				&l), 0);
}

static void layout_indexed(void **state)
{
	struct tandem_md_layout l;
	struct tandem_md_place p;
	u64 off, disk = 20 * GiB;
	u32 peers, i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(layout(TANDEM_MD_INDEXED, disk, 4 * SLOT, i, 2,
					&l), 0);
		common_invariants(&l, 2);
		assert_int_equal(l.md_offset, i * SLOT);
		assert_int_equal(l.md_size_sect, SLOT / 512);
		assert_int_equal(l.sb_offset, (i + 1) * SLOT - BLK);
		assert_int_equal(l.data_sect, disk / 512);
		p = place(TANDEM_MD_INDEXED, disk, 4 * SLOT, i);
		assert_int_equal(tandem_md_sb_offset(&p, &off), 0);
		assert_int_equal(off, l.sb_offset);
	}
	assert_int_equal(layout(TANDEM_MD_INDEXED, disk, 4 * SLOT, 4, 2, &l),
			 -TANDEM_MD_EINDEX);
	assert_int_equal(layout(TANDEM_MD_INDEXED, disk, 4 * SLOT - 1, 3, 2,
				&l), -TANDEM_MD_EINDEX);
	assert_int_equal(layout(TANDEM_MD_INDEXED, disk, SLOT - 1, 0, 2, &l),
			 -TANDEM_MD_EINDEX);
	assert_int_equal(layout(TANDEM_MD_INDEXED, disk, 4 * SLOT, 0xffffffff,
				2, &l), -TANDEM_MD_EINDEX);
	p = place(TANDEM_MD_INDEXED, disk, 4 * SLOT, 4);
	assert_int_equal(tandem_md_sb_offset(&p, &off), -TANDEM_MD_EINDEX);

	/* the largest data area a slot can serve, per peer count */
	for (peers = 1; peers <= TANDEM_MD_MAX_PEERS; peers++) {
		u64 bm = (SLOT / BLK - 9) / peers;
		u64 max = bm * BITS * BLK;

		assert_int_equal(layout(TANDEM_MD_INDEXED, max, SLOT, 0, peers,
					&l), 0);
		common_invariants(&l, peers);
		assert_int_equal(l.bm_slot_sect, bm * 8);
		assert_int_equal(layout(TANDEM_MD_INDEXED, max + BLK, SLOT, 0,
					peers, &l), -TANDEM_MD_ESLOTFULL);
	}
	assert_int_equal(layout(TANDEM_MD_INDEXED, 1 * MiB - BLK, SLOT, 0, 1,
				&l), -TANDEM_MD_EDISKSMALL);
}

static void layout_parameters(void **state)
{
	struct tandem_md_place p = place(TANDEM_MD_INTERNAL, 1 * GiB, 0, 0);
	struct tandem_md_layout l;
	u64 off;

	(void)state;
	assert_int_equal(tandem_md_compute_layout(&p, 0, 1237, &l),
			 -TANDEM_MD_EMAXPEERS);
	assert_int_equal(tandem_md_compute_layout(&p, TANDEM_MD_MAX_PEERS + 1,
						  1237, &l),
			 -TANDEM_MD_EMAXPEERS);
	assert_int_equal(tandem_md_compute_layout(&p, 1,
						  TANDEM_AL_EXTENTS_MIN - 1,
						  &l),
			 -TANDEM_MD_EALEXTENTS);
	assert_int_equal(tandem_md_compute_layout(&p, 1,
						  TANDEM_AL_EXTENTS_MAX + 1,
						  &l),
			 -TANDEM_MD_EALEXTENTS);
	assert_int_equal(tandem_md_compute_layout(&p, 1, TANDEM_AL_EXTENTS_MIN,
						  &l), 0);
	assert_int_equal(tandem_md_compute_layout(&p, 1, TANDEM_AL_EXTENTS_MAX,
						  &l), 0);
	p.kind = 3;
	assert_int_equal(tandem_md_compute_layout(&p, 1, 1237, &l),
			 -TANDEM_MD_EKIND);
	assert_int_equal(tandem_md_sb_offset(&p, &off), -TANDEM_MD_EKIND);
	p.kind = TANDEM_MD_INTERNAL;
	p.disk_bytes = BLK - 1;
	assert_int_equal(tandem_md_sb_offset(&p, &off), -TANDEM_MD_EDISKSMALL);
}

/* ---- encode / decode ----------------------------------------------- */

static void sample_info(struct tandem_md_info *info)
{
	struct tandem_md_place p = place(TANDEM_MD_INTERNAL, 3 * GiB, 0, 0);
	struct tandem_md_layout l;
	u32 i;

	assert_int_equal(tandem_md_compute_layout(&p, 7, 1237, &l), 0);
	tandem_md_info_init(info, TANDEM_MD_INTERNAL, &l, 5, 7, 1237,
			    0x0123456789abcdefULL);
	info->flags = TANDEM_MDF_CONSISTENT | TANDEM_MDF_WAS_UP_TO_DATE |
		      TANDEM_MDF_PRIMARY_IND | TANDEM_MDF_CRASHED_PRIMARY |
		      TANDEM_MDF_FULL_SYNC | TANDEM_MDF_OUTDATED;
	info->current_uuid = 0xfedcba9876543210ULL;
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		info->history[i] = 0x1111111111111111ULL * (i + 1);
	info->peers[0].node_id = 0;
	info->peers[0].flags = TANDEM_MDPF_CONNECTED_ONCE;
	info->peers[0].bitmap_uuid = 0xaaaabbbbccccddddULL;
	info->peers[3].node_id = 31;
	info->peers[3].flags = TANDEM_MDPF_CONNECTED_ONCE |
			       TANDEM_MDPF_PEER_OUTDATED;
	info->peers[3].bitmap_uuid = 0x8000000000000001ULL;
	info->peers[6].node_id = 6;
	info->peers[6].flags = TANDEM_MDPF_PEER_OUTDATED;
	info->peers[6].bitmap_uuid = 1;
}

/* A copy of node 5's metadata attached on node 6, which 5 knew, and on
 * node 9, which it did not. */
static void adopt_renames_our_slot(void **state)
{
	struct tandem_md_info info, orig;
	u32 i;

	(void)state;
	sample_info(&info);
	assert_int_equal(info.node_id, 5);
	assert_int_equal(tandem_md_check(&info), 0);
	orig = info;
	info.node_id = 6;
	assert_int_equal(tandem_md_check(&info), -TANDEM_MD_EPEERS);

	info = orig;
	tandem_md_adopt(&info, 6);
	assert_int_equal(tandem_md_check(&info), 0);
	assert_int_equal(info.node_id, 6);
	assert_int_equal(info.peers[6].node_id, 5);
	assert_int_equal(info.peers[6].flags, 0);
	assert_true(info.peers[6].bitmap_uuid == 0);
	assert_true(info.peers[6].sync_uuid == 0);
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++)
		if (i != 6)
			assert_memory_equal(&info.peers[i], &orig.peers[i],
					    sizeof(info.peers[i]));
	assert_true(info.current_uuid == orig.current_uuid);

	info = orig;
	tandem_md_adopt(&info, 9);
	assert_int_equal(tandem_md_check(&info), 0);
	assert_int_equal(info.node_id, 9);
	assert_memory_equal(info.peers, orig.peers, sizeof(info.peers));

	info = orig;
	tandem_md_adopt(&info, 5);
	assert_memory_equal(&info, &orig, sizeof(info));
}

static void info_equal(const struct tandem_md_info *a,
		       const struct tandem_md_info *b)
{
	u32 i;

	assert_true(a->magic == b->magic);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->sb_bytes, b->sb_bytes);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->node_id, b->node_id);
	assert_int_equal(a->max_peers, b->max_peers);
	assert_int_equal(a->al_extents, b->al_extents);
	assert_true(a->device_uuid == b->device_uuid);
	assert_true(a->current_uuid == b->current_uuid);
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		assert_true(a->history[i] == b->history[i]);
	assert_true(a->data_sect == b->data_sect);
	assert_true(a->md_size_sect == b->md_size_sect);
	assert_true(a->al_offset_sect == b->al_offset_sect);
	assert_true(a->al_size_sect == b->al_size_sect);
	assert_true(a->bm_offset_sect == b->bm_offset_sect);
	assert_true(a->bm_slot_sect == b->bm_slot_sect);
	assert_int_equal(a->bm_block_bytes, b->bm_block_bytes);
	assert_int_equal(a->al_extent_bytes, b->al_extent_bytes);
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		assert_int_equal(a->peers[i].node_id, b->peers[i].node_id);
		assert_int_equal(a->peers[i].flags, b->peers[i].flags);
		assert_true(a->peers[i].bitmap_uuid ==
			    b->peers[i].bitmap_uuid);
	}
}

static void round_trip(void **state)
{
	struct tandem_md_info in, out;
	unsigned char block[TANDEM_MD_SB_BYTES];

	(void)state;
	sample_info(&in);
	in.checksum = 0x12345678;	/* ignored by encode */
	memset(block, 0xee, sizeof(block));
	assert_int_equal(tandem_md_encode(&in, block), 0);
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(tandem_md_decode(block, &out), 0);
	info_equal(&in, &out);
	assert_int_equal(out.checksum, tandem_md_sb_checksum(block));
	assert_int_equal(out.checksum, tandem_get_be32(block + 16));

	/* a fresh superblock, as create-md writes it */
	sample_info(&in);
	tandem_md_info_init(&in, TANDEM_MD_INTERNAL,
			    &(struct tandem_md_layout){
				.data_sect = 2048, .md_size_sect = 80,
				.al_offset_sect = 8, .al_size_sect = 64,
				.bm_offset_sect = 0, .bm_slot_sect = 8,
			    }, 0, 1, 1237, 42);
	assert_int_equal(tandem_md_encode(&in, block), 0);
	assert_int_equal(tandem_md_decode(block, &out), 0);
	info_equal(&in, &out);
	assert_int_equal(out.flags, TANDEM_MDF_AL_CLEAN);
	assert_int_equal(out.peers[0].node_id, TANDEM_MD_NO_NODE);
}

/* The bytes on disk are where the format header says, big-endian. */
static void on_disk_positions(void **state)
{
	struct tandem_md_info in;
	unsigned char b[TANDEM_MD_SB_BYTES];
	size_t i;
	u32 sum;

	(void)state;
	sample_info(&in);
	assert_int_equal(tandem_md_encode(&in, b), 0);
	assert_memory_equal(b, "TANDMD01", 8);
	assert_int_equal(tandem_get_be32(b + offsetof(struct tandem_md_super,
						      version)), 1);
	assert_int_equal(tandem_get_be32(b + offsetof(struct tandem_md_super,
						      sb_bytes)), 4096);
	assert_int_equal(tandem_get_be32(b + offsetof(struct tandem_md_super,
						      node_id)), 5);
	assert_true(tandem_get_be64(b + offsetof(struct tandem_md_super,
						 device_uuid)) ==
		    0x0123456789abcdefULL);
	assert_int_equal(b[offsetof(struct tandem_md_super, device_uuid)],
			 0x01);
	assert_true(tandem_get_be64(b + offsetof(struct tandem_md_super,
						 history) + 24) ==
		    0x4444444444444444ULL);
	assert_true(tandem_get_be64(b + offsetof(struct tandem_md_super,
						 data_sect)) == in.data_sect);
	assert_int_equal(tandem_get_be32(b + offsetof(struct tandem_md_super,
						      peers[3].node_id)), 31);
	assert_true(tandem_get_be64(b + offsetof(struct tandem_md_super,
						 peers[3].bitmap_uuid)) ==
		    0x8000000000000001ULL);
	assert_int_equal(tandem_get_be32(b + offsetof(struct tandem_md_super,
						      peers[30].node_id)),
			 TANDEM_MD_NO_NODE);
	/* reserved words and pad are zero */
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++)
		assert_true(tandem_get_be64(b + offsetof(struct tandem_md_super,
							 peers[i].reserved)) ==
			    0);
	for (i = offsetof(struct tandem_md_super, pad); i < sizeof(b); i++)
		assert_int_equal(b[i], 0);
	/* the checksum is over the block with its own field zero */
	sum = tandem_get_be32(b + offsetof(struct tandem_md_super, checksum));
	memset(b + 16, 0, 4);
	assert_int_equal(crc(b, sizeof(b)), sum);
}

static void checksum_ignores_its_field(void **state)
{
	struct tandem_md_info in;
	unsigned char b[TANDEM_MD_SB_BYTES], z[TANDEM_MD_SB_BYTES];

	(void)state;
	sample_info(&in);
	assert_int_equal(tandem_md_encode(&in, b), 0);
	memcpy(z, b, sizeof(b));
	memset(z + offsetof(struct tandem_md_super, checksum), 0, 4);
	assert_int_equal(tandem_md_sb_checksum(b), crc(z, sizeof(z)));
	assert_int_equal(tandem_md_sb_checksum(z), crc(z, sizeof(z)));
	assert_int_equal(tandem_get_be32(b + 16), crc(z, sizeof(z)));
}

static void every_flipped_byte_fails(void **state)
{
	struct tandem_md_info in, out;
	unsigned char b[TANDEM_MD_SB_BYTES];
	static const unsigned char masks[] = { 0x01, 0x80, 0xff, 0x10 };
	size_t i, m;

	(void)state;
	sample_info(&in);
	assert_int_equal(tandem_md_encode(&in, b), 0);
	for (m = 0; m < sizeof(masks); m++) {
		for (i = 0; i < sizeof(b); i++) {
			int want, got;

			b[i] ^= masks[m];
			got = tandem_md_decode(b, &out);
			b[i] ^= masks[m];
			if (i < 8)
				want = -TANDEM_MD_EMAGIC;
			else if (i < 12)
				want = -TANDEM_MD_EVERSION;
			else if (i < 16)
				want = -TANDEM_MD_ESBBYTES;
			else
				want = -TANDEM_MD_ECHECKSUM;
			if (got != want)
				fail_msg("byte %zu ^ 0x%02x: got %d, want %d",
					 i, masks[m], got, want);
		}
	}
	assert_int_equal(tandem_md_decode(b, &out), 0);
}

static void empty_and_foreign_blocks(void **state)
{
	struct tandem_md_info out;
	unsigned char b[TANDEM_MD_SB_BYTES];

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(tandem_md_decode(b, &out), -TANDEM_MD_EMAGIC);
	memset(b, 0xff, sizeof(b));
	assert_int_equal(tandem_md_decode(b, &out), -TANDEM_MD_EMAGIC);
	/* little-endian magic is not ours either */
	memset(b, 0, sizeof(b));
	memcpy(b, "10DMDNAT", 8);
	assert_int_equal(tandem_md_decode(b, &out), -TANDEM_MD_EMAGIC);
}

/* Patch a big-endian field and make the checksum right again. */
static void patch32(unsigned char *b, size_t off, u32 v)
{
	tandem_put_be32(b + off, v);
	tandem_put_be32(b + 16, tandem_md_sb_checksum(b));
}

static void patch64(unsigned char *b, size_t off, u64 v)
{
	tandem_put_be64(b + off, v);
	tandem_put_be32(b + 16, tandem_md_sb_checksum(b));
}

#define OFF(f) offsetof(struct tandem_md_super, f)

static void decode_rejects_fields(void **state)
{
	struct tandem_md_info in, out;
	unsigned char good[TANDEM_MD_SB_BYTES], b[TANDEM_MD_SB_BYTES];
	const struct {
		size_t off;
		int bits;
		u64 val;
		int err;
	} cases[] = {
		{ OFF(version), 32, 0, -TANDEM_MD_EVERSION },
		{ OFF(version), 32, 2, -TANDEM_MD_EVERSION },
		{ OFF(sb_bytes), 32, 512, -TANDEM_MD_ESBBYTES },
		{ OFF(sb_bytes), 32, 8192, -TANDEM_MD_ESBBYTES },
		{ OFF(kind), 32, 3, -TANDEM_MD_EKIND },
		{ OFF(node_id), 32, 32, -TANDEM_MD_ENODEID },
		{ OFF(node_id), 32, 6, -TANDEM_MD_EPEERS }, /* a peer's id */
		{ OFF(max_peers), 32, 0, -TANDEM_MD_EMAXPEERS },
		{ OFF(max_peers), 32, 32, -TANDEM_MD_EMAXPEERS },
		{ OFF(max_peers), 32, 6, -TANDEM_MD_EPEERS }, /* slot 6 used */
		{ OFF(al_extents), 32, 6, -TANDEM_MD_EALEXTENTS },
		{ OFF(al_extents), 32, 6145, -TANDEM_MD_EALEXTENTS },
		{ OFF(flags), 32, 1U << 7, -TANDEM_MD_EFLAGS },
		{ OFF(flags), 32, 1U << 31, -TANDEM_MD_EFLAGS },
		{ OFF(bm_block_bytes), 32, 512, -TANDEM_MD_EUNITS },
		{ OFF(al_extent_bytes), 32, 1 << 20, -TANDEM_MD_EUNITS },
		{ OFF(al_size_sect), 64, 72, -TANDEM_MD_EUNITS },
		{ OFF(al_size_sect), 64, 64 + (1ULL << 55), -TANDEM_MD_EUNITS },
		{ OFF(data_sect), 64, 2047 * 8 + 1, -TANDEM_MD_EDATASECT },
		{ OFF(data_sect), 64, 2040, -TANDEM_MD_EDATASECT },
		{ OFF(data_sect), 64, ~0ULL - 7, -TANDEM_MD_EBITMAP },
		{ OFF(bm_slot_sect), 64, 0, -TANDEM_MD_EBITMAP },
		{ OFF(bm_slot_sect), 64, 4, -TANDEM_MD_EAREA },
		{ OFF(bm_slot_sect), 64, 1ULL << 40, -TANDEM_MD_EAREA },
		{ OFF(bm_offset_sect), 64, 8, -TANDEM_MD_EAREA },
		{ OFF(bm_offset_sect), 64, ~0ULL - 7, -TANDEM_MD_EAREA },
		{ OFF(al_offset_sect), 64, 0, -TANDEM_MD_EAREA },
		{ OFF(al_offset_sect), 64, 12, -TANDEM_MD_EAREA },
		{ OFF(al_offset_sect), 64, ~0ULL - 7, -TANDEM_MD_EAREA },
		{ OFF(md_size_sect), 64, 0, -TANDEM_MD_EAREA },
		{ OFF(md_size_sect), 64, 72, -TANDEM_MD_EAREA },
		{ OFF(md_size_sect), 64, ~0ULL, -TANDEM_MD_EAREA },
		{ OFF(peers[0].node_id), 32, 32, -TANDEM_MD_EPEERS },
		{ OFF(peers[0].node_id), 32, 5, -TANDEM_MD_EPEERS }, /* self */
		{ OFF(peers[0].node_id), 32, 31, -TANDEM_MD_EPEERS }, /* dup */
		{ OFF(peers[7].node_id), 32, 9, -TANDEM_MD_EPEERS }, /* > max */
		{ OFF(peers[30].node_id), 32, 9, -TANDEM_MD_EPEERS },
		{ OFF(peers[0].flags), 32, 16, -TANDEM_MD_EFLAGS },
		{ OFF(peers[30].flags), 32, 1U << 31, -TANDEM_MD_EFLAGS },
	};
	size_t i;

	(void)state;
	sample_info(&in);
	assert_int_equal(tandem_md_encode(&in, good), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got;

		memcpy(b, good, sizeof(b));
		if (cases[i].bits == 32)
			patch32(b, cases[i].off, (u32)cases[i].val);
		else
			patch64(b, cases[i].off, cases[i].val);
		got = tandem_md_decode(b, &out);
		if (got != cases[i].err)
			fail_msg("case %zu (offset %zu): got %d (%s), want %d",
				 i, cases[i].off, got, tandem_md_strerror(got),
				 cases[i].err);
	}
	/* what the checks leave alone: reserved words, pad, free slots */
	memcpy(b, good, sizeof(b));
	patch64(b, OFF(peers[2].reserved), 7);
	patch32(b, OFF(pad) + 100, 0xdeadbeef);
	patch64(b, OFF(peers[1].bitmap_uuid), 9);
	assert_int_equal(tandem_md_decode(b, &out), 0);
}

static void encode_refuses_inconsistent(void **state)
{
	struct tandem_md_info in;
	unsigned char b[TANDEM_MD_SB_BYTES], before[TANDEM_MD_SB_BYTES];

	(void)state;
	memset(b, 0x77, sizeof(b));
	memcpy(before, b, sizeof(b));
	sample_info(&in);
	in.max_peers = 0;
	assert_int_equal(tandem_md_encode(&in, b), -TANDEM_MD_EMAXPEERS);
	sample_info(&in);
	in.bm_slot_sect -= 8;
	assert_int_equal(tandem_md_encode(&in, b), -TANDEM_MD_EBITMAP);
	sample_info(&in);
	in.peers[1].node_id = in.peers[0].node_id;
	assert_int_equal(tandem_md_encode(&in, b), -TANDEM_MD_EPEERS);
	assert_memory_equal(b, before, sizeof(b));
}

/* ---- validation against devices ------------------------------------- */

static void fresh(u32 kind, u64 disk, u64 meta, u32 index,
		  struct tandem_md_info *info)
{
	struct tandem_md_place p = place(kind, disk, meta, index);
	struct tandem_md_layout l;

	assert_int_equal(tandem_md_compute_layout(&p, 2, 1237, &l), 0);
	tandem_md_info_init(info, kind, &l, 0, 2, 1237, 99);
	assert_int_equal(tandem_md_check(info), 0);
	assert_int_equal(tandem_md_validate(info, &p), 0);
}

static int validate(const struct tandem_md_info *info, u32 kind, u64 disk,
		    u64 meta, u32 index)
{
	struct tandem_md_place p = place(kind, disk, meta, index);

	return tandem_md_validate(info, &p);
}

static void validate_internal(void **state)
{
	struct tandem_md_info i;
	u64 disk = 5 * GiB + 3 * KiB;

	(void)state;
	fresh(TANDEM_MD_INTERNAL, disk, 0, 0, &i);
	/* the sub-4 KiB tail does not matter */
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, disk + 512, 0, 0),
			 0);
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, disk - 3 * KiB, 0,
				  0), 0);
	/* device grew or shrank: the area is not at its end any more */
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, disk + BLK, 0, 0),
			 -TANDEM_MD_EAREAFIT);
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, disk - 4 * KiB, 0,
				  0), -TANDEM_MD_EDATAFIT);
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, 16 * KiB, 0, 0),
			 -TANDEM_MD_EAREAFIT);
	assert_int_equal(validate(&i, TANDEM_MD_FLEXIBLE, disk, 1 * GiB, 0),
			 -TANDEM_MD_EKINDMISMATCH);
	assert_int_equal(validate(&i, TANDEM_MD_INDEXED, disk, SLOT, 0),
			 -TANDEM_MD_EKINDMISMATCH);
	i.max_peers = 0;
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, disk, 0, 0),
			 -TANDEM_MD_EMAXPEERS);
}

static void validate_flexible(void **state)
{
	struct tandem_md_info i;
	u64 disk = 3 * GiB, meta = 1 * MiB;

	(void)state;
	fresh(TANDEM_MD_FLEXIBLE, disk, meta, 0, &i);
	/* a grown backing device is fine, the data area stays */
	assert_int_equal(validate(&i, TANDEM_MD_FLEXIBLE, 2 * disk, meta, 0),
			 0);
	assert_int_equal(validate(&i, TANDEM_MD_FLEXIBLE, disk - BLK, meta, 0),
			 -TANDEM_MD_EDATAFIT);
	/* the area is the whole meta device */
	assert_int_equal(validate(&i, TANDEM_MD_FLEXIBLE, disk, meta + 512, 0),
			 0);
	assert_int_equal(validate(&i, TANDEM_MD_FLEXIBLE, disk, meta + BLK, 0),
			 -TANDEM_MD_EAREAFIT);
	assert_int_equal(validate(&i, TANDEM_MD_FLEXIBLE, disk, meta - BLK, 0),
			 -TANDEM_MD_EAREAFIT);
	assert_int_equal(validate(&i, TANDEM_MD_INTERNAL, disk, 0, 0),
			 -TANDEM_MD_EKINDMISMATCH);
}

static void validate_indexed(void **state)
{
	struct tandem_md_info i;
	u64 disk = 3 * GiB;

	(void)state;
	fresh(TANDEM_MD_INDEXED, disk, 3 * SLOT, 2, &i);
	assert_int_equal(validate(&i, TANDEM_MD_INDEXED, disk, 4 * SLOT, 2),
			 0);
	assert_int_equal(validate(&i, TANDEM_MD_INDEXED, disk, 3 * SLOT - 1,
				  2), -TANDEM_MD_EINDEX);
	assert_int_equal(validate(&i, TANDEM_MD_INDEXED, disk - 1, 3 * SLOT,
				  2), -TANDEM_MD_EDATAFIT);
	assert_int_equal(validate(&i, TANDEM_MD_INDEXED, disk * 2, 3 * SLOT,
				  2), 0);
	i.md_size_sect = SLOT / 512 / 2;
	i.al_offset_sect = i.md_size_sect - 72;
	assert_int_equal(tandem_md_check(&i), 0);
	assert_int_equal(validate(&i, TANDEM_MD_INDEXED, disk, 3 * SLOT, 2),
			 -TANDEM_MD_EAREAFIT);
}

/* ---- names ---------------------------------------------------------- */

static void error_strings(void **state)
{
	int a, b;

	(void)state;
	for (a = 1; a < TANDEM_MD_ERR_MAX; a++) {
		const char *s = tandem_md_strerror(-a);

		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		assert_string_equal(s, tandem_md_strerror(a));
		for (b = 1; b < a; b++)
			assert_string_not_equal(s, tandem_md_strerror(-b));
	}
	assert_string_equal(tandem_md_strerror(-TANDEM_MD_ERR_MAX),
			    "unknown error");
	assert_string_equal(tandem_md_strerror(-1000), "unknown error");
	assert_string_equal(tandem_md_strerror(1 << 30), "unknown error");
	assert_string_equal(tandem_md_strerror(-TANDEM_MD_ECHECKSUM),
			    "bad checksum");
}

static void kind_and_flag_names(void **state)
{
	unsigned int bit;

	(void)state;
	assert_string_equal(tandem_md_kind_name(TANDEM_MD_INTERNAL),
			    "internal");
	assert_string_equal(tandem_md_kind_name(TANDEM_MD_FLEXIBLE),
			    "flexible");
	assert_string_equal(tandem_md_kind_name(TANDEM_MD_INDEXED), "indexed");
	assert_null(tandem_md_kind_name(3));
	assert_string_equal(tandem_md_flag_name(0), "CONSISTENT");
	assert_string_equal(tandem_md_flag_name(6), "OUTDATED");
	for (bit = 0; bit < 7; bit++)
		assert_non_null(tandem_md_flag_name(bit));
	for (bit = 7; bit < 40; bit++)
		assert_null(tandem_md_flag_name(bit));
	assert_string_equal(tandem_md_peer_flag_name(0), "CONNECTED_ONCE");
	assert_string_equal(tandem_md_peer_flag_name(1), "PEER_OUTDATED");
	assert_string_equal(tandem_md_peer_flag_name(2), "OLDER_PRIMARY");
	assert_string_equal(tandem_md_peer_flag_name(3), "VERIFIED");
	assert_null(tandem_md_peer_flag_name(4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32c_vectors),
		cmocka_unit_test(crc32c_chains),
		cmocka_unit_test(big_endian_helpers),
		cmocka_unit_test(layout_internal_boundaries),
		cmocka_unit_test(layout_internal_group_edges),
		cmocka_unit_test(layout_internal_sweep),
		cmocka_unit_test(layout_flexible),
		cmocka_unit_test(layout_indexed),
		cmocka_unit_test(layout_parameters),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(on_disk_positions),
		cmocka_unit_test(checksum_ignores_its_field),
		cmocka_unit_test(every_flipped_byte_fails),
		cmocka_unit_test(empty_and_foreign_blocks),
		cmocka_unit_test(decode_rejects_fields),
		cmocka_unit_test(encode_refuses_inconsistent),
		cmocka_unit_test(adopt_renames_our_slot),
		cmocka_unit_test(validate_internal),
		cmocka_unit_test(validate_flexible),
		cmocka_unit_test(validate_indexed),
		cmocka_unit_test(error_strings),
		cmocka_unit_test(kind_and_flag_names),
	};

	return cmocka_run_group_tests_name("md_layout", tests, NULL, NULL);
}
