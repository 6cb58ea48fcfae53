// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tandemsetup without a kernel: parsing of arguments,
 * options, addresses, sizes and meta-data indexes (utils/setup/parse.c,
 * options.c, verbs.c), the netlink requests built from them (msg.c,
 * checked attribute by attribute, never sent), and the status, show and
 * events output of replies laid out as the kernel sends them
 * (objparse.c, fields.c, format.c), and the reply handling of nl.c
 * against a fake kernel: a second netlink socket in a thread that
 * answers like the kernel does (acks, errors with extended-ack text,
 * dumps ending in NLMSG_DONE).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kernel/lib/after_sb.h"
#include "kernel/uapi/tandem_genl.h"
#include "kernel/uapi/tandem_version.h"
#include "setup/format.h"
#include "setup/msg.h"
#include "setup/nl.h"
#include "setup/objparse.h"
#include "setup/parse.h"
#include "setup/verbs.h"

#define FAMILY 0x1d

/* assert that @msg contains @part */
#define assert_contains(msg, part) \
	do { \
		if (!strstr((msg), (part))) \
			fail_msg("'%s' does not contain '%s'", (msg), (part)); \
	} while (0)

/* ---- addresses ------------------------------------------------------- */

static const struct sockaddr_in *v4(const struct ts_addr *a)
{
	return (const struct sockaddr_in *)&a->ss;
}

static const struct sockaddr_in6 *v6(const struct ts_addr *a)
{
	return (const struct sockaddr_in6 *)&a->ss;
}

static void addr_ipv4_forms(void **state)
{
	const char *forms[] = { "192.0.2.1:7789", "ipv4:192.0.2.1:7789" };
	struct ts_addr a;
	struct ts_err e;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(ts_parse_addr("X", forms[i], &a, &e), 0);
		assert_int_equal(a.len, sizeof(struct sockaddr_in));
		assert_int_equal(v4(&a)->sin_family, AF_INET);
		assert_int_equal(ntohs(v4(&a)->sin_port), 7789);
		assert_int_equal(ntohl(v4(&a)->sin_addr.s_addr), 0xc0000201);
	}
	assert_int_equal(ts_parse_addr("X", "127.0.0.1:1", &a, &e), 0);
	assert_int_equal(ntohs(v4(&a)->sin_port), 1);
	assert_int_equal(ts_parse_addr("X", "0.0.0.0:65535", &a, &e), 0);
	assert_int_equal(ntohs(v4(&a)->sin_port), 65535);
}

static void addr_ipv6_forms(void **state)
{
	const char *forms[] = { "[2001:db8::1]:7789",
				"ipv6:[2001:db8::1]:7789" };
	struct in6_addr want;
	struct ts_addr a;
	struct ts_err e;
	size_t i;

	(void)state;
	inet_pton(AF_INET6, "2001:db8::1", &want);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ts_parse_addr("X", forms[i], &a, &e), 0);
		assert_int_equal(a.len, sizeof(struct sockaddr_in6));
		assert_int_equal(v6(&a)->sin6_family, AF_INET6);
		assert_int_equal(ntohs(v6(&a)->sin6_port), 7789);
		assert_memory_equal(&v6(&a)->sin6_addr, &want, sizeof(want));
		assert_int_equal(v6(&a)->sin6_scope_id, 0);
	}
	assert_int_equal(ts_parse_addr("X", "[::1]:7789", &a, &e), 0);
	assert_int_equal(v6(&a)->sin6_addr.s6_addr[15], 1);
	assert_int_equal(ts_parse_addr("X", "[fe80::1%3]:7789", &a, &e), 0);
	assert_int_equal(v6(&a)->sin6_scope_id, 3);
	assert_int_equal(ts_parse_addr("X", "[::ffff:192.0.2.1]:9", &a, &e), 0);
	assert_int_equal(v6(&a)->sin6_family, AF_INET6);
}

static void addr_errors(void **state)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "", "empty address" },
		{ "192.0.2.1", "missing port" },
		{ "192.0.2.1:", "missing port" },
		{ "[2001:db8::1]", "missing port" },
		{ "ipv6:[::1]", "missing port" },
		{ "192.0.2.1:0", "out of range" },
		{ "192.0.2.1:65536", "out of range" },
		{ "192.0.2.1:99999999999999999999999", "not a number" },
		{ "192.0.2.1:77x", "not a number" },
		{ "192.0.2.1:-1", "not a number" },
		{ "192.0.2.256:7789", "not a numeric IPv4 address" },
		{ "alpha.example:7789", "not a numeric IPv4 address" },
		{ ":7789", "not a numeric IPv4 address" },
		{ "ipv4:[::1]:7789", "not a numeric IPv4 address" },
		{ "2001:db8::1:7789", "in brackets" },
		{ "ipv6:192.0.2.1:7789", "in brackets" },
		{ "[2001:db8::1:7789", "missing ']'" },
		{ "[2001:db8::1]7789", "expected ':' after ']'" },
		{ "[zz::1]:7789", "not a numeric IPv6 address" },
		{ "[]:7789", "not a numeric IPv6 address" },
		{ "[fe80::1%]:7789", "empty scope" },
		{ "[fe80::1%no-such-if0]:7789", "no interface" },
		{ "sdp:192.0.2.1:7789", "unsupported address family 'sdp'" },
		{ "ssocks:192.0.2.1:7789", "unsupported address family" },
	};
	struct ts_addr a;
	struct ts_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ts_parse_addr("PEER_ADDR", bad[i].in, &a, &e) != -1)
			fail_msg("'%s' accepted", bad[i].in);
		assert_contains(e.msg, "PEER_ADDR");
		assert_contains(e.msg, bad[i].msg);
	}
}

static void addr_format(void **state)
{
	static const char * const in[] = {
		"192.0.2.1:7789", "[2001:db8::1]:7789", "[fe80::1%3]:1",
	};
	static const char * const out[] = {
		"ipv4 192.0.2.1:7789", "ipv6 [2001:db8::1]:7789",
		"ipv6 [fe80::1%3]:1",
	};
	char buf[TS_ADDR_STRLEN];
	struct ts_addr a;
	struct ts_err e;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(ts_parse_addr("X", in[i], &a, &e), 0);
		assert_string_equal(ts_format_addr((struct sockaddr *)&a.ss,
						   a.len, false, buf,
						   sizeof(buf)), in[i]);
		assert_string_equal(ts_format_addr((struct sockaddr *)&a.ss,
						   a.len, true, buf,
						   sizeof(buf)), out[i]);
	}
	/* too short for its family */
	assert_string_equal(ts_format_addr((struct sockaddr *)&a.ss, 4, false,
					   buf, sizeof(buf)), "?");
}

/* ---- numbers, sizes, rates ------------------------------------------- */

static void u32_numbers(void **state)
{
	static const char * const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "4294967296",
		"18446744073709551616", "99999999999999999999999999",
	};
	struct ts_err e;
	uint32_t u;
	size_t i;

	(void)state;
	assert_int_equal(ts_parse_u32("--ko-count", "0", &u, &e), 0);
	assert_int_equal(u, 0);
	assert_int_equal(ts_parse_u32("--ko-count", "007", &u, &e), 0);
	assert_int_equal(u, 7);
	assert_int_equal(ts_parse_u32("--ko-count", "4294967295", &u, &e), 0);
	assert_int_equal(u, UINT32_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u = 42;
		if (ts_parse_u32("--ko-count", bad[i], &u, &e) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(u, 42);
		assert_contains(e.msg, "--ko-count");
	}
	assert_int_equal(ts_parse_u32("N", "4294967296", &u, &e), -1);
	assert_contains(e.msg, "out of range");
	assert_int_equal(ts_parse_u32("N", "abc", &u, &e), -1);
	assert_contains(e.msg, "not a number");
	assert_int_equal(ts_parse_u32("N", NULL, &u, &e), -1);
}

static void resize_sizes(void **state)
{
	static const struct {
		const char *in;
		uint64_t want;	/* sectors; 0: refused */
	} cases[] = {
		{ "8", 8 },
		{ "2097152", 2097152 },
		{ "4K", 8 },
		{ "96M", 196608 },
		{ "10G", 20971520 },
		{ "2T", 4294967296ULL },
		{ "0", 0 },
		{ "7", 0 },
		{ "6K", 0 },
		{ "1P", 0 },
		{ "1GB", 0 },
		{ "-4K", 0 },
		{ "", 0 },
		{ "99999999999999999999", 0 },
		{ "17179869184T", 0 },
	};
	struct ts_err e;
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = ts_parse_size64("--size", cases[i].in, &v, &e);

		if (cases[i].want) {
			if (rc)
				fail_msg("'%s' refused: %s", cases[i].in, e.msg);
			assert_int_equal(v, cases[i].want);
		} else if (!rc) {
			fail_msg("'%s' accepted", cases[i].in);
		}
	}
}

static void scaled_sizes(void **state)
{
	static const struct {
		const char *in;
		unsigned int unit;
		uint32_t want;
	} good[] = {
		{ "0", 1, 0 },
		{ "4096", 1, 4096 },
		{ "64K", 1, 65536 },
		{ "64k", 1, 65536 },
		{ "1M", 1, 1048576 },
		{ "1m", 1, 1048576 },
		{ "1G", 1, 1073741824 },
		{ "3G", 1, 3221225472u },
		{ "4194303K", 1, 4294966272u },
		{ "4294967295", 1, UINT32_MAX },
		{ "512", 512, 512 },		/* plain: sectors */
		{ "1K", 512, 2 },
		{ "1M", 512, 2048 },
		{ "1G", 512, 2097152 },
		{ "100", 1024, 100 },		/* plain: KiB/s */
		{ "100K", 1024, 100 },
		{ "10M", 1024, 10240 },
		{ "1G", 1024, 1048576 },
		{ "4095G", 1024, 4293918720u },
	};
	static const struct {
		const char *in;
		unsigned int unit;
		const char *msg;
	} bad[] = {
		{ "4G", 1, "out of range" },
		{ "4194304K", 1, "out of range" },
		{ "4294967296", 1, "out of range" },
		{ "4096G", 1024, "out of range" },
		{ "8796093022208G", 512, "out of range" },
		{ "17179869184G", 1024, "out of range" },	/* << 30 overflows */
		{ "99999999999999999999K", 1, "out of range" },
		{ "1T", 1, "suffix K, M or G" },
		{ "1KB", 1, "suffix K, M or G" },
		{ "1MiB", 1024, "suffix K, M or G" },
		{ "1 M", 1, "suffix K, M or G" },
		{ "K", 1, "not a number" },
		{ "-1K", 1, "not a number" },
		{ "", 1, "empty" },
	};
	struct ts_err e;
	uint32_t u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (ts_parse_scaled("--x", good[i].in, good[i].unit, &u, &e))
			fail_msg("'%s' (unit %u) refused: %s", good[i].in,
				 good[i].unit, e.msg);
		assert_int_equal(u, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ts_parse_scaled("--sndbuf-size", bad[i].in, bad[i].unit,
				    &u, &e) != -1)
			fail_msg("'%s' accepted", bad[i].in);
		assert_contains(e.msg, "--sndbuf-size");
		assert_contains(e.msg, bad[i].msg);
	}
}

static void yes_no_protocol_ioerror(void **state)
{
	struct ts_err e;
	uint32_t u;
	bool b;

	(void)state;
	assert_int_equal(ts_parse_yesno("--x", "yes", &b, &e), 0);
	assert_true(b);
	assert_int_equal(ts_parse_yesno("--x", "no", &b, &e), 0);
	assert_false(b);
	assert_int_equal(ts_parse_yesno("--x", "Yes", &b, &e), -1);
	assert_contains(e.msg, "neither yes nor no");
	assert_int_equal(ts_parse_yesno("--x", "1", &b, &e), -1);
	assert_int_equal(ts_parse_yesno("--x", "", &b, &e), -1);

	assert_int_equal(ts_parse_protocol("--protocol", "A", &u, &e), 0);
	assert_int_equal(u, TANDEM_PROT_A);
	assert_int_equal(ts_parse_protocol("--protocol", "b", &u, &e), 0);
	assert_int_equal(u, TANDEM_PROT_B);
	assert_int_equal(ts_parse_protocol("--protocol", "C", &u, &e), 0);
	assert_int_equal(u, TANDEM_PROT_C);
	assert_int_equal(ts_parse_protocol("--protocol", "D", &u, &e), -1);
	assert_contains(e.msg, "--protocol: 'D' is not a replication protocol");
	assert_int_equal(ts_parse_protocol("--protocol", "AB", &u, &e), -1);
	assert_int_equal(ts_parse_protocol("--protocol", "3", &u, &e), -1);
	assert_int_equal(ts_parse_protocol("--protocol", "", &u, &e), -1);

	assert_int_equal(ts_parse_on_io_error("--x", "detach", &u, &e), 0);
	assert_int_equal(u, TANDEM_IOERR_DETACH);
	assert_int_equal(ts_parse_on_io_error("--x", "pass_on", &u, &e), 0);
	assert_int_equal(u, TANDEM_IOERR_PASS_ON);
	assert_int_equal(ts_parse_on_io_error("--x", "call-local-io-error",
					      &u, &e), 0);
	assert_int_equal(u, TANDEM_IOERR_CALL_HANDLER);
	assert_int_equal(ts_parse_on_io_error("--x", "panic", &u, &e), -1);
	assert_string_equal(ts_on_io_error_name(TANDEM_IOERR_PASS_ON),
			    "pass_on");
	assert_string_equal(ts_on_io_error_name(99), "?");
}

static void ids_names_paths(void **state)
{
	char name[TANDEM_RESOURCE_NAME_MAX], path[TANDEM_PATH_MAX];
	char longer[300];
	struct ts_err e;
	uint32_t u;

	(void)state;
	assert_int_equal(ts_parse_node_id("NODE_ID", "0", &u, &e), 0);
	assert_int_equal(ts_parse_node_id("NODE_ID", "31", &u, &e), 0);
	assert_int_equal(u, 31);
	assert_int_equal(ts_parse_node_id("NODE_ID", "32", &u, &e), -1);
	assert_contains(e.msg, "NODE_ID: '32' is out of range (0 .. 31)");
	assert_int_equal(ts_parse_minor("MINOR", "1048575", &u, &e), 0);
	assert_int_equal(ts_parse_minor("MINOR", "1048576", &u, &e), -1);
	assert_contains(e.msg, "MINOR");

	assert_int_equal(ts_parse_resource("RES", "r0", name, &e), 0);
	assert_string_equal(name, "r0");
	memset(longer, 'a', 63);
	longer[63] = '\0';
	assert_int_equal(ts_parse_resource("RES", longer, name, &e), 0);
	longer[63] = 'a';
	longer[64] = '\0';
	assert_int_equal(ts_parse_resource("RES", longer, name, &e), -1);
	assert_contains(e.msg, "longer than 63");
	assert_int_equal(ts_parse_resource("RES", "", name, &e), -1);
	assert_int_equal(ts_parse_resource("RES", "a b", name, &e), -1);
	assert_int_equal(ts_parse_resource("RES", "a/b", name, &e), -1);
	assert_int_equal(ts_parse_resource("RES", "-r0", name, &e), -1);
	assert_int_equal(ts_parse_resource("RES", "r\n", name, &e), -1);
	assert_contains(e.msg, "RES");

	assert_int_equal(ts_parse_path("BACKING_DEV", "/dev/vdb", path, &e), 0);
	assert_string_equal(path, "/dev/vdb");
	assert_int_equal(ts_parse_path("BACKING_DEV", "vdb", path, &e), -1);
	assert_contains(e.msg, "BACKING_DEV: 'vdb' is not an absolute path");
	assert_int_equal(ts_parse_path("BACKING_DEV", "", path, &e), -1);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = '/';
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(ts_parse_path("BACKING_DEV", longer, path, &e), -1);
	assert_contains(e.msg, "longer than 255");
}

static void meta_index_forms(void **state)
{
	char dev[TANDEM_PATH_MAX];
	struct ts_err e;
	int32_t idx;

	(void)state;
	assert_int_equal(ts_parse_meta("internal", "internal", dev, &idx, &e), 0);
	assert_string_equal(dev, "internal");
	assert_int_equal(idx, -1);
	assert_int_equal(ts_parse_meta("/dev/vdc", "flexible", dev, &idx, &e), 0);
	assert_string_equal(dev, "/dev/vdc");
	assert_int_equal(idx, -1);
	assert_int_equal(ts_parse_meta("/dev/vdc", "0", dev, &idx, &e), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(ts_parse_meta("/dev/vdc", "7", dev, &idx, &e), 0);
	assert_int_equal(idx, 7);
	assert_int_equal(ts_parse_meta("/dev/vdc", "2147483647", dev, &idx,
				       &e), 0);
	assert_int_equal(idx, INT32_MAX);

	assert_int_equal(ts_parse_meta("/dev/vdc", "2147483648", dev, &idx,
				       &e), -1);
	assert_contains(e.msg, "META_INDEX");
	assert_int_equal(ts_parse_meta("internal", "0", dev, &idx, &e), -1);
	assert_contains(e.msg, "META_INDEX");
	assert_int_equal(ts_parse_meta("internal", "flexible", dev, &idx,
				       &e), -1);
	assert_int_equal(ts_parse_meta("/dev/vdc", "internal", dev, &idx,
				       &e), -1);
	assert_contains(e.msg, "needs META_DEV 'internal'");
	assert_int_equal(ts_parse_meta("/dev/vdc", "-1", dev, &idx, &e), -1);
	assert_contains(e.msg, "none of internal, flexible or an index");
	assert_int_equal(ts_parse_meta("/dev/vdc", "flex", dev, &idx, &e), -1);
	assert_int_equal(ts_parse_meta("vdc", "0", dev, &idx, &e), -1);
	assert_contains(e.msg, "META_DEV");
}

/* ---- command lines --------------------------------------------------- */

static struct ts_request req;

/* Parse "VERB args..." (space-separated) into req; returns 0/-1. */
static int cmdline(const char *line, struct ts_err *e)
{
	char buf[512], *argv[32], *tok, *save = NULL;
	const struct ts_verb *verb;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 32;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	verb = ts_verb_find(argv[0]);
	if (!verb)
		fail_msg("no verb %s", argv[0]);
	return ts_parse_request(verb, argc - 1, argv + 1, &req, e);
}

static void expect_usage_error(const char *line, const char *part)
{
	struct ts_err e;

	if (cmdline(line, &e) != -1)
		fail_msg("accepted: %s", line);
	assert_contains(e.msg, part);
}

static void every_verb_parses(void **state)
{
	static const char * const lines[] = {
		"new-resource r0 0",
		"new-resource r0 31 --auto-promote=yes",
		"resource-options r0 --auto-promote=no",
		"del-resource r0",
		"new-minor r0 0 0",
		"del-minor 0",
		"attach 0 /dev/vdb internal internal",
		"attach 0 /dev/vdb /dev/vdc flexible --al-extents=6433",
		"attach 0 /dev/vdb /dev/vdc 3",
		"detach 0",
		"disk-options 0",
		"disk-options 0 --on-io-error=pass_on",
		"resync-rate 0 10M",
		"connect r0 1 192.0.2.1:7789 192.0.2.2:7789",
		"connect r0 1 [::1]:7789 ipv6:[::1]:7790 --protocol=A",
		"connect r0 1 192.0.2.1:7789 192.0.2.2:7789 --discard-my-data",
		"disconnect r0 1",
		"net-options r0 1 --protocol=B",
		"net-options r0 1",
		"primary r0",
		"primary r0 --force",
		"primary r0 --force=yes",
		"secondary r0",
		"invalidate 0",
		"invalidate-remote 0",
		"pause-sync 0 1",
		"resume-sync 0 1",
		"verify 0 1",
		"outdate 0",
		"resize 0",
		"resize 0 --size=10G",
		"resize 0 --size 2097152",
		"down r0",
		"status",
		"status r0 --json --verbose",
		"show",
		"show r0",
		"events",
		"events --now",
		"events r0 --now",
	};
	size_t i, n;
	struct ts_err e;
	const struct ts_verb *v = ts_verbs(&n);

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (cmdline(lines[i], &e))
			fail_msg("'%s' refused: %s", lines[i], e.msg);
	/* and the list above names every verb */
	for (i = 0; i < n; i++) {
		size_t j, len = strlen(v[i].name);

		for (j = 0; j < sizeof(lines) / sizeof(lines[0]); j++)
			if (!strncmp(lines[j], v[i].name, len) &&
			    lines[j][len] == ' ')
				break;
		if (j == sizeof(lines) / sizeof(lines[0]) &&
		    strcmp(v[i].name, "status") && strcmp(v[i].name, "show") &&
		    strcmp(v[i].name, "events"))
			fail_msg("verb %s untested", v[i].name);
	}
}

static void positional_values(void **state)
{
	struct ts_err e;

	(void)state;
	assert_int_equal(cmdline("new-minor r7 12 3", &e), 0);
	assert_string_equal(req.resource, "r7");
	assert_int_equal(req.minor, 12);
	assert_int_equal(req.volume, 3);

	assert_int_equal(cmdline("attach 4 /dev/vdb /dev/vdc 2", &e), 0);
	assert_int_equal(req.minor, 4);
	assert_string_equal(req.backing_dev, "/dev/vdb");
	assert_string_equal(req.meta_dev, "/dev/vdc");
	assert_int_equal(req.meta_index, 2);

	assert_int_equal(cmdline("pause-sync 4 9", &e), 0);
	assert_int_equal(req.minor, 4);
	assert_int_equal(req.peer_node_id, 9);

	/* A fixed rate: the dynamic controller is turned off with it. */
	assert_int_equal(cmdline("resync-rate 0 10M", &e), 0);
	assert_int_equal(req.opts[TS_GRP_DISK].have,
			 1u << TANDEM_DISK_RESYNC_RATE |
			 1u << TANDEM_DISK_C_PLAN_AHEAD);
	assert_int_equal(req.opts[TS_GRP_DISK].u[TANDEM_DISK_C_PLAN_AHEAD], 0);
	assert_int_equal(req.opts[TS_GRP_DISK].u[TANDEM_DISK_RESYNC_RATE],
			 10240);

	assert_int_equal(cmdline("status", &e), 0);
	assert_false(req.have_resource);
	assert_int_equal(cmdline("status r1 --json", &e), 0);
	assert_true(req.have_resource);
	assert_true(req.json);
	assert_false(req.verbose);
}

static void net_options_each_kind(void **state)
{
	const struct ts_optset *net = &req.opts[TS_GRP_NET];
	struct ts_err e;

	(void)state;
	assert_int_equal(cmdline("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
				 "--protocol=B --transport rdma "
				 "--allow-two-primaries --cram-hmac-alg=sha256 "
				 "--shared-secret=s3cr3t --data-integrity-alg= "
				 "--verify-alg sha1 "
				 "--timeout=90 --connect-int 7 --ping-int=3 "
				 "--ping-timeout=15 --ko-count=0 "
				 "--sndbuf-size=512K --rcvbuf-size=2M "
				 "--max-buffers=8000 --max-epoch-size=100 "
				 "--after-sb-0pri=discard-zero-changes "
				 "--after-sb-1pri consensus "
				 "--after-sb-2pri=call-pri-lost-after-sb",
				 &e), 0);
	assert_int_equal(net->u[TANDEM_NET_PROTOCOL], TANDEM_PROT_B);
	assert_string_equal(net->s[TANDEM_NET_TRANSPORT], "rdma");
	assert_int_equal(net->u[TANDEM_NET_ALLOW_TWO_PRIMARIES], 1);
	assert_string_equal(net->s[TANDEM_NET_CRAM_HMAC_ALG], "sha256");
	assert_string_equal(net->s[TANDEM_NET_SHARED_SECRET], "s3cr3t");
	assert_int_equal(net->len[TANDEM_NET_SHARED_SECRET], 6);
	assert_string_equal(net->s[TANDEM_NET_DATA_INTEGRITY_ALG], "");
	assert_string_equal(net->s[TANDEM_NET_VERIFY_ALG], "sha1");
	assert_int_equal(net->u[TANDEM_NET_TIMEOUT], 90);
	assert_int_equal(net->u[TANDEM_NET_CONNECT_INT], 7);
	assert_int_equal(net->u[TANDEM_NET_PING_INT], 3);
	assert_int_equal(net->u[TANDEM_NET_PING_TIMEOUT], 15);
	assert_int_equal(net->u[TANDEM_NET_KO_COUNT], 0);
	assert_int_equal(net->u[TANDEM_NET_SNDBUF_SIZE], 524288);
	assert_int_equal(net->u[TANDEM_NET_RCVBUF_SIZE], 2097152);
	assert_int_equal(net->u[TANDEM_NET_MAX_BUFFERS], 8000);
	assert_int_equal(net->u[TANDEM_NET_MAX_EPOCH_SIZE], 100);
	assert_int_equal(net->u[TANDEM_NET_AFTER_SB_0PRI],
			 TANDEM_ASB_DISCARD_ZERO_CHG);
	assert_int_equal(net->u[TANDEM_NET_AFTER_SB_1PRI], TANDEM_ASB_CONSENSUS);
	assert_int_equal(net->u[TANDEM_NET_AFTER_SB_2PRI],
			 TANDEM_ASB_CALL_HELPER);
	/* every net option was given once */
	assert_int_equal(net->have, ((1u << (TANDEM_NET_MAX + 1)) - 1) & ~1u);
	assert_int_equal(req.opts[TS_GRP_DISK].have, 0);
	/* a policy of another option is refused, with the choices */
	assert_int_equal(cmdline("net-options r0 1 --after-sb-1pri=discard-local",
				 &e), -1);
	assert_non_null(strstr(e.msg, "consensus"));

	assert_int_equal(cmdline("net-options r0 1 --allow-two-primaries=no",
				 &e), 0);
	assert_int_equal(net->have, 1u << TANDEM_NET_ALLOW_TWO_PRIMARIES);
	assert_int_equal(net->u[TANDEM_NET_ALLOW_TWO_PRIMARIES], 0);
}

static void disk_options_each_kind(void **state)
{
	const struct ts_optset *disk = &req.opts[TS_GRP_DISK];
	struct ts_err e;

	(void)state;
	assert_int_equal(cmdline("attach 0 /dev/vdb internal internal "
				 "--resync-rate=100M --c-plan-ahead=30 "
				 "--c-fill-target=1M --c-delay-target=20 "
				 "--c-max-rate=1G --c-min-rate 4096 "
				 "--al-extents=6433 --on-io-error "
				 "call-local-io-error --disk-barrier=yes "
				 "--disk-flushes=no --md-flushes "
				 "--resync-after=3 --disk-timeout=50", &e), 0);
	assert_int_equal(disk->u[TANDEM_DISK_RESYNC_RATE], 102400);
	assert_int_equal(disk->u[TANDEM_DISK_C_PLAN_AHEAD], 30);
	assert_int_equal(disk->u[TANDEM_DISK_C_FILL_TARGET], 2048);
	assert_int_equal(disk->u[TANDEM_DISK_C_DELAY_TARGET], 20);
	assert_int_equal(disk->u[TANDEM_DISK_C_MAX_RATE], 1048576);
	assert_int_equal(disk->u[TANDEM_DISK_C_MIN_RATE], 4096);
	assert_int_equal(disk->u[TANDEM_DISK_AL_EXTENTS], 6433);
	assert_int_equal(disk->u[TANDEM_DISK_ON_IO_ERROR],
			 TANDEM_IOERR_CALL_HANDLER);
	assert_int_equal(disk->u[TANDEM_DISK_BARRIER], 1);
	assert_int_equal(disk->u[TANDEM_DISK_FLUSHES], 0);
	assert_int_equal(disk->u[TANDEM_DISK_MD_FLUSHES], 1);
	assert_int_equal(disk->u[TANDEM_DISK_RESYNC_AFTER], 3);
	assert_int_equal(disk->u[TANDEM_DISK_TIMEOUT], 50);
	assert_int_equal(disk->have, ((1u << (TANDEM_DISK_MAX + 1)) - 1) & ~1u);
	assert_int_equal(cmdline("disk-options 0 --resync-after=-1", &e), 0);
	assert_int_equal(disk->u[TANDEM_DISK_RESYNC_AFTER], TANDEM_NO_MINOR);
	assert_int_equal(cmdline("disk-options 0 --resync-after none", &e), 0);
	assert_int_equal(disk->u[TANDEM_DISK_RESYNC_AFTER], TANDEM_NO_MINOR);
	assert_int_equal(cmdline("disk-options 0 --resync-after=x", &e), -1);
	/* the 8.3 name of resync-rate */
	assert_int_equal(cmdline("disk-options 0 --rate=40M", &e), 0);
	assert_int_equal(disk->have, 1u << TANDEM_DISK_RESYNC_RATE);
	assert_int_equal(disk->u[TANDEM_DISK_RESYNC_RATE], 40960);

	assert_int_equal(cmdline("new-resource r0 1 --auto-promote=yes", &e), 0);
	assert_int_equal(req.opts[TS_GRP_RES].u[TANDEM_RES_AUTO_PROMOTE], 1);
	assert_int_equal(req.opts[TS_GRP_RES].have,
			 1u << TANDEM_RES_AUTO_PROMOTE);
}

static void usage_errors(void **state)
{
	char line[256];

	(void)state;
	expect_usage_error("connect r0 1 192.0.2.1:7789", "missing argument PEER_ADDR");
	expect_usage_error("new-minor r0 0", "missing argument VOLUME");
	expect_usage_error("attach 0 /dev/vdb internal", "missing argument META_INDEX");
	expect_usage_error("del-minor", "missing argument MINOR");
	expect_usage_error("down r0 r1", "unexpected argument 'r1'");
	expect_usage_error("status r0 r1", "unexpected argument 'r1'");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 --bogus",
			   "unknown option '--bogus'");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 -x",
			   "unknown option '-x'");
	expect_usage_error("attach 0 /dev/vdb internal internal --protocol=C",
			   "option '--protocol' does not apply to attach");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--resync-rate=1M", "does not apply to connect");
	expect_usage_error("secondary r0 --force", "does not apply to secondary");
	expect_usage_error("status --now", "does not apply to status");
	expect_usage_error("events --json", "does not apply to events");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 --protocol=D",
			   "--protocol: 'D' is not a replication protocol");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 --timeout",
			   "--timeout: missing value");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--timeout=4294967296", "--timeout: '4294967296' is out of range");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--timeout=6s", "--timeout: '6s' is not a number");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--allow-two-primaries=maybe", "neither yes nor no");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--transport=RDMA", "not a transport name");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--transport=", "not a transport name");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--cram-hmac-alg=a\tb", "printable");
	expect_usage_error("connect r0 1 192.0.2.1:7789 [::1]:7789",
			   "different address families");
	expect_usage_error("connect r0 32 192.0.2.1:7789 192.0.2.2:7789",
			   "PEER_NODE_ID: '32' is out of range");
	expect_usage_error("connect r0 1 192.0.2.1 192.0.2.2:7789",
			   "LOCAL_ADDR: '192.0.2.1': missing port");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:70000",
			   "PEER_ADDR: '192.0.2.2:70000': port 70000 is out of range");
	expect_usage_error("attach 0 /dev/vdb internal 0", "META_INDEX");
	expect_usage_error("attach 0 vdb internal internal",
			   "BACKING_DEV: 'vdb' is not an absolute path");
	expect_usage_error("resync-rate 0 fast", "RATE: 'fast' is not a number");
	expect_usage_error("resync-rate 0 4096G", "RATE: '4096G' is out of range");
	expect_usage_error("new-minor r0 x 0", "MINOR: 'x' is not a number");
	expect_usage_error("del-minor -1", "MINOR: '-1' is not a number");
	expect_usage_error("attach 0 /dev/vdb /dev/vdc -1",
			   "META_INDEX: '-1' is none of internal, flexible");
	expect_usage_error("new-minor r0 0 4294967296", "VOLUME");
	expect_usage_error("primary r0 --force=perhaps", "neither yes nor no");
	expect_usage_error("disk-options 0 --sndbuf-size=5G", "does not apply");
	expect_usage_error("connect r0 1 192.0.2.1:7789 192.0.2.2:7789 "
			   "--sndbuf-size=5G", "--sndbuf-size: '5G' is out of range");

	snprintf(line, sizeof(line), "connect r0 1 192.0.2.1:7789 "
		 "192.0.2.2:7789 --shared-secret=%065d", 0);
	expect_usage_error(line, "--shared-secret: longer than 64 bytes");
}

static void help_and_double_dash(void **state)
{
	struct ts_err e;

	(void)state;
	assert_int_equal(cmdline("connect --help", &e), 0);
	assert_true(req.help);
	assert_int_equal(cmdline("connect r0 -h --bogus", &e), 0);
	assert_true(req.help);
	/* after "--" nothing is an option; a RES may not start with '-' */
	if (cmdline("primary -- --force", &e) != -1)
		fail_msg("'--force' taken as RES");
	assert_contains(e.msg, "RES: resource name '--force' starts with '-'");
	assert_int_equal(cmdline("primary -- r0", &e), 0);
	assert_string_equal(req.resource, "r0");
	assert_false(req.force);
	/* options before positional arguments */
	assert_int_equal(cmdline("primary --force r0", &e), 0);
	assert_true(req.force);
	assert_string_equal(req.resource, "r0");
	assert_int_equal(cmdline("primary --force=no r0", &e), 0);
	assert_false(req.force);
}

/* ---- requests -------------------------------------------------------- */

static struct nl_msg *built;
static struct nlattr *tb[TANDEM_A_MAX + 1];

static struct genlmsghdr *build(const char *line)
{
	struct nlmsghdr *nlh;
	struct ts_err e;

	if (built)
		nlmsg_free(built);
	if (cmdline(line, &e))
		fail_msg("'%s' refused: %s", line, e.msg);
	built = ts_build_request(&req, FAMILY);
	assert_non_null(built);
	nlh = nlmsg_hdr(built);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(genlmsg_parse(nlh, 0, tb, TANDEM_A_MAX, NULL), 0);
	return genlmsg_hdr(nlh);
}

static int count_attrs(void)
{
	int i, n = 0;

	for (i = 0; i <= TANDEM_A_MAX; i++)
		n += tb[i] != NULL;
	return n;
}

static void nested(int attr, struct nlattr **ntb, int max)
{
	assert_non_null(tb[attr]);
	assert_int_equal(nla_parse_nested(ntb, max, tb[attr], NULL), 0);
}

static void request_simple_verbs(void **state)
{
	static const struct {
		const char *line;
		int cmd;
		int nattrs;
	} cases[] = {
		{ "new-resource r0 3", TANDEM_CMD_NEW_RESOURCE, 2 },
		{ "del-resource r0", TANDEM_CMD_DEL_RESOURCE, 1 },
		{ "new-minor r0 5 1", TANDEM_CMD_NEW_MINOR, 3 },
		{ "del-minor 5", TANDEM_CMD_DEL_MINOR, 1 },
		{ "detach 5", TANDEM_CMD_DETACH, 1 },
		{ "disconnect r0 2", TANDEM_CMD_DISCONNECT, 2 },
		{ "primary r0", TANDEM_CMD_PRIMARY, 1 },
		{ "secondary r0", TANDEM_CMD_SECONDARY, 1 },
		{ "down r0", TANDEM_CMD_DOWN, 1 },
		{ "invalidate 5", TANDEM_CMD_INVALIDATE, 1 },
		{ "invalidate-remote 5", TANDEM_CMD_INVALIDATE_REMOTE, 1 },
		{ "pause-sync 5 2", TANDEM_CMD_PAUSE_SYNC, 2 },
		{ "resume-sync 5 2", TANDEM_CMD_RESUME_SYNC, 2 },
		{ "outdate 5", TANDEM_CMD_OUTDATE, 1 },
		{ "verify 5 2", TANDEM_CMD_VERIFY, 3 },
		{ "verify 5 2 4096", TANDEM_CMD_VERIFY, 3 },
	};
	struct genlmsghdr *g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g = build(cases[i].line);
		assert_int_equal(g->cmd, cases[i].cmd);
		assert_int_equal(g->version, TANDEM_GENL_API_VERSION);
		assert_true(nlmsg_hdr(built)->nlmsg_flags & NLM_F_ACK);
		assert_false(nlmsg_hdr(built)->nlmsg_flags & NLM_F_DUMP);
		if (count_attrs() != cases[i].nattrs)
			fail_msg("%s: %d attributes", cases[i].line,
				 count_attrs());
	}
	build("new-minor r0 5 1");
	assert_string_equal(nla_get_string(tb[TANDEM_A_RESOURCE]), "r0");
	assert_int_equal(nla_get_u32(tb[TANDEM_A_MINOR]), 5);
	assert_int_equal(nla_get_u32(tb[TANDEM_A_VOLUME]), 1);
	build("new-resource r0 3");
	assert_int_equal(nla_get_u32(tb[TANDEM_A_NODE_ID]), 3);
	build("pause-sync 5 2");
	assert_int_equal(nla_get_u32(tb[TANDEM_A_MINOR]), 5);
	assert_int_equal(nla_get_u32(tb[TANDEM_A_PEER_NODE_ID]), 2);
	build("verify 5 2 4096");
	assert_int_equal(nla_get_u64(tb[TANDEM_A_VERIFY_START]), 4096);
	build("verify 5 2");
	assert_int_equal(nla_get_u64(tb[TANDEM_A_VERIFY_START]), 0);
	build("primary r0 --force");
	assert_non_null(tb[TANDEM_A_FORCE]);
	assert_int_equal(nla_len(tb[TANDEM_A_FORCE]), 0);
	assert_int_equal(count_attrs(), 2);
	build("primary r0 --force=no");
	assert_null(tb[TANDEM_A_FORCE]);
}

static void request_connect(void **state)
{
	struct nlattr *ntb[TANDEM_NET_MAX + 1];
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_in *sin;
	struct genlmsghdr *g;

	(void)state;
	g = build("connect r0 1 192.0.2.1:7789 192.0.2.2:7790 --protocol=A "
		  "--allow-two-primaries --shared-secret=abc "
		  "--sndbuf-size=1M --transport=tcp --discard-my-data");
	assert_int_equal(g->cmd, TANDEM_CMD_CONNECT);
	assert_string_equal(nla_get_string(tb[TANDEM_A_RESOURCE]), "r0");
	assert_int_equal(nla_get_u32(tb[TANDEM_A_PEER_NODE_ID]), 1);
	assert_int_equal(nla_len(tb[TANDEM_A_LOCAL_ADDR]), sizeof(*sin));
	sin = nla_data(tb[TANDEM_A_LOCAL_ADDR]);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 7789);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0000201);
	sin = nla_data(tb[TANDEM_A_PEER_ADDR]);
	assert_int_equal(ntohs(sin->sin_port), 7790);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0000202);
	assert_non_null(tb[TANDEM_A_DISCARD_MY_DATA]);
	assert_null(tb[TANDEM_A_DISK_OPTS]);
	nested(TANDEM_A_NET_OPTS, ntb, TANDEM_NET_MAX);
	assert_int_equal(nla_len(ntb[TANDEM_NET_PROTOCOL]), 4);
	assert_int_equal(nla_get_u32(ntb[TANDEM_NET_PROTOCOL]), TANDEM_PROT_A);
	assert_int_equal(nla_len(ntb[TANDEM_NET_ALLOW_TWO_PRIMARIES]), 1);
	assert_int_equal(nla_get_u8(ntb[TANDEM_NET_ALLOW_TWO_PRIMARIES]), 1);
	/* secret: the bytes, no NUL */
	assert_int_equal(nla_len(ntb[TANDEM_NET_SHARED_SECRET]), 3);
	assert_memory_equal(nla_data(ntb[TANDEM_NET_SHARED_SECRET]), "abc", 3);
	assert_int_equal(nla_get_u32(ntb[TANDEM_NET_SNDBUF_SIZE]), 1048576);
	assert_string_equal(nla_get_string(ntb[TANDEM_NET_TRANSPORT]), "tcp");
	assert_null(ntb[TANDEM_NET_TIMEOUT]);	/* not given: not sent */

	build("connect r0 1 [2001:db8::1]:7789 ipv6:[2001:db8::2]:7789");
	assert_int_equal(nla_len(tb[TANDEM_A_PEER_ADDR]), sizeof(*sin6));
	sin6 = nla_data(tb[TANDEM_A_PEER_ADDR]);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(sin6->sin6_addr.s6_addr[15], 2);
	assert_null(tb[TANDEM_A_NET_OPTS]);
	assert_null(tb[TANDEM_A_DISCARD_MY_DATA]);

	/* net-options always carries its nest, empty when nothing given */
	g = build("net-options r0 1");
	assert_int_equal(g->cmd, TANDEM_CMD_NET_OPTS);
	assert_non_null(tb[TANDEM_A_NET_OPTS]);
	assert_int_equal(nla_len(tb[TANDEM_A_NET_OPTS]), 0);
}

static void request_attach_and_disk(void **state)
{
	struct nlattr *ntb[TANDEM_DISK_MAX + 1];
	struct genlmsghdr *g;

	(void)state;
	g = build("attach 0 /dev/vdb internal internal --resync-rate=10M "
		  "--disk-flushes=no --on-io-error=pass_on");
	assert_int_equal(g->cmd, TANDEM_CMD_ATTACH);
	assert_int_equal(nla_get_u32(tb[TANDEM_A_MINOR]), 0);
	assert_string_equal(nla_get_string(tb[TANDEM_A_BACKING_DEV]), "/dev/vdb");
	assert_string_equal(nla_get_string(tb[TANDEM_A_META_DEV]), "internal");
	assert_int_equal(nla_len(tb[TANDEM_A_META_INDEX]), 4);
	assert_int_equal(nla_get_s32(tb[TANDEM_A_META_INDEX]), -1);
	nested(TANDEM_A_DISK_OPTS, ntb, TANDEM_DISK_MAX);
	assert_int_equal(nla_get_u32(ntb[TANDEM_DISK_RESYNC_RATE]), 10240);
	assert_int_equal(nla_len(ntb[TANDEM_DISK_FLUSHES]), 1);
	assert_int_equal(nla_get_u8(ntb[TANDEM_DISK_FLUSHES]), 0);
	assert_int_equal(nla_get_u32(ntb[TANDEM_DISK_ON_IO_ERROR]),
			 TANDEM_IOERR_PASS_ON);
	assert_null(ntb[TANDEM_DISK_AL_EXTENTS]);

	build("attach 1 /dev/vdb /dev/vdc 5");
	assert_string_equal(nla_get_string(tb[TANDEM_A_META_DEV]), "/dev/vdc");
	assert_int_equal(nla_get_s32(tb[TANDEM_A_META_INDEX]), 5);
	assert_null(tb[TANDEM_A_DISK_OPTS]);
	build("attach 1 /dev/vdb /dev/vdc flexible");
	assert_int_equal(nla_get_s32(tb[TANDEM_A_META_INDEX]), -1);

	g = build("resync-rate 3 250M");
	assert_int_equal(g->cmd, TANDEM_CMD_DISK_OPTS);
	nested(TANDEM_A_DISK_OPTS, ntb, TANDEM_DISK_MAX);
	assert_int_equal(nla_get_u32(ntb[TANDEM_DISK_RESYNC_RATE]), 256000);
	assert_int_equal(count_attrs(), 2);

	g = build("new-resource r0 0 --auto-promote=no");
	{
		struct nlattr *rtb[TANDEM_RES_MAX + 1];

		nested(TANDEM_A_RES_OPTS, rtb, TANDEM_RES_MAX);
		assert_int_equal(nla_get_u8(rtb[TANDEM_RES_AUTO_PROMOTE]), 0);
	}
	g = build("resource-options r0");
	assert_int_equal(g->cmd, TANDEM_CMD_RES_OPTS);
	assert_non_null(tb[TANDEM_A_RES_OPTS]);
}

static void request_dumps(void **state)
{
	struct genlmsghdr *g;

	(void)state;
	g = build("status");
	assert_int_equal(g->cmd, TANDEM_CMD_GET_STATUS);
	assert_true(nlmsg_hdr(built)->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(count_attrs(), 0);
	build("status r0 --verbose");
	assert_string_equal(nla_get_string(tb[TANDEM_A_RESOURCE]), "r0");
	g = build("show r1");
	assert_int_equal(g->cmd, TANDEM_CMD_GET_STATUS);
	assert_string_equal(nla_get_string(tb[TANDEM_A_RESOURCE]), "r1");
	g = build("events --now");
	assert_int_equal(g->cmd, TANDEM_CMD_GET_STATUS);
	assert_true(nlmsg_hdr(built)->nlmsg_flags & NLM_F_DUMP);
	nlmsg_free(built);
	built = NULL;
}

/* ---- replies: objects laid out as the kernel sends them -------------- */

static struct ts_obj objs[16];
static size_t nobjs;

static struct nl_msg *reply(int cmd, uint32_t kind, const char *res)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 1, 1, FAMILY, 0, NLM_F_MULTI, cmd,
				    TANDEM_GENL_API_VERSION));
	assert_int_equal(nla_put_u32(m, TANDEM_A_OBJ, kind), 0);
	assert_int_equal(nla_put_string(m, TANDEM_A_RESOURCE, res), 0);
	return m;
}

static void add(struct nl_msg *m)
{
	assert_true(nobjs < sizeof(objs) / sizeof(objs[0]));
	assert_int_equal(ts_obj_parse(nlmsg_hdr(m), &objs[nobjs]), 0);
	nobjs++;
	nlmsg_free(m);
}

static void put_addr(struct nl_msg *m, int attr, const char *text)
{
	struct ts_addr a;
	struct ts_err e;

	assert_int_equal(ts_parse_addr("X", text, &a, &e), 0);
	assert_int_equal(nla_put(m, attr, (int)a.len, &a.ss), 0);
}

static void add_resource(const char *name, uint32_t node, uint32_t role)
{
	struct nl_msg *m = reply(TANDEM_CMD_GET_STATUS, TANDEM_OBJ_RESOURCE,
				 name);
	struct nlattr *n;

	nla_put_u32(m, TANDEM_A_NODE_ID, node);
	n = nla_nest_start(m, TANDEM_A_STATE);
	nla_put_u32(m, TANDEM_ST_ROLE, role);
	nla_nest_end(m, n);
	n = nla_nest_start(m, TANDEM_A_RES_OPTS);
	nla_put_u8(m, TANDEM_RES_AUTO_PROMOTE, 0);
	nla_nest_end(m, n);
	add(m);
}

static void add_device(const char *name, uint32_t vol, uint32_t minor,
		       uint32_t disk, uint64_t sectors)
{
	struct nl_msg *m = reply(TANDEM_CMD_GET_STATUS, TANDEM_OBJ_DEVICE,
				 name);
	struct nlattr *n;

	nla_put_u32(m, TANDEM_A_MINOR, minor);
	nla_put_u32(m, TANDEM_A_VOLUME, vol);
	if (disk != TANDEM_DS_DISKLESS) {
		nla_put_string(m, TANDEM_A_META_DEV, "internal");
		nla_put_s32(m, TANDEM_A_META_INDEX, -1);
	}
	n = nla_nest_start(m, TANDEM_A_STATE);
	nla_put_u32(m, TANDEM_ST_DISK, disk);
	nla_put_u64(m, TANDEM_ST_SIZE_SECT, sectors);
	if (disk != TANDEM_DS_DISKLESS)
		nla_put_string(m, TANDEM_ST_BACKING_DEV, "/dev/vdb");
	nla_put_u64(m, TANDEM_ST_WRITTEN_KIB, 4096);
	nla_put_u64(m, TANDEM_ST_READ_KIB, 8);
	nla_put_u32(m, TANDEM_ST_APP_PENDING, 0);
	nla_nest_end(m, n);
	n = nla_nest_start(m, TANDEM_A_DISK_OPTS);
	nla_put_u32(m, TANDEM_DISK_RESYNC_RATE, 10240);
	nla_put_u32(m, TANDEM_DISK_ON_IO_ERROR, TANDEM_IOERR_DETACH);
	nla_put_u8(m, TANDEM_DISK_FLUSHES, 1);
	nla_nest_end(m, n);
	add(m);
}

static void add_connection(const char *name, uint32_t peer, uint32_t cs,
			   const char *error)
{
	struct nl_msg *m = reply(TANDEM_CMD_GET_STATUS,
				 TANDEM_OBJ_CONNECTION, name);
	struct nlattr *n;

	nla_put_u32(m, TANDEM_A_PEER_NODE_ID, peer);
	put_addr(m, TANDEM_A_LOCAL_ADDR, "192.0.2.1:7789");
	put_addr(m, TANDEM_A_PEER_ADDR, "192.0.2.2:7789");
	n = nla_nest_start(m, TANDEM_A_STATE);
	nla_put_u32(m, TANDEM_ST_CONN, cs);
	nla_put_u32(m, TANDEM_ST_PEER_ROLE, TANDEM_ROLE_SECONDARY);
	nla_put_u32(m, TANDEM_ST_PROTOCOL, TANDEM_PROT_C);
	nla_put_string(m, TANDEM_ST_TRANSPORT, "tcp");
	nla_put_u64(m, TANDEM_ST_SENT_KIB, 1024);
	nla_put_u64(m, TANDEM_ST_RECV_KIB, 0);
	nla_put_u32(m, TANDEM_ST_PENDING, 0);
	nla_put_u32(m, TANDEM_ST_UNACKED, 1);
	if (error)
		nla_put_string(m, TANDEM_ST_LAST_ERROR, error);
	nla_nest_end(m, n);
	n = nla_nest_start(m, TANDEM_A_NET_OPTS);
	nla_put_u32(m, TANDEM_NET_PROTOCOL, TANDEM_PROT_C);
	nla_put_string(m, TANDEM_NET_TRANSPORT, "tcp");
	nla_put_u8(m, TANDEM_NET_ALLOW_TWO_PRIMARIES, 0);
	nla_put_string(m, TANDEM_NET_CRAM_HMAC_ALG, "sha256");
	nla_put_u32(m, TANDEM_NET_TIMEOUT, 60);
	nla_put_u32(m, TANDEM_NET_SNDBUF_SIZE, 0);
	nla_nest_end(m, n);
	add(m);
}

static void add_peer_device(const char *name, uint32_t peer, uint32_t vol,
			    uint32_t minor, uint32_t rs, uint32_t pdisk,
			    uint64_t oos, uint64_t total)
{
	struct nl_msg *m = reply(TANDEM_CMD_GET_STATUS,
				 TANDEM_OBJ_PEER_DEVICE, name);
	struct nlattr *n;

	nla_put_u32(m, TANDEM_A_PEER_NODE_ID, peer);
	nla_put_u32(m, TANDEM_A_MINOR, minor);
	nla_put_u32(m, TANDEM_A_VOLUME, vol);
	n = nla_nest_start(m, TANDEM_A_STATE);
	nla_put_u32(m, TANDEM_ST_REPL, rs);
	nla_put_u32(m, TANDEM_ST_PEER_DISK, pdisk);
	nla_put_u64(m, TANDEM_ST_OOS_KIB, oos);
	nla_put_u64(m, TANDEM_ST_SYNC_TOTAL_KIB, total);
	nla_put_u32(m, TANDEM_ST_SYNC_SPEED_KIBS, 2048);
	nla_nest_end(m, n);
	add(m);
}

/* r0: Primary, one volume, resyncing to peer 1 (45.1%). */
static void two_node_sync(void)
{
	nobjs = 0;
	memset(objs, 0, sizeof(objs));
	add_resource("r0", 0, TANDEM_ROLE_PRIMARY);
	add_device("r0", 0, 0, TANDEM_DS_UPTODATE, 2097152);
	add_connection("r0", 1, TANDEM_CS_CONNECTED, NULL);
	add_peer_device("r0", 1, 0, 0, TANDEM_RS_SYNC_SOURCE,
			TANDEM_DS_INCONSISTENT, 549, 1000);
}

static char *capture_buf;
static size_t capture_len;

static FILE *capture(void)
{
	FILE *f = open_memstream(&capture_buf, &capture_len);

	assert_non_null(f);
	return f;
}

static const char *captured(FILE *f)
{
	fclose(f);
	return capture_buf;
}

static void reply_parsed(void **state)
{
	const struct ts_obj *c;

	(void)state;
	two_node_sync();
	assert_int_equal(nobjs, 4);
	assert_int_equal(objs[0].kind, TANDEM_OBJ_RESOURCE);
	assert_int_equal(objs[0].event, TANDEM_EV_EXISTS);
	assert_string_equal(objs[0].resource, "r0");
	assert_int_equal(objs[0].node_id, 0);
	assert_int_equal(objs[0].st[TANDEM_ST_ROLE], TANDEM_ROLE_PRIMARY);
	assert_true(objs[0].opts[TS_GRP_RES].have &
		    (1u << TANDEM_RES_AUTO_PROMOTE));
	assert_int_equal(objs[1].st[TANDEM_ST_SIZE_SECT], 2097152);
	assert_string_equal(objs[1].st_backing_dev, "/dev/vdb");
	assert_string_equal(objs[1].meta_dev, "internal");
	assert_int_equal(objs[1].opts[TS_GRP_DISK].u[TANDEM_DISK_RESYNC_RATE],
			 10240);
	c = &objs[2];
	assert_int_equal(c->peer_node_id, 1);
	assert_int_equal(c->local_addr.len, sizeof(struct sockaddr_in));
	assert_string_equal(c->st_transport, "tcp");
	assert_string_equal(c->opts[TS_GRP_NET].s[TANDEM_NET_CRAM_HMAC_ALG],
			    "sha256");
	assert_int_equal(objs[3].st[TANDEM_ST_OOS_KIB], 549);
}

static void reply_tolerant(void **state)
{
	struct nl_msg *m = reply(TANDEM_CMD_EVENT, TANDEM_OBJ_DEVICE, "r9");
	struct nlattr *n;
	struct ts_obj o;

	(void)state;
	nla_put_u32(m, TANDEM_A_EVENT, TANDEM_EV_CHANGE);
	nla_put_u64(m, TANDEM_A_MINOR, 7);		/* u64 for a u32 */
	nla_put(m, TANDEM_A_LOCAL_ADDR, 3, "abc");	/* bad address */
	nla_put_u32(m, TANDEM_A_MAX + 5, 1);		/* unknown to us */
	n = nla_nest_start(m, TANDEM_A_STATE);
	nla_put_u8(m, TANDEM_ST_DISK, TANDEM_DS_OUTDATED);	/* u8 */
	nla_put(m, TANDEM_ST_SIZE_SECT, 3, "abc");	/* bad size: left out */
	nla_put_u32(m, TANDEM_ST_MAX + 3, 1);
	nla_nest_end(m, n);
	assert_int_equal(ts_obj_parse(nlmsg_hdr(m), &o), 0);
	nlmsg_free(m);
	assert_int_equal(o.event, TANDEM_EV_CHANGE);
	assert_int_equal(o.minor, 7);
	assert_true(ts_obj_has(&o, TANDEM_A_MINOR));
	assert_false(ts_obj_has(&o, TANDEM_A_LOCAL_ADDR));
	assert_int_equal(o.st[TANDEM_ST_DISK], TANDEM_DS_OUTDATED);
	assert_false(ts_obj_has_st(&o, TANDEM_ST_SIZE_SECT));
}

static void events_lines(void **state)
{
	struct nl_msg *m;
	struct nlattr *n;
	FILE *f;

	(void)state;
	two_node_sync();
	f = capture();
	for (size_t i = 0; i < nobjs; i++)
		ts_print_event(f, &objs[i], true);
	assert_string_equal(captured(f),
		"exists resource name:r0 node-id:0 role:Primary\n"
		"exists device name:r0 minor:0 volume:0 disk:UpToDate "
		"size:1048576 written:4096 read:8 app-pending:0 "
		"backing-dev:/dev/vdb\n"
		"exists connection name:r0 peer-node-id:1 connection:Connected "
		"role:Secondary protocol:C transport:tcp sent:1024 received:0 "
		"pending:0 unacked:1 local-addr:192.0.2.1:7789 "
		"peer-addr:192.0.2.2:7789\n"
		"exists peer-device name:r0 minor:0 peer-node-id:1 volume:0 "
		"replication:SyncSource peer-disk:Inconsistent done:45.1 "
		"out-of-sync:549 sync-total:1000 sync-speed:2048\n");
	free(capture_buf);

	/* multicast: the event kind comes from TANDEM_A_EVENT */
	m = reply(TANDEM_CMD_EVENT, TANDEM_OBJ_CONNECTION, "r0");
	nla_put_u32(m, TANDEM_A_EVENT, TANDEM_EV_CHANGE);
	nla_put_u32(m, TANDEM_A_PEER_NODE_ID, 1);
	n = nla_nest_start(m, TANDEM_A_STATE);
	nla_put_u32(m, TANDEM_ST_CONN, TANDEM_CS_BROKEN_PIPE);
	nla_put_string(m, TANDEM_ST_LAST_ERROR, "peer closed \"data\" socket");
	nla_nest_end(m, n);
	nobjs = 0;
	add(m);
	m = reply(TANDEM_CMD_EVENT, TANDEM_OBJ_PEER_DEVICE, "r0");
	nla_put_u32(m, TANDEM_A_EVENT, TANDEM_EV_DESTROY);
	nla_put_u32(m, TANDEM_A_PEER_NODE_ID, 1);
	nla_put_u32(m, TANDEM_A_MINOR, 0);
	nla_put_u32(m, TANDEM_A_VOLUME, 0);
	add(m);
	m = reply(TANDEM_CMD_EVENT, TANDEM_OBJ_RESOURCE, "r1");
	nla_put_u32(m, TANDEM_A_EVENT, TANDEM_EV_CREATE);
	add(m);
	f = capture();
	ts_print_event(f, &objs[0], false);
	ts_print_event(f, &objs[1], false);
	ts_print_event(f, &objs[2], false);
	assert_string_equal(captured(f),
		"change connection name:r0 peer-node-id:1 connection:BrokenPipe "
		"last-error:\"peer closed \\\"data\\\" socket\"\n"
		"destroy peer-device name:r0 minor:0 peer-node-id:1 volume:0\n"
		"create resource name:r1\n");
	free(capture_buf);
}

static void done_percent(void **state)
{
	struct ts_value v;
	struct ts_obj o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.kind = TANDEM_OBJ_PEER_DEVICE;
	o.st_have = 1u << TANDEM_ST_OOS_KIB | 1u << TANDEM_ST_SYNC_TOTAL_KIB |
		    1u << TANDEM_ST_REPL;
	o.st[TANDEM_ST_REPL] = TANDEM_RS_SYNC_TARGET;
	o.st[TANDEM_ST_SYNC_TOTAL_KIB] = 1000;
	o.st[TANDEM_ST_OOS_KIB] = 1000;
	assert_true(ts_field_get(&o, TS_F_DONE, &v));
	assert_int_equal(v.num, 0);
	o.st[TANDEM_ST_OOS_KIB] = 1;	/* 99.9, never 100.0 before done */
	assert_true(ts_field_get(&o, TS_F_DONE, &v));
	assert_int_equal(v.num, 999);
	o.st[TANDEM_ST_OOS_KIB] = 5000;
	assert_true(ts_field_get(&o, TS_F_DONE, &v));
	assert_int_equal(v.num, 0);
	o.st[TANDEM_ST_OOS_KIB] = 0;
	assert_true(ts_field_get(&o, TS_F_DONE, &v));
	assert_int_equal(v.num, 1000);
	o.st[TANDEM_ST_REPL] = TANDEM_RS_ESTABLISHED;	/* no resync */
	assert_false(ts_field_get(&o, TS_F_DONE, &v));
	o.st[TANDEM_ST_REPL] = TANDEM_RS_PAUSED_SYNC_S;
	o.st[TANDEM_ST_SYNC_TOTAL_KIB] = 0;
	assert_false(ts_field_get(&o, TS_F_DONE, &v));
	/* huge devices: no overflow (2^50 KiB total) */
	o.st[TANDEM_ST_SYNC_TOTAL_KIB] = 1ull << 50;
	o.st[TANDEM_ST_OOS_KIB] = 1ull << 49;
	assert_true(ts_field_get(&o, TS_F_DONE, &v));
	assert_int_equal(v.num, 500);
}

static void status_text(void **state)
{
	FILE *f;

	(void)state;
	two_node_sync();
	add_resource("r1", 2, TANDEM_ROLE_SECONDARY);
	add_device("r1", 0, 3, TANDEM_DS_DISKLESS, 0);
	f = capture();
	assert_int_equal(ts_print_status(f, objs, nobjs, NULL, false), 2);
	assert_string_equal(captured(f),
		"r0 node-id:0 role:Primary\n"
		"  volume:0 minor:0 disk:UpToDate size:1GiB\n"
		"  peer-node-id:1 connection:Connected role:Secondary "
		"protocol:C transport:tcp\n"
		"    volume:0 replication:SyncSource peer-disk:Inconsistent "
		"done:45.1%\n"
		"\n"
		"r1 node-id:2 role:Secondary\n"
		"  volume:0 minor:3 disk:Diskless size:0KiB\n");
	free(capture_buf);

	f = capture();
	assert_int_equal(ts_print_status(f, objs, nobjs, "r1", false), 1);
	assert_string_equal(captured(f),
		"r1 node-id:2 role:Secondary\n"
		"  volume:0 minor:3 disk:Diskless size:0KiB\n");
	free(capture_buf);

	f = capture();
	assert_int_equal(ts_print_status(f, objs, nobjs, "r9", false), 0);
	assert_string_equal(captured(f), "");
	free(capture_buf);

	f = capture();
	ts_print_status(f, objs, 4, NULL, true);
	assert_string_equal(captured(f),
		"r0 node-id:0 role:Primary\n"
		"  volume:0 minor:0 disk:UpToDate size:1GiB written:4096 read:8 "
		"app-pending:0 backing-dev:/dev/vdb\n"
		"  peer-node-id:1 connection:Connected role:Secondary "
		"protocol:C transport:tcp sent:1024 received:0 pending:0 "
		"unacked:1 local-addr:192.0.2.1:7789 peer-addr:192.0.2.2:7789\n"
		"    volume:0 replication:SyncSource peer-disk:Inconsistent "
		"done:45.1% minor:0 peer-node-id:1 out-of-sync:549 "
		"sync-total:1000 sync-speed:2048\n");
	free(capture_buf);
}

static void status_text_order_and_orphans(void **state)
{
	FILE *f;

	(void)state;
	nobjs = 0;
	memset(objs, 0, sizeof(objs));
	/* the kernel's order is not the tree's: peer devices first, two
	 * peers, no connection object for peer 3, no resource object */
	add_peer_device("r0", 3, 1, 1, TANDEM_RS_ESTABLISHED,
			TANDEM_DS_UPTODATE, 0, 0);
	add_peer_device("r0", 2, 1, 1, TANDEM_RS_ESTABLISHED,
			TANDEM_DS_UPTODATE, 0, 0);
	add_peer_device("r0", 2, 0, 0, TANDEM_RS_ESTABLISHED,
			TANDEM_DS_UPTODATE, 0, 0);
	add_connection("r0", 2, TANDEM_CS_CONNECTING, "connection timed out");
	add_device("r0", 1, 1, TANDEM_DS_UPTODATE, 3);
	add_device("r0", 0, 0, TANDEM_DS_UPTODATE, 3145728);
	f = capture();
	ts_print_status(f, objs, nobjs, NULL, false);
	assert_string_equal(captured(f),
		"r0\n"
		"  volume:0 minor:0 disk:UpToDate size:1.50GiB\n"
		"  volume:1 minor:1 disk:UpToDate size:1KiB\n"
		"  peer-node-id:2 connection:Connecting role:Secondary "
		"protocol:C transport:tcp last-error:\"connection timed out\"\n"
		"    volume:0 replication:Established peer-disk:UpToDate\n"
		"    volume:1 replication:Established peer-disk:UpToDate\n"
		"  peer-node-id:3\n"
		"    volume:1 replication:Established peer-disk:UpToDate\n");
	free(capture_buf);
}

static void status_json(void **state)
{
	FILE *f;

	(void)state;
	two_node_sync();
	f = capture();
	assert_int_equal(ts_print_status_json(f, objs, nobjs, NULL), 1);
	assert_string_equal(captured(f),
		"[\n"
		"  {\n"
		"    \"name\": \"r0\",\n"
		"    \"node-id\": 0,\n"
		"    \"role\": \"Primary\",\n"
		"    \"devices\": [\n"
		"      {\n"
		"        \"minor\": 0,\n"
		"        \"volume\": 0,\n"
		"        \"disk\": \"UpToDate\",\n"
		"        \"size\": 1048576,\n"
		"        \"written\": 4096,\n"
		"        \"read\": 8,\n"
		"        \"app-pending\": 0,\n"
		"        \"backing-dev\": \"/dev/vdb\"\n"
		"      }\n"
		"    ],\n"
		"    \"connections\": [\n"
		"      {\n"
		"        \"peer-node-id\": 1,\n"
		"        \"connection\": \"Connected\",\n"
		"        \"role\": \"Secondary\",\n"
		"        \"protocol\": \"C\",\n"
		"        \"transport\": \"tcp\",\n"
		"        \"sent\": 1024,\n"
		"        \"received\": 0,\n"
		"        \"pending\": 0,\n"
		"        \"unacked\": 1,\n"
		"        \"local-addr\": \"192.0.2.1:7789\",\n"
		"        \"peer-addr\": \"192.0.2.2:7789\",\n"
		"        \"peer-devices\": [\n"
		"          {\n"
		"            \"minor\": 0,\n"
		"            \"peer-node-id\": 1,\n"
		"            \"volume\": 0,\n"
		"            \"replication\": \"SyncSource\",\n"
		"            \"peer-disk\": \"Inconsistent\",\n"
		"            \"done\": 45.1,\n"
		"            \"out-of-sync\": 549,\n"
		"            \"sync-total\": 1000,\n"
		"            \"sync-speed\": 2048\n"
		"          }\n"
		"        ]\n"
		"      }\n"
		"    ]\n"
		"  }\n"
		"]\n");
	free(capture_buf);

	f = capture();
	assert_int_equal(ts_print_status_json(f, objs, 0, NULL), 0);
	assert_string_equal(captured(f), "[]\n");
	free(capture_buf);

	/* a resource with nothing else, and a peer without a connection */
	nobjs = 0;
	add_resource("r2", 1, TANDEM_ROLE_SECONDARY);
	add_peer_device("r3", 0, 0, 9, TANDEM_RS_OFF, TANDEM_DS_DUNKNOWN, 0, 0);
	f = capture();
	assert_int_equal(ts_print_status_json(f, objs, nobjs, NULL), 2);
	assert_string_equal(captured(f),
		"[\n"
		"  {\n"
		"    \"name\": \"r2\",\n"
		"    \"node-id\": 1,\n"
		"    \"role\": \"Secondary\",\n"
		"    \"devices\": [],\n"
		"    \"connections\": []\n"
		"  },\n"
		"  {\n"
		"    \"name\": \"r3\",\n"
		"    \"devices\": [],\n"
		"    \"connections\": [\n"
		"      {\n"
		"        \"peer-node-id\": 0,\n"
		"        \"peer-devices\": [\n"
		"          {\n"
		"            \"minor\": 9,\n"
		"            \"peer-node-id\": 0,\n"
		"            \"volume\": 0,\n"
		"            \"replication\": \"Off\",\n"
		"            \"peer-disk\": \"DUnknown\",\n"
		"            \"out-of-sync\": 0,\n"
		"            \"sync-total\": 0,\n"
		"            \"sync-speed\": 2048\n"
		"          }\n"
		"        ]\n"
		"      }\n"
		"    ]\n"
		"  }\n"
		"]\n");
	free(capture_buf);
}

static void show_config(void **state)
{
	struct nl_msg *m;
	FILE *f;

	(void)state;
	two_node_sync();
	m = reply(TANDEM_CMD_GET_STATUS, TANDEM_OBJ_DEVICE, "r0");
	nla_put_u32(m, TANDEM_A_MINOR, 1);
	nla_put_u32(m, TANDEM_A_VOLUME, 1);
	nla_put_string(m, TANDEM_A_BACKING_DEV, "/dev/disk/by-id/my disk");
	nla_put_string(m, TANDEM_A_META_DEV, "/dev/vdc");
	nla_put_s32(m, TANDEM_A_META_INDEX, 2);
	add(m);
	f = capture();
	assert_int_equal(ts_print_show(f, objs, nobjs, NULL), 1);
	assert_string_equal(captured(f),
		"resource r0 {\n"
		"    node-id 0;\n"
		"    options {\n"
		"        auto-promote no;\n"
		"    }\n"
		"    volume 0 {\n"
		"        device minor 0;\n"
		"        disk /dev/vdb;\n"
		"        meta-disk internal;\n"
		"        disk {\n"
		"            resync-rate 10240;\n"
		"            on-io-error detach;\n"
		"            disk-flushes yes;\n"
		"        }\n"
		"    }\n"
		"    volume 1 {\n"
		"        device minor 1;\n"
		"        disk \"/dev/disk/by-id/my disk\";\n"
		"        meta-disk /dev/vdc[2];\n"
		"    }\n"
		"    connection {\n"
		"        peer-node-id 1;\n"
		"        local-address ipv4 192.0.2.1:7789;\n"
		"        peer-address ipv4 192.0.2.2:7789;\n"
		"        net {\n"
		"            protocol C;\n"
		"            transport tcp;\n"
		"            allow-two-primaries no;\n"
		"            cram-hmac-alg sha256;\n"
		"            timeout 60;\n"
		"            sndbuf-size 0;\n"
		"        }\n"
		"    }\n"
		"}\n");
	free(capture_buf);

	f = capture();
	assert_int_equal(ts_print_show(f, objs, nobjs, "nope"), 0);
	assert_string_equal(captured(f), "");
	free(capture_buf);
}

/* ---- netlink replies: a fake kernel on a second socket --------------- */

enum fake_kind { FAKE_ACK, FAKE_ERR, FAKE_ERR_FULL, FAKE_DUMP };

struct fake {
	struct nl_sock *sk;
	enum fake_kind kind;
	int err;		/* errno to return (negative) */
	const char *text;	/* extended-ack message, or NULL */
	int nreplies;		/* dump: messages before NLMSG_DONE */
	int cmd;		/* out: command of the request */
	uint16_t flags;		/* out: its netlink flags */
};

static void fake_send_err(struct fake *f, const struct nlmsghdr *req,
			  bool capped)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *h;
	struct nlmsgerr *e;
	size_t plen = capped ? sizeof(*e) : sizeof(int) + req->nlmsg_len;
	int flags = (capped ? NLM_F_CAPPED : 0) |
		    (f->text ? NLM_F_ACK_TLVS : 0);

	h = nlmsg_put(m, 0, req->nlmsg_seq, NLMSG_ERROR, (int)plen, flags);
	e = nlmsg_data(h);
	e->error = f->kind == FAKE_ACK ? 0 : f->err;
	memcpy(&e->msg, req, capped ? sizeof(*req) : req->nlmsg_len);
	if (f->text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, f->text);
	nl_send(f->sk, m);
	nlmsg_free(m);
}

static void fake_send_dump(struct fake *f, const struct nlmsghdr *req)
{
	struct nl_msg *m;
	struct nlmsghdr *h;
	int i;

	for (i = 0; i < f->nreplies; i++) {
		m = nlmsg_alloc();
		genlmsg_put(m, 0, req->nlmsg_seq, FAMILY, 0, NLM_F_MULTI,
			    TANDEM_CMD_GET_STATUS, TANDEM_GENL_API_VERSION);
		nla_put_u32(m, TANDEM_A_OBJ, TANDEM_OBJ_RESOURCE);
		nla_put_string(m, TANDEM_A_RESOURCE, i ? "r1" : "r0");
		nl_send(f->sk, m);
		nlmsg_free(m);
	}
	m = nlmsg_alloc();
	h = nlmsg_put(m, 0, req->nlmsg_seq, NLMSG_DONE, sizeof(int),
		      NLM_F_MULTI | (f->text ? NLM_F_ACK_TLVS : 0));
	memcpy(nlmsg_data(h), &f->err, sizeof(int));
	if (f->text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, f->text);
	nl_send(f->sk, m);
	nlmsg_free(m);
}

static void *fake_kernel(void *arg)
{
	struct fake *f = arg;
	struct sockaddr_nl who;
	unsigned char *buf = NULL;
	struct nlmsghdr *req;

	if (nl_recv(f->sk, &who, &buf, NULL) <= 0)
		return NULL;
	req = (struct nlmsghdr *)buf;
	f->cmd = ((struct genlmsghdr *)nlmsg_data(req))->cmd;
	f->flags = req->nlmsg_flags;
	nl_socket_set_peer_port(f->sk, req->nlmsg_pid);
	if (f->kind == FAKE_DUMP)
		fake_send_dump(f, req);
	else
		fake_send_err(f, req, f->kind != FAKE_ERR_FULL);
	free(buf);
	return NULL;
}

static void no_hang(struct nl_sock *sk)
{
	struct timeval tv = { 5, 0 };

	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
}

static int dump_count;

static int count_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct ts_obj o;

	(void)arg;
	assert_int_equal(ts_obj_parse(nlh, &o), 0);
	assert_string_equal(o.resource, dump_count ? "r1" : "r0");
	dump_count++;
	return 0;
}

/* Run "@line" against a fake kernel answering as @f says. */
static int against_fake(const char *line, struct fake *f, struct ts_err *e)
{
	struct ts_nl nl;
	struct nl_msg *msg;
	pthread_t t;
	int code;

	f->sk = nl_socket_alloc();
	assert_non_null(f->sk);
	assert_int_equal(nl_connect(f->sk, NETLINK_GENERIC), 0);
	no_hang(f->sk);
	assert_int_equal(ts_nl_connect(&nl, e), 0);
	no_hang(nl.sk);
	nl.family = FAMILY;
	nl_socket_set_peer_port(nl.sk, nl_socket_get_local_port(f->sk));
	if (cmdline(line, e))
		fail_msg("'%s' refused: %s", line, e->msg);
	msg = ts_build_request(&req, nl.family);
	assert_non_null(msg);
	assert_int_equal(pthread_create(&t, NULL, fake_kernel, f), 0);
	dump_count = 0;
	if (f->kind == FAKE_DUMP)
		code = ts_nl_dump(&nl, msg, count_reply, NULL, e);
	else
		code = ts_nl_request(&nl, msg, e);
	pthread_join(t, NULL);
	ts_nl_close(&nl);
	nl_socket_free(f->sk);
	return code;
}

static void nl_acks_and_errors(void **state)
{
	struct fake f;
	struct ts_err e;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.kind = FAKE_ACK;
	assert_int_equal(against_fake("primary r0", &f, &e), TS_EXIT_OK);
	assert_int_equal(f.cmd, TANDEM_CMD_PRIMARY);
	assert_true(f.flags & NLM_F_REQUEST);
	assert_true(f.flags & NLM_F_ACK);

	/* refused, with the kernel's own words */
	memset(&f, 0, sizeof(f));
	f.kind = FAKE_ERR;
	f.err = -EBUSY;
	f.text = "resource r0: peer 1 is Primary, allow-two-primaries is off";
	assert_int_equal(against_fake("primary r0", &f, &e), TS_EXIT_REFUSED);
	assert_string_equal(e.msg, f.text);

	/* the same when the kernel echoes the whole request (no CAP_ACK) */
	f.kind = FAKE_ERR_FULL;
	assert_int_equal(against_fake("connect r0 1 192.0.2.1:7789 "
				      "192.0.2.2:7789 --protocol=A", &f, &e),
			 TS_EXIT_REFUSED);
	assert_string_equal(e.msg, f.text);

	/* no text: strerror; ENOENT/ENODEV: not found */
	memset(&f, 0, sizeof(f));
	f.kind = FAKE_ERR;
	f.err = -EPERM;
	assert_int_equal(against_fake("down r0", &f, &e), TS_EXIT_REFUSED);
	assert_string_equal(e.msg, strerror(EPERM));
	f.err = -ENOENT;
	assert_int_equal(against_fake("down r0", &f, &e), TS_EXIT_NOT_FOUND);
	assert_string_equal(e.msg, strerror(ENOENT));
	f.err = -ENODEV;
	f.text = "minor 7 does not exist";
	assert_int_equal(against_fake("detach 7", &f, &e), TS_EXIT_NOT_FOUND);
	assert_string_equal(e.msg, "minor 7 does not exist");
}

static void nl_dumps(void **state)
{
	struct fake f;
	struct ts_err e;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.kind = FAKE_DUMP;
	f.nreplies = 2;
	assert_int_equal(against_fake("status", &f, &e), TS_EXIT_OK);
	assert_int_equal(f.cmd, TANDEM_CMD_GET_STATUS);
	assert_true(f.flags & NLM_F_DUMP);
	assert_int_equal(dump_count, 2);

	f.nreplies = 0;
	assert_int_equal(against_fake("status", &f, &e), TS_EXIT_OK);
	assert_int_equal(dump_count, 0);

	/* an error carried by NLMSG_DONE, with its text */
	f.err = -ENODEV;
	f.text = "no resource r9";
	f.nreplies = 1;
	assert_int_equal(against_fake("status r9", &f, &e), TS_EXIT_NOT_FOUND);
	assert_string_equal(e.msg, "no resource r9");
	assert_int_equal(dump_count, 1);
}

static void human_sizes(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(ts_human_kib(0, b, sizeof(b)), "0KiB");
	assert_string_equal(ts_human_kib(1023, b, sizeof(b)), "1023KiB");
	assert_string_equal(ts_human_kib(1024, b, sizeof(b)), "1MiB");
	assert_string_equal(ts_human_kib(1536, b, sizeof(b)), "1.50MiB");
	assert_string_equal(ts_human_kib(1048576, b, sizeof(b)), "1GiB");
	assert_string_equal(ts_human_kib(1ull << 30, b, sizeof(b)), "1TiB");
	assert_string_equal(ts_human_kib(1ull << 50, b, sizeof(b)), "1024PiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_ipv4_forms),
		cmocka_unit_test(addr_ipv6_forms),
		cmocka_unit_test(addr_errors),
		cmocka_unit_test(addr_format),
		cmocka_unit_test(u32_numbers),
		cmocka_unit_test(scaled_sizes),
		cmocka_unit_test(resize_sizes),
		cmocka_unit_test(yes_no_protocol_ioerror),
		cmocka_unit_test(ids_names_paths),
		cmocka_unit_test(meta_index_forms),
		cmocka_unit_test(every_verb_parses),
		cmocka_unit_test(positional_values),
		cmocka_unit_test(net_options_each_kind),
		cmocka_unit_test(disk_options_each_kind),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(help_and_double_dash),
		cmocka_unit_test(request_simple_verbs),
		cmocka_unit_test(request_connect),
		cmocka_unit_test(request_attach_and_disk),
		cmocka_unit_test(request_dumps),
		cmocka_unit_test(reply_parsed),
		cmocka_unit_test(reply_tolerant),
		cmocka_unit_test(events_lines),
		cmocka_unit_test(done_percent),
		cmocka_unit_test(status_text),
		cmocka_unit_test(status_text_order_and_orphans),
		cmocka_unit_test(status_json),
		cmocka_unit_test(show_config),
		cmocka_unit_test(human_sizes),
		cmocka_unit_test(nl_acks_and_errors),
		cmocka_unit_test(nl_dumps),
	};

	return cmocka_run_group_tests_name("utils/setup (tandemsetup)", tests,
					   NULL, NULL);
}
