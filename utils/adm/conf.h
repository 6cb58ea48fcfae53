/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - the configuration file (/etc/tandem.conf): parser, data
 * model and normalized dump.
 *
 * The grammar is the one of drbd.conf as users have it, in the 8.3 and the
 * 8.4 styles: `include "glob";`, `global {}`, `common {}`, `resource NAME
 * {}` with `on HOST {}` sections (8.3: device/disk/address directly inside,
 * 8.4: `volume N {}`), `connection {}`, `connection-mesh {}` and the option
 * sections net, disk, startup, handlers, options and the obsolete syncer.
 *
 * Parsing produces a normalized model: every option is stored under its
 * current (8.4) name, in the section it belongs to now, with a canonical
 * value (numbers in the option's base unit, without suffix; booleans
 * "yes"/"no"). Obsolete spellings are accepted with a warning and mapped;
 * unknown keywords are errors. Every diagnostic carries file:line:column.
 *
 * Pure: no netlink, no kernel state. The parser stops at the first syntax
 * or value error; the checks that look at the whole file (duplicate
 * minors, references between resources, ...) run only when the syntax was
 * fine, and report every problem they find.
 */
#ifndef TANDEM_ADM_CONF_H
#define TANDEM_ADM_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest string (quoted or bare) the grammar accepts, in bytes. */
#define CONF_STRING_MAX		128
/* Minors are 0 .. CONF_MINOR_LIMIT - 1. */
#define CONF_MINOR_LIMIT	(1U << 20)
/* Include files nest at most this deep. */
#define CONF_INCLUDE_DEPTH	16
/* Largest file read (configuration files are small; this stops /dev/zero). */
#define CONF_FILE_MAX		(16U << 20)

/* conf_parse_*() flags. */
#define CONF_F_NO_INCLUDE	0x1	/* `include` is an error (fuzzing) */

/* Option sections, in the order conf_dump() prints them. */
enum conf_section {
	CONF_OPTIONS,		/* options { cpu-mask ...; } (resource options) */
	CONF_NET,
	CONF_DISK,
	CONF_STARTUP,
	CONF_HANDLERS,
	CONF_NSECTIONS,
};

/* Where something was written. @file points into struct conf's file list. */
struct conf_loc {
	const char *file;
	unsigned int line;
	unsigned int col;	/* 1-based, in characters (UTF-8 aware) */
};

/* One option: current name, canonical value, origin. */
struct conf_opt {
	const char *name;	/* 8.4 name (static string) */
	char *value;		/* canonical value */
	struct conf_loc loc;	/* where it (or the obsolete form) was written */
	unsigned int index;	/* position in the option table: sort key */
	bool inherited;		/* copied from `common` into a resource */
	bool implied;		/* set by a mapping, e.g. c-plan-ahead 0 for
				 * syncer `rate`; a written value replaces it */
};

/* A set of options of one section, sorted by option-table order. */
struct conf_optset {
	struct conf_opt *opts;
	size_t n;
};

enum conf_md_kind {
	CONF_MD_UNSET,
	CONF_MD_INTERNAL,	/* meta-disk internal */
	CONF_MD_FLEXIBLE,	/* meta-disk PATH (size follows the data) */
	CONF_MD_INDEXED,	/* meta-disk PATH[N] (fixed 128 MiB slot N) */
};

struct conf_addr {
	int family;		/* 0 (none), AF_INET or AF_INET6 */
	char ip[48];		/* canonical text (inet_ntop) */
	unsigned int port;
	struct conf_loc loc;
};

struct conf_volume {
	unsigned int number;
	int minor;		/* -1: no `device` */
	char *device;		/* custom device path; NULL: /dev/tandem<minor> */
	char *disk;		/* backing device, "none" (diskless) or NULL */
	enum conf_md_kind md;
	char *md_path;		/* CONF_MD_FLEXIBLE and CONF_MD_INDEXED */
	unsigned int md_index;	/* CONF_MD_INDEXED */
	struct conf_optset disk_opts;	/* `disk { }` inside the volume */
	struct conf_loc loc;	/* `volume` keyword, or first statement */
	struct conf_loc device_loc;
};

struct conf_host {
	char *name;
	int node_id;		/* -1: not given */
	struct conf_addr addr;
	struct conf_volume **vols;	/* sorted by number */
	size_t nvols;
	struct conf_optset disk_opts;	/* `disk { }` inside `on HOST` */
	struct conf_loc loc;	/* the host name after `on` */
};

/* One side of a connection: `host NAME [address [AF] IP:PORT];`. */
struct conf_peer {
	char *name;
	struct conf_addr addr;	/* family 0: the address of `on NAME` */
	struct conf_loc loc;
};

struct conf_connection {
	bool mesh;		/* connection-mesh { hosts A B C; } */
	char *name;		/* `connection NAME { }`, or NULL */
	struct conf_peer *peers;
	size_t npeers;
	struct conf_optset net;	/* net { } inside: overrides the resource */
	struct conf_loc loc;
};

struct conf_resource {
	struct conf *conf;	/* the configuration it belongs to */
	char *name;
	struct conf_loc loc;	/* the name after `resource` */
	/* Effective options: the resource's own plus those of `common`
	 * (flagged inherited), the resource's winning. */
	struct conf_optset opts[CONF_NSECTIONS];
	struct conf_host **hosts;	/* in file order */
	size_t nhosts;
	struct conf_connection **conns;
	size_t nconns;
};

enum conf_usage_count {
	CONF_USAGE_UNSET,
	CONF_USAGE_YES,
	CONF_USAGE_NO,
	CONF_USAGE_ASK,
};

struct conf_global {
	bool present;		/* a `global` section was read */
	enum conf_usage_count usage_count;
	long minor_count;	/* -1: not given */
	long dialog_refresh;	/* -1: not given */
	bool disable_ip_verification;
	bool udev_always_use_vnr;
	struct conf_loc loc;
};

struct conf_diag {
	bool error;		/* else warning */
	struct conf_loc loc;
	char *text;		/* without location and severity */
};

struct conf {
	struct conf_global global;
	bool has_common;
	struct conf_optset common[CONF_NSECTIONS];
	struct conf_resource **res;	/* in file order */
	size_t nres;

	struct conf_diag *diags;	/* errors and warnings, in order */
	size_t ndiags;
	unsigned int nerrors;
	unsigned int nwarnings;

	char **files;		/* every file name read (owns conf_loc.file) */
	size_t nfiles;
	unsigned int flags;
};

/*
 * Parse the file @path (and what it includes; relative include patterns
 * are taken relative to the directory of the file that names them).
 * *@out is always set to a new configuration (to be freed with conf_free())
 * holding the model and the diagnostics (running out of memory aborts).
 * Returns 0 when there was no error (warnings are fine), -1 otherwise.
 */
int conf_parse_file(const char *path, unsigned int flags, struct conf **out);

/*
 * The same for the @len bytes at @buf (need not be NUL-terminated), named
 * @name in diagnostics; relative includes are taken relative to the
 * directory part of @name (the current directory when it has none).
 */
int conf_parse_buffer(const char *name, const char *buf, size_t len,
		      unsigned int flags, struct conf **out);

/* Free everything conf_parse_*() returned. NULL is fine. */
void conf_free(struct conf *c);

/* "file:line:col: error: text" for diagnostic @d (into @buf); "file:
 * error: text" when it is about a whole file (line 0: cannot be read). */
char *conf_diag_format(const struct conf_diag *d, char *buf, size_t len);
/* Print every diagnostic of @c, one per line. */
void conf_print_diags(FILE *out, const struct conf *c);

/* The resource called @name, or NULL. */
struct conf_resource *conf_find_resource(const struct conf *c,
					 const char *name);

/*
 * The `on @hostname` section of resource @r (exact match, as against
 * `uname -n`). When there is none, records the error "no 'on' section for
 * host X in resource R" at the resource's file:line:column in the
 * diagnostics of r->conf (nerrors counts it) and returns NULL.
 */
struct conf_host *conf_find_host(const struct conf_resource *r,
				 const char *hostname);

/* Volume @number of host @h, or NULL. */
struct conf_volume *conf_host_volume(const struct conf_host *h,
				     unsigned int number);

/* The device path of @v: its own, or /dev/tandem<minor> (into @buf). */
const char *conf_volume_device(const struct conf_volume *v, char *buf,
			       size_t len);

/* Option @name (current name) in @set, or NULL. */
const struct conf_opt *conf_opt_find(const struct conf_optset *set,
				     const char *name);

/* The canonical value of option @name of section @sec of resource @r
 * (common included), or NULL when not set. */
const char *conf_res_opt(const struct conf_resource *r,
			 enum conf_section sec, const char *name);

/* Disk option @name as it applies to volume @v of host @h of resource @r:
 * the volume's own, else the host's, else the resource's (or common's).
 * @h and @v may be NULL. NULL when not set anywhere. */
const char *conf_disk_opt(const struct conf_resource *r,
			  const struct conf_host *h,
			  const struct conf_volume *v, const char *name);

/* Net option @name for connection @cn of @r (@cn may be NULL): the
 * connection's own, else the resource's (or common's). */
const char *conf_net_opt(const struct conf_resource *r,
			 const struct conf_connection *cn, const char *name);

/* Numeric value of a canonical number ("10240"); -1 if it is not one. */
int conf_value_u64(const char *value, uint64_t *out);

/* "net", "disk", ... */
const char *conf_section_name(enum conf_section sec);

/* The section option @name (current name) belongs to, or -1 if it is not
 * an option of the current grammar. */
int conf_option_section(const char *name);

/*
 * Print @c in current syntax: `global`, `common`, then every resource with
 * its own option sections, `on HOST { volume N { device minor N; disk ...;
 * meta-disk ...; } address ipv4 IP:PORT; node-id N; }` and connections.
 * Obsolete forms come out in their current spelling; parsing the output
 * gives the same model (and the same output again).
 */
void conf_dump(FILE *out, const struct conf *c);

/* Only resource @r (what `tandemadm dump R` prints). */
void conf_dump_resource(FILE *out, const struct conf_resource *r);

#endif
