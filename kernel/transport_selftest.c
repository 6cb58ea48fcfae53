// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - transport self-test through the transport API (debugfs).
 *
 * /sys/kernel/debug/tandem/transport_selftest
 *
 *   write: "<class> <listen-addr> <active-addr> [key=value ...]"
 *          addresses are "a.b.c.d:port" or "[v6addr]:port"; the passive
 *          instance listens on <listen-addr> and accepts only
 *          <active-addr>'s IP; the active instance connects from
 *          <active-addr>'s IP (its port is ignored) to <listen-addr>.
 *          keys: count=N     messages on DATA (1..10000000, default 1000)
 *                size=N      payload bytes per message (0..1 MiB, 65536)
 *                senders=N   threads sending on DATA at once (1..8, 2)
 *                hold_ms=N   stay connected, idle, before streaming
 *                            (0..60000, 0)
 *                active_delay_ms=N  start the active end's connect()
 *                            this much later than the passive end's
 *                            (0..60000, 0)
 *                timeout_s=N fail after this long (1..100, 60)
 *          The write blocks until the test has finished and returns the
 *          length written if it passed, -EIO if it failed (read the
 *          file to see why), -EINVAL for bad syntax, -ENOENT for an
 *          unknown class, -EBUSY while another test runs. A signal ends
 *          the wait (-EINTR), not the test, which finishes on its own.
 *   read:  one line: "none" before the first test, "running phase=<p>"
 *          during one, then "ok class=... " or "FAIL <what failed>".
 *
 * The test creates two instances of the class in this kernel and, using
 * nothing but the class's ops:
 *  1. connects them (passive and active end, each in a kthread);
 *  2. checks net_conf_change() (rejects bad options, applies good ones
 *     live) and stats();
 *  3. streams @count messages of a struct tandem_hdr, a struct
 *     tandem_p_data and @size payload bytes (pages, ITER_BVEC, a pattern
 *     per message) on DATA from @senders threads, while a ping-pong of
 *     small messages runs on CONTROL; the receiver checks every header
 *     field, each sender's order and every payload byte;
 *  4. checks that a receive timeout gives -EAGAIN and leaves the stream
 *     usable;
 *  5. checks that disconnect() makes a recv() and a send() blocked on
 *     this end, and a recv() blocked on the other end, return an error
 *     promptly;
 *  6. checks that disconnect() aborts a connect() of either end promptly
 *     when nobody answers.
 * Every wait is bounded; on a timeout both ends are disconnected, which
 * the API guarantees unblocks every call, and everything is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "tandem_int.h"

#define ST_MAX_SENDERS		8
#define ST_MAX_PINGS		16384
#define ST_MIN_PINGS		64
#define ST_PROMPT_MS		2000	/* "promptly" */
#define ST_SETTLE_MS		300	/* let a call reach its blocking point */
#define ST_STUCK_TIMEOUT	(10 * HZ)
#define ST_RESULT_LEN		256

/**
 * struct st_params - what a write asked for
 * @class: transport class name
 * @listen: passive end's address (the active end's peer)
 * @active: active end's address (the passive end's peer)
 * @count: messages on DATA
 * @size: payload bytes per message
 * @senders: sending threads on DATA
 * @hold_ms: idle time while connected, before streaming
 * @active_delay_ms: delay before the active end starts connecting
 * @timeout_s: overall limit
 */
struct st_params {
	char class[TANDEM_TRANSPORT_NAME_MAX];
	struct sockaddr_storage listen;
	struct sockaddr_storage active;
	unsigned int count;
	unsigned int size;
	unsigned int senders;
	unsigned int hold_ms;
	unsigned int active_delay_ms;
	unsigned int timeout_s;
};

/**
 * struct selftest - one run
 * @p: parameters
 * @gen: run number
 * @tp: passive instance
 * @ta: active instance
 * @conf: net options both use
 * @path_p: passive end's path
 * @path_a: active end's path
 * @seed: payload pattern seed
 * @deadline: jiffies by which the run must be over
 * @wq: workers wake the controller here when they finish or fail
 * @failed: set by the first failure
 * @msg_lock: protects @msg
 * @msg: first failure
 * @data_done: the DATA receiver has verified every message
 * @t_start: ns, streaming started
 * @t_end: ns, last message verified
 * @rtt: round-trip times in ns, ST_MAX_PINGS slots
 * @nr_rtt: samples in @rtt
 * @disc_ms: slowest recv()/send() return after disconnect()
 * @abort_ms: slowest connect() return after disconnect()
 */
struct selftest {
	struct st_params p;
	u64 gen;
	struct tandem_transport *tp;
	struct tandem_transport *ta;
	struct tandem_net_conf conf;
	struct tandem_path path_p;
	struct tandem_path path_a;
	u64 seed;
	unsigned long deadline;
	wait_queue_head_t wq;
	atomic_t failed;
	spinlock_t msg_lock;
	char msg[160];
	atomic_t data_done;
	u64 t_start;
	u64 t_end;
	u32 *rtt;
	unsigned int nr_rtt;
	unsigned int disc_ms;
	unsigned int abort_ms;
};

/**
 * struct st_worker - a kthread doing one part of a run
 * @st: the run
 * @fn: what it does; returns 0 or a negative errno
 * @task: the kthread (referenced), NULL when not started or reaped
 * @done: @fn has returned
 * @started: @fn is about to make its blocking call
 * @result: what @fn returned
 * @id: sender number
 */
struct st_worker {
	struct selftest *st;
	int (*fn)(struct st_worker *w);
	struct task_struct *task;
	struct completion done;
	atomic_t started;
	int result;
	unsigned int id;
};

/* Global state of the debugfs file, under st_lock. */
static DEFINE_MUTEX(st_lock);
static DECLARE_WAIT_QUEUE_HEAD(st_done_wq);
static bool st_running;
static const char *st_phase = "";
static u64 st_gen;
static u64 st_done_gen;
static u64 st_last_gen;
static bool st_last_ok;
static char st_result[ST_RESULT_LEN] = "none";

static const struct tandem_transport_ops *st_ops(struct tandem_transport *t)
{
	return t->class->ops;
}

static void st_set_phase(const char *phase)
{
	mutex_lock(&st_lock);
	st_phase = phase;
	mutex_unlock(&st_lock);
}

static __printf(2, 3) void st_fail(struct selftest *st, const char *fmt, ...)
{
	va_list ap;

	spin_lock(&st->msg_lock);
	if (!st->msg[0]) {
		va_start(ap, fmt);
		vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
		va_end(ap);
	}
	spin_unlock(&st->msg_lock);
	atomic_set(&st->failed, 1);
	wake_up_all(&st->wq);
}

static bool st_failed(struct selftest *st)
{
	return atomic_read(&st->failed);
}

static void st_disconnect_both(struct selftest *st)
{
	st_ops(st->tp)->disconnect(st->tp);
	st_ops(st->ta)->disconnect(st->ta);
}

/* ---- workers --------------------------------------------------------- */

static int st_worker_fn(void *arg)
{
	struct st_worker *w = arg;

	w->result = w->fn(w);
	/* complete_all: waiting for it must not consume it (st_all_done) */
	complete_all(&w->done);
	wake_up_all(&w->st->wq);
	return 0;
}

static int st_start(struct selftest *st, struct st_worker *w,
		    int (*fn)(struct st_worker *w), const char *name,
		    unsigned int id)
{
	struct task_struct *task;

	w->st = st;
	w->fn = fn;
	w->id = id;
	w->result = 0;
	atomic_set(&w->started, 0);
	init_completion(&w->done);
	task = kthread_run(st_worker_fn, w, "tandem_st_%s/%u", name, id);
	if (IS_ERR(task)) {
		w->task = NULL;
		st_fail(st, "cannot start thread %s: %ld", name, PTR_ERR(task));
		return PTR_ERR(task);
	}
	get_task_struct(task);
	w->task = task;
	return 0;
}

/* Wait for the kthread to be gone (it has returned, or is made to). */
static void st_reap(struct st_worker *w)
{
	if (!w->task)
		return;
	kthread_stop(w->task);
	put_task_struct(w->task);
	w->task = NULL;
}

static bool st_all_done(struct st_worker *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i].task && !completion_done(&w[i].done))
			return false;
	return true;
}

/*
 * Wait for @n workers until @until or a failure. If any is still busy
 * then, disconnect both ends (which must unblock every call) and wait
 * for them again, bounded. Reaps all of them.
 */
static void st_join(struct selftest *st, struct st_worker *w, int n,
		    unsigned long until)
{
	long left = (long)(until - jiffies);
	int i;

	if (left > 0)
		wait_event_interruptible_timeout(st->wq, st_failed(st) ||
						 st_all_done(w, n), left);
	if (!st_all_done(w, n)) {
		st_fail(st, "timed out in phase %s", st_phase);
		st_disconnect_both(st);
		for (i = 0; i < n; i++) {
			if (w[i].task &&
			    !wait_for_completion_timeout(&w[i].done,
							 ST_STUCK_TIMEOUT))
				pr_err("selftest: a thread is stuck after disconnect()\n");
		}
	}
	for (i = 0; i < n; i++)
		st_reap(&w[i]);
}

/* ---- payload pattern ------------------------------------------------- */

static u64 st_word(u64 key, u64 idx)
{
	u64 x = key ^ (idx * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static u64 st_key(struct selftest *st, unsigned int msg)
{
	return st->seed + msg;
}

static void st_fill(struct page **pages, unsigned int size, u64 key)
{
	unsigned int off, j;

	for (off = 0; off < size; off += PAGE_SIZE) {
		unsigned int len = min_t(unsigned int, size - off, PAGE_SIZE);
		u8 *p = kmap_local_page(pages[off >> PAGE_SHIFT]);

		for (j = 0; j < len; j += 8) {
			__le64 w = cpu_to_le64(st_word(key, (off + j) >> 3));

			memcpy(p + j, &w, min_t(unsigned int, 8, len - j));
		}
		kunmap_local(p);
	}
}

/* Return: the offset of the first wrong byte, or @size if all are right. */
static unsigned int st_check(struct page **pages, unsigned int size, u64 key)
{
	unsigned int off, j, k;

	for (off = 0; off < size; off += PAGE_SIZE) {
		unsigned int len = min_t(unsigned int, size - off, PAGE_SIZE);
		u8 *p = kmap_local_page(pages[off >> PAGE_SHIFT]);

		for (j = 0; j < len; j += 8) {
			__le64 w = cpu_to_le64(st_word(key, (off + j) >> 3));
			unsigned int n = min_t(unsigned int, 8, len - j);

			if (!memcmp(p + j, &w, n))
				continue;
			for (k = 0; k < n && p[j + k] == ((u8 *)&w)[k]; k++)
				;
			kunmap_local(p);
			return off + j + k;
		}
		kunmap_local(p);
	}
	return size;
}

/**
 * struct st_buf - payload pages of one worker
 * @pages: the pages
 * @bv: one bio_vec per page
 * @nr: number of pages
 */
struct st_buf {
	struct page **pages;
	struct bio_vec *bv;
	unsigned int nr;
};

static void st_buf_free(struct st_buf *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
	kfree(b->pages);
	kfree(b->bv);
}

static int st_buf_alloc(struct st_buf *b, unsigned int size)
{
	unsigned int i, off = 0;

	b->nr = DIV_ROUND_UP(size, PAGE_SIZE);
	b->pages = kcalloc(max(b->nr, 1U), sizeof(*b->pages), GFP_KERNEL);
	b->bv = kcalloc(max(b->nr, 1U), sizeof(*b->bv), GFP_KERNEL);
	if (!b->pages || !b->bv)
		goto out_free;
	for (i = 0; i < b->nr; i++, off += PAGE_SIZE) {
		b->pages[i] = alloc_page(GFP_KERNEL);
		if (!b->pages[i])
			goto out_free;
		bvec_set_page(&b->bv[i], b->pages[i],
			      min_t(unsigned int, size - off, PAGE_SIZE), 0);
	}
	return 0;

out_free:
	st_buf_free(b);
	return -ENOMEM;
}

/* ---- connect --------------------------------------------------------- */

static int st_connect_fn(struct st_worker *w, struct tandem_transport *t,
			 const struct tandem_path *path, const char *who)
{
	struct selftest *st = w->st;
	int err;

	atomic_set(&w->started, 1);
	err = st_ops(t)->connect(t, path, &st->conf);
	if (err && !st_failed(st))
		st_fail(st, "connect (%s end): %d", who, err);
	return err;
}

static int st_connect_passive(struct st_worker *w)
{
	return st_connect_fn(w, w->st->tp, &w->st->path_p, "passive");
}

static int st_connect_active(struct st_worker *w)
{
	if (w->st->p.active_delay_ms)
		msleep_interruptible(w->st->p.active_delay_ms);
	return st_connect_fn(w, w->st->ta, &w->st->path_a, "active");
}

static int st_connect_pair(struct selftest *st)
{
	struct st_worker w[2] = {};

	st_set_phase("connect");
	if (!st_start(st, &w[0], st_connect_passive, "conn_p", 0))
		st_start(st, &w[1], st_connect_active, "conn_a", 0);
	st_join(st, w, 2, st->deadline);
	return st_failed(st) ? -EIO : 0;
}

/* ---- options and stats ----------------------------------------------- */

static int st_conf_checks(struct selftest *st)
{
	struct tandem_transport_stats stats;
	struct tandem_net_conf c;
	int err;

	st_set_phase("options");
	c = st->conf;
	c.connect_int = 0;
	err = st_ops(st->ta)->net_conf_change(st->ta, &c);
	if (err != -EINVAL) {
		st_fail(st, "net_conf_change(connect_int=0) gave %d, not -EINVAL",
			err);
		return -EIO;
	}
	c = st->conf;
	c.max_buffers = 1;
	err = st_ops(st->ta)->net_conf_change(st->ta, &c);
	if (err != -EINVAL) {
		st_fail(st, "net_conf_change(max_buffers=1) gave %d, not -EINVAL",
			err);
		return -EIO;
	}
	/* buffer sizes applied live, then back to the transport's choice */
	c = st->conf;
	c.sndbuf_size = 1 << 20;
	c.rcvbuf_size = 1 << 20;
	err = st_ops(st->ta)->net_conf_change(st->ta, &c) ?:
	      st_ops(st->tp)->net_conf_change(st->tp, &c) ?:
	      st_ops(st->ta)->net_conf_change(st->ta, &st->conf) ?:
	      st_ops(st->tp)->net_conf_change(st->tp, &st->conf);
	if (err) {
		st_fail(st, "net_conf_change(valid options): %d", err);
		return -EIO;
	}
	st_ops(st->ta)->stats(st->ta, &stats);
	if (!stats.send_buffer_size) {
		st_fail(st, "stats: no send buffer while connected");
		return -EIO;
	}
	return 0;
}

/* ---- streaming ------------------------------------------------------- */

#define ST_BODY_LEN	sizeof(struct tandem_p_data)

static int st_sender(struct st_worker *w)
{
	struct selftest *st = w->st;
	const struct tandem_transport_ops *ops = st_ops(st->ta);
	struct st_buf buf = {};
	unsigned int i, seq = 0;
	int err;
	struct {
		struct tandem_hdr h;
		struct tandem_p_data d;
	} __packed m;

	err = st_buf_alloc(&buf, st->p.size);
	if (err) {
		st_fail(st, "sender: no memory");
		return err;
	}
	ops->hint_cork(st->ta, TANDEM_STREAM_DATA, true);
	for (i = w->id; i < st->p.count; i += st->p.senders, seq++) {
		bool last = i + st->p.senders >= st->p.count;
		struct iov_iter it;

		if (st_failed(st)) {
			err = -ECANCELED;
			break;
		}
		memset(&m, 0, sizeof(m));
		m.h.magic = cpu_to_be32(TANDEM_MAGIC);
		m.h.type = cpu_to_be16(TP_DATA);
		m.h.volume = cpu_to_be16(w->id);
		m.h.length = cpu_to_be32(ST_BODY_LEN + st->p.size);
		m.d.sector = cpu_to_be64(i);
		m.d.block_id = cpu_to_be64(st->seed);
		m.d.seq_num = cpu_to_be32(seq);
		m.d.size = cpu_to_be32(st->p.size);
		st_fill(buf.pages, st->p.size, st_key(st, i));
		iov_iter_bvec(&it, ITER_SOURCE, buf.bv, buf.nr, st->p.size);
		err = ops->send(st->ta, TANDEM_STREAM_DATA, &m, sizeof(m),
				st->p.size ? &it : NULL,
				(last || seq % 8 == 7) ? 0 : TANDEM_SEND_MORE);
		if (err) {
			st_fail(st, "send of DATA message %u: %d", i, err);
			break;
		}
	}
	ops->hint_cork(st->ta, TANDEM_STREAM_DATA, false);
	st_buf_free(&buf);
	return err;
}

static int st_receiver(struct st_worker *w)
{
	struct selftest *st = w->st;
	const struct tandem_transport_ops *ops = st_ops(st->tp);
	unsigned int next[ST_MAX_SENDERS] = {};
	struct st_buf buf = {};
	struct tandem_p_data d;
	struct tandem_hdr h;
	unsigned int n;
	int err;

	err = st_buf_alloc(&buf, st->p.size);
	if (err) {
		st_fail(st, "receiver: no memory");
		return err;
	}
	for (n = 0; n < st->p.count; n++) {
		unsigned int sender, idx, bad;
		struct iov_iter it;

		err = ops->recv(st->tp, TANDEM_STREAM_DATA, &h, sizeof(h));
		if (!err)
			err = ops->recv(st->tp, TANDEM_STREAM_DATA, &d, sizeof(d));
		if (err) {
			st_fail(st, "recv of DATA message %u: %d", n, err);
			goto out;
		}
		sender = be16_to_cpu(h.volume);
		if (be32_to_cpu(h.magic) != TANDEM_MAGIC ||
		    be16_to_cpu(h.type) != TP_DATA || h.reserved ||
		    be32_to_cpu(h.length) != ST_BODY_LEN + st->p.size ||
		    sender >= st->p.senders) {
			st_fail(st, "DATA message %u: bad header", n);
			err = -EPROTO;
			goto out;
		}
		idx = sender + next[sender] * st->p.senders;
		if (be64_to_cpu(d.sector) != idx ||
		    be64_to_cpu(d.block_id) != st->seed ||
		    be32_to_cpu(d.seq_num) != next[sender] ||
		    be32_to_cpu(d.size) != st->p.size || d.dp_flags ||
		    d.epoch) {
			st_fail(st, "DATA message %u: bad body (sender %u expected message %u, got %llu)",
				n, sender, idx, be64_to_cpu(d.sector));
			err = -EPROTO;
			goto out;
		}
		next[sender]++;
		if (!st->p.size)
			continue;
		iov_iter_bvec(&it, ITER_DEST, buf.bv, buf.nr, st->p.size);
		err = ops->recv_iter(st->tp, TANDEM_STREAM_DATA, &it);
		if (err) {
			st_fail(st, "recv_iter of DATA payload %u: %d", idx, err);
			goto out;
		}
		bad = st_check(buf.pages, st->p.size, st_key(st, idx));
		if (bad != st->p.size) {
			st_fail(st, "DATA message %u: payload byte %u wrong", idx,
				bad);
			err = -EIO;
			goto out;
		}
	}
	st->t_end = ktime_get_ns();
	atomic_set(&st->data_done, 1);
out:
	st_buf_free(&buf);
	return err;
}

/**
 * struct st_ping - a CONTROL message of the ping-pong
 * @h: header, type TP_PING, TP_PING_ACK or TP_DISCONNECT (stop)
 * @seq: ping number
 * @cookie: the run's seed
 */
struct st_ping {
	struct tandem_hdr h;
	__be64 seq;
	__be64 cookie;
} __packed;

static void st_ping_init(struct selftest *st, struct st_ping *m, u16 type,
			 u64 seq)
{
	memset(m, 0, sizeof(*m));
	m->h.magic = cpu_to_be32(TANDEM_MAGIC);
	m->h.type = cpu_to_be16(type);
	m->h.length = cpu_to_be32(sizeof(*m) - sizeof(m->h));
	m->seq = cpu_to_be64(seq);
	m->cookie = cpu_to_be64(st->seed);
}

static bool st_ping_ok(struct selftest *st, const struct st_ping *m,
		       u16 type, u64 seq)
{
	return be32_to_cpu(m->h.magic) == TANDEM_MAGIC &&
	       be16_to_cpu(m->h.type) == type &&
	       be32_to_cpu(m->h.length) == sizeof(*m) - sizeof(m->h) &&
	       be64_to_cpu(m->seq) == seq && be64_to_cpu(m->cookie) == st->seed;
}

/* Active end: ping, wait for the pong, until the data has arrived. */
static int st_pinger(struct st_worker *w)
{
	struct selftest *st = w->st;
	const struct tandem_transport_ops *ops = st_ops(st->ta);
	struct st_ping m;
	u64 seq;
	int err = 0;

	for (seq = 0; seq < ST_MAX_PINGS; seq++) {
		u64 t0;

		if (st_failed(st))
			return -ECANCELED;
		if (atomic_read(&st->data_done) && seq >= ST_MIN_PINGS)
			break;
		st_ping_init(st, &m, TP_PING, seq);
		t0 = ktime_get_ns();
		err = ops->send(st->ta, TANDEM_STREAM_CONTROL, &m, sizeof(m),
				NULL, 0);
		if (!err)
			err = ops->recv(st->ta, TANDEM_STREAM_CONTROL, &m,
					sizeof(m));
		if (err) {
			st_fail(st, "ping %llu: %d", seq, err);
			return err;
		}
		if (!st_ping_ok(st, &m, TP_PING_ACK, seq)) {
			st_fail(st, "ping %llu: bad answer", seq);
			return -EPROTO;
		}
		st->rtt[st->nr_rtt++] = min_t(u64, ktime_get_ns() - t0, U32_MAX);
	}
	st_ping_init(st, &m, TP_DISCONNECT, seq);
	err = ops->send(st->ta, TANDEM_STREAM_CONTROL, &m, sizeof(m), NULL, 0);
	if (err)
		st_fail(st, "sending the end of the ping-pong: %d", err);
	return err;
}

/* Passive end: answer pings until told to stop. */
static int st_ponger(struct st_worker *w)
{
	struct selftest *st = w->st;
	const struct tandem_transport_ops *ops = st_ops(st->tp);
	struct st_ping m;
	u64 seq;
	int err;

	for (seq = 0; seq <= ST_MAX_PINGS; seq++) {
		err = ops->recv(st->tp, TANDEM_STREAM_CONTROL, &m, sizeof(m));
		if (err) {
			st_fail(st, "pong %llu: recv: %d", seq, err);
			return err;
		}
		if (st_ping_ok(st, &m, TP_DISCONNECT, seq))
			return 0;
		if (!st_ping_ok(st, &m, TP_PING, seq)) {
			st_fail(st, "pong %llu: bad ping", seq);
			return -EPROTO;
		}
		st_ping_init(st, &m, TP_PING_ACK, seq);
		err = ops->send(st->tp, TANDEM_STREAM_CONTROL, &m, sizeof(m),
				NULL, 0);
		if (err) {
			st_fail(st, "pong %llu: send: %d", seq, err);
			return err;
		}
	}
	st_fail(st, "ping-pong did not end");
	return -EPROTO;
}

static int st_stream(struct selftest *st)
{
	struct st_worker w[ST_MAX_SENDERS + 3] = {};
	unsigned int i, n = 0;

	st_set_phase("stream");
	st->t_start = ktime_get_ns();
	if (st_start(st, &w[n++], st_receiver, "recv", 0) ||
	    st_start(st, &w[n++], st_ponger, "pong", 0) ||
	    st_start(st, &w[n++], st_pinger, "ping", 0))
		goto join;
	for (i = 0; i < st->p.senders; i++)
		if (st_start(st, &w[n++], st_sender, "send", i))
			break;
join:
	st_join(st, w, n, st->deadline);
	return st_failed(st) ? -EIO : 0;
}

/* ---- receive timeout ------------------------------------------------- */

static int st_timeout_check(struct selftest *st)
{
	const struct tandem_transport_ops *op = st_ops(st->tp);
	struct st_ping m;
	u64 t0, ms;
	int err;

	st_set_phase("timeout");
	op->set_timeout(st->tp, TANDEM_STREAM_CONTROL, HZ / 5);
	t0 = ktime_get_ns();
	err = op->recv(st->tp, TANDEM_STREAM_CONTROL, &m, sizeof(m));
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	if (err != -EAGAIN || ms < 150 || ms > ST_PROMPT_MS) {
		st_fail(st, "recv with a 200 ms timeout and nothing sent: %d after %llu ms",
			err, ms);
		return -EIO;
	}
	/* nothing was received, so the stream is still usable */
	op->set_timeout(st->tp, TANDEM_STREAM_CONTROL, 5 * HZ);
	st_ping_init(st, &m, TP_PING, 1);
	err = st_ops(st->ta)->send(st->ta, TANDEM_STREAM_CONTROL, &m,
				   sizeof(m), NULL, 0);
	if (!err)
		err = op->recv(st->tp, TANDEM_STREAM_CONTROL, &m, sizeof(m));
	if (!err && !st_ping_ok(st, &m, TP_PING, 1))
		err = -EPROTO;
	op->set_timeout(st->tp, TANDEM_STREAM_CONTROL, MAX_SCHEDULE_TIMEOUT);
	if (err) {
		st_fail(st, "CONTROL after a receive timeout: %d", err);
		return -EIO;
	}
	return 0;
}

/* ---- disconnect while blocked ---------------------------------------- */

#define ST_BLOCK_SENDS	100000

static int st_block_recv(struct st_worker *w, struct tandem_transport *t,
			 enum tandem_stream stream)
{
	struct st_ping m;

	atomic_set(&w->started, 1);
	return st_ops(t)->recv(t, stream, &m, sizeof(m));
}

static int st_block_recv_p(struct st_worker *w)
{
	return st_block_recv(w, w->st->tp, TANDEM_STREAM_CONTROL);
}

static int st_block_recv_a(struct st_worker *w)
{
	return st_block_recv(w, w->st->ta, TANDEM_STREAM_CONTROL);
}

/*
 * Send on the passive end's DATA, which nobody reads now, until the
 * transport's buffers are full and send() blocks (bounded in count).
 */
static int st_block_send_p(struct st_worker *w)
{
	struct selftest *st = w->st;
	struct tandem_hdr h = {
		.magic = cpu_to_be32(TANDEM_MAGIC),
		.type = cpu_to_be16(TP_DATA),
		.length = cpu_to_be32(65536),
	};
	struct st_buf buf = {};
	unsigned int i;
	int err;

	err = st_buf_alloc(&buf, 65536);
	if (err) {
		st_fail(st, "blocking sender: no memory");
		return err;
	}
	atomic_set(&w->started, 1);
	for (i = 0; i < ST_BLOCK_SENDS; i++) {
		struct iov_iter it;

		iov_iter_bvec(&it, ITER_SOURCE, buf.bv, buf.nr, 65536);
		err = st_ops(st->tp)->send(st->tp, TANDEM_STREAM_DATA, &h,
					   sizeof(h), &it, 0);
		if (err)
			break;
	}
	st_buf_free(&buf);
	if (!err)
		st_fail(st, "%u sends with nobody receiving did not block",
			ST_BLOCK_SENDS);
	return err;
}

/* Wait (bounded) until @w is about to block, then let it get there. */
static void st_settle(struct st_worker *w)
{
	int i;

	for (i = 0; i < ST_PROMPT_MS / 10 && !atomic_read(&w->started); i++)
		msleep_interruptible(10);
	msleep_interruptible(ST_SETTLE_MS);
}

/* Wait up to ST_PROMPT_MS for @w; return the ms it took, or -1. */
static int st_wait_prompt(struct st_worker *w, u64 t0)
{
	if (!wait_for_completion_timeout(&w->done,
					 msecs_to_jiffies(ST_PROMPT_MS)))
		return -1;
	return div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
}

static int st_disconnect_check(struct selftest *st)
{
	static const char * const what[] = {
		"recv on this end", "send on this end", "recv on the other end",
	};
	struct tandem_transport_stats stats;
	struct st_worker w[3] = {};
	int i, ms, err;
	u64 t0;

	st_set_phase("disconnect");
	if (st_start(st, &w[0], st_block_recv_p, "blk_rp", 0) ||
	    st_start(st, &w[1], st_block_send_p, "blk_sp", 0) ||
	    st_start(st, &w[2], st_block_recv_a, "blk_ra", 0))
		goto out_join;
	for (i = 0; i < 3; i++)
		st_settle(&w[i]);
	for (i = 0; i < 3; i++) {
		if (completion_done(&w[i].done)) {
			st_fail(st, "%s returned %d before disconnect()",
				what[i], w[i].result);
			goto out_join;
		}
	}
	/* all three must give up promptly */
	t0 = ktime_get_ns();
	st_ops(st->tp)->disconnect(st->tp);
	for (i = 0; i < 3; i++) {
		ms = st_wait_prompt(&w[i], t0);
		if (ms < 0) {
			st_fail(st, "%s still blocked %d ms after disconnect()",
				what[i], ST_PROMPT_MS);
			goto out_join;
		}
		if (!w[i].result) {
			st_fail(st, "%s after disconnect() returned 0", what[i]);
			goto out_join;
		}
		st->disc_ms = max_t(unsigned int, st->disc_ms, ms);
	}

	/* idempotent, and harmless on a disconnected instance */
	st_ops(st->ta)->disconnect(st->ta);
	st_ops(st->tp)->disconnect(st->tp);
	st_ops(st->tp)->stats(st->tp, &stats);
	err = st_ops(st->tp)->send(st->tp, TANDEM_STREAM_DATA, &stats,
				   sizeof(stats), NULL, 0);
	if (!err)
		st_fail(st, "send on a disconnected instance succeeded");
out_join:
	st_join(st, w, 3, jiffies + ST_STUCK_TIMEOUT);
	return st_failed(st) ? -EIO : 0;
}

/* ---- connect aborted by disconnect ----------------------------------- */

static int st_abort_one(struct selftest *st, struct tandem_transport *t,
			int (*fn)(struct st_worker *w), const char *who)
{
	struct st_worker w = {};
	int ms;
	u64 t0;

	if (st_start(st, &w, fn, "abort", 0))
		goto out_join;
	st_settle(&w);
	if (completion_done(&w.done)) {
		/* st_connect_fn() has said why */
		goto out_join;
	}
	t0 = ktime_get_ns();
	st_ops(t)->disconnect(t);
	ms = st_wait_prompt(&w, t0);
	if (ms < 0) {
		st_fail(st, "connect (%s end) still running %d ms after disconnect()",
			who, ST_PROMPT_MS);
		goto out_join;
	}
	st->abort_ms = max_t(unsigned int, st->abort_ms, ms);
out_join:
	st_join(st, &w, 1, jiffies + ST_STUCK_TIMEOUT);
	return st_failed(st) ? -EIO : 0;
}

/* connect_fn reports errors; here the expected one is -ECONNABORTED. */
static int st_abort_active(struct st_worker *w)
{
	struct selftest *st = w->st;
	int err;

	atomic_set(&w->started, 1);
	err = st_ops(st->ta)->connect(st->ta, &st->path_a, &st->conf);
	if (err != -ECONNABORTED)
		st_fail(st, "connect (active end, nobody listening) gave %d, not -ECONNABORTED",
			err);
	return err;
}

static int st_abort_passive(struct st_worker *w)
{
	struct selftest *st = w->st;
	int err;

	atomic_set(&w->started, 1);
	err = st_ops(st->tp)->connect(st->tp, &st->path_p, &st->conf);
	if (err != -ECONNABORTED)
		st_fail(st, "connect (passive end, nobody connecting) gave %d, not -ECONNABORTED",
			err);
	return err;
}

static int st_abort_check(struct selftest *st)
{
	st_set_phase("abort");
	/* the passive end is disconnected: nobody listens */
	if (st_abort_one(st, st->ta, st_abort_active, "active"))
		return -EIO;
	return st_abort_one(st, st->tp, st_abort_passive, "passive");
}

/* ---- one run --------------------------------------------------------- */

static int st_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static void st_report(struct selftest *st, char *out, size_t len)
{
	u64 bytes = (u64)st->p.count * st->p.size;
	u64 ns = max_t(u64, st->t_end - st->t_start, 1);
	u64 mbps10 = div64_u64(bytes * 10000, ns);	/* 10^6 B/s, x10 */
	u32 p50 = 0, p99 = 0;

	if (st->nr_rtt) {
		sort(st->rtt, st->nr_rtt, sizeof(u32), st_cmp_u32, NULL);
		p50 = st->rtt[st->nr_rtt / 2] / 1000;
		p99 = st->rtt[min(st->nr_rtt - 1, st->nr_rtt * 99 / 100)] / 1000;
	}
	snprintf(out, len,
		 "ok class=%s messages=%u bytes=%llu data_MBps=%llu.%llu rtt_us_p50=%u rtt_us_p99=%u pings=%u disconnect_ms=%u abort_ms=%u",
		 st->p.class, st->p.count, bytes, div_u64(mbps10, 10),
		 mbps10 % 10, p50, p99, st->nr_rtt, st->disc_ms, st->abort_ms);
}

static void st_run(struct selftest *st, char *out, size_t len)
{
	bool af6 = st->p.listen.ss_family == AF_INET6;

	st->conf = (struct tandem_net_conf) {
		.connect_int = 1, .timeout = 100, .max_buffers = 2048,
		.max_epoch_size = 2048,
	};
	st->path_p.my_addr = st->p.listen;
	st->path_p.peer_addr = st->p.active;
	st->path_p.active = false;
	st->path_a.my_addr = st->p.active;
	st->path_a.peer_addr = st->p.listen;
	st->path_a.active = true;
	st->seed = get_random_u64();
	st->deadline = jiffies + st->p.timeout_s * HZ +
		       msecs_to_jiffies(st->p.hold_ms + st->p.active_delay_ms);

	st->rtt = kvmalloc_array(ST_MAX_PINGS, sizeof(u32), GFP_KERNEL);
	if (!st->rtt) {
		st_fail(st, "no memory");
		goto out;
	}
	if (st_connect_pair(st))
		goto out;
	if (st->p.hold_ms) {
		st_set_phase("hold");
		msleep_interruptible(st->p.hold_ms);
	}
	if (st_conf_checks(st) || st_stream(st) || st_timeout_check(st) ||
	    st_disconnect_check(st) || st_abort_check(st))
		goto out;
	st_report(st, out, len);
	pr_info("transport selftest (%s): %s\n", af6 ? "IPv6" : "IPv4", out);
out:
	st_set_phase("cleanup");
	st_disconnect_both(st);
	if (st_failed(st)) {
		snprintf(out, len, "FAIL %s", st->msg);
		pr_warn("transport selftest: %s\n", out);
	}
	kvfree(st->rtt);
}

static int st_main(void *arg)
{
	struct selftest *st = arg;
	char *out = kzalloc(ST_RESULT_LEN, GFP_KERNEL);

	if (out)
		st_run(st, out, ST_RESULT_LEN);
	tandem_transport_destroy(st->ta);
	tandem_transport_destroy(st->tp);

	mutex_lock(&st_lock);
	if (out && !st_failed(st)) {
		strscpy(st_result, out, sizeof(st_result));
		st_last_ok = true;
	} else {
		strscpy(st_result, out ? out : "FAIL no memory",
			sizeof(st_result));
		st_last_ok = false;
	}
	st_last_gen = st->gen;
	st_done_gen = st->gen;
	st_running = false;
	st_phase = "";
	mutex_unlock(&st_lock);
	wake_up_all(&st_done_wq);

	kfree(out);
	kfree(st);
	module_put_and_kthread_exit(0);
}

/* ---- debugfs --------------------------------------------------------- */

static int st_parse_addr(const char *s, struct sockaddr_storage *ss)
{
	const char *port, *end;
	u16 n;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' ||
		    !in6_pton(s + 1, close - s - 1, sin6->sin6_addr.s6_addr, -1,
			      &end) || end != close)
			return -EINVAL;
		sin6->sin6_family = AF_INET6;
		port = close + 2;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		const char *colon = strrchr(s, ':');

		if (!colon ||
		    !in4_pton(s, colon - s, (u8 *)&sin->sin_addr.s_addr, -1,
			      &end) || end != colon)
			return -EINVAL;
		sin->sin_family = AF_INET;
		port = colon + 1;
	}
	if (kstrtou16(port, 10, &n))
		return -EINVAL;
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(n);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(n);
	return 0;
}

static int st_parse_opt(char *tok, struct st_params *p)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned int min, max;
	} opts[] = {
		{ "count", offsetof(struct st_params, count), 1, 10000000 },
		{ "size", offsetof(struct st_params, size), 0, TANDEM_MAX_PAYLOAD },
		{ "senders", offsetof(struct st_params, senders), 1, ST_MAX_SENDERS },
		{ "hold_ms", offsetof(struct st_params, hold_ms), 0, 60000 },
		{ "active_delay_ms", offsetof(struct st_params, active_delay_ms),
		  0, 60000 },
		{ "timeout_s", offsetof(struct st_params, timeout_s), 1, 100 },
	};
	char *val = strchr(tok, '=');
	unsigned int v;
	int i;

	if (!val)
		return -EINVAL;
	*val++ = '\0';
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		if (strcmp(tok, opts[i].key))
			continue;
		if (kstrtouint(val, 0, &v) || v < opts[i].min || v > opts[i].max)
			return -EINVAL;
		*(unsigned int *)((char *)p + opts[i].off) = v;
		return 0;
	}
	return -EINVAL;
}

static int st_parse(char *s, struct st_params *p)
{
	char *tok;
	int n = 0, err;

	p->count = 1000;
	p->size = 65536;
	p->senders = 2;
	p->timeout_s = 60;
	while ((tok = strsep(&s, " \t\n"))) {
		if (!*tok)
			continue;
		switch (n++) {
		case 0:
			if (strscpy(p->class, tok, sizeof(p->class)) < 0)
				return -EINVAL;
			break;
		case 1:
			err = st_parse_addr(tok, &p->listen);
			if (err)
				return err;
			break;
		case 2:
			err = st_parse_addr(tok, &p->active);
			if (err)
				return err;
			break;
		default:
			err = st_parse_opt(tok, p);
			if (err)
				return err;
		}
	}
	if (n < 3 || p->listen.ss_family != p->active.ss_family)
		return -EINVAL;
	/* the listening end needs a port */
	if ((p->listen.ss_family == AF_INET &&
	     !((struct sockaddr_in *)&p->listen)->sin_port) ||
	    (p->listen.ss_family == AF_INET6 &&
	     !((struct sockaddr_in6 *)&p->listen)->sin6_port))
		return -EINVAL;
	return 0;
}

static ssize_t st_write(struct file *file, const char __user *ubuf,
			size_t count, loff_t *ppos)
{
	struct task_struct *task;
	struct selftest *st;
	ssize_t ret;
	char *buf;
	u64 gen;
	int err;

	if (!count || count >= ST_RESULT_LEN)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		kfree(buf);
		return -ENOMEM;
	}
	err = st_parse(buf, &st->p);
	kfree(buf);
	if (err)
		goto out_free;
	init_waitqueue_head(&st->wq);
	spin_lock_init(&st->msg_lock);

	mutex_lock(&st_lock);
	if (st_running) {
		mutex_unlock(&st_lock);
		err = -EBUSY;
		goto out_free;
	}
	st_running = true;
	st_phase = "create";
	gen = ++st_gen;
	st->gen = gen;
	mutex_unlock(&st_lock);

	st->tp = tandem_transport_create(st->p.class);
	if (IS_ERR(st->tp)) {
		err = PTR_ERR(st->tp);
		goto out_not_running;
	}
	st->ta = tandem_transport_create(st->p.class);
	if (IS_ERR(st->ta)) {
		err = PTR_ERR(st->ta);
		goto out_destroy_tp;
	}
	/* the kthread may outlive this write: it holds tandem.ko itself */
	__module_get(THIS_MODULE);
	task = kthread_run(st_main, st, "tandem_selftest");
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		module_put(THIS_MODULE);
		goto out_destroy_ta;
	}

	if (wait_event_interruptible(st_done_wq, READ_ONCE(st_done_gen) >= gen))
		return -EINTR;
	mutex_lock(&st_lock);
	ret = (st_last_gen != gen || st_last_ok) ? count : -EIO;
	mutex_unlock(&st_lock);
	return ret;

out_destroy_ta:
	tandem_transport_destroy(st->ta);
out_destroy_tp:
	tandem_transport_destroy(st->tp);
out_not_running:
	mutex_lock(&st_lock);
	st_running = false;
	st_phase = "";
	mutex_unlock(&st_lock);
out_free:
	kfree(st);
	return err;
}

static int st_show(struct seq_file *m, void *v)
{
	mutex_lock(&st_lock);
	if (st_running)
		seq_printf(m, "running phase=%s\n", st_phase);
	else
		seq_printf(m, "%s\n", st_result);
	mutex_unlock(&st_lock);
	return 0;
}

static int st_open(struct inode *inode, struct file *file)
{
	return single_open(file, st_show, NULL);
}

static const struct file_operations st_fops = {
	.owner		= THIS_MODULE,
	.open		= st_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
	.write		= st_write,
};

/**
 * tandem_selftest_debugfs_init() - create the transport_selftest file
 * @root: tandem's debugfs folder
 */
void tandem_selftest_debugfs_init(struct dentry *root)
{
	debugfs_create_file("transport_selftest", 0600, root, NULL, &st_fops);
}
