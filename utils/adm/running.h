/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - the running configuration, as `tandemsetup show` prints it
 * (docs/TANDEMSETUP.md "show"). Pure.
 *
 * That output uses the configuration-file syntax but not its structure:
 * it describes one node (`node-id` directly in the resource, `volume`
 * without `on HOST`, `connection { peer-node-id; local-address;
 * peer-address; net { } }`), and `resync-after` is a minor. The parser of
 * adm/conf.h is for files that describe every node, so this small reader
 * takes `show` output instead.
 */
#ifndef TANDEM_ADM_RUNNING_H
#define TANDEM_ADM_RUNNING_H

#include <stdbool.h>
#include <stddef.h>

#include "adm/conf.h"

struct run_opt {
	char *name;
	char *value;		/* unquoted */
};

struct run_opts {
	struct run_opt *v;
	size_t n;
};

struct run_volume {
	unsigned int number;
	long minor;			/* -1: not shown */
	char *disk;			/* backing device, "none", or NULL */
	enum conf_md_kind md;		/* CONF_MD_UNSET: not shown */
	char *md_path;
	unsigned int md_index;
	struct run_opts disk_opts;
};

struct run_conn {
	unsigned int peer_node_id;
	/* "192.0.2.1:7789" or "[2001:db8::1]:7789" (tandemsetup's argument
	 * form), or NULL when not shown */
	char *local_addr;
	char *peer_addr;
	struct run_opts net;
};

struct run_res {
	char *name;
	int node_id;			/* -1: not shown */
	struct run_opts options;
	struct run_volume *vols;
	size_t nvols;
	struct run_conn *conns;
	size_t nconns;
};

struct run_conf {
	struct run_res *res;
	size_t nres;
};

/*
 * Read the @len bytes of `tandemsetup show` output at @text. Returns 0
 * and *@out (run_free() it), or -1 with "line N: what was not understood"
 * in @err.
 */
int run_parse(const char *text, size_t len, struct run_conf **out,
	      char *err, size_t errlen);

void run_free(struct run_conf *rc);

const struct run_res *run_find(const struct run_conf *rc, const char *name);

/* The value of option @name in @set, or NULL. */
const char *run_opt(const struct run_opts *set, const char *name);

#endif
