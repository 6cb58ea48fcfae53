// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - the names of states users see.
 */
#include "../uapi/tandem_genl.h"
#include "tandem_lib.h"

static const char * const role_names[] = {
	[TANDEM_ROLE_UNKNOWN]	= "Unknown",
	[TANDEM_ROLE_PRIMARY]	= "Primary",
	[TANDEM_ROLE_SECONDARY]	= "Secondary",
};

static const char * const disk_names[] = {
	[TANDEM_DS_DISKLESS]	= "Diskless",
	[TANDEM_DS_ATTACHING]	= "Attaching",
	[TANDEM_DS_DETACHING]	= "Detaching",
	[TANDEM_DS_FAILED]	= "Failed",
	[TANDEM_DS_NEGOTIATING]	= "Negotiating",
	[TANDEM_DS_INCONSISTENT] = "Inconsistent",
	[TANDEM_DS_OUTDATED]	= "Outdated",
	[TANDEM_DS_DUNKNOWN]	= "DUnknown",
	[TANDEM_DS_CONSISTENT]	= "Consistent",
	[TANDEM_DS_UPTODATE]	= "UpToDate",
};

static const char * const conn_names[] = {
	[TANDEM_CS_STANDALONE]	= "StandAlone",
	[TANDEM_CS_DISCONNECTING] = "Disconnecting",
	[TANDEM_CS_UNCONNECTED]	= "Unconnected",
	[TANDEM_CS_TIMEOUT]	= "Timeout",
	[TANDEM_CS_BROKEN_PIPE]	= "BrokenPipe",
	[TANDEM_CS_NETWORK_FAILURE] = "NetworkFailure",
	[TANDEM_CS_PROTOCOL_ERROR] = "ProtocolError",
	[TANDEM_CS_TEAR_DOWN]	= "TearDown",
	[TANDEM_CS_CONNECTING]	= "Connecting",
	[TANDEM_CS_CONNECTED]	= "Connected",
};

static const char * const repl_names[] = {
	[TANDEM_RS_OFF]		= "Off",
	[TANDEM_RS_ESTABLISHED]	= "Established",
	[TANDEM_RS_STARTING_SYNC_S] = "StartingSyncS",
	[TANDEM_RS_STARTING_SYNC_T] = "StartingSyncT",
	[TANDEM_RS_WF_BITMAP_S]	= "WFBitMapS",
	[TANDEM_RS_WF_BITMAP_T]	= "WFBitMapT",
	[TANDEM_RS_SYNC_SOURCE]	= "SyncSource",
	[TANDEM_RS_SYNC_TARGET]	= "SyncTarget",
	[TANDEM_RS_VERIFY_S]	= "VerifyS",
	[TANDEM_RS_VERIFY_T]	= "VerifyT",
	[TANDEM_RS_PAUSED_SYNC_S] = "PausedSyncS",
	[TANDEM_RS_PAUSED_SYNC_T] = "PausedSyncT",
	[TANDEM_RS_AHEAD]	= "Ahead",
	[TANDEM_RS_BEHIND]	= "Behind",
};

#define NAME_OF(table, v) \
	((v) < sizeof(table) / sizeof((table)[0]) && (table)[v] ? (table)[v] : "?")

const char *tandem_role_name(unsigned int role)
{
	return NAME_OF(role_names, role);
}

const char *tandem_disk_state_name(unsigned int ds)
{
	return NAME_OF(disk_names, ds);
}

const char *tandem_conn_state_name(unsigned int cs)
{
	return NAME_OF(conn_names, cs);
}

const char *tandem_repl_state_name(unsigned int rs)
{
	return NAME_OF(repl_names, rs);
}

char tandem_protocol_letter(unsigned int protocol)
{
	switch (protocol) {
	case TANDEM_PROT_A:
		return 'A';
	case TANDEM_PROT_B:
		return 'B';
	case TANDEM_PROT_C:
		return 'C';
	}
	return '?';
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static int index_of(const char * const *table, unsigned int n,
		    const char *name)
{
	unsigned int i;

	if (!name)
		return -1;
	for (i = 0; i < n; i++)
		if (table[i] && str_eq(table[i], name))
			return (int)i;
	return -1;
}

#define INDEX_OF(table, name) \
	index_of(table, sizeof(table) / sizeof((table)[0]), name)

int tandem_role_from_name(const char *name)
{
	return INDEX_OF(role_names, name);
}

int tandem_disk_state_from_name(const char *name)
{
	return INDEX_OF(disk_names, name);
}

int tandem_conn_state_from_name(const char *name)
{
	return INDEX_OF(conn_names, name);
}

int tandem_repl_state_from_name(const char *name)
{
	return INDEX_OF(repl_names, name);
}
