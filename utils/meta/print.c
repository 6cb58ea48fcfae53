// SPDX-License-Identifier: GPL-2.0
/*
 * tandemmeta - superblock dumps.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "meta/print.h"

#define SECT ((uint64_t)512)

const char *meta_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char * const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.2f %s", v, units[u]);
	return buf;
}

const char *meta_disk_state(uint32_t flags)
{
	if (!(flags & TANDEM_MDF_CONSISTENT))
		return "Inconsistent";
	if (flags & TANDEM_MDF_OUTDATED)
		return "Outdated";
	if (flags & TANDEM_MDF_WAS_UP_TO_DATE)
		return "UpToDate";
	return "Consistent";
}

static const char *flag_name(unsigned int bit, int peer)
{
	return peer ? tandem_md_peer_flag_name(bit) : tandem_md_flag_name(bit);
}

const char *meta_flags_str(char *buf, size_t len, uint32_t flags, int peer)
{
	unsigned int bit;
	size_t at = 0;

	buf[0] = 0;
	for (bit = 0; bit < 32; bit++) {
		const char *name;

		if (!(flags & (1U << bit)))
			continue;
		name = flag_name(bit, peer);
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0,
				       "%s%s", at ? "|" : "",
				       name ? name : "?");
	}
	if (!at)
		snprintf(buf, len, "none");
	return buf;
}

static void line_sect(FILE *out, const char *key, uint64_t sect)
{
	char h[32];

	fprintf(out, "%s: %" PRIu64 " (%s)\n", key, sect,
		meta_fmt_size(h, sizeof(h), sect * SECT));
}

static void line_bytes(FILE *out, const char *key, uint64_t bytes)
{
	char h[32];

	fprintf(out, "%s: %" PRIu64 " (%s)\n", key, bytes,
		meta_fmt_size(h, sizeof(h), bytes));
}

static unsigned int peers_in_use(const struct tandem_md_info *info)
{
	unsigned int i, n = 0;

	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++)
		n += info->peers[i].node_id != TANDEM_MD_NO_NODE;
	return n;
}

/* At most this many al-extent lines in the text dump. */
#define AL_LINES_MAX 64

static bool al_clean(const struct tandem_md_info *info)
{
	return info->flags & TANDEM_MDF_AL_CLEAN;
}

static void print_al(FILE *out, const struct tandem_md_info *info,
		     const struct meta_al *al)
{
	uint32_t i;

	if (al_clean(info)) {
		fprintf(out, "al: clean\n");
		return;
	}
	fprintf(out, "al: %" PRIu32 " transactions, %" PRIu32
		" active extents (needs replay)\n", al->rp.valid, al->n_extents);
	for (i = 0; i < al->n_extents && i < AL_LINES_MAX; i++)
		fprintf(out, "al-extent: %" PRIu32 "\n", al->extents[i]);
	if (al->n_extents > AL_LINES_MAX)
		fprintf(out, "al-extent: ... (%" PRIu32 " more)\n",
			al->n_extents - AL_LINES_MAX);
}

void meta_print_dump(FILE *out, const struct tandem_md_info *info,
		     const struct meta_where *where,
		     const struct meta_state *state)
{
	char f[256];
	unsigned int i;

	fprintf(out, "magic: 0x%016" PRIX64 " (TANDMD01)\n", info->magic);
	fprintf(out, "version: %" PRIu32 "\n", info->version);
	fprintf(out, "sb_bytes: %" PRIu32 "\n", info->sb_bytes);
	fprintf(out, "checksum: 0x%08" PRIX32 "\n", info->checksum);
	fprintf(out, "flags: 0x%08" PRIX32 " (%s)\n", info->flags,
		meta_flags_str(f, sizeof(f), info->flags, 0));
	fprintf(out, "kind: %s\n", tandem_md_kind_name(info->kind));
	fprintf(out, "node_id: %" PRIu32 "\n", info->node_id);
	fprintf(out, "max_peers: %" PRIu32 "\n", info->max_peers);
	fprintf(out, "al_extents: %" PRIu32 "\n", info->al_extents);
	fprintf(out, "device_uuid: %016" PRIX64 "\n", info->device_uuid);
	fprintf(out, "current_uuid: %016" PRIX64 "\n", info->current_uuid);
	fprintf(out, "history:");
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		fprintf(out, " %016" PRIX64, info->history[i]);
	fprintf(out, "\n");
	line_sect(out, "data_sect", info->data_sect);
	line_sect(out, "md_size_sect", info->md_size_sect);
	line_sect(out, "al_offset_sect", info->al_offset_sect);
	line_sect(out, "al_size_sect", info->al_size_sect);
	line_sect(out, "bm_offset_sect", info->bm_offset_sect);
	line_sect(out, "bm_slot_sect", info->bm_slot_sect);
	line_bytes(out, "bm_block_bytes", info->bm_block_bytes);
	line_bytes(out, "al_extent_bytes", info->al_extent_bytes);
	fprintf(out, "peers_in_use: %u\n", peers_in_use(info));
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		const struct tandem_md_peer_info *p = &info->peers[i];

		if (p->node_id == TANDEM_MD_NO_NODE)
			continue;
		fprintf(out,
			"peer[%u]: node_id %" PRIu32 ", flags %s, bitmap_uuid %016" PRIX64 "\n",
			i, p->node_id, meta_flags_str(f, sizeof(f), p->flags, 1),
			p->bitmap_uuid);
		if (state)
			fprintf(out,
				"bitmap[node %" PRIu32 "]: %" PRIu64 " bits set, %" PRIu64 " KiB out of sync\n",
				p->node_id, state->bits_set[i],
				state->bits_set[i] * (TANDEM_BM_BLOCK_BYTES / 1024));
	}
	if (state)
		print_al(out, info, state->al);
	fprintf(out, "disk_state: %s\n", meta_disk_state(info->flags));
	fprintf(out, "device: %s\n", where->device);
	line_bytes(out, "md_offset", where->md_offset);
	line_bytes(out, "sb_offset", where->sb_offset);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_flags(FILE *out, uint32_t flags, int peer)
{
	unsigned int bit, n = 0;

	fputc('[', out);
	for (bit = 0; bit < 32; bit++) {
		const char *name;

		if (!(flags & (1U << bit)))
			continue;
		name = flag_name(bit, peer);
		fprintf(out, "%s\"%s\"", n++ ? ", " : "", name ? name : "?");
	}
	fputc(']', out);
}

static void json_uuid(FILE *out, const char *key, uint64_t v)
{
	fprintf(out, "\"%s\": \"%016" PRIX64 "\"", key, v);
}

static void json_history(FILE *out, const struct tandem_md_info *info)
{
	unsigned int i;

	fprintf(out, "\"history\": [");
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		fprintf(out, "%s\"%016" PRIX64 "\"", i ? ", " : "",
			info->history[i]);
	fputc(']', out);
}

static void json_peers(FILE *out, const struct tandem_md_info *info,
		       const struct meta_state *state)
{
	unsigned int i, n = 0;

	fprintf(out, "\"peers\": [");
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		const struct tandem_md_peer_info *p = &info->peers[i];

		if (p->node_id == TANDEM_MD_NO_NODE)
			continue;
		fprintf(out, "%s{\"slot\": %u, \"node_id\": %" PRIu32 ", \"flags\": ",
			n++ ? ", " : "", i, p->node_id);
		json_flags(out, p->flags, 1);
		fprintf(out, ", ");
		json_uuid(out, "bitmap_uuid", p->bitmap_uuid);
		if (state)
			fprintf(out,
				", \"bits_set\": %" PRIu64 ", \"out_of_sync_kib\": %" PRIu64,
				state->bits_set[i],
				state->bits_set[i] * (TANDEM_BM_BLOCK_BYTES / 1024));
		fputc('}', out);
	}
	fputc(']', out);
}

/* With AL_CLEAN nothing is active: the ring is not replayed. */
static void json_al(FILE *out, const struct tandem_md_info *info,
		    const struct meta_al *al)
{
	bool clean = al_clean(info);
	uint32_t i, n = clean ? 0 : al->n_extents;

	fprintf(out,
		"\"al\": {\"clean\": %s, \"transactions\": %" PRIu32 ", \"active\": %" PRIu32 ", \"max_seq\": %" PRIu64 ", \"extents\": [",
		clean ? "true" : "false", al->rp.valid, n, al->rp.max_seq);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%" PRIu32, i ? ", " : "", al->extents[i]);
	fprintf(out, "]}");
}

void meta_print_dump_json(FILE *out, const struct tandem_md_info *info,
			  const struct meta_where *where,
			  const struct meta_state *state)
{
	fprintf(out, "{\"magic\": \"0x%016" PRIX64 "\", ", info->magic);
	fprintf(out, "\"version\": %" PRIu32 ", ", info->version);
	fprintf(out, "\"sb_bytes\": %" PRIu32 ", ", info->sb_bytes);
	fprintf(out, "\"checksum\": \"0x%08" PRIX32 "\", ", info->checksum);
	fprintf(out, "\"flags\": ");
	json_flags(out, info->flags, 0);
	fprintf(out, ", \"flags_value\": %" PRIu32 ", ", info->flags);
	fprintf(out, "\"kind\": \"%s\", ", tandem_md_kind_name(info->kind));
	fprintf(out, "\"node_id\": %" PRIu32 ", ", info->node_id);
	fprintf(out, "\"max_peers\": %" PRIu32 ", ", info->max_peers);
	fprintf(out, "\"al_extents\": %" PRIu32 ", ", info->al_extents);
	json_uuid(out, "device_uuid", info->device_uuid);
	fprintf(out, ", ");
	json_uuid(out, "current_uuid", info->current_uuid);
	fprintf(out, ", ");
	json_history(out, info);
	fprintf(out, ", \"data_sect\": %" PRIu64, info->data_sect);
	fprintf(out, ", \"md_size_sect\": %" PRIu64, info->md_size_sect);
	fprintf(out, ", \"al_offset_sect\": %" PRIu64, info->al_offset_sect);
	fprintf(out, ", \"al_size_sect\": %" PRIu64, info->al_size_sect);
	fprintf(out, ", \"bm_offset_sect\": %" PRIu64, info->bm_offset_sect);
	fprintf(out, ", \"bm_slot_sect\": %" PRIu64, info->bm_slot_sect);
	fprintf(out, ", \"bm_block_bytes\": %" PRIu32, info->bm_block_bytes);
	fprintf(out, ", \"al_extent_bytes\": %" PRIu32, info->al_extent_bytes);
	fprintf(out, ", ");
	json_peers(out, info, state);
	if (state) {
		fprintf(out, ", ");
		json_al(out, info, state->al);
	}
	fprintf(out, ", \"disk_state\": \"%s\", \"device\": ",
		meta_disk_state(info->flags));
	json_string(out, where->device);
	fprintf(out, ", \"md_offset\": %" PRIu64 ", \"sb_offset\": %" PRIu64
		"}\n", where->md_offset, where->sb_offset);
}

void meta_print_gi(FILE *out, const struct tandem_md_info *info)
{
	unsigned int i;
	char f[256];

	fprintf(out, "current: %016" PRIX64 "\n", info->current_uuid);
	for (i = 0; i < TANDEM_MD_MAX_PEERS; i++) {
		const struct tandem_md_peer_info *p = &info->peers[i];

		if (p->node_id == TANDEM_MD_NO_NODE)
			continue;
		fprintf(out, "bitmap[node %" PRIu32 "]: %016" PRIX64 "\n",
			p->node_id, p->bitmap_uuid);
	}
	if (!peers_in_use(info))
		fprintf(out, "bitmap: none (no peer slot in use)\n");
	fprintf(out, "history:");
	for (i = 0; i < TANDEM_MD_HISTORY; i++)
		fprintf(out, " %016" PRIX64, info->history[i]);
	fprintf(out, "\n");
	fprintf(out, "disk_state: %s\n", meta_disk_state(info->flags));
	fprintf(out, "flags: %s\n", meta_flags_str(f, sizeof(f), info->flags,
						   0));
}

void meta_print_gi_json(FILE *out, const struct tandem_md_info *info)
{
	fprintf(out, "{");
	json_uuid(out, "current_uuid", info->current_uuid);
	fprintf(out, ", ");
	json_peers(out, info, NULL);
	fprintf(out, ", ");
	json_history(out, info);
	fprintf(out, ", \"disk_state\": \"%s\", \"flags\": ",
		meta_disk_state(info->flags));
	json_flags(out, info->flags, 0);
	fprintf(out, "}\n");
}
