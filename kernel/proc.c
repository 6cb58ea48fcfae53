// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - /proc/tandem, in the layout users of 8.4-style status read:
 *
 *   version: <version> (api:<genl api>/proto:<min>-<max>)
 *   Transports (api:<transport api>): <name> (<version>) ...
 *
 *    0: cs:Connected ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
 *       ns:1024 nr:0 dw:1024 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:4096
 *   	[====>...............] sync'ed: 25.0% (4096/5120)K
 *   	finish: 0:00:04 speed: 1,024 (1,000) K/sec
 *
 * During an online verify the bar says "verified:" instead.
 * One block per minor; with several peers, the first connection is shown
 * (tandemsetup status shows all of them).
 */
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "tandem_int.h"
#include "uapi/tandem_version.h"

static struct proc_dir_entry *tandem_proc;

/* Progress bar, counts in 4 KiB blocks; @speed 0: the average only. */
static void show_bar(struct seq_file *m, const char *what, u64 total,
		     u64 left, unsigned long start, u64 speed)
{
	unsigned long secs = max(1UL, (jiffies - start) / HZ);
	unsigned int permil, i, bar;
	u64 avg, eta, cur, done;

	if (!total)
		total = 1;
	if (left > total)
		left = total;
	done = total - left;
	permil = div64_u64(done * 1000, total);
	bar = permil / 50;
	seq_puts(m, "\t[");
	for (i = 1; i < bar; i++)
		seq_putc(m, '=');
	seq_putc(m, '>');
	for (i = bar; i < 20; i++)
		seq_putc(m, '.');
	seq_printf(m, "] %s: %u.%u%% (%llu/%llu)K\n", what, permil / 10,
		   permil % 10, left * 4, total * 4);
	avg = div64_u64(done * 4, secs);
	cur = speed ? speed : avg;
	eta = cur ? div64_u64(left * 4, cur) : 0;
	seq_printf(m, "\tfinish: %llu:%02llu:%02llu speed: %llu (%llu) K/sec\n",
		   eta / 3600, (eta / 60) % 60, eta % 60, cur, avg);
}

static void show_progress(struct seq_file *m, struct tandem_peer_device *pd)
{
	show_bar(m, "sync'ed", pd->rs_total, pd->oos_bits, pd->rs_start,
		 pd->rs_speed);
}

static void show_verify(struct seq_file *m, struct tandem_peer_device *pd)
{
	u64 total = (pd->ov_end - pd->ov_start) >> 3;
	u64 done = READ_ONCE(pd->ov_done) >> 3;

	show_bar(m, "verified", total, total - min(total, done), pd->ov_begin,
		 0);
}

/*
 * ep: epochs in flight: sent epochs not yet acknowledged by the peer plus
 * epochs received and not yet acknowledged by us; at least the current one.
 */
static unsigned int epochs_in_flight(struct tandem_connection *c)
{
	struct tandem_req_peer *rp;
	struct tandem_epoch *e;
	unsigned int n = 0;

	lockdep_assert_held(&c->resource->lock);
	rp = list_first_entry_or_null(&c->transfer_log, struct tandem_req_peer,
				      tl);
	if (rp)
		n += c->epoch_nr - rp->epoch + 1;
	list_for_each_entry(e, &c->epochs, list)
		n++;
	return max(n, 1U);
}

static void show_device(struct seq_file *m, struct tandem_device *d)
{
	struct tandem_resource *r = d->resource;
	struct tandem_peer_device *pd;
	struct tandem_connection *c = NULL;
	enum tandem_conn_state cs = TANDEM_CS_STANDALONE;
	enum tandem_role peer_role = TANDEM_ROLE_UNKNOWN;
	enum tandem_disk_state peer_disk = TANDEM_DS_DUNKNOWN;
	enum tandem_repl_state repl = TANDEM_RS_OFF;
	u64 oos = 0;
	u32 protocol = TANDEM_PROT_C;
	unsigned int epochs = 1;

	pd = list_first_entry_or_null(&d->peer_devices,
				      struct tandem_peer_device, dev_list);
	spin_lock_irq(&r->lock);
	if (pd) {
		c = pd->connection;
		cs = c->cstate;
		peer_role = c->peer_role;
		peer_disk = pd->peer_disk;
		repl = pd->repl;
		oos = pd->oos_bits;
		protocol = c->opts.protocol;
		epochs = epochs_in_flight(c);
	}
	spin_unlock_irq(&r->lock);

	/* While connected the replication state is the more precise one. */
	seq_printf(m, "%2u: cs:%s ro:%s/%s ds:%s/%s %c %c%c%c%c%c%c\n",
		   d->minor,
		   cs == TANDEM_CS_CONNECTED && repl > TANDEM_RS_ESTABLISHED ?
			tandem_repl_state_name(repl) :
			tandem_conn_state_name(cs),
		   tandem_role_name(r->role), tandem_role_name(peer_role),
		   tandem_disk_state_name(d->disk_state),
		   tandem_disk_state_name(peer_disk),
		   tandem_protocol_letter(protocol),
		   'r', '-', '-', '-', '-', '-');
	seq_printf(m, "    ns:%llu nr:%llu dw:%llu dr:%llu al:%u bm:%u lo:%d pe:%d ua:%d ap:%d ep:%u wo:%c oos:%llu\n",
		   c ? (u64)atomic64_read(&c->sent_kib) : 0,
		   c ? (u64)atomic64_read(&c->recv_kib) : 0,
		   (u64)atomic64_read(&d->written_kib),
		   (u64)atomic64_read(&d->read_kib),
		   atomic_read(&d->al_writes), atomic_read(&d->bm_writes),
		   atomic_read(&d->local_pending),
		   c ? atomic_read(&c->pending) : 0,
		   c ? atomic_read(&c->unacked) : 0,
		   atomic_read(&d->ap_pending), epochs,
		   d->opts.disk_flushes ? 'f' : 'd', oos * 4);
	if (pd && tandem_repl_syncing(repl))
		show_progress(m, pd);
	if (pd && (repl == TANDEM_RS_VERIFY_S || repl == TANDEM_RS_VERIFY_T))
		show_verify(m, pd);
}

static int tandem_proc_show(struct seq_file *m, void *v)
{
	struct tandem_resource *r;
	struct tandem_device *d;
	unsigned int minor;

	seq_printf(m, "version: %s (api:%u/proto:%u-%u)\n", TANDEM_VERSION,
		   TANDEM_GENL_API_VERSION, TANDEM_PROTO_MIN, TANDEM_PROTO_MAX);
	tandem_transport_classes_show(m);

	mutex_lock(&tandem_cfg_mutex);
	/* By minor, as users expect. */
	for (minor = 0; minor < TANDEM_MAX_MINORS; minor++) {
		d = tandem_device_find(minor);
		if (d)
			show_device(m, d);
		if (minor > 4096 && !d) {
			/* Rare: high minors; fall back to resource order. */
			break;
		}
	}
	list_for_each_entry(r, &tandem_resources, list) {
		int vnr;

		idr_for_each_entry(&r->devices, d, vnr)
			if (d->minor > 4096)
				show_device(m, d);
	}
	mutex_unlock(&tandem_cfg_mutex);
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
