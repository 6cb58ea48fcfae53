// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm - the command line (see cli.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "adm/util.h"
#include "adm/cli.h"

static const struct adm_verbdef verbs[] = {
	{ "create-md", ADM_K_PLAN, ADM_CREATE_MD, ADM_O_FORCE, ADM_R_SOME },
	{ "wipe-md", ADM_K_PLAN, ADM_WIPE_MD, ADM_O_FORCE, ADM_R_SOME },
	{ "dump-md", ADM_K_PLAN, ADM_DUMP_MD, ADM_O_JSON, ADM_R_SOME },
	{ "apply-al", ADM_K_PLAN, ADM_APPLY_AL, 0, ADM_R_SOME },
	{ "up", ADM_K_PLAN, ADM_UP, 0, ADM_R_SOME },
	{ "down", ADM_K_PLAN, ADM_DOWN, 0, ADM_R_SOME },
	{ "attach", ADM_K_PLAN, ADM_ATTACH, ADM_O_DISK, ADM_R_SOME },
	{ "detach", ADM_K_PLAN, ADM_DETACH, 0, ADM_R_SOME },
	{ "connect", ADM_K_PLAN, ADM_CONNECT, ADM_O_DISCARD | ADM_O_NET,
	  ADM_R_SOME },
	{ "disconnect", ADM_K_PLAN, ADM_DISCONNECT, 0, ADM_R_SOME },
	{ "primary", ADM_K_PLAN, ADM_PRIMARY, ADM_O_FORCE, ADM_R_SOME },
	{ "secondary", ADM_K_PLAN, ADM_SECONDARY, 0, ADM_R_SOME },
	{ "adjust", ADM_K_ADJUST, ADM_ADJUST, 0, ADM_R_SOME },
	{ "net-options", ADM_K_PLAN, ADM_NET_OPTIONS, ADM_O_NET, ADM_R_SOME },
	{ "disk-options", ADM_K_PLAN, ADM_DISK_OPTIONS, ADM_O_DISK,
	  ADM_R_SOME },
	{ "invalidate", ADM_K_PLAN, ADM_INVALIDATE, 0, ADM_R_SOME },
	{ "invalidate-remote", ADM_K_PLAN, ADM_INVALIDATE_REMOTE, 0,
	  ADM_R_SOME },
	{ "pause-sync", ADM_K_PLAN, ADM_PAUSE_SYNC, 0, ADM_R_SOME },
	{ "resume-sync", ADM_K_PLAN, ADM_RESUME_SYNC, 0, ADM_R_SOME },
	{ "outdate", ADM_K_PLAN, ADM_OUTDATE, 0, ADM_R_SOME },
	{ "wait-connect", ADM_K_WAIT, 0, ADM_O_TIMEOUT, ADM_R_SOME },
	{ "sh-b-pri", ADM_K_PLAN, ADM_SH_B_PRI, 0, ADM_R_SOME },
	{ "status", ADM_K_STATUS, 0, ADM_O_JSON | ADM_O_VERBOSE,
	  ADM_R_OPTIONAL },
	{ "events", ADM_K_STATUS, 0, 0, ADM_R_OPTIONAL },
	/* needs no file, like status; tandemadm.c tells it by name */
	{ "overview", ADM_K_STATUS, 0, 0, ADM_R_OPTIONAL },
	{ "dump", ADM_K_DUMP, 0, 0, ADM_R_OPTIONAL },
	{ "cstate", ADM_K_CSTATE, 0, 0, ADM_R_SOME },
	{ "dstate", ADM_K_DSTATE, 0, 0, ADM_R_SOME },
	{ "role", ADM_K_ROLE, 0, 0, ADM_R_SOME },
	{ "state", ADM_K_ROLE, 0, 0, ADM_R_SOME },	/* 8.3 name */
	{ "sh-dev", ADM_K_SH, 0, 0, ADM_R_SOME },
	{ "sh-minor", ADM_K_SH, 0, 0, ADM_R_SOME },
	{ "sh-ll-dev", ADM_K_SH, 0, 0, ADM_R_SOME },
	{ "sh-md-dev", ADM_K_SH, 0, 0, ADM_R_SOME },
	{ "sh-md-idx", ADM_K_SH, 0, 0, ADM_R_SOME },
	{ "sh-resources", ADM_K_SH, 0, 0, ADM_R_NONE },
	{ "verify", ADM_K_PLAN, ADM_VERIFY, 0, ADM_R_SOME },
	{ "resize", ADM_K_PLAN, ADM_RESIZE, ADM_O_SIZE, ADM_R_SOME },
};

const struct adm_verbdef *adm_verb_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

__attribute__((format(printf, 2, 3)))
static int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fprintf(err, "tandemadm: ");
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fprintf(err, "\n(tandemadm --help lists verbs and options)\n");
	return ADM_EXIT_USAGE;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Does option @name take a value (the next argument when it has no
 * '=')? */
static bool takes_value(const char *name)
{
	int sec = conf_option_section(name);

	if (!strcmp(name, "timeout") || !strcmp(name, "rate") ||
	    !strcmp(name, "size"))
		return true;
	if (sec == CONF_NET || sec == CONF_DISK)
		return !adm_option_is_bool(name);
	return false;
}

/* The verb option at argv[*i] (and its value at argv[*i + 1]). */
static void add_rawopt(struct adm_cmdline *cl, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	struct adm_rawopt *o;
	const char *eq;

	cl->opts = xrealloc(cl->opts, (cl->nopts + 1) * sizeof(*cl->opts));
	o = &cl->opts[cl->nopts++];
	o->value = NULL;
	if (!strcmp(a, "-o")) {		/* 8.3 short form */
		o->name = xstrndup("overwrite-data-of-peer", 22);
		return;
	}
	a += a[1] == '-' ? 2 : 1;
	eq = strchr(a, '=');
	if (eq) {
		o->name = xstrndup(a, (size_t)(eq - a));
		o->value = xstrndup(eq + 1, strlen(eq + 1));
		return;
	}
	o->name = xstrndup(a, strlen(a));
	if (takes_value(o->name) && *i + 1 < argc) {
		++*i;
		o->value = xstrndup(argv[*i], strlen(argv[*i]));
	}
}

/* -c FILE, -d, --host NAME (before or after the verb). 1: taken, 0: not
 * one of them, -1: usage error (reported). */
static int global_opt(struct adm_cmdline *cl, int argc, char **argv, int *i,
		      FILE *err)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-d") || !strcmp(a, "--dry-run")) {
		cl->dry_run = true;
		return 1;
	}
	if (!strcmp(a, "-c") || !strcmp(a, "--config") ||
	    !strcmp(a, "--host")) {
		if (*i + 1 >= argc) {
			usage_error(err, "%s needs a value", a);
			return -1;
		}
		if (!strcmp(a, "--host"))
			cl->host = argv[++*i];
		else
			cl->conf_path = argv[++*i];
		return 1;
	}
	if (!strncmp(a, "--config=", 9)) {
		cl->conf_path = a + 9;
		return 1;
	}
	if (!strncmp(a, "--host=", 7)) {
		cl->host = a + 7;
		return 1;
	}
	if (!strncmp(a, "-c", 2) && a[2]) {
		cl->conf_path = a + 2;
		return 1;
	}
	return 0;
}

int adm_cli_parse(struct adm_cmdline *cl, int argc, char **argv, FILE *err)
{
	bool dashdash = false, rest_res = false;
	int i, g;

	memset(cl, 0, sizeof(*cl));
	for (i = 1; i < argc && !cl->verb; i++) {
		const char *a = argv[i];

		if (!dashdash && (!strcmp(a, "-h") || !strcmp(a, "--help")))
			return ADM_CLI_HELP;
		if (!dashdash && (!strcmp(a, "-V") || !strcmp(a, "--version")))
			return ADM_CLI_VERSION;
		if (!strcmp(a, "--") && !dashdash) {
			dashdash = true;
			continue;
		}
		g = global_opt(cl, argc, argv, &i, err);
		if (g < 0)
			return ADM_EXIT_USAGE;
		if (g)
			continue;
		if (a[0] == '-' && a[1]) {
			if (!dashdash)
				return usage_error(err, "unknown option '%s' "
						   "(verb options come after "
						   "the verb, or after '--')",
						   a);
			add_rawopt(cl, argc, argv, &i);
			continue;
		}
		cl->verb = a;
	}
	if (!cl->verb)
		return usage_error(err, "no verb given");
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!rest_res && !strcmp(a, "--")) {
			rest_res = true;
			continue;
		}
		if (!rest_res && a[0] == '-' && a[1]) {
			g = global_opt(cl, argc, argv, &i, err);
			if (g < 0)
				return ADM_EXIT_USAGE;
			if (!g)
				add_rawopt(cl, argc, argv, &i);
			continue;
		}
		cl->res = xrealloc(cl->res, (cl->nres + 1) * sizeof(char *));
		cl->res[cl->nres++] = a;
	}
	return ADM_CLI_GO;
}

static bool yes_value(const struct adm_rawopt *o, bool *out)
{
	if (!o->value || !strcmp(o->value, "yes")) {
		*out = true;
		return true;
	}
	if (!strcmp(o->value, "no")) {
		*out = false;
		return true;
	}
	return false;
}

static bool is_number(const char *s)
{
	return s && *s && strlen(s) < 10 &&
	       strspn(s, "0123456789") == strlen(s);
}

int adm_cli_verb_options(const struct adm_cmdline *cl,
			 const struct adm_verbdef *vd, struct adm_vopts *vo,
			 FILE *err)
{
	const struct adm_rawopt *o;
	const char *name;
	bool *flag;
	size_t i;

	memset(vo, 0, sizeof(*vo));
	vo->timeout = -1;
	vo->set = xrealloc(NULL, (cl->nopts + 1) * sizeof(*vo->set));
	vo->v.set = vo->set;
	for (i = 0; i < cl->nopts; i++) {
		o = &cl->opts[i];
		flag = NULL;
		if ((vd->opts & ADM_O_FORCE) && (!strcmp(o->name, "force") ||
		    (vd->plan == ADM_PRIMARY && vd->kind == ADM_K_PLAN &&
		     !strcmp(o->name, "overwrite-data-of-peer"))))
			flag = &vo->v.force;
		else if ((vd->opts & ADM_O_DISCARD) &&
			 !strcmp(o->name, "discard-my-data"))
			flag = &vo->v.discard_my_data;
		else if ((vd->opts & ADM_O_JSON) && !strcmp(o->name, "json"))
			flag = &vo->v.json;
		else if ((vd->opts & ADM_O_VERBOSE) &&
			 (!strcmp(o->name, "verbose") ||
			  !strcmp(o->name, "statistics")))
			flag = &vo->verbose;
		if (flag) {
			if (!yes_value(o, flag))
				return usage_error(err, "--%s: expected yes or "
						   "no, got '%s'", o->name,
						   o->value);
			continue;
		}
		if ((vd->opts & ADM_O_TIMEOUT) && !strcmp(o->name, "timeout")) {
			if (!is_number(o->value))
				return usage_error(err, "--timeout: '%s' is not "
						   "a number of seconds",
						   o->value ? o->value : "");
			vo->timeout = strtol(o->value, NULL, 10);
			continue;
		}
		if ((vd->opts & ADM_O_SIZE) && !strcmp(o->name, "size")) {
			if (!o->value || !*o->value)
				return usage_error(err, "--size needs a value");
			vo->v.size = o->value;	/* tandemsetup checks it */
			continue;
		}
		name = NULL;
		if (vd->opts & ADM_O_NET)
			name = adm_option_name(o->name, CONF_NET);
		if (!name && (vd->opts & ADM_O_DISK))
			name = adm_option_name(o->name, CONF_DISK);
		if (name) {
			if (!o->value && !adm_option_is_bool(name))
				return usage_error(err, "--%s needs a value",
						   o->name);
			vo->set[vo->v.nset].name = name;
			vo->set[vo->v.nset].value = o->value;
			vo->v.nset++;
			continue;
		}
		return usage_error(err, "%s does not take --%s", vd->name,
				   o->name);
	}
	return ADM_CLI_GO;
}

void adm_cli_free(struct adm_cmdline *cl, struct adm_vopts *vo)
{
	size_t i;

	for (i = 0; cl && i < cl->nopts; i++) {
		free(cl->opts[i].name);
		free(cl->opts[i].value);
	}
	if (cl) {
		free(cl->opts);
		free(cl->res);
		memset(cl, 0, sizeof(*cl));
	}
	if (vo) {
		free(vo->set);
		memset(vo, 0, sizeof(*vo));
	}
}
