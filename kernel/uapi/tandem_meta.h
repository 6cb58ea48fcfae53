/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tandem - on-disk metadata format (docs/METADATA.md).
 *
 * A metadata area holds, in this order from its start:
 *
 *   bitmaps   max_peers slots, each bm_slot_sect long: one bit per 4 KiB
 *             of the data area, bit set = block out of sync towards that
 *             peer
 *   AL        activity log ring, al_size_sect long
 *   super     struct tandem_md_super in one 4 KiB block
 *
 * Where the area lives:
 *   internal            the last md_size_sect of the backing device; the
 *                       data area is what comes before it
 *   external flexible   the start of the meta device; the data area is the
 *                       whole backing device
 *   external indexed    slot N of the meta device, starting at
 *                       N * TANDEM_MD_INDEXED_SLOT_BYTES; md_size_sect is
 *                       the whole slot
 *
 * The superblock is found at (area start + md_size - 4 KiB), the same rule
 * for every kind; all offsets inside it are relative to the area start.
 * All integers are big-endian. The checksum is CRC32C (Castagnoli, initial
 * value ~0, final xor ~0) of the 4096-byte block with the checksum field
 * set to zero.
 */
#ifndef _UAPI_TANDEM_META_H
#define _UAPI_TANDEM_META_H

#include <linux/types.h>

#define TANDEM_MD_MAGIC			0x54414e444d443031ULL /* "TANDMD01" */
#define TANDEM_MD_VERSION		1
#define TANDEM_MD_SB_BYTES		4096
#define TANDEM_MD_INDEXED_SLOT_BYTES	(128ULL << 20)
#define TANDEM_BM_BLOCK_BYTES		4096	/* data bytes per bit */
#define TANDEM_AL_EXTENT_BYTES		(4U << 20)
#define TANDEM_AL_BYTES			(32U << 10)	/* 8 transactions */
#define TANDEM_AL_EXTENTS_DEFAULT	1237
#define TANDEM_MD_MAX_PEERS		(32 - 1)
#define TANDEM_MD_NO_NODE		0xffffffffU

/* Kinds of metadata placement (meta-disk). */
enum tandem_md_kind {
	TANDEM_MD_INTERNAL = 0,
	TANDEM_MD_FLEXIBLE = 1,
	TANDEM_MD_INDEXED = 2,
};

/* Superblock flags */
#define TANDEM_MDF_CONSISTENT		(1U << 0) /* data is consistent */
#define TANDEM_MDF_WAS_UP_TO_DATE	(1U << 1) /* and was UpToDate */
#define TANDEM_MDF_PRIMARY_IND		(1U << 2) /* was Primary */
#define TANDEM_MDF_CRASHED_PRIMARY	(1U << 3) /* Primary, not cleanly
						   * demoted */
#define TANDEM_MDF_AL_CLEAN		(1U << 4) /* AL needs no replay */
#define TANDEM_MDF_FULL_SYNC		(1U << 5) /* set every bitmap bit on
						   * next attach */
#define TANDEM_MDF_OUTDATED		(1U << 6) /* known to be Outdated */

/* Per-peer slot flags */
#define TANDEM_MDPF_CONNECTED_ONCE	(1U << 0)
#define TANDEM_MDPF_PEER_OUTDATED	(1U << 1)
#define TANDEM_MDPF_OLDER_PRIMARY	(1U << 2) /* the bitmap started when
						   * we, Primary, lost the
						   * peer */
#define TANDEM_MDPF_VERIFIED		(1U << 3) /* our online verify found
						   * blocks that differ; we
						   * are the resync source */

/**
 * struct tandem_md_peer - one bitmap slot
 * @node_id: peer node id using this slot, TANDEM_MD_NO_NODE if free
 * @flags: TANDEM_MDPF_*
 * @bitmap_uuid: generation at which this slot's bitmap started
 *               collecting changes (0: bitmap not in use)
 * @sync_uuid: while we are (or were, when interrupted) sync target of
 *             this peer: the peer's generation when that resync started,
 *             so that it can go on from the bitmap (0: none)
 * @reserved: 0
 */
struct tandem_md_peer {
	__be32 node_id;
	__be32 flags;
	__be64 bitmap_uuid;
	__be64 sync_uuid;
	__be64 reserved;
} __attribute__((packed));

#define TANDEM_MD_HISTORY	4

/**
 * struct tandem_md_super - metadata superblock (4096 bytes on disk)
 * @magic: TANDEM_MD_MAGIC
 * @version: TANDEM_MD_VERSION
 * @sb_bytes: TANDEM_MD_SB_BYTES
 * @checksum: CRC32C of the block with this field zero
 * @flags: TANDEM_MDF_*
 * @kind: enum tandem_md_kind the area was created for
 * @node_id: this node's id in the resource
 * @max_peers: bitmap slots in the area
 * @al_extents: activity log size in extents (al-extents)
 * @device_uuid: random, identifies this metadata instance
 * @current_uuid: current data generation (0 before first use)
 * @history: older data generations, newest first
 * @data_sect: size of the data area, 512-byte sectors
 * @md_size_sect: size of the whole metadata area
 * @al_offset_sect: AL start, relative to the area start
 * @al_size_sect: AL size
 * @bm_offset_sect: first bitmap slot, relative to the area start
 * @bm_slot_sect: size of one bitmap slot
 * @bm_block_bytes: data bytes per bitmap bit (TANDEM_BM_BLOCK_BYTES)
 * @al_extent_bytes: bytes per AL extent (TANDEM_AL_EXTENT_BYTES)
 * @peers: bitmap slots; entries beyond @max_peers are unused
 * @pad: 0, up to TANDEM_MD_SB_BYTES
 */
struct tandem_md_super {
	__be64 magic;
	__be32 version;
	__be32 sb_bytes;
	__be32 checksum;
	__be32 flags;
	__be32 kind;
	__be32 node_id;
	__be32 max_peers;
	__be32 al_extents;
	__be64 device_uuid;
	__be64 current_uuid;
	__be64 history[TANDEM_MD_HISTORY];
	__be64 data_sect;
	__be64 md_size_sect;
	__be64 al_offset_sect;
	__be64 al_size_sect;
	__be64 bm_offset_sect;
	__be64 bm_slot_sect;
	__be32 bm_block_bytes;
	__be32 al_extent_bytes;
	struct tandem_md_peer peers[TANDEM_MD_MAX_PEERS];
	__u8 pad[2960];
} __attribute__((packed));

#endif /* _UAPI_TANDEM_META_H */
