/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm overview - one line per running volume, in the layout users
 * of drbd-overview know:
 *
 *   0:r0                   Connected Primary/Secondary   UpToDate/UpToDate C r--- /home xfs 200G 158G 43G 79%
 *
 * The state comes from /proc/tandem (kernel/proc.c), the resource names
 * from `tandemsetup status --json` (docs/TANDEMSETUP.md), the mount point
 * from the mount table and the sizes from statvfs(3). Parsing and
 * formatting are pure; the file and device helpers at the end are not.
 */
#ifndef TANDEM_ADM_OVERVIEW_H
#define TANDEM_ADM_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/statvfs.h>

#include "adm/json.h"

#define ADM_OV_FIELD_MAX	64

/*
 * A resync progress line of /proc/tandem:
 *	[====>...............] sync'ed: 25.0% (4096/5120)K
 */
struct adm_ov_sync {
	bool present;
	char bar[ADM_OV_FIELD_MAX];	/* "[====>....]", brackets included */
	unsigned int permil;		/* 250: 25.0% done */
	unsigned long long left;	/* still out of sync */
	unsigned long long total;	/* size of the resync */
	char unit;			/* of left and total: 'K' */
};

/*
 * The block of one minor in /proc/tandem:
 *	 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
 * A field the line lacks is "" (protocol '\0').
 */
struct adm_ov_minor {
	unsigned int minor;
	char cs[ADM_OV_FIELD_MAX];	/* or the replication state */
	char ro[ADM_OV_FIELD_MAX];	/* local/peer */
	char ds[ADM_OV_FIELD_MAX];	/* local/peer */
	char protocol;
	char flags[ADM_OV_FIELD_MAX];
	struct adm_ov_sync sync;
};

/*
 * Parse the text of /proc/tandem into *@out (malloc'ed, free() it), in
 * the order of the file. Lines other than the version line, the minor
 * lines and the progress lines are skipped. Returns 0, or -1 with a
 * message in @err when the first line is not the version line.
 */
int adm_ov_parse_proc(const char *text, struct adm_ov_minor **out,
		      size_t *n, char *err, size_t errlen);

/* One line of the overview. */
struct adm_ov_volume {
	const struct adm_ov_minor *m;
	const char *name;	/* resource; NULL: tandemsetup does not know
				 * the minor (shown as "?") */
	unsigned int volume;
	bool multi;		/* the resource has several volumes: "/N" */
	const char *mnt;	/* mount point as the mount table shows it
				 * (octal escapes kept); NULL: not mounted */
	const char *fstype;
	bool have_fs;		/* @fs is statvfs(@mnt) */
	struct statvfs fs;
};

/*
 * The volumes of the minors @m (@nm of them) as `tandemsetup status
 * --json` (@root) names them, in the order of @m, into *@out (malloc'ed;
 * the mount fields are left empty). With @nres > 0 only those of the
 * resources @res (a minor that tandemsetup does not list is left out
 * then), unless one of them is "all". @missing (may be NULL; @nres
 * entries) is set for each resource that @root does not list.
 */
void adm_ov_volumes(const struct adm_ov_minor *m, size_t nm,
		    const struct json *root, const char *const *res,
		    size_t nres, bool *missing, struct adm_ov_volume **out,
		    size_t *n);

/*
 * The overview of @v (@n volumes): one '\n'-terminated line each, in
 * columns (malloc'ed; "" for none). The flags column shows the first four
 * flags of /proc/tandem, as drbd-overview does.
 */
char *adm_ov_format(const struct adm_ov_volume *v, size_t n);

/* @bytes as df -h shows it (rounded up): 0, 512, 4.0K, 9.9G, 618M. */
void adm_ov_human(unsigned long long bytes, char *buf, size_t len);

/* A line of the mount table (/proc/self/mounts). */
struct adm_ov_mount {
	char *dev;		/* unescaped */
	char *dir;		/* unescaped, for statvfs */
	char *dir_shown;	/* as in the table: "/mnt/a\040b" */
	char *type;
};

/* Parse mount table text; lines with fewer than three fields are
 * skipped. Free with adm_ov_mounts_free(). */
void adm_ov_parse_mounts(const char *text, struct adm_ov_mount **out,
			 size_t *n);
void adm_ov_mounts_free(struct adm_ov_mount *mt, size_t n);

/* ---- not pure ----------------------------------------------------------- */

/*
 * Is @dev /dev/tandem@minor: the same path once symbolic links are
 * followed (the target need not exist), or a block device with the same
 * device number?
 */
bool adm_ov_is_device(const char *dev, unsigned int minor);

/* The whole file @path (malloc'ed, NUL-terminated), or NULL with errno
 * set. */
char *adm_ov_read_file(const char *path);

#endif
