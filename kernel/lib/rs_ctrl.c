// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - resync speed controller (pure logic).
 */
#include "rs_ctrl.h"

/*
 * Byte counts are clamped to this (1 TiB) before any arithmetic, so that
 * all sums and products below stay far inside s64.
 */
#define RS_BYTES_MAX		(1ULL << 40)
/* c_delay_target is clamped to this (100 s) for the same reason. */
#define RS_DELAY_MAX		1000u
/* The largest multiple of TANDEM_RS_BLOCK that fits the return type. */
#define RS_RETURN_MAX		(0xffffffffu & ~(TANDEM_RS_BLOCK - 1))

static u64 clamp_bytes(u64 v)
{
	return v < RS_BYTES_MAX ? v : RS_BYTES_MAX;
}

static u32 clamp_tick(u32 tick_ms)
{
	if (tick_ms < TANDEM_RS_TICK_MIN_MS)
		return TANDEM_RS_TICK_MIN_MS;
	if (tick_ms > TANDEM_RS_TICK_MAX_MS)
		return TANDEM_RS_TICK_MAX_MS;
	return tick_ms;
}

static u64 round_block(u64 v)
{
	return v & ~(u64)(TANDEM_RS_BLOCK - 1);
}

/* Forget any plan; the next dynamic step sets up a new one. */
static void plan_reset(struct tandem_rs_ctrl *s, u32 steps)
{
	u32 i;

	for (i = 0; i < TANDEM_RS_PLAN_MAX; i++)
		s->plan[i] = 0;
	s->head = 0;
	s->steps = steps;
	s->planned = 0;
	s->carry = 0;
}

void tandem_rs_ctrl_init(struct tandem_rs_ctrl *s)
{
	plan_reset(s, 0);
	s->fixed_acc = 0;
}

static u32 fixed_step(struct tandem_rs_ctrl *s,
		      const struct tandem_rs_ctrl_conf *conf, u32 tick_ms)
{
	u64 req;

	/* Leaving the dynamic mode: its plan is stale when it comes back. */
	if (s->steps)
		plan_reset(s, 0);

	/* In bytes times 1000: < 2^32 * 2^10 * 2^10, plus what is left. */
	s->fixed_acc += (u64)conf->resync_rate * 1024 * tick_ms;
	req = round_block(s->fixed_acc / 1000);
	if (req > RS_RETURN_MAX) {
		/* Not expressible: drop the excess rather than pile it up. */
		s->fixed_acc = 0;
		return RS_RETURN_MAX;
	}
	s->fixed_acc -= req * 1000;
	return (u32)req;
}

/* Add @corr bytes to the plan, as evenly as whole bytes allow. */
static void plan_spread(struct tandem_rs_ctrl *s, s64 corr)
{
	s64 per = corr / (s64)s->steps;
	s64 rest = corr % (s64)s->steps;	/* same sign as corr */
	s64 one = rest < 0 ? -1 : 1;
	u32 i, idx = s->head;

	/* The odd bytes go to the soonest steps. */
	for (i = 0; i < s->steps; i++) {
		s->plan[idx] += per;
		if (rest) {
			s->plan[idx] += one;
			rest -= one;
		}
		if (++idx == s->steps)
			idx = 0;
	}
	s->planned += corr;
}

/* Take the oldest correction off the plan; its slot becomes the newest. */
static s64 plan_pop(struct tandem_rs_ctrl *s)
{
	s64 corr = s->plan[s->head];

	s->plan[s->head] = 0;
	s->planned -= corr;
	if (++s->head == s->steps)
		s->head = 0;
	return corr;
}

static u32 dynamic_step(struct tandem_rs_ctrl *s,
			const struct tandem_rs_ctrl_conf *conf, u32 tick_ms,
			u64 in, u64 inflight)
{
	u64 steps, want, cap;
	s64 raw;

	s->fixed_acc = 0;

	steps = (u64)conf->c_plan_ahead * 100 / tick_ms;
	if (steps < 1)
		steps = 1;
	if (steps > TANDEM_RS_PLAN_MAX)
		steps = TANDEM_RS_PLAN_MAX;
	if (steps != s->steps)
		plan_reset(s, (u32)steps);

	if (conf->c_fill_target) {
		want = (u64)conf->c_fill_target * 512;
	} else {
		u64 delay = conf->c_delay_target;

		if (delay > RS_DELAY_MAX)
			delay = RS_DELAY_MAX;
		/* < 2^40 * 2^17 */
		want = in * delay * 100 / tick_ms;
		if (want < TANDEM_RS_MIN_FILL)
			want = TANDEM_RS_MIN_FILL;
	}
	/* Less than a block would be rounded away for ever. */
	if (want < TANDEM_RS_BLOCK)
		want = TANDEM_RS_BLOCK;
	want = clamp_bytes(want);

	plan_spread(s, (s64)want - (s64)inflight - s->planned -
		       (s64)s->carry);
	raw = (s64)in + plan_pop(s) + (s64)s->carry;

	if (conf->c_max_rate)
		cap = (u64)conf->c_max_rate * 1024 * tick_ms / 1000;
	else
		cap = RS_RETURN_MAX;
	if (cap > RS_RETURN_MAX)
		cap = RS_RETURN_MAX;

	if (raw <= 0) {
		/* Too much in flight: the next plan accounts for it. */
		s->carry = 0;
		return 0;
	}
	if ((u64)raw >= cap) {
		/* What the cap cuts off is missed in flight next tick. */
		s->carry = 0;
		return (u32)round_block(cap);
	}
	s->carry = (u64)raw - round_block((u64)raw);
	return (u32)round_block((u64)raw);
}

u32 tandem_rs_ctrl_step(struct tandem_rs_ctrl *s,
			const struct tandem_rs_ctrl_conf *conf, u32 tick_ms,
			u64 in_bytes, u64 inflight_bytes)
{
	tick_ms = clamp_tick(tick_ms);
	if (!conf->c_plan_ahead)
		return fixed_step(s, conf, tick_ms);
	return dynamic_step(s, conf, tick_ms, clamp_bytes(in_bytes),
			    clamp_bytes(inflight_bytes));
}

bool tandem_rs_ctrl_throttle(const struct tandem_rs_ctrl_conf *conf,
			     bool app_active, u32 rs_rate_kib)
{
	return app_active && conf->c_min_rate && rs_rate_kib > conf->c_min_rate;
}
