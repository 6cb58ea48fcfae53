// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - parsing of command-line values. Pure functions: see
 * parse.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "setup/parse.h"

int ts_fail(struct ts_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Digits only; sets *end to the first non-digit. 0 = ok, -1 overflow. */
static int scan_digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return 0;
}

int ts_parse_uint(const char *what, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out, struct ts_err *e)
{
	const char *end;
	uint64_t v;

	if (!s || !*s)
		return ts_fail(e, "%s: empty value, expected a number", what);
	if (*s < '0' || *s > '9')
		return ts_fail(e, "%s: '%s' is not a number", what, s);
	if (scan_digits(s, &v, &end) || (!*end && (v < min || v > max)))
		return ts_fail(e, "%s: '%s' is out of range (%llu .. %llu)",
			       what, s, (unsigned long long)min,
			       (unsigned long long)max);
	if (*end)
		return ts_fail(e, "%s: '%s' is not a number", what, s);
	*out = v;
	return 0;
}

int ts_parse_size64(const char *what, const char *s, uint64_t *sectors,
		    struct ts_err *e)
{
	const char *end;
	unsigned int shift;
	uint64_t v;

	if (!s || !*s)
		return ts_fail(e, "%s: empty value, expected a size", what);
	if (*s < '0' || *s > '9')
		return ts_fail(e, "%s: '%s' is not a number", what, s);
	if (scan_digits(s, &v, &end))
		return ts_fail(e, "%s: '%s' is out of range", what, s);
	switch (*end) {
	case '\0':
		shift = 0;	/* sectors */
		break;
	case 'k': case 'K':
		shift = 1;
		break;
	case 'm': case 'M':
		shift = 11;
		break;
	case 'g': case 'G':
		shift = 21;
		break;
	case 't': case 'T':
		shift = 31;
		break;
	default:
		return ts_fail(e, "%s: '%s' is not a number with an optional "
			       "suffix K, M, G or T", what, s);
	}
	if (shift && end[1])
		return ts_fail(e, "%s: '%s' is not a number with an optional "
			       "suffix K, M, G or T", what, s);
	if (v > (UINT64_MAX >> 10) >> shift)
		return ts_fail(e, "%s: '%s' is out of range", what, s);
	v <<= shift;
	if (!v || v % 8)
		return ts_fail(e, "%s: '%s' is not a positive multiple of "
			       "4 KiB", what, s);
	*sectors = v;
	return 0;
}

int ts_parse_u32(const char *what, const char *s, uint32_t *out,
		 struct ts_err *e)
{
	uint64_t v;

	if (ts_parse_uint(what, s, 0, UINT32_MAX, &v, e))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ts_parse_scaled(const char *what, const char *s, unsigned int unit_bytes,
		    uint32_t *out, struct ts_err *e)
{
	const char *end;
	unsigned int shift;
	uint64_t v;

	if (!s || !*s)
		return ts_fail(e, "%s: empty value, expected a number", what);
	if (*s < '0' || *s > '9')
		return ts_fail(e, "%s: '%s' is not a number", what, s);
	if (scan_digits(s, &v, &end))
		goto range;
	switch (*end) {
	case '\0':
		shift = 0;
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		return ts_fail(e, "%s: '%s' is not a number with an optional "
			       "suffix K, M or G", what, s);
	}
	if (shift && end[1])
		return ts_fail(e, "%s: '%s' is not a number with an optional "
			       "suffix K, M or G", what, s);
	if (shift) {
		/* bytes = v << shift; then in units of unit_bytes */
		if (v > (UINT64_MAX >> shift))
			goto range;
		v = (v << shift) / unit_bytes;
	}
	if (v > UINT32_MAX)
		goto range;
	*out = (uint32_t)v;
	return 0;
range:
	return ts_fail(e, "%s: '%s' is out of range (max %u%s)", what, s,
		       UINT32_MAX, unit_bytes == 1 ? " bytes" :
		       unit_bytes == 512 ? " sectors" : " KiB");
}

int ts_parse_yesno(const char *what, const char *s, bool *out,
		   struct ts_err *e)
{
	if (s && !strcmp(s, "yes"))
		*out = true;
	else if (s && !strcmp(s, "no"))
		*out = false;
	else
		return ts_fail(e, "%s: '%s' is neither yes nor no", what,
			       s ? s : "");
	return 0;
}

int ts_parse_protocol(const char *what, const char *s, uint32_t *out,
		      struct ts_err *e)
{
	if (s && s[0] && !s[1]) {
		switch (s[0]) {
		case 'A': case 'a':
			*out = TANDEM_PROT_A;
			return 0;
		case 'B': case 'b':
			*out = TANDEM_PROT_B;
			return 0;
		case 'C': case 'c':
			*out = TANDEM_PROT_C;
			return 0;
		}
	}
	return ts_fail(e, "%s: '%s' is not a replication protocol "
		       "(expected A, B or C)", what, s ? s : "");
}

static const char * const ioerr_names[] = {
	[TANDEM_IOERR_DETACH]		= "detach",
	[TANDEM_IOERR_PASS_ON]		= "pass_on",
	[TANDEM_IOERR_CALL_HANDLER]	= "call-local-io-error",
};

int ts_parse_on_io_error(const char *what, const char *s, uint32_t *out,
			 struct ts_err *e)
{
	uint32_t i;

	for (i = 0; s && i < sizeof(ioerr_names) / sizeof(ioerr_names[0]); i++)
		if (!strcmp(s, ioerr_names[i])) {
			*out = i;
			return 0;
		}
	return ts_fail(e, "%s: '%s' is not one of detach, pass_on, "
		       "call-local-io-error", what, s ? s : "");
}

const char *ts_on_io_error_name(uint32_t v)
{
	if (v < sizeof(ioerr_names) / sizeof(ioerr_names[0]))
		return ioerr_names[v];
	return "?";
}

int ts_parse_node_id(const char *what, const char *s, uint32_t *out,
		     struct ts_err *e)
{
	uint64_t v;

	if (ts_parse_uint(what, s, 0, TANDEM_NODE_ID_MAX - 1, &v, e))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ts_parse_minor(const char *what, const char *s, uint32_t *out,
		   struct ts_err *e)
{
	uint64_t v;

	if (ts_parse_uint(what, s, 0, TS_MINOR_MAX, &v, e))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Printable ASCII without white space; 0 if @s has anything else. */
static int plain_chars(const char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return 0;
	return 1;
}

int ts_parse_resource(const char *what, const char *s, char *out,
		      struct ts_err *e)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return ts_fail(e, "%s: empty resource name", what);
	if (n >= TANDEM_RESOURCE_NAME_MAX)
		return ts_fail(e, "%s: resource name longer than %d characters",
			       what, TANDEM_RESOURCE_NAME_MAX - 1);
	if (s[0] == '-')
		return ts_fail(e, "%s: resource name '%s' starts with '-'",
			       what, s);
	if (!plain_chars(s) || strchr(s, '/'))
		return ts_fail(e, "%s: resource name '%s' has a character "
			       "other than printable ASCII without spaces "
			       "and '/'", what, s);
	memcpy(out, s, n + 1);
	return 0;
}

int ts_parse_path(const char *what, const char *s, char *out,
		  struct ts_err *e)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return ts_fail(e, "%s: empty path", what);
	if (s[0] != '/')
		return ts_fail(e, "%s: '%s' is not an absolute path", what, s);
	if (n >= TANDEM_PATH_MAX)
		return ts_fail(e, "%s: path longer than %d characters", what,
			       TANDEM_PATH_MAX - 1);
	memcpy(out, s, n + 1);
	return 0;
}

int ts_parse_name(const char *what, const char *s, size_t max,
		  bool allow_empty, char *out, struct ts_err *e)
{
	size_t n = s ? strlen(s) : 0;

	if (!n && !allow_empty)
		return ts_fail(e, "%s: empty value", what);
	if (n >= max)
		return ts_fail(e, "%s: '%s' is longer than %zu characters",
			       what, s, max - 1);
	if (n && !plain_chars(s))
		return ts_fail(e, "%s: '%s' has a character other than "
			       "printable ASCII without spaces", what, s);
	memcpy(out, s ? s : "", n + 1);
	return 0;
}

static int parse_port(const char *what, const char *whole, const char *p,
		      uint16_t *port, struct ts_err *e)
{
	const char *end;
	uint64_t v;

	if (!*p)
		return ts_fail(e, "%s: '%s': missing port (expected "
			       "ADDRESS:PORT)", what, whole);
	if (*p < '0' || *p > '9' || scan_digits(p, &v, &end) || *end)
		return ts_fail(e, "%s: '%s': port '%s' is not a number",
			       what, whole, p);
	if (v < 1 || v > 65535)
		return ts_fail(e, "%s: '%s': port %s is out of range "
			       "(1 .. 65535)", what, whole, p);
	*port = (uint16_t)v;
	return 0;
}

static int parse_v4(const char *what, const char *whole, const char *s,
		    struct ts_addr *out, struct ts_err *e)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	size_t n;
	uint16_t port;

	if (!colon)
		return ts_fail(e, "%s: '%s': missing port (expected "
			       "ADDRESS:PORT)", what, whole);
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(host))
		return ts_fail(e, "%s: '%s' is not a numeric IPv4 address",
			       what, whole);
	memcpy(host, s, n);
	host[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return ts_fail(e, "%s: '%s': '%s' is not a numeric IPv4 "
			       "address", what, whole, host);
	if (parse_port(what, whole, colon + 1, &port, e))
		return -1;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	out->len = sizeof(*sin);
	return 0;
}

static int parse_v6(const char *what, const char *whole, const char *s,
		    struct ts_addr *out, struct ts_err *e)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	const char *close, *pct;
	uint32_t scope = 0;
	uint16_t port;
	size_t n;

	if (*s != '[')
		return ts_fail(e, "%s: '%s': an IPv6 address must be written "
			       "in brackets, as [ADDRESS]:PORT", what, whole);
	close = strchr(s, ']');
	if (!close)
		return ts_fail(e, "%s: '%s': missing ']'", what, whole);
	n = (size_t)(close - s - 1);
	if (n == 0 || n >= sizeof(host))
		return ts_fail(e, "%s: '%s' is not a numeric IPv6 address",
			       what, whole);
	memcpy(host, s + 1, n);
	host[n] = '\0';
	pct = strchr(host, '%');
	if (pct) {
		const char *ifn = pct + 1;
		uint64_t v;
		const char *end;

		if (!*ifn)
			return ts_fail(e, "%s: '%s': empty scope after '%%'",
				       what, whole);
		if (*ifn >= '0' && *ifn <= '9' && !scan_digits(ifn, &v, &end) &&
		    !*end && v <= UINT32_MAX)
			scope = (uint32_t)v;
		else if (!(scope = if_nametoindex(ifn)))
			return ts_fail(e, "%s: '%s': no interface '%s'", what,
				       whole, ifn);
		host[pct - host] = '\0';
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return ts_fail(e, "%s: '%s': '%s' is not a numeric IPv6 "
			       "address", what, whole, host);
	if (close[1] != ':') {
		if (!close[1])
			return ts_fail(e, "%s: '%s': missing port (expected "
				       "[ADDRESS]:PORT)", what, whole);
		return ts_fail(e, "%s: '%s': expected ':' after ']'", what,
			       whole);
	}
	if (parse_port(what, whole, close + 2, &port, e))
		return -1;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = scope;
	out->len = sizeof(*sin6);
	return 0;
}

int ts_parse_addr(const char *what, const char *s, struct ts_addr *out,
		  struct ts_err *e)
{
	const char *colon;

	if (!s || !*s)
		return ts_fail(e, "%s: empty address", what);
	if (!strncmp(s, "ipv4:", 5))
		return parse_v4(what, s, s + 5, out, e);
	if (!strncmp(s, "ipv6:", 5))
		return parse_v6(what, s, s + 5, out, e);
	if (s[0] == '[')
		return parse_v6(what, s, s, out, e);
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		/* two colons: an unbracketed IPv6, or an unknown family */
		size_t n = (size_t)(colon - s);

		/* "sdp:...", "ssocks:...": a word that is no hex group */
		if (memchr(s, '.', n))
			return parse_v4(what, s, s, out, e);
		if (n && isalpha((unsigned char)s[0]) &&
		    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == n &&
		    (n > 4 || strspn(s, "0123456789abcdef") < n))
			return ts_fail(e, "%s: '%s': unsupported address family "
				       "'%.*s' (expected ipv4 or ipv6)", what, s,
				       (int)n, s);
		return ts_fail(e, "%s: '%s': an IPv6 address must be written "
			       "in brackets, as [ADDRESS]:PORT", what, s);
	}
	return parse_v4(what, s, s, out, e);
}

char *ts_format_addr(const struct sockaddr *sa, size_t len,
		     bool family_prefix, char *buf, size_t buflen)
{
	char host[INET6_ADDRSTRLEN];

	if (sa && len >= sizeof(struct sockaddr_in) &&
	    sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, buflen, "%s%s:%u", family_prefix ? "ipv4 " : "",
			 host, ntohs(sin->sin_port));
	} else if (sa && len >= sizeof(struct sockaddr_in6) &&
		   sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		char scope[16] = "";

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		if (sin6->sin6_scope_id)
			snprintf(scope, sizeof(scope), "%%%u",
				 sin6->sin6_scope_id);
		snprintf(buf, buflen, "%s[%s%s]:%u",
			 family_prefix ? "ipv6 " : "", host, scope,
			 ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, buflen, "?");
	}
	return buf;
}

int ts_parse_meta(const char *dev, const char *index, char *meta_dev,
		  int32_t *meta_index, struct ts_err *e)
{
	uint64_t v;
	bool dev_int = dev && !strcmp(dev, "internal");
	bool idx_int = index && !strcmp(index, "internal");

	if (dev_int || idx_int) {
		if (!dev_int)
			return ts_fail(e, "META_INDEX: 'internal' needs META_DEV "
				       "'internal' too (got '%s')", dev);
		if (!idx_int)
			return ts_fail(e, "META_INDEX: '%s' with META_DEV "
				       "'internal'; expected 'internal'",
				       index ? index : "");
		strcpy(meta_dev, "internal");
		*meta_index = -1;
		return 0;
	}
	if (ts_parse_path("META_DEV", dev, meta_dev, e))
		return -1;
	if (index && !strcmp(index, "flexible")) {
		*meta_index = -1;
		return 0;
	}
	if (!index || !*index || *index < '0' || *index > '9')
		return ts_fail(e, "META_INDEX: '%s' is none of internal, "
			       "flexible or an index number",
			       index ? index : "");
	if (ts_parse_uint("META_INDEX", index, 0, INT32_MAX, &v, e))
		return -1;
	*meta_index = (int32_t)v;
	return 0;
}
