// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - low-level control of the tandem kernel module: one
 * generic netlink request per verb. Parsing lives in setup/verbs.c,
 * setup/options.c and setup/parse.c, message building in setup/msg.c,
 * output in setup/format.c; this file only ties them together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/uapi/tandem_version.h"
#include "setup/format.h"
#include "setup/msg.h"
#include "setup/nl.h"
#include "setup/objparse.h"
#include "setup/verbs.h"

static const char *verb_name = "tandemsetup";

static int report(int code, const struct ts_err *e)
{
	if (code != TS_EXIT_OK)
		fprintf(stderr, "tandemsetup: %s: %s\n", verb_name, e->msg);
	return code;
}

static int do_request(const struct ts_request *req)
{
	struct ts_nl nl;
	struct ts_err e;
	struct nl_msg *msg;
	int code;

	code = ts_nl_open(&nl, &e);
	if (code)
		return report(code, &e);
	msg = ts_build_request(req, nl.family);
	if (!msg) {
		ts_nl_close(&nl);
		ts_fail(&e, "out of memory building the request");
		return report(TS_EXIT_NETLINK, &e);
	}
	code = ts_nl_request(&nl, msg, &e);
	ts_nl_close(&nl);
	if (code == TS_EXIT_OK && e.msg[0])
		printf("%s: %s\n", verb_name, e.msg);
	return report(code, &e);
}

/* Objects of a status dump. */
struct collect {
	struct ts_obj *objs;
	size_t n, cap;
};

static int collect_one(const struct nlmsghdr *nlh, void *arg)
{
	struct collect *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct ts_obj *p = realloc(c->objs, cap * sizeof(*p));

		if (!p)
			return -1;
		c->objs = p;
		c->cap = cap;
	}
	if (ts_obj_parse(nlh, &c->objs[c->n]) == 0)
		c->n++;
	return 0;
}

static int dump_status(struct ts_nl *nl, const struct ts_request *req,
		       ts_nl_fn fn, void *arg, struct ts_err *e)
{
	struct nl_msg *msg = ts_build_request(req, nl->family);

	if (!msg)
		return ts_fail(e, "out of memory building the request"),
		       TS_EXIT_NETLINK;
	return ts_nl_dump(nl, msg, fn, arg, e);
}

static int do_status(const struct ts_request *req)
{
	const char *filter = req->have_resource ? req->resource : NULL;
	struct collect c = { NULL, 0, 0 };
	struct ts_nl nl;
	struct ts_err e;
	size_t shown;
	int code;

	code = ts_nl_open(&nl, &e);
	if (code)
		return report(code, &e);
	code = dump_status(&nl, req, collect_one, &c, &e);
	ts_nl_close(&nl);
	if (code) {
		free(c.objs);
		return report(code, &e);
	}
	if (req->verb->action == TS_ACT_SHOW)
		shown = ts_print_show(stdout, c.objs, c.n, filter);
	else if (req->json)
		shown = ts_print_status_json(stdout, c.objs, c.n, filter);
	else
		shown = ts_print_status(stdout, c.objs, c.n, filter, req->verbose);
	free(c.objs);
	if (filter && !shown) {
		ts_fail(&e, "%s: no such resource", filter);
		return report(TS_EXIT_NOT_FOUND, &e);
	}
	return TS_EXIT_OK;
}

struct event_filter {
	const char *resource;	/* NULL: all */
	bool initial;
};

static int print_event(const struct nlmsghdr *nlh, void *arg)
{
	struct event_filter *f = arg;
	struct ts_obj o;

	if (!f->initial) {
		const struct genlmsghdr *g = nlmsg_data(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g) ||
		    g->cmd != TANDEM_CMD_EVENT)
			return 0;
	}
	if (ts_obj_parse(nlh, &o))
		return 0;
	if (f->resource && strcmp(o.resource, f->resource))
		return 0;
	ts_print_event(stdout, &o, f->initial);
	fflush(stdout);
	return 0;
}

static int do_events(const struct ts_request *req)
{
	struct event_filter f = {
		req->have_resource ? req->resource : NULL, true
	};
	struct ts_nl ev, dump;
	struct ts_err e;
	int code;

	/* join the group first, so that no change falls between the two */
	code = ts_nl_open(&ev, &e);
	if (!code)
		code = ts_nl_subscribe(&ev, TANDEM_GENL_MCGRP_EVENTS, &e);
	if (code) {
		ts_nl_close(&ev);
		return report(code, &e);
	}
	code = ts_nl_open(&dump, &e);
	if (!code)
		code = dump_status(&dump, req, print_event, &f, &e);
	ts_nl_close(&dump);
	if (code) {
		ts_nl_close(&ev);
		return report(code, &e);
	}
	printf("exists -\n");
	fflush(stdout);
	if (req->now) {
		ts_nl_close(&ev);
		return TS_EXIT_OK;
	}
	f.initial = false;
	code = ts_nl_listen(&ev, print_event, &f, &e);
	ts_nl_close(&ev);
	return report(code, &e);
}

int main(int argc, char **argv)
{
	static struct ts_request req;
	const struct ts_verb *verb;
	struct ts_err e;

	if (argc < 2) {
		ts_print_usage(stderr);
		return TS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2 && (verb = ts_verb_find(argv[2]))) {
			ts_print_verb_usage(stdout, verb);
			return TS_EXIT_OK;
		}
		ts_print_usage(stdout);
		return TS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("TANDEMSETUP_VERSION=%s\n", TANDEM_VERSION);
		printf("TANDEMSETUP_API_VERSION=%u\n", TANDEM_GENL_API_VERSION);
		return TS_EXIT_OK;
	}
	verb = ts_verb_find(argv[1]);
	if (!verb) {
		fprintf(stderr, "tandemsetup: unknown verb '%s' "
			"(tandemsetup --help lists them)\n", argv[1]);
		return TS_EXIT_USAGE;
	}
	verb_name = verb->name;
	if (ts_parse_request(verb, argc - 2, argv + 2, &req, &e)) {
		fprintf(stderr, "tandemsetup: %s: %s\nusage: tandemsetup ",
			verb->name, e.msg);
		ts_print_synopsis(stderr, verb);
		fprintf(stderr, "\n(tandemsetup %s --help for details)\n",
			verb->name);
		return TS_EXIT_USAGE;
	}
	if (req.help) {
		ts_print_verb_usage(stdout, verb);
		return TS_EXIT_OK;
	}
	switch (verb->action) {
	case TS_ACT_STATUS:
	case TS_ACT_SHOW:
		return do_status(&req);
	case TS_ACT_EVENTS:
		return do_events(&req);
	default:
		return do_request(&req);
	}
}
