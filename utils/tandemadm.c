// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - administration tool for tandem resources.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/procfs.h"
#include "kernel/uapi/tandem_version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tandemadm [options]\n"
		"\n"
		"options:\n"
		"  -V, --version  print the utilities' and the loaded kernel module's\n"
		"                 versions as shell variable assignments\n"
		"  -h, --help     this text\n");
}

static int print_version(void)
{
	struct tandem_kversion kv;

	printf("TANDEMADM_VERSION=%s\n", TANDEM_VERSION);
	printf("TANDEMADM_API_VERSION=%u\n", TANDEM_GENL_API_VERSION);
	printf("TANDEMADM_PROTO=%u-%u\n", TANDEM_PROTO_MIN, TANDEM_PROTO_MAX);
	if (tandem_read_kversion("/proc/tandem", &kv) == 0) {
		printf("TANDEM_KERNEL_VERSION=%s\n", kv.version);
		printf("TANDEM_KERNEL_API_VERSION=%u\n", kv.api);
		printf("TANDEM_KERNEL_PROTO=%u-%u\n", kv.proto_min, kv.proto_max);
	} else if (errno != ENOENT) {
		fprintf(stderr, "tandemadm: /proc/tandem: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-V") ||
			  !strcmp(argv[1], "--version")))
		return print_version();
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 20;
}
