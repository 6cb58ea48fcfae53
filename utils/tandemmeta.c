// SPDX-License-Identifier: GPL-2.0
/*
 * tandemmeta - create, inspect and change tandem on-disk metadata
 * (docs/METADATA.md). Works on block devices and on regular files.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "kernel/lib/md_layout.h"
#include "kernel/uapi/tandem_limits.h"
#include "kernel/uapi/tandem_version.h"
#include "meta/area.h"
#include "meta/dev.h"
#include "meta/print.h"

/* Exit codes, also listed in --help. */
enum {
	EX_OK = 0,
	EX_NO_MD = 10,		/* no valid metadata (or it does not fit) */
	EX_USAGE = 20,		/* bad command line */
	EX_IO = 30,		/* cannot open/read/write, device unsuitable */
	EX_REFUSED = 40,	/* would destroy something; needs --force */
};

/* Options, one bit each, so that each command can say which it takes. */
enum {
	OPT_NODE_ID = 1 << 0,
	OPT_MAX_PEERS = 1 << 1,
	OPT_AL_EXTENTS = 1 << 2,
	OPT_FORCE = 1 << 3,
	OPT_JSON = 1 << 4,
};

struct opts {
	unsigned int given;
	unsigned int node_id;
	unsigned int max_peers;
	unsigned int al_extents;
	bool force;
	bool json;
};

/* The devices a command works on. */
struct ctx {
	const char *disk_path;
	const char *meta_arg;
	struct meta_spec spec;
	struct meta_dev disk;
	struct meta_dev meta;
	struct meta_dev *area_dev;	/* the device holding the area */
	struct tandem_md_place place;
};

struct command {
	const char *name;
	int (*run)(struct ctx *ctx, const struct opts *o);
	unsigned int opts;
	bool write;
	const char *args;
	const char *help;
};

#define SB TANDEM_MD_SB_BYTES
#define SECT ((uint64_t)512)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tandemmeta [options] COMMAND DISK META\n"
		"\n"
		"  DISK  the backing device (a block device, or a regular file)\n"
		"  META  'internal'  metadata at the end of DISK\n"
		"        PATH        external metadata at the start of PATH, using\n"
		"                    all of it (flexible)\n"
		"        PATH[N]     external metadata in slot N of PATH, each slot\n"
		"                    128 MiB from N * 128 MiB (indexed)\n"
		"\n"
		"commands:\n"
		"  create-md  [--node-id=N] [--max-peers=N] [--al-extents=N] [--force]\n"
		"             write new, empty metadata (the disk starts Inconsistent)\n"
		"  dump-md    [--json]   print every superblock field\n"
		"  wipe-md    [--force]  zero the superblock\n"
		"  show-gi    [--json]   print the generation identifiers (UUIDs)\n"
		"  outdate               mark the data Outdated\n"
		"  apply-al              replay the activity log into the bitmaps\n"
		"                        (after a crash; nothing to do if it is clean)\n"
		"\n"
		"options:\n"
		"  -h, --help     this text; 'tandemmeta COMMAND --help' for one command\n"
		"  -V, --version  print the version\n"
		"\n"
		"Block devices are opened exclusively: a device that is mounted,\n"
		"attached or otherwise in use is refused.\n"
		"\n"
		"exit codes:\n"
		"   0  success\n"
		"  10  no valid metadata found, or it does not fit the devices\n"
		"  20  usage error (unknown command or option, bad or missing argument)\n"
		"  30  I/O or device error (cannot open, read or write; device in use;\n"
		"      device too small for the metadata)\n"
		"  40  refused: would overwrite or destroy something; use --force\n");
}

static void command_help(const struct command *c)
{
	printf("usage: tandemmeta %s%s%s DISK META\n\n%s", c->name,
	       c->args[0] ? " " : "", c->args, c->help);
	printf("\nexit codes: 0 ok, 10 no valid metadata, 20 usage, 30 I/O or "
	       "device error, 40 refused without --force\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tandemmeta: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n");
	usage(stderr);
	return EX_USAGE;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long long v = 0;
	const char *p = s;

	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* ---- opening the devices ------------------------------------------ */

static void ctx_close(struct ctx *ctx)
{
	meta_dev_close(&ctx->disk);
	meta_dev_close(&ctx->meta);
	meta_spec_free(&ctx->spec);
}

static int ctx_open(struct ctx *ctx, bool write)
{
	char err[256];

	ctx->disk.fd = -1;
	ctx->meta.fd = -1;
	if (meta_spec_parse(ctx->meta_arg, &ctx->spec, err, sizeof(err)) < 0) {
		usage_error("%s", err);
		return EX_USAGE;
	}
	ctx->place.kind = ctx->spec.kind;
	ctx->place.index = ctx->spec.index;
	if (ctx->spec.kind == TANDEM_MD_INTERNAL) {
		if (meta_dev_open(&ctx->disk, ctx->disk_path, write) < 0)
			return EX_IO;
		ctx->area_dev = &ctx->disk;
		ctx->place.disk_bytes = ctx->disk.bytes;
		ctx->place.meta_bytes = 0;
		return 0;
	}
	/* external: DISK is only measured (and held, if a block device) */
	if (meta_dev_open(&ctx->disk, ctx->disk_path, false) < 0)
		return EX_IO;
	if (meta_dev_open(&ctx->meta, ctx->spec.path, write) < 0)
		return EX_IO;
	if (meta_dev_same(&ctx->disk, &ctx->meta)) {
		fprintf(stderr,
			"tandemmeta: DISK and META are the same device (%s); use META 'internal' for metadata on the disk itself\n",
			ctx->disk_path);
		return EX_USAGE;
	}
	ctx->area_dev = &ctx->meta;
	ctx->place.disk_bytes = ctx->disk.bytes;
	ctx->place.meta_bytes = ctx->meta.bytes;
	return 0;
}

/* Byte offset of the area, as a superblock describes it. */
static uint64_t area_offset(const struct ctx *ctx,
			    const struct tandem_md_info *info)
{
	uint64_t end;

	switch (ctx->place.kind) {
	case TANDEM_MD_INTERNAL:
		end = ctx->disk.bytes / 4096 * 4096;
		return info->md_size_sect * SECT <= end ?
		       end - info->md_size_sect * SECT : 0;
	case TANDEM_MD_INDEXED:
		return (uint64_t)ctx->place.index *
		       TANDEM_MD_INDEXED_SLOT_BYTES;
	}
	return 0;
}

/* Say why a placement cannot hold metadata, with the numbers. */
static void explain_place(const struct ctx *ctx, int err, unsigned int peers)
{
	char a[32], b[32];
	uint64_t need, slots;

	fprintf(stderr, "tandemmeta: %s\n", tandem_md_strerror(err));
	switch (-err) {
	case TANDEM_MD_EDISKSMALL:
		if (ctx->place.kind == TANDEM_MD_INTERNAL)
			need = (TANDEM_MD_MIN_DATA_BYTES / 4096 + peers + 9) *
			       4096;
		else
			need = TANDEM_MD_MIN_DATA_BYTES;
		fprintf(stderr,
			"tandemmeta: %s: %" PRIu64 " bytes (%s); %s needs at least %" PRIu64 " bytes (%s)\n",
			ctx->disk_path, ctx->disk.bytes,
			meta_fmt_size(a, sizeof(a), ctx->disk.bytes),
			ctx->place.kind == TANDEM_MD_INTERNAL ?
			"with internal metadata it" : "it",
			need, meta_fmt_size(b, sizeof(b), need));
		break;
	case TANDEM_MD_EMETASMALL:
		need = ((ctx->disk.bytes / 4096 + TANDEM_BM_BITS_PER_BLOCK - 1) /
			TANDEM_BM_BITS_PER_BLOCK * peers + 9) * 4096;
		fprintf(stderr,
			"tandemmeta: %s: %" PRIu64 " bytes (%s); metadata for %s with %u peer(s) needs %" PRIu64 " bytes (%s)\n",
			ctx->spec.path, ctx->meta.bytes,
			meta_fmt_size(a, sizeof(a), ctx->meta.bytes),
			ctx->disk_path, peers, need,
			meta_fmt_size(b, sizeof(b), need));
		break;
	case TANDEM_MD_EINDEX:
		slots = ctx->meta.bytes / TANDEM_MD_INDEXED_SLOT_BYTES;
		fprintf(stderr,
			"tandemmeta: %s: %" PRIu64 " bytes (%s) holds %" PRIu64 " slot(s) of 128 MiB; slot %u needs at least %" PRIu64 " bytes\n",
			ctx->spec.path, ctx->meta.bytes,
			meta_fmt_size(a, sizeof(a), ctx->meta.bytes), slots,
			ctx->place.index,
			(uint64_t)((ctx->place.index + 1ULL) *
				   TANDEM_MD_INDEXED_SLOT_BYTES));
		break;
	case TANDEM_MD_ESLOTFULL:
		need = (TANDEM_MD_INDEXED_SLOT_BYTES / 4096 - 9) / peers *
		       TANDEM_BM_BITS_PER_BLOCK * 4096;
		fprintf(stderr,
			"tandemmeta: %s: %" PRIu64 " bytes (%s); a slot serves at most %" PRIu64 " bytes (%s) of data with %u peer(s): use flexible external metadata\n",
			ctx->disk_path, ctx->disk.bytes,
			meta_fmt_size(a, sizeof(a), ctx->disk.bytes), need,
			meta_fmt_size(b, sizeof(b), need), peers);
		break;
	}
}

/*
 * Read the superblock block and decode it. Returns an exit code after
 * saying what is wrong if it cannot be read at all; otherwise 0, with the
 * result of tandem_md_decode() in @decode_err.
 */
static int load(struct ctx *ctx, struct tandem_md_info *info,
		unsigned char *block, uint64_t *sb_off, int *decode_err)
{
	int err = tandem_md_sb_offset(&ctx->place, sb_off);

	*decode_err = 0;
	if (err) {
		explain_place(ctx, err, 1);
		fprintf(stderr, "tandemmeta: no tandem metadata can be there\n");
		*decode_err = err;
		return EX_NO_MD;
	}
	if (meta_dev_read(ctx->area_dev, block, SB, *sb_off) < 0)
		return EX_IO;
	*decode_err = tandem_md_decode(block, info);
	return 0;
}

static int load_valid(struct ctx *ctx, struct tandem_md_info *info,
		      uint64_t *sb_off, bool check_devices)
{
	unsigned char block[SB];
	int derr, ret = load(ctx, info, block, sb_off, &derr);

	if (ret)
		return ret;
	if (derr) {
		fprintf(stderr,
			"tandemmeta: %s: no valid tandem metadata at byte %" PRIu64 ": %s\n",
			ctx->area_dev->path, *sb_off, tandem_md_strerror(derr));
		return EX_NO_MD;
	}
	if (check_devices) {
		int err = tandem_md_validate(info, &ctx->place);

		if (err) {
			fprintf(stderr,
				"tandemmeta: %s: the metadata does not fit the devices: %s\n",
				ctx->area_dev->path, tandem_md_strerror(err));
			return EX_NO_MD;
		}
	}
	return 0;
}

static int store(struct ctx *ctx, const struct tandem_md_info *info,
		 uint64_t sb_off)
{
	unsigned char block[SB];
	struct tandem_md_info back;
	int err = tandem_md_encode(info, block);

	if (err) {
		fprintf(stderr, "tandemmeta: internal error: %s\n",
			tandem_md_strerror(err));
		return EX_IO;
	}
	if (meta_dev_write(ctx->area_dev, block, SB, sb_off) < 0 ||
	    meta_dev_sync(ctx->area_dev) < 0)
		return EX_IO;
	/* read it back: what is on the disk is what counts */
	if (meta_dev_read(ctx->area_dev, block, SB, sb_off) < 0)
		return EX_IO;
	err = tandem_md_decode(block, &back);
	if (err) {
		fprintf(stderr,
			"tandemmeta: %s: superblock read back at byte %" PRIu64 " is not valid: %s\n",
			ctx->area_dev->path, sb_off, tandem_md_strerror(err));
		return EX_IO;
	}
	return 0;
}

/* ---- commands ------------------------------------------------------- */

static int random_uuid(uint64_t *out)
{
	uint64_t v = 0;

	while (!v) {
		ssize_t n = getrandom(&v, sizeof(v), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(v)) {
			int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

			if (fd < 0 || read(fd, &v, sizeof(v)) != sizeof(v)) {
				fprintf(stderr,
					"tandemmeta: no random numbers: %s\n",
					strerror(errno));
				if (fd >= 0)
					close(fd);
				return -1;
			}
			close(fd);
		}
	}
	*out = v;
	return 0;
}

static void describe(const char *what, const struct tandem_md_info *i)
{
	char sz[32], f[256];

	fprintf(stderr,
		"tandemmeta: %s: %s metadata, node-id %" PRIu32 ", max-peers %" PRIu32 ", data %s, %s, device uuid %016" PRIX64 ", current uuid %016" PRIX64 ", flags %s\n",
		what, tandem_md_kind_name(i->kind), i->node_id, i->max_peers,
		meta_fmt_size(sz, sizeof(sz), i->data_sect * SECT),
		meta_disk_state(i->flags), i->device_uuid, i->current_uuid,
		meta_flags_str(f, sizeof(f), i->flags, 0));
}

/*
 * Before writing a new area where none was: is anything there? For
 * internal metadata the whole area was the end of the disk's data (a file
 * system that fills the disk loses its end); for external metadata only
 * what create-md writes is looked at.
 */
static int check_area_empty(struct ctx *ctx, const struct tandem_md_layout *l,
			    unsigned int peers, bool force)
{
	const struct meta_dev *d = ctx->area_dev;
	uint64_t ranges[3][2], at = 0;
	int n = 0, i, r = 0;
	char a[32];

	if (ctx->place.kind == TANDEM_MD_INTERNAL) {
		ranges[n][0] = l->md_offset;
		ranges[n++][1] = l->md_size_sect * SECT;
	} else {
		ranges[n][0] = l->md_offset + l->bm_offset_sect * SECT;
		ranges[n++][1] = l->bm_slot_sect * SECT * peers;
		ranges[n][0] = l->md_offset + l->al_offset_sect * SECT;
		ranges[n++][1] = l->al_size_sect * SECT;
		ranges[n][0] = l->sb_offset;
		ranges[n++][1] = SB;
	}
	for (i = 0; i < n && !r; i++)
		r = meta_dev_find_nonzero(d, ranges[i][0], ranges[i][1], &at);
	if (r < 0)
		return EX_IO;
	if (!r)
		return 0;
	if (ctx->place.kind == TANDEM_MD_INTERNAL)
		fprintf(stderr,
			"tandemmeta: %s: the last %" PRIu64 " bytes (%s), where internal metadata goes, are not all zero (byte %" PRIu64 " is not).\n"
			"tandemmeta: if %s holds a file system or other data that reaches its end, that end will be overwritten: shrink it to at most %" PRIu64 " bytes first.\n",
			d->path, l->md_size_sect * SECT,
			meta_fmt_size(a, sizeof(a), l->md_size_sect * SECT), at,
			d->path, l->data_sect * SECT);
	else
		fprintf(stderr,
			"tandemmeta: %s: the metadata area at bytes %" PRIu64 "..%" PRIu64 " is not all zero (byte %" PRIu64 " is not)\n",
			d->path, l->md_offset,
			l->md_offset + l->md_size_sect * SECT - 1, at);
	if (!force) {
		fprintf(stderr,
			"tandemmeta: refusing to overwrite it; use --force to write anyway\n");
		return EX_REFUSED;
	}
	fprintf(stderr, "tandemmeta: --force: overwriting it\n");
	return 0;
}

static int cmd_create(struct ctx *ctx, const struct opts *o)
{
	unsigned char block[SB];
	struct tandem_md_layout l;
	struct tandem_md_info old, info;
	uint64_t uuid;
	char a[32], b[32];
	int err, ret;

	err = tandem_md_compute_layout(&ctx->place, o->max_peers,
				       o->al_extents, &l);
	if (err) {
		explain_place(ctx, err, o->max_peers);
		return EX_IO;
	}
	if (meta_dev_read(ctx->area_dev, block, SB, l.sb_offset) < 0)
		return EX_IO;
	err = tandem_md_decode(block, &old);
	if (!err) {
		describe("found existing", &old);
		if (!o->force) {
			fprintf(stderr,
				"tandemmeta: %s: refusing to overwrite valid tandem metadata (its bitmaps and activity log would be lost); use --force\n",
				ctx->area_dev->path);
			return EX_REFUSED;
		}
		fprintf(stderr, "tandemmeta: --force: overwriting it\n");
	} else if (err != -TANDEM_MD_EMAGIC) {
		fprintf(stderr,
			"tandemmeta: %s: found damaged tandem metadata at byte %" PRIu64 ": %s\n",
			ctx->area_dev->path, l.sb_offset, tandem_md_strerror(err));
		if (!o->force) {
			fprintf(stderr,
				"tandemmeta: refusing to overwrite it; use --force\n");
			return EX_REFUSED;
		}
		fprintf(stderr, "tandemmeta: --force: overwriting it\n");
	} else {
		ret = check_area_empty(ctx, &l, o->max_peers, o->force);
		if (ret)
			return ret;
	}

	if (random_uuid(&uuid) < 0)
		return EX_IO;
	tandem_md_info_init(&info, ctx->place.kind, &l, o->node_id,
			    o->max_peers, o->al_extents, uuid);
	if (meta_dev_zero(ctx->area_dev, l.md_offset + l.bm_offset_sect * SECT,
			  l.bm_slot_sect * SECT * o->max_peers) < 0 ||
	    meta_dev_zero(ctx->area_dev, l.md_offset + l.al_offset_sect * SECT,
			  l.al_size_sect * SECT) < 0)
		return EX_IO;
	ret = store(ctx, &info, l.sb_offset);
	if (ret)
		return ret;

	printf("created: %s metadata, node-id %u, max-peers %u, al-extents %u\n",
	       tandem_md_kind_name(info.kind), o->node_id, o->max_peers,
	       o->al_extents);
	printf("device_uuid: %016" PRIX64 "\n", uuid);
	if (ctx->place.kind == TANDEM_MD_INTERNAL)
		printf("data: %" PRIu64 " bytes (%s) remain for data, of %" PRIu64 " bytes (%s) on %s\n",
		       l.data_sect * SECT,
		       meta_fmt_size(a, sizeof(a), l.data_sect * SECT),
		       ctx->disk.bytes,
		       meta_fmt_size(b, sizeof(b), ctx->disk.bytes),
		       ctx->disk_path);
	else
		printf("data: %" PRIu64 " bytes (%s), all of %s\n",
		       l.data_sect * SECT,
		       meta_fmt_size(a, sizeof(a), l.data_sect * SECT),
		       ctx->disk_path);
	printf("metadata: %" PRIu64 " bytes (%s) at byte %" PRIu64 " of %s\n",
	       l.md_size_sect * SECT,
	       meta_fmt_size(a, sizeof(a), l.md_size_sect * SECT), l.md_offset,
	       ctx->area_dev->path);
	printf("disk_state: %s\n", meta_disk_state(info.flags));
	return EX_OK;
}

/*
 * Read the AL ring and count the bits of every bitmap slot in use, for an
 * area at @md_off. Returns 0, or -1 after saying why.
 */
static int read_state(struct ctx *ctx, const struct tandem_md_info *info,
		      uint64_t md_off, struct meta_al *al,
		      struct meta_state *st)
{
	uint64_t bits = meta_bm_bits(info);
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->al = al;
	if (meta_al_read(ctx->area_dev, meta_al_offset(info, md_off), al) < 0)
		return -1;
	for (i = 0; i < info->max_peers && i < TANDEM_MD_MAX_PEERS; i++) {
		if (info->peers[i].node_id == TANDEM_MD_NO_NODE)
			continue;
		if (meta_bm_count(ctx->area_dev,
				  meta_bm_slot_offset(info, md_off, i), bits,
				  &st->bits_set[i]) < 0)
			return -1;
	}
	return 0;
}

static int cmd_dump(struct ctx *ctx, const struct opts *o)
{
	struct tandem_md_info info;
	struct meta_where where;
	struct meta_state st, *state = NULL;
	struct meta_al *al;
	uint64_t sb_off;
	bool io_err = false;
	int ret = load_valid(ctx, &info, &sb_off, false), err;

	if (ret)
		return ret;
	where.device = ctx->area_dev->path;
	where.md_offset = area_offset(ctx, &info);
	where.sb_offset = sb_off;
	al = malloc(sizeof(*al));
	if (!al) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return EX_IO;
	}
	/* bitmaps and AL only where the area lies inside its device */
	if (info.md_size_sect <= ctx->area_dev->bytes / SECT &&
	    where.md_offset <= ctx->area_dev->bytes - info.md_size_sect * SECT) {
		if (!read_state(ctx, &info, where.md_offset, al, &st))
			state = &st;
		else
			io_err = true;
	}
	if (o->json)
		meta_print_dump_json(stdout, &info, &where, state);
	else
		meta_print_dump(stdout, &info, &where, state);
	fflush(stdout);
	free(al);
	err = tandem_md_validate(&info, &ctx->place);
	if (err) {
		fprintf(stderr,
			"tandemmeta: %s: the metadata above does not fit the devices: %s\n",
			ctx->area_dev->path, tandem_md_strerror(err));
		return EX_NO_MD;
	}
	return io_err ? EX_IO : EX_OK;
}

static int cmd_show_gi(struct ctx *ctx, const struct opts *o)
{
	struct tandem_md_info info;
	uint64_t sb_off;
	int ret = load_valid(ctx, &info, &sb_off, false);

	if (ret)
		return ret;
	if (o->json)
		meta_print_gi_json(stdout, &info);
	else
		meta_print_gi(stdout, &info);
	return EX_OK;
}

static int cmd_wipe(struct ctx *ctx, const struct opts *o)
{
	unsigned char block[SB];
	struct tandem_md_info info;
	uint64_t sb_off;
	int derr, ret = load(ctx, &info, block, &sb_off, &derr);

	if (ret)
		return ret;
	if (derr) {
		fprintf(stderr,
			"tandemmeta: %s: no valid tandem metadata at byte %" PRIu64 ": %s\n",
			ctx->area_dev->path, sb_off, tandem_md_strerror(derr));
		if (!o->force) {
			fprintf(stderr,
				"tandemmeta: nothing wiped; use --force to zero that block anyway\n");
			return EX_REFUSED;
		}
	} else {
		describe("wiping", &info);
	}
	if (meta_dev_zero(ctx->area_dev, sb_off, SB) < 0 ||
	    meta_dev_sync(ctx->area_dev) < 0)
		return EX_IO;
	printf("wiped: superblock at byte %" PRIu64 " of %s zeroed\n", sb_off,
	       ctx->area_dev->path);
	return EX_OK;
}

static int cmd_outdate(struct ctx *ctx, const struct opts *o)
{
	struct tandem_md_info info;
	uint64_t sb_off;
	int ret = load_valid(ctx, &info, &sb_off, true);

	(void)o;
	if (ret)
		return ret;
	if (!(info.flags & TANDEM_MDF_CONSISTENT)) {
		printf("outdate: the disk is Inconsistent, which is already worse than Outdated; nothing changed\n");
		return EX_OK;
	}
	if ((info.flags & TANDEM_MDF_OUTDATED) &&
	    !(info.flags & TANDEM_MDF_WAS_UP_TO_DATE)) {
		printf("outdate: already Outdated\n");
		return EX_OK;
	}
	info.flags |= TANDEM_MDF_OUTDATED;
	info.flags &= ~(uint32_t)TANDEM_MDF_WAS_UP_TO_DATE;
	ret = store(ctx, &info, sb_off);
	if (ret)
		return ret;
	printf("outdate: disk marked Outdated\n");
	return EX_OK;
}

/*
 * What attach does after a crash, for a disk that is not attached: mark
 * the extents of the AL out of sync in every bitmap slot in use, then
 * write the AL empty and set AL_CLEAN. Each step is on disk before the
 * next, so that an interrupted run is simply run again.
 */
static int cmd_apply_al(struct ctx *ctx, const struct opts *o)
{
	const struct meta_dev *dev = ctx->area_dev;
	struct tandem_md_info info;
	struct meta_al *al;
	uint64_t sb_off, md_off, al_off, bits, marked;
	unsigned int i, slots = 0;
	int ret = load_valid(ctx, &info, &sb_off, true);

	(void)o;
	if (ret)
		return ret;
	if (info.flags & TANDEM_MDF_AL_CLEAN) {
		printf("apply-al: the activity log is clean (AL_CLEAN set): nothing to replay\n");
		return EX_OK;
	}
	al = malloc(sizeof(*al));
	if (!al) {
		fprintf(stderr, "tandemmeta: out of memory\n");
		return EX_IO;
	}
	md_off = area_offset(ctx, &info);
	al_off = meta_al_offset(&info, md_off);
	ret = EX_IO;
	if (meta_al_read(dev, al_off, al) < 0)
		goto out;
	printf("apply-al: activity log: %" PRIu32 " transactions, %" PRIu32 " active extents\n",
	       al->rp.valid, al->n_extents);
	bits = meta_bm_bits(&info);
	for (i = 0; i < info.max_peers && i < TANDEM_MD_MAX_PEERS; i++) {
		const struct tandem_md_peer_info *p = &info.peers[i];

		if (p->node_id == TANDEM_MD_NO_NODE)
			continue;
		slots++;
		if (meta_bm_mark(dev, meta_bm_slot_offset(&info, md_off, i),
				 bits, al->extents, al->n_extents, &marked) < 0)
			goto out;
		printf("apply-al: marked %" PRIu64 " KiB out of sync towards node %" PRIu32 " (bitmap slot %u)\n",
		       marked * (TANDEM_BM_BLOCK_BYTES / 1024), p->node_id, i);
	}
	if (!slots)
		printf("apply-al: no peer slot in use: no bitmap to mark\n");
	if (meta_dev_sync(dev) < 0 ||
	    meta_al_write_empty(dev, al_off, info.al_extents,
				al->rp.max_seq) < 0 ||
	    meta_dev_sync(dev) < 0)
		goto out;
	info.flags |= TANDEM_MDF_AL_CLEAN;
	ret = store(ctx, &info, sb_off);
	if (!ret)
		printf("apply-al: activity log rewritten empty; AL_CLEAN set\n");
out:
	free(al);
	return ret;
}

static const struct command commands[] = {
	{
		.name = "create-md", .run = cmd_create, .write = true,
		.opts = OPT_NODE_ID | OPT_MAX_PEERS | OPT_AL_EXTENTS | OPT_FORCE,
		.args = "[--node-id=N] [--max-peers=N] [--al-extents=N] [--force]",
		.help =
		"Write new metadata: zeroed bitmaps and activity log, and a superblock\n"
		"with a fresh random device uuid, current uuid 0, all peer slots free\n"
		"and the data Inconsistent (it becomes consistent through a full sync,\n"
		"or when the operator forces it Primary). Then fsync.\n"
		"\n"
		"  --node-id=N     this node's id in the resource, 0..31 (default 0)\n"
		"  --max-peers=N   bitmap slots to reserve, 1..31 (default 1)\n"
		"  --al-extents=N  activity log size in 4 MiB extents, 7..6144\n"
		"                  (default 1237)\n"
		"  --force         overwrite valid or damaged tandem metadata, or a\n"
		"                  metadata area that is not all zero\n"
		"\n"
		"Without --force it refuses (exit 40) when tandem metadata is already\n"
		"there, and when the place the metadata will take is not all zero (for\n"
		"internal metadata: the end of DISK, which a file system may still be\n"
		"using). For internal metadata it prints how much of DISK is left for\n"
		"data.\n",
	},
	{
		.name = "dump-md", .run = cmd_dump, .opts = OPT_JSON,
		.args = "[--json]",
		.help =
		"Print every superblock field, one 'key: value' per line (sizes also\n"
		"human-readable, flags by name, peer slots in use), then where the\n"
		"area is. --json prints the same as one JSON object.\n"
		"For each peer slot in use it counts the bits set in the bitmap\n"
		"('bitmap[node N]: B bits set, K KiB out of sync'), and it reads the\n"
		"activity log: 'al: clean', or 'al: N transactions, M active extents\n"
		"(needs replay)' followed by 'al-extent: E' lines (the first 64).\n"
		"Exit 10 with the reason when no valid metadata is found, or when it\n"
		"does not fit the devices as they are now (printed after the dump).\n",
	},
	{
		.name = "wipe-md", .run = cmd_wipe, .write = true,
		.opts = OPT_FORCE, .args = "[--force]",
		.help =
		"Zero the superblock, so that the metadata is no longer recognised.\n"
		"Without --force it refuses (exit 40) when there is no valid tandem\n"
		"superblock to wipe.\n",
	},
	{
		.name = "show-gi", .run = cmd_show_gi, .opts = OPT_JSON,
		.args = "[--json]",
		.help =
		"Print the generation identifiers: the current uuid, the bitmap uuid\n"
		"of each peer slot in use, the history, and the disk state the flags\n"
		"stand for.\n",
	},
	{
		.name = "outdate", .run = cmd_outdate, .write = true, .args = "",
		.help =
		"Mark the data Outdated: set OUTDATED, clear WAS_UP_TO_DATE. An\n"
		"Inconsistent disk is left as it is.\n",
	},
	{
		.name = "apply-al", .run = cmd_apply_al, .write = true,
		.args = "",
		.help =
		"Do what attaching does after a crash: when the superblock lacks\n"
		"AL_CLEAN, replay the activity log and mark every extent it names\n"
		"(4 MiB each) out of sync in the bitmap of every peer slot in use;\n"
		"then rewrite the activity log empty, fsync, and set AL_CLEAN. With\n"
		"AL_CLEAN set there is nothing to do and nothing is written.\n"
		"Refused (exit 30) when a device is in use, e.g. attached.\n",
	},
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const char *opt_name(unsigned int bit)
{
	switch (bit) {
	case OPT_NODE_ID:
		return "--node-id";
	case OPT_MAX_PEERS:
		return "--max-peers";
	case OPT_AL_EXTENTS:
		return "--al-extents";
	case OPT_FORCE:
		return "--force";
	case OPT_JSON:
		return "--json";
	}
	return "?";
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "node-id", required_argument, NULL, 'n' },
		{ "max-peers", required_argument, NULL, 'p' },
		{ "al-extents", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.max_peers = 1, .al_extents = TANDEM_AL_EXTENTS_DEFAULT,
	};
	const struct command *cmd;
	struct ctx ctx;
	bool help = false;
	unsigned int bit;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_uint(optarg, 0, TANDEM_NODE_ID_MAX - 1,
				       &o.node_id))
				return usage_error("--node-id must be 0 to 31, not '%s'",
						   optarg);
			o.given |= OPT_NODE_ID;
			break;
		case 'p':
			if (parse_uint(optarg, 1, TANDEM_MD_MAX_PEERS,
				       &o.max_peers))
				return usage_error("--max-peers must be 1 to 31, not '%s'",
						   optarg);
			o.given |= OPT_MAX_PEERS;
			break;
		case 'a':
			if (parse_uint(optarg, TANDEM_AL_EXTENTS_MIN,
				       TANDEM_AL_EXTENTS_MAX, &o.al_extents))
				return usage_error("--al-extents must be 7 to 6144, not '%s'",
						   optarg);
			o.given |= OPT_AL_EXTENTS;
			break;
		case 'f':
			o.force = true;
			o.given |= OPT_FORCE;
			break;
		case 'j':
			o.json = true;
			o.given |= OPT_JSON;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			printf("tandemmeta %s (metadata format %u)\n",
			       TANDEM_VERSION, TANDEM_MD_VERSION);
			return EX_OK;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			if (optopt && !strncmp(argv[optind - 1], "--", 2))
				return usage_error("option '%s' takes no value",
						   argv[optind - 1]);
			if (optopt) {
				char opt[3] = { '-', (char)optopt, 0 };

				return usage_error("unknown option '%s'", opt);
			}
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		if (help) {
			usage(stdout);
			return EX_OK;
		}
		return usage_error("%s", "missing COMMAND");
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[optind]);
	if (help) {
		command_help(cmd);
		return EX_OK;
	}
	for (bit = 1; bit <= OPT_JSON; bit <<= 1)
		if ((o.given & bit) && !(cmd->opts & bit)) {
			fprintf(stderr, "tandemmeta: %s does not take %s\n\n",
				cmd->name, opt_name(bit));
			usage(stderr);
			return EX_USAGE;
		}
	if (argc - optind < 3)
		return usage_error(argc - optind == 1 ? "%s: missing DISK and META" :
				   "%s: missing META", cmd->name);
	if (argc - optind > 3)
		return usage_error("unexpected argument '%s'",
				   argv[optind + 3]);

	memset(&ctx, 0, sizeof(ctx));
	ctx.disk_path = argv[optind + 1];
	ctx.meta_arg = argv[optind + 2];
	ret = ctx_open(&ctx, cmd->write);
	if (!ret)
		ret = cmd->run(&ctx, &o);
	ctx_close(&ctx);
	if (fflush(stdout) == EOF && !ret)
		ret = EX_IO;
	return ret;
}
