/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemsetup - output of status (text and JSON), show and events from
 * parsed objects. Pure: writes to a FILE, never talks to the kernel.
 * The formats are documented in docs/TANDEMSETUP.md; scripts and tests
 * grep them, so change them only together with that document.
 */
#ifndef TANDEM_SETUP_FORMAT_H
#define TANDEM_SETUP_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "setup/obj.h"

/*
 * One events line, newline included:
 *   EVENT KIND key:value ...
 * EVENT is ts_event_name(o->event), or "exists" when @initial.
 */
void ts_print_event(FILE *out, const struct ts_obj *o, bool initial);

/*
 * Status of the resources among @objs (all, or only @filter when not
 * NULL), as a text tree or as JSON. Returns how many resources were
 * printed.
 */
size_t ts_print_status(FILE *out, const struct ts_obj *objs, size_t n,
		       const char *filter, bool verbose);
size_t ts_print_status_json(FILE *out, const struct ts_obj *objs, size_t n,
			    const char *filter);

/* Running configuration in configuration-file syntax. */
size_t ts_print_show(FILE *out, const struct ts_obj *objs, size_t n,
		     const char *filter);

/* "512KiB", "1GiB", "1.50GiB" */
char *ts_human_kib(uint64_t kib, char *buf, size_t len);

#endif
