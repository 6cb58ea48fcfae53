/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - parsing of command-line values (numbers, sizes, rates,
 * yes/no, protocol letters, addresses, names, meta-data index).
 *
 * Everything here is pure: no netlink, no global state. On failure a
 * function returns -1 and writes into @e a message that starts with
 * @what (the name of the argument or option, e.g. "PEER_ADDR" or
 * "--timeout"), so that the caller can print it as is.
 */
#ifndef TANDEM_SETUP_PARSE_H
#define TANDEM_SETUP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "kernel/uapi/tandem_genl.h"
#include "kernel/uapi/tandem_limits.h"

/* Highest minor number a block device can have (MINORBITS = 20). */
#define TS_MINOR_MAX	((1u << 20) - 1)

struct ts_err {
	char msg[320];
};

/* Format a message into @e; always returns -1. */
int ts_fail(struct ts_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An IPv4 or IPv6 socket address, as sent in TANDEM_A_*_ADDR. */
struct ts_addr {
	struct sockaddr_storage ss;
	socklen_t len;		/* 0: no address */
};

/* Decimal number in [min, max]; no sign, no spaces, no suffix. */
int ts_parse_uint(const char *what, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out, struct ts_err *e);
int ts_parse_u32(const char *what, const char *s, uint32_t *out,
		 struct ts_err *e);
/*
 * A device size: a number of 512-byte sectors, or with a suffix K, M, G
 * or T (x1024 bytes each); the result (in sectors) must be a positive
 * multiple of 4 KiB.
 */
int ts_parse_size64(const char *what, const char *s, uint64_t *sectors,
		    struct ts_err *e);

/*
 * A quantity with an optional binary suffix K, M or G (either case),
 * converted to units of @unit_bytes bytes (1, 512 or 1024). A plain
 * number is already in those units. The result must fit in a u32.
 *   unit 1:    "64K" -> 65536 (bytes)
 *   unit 512:  "1M"  -> 2048 (sectors)
 *   unit 1024: "10M" -> 10240 (KiB, used for rates in KiB/s)
 */
int ts_parse_scaled(const char *what, const char *s, unsigned int unit_bytes,
		    uint32_t *out, struct ts_err *e);

/* "yes" or "no". */
int ts_parse_yesno(const char *what, const char *s, bool *out,
		   struct ts_err *e);

/* "A", "B" or "C" (either case) -> enum tandem_protocol. */
int ts_parse_protocol(const char *what, const char *s, uint32_t *out,
		      struct ts_err *e);

/* "detach", "pass_on", "call-local-io-error" -> enum tandem_on_io_error. */
int ts_parse_on_io_error(const char *what, const char *s, uint32_t *out,
			 struct ts_err *e);
const char *ts_on_io_error_name(uint32_t v);

/* Node ids are 0 .. TANDEM_NODE_ID_MAX - 1. */
int ts_parse_node_id(const char *what, const char *s, uint32_t *out,
		     struct ts_err *e);
/* Minor numbers are 0 .. TS_MINOR_MAX. */
int ts_parse_minor(const char *what, const char *s, uint32_t *out,
		   struct ts_err *e);

/*
 * Resource name: 1 .. TANDEM_RESOURCE_NAME_MAX - 1 printable characters,
 * no white space, no '/', not starting with '-'. @out has room for
 * TANDEM_RESOURCE_NAME_MAX bytes.
 */
int ts_parse_resource(const char *what, const char *s, char *out,
		      struct ts_err *e);

/* Absolute path shorter than TANDEM_PATH_MAX; @out has that room. */
int ts_parse_path(const char *what, const char *s, char *out,
		  struct ts_err *e);

/*
 * Free-form name (algorithm, ...): printable, no white space, shorter
 * than @max (which includes the NUL). Empty is allowed when
 * @allow_empty is set.
 */
int ts_parse_name(const char *what, const char *s, size_t max,
		  bool allow_empty, char *out, struct ts_err *e);

/*
 * Addresses:
 *   192.0.2.1:7789          ipv4:192.0.2.1:7789
 *   [2001:db8::1]:7789      ipv6:[2001:db8::1]:7789
 *   [fe80::1%2]:7789        (scope: interface index or name)
 * Only numeric addresses; port 1 .. 65535.
 */
int ts_parse_addr(const char *what, const char *s, struct ts_addr *out,
		  struct ts_err *e);

/*
 * "192.0.2.1:7789" or "[2001:db8::1]:7789" ("[fe80::1%2]:7789" with a
 * scope); with @family_prefix, "ipv4 192.0.2.1:7789" / "ipv6 [...]:N".
 * Returns @buf; "?" for something that is not an IPv4/IPv6 address.
 */
#define TS_ADDR_STRLEN 80
char *ts_format_addr(const struct sockaddr *sa, size_t len,
		     bool family_prefix, char *buf, size_t buflen);

/*
 * META_DEV and META_INDEX of attach:
 *   internal  internal   -> meta_dev "internal", index -1
 *   /dev/x    flexible   -> meta_dev "/dev/x",   index -1
 *   /dev/x    N          -> meta_dev "/dev/x",   index N (0 .. INT32_MAX)
 * "internal" for one of the two requires it for the other.
 * @meta_dev has room for TANDEM_PATH_MAX bytes.
 */
int ts_parse_meta(const char *dev, const char *index, char *meta_dev,
		  int32_t *meta_index, struct ts_err *e);

#endif
