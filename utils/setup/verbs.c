// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - verb table and command-line parser.
 */
#include <string.h>
#include <sys/socket.h>

#include "kernel/uapi/tandem_genl.h"
#include "setup/verbs.h"

#define A(x) TS_ARG_##x
#define REQ(n, c, na, no, o, s, ...) \
	{ n, TANDEM_CMD_##c, TS_ACT_REQUEST, na, no, { __VA_ARGS__ }, o, s }

static const struct ts_verb verbs[] = {
	REQ("new-resource", NEW_RESOURCE, 2, 0, TS_O_RES,
	    "create resource RES; this node is NODE_ID in it",
	    A(RES), A(NODE_ID)),
	REQ("resource-options", RES_OPTS, 1, 0, TS_O_RES,
	    "change the options of resource RES", A(RES)),
	REQ("del-resource", DEL_RESOURCE, 1, 0, 0,
	    "delete resource RES (it must have no minors and no connections)",
	    A(RES)),
	REQ("new-minor", NEW_MINOR, 3, 0, 0,
	    "create /dev/tandemMINOR as volume VOLUME of resource RES",
	    A(RES), A(MINOR), A(VOLUME)),
	REQ("del-minor", DEL_MINOR, 1, 0, 0,
	    "delete /dev/tandemMINOR (it must be detached)", A(MINOR)),
	REQ("attach", ATTACH, 4, 0, TS_O_DISK,
	    "attach a backing device and its meta data to MINOR",
	    A(MINOR), A(BACKING_DEV), A(META_DEV), A(META_INDEX)),
	REQ("detach", DETACH, 1, 0, 0,
	    "detach the backing device of MINOR (it becomes Diskless)",
	    A(MINOR)),
	REQ("disk-options", DISK_OPTS, 1, 0, TS_O_DISK,
	    "change the disk options of MINOR", A(MINOR)),
	REQ("resync-rate", DISK_OPTS, 2, 0, 0,
	    "set a fixed resync rate for MINOR (same as disk-options "
	    "--resync-rate=RATE --c-plan-ahead=0)", A(MINOR), A(RATE)),
	REQ("connect", CONNECT, 4, 0, TS_O_NET | TS_O_DISCARD,
	    "connect resource RES to peer PEER_NODE_ID",
	    A(RES), A(PEER_NODE_ID), A(LOCAL_ADDR), A(PEER_ADDR)),
	REQ("disconnect", DISCONNECT, 2, 0, 0,
	    "disconnect resource RES from peer PEER_NODE_ID",
	    A(RES), A(PEER_NODE_ID)),
	REQ("net-options", NET_OPTS, 2, 0, TS_O_NET,
	    "change the net options of a connection (online)",
	    A(RES), A(PEER_NODE_ID)),
	REQ("primary", PRIMARY, 1, 0, TS_O_FORCE,
	    "make RES Primary (--force: even without UpToDate data)", A(RES)),
	REQ("secondary", SECONDARY, 1, 0, 0, "make RES Secondary", A(RES)),
	REQ("invalidate", INVALIDATE, 1, 0, 0,
	    "discard the local data of MINOR: full resync from a peer "
	    "(SyncTarget)", A(MINOR)),
	REQ("invalidate-remote", INVALIDATE_REMOTE, 1, 0, 0,
	    "full resync of the peers' data from MINOR (SyncSource)",
	    A(MINOR)),
	REQ("pause-sync", PAUSE_SYNC, 2, 0, 0,
	    "pause the resync of MINOR with peer PEER_NODE_ID",
	    A(MINOR), A(PEER_NODE_ID)),
	REQ("resume-sync", RESUME_SYNC, 2, 0, 0,
	    "resume a paused resync", A(MINOR), A(PEER_NODE_ID)),
	REQ("verify", VERIFY, 2, 1, 0,
	    "online verify of MINOR against peer PEER_NODE_ID, from sector "
	    "START (default 0); blocks that differ are marked out of sync",
	    A(MINOR), A(PEER_NODE_ID), A(START)),
	REQ("outdate", OUTDATE, 1, 0, 0,
	    "mark the data of MINOR Outdated", A(MINOR)),
	REQ("resize", RESIZE, 1, 0, TS_O_SIZE,
	    "grow MINOR after the backing devices of both nodes grew "
	    "(connected); the added range is resynced to the peer",
	    A(MINOR)),
	REQ("down", DOWN, 1, 0, 0,
	    "disconnect, detach and delete the minors of RES, then RES",
	    A(RES)),
	{ "status", TANDEM_CMD_GET_STATUS, TS_ACT_STATUS, 0, 1, { A(RES) },
	  TS_O_JSON | TS_O_VERBOSE,
	  "show the state of every resource (or of RES)" },
	{ "show", TANDEM_CMD_GET_STATUS, TS_ACT_SHOW, 0, 1, { A(RES) }, 0,
	  "print the running configuration in configuration-file syntax" },
	{ "events", TANDEM_CMD_GET_STATUS, TS_ACT_EVENTS, 0, 1, { A(RES) },
	  TS_O_NOW,
	  "print the current state, then one line per state change" },
};

static const char * const arg_names[] = {
	[A(RES)] = "RES",
	[A(NODE_ID)] = "NODE_ID",
	[A(PEER_NODE_ID)] = "PEER_NODE_ID",
	[A(MINOR)] = "MINOR",
	[A(VOLUME)] = "VOLUME",
	[A(BACKING_DEV)] = "BACKING_DEV",
	[A(META_DEV)] = "META_DEV",
	[A(META_INDEX)] = "META_INDEX",
	[A(LOCAL_ADDR)] = "LOCAL_ADDR",
	[A(PEER_ADDR)] = "PEER_ADDR",
	[A(RATE)] = "RATE",
	[A(START)] = "START",
};

/* Options that are no nested attribute. */
static const struct {
	const char *name;
	uint16_t bit;
	const char *help;
} flags[] = {
	{ "force", TS_O_FORCE,
	  "become Primary even without UpToDate data (DANGEROUS)" },
	{ "discard-my-data", TS_O_DISCARD,
	  "after a split brain, be the one whose changes are discarded" },
	{ "json", TS_O_JSON, "print JSON instead of text" },
	{ "verbose", TS_O_VERBOSE,
	  "also print statistics, addresses and the backing device" },
	{ "now", TS_O_NOW, "print the current state and exit" },
};

const struct ts_verb *ts_verbs(size_t *count)
{
	*count = sizeof(verbs) / sizeof(verbs[0]);
	return verbs;
}

const struct ts_verb *ts_verb_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static unsigned int group_opt_bit(unsigned int group)
{
	switch (group) {
	case TS_GRP_NET:
		return TS_O_NET;
	case TS_GRP_DISK:
		return TS_O_DISK;
	default:
		return TS_O_RES;
	}
}

static bool *flag_field(struct ts_request *req, uint16_t bit)
{
	switch (bit) {
	case TS_O_FORCE:
		return &req->force;
	case TS_O_DISCARD:
		return &req->discard_my_data;
	case TS_O_JSON:
		return &req->json;
	case TS_O_VERBOSE:
		return &req->verbose;
	default:
		return &req->now;
	}
}

/* One "--name[=value]" word; may consume the next word as its value. */
static int parse_option(const struct ts_verb *verb, int argc, char **argv,
			int *i, struct ts_request *req, struct ts_err *e)
{
	const char *word = argv[*i];
	const char *eq = strchr(word, '=');
	const struct ts_optdef *d;
	char name[48];
	const char *value = eq ? eq + 1 : NULL;
	size_t n = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
	size_t k;

	if (n >= sizeof(name))
		return ts_fail(e, "unknown option '%s'", word);
	memcpy(name, word + 2, n);
	name[n] = '\0';

	if (!strcmp(name, "size")) {
		if (!(verb->opts & TS_O_SIZE))
			return ts_fail(e, "option '--size' does not apply to %s",
				       verb->name);
		if (!value) {
			if (*i + 1 >= argc)
				return ts_fail(e, "--size: missing value");
			value = argv[++*i];
		}
		req->have_size = true;
		return ts_parse_size64("--size", value, &req->size_sect, e);
	}
	for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		char what[sizeof(name) + 2];

		if (strcmp(flags[k].name, name))
			continue;
		if (!(verb->opts & flags[k].bit))
			return ts_fail(e, "option '--%s' does not apply to %s",
				       name, verb->name);
		*flag_field(req, flags[k].bit) = true;
		snprintf(what, sizeof(what), "--%s", name);
		if (value && ts_parse_yesno(what, value,
					    flag_field(req, flags[k].bit), e))
			return -1;
		return 0;
	}

	d = ts_optdef_find(name);
	if (!d)
		return ts_fail(e, "unknown option '--%s'", name);
	if (!(verb->opts & group_opt_bit(d->group)))
		return ts_fail(e, "option '--%s' does not apply to %s", name,
			       verb->name);
	if (!value && d->kind != TS_OPT_BOOL) {
		if (*i + 1 >= argc)
			return ts_fail(e, "--%s: missing value", name);
		value = argv[++*i];
	}
	return ts_opt_parse(d, value, &req->opts[d->group], e);
}

static int parse_arg(enum ts_arg kind, const char *s, struct ts_request *req,
		     struct ts_err *e)
{
	const char *what = arg_names[kind];
	uint32_t rate;

	switch (kind) {
	case A(RES):
		req->have_resource = true;
		return ts_parse_resource(what, s, req->resource, e);
	case A(NODE_ID):
		return ts_parse_node_id(what, s, &req->node_id, e);
	case A(PEER_NODE_ID):
		return ts_parse_node_id(what, s, &req->peer_node_id, e);
	case A(MINOR):
		return ts_parse_minor(what, s, &req->minor, e);
	case A(VOLUME):
		return ts_parse_u32(what, s, &req->volume, e);
	case A(BACKING_DEV):
		return ts_parse_path(what, s, req->backing_dev, e);
	case A(META_DEV):
	case A(META_INDEX):
		return 0;	/* together, once both are known */
	case A(LOCAL_ADDR):
		return ts_parse_addr(what, s, &req->local_addr, e);
	case A(PEER_ADDR):
		return ts_parse_addr(what, s, &req->peer_addr, e);
	case A(START):
		return ts_parse_uint(what, s, 0, UINT64_MAX >> 9,
				     &req->start_sector, e);
	case A(RATE):
		if (ts_parse_scaled(what, s, 1024, &rate, e))
			return -1;
		/* A fixed rate: the dynamic controller off. */
		req->opts[TS_GRP_DISK].u[TANDEM_DISK_RESYNC_RATE] = rate;
		req->opts[TS_GRP_DISK].u[TANDEM_DISK_C_PLAN_AHEAD] = 0;
		req->opts[TS_GRP_DISK].have |= 1u << TANDEM_DISK_RESYNC_RATE |
					       1u << TANDEM_DISK_C_PLAN_AHEAD;
		return 0;
	}
	return ts_fail(e, "internal error: argument kind %d", kind);
}

int ts_parse_request(const struct ts_verb *verb, int argc, char **argv,
		     struct ts_request *req, struct ts_err *e)
{
	const char *pos[TS_MAX_ARGS] = { NULL };
	const char *meta_dev = NULL, *meta_index = NULL;
	bool options_done = false;
	int i, npos = 0;

	memset(req, 0, sizeof(*req));
	req->verb = verb;
	req->meta_index = -1;

	/* --help wins over anything else on the line */
	for (i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			req->help = true;
			return 0;
		}

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (!options_done && !strcmp(w, "--")) {
			options_done = true;
			continue;
		}
		if (!options_done && w[0] == '-' && w[1] == '-') {
			if (parse_option(verb, argc, argv, &i, req, e))
				return -1;
			continue;
		}
		/* "-1" is a (bad) number for its argument to complain about */
		if (!options_done && w[0] == '-' && w[1] &&
		    !(w[1] >= '0' && w[1] <= '9'))
			return ts_fail(e, "unknown option '%s'", w);
		if (npos >= verb->nargs + verb->nopt)
			return ts_fail(e, "unexpected argument '%s'", w);
		pos[npos++] = w;
	}
	if (npos < verb->nargs)
		return ts_fail(e, "missing argument %s",
			       arg_names[verb->args[npos]]);

	for (i = 0; i < npos; i++) {
		enum ts_arg kind = verb->args[i];

		if (kind == A(META_DEV))
			meta_dev = pos[i];
		if (kind == A(META_INDEX))
			meta_index = pos[i];
		if (parse_arg(kind, pos[i], req, e))
			return -1;
	}
	if (meta_dev && ts_parse_meta(meta_dev, meta_index, req->meta_dev,
				      &req->meta_index, e))
		return -1;
	if (req->local_addr.len && req->peer_addr.len &&
	    req->local_addr.ss.ss_family != req->peer_addr.ss.ss_family)
		return ts_fail(e, "LOCAL_ADDR and PEER_ADDR are of different "
			       "address families (IPv4 and IPv6)");
	return 0;
}

void ts_print_synopsis(FILE *out, const struct ts_verb *verb)
{
	unsigned int i;

	fprintf(out, "%s", verb->name);
	for (i = 0; i < verb->nargs; i++)
		fprintf(out, " %s", arg_names[verb->args[i]]);
	for (; i < (unsigned int)verb->nargs + verb->nopt; i++)
		fprintf(out, " [%s]", arg_names[verb->args[i]]);
	if (verb->opts & TS_O_NET)
		fprintf(out, " [net options]");
	if (verb->opts & TS_O_DISK)
		fprintf(out, " [disk options]");
	if (verb->opts & TS_O_RES)
		fprintf(out, " [--auto-promote=yes|no]");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (verb->opts & flags[i].bit)
			fprintf(out, " [--%s]", flags[i].name);
	if (verb->opts & TS_O_SIZE)
		fprintf(out, " [--size=SIZE]");
}

static void print_group(FILE *out, unsigned int group)
{
	const struct ts_optdef *d;
	size_t i, n;

	d = ts_optdefs(&n);
	for (i = 0; i < n; i++) {
		char left[64];

		if (d[i].group != group)
			continue;
		snprintf(left, sizeof(left), "--%s=%s", d[i].name,
			 ts_opt_metavar(&d[i]));
		if (strlen(left) > 26)
			fprintf(out, "  %s\n  %-26s %s\n", left, "", d[i].unit);
		else
			fprintf(out, "  %-26s %s\n", left, d[i].unit);
	}
}

static const char size_help[] =
	"resize to SIZE (not more than both disks allow) instead of as\n"
	"                             large as possible; shrinking is refused";

static const char exit_text[] =
	"Exit status:\n"
	"  0   success\n"
	"  10  the kernel refused the request (its message is printed)\n"
	"  11  no such object (ENOENT or ENODEV from the kernel; status/show\n"
	"      of an unknown RES)\n"
	"  20  usage error: bad, missing or unknown argument or option;\n"
	"      nothing was sent to the kernel\n"
	"  30  the tandem kernel module is not loaded (no generic netlink\n"
	"      family \"tandem\"), or netlink itself failed\n";

static const char arg_text[] =
	"Arguments:\n"
	"  RES                 resource name: 1 to 63 printable characters,\n"
	"                      no spaces, no '/', not starting with '-'\n"
	"  NODE_ID, PEER_NODE_ID  0 to 31\n"
	"  MINOR               0 to 1048575 (the device is /dev/tandemMINOR)\n"
	"  VOLUME              volume number inside the resource\n"
	"  BACKING_DEV         absolute path of a block device\n"
	"  META_DEV            'internal', or the absolute path of a block device\n"
	"  META_INDEX          'internal' (with META_DEV internal), 'flexible',\n"
	"                      or N for the N-th 128 MiB slot of META_DEV\n"
	"  LOCAL_ADDR, PEER_ADDR  192.0.2.1:7789  ipv4:192.0.2.1:7789\n"
	"                      [2001:db8::1]:7789  ipv6:[2001:db8::1]:7789\n"
	"                      numeric addresses only; port 1 to 65535\n"
	"  SIZE                number with optional K, M or G (x1024 bytes each);\n"
	"                      for resize --size: sectors, or K, M, G, T, and a\n"
	"                      multiple of 4 KiB\n"
	"  RATE                KiB/s; K, M, G mean KiB/s, MiB/s, GiB/s\n"
	"  START               a sector (512 bytes) of the data area\n"
	"Options are written --name=value or --name value; a yes|no option\n"
	"given without a value means yes.\n";

void ts_print_usage(FILE *out)
{
	const struct ts_verb *v;
	size_t i, n;

	fprintf(out,
		"usage: tandemsetup VERB ARGUMENTS [OPTIONS]\n"
		"       tandemsetup VERB --help\n"
		"       tandemsetup --help | --version\n"
		"\n"
		"Low-level control of the tandem kernel module over generic\n"
		"netlink, one request per verb, for scripts and tests\n"
		"(tandemadm is the tool that reads the configuration file).\n"
		"Every argument is checked before anything is sent.\n"
		"\n"
		"Verbs:\n");
	v = ts_verbs(&n);
	for (i = 0; i < n; i++) {
		fprintf(out, "  ");
		ts_print_synopsis(out, &v[i]);
		fprintf(out, "\n      %s\n", v[i].summary);
	}
	fprintf(out, "\nNet options (connect, net-options):\n");
	print_group(out, TS_GRP_NET);
	fprintf(out, "\nDisk options (attach, disk-options):\n");
	print_group(out, TS_GRP_DISK);
	fprintf(out, "\nResource options (new-resource, resource-options):\n");
	print_group(out, TS_GRP_RES);
	fprintf(out, "\nOther options:\n");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		fprintf(out, "  --%-24s %s\n", flags[i].name, flags[i].help);
	fprintf(out, "  --%-24s %s\n", "size=SIZE", size_help);
	fprintf(out, "\n%s\n%s", arg_text, exit_text);
	fprintf(out,
		"\nOutput of status, show and events (line formats that\n"
		"scripts may rely on): docs/TANDEMSETUP.md\n");
}

void ts_print_verb_usage(FILE *out, const struct ts_verb *verb)
{
	size_t i;

	fprintf(out, "usage: tandemsetup ");
	ts_print_synopsis(out, verb);
	fprintf(out, "\n\n%s.\n", verb->summary);
	if (verb->opts & TS_O_NET) {
		fprintf(out, "\nNet options:\n");
		print_group(out, TS_GRP_NET);
	}
	if (verb->opts & TS_O_DISK) {
		fprintf(out, "\nDisk options:\n");
		print_group(out, TS_GRP_DISK);
	}
	if (verb->opts & TS_O_RES) {
		fprintf(out, "\nResource options:\n");
		print_group(out, TS_GRP_RES);
	}
	if (verb->opts & (TS_O_FORCE | TS_O_DISCARD | TS_O_JSON |
			  TS_O_VERBOSE | TS_O_NOW | TS_O_SIZE))
		fprintf(out, "\nOptions:\n");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (verb->opts & flags[i].bit)
			fprintf(out, "  --%-24s %s\n", flags[i].name,
				flags[i].help);
	if (verb->opts & TS_O_SIZE)
		fprintf(out, "  --%-24s %s\n", "size=SIZE", size_help);
	fprintf(out, "\n%s\n%s", arg_text, exit_text);
}
