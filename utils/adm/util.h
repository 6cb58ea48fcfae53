/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - memory helpers shared by utils/adm/: they never return
 * NULL (out of memory ends the program with a message).
 */
#ifndef TANDEM_ADM_UTIL_H
#define TANDEM_ADM_UTIL_H

#include <stddef.h>

void *xrealloc(void *p, size_t n);
void *xzalloc(size_t n);
char *xstrdup(const char *s);

/* Append one pointer to a growing array of pointers. */
#define APPEND(arr, n, item) do {					\
	(arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr)));		\
	(arr)[(n)++] = (item);						\
} while (0)

#endif
