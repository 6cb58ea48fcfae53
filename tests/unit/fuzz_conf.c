// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for utils/adm/conf.c (build: make fuzz_conf; run:
 * make fuzz_conf_run). Each input is parsed from memory with includes
 * disabled; whatever parses must dump to text that parses again, without
 * diagnostics, to the same dump. The lookups run on the result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump(const struct conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	conf_dump(f, c);
	fclose(f);
	return buf;
}

static void lookups(struct conf *c)
{
	const struct conf_resource *r;
	const struct conf_host *h;
	char buf[1024];
	size_t i;

	for (i = 0; i < c->ndiags; i++)
		conf_diag_format(&c->diags[i], buf, sizeof(buf));
	if (!c->nres)
		return;
	r = c->res[0];
	conf_res_opt(r, CONF_NET, "protocol");
	conf_net_opt(r, r->nconns ? r->conns[0] : NULL, "protocol");
	h = r->nhosts ? r->hosts[0] : NULL;
	conf_disk_opt(r, h, h && h->nvols ? h->vols[0] : NULL, "resync-rate");
	if (h && h->nvols)
		conf_volume_device(h->vols[0], buf, sizeof(buf));
	if (h && conf_find_host(r, h->name) != h)
		abort();
	conf_find_host(r, "no-such-host-name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c, *c2;
	char *d1, *d2;
	size_t l1, l2;

	if (conf_parse_buffer("fuzz.conf", (const char *)data, size,
			      CONF_F_NO_INCLUDE, &c)) {
		/* a failed parse says why */
		if (!c->nerrors)
			abort();
		conf_free(c);
		return 0;
	}
	d1 = dump(c, &l1);
	if (conf_parse_buffer("dump.conf", d1, l1, CONF_F_NO_INCLUDE, &c2) ||
	    c2->ndiags) {
		fprintf(stderr, "dump does not parse cleanly:\n%s\n", d1);
		conf_print_diags(stderr, c2);
		abort();
	}
	d2 = dump(c2, &l2);
	if (l1 != l2 || memcmp(d1, d2, l1)) {
		fprintf(stderr, "dump not stable:\n%s\n---\n%s\n", d1, d2);
		abort();
	}
	lookups(c);
	free(d1);
	free(d2);
	conf_free(c2);
	conf_free(c);
	return 0;
}
