// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - cstate, dstate, role and wait-connect from the JSON of
 * `tandemsetup status --json` (format: docs/TANDEMSETUP.md "status").
 */
#include <string.h>

#include "adm/state.h"

const struct json *adm_state_resource(const struct json *root,
				      const char *name)
{
	const char *n;
	size_t i;

	if (!root || root->type != JSON_ARRAY)
		return NULL;
	for (i = 0; i < root->n; i++) {
		n = json_get_str(root->items[i], "name");
		if (n && !strcmp(n, name))
			return root->items[i];
	}
	return NULL;
}

static const struct json *array(const struct json *o, const char *key)
{
	const struct json *a = json_get(o, key);

	return a && a->type == JSON_ARRAY ? a : NULL;
}

static bool same_num(const struct json *a, const struct json *b,
		     const char *key)
{
	double x, y;

	return json_get_num(a, key, &x) && json_get_num(b, key, &y) && x == y;
}

/* The peer device of connection @conn for device @dev, or NULL. */
static const struct json *peer_device(const struct json *conn,
				      const struct json *dev)
{
	const struct json *pds = array(conn, "peer-devices");
	size_t i;

	for (i = 0; pds && i < pds->n; i++)
		if (same_num(pds->items[i], dev, "volume"))
			return pds->items[i];
	return NULL;
}

static const char *or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/*
 * The connection state of @conn as cstate shows it for device @dev: the
 * replication state instead of Connected while a resync runs or waits.
 */
static const char *cstate_of(const struct json *conn, const struct json *dev)
{
	const char *cs = or(json_get_str(conn, "connection"), "Unknown");
	const char *repl;

	if (strcmp(cs, "Connected") || !dev)
		return cs;
	repl = json_get_str(peer_device(conn, dev), "replication");
	if (repl && strcmp(repl, "Established") && strcmp(repl, "Off"))
		return repl;
	return cs;
}

void adm_state_cstate(FILE *out, const struct json *res)
{
	const struct json *devs = array(res, "devices");
	const struct json *conns = array(res, "connections");
	size_t i, j, ndev = devs ? devs->n : 0;

	/* one line per volume; a resource without volumes gets one too */
	for (i = 0; i < (ndev ? ndev : 1); i++) {
		const struct json *dev = ndev ? devs->items[i] : NULL;

		if (!conns || !conns->n) {
			fputs("StandAlone\n", out);
			continue;
		}
		for (j = 0; j < conns->n; j++)
			fprintf(out, "%s%s", j ? " " : "",
				cstate_of(conns->items[j], dev));
		fputc('\n', out);
	}
}

void adm_state_dstate(FILE *out, const struct json *res)
{
	const struct json *devs = array(res, "devices");
	const struct json *conns = array(res, "connections");
	size_t i, j;

	for (i = 0; devs && i < devs->n; i++) {
		const struct json *dev = devs->items[i];

		fputs(or(json_get_str(dev, "disk"), "Unknown"), out);
		if (!conns || !conns->n)
			fputs("/DUnknown", out);
		for (j = 0; conns && j < conns->n; j++)
			fprintf(out, "/%s", or(json_get_str(peer_device(
				conns->items[j], dev), "peer-disk"),
				"DUnknown"));
		fputc('\n', out);
	}
}

void adm_state_role(FILE *out, const struct json *res)
{
	const struct json *conns = array(res, "connections");
	size_t j;

	fputs(or(json_get_str(res, "role"), "Unknown"), out);
	if (!conns || !conns->n)
		fputs("/Unknown", out);
	for (j = 0; conns && j < conns->n; j++)
		fprintf(out, "/%s", or(json_get_str(conns->items[j], "role"),
				       "Unknown"));
	fputc('\n', out);
}

const char *adm_state_conn(const struct json *res, int peer_node_id)
{
	const struct json *conns = array(res, "connections");
	double id;
	size_t j;

	for (j = 0; conns && j < conns->n; j++)
		if (json_get_num(conns->items[j], "peer-node-id", &id) &&
		    id == peer_node_id)
			return json_get_str(conns->items[j], "connection");
	return NULL;
}

static const struct json *conn_of(const struct json *res, int peer_node_id)
{
	const struct json *conns = array(res, "connections");
	double id;
	size_t j;

	for (j = 0; conns && j < conns->n; j++)
		if (json_get_num(conns->items[j], "peer-node-id", &id) &&
		    (int)id == peer_node_id)
			return conns->items[j];
	return NULL;
}

bool adm_state_degraded(const struct json *res, const struct adm_res *ar)
{
	const struct json *pds;
	double oos;
	size_t i, k;

	for (i = 0; i < ar->npeers; i++) {
		pds = array(conn_of(res, ar->peers[i].node_id), "peer-devices");
		for (k = 0; pds && k < pds->n; k++)
			if (json_get_num(pds->items[k], "out-of-sync", &oos) &&
			    oos > 0)
				return true;
	}
	return false;
}

int adm_state_standalone_peer(const struct json *res,
			      const struct adm_res *ar)
{
	const char *cs;
	size_t i;

	for (i = 0; i < ar->npeers; i++) {
		cs = adm_state_conn(res, ar->peers[i].node_id);
		if (cs && !strcmp(cs, "StandAlone"))
			return ar->peers[i].node_id;
	}
	return -1;
}

bool adm_state_all_connected(const struct json *res,
			     const struct adm_res *ar)
{
	const char *cs;
	size_t i;

	for (i = 0; i < ar->npeers; i++) {
		cs = adm_state_conn(res, ar->peers[i].node_id);
		if (!cs || strcmp(cs, "Connected"))
			return false;
	}
	return true;
}
