// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/: transport names and protocol agreement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../kernel/lib/tandem_lib.h"
#include "../../kernel/uapi/tandem_limits.h"

static void names_accepted(void **state)
{
	(void)state;
	assert_true(tandem_transport_name_valid("tcp"));
	assert_true(tandem_transport_name_valid("rdma"));
	assert_true(tandem_transport_name_valid("tcp_v2"));
	assert_true(tandem_transport_name_valid("a"));
	/* exactly TANDEM_TRANSPORT_NAME_MAX - 1 characters */
	assert_true(tandem_transport_name_valid("abcdefghijklmno"));
}

static void names_refused(void **state)
{
	(void)state;
	assert_false(tandem_transport_name_valid(NULL));
	assert_false(tandem_transport_name_valid(""));
	assert_false(tandem_transport_name_valid("abcdefghijklmnop"));
	assert_false(tandem_transport_name_valid("TCP"));
	assert_false(tandem_transport_name_valid("tcp "));
	assert_false(tandem_transport_name_valid("../tcp"));
	assert_false(tandem_transport_name_valid("tcp-x"));
	assert_false(tandem_transport_name_valid("t\ncp"));
	assert_false(tandem_transport_name_valid("\xc3\xa9"));
}

static u32 agree(u32 amin, u32 amax, u32 bmin, u32 bmax)
{
	struct tandem_proto_range a = { amin, amax }, b = { bmin, bmax };
	u32 ab = tandem_proto_agree(&a, &b);

	/* Agreement must not depend on who asks. */
	assert_int_equal(ab, tandem_proto_agree(&b, &a));
	return ab;
}

static void proto_overlap(void **state)
{
	(void)state;
	assert_int_equal(agree(1, 1, 1, 1), 1);
	assert_int_equal(agree(1, 3, 2, 5), 3);
	assert_int_equal(agree(1, 3, 3, 3), 3);
	/* rolling upgrade: N talks to N-1 at N-1 */
	assert_int_equal(agree(2, 4, 1, 3), 3);
	assert_int_equal(agree(1, 10, 4, 4), 4);
}

static void proto_disjoint_or_malformed(void **state)
{
	(void)state;
	assert_int_equal(agree(1, 2, 3, 4), 0);
	assert_int_equal(agree(5, 6, 1, 4), 0);
	assert_int_equal(agree(0, 2, 1, 2), 0);
	assert_int_equal(agree(3, 2, 1, 5), 0);
	assert_int_equal(agree(1, 0xffffffff, 0xffffffff, 0xffffffff),
			 0xffffffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_accepted),
		cmocka_unit_test(names_refused),
		cmocka_unit_test(proto_overlap),
		cmocka_unit_test(proto_disjoint_or_malformed),
	};

	return cmocka_run_group_tests_name("kernel/lib", tests, NULL, NULL);
}
