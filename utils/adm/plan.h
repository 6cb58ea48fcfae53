/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - plans: what each verb does, as the list of tandemsetup and
 * tandemmeta command lines that carry it out, built from the parsed
 * configuration (adm/conf.h) for this host. Pure: no I/O, no kernel; the
 * caller runs a plan or prints it (-d).
 *
 * The warnings a plan collects (options the low-level tools do not know
 * yet, ...) are kept once per text, so that a plan built for `all`
 * reports each of them once.
 */
#ifndef TANDEM_ADM_PLAN_H
#define TANDEM_ADM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "adm/conf.h"
#include "adm/json.h"
#include "adm/running.h"

/* tandemadm exit codes (besides those passed through from tandemsetup,
 * tandemmeta and handlers). */
#define ADM_EXIT_OK		0
#define ADM_EXIT_USAGE		1	/* bad command line */
#define ADM_EXIT_TIMEOUT	5	/* wait-connect: time is up */
#define ADM_EXIT_EXEC		6	/* a program could not be run */
#define ADM_EXIT_CONFIG		10	/* configuration error */
#define ADM_EXIT_NO_RES		11	/* no such resource */
#define ADM_EXIT_RUNNING	12	/* adjust: running state not usable */

enum adm_verb {
	ADM_CREATE_MD,
	ADM_WIPE_MD,
	ADM_DUMP_MD,
	ADM_APPLY_AL,
	ADM_UP,
	ADM_DOWN,
	ADM_ATTACH,
	ADM_DETACH,
	ADM_CONNECT,
	ADM_DISCONNECT,
	ADM_PRIMARY,
	ADM_SECONDARY,
	ADM_NET_OPTIONS,
	ADM_DISK_OPTIONS,
	ADM_INVALIDATE,
	ADM_INVALIDATE_REMOTE,
	ADM_PAUSE_SYNC,
	ADM_RESUME_SYNC,
	ADM_VERIFY,
	ADM_SH_B_PRI,
	ADM_OUTDATE,
	ADM_RESIZE,
	ADM_ADJUST,		/* adm_plan_adjust() */
};

/* The programs a plan runs. */
enum adm_tool {
	ADM_TANDEMSETUP,
	ADM_TANDEMMETA,
};

struct adm_cmd {
	enum adm_tool tool;
	char **argv;		/* argv[0] is the tool's name */
	size_t argc;
};

struct adm_plan {
	struct adm_cmd *cmds;
	size_t n;
	char **warnings;	/* without "tandemadm: " */
	size_t nwarnings;
	char **warn_keys;	/* what was reported once per key */
	size_t nwarn_keys;
	char *error;		/* set: the plan must not run */
	int error_code;		/* ADM_EXIT_* for @error */
};

/* One peer of this node in a resource. */
struct adm_peer {
	const struct conf_host *host;
	const struct conf_connection *conn;	/* NULL: implicit (no
						 * connection sections) */
	int node_id;
	struct conf_addr local;		/* this node's address for it */
	struct conf_addr remote;	/* the peer's address */
};

/* A resource as this node sees it. */
struct adm_res {
	const struct conf_resource *r;
	const struct conf_host *me;
	int node_id;
	struct adm_peer *peers;
	size_t npeers;
};

/* `--name=value` given on the command line (net-options, disk-options,
 * connect, attach): @name is the current option name. */
struct adm_setopt {
	const char *name;
	const char *value;	/* NULL: a yes/no option given alone */
};

struct adm_verbopts {
	bool force;		/* primary, create-md, wipe-md */
	bool discard_my_data;	/* connect */
	bool json;		/* dump-md */
	const char *size;	/* resize --size, passed on; NULL if not given */
	const struct adm_setopt *set;
	size_t nset;
};

/*
 * Resolve resource @r for host @host: its `on` section, node ids (the
 * `node-id` statements, else the order of the `on` sections) and peers
 * (the other `on` sections, or those the `connection` and
 * `connection-mesh` sections name together with @host). Returns 0, or -1
 * with a "file:line:col: error: ..." message in @err (the caller exits
 * with ADM_EXIT_CONFIG). Free with adm_res_free().
 */
int adm_res_init(struct adm_res *ar, const struct conf_resource *r,
		 const char *host, char *err, size_t errlen);
void adm_res_free(struct adm_res *ar);

/* Has resource @r an `on @host` section? (Records no error.) */
bool adm_res_has_host(const struct conf_resource *r, const char *host);

/* Volume @v has a backing device (`disk` is not `none`). */
bool adm_vol_has_disk(const struct conf_volume *v);

/* The current name of an option of section @sec written on the command
 * line as --@name (the 8.3 `rate` is `resync-rate`), or NULL when there is
 * none. */
const char *adm_option_name(const char *name, enum conf_section sec);

/* Does option @name (current name) take no value on the command line
 * (yes/no options)? Unknown names: false. */
bool adm_option_is_bool(const char *name);

/*
 * Append to @p what @verb does on resource @ar (plans of several
 * resources concatenate). ADM_ADJUST is not built here (see below).
 */
void adm_plan_verb(struct adm_plan *p, enum adm_verb verb,
		   const struct adm_res *ar, const struct adm_verbopts *o);

/*
 * The plan of `adjust`: what brings the running resource @run (NULL when
 * it is not running: the plan of `up`) to the configuration @ar.
 * @status is the resource object of `tandemsetup status --json` (or
 * NULL): connections it shows StandAlone are connected again.
 * Sets p->error (ADM_EXIT_RUNNING) when it cannot be done online.
 */
void adm_plan_adjust(struct adm_plan *p, const struct adm_res *ar,
		     const struct run_res *run, const struct json *status);

void adm_plan_free(struct adm_plan *p);

/* The command line @c as one line of shell (tools by name, every
 * argument quoted as needed), without a newline. Caller frees. */
char *adm_cmd_shell(const struct adm_cmd *c);

/* @s quoted for the shell when it needs it, appended to @out. */
void adm_shell_quote(FILE *out, const char *s);

/* Print every command of @p, one per line (what -d shows). */
void adm_plan_print(FILE *out, const struct adm_plan *p);

/* "192.0.2.1:7789" or "[2001:db8::1]:7789" into @buf. */
const char *adm_addr_str(const struct conf_addr *a, char *buf, size_t len);

/* ---- handlers -------------------------------------------------------- */

/* What the kernel (or a user) gave the handler. NULL or -1: unknown. */
struct adm_handler_in {
	const char *minor;		/* TANDEM_MINOR */
	const char *volume;		/* TANDEM_VOLUME */
	const char *peer_node_id;	/* TANDEM_PEER_NODE_ID */
};

/*
 * The environment a handler of resource @ar gets, as "NAME=value"
 * strings (caller frees each and the array; *@n of them): TANDEM_RESOURCE,
 * TANDEM_MINOR, TANDEM_VOLUME, TANDEM_PEER_NODE_ID (as given, else what
 * the configuration determines), TANDEM_CONF, TANDEM_BACKING_DEV,
 * TANDEM_PEER, TANDEM_PEER_ADDRESS, TANDEM_PEER_AF, and the same with the
 * DRBD_ prefix. @ar->me may be NULL (no section for this host): then only
 * what needs none.
 */
char **adm_handler_env(const struct adm_res *ar, const char *conf_path,
		       const struct adm_handler_in *in, size_t *n);

#endif
