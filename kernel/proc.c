// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - /proc/tandem, in the layout users of 8.4-style status read.
 *
 *   version: <version> (api:<genl api>/proto:<min>-<max>)
 *   Transports (api:<transport api>): <name> (<version>) ...
 *
 * followed, once devices exist, by one block per minor.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "tandem_int.h"
#include "uapi/tandem_version.h"

static struct proc_dir_entry *tandem_proc;

static int tandem_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "version: %s (api:%u/proto:%u-%u)\n", TANDEM_VERSION,
		   TANDEM_GENL_API_VERSION, TANDEM_PROTO_MIN, TANDEM_PROTO_MAX);
	tandem_transport_classes_show(m);
	return 0;
}

int tandem_proc_init(void)
{
	tandem_proc = proc_create_single("tandem", 0444, NULL,
					 tandem_proc_show);
	return tandem_proc ? 0 : -ENOMEM;
}

void tandem_proc_exit(void)
{
	proc_remove(tandem_proc);
}
