/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tandemadm - the command line: verbs, the options before the verb
 * (-c, -d, --host), the verb options after it or, in the DRBD 8.3 form,
 * before it after `--` (`tandemadm -- --overwrite-data-of-peer primary
 * r0`), and resources. Pure apart from messages on @err.
 */
#ifndef TANDEM_ADM_CLI_H
#define TANDEM_ADM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "adm/plan.h"

enum adm_kind {
	ADM_K_PLAN,		/* adm_plan_verb() */
	ADM_K_ADJUST,
	ADM_K_WAIT,		/* wait-connect */
	ADM_K_STATUS,
	ADM_K_DUMP,
	ADM_K_CSTATE,
	ADM_K_DSTATE,
	ADM_K_ROLE,
	ADM_K_SH,		/* sh-* */
};

/* Verb options a verb takes. */
#define ADM_O_FORCE	0x01	/* --force (primary: also
				 * --overwrite-data-of-peer, -o) */
#define ADM_O_DISCARD	0x02	/* --discard-my-data */
#define ADM_O_JSON	0x04
#define ADM_O_VERBOSE	0x08	/* --verbose, --statistics */
#define ADM_O_TIMEOUT	0x10	/* --timeout=N */
#define ADM_O_NET	0x20	/* net options */
#define ADM_O_DISK	0x40	/* disk options */
#define ADM_O_SIZE	0x80	/* --size=SIZE (resize) */

/* How a verb names resources. */
enum adm_resarg {
	ADM_R_SOME,		/* RES... or all */
	ADM_R_OPTIONAL,		/* none: every resource */
	ADM_R_NONE,
};

struct adm_verbdef {
	const char *name;
	enum adm_kind kind;
	enum adm_verb plan;	/* ADM_K_PLAN, ADM_K_ADJUST */
	unsigned int opts;
	enum adm_resarg res;
};

/* The verb called @name (8.3 `state` is role), or NULL. */
const struct adm_verbdef *adm_verb_find(const char *name);

struct adm_rawopt {
	char *name;		/* without dashes */
	char *value;		/* NULL: none given */
};

struct adm_cmdline {
	const char *conf_path;	/* NULL: not given */
	bool dry_run;
	const char *host;	/* NULL: not given */
	const char *verb;
	struct adm_rawopt *opts;
	size_t nopts;
	const char **res;
	size_t nres;
};

/* What the verb options mean for one verb. */
struct adm_vopts {
	struct adm_verbopts v;
	struct adm_setopt *set;	/* owns the array behind v.set */
	bool verbose;
	long timeout;		/* -1: not given */
};

/* adm_cli_parse() results besides exit statuses. */
#define ADM_CLI_GO		(-1)
#define ADM_CLI_HELP		(-2)
#define ADM_CLI_VERSION		(-3)

/*
 * Split @argv. Returns ADM_CLI_GO, ADM_CLI_HELP (-h, --help),
 * ADM_CLI_VERSION (-V, --version), or ADM_EXIT_USAGE after a message on
 * @err. The strings of @cl point into @argv, except the options'.
 */
int adm_cli_parse(struct adm_cmdline *cl, int argc, char **argv, FILE *err);

/*
 * The verb options of @cl as verb @vd takes them. Returns ADM_CLI_GO, or
 * ADM_EXIT_USAGE after a message on @err (an option the verb does not
 * take, a bad value).
 */
int adm_cli_verb_options(const struct adm_cmdline *cl,
			 const struct adm_verbdef *vd, struct adm_vopts *vo,
			 FILE *err);

void adm_cli_free(struct adm_cmdline *cl, struct adm_vopts *vo);

#endif
