// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - memory helpers (util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/util.h"

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return p;
}

void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

