/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - declarations shared between the files of tandem.ko.
 */
#ifndef _TANDEM_INT_H
#define _TANDEM_INT_H

#include <linux/seq_file.h>

#include "transport.h"

/* transport.c */
struct tandem_transport_class *tandem_transport_class_get(const char *name);
void tandem_transport_class_put(struct tandem_transport_class *tc);
void tandem_transport_classes_show(struct seq_file *m);
struct tandem_transport *tandem_transport_create(const char *name);
void tandem_transport_destroy(struct tandem_transport *t);

/* proc.c */
int tandem_proc_init(void);
void tandem_proc_exit(void);

/* transport_selftest.c */
struct dentry;
void tandem_selftest_debugfs_init(struct dentry *root);

/* debugfs.c */
void tandem_debugfs_init(void);
void tandem_debugfs_exit(void);

#endif /* _TANDEM_INT_H */
