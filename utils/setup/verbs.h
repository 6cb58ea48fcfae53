/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - the verbs, their arguments and options, and the
 * command-line parser that turns argv into a struct ts_request. Pure:
 * nothing here talks to the kernel.
 */
#ifndef TANDEM_SETUP_VERBS_H
#define TANDEM_SETUP_VERBS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "setup/options.h"
#include "setup/parse.h"

/* Exit codes (documented in --help and docs/TANDEMSETUP.md). */
enum {
	TS_EXIT_OK = 0,
	TS_EXIT_REFUSED = 10,	/* the kernel refused; its message printed */
	TS_EXIT_NOT_FOUND = 11,	/* no such object (ENOENT, ENODEV) */
	TS_EXIT_USAGE = 20,	/* bad command line; nothing was sent */
	TS_EXIT_NETLINK = 30,	/* module not loaded, netlink failure */
};

/* Positional arguments. */
enum ts_arg {
	TS_ARG_RES = 1,
	TS_ARG_NODE_ID,
	TS_ARG_PEER_NODE_ID,
	TS_ARG_MINOR,
	TS_ARG_VOLUME,
	TS_ARG_BACKING_DEV,
	TS_ARG_META_DEV,
	TS_ARG_META_INDEX,
	TS_ARG_LOCAL_ADDR,
	TS_ARG_PEER_ADDR,
	TS_ARG_RATE,
	TS_ARG_START,
};

/* Which options a verb takes. */
enum {
	TS_O_NET = 1 << 0,
	TS_O_DISK = 1 << 1,
	TS_O_RES = 1 << 2,
	TS_O_FORCE = 1 << 3,
	TS_O_DISCARD = 1 << 4,
	TS_O_JSON = 1 << 5,
	TS_O_VERBOSE = 1 << 6,
	TS_O_NOW = 1 << 7,
	TS_O_SIZE = 1 << 8,	/* --size=SIZE (resize) */
};

/* What the verb does once parsed. */
enum ts_action {
	TS_ACT_REQUEST,		/* one request, ack checked */
	TS_ACT_STATUS,
	TS_ACT_SHOW,
	TS_ACT_EVENTS,
};

#define TS_MAX_ARGS 4

struct ts_verb {
	const char *name;
	uint8_t cmd;			/* enum tandem_cmd */
	uint8_t action;			/* enum ts_action */
	uint8_t nargs;			/* required positional arguments */
	uint8_t nopt;			/* optional ones after those */
	uint8_t args[TS_MAX_ARGS];	/* enum ts_arg */
	uint16_t opts;			/* TS_O_* */
	const char *summary;
};

struct ts_request {
	const struct ts_verb *verb;
	bool help;			/* VERB --help */
	bool have_resource;		/* status/show/events RES given */
	char resource[TANDEM_RESOURCE_NAME_MAX];
	uint32_t node_id;
	uint32_t peer_node_id;
	uint32_t minor;
	uint32_t volume;
	uint64_t start_sector;		/* verify START */
	char backing_dev[TANDEM_PATH_MAX];
	char meta_dev[TANDEM_PATH_MAX];
	int32_t meta_index;
	struct ts_addr local_addr;
	struct ts_addr peer_addr;
	struct ts_optset opts[TS_GRP_COUNT];
	bool force;
	bool discard_my_data;
	bool json;
	bool verbose;
	bool now;
	bool have_size;
	uint64_t size_sect;		/* --size, in sectors */
};

const struct ts_verb *ts_verbs(size_t *count);
const struct ts_verb *ts_verb_find(const char *name);

/*
 * Parse the words after the verb name (argv[0] is the first argument,
 * not the verb). Options may come before, between or after positional
 * arguments, as --name=value or --name value ("--" ends options).
 * Returns 0 (req->help set for --help), or -1 with a message in @e.
 */
int ts_parse_request(const struct ts_verb *verb, int argc, char **argv,
		     struct ts_request *req, struct ts_err *e);

/* Text of `tandemsetup --help` and of `tandemsetup VERB --help`. */
void ts_print_usage(FILE *out);
void ts_print_verb_usage(FILE *out, const struct ts_verb *verb);
/* "new-minor RES MINOR VOLUME [options]" */
void ts_print_synopsis(FILE *out, const struct ts_verb *verb);

#endif
