// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - configuration file: the option table: every option of the
 * grammar, its section, type and limits, and the obsolete spellings
 * (aliases) with their current homes. conf_int.h says what the parser's
 * files share; conf.h is the model.
 */
#include "adm/conf_int.h"

/* ------------------------------------------------------------------ */
/* Option table                                                         */
/* ------------------------------------------------------------------ */


static const char *const v_asb0[] = {
	"disconnect", "discard-younger-primary", "discard-older-primary",
	"discard-zero-changes", "discard-least-changes", "discard-local",
	"discard-remote", NULL };
static const char *const v_asb1[] = {
	"disconnect", "consensus", "discard-secondary",
	"call-pri-lost-after-sb", "violently-as0p", NULL };
static const char *const v_asb2[] = {
	"disconnect", "call-pri-lost-after-sb", "violently-as0p", NULL };
static const char *const v_rr[] = {
	"disconnect", "call-pri-lost", "violently", "retry-connect", NULL };
static const char *const v_ioerr[] = {
	"detach", "pass_on", "call-local-io-error", NULL };
static const char *const v_fencing[] = {
	"dont-care", "resource-only", "resource-and-stonith", NULL };
static const char *const v_cong[] = {
	"block", "pull-ahead", "disconnect", NULL };
static const char *const v_nodata[] = { "io-error", "suspend-io", NULL };
static const char *const v_readbal[] = {
	"prefer-local", "prefer-remote", "round-robin", "least-pending",
	"when-congested-remote", "32K-striping", "64K-striping",
	"128K-striping", "256K-striping", "512K-striping", "1M-striping",
	NULL };

#define U32	0xffffffffULL
#define B(n, s)		{ n, s, VT_BOOL, 0, 0, NULL, NULL }
#define N(n, s, m)	{ n, s, VT_UINT, 0, m, NULL, NULL }
#define SZ(n, s, u, m, un) { n, s, VT_SIZE, u, m, NULL, un }
#define E(n, s, v)	{ n, s, VT_ENUM, 0, 0, v, NULL }
#define S(n, s, t, m)	{ n, s, t, 0, m, NULL, NULL }
#define H(n)		{ n, CONF_HANDLERS, VT_CMD, 0, CONF_STRING_MAX, \
			  NULL, NULL }

const struct optdef cf_optdefs[] = {
	/* options { } */
	S("cpu-mask", CONF_OPTIONS, VT_CPUMASK, CONF_STRING_MAX),
	E("on-no-data-accessible", CONF_OPTIONS, v_nodata),
	B("auto-promote", CONF_OPTIONS),

	/* net { } */
	{ "protocol", CONF_NET, VT_PROTO, 0, 0, NULL, NULL },
	S("transport", CONF_NET, VT_XNAME, TANDEM_TRANSPORT_NAME_MAX - 1),
	B("allow-two-primaries", CONF_NET),
	S("cram-hmac-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	S("shared-secret", CONF_NET, VT_STR, TANDEM_SECRET_MAX),
	E("after-sb-0pri", CONF_NET, v_asb0),
	E("after-sb-1pri", CONF_NET, v_asb1),
	E("after-sb-2pri", CONF_NET, v_asb2),
	B("always-asbp", CONF_NET),
	E("rr-conflict", CONF_NET, v_rr),
	N("timeout", CONF_NET, U32),
	N("connect-int", CONF_NET, U32),
	N("ping-int", CONF_NET, U32),
	N("ping-timeout", CONF_NET, U32),
	N("ko-count", CONF_NET, U32),
	SZ("sndbuf-size", CONF_NET, 1, U32, "bytes"),
	SZ("rcvbuf-size", CONF_NET, 1, U32, "bytes"),
	N("max-buffers", CONF_NET, U32),
	N("max-epoch-size", CONF_NET, U32),
	S("verify-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	S("csums-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	S("data-integrity-alg", CONF_NET, VT_STR, TANDEM_ALG_NAME_MAX - 1),
	E("on-congestion", CONF_NET, v_cong),
	SZ("congestion-fill", CONF_NET, 512, U32, "sectors"),
	N("congestion-extents", CONF_NET, U32),
	B("tcp-cork", CONF_NET),
	B("use-rle", CONF_NET),
	B("discard-my-data", CONF_NET),
	N("sock-check-timeo", CONF_NET, U32),
	B("csums-after-crash-only", CONF_NET),

	/* disk { } */
	E("on-io-error", CONF_DISK, v_ioerr),
	E("fencing", CONF_DISK, v_fencing),
	B("disk-barrier", CONF_DISK),
	B("disk-flushes", CONF_DISK),
	B("disk-drain", CONF_DISK),
	B("md-flushes", CONF_DISK),
	N("max-bio-bvecs", CONF_DISK, U32),
	SZ("size", CONF_DISK, 512, UINT64_MAX / 512, "sectors"),
	N("al-extents", CONF_DISK, U32),
	B("al-updates", CONF_DISK),
	SZ("resync-rate", CONF_DISK, 1024, U32, "KiB"),
	S("resync-after", CONF_DISK, VT_RESAFTER, TANDEM_RESOURCE_NAME_MAX - 1),
	N("c-plan-ahead", CONF_DISK, U32),
	SZ("c-fill-target", CONF_DISK, 512, U32, "sectors"),
	N("c-delay-target", CONF_DISK, U32),
	SZ("c-max-rate", CONF_DISK, 1024, U32, "KiB"),
	SZ("c-min-rate", CONF_DISK, 1024, U32, "KiB"),
	N("disk-timeout", CONF_DISK, U32),
	E("read-balancing", CONF_DISK, v_readbal),
	B("discard-zeroes-if-aligned", CONF_DISK),
	SZ("rs-discard-granularity", CONF_DISK, 1, U32, "bytes"),

	/* startup { } */
	N("wfc-timeout", CONF_STARTUP, U32),
	N("degr-wfc-timeout", CONF_STARTUP, U32),
	N("outdated-wfc-timeout", CONF_STARTUP, U32),
	B("wait-after-sb", CONF_STARTUP),
	S("become-primary-on", CONF_STARTUP, VT_STR, CONF_STRING_MAX),
	B("stacked-timeouts", CONF_STARTUP),

	/* handlers { } */
	H("pri-on-incon-degr"),
	H("pri-lost-after-sb"),
	H("pri-lost"),
	H("fence-peer"),
	H("unfence-peer"),
	H("local-io-error"),
	H("initial-split-brain"),
	H("split-brain"),
	H("before-resync-target"),
	H("after-resync-target"),
	H("before-resync-source"),
	H("out-of-sync"),
	H("emergency-shutdown"),
	H("quorum-lost"),
	H("disconnected"),
};



const struct aliasdef cf_aliasdefs[] = {
	/* 8.3 syncer { }: every option moved to net, disk or options. */
	{ "rate", CTX_SYNCER, "resync-rate", NULL, true, true },
	{ "after", CTX_SYNCER, "resync-after", NULL, true, false },
	{ "al-extents", CTX_SYNCER, "al-extents", NULL, true, false },
	{ "use-rle", CTX_SYNCER, "use-rle", NULL, true, false },
	{ "cpu-mask", CTX_SYNCER, "cpu-mask", NULL, true, false },
	{ "verify-alg", CTX_SYNCER, "verify-alg", NULL, true, false },
	{ "csums-alg", CTX_SYNCER, "csums-alg", NULL, true, false },
	{ "c-plan-ahead", CTX_SYNCER, "c-plan-ahead", NULL, true, false },
	{ "c-fill-target", CTX_SYNCER, "c-fill-target", NULL, true, false },
	{ "c-delay-target", CTX_SYNCER, "c-delay-target", NULL, true, false },
	{ "c-max-rate", CTX_SYNCER, "c-max-rate", NULL, true, false },
	{ "c-min-rate", CTX_SYNCER, "c-min-rate", NULL, true, false },
	{ "on-no-data-accessible", CTX_SYNCER, "on-no-data-accessible", NULL,
	  true, false },
	{ "delay-probe-volume", CTX_SYNCER, NULL, NULL, true, false },
	{ "delay-probe-interval", CTX_SYNCER, NULL, NULL, true, false },
	{ "throttle-threshold", CTX_SYNCER, NULL, NULL, true, false },
	{ "hold-off-threshold", CTX_SYNCER, NULL, NULL, true, false },

	/* 8.3 disk { } flags */
	{ "no-disk-barrier", CONF_DISK, "disk-barrier", "no", true, false },
	{ "no-disk-flushes", CONF_DISK, "disk-flushes", "no", true, false },
	{ "no-disk-drain", CONF_DISK, "disk-drain", "no", true, false },
	{ "no-md-flushes", CONF_DISK, "md-flushes", "no", true, false },
	{ "use-bmbv", CONF_DISK, NULL, NULL, true, false },
	{ "unplug-watermark", CONF_DISK, NULL, NULL, true, false },

	/* 8.3 net { } */
	{ "unplug-watermark", CONF_NET, NULL, NULL, true, false },
	{ "no-tcp-cork", CONF_NET, "tcp-cork", "no", true, false },
	/* DRBD 9 places fencing in net; it lives in disk here. */
	{ "fencing", CONF_NET, "fencing", NULL, false, false },

	/* 8.2 handler name */
	{ "outdate-peer", CONF_HANDLERS, "fence-peer", NULL, true, false },
};

const struct optdef *cf_optdef_find(const char *name)
{
	size_t i;

	for (i = 0; i < cf_noptdefs; i++)
		if (!strcmp(cf_optdefs[i].name, name))
			return &cf_optdefs[i];
	return NULL;
}

const struct aliasdef *cf_aliasdef_find(unsigned int ctx,
					    const char *name)
{
	size_t i;

	for (i = 0; i < cf_naliasdefs; i++)
		if (cf_aliasdefs[i].ctx == ctx && !strcmp(cf_aliasdefs[i].name, name))
			return &cf_aliasdefs[i];
	return NULL;
}

const char *conf_section_name(enum conf_section sec)
{
	static const char *const names[] = {
		[CONF_OPTIONS] = "options",
		[CONF_NET] = "net",
		[CONF_DISK] = "disk",
		[CONF_STARTUP] = "startup",
		[CONF_HANDLERS] = "handlers",
	};

	if ((unsigned int)sec < CONF_NSECTIONS)
		return names[sec];
	return "?";
}

const char *cf_ctx_name(unsigned int ctx)
{
	return ctx == CTX_SYNCER ? "syncer" : conf_section_name(ctx);
}

int conf_option_section(const char *name)
{
	const struct optdef *d = cf_optdef_find(name);

	return d ? d->sec : -1;
}


const size_t cf_noptdefs = sizeof(cf_optdefs) / sizeof(cf_optdefs[0]);
const size_t cf_naliasdefs = sizeof(cf_aliasdefs) / sizeof(cf_aliasdefs[0]);
