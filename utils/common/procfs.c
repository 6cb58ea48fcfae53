// SPDX-License-Identifier: GPL-2.0
/*
 * tandem utilities - reading /proc/tandem.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "procfs.h"

int tandem_parse_version_line(const char *line, struct tandem_kversion *v)
{
	char tail;
	int n;

	memset(v, 0, sizeof(*v));
	n = sscanf(line, "version: %31[0-9A-Za-z.+~-] (api:%u/proto:%u-%u%c",
		   v->version, &v->api, &v->proto_min, &v->proto_max, &tail);
	if (n != 5 || tail != ')')
		return -1;
	if (v->proto_min == 0 || v->proto_min > v->proto_max)
		return -1;
	return 0;
}

int tandem_read_kversion(const char *path, struct tandem_kversion *v)
{
	char line[256];
	FILE *f;
	int ret = -1;

	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) &&
	    tandem_parse_version_line(line, v) == 0)
		ret = 0;
	else
		errno = EPROTO;
	fclose(f);
	return ret;
}
