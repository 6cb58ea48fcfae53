// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tandemadm overview (utils/adm/overview.c): /proc/tandem
 * as kernel/proc.c prints it, the names of `tandemsetup status --json`
 * (docs/TANDEMSETUP.md), the mount table, and the exact lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adm/json.h"
#include "adm/overview.h"

#define VERSION_LINES \
	"version: 0.1.0 (api:1/proto:1-1)\n" \
	"Transports (api:1): tcp (0.1.0)\n"

#define COUNTERS \
	"    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"

/* Everything the verb does between reading the files and printing. */
struct ov {
	struct adm_ov_minor *m;
	size_t nm;
	struct json *root;
	struct adm_ov_volume *v;
	size_t nv;
};

static void ov_load(struct ov *o, const char *proc, const char *status,
		    const char *const *res, size_t nres, bool *missing)
{
	char err[200];

	memset(o, 0, sizeof(*o));
	assert_int_equal(adm_ov_parse_proc(proc, &o->m, &o->nm, err,
					   sizeof(err)), 0);
	o->root = json_parse(status, strlen(status), err, sizeof(err));
	assert_non_null(o->root);
	adm_ov_volumes(o->m, o->nm, o->root, res, nres, missing, &o->v,
		       &o->nv);
}

static void ov_free(struct ov *o)
{
	free(o->v);
	free(o->m);
	json_free(o->root);
}

/* adm_ov_format() of @o must be @want. */
static void check_lines(const struct ov *o, const char *want)
{
	char *got = adm_ov_format(o->v, o->nv);

	assert_string_equal(got, want);
	free(got);
}

static const char *const status_r0 =
	"[{\"name\": \"r0\", \"node-id\": 0, \"role\": \"Primary\",\n"
	"  \"devices\": [{\"minor\": 0, \"volume\": 0, \"disk\": \"UpToDate\"}],\n"
	"  \"connections\": []}]";

/* ---- one volume, each state ------------------------------------------ */

static void idle_connected(void **state)
{
	struct ov o;

	(void)state;
	ov_load(&o, VERSION_LINES
		" 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
		COUNTERS, status_r0, NULL, 0, NULL);
	assert_int_equal(o.nm, 1);
	assert_int_equal(o.m[0].minor, 0);
	assert_string_equal(o.m[0].cs, "Connected");
	assert_string_equal(o.m[0].ro, "Primary/Secondary");
	assert_string_equal(o.m[0].ds, "UpToDate/UpToDate");
	assert_int_equal(o.m[0].protocol, 'C');
	assert_string_equal(o.m[0].flags, "r-----");
	assert_false(o.m[0].sync.present);
	assert_int_equal(o.nv, 1);
	assert_string_equal(o.v[0].name, "r0");
	assert_false(o.v[0].multi);
	check_lines(&o,
		"  0:r0                   Connected Primary/Secondary   "
		"UpToDate/UpToDate C r---\n");
	ov_free(&o);
}

static void resync_in_progress(void **state)
{
	struct ov o;

	(void)state;
	ov_load(&o, VERSION_LINES
		" 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n"
		"    ns:8152 nr:0 dw:0 dr:8152 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:57344\n"
		"\t[=>..................] sync'ed: 12.5% (57344/65496)K\n"
		"\tfinish: 0:00:07 speed: 8,152 (8,152) K/sec\n",
		status_r0, NULL, 0, NULL);
	assert_true(o.m[0].sync.present);
	assert_string_equal(o.m[0].sync.bar, "[=>..................]");
	assert_int_equal(o.m[0].sync.permil, 125);
	assert_int_equal(o.m[0].sync.left, 57344);
	assert_int_equal(o.m[0].sync.total, 65496);
	assert_int_equal(o.m[0].sync.unit, 'K');
	check_lines(&o,
		"  0:r0                   SyncSource Primary/Secondary   "
		"UpToDate/Inconsistent C r--- [=>..................] "
		"sync'ed: 12.5% (57344/65496)K\n");
	ov_free(&o);

	/* the target side, paused */
	ov_load(&o, VERSION_LINES
		" 0: cs:PausedSyncT ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n"
		COUNTERS
		"\t[>....................] sync'ed: 0.0% (1048576/1048576)K\n"
		"\tfinish: 0:00:00 speed: 0 (0) K/sec\n",
		status_r0, NULL, 0, NULL);
	check_lines(&o,
		"  0:r0                   PausedSyncT Secondary/Primary   "
		"Inconsistent/UpToDate C r--- [>....................] "
		"sync'ed: 0.0% (1048576/1048576)K\n");
	ov_free(&o);
}

static void standalone_and_unknown_peer(void **state)
{
	struct ov o;

	(void)state;
	/* after disconnect (or a split brain): the peer is not known */
	ov_load(&o, VERSION_LINES
		" 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n"
		COUNTERS, status_r0, NULL, 0, NULL);
	check_lines(&o,
		"  0:r0                   StandAlone Primary/Unknown     "
		"UpToDate/DUnknown C r---\n");
	ov_free(&o);

	/* waiting for the peer, no disk attached */
	ov_load(&o, VERSION_LINES
		" 0: cs:Connecting ro:Secondary/Unknown ds:Diskless/DUnknown C r-----\n"
		COUNTERS, status_r0, NULL, 0, NULL);
	check_lines(&o,
		"  0:r0                   Connecting Secondary/Unknown   "
		"Diskless/DUnknown C r---\n");
	ov_free(&o);

	/* a minor tandemsetup does not (or no longer) list */
	ov_load(&o, VERSION_LINES
		" 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
		COUNTERS
		"12: cs:StandAlone ro:Unknown/Unknown ds:Diskless/DUnknown A r-----\n"
		COUNTERS, status_r0, NULL, 0, NULL);
	assert_int_equal(o.nm, 2);
	assert_int_equal(o.m[1].minor, 12);
	assert_null(o.v[1].name);
	check_lines(&o,
		"  0:r0                   Connected  Primary/Secondary   "
		"UpToDate/UpToDate C r---\n"
		"  12:?                   StandAlone Unknown/Unknown     "
		"Diskless/DUnknown A r---\n");
	ov_free(&o);
}

/* ---- mounted: the drbd-overview example of the seeds, exactly --------- */

static void set_fs(struct adm_ov_volume *v, const char *mnt,
		   const char *type, unsigned long blocks,
		   unsigned long bfree, unsigned long bavail)
{
	v->mnt = mnt;
	v->fstype = type;
	v->have_fs = true;
	memset(&v->fs, 0, sizeof(v->fs));
	v->fs.f_bsize = 4096;
	v->fs.f_frsize = 4096;
	v->fs.f_blocks = blocks;
	v->fs.f_bfree = bfree;
	v->fs.f_bavail = bavail;
}

static void mounted(void **state)
{
	struct ov o;

	(void)state;
	ov_load(&o, VERSION_LINES
		" 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
		COUNTERS
		" 1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
		COUNTERS
		" 2: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
		COUNTERS,
		"[{\"name\": \"home\", \"devices\": [{\"minor\": 0, \"volume\": 0}]},"
		" {\"name\": \"data\", \"devices\": [{\"minor\": 1, \"volume\": 0}]},"
		" {\"name\": \"nfs-root\", \"devices\": [{\"minor\": 2, \"volume\": 0}]}]",
		NULL, 0, NULL);
	assert_int_equal(o.nv, 3);
	/* 200 GiB, 157.5 GiB used, 42.5 GiB free (xfs: none reserved) */
	set_fs(&o.v[0], "/home", "xfs", 52428800, 11141120, 11141120);
	/* 9.85 GiB, 617.3 MiB used, 8.75 GiB available to users */
	set_fs(&o.v[1], "/mnt/ha1", "ext3", 2582118, 2582118 - 158029,
	       2293760);
	/* 78.4 GiB, 56.6 GiB used, 18.2 GiB available */
	set_fs(&o.v[2], "/mnt/netboot", "ext3", 20552090,
	       20552090 - 14837350, 4771021);
	check_lines(&o,
"  0:home                 Connected Primary/Secondary   UpToDate/UpToDate C r--- /home        xfs  200G 158G 43G  79%\n"
"  1:data                 Connected Primary/Secondary   UpToDate/UpToDate C r--- /mnt/ha1     ext3 9.9G 618M 8.8G 7%\n"
"  2:nfs-root             Connected Primary/Secondary   UpToDate/UpToDate C r--- /mnt/netboot ext3 79G  57G  19G  76%\n");

	/* not mounted: nothing after the flags; statvfs failed: "-" */
	o.v[1].mnt = NULL;
	o.v[2].have_fs = false;
	check_lines(&o,
"  0:home                 Connected Primary/Secondary   UpToDate/UpToDate C r--- /home        xfs  200G 158G 43G 79%\n"
"  1:data                 Connected Primary/Secondary   UpToDate/UpToDate C r---\n"
"  2:nfs-root             Connected Primary/Secondary   UpToDate/UpToDate C r--- /mnt/netboot ext3 -    -    -   -\n");
	ov_free(&o);
}

static void mounted_during_resync(void **state)
{
	struct ov o;

	(void)state;
	ov_load(&o, VERSION_LINES
		" 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n"
		COUNTERS
		"\t[==========>.........] sync'ed: 50.0% (512/1024)K\n"
		" 1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
		COUNTERS,
		"[{\"name\": \"r0\", \"devices\": [{\"minor\": 0, \"volume\": 0}]},"
		" {\"name\": \"r1\", \"devices\": [{\"minor\": 1, \"volume\": 0}]}]",
		NULL, 0, NULL);
	set_fs(&o.v[0], "/srv", "ext4", 262144, 131072, 131072);
	check_lines(&o,
		"  0:r0                   SyncSource Primary/Secondary   "
		"UpToDate/Inconsistent C r--- /srv ext4 1.0G 512M 512M 50% "
		"[==========>.........] sync'ed: 50.0% (512/1024)K\n"
		"  1:r1                   Connected  Primary/Secondary   "
		"UpToDate/UpToDate     C r---\n");
	ov_free(&o);
}

/* ---- several volumes, several resources, a selection ------------------- */

static const char *const proc_multi = VERSION_LINES
	" 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
	COUNTERS
	" 1: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate A r-----\n"
	COUNTERS
	" 2: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate A r-----\n"
	COUNTERS;

static const char *const status_multi =
	"[{\"name\": \"r0\", \"devices\": [{\"minor\": 0, \"volume\": 0}],"
	"  \"connections\": []},"
	" {\"name\": \"r1\", \"devices\": [{\"minor\": 1, \"volume\": 0},"
	"                                {\"minor\": 2, \"volume\": 1}],"
	"  \"connections\": []}]";

static void multiple_volumes(void **state)
{
	const char *const r1[] = { "r1" };
	const char *const all[] = { "all" };
	const char *const some[] = { "r9", "r0" };
	bool missing[2];
	struct ov o;

	(void)state;
	ov_load(&o, proc_multi, status_multi, NULL, 0, NULL);
	assert_int_equal(o.nv, 3);
	assert_true(o.v[1].multi);
	assert_int_equal(o.v[2].volume, 1);
	check_lines(&o,
		"  0:r0                   Connected Primary/Secondary   "
		"UpToDate/UpToDate C r---\n"
		"  1:r1/0                 Connected Secondary/Primary   "
		"UpToDate/UpToDate A r---\n"
		"  2:r1/1                 Connected Secondary/Primary   "
		"UpToDate/UpToDate A r---\n");
	ov_free(&o);

	ov_load(&o, proc_multi, status_multi, r1, 1, missing);
	assert_false(missing[0]);
	check_lines(&o,
		"  1:r1/0                 Connected Secondary/Primary   "
		"UpToDate/UpToDate A r---\n"
		"  2:r1/1                 Connected Secondary/Primary   "
		"UpToDate/UpToDate A r---\n");
	ov_free(&o);

	ov_load(&o, proc_multi, status_multi, all, 1, missing);
	assert_false(missing[0]);
	assert_int_equal(o.nv, 3);
	ov_free(&o);

	ov_load(&o, proc_multi, status_multi, some, 2, missing);
	assert_true(missing[0]);
	assert_false(missing[1]);
	assert_int_equal(o.nv, 1);
	assert_string_equal(o.v[0].name, "r0");
	ov_free(&o);

	/* nothing running */
	ov_load(&o, VERSION_LINES, "[]", some, 2, missing);
	assert_true(missing[0] && missing[1]);
	check_lines(&o, "");
	ov_free(&o);
}

/* ---- pieces ----------------------------------------------------------- */

static void proc_text(void **state)
{
	struct adm_ov_minor *m;
	char err[200];
	size_t n;

	(void)state;
	assert_int_equal(adm_ov_parse_proc("", &m, &n, err, sizeof(err)), -1);
	assert_int_equal(adm_ov_parse_proc(
		"cs:Connected\n", &m, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "version"));
	/* no trailing newline, lines of later versions, no progress */
	assert_int_equal(adm_ov_parse_proc(VERSION_LINES
		"Something new: 3\n"
		"\t[>...] sync'ed: 1.0% (1/2)K\n"	/* before any minor */
		"  7: cs:WFConnection ro:Secondary/Unknown ds:Outdated/DUnknown B r-s---",
		&m, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].minor, 7);
	assert_string_equal(m[0].cs, "WFConnection");
	assert_int_equal(m[0].protocol, 'B');
	assert_string_equal(m[0].flags, "r-s---");
	assert_false(m[0].sync.present);
	free(m);
	/* a minor line with fields missing */
	assert_int_equal(adm_ov_parse_proc(VERSION_LINES
		" 3: cs:Unconfigured\n", &m, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].cs, "Unconfigured");
	assert_string_equal(m[0].ro, "");
	assert_int_equal(m[0].protocol, 0);
	free(m);
}

static void human_sizes(void **state)
{
	static const struct {
		unsigned long long bytes;
		const char *want;
	} t[] = {
		{ 0, "0" },
		{ 1023, "1023" },
		{ 1024, "1.0K" },
		{ 1025, "1.1K" },
		{ 4096, "4.0K" },
		{ 10239, "10K" },
		{ 10240, "10K" },
		{ 10241, "11K" },
		{ 1048575, "1.0M" },
		{ 1048576, "1.0M" },
		{ 648019968ULL, "618M" },
		{ 10630044057ULL, "9.9G" },
		{ 214748364800ULL, "200G" },
		{ 1125899906842624ULL, "1.0P" },
		{ 18446744073709551615ULL, "16E" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		adm_ov_human(t[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, t[i].want);
	}
}

static void mount_table(void **state)
{
	struct adm_ov_mount *mt;
	size_t n;

	(void)state;
	adm_ov_parse_mounts(
		"proc /proc proc rw,nosuid 0 0\n"
		"\n"
		"/dev/tandem0 /mnt/my\\040data ext4 rw,relatime 0 0\n"
		"broken\n"
		"/dev/tandem1 /srv xfs rw 0 0", &mt, &n);
	assert_int_equal(n, 3);
	assert_string_equal(mt[1].dev, "/dev/tandem0");
	assert_string_equal(mt[1].dir, "/mnt/my data");
	assert_string_equal(mt[1].dir_shown, "/mnt/my\\040data");
	assert_string_equal(mt[1].type, "ext4");
	assert_string_equal(mt[2].dir, "/srv");
	adm_ov_mounts_free(mt, n);
	free(mt);
}

static void device_names(void **state)
{
	char dir[] = "/tmp/tandem-ov-XXXXXX", a[64], b[64], c[64];

	(void)state;
	assert_true(adm_ov_is_device("/dev/tandem3", 3));
	assert_true(adm_ov_is_device("/dev//./tandem3", 3));
	assert_false(adm_ov_is_device("/dev/tandem3", 30));
	assert_false(adm_ov_is_device("/dev/tandem30", 3));
	assert_false(adm_ov_is_device("tandem3", 3));
	/* symbolic links, absolute and relative, to a device that need not
	 * exist here */
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/abs", dir);
	snprintf(b, sizeof(b), "%s/rel", dir);
	snprintf(c, sizeof(c), "%s/chain", dir);
	assert_int_equal(symlink("/dev/tandem5", a), 0);
	assert_int_equal(symlink("../../dev/tandem5", b), 0);
	assert_int_equal(symlink("rel", c), 0);
	assert_true(adm_ov_is_device(a, 5));
	assert_true(adm_ov_is_device(b, 5));
	assert_true(adm_ov_is_device(c, 5));
	assert_false(adm_ov_is_device(c, 6));
	unlink(a);
	unlink(b);
	unlink(c);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idle_connected),
		cmocka_unit_test(resync_in_progress),
		cmocka_unit_test(standalone_and_unknown_peer),
		cmocka_unit_test(mounted),
		cmocka_unit_test(mounted_during_resync),
		cmocka_unit_test(multiple_volumes),
		cmocka_unit_test(proc_text),
		cmocka_unit_test(human_sizes),
		cmocka_unit_test(mount_table),
		cmocka_unit_test(device_names),
	};

	return cmocka_run_group_tests_name("utils/adm overview", tests, NULL,
					   NULL);
}
