// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - debugfs hooks for tests and debugging.
 *
 * /sys/kernel/debug/tandem/transports
 *   read:  one line per transport instance created here: "<name>"
 *   write: "create <name>"  create an instance of class <name>, loading
 *                           its module on demand and pinning it
 *          "destroy <name>" destroy the newest such instance
 *
 * This exercises the transport registry exactly as a connection does,
 * without needing a peer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "tandem_int.h"

struct dbg_instance {
	struct list_head list;
	struct tandem_transport *t;
};

static struct dentry *tandem_debugfs_root;
static LIST_HEAD(dbg_instances);
static DEFINE_MUTEX(dbg_lock);

static int transports_show(struct seq_file *m, void *v)
{
	struct dbg_instance *di;

	mutex_lock(&dbg_lock);
	list_for_each_entry(di, &dbg_instances, list)
		seq_printf(m, "%s\n", di->t->class->name);
	mutex_unlock(&dbg_lock);
	return 0;
}

static int dbg_create(const char *name)
{
	struct dbg_instance *di;
	struct tandem_transport *t;

	di = kzalloc(sizeof(*di), GFP_KERNEL);
	if (!di)
		return -ENOMEM;
	t = tandem_transport_create(name);
	if (IS_ERR(t)) {
		kfree(di);
		return PTR_ERR(t);
	}
	di->t = t;
	mutex_lock(&dbg_lock);
	list_add(&di->list, &dbg_instances);
	mutex_unlock(&dbg_lock);
	return 0;
}

static int dbg_destroy(const char *name)
{
	struct dbg_instance *di, *found = NULL;

	mutex_lock(&dbg_lock);
	list_for_each_entry(di, &dbg_instances, list) {
		if (!strcmp(di->t->class->name, name)) {
			found = di;
			list_del(&di->list);
			break;
		}
	}
	mutex_unlock(&dbg_lock);
	if (!found)
		return -ENOENT;
	tandem_transport_destroy(found->t);
	kfree(found);
	return 0;
}

static ssize_t transports_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[64], *cmd, *arg;
	int err;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	arg = strim(buf);
	cmd = strsep(&arg, " ");
	if (!arg)
		return -EINVAL;
	arg = skip_spaces(arg);

	if (!strcmp(cmd, "create"))
		err = dbg_create(arg);
	else if (!strcmp(cmd, "destroy"))
		err = dbg_destroy(arg);
	else
		err = -EINVAL;
	return err ? err : count;
}

static int transports_open(struct inode *inode, struct file *file)
{
	return single_open(file, transports_show, NULL);
}

static const struct file_operations transports_fops = {
	.owner		= THIS_MODULE,
	.open		= transports_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
	.write		= transports_write,
};

void tandem_debugfs_init(void)
{
	tandem_debugfs_root = debugfs_create_dir("tandem", NULL);
	debugfs_create_file("transports", 0600, tandem_debugfs_root, NULL,
			    &transports_fops);
	tandem_selftest_debugfs_init(tandem_debugfs_root);
}

void tandem_debugfs_exit(void)
{
	struct dbg_instance *di, *tmp;

	debugfs_remove_recursive(tandem_debugfs_root);
	/*
	 * Unreachable in practice (a pinned transport module keeps tandem.ko
	 * loaded through its symbol references), but never leak.
	 */
	list_for_each_entry_safe(di, tmp, &dbg_instances, list) {
		list_del(&di->list);
		tandem_transport_destroy(di->t);
		kfree(di);
	}
}
