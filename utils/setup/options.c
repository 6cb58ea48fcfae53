// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - the option table (units and defaults as in
 * kernel/uapi/tandem_genl.h).
 */
#include <stdio.h>
#include <string.h>

#include "kernel/lib/after_sb.h"
#include "kernel/lib/tandem_lib.h"
#include "setup/options.h"

#define NET(n, a, k, u)  { n, TS_GRP_NET, TANDEM_NET_##a, k, 0, u }
#define NETS(n, a, k, m, u) { n, TS_GRP_NET, TANDEM_NET_##a, k, m, u }
#define DISK(n, a, k, u) { n, TS_GRP_DISK, TANDEM_DISK_##a, k, 0, u }

#define ASB0_CHOICES "disconnect, discard-younger-primary, " \
	"discard-older-primary, discard-zero-changes, " \
	"discard-least-changes, discard-local, discard-remote"
#define ASB1_CHOICES "disconnect, consensus, discard-secondary, " \
	"call-pri-lost-after-sb"
#define ASB2_CHOICES "disconnect, call-pri-lost-after-sb, violently-as0p"

static const char *asb_choices(enum ts_optkind kind)
{
	return kind == TS_OPT_ASB0 ? ASB0_CHOICES :
	       kind == TS_OPT_ASB1 ? ASB1_CHOICES : ASB2_CHOICES;
}

static const struct ts_optdef optdefs[] = {
	NET("protocol", PROTOCOL, TS_OPT_PROTOCOL,
	    "replication protocol (default C)"),
	NETS("transport", TRANSPORT, TS_OPT_TRANSPORT,
	     TANDEM_TRANSPORT_NAME_MAX, "transport class (default tcp)"),
	NET("allow-two-primaries", ALLOW_TWO_PRIMARIES, TS_OPT_BOOL,
	    "(default no)"),
	NETS("cram-hmac-alg", CRAM_HMAC_ALG, TS_OPT_STRING,
	     TANDEM_ALG_NAME_MAX, "peer authentication digest, e.g. sha256 "
	     "(default none; empty = none)"),
	NETS("shared-secret", SHARED_SECRET, TS_OPT_SECRET,
	     TANDEM_SECRET_MAX + 1, "up to 64 bytes (never shown back)"),
	NETS("verify-alg", VERIFY_ALG, TS_OPT_STRING, TANDEM_ALG_NAME_MAX,
	     "digest for online verify, e.g. sha1 (default none; empty = "
	     "none)"),
	NETS("data-integrity-alg", DATA_INTEGRITY_ALG, TS_OPT_STRING,
	     TANDEM_ALG_NAME_MAX, "per-packet digest (default none; "
	     "empty = none)"),
	NET("timeout", TIMEOUT, TS_OPT_U32, "0.1 s units (default 60 = 6 s)"),
	NET("connect-int", CONNECT_INT, TS_OPT_U32, "seconds (default 10)"),
	NET("ping-int", PING_INT, TS_OPT_U32, "seconds (default 10)"),
	NET("ping-timeout", PING_TIMEOUT, TS_OPT_U32,
	    "0.1 s units (default 5)"),
	NET("ko-count", KO_COUNT, TS_OPT_U32, "(default 7)"),
	NET("sndbuf-size", SNDBUF_SIZE, TS_OPT_BYTES,
	    "bytes, K/M/G suffix (default 0 = auto)"),
	NET("rcvbuf-size", RCVBUF_SIZE, TS_OPT_BYTES,
	    "bytes, K/M/G suffix (default 0 = auto)"),
	NET("max-buffers", MAX_BUFFERS, TS_OPT_U32,
	    "4 KiB pages (default 2048)"),
	NET("max-epoch-size", MAX_EPOCH_SIZE, TS_OPT_U32,
	    "writes (default 2048)"),
	NET("after-sb-0pri", AFTER_SB_0PRI, TS_OPT_ASB0,
	    "split brain, no Primary: " ASB0_CHOICES
	    " (default disconnect)"),
	NET("after-sb-1pri", AFTER_SB_1PRI, TS_OPT_ASB1,
	    "split brain, one Primary: " ASB1_CHOICES
	    " (default disconnect)"),
	NET("after-sb-2pri", AFTER_SB_2PRI, TS_OPT_ASB2,
	    "split brain, two Primaries: " ASB2_CHOICES
	    " (default disconnect)"),

	DISK("resync-rate", RESYNC_RATE, TS_OPT_KIBS,
	     "KiB/s; K/M/G suffix = KiB/MiB/GiB per second (default 250; "
	     "8.3: --rate)"),
	DISK("c-plan-ahead", C_PLAN_AHEAD, TS_OPT_U32,
	     "0.1 s units (default 20)"),
	DISK("c-fill-target", C_FILL_TARGET, TS_OPT_SECTORS,
	     "sectors; K/M/G = bytes (default 100)"),
	DISK("c-delay-target", C_DELAY_TARGET, TS_OPT_U32,
	     "0.1 s units (default 10)"),
	DISK("c-max-rate", C_MAX_RATE, TS_OPT_KIBS,
	     "KiB/s, K/M/G suffix (default 102400)"),
	DISK("c-min-rate", C_MIN_RATE, TS_OPT_KIBS,
	     "KiB/s, K/M/G suffix (default 250)"),
	DISK("al-extents", AL_EXTENTS, TS_OPT_U32, "(default 1237)"),
	DISK("on-io-error", ON_IO_ERROR, TS_OPT_IOERR, "(default detach)"),
	DISK("disk-barrier", BARRIER, TS_OPT_BOOL, "(default no)"),
	DISK("disk-flushes", FLUSHES, TS_OPT_BOOL, "(default yes)"),
	DISK("md-flushes", MD_FLUSHES, TS_OPT_BOOL, "(default yes)"),
	DISK("resync-after", RESYNC_AFTER, TS_OPT_MINOR,
	     "resync only after this minor's resync (default -1 = none)"),
	DISK("disk-timeout", TIMEOUT, TS_OPT_U32,
	     "0.1 s units: a disk that completes nothing this long fails "
	     "(default 0 = off)"),

	{ "auto-promote", TS_GRP_RES, TANDEM_RES_AUTO_PROMOTE, TS_OPT_BOOL, 0,
	  "(default no)" },
};

const struct ts_optdef *ts_optdefs(size_t *count)
{
	*count = sizeof(optdefs) / sizeof(optdefs[0]);
	return optdefs;
}

const struct ts_optdef *ts_optdef_find(const char *name)
{
	size_t i;

	if (!strcmp(name, "rate"))		/* the 8.3 name */
		name = "resync-rate";

	for (i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++)
		if (!strcmp(optdefs[i].name, name))
			return &optdefs[i];
	return NULL;
}

int ts_optgroup_attr(unsigned int group)
{
	switch (group) {
	case TS_GRP_NET:
		return TANDEM_A_NET_OPTS;
	case TS_GRP_DISK:
		return TANDEM_A_DISK_OPTS;
	case TS_GRP_RES:
		return TANDEM_A_RES_OPTS;
	}
	return -1;
}

const char *ts_optgroup_name(unsigned int group)
{
	switch (group) {
	case TS_GRP_NET:
		return "net";
	case TS_GRP_DISK:
		return "disk";
	case TS_GRP_RES:
		return "options";
	}
	return "?";
}

int ts_opt_parse(const struct ts_optdef *d, const char *value,
		 struct ts_optset *set, struct ts_err *e)
{
	char what[48];
	uint32_t u = 0;
	bool b;
	size_t n;

	snprintf(what, sizeof(what), "--%s", d->name);
	if (!value && d->kind != TS_OPT_BOOL)
		return ts_fail(e, "%s: missing value", what);
	switch (d->kind) {
	case TS_OPT_U32:
		if (ts_parse_u32(what, value, &u, e))
			return -1;
		break;
	case TS_OPT_BOOL:
		b = true;
		if (value && ts_parse_yesno(what, value, &b, e))
			return -1;
		u = b;
		break;
	case TS_OPT_PROTOCOL:
		if (ts_parse_protocol(what, value, &u, e))
			return -1;
		break;
	case TS_OPT_BYTES:
		if (ts_parse_scaled(what, value, 1, &u, e))
			return -1;
		break;
	case TS_OPT_SECTORS:
		if (ts_parse_scaled(what, value, 512, &u, e))
			return -1;
		break;
	case TS_OPT_KIBS:
		if (ts_parse_scaled(what, value, 1024, &u, e))
			return -1;
		break;
	case TS_OPT_IOERR:
		if (ts_parse_on_io_error(what, value, &u, e))
			return -1;
		break;
	case TS_OPT_MINOR:
		if (!strcmp(value, "-1") || !strcmp(value, "none"))
			u = TANDEM_NO_MINOR;
		else if (ts_parse_u32(what, value, &u, e))
			return -1;
		else if (u >= TANDEM_NO_MINOR)
			return ts_fail(e, "%s: '%s' is not a minor", what,
				       value);
		break;
	case TS_OPT_ASB0:
	case TS_OPT_ASB1:
	case TS_OPT_ASB2:
		if (tandem_asb_parse(d->kind - TS_OPT_ASB0, value, &u))
			return ts_fail(e, "%s: '%s' is not one of %s", what,
				       value, asb_choices(d->kind));
		break;
	case TS_OPT_TRANSPORT:
		if (!tandem_transport_name_valid(value))
			return ts_fail(e, "%s: '%s' is not a transport name "
				       "(1 to %d characters from a-z, 0-9, _)",
				       what, value, TANDEM_TRANSPORT_NAME_MAX - 1);
		/* fall through */
	case TS_OPT_STRING:
		if (ts_parse_name(what, value, d->maxlen, true,
				  set->s[d->attr], e))
			return -1;
		set->len[d->attr] = (uint8_t)strlen(value);
		break;
	case TS_OPT_SECRET:
		n = strlen(value);
		if (n > TANDEM_SECRET_MAX)
			return ts_fail(e, "%s: longer than %d bytes", what,
				       TANDEM_SECRET_MAX);
		memcpy(set->s[d->attr], value, n + 1);
		set->len[d->attr] = (uint8_t)n;
		break;
	default:
		return ts_fail(e, "%s: unknown option kind", what);
	}
	set->u[d->attr] = u;
	set->have |= 1u << d->attr;
	return 0;
}

char *ts_config_quote(const char *s, char *buf, size_t len)
{
	size_t i, o = 0;
	bool plain = *s != '\0';

	for (i = 0; s[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/_.+-:()", s[i]))
			plain = false;
	if (plain) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (i = 0; s[i] && o + 3 < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf[o++] = '\\';
		buf[o++] = s[i];
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

char *ts_opt_format(const struct ts_optdef *d, const struct ts_optset *set,
		    char *buf, size_t len)
{
	uint32_t u = set->u[d->attr];

	switch (d->kind) {
	case TS_OPT_BOOL:
		snprintf(buf, len, "%s", u ? "yes" : "no");
		break;
	case TS_OPT_PROTOCOL:
		snprintf(buf, len, "%c", tandem_protocol_letter(u));
		break;
	case TS_OPT_IOERR:
		snprintf(buf, len, "%s", ts_on_io_error_name(u));
		break;
	case TS_OPT_ASB0:
	case TS_OPT_ASB1:
	case TS_OPT_ASB2:
		snprintf(buf, len, "%s", tandem_asb_name(u));
		break;
	case TS_OPT_MINOR:
		if (u == TANDEM_NO_MINOR)
			snprintf(buf, len, "-1");
		else
			snprintf(buf, len, "%u", u);
		break;
	case TS_OPT_STRING:
	case TS_OPT_TRANSPORT:
		ts_config_quote(set->s[d->attr], buf, len);
		break;
	case TS_OPT_SECRET:
		snprintf(buf, len, "\"<hidden>\"");
		break;
	default:
		snprintf(buf, len, "%u", u);
		break;
	}
	return buf;
}

const char *ts_opt_metavar(const struct ts_optdef *d)
{
	switch (d->kind) {
	case TS_OPT_BOOL:
		return "yes|no";
	case TS_OPT_PROTOCOL:
		return "A|B|C";
	case TS_OPT_IOERR:
		return "detach|pass_on|call-local-io-error";
	case TS_OPT_ASB0:
	case TS_OPT_ASB1:
	case TS_OPT_ASB2:
		return "POLICY";
	case TS_OPT_MINOR:
		return "MINOR|-1";
	case TS_OPT_STRING:
		return "ALG";
	case TS_OPT_TRANSPORT:
		return "NAME";
	case TS_OPT_SECRET:
		return "SECRET";
	case TS_OPT_BYTES:
	case TS_OPT_SECTORS:
		return "SIZE";
	case TS_OPT_KIBS:
		return "RATE";
	}
	return "N";
}
