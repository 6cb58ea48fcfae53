// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for utils/common/procfs.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../utils/common/procfs.h"

static void version_line_parsed(void **state)
{
	struct tandem_kversion v;

	(void)state;
	assert_int_equal(tandem_parse_version_line(
		"version: 0.1.0 (api:1/proto:1-1)\n", &v), 0);
	assert_string_equal(v.version, "0.1.0");
	assert_int_equal(v.api, 1);
	assert_int_equal(v.proto_min, 1);
	assert_int_equal(v.proto_max, 1);

	assert_int_equal(tandem_parse_version_line(
		"version: 2.10.3-rc1 (api:7/proto:3-12)", &v), 0);
	assert_string_equal(v.version, "2.10.3-rc1");
	assert_int_equal(v.api, 7);
	assert_int_equal(v.proto_min, 3);
	assert_int_equal(v.proto_max, 12);
}

static void version_line_refused(void **state)
{
	struct tandem_kversion v;

	(void)state;
	assert_int_equal(tandem_parse_version_line("", &v), -1);
	assert_int_equal(tandem_parse_version_line("version: 0.1.0", &v), -1);
	assert_int_equal(tandem_parse_version_line(
		"version: 0.1.0 (api:1/proto:1-1", &v), -1);
	assert_int_equal(tandem_parse_version_line(
		"version: 0.1.0 (api:1/proto:2-1)", &v), -1);
	assert_int_equal(tandem_parse_version_line(
		"version: 0.1.0 (api:1/proto:0-1)", &v), -1);
	assert_int_equal(tandem_parse_version_line(
		"Transports (api:1): tcp (0.1.0)", &v), -1);
	/* an over-long version string must not overflow the buffer */
	assert_int_equal(tandem_parse_version_line(
		"version: 0123456789012345678901234567890123456789 "
		"(api:1/proto:1-1)", &v), -1);
}

static void read_from_file(void **state)
{
	char path[] = "/tmp/tandem-procfs-XXXXXX";
	struct tandem_kversion v;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("version: 0.4.2 (api:2/proto:1-3)\nTransports (api:1): tcp (0.4.2)\n", f);
	fclose(f);
	assert_int_equal(tandem_read_kversion(path, &v), 0);
	assert_string_equal(v.version, "0.4.2");
	assert_int_equal(v.proto_max, 3);

	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	assert_int_equal(tandem_read_kversion(path, &v), -1);
	assert_int_equal(errno, EPROTO);
	unlink(path);

	assert_int_equal(tandem_read_kversion(path, &v), -1);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_line_parsed),
		cmocka_unit_test(version_line_refused),
		cmocka_unit_test(read_from_file),
	};

	return cmocka_run_group_tests_name("utils/procfs", tests, NULL, NULL);
}
