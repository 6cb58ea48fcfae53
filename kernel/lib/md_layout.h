/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - on-disk metadata: checksum, superblock encoding and layout
 * arithmetic (docs/METADATA.md). The format itself is
 * kernel/uapi/tandem_meta.h.
 *
 * Pure code: compiled into tandem.ko and into the utilities and unit
 * tests unchanged. Nothing here touches a device; callers read and write
 * the 4 KiB superblock block and hand it over.
 */
#ifndef _TANDEM_MD_LAYOUT_H
#define _TANDEM_MD_LAYOUT_H

#include "tandem_lib.h"
#include "../uapi/tandem_meta.h"

/* Smallest data area create-md accepts. */
#define TANDEM_MD_MIN_DATA_BYTES	(1ULL << 20)

/*
 * Bounds of al_extents. The activity log ring is TANDEM_AL_BYTES (8
 * transactions of 4 KiB); with a quarter of each transaction kept for
 * its header and updates, the ring can carry 8 * 768 extent numbers of
 * 4 bytes, so that a replay always sees the whole active set.
 */
#define TANDEM_AL_EXTENTS_MIN		7
#define TANDEM_AL_EXTENTS_MAX		6144

/* Bytes per sector, the unit of every *_sect field. */
#define TANDEM_SECT_BYTES		512
/* Sectors per 4 KiB block. */
#define TANDEM_BLOCK_SECT		8
/* Data blocks one 4 KiB bitmap block covers (one bit each). */
#define TANDEM_BM_BITS_PER_BLOCK	(TANDEM_BM_BLOCK_BYTES * 8)

/*
 * Error codes. Functions return 0 or the negative of one of these;
 * tandem_md_strerror() gives the text.
 */
enum tandem_md_err {
	/* decoding a superblock */
	TANDEM_MD_EMAGIC = 1,	/* no tandem superblock (bad magic) */
	TANDEM_MD_EVERSION,	/* format version this code does not know */
	TANDEM_MD_ESBBYTES,	/* sb_bytes is not TANDEM_MD_SB_BYTES */
	TANDEM_MD_ECHECKSUM,	/* checksum mismatch */
	/* fields, in a superblock or as parameters */
	TANDEM_MD_EKIND,	/* unknown placement kind */
	TANDEM_MD_EMAXPEERS,	/* max_peers 0 or > TANDEM_MD_MAX_PEERS */
	TANDEM_MD_EALEXTENTS,	/* al_extents out of range */
	TANDEM_MD_ENODEID,	/* node id >= TANDEM_NODE_ID_MAX */
	TANDEM_MD_EPEERS,	/* peer slots: bad or duplicate node id */
	TANDEM_MD_EFLAGS,	/* flag bits this version does not define */
	TANDEM_MD_EUNITS,	/* bm_block_bytes/al_extent_bytes/al_size */
	TANDEM_MD_EDATASECT,	/* data_sect not whole 4 KiB or under min */
	TANDEM_MD_EBITMAP,	/* bitmap slot does not cover the data */
	TANDEM_MD_EAREA,	/* areas overlap, misaligned or outside */
	/* layout and placement on devices */
	TANDEM_MD_EDISKSMALL,	/* data area would be under 1 MiB */
	TANDEM_MD_EMETASMALL,	/* meta device too small for the area */
	TANDEM_MD_EINDEX,	/* indexed slot beyond the meta device */
	TANDEM_MD_ESLOTFULL,	/* area larger than an indexed slot */
	TANDEM_MD_EKINDMISMATCH, /* created for another placement kind */
	TANDEM_MD_EDATAFIT,	/* data area larger than the backing device */
	TANDEM_MD_EAREAFIT,	/* area does not match its device or slot */
	TANDEM_MD_ERR_MAX
};

/**
 * tandem_md_strerror() - human-readable reason for an error code
 * @err: a code from enum tandem_md_err, negative or positive, or 0
 *
 * Return: a constant string, never NULL ("unknown error" for anything
 * outside the enumeration).
 */
const char *tandem_md_strerror(int err);

/* Big-endian access to on-disk bytes, byte by byte (any alignment). */
static inline u32 tandem_get_be32(const unsigned char *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) |
	       (u32)p[3];
}

static inline u64 tandem_get_be64(const unsigned char *p)
{
	return ((u64)tandem_get_be32(p) << 32) | tandem_get_be32(p + 4);
}

static inline void tandem_put_be32(unsigned char *p, u32 v)
{
	p[0] = (unsigned char)((v >> 24) & 0xff);
	p[1] = (unsigned char)((v >> 16) & 0xff);
	p[2] = (unsigned char)((v >> 8) & 0xff);
	p[3] = (unsigned char)(v & 0xff);
}

static inline void tandem_put_be64(unsigned char *p, u64 v)
{
	tandem_put_be32(p, (u32)(v >> 32));
	tandem_put_be32(p + 4, (u32)(v & 0xffffffffU));
}

/**
 * tandem_crc32c() - update a CRC32C (Castagnoli, reflected 0x82F63B78)
 * @crc: running value; start with ~0U
 * @buf: bytes to add
 * @len: number of bytes
 *
 * No inversion is done here, so that calls chain: the standard CRC32C
 * of a buffer is tandem_crc32c(~0U, buf, len) ^ ~0U ("123456789" gives
 * 0xE3069283).
 *
 * Return: the updated running value.
 */
u32 tandem_crc32c(u32 crc, const void *buf, size_t len);

/**
 * tandem_md_sb_checksum() - checksum of a superblock block
 * @block: TANDEM_MD_SB_BYTES bytes as on disk
 *
 * CRC32C with initial ~0 and final xor ~0 of the whole block, the
 * checksum field counted as zero whatever it holds. @block is not
 * modified.
 *
 * Return: the value the checksum field must hold.
 */
u32 tandem_md_sb_checksum(const unsigned char *block);

/**
 * struct tandem_md_peer_info - one bitmap slot, in CPU byte order
 * @node_id: peer node id using the slot, TANDEM_MD_NO_NODE if free
 * @flags: TANDEM_MDPF_*
 * @bitmap_uuid: generation at which the slot's bitmap started
 * @sync_uuid: the peer's generation when our resync as its target began
 */
struct tandem_md_peer_info {
	u32 node_id;
	u32 flags;
	u64 bitmap_uuid;
	u64 sync_uuid;
};

/**
 * struct tandem_md_info - struct tandem_md_super in CPU byte order
 *
 * One member per field of the on-disk superblock, same names and
 * meanings (see kernel/uapi/tandem_meta.h). @magic, @version, @sb_bytes
 * and @checksum are filled by tandem_md_decode() and ignored by
 * tandem_md_encode(), which always writes the format's constants and a
 * fresh checksum. The peers' reserved words and the pad are written as
 * zero and not read back.
 */
struct tandem_md_info {
	u64 magic;
	u32 version;
	u32 sb_bytes;
	u32 checksum;
	u32 flags;
	u32 kind;
	u32 node_id;
	u32 max_peers;
	u32 al_extents;
	u64 device_uuid;
	u64 current_uuid;
	u64 history[TANDEM_MD_HISTORY];
	u64 data_sect;
	u64 md_size_sect;
	u64 al_offset_sect;
	u64 al_size_sect;
	u64 bm_offset_sect;
	u64 bm_slot_sect;
	u32 bm_block_bytes;
	u32 al_extent_bytes;
	struct tandem_md_peer_info peers[TANDEM_MD_MAX_PEERS];
};

/**
 * tandem_md_check() - check the fields of a superblock for consistency
 * @info: decoded or about-to-be-encoded superblock
 *
 * Everything that can be judged without the devices: kind, node ids,
 * max_peers, al_extents, flags, units, 4 KiB alignment of every area,
 * areas inside md_size_sect and not overlapping (bitmaps, AL, then the
 * superblock in the last 4 KiB), and bitmap slots covering data_sect.
 * @magic, @version, @sb_bytes and @checksum are not looked at.
 *
 * Return: 0 or a negative enum tandem_md_err.
 */
int tandem_md_check(const struct tandem_md_info *info);

/**
 * tandem_md_adopt() - take over metadata created for another node
 * @info: a superblock that passed tandem_md_check()
 * @node_id: this node's id
 *
 * Seeding a node from a copy of its peer's disk brings the peer's
 * metadata along: its node id, and possibly a bitmap slot in which the
 * peer kept track of us. That slot now stands for the peer (the node
 * the metadata came from): same bitmap, but no bitmap or resync
 * generation and no flags, since what the peer recorded about us says
 * nothing about what the peer lacks from us. Without that, our own id
 * would name a slot and every later write of the superblock would fail
 * tandem_md_check(). A no-op when @info already belongs to @node_id.
 */
void tandem_md_adopt(struct tandem_md_info *info, u32 node_id);

/**
 * tandem_md_encode() - build the on-disk superblock
 * @info: what to write; must pass tandem_md_check()
 * @block: TANDEM_MD_SB_BYTES bytes, entirely overwritten on success
 *
 * Return: 0, or the negative tandem_md_check() code (@block untouched).
 */
int tandem_md_encode(const struct tandem_md_info *info, unsigned char *block);

/**
 * tandem_md_decode() - parse and check an on-disk superblock
 * @block: TANDEM_MD_SB_BYTES bytes as read from disk
 * @info: filled in; on error its content is unspecified
 *
 * Checks, in this order: magic (-TANDEM_MD_EMAGIC means "no tandem
 * metadata here"), version, sb_bytes, checksum, then tandem_md_check().
 *
 * Return: 0 or a negative enum tandem_md_err.
 */
int tandem_md_decode(const unsigned char *block, struct tandem_md_info *info);

/**
 * struct tandem_md_place - where metadata lives, as configured
 * @kind: enum tandem_md_kind
 * @index: slot number (TANDEM_MD_INDEXED only)
 * @disk_bytes: size of the backing device
 * @meta_bytes: size of the meta device (not used for internal)
 */
struct tandem_md_place {
	u32 kind;
	u32 index;
	u64 disk_bytes;
	u64 meta_bytes;
};

/**
 * struct tandem_md_layout - computed geometry of a metadata area
 * @data_sect: data area size (sectors); always whole 4 KiB blocks
 * @md_size_sect: metadata area size
 * @md_offset: byte offset of the area on its device (the backing device
 *             for internal, the meta device otherwise)
 * @sb_offset: byte offset of the superblock on that same device
 * @al_offset_sect: AL start, relative to the area start
 * @al_size_sect: AL size
 * @bm_offset_sect: first bitmap slot, relative to the area start
 * @bm_slot_sect: size of one bitmap slot
 *
 * Bitmaps start the area, the AL ends where the superblock (the last
 * 4 KiB of the area) starts. Whatever room is left lies between the last
 * bitmap slot and the AL: a whole indexed slot or meta device is more
 * than needed, and an internal area may keep up to max_peers blocks that
 * could not hold data without another bitmap block per peer.
 */
struct tandem_md_layout {
	u64 data_sect;
	u64 md_size_sect;
	u64 md_offset;
	u64 sb_offset;
	u64 al_offset_sect;
	u64 al_size_sect;
	u64 bm_offset_sect;
	u64 bm_slot_sect;
};

/**
 * tandem_md_sb_offset() - where the superblock of a placement is
 * @place: placement (kind, index and the device sizes it needs)
 * @offset: byte offset of the superblock on its device
 *
 * The superblock is the last whole 4 KiB block of its region: of the
 * backing device (internal), of the meta device (flexible), of slot
 * @index (indexed). Device sizes are first rounded down to 4 KiB. This
 * does not depend on anything stored in the superblock, so attach and
 * the utilities find it from the configuration alone.
 *
 * Return: 0 or -TANDEM_MD_EKIND, -TANDEM_MD_EDISKSMALL,
 * -TANDEM_MD_EMETASMALL, -TANDEM_MD_EINDEX.
 */
int tandem_md_sb_offset(const struct tandem_md_place *place, u64 *offset);

/**
 * tandem_md_compute_layout() - lay out a new metadata area
 * @place: placement and device sizes
 * @max_peers: bitmap slots, 1 .. TANDEM_MD_MAX_PEERS
 * @al_extents: TANDEM_AL_EXTENTS_MIN .. TANDEM_AL_EXTENTS_MAX
 * @out: the geometry
 *
 * internal: the area is the end of the backing device (rounded down to
 * 4 KiB); the data area is the largest whole number of 4 KiB blocks for
 * which data, one bitmap per peer covering it, the AL and the superblock
 * fit. flexible: the data area is the backing device (rounded down to
 * 4 KiB), the area is the whole meta device (rounded down to 4 KiB).
 * indexed: the data area is the backing device, the area is slot @index.
 *
 * Return: 0, or -TANDEM_MD_EKIND, -TANDEM_MD_EMAXPEERS,
 * -TANDEM_MD_EALEXTENTS, -TANDEM_MD_EDISKSMALL, -TANDEM_MD_EMETASMALL,
 * -TANDEM_MD_EINDEX or -TANDEM_MD_ESLOTFULL.
 */
int tandem_md_compute_layout(const struct tandem_md_place *place,
			     u32 max_peers, u32 al_extents,
			     struct tandem_md_layout *out);

/**
 * tandem_md_info_init() - a fresh superblock for a new area
 * @info: filled in completely
 * @kind: enum tandem_md_kind
 * @layout: from tandem_md_compute_layout()
 * @node_id: this node
 * @max_peers: bitmap slots
 * @al_extents: activity log size in extents
 * @device_uuid: random, non-zero
 *
 * The result is Inconsistent (no TANDEM_MDF_CONSISTENT), AL_CLEAN,
 * current_uuid and history 0, every peer slot free.
 */
void tandem_md_info_init(struct tandem_md_info *info, u32 kind,
			 const struct tandem_md_layout *layout, u32 node_id,
			 u32 max_peers, u32 al_extents, u64 device_uuid);

/**
 * tandem_md_validate() - check a superblock against the actual devices
 * @info: decoded superblock (tandem_md_decode() returned 0)
 * @place: configured placement with current device sizes
 *
 * What attach does before trusting the area: the kind matches the
 * configuration; the area is exactly the region the superblock was
 * found in (internal: data area plus area fill the backing device;
 * flexible: the meta device; indexed: one slot, inside the meta device);
 * the data area fits in the backing device.
 *
 * Return: 0 or a negative enum tandem_md_err.
 */
int tandem_md_validate(const struct tandem_md_info *info,
		       const struct tandem_md_place *place);

/* Names for dumps and logs; NULL for an undefined bit or kind. */
const char *tandem_md_kind_name(u32 kind);
const char *tandem_md_flag_name(unsigned int bit);
const char *tandem_md_peer_flag_name(unsigned int bit);

#endif /* _TANDEM_MD_LAYOUT_H */
