// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - administration of tandem resources from the configuration
 * file: every verb becomes a plan of tandemsetup/tandemmeta command
 * lines (adm/plan.c), which is run in order or, with -d, printed.
 * The configuration parser is adm/conf.c, the reader of `tandemsetup
 * show` adm/running.c, the reader of `status --json` adm/state.c,
 * overview adm/overview.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adm/cli.h"
#include "adm/conf.h"
#include "adm/json.h"
#include "adm/overview.h"
#include "adm/plan.h"
#include "adm/running.h"
#include "adm/state.h"
#include "common/procfs.h"
#include "kernel/uapi/tandem_version.h"

#define DEFAULT_CONF	"/etc/tandem.conf"
#define DEFAULT_PROC	"/proc/tandem"
#define DEFAULT_MOUNTS	"/proc/self/mounts"

extern char **environ;

static void usage(FILE *out)
{
	fprintf(out,
"usage: tandemadm [-c FILE] [-d] [--host=NAME] VERB [OPTIONS] RES...|all\n"
"       tandemadm [-c FILE] [-d] [--host=NAME] -- OPTIONS VERB RES...|all\n"
"       tandemadm [-c FILE] [-d] [--host=NAME] HANDLER RES\n"
"       tandemadm --help | --version\n"
"\n"
"Administration of tandem resources as the configuration file describes\n"
"them: each verb runs tandemsetup and tandemmeta commands (found next to\n"
"tandemadm, else in PATH). RES is a resource of the file, or 'all': every\n"
"resource with an 'on' section for this host. The options of a verb may\n"
"also come first, after '--' (the DRBD 8.3 form).\n"
"\n"
"Options:\n"
"  -c, --config=FILE  configuration file (default " DEFAULT_CONF ")\n"
"  -d, --dry-run      print the tandemsetup/tandemmeta commands, one per\n"
"                     line, instead of running them\n"
"  --host=NAME        this node's name in 'on NAME' sections (default:\n"
"                     $TANDEM_HOSTNAME, else uname -n)\n"
"  -h, --help         this text\n"
"  -V, --version      print the utilities' and the loaded kernel module's\n"
"                     versions as shell variable assignments\n"
"\n"
"Verbs:\n"
"  create-md [--force] RES\n"
"      write new metadata on every volume (tandemmeta create-md)\n"
"  wipe-md [--force] RES\n"
"      destroy the metadata of every volume\n"
"  dump-md [--json] RES\n"
"      print the metadata of every volume\n"
"  apply-al RES\n"
"      replay the activity log after a crash (resource down)\n"
"  up RES\n"
"      new-resource, new-minor and attach per volume, connect per peer\n"
"  down RES\n"
"      disconnect, detach and delete everything of RES\n"
"  attach [DISK-OPTIONS] RES\n"
"      attach the backing device of every volume\n"
"  detach RES\n"
"      detach every volume (it becomes Diskless)\n"
"  connect [--discard-my-data] [NET-OPTIONS] RES\n"
"      connect to every peer\n"
"  disconnect RES\n"
"      disconnect from every peer\n"
"  primary [--force] RES\n"
"      become Primary (--overwrite-data-of-peer, -o: 8.3 for --force)\n"
"  secondary RES\n"
"      become Secondary\n"
"  adjust RES\n"
"      make the running resource what the file says, online: only the\n"
"      differences (up when it is not running)\n"
"  net-options [NET-OPTIONS] RES\n"
"      apply the file's net options (and the ones given) online\n"
"  disk-options [DISK-OPTIONS] RES\n"
"      apply the file's disk options (and the ones given) online\n"
"  invalidate RES\n"
"      full resync of every volume from a peer\n"
"  invalidate-remote RES\n"
"      full resync of the peers from every volume\n"
"  pause-sync RES\n"
"      pause the resync of every volume with every peer\n"
"  resume-sync RES\n"
"      resume it\n"
"  outdate RES\n"
"      mark the data of every volume Outdated\n"
"  verify RES\n"
"      online verify of every volume against every peer with the\n"
"      verify-alg of the net section; blocks that differ are logged and\n"
"      marked out of sync (disconnect + connect resyncs them from here)\n"
"  wait-connect [--timeout=N] RES\n"
"      wait until every connection is Connected (N seconds; default the\n"
"      startup degr-wfc-timeout when this node holds changes a peer\n"
"      lacks, else wfc-timeout; 0 = forever); a StandAlone connection\n"
"      ends the wait unless wait-after-sb\n"
"  sh-b-pri RES\n"
"      become Primary where startup become-primary-on names this host\n"
"      (or both); nothing elsewhere. At boot: up, wait-connect, sh-b-pri\n"
"  status [--json] [--verbose] [--statistics] [RES]\n"
"      state of RES (none: of every resource), from tandemsetup status\n"
"  events [RES]\n"
"      the current state, then one line per state change, until\n"
"      interrupted (tandemsetup events)\n"
"  overview [RES]\n"
"      one line per running volume (of RES), as drbd-overview shows it:\n"
"      minor:resource, connection state, roles, disk states, protocol,\n"
"      flags; where mounted the mount point, file system type, size,\n"
"      used, available and use%%; the progress of a resync\n"
"  dump [RES]\n"
"      print the configuration (of RES) normalized to current syntax\n"
"  cstate RES\n"
"      connection state, one line per volume (e.g. Connected)\n"
"  dstate RES\n"
"      disk states, one line per volume (e.g. UpToDate/UpToDate)\n"
"  role RES\n"
"      roles, e.g. Primary/Secondary (8.3: state)\n"
"  sh-dev RES\n"
"      device of every volume (/dev/tandemN)\n"
"  sh-minor RES\n"
"      minor of every volume\n"
"  sh-ll-dev RES\n"
"      backing device of every volume\n"
"  sh-md-dev RES\n"
"      metadata device of every volume (internal, or its path)\n"
"  sh-md-idx RES\n"
"      metadata index of every volume (internal, flexible or N)\n"
"  sh-resources\n"
"      names of the resources with a section for this host\n"
"  resize [--size=SIZE] RES\n"
"      grow every volume after the backing devices of both nodes grew\n"
"      (tandemsetup resize; run on one node while connected)\n"
"\n"
"Handlers (the kernel runs these; see handlers { } in tandem.conf(5)):\n"
"  tandemadm HANDLER RES runs the command configured for HANDLER (e.g.\n"
"  split-brain, fence-peer, pri-lost-after-sb, local-io-error,\n"
"  before-resync-target) with /bin/sh -c, in an environment with\n"
"  TANDEM_RESOURCE, TANDEM_MINOR, TANDEM_VOLUME, TANDEM_PEER_NODE_ID,\n"
"  TANDEM_CONF, TANDEM_BACKING_DEV, TANDEM_PEER, TANDEM_PEER_ADDRESS,\n"
"  TANDEM_PEER_AF (and each as DRBD_...), and exits with its status;\n"
"  0 when none is configured.\n"
"\n"
"NET-OPTIONS and DISK-OPTIONS are --NAME=VALUE with the option names of\n"
"the net and disk sections (e.g. --protocol=A, --resync-rate=10M); they\n"
"replace the file's value for this command.\n"
"\n"
"Exit status:\n"
"  0   success\n"
"  1   usage error: unknown verb or option, missing resource\n"
"  5   wait-connect: the timeout expired, or a connection is\n"
"      StandAlone (without wait-after-sb)\n"
"  6   tandemsetup, tandemmeta or a handler could not be run\n"
"  10  configuration error (printed as FILE:LINE:COLUMN), or no 'on'\n"
"      section for this host\n"
"  11  no such resource in the configuration (wait-connect, overview:\n"
"      the resource is not up)\n"
"  12  the output of tandemsetup (show, status --json) or /proc/tandem\n"
"      was not understood, or adjust cannot make a change online\n"
"  Any other status is the one of the tandemsetup or tandemmeta\n"
"  command that failed (its message is printed; the commands after it\n"
"  are not run), or of the handler.\n"
"\n"
"Details: docs/TANDEMADM.md, tandemadm(8), tandem.conf(5)\n");
}

/* $@env if set, else @dflt (tests point these at regular files). */
static const char *env_path(const char *env, const char *dflt)
{
	const char *e = getenv(env);

	return e && *e ? e : dflt;
}

static int print_version(void)
{
	const char *proc = env_path("TANDEM_PROC_FILE", DEFAULT_PROC);
	struct tandem_kversion kv;

	printf("TANDEMADM_VERSION=%s\n", TANDEM_VERSION);
	printf("TANDEMADM_API_VERSION=%u\n", TANDEM_GENL_API_VERSION);
	printf("TANDEMADM_PROTO=%u-%u\n", TANDEM_PROTO_MIN, TANDEM_PROTO_MAX);
	if (tandem_read_kversion(proc, &kv) == 0) {
		printf("TANDEM_KERNEL_VERSION=%s\n", kv.version);
		printf("TANDEM_KERNEL_API_VERSION=%u\n", kv.api);
		printf("TANDEM_KERNEL_PROTO=%u-%u\n", kv.proto_min, kv.proto_max);
	} else if (errno != ENOENT) {
		fprintf(stderr, "tandemadm: %s: %s\n", proc, strerror(errno));
		return 1;
	}
	return 0;
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tandemadm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(tandemadm --help lists verbs and options)\n");
	return ADM_EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Running programs                                                     */
/* ------------------------------------------------------------------ */

/* Path of tool @name: $@env, else next to this program, else @name (for
 * a PATH search). */
static const char *tool_path(const char *name, const char *env, char *buf,
			     size_t len)
{
	const char *e = getenv(env);
	char self[PATH_MAX - 32];
	ssize_t n;
	char *slash;

	if (e && *e)
		return e;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/%s", self, name);
			if (!access(buf, X_OK))
				return buf;
		}
	}
	return name;
}

static const char *cmd_path(const struct adm_cmd *c, char *buf, size_t len)
{
	if (c->tool == ADM_TANDEMMETA)
		return tool_path("tandemmeta", "TANDEMADM_TANDEMMETA", buf, len);
	return tool_path("tandemsetup", "TANDEMADM_TANDEMSETUP", buf, len);
}

/* Exit status of a child, or ADM_EXIT_EXEC (reported) on a signal. */
static int child_status(const char *what, int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	fprintf(stderr, "tandemadm: %s: killed by signal %d\n", what,
		WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return ADM_EXIT_EXEC;
}

/*
 * Run @c; with @out, its standard output is collected there (malloc'ed,
 * NUL-terminated, *@outlen bytes), and its standard error too: passed on
 * afterwards, unless @quiet_no_res and the command only said that the
 * resource does not exist (a state query answers "Unconfigured" then).
 * Returns its exit status.
 */
static int run_cmd(const struct adm_cmd *c, char **out, size_t *outlen,
		   bool quiet_no_res)
{
	char buf[PATH_MAX], errbuf[4096];
	const char *path = cmd_path(c, buf, sizeof(buf));
	int fds[2] = { -1, -1 }, efds[2] = { -1, -1 }, st;
	size_t elen = 0;
	size_t cap = 0, n = 0;
	char *data = NULL, *grown;
	ssize_t r;
	pid_t pid;

	fflush(stdout);
	if (out && (pipe(fds) || pipe(efds))) {
		fprintf(stderr, "tandemadm: pipe: %s\n", strerror(errno));
		return ADM_EXIT_EXEC;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tandemadm: fork: %s\n", strerror(errno));
		return ADM_EXIT_EXEC;
	}
	if (!pid) {
		if (out) {
			dup2(fds[1], STDOUT_FILENO);
			dup2(efds[1], STDERR_FILENO);
			close(fds[0]);
			close(fds[1]);
			close(efds[0]);
			close(efds[1]);
		}
		if (strchr(path, '/'))
			execv(path, c->argv);
		else
			execvp(path, c->argv);
		fprintf(stderr, "tandemadm: cannot run %s: %s\n", path,
			strerror(errno));
		_exit(ADM_EXIT_EXEC);
	}
	if (out) {
		close(fds[1]);
		close(efds[1]);
		for (;;) {
			if (n + 4096 + 1 > cap) {
				cap = cap ? 2 * cap : 16384;
				grown = realloc(data, cap);
				if (!grown)
					break;
				data = grown;
			}
			r = read(fds[0], data + n, cap - n - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		close(fds[0]);
		/*
		 * Then stderr, to its end (the first 4 KiB are kept); what a
		 * status command says there is short enough for the pipe.
		 */
		for (;;) {
			char sink[512];

			r = elen < sizeof(errbuf) ?
			    read(efds[0], errbuf + elen, sizeof(errbuf) - elen) :
			    read(efds[0], sink, sizeof(sink));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (elen < sizeof(errbuf))
				elen += (size_t)r;
		}
		close(efds[0]);
		if (!data)
			data = calloc(1, 1);
		if (data)
			data[n] = '\0';
		*out = data;
		*outlen = n;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "tandemadm: waitpid: %s\n",
				strerror(errno));
			return ADM_EXIT_EXEC;
		}
	st = child_status(c->argv[0], st);
	if (elen && !(quiet_no_res && st == ADM_EXIT_NO_RES))
		fwrite(errbuf, 1, elen, stderr);
	return st;
}

/*
 * Before talking to the kernel: load tandem.ko if it is not loaded (as
 * users expect of "up"). A failure is left for tandemsetup to report.
 */
static void load_module(void)
{
	static bool tried;
	char *argv[] = { "modprobe", "-q", "tandem", NULL };
	pid_t pid;
	int st;

	if (tried || !access("/sys/module/tandem", F_OK))
		return;
	tried = true;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

static void print_warnings(const struct adm_plan *p)
{
	size_t i;

	for (i = 0; i < p->nwarnings; i++)
		fprintf(stderr, "tandemadm: warning: %s\n", p->warnings[i]);
}

/* Print (-d) or run plan @p; exit status. */
static int execute(const struct adm_plan *p, bool dry_run)
{
	size_t i;
	int rc;

	print_warnings(p);
	if (p->error) {
		if (p->error_code == ADM_EXIT_CONFIG)
			fprintf(stderr, "%s\n", p->error);
		else
			fprintf(stderr, "tandemadm: %s\n", p->error);
		return p->error_code;
	}
	if (dry_run) {
		adm_plan_print(stdout, p);
		return 0;
	}
	for (i = 0; i < p->n; i++) {
		if (!strcmp(p->cmds[i].argv[0], "tandemsetup"))
			load_module();
		rc = run_cmd(&p->cmds[i], NULL, NULL, false);
		if (rc)
			return rc;
	}
	return 0;
}

/* A tandemsetup command line of up to three words after the tool. */
static struct adm_cmd *setup_cmd(struct adm_cmd *c, char **argv,
				 const char *a1, const char *a2,
				 const char *a3)
{
	size_t n = 0;

	argv[n++] = (char *)"tandemsetup";
	if (a1)
		argv[n++] = (char *)a1;
	if (a2)
		argv[n++] = (char *)a2;
	if (a3)
		argv[n++] = (char *)a3;
	argv[n] = NULL;
	c->tool = ADM_TANDEMSETUP;
	c->argv = argv;
	c->argc = n;
	return c;
}

static void print_cmd(const struct adm_cmd *c)
{
	char *s = adm_cmd_shell(c);

	printf("%s\n", s);
	free(s);
}

/*
 * `tandemsetup status RES --json` as a tree: 0 and *@res (NULL when RES
 * is not up: exit 11 of tandemsetup), or an exit status. With @name NULL
 * `tandemsetup status --json`: every resource in *@root, *@res NULL.
 */
static int query_status(const char *name, struct json **root,
			const struct json **res)
{
	char *argv[5], *out = NULL, err[200];
	struct adm_cmd c;
	size_t len = 0;
	int rc;

	*root = NULL;
	*res = NULL;
	rc = run_cmd(setup_cmd(&c, argv, "status", name, "--json"), &out,
		     &len, true);
	if (rc == ADM_EXIT_NO_RES) {
		free(out);
		return 0;
	}
	if (rc) {
		free(out);
		return rc;
	}
	*root = json_parse(out ? out : "", len, err, sizeof(err));
	free(out);
	if (!*root) {
		fprintf(stderr, "tandemadm: tandemsetup status %s%s--json: %s\n",
			name ? name : "", name ? " " : "", err);
		return ADM_EXIT_RUNNING;
	}
	if (name)
		*res = adm_state_resource(*root, name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The verbs that are more than a plan                                  */
/* ------------------------------------------------------------------ */

struct ctx {
	struct adm_cmdline cl;
	const struct adm_verbdef *vd;
	struct adm_vopts vo;
	struct conf *conf;
	const char *conf_path;
	const char *host;
	struct adm_res *ars;	/* the selected resources */
	size_t nars;
};

static int do_plan(struct ctx *x)
{
	struct adm_plan p = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < x->nars; i++)
		adm_plan_verb(&p, x->vd->plan, &x->ars[i], &x->vo.v);
	rc = execute(&p, x->cl.dry_run);
	adm_plan_free(&p);
	return rc;
}

static int adjust_one(struct ctx *x, const struct adm_res *ar,
		      struct adm_plan *p)
{
	char *argv[5], *out = NULL, err[200];
	struct json *root = NULL;
	const struct json *st = NULL;
	struct run_conf *rc = NULL;
	struct adm_cmd c;
	size_t len = 0;
	int code;

	(void)x;
	code = run_cmd(setup_cmd(&c, argv, "show", ar->r->name, NULL), &out,
		       &len, true);
	if (code == ADM_EXIT_NO_RES) {		/* not running */
		free(out);
		adm_plan_adjust(p, ar, NULL, NULL);
		return 0;
	}
	if (code) {
		free(out);
		return code;
	}
	if (run_parse(out ? out : "", len, &rc, err, sizeof(err))) {
		fprintf(stderr, "tandemadm: adjust: the output of 'tandemsetup "
			"show %s' is not understood: %s\n", ar->r->name, err);
		free(out);
		return ADM_EXIT_RUNNING;
	}
	free(out);
	code = query_status(ar->r->name, &root, &st);
	if (code) {
		run_free(rc);
		return code;
	}
	adm_plan_adjust(p, ar, run_find(rc, ar->r->name), st);
	json_free(root);
	run_free(rc);
	return 0;
}

static int do_adjust(struct ctx *x)
{
	struct adm_plan p = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < x->nars && !rc && !p.error; i++)
		rc = adjust_one(x, &x->ars[i], &p);
	if (!rc)
		rc = execute(&p, x->cl.dry_run);
	adm_plan_free(&p);
	return rc;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A startup { } timeout of @ar in seconds; -1 when not set. */
static double startup_timeout(const struct adm_res *ar, const char *name)
{
	const char *v = conf_res_opt(ar->r, CONF_STARTUP, name);
	uint64_t t;

	return v && !conf_value_u64(v, &t) ? (double)t : -1;
}

/*
 * How long to wait for @ar: --timeout, else degr-wfc-timeout when this
 * node ran without a peer (it holds changes the peer does not have),
 * else wfc-timeout; 0 = forever.
 */
static double wait_limit(const struct ctx *x, const struct adm_res *ar,
			 const struct json *res)
{
	double t = -1;

	if (x->vo.timeout >= 0)
		return (double)x->vo.timeout;
	if (adm_state_degraded(res, ar))
		t = startup_timeout(ar, "degr-wfc-timeout");
	if (t < 0)
		t = startup_timeout(ar, "wfc-timeout");
	return t < 0 ? 0 : t;
}

static int do_wait_connect(struct ctx *x)
{
	const struct json *res;
	struct json *root;
	const char *sb;
	double start = now(), limit = -1;
	char *argv[5];
	struct adm_cmd c;
	struct timespec pause = { 0, 500 * 1000 * 1000 };
	bool after_sb;
	size_t i;
	int rc, peer;

	for (i = 0; i < x->nars; i++) {
		const struct adm_res *ar = &x->ars[i];

		if (x->cl.dry_run) {
			print_cmd(setup_cmd(&c, argv, "status", ar->r->name,
					    "--json"));
			continue;
		}
		sb = conf_res_opt(ar->r, CONF_STARTUP, "wait-after-sb");
		after_sb = sb && !strcmp(sb, "yes");
		limit = -1;
		for (;;) {
			rc = query_status(ar->r->name, &root, &res);
			if (rc)
				return rc;
			if (!res) {
				json_free(root);
				fprintf(stderr, "tandemadm: wait-connect: %s "
					"is not up\n", ar->r->name);
				return ADM_EXIT_NO_RES;
			}
			if (limit < 0)		/* decided on the first look */
				limit = wait_limit(x, ar, res);
			if (adm_state_all_connected(res, ar)) {
				json_free(root);
				break;
			}
			peer = adm_state_standalone_peer(res, ar);
			json_free(root);
			/* Refused (split brain, ...): nobody will retry. */
			if (peer >= 0 && !after_sb) {
				fprintf(stderr, "tandemadm: wait-connect: %s: "
					"the connection to node %d is "
					"StandAlone (split brain or refused; "
					"see the kernel log); not waiting "
					"(startup wait-after-sb)\n",
					ar->r->name, peer);
				return ADM_EXIT_TIMEOUT;
			}
			if (limit > 0 && now() - start >= limit) {
				fprintf(stderr, "tandemadm: wait-connect: %s: "
					"not connected after %.0f s\n",
					ar->r->name, limit);
				return ADM_EXIT_TIMEOUT;
			}
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}

static int do_status(struct ctx *x)
{
	struct adm_plan p = { 0 };
	struct adm_cmd c;
	char *argv[6];
	size_t i, n = x->cl.nres;
	bool all = !n;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(x->cl.res[i], "all"))
			all = true;
	(void)p;
	for (i = 0; i < (all ? 1 : n) && !rc; i++) {
		size_t k = 0;

		argv[k++] = (char *)"tandemsetup";
		argv[k++] = (char *)x->vd->name;	/* status, events */
		if (!all)
			argv[k++] = (char *)x->cl.res[i];
		if (x->vo.v.json)
			argv[k++] = (char *)"--json";
		if (x->vo.verbose)
			argv[k++] = (char *)"--verbose";
		argv[k] = NULL;
		c.tool = ADM_TANDEMSETUP;
		c.argv = argv;
		c.argc = k;
		if (x->cl.dry_run)
			print_cmd(&c);
		else
			rc = run_cmd(&c, NULL, NULL, false);
	}
	return rc;
}

/*
 * overview [RES...]: /proc/tandem for the state, `tandemsetup status
 * --json` for the names, the mount table and statvfs for the mounted
 * volumes (see adm/overview.h). Without the module nothing runs: no
 * lines.
 */
static int do_overview(struct ctx *x)
{
	const char *proc = env_path("TANDEM_PROC_FILE", DEFAULT_PROC);
	const char *mtab = env_path("TANDEM_MOUNTS_FILE", DEFAULT_MOUNTS);
	struct adm_ov_minor *minors = NULL;
	struct adm_ov_volume *vols = NULL;
	struct adm_ov_mount *mounts = NULL;
	const struct json *unused;
	struct json *root = NULL;
	size_t nminors = 0, nvols = 0, nmounts = 0, i, j;
	char *text, *out, err[200], *argv[5];
	bool *missing = NULL;
	struct adm_cmd c;
	int rc = 0;

	if (x->cl.dry_run) {
		print_cmd(setup_cmd(&c, argv, "status", "--json", NULL));
		return 0;
	}
	text = adm_ov_read_file(proc);
	if (!text && errno != ENOENT) {
		fprintf(stderr, "tandemadm: overview: %s: %s\n", proc,
			strerror(errno));
		return ADM_EXIT_RUNNING;
	}
	if (text) {
		if (adm_ov_parse_proc(text, &minors, &nminors, err,
				      sizeof(err))) {
			fprintf(stderr, "tandemadm: overview: %s: %s\n", proc,
				err);
			free(text);
			return ADM_EXIT_RUNNING;
		}
		free(text);
		rc = query_status(NULL, &root, &unused);
		if (rc) {
			free(minors);
			return rc;
		}
	}
	missing = calloc(x->cl.nres + 1, sizeof(*missing));
	if (!missing) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	adm_ov_volumes(minors, nminors, root, x->cl.res, x->cl.nres, missing,
		       &vols, &nvols);
	text = nvols ? adm_ov_read_file(mtab) : NULL;
	if (text) {
		adm_ov_parse_mounts(text, &mounts, &nmounts);
		free(text);
	}
	for (i = 0; i < nvols; i++) {
		for (j = 0; j < nmounts; j++)
			if (mounts[j].dev[0] == '/' &&
			    adm_ov_is_device(mounts[j].dev, vols[i].m->minor))
				break;
		if (j == nmounts)
			continue;
		vols[i].mnt = mounts[j].dir_shown;
		vols[i].fstype = mounts[j].type;
		vols[i].have_fs = !statvfs(mounts[j].dir, &vols[i].fs);
	}
	out = adm_ov_format(vols, nvols);
	fputs(out, stdout);
	free(out);
	for (i = 0; i < x->cl.nres; i++) {
		if (missing[i]) {
			fprintf(stderr, "tandemadm: overview: %s is not up\n",
				x->cl.res[i]);
			rc = ADM_EXIT_NO_RES;
		}
	}
	free(missing);
	adm_ov_mounts_free(mounts, nmounts);
	free(mounts);
	free(vols);
	free(minors);
	json_free(root);
	return rc;
}

static int do_state(struct ctx *x)
{
	const struct json *res;
	struct json *root;
	struct adm_cmd c;
	char *argv[5];
	size_t i;
	int rc;

	for (i = 0; i < x->nars; i++) {
		const char *name = x->ars[i].r->name;

		if (x->cl.dry_run) {
			print_cmd(setup_cmd(&c, argv, "status", name,
					    "--json"));
			continue;
		}
		rc = query_status(name, &root, &res);
		if (rc)
			return rc;
		if (!res)
			printf("Unconfigured\n");
		else if (x->vd->kind == ADM_K_CSTATE)
			adm_state_cstate(stdout, res);
		else if (x->vd->kind == ADM_K_DSTATE)
			adm_state_dstate(stdout, res);
		else
			adm_state_role(stdout, res);
		json_free(root);
	}
	return 0;
}

static int do_sh(struct ctx *x)
{
	const char *v = x->vd->name + 3;
	char buf[PATH_MAX];
	size_t i, j;

	if (!strcmp(v, "resources")) {
		for (i = 0, j = 0; i < x->conf->nres; i++)
			if (adm_res_has_host(x->conf->res[i], x->host))
				printf("%s%s", j++ ? " " : "",
				       x->conf->res[i]->name);
		printf("\n");
		return 0;
	}
	for (i = 0; i < x->nars; i++) {
		const struct conf_host *me = x->ars[i].me;

		for (j = 0; j < me->nvols; j++) {
			const struct conf_volume *vol = me->vols[j];

			if (!strcmp(v, "dev"))
				printf("%s\n", conf_volume_device(vol, buf,
								  sizeof(buf)));
			else if (!strcmp(v, "minor"))
				printf("%d\n", vol->minor);
			else if (!strcmp(v, "ll-dev"))
				printf("%s\n", vol->disk ? vol->disk : "none");
			else if (!strcmp(v, "md-dev"))
				printf("%s\n", vol->md == CONF_MD_INTERNAL ||
				       vol->md == CONF_MD_UNSET ? "internal" :
				       vol->md_path);
			else if (vol->md == CONF_MD_INDEXED)	/* md-idx */
				printf("%u\n", vol->md_index);
			else
				printf("%s\n", vol->md == CONF_MD_FLEXIBLE ?
				       "flexible" : "internal");
		}
	}
	return 0;
}

static int do_dump(struct ctx *x)
{
	size_t i;

	if (!x->cl.nres) {
		conf_dump(stdout, x->conf);
		return 0;
	}
	for (i = 0; i < x->cl.nres; i++) {
		if (!strcmp(x->cl.res[i], "all")) {
			conf_dump(stdout, x->conf);
			return 0;
		}
	}
	for (i = 0; i < x->cl.nres; i++) {
		if (i)
			printf("\n");
		conf_dump_resource(stdout, conf_find_resource(x->conf,
							      x->cl.res[i]));
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Handlers                                                             */
/* ------------------------------------------------------------------ */

static int run_handler(struct ctx *x, const char *handler)
{
	const struct conf_resource *r;
	struct adm_handler_in in;
	struct adm_res ar;
	const char *cmd;
	char err[512], **env, abspath[PATH_MAX];
	size_t n, i;
	pid_t pid;
	int st;

	if (x->cl.nopts)
		return usage_error("handler %s takes no options", handler);
	if (x->cl.nres != 1)
		return usage_error("usage: tandemadm %s RESOURCE", handler);
	r = conf_find_resource(x->conf, x->cl.res[0]);
	if (!r) {
		fprintf(stderr, "tandemadm: no resource '%s' in %s\n",
			x->cl.res[0], x->conf_path);
		return ADM_EXIT_NO_RES;
	}
	cmd = conf_res_opt(r, CONF_HANDLERS, handler);
	if (!cmd)
		return 0;
	if (adm_res_init(&ar, r, x->host, err, sizeof(err))) {
		/* run it anyway, with what needs no section for this host */
		memset(&ar, 0, sizeof(ar));
		ar.r = r;
	}
	in.minor = getenv("TANDEM_MINOR");
	in.volume = getenv("TANDEM_VOLUME");
	in.peer_node_id = getenv("TANDEM_PEER_NODE_ID");
	env = adm_handler_env(&ar, realpath(x->conf_path, abspath) ?
			      abspath : x->conf_path, &in, &n);
	if (x->cl.dry_run) {
		for (i = 0; i < n; i++) {
			adm_shell_quote(stdout, env[i]);
			putchar(' ');
		}
		printf("/bin/sh -c ");
		adm_shell_quote(stdout, cmd);
		putchar('\n');
		st = 0;
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tandemadm: fork: %s\n", strerror(errno));
		st = ADM_EXIT_EXEC;
		goto out;
	}
	if (!pid) {
		for (i = 0; i < n; i++)
			putenv(env[i]);
		execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, environ);
		fprintf(stderr, "tandemadm: cannot run /bin/sh: %s\n",
			strerror(errno));
		_exit(ADM_EXIT_EXEC);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = 0;
			break;
		}
	st = child_status(handler, st);
out:
	for (i = 0; i < n; i++)
		free(env[i]);
	free(env);
	adm_res_free(&ar);
	return st;
}

/* ------------------------------------------------------------------ */
/* main                                                                 */
/* ------------------------------------------------------------------ */

static const char *hostname(const struct adm_cmdline *cl)
{
	static struct utsname u;
	const char *e = getenv("TANDEM_HOSTNAME");

	if (cl->host)
		return cl->host;
	if (e && *e)
		return e;
	if (uname(&u))
		return "";
	return u.nodename;
}

/* Parse the file; its warnings are shown except for @quiet (queries
 * that scripts poll, and handlers). Exit status or -1. */
static int load_conf(struct ctx *x, bool quiet)
{
	if (conf_parse_file(x->conf_path, 0, &x->conf)) {
		conf_print_diags(stderr, x->conf);
		return ADM_EXIT_CONFIG;
	}
	if (!quiet)
		conf_print_diags(stderr, x->conf);	/* warnings */
	return -1;
}

/* The resources named on the command line; exit status or -1. */
static int select_resources(struct ctx *x, bool need_host)
{
	const struct conf_resource *r;
	char err[1024];
	size_t i, j;
	bool all = false;

	for (i = 0; i < x->cl.nres; i++)
		all |= !strcmp(x->cl.res[i], "all");
	for (i = 0; i < x->cl.nres; i++) {
		if (!strcmp(x->cl.res[i], "all"))
			continue;
		if (!conf_find_resource(x->conf, x->cl.res[i])) {
			fprintf(stderr, "tandemadm: no resource '%s' in %s\n",
				x->cl.res[i], x->conf_path);
			return ADM_EXIT_NO_RES;
		}
	}
	if (!need_host)
		return -1;
	x->ars = calloc(x->conf->nres + x->cl.nres + 1, sizeof(*x->ars));
	if (!x->ars)
		return ADM_EXIT_EXEC;
	for (i = 0; i < (all ? x->conf->nres : x->cl.nres); i++) {
		r = all ? x->conf->res[i] :
		    conf_find_resource(x->conf, x->cl.res[i]);
		if (all && !adm_res_has_host(r, x->host))
			continue;
		for (j = 0; j < x->nars; j++)
			if (x->ars[j].r == r)
				break;
		if (j < x->nars)
			continue;	/* named twice */
		if (adm_res_init(&x->ars[x->nars], r, x->host, err,
				 sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return ADM_EXIT_CONFIG;
		}
		x->nars++;
	}
	return -1;
}

static int run(struct ctx *x, int argc, char **argv)
{
	const char *handler = NULL;
	int rc;

	rc = adm_cli_parse(&x->cl, argc, argv, stderr);
	if (rc == ADM_CLI_HELP) {
		usage(stdout);
		return 0;
	}
	if (rc == ADM_CLI_VERSION)
		return print_version();
	if (rc != ADM_CLI_GO)
		return rc;
	x->conf_path = x->cl.conf_path ? x->cl.conf_path : DEFAULT_CONF;
	x->host = hostname(&x->cl);
	x->vd = adm_verb_find(x->cl.verb);
	if (!x->vd) {
		if (conf_option_section(x->cl.verb) != CONF_HANDLERS)
			return usage_error("unknown verb '%s'", x->cl.verb);
		handler = x->cl.verb;
	}
	if (x->vd) {
		rc = adm_cli_verb_options(&x->cl, x->vd, &x->vo, stderr);
		if (rc != ADM_CLI_GO)
			return rc;
		if (x->vd->res == ADM_R_SOME && !x->cl.nres)
			return usage_error("%s: which resource? (a name, or "
					   "all)", x->vd->name);
		if (x->vd->res == ADM_R_NONE && x->cl.nres)
			return usage_error("%s takes no resource",
					   x->vd->name);
		if (x->vd->kind == ADM_K_STATUS)	/* needs no file */
			return strcmp(x->vd->name, "overview") ?
			       do_status(x) : do_overview(x);
	}
	rc = load_conf(x, handler || x->vd->kind == ADM_K_WAIT ||
		       x->vd->kind == ADM_K_CSTATE ||
		       x->vd->kind == ADM_K_DSTATE ||
		       x->vd->kind == ADM_K_ROLE || x->vd->kind == ADM_K_SH);
	if (rc >= 0)
		return rc;
	if (handler)
		return run_handler(x, handler);
	rc = select_resources(x, x->vd->kind != ADM_K_DUMP);
	if (rc >= 0)
		return rc;
	switch (x->vd->kind) {
	case ADM_K_PLAN:
		return do_plan(x);
	case ADM_K_ADJUST:
		return do_adjust(x);
	case ADM_K_WAIT:
		return do_wait_connect(x);
	case ADM_K_DUMP:
		return do_dump(x);
	case ADM_K_CSTATE:
	case ADM_K_DSTATE:
	case ADM_K_ROLE:
		return do_state(x);
	case ADM_K_SH:
		return do_sh(x);
	default:
		return ADM_EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	struct ctx x;
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	signal(SIGPIPE, SIG_DFL);
	rc = run(&x, argc, argv);
	for (i = 0; i < x.nars; i++)
		adm_res_free(&x.ars[i]);
	free(x.ars);
	adm_cli_free(&x.cl, &x.vo);
	conf_free(x.conf);
	return rc;
}
