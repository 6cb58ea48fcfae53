/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tandem - limits shared by the kernel modules and the utilities.
 */
#ifndef _UAPI_TANDEM_LIMITS_H
#define _UAPI_TANDEM_LIMITS_H

/* Longest transport class name, including the terminating NUL. */
#define TANDEM_TRANSPORT_NAME_MAX	16

/* Transport name used when a resource's net section names none. */
#define TANDEM_TRANSPORT_DEFAULT	"tcp"

/* Nodes in one resource are numbered 0 .. TANDEM_NODE_ID_MAX - 1. */
#define TANDEM_NODE_ID_MAX		32

#endif /* _UAPI_TANDEM_LIMITS_H */
