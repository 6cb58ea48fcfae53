// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - challenge-response authentication (cram-hmac-alg, shared-secret).
 *
 * Each side sends a random challenge; each answers the other's with
 * HMAC(secret, challenge || answering node id). Binding the node id into
 * the answer means a challenge reflected back at its sender does not
 * produce a valid answer. Each side tells the other whether it accepted,
 * so both log the same outcome. Nothing else is accepted on a connection
 * before this succeeds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/random.h>

#include "tandem_int.h"

static int answer(struct crypto_shash *tfm, const u8 *chal, u32 node_id,
		  u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	__be32 id = cpu_to_be32(node_id);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, chal, TANDEM_CHALLENGE_LEN) ?:
	      crypto_shash_update(desc, (u8 *)&id, sizeof(id)) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

int tandem_auth(struct tandem_connection *c)
{
	struct tandem_resource *r = c->resource;
	struct tandem_p_auth mine = {}, peer, resp = {};
	struct tandem_p_auth_result res = {}, peer_res;
	u8 expect[TANDEM_DIGEST_MAX];
	char alg[TANDEM_ALG_NAME_MAX + 8];
	struct crypto_shash *tfm;
	unsigned int dlen;
	bool ok;
	int err;

	snprintf(alg, sizeof(alg), "hmac(%s)", c->opts.hmac_alg);
	tfm = crypto_alloc_shash(alg, 0, 0);
	if (IS_ERR(tfm)) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "cram-hmac-alg \"%s\" is not available (%ld)",
				   c->opts.hmac_alg, PTR_ERR(tfm));
		return -EACCES;
	}
	dlen = crypto_shash_digestsize(tfm);
	err = -EINVAL;
	if (dlen > TANDEM_DIGEST_MAX)
		goto out_free_tfm;
	err = crypto_shash_setkey(tfm, c->opts.secret, c->opts.secret_len);
	if (err)
		goto out_free_tfm;

	get_random_bytes(mine.data, TANDEM_CHALLENGE_LEN);
	mine.len = cpu_to_be32(TANDEM_CHALLENGE_LEN);
	err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_AUTH_CHALLENGE, 0,
				 &mine, sizeof(mine), NULL, 0);
	if (err)
		goto out_free_tfm;
	err = tandem_recv_fixed(c, TANDEM_STREAM_DATA, TP_AUTH_CHALLENGE,
				&peer, sizeof(peer));
	if (err)
		goto out_free_tfm;
	if (be32_to_cpu(peer.len) != TANDEM_CHALLENGE_LEN ||
	    !memcmp(peer.data, mine.data, TANDEM_CHALLENGE_LEN)) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "authentication: bad challenge from peer");
		err = -EACCES;
		goto out_free_tfm;
	}

	err = answer(tfm, peer.data, r->node_id, resp.data);
	if (err)
		goto out_free_tfm;
	resp.len = cpu_to_be32(dlen);
	err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_AUTH_RESPONSE, 0,
				 &resp, sizeof(resp), NULL, 0);
	if (err)
		goto out_free_tfm;
	err = tandem_recv_fixed(c, TANDEM_STREAM_DATA, TP_AUTH_RESPONSE,
				&peer, sizeof(peer));
	if (err)
		goto out_free_tfm;
	err = answer(tfm, mine.data, c->peer_node_id, expect);
	if (err)
		goto out_free_tfm;
	ok = be32_to_cpu(peer.len) == dlen &&
	     !crypto_memneq(peer.data, expect, dlen);

	res.ok = cpu_to_be32(ok);
	err = tandem_send_packet(c, TANDEM_STREAM_DATA, TP_AUTH_RESULT, 0,
				 &res, sizeof(res), NULL, 0);
	if (err)
		goto out_free_tfm;
	err = tandem_recv_fixed(c, TANDEM_STREAM_DATA, TP_AUTH_RESULT,
				&peer_res, sizeof(peer_res));
	if (err)
		goto out_free_tfm;

	if (!ok) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "authentication of peer failed: its answer does not match our shared-secret (%s)",
				   c->opts.hmac_alg);
		err = -EACCES;
	} else if (!be32_to_cpu(peer_res.ok)) {
		tandem_conn_failed(c, TANDEM_CS_PROTOCOL_ERROR,
				   "peer rejected our authentication: shared-secret mismatch");
		err = -EACCES;
	} else {
		pr_info("%s peer %u: authenticated (%s)\n", r->name,
			c->peer_node_id, c->opts.hmac_alg);
	}
out_free_tfm:
	crypto_free_shash(tfm);
	return err;
}
