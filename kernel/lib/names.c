// SPDX-License-Identifier: GPL-2.0
/*
 * tandem - validation of names that reach module loading.
 */
#include "../uapi/tandem_limits.h"
#include "tandem_lib.h"

bool tandem_transport_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= TANDEM_TRANSPORT_NAME_MAX - 1)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}
