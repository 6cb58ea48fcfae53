/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandem utilities - reading /proc/tandem.
 */
#ifndef TANDEM_UTILS_PROCFS_H
#define TANDEM_UTILS_PROCFS_H

/**
 * struct tandem_kversion - the kernel module's version line
 * @version: release, e.g. "0.1.0"
 * @api: generic netlink API version
 * @proto_min: oldest wire protocol version the module speaks
 * @proto_max: newest wire protocol version the module speaks
 */
struct tandem_kversion {
	char version[32];
	unsigned int api;
	unsigned int proto_min;
	unsigned int proto_max;
};

/*
 * Parse "version: 0.1.0 (api:1/proto:1-1)". Returns 0, or -1 if the line
 * is not in that form.
 */
int tandem_parse_version_line(const char *line, struct tandem_kversion *v);

/*
 * Read the version line of the loaded module from @path (normally
 * /proc/tandem). Returns 0, or -1 with errno set (ENOENT: module not
 * loaded; EPROTO: unreadable format).
 */
int tandem_read_kversion(const char *path, struct tandem_kversion *v);

#endif
