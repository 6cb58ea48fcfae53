// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/rs_ctrl.c: the fixed rate is exact in the
 * long run, the plan-ahead controller keeps its fill target in flight on
 * a simulated link (and its c_delay_target mode settles), c_max_rate
 * always caps, c-min-rate throttling follows its truth table, and odd or
 * changing settings stay within bounds (and ASan/UBSan clean).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/lib/rs_ctrl.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define BLOCK		4096ULL

static struct tandem_rs_ctrl_conf defaults(void)
{
	struct tandem_rs_ctrl_conf c = {
		.resync_rate = 250,
		.c_plan_ahead = 20,
		.c_fill_target = 100,
		.c_delay_target = 10,
		.c_max_rate = 102400,
		.c_min_rate = 250,
	};

	return c;
}

static u64 max_per_tick(const struct tandem_rs_ctrl_conf *c, u32 tick_ms)
{
	return (u64)c->c_max_rate * KIB * tick_ms / 1000;
}

/*
 * A link with a fixed round trip of @delay ticks and a bottleneck that
 * passes at most @capacity bytes per tick: what is requested at tick t
 * (and passes the bottleneck at once) arrives at tick t + @delay; the
 * rest queues in front of the bottleneck.
 */
#define MAX_DELAY	64

struct link {
	u32 delay;
	u64 capacity;
	u64 pipe[MAX_DELAY];
	u64 queue;
	u64 tick;
	u64 requested;
	u64 received;
};

static void link_init(struct link *l, u32 delay, u64 capacity)
{
	memset(l, 0, sizeof(*l));
	assert_true(delay >= 1 && delay <= MAX_DELAY);
	l->delay = delay;
	l->capacity = capacity;
}

/* Bytes arriving at the start of this tick. */
static u64 link_arrive(struct link *l)
{
	u64 *slot = &l->pipe[l->tick % l->delay];
	u64 in = *slot;

	*slot = 0;
	l->received += in;
	return in;
}

static void link_request(struct link *l, u64 req)
{
	u64 pass;

	l->requested += req;
	l->queue += req;
	pass = l->queue < l->capacity ? l->queue : l->capacity;
	l->queue -= pass;
	l->pipe[l->tick % l->delay] += pass;
	l->tick++;
}

static u64 link_inflight(const struct link *l)
{
	return l->requested - l->received;
}

/*
 * One tick of the resync thread on @l; checks the properties every
 * return must have. Gives what arrived in *@in_out and what the
 * controller saw in flight in *@seen_out (either may be NULL).
 */
static u32 sim_tick(struct tandem_rs_ctrl *s,
		    const struct tandem_rs_ctrl_conf *c, u32 tick_ms,
		    struct link *l, u64 *in_out, u64 *seen_out)
{
	u64 in = link_arrive(l);
	u64 seen = link_inflight(l);
	u32 req = tandem_rs_ctrl_step(s, c, tick_ms, in, seen);

	assert_int_equal(req % BLOCK, 0);
	if (c->c_plan_ahead && c->c_max_rate && tick_ms >= 10 &&
	    tick_ms <= 1000)
		assert_true(req <= max_per_tick(c, tick_ms));
	link_request(l, req);
	if (in_out)
		*in_out = in;
	if (seen_out)
		*seen_out = seen;
	return req;
}

/* 1. Fixed mode: exact long-run rate, whole blocks. */
static void check_fixed(u32 rate, u32 tick_ms, u32 ticks)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	u64 sum = 0, expect;
	u32 i;

	c.c_plan_ahead = 0;
	c.resync_rate = rate;
	tandem_rs_ctrl_init(&s);
	for (i = 0; i < ticks; i++) {
		/* in/inflight are irrelevant to the fixed mode */
		u32 req = tandem_rs_ctrl_step(&s, &c, tick_ms, i * 7777ULL,
					      i * 12345ULL);

		assert_int_equal(req % BLOCK, 0);
		sum += req;
	}
	expect = (u64)rate * KIB * tick_ms * ticks / 1000;
	assert_true(sum <= expect);
	assert_true(sum + BLOCK > expect);
}

static void fixed_rate_exact(void **state)
{
	static const u32 rates[] = { 1, 40, 250, 333, 10000, 12345, 102400,
				     4 << 20 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		check_fixed(rates[i], 100, 100);
		check_fixed(rates[i], 100, 1000);
		check_fixed(rates[i], 10, 1000);
		check_fixed(rates[i], 37, 777);
		if (rates[i] < (4 << 20))	/* see below */
			check_fixed(rates[i], 1000, 10);
	}
}

/* More than a u32 per tick (4 GiB/s, 1 s ticks): the most, no debt. */
static void fixed_rate_beyond_u32(void **state)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	u32 i;

	(void)state;
	c.c_plan_ahead = 0;
	c.resync_rate = 4 << 20;
	tandem_rs_ctrl_init(&s);
	for (i = 0; i < 10; i++)
		assert_int_equal(tandem_rs_ctrl_step(&s, &c, 1000, 0, 0),
				 0x100000000ULL - BLOCK);
	c.resync_rate = 1000;
	assert_int_equal(tandem_rs_ctrl_step(&s, &c, 100, 0, 0), 25 * BLOCK);
}

static void fixed_rate_per_tick(void **state)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	u64 sum = 0;
	u32 i, req;

	(void)state;
	c.c_plan_ahead = 0;
	c.resync_rate = 10000;	/* 1024000 B per 100 ms: 250 blocks */
	tandem_rs_ctrl_init(&s);
	for (i = 0; i < 100; i++) {
		req = tandem_rs_ctrl_step(&s, &c, 100, 0, 0);
		assert_int_equal(req, 250 * BLOCK);
		sum += req;
	}
	assert_int_equal(sum, 10000ULL * KIB * 10);

	/* 250 KiB/s: 25600 B per tick, 6.25 blocks: 6,6,6,7 repeating */
	c.resync_rate = 250;
	tandem_rs_ctrl_init(&s);
	for (i = 0; i < 8; i++) {
		req = tandem_rs_ctrl_step(&s, &c, 100, 0, 0);
		assert_int_equal(req, (i % 4 == 3 ? 7 : 6) * BLOCK);
	}
}

/*
 * 2. Dynamic mode keeps its fill target in flight, as the controller
 * sees it at each tick: before this tick's request, so D - 1 ticks' worth
 * of requests on a round trip of D ticks. Without a bottleneck, what
 * arrives per tick is thus fill / (D - 1).
 *
 * The request is what arrived plus a correction, so once the total in
 * flight is right an uneven spread of it over the round trip (from the
 * ramp-up) repeats every round trip. That is noticeable only when the
 * fill target is a few blocks per tick; @per_tick says the fill target is
 * large enough to check each tick, otherwise only the average is.
 */
static void check_fill(u32 fill_sectors, u32 delay, u64 capacity,
		       u64 expect_rate, bool per_tick)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	struct link l;
	u64 fill = (u64)fill_sectors * 512, in, seen, sum_in = 0;
	u64 sum_seen = 0;
	u32 i, n = 300;

	c.c_fill_target = fill_sectors;
	tandem_rs_ctrl_init(&s);
	link_init(&l, delay, capacity);
	for (i = 0; i < 200; i++)	/* settle */
		sim_tick(&s, &c, 100, &l, NULL, NULL);
	for (i = 0; i < n; i++) {
		sim_tick(&s, &c, 100, &l, &in, &seen);
		sum_in += in;
		sum_seen += seen;
		if (per_tick) {
			assert_true(seen * 4 >= fill * 3);
			assert_true(seen * 4 <= fill * 5);
		} else {
			assert_true(seen <= 2 * fill);
		}
	}
	/* on average within 10% */
	assert_true(sum_seen * 10 >= fill * n * 9);
	assert_true(sum_seen * 10 <= fill * n * 11);
	/* throughput within 10% of what is expected */
	assert_true(sum_in * 10 >= expect_rate * n * 9);
	assert_true(sum_in * 10 <= expect_rate * n * 11);
}

static void dynamic_fill_target(void **state)
{
	(void)state;
	/*
	 * 2 MiB in flight, 500 ms round trip, 2000 KiB/s bottleneck: the
	 * bottleneck needs 1000 KiB in flight, so it runs full.
	 */
	check_fill(4096, 5, 200 * KIB, 200 * KIB, true);
	/* 1 s round trip, 1500 KiB/s bottleneck: full too */
	check_fill(4096, 10, 150 * KIB, 150 * KIB, true);
	/*
	 * Fill target smaller than the bandwidth-delay product: the link is
	 * not saturated, throughput is the fill target per round trip.
	 */
	check_fill(4096, 5, 10 * MIB, 4096 * 512 / 4, true);
	/* the default 100 sectors on an unlimited link, 300 ms round trip */
	check_fill(100, 3, UINT64_MAX, 100 * 512 / 2, false);
	/* 100 sectors through a bottleneck that needs more: it is full */
	check_fill(100, 4, 8 * KIB, 8 * KIB, true);
}

/* It starts from nothing: no data in, none in flight. */
static void dynamic_ramps_up(void **state)
{
	static const u32 fills[] = { 1, 7, 8, 9, 100, 4096, 0 };
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	size_t f;
	u32 i;

	(void)state;
	for (f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
		u64 inflight = 0;

		c.c_fill_target = fills[f];
		tandem_rs_ctrl_init(&s);
		/* nothing ever arrives: requests only pile up in flight */
		for (i = 0; i < 3 && !inflight; i++)
			inflight += tandem_rs_ctrl_step(&s, &c, 100, 0,
							inflight);
		if (fills[f] >= 100)
			assert_true(inflight > 0);
		/* the smallest targets get to one block, slower */
		for (; i < 100 && !inflight; i++)
			inflight += tandem_rs_ctrl_step(&s, &c, 100, 0,
							inflight);
		assert_true(inflight > 0);
		/* and then stop: all that is wanted is in flight */
		for (; i < 200; i++)
			inflight += tandem_rs_ctrl_step(&s, &c, 100, 0,
							inflight);
		if (fills[f])
			assert_true(inflight <= (fills[f] * 512ULL > BLOCK ?
						 fills[f] * 512ULL : BLOCK));
		else
			assert_true(inflight <= TANDEM_RS_MIN_FILL);
	}
}

/* 3. c_max_rate caps even a huge correction. */
static void max_rate_caps(void **state)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	struct link l;
	u32 i, req;

	(void)state;
	c.c_fill_target = 1 << 20;	/* 512 MiB */
	c.c_max_rate = 1000;		/* 102400 B per 100 ms: 25 blocks */
	tandem_rs_ctrl_init(&s);
	for (i = 0; i < 50; i++) {
		req = tandem_rs_ctrl_step(&s, &c, 100, 0, 0);
		assert_int_equal(req, 25 * BLOCK);
	}
	/* a huge amount coming in too */
	req = tandem_rs_ctrl_step(&s, &c, 100, 1ULL << 50, 0);
	assert_int_equal(req, 25 * BLOCK);
	req = tandem_rs_ctrl_step(&s, &c, 100, UINT64_MAX, 0);
	assert_int_equal(req, 25 * BLOCK);

	/* a cap that is not a whole number of blocks is rounded down */
	tandem_rs_ctrl_init(&s);
	req = tandem_rs_ctrl_step(&s, &c, 30, 0, 0);	/* 30720 B */
	assert_int_equal(req, 7 * BLOCK);
	/* the largest allowed c_max_rate over 1 s is more than a u32 */
	c.c_max_rate = 4 << 20;
	req = tandem_rs_ctrl_step(&s, &c, 1000, UINT64_MAX, 0);
	assert_int_equal(req % BLOCK, 0);
	assert_true(req >= 0xffffffffULL - BLOCK);

	/* in a simulation on a fast link: never above the cap, and at it */
	c.c_max_rate = 2000;
	tandem_rs_ctrl_init(&s);
	link_init(&l, 4, UINT64_MAX);
	for (i = 0; i < 300; i++) {
		req = sim_tick(&s, &c, 100, &l, NULL, NULL);
		if (i >= 10)
			assert_int_equal(req, 50 * BLOCK);
	}
}

/* 4. c_delay_target mode settles at a stable non-zero rate. */
static void check_delay(u32 delay_target, u32 rtt, u64 capacity,
			u32 max_rate, u64 expect_rate)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	struct link l;
	u64 in, win = 0, total = 0;
	u32 i, n = 400;

	c.c_fill_target = 0;
	c.c_delay_target = delay_target;
	c.c_max_rate = max_rate;
	tandem_rs_ctrl_init(&s);
	link_init(&l, rtt, capacity);
	for (i = 0; i < 400; i++)	/* settle */
		sim_tick(&s, &c, 100, &l, NULL, NULL);
	for (i = 0; i < n; i++) {
		sim_tick(&s, &c, 100, &l, &in, NULL);
		win += in;
		total += in;
		if (i % 20 == 19) {	/* every 2 s within 10% */
			assert_true(win * 10 >= expect_rate * 20 * 9);
			assert_true(win * 10 <= expect_rate * 20 * 11);
			win = 0;
		}
	}
	assert_true(total * 20 >= expect_rate * n * 19);
	assert_true(total * 20 <= expect_rate * n * 21);
}

static void delay_target_settles(void **state)
{
	(void)state;
	/* 1 s delay target, 300 ms round trip: fills the bottleneck */
	check_delay(10, 3, 100 * KIB, 102400, 100 * KIB);
	check_delay(10, 5, 1 * MIB, 102400, 1 * MIB);
	/* with no bottleneck, it goes up to c_max_rate */
	check_delay(10, 3, UINT64_MAX, 20000, 20000 * KIB / 10);
	/*
	 * A delay target shorter than the round trip can only keep the
	 * least fill in flight: it still moves data.
	 */
	check_delay(2, 5, UINT64_MAX, 102400, TANDEM_RS_MIN_FILL / 4);
}

/* 5. c-min-rate throttling. */
static void throttle_truth_table(void **state)
{
	struct tandem_rs_ctrl_conf c = defaults();

	(void)state;
	c.c_min_rate = 0;	/* never throttles */
	assert_false(tandem_rs_ctrl_throttle(&c, true, 0));
	assert_false(tandem_rs_ctrl_throttle(&c, true, 1));
	assert_false(tandem_rs_ctrl_throttle(&c, true, UINT32_MAX));
	assert_false(tandem_rs_ctrl_throttle(&c, false, UINT32_MAX));

	c.c_min_rate = 250;
	/* no application I/O: never */
	assert_false(tandem_rs_ctrl_throttle(&c, false, 0));
	assert_false(tandem_rs_ctrl_throttle(&c, false, 250));
	assert_false(tandem_rs_ctrl_throttle(&c, false, 251));
	assert_false(tandem_rs_ctrl_throttle(&c, false, UINT32_MAX));
	/* application I/O: above c_min_rate only */
	assert_false(tandem_rs_ctrl_throttle(&c, true, 0));
	assert_false(tandem_rs_ctrl_throttle(&c, true, 249));
	assert_false(tandem_rs_ctrl_throttle(&c, true, 250));
	assert_true(tandem_rs_ctrl_throttle(&c, true, 251));
	assert_true(tandem_rs_ctrl_throttle(&c, true, UINT32_MAX));

	c.c_min_rate = UINT32_MAX;
	assert_false(tandem_rs_ctrl_throttle(&c, true, UINT32_MAX));
}

/* 6. Changing settings, odd tick lengths. */
static void settings_change(void **state)
{
	static const u32 plans[] = { 0, 1, 2, 5, 20, 99, 300, 1000,
				     UINT32_MAX };
	static const u32 ticks[] = { 0, 1, 9, 10, 11, 37, 100, 999, 1000,
				     1001, UINT32_MAX };
	static const u32 fills[] = { 0, 1, 100, 4096, 1 << 20, UINT32_MAX };
	static const u32 delays[] = { 0, 1, 10, 100, UINT32_MAX };
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	struct link l;
	unsigned int seed = 12345;
	u32 i, tick, cap_tick;

	(void)state;
	tandem_rs_ctrl_init(&s);
	link_init(&l, 3, 500 * KIB);
	for (i = 0; i < 20000; i++) {
		u64 in = link_arrive(&l);
		u32 req;

		seed = seed * 1103515245u + 12345u;
		if (seed % 7 == 0)
			c.c_plan_ahead = plans[(seed >> 8) % 9];
		if (seed % 11 == 0)
			c.c_fill_target = fills[(seed >> 12) % 6];
		if (seed % 13 == 0)
			c.c_delay_target = delays[(seed >> 16) % 5];
		if (seed % 17 == 0)
			c.resync_rate = 1 + (seed >> 4) % (4 << 20);
		if (seed % 19 == 0)
			c.c_max_rate = 250 + (seed >> 6) % (4 << 20);
		tick = ticks[(seed >> 20) % 11];
		req = tandem_rs_ctrl_step(&s, &c, tick, in, link_inflight(&l));
		assert_int_equal(req % BLOCK, 0);
		cap_tick = tick < 10 ? 10 : tick > 1000 ? 1000 : tick;
		if (c.c_plan_ahead)
			assert_true(req <= max_per_tick(&c, cap_tick));
		link_request(&l, req);
	}
	/* absurd inputs */
	c.c_plan_ahead = 20;
	c.c_fill_target = 0;
	c.c_delay_target = UINT32_MAX;
	c.c_max_rate = 4 << 20;
	assert_int_equal(tandem_rs_ctrl_step(&s, &c, 100, UINT64_MAX,
					     UINT64_MAX) % BLOCK, 0);
	assert_int_equal(tandem_rs_ctrl_step(&s, &c, 100, 0,
					     UINT64_MAX), 0);
}

/* The extreme tick lengths in the closed loop. */
static void tick_extremes(void **state)
{
	struct tandem_rs_ctrl_conf c = defaults();
	struct tandem_rs_ctrl s;
	struct link l;
	u64 fill, seen;
	u32 i;

	(void)state;
	c.c_fill_target = 4096;
	fill = 4096 * 512;
	/* 10 ms ticks: 200 plan steps clamp to 100; 50 ms round trip */
	tandem_rs_ctrl_init(&s);
	link_init(&l, 5, 40 * KIB);
	for (i = 0; i < 3000; i++) {
		sim_tick(&s, &c, 10, &l, NULL, &seen);
		if (i >= 1000) {
			assert_true(seen * 4 >= fill * 3);
			assert_true(seen * 4 <= fill * 5);
		}
	}
	/* 1 s ticks: 2 plan steps; 2 s round trip */
	tandem_rs_ctrl_init(&s);
	link_init(&l, 2, 500 * KIB);
	for (i = 0; i < 100; i++) {
		sim_tick(&s, &c, 1000, &l, NULL, &seen);
		if (i >= 20) {
			assert_true(seen * 4 >= fill * 3);
			assert_true(seen * 4 <= fill * 5);
		}
	}
	/* plan ahead shorter than a tick still plans one step */
	c.c_plan_ahead = 1;
	tandem_rs_ctrl_init(&s);
	link_init(&l, 2, 500 * KIB);
	for (i = 0; i < 100; i++) {
		sim_tick(&s, &c, 1000, &l, NULL, &seen);
		if (i >= 20) {
			assert_true(seen * 4 >= fill * 3);
			assert_true(seen * 4 <= fill * 5);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_rate_exact),
		cmocka_unit_test(fixed_rate_per_tick),
		cmocka_unit_test(fixed_rate_beyond_u32),
		cmocka_unit_test(dynamic_fill_target),
		cmocka_unit_test(dynamic_ramps_up),
		cmocka_unit_test(max_rate_caps),
		cmocka_unit_test(delay_target_settles),
		cmocka_unit_test(throttle_truth_table),
		cmocka_unit_test(settings_change),
		cmocka_unit_test(tick_extremes),
	};

	return cmocka_run_group_tests_name("kernel/lib/rs_ctrl", tests,
					   NULL, NULL);
}
