// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for utils/adm/conf.c: the tandem.conf parser. conf/ holds
 * users' configurations as they wrote them, byte for byte
 * (seedNNN_K.conf, K-th block of write-up NNN), and each must parse; dump -> parse
 * -> dump is stable; 8.3 syntax maps to current names; malformed inputs
 * give one error with file:line:column.
 *
 * Run from tests/unit/ (the fixtures are found relative to it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "adm/conf.h"

/* Number of configuration blocks in the seeds (see conf/). */
#define SEED_BLOCKS 6

static char *dump_to_string(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conf_dump(f, c);
	fclose(f);
	return buf;
}

static void print_diags_if_any(const struct conf *c)
{
	if (c->nerrors)
		conf_print_diags(stderr, c);
}

static struct conf *parse_ok(const char *text)
{
	struct conf *c;
	int r = conf_parse_buffer("t.conf", text, strlen(text), 0, &c);

	print_diags_if_any(c);
	assert_int_equal(r, 0);
	assert_int_equal(c->nerrors, 0);
	return c;
}

/* @text must fail with exactly one diagnostic, the error @expect. */
static void parse_fails(const char *text, const char *expect)
{
	struct conf *c;
	char buf[1024];
	int r = conf_parse_buffer("t.conf", text, strlen(text), 0, &c);

	assert_int_equal(r, -1);
	if (c->ndiags != 1)
		conf_print_diags(stderr, c);
	assert_int_equal(c->nerrors, 1);
	assert_int_equal(c->ndiags, 1);
	assert_true(c->diags[0].error);
	assert_string_equal(conf_diag_format(&c->diags[0], buf, sizeof(buf)),
			    expect);
	conf_free(c);
}

static const char *diag(const struct conf *c, size_t i)
{
	static char buf[1024];

	assert_true(i < c->ndiags);
	return conf_diag_format(&c->diags[i], buf, sizeof(buf));
}

static void seed_paths(glob_t *g)
{
	assert_int_equal(glob("conf/seed*.conf", 0, NULL, g), 0);
	assert_int_equal(g->gl_pathc, SEED_BLOCKS);
}

/* ------------------------------------------------------------------ */

static void seeds_parse(void **state)
{
	glob_t g;
	size_t i;

	(void)state;
	seed_paths(&g);
	for (i = 0; i < g.gl_pathc; i++) {
		struct conf *c;
		int r = conf_parse_file(g.gl_pathv[i], 0, &c);

		if (c->nerrors)
			conf_print_diags(stderr, c);
		assert_int_equal(r, 0);
		assert_int_equal(c->nerrors, 0);
		conf_free(c);
	}
	globfree(&g);
}

static void round_trip(struct conf *c)
{
	char *d1 = dump_to_string(c), *d2;
	struct conf *c2;
	int r = conf_parse_buffer("dump.conf", d1, strlen(d1), 0, &c2);

	if (c2->ndiags) {
		fprintf(stderr, "%s", d1);
		conf_print_diags(stderr, c2);
	}
	assert_int_equal(r, 0);
	/* the dump is current syntax: no obsolete forms left */
	assert_int_equal(c2->ndiags, 0);
	d2 = dump_to_string(c2);
	assert_string_equal(d1, d2);
	assert_int_equal(c2->nres, c->nres);
	free(d1);
	free(d2);
	conf_free(c2);
}

static void seeds_round_trip(void **state)
{
	glob_t g;
	size_t i;

	(void)state;
	seed_paths(&g);
	for (i = 0; i < g.gl_pathc; i++) {
		struct conf *c;

		assert_int_equal(conf_parse_file(g.gl_pathv[i], 0, &c), 0);
		round_trip(c);
		conf_free(c);
	}
	globfree(&g);
}

/* seed 001: 8.3 file, common syncer, dual primary, /dev/drbd0. */
static void seed001_model(void **state)
{
	struct conf_resource *r;
	struct conf_host *h;
	struct conf_volume *v;
	const struct conf_opt *o;
	struct conf *c;
	char dev[64];

	(void)state;
	assert_int_equal(conf_parse_file("conf/seed001_1.conf", 0, &c), 0);
	assert_true(c->global.present);
	assert_int_equal(c->global.usage_count, CONF_USAGE_NO);
	assert_int_equal(c->nres, 1);
	r = conf_find_resource(c, "r0");
	assert_non_null(r);
	assert_int_equal(r->nhosts, 2);
	assert_string_equal(conf_res_opt(r, CONF_NET, "protocol"), "C");
	assert_string_equal(conf_res_opt(r, CONF_NET, "allow-two-primaries"),
			    "yes");
	assert_string_equal(conf_res_opt(r, CONF_STARTUP, "become-primary-on"),
			    "both");
	/* rate 10M = 10240 KiB/s, and a fixed rate */
	assert_string_equal(conf_res_opt(r, CONF_DISK, "resync-rate"), "10240");
	o = conf_opt_find(&r->opts[CONF_DISK], "c-plan-ahead");
	assert_non_null(o);
	assert_string_equal(o->value, "0");
	assert_true(o->implied);
	assert_false(o->inherited);

	h = conf_find_host(r, "storage0b.example.org");
	assert_non_null(h);
	assert_int_equal(c->nerrors, 0);
	assert_int_equal(h->addr.family, AF_INET);
	assert_string_equal(h->addr.ip, "192.168.10.27");
	assert_int_equal(h->addr.port, 7788);
	assert_int_equal(h->node_id, -1);
	assert_int_equal(h->nvols, 1);
	v = conf_host_volume(h, 0);
	assert_non_null(v);
	assert_int_equal(v->minor, 0);
	assert_null(v->device);
	assert_string_equal(conf_volume_device(v, dev, sizeof(dev)),
			    "/dev/tandem0");
	assert_string_equal(v->disk, "/dev/xvdb1");
	assert_int_equal(v->md, CONF_MD_INTERNAL);
	/* location of the host name, tab = one column */
	assert_int_equal(h->loc.line, 33);
	assert_int_equal(h->loc.col, 7);

	assert_int_equal(c->nwarnings, 2);
	assert_string_equal(diag(c, 0), "conf/seed001_1.conf:6:13: warning: "
			    "obsolete 'syncer' section: 'rate' is now "
			    "'resync-rate' in section 'disk' (a fixed rate: "
			    "c-plan-ahead 0)");
	conf_free(c);
}

/* seed 002 block 2: notes in Japanese after statements are skipped. */
static void seed002_annotations(void **state)
{
	struct conf_resource *r;
	struct conf *c;

	(void)state;
	assert_int_equal(conf_parse_file("conf/seed002_2.conf", 0, &c), 0);
	assert_int_equal(c->nerrors, 0);
	assert_int_equal(c->nwarnings, 4);
	assert_string_equal(diag(c, 0), "conf/seed002_2.conf:2:21: warning: "
			    "ignoring non-ASCII text up to the end of the line "
			    "(not part of the grammar)");
	r = conf_find_resource(c, "r1");
	assert_non_null(r);
	assert_string_equal(conf_res_opt(r, CONF_NET, "protocol"), "C");
	assert_string_equal(conf_res_opt(r, CONF_NET, "allow-two-primaries"),
			    "yes");
	assert_int_equal(r->hosts[1]->addr.port, 7790);
	assert_int_equal(r->hosts[1]->vols[0]->minor, 1);
	conf_free(c);
}

/* seed 004: global_common.conf (8.3 options) and my-domu.res. */
static void seed004_model(void **state)
{
	struct conf_resource *r;
	struct conf_volume *v;
	struct conf *c;

	(void)state;
	assert_int_equal(conf_parse_file("conf/seed004_1.conf", 0, &c), 0);
	assert_int_equal(c->global.minor_count, 128);
	assert_int_equal(c->global.dialog_refresh, 0);
	assert_true(c->has_common);
	assert_string_equal(conf_opt_find(&c->common[CONF_NET], "protocol")
			    ->value, "C");
	assert_string_equal(conf_opt_find(&c->common[CONF_NET], "verify-alg")
			    ->value, "sha1");
	assert_string_equal(conf_opt_find(&c->common[CONF_NET], "csums-alg")
			    ->value, "sha1");
	assert_string_equal(conf_opt_find(&c->common[CONF_DISK],
					  "disk-barrier")->value, "no");
	assert_string_equal(conf_opt_find(&c->common[CONF_DISK],
					  "disk-flushes")->value, "no");
	assert_string_equal(conf_opt_find(&c->common[CONF_DISK], "md-flushes")
			    ->value, "no");
	assert_string_equal(conf_opt_find(&c->common[CONF_HANDLERS],
					  "split-brain")->value,
			    "/usr/lib/drbd/notify-split-brain.sh root");
	assert_string_equal(conf_opt_find(&c->common[CONF_STARTUP],
					  "degr-wfc-timeout")->value, "60");
	/* use-bmbv is dropped */
	assert_int_equal(conf_option_section("use-bmbv"), -1);
	assert_int_equal(c->nwarnings, 7);
	assert_string_equal(diag(c, 3), "conf/seed004_1.conf:37:15: warning: "
			    "obsolete option 'use-bmbv' ignored");
	assert_string_equal(diag(c, 5), "conf/seed004_1.conf:40:15: warning: "
			    "obsolete option 'no-disk-flushes' mapped to "
			    "'disk-flushes no'");
	conf_free(c);

	assert_int_equal(conf_parse_file("conf/seed004_2.conf", 0, &c), 0);
	r = conf_find_resource(c, "my-domu-swap");
	assert_non_null(r);
	assert_string_equal(conf_res_opt(r, CONF_DISK, "resync-after"),
			    "my-domu-disk");
	assert_string_equal(conf_res_opt(r, CONF_NET, "shared-secret"),
			    "secret");
	v = conf_host_volume(conf_find_host(r, "dom0_2"), 0);
	assert_int_equal(v->minor, 1);
	assert_int_equal(v->md, CONF_MD_INDEXED);
	assert_string_equal(v->md_path, "/dev/vg0/drbd-meta-data");
	assert_int_equal(v->md_index, 1);
	assert_int_equal(c->nwarnings, 1);
	assert_string_equal(diag(c, 0), "conf/seed004_2.conf:29:15: warning: "
			    "obsolete 'syncer' section: 'after' is now "
			    "'resync-after' in section 'disk'");
	conf_free(c);
}

/* ------------------------------------------------------------------ */

static const char conf83[] =
	"resource r {\n"
	"\tprotocol B;\n"
	"\tsyncer {\n"
	"\t\trate 40M;\n"
	"\t\tafter s;\n"
	"\t\tal-extents 257;\n"
	"\t\tverify-alg md5;\n"
	"\t\tcpu-mask 3;\n"
	"\t}\n"
	"\tdisk {\n"
	"\t\tno-disk-flushes;\n"
	"\t\tno-md-flushes;\n"
	"\t\tuse-bmbv;\n"
	"\t}\n"
	"\tnet { unplug-watermark 128; }\n"
	"\ton a {\n"
	"\t\tdevice /dev/drbd3;\n"
	"\t\tdisk /dev/sda1;\n"
	"\t\taddress 10.0.0.1:7788;\n"
	"\t\tflexible-meta-disk /dev/sdm1;\n"
	"\t}\n"
	"}\n"
	"resource s {\n"
	"\ton a {\n"
	"\t\tdevice minor 4;\n"
	"\t\tdisk /dev/sda2;\n"
	"\t\taddress 10.0.0.1:7789;\n"
	"\t\tmeta-disk /dev/sdm2 [3];\n"
	"\t}\n"
	"}\n";

static void mapping_83(void **state)
{
	struct conf *c = parse_ok(conf83);
	struct conf_resource *r = conf_find_resource(c, "r");
	const struct conf_opt *o;
	struct conf_volume *v;

	(void)state;
	assert_string_equal(conf_res_opt(r, CONF_NET, "protocol"), "B");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "resync-rate"), "40960");
	o = conf_opt_find(&r->opts[CONF_DISK], "c-plan-ahead");
	assert_non_null(o);
	assert_string_equal(o->value, "0");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "resync-after"), "s");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "al-extents"), "257");
	assert_string_equal(conf_res_opt(r, CONF_NET, "verify-alg"), "md5");
	assert_string_equal(conf_res_opt(r, CONF_OPTIONS, "cpu-mask"), "3");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "disk-flushes"), "no");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "md-flushes"), "no");
	assert_null(conf_res_opt(r, CONF_NET, "unplug-watermark"));
	assert_null(conf_res_opt(r, CONF_DISK, "rate"));
	assert_int_equal(conf_option_section("resync-rate"), CONF_DISK);
	assert_int_equal(conf_option_section("rate"), -1);

	v = conf_host_volume(r->hosts[0], 0);
	assert_int_equal(v->minor, 3);
	assert_null(v->device);
	assert_int_equal(v->md, CONF_MD_FLEXIBLE);
	assert_string_equal(v->md_path, "/dev/sdm1");
	v = conf_host_volume(conf_find_resource(c, "s")->hosts[0], 0);
	assert_int_equal(v->md, CONF_MD_INDEXED);
	assert_int_equal(v->md_index, 3);

	assert_int_equal(c->nwarnings, 10);
	assert_string_equal(diag(c, 0), "t.conf:4:3: warning: obsolete "
			    "'syncer' section: 'rate' is now 'resync-rate' in "
			    "section 'disk' (a fixed rate: c-plan-ahead 0)");
	assert_string_equal(diag(c, 1), "t.conf:5:3: warning: obsolete "
			    "'syncer' section: 'after' is now 'resync-after' "
			    "in section 'disk'");
	assert_string_equal(diag(c, 2), "t.conf:6:3: warning: obsolete "
			    "'syncer' section: 'al-extents' now belongs to "
			    "section 'disk'");
	assert_string_equal(diag(c, 5), "t.conf:11:3: warning: obsolete "
			    "option 'no-disk-flushes' mapped to 'disk-flushes "
			    "no'");
	assert_string_equal(diag(c, 8), "t.conf:15:8: warning: obsolete "
			    "option 'unplug-watermark' ignored");
	assert_string_equal(diag(c, 9), "t.conf:20:3: warning: obsolete "
			    "'flexible-meta-disk': now 'meta-disk /dev/sdm1'");
	round_trip(c);
	conf_free(c);
}

/* A written c-plan-ahead beats the one syncer `rate` implies, in either
 * order; size suffixes in their option's unit. */
static void mapping_fixed_rate_order(void **state)
{
	struct conf *c = parse_ok(
		"common { disk { c-plan-ahead 20; } syncer { rate 1G; } }\n"
		"resource r {\n"
		"\tdisk { c-fill-target 1M; c-max-rate 100M; size 8s; }\n"
		"\tnet { sndbuf-size 512K; rcvbuf-size 4096; }\n"
		"\tsyncer { rate 2048s; c-plan-ahead 30; }\n"
		"\ton a { device minor 0; disk /dev/a; meta-disk internal;\n"
		"\t\taddress 1.2.3.4:1; }\n"
		"}\n");
	struct conf_resource *r = conf_find_resource(c, "r");
	const struct conf_opt *o;

	(void)state;
	o = conf_opt_find(&c->common[CONF_DISK], "c-plan-ahead");
	assert_string_equal(o->value, "20");
	assert_false(o->implied);
	assert_string_equal(conf_opt_find(&c->common[CONF_DISK], "resync-rate")
			    ->value, "1048576");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "c-plan-ahead"), "30");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "resync-rate"), "1024");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "c-fill-target"),
			    "2048");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "c-max-rate"), "102400");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "size"), "8");
	assert_string_equal(conf_res_opt(r, CONF_NET, "sndbuf-size"), "524288");
	assert_string_equal(conf_res_opt(r, CONF_NET, "rcvbuf-size"), "4096");
	round_trip(c);
	conf_free(c);
}

/* ------------------------------------------------------------------ */

static void error_unterminated_brace(void **state)
{
	(void)state;
	parse_fails("resource r0 {\n"
		    "\ton a {\n"
		    "\t\tdevice minor 0;\n"
		    "\t}\n",
		    "t.conf:1:13: error: unterminated block: the '{' of "
		    "resource 'r0' is not closed before the end of the file");
	parse_fails("common {\n\tnet {\n\t\tprotocol C;\n",
		    "t.conf:2:6: error: unterminated block: the '{' of "
		    "section 'net' in common is not closed before the end of "
		    "the file");
}

static void error_unknown_option(void **state)
{
	(void)state;
	parse_fails("resource r0 {\n"
		    "\tnet {\n"
		    "\t\tprotocoll C;\n"
		    "\t}\n"
		    "}\n",
		    "t.conf:3:3: error: unknown option 'protocoll' in "
		    "section 'net'");
	parse_fails("common { syncer { resync-rate 10M; } }\n",
		    "t.conf:1:19: error: unknown option 'resync-rate' in "
		    "section 'syncer'");
	parse_fails("resource r0 { net { disk { } } }\n",
		    "t.conf:1:21: error: unknown option 'disk' in section "
		    "'net'");
	parse_fails("common { disk { protocol C; } }\n",
		    "t.conf:1:17: error: option 'protocol' belongs to section "
		    "'net', not 'disk'");
	parse_fails("common { handlers { on-split-brain \"x\"; } }\n",
		    "t.conf:1:21: error: unknown handler 'on-split-brain'");
	parse_fails("global { usage-count maybe; }\n",
		    "t.conf:1:22: error: usage-count: expected yes, no or "
		    "ask, got 'maybe'");
	parse_fails("resource r { on a { device minor 0; mirror /dev/x; } }\n",
		    "t.conf:1:37: error: unknown keyword 'mirror' in 'on a' in "
		    "resource 'r'");
	parse_fails("resource r { floating 1.2.3.4:5 { } }\n",
		    "t.conf:1:14: error: 'floating' sections are not "
		    "supported; use 'on HOST'");
	parse_fails("ressource r { }\n",
		    "t.conf:1:1: error: unknown keyword 'ressource' (expected "
		    "global, common, resource or include)");
}

static void error_bad_value(void **state)
{
	(void)state;
	parse_fails("common {\n"
		    "\tdisk { resync-rate 10X; }\n"
		    "}\n",
		    "t.conf:2:21: error: resync-rate: bad size '10X': unknown "
		    "suffix 'X' (expected K, M, G or s)");
	parse_fails("common { syncer { rate 3s; } }\n",
		    "t.conf:1:24: error: rate: 3s is not a whole number of "
		    "KiB");
	parse_fails("common { disk { size 1T; } }\n",
		    "t.conf:1:22: error: size: bad size '1T': unknown suffix "
		    "'T' (expected K, M, G or s)");
	parse_fails("common { disk { c-max-rate 4096G; } }\n",
		    "t.conf:1:28: error: c-max-rate: 4096G is out of range (at "
		    "most 4294967295 KiB)");
	parse_fails("common { net { protocol D; } }\n",
		    "t.conf:1:25: error: protocol: 'D' is not A, B or C");
	parse_fails("common { net { allow-two-primaries maybe; } }\n",
		    "t.conf:1:36: error: allow-two-primaries: expected yes or "
		    "no, got 'maybe'");
	parse_fails("common { net { after-sb-2pri discard-local; } }\n",
		    "t.conf:1:30: error: after-sb-2pri: 'discard-local' is "
		    "not one of: disconnect, call-pri-lost-after-sb, "
		    "violently-as0p");
	parse_fails("common { net { timeout; } }\n",
		    "t.conf:1:16: error: option 'timeout' needs a value");
	parse_fails("common { net { ko-count 99999999999; } }\n",
		    "t.conf:1:25: error: ko-count: 99999999999 is out of range "
		    "(0 to 4294967295)");
	parse_fails("common { disk { no-disk-flushes yes; } }\n",
		    "t.conf:1:33: error: 'no-disk-flushes' takes no value");
	parse_fails("common { net { protocol C } }\n",
		    "t.conf:1:27: error: expected ';' after 'protocol C', "
		    "got '}'");
	parse_fails("common { net { protocol C; protocol A; } }\n",
		    "t.conf:1:28: error: 'protocol' is already set at "
		    "t.conf:1:16");
}

static const char two_res_same_minor[] =
	"resource r0 {\n"
	"\ton a { device /dev/drbd0; disk /dev/sda1; address 10.0.0.1:7788;"
	" meta-disk internal; }\n"
	"\ton b { device /dev/drbd0; disk /dev/sda1; address 10.0.0.2:7788;"
	" meta-disk internal; }\n"
	"}\n"
	"resource r1 {\n"
	"\ton a { device /dev/drbd1; disk /dev/sdb1; address 10.0.0.1:7789;"
	" meta-disk internal; }\n"
	"\ton b {\n"
	"\t\tdevice minor 0;\n"
	"\t\tdisk /dev/sdb1;\n"
	"\t\taddress 10.0.0.2:7789;\n"
	"\t\tmeta-disk internal;\n"
	"\t}\n"
	"}\n";

static void error_duplicate_minor(void **state)
{
	(void)state;
	parse_fails(two_res_same_minor,
		    "t.conf:8:3: error: minor 0 on host 'b' (resource 'r1' "
		    "volume 0) is already used by resource 'r0' volume 0 at "
		    "t.conf:3:9");
}

static void error_semantic(void **state)
{
	(void)state;
	parse_fails("resource r0 { on a { device minor 0; disk /dev/a; "
		    "meta-disk internal; } }\n"
		    "resource r0 { }\n",
		    "t.conf:2:10: error: resource 'r0' is already defined at "
		    "t.conf:1:10");
	parse_fails("resource r0 {\n\ton a { device minor 0; }\n}\n",
		    "t.conf:2:9: error: volume 0 of host 'a' in resource 'r0' "
		    "has no 'disk'");
	parse_fails("resource r0 {\n"
		    "\tdisk { resync-after r9; }\n"
		    "\ton a { device minor 0; disk none; }\n"
		    "}\n",
		    "t.conf:2:9: error: resync-after: no resource named 'r9' "
		    "(in resource 'r0')");
	parse_fails("resource r0 {\n"
		    "\ton a { device minor 0; disk none; address 1.1.1.1:1; }\n"
		    "}\n"
		    "resource r1 {\n"
		    "\ton a { device minor 1; disk none; address 1.1.1.1:1; }\n"
		    "}\n",
		    "t.conf:5:44: error: address 1.1.1.1:1 of host 'a' is "
		    "already used by resource 'r0' at t.conf:2:44");
	parse_fails("resource r0 {\n"
		    "\ton a { device minor 0; disk none; node-id 1; }\n"
		    "\ton b { device minor 0; disk none; node-id 1; }\n"
		    "}\n",
		    "t.conf:3:5: error: node-id 1 of host 'b' is already used "
		    "by host 'a' in resource 'r0'");
	parse_fails("resource r0 {\n"
		    "\ton a { device minor 0; disk none; }\n"
		    "\ton b { device minor 0; disk none; }\n"
		    "\tconnection { host a; host c; }\n"
		    "}\n",
		    "t.conf:4:28: error: connection names host 'c', which has "
		    "no 'on' section in resource 'r0'");
	parse_fails("resource r0 { on a b { } }\n",
		    "t.conf:1:20: error: only one host name per 'on' section "
		    "is supported ('on a b')");
	parse_fails("resource r0 { on a { device /dev/sdx; } }\n",
		    "t.conf:1:29: error: cannot tell the minor of device "
		    "'/dev/sdx'; write 'device /dev/sdx minor N'");
	parse_fails("resource r0 { on a { device /dev/drbd2 minor 3; } }\n",
		    "t.conf:1:46: error: device /dev/drbd2 does not match "
		    "minor 3");
	parse_fails("resource r0 { on a { device minor 1048576; } }\n",
		    "t.conf:1:35: error: minor: 1048576 is out of range (0 to "
		    "1048575)");
	parse_fails("resource r0 { on a { volume 0 { device minor 0; } "
		    "disk /dev/x; } }\n",
		    "t.conf:1:51: error: 'disk' outside a volume, but volume 0 "
		    "is defined at t.conf:1:22");
	parse_fails("resource all { }\n",
		    "t.conf:1:10: error: 'all' is reserved and cannot name a "
		    "resource");
}

static void error_missing_host(void **state)
{
	struct conf *c = parse_ok(
		"resource r0 {\n"
		"\ton alpha { device minor 0; disk /dev/sda1;"
		" meta-disk internal; address 10.0.0.1:7788; }\n"
		"\ton beta { device minor 0; disk /dev/sda1;"
		" meta-disk internal; address 10.0.0.2:7788; }\n"
		"}\n");
	struct conf_resource *r = conf_find_resource(c, "r0");

	(void)state;
	assert_non_null(conf_find_host(r, "alpha"));
	assert_int_equal(c->nerrors, 0);
	assert_null(conf_find_host(r, "gamma"));
	assert_int_equal(c->nerrors, 1);
	assert_int_equal(c->ndiags, 1);
	assert_string_equal(diag(c, 0), "t.conf:1:10: error: no 'on' section "
			    "for host 'gamma' in resource 'r0'");
	conf_free(c);
}

static void error_address(void **state)
{
	(void)state;
	parse_fails("resource r0 {\n"
		    "\ton a {\n"
		    "\t\taddress 10.0.0.1;\n"
		    "\t}\n"
		    "}\n",
		    "t.conf:3:11: error: address '10.0.0.1' has no port "
		    "(expected IP:PORT)");
	parse_fails("resource r0 { on a { address ipv6 [fd00::1]; } }\n",
		    "t.conf:1:35: error: address '[fd00::1]' has no port "
		    "(expected [IP]:PORT)");
	parse_fails("resource r0 { on a { address 10.0.0.1:; } }\n",
		    "t.conf:1:30: error: address '10.0.0.1:' has no port "
		    "(expected IP:PORT)");
	parse_fails("resource r0 { on a { address 10.0.0.300:7788; } }\n",
		    "t.conf:1:30: error: '10.0.0.300' is not a valid IPv4 "
		    "address");
	parse_fails("resource r0 { on a { address 10.0.0.1:70000; } }\n",
		    "t.conf:1:30: error: address '10.0.0.1:70000': bad port "
		    "'70000' (1 to 65535)");
	parse_fails("resource r0 { on a { address sdp 10.0.0.1:7788; } }\n",
		    "t.conf:1:30: error: address family 'sdp' is not supported "
		    "(ipv4 or ipv6)");
	parse_fails("resource r0 { on a { address fd00::1:7788; } }\n",
		    "t.conf:1:30: error: address 'fd00::1:7788': write an IPv6 "
		    "address as 'ipv6 [IP]:PORT'");
}

static void error_long_string(void **state)
{
	char text[512], name[130];

	(void)state;
	memset(name, 'x', 129);
	name[129] = '\0';
	snprintf(text, sizeof(text),
		 "common {\n\thandlers {\n\t\tsplit-brain \"/%s\";\n\t}\n}\n",
		 name + 1);
	parse_fails(text, "t.conf:3:15: error: string is 129 bytes long; the "
		    "limit is 128");
	snprintf(text, sizeof(text), "resource %s { }\n", name);
	parse_fails(text, "t.conf:1:10: error: string is 129 bytes long; the "
		    "limit is 128");
	/* 128 is fine */
	name[128] = '\0';
	snprintf(text, sizeof(text),
		 "common { handlers { split-brain \"%s\"; } }\n", name);
	conf_free(parse_ok(text));
}

static void error_lexical(void **state)
{
	(void)state;
	parse_fails("common { handlers { split-brain \"/bin/true; } }",
		    "t.conf:1:33: error: unterminated quoted string (end of "
		    "file before the closing '\"')");
	parse_fails("common { handlers {\n split-brain \"a\nb\"; } }\n",
		    "t.conf:2:14: error: unterminated quoted string (end of "
		    "line before the closing '\"')");
	parse_fails("global {\x01}", "t.conf:1:9: error: unexpected control "
		    "character 0x01");
	parse_fails("}", "t.conf:1:1: error: expected a keyword, got '}'");
}

/* ------------------------------------------------------------------ */

static void include_glob(void **state)
{
	struct conf_resource *r;
	struct conf *c;
	int rc;

	(void)state;
	rc = conf_parse_file("conf/include_seed004.conf", 0, &c);
	print_diags_if_any(c);
	assert_int_equal(rc, 0);
	/* the including file and both matches, in glob order */
	assert_int_equal(c->nfiles, 3);
	assert_string_equal(c->files[1], "conf/seed004_1.conf");
	assert_string_equal(c->files[2], "conf/seed004_2.conf");
	assert_int_equal(c->nres, 2);
	assert_int_equal(c->global.minor_count, 128);
	/* common of one file applies to the resources of the other */
	r = conf_find_resource(c, "my-domu-disk");
	assert_non_null(r);
	assert_string_equal(conf_res_opt(r, CONF_NET, "protocol"), "C");
	assert_string_equal(conf_res_opt(r, CONF_NET, "after-sb-1pri"),
			    "discard-secondary");
	assert_string_equal(conf_res_opt(r, CONF_DISK, "resync-rate"), "10240");
	assert_string_equal(conf_res_opt(r, CONF_NET, "allow-two-primaries"),
			    "yes");
	/* warnings name the included file */
	assert_string_equal(c->diags[0].loc.file, "conf/seed004_1.conf");
	round_trip(c);
	conf_free(c);

	/* relative to the directory of the including buffer's name */
	rc = conf_parse_buffer("conf/virtual.conf", "include \"seed00[4]_2*\";",
			       23, 0, &c);
	assert_int_equal(rc, 0);
	assert_int_equal(c->nres, 2);
	conf_free(c);

	/* a pattern matching nothing is fine; a missing plain file warns */
	c = parse_ok("include \"conf/nothing-*.conf\";\n"
		     "include \"conf/nothing.conf\";\n");
	assert_int_equal(c->nwarnings, 1);
	assert_string_equal(diag(c, 0), "t.conf:2:9: warning: include "
			    "\"conf/nothing.conf\": no such file");
	conf_free(c);

	rc = conf_parse_file("conf/include_loop.conf", 0, &c);
	assert_int_equal(rc, -1);
	assert_int_equal(c->nerrors, 1);
	assert_string_equal(diag(c, 0), "conf/include_loop.conf:2:1: error: "
			    "includes nest deeper than 16 (does a file include "
			    "itself?)");
	conf_free(c);

	rc = conf_parse_buffer("t.conf", "include \"x\";", 12,
			       CONF_F_NO_INCLUDE, &c);
	assert_int_equal(rc, -1);
	assert_string_equal(diag(c, 0), "t.conf:1:1: error: 'include' is not "
			    "allowed here");
	conf_free(c);

	rc = conf_parse_file("conf/does-not-exist.conf", 0, &c);
	assert_int_equal(rc, -1);
	assert_string_equal(diag(c, 0), "conf/does-not-exist.conf: error: "
			    "cannot read 'conf/does-not-exist.conf': No such "
			    "file or directory");
	conf_free(c);
}

static void common_inheritance(void **state)
{
	struct conf *c = parse_ok(
		"common {\n"
		"\tnet { protocol B; ping-int 5; }\n"
		"\tdisk { on-io-error pass_on; al-extents 3389; }\n"
		"\thandlers { split-brain \"/bin/sb\"; }\n"
		"}\n"
		"resource r {\n"
		"\tnet { protocol C; }\n"
		"\tdisk { al-extents 1237; }\n"
		"\ton a {\n"
		"\t\tvolume 0 { device minor 0; disk /dev/a0; "
		"meta-disk internal; disk { al-extents 7; } }\n"
		"\t\tvolume 1 { device minor 1; disk /dev/a1; "
		"meta-disk internal; }\n"
		"\t\tdisk { on-io-error detach; }\n"
		"\t\taddress 10.0.0.1:7000;\n"
		"\t}\n"
		"\ton b {\n"
		"\t\tvolume 0 { device minor 0; disk /dev/b0; "
		"meta-disk internal; }\n"
		"\t\tvolume 1 { device minor 1; disk /dev/b1; "
		"meta-disk internal; }\n"
		"\t\taddress 10.0.0.2:7000;\n"
		"\t}\n"
		"\tconnection { host a; host b; net { protocol A; } }\n"
		"}\n"
		"resource plain {\n"
		"\ton a { device minor 9; disk none; }\n"
		"}\n");
	struct conf_resource *r = conf_find_resource(c, "r");
	struct conf_resource *pl = conf_find_resource(c, "plain");
	struct conf_host *a = conf_find_host(r, "a");
	struct conf_host *b = conf_find_host(r, "b");
	const struct conf_opt *o;
	char *d;

	(void)state;
	/* resource wins over common; the rest comes from common */
	assert_string_equal(conf_res_opt(r, CONF_NET, "protocol"), "C");
	assert_string_equal(conf_res_opt(r, CONF_NET, "ping-int"), "5");
	o = conf_opt_find(&r->opts[CONF_NET], "ping-int");
	assert_true(o->inherited);
	assert_false(conf_opt_find(&r->opts[CONF_NET], "protocol")->inherited);
	assert_string_equal(conf_res_opt(r, CONF_HANDLERS, "split-brain"),
			    "/bin/sb");
	assert_string_equal(conf_res_opt(pl, CONF_NET, "protocol"), "B");
	assert_string_equal(conf_res_opt(pl, CONF_DISK, "al-extents"), "3389");
	assert_null(conf_res_opt(pl, CONF_NET, "timeout"));
	/* volume -> host -> resource -> common */
	assert_string_equal(conf_disk_opt(r, a, a->vols[0], "al-extents"), "7");
	assert_string_equal(conf_disk_opt(r, a, a->vols[1], "al-extents"),
			    "1237");
	assert_string_equal(conf_disk_opt(r, a, a->vols[1], "on-io-error"),
			    "detach");
	assert_string_equal(conf_disk_opt(r, b, b->vols[1], "on-io-error"),
			    "pass_on");
	assert_string_equal(conf_disk_opt(r, NULL, NULL, "on-io-error"),
			    "pass_on");
	assert_string_equal(conf_net_opt(r, r->conns[0], "protocol"), "A");
	assert_string_equal(conf_net_opt(r, r->conns[0], "ping-int"), "5");
	assert_string_equal(conf_net_opt(r, NULL, "protocol"), "C");

	/* the dump keeps inherited values in common only */
	d = dump_to_string(c);
	assert_non_null(strstr(d, "resource plain {\n\ton a {\n"));
	assert_null(strstr(d, "\t\tping-int 5;\n\t}\n\tdisk {\n\t\tal-extents "
			   "1237"));
	free(d);
	round_trip(c);
	conf_free(c);
}

/* 8.4/9 forms: volumes, resource-level defaults, IPv6, node-id,
 * connection-mesh, custom device paths, quoting. */
static void current_syntax(void **state)
{
	struct conf *c = parse_ok(
		"global { usage-count ask; disable-ip-verification; "
		"udev-always-use-vnr; }\n"
		"resource \"data\" {\n"
		"\toptions { auto-promote yes; on-no-data-accessible "
		"suspend-io; }\n"
		"\tnet { transport rdma; fencing resource-only; "
		"shared-secret \"a \\\"b\\\" c\"; }\n"
		"\tvolume 1 { device /dev/tandem7; disk /dev/vg/d1; "
		"meta-disk internal; }\n"
		"\tdevice /dev/foo minor 5;\n"
		"\tmeta-disk /dev/md [2];\n"
		"\ton x { disk /dev/vg/x; address ipv6 [fd00:0::1]:7000; "
		"node-id 0; }\n"
		"\ton y { disk /dev/vg/y; address ipv6 [fd00::2]:7000; "
		"node-id 1; }\n"
		"\ton z { disk none; address 10.1.1.3:7000; node-id 2; }\n"
		"\tconnection-mesh { hosts x y z; net { protocol C; } }\n"
		"\tconnection xy { host x address ipv6 [fd00::1]:7001; "
		"host y address ipv6 [fd00::2]:7001; }\n"
		"}\n");
	struct conf_resource *r = conf_find_resource(c, "data");
	struct conf_host *x = conf_find_host(r, "x");
	struct conf_host *z = conf_find_host(r, "z");
	struct conf_volume *v;
	char dev[64];

	(void)state;
	assert_int_equal(c->global.usage_count, CONF_USAGE_ASK);
	assert_true(c->global.disable_ip_verification);
	assert_string_equal(conf_res_opt(r, CONF_DISK, "fencing"),
			    "resource-only");
	assert_string_equal(conf_res_opt(r, CONF_NET, "shared-secret"),
			    "a \"b\" c");
	assert_string_equal(conf_res_opt(r, CONF_OPTIONS, "auto-promote"),
			    "yes");
	assert_int_equal(x->addr.family, AF_INET6);
	assert_string_equal(x->addr.ip, "fd00::1");
	assert_int_equal(x->node_id, 0);
	assert_int_equal(x->nvols, 2);
	v = conf_host_volume(x, 0);
	assert_int_equal(v->minor, 5);
	assert_string_equal(conf_volume_device(v, dev, sizeof(dev)),
			    "/dev/foo");
	assert_int_equal(v->md, CONF_MD_INDEXED);
	assert_int_equal(v->md_index, 2);
	assert_string_equal(v->disk, "/dev/vg/x");
	v = conf_host_volume(x, 1);
	assert_int_equal(v->minor, 7);
	assert_string_equal(v->disk, "/dev/vg/d1");
	assert_string_equal(conf_host_volume(z, 0)->disk, "none");
	assert_int_equal(r->nconns, 2);
	assert_true(r->conns[0]->mesh);
	assert_int_equal(r->conns[0]->npeers, 3);
	assert_string_equal(r->conns[1]->name, "xy");
	assert_int_equal(r->conns[1]->peers[1].addr.port, 7001);
	round_trip(c);
	conf_free(c);
}

static void skip_and_comments(void **state)
{
	struct conf *c = parse_ok(
		"# comment\n"
		"skip resource old { on a { nonsense here; } { } }\n"
		"global { usage-count yes; } # trailing\n"
		"\xef\xbb\xbf\xc2\xa0\xe3\x80\x80" "common { }\n");

	(void)state;
	assert_int_equal(c->nres, 0);
	assert_int_equal(c->global.usage_count, CONF_USAGE_YES);
	assert_true(c->has_common);
	assert_int_equal(c->ndiags, 0);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seeds_parse),
		cmocka_unit_test(seeds_round_trip),
		cmocka_unit_test(seed001_model),
		cmocka_unit_test(seed002_annotations),
		cmocka_unit_test(seed004_model),
		cmocka_unit_test(mapping_83),
		cmocka_unit_test(mapping_fixed_rate_order),
		cmocka_unit_test(error_unterminated_brace),
		cmocka_unit_test(error_unknown_option),
		cmocka_unit_test(error_bad_value),
		cmocka_unit_test(error_duplicate_minor),
		cmocka_unit_test(error_semantic),
		cmocka_unit_test(error_missing_host),
		cmocka_unit_test(error_address),
		cmocka_unit_test(error_long_string),
		cmocka_unit_test(error_lexical),
		cmocka_unit_test(include_glob),
		cmocka_unit_test(common_inheritance),
		cmocka_unit_test(current_syntax),
		cmocka_unit_test(skip_and_comments),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
