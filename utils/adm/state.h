/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - reading the state that `tandemsetup status --json` prints
 * (docs/TANDEMSETUP.md): cstate, dstate, role, wait-connect. Pure.
 */
#ifndef TANDEM_ADM_STATE_H
#define TANDEM_ADM_STATE_H

#include <stdbool.h>
#include <stdio.h>

#include "adm/json.h"
#include "adm/plan.h"

/* The resource named @name in the status array @root, or NULL. */
const struct json *adm_state_resource(const struct json *root,
				      const char *name);

/* `cstate`, `dstate`, `role` of resource object @res (see
 * docs/TANDEMADM.md), one line each. */
void adm_state_cstate(FILE *out, const struct json *res);
void adm_state_dstate(FILE *out, const struct json *res);
void adm_state_role(FILE *out, const struct json *res);

/* Connection state of the connection to @peer_node_id, or NULL. */
const char *adm_state_conn(const struct json *res, int peer_node_id);

/* Does any volume hold changes a peer of @ar does not have (out-of-sync
 * towards it)? That node ran without the peer: a degraded cluster. */
bool adm_state_degraded(const struct json *res, const struct adm_res *ar);

/* The node id of a peer of @ar whose connection is StandAlone, or -1. */
int adm_state_standalone_peer(const struct json *res,
			      const struct adm_res *ar);

/* Is every peer of @ar Connected in @res? */
bool adm_state_all_connected(const struct json *res,
			     const struct adm_res *ar);

#endif
