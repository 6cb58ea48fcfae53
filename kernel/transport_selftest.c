// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - transport self-test through the transport API (debugfs).
 */
#include <linux/debugfs.h>

#include "tandem_int.h"

void tandem_selftest_debugfs_init(struct dentry *root)
{
}
