// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - replicated block device: module entry points.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "tandem_int.h"
#include "uapi/tandem_version.h"

static int __init tandem_init(void)
{
	int err;

	err = tandem_proc_init();
	if (err)
		return err;
	tandem_debugfs_init();
	pr_info("tandem %s loaded (api:%u/proto:%u-%u)\n", TANDEM_VERSION,
		TANDEM_GENL_API_VERSION, TANDEM_PROTO_MIN, TANDEM_PROTO_MAX);
	return 0;
}

static void __exit tandem_exit(void)
{
	tandem_debugfs_exit();
	tandem_proc_exit();
	pr_info("tandem unloaded\n");
}

module_init(tandem_init);
module_exit(tandem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tandem replicated block device");
MODULE_VERSION(TANDEM_VERSION);
