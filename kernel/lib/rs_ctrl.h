/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem - resync speed controller (pure logic).
 *
 * The sync target's resync thread calls tandem_rs_ctrl_step() once per
 * tick and requests as many bytes as it returns. Two modes:
 *
 *  - fixed (c_plan_ahead == 0): resync_rate KiB/s, exactly;
 *  - dynamic ("plan ahead"): keep a target amount of resync data in
 *    flight (c_fill_target, or what arrives within c_delay_target),
 *    spreading each correction over c_plan_ahead, capped by c_max_rate.
 */
#ifndef _TANDEM_RS_CTRL_H
#define _TANDEM_RS_CTRL_H

#include "tandem_lib.h"

#ifndef __KERNEL__
typedef int64_t s64;
#endif

/* Maximum number of plan-ahead steps held. */
#define TANDEM_RS_PLAN_MAX	100
/* Granularity of requests: every return value is a multiple of this. */
#define TANDEM_RS_BLOCK		4096u
/* Tick lengths accepted; others are clamped into this range. */
#define TANDEM_RS_TICK_MIN_MS	10u
#define TANDEM_RS_TICK_MAX_MS	1000u
/*
 * The least amount aimed to be in flight in c_delay_target mode, so that
 * a resync that has received nothing yet still starts.
 */
#define TANDEM_RS_MIN_FILL	(16 * TANDEM_RS_BLOCK)

/**
 * struct tandem_rs_ctrl_conf - the disk options the controller follows
 * @resync_rate: KiB/s, the rate of the fixed mode
 * @c_plan_ahead: 0.1 s units; 0 selects the fixed mode
 * @c_fill_target: sectors of 512 bytes to keep in flight; 0 selects
 *	the c_delay_target mode
 * @c_delay_target: 0.1 s units; with c_fill_target == 0, aim for as much
 *	in flight as arrives in this time
 * @c_max_rate: KiB/s, upper bound of the dynamic mode (0: none)
 * @c_min_rate: KiB/s, the rate resync is throttled to while application
 *	I/O is active (0: never throttle)
 */
struct tandem_rs_ctrl_conf {
	u32 resync_rate;
	u32 c_plan_ahead;
	u32 c_fill_target;
	u32 c_delay_target;
	u32 c_max_rate;
	u32 c_min_rate;
};

/**
 * struct tandem_rs_ctrl - state of one resync's speed controller
 * @plan: ring of corrections (bytes) planned for the coming ticks
 * @head: index in @plan of the correction for the next tick
 * @steps: number of entries of @plan in use (0: not set up)
 * @planned: sum of the @steps entries of @plan
 * @carry: dynamic mode: bytes due but not yet requested because requests
 *	are whole blocks (0 .. TANDEM_RS_BLOCK - 1)
 * @fixed_acc: fixed mode: bytes due times 1000, not yet requested
 *
 * Zero it with tandem_rs_ctrl_init() before the first step. It needs no
 * teardown.
 */
struct tandem_rs_ctrl {
	s64 plan[TANDEM_RS_PLAN_MAX];
	u32 head;
	u32 steps;
	s64 planned;
	u64 carry;
	u64 fixed_acc;
};

/**
 * tandem_rs_ctrl_init() - reset a controller
 * @s: the controller
 *
 * Call it when a resync starts. The next step plans from scratch.
 */
void tandem_rs_ctrl_init(struct tandem_rs_ctrl *s);

/**
 * tandem_rs_ctrl_step() - how much resync data to request this tick
 * @s: the controller
 * @conf: the disk options in force (may change between calls)
 * @tick_ms: time since the previous call, in ms; clamped to
 *	TANDEM_RS_TICK_MIN_MS .. TANDEM_RS_TICK_MAX_MS
 * @in_bytes: resync data received since the previous call
 * @inflight_bytes: resync data requested and not yet received
 *
 * Fixed mode (@conf->c_plan_ahead == 0): resync_rate's share of the
 * tick, in whole blocks; what rounding leaves over is carried to later
 * ticks so that the long-run average is exactly resync_rate.
 *
 * Dynamic mode: with steps = c_plan_ahead * 100 ms / @tick_ms (1 ..
 * TANDEM_RS_PLAN_MAX), the amount wanted in flight is c_fill_target * 512
 * bytes, or @in_bytes * (c_delay_target * 100 ms / @tick_ms) but at least
 * TANDEM_RS_MIN_FILL if c_fill_target is 0; never less than one block.
 * What is missing from it (wanted, less @inflight_bytes, what is already
 * planned and the rounding carry) is spread evenly over the steps of the
 * plan, and the oldest step is taken off as this tick's correction. The
 * request is @in_bytes plus that correction, at least 0 and at most
 * c_max_rate's share of the tick, rounded down to whole blocks with the
 * rest carried to the next tick. A change of the number of steps starts
 * a new plan.
 *
 * Return: bytes to request, a multiple of TANDEM_RS_BLOCK (maybe 0).
 */
u32 tandem_rs_ctrl_step(struct tandem_rs_ctrl *s,
			const struct tandem_rs_ctrl_conf *conf, u32 tick_ms,
			u64 in_bytes, u64 inflight_bytes);

/**
 * tandem_rs_ctrl_throttle() - should resync back off (c-min-rate)?
 * @conf: the disk options in force
 * @app_active: application I/O was seen on the device recently
 * @rs_rate_kib: resync rate measured recently, KiB/s
 *
 * Return: true if @app_active, c_min_rate is not 0 and @rs_rate_kib is
 * above c_min_rate.
 */
bool tandem_rs_ctrl_throttle(const struct tandem_rs_ctrl_conf *conf,
			     bool app_active, u32 rs_rate_kib);

#endif /* _TANDEM_RS_CTRL_H */
