// SPDX-License-Identifier: GPL-2.0
/*
 * tandemsetup - status, show and events output (formats: see
 * docs/TANDEMSETUP.md).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "setup/format.h"

/* ---- values ---------------------------------------------------------- */

/* An events/status value: as is when plain, else quoted with escapes. */
static void put_word(FILE *out, const char *s)
{
	const char *p;
	bool plain = *s != '\0';

	for (p = s; *p; p++)
		if (!isgraph((unsigned char)*p) || *p == '"' || *p == '\\')
			plain = false;
	if (plain) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_json_str(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

char *ts_human_kib(uint64_t kib, char *buf, size_t len)
{
	static const char * const units[] = { "KiB", "MiB", "GiB", "TiB",
					       "PiB" };
	unsigned int u = 0;
	uint64_t div = 1;

	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       kib >= div * 1024) {
		div *= 1024;
		u++;
	}
	if (kib % div == 0)
		snprintf(buf, len, "%llu%s", (unsigned long long)(kib / div),
			 units[u]);
	else
		snprintf(buf, len, "%.2f%s", (double)kib / (double)div,
			 units[u]);
	return buf;
}

/* "key:value" of field @f after @sep when @o has it; true if printed. */
static bool put_field(FILE *out, const char *sep, const struct ts_obj *o,
		      enum ts_field f, bool human)
{
	struct ts_value v;
	char buf[32];

	if (!ts_field_get(o, f, &v))
		return false;
	fprintf(out, "%s%s:", sep, ts_field_key(f, o->kind));
	switch (v.type) {
	case TS_V_NUM:
		if (human && f == TS_F_SIZE)
			fputs(ts_human_kib(v.num, buf, sizeof(buf)), out);
		else
			fprintf(out, "%llu", (unsigned long long)v.num);
		break;
	case TS_V_PERMILLE:
		fprintf(out, "%llu.%llu%s", (unsigned long long)(v.num / 10),
			(unsigned long long)(v.num % 10), human ? "%" : "");
		break;
	case TS_V_STR:
		put_word(out, v.str);
		break;
	}
	return true;
}

void ts_print_event(FILE *out, const struct ts_obj *o, bool initial)
{
	int f;

	fprintf(out, "%s %s", initial ? "exists" : ts_event_name(o->event),
		ts_obj_kind_name(o->kind));
	for (f = 0; f < TS_F_COUNT; f++)
		put_field(out, " ", o, (enum ts_field)f, false);
	fputc('\n', out);
}

/* ---- grouping objects by resource ------------------------------------ */

struct res_view {
	const struct ts_obj *res;
	const struct ts_obj **sel;	/* this resource's other objects */
	size_t n;
};

static int kind_rank(const struct ts_obj *o)
{
	switch (o->kind) {
	case TANDEM_OBJ_RESOURCE:
		return 0;
	case TANDEM_OBJ_DEVICE:
		return 1;
	default:	/* connections and their peer devices together */
		return 2;
	}
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_obj(const void *pa, const void *pb)
{
	const struct ts_obj *a = *(const struct ts_obj * const *)pa;
	const struct ts_obj *b = *(const struct ts_obj * const *)pb;
	int c;

	c = kind_rank(a) - kind_rank(b);
	if (!c && kind_rank(a) == 2) {
		c = cmp_u32(a->peer_node_id, b->peer_node_id);
		if (!c)		/* connection before its peer devices */
			c = (a->kind == TANDEM_OBJ_PEER_DEVICE) -
			    (b->kind == TANDEM_OBJ_PEER_DEVICE);
	}
	if (!c)
		c = cmp_u32(a->volume, b->volume);
	if (!c)
		c = cmp_u32(a->minor, b->minor);
	if (!c)		/* keep the kernel's order */
		c = a < b ? -1 : a > b;
	return c;
}

static bool known_kind(const struct ts_obj *o)
{
	return o->kind >= TANDEM_OBJ_RESOURCE &&
	       o->kind <= TANDEM_OBJ_PEER_DEVICE &&
	       ts_obj_has(o, TANDEM_A_RESOURCE);
}

/* Resource names in order of first appearance; caller frees. */
static const char **resource_names(const struct ts_obj *objs, size_t n,
				   const char *filter, size_t *count)
{
	const char **names = calloc(n ? n : 1, sizeof(*names));
	size_t i, j, k = 0;

	if (!names) {
		*count = 0;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!known_kind(&objs[i]))
			continue;
		if (filter && strcmp(objs[i].resource, filter))
			continue;
		for (j = 0; j < k; j++)
			if (!strcmp(names[j], objs[i].resource))
				break;
		if (j == k)
			names[k++] = objs[i].resource;
	}
	*count = k;
	return names;
}

static bool view_of(const struct ts_obj *objs, size_t n, const char *name,
		    struct res_view *v)
{
	size_t i;

	v->res = NULL;
	v->n = 0;
	v->sel = calloc(n ? n : 1, sizeof(*v->sel));
	if (!v->sel)
		return false;
	for (i = 0; i < n; i++) {
		if (!known_kind(&objs[i]) || strcmp(objs[i].resource, name))
			continue;
		if (objs[i].kind == TANDEM_OBJ_RESOURCE) {
			if (!v->res)
				v->res = &objs[i];
			continue;
		}
		v->sel[v->n++] = &objs[i];
	}
	qsort(v->sel, v->n, sizeof(*v->sel), cmp_obj);
	return true;
}

/* ---- status text ----------------------------------------------------- */

/*
 * The fields in @list, then with @verbose every other one (without
 * @verbose, last-error too when there is one). @lead: a space before
 * the first field.
 */
static void put_line(FILE *out, const struct ts_obj *o, const int *list,
		     bool verbose, bool lead)
{
	bool done[TS_F_COUNT] = { false };
	bool any = lead;
	int f;

	done[TS_F_NAME] = true;
	for (; *list >= 0; list++) {
		any |= put_field(out, any ? " " : "", o, (enum ts_field)*list,
				 true);
		done[*list] = true;
	}
	for (f = 0; f < TS_F_COUNT; f++)
		if (!done[f] && (verbose || f == TS_F_LAST_ERROR))
			any |= put_field(out, any ? " " : "", o,
					 (enum ts_field)f, true);
	fputc('\n', out);
}

static const int res_fields[] = { TS_F_NODE_ID, TS_F_ROLE, -1 };
static const int dev_fields[] = { TS_F_VOLUME, TS_F_MINOR, TS_F_DISK,
				  TS_F_SIZE, -1 };
static const int conn_fields[] = { TS_F_PEER_NODE_ID, TS_F_CONN,
				   TS_F_PEER_ROLE, TS_F_PROTOCOL,
				   TS_F_TRANSPORT, -1 };
static const int pd_fields[] = { TS_F_VOLUME, TS_F_REPL, TS_F_PEER_DISK,
				 TS_F_DONE, -1 };

/* Devices come first in a view; then objects grouped by peer. */
static size_t first_peer_obj(const struct res_view *v)
{
	size_t i = 0;

	while (i < v->n && v->sel[i]->kind == TANDEM_OBJ_DEVICE)
		i++;
	return i;
}

/* End of the group of objects about the peer of v->sel[i]. */
static size_t peer_group_end(const struct res_view *v, size_t i)
{
	size_t j = i;

	while (j < v->n && v->sel[j]->peer_node_id == v->sel[i]->peer_node_id)
		j++;
	return j;
}

static void status_text(FILE *out, const char *name, const struct res_view *v,
			bool verbose)
{
	size_t i, j, end;

	put_word(out, name);
	if (v->res)
		put_line(out, v->res, res_fields, verbose, true);
	else
		fputc('\n', out);
	for (i = 0; i < first_peer_obj(v); i++) {
		fputs("  ", out);
		put_line(out, v->sel[i], dev_fields, verbose, false);
	}
	for (; i < v->n; i = end) {
		end = peer_group_end(v, i);
		j = i;
		if (v->sel[i]->kind == TANDEM_OBJ_CONNECTION) {
			fputs("  ", out);
			put_line(out, v->sel[i], conn_fields, verbose, false);
			j++;
		} else {	/* its connection was not reported */
			fprintf(out, "  peer-node-id:%u\n",
				v->sel[i]->peer_node_id);
		}
		for (; j < end; j++) {
			fputs("    ", out);
			put_line(out, v->sel[j], pd_fields, verbose, false);
		}
	}
}

size_t ts_print_status(FILE *out, const struct ts_obj *objs, size_t n,
		       const char *filter, bool verbose)
{
	size_t i, count;
	const char **names = resource_names(objs, n, filter, &count);

	for (i = 0; names && i < count; i++) {
		struct res_view v;

		if (!view_of(objs, n, names[i], &v))
			break;
		if (i)
			fputc('\n', out);
		status_text(out, names[i], &v, verbose);
		free(v.sel);
	}
	free(names);
	return count;
}

/* ---- status JSON ----------------------------------------------------- */

static void json_fields(FILE *out, const struct ts_obj *o, int indent,
			bool *first)
{
	struct ts_value v;
	int f;

	for (f = TS_F_NAME; f < TS_F_COUNT; f++) {
		if (f == TS_F_NAME && o->kind != TANDEM_OBJ_RESOURCE)
			continue;
		if (!ts_field_get(o, (enum ts_field)f, &v))
			continue;
		fprintf(out, "%s\n%*s\"%s\": ", *first ? "" : ",", indent, "",
			ts_field_key((enum ts_field)f, o->kind));
		*first = false;
		if (v.type == TS_V_NUM)
			fprintf(out, "%llu", (unsigned long long)v.num);
		else if (v.type == TS_V_PERMILLE)
			fprintf(out, "%llu.%llu", (unsigned long long)(v.num / 10),
				(unsigned long long)(v.num % 10));
		else
			put_json_str(out, v.str);
	}
}

static void json_object(FILE *out, const struct ts_obj *o, int indent,
			bool first_in_list)
{
	bool first = true;

	fprintf(out, "%s\n%*s{", first_in_list ? "" : ",", indent, "");
	json_fields(out, o, indent + 2, &first);
	fprintf(out, "\n%*s}", indent, "");
}

static void json_resource(FILE *out, const char *name,
			  const struct res_view *v)
{
	struct ts_obj only_id;
	bool first = true;
	size_t i, j, end;

	fprintf(out, "  {");
	if (v->res) {
		json_fields(out, v->res, 4, &first);
	} else {
		fprintf(out, "\n    \"name\": ");
		put_json_str(out, name);
	}
	fprintf(out, ",\n    \"devices\": [");
	for (i = 0; i < first_peer_obj(v); i++)
		json_object(out, v->sel[i], 6, i == 0);
	fprintf(out, "%s],\n    \"connections\": [", i ? "\n    " : "");
	first = true;
	for (; i < v->n; i = end) {
		bool f = true;

		end = peer_group_end(v, i);
		j = i;
		fprintf(out, "%s\n      {", first ? "" : ",");
		first = false;
		if (v->sel[i]->kind == TANDEM_OBJ_CONNECTION) {
			json_fields(out, v->sel[j++], 8, &f);
		} else {	/* its connection was not reported */
			memset(&only_id, 0, sizeof(only_id));
			only_id.kind = TANDEM_OBJ_CONNECTION;
			only_id.peer_node_id = v->sel[i]->peer_node_id;
			only_id.have = 1u << TANDEM_A_PEER_NODE_ID;
			json_fields(out, &only_id, 8, &f);
		}
		fprintf(out, "%s\n        \"peer-devices\": [", f ? "" : ",");
		for (f = true; j < end; j++, f = false)
			json_object(out, v->sel[j], 10, f);
		fprintf(out, "%s]\n      }", f ? "" : "\n        ");
	}
	fprintf(out, "%s]\n  }", first ? "" : "\n    ");
}

size_t ts_print_status_json(FILE *out, const struct ts_obj *objs, size_t n,
			    const char *filter)
{
	size_t i, count;
	const char **names = resource_names(objs, n, filter, &count);

	fputc('[', out);
	for (i = 0; names && i < count; i++) {
		struct res_view v;

		if (!view_of(objs, n, names[i], &v))
			break;
		fprintf(out, "%s\n", i ? "," : "");
		json_resource(out, names[i], &v);
		free(v.sel);
	}
	fprintf(out, "%s]\n", count ? "\n" : "");
	free(names);
	return count;
}

/* ---- show ------------------------------------------------------------ */

static void show_opts(FILE *out, const struct ts_obj *o, unsigned int group,
		      int indent)
{
	const struct ts_optset *set = &o->opts[group];
	const struct ts_optdef *d;
	char buf[2 * TS_OPT_STRMAX + 8];
	size_t i, n;

	if (!set->have)
		return;
	fprintf(out, "%*s%s {\n", indent, "", ts_optgroup_name(group));
	d = ts_optdefs(&n);
	for (i = 0; i < n; i++) {
		if (d[i].group != group || !ts_opt_has(set, &d[i]) ||
		    d[i].kind == TS_OPT_SECRET)
			continue;
		fprintf(out, "%*s%s %s;\n", indent + 4, "", d[i].name,
			ts_opt_format(&d[i], set, buf, sizeof(buf)));
	}
	fprintf(out, "%*s}\n", indent, "");
}

static void show_device(FILE *out, const struct ts_obj *o)
{
	char q[2 * TANDEM_PATH_MAX + 4];
	struct ts_value v;

	if (ts_obj_has(o, TANDEM_A_VOLUME))
		fprintf(out, "    volume %u {\n", o->volume);
	else
		fprintf(out, "    volume {\n");
	if (ts_obj_has(o, TANDEM_A_MINOR))
		fprintf(out, "        device minor %u;\n", o->minor);
	if (ts_field_get(o, TS_F_BACKING_DEV, &v) && v.str[0])
		fprintf(out, "        disk %s;\n",
			ts_config_quote(v.str, q, sizeof(q)));
	else if (ts_obj_has_st(o, TANDEM_ST_DISK) &&
		 o->st[TANDEM_ST_DISK] == TANDEM_DS_DISKLESS)
		fprintf(out, "        disk none;\n");
	if (ts_obj_has(o, TANDEM_A_META_DEV)) {
		if (!strcmp(o->meta_dev, "internal"))
			fprintf(out, "        meta-disk internal;\n");
		else if (ts_obj_has(o, TANDEM_A_META_INDEX) &&
			 o->meta_index >= 0)
			fprintf(out, "        meta-disk %s[%d];\n",
				ts_config_quote(o->meta_dev, q, sizeof(q)),
				o->meta_index);
		else
			fprintf(out, "        meta-disk %s;\n",
				ts_config_quote(o->meta_dev, q, sizeof(q)));
	}
	show_opts(out, o, TS_GRP_DISK, 8);
	fprintf(out, "    }\n");
}

static void show_connection(FILE *out, const struct ts_obj *o)
{
	char a[TS_ADDR_STRLEN];

	fprintf(out, "    connection {\n");
	fprintf(out, "        peer-node-id %u;\n", o->peer_node_id);
	if (ts_obj_has(o, TANDEM_A_LOCAL_ADDR))
		fprintf(out, "        local-address %s;\n",
			ts_format_addr((const struct sockaddr *)&o->local_addr.ss,
				       o->local_addr.len, true, a, sizeof(a)));
	if (ts_obj_has(o, TANDEM_A_PEER_ADDR))
		fprintf(out, "        peer-address %s;\n",
			ts_format_addr((const struct sockaddr *)&o->peer_addr.ss,
				       o->peer_addr.len, true, a, sizeof(a)));
	show_opts(out, o, TS_GRP_NET, 8);
	fprintf(out, "    }\n");
}

size_t ts_print_show(FILE *out, const struct ts_obj *objs, size_t n,
		     const char *filter)
{
	char q[2 * TANDEM_RESOURCE_NAME_MAX + 4];
	size_t i, j, count;
	const char **names = resource_names(objs, n, filter, &count);

	for (i = 0; names && i < count; i++) {
		struct res_view v;

		if (!view_of(objs, n, names[i], &v))
			break;
		if (i)
			fputc('\n', out);
		fprintf(out, "resource %s {\n",
			ts_config_quote(names[i], q, sizeof(q)));
		if (v.res && ts_obj_has(v.res, TANDEM_A_NODE_ID))
			fprintf(out, "    node-id %u;\n", v.res->node_id);
		if (v.res)
			show_opts(out, v.res, TS_GRP_RES, 4);
		for (j = 0; j < v.n; j++)
			if (v.sel[j]->kind == TANDEM_OBJ_DEVICE)
				show_device(out, v.sel[j]);
		for (j = 0; j < v.n; j++)
			if (v.sel[j]->kind == TANDEM_OBJ_CONNECTION)
				show_connection(out, v.sel[j]);
		fprintf(out, "}\n");
		free(v.sel);
	}
	free(names);
	return count;
}
