/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - the net, disk and resource options: one table that the
 * command-line parser, the message builder, the status-dump reader and
 * `show` all walk. Pure (no netlink).
 */
#ifndef TANDEM_SETUP_OPTIONS_H
#define TANDEM_SETUP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "setup/parse.h"

enum ts_optkind {
	TS_OPT_U32,		/* plain number, u32 */
	TS_OPT_BOOL,		/* yes|no, u8 0/1 */
	TS_OPT_STRING,		/* string, may be empty (= none) */
	TS_OPT_SECRET,		/* binary, never printed */
	TS_OPT_PROTOCOL,	/* A|B|C, u32 enum tandem_protocol */
	TS_OPT_TRANSPORT,	/* transport class name, string */
	TS_OPT_BYTES,		/* SIZE with K/M/G suffix -> bytes, u32 */
	TS_OPT_SECTORS,		/* SIZE with K/M/G suffix -> sectors, u32 */
	TS_OPT_KIBS,		/* RATE with K/M/G suffix -> KiB/s, u32 */
	TS_OPT_IOERR,		/* on-io-error policy, u32 */
	TS_OPT_ASB0,		/* after-sb-0pri policy, u32 */
	TS_OPT_ASB1,		/* after-sb-1pri policy, u32 */
	TS_OPT_ASB2,		/* after-sb-2pri policy, u32 */
	TS_OPT_MINOR,		/* a minor, or -1/none: TANDEM_NO_MINOR */
};

enum ts_optgroup {
	TS_GRP_NET,		/* TANDEM_A_NET_OPTS */
	TS_GRP_DISK,		/* TANDEM_A_DISK_OPTS */
	TS_GRP_RES,		/* TANDEM_A_RES_OPTS */
	TS_GRP_COUNT,
};

/* Attribute numbers of every group stay below this. */
#define TS_OPT_SLOTS	32
#define TS_OPT_STRMAX	(TANDEM_ALG_NAME_MAX + 1)

struct ts_optdef {
	const char *name;	/* option name without "--" */
	uint8_t group;		/* enum ts_optgroup */
	uint8_t attr;		/* attribute number inside the nest */
	uint8_t kind;		/* enum ts_optkind */
	uint8_t maxlen;		/* strings: room including the NUL */
	const char *unit;	/* for --help */
};

/* Values of one group of options; bit N of @have: attribute N given. */
struct ts_optset {
	uint32_t have;
	uint32_t u[TS_OPT_SLOTS];
	uint8_t len[TS_OPT_SLOTS];		/* strings/binary length */
	char s[TS_OPT_SLOTS][TS_OPT_STRMAX];	/* NUL-terminated strings */
};

/* The whole table, in the order --help and `show` list options. */
const struct ts_optdef *ts_optdefs(size_t *count);
/* By name (without "--"), or NULL. */
const struct ts_optdef *ts_optdef_find(const char *name);
/* The nest attribute (TANDEM_A_*_OPTS) of a group. */
int ts_optgroup_attr(unsigned int group);
const char *ts_optgroup_name(unsigned int group);

static inline bool ts_opt_has(const struct ts_optset *set,
			      const struct ts_optdef *d)
{
	return set->have & (1u << d->attr);
}

/*
 * Parse @value for option @d into @set. Booleans given without a value
 * (@value NULL) mean yes; every other kind needs a value.
 */
int ts_opt_parse(const struct ts_optdef *d, const char *value,
		 struct ts_optset *set, struct ts_err *e);

/* Value as written in a configuration file (strings quoted). */
char *ts_opt_format(const struct ts_optdef *d, const struct ts_optset *set,
		    char *buf, size_t len);

/* What --help shows after '=': "N", "yes|no", "A|B|C", "SIZE", ... */
const char *ts_opt_metavar(const struct ts_optdef *d);

/* Quote @s for a configuration file when it needs it (else as is). */
char *ts_config_quote(const char *s, char *buf, size_t len);

#endif
