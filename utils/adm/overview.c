// SPDX-License-Identifier: GPL-2.0
/*
 * tandemadm overview (see overview.h): /proc/tandem, `tandemsetup status
 * --json` and the mount table, one line per running volume.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adm/util.h"
#include "adm/overview.h"
#include "common/procfs.h"

__attribute__((format(printf, 1, 2)))
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return s;
}

/* Copy the @len bytes at @s into @dst (truncated to its size). */
static void set_field(char dst[ADM_OV_FIELD_MAX], const char *s, size_t len)
{
	if (len >= ADM_OV_FIELD_MAX)
		len = ADM_OV_FIELD_MAX - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* ------------------------------------------------------------------ */
/* /proc/tandem                                                         */
/* ------------------------------------------------------------------ */

/*
 * " 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----"
 * (@line ends before its newline). Returns false when it is no minor
 * line.
 */
static bool parse_minor_line(const char *line, size_t len,
			     struct adm_ov_minor *m)
{
	const char *p = line, *end = line + len, *tok;
	unsigned long minor = 0;
	bool proto_seen = false;
	size_t tlen;

	while (p < end && *p == ' ')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9') {
		minor = minor * 10 + (unsigned long)(*p - '0');
		if (minor > UINT_MAX)
			return false;
		p++;
	}
	if (p == end || *p != ':')
		return false;
	p++;
	memset(m, 0, sizeof(*m));
	m->minor = (unsigned int)minor;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		tlen = (size_t)(p - tok);
		if (tlen > 3 && !strncmp(tok, "cs:", 3))
			set_field(m->cs, tok + 3, tlen - 3);
		else if (tlen > 3 && !strncmp(tok, "ro:", 3))
			set_field(m->ro, tok + 3, tlen - 3);
		else if (tlen > 3 && !strncmp(tok, "ds:", 3))
			set_field(m->ds, tok + 3, tlen - 3);
		else if (tlen == 1 && !proto_seen && *tok >= 'A' && *tok <= 'Z') {
			m->protocol = *tok;
			proto_seen = true;
		} else if (proto_seen && !m->flags[0]) {
			set_field(m->flags, tok, tlen);
		}
	}
	return true;
}

/* "\t[====>....] sync'ed: 25.0% (4096/5120)K" */
static bool parse_sync_line(const char *line, size_t len,
			    struct adm_ov_sync *s)
{
	const char *p = line, *end = line + len, *close;
	unsigned int whole, tenth;
	unsigned long long left, total;
	char unit, buf[160];

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '[')
		return false;
	close = memchr(p, ']', (size_t)(end - p));
	if (!close || (size_t)(end - close) >= sizeof(buf))
		return false;
	memcpy(buf, close + 1, (size_t)(end - close - 1));
	buf[end - close - 1] = '\0';
	if (sscanf(buf, " sync'ed: %u.%u%% (%llu/%llu)%c", &whole, &tenth,
		   &left, &total, &unit) != 5 || tenth > 9)
		return false;
	memset(s, 0, sizeof(*s));
	s->present = true;
	set_field(s->bar, p, (size_t)(close - p + 1));
	s->permil = whole * 10 + tenth;
	s->left = left;
	s->total = total;
	s->unit = unit;
	return true;
}

int adm_ov_parse_proc(const char *text, struct adm_ov_minor **out,
		      size_t *n, char *err, size_t errlen)
{
	struct tandem_kversion kv;
	const char *line = text, *nl;
	struct adm_ov_minor m, *cur = NULL;
	char first[256];
	size_t len;

	*out = NULL;
	*n = 0;
	nl = strchr(text, '\n');
	len = nl ? (size_t)(nl - text) : strlen(text);
	if (len >= sizeof(first))
		len = sizeof(first) - 1;
	memcpy(first, text, len);
	first[len] = '\0';
	if (tandem_parse_version_line(first, &kv)) {
		snprintf(err, errlen, "the first line is not 'version: ... "
			 "(api:N/proto:N-N)'");
		return -1;
	}
	while (*line) {
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (parse_minor_line(line, len, &m)) {
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[*n] = m;
			cur = &(*out)[(*n)++];
		} else if (cur && !cur->sync.present) {
			parse_sync_line(line, len, &cur->sync);
		}
		line += len;
		if (*line)
			line++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names from tandemsetup status --json                                 */
/* ------------------------------------------------------------------ */

static const struct json *array(const struct json *o, const char *key)
{
	const struct json *a = json_get(o, key);

	return a && a->type == JSON_ARRAY ? a : NULL;
}

/* Resource and device object of @minor in @root; false when absent. */
static bool find_minor(const struct json *root, unsigned int minor,
		       const struct json **res, const struct json **dev)
{
	const struct json *devs;
	double d;
	size_t i, j;

	for (i = 0; root && root->type == JSON_ARRAY && i < root->n; i++) {
		devs = array(root->items[i], "devices");
		for (j = 0; devs && j < devs->n; j++) {
			if (json_get_num(devs->items[j], "minor", &d) &&
			    d == (double)minor) {
				*res = root->items[i];
				*dev = devs->items[j];
				return true;
			}
		}
	}
	return false;
}

static bool listed(const struct json *root, const char *name)
{
	const char *s;
	size_t i;

	for (i = 0; root && root->type == JSON_ARRAY && i < root->n; i++) {
		s = json_get_str(root->items[i], "name");
		if (s && !strcmp(s, name))
			return true;
	}
	return false;
}

void adm_ov_volumes(const struct adm_ov_minor *m, size_t nm,
		    const struct json *root, const char *const *res,
		    size_t nres, bool *missing, struct adm_ov_volume **out,
		    size_t *n)
{
	const struct json *r, *dev;
	struct adm_ov_volume *v;
	bool all = !nres, keep;
	const char *name;
	double d;
	size_t i, j;

	for (i = 0; i < nres; i++) {
		all |= !strcmp(res[i], "all");
		if (missing)
			missing[i] = strcmp(res[i], "all") &&
				     !listed(root, res[i]);
	}
	*out = xrealloc(NULL, nm * sizeof(**out));
	*n = 0;
	for (i = 0; i < nm; i++) {
		name = NULL;
		if (find_minor(root, m[i].minor, &r, &dev))
			name = json_get_str(r, "name");
		keep = all;
		for (j = 0; !keep && name && j < nres; j++)
			keep = !strcmp(res[j], name);
		if (!keep)
			continue;
		v = &(*out)[(*n)++];
		memset(v, 0, sizeof(*v));
		v->m = &m[i];
		v->name = name;
		if (name) {
			if (json_get_num(dev, "volume", &d) && d >= 0 &&
			    d <= (double)UINT_MAX)
				v->volume = (unsigned int)d;
			v->multi = array(r, "devices")->n > 1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Formatting                                                           */
/* ------------------------------------------------------------------ */

void adm_ov_human(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	unsigned long long div = 1024, q, r, tenths;
	unsigned int k = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", bytes);
		return;
	}
	while (k + 1 < sizeof(units) - 1 && bytes / div >= 1024) {
		div *= 1024;
		k++;
	}
	for (;;) {
		q = bytes / div;
		r = bytes % div;
		/* r < div <= 2^60: r * 10 does not overflow */
		tenths = q * 10 + (r * 10 + div - 1) / div;
		if (tenths < 100) {
			snprintf(buf, len, "%llu.%llu%c", tenths / 10,
				 tenths % 10, units[k]);
			return;
		}
		q += r ? 1 : 0;
		if (q < 1024 || k + 1 >= sizeof(units) - 1) {
			snprintf(buf, len, "%llu%c", q, units[k]);
			return;
		}
		div *= 1024;	/* rounded up to 1024: 1.0 of the next unit */
		k++;
	}
}

/* The columns of a line. */
enum {
	C_ID, C_CS, C_RO, C_DS, C_PROTO, C_FLAGS, C_MNT, C_TYPE, C_SIZE,
	C_USED, C_AVAIL, C_PCT, C_SYNC, C_N
};

/* Shown flags: r/s (I/O running or suspended) and the three reasons a
 * resync is paused (a, p, u). */
#define FLAGS_SHOWN	4

static const unsigned int min_width[C_N] = {
	[C_ID] = 22,
	[C_RO] = 19,	/* Secondary/Secondary */
};

/* Use% as df shows it: used / (used + available), rounded up. */
static char *use_percent(unsigned long long used, unsigned long long avail)
{
	unsigned long long t = used + avail;

	if (!t)
		return xasprintf("-");
	while (t > ULLONG_MAX / 100) {
		used /= 1024;
		t /= 1024;
	}
	return xasprintf("%llu%%", (used * 100 + t - 1) / t);
}

static void fill_cells(const struct adm_ov_volume *v, char *cell[C_N])
{
	const struct adm_ov_minor *m = v->m;
	unsigned long long bs, size, used, avail;
	char a[32], b[32], c[32];

	if (!v->name)
		cell[C_ID] = xasprintf("%u:?", m->minor);
	else if (v->multi)
		cell[C_ID] = xasprintf("%u:%s/%u", m->minor, v->name,
				       v->volume);
	else
		cell[C_ID] = xasprintf("%u:%s", m->minor, v->name);
	cell[C_CS] = xasprintf("%s", m->cs);
	cell[C_RO] = xasprintf("%s", m->ro);
	cell[C_DS] = xasprintf("%s", m->ds);
	cell[C_PROTO] = m->protocol ? xasprintf("%c", m->protocol) :
				      xasprintf("%s", "");
	cell[C_FLAGS] = xasprintf("%.*s", FLAGS_SHOWN, m->flags);
	if (v->mnt) {
		cell[C_MNT] = xasprintf("%s", v->mnt);
		cell[C_TYPE] = xasprintf("%s", v->fstype ? v->fstype : "-");
		if (v->have_fs) {
			bs = v->fs.f_frsize ? v->fs.f_frsize : v->fs.f_bsize;
			size = (unsigned long long)v->fs.f_blocks;
			used = v->fs.f_bfree < v->fs.f_blocks ?
			       (unsigned long long)(v->fs.f_blocks -
						    v->fs.f_bfree) : 0;
			avail = (unsigned long long)v->fs.f_bavail;
			adm_ov_human(size * bs, a, sizeof(a));
			adm_ov_human(used * bs, b, sizeof(b));
			adm_ov_human(avail * bs, c, sizeof(c));
			cell[C_SIZE] = xasprintf("%s", a);
			cell[C_USED] = xasprintf("%s", b);
			cell[C_AVAIL] = xasprintf("%s", c);
			cell[C_PCT] = use_percent(used, avail);
		} else {
			cell[C_SIZE] = xasprintf("-");
			cell[C_USED] = xasprintf("-");
			cell[C_AVAIL] = xasprintf("-");
			cell[C_PCT] = xasprintf("-");
		}
	} else {
		cell[C_MNT] = cell[C_TYPE] = cell[C_SIZE] = NULL;
		cell[C_USED] = cell[C_AVAIL] = cell[C_PCT] = NULL;
	}
	if (m->sync.present)
		cell[C_SYNC] = xasprintf("%s sync'ed: %u.%u%% (%llu/%llu)%c",
					 m->sync.bar, m->sync.permil / 10,
					 m->sync.permil % 10, m->sync.left,
					 m->sync.total, m->sync.unit);
	else
		cell[C_SYNC] = NULL;
}

char *adm_ov_format(const struct adm_ov_volume *v, size_t n)
{
	unsigned int width[C_N];
	char *(*cells)[C_N];
	size_t i, len, outlen = 0;
	char *out = NULL;
	int c, last;
	FILE *f;

	f = open_memstream(&out, &outlen);
	if (!f) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	cells = xrealloc(NULL, (n ? n : 1) * sizeof(*cells));
	memcpy(width, min_width, sizeof(width));
	for (i = 0; i < n; i++) {
		fill_cells(&v[i], cells[i]);
		for (c = 0; c < C_N; c++) {
			len = cells[i][c] ? strlen(cells[i][c]) : 0;
			if (len > width[c])
				width[c] = (unsigned int)len;
		}
	}
	for (i = 0; i < n; i++) {
		last = -1;
		for (c = 0; c < C_N; c++)
			if (cells[i][c] && cells[i][c][0])
				last = c;
		fputs("  ", f);
		for (c = 0; c <= last; c++) {
			const char *s = cells[i][c] ? cells[i][c] : "";

			if (!width[c])		/* empty on every line */
				continue;
			if (c)
				fputc(' ', f);
			if (c < last)
				fprintf(f, "%-*s", (int)width[c], s);
			else
				fputs(s, f);
		}
		fputc('\n', f);
		for (c = 0; c < C_N; c++)
			free(cells[i][c]);
	}
	free(cells);
	if (fclose(f) || !out) {
		fprintf(stderr, "tandemadm: out of memory\n");
		abort();
	}
	return out;
}

/* ------------------------------------------------------------------ */
/* The mount table                                                      */
/* ------------------------------------------------------------------ */

/* The field at *@p (up to white space), with \NNN escapes decoded into
 * the result and kept in *@raw. */
static char *mount_field(const char **p, char **raw)
{
	const char *s = *p, *e;
	char *d, *out;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s;
	while (*e && *e != ' ' && *e != '\t' && *e != '\n')
		e++;
	*p = e;
	if (e == s)
		return NULL;
	if (raw) {
		*raw = xrealloc(NULL, (size_t)(e - s) + 1);
		memcpy(*raw, s, (size_t)(e - s));
		(*raw)[e - s] = '\0';
	}
	out = d = xrealloc(NULL, (size_t)(e - s) + 1);
	while (s < e) {
		if (*s == '\\' && e - s >= 4 &&
		    s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
	return out;
}

void adm_ov_parse_mounts(const char *text, struct adm_ov_mount **out,
			 size_t *n)
{
	const char *p = text, *nl;
	struct adm_ov_mount mt;

	*out = NULL;
	*n = 0;
	while (*p) {
		nl = strchr(p, '\n');
		memset(&mt, 0, sizeof(mt));
		mt.dev = mount_field(&p, NULL);
		mt.dir = mount_field(&p, &mt.dir_shown);
		mt.type = mount_field(&p, NULL);
		if (mt.type) {
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = mt;
		} else {
			adm_ov_mounts_free(&mt, 1);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

void adm_ov_mounts_free(struct adm_ov_mount *mt, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(mt[i].dev);
		free(mt[i].dir);
		free(mt[i].dir_shown);
		free(mt[i].type);
	}
}

/* ------------------------------------------------------------------ */
/* Not pure: devices and files                                          */
/* ------------------------------------------------------------------ */

/* Collapse "//", "." and ".." of absolute path @p in place. */
static void normalize(char *p)
{
	char *r = p, *w = p, *seg;
	size_t len;

	while (*r) {
		while (*r == '/')
			r++;
		seg = r;
		while (*r && *r != '/')
			r++;
		len = (size_t)(r - seg);
		if (!len || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (w > p && *--w != '/')
				;
			continue;
		}
		*w++ = '/';
		memmove(w, seg, len);
		w += len;
	}
	if (w == p)
		*w++ = '/';
	*w = '\0';
}

/* Follow the symbolic links of @path (the last component, up to 40
 * times) lexically into @buf: the final target need not exist. */
static bool resolve(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX], *slash;
	ssize_t r;
	int i;

	if (path[0] != '/' || strlen(path) >= len)
		return false;
	strcpy(buf, path);
	normalize(buf);
	for (i = 0; i < 40; i++) {
		r = readlink(buf, target, sizeof(target) - 1);
		if (r <= 0)
			return true;
		target[r] = '\0';
		if (target[0] == '/') {
			if ((size_t)r >= len)
				return false;
			strcpy(buf, target);
		} else {
			slash = strrchr(buf, '/');
			if ((size_t)(slash - buf) + 1 + (size_t)r >= len)
				return false;
			strcpy(slash + 1, target);
		}
		normalize(buf);
	}
	return false;
}

bool adm_ov_is_device(const char *dev, unsigned int minor)
{
	char want[32], got[PATH_MAX];
	struct stat a, b;

	snprintf(want, sizeof(want), "/dev/tandem%u", minor);
	if (resolve(dev, got, sizeof(got)) && !strcmp(got, want))
		return true;
	return !stat(dev, &a) && S_ISBLK(a.st_mode) && !stat(want, &b) &&
	       S_ISBLK(b.st_mode) && a.st_rdev == b.st_rdev;
}

char *adm_ov_read_file(const char *path)
{
	size_t cap = 0, n = 0;
	char *data = NULL;
	size_t r;
	FILE *f;
	int e;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 16384;
			data = xrealloc(data, cap);
		}
		r = fread(data + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		e = errno ? errno : EIO;
		fclose(f);
		free(data);
		errno = e;
		return NULL;
	}
	fclose(f);
	data[n] = '\0';
	return data;
}
