/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - pure logic shared by tandem.ko and the userspace unit tests.
 *
 * Nothing in kernel/lib/ may depend on the kernel or on libc beyond the
 * fixed-width integer types: every function here is compiled into the
 * module and into tests/unit unchanged.
 */
#ifndef _TANDEM_LIB_H
#define _TANDEM_LIB_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint32_t u32;
typedef uint64_t u64;
#endif

/**
 * tandem_transport_name_valid() - check a transport class name
 * @name: NUL-terminated name, as given in a resource's net section
 *
 * A valid name is 1 to TANDEM_TRANSPORT_NAME_MAX - 1 characters from
 * [a-z0-9_]. The name becomes part of a module name handed to
 * request_module(), so nothing else may pass.
 *
 * Return: true if @name is valid.
 */
bool tandem_transport_name_valid(const char *name);

/**
 * struct tandem_proto_range - wire protocol versions one node speaks
 * @min: oldest version spoken
 * @max: newest version spoken
 */
struct tandem_proto_range {
	u32 min;
	u32 max;
};

/**
 * tandem_proto_agree() - pick the wire protocol version two nodes use
 * @mine: versions this node speaks
 * @peer: versions the peer announced
 *
 * Return: the highest version both speak, or 0 if the ranges do not
 * overlap or either range is malformed (min of 0, or min > max).
 */
u32 tandem_proto_agree(const struct tandem_proto_range *mine,
		       const struct tandem_proto_range *peer);

/*
 * Names of states as users see them in /proc/tandem, status and events
 * ("Primary", "UpToDate", "Connected", "SyncSource", ...). Out-of-range
 * values give "?" so that a bad value never indexes past a table.
 */
const char *tandem_role_name(unsigned int role);
const char *tandem_disk_state_name(unsigned int ds);
const char *tandem_conn_state_name(unsigned int cs);
const char *tandem_repl_state_name(unsigned int rs);
/* Protocol letter 'A', 'B' or 'C'; '?' for anything else. */
char tandem_protocol_letter(unsigned int protocol);

/*
 * Reverse look-ups for the utilities: return the enum value, or -1 if
 * @name is none of the names (case-sensitive, as users grep them).
 */
int tandem_role_from_name(const char *name);
int tandem_disk_state_from_name(const char *name);
int tandem_conn_state_from_name(const char *name);
int tandem_repl_state_from_name(const char *name);

#endif /* _TANDEM_LIB_H */
