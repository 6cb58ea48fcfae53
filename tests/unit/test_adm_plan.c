// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tandemadm's plans (utils/adm/plan.c) and command line
 * (utils/adm/cli.c): the tandemsetup/tandemmeta command lines each verb
 * produces for the seed configurations in conf/, the DRBD 8.3 forms, the
 * -d quoting, the warnings for options tandemsetup does not know yet, the
 * errors, and the environment of handlers.
 *
 * Run from tests/unit/ (the fixtures are found relative to it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/cli.h"
#include "adm/conf.h"
#include "adm/plan.h"

/* ---- helpers ---------------------------------------------------------- */

struct outcome {
	int rc;			/* ADM_CLI_GO (-1) when the plan was built */
	char *plan;		/* what -d prints */
	char *warnings;		/* one per line */
	char *error;		/* plan error or adm_res_init() message */
	char *cli_err;		/* command-line messages */
};

static void outcome_free(struct outcome *o)
{
	free(o->plan);
	free(o->warnings);
	free(o->error);
	free(o->cli_err);
}

static struct conf *load(const char *file, const char *text)
{
	struct conf *c;
	int r = text ? conf_parse_buffer(file, text, strlen(text), 0, &c) :
		conf_parse_file(file, 0, &c);

	if (r)
		conf_print_diags(stderr, c);
	assert_int_equal(r, 0);
	return c;
}

/*
 * What `tandemadm -d --host HOST ARGS...` plans for configuration @c:
 * the same steps as tandemadm.c (command line, resources, plan).
 */
static struct outcome plan_of(struct conf *c, const char *host,
			      const char *const *args)
{
	struct outcome out = { .rc = ADM_CLI_GO };
	char *argv[32], *errbuf = NULL, err[1024];
	size_t errlen = 0, len = 0, i, j, nars = 0;
	struct adm_cmdline cl;
	struct adm_vopts vo;
	const struct adm_verbdef *vd;
	struct adm_plan p = { 0 };
	struct adm_res ars[8];
	FILE *ef = open_memstream(&errbuf, &errlen), *f;
	int argc = 0;
	bool all = false;

	argv[argc++] = (char *)"tandemadm";
	for (i = 0; args[i]; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	memset(&vo, 0, sizeof(vo));
	out.rc = adm_cli_parse(&cl, argc, argv, ef);
	if (out.rc != ADM_CLI_GO)
		goto done;
	vd = adm_verb_find(cl.verb);
	assert_non_null(vd);
	assert_true(vd->kind == ADM_K_PLAN);
	out.rc = adm_cli_verb_options(&cl, vd, &vo, ef);
	if (out.rc != ADM_CLI_GO)
		goto done;
	for (i = 0; i < cl.nres; i++)
		all |= !strcmp(cl.res[i], "all");
	for (i = 0; i < (all ? c->nres : cl.nres); i++) {
		const struct conf_resource *r = all ? c->res[i] :
			conf_find_resource(c, cl.res[i]);

		assert_non_null(r);
		if (all && !adm_res_has_host(r, host))
			continue;
		if (adm_res_init(&ars[nars], r, host, err, sizeof(err))) {
			out.error = strdup(err);
			out.rc = ADM_EXIT_CONFIG;
			goto done;
		}
		nars++;
	}
	for (i = 0; i < nars; i++)
		adm_plan_verb(&p, vd->plan, &ars[i], &vo.v);
	if (p.error) {
		out.error = strdup(p.error);
		out.rc = p.error_code;
	}
	f = open_memstream(&out.plan, &len);
	adm_plan_print(f, &p);
	fclose(f);
	f = open_memstream(&out.warnings, &len);
	for (j = 0; j < p.nwarnings; j++)
		fprintf(f, "%s\n", p.warnings[j]);
	fclose(f);
	adm_plan_free(&p);
done:
	for (i = 0; i < nars; i++)
		adm_res_free(&ars[i]);
	adm_cli_free(&cl, &vo);
	fclose(ef);
	out.cli_err = errbuf;
	return out;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The plan of ARGS on file @file for @host must be @want exactly. */
static void expect_plan(const char *file, const char *host,
			const char *const *args, const char *want)
{
	struct conf *c = load(file, NULL);
	struct outcome o = plan_of(c, host, args);

	if (o.rc != ADM_CLI_GO)
		fprintf(stderr, "rc %d: %s%s\n", o.rc, o.cli_err,
			o.error ? o.error : "");
	assert_int_equal(o.rc, ADM_CLI_GO);
	assert_string_equal(o.plan, want);
	outcome_free(&o);
	conf_free(c);
}

/* ---- seed001: 8.3 file, protocol C, syncer rate, two primaries -------- */

static void seed001_up_both_nodes(void **state)
{
	(void)state;
	expect_plan("conf/seed001_1.conf", "storage0a.example.org",
		    ARGS("up", "r0"),
		    "tandemsetup new-resource r0 0\n"
		    "tandemsetup new-minor r0 0 0\n"
		    "tandemsetup attach 0 /dev/xvdb1 internal internal "
		    "--resync-rate=10240 --c-plan-ahead=0\n"
		    "tandemsetup connect r0 1 192.168.10.20:7788 "
		    "192.168.10.27:7788 --protocol=C "
		    "--allow-two-primaries=yes\n");
	/* the other node: node-id from the order of the `on` sections */
	expect_plan("conf/seed001_1.conf", "storage0b.example.org",
		    ARGS("up", "all"),
		    "tandemsetup new-resource r0 1\n"
		    "tandemsetup new-minor r0 0 0\n"
		    "tandemsetup attach 0 /dev/xvdb1 internal internal "
		    "--resync-rate=10240 --c-plan-ahead=0\n"
		    "tandemsetup connect r0 0 192.168.10.27:7788 "
		    "192.168.10.20:7788 --protocol=C "
		    "--allow-two-primaries=yes\n");
}

static void seed001_net_options_override(void **state)
{
	(void)state;
	/* seed 003: `drbdadm net-options --protocol=A` */
	expect_plan("conf/seed001_1.conf", "storage0a.example.org",
		    ARGS("net-options", "--protocol=A", "r0"),
		    "tandemsetup net-options r0 1 --protocol=A "
		    "--allow-two-primaries=yes\n");
	/* the value as the next word, and after the resource */
	expect_plan("conf/seed001_1.conf", "storage0a.example.org",
		    ARGS("net-options", "r0", "--protocol", "B"),
		    "tandemsetup net-options r0 1 --protocol=B "
		    "--allow-two-primaries=yes\n");
	/* the file's options alone */
	expect_plan("conf/seed001_1.conf", "storage0a.example.org",
		    ARGS("net-options", "r0"),
		    "tandemsetup net-options r0 1 --protocol=C "
		    "--allow-two-primaries=yes\n");
	expect_plan("conf/seed001_1.conf", "storage0a.example.org",
		    ARGS("disk-options", "--resync-rate=40M", "r0"),
		    "tandemsetup disk-options 0 --resync-rate=40M "
		    "--c-plan-ahead=0\n");
	/* 8.3 name on the command line */
	expect_plan("conf/seed001_1.conf", "storage0a.example.org",
		    ARGS("disk-options", "--rate", "1M", "r0"),
		    "tandemsetup disk-options 0 --resync-rate=1M "
		    "--c-plan-ahead=0\n");
}

/* ---- seed002: 8.2/8.3 files of the split-brain and failover notes ----- */

static void seed002_every_plan_verb(void **state)
{
	static const struct {
		const char *verb, *want;
	} cases[] = {
		{ "create-md", "tandemmeta create-md /dev/sdb1 internal "
			       "--node-id=0\n" },
		{ "wipe-md", "tandemmeta wipe-md /dev/sdb1 internal\n" },
		{ "dump-md", "tandemmeta dump-md /dev/sdb1 internal\n" },
		{ "apply-al", "tandemmeta apply-al /dev/sdb1 internal\n" },
		{ "up", "tandemsetup new-resource r0 0\n"
			"tandemsetup new-minor r0 0 0\n"
			"tandemsetup attach 0 /dev/sdb1 internal internal\n"
			"tandemsetup connect r0 1 192.168.1.3:7789 "
			"192.168.1.4:7789 --protocol=A\n" },
		{ "down", "tandemsetup down r0\n" },
		{ "attach", "tandemsetup attach 0 /dev/sdb1 internal "
			    "internal\n" },
		{ "detach", "tandemsetup detach 0\n" },
		{ "connect", "tandemsetup connect r0 1 192.168.1.3:7789 "
			     "192.168.1.4:7789 --protocol=A\n" },
		{ "disconnect", "tandemsetup disconnect r0 1\n" },
		{ "primary", "tandemsetup primary r0\n" },
		{ "secondary", "tandemsetup secondary r0\n" },
		{ "net-options", "tandemsetup net-options r0 1 "
				 "--protocol=A\n" },
		{ "disk-options", "tandemsetup disk-options 0\n" },
		{ "invalidate", "tandemsetup invalidate 0\n" },
		{ "invalidate-remote", "tandemsetup invalidate-remote 0\n" },
		{ "pause-sync", "tandemsetup pause-sync 0 1\n" },
		{ "resume-sync", "tandemsetup resume-sync 0 1\n" },
		{ "outdate", "tandemsetup outdate 0\n" },
		{ "resize", "tandemsetup resize 0\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_plan("conf/seed002_1.conf", "test03",
			    ARGS(cases[i].verb, "r0"), cases[i].want);
}

static void seed002_83_forms(void **state)
{
	(void)state;
	/* drbdadm -- --overwrite-data-of-peer primary all */
	expect_plan("conf/seed002_1.conf", "test03",
		    ARGS("--", "--overwrite-data-of-peer", "primary", "all"),
		    "tandemsetup primary r0 --force\n");
	/* drbdadm -- -o primary r0 */
	expect_plan("conf/seed002_1.conf", "test03",
		    ARGS("--", "-o", "primary", "r0"),
		    "tandemsetup primary r0 --force\n");
	/* drbdadm primary r1 -o */
	expect_plan("conf/seed002_1.conf", "test03",
		    ARGS("primary", "r0", "-o"),
		    "tandemsetup primary r0 --force\n");
	/* 8.4: drbdadm primary --force */
	expect_plan("conf/seed002_1.conf", "test03",
		    ARGS("primary", "--force", "r0"),
		    "tandemsetup primary r0 --force\n");
	/* drbdadm -- --discard-my-data connect resource (on test04) */
	expect_plan("conf/seed002_1.conf", "test04",
		    ARGS("--", "--discard-my-data", "connect", "r0"),
		    "tandemsetup connect r0 0 192.168.1.4:7789 "
		    "192.168.1.3:7789 --protocol=A --discard-my-data\n");
	/* 8.4: drbdadm connect --discard-my-data */
	expect_plan("conf/seed002_1.conf", "test04",
		    ARGS("connect", "--discard-my-data", "r0"),
		    "tandemsetup connect r0 0 192.168.1.4:7789 "
		    "192.168.1.3:7789 --protocol=A --discard-my-data\n");
	/* global options after the verb are fine too */
	expect_plan("conf/seed002_1.conf", "test04",
		    ARGS("secondary", "-d", "r0"),
		    "tandemsetup secondary r0\n");
}

static void seed002_second_file(void **state)
{
	(void)state;
	expect_plan("conf/seed002_2.conf", "test-vm04.hyperdc.net",
		    ARGS("up", "r1"),
		    "tandemsetup new-resource r1 1\n"
		    "tandemsetup new-minor r1 1 0\n"
		    "tandemsetup attach 1 /dev/VG/OCFS2 internal internal\n"
		    "tandemsetup connect r1 0 122.213.181.234:7790 "
		    "122.213.181.233:7790 --protocol=C "
		    "--allow-two-primaries=yes\n");
}

/* ---- seed004: common section, indexed meta data, resync-after -------- */

static void seed004_up_all(void **state)
{
	struct conf *c = load("conf/include_seed004.conf", NULL);
	struct outcome o = plan_of(c, "dom0_1", ARGS("up", "all"));

	(void)state;
	assert_int_equal(o.rc, ADM_CLI_GO);
	assert_string_equal(o.plan,
		"tandemsetup new-resource my-domu-disk 0\n"
		"tandemsetup new-minor my-domu-disk 0 0\n"
		"tandemsetup attach 0 /dev/vg0/my-domu-disk "
		"/dev/vg0/drbd-meta-data 0 --resync-rate=10240 "
		"--c-plan-ahead=0 --on-io-error=detach --disk-barrier=no "
		"--disk-flushes=no --md-flushes=no\n"
		"tandemsetup connect my-domu-disk 1 192.168.0.25:7700 "
		"192.168.0.54:7700 --protocol=C --allow-two-primaries=yes "
		"--cram-hmac-alg=sha1 --shared-secret=secret "
		"--verify-alg=sha1 --after-sb-0pri=discard-zero-changes "
		"--after-sb-1pri=discard-secondary "
		"--after-sb-2pri=disconnect\n"
		"tandemsetup new-resource my-domu-swap 0\n"
		"tandemsetup new-minor my-domu-swap 1 0\n"
		"tandemsetup attach 1 /dev/vg0/my-domu-swap "
		"/dev/vg0/drbd-meta-data 1 --resync-rate=10240 "
		"--c-plan-ahead=0 --on-io-error=detach --disk-barrier=no "
		"--disk-flushes=no --md-flushes=no --resync-after=0\n"
		"tandemsetup connect my-domu-swap 1 192.168.0.25:7701 "
		"192.168.0.54:7701 --protocol=C --allow-two-primaries=yes "
		"--cram-hmac-alg=sha1 --shared-secret=secret "
		"--verify-alg=sha1 --after-sb-0pri=discard-zero-changes "
		"--after-sb-1pri=discard-secondary "
		"--after-sb-2pri=disconnect\n");
	/* from `common`, so once for both resources */
	assert_string_equal(o.warnings,
		"conf/seed004_1.conf:30:15: net option 'csums-alg' is not "
		"supported yet, ignored\n");
	outcome_free(&o);
	conf_free(c);
}

static void seed004_meta_commands_quoted(void **state)
{
	(void)state;
	/* PATH[N] is quoted for the shell (brackets are a glob) */
	expect_plan("conf/include_seed004.conf", "dom0_2",
		    ARGS("create-md", "--force", "all"),
		    "tandemmeta create-md /dev/vg0/my-domu-disk "
		    "'/dev/vg0/drbd-meta-data[0]' --node-id=1 --force\n"
		    "tandemmeta create-md /dev/vg0/my-domu-swap "
		    "'/dev/vg0/drbd-meta-data[1]' --node-id=1 --force\n");
	expect_plan("conf/include_seed004.conf", "dom0_2",
		    ARGS("dump-md", "--json", "my-domu-swap"),
		    "tandemmeta dump-md /dev/vg0/my-domu-swap "
		    "'/dev/vg0/drbd-meta-data[1]' --json\n");
}

/* ---- other configurations -------------------------------------------- */

static const char *const conns_conf =
	"resource r { net { protocol B; }\n"
	"  disk { fencing resource-only; al-extents 3389; }\n"
	"  on a { volume 0 { device minor 1; disk /dev/a0; meta-disk internal; }\n"
	"         volume 1 { device minor 2; disk none; }\n"
	"         address 10.0.0.1:7000; node-id 4; }\n"
	"  on b { volume 0 { device minor 1; disk /dev/b0; meta-disk /dev/m; }\n"
	"         volume 1 { device minor 2; disk /dev/b1; meta-disk internal; }\n"
	"         address 10.0.0.2:7000; node-id 7; }\n"
	"  on c { device minor 1; disk /dev/c0; meta-disk internal;\n"
	"         address ipv6 [fd00::3]:7000; node-id 9; }\n"
	"  connection { host a address 10.1.0.1:7001; host b; "
	"net { protocol A; after-sb-1pri violently-as0p; } }\n"
	"  connection-mesh { hosts a b c; }\n"
	"}\n";

static void connections_and_mesh(void **state)
{
	struct conf *c = load("t.conf", conns_conf);
	struct outcome o = plan_of(c, "a", ARGS("up", "r"));

	(void)state;
	assert_int_equal(o.rc, ADM_CLI_GO);
	/* volume 1 is diskless here: a minor, no attach; b through the
	 * connection section (its address for a, its options), c through
	 * the mesh */
	assert_string_equal(o.plan,
		"tandemsetup new-resource r 4\n"
		"tandemsetup new-minor r 1 0\n"
		"tandemsetup attach 1 /dev/a0 internal internal "
		"--al-extents=3389\n"
		"tandemsetup new-minor r 2 1\n"
		"tandemsetup connect r 7 10.1.0.1:7001 10.0.0.2:7000 "
		"--protocol=A\n"
		"tandemsetup connect r 9 10.0.0.1:7000 '[fd00::3]:7000' "
		"--protocol=B\n");
	assert_string_equal(o.warnings,
		"t.conf:2:10: disk option 'fencing' is not supported yet, "
		"ignored\n"
		"t.conf:11:72: after-sb-1pri violently-as0p is not supported "
		"yet, ignored\n");
	outcome_free(&o);

	o = plan_of(c, "a", ARGS("create-md", "r"));
	assert_string_equal(o.plan, "tandemmeta create-md /dev/a0 internal "
			    "--node-id=4 --max-peers=2 --al-extents=3389\n");
	outcome_free(&o);
	o = plan_of(c, "a", ARGS("pause-sync", "r"));
	assert_string_equal(o.plan, "tandemsetup pause-sync 1 7\n"
			    "tandemsetup pause-sync 1 9\n");
	outcome_free(&o);
	o = plan_of(c, "b", ARGS("attach", "--on-io-error=pass_on", "r"));
	assert_string_equal(o.plan,
		"tandemsetup attach 1 /dev/b0 /dev/m flexible "
		"--al-extents=3389 --on-io-error=pass_on\n"
		"tandemsetup attach 2 /dev/b1 internal internal "
		"--al-extents=3389 --on-io-error=pass_on\n");
	outcome_free(&o);
	/* options tandemsetup lacks, on the command line */
	o = plan_of(c, "b", ARGS("net-options", "--csums-alg=sha1",
				 "--tcp-cork", "r"));
	assert_string_equal(o.plan,
		"tandemsetup net-options r 4 --protocol=A\n"
		"tandemsetup net-options r 9 --protocol=B\n");
	assert_non_null(strstr(o.warnings, "--csums-alg is not supported "
				"yet, ignored\n"));
	assert_non_null(strstr(o.warnings, "--tcp-cork is not supported "
				"yet, ignored\n"));
	outcome_free(&o);
	conf_free(c);
}

static void quoting(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain-word_1.2:3,4@%+=/", "plain-word_1.2:3,4@%+=/" },
		{ "", "''" },
		{ "two words", "'two words'" },
		{ "it's", "'it'\\''s'" },
		{ "/dev/x[0]", "'/dev/x[0]'" },
		{ "$HOME", "'$HOME'" },
		{ "a\"b", "'a\"b'" },
		{ "*", "'*'" },
		{ "new\nline", "'new\nline'" },
	};
	char *buf;
	size_t len, i;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf = NULL;
		f = open_memstream(&buf, &len);
		adm_shell_quote(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].out);
		free(buf);
	}
}

static void quoting_in_plans(void **state)
{
	struct conf *c = load("q.conf",
		"resource r { net { shared-secret \"it's a secret\"; "
		"cram-hmac-alg sha256; }\n"
		"  on 'x' { device minor 0; disk \"/dev/disk/by-id/a b\"; "
		"meta-disk internal; address 10.0.0.1:1; }\n"
		"  on y { device minor 0; disk /dev/y; meta-disk internal; "
		"address 10.0.0.2:1; } }\n");
	struct outcome o = plan_of(c, "'x'", ARGS("up", "r"));

	(void)state;
	assert_string_equal(o.plan,
		"tandemsetup new-resource r 0\n"
		"tandemsetup new-minor r 0 0\n"
		"tandemsetup attach 0 '/dev/disk/by-id/a b' internal internal\n"
		"tandemsetup connect r 1 10.0.0.1:1 10.0.0.2:1 "
		"--cram-hmac-alg=sha256 '--shared-secret=it'\\''s a secret'\n");
	outcome_free(&o);
	conf_free(c);
}

/* ---- errors ----------------------------------------------------------- */

static void missing_host_section(void **state)
{
	struct conf *c = load("conf/seed002_1.conf", NULL);
	struct outcome o = plan_of(c, "test05", ARGS("up", "r0"));

	(void)state;
	assert_int_equal(o.rc, ADM_EXIT_CONFIG);
	assert_string_equal(o.error, "conf/seed002_1.conf:1:10: error: no "
			    "'on' section for host 'test05' in resource 'r0'");
	outcome_free(&o);
	/* `all` only takes the resources this host has */
	o = plan_of(c, "test05", ARGS("up", "all"));
	assert_int_equal(o.rc, ADM_CLI_GO);
	assert_string_equal(o.plan, "");
	outcome_free(&o);
	conf_free(c);
}

static void node_ids_and_addresses(void **state)
{
	struct conf *c = load("n.conf",
		"resource r {\n"
		"  on a { device minor 0; disk /dev/a; meta-disk internal; "
		"address 10.0.0.1:1; node-id 3; }\n"
		"  on b { device minor 0; disk /dev/b; meta-disk internal; "
		"address 10.0.0.2:1; }\n}\n"
		"resource s {\n"
		"  on a { device minor 1; disk /dev/a1; meta-disk internal; }\n"
		"  on b { device minor 1; disk /dev/b1; meta-disk internal; "
		"address 10.0.0.2:2; }\n}\n");
	struct outcome o = plan_of(c, "a", ARGS("up", "r"));

	(void)state;
	assert_int_equal(o.rc, ADM_EXIT_CONFIG);
	assert_string_equal(o.error, "n.conf:3:6: error: host 'b' in resource "
			    "'r' has no node-id, but other hosts have one");
	outcome_free(&o);
	/* no address: fine for the meta data, an error for connecting */
	o = plan_of(c, "a", ARGS("create-md", "s"));
	assert_int_equal(o.rc, ADM_CLI_GO);
	assert_string_equal(o.plan, "tandemmeta create-md /dev/a1 internal "
			    "--node-id=0\n");
	outcome_free(&o);
	o = plan_of(c, "a", ARGS("connect", "s"));
	assert_int_equal(o.rc, ADM_EXIT_CONFIG);
	assert_string_equal(o.error, "n.conf:6:6: error: host 'a' in resource "
			    "'s' has no address");
	outcome_free(&o);
	conf_free(c);
}

static void command_line_errors(void **state)
{
	struct conf *c = load("conf/seed002_1.conf", NULL);
	struct outcome o;

	(void)state;
	o = plan_of(c, "test03", ARGS("--force", "primary", "r0"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	assert_non_null(strstr(o.cli_err, "unknown option '--force'"));
	outcome_free(&o);
	o = plan_of(c, "test03", ARGS("secondary", "--force", "r0"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	assert_non_null(strstr(o.cli_err, "secondary does not take --force"));
	outcome_free(&o);
	o = plan_of(c, "test03", ARGS("net-options", "--resync-rate=1", "r0"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	outcome_free(&o);
	o = plan_of(c, "test03", ARGS("net-options", "--no-such=1", "r0"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	outcome_free(&o);
	o = plan_of(c, "test03", ARGS("primary", "--force=maybe", "r0"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	outcome_free(&o);
	o = plan_of(c, "test03", ARGS("-c"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	outcome_free(&o);
	o = plan_of(c, "test03", ARGS("-d"));
	assert_int_equal(o.rc, ADM_EXIT_USAGE);
	assert_non_null(strstr(o.cli_err, "no verb"));
	outcome_free(&o);
	conf_free(c);
}

static void command_line_parts(void **state)
{
	char *argv[] = { "tandemadm", "-c", "/x.conf", "--host=h", "-d",
			 "wait-connect", "--timeout", "7", "r0", "--", "-odd",
			 NULL };
	struct adm_cmdline cl;
	struct adm_vopts vo;

	(void)state;
	assert_int_equal(adm_cli_parse(&cl, 11, argv, stderr), ADM_CLI_GO);
	assert_string_equal(cl.conf_path, "/x.conf");
	assert_string_equal(cl.host, "h");
	assert_true(cl.dry_run);
	assert_string_equal(cl.verb, "wait-connect");
	assert_int_equal(cl.nres, 2);
	assert_string_equal(cl.res[0], "r0");
	assert_string_equal(cl.res[1], "-odd");
	assert_int_equal(adm_cli_verb_options(&cl, adm_verb_find(cl.verb),
					      &vo, stderr), ADM_CLI_GO);
	assert_int_equal(vo.timeout, 7);
	adm_cli_free(&cl, &vo);

	argv[1] = "--help";
	assert_int_equal(adm_cli_parse(&cl, 2, argv, stderr), ADM_CLI_HELP);
	adm_cli_free(&cl, NULL);
	argv[1] = "-V";
	assert_int_equal(adm_cli_parse(&cl, 2, argv, stderr),
			 ADM_CLI_VERSION);
	adm_cli_free(&cl, NULL);
	assert_non_null(adm_verb_find("state"));	/* 8.3 role */
	assert_null(adm_verb_find("split-brain"));	/* a handler */
}

/* ---- handlers ---------------------------------------------------------- */

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static void free_env(char **env)
{
	char **e;

	for (e = env; *e; e++)
		free(*e);
	free(env);
}

static void handler_environment(void **state)
{
	struct conf *c = load("t.conf", conns_conf);
	struct adm_handler_in in = { "1", "0", "9" };
	struct adm_res ar;
	char err[256], **env;
	size_t n;

	(void)state;
	assert_int_equal(adm_res_init(&ar, c->res[0], "a", err, sizeof(err)),
			 0);
	env = adm_handler_env(&ar, "/etc/tandem.conf", &in, &n);
	assert_int_equal(n, 18);
	assert_string_equal(env_get(env, "TANDEM_RESOURCE"), "r");
	assert_string_equal(env_get(env, "DRBD_RESOURCE"), "r");
	assert_string_equal(env_get(env, "TANDEM_MINOR"), "1");
	assert_string_equal(env_get(env, "DRBD_MINOR"), "1");
	assert_string_equal(env_get(env, "TANDEM_VOLUME"), "0");
	assert_string_equal(env_get(env, "TANDEM_PEER_NODE_ID"), "9");
	assert_string_equal(env_get(env, "TANDEM_CONF"), "/etc/tandem.conf");
	assert_string_equal(env_get(env, "TANDEM_BACKING_DEV"), "/dev/a0");
	assert_string_equal(env_get(env, "DRBD_BACKING_DEV"), "/dev/a0");
	assert_string_equal(env_get(env, "TANDEM_PEER"), "c");
	assert_string_equal(env_get(env, "TANDEM_PEER_ADDRESS"), "fd00::3");
	assert_string_equal(env_get(env, "DRBD_PEER_ADDRESS"), "fd00::3");
	assert_string_equal(env_get(env, "TANDEM_PEER_AF"), "ipv6");
	free_env(env);

	/* the kernel's -1 (not about a device or peer): with two peers
	 * and two volumes nothing more is known; the diskless volume has
	 * no backing device */
	in.minor = "-1";
	in.volume = "-1";
	in.peer_node_id = "-1";
	env = adm_handler_env(&ar, "/c", &in, &n);
	assert_string_equal(env_get(env, "TANDEM_MINOR"), "-1");
	assert_null(env_get(env, "TANDEM_BACKING_DEV"));
	assert_null(env_get(env, "TANDEM_PEER_ADDRESS"));
	free_env(env);
	in.minor = "2";
	env = adm_handler_env(&ar, "/c", &in, &n);
	assert_null(env_get(env, "TANDEM_BACKING_DEV"));
	free_env(env);
	adm_res_free(&ar);
	conf_free(c);

	/* one volume, one peer: found without help */
	c = load("conf/seed002_1.conf", NULL);
	assert_int_equal(adm_res_init(&ar, c->res[0], "test04", err,
				      sizeof(err)), 0);
	memset(&in, 0, sizeof(in));
	env = adm_handler_env(&ar, "/c", &in, &n);
	assert_string_equal(env_get(env, "TANDEM_MINOR"), "0");
	assert_string_equal(env_get(env, "TANDEM_VOLUME"), "0");
	assert_string_equal(env_get(env, "TANDEM_PEER_NODE_ID"), "0");
	assert_string_equal(env_get(env, "TANDEM_BACKING_DEV"), "/dev/sdb1");
	assert_string_equal(env_get(env, "TANDEM_PEER"), "test03");
	assert_string_equal(env_get(env, "DRBD_PEER_ADDRESS"), "192.168.1.3");
	assert_string_equal(env_get(env, "DRBD_PEER_AF"), "ipv4");
	free_env(env);
	adm_res_free(&ar);

	/* no section for this host: the resource and the file only */
	memset(&ar, 0, sizeof(ar));
	ar.r = c->res[0];
	env = adm_handler_env(&ar, "/c", &in, &n);
	assert_int_equal(n, 4);
	assert_string_equal(env_get(env, "DRBD_RESOURCE"), "r0");
	free_env(env);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed001_up_both_nodes),
		cmocka_unit_test(seed001_net_options_override),
		cmocka_unit_test(seed002_every_plan_verb),
		cmocka_unit_test(seed002_83_forms),
		cmocka_unit_test(seed002_second_file),
		cmocka_unit_test(seed004_up_all),
		cmocka_unit_test(seed004_meta_commands_quoted),
		cmocka_unit_test(connections_and_mesh),
		cmocka_unit_test(quoting),
		cmocka_unit_test(quoting_in_plans),
		cmocka_unit_test(missing_host_section),
		cmocka_unit_test(node_ids_and_addresses),
		cmocka_unit_test(command_line_errors),
		cmocka_unit_test(command_line_parts),
		cmocka_unit_test(handler_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
