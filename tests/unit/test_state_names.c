// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/lib/state_names.c: every state has its user-visible
 * name, names map back, and bad values never index past a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/lib/tandem_lib.h"
#include "kernel/uapi/tandem_genl.h"

static void names_users_grep_for(void **state)
{
	(void)state;
	assert_string_equal(tandem_role_name(TANDEM_ROLE_PRIMARY), "Primary");
	assert_string_equal(tandem_role_name(TANDEM_ROLE_SECONDARY), "Secondary");
	assert_string_equal(tandem_disk_state_name(TANDEM_DS_UPTODATE), "UpToDate");
	assert_string_equal(tandem_disk_state_name(TANDEM_DS_DUNKNOWN), "DUnknown");
	assert_string_equal(tandem_conn_state_name(TANDEM_CS_STANDALONE), "StandAlone");
	assert_string_equal(tandem_conn_state_name(TANDEM_CS_CONNECTED), "Connected");
	assert_string_equal(tandem_repl_state_name(TANDEM_RS_SYNC_SOURCE), "SyncSource");
	assert_string_equal(tandem_repl_state_name(TANDEM_RS_PAUSED_SYNC_T), "PausedSyncT");
	assert_int_equal(tandem_protocol_letter(TANDEM_PROT_A), 'A');
	assert_int_equal(tandem_protocol_letter(TANDEM_PROT_C), 'C');
	assert_int_equal(tandem_protocol_letter(0), '?');
}

static void every_value_named_and_reversible(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < TANDEM_DS_COUNT; i++) {
		const char *n = tandem_disk_state_name(i);

		assert_string_not_equal(n, "?");
		assert_int_equal(tandem_disk_state_from_name(n), (int)i);
	}
	for (i = 0; i < TANDEM_CS_COUNT; i++) {
		const char *n = tandem_conn_state_name(i);

		assert_string_not_equal(n, "?");
		assert_int_equal(tandem_conn_state_from_name(n), (int)i);
	}
	for (i = 0; i < TANDEM_RS_COUNT; i++) {
		const char *n = tandem_repl_state_name(i);

		assert_string_not_equal(n, "?");
		assert_int_equal(tandem_repl_state_from_name(n), (int)i);
	}
	for (i = TANDEM_ROLE_UNKNOWN; i <= TANDEM_ROLE_SECONDARY; i++)
		assert_int_equal(tandem_role_from_name(tandem_role_name(i)),
				 (int)i);
}

static void out_of_range(void **state)
{
	(void)state;
	assert_string_equal(tandem_disk_state_name(TANDEM_DS_COUNT), "?");
	assert_string_equal(tandem_conn_state_name(0xffffffffu), "?");
	assert_string_equal(tandem_repl_state_name(TANDEM_RS_COUNT), "?");
	assert_string_equal(tandem_role_name(3), "?");
	assert_int_equal(tandem_disk_state_from_name("uptodate"), -1);
	assert_int_equal(tandem_conn_state_from_name(""), -1);
	assert_int_equal(tandem_role_from_name(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_users_grep_for),
		cmocka_unit_test(every_value_named_and_reversible),
		cmocka_unit_test(out_of_range),
	};

	return cmocka_run_group_tests_name("kernel/lib/state_names", tests,
					   NULL, NULL);
}
