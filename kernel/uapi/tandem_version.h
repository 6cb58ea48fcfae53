/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tandem - version numbers shared by the kernel modules and the utilities.
 *
 * TANDEM_GENL_API_VERSION  generic netlink API spoken by tandemsetup/tandemadm
 * TANDEM_PROTO_MIN/MAX     range of wire protocol versions this build speaks;
 *                          two nodes agree on the highest common version, so a
 *                          node running release N talks to one running N-1.
 */
#ifndef _UAPI_TANDEM_VERSION_H
#define _UAPI_TANDEM_VERSION_H

#define TANDEM_VERSION_MAJOR	0
#define TANDEM_VERSION_MINOR	1
#define TANDEM_VERSION_PATCH	0
#define TANDEM_VERSION		"0.1.0"

#define TANDEM_GENL_API_VERSION	1

#define TANDEM_PROTO_MIN	1
#define TANDEM_PROTO_MAX	1

#endif /* _UAPI_TANDEM_VERSION_H */
