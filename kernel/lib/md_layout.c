// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - on-disk metadata: CRC32C, superblock encoding and decoding,
 * layout arithmetic and validation against devices (docs/METADATA.md).
 */
#include "../uapi/tandem_limits.h"
#include "md_layout.h"

/* Byte offset of a superblock field; the struct is packed. */
#define SB_OFF(field)	__builtin_offsetof(struct tandem_md_super, field)
#define PEER_OFF(i, field) \
	(SB_OFF(peers) + (i) * sizeof(struct tandem_md_peer) + \
	 __builtin_offsetof(struct tandem_md_peer, field))

/* Compile-time checks of the format header (no BUILD_BUG_ON here). */
typedef char tandem_md_super_is_one_block
	[sizeof(struct tandem_md_super) == TANDEM_MD_SB_BYTES ? 1 : -1];
typedef char tandem_md_peer_is_32_bytes
	[sizeof(struct tandem_md_peer) == 32 ? 1 : -1];
typedef char tandem_md_al_is_whole_blocks
	[TANDEM_AL_BYTES % TANDEM_BM_BLOCK_BYTES == 0 ? 1 : -1];

#define BLOCK_BYTES	4096ULL
#define SB_BLOCKS	(TANDEM_MD_SB_BYTES / BLOCK_BYTES)
#define AL_BLOCKS	(TANDEM_AL_BYTES / BLOCK_BYTES)
#define SLOT_BLOCKS	(TANDEM_MD_INDEXED_SLOT_BYTES / BLOCK_BYTES)
#define MIN_DATA_BLOCKS	(TANDEM_MD_MIN_DATA_BYTES / BLOCK_BYTES)

#define KNOWN_FLAGS	(TANDEM_MDF_CONSISTENT | TANDEM_MDF_WAS_UP_TO_DATE | \
			 TANDEM_MDF_PRIMARY_IND | TANDEM_MDF_CRASHED_PRIMARY | \
			 TANDEM_MDF_AL_CLEAN | TANDEM_MDF_FULL_SYNC | \
			 TANDEM_MDF_OUTDATED)
#define KNOWN_PEER_FLAGS (TANDEM_MDPF_CONNECTED_ONCE | \
			  TANDEM_MDPF_PEER_OUTDATED | \
			  TANDEM_MDPF_OLDER_PRIMARY | TANDEM_MDPF_VERIFIED)

static const char * const md_errors[TANDEM_MD_ERR_MAX] = {
	[0]			= "success",
	[TANDEM_MD_EMAGIC]	= "no tandem metadata (bad magic)",
	[TANDEM_MD_EVERSION]	= "unknown metadata format version",
	[TANDEM_MD_ESBBYTES]	= "bad superblock size (sb_bytes)",
	[TANDEM_MD_ECHECKSUM]	= "bad checksum",
	[TANDEM_MD_EKIND]	= "unknown metadata placement kind",
	[TANDEM_MD_EMAXPEERS]	= "max-peers must be 1 to 31",
	[TANDEM_MD_EALEXTENTS]	= "al-extents must be 7 to 6144",
	[TANDEM_MD_ENODEID]	= "node id must be 0 to 31",
	[TANDEM_MD_EPEERS]	= "inconsistent peer slots (bad or duplicate node id)",
	[TANDEM_MD_EFLAGS]	= "unknown flag bits",
	[TANDEM_MD_EUNITS]	= "unsupported bitmap block, AL extent or AL size",
	[TANDEM_MD_EDATASECT]	= "data area not whole 4 KiB blocks or under 1 MiB",
	[TANDEM_MD_EBITMAP]	= "bitmap slots do not cover the data area",
	[TANDEM_MD_EAREA]	= "metadata areas misaligned, overlapping or outside the metadata area",
	[TANDEM_MD_EDISKSMALL]	= "backing device too small (data area under 1 MiB)",
	[TANDEM_MD_EMETASMALL]	= "meta device too small for the metadata area",
	[TANDEM_MD_EINDEX]	= "index slot beyond the end of the meta device",
	[TANDEM_MD_ESLOTFULL]	= "metadata larger than a 128 MiB index slot",
	[TANDEM_MD_EKINDMISMATCH] = "metadata was created for another placement (internal/flexible/indexed)",
	[TANDEM_MD_EDATAFIT]	= "data area larger than the backing device",
	[TANDEM_MD_EAREAFIT]	= "metadata area does not match the size of its device or slot",
};

const char *tandem_md_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= TANDEM_MD_ERR_MAX || !md_errors[err])
		return "unknown error";
	return md_errors[err];
}

static const u32 crc32c_table[256] = {
	0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4,
	0xc79a971f, 0x35f1141c, 0x26a1e7e8, 0xd4ca64eb,
	0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
	0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24,
	0x105ec76f, 0xe235446c, 0xf165b798, 0x030e349b,
	0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
	0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54,
	0x5d1d08bf, 0xaf768bbc, 0xbc267848, 0x4e4dfb4b,
	0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
	0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35,
	0xaa64d611, 0x580f5512, 0x4b5fa6e6, 0xb93425e5,
	0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
	0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45,
	0xf779deae, 0x05125dad, 0x1642ae59, 0xe4292d5a,
	0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
	0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595,
	0x417b1dbc, 0xb3109ebf, 0xa0406d4b, 0x522bee48,
	0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
	0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687,
	0x0c38d26c, 0xfe53516f, 0xed03a29b, 0x1f682198,
	0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
	0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38,
	0xdbfc821c, 0x2997011f, 0x3ac7f2eb, 0xc8ac71e8,
	0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
	0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096,
	0xa65c047d, 0x5437877e, 0x4767748a, 0xb50cf789,
	0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
	0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46,
	0x7198540d, 0x83f3d70e, 0x90a324fa, 0x62c8a7f9,
	0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
	0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36,
	0x3cdb9bdd, 0xceb018de, 0xdde0eb2a, 0x2f8b6829,
	0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
	0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93,
	0x082f63b7, 0xfa44e0b4, 0xe9141340, 0x1b7f9043,
	0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
	0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3,
	0x55326b08, 0xa759e80b, 0xb4091bff, 0x466298fc,
	0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
	0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033,
	0xa24bb5a6, 0x502036a5, 0x4370c551, 0xb11b4652,
	0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
	0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d,
	0xef087a76, 0x1d63f975, 0x0e330a81, 0xfc588982,
	0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
	0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622,
	0x38cc2a06, 0xcaa7a905, 0xd9f75af1, 0x2b9cd9f2,
	0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
	0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530,
	0x0417b1db, 0xf67c32d8, 0xe52cc12c, 0x1747422f,
	0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
	0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0,
	0xd3d3e1ab, 0x21b862a8, 0x32e8915c, 0xc083125f,
	0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
	0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90,
	0x9e902e7b, 0x6cfbad78, 0x7fab5e8c, 0x8dc0dd8f,
	0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
	0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1,
	0x69e9f0d5, 0x9b8273d6, 0x88d28022, 0x7ab90321,
	0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
	0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81,
	0x34f4f86a, 0xc69f7b69, 0xd5cf889d, 0x27a40b9e,
	0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
	0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

u32 tandem_crc32c(u32 crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

u32 tandem_md_sb_checksum(const unsigned char *block)
{
	static const unsigned char zero[4];
	const size_t at = SB_OFF(checksum);
	u32 crc = ~0U;

	crc = tandem_crc32c(crc, block, at);
	crc = tandem_crc32c(crc, zero, sizeof(zero));
	crc = tandem_crc32c(crc, block + at + 4, TANDEM_MD_SB_BYTES - at - 4);
	return crc ^ ~0U;
}

const char *tandem_md_kind_name(u32 kind)
{
	switch (kind) {
	case TANDEM_MD_INTERNAL:
		return "internal";
	case TANDEM_MD_FLEXIBLE:
		return "flexible";
	case TANDEM_MD_INDEXED:
		return "indexed";
	}
	return NULL;
}

const char *tandem_md_flag_name(unsigned int bit)
{
	static const char * const names[] = {
		"CONSISTENT", "WAS_UP_TO_DATE", "PRIMARY_IND",
		"CRASHED_PRIMARY", "AL_CLEAN", "FULL_SYNC", "OUTDATED",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

const char *tandem_md_peer_flag_name(unsigned int bit)
{
	static const char * const names[] = {
		"CONNECTED_ONCE", "PEER_OUTDATED", "OLDER_PRIMARY", "VERIFIED",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

static int check_peers(const struct tandem_md_info *info)
{
	u32 seen = 0;	/* node ids in use, one bit each */
	u32 i;

	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		const struct tandem_md_peer_info *p = &info->peers[i];

		if (p->flags & ~(u32)KNOWN_PEER_FLAGS)
			return -TANDEM_MD_EFLAGS;
		if (p->node_id == TANDEM_MD_NO_NODE)
			continue;
		/* slots beyond max_peers are unused */
		if (i >= info->max_peers)
			return -TANDEM_MD_EPEERS;
		if (p->node_id >= TANDEM_NODE_ID_MAX ||
		    p->node_id == info->node_id ||
		    (seen & (1U << p->node_id)))
			return -TANDEM_MD_EPEERS;
		seen |= 1U << p->node_id;
	}
	return 0;
}

/* The geometry inside the area; every *_sect value is whole 4 KiB. */
static int check_area(const struct tandem_md_info *info)
{
	u64 md = info->md_size_sect, bm_end, al_end, need;

	if (info->al_size_sect != TANDEM_AL_BYTES / TANDEM_SECT_BYTES)
		return -TANDEM_MD_EUNITS;
	if (info->data_sect % TANDEM_BLOCK_SECT ||
	    info->data_sect < TANDEM_MD_MIN_DATA_BYTES / TANDEM_SECT_BYTES)
		return -TANDEM_MD_EDATASECT;
	if (md % TANDEM_BLOCK_SECT || info->bm_offset_sect % TANDEM_BLOCK_SECT ||
	    info->bm_slot_sect % TANDEM_BLOCK_SECT ||
	    info->al_offset_sect % TANDEM_BLOCK_SECT)
		return -TANDEM_MD_EAREA;
	/* bitmaps, then the AL, then the superblock in the last 4 KiB */
	if (md < SB_BLOCKS * TANDEM_BLOCK_SECT + info->al_size_sect)
		return -TANDEM_MD_EAREA;
	if (info->al_offset_sect > md - SB_BLOCKS * TANDEM_BLOCK_SECT -
				   info->al_size_sect)
		return -TANDEM_MD_EAREA;
	al_end = info->al_offset_sect + info->al_size_sect;
	if (info->bm_offset_sect > info->al_offset_sect ||
	    info->bm_slot_sect > (info->al_offset_sect - info->bm_offset_sect) /
				 info->max_peers)
		return -TANDEM_MD_EAREA;
	bm_end = info->bm_offset_sect + info->bm_slot_sect * info->max_peers;
	if (bm_end > info->al_offset_sect || al_end > md)
		return -TANDEM_MD_EAREA;
	/* one bit per 4 KiB of data, in whole bitmap blocks */
	need = (info->data_sect / TANDEM_BLOCK_SECT +
		TANDEM_BM_BITS_PER_BLOCK - 1) / TANDEM_BM_BITS_PER_BLOCK;
	if (info->bm_slot_sect / TANDEM_BLOCK_SECT < need)
		return -TANDEM_MD_EBITMAP;
	return 0;
}

int tandem_md_check(const struct tandem_md_info *info)
{
	int err;

	if (!tandem_md_kind_name(info->kind))
		return -TANDEM_MD_EKIND;
	if (info->node_id >= TANDEM_NODE_ID_MAX)
		return -TANDEM_MD_ENODEID;
	if (!info->max_peers || info->max_peers > TANDEM_MD_MAX_PEERS)
		return -TANDEM_MD_EMAXPEERS;
	if (info->al_extents < TANDEM_AL_EXTENTS_MIN ||
	    info->al_extents > TANDEM_AL_EXTENTS_MAX)
		return -TANDEM_MD_EALEXTENTS;
	if (info->flags & ~(u32)KNOWN_FLAGS)
		return -TANDEM_MD_EFLAGS;
	if (info->bm_block_bytes != TANDEM_BM_BLOCK_BYTES ||
	    info->al_extent_bytes != TANDEM_AL_EXTENT_BYTES)
		return -TANDEM_MD_EUNITS;
	err = check_peers(info);
	if (err)
		return err;
	return check_area(info);
}

void tandem_md_adopt(struct tandem_md_info *info, u32 node_id)
{
	u32 i;

	if (info->node_id == node_id)
		return;
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		struct tandem_md_peer_info *p = &info->peers[i];

		if (p->node_id != node_id)
			continue;
		p->node_id = info->node_id;
		p->flags = 0;
		p->bitmap_uuid = 0;
		p->sync_uuid = 0;
	}
	info->node_id = node_id;
}

int tandem_md_encode(const struct tandem_md_info *info, unsigned char *block)
{
	unsigned char *b = block;
	int err = tandem_md_check(info);
	size_t i;

	if (err)
		return err;
	for (i = 0; i < TANDEM_MD_SB_BYTES; i++)
		b[i] = 0;
	tandem_put_be64(b + SB_OFF(magic), TANDEM_MD_MAGIC);
	tandem_put_be32(b + SB_OFF(version), TANDEM_MD_VERSION);
	tandem_put_be32(b + SB_OFF(sb_bytes), TANDEM_MD_SB_BYTES);
	tandem_put_be32(b + SB_OFF(flags), info->flags);
	tandem_put_be32(b + SB_OFF(kind), info->kind);
	tandem_put_be32(b + SB_OFF(node_id), info->node_id);
	tandem_put_be32(b + SB_OFF(max_peers), info->max_peers);
	tandem_put_be32(b + SB_OFF(al_extents), info->al_extents);
	tandem_put_be64(b + SB_OFF(device_uuid), info->device_uuid);
	tandem_put_be64(b + SB_OFF(current_uuid), info->current_uuid);
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		tandem_put_be64(b + SB_OFF(history) + 8 * i, info->history[i]);
	tandem_put_be64(b + SB_OFF(data_sect), info->data_sect);
	tandem_put_be64(b + SB_OFF(md_size_sect), info->md_size_sect);
	tandem_put_be64(b + SB_OFF(al_offset_sect), info->al_offset_sect);
	tandem_put_be64(b + SB_OFF(al_size_sect), info->al_size_sect);
	tandem_put_be64(b + SB_OFF(bm_offset_sect), info->bm_offset_sect);
	tandem_put_be64(b + SB_OFF(bm_slot_sect), info->bm_slot_sect);
	tandem_put_be32(b + SB_OFF(bm_block_bytes), info->bm_block_bytes);
	tandem_put_be32(b + SB_OFF(al_extent_bytes), info->al_extent_bytes);
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		const struct tandem_md_peer_info *p = &info->peers[i];

		tandem_put_be32(b + PEER_OFF(i, node_id), p->node_id);
		tandem_put_be32(b + PEER_OFF(i, flags), p->flags);
		tandem_put_be64(b + PEER_OFF(i, bitmap_uuid), p->bitmap_uuid);
		tandem_put_be64(b + PEER_OFF(i, sync_uuid), p->sync_uuid);
	}
	tandem_put_be32(b + SB_OFF(checksum), tandem_md_sb_checksum(b));
	return 0;
}

int tandem_md_decode(const unsigned char *block, struct tandem_md_info *info)
{
	const unsigned char *b = block;
	size_t i;

	info->magic = tandem_get_be64(b + SB_OFF(magic));
	if (info->magic != TANDEM_MD_MAGIC)
		return -TANDEM_MD_EMAGIC;
	info->version = tandem_get_be32(b + SB_OFF(version));
	if (info->version != TANDEM_MD_VERSION)
		return -TANDEM_MD_EVERSION;
	info->sb_bytes = tandem_get_be32(b + SB_OFF(sb_bytes));
	if (info->sb_bytes != TANDEM_MD_SB_BYTES)
		return -TANDEM_MD_ESBBYTES;
	info->checksum = tandem_get_be32(b + SB_OFF(checksum));
	if (info->checksum != tandem_md_sb_checksum(b))
		return -TANDEM_MD_ECHECKSUM;
	info->flags = tandem_get_be32(b + SB_OFF(flags));
	info->kind = tandem_get_be32(b + SB_OFF(kind));
	info->node_id = tandem_get_be32(b + SB_OFF(node_id));
	info->max_peers = tandem_get_be32(b + SB_OFF(max_peers));
	info->al_extents = tandem_get_be32(b + SB_OFF(al_extents));
	info->device_uuid = tandem_get_be64(b + SB_OFF(device_uuid));
	info->current_uuid = tandem_get_be64(b + SB_OFF(current_uuid));
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		info->history[i] = tandem_get_be64(b + SB_OFF(history) + 8 * i);
	info->data_sect = tandem_get_be64(b + SB_OFF(data_sect));
	info->md_size_sect = tandem_get_be64(b + SB_OFF(md_size_sect));
	info->al_offset_sect = tandem_get_be64(b + SB_OFF(al_offset_sect));
	info->al_size_sect = tandem_get_be64(b + SB_OFF(al_size_sect));
	info->bm_offset_sect = tandem_get_be64(b + SB_OFF(bm_offset_sect));
	info->bm_slot_sect = tandem_get_be64(b + SB_OFF(bm_slot_sect));
	info->bm_block_bytes = tandem_get_be32(b + SB_OFF(bm_block_bytes));
	info->al_extent_bytes = tandem_get_be32(b + SB_OFF(al_extent_bytes));
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		struct tandem_md_peer_info *p = &info->peers[i];

		p->node_id = tandem_get_be32(b + PEER_OFF(i, node_id));
		p->flags = tandem_get_be32(b + PEER_OFF(i, flags));
		p->bitmap_uuid = tandem_get_be64(b + PEER_OFF(i, bitmap_uuid));
		p->sync_uuid = tandem_get_be64(b + PEER_OFF(i, sync_uuid));
	}
	return tandem_md_check(info);
}

static int check_params(u32 kind, u32 max_peers, u32 al_extents)
{
	if (!tandem_md_kind_name(kind))
		return -TANDEM_MD_EKIND;
	if (!max_peers || max_peers > TANDEM_MD_MAX_PEERS)
		return -TANDEM_MD_EMAXPEERS;
	if (al_extents < TANDEM_AL_EXTENTS_MIN ||
	    al_extents > TANDEM_AL_EXTENTS_MAX)
		return -TANDEM_MD_EALEXTENTS;
	return 0;
}

int tandem_md_sb_offset(const struct tandem_md_place *place, u64 *offset)
{
	u64 blocks;

	switch (place->kind) {
	case TANDEM_MD_INTERNAL:
		blocks = place->disk_bytes / BLOCK_BYTES;
		if (!blocks)
			return -TANDEM_MD_EDISKSMALL;
		*offset = (blocks - SB_BLOCKS) * BLOCK_BYTES;
		return 0;
	case TANDEM_MD_FLEXIBLE:
		blocks = place->meta_bytes / BLOCK_BYTES;
		if (!blocks)
			return -TANDEM_MD_EMETASMALL;
		*offset = (blocks - SB_BLOCKS) * BLOCK_BYTES;
		return 0;
	case TANDEM_MD_INDEXED:
		if (place->index >= place->meta_bytes /
				    TANDEM_MD_INDEXED_SLOT_BYTES)
			return -TANDEM_MD_EINDEX;
		*offset = (place->index + 1ULL) * TANDEM_MD_INDEXED_SLOT_BYTES -
			  TANDEM_MD_SB_BYTES;
		return 0;
	}
	return -TANDEM_MD_EKIND;
}

/* Bitmap blocks per peer for @data_blocks blocks of data. */
static u64 bm_blocks_for(u64 data_blocks)
{
	return (data_blocks + TANDEM_BM_BITS_PER_BLOCK - 1) /
	       TANDEM_BM_BITS_PER_BLOCK;
}

/*
 * Largest n with n + peers * ceil(n / BITS) <= room: every full group of
 * BITS data blocks costs BITS + peers blocks; what remains holds more
 * data only if it has room for one more bitmap block per peer.
 */
static u64 internal_data_blocks(u64 room, u32 peers)
{
	u64 group = TANDEM_BM_BITS_PER_BLOCK + (u64)peers;
	u64 rest = room % group;

	return room / group * TANDEM_BM_BITS_PER_BLOCK +
	       (rest > peers ? rest - peers : 0);
}

int tandem_md_compute_layout(const struct tandem_md_place *place,
			     u32 max_peers, u32 al_extents,
			     struct tandem_md_layout *out)
{
	const u64 fixed = AL_BLOCKS + SB_BLOCKS;
	u64 disk = place->disk_bytes / BLOCK_BYTES;
	u64 data, bm, area, start;
	int err = check_params(place->kind, max_peers, al_extents);

	if (err)
		return err;
	switch (place->kind) {
	case TANDEM_MD_INTERNAL:
		if (disk < fixed + MIN_DATA_BLOCKS)
			return -TANDEM_MD_EDISKSMALL;
		data = internal_data_blocks(disk - fixed, max_peers);
		if (data < MIN_DATA_BLOCKS)
			return -TANDEM_MD_EDISKSMALL;
		bm = bm_blocks_for(data);
		area = disk - data;
		start = data;
		break;
	case TANDEM_MD_FLEXIBLE:
		data = disk;
		if (data < MIN_DATA_BLOCKS)
			return -TANDEM_MD_EDISKSMALL;
		bm = bm_blocks_for(data);
		area = place->meta_bytes / BLOCK_BYTES;
		if (area < fixed || bm > (area - fixed) / max_peers)
			return -TANDEM_MD_EMETASMALL;
		start = 0;
		break;
	case TANDEM_MD_INDEXED:
		data = disk;
		if (data < MIN_DATA_BLOCKS)
			return -TANDEM_MD_EDISKSMALL;
		bm = bm_blocks_for(data);
		if (place->index >= place->meta_bytes /
				    TANDEM_MD_INDEXED_SLOT_BYTES)
			return -TANDEM_MD_EINDEX;
		area = SLOT_BLOCKS;
		if (bm > (area - fixed) / max_peers)
			return -TANDEM_MD_ESLOTFULL;
		start = place->index * SLOT_BLOCKS;
		break;
	default:
		return -TANDEM_MD_EKIND;
	}
	out->data_sect = data * TANDEM_BLOCK_SECT;
	out->md_size_sect = area * TANDEM_BLOCK_SECT;
	out->md_offset = start * BLOCK_BYTES;
	out->sb_offset = (start + area - SB_BLOCKS) * BLOCK_BYTES;
	out->bm_offset_sect = 0;
	out->bm_slot_sect = bm * TANDEM_BLOCK_SECT;
	out->al_offset_sect = (area - fixed) * TANDEM_BLOCK_SECT;
	out->al_size_sect = AL_BLOCKS * TANDEM_BLOCK_SECT;
	return 0;
}

void tandem_md_info_init(struct tandem_md_info *info, u32 kind,
			 const struct tandem_md_layout *layout, u32 node_id,
			 u32 max_peers, u32 al_extents, u64 device_uuid)
{
	size_t i;

	info->magic = TANDEM_MD_MAGIC;
	info->version = TANDEM_MD_VERSION;
	info->sb_bytes = TANDEM_MD_SB_BYTES;
	info->checksum = 0;
	info->flags = TANDEM_MDF_AL_CLEAN;
	info->kind = kind;
	info->node_id = node_id;
	info->max_peers = max_peers;
	info->al_extents = al_extents;
	info->device_uuid = device_uuid;
	info->current_uuid = 0;
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		info->history[i] = 0;
	info->data_sect = layout->data_sect;
	info->md_size_sect = layout->md_size_sect;
	info->al_offset_sect = layout->al_offset_sect;
	info->al_size_sect = layout->al_size_sect;
	info->bm_offset_sect = layout->bm_offset_sect;
	info->bm_slot_sect = layout->bm_slot_sect;
	info->bm_block_bytes = TANDEM_BM_BLOCK_BYTES;
	info->al_extent_bytes = TANDEM_AL_EXTENT_BYTES;
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		info->peers[i].node_id = TANDEM_MD_NO_NODE;
		info->peers[i].flags = 0;
		info->peers[i].bitmap_uuid = 0;
		info->peers[i].sync_uuid = 0;
	}
}

int tandem_md_validate(const struct tandem_md_info *info,
		       const struct tandem_md_place *place)
{
	u64 disk_sect = place->disk_bytes / BLOCK_BYTES * TANDEM_BLOCK_SECT;
	u64 meta_sect = place->meta_bytes / BLOCK_BYTES * TANDEM_BLOCK_SECT;
	int err = tandem_md_check(info);

	if (err)
		return err;
	if (info->kind != place->kind)
		return -TANDEM_MD_EKINDMISMATCH;
	switch (place->kind) {
	case TANDEM_MD_INTERNAL:
		/* data area, then the metadata area up to the device end */
		if (info->md_size_sect > disk_sect)
			return -TANDEM_MD_EAREAFIT;
		if (info->data_sect > disk_sect - info->md_size_sect)
			return -TANDEM_MD_EDATAFIT;
		if (info->data_sect != disk_sect - info->md_size_sect)
			return -TANDEM_MD_EAREAFIT;
		return 0;
	case TANDEM_MD_FLEXIBLE:
		if (info->md_size_sect != meta_sect)
			return -TANDEM_MD_EAREAFIT;
		break;
	case TANDEM_MD_INDEXED:
		if (place->index >= place->meta_bytes /
				    TANDEM_MD_INDEXED_SLOT_BYTES)
			return -TANDEM_MD_EINDEX;
		if (info->md_size_sect != SLOT_BLOCKS * TANDEM_BLOCK_SECT)
			return -TANDEM_MD_EAREAFIT;
		break;
	default:
		return -TANDEM_MD_EKIND;
	}
	if (info->data_sect > disk_sect)
		return -TANDEM_MD_EDATAFIT;
	return 0;
}
