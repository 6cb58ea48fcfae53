// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for what tandemadm reads back from tandemsetup: the running
 * configuration of `tandemsetup show` (utils/adm/running.c), the JSON of
 * `tandemsetup status --json` (utils/adm/json.c, utils/adm/state.c:
 * cstate, dstate, role, wait-connect), and the plans of `adjust` built
 * from them (utils/adm/plan.c).
 *
 * The texts below have the formats of docs/TANDEMSETUP.md (and of
 * utils/setup/format.c, which prints them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/conf.h"
#include "adm/json.h"
#include "adm/plan.h"
#include "adm/running.h"
#include "adm/state.h"

/* ---- fixtures ---------------------------------------------------------- */

/* The configuration: node alpha (0) and bravo (1), one volume. */
static const char *const conf_text =
	"resource r0 {\n"
	"  net { protocol C; }\n"
	"  disk { resync-rate 10M; }\n"
	"  on alpha { device minor 0; disk /dev/vdb; meta-disk internal; "
	"address 192.0.2.1:7789; }\n"
	"  on bravo { device minor 0; disk /dev/vdb; meta-disk internal; "
	"address 192.0.2.2:7789; }\n"
	"}\n";

/* What `tandemsetup show r0` prints on alpha after `up` with conf_text:
 * printf arguments: protocol, resync-rate, peer address, disk line. */
static const char *const show_fmt =
	"resource r0 {\n"
	"    node-id 0;\n"
	"    options {\n"
	"        auto-promote no;\n"
	"    }\n"
	"    volume 0 {\n"
	"        device minor 0;\n"
	"        %s\n"
	"        meta-disk internal;\n"
	"        disk {\n"
	"            resync-rate %s;\n"
	"            c-plan-ahead 20;\n"
	"            c-fill-target 100;\n"
	"            c-delay-target 10;\n"
	"            c-max-rate 102400;\n"
	"            c-min-rate 250;\n"
	"            al-extents 1237;\n"
	"            on-io-error detach;\n"
	"            disk-barrier no;\n"
	"            disk-flushes yes;\n"
	"            md-flushes yes;\n"
	"            resync-after -1;\n"
	"        }\n"
	"    }\n"
	"    connection {\n"
	"        peer-node-id 1;\n"
	"        local-address ipv4 192.0.2.1:7789;\n"
	"        peer-address ipv4 %s;\n"
	"        net {\n"
	"            protocol %s;\n"
	"            transport tcp;\n"
	"            allow-two-primaries no;\n"
	"            cram-hmac-alg \"\";\n"
	"            data-integrity-alg \"\";\n"
	"            timeout 60;\n"
	"            connect-int 10;\n"
	"            ping-int 10;\n"
	"            ping-timeout 5;\n"
	"            ko-count 7;\n"
	"            sndbuf-size 0;\n"
	"            rcvbuf-size 0;\n"
	"            max-buffers 2048;\n"
	"            max-epoch-size 2048;\n"
	"            after-sb-0pri disconnect;\n"
	"            after-sb-1pri disconnect;\n"
	"            after-sb-2pri disconnect;\n"
	"        }\n"
	"    }\n"
	"}\n";

static char *show_text(const char *disk, const char *rate,
		       const char *peer, const char *proto)
{
	char *s;

	assert_true(asprintf(&s, show_fmt, disk, rate, peer, proto) > 0);
	return s;
}

static const char *const status_fmt =
	"[\n"
	"  {\n"
	"    \"name\": \"r0\",\n"
	"    \"node-id\": 0,\n"
	"    \"role\": \"%s\",\n"
	"    \"devices\": [\n"
	"      {\n"
	"        \"minor\": 0,\n"
	"        \"volume\": 0,\n"
	"        \"disk\": \"UpToDate\",\n"
	"        \"size\": 1048576,\n"
	"        \"backing-dev\": \"/dev/vdb\"\n"
	"      }\n"
	"    ],\n"
	"    \"connections\": [\n"
	"      {\n"
	"        \"peer-node-id\": 1,\n"
	"        \"connection\": \"%s\",\n"
	"        \"role\": \"Secondary\",\n"
	"        \"protocol\": \"C\",\n"
	"        \"transport\": \"tcp\",\n"
	"        \"last-error\": \"peer said \\\"no\\\"\\n\",\n"
	"        \"peer-devices\": [\n"
	"          {\n"
	"            \"minor\": 0,\n"
	"            \"peer-node-id\": 1,\n"
	"            \"volume\": 0,\n"
	"            \"replication\": \"%s\",\n"
	"            \"peer-disk\": \"Inconsistent\",\n"
	"            \"done\": 45.1,\n"
	"            \"out-of-sync\": 549\n"
	"          }\n"
	"        ]\n"
	"      }\n"
	"    ]\n"
	"  }\n"
	"]\n";

static struct json *status_json(const char *role, const char *cs,
				const char *repl)
{
	char *s, err[128];
	struct json *j;

	assert_true(asprintf(&s, status_fmt, role, cs, repl) > 0);
	j = json_parse(s, strlen(s), err, sizeof(err));
	if (!j)
		fprintf(stderr, "%s\n", err);
	assert_non_null(j);
	free(s);
	return j;
}

struct env {
	struct conf *c;
	struct adm_res ar;
};

static void env_init(struct env *e, const char *text, const char *host)
{
	char err[256];

	assert_int_equal(conf_parse_buffer("t.conf", text, strlen(text), 0,
					   &e->c), 0);
	assert_int_equal(adm_res_init(&e->ar, e->c->res[0], host, err,
				      sizeof(err)), 0);
}

static void env_free(struct env *e)
{
	adm_res_free(&e->ar);
	conf_free(e->c);
}

/* The adjust plan for show output @show (NULL: not running) and status
 * @st; also the error code. */
static char *adjust(struct env *e, const char *show, const struct json *st,
		    int *code)
{
	struct run_conf *rc = NULL;
	struct adm_plan p = { 0 };
	char err[256], *buf = NULL;
	size_t len;
	FILE *f;

	if (show) {
		if (run_parse(show, strlen(show), &rc, err, sizeof(err)))
			fprintf(stderr, "%s\n", err);
		assert_non_null(rc);
	}
	adm_plan_adjust(&p, &e->ar, rc ? run_find(rc, "r0") : NULL,
			st ? adm_state_resource(st, "r0") : NULL);
	f = open_memstream(&buf, &len);
	adm_plan_print(f, &p);
	if (p.error)
		fprintf(f, "ERROR %s\n", p.error);
	fclose(f);
	*code = p.error ? p.error_code : 0;
	adm_plan_free(&p);
	run_free(rc);
	return buf;
}

static void expect_adjust(struct env *e, const char *show,
			  const struct json *st, const char *want)
{
	int code;
	char *got = adjust(e, show, st, &code);

	assert_int_equal(code, 0);
	assert_string_equal(got, want);
	free(got);
}

/* ---- show reader ------------------------------------------------------- */

static void show_is_read(void **state)
{
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.2:7789", "C");
	const struct run_res *r;
	struct run_conf *rc;
	char err[128];

	(void)state;
	assert_int_equal(run_parse(s, strlen(s), &rc, err, sizeof(err)), 0);
	assert_int_equal(rc->nres, 1);
	r = run_find(rc, "r0");
	assert_non_null(r);
	assert_null(run_find(rc, "r1"));
	assert_int_equal(r->node_id, 0);
	assert_string_equal(run_opt(&r->options, "auto-promote"), "no");
	assert_int_equal(r->nvols, 1);
	assert_int_equal(r->vols[0].number, 0);
	assert_int_equal(r->vols[0].minor, 0);
	assert_string_equal(r->vols[0].disk, "/dev/vdb");
	assert_int_equal(r->vols[0].md, CONF_MD_INTERNAL);
	assert_string_equal(run_opt(&r->vols[0].disk_opts, "resync-rate"),
			    "10240");
	assert_int_equal(r->nconns, 1);
	assert_int_equal(r->conns[0].peer_node_id, 1);
	assert_string_equal(r->conns[0].local_addr, "192.0.2.1:7789");
	assert_string_equal(r->conns[0].peer_addr, "192.0.2.2:7789");
	assert_string_equal(run_opt(&r->conns[0].net, "cram-hmac-alg"), "");
	assert_string_equal(run_opt(&r->conns[0].net, "protocol"), "C");
	run_free(rc);
	free(s);
}

static void show_forms(void **state)
{
	static const char *const text =
		"resource \"a b\" {\n"
		"    volume 3 {\n"
		"        device minor 7;\n"
		"        disk none;\n"
		"        meta-disk /dev/m[2];\n"
		"    }\n"
		"    volume 4 {\n"
		"        meta-disk \"/dev/with space\";\n"
		"    }\n"
		"    connection {\n"
		"        peer-node-id 2;\n"
		"        peer-address ipv6 [2001:db8::1]:7789;\n"
		"    }\n"
		"}\n"
		"\n"
		"resource r1 {\n"
		"}\n";
	const struct run_res *r;
	struct run_conf *rc;
	char err[128];

	(void)state;
	assert_int_equal(run_parse(text, strlen(text), &rc, err, sizeof(err)),
			 0);
	assert_int_equal(rc->nres, 2);
	r = run_find(rc, "a b");
	assert_non_null(r);
	assert_int_equal(r->node_id, -1);
	assert_int_equal(r->vols[0].number, 3);
	assert_int_equal(r->vols[0].minor, 7);
	assert_string_equal(r->vols[0].disk, "none");
	assert_int_equal(r->vols[0].md, CONF_MD_INDEXED);
	assert_string_equal(r->vols[0].md_path, "/dev/m");
	assert_int_equal(r->vols[0].md_index, 2);
	assert_int_equal(r->vols[1].minor, -1);
	assert_int_equal(r->vols[1].md, CONF_MD_FLEXIBLE);
	assert_string_equal(r->vols[1].md_path, "/dev/with space");
	assert_null(r->conns[0].local_addr);
	assert_string_equal(r->conns[0].peer_addr, "[2001:db8::1]:7789");
	assert_non_null(run_find(rc, "r1"));
	run_free(rc);
	/* nothing running */
	assert_int_equal(run_parse("", 0, &rc, err, sizeof(err)), 0);
	assert_int_equal(rc->nres, 0);
	run_free(rc);
}

static void show_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "resource r0 {\n  node-id 0;\n  bogus 1;\n}\n",
		  "line 3: 'bogus' not understood in resource 'r0'" },
		{ "resource r0 {\n  node-id 0\n}\n",
		  "line 3: missing ';' after '0'" },
		{ "resource r0 {\n  volume 0 {\n", "line 3: missing '}'" },
		{ "resource r0 { volume x { } }", "line 1: 'volume': 'x' is "
		  "not a number" },
		{ "resource r0 { connection { } }", "line 1: connection "
		  "without peer-node-id" },
		{ "resource r0 { connection { peer-node-id 1; local-address "
		  "ipx 1:2; } }", "line 1: local-address: unknown address "
		  "family 'ipx'" },
		{ "resource r0 { volume 0 { disk { a; } } }", "line 1: 'a' "
		  "in 'disk': expected 'NAME VALUE;'" },
		{ "resource r0 { }\nresource r0 { }", "line 2: resource 'r0' "
		  "given twice" },
		{ "global { }", "line 1: 'global' not understood (expected "
		  "'resource NAME {')" },
		{ "}", "line 1: '}' without '{'" },
		{ "resource \"r0 { }", "line 1: unterminated string" },
	};
	struct run_conf *rc;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run_parse(cases[i].text, strlen(cases[i].text),
					   &rc, err, sizeof(err)), -1);
		assert_null(rc);
		assert_string_equal(err, cases[i].err);
	}
}

/* ---- adjust ------------------------------------------------------------- */

static void adjust_not_running_is_up(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	expect_adjust(&e, NULL, NULL,
		"tandemsetup new-resource r0 0\n"
		"tandemsetup new-minor r0 0 0\n"
		"tandemsetup attach 0 /dev/vdb internal internal "
		"--resync-rate=10240\n"
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
		"--protocol=C\n");
	/* the resource is not in the show output at all */
	expect_adjust(&e, "resource other { }\n", NULL,
		"tandemsetup new-resource r0 0\n"
		"tandemsetup new-minor r0 0 0\n"
		"tandemsetup attach 0 /dev/vdb internal internal "
		"--resync-rate=10240\n"
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
		"--protocol=C\n");
	env_free(&e);
}

static void adjust_nothing_to_do(void **state)
{
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.2:7789", "C");
	struct json *st = status_json("Primary", "Connected", "Established");
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	expect_adjust(&e, s, st, "");
	expect_adjust(&e, s, NULL, "");
	env_free(&e);
	json_free(st);
	free(s);
}

static void adjust_protocol_online(void **state)
{
	/* seed 003: net-options --protocol=A, then adjust back to C */
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.2:7789", "A");
	struct json *st = status_json("Primary", "Connected", "Established");
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	expect_adjust(&e, s, st, "tandemsetup net-options r0 1 "
		      "--protocol=C\n");
	env_free(&e);
	/* a file that does not name the protocol means the default, C */
	env_init(&e,
		 "resource r0 {\n"
		 "  disk { resync-rate 10M; }\n"
		 "  on alpha { device minor 0; disk /dev/vdb; meta-disk "
		 "internal; address 192.0.2.1:7789; }\n"
		 "  on bravo { device minor 0; disk /dev/vdb; meta-disk "
		 "internal; address 192.0.2.2:7789; }\n}\n", "alpha");
	expect_adjust(&e, s, st, "tandemsetup net-options r0 1 "
		      "--protocol=C\n");
	env_free(&e);
	json_free(st);
	free(s);
}

static void adjust_transport_online(void **state)
{
	/* a new transport goes through net-options: the kernel reconnects */
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.2:7789", "C");
	struct json *st = status_json("Primary", "Connected", "Established");
	struct env e;

	(void)state;
	env_init(&e,
		 "resource r0 {\n"
		 "  net { protocol C; transport rdma; }\n"
		 "  disk { resync-rate 10M; }\n"
		 "  on alpha { device minor 0; disk /dev/vdb; meta-disk "
		 "internal; address 192.0.2.1:7789; }\n"
		 "  on bravo { device minor 0; disk /dev/vdb; meta-disk "
		 "internal; address 192.0.2.2:7789; }\n}\n", "alpha");
	expect_adjust(&e, s, st, "tandemsetup net-options r0 1 "
		      "--transport=rdma\n");
	env_free(&e);
	json_free(st);
	free(s);
}

static void adjust_disk_options_and_defaults(void **state)
{
	char *s = show_text("disk /dev/vdb;", "250", "192.0.2.2:7789", "C");
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	expect_adjust(&e, s, NULL, "tandemsetup disk-options 0 "
		      "--resync-rate=10240\n");
	env_free(&e);
	/* options the file leaves out go back to their defaults, auto-
	 * promote included */
	env_init(&e,
		 "resource r0 {\n"
		 "  options { auto-promote yes; }\n"
		 "  net { protocol C; }\n"
		 "  on alpha { device minor 0; disk /dev/vdb; meta-disk "
		 "internal; address 192.0.2.1:7789; }\n"
		 "  on bravo { device minor 0; disk /dev/vdb; meta-disk "
		 "internal; address 192.0.2.2:7789; }\n}\n", "alpha");
	free(s);
	s = show_text("disk /dev/vdb;", "10240", "192.0.2.2:7789", "C");
	expect_adjust(&e, s, NULL,
		      "tandemsetup resource-options r0 --auto-promote=yes\n"
		      "tandemsetup disk-options 0 --resync-rate=250\n");
	env_free(&e);
	free(s);
}

static void adjust_address_change(void **state)
{
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.9:7789", "C");
	struct json *st = status_json("Secondary", "Connecting", "Off");
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	expect_adjust(&e, s, st,
		"tandemsetup disconnect r0 1\n"
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
		"--protocol=C\n");
	json_free(st);
	/* already StandAlone: no disconnect first */
	st = status_json("Secondary", "StandAlone", "Off");
	expect_adjust(&e, s, st,
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
		"--protocol=C\n");
	env_free(&e);
	json_free(st);
	free(s);
}

static void adjust_reconnects_standalone(void **state)
{
	/* after `disconnect` (or a split brain) the connection stays,
	 * StandAlone: adjust connects it again */
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.2:7789", "C");
	struct json *st = status_json("Primary", "StandAlone", "Off");
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	expect_adjust(&e, s, st,
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
		"--protocol=C\n");
	env_free(&e);
	json_free(st);
	free(s);
}

static void adjust_disks(void **state)
{
	char *s;
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	/* detached (Diskless): attach again */
	s = show_text("disk none;", "10240", "192.0.2.2:7789", "C");
	expect_adjust(&e, s, NULL, "tandemsetup attach 0 /dev/vdb internal "
		      "internal --resync-rate=10240\n");
	free(s);
	/* another backing device: detach, attach */
	s = show_text("disk /dev/vdc;", "10240", "192.0.2.2:7789", "C");
	expect_adjust(&e, s, NULL, "tandemsetup detach 0\n"
		      "tandemsetup attach 0 /dev/vdb internal internal "
		      "--resync-rate=10240\n");
	free(s);
	env_free(&e);
}

static void adjust_volumes(void **state)
{
	static const char *const two =
		"resource r0 {\n"
		"  on alpha { volume 0 { device minor 0; disk /dev/vdb; "
		"meta-disk internal; }\n"
		"             volume 1 { device minor 5; disk /dev/vdc; "
		"meta-disk /dev/m[1]; }\n"
		"             address 192.0.2.1:7789; }\n"
		"  on bravo { volume 0 { device minor 0; disk /dev/vdb; "
		"meta-disk internal; }\n"
		"             volume 1 { device minor 5; disk /dev/vdc; "
		"meta-disk internal; }\n"
		"             address 192.0.2.2:7789; }\n}\n";
	static const char *const running =
		"resource r0 {\n"
		"    node-id 0;\n"
		"    volume 0 {\n"
		"        device minor 0;\n"
		"        disk /dev/vdb;\n"
		"        meta-disk internal;\n"
		"    }\n"
		"    volume 2 {\n"
		"        device minor 9;\n"
		"        disk /dev/old;\n"
		"        meta-disk internal;\n"
		"    }\n"
		"    connection {\n"
		"        peer-node-id 1;\n"
		"        local-address ipv4 192.0.2.1:7789;\n"
		"        peer-address ipv4 192.0.2.2:7789;\n"
		"    }\n"
		"}\n";
	struct env e;

	(void)state;
	env_init(&e, two, "alpha");
	/* volume 2 went away, volume 1 is new; options the kernel did
	 * not report are left alone. The kernel deletes a volume only
	 * while no connection runs: down around it, then up again. */
	expect_adjust(&e, running, NULL,
		"tandemsetup disconnect r0 1\n"
		"tandemsetup detach 9\n"
		"tandemsetup del-minor 9\n"
		"tandemsetup new-minor r0 5 1\n"
		"tandemsetup attach 5 /dev/vdc /dev/m 1\n"
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789\n");
	env_free(&e);
}

static void adjust_peer_changes(void **state)
{
	static const char *const running =
		"resource r0 {\n"
		"    node-id 0;\n"
		"    volume 0 {\n"
		"        device minor 0;\n"
		"        disk /dev/vdb;\n"
		"        meta-disk internal;\n"
		"    }\n"
		"    connection {\n"
		"        peer-node-id 5;\n"
		"        local-address ipv4 192.0.2.1:7789;\n"
		"        peer-address ipv4 192.0.2.5:7789;\n"
		"    }\n"
		"}\n";
	struct env e;

	(void)state;
	env_init(&e, conf_text, "alpha");
	/* a peer the file no longer has is disconnected, the new one
	 * connected */
	expect_adjust(&e, running, NULL,
		"tandemsetup disconnect r0 5\n"
		"tandemsetup connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
		"--protocol=C\n");
	env_free(&e);
}

static void adjust_node_id_changed(void **state)
{
	char *s = show_text("disk /dev/vdb;", "10240", "192.0.2.1:7789", "C");
	struct env e;
	char *got;
	int code;

	(void)state;
	env_init(&e, conf_text, "bravo");	/* node-id 1 */
	got = adjust(&e, s, NULL, &code);
	assert_int_equal(code, ADM_EXIT_RUNNING);
	assert_string_equal(got, "ERROR r0: the running resource has node-id "
			    "0, the configuration gives 1: that cannot change "
			    "online (down, then up)\n");
	free(got);
	env_free(&e);
	free(s);
}

/* ---- JSON and states ---------------------------------------------------- */

static void json_values(void **state)
{
	static const char *const text =
		" {\"a\": [1, -2.5e1, true, false, null, \"x\\u00e9\\ud83d"
		"\\ude00\\t\"], \"b\": {}, \"c\": []} ";
	struct json *j;
	const struct json *a;
	char err[128];
	double d;

	(void)state;
	j = json_parse(text, strlen(text), err, sizeof(err));
	assert_non_null(j);
	a = json_get(j, "a");
	assert_non_null(a);
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->n, 6);
	assert_true(a->items[0]->number == 1);
	assert_true(a->items[1]->number == -25);
	assert_true(a->items[2]->boolean);
	assert_false(a->items[3]->boolean);
	assert_int_equal(a->items[4]->type, JSON_NULL);
	assert_string_equal(a->items[5]->str, "x\xc3\xa9\xf0\x9f\x98\x80\t");
	assert_int_equal(json_get(j, "b")->type, JSON_OBJECT);
	assert_null(json_get(j, "d"));
	assert_null(json_get_str(j, "a"));
	assert_false(json_get_num(j, "b", &d));
	json_free(j);
}

static void json_errors(void **state)
{
	static const char *const bad[] = {
		"", "[", "[1,]", "{\"a\" 1}", "{1: 2}", "\"abc", "tru",
		"[1] x", "\"\\q\"", "-", "[\"\x01\"]", "01x",
	};
	char err[128];
	size_t i;
	char deep[200];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(json_parse(bad[i], strlen(bad[i]), err,
				       sizeof(err)));
		assert_true(!strncmp(err, "JSON: offset ", 13));
	}
	memset(deep, '[', sizeof(deep));
	assert_null(json_parse(deep, sizeof(deep), err, sizeof(err)));
	assert_non_null(strstr(err, "nested deeper"));
}

static char *state_lines(void (*fn)(FILE *, const struct json *),
			 const struct json *res)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	fn(f, res);
	fclose(f);
	return buf;
}

static void states(void **state)
{
	static const char *const empty =
		"[{\"name\": \"r0\", \"devices\": [], \"connections\": []}]";
	struct json *st = status_json("Primary", "Connected", "SyncSource");
	const struct json *r = adm_state_resource(st, "r0");
	struct env e;
	char *s;

	(void)state;
	assert_non_null(r);
	assert_null(adm_state_resource(st, "r1"));
	/* cstate shows the resync like 8.4 did */
	s = state_lines(adm_state_cstate, r);
	assert_string_equal(s, "SyncSource\n");
	free(s);
	s = state_lines(adm_state_dstate, r);
	assert_string_equal(s, "UpToDate/Inconsistent\n");
	free(s);
	s = state_lines(adm_state_role, r);
	assert_string_equal(s, "Primary/Secondary\n");
	free(s);
	env_init(&e, conf_text, "alpha");
	assert_true(adm_state_all_connected(r, &e.ar));
	assert_string_equal(adm_state_conn(r, 1), "Connected");
	assert_null(adm_state_conn(r, 2));
	json_free(st);

	st = status_json("Secondary", "Connected", "Established");
	r = adm_state_resource(st, "r0");
	s = state_lines(adm_state_cstate, r);
	assert_string_equal(s, "Connected\n");
	free(s);
	json_free(st);

	st = status_json("Secondary", "Connecting", "Off");
	r = adm_state_resource(st, "r0");
	s = state_lines(adm_state_cstate, r);
	assert_string_equal(s, "Connecting\n");
	free(s);
	assert_false(adm_state_all_connected(r, &e.ar));
	json_free(st);

	/* just created: no devices, no connections */
	st = json_parse(empty, strlen(empty), NULL, 0);
	assert_non_null(st);
	r = adm_state_resource(st, "r0");
	s = state_lines(adm_state_cstate, r);
	assert_string_equal(s, "StandAlone\n");
	free(s);
	s = state_lines(adm_state_dstate, r);
	assert_string_equal(s, "");
	free(s);
	s = state_lines(adm_state_role, r);
	assert_string_equal(s, "Unknown/Unknown\n");
	free(s);
	assert_false(adm_state_all_connected(r, &e.ar));
	json_free(st);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(show_is_read),
		cmocka_unit_test(show_forms),
		cmocka_unit_test(show_errors),
		cmocka_unit_test(adjust_not_running_is_up),
		cmocka_unit_test(adjust_nothing_to_do),
		cmocka_unit_test(adjust_protocol_online),
		cmocka_unit_test(adjust_transport_online),
		cmocka_unit_test(adjust_disk_options_and_defaults),
		cmocka_unit_test(adjust_address_change),
		cmocka_unit_test(adjust_reconnects_standalone),
		cmocka_unit_test(adjust_disks),
		cmocka_unit_test(adjust_volumes),
		cmocka_unit_test(adjust_peer_changes),
		cmocka_unit_test(adjust_node_id_changed),
		cmocka_unit_test(json_values),
		cmocka_unit_test(json_errors),
		cmocka_unit_test(states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
