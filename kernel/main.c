// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - replicated block device: module entry points.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/init.h>
#include <linux/module.h>

#include "tandem_int.h"
#include "uapi/tandem_version.h"

struct bio_set tandem_bio_set;

/* The wire and on-disk formats are ABI: their sizes never change silently. */
static void __init check_formats(void)
{
	BUILD_BUG_ON(sizeof(struct tandem_hdr) != 16);
	BUILD_BUG_ON(sizeof(struct tandem_p_hello) != 104);
	BUILD_BUG_ON(sizeof(struct tandem_p_auth) != 68);
	BUILD_BUG_ON(sizeof(struct tandem_p_auth_result) != 4);
	BUILD_BUG_ON(sizeof(struct tandem_p_net_opts) != 52);
	BUILD_BUG_ON(sizeof(struct tandem_p_uuids) != 64);
	BUILD_BUG_ON(sizeof(struct tandem_p_sizes) != 24);
	BUILD_BUG_ON(sizeof(struct tandem_p_state) != 16);
	BUILD_BUG_ON(sizeof(struct tandem_p_disconnect) != 4);
	BUILD_BUG_ON(sizeof(struct tandem_p_data) != 32);
	BUILD_BUG_ON(sizeof(struct tandem_p_block_req) != 24);
	BUILD_BUG_ON(sizeof(struct tandem_p_block_ack) != 24);
	BUILD_BUG_ON(sizeof(struct tandem_p_barrier) != 8);
	BUILD_BUG_ON(sizeof(struct tandem_p_barrier_ack) != 8);
	BUILD_BUG_ON(sizeof(struct tandem_p_sync_done) != 8);
	BUILD_BUG_ON(sizeof(struct tandem_p_role_req) != 8);
	BUILD_BUG_ON(sizeof(struct tandem_p_role_reply) != 8);
	BUILD_BUG_ON(sizeof(struct tandem_p_ov_req) != 64);
	BUILD_BUG_ON(sizeof(struct tandem_p_ov_reply) != 24);
	BUILD_BUG_ON(TANDEM_OV_MAX_BLOCKS * TANDEM_BM_BLOCK_BYTES !=
		     TANDEM_SYNC_CHUNK);
	BUILD_BUG_ON(sizeof(struct tandem_p_hello) > TANDEM_MAX_BODY);
	BUILD_BUG_ON(sizeof(struct tandem_md_peer) != 32);
	BUILD_BUG_ON(TANDEM_MD_HISTORY != TANDEM_HISTORY_UUIDS);
	BUILD_BUG_ON(sizeof(struct tandem_md_super) != TANDEM_MD_SB_BYTES);
}

static int __init tandem_init(void)
{
	int err;

	check_formats();
	err = bioset_init(&tandem_bio_set, BIO_POOL_SIZE, 0, BIOSET_NEED_BVECS);
	if (err)
		return err;
	err = tandem_al_wq_init();
	if (err)
		goto out_exit_bioset;
	err = tandem_blkdev_init();
	if (err)
		goto out_exit_al_wq;
	err = tandem_proc_init();
	if (err)
		goto out_exit_blkdev;
	err = tandem_nl_init();
	if (err)
		goto out_exit_proc;
	tandem_debugfs_init();
	pr_info("tandem %s loaded (api:%u/proto:%u-%u)\n", TANDEM_VERSION,
		TANDEM_GENL_API_VERSION, TANDEM_PROTO_MIN, TANDEM_PROTO_MAX);
	return 0;

out_exit_proc:
	tandem_proc_exit();
out_exit_blkdev:
	tandem_blkdev_exit();
out_exit_al_wq:
	tandem_al_wq_exit();
out_exit_bioset:
	bioset_exit(&tandem_bio_set);
	return err;
}

static void __exit tandem_exit(void)
{
	tandem_nl_exit();
	tandem_resources_destroy_all();
	tandem_debugfs_exit();
	tandem_proc_exit();
	tandem_blkdev_exit();
	tandem_al_wq_exit();
	bioset_exit(&tandem_bio_set);
	pr_info("tandem unloaded\n");
}

module_init(tandem_init);
module_exit(tandem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tandem replicated block device");
MODULE_VERSION(TANDEM_VERSION);
