/* geo_db: where MMDB files are looked for, how they are opened and checked,
 * and how their strings are made safe for a terminal. */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "geo_db.h"
#include "xmem.h"

static const char *const usual[GEO_ROLE_COUNT][9] = {
	[GEO_ROLE_COUNTRY] = { "GeoLite2-Country.mmdb", "GeoIP2-Country.mmdb", "GeoLite2-City.mmdb",
			       "GeoIP2-City.mmdb", "dbip-country*.mmdb", "dbip-city*.mmdb",
			       "iptoasn-country.mmdb", "geo-whois-asn-country.mmdb", NULL },
	[GEO_ROLE_ASN] = { "GeoLite2-ASN.mmdb", "GeoIP2-ISP.mmdb", "dbip-asn*.mmdb", "asn.mmdb", NULL },
};

const char *geo_db_role_name(enum geo_role r)
{
	return r == GEO_ROLE_COUNTRY ? "country" : "asn";
}

void geo_db_warn(char **w, const char *fmt, ...)
{
	if (!w)
		return;
	va_list ap;
	char *line = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t old = *w ? strlen(*w) : 0;
	*w = xrealloc(*w, old + (size_t)n + 2);
	if (old)
		(*w)[old++] = '\n';
	memcpy(*w + old, line, (size_t)n + 1);
	free(line);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point; 0 when the bytes are not valid UTF-8 (overlong, surrogate, cut). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
	if (!len || len > n)
		return 0;
	*cp = len == 1 ? c : len == 2 ? c & 0x1fu : len == 3 ? c & 0x0fu : c & 0x07u;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3fu);
	}
	if ((len == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp < 0xe000))) ||
	    (len == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return len;
}

void geo_db_clean(char *dst, size_t cap, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	if (!cap)
		return;
	for (size_t i = 0; i < n && o + 1 < cap;) {
		uint32_t cp = 0;
		size_t len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			dst[o++] = '?';
			i++;
			continue;
		}
		bool ws = cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f';
		bool drop = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) ||
			    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
		if (ws) {
			dst[o++] = ' ';
		} else if (!drop) {
			if (o + len >= cap)
				break;
			memcpy(dst + o, u + i, len);
			o += len;
		}
		i += len;
	}
	while (o && dst[o - 1] == ' ')
		o--;
	dst[o] = 0;
}

/* A database whose type says it answers the other question is refused:
 * GeoLite2-ASN given as the country database would never find a country. */
static const char *wrong_kind(const MMDB_s *m, enum geo_role r)
{
	const char *t = m->metadata.database_type ? m->metadata.database_type : "";
	bool country = strcasestr(t, "country") || strcasestr(t, "city");
	bool asn = strcasestr(t, "asn") || strcasestr(t, "isp");
	if (r == GEO_ROLE_COUNTRY && asn && !country)
		return "has no country data";
	if (r == GEO_ROLE_ASN && country && !asn)
		return "has no AS numbers";
	return NULL;
}

bool geo_db_open(struct geo_db *d, const char *path, enum geo_role r, char **w)
{
	struct stat sb;
	if (stat(path, &sb) < 0) {
		geo_db_warn(w, "%s: %s", path, strerror(errno));
		return false;
	}
	if (S_ISDIR(sb.st_mode)) {
		geo_db_warn(w, "%s: %s", path, strerror(EISDIR));
		return false;
	}
	errno = 0;
	int st = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
	if (st != MMDB_SUCCESS) {
		if (st == MMDB_FILE_OPEN_ERROR && errno)
			geo_db_warn(w, "%s: %s", path, strerror(errno));
		else
			geo_db_warn(w, "%s: not a usable MaxMind DB file (%s)", path, MMDB_strerror(st));
		return false;
	}
	const char *why = wrong_kind(&d->mmdb, r);
	if (why) {
		const char *t = d->mmdb.metadata.database_type;
		char type[64];
		geo_db_clean(type, sizeof type, t, strlen(t));
		geo_db_warn(w, "%s: a %s database %s; not used for %s", path, type, why, geo_db_role_name(r));
		MMDB_close(&d->mmdb);
		return false;
	}
	d->path = xstrdup(path);
	d->open = true;
	return true;
}

/* One usual name in one directory; of several dbip-* files, the last by name
 * (the newest date) is tried first. */
static bool search_name(struct geo_db *d, const char *dir, const char *name, enum geo_role r, char **w)
{
	char *pat = err_fmt("%s/%s", dir, name);
	bool found = false;
	glob_t gl;
	if (!strchr(name, '*')) {
		if (access(pat, F_OK) == 0)
			found = geo_db_open(d, pat, r, w);
	} else if (glob(pat, 0, NULL, &gl) == 0) {
		for (size_t i = gl.gl_pathc; i-- > 0 && !found;)
			found = geo_db_open(d, gl.gl_pathv[i], r, w);
		globfree(&gl);
	}
	free(pat);
	return found;
}

bool geo_db_search(struct geo_db *d, const char *const *dirs, size_t ndirs, enum geo_role r, char **w)
{
	for (size_t i = 0; i < ndirs; i++)
		for (const char *const *n = usual[r]; *n; n++)
			if (search_name(d, dirs[i], *n, r, w))
				return true;
	return false;
}

char *geo_db_user_dir(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	if (x && x[0] == '/')	/* the XDG spec ignores relative paths */
		return err_fmt("%s/nftop", x);
	if (h && h[0])
		return err_fmt("%s/.local/share/nftop", h);
	return NULL;
}

void geo_db_close(struct geo_db *d)
{
	if (!d->open)
		return;
	MMDB_close(&d->mmdb);
	free(d->path);
	d->path = NULL;
	d->open = false;
}

int geo_db_describe(const struct geo_db *d, enum geo_role r, char *buf, size_t len)
{
	const char *t = d->mmdb.metadata.database_type;
	char type[64], when[32] = "?";
	time_t e = (time_t)d->mmdb.metadata.build_epoch;
	struct tm tm;
	geo_db_clean(type, sizeof type, t ? t : "", t ? strlen(t) : 0);
	if (gmtime_r(&e, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	return snprintf(buf, len, "%s: %s (%s, built %s UTC)\n", geo_db_role_name(r), d->path, type, when);
}
