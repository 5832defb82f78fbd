/* geo: country and AS lookups in MMDB files (libmaxminddb) behind a bounded
 * two-way set-associative cache, and a table of the AS names seen. Special
 * addresses are answered by geo_classify and never looked up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include "geo.h"
#include "geo_db.h"
#include "xmem.h"

#define CACHE_DEFAULT 65536
#define CACHE_MAX (1u << 24)
#define ORG_MAX_SLOTS (1u << 17)	/* up to ~98k names: every AS announced today */
#define ORG_LEN 128

struct centry {
	struct flow_addr a;
	uint32_t asn;
	char cc[2];
	bool used;
};

struct org {
	uint32_t asn;	/* 0: empty slot */
	char *name;
};

struct geo {
	struct geo_db db[GEO_ROLE_COUNT];
	struct centry *cache;	/* sets of two: [2i] most recently used, [2i + 1] next to go */
	size_t sets;		/* a power of two; 0 without databases */
	struct org *orgs;	/* open addressing, linear probing, never deleted from */
	size_t norgs, org_slots;
	struct geo_stats st;
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 2;
	while (p < n && p < CACHE_MAX)
		p <<= 1;
	return p;
}

struct geo *geo_open(const struct geo_opts *o, char **warnings)
{
	static const struct geo_opts none;
	struct geo *g = xcalloc(1, sizeof *g);
	const char *dirs[4];
	size_t ndirs = 0;
	struct stat sb;
	if (!o)
		o = &none;
	if (warnings)
		*warnings = NULL;
	const char *named[GEO_ROLE_COUNT] = { [GEO_ROLE_COUNTRY] = o->country, [GEO_ROLE_ASN] = o->asn };
	if (o->dir && o->dir[0]) {
		if (stat(o->dir, &sb) < 0)
			geo_db_warn(warnings, "%s: %s", o->dir, strerror(errno));
		else if (!S_ISDIR(sb.st_mode))
			geo_db_warn(warnings, "%s: %s", o->dir, strerror(ENOTDIR));
		else
			dirs[ndirs++] = o->dir;
	}
	dirs[ndirs++] = "/usr/share/GeoIP";
	dirs[ndirs++] = "/var/lib/GeoIP";
	char *user = geo_db_user_dir();
	if (user)
		dirs[ndirs++] = user;
	/* A named file that fails is not replaced by a search: the user asked for it. */
	for (int r = 0; r < GEO_ROLE_COUNT; r++) {
		if (named[r] && named[r][0])
			geo_db_open(&g->db[r], named[r], (enum geo_role)r, warnings);
		else
			geo_db_search(&g->db[r], dirs, ndirs, (enum geo_role)r, warnings);
	}
	free(user);
	if (g->db[GEO_ROLE_COUNTRY].open || g->db[GEO_ROLE_ASN].open) {
		g->sets = pow2_at_least(o->cache ? o->cache : CACHE_DEFAULT) / 2;
		g->cache = xcalloc(g->sets * 2, sizeof *g->cache);
	}
	return g;
}

void geo_free(struct geo *g)
{
	if (!g)
		return;
	for (int r = 0; r < GEO_ROLE_COUNT; r++)
		geo_db_close(&g->db[r]);
	for (size_t i = 0; i < g->org_slots; i++)
		free(g->orgs[i].name);
	free(g->orgs);
	free(g->cache);
	free(g);
}

bool geo_has_country(const struct geo *g)
{
	return g && g->db[GEO_ROLE_COUNTRY].open;
}

bool geo_has_asn(const struct geo *g)
{
	return g && g->db[GEO_ROLE_ASN].open;
}

bool geo_active(const struct geo *g)
{
	return g && g->cache;
}

size_t geo_describe(const struct geo *g, char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (int r = 0; g && r < GEO_ROLE_COUNT; r++) {
		if (!g->db[r].open)
			continue;
		int k = geo_db_describe(&g->db[r], (enum geo_role)r, n < len ? buf + n : NULL, n < len ? len - n : 0);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}

/* AS names: stored when an ASN lookup first meets the number, so a name is
 * known for as long as the geo lives even after its addresses leave the cache. */
static size_t org_slot(const struct org *t, size_t slots, uint32_t asn)
{
	size_t i = (asn * 2654435761u) & (slots - 1);
	while (t[i].asn && t[i].asn != asn)
		i = (i + 1) & (slots - 1);
	return i;
}

static void org_put(struct geo *g, uint32_t asn, const char *name)
{
	if (g->norgs + 1 > g->org_slots / 4 * 3) {
		if (g->org_slots >= ORG_MAX_SLOTS)
			return;
		size_t n = g->org_slots ? g->org_slots * 2 : 256;
		struct org *t = xcalloc(n, sizeof *t);
		for (size_t i = 0; i < g->org_slots; i++)
			if (g->orgs[i].asn)
				t[org_slot(t, n, g->orgs[i].asn)] = g->orgs[i];
		free(g->orgs);
		g->orgs = t;
		g->org_slots = n;
	}
	struct org *o = &g->orgs[org_slot(g->orgs, g->org_slots, asn)];
	o->asn = asn;
	o->name = xstrdup(name);
	g->norgs++;
}

const char *geo_as_org(const struct geo *g, uint32_t asn)
{
	if (!g || !asn || !g->org_slots)
		return NULL;
	const struct org *o = &g->orgs[org_slot(g->orgs, g->org_slots, asn)];
	return o->asn ? o->name : NULL;
}

static bool get(MMDB_entry_s *e, MMDB_entry_data_s *v, int type, const char *const *path)
{
	return MMDB_aget_value(e, v, path) == MMDB_SUCCESS && v->has_data && (type < 0 || (int)v->type == type);
}

/* ZZ is the user-assigned code several sources use for "unknown". */
static bool get_cc(MMDB_entry_s *e, char cc[2])
{
	static const char *const paths[][3] = {
		{ "country", "iso_code", NULL }, { "registered_country", "iso_code", NULL }, { "country_code", NULL },
	};
	MMDB_entry_data_s v;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if (!get(e, &v, MMDB_DATA_TYPE_UTF8_STRING, paths[i]) || v.data_size != 2)
			continue;
		char a = v.utf8_string[0] & ~0x20, b = v.utf8_string[1] & ~0x20;
		if (a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z' && !(a == 'Z' && b == 'Z')) {
			cc[0] = a;
			cc[1] = b;
			return true;
		}
	}
	return false;
}

static uint32_t get_asn(struct geo *g, MMDB_entry_s *e)
{
	static const char *const num[] = { "autonomous_system_number", NULL };
	static const char *const org[] = { "autonomous_system_organization", NULL };
	MMDB_entry_data_s v;
	uint64_t n = 0;
	if (!get(e, &v, -1, num))
		return 0;
	if (v.type == MMDB_DATA_TYPE_UINT16)
		n = v.uint16;
	else if (v.type == MMDB_DATA_TYPE_UINT32)
		n = v.uint32;
	else if (v.type == MMDB_DATA_TYPE_UINT64)
		n = v.uint64;
	else if (v.type == MMDB_DATA_TYPE_INT32 && v.int32 > 0)
		n = (uint64_t)v.int32;
	if (!n || n > UINT32_MAX)
		return 0;
	if (!geo_as_org(g, (uint32_t)n) && get(e, &v, MMDB_DATA_TYPE_UTF8_STRING, org)) {
		char name[ORG_LEN];
		geo_db_clean(name, sizeof name, v.utf8_string, v.data_size);
		if (name[0])
			org_put(g, (uint32_t)n, name);
	}
	return (uint32_t)n;
}

/* IPv4 (v4-mapped, or inside the NAT64 prefix) is looked up as IPv4, so
 * IPv4-only databases answer and IPv6 ones use their IPv4 subtree. */
static bool db_find(struct geo *g, struct geo_db *d, const struct flow_addr *a, MMDB_entry_s *e)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa = (const struct sockaddr *)&s6;
	int err = MMDB_SUCCESS;
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	bool v4 = flow_addr_is4(a) || !memcmp(a->b, nat64, sizeof nat64);
	if (v4) {
		memcpy(&s4.sin_addr, a->b + 12, 4);
		sa = (const struct sockaddr *)&s4;
	} else {
		memcpy(&s6.sin6_addr, a->b, 16);
	}
	if (!v4 && d->mmdb.metadata.ip_version == 4) {
		g->st.db_misses++;
		return false;
	}
	MMDB_lookup_result_s res = MMDB_lookup_sockaddr(&d->mmdb, sa, &err);
	if (err != MMDB_SUCCESS || !res.found_entry) {
		g->st.db_misses++;
		return false;
	}
	*e = res.entry;
	return true;
}

static void db_lookup(struct geo *g, const struct flow_addr *a, struct centry *c)
{
	MMDB_entry_s e;
	if (g->db[GEO_ROLE_COUNTRY].open && db_find(g, &g->db[GEO_ROLE_COUNTRY], a, &e) && !get_cc(&e, c->cc))
		g->st.db_misses++;
	if (g->db[GEO_ROLE_ASN].open && db_find(g, &g->db[GEO_ROLE_ASN], a, &e) && !(c->asn = get_asn(g, &e)))
		g->st.db_misses++;
}

/* Addresses are not secret and a collision only costs a database lookup
 * (no chains to grow), so an unseeded mix is enough. */
static size_t addr_hash(const struct flow_addr *a, size_t mask)
{
	uint64_t x, y;
	memcpy(&x, a->b, 8);
	memcpy(&y, a->b + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ull;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (size_t)x & mask;
}

void geo_lookup(struct geo *g, const struct flow_addr *a, struct geo_result *r)
{
	memset(r, 0, sizeof *r);
	r->cls = geo_classify(a);
	if (r->cls != GEO_PUBLIC || !g || !g->cache)
		return;
	g->st.lookups++;
	struct centry *set = &g->cache[addr_hash(a, g->sets - 1) * 2], hit;
	if (set[0].used && !memcmp(&set[0].a, a, sizeof *a)) {
		hit = set[0];
		g->st.cache_hits++;
	} else if (set[1].used && !memcmp(&set[1].a, a, sizeof *a)) {
		hit = set[1];
		set[1] = set[0];
		set[0] = hit;
		g->st.cache_hits++;
	} else {
		memset(&hit, 0, sizeof hit);
		hit.a = *a;
		hit.used = true;
		db_lookup(g, a, &hit);
		if (set[1].used)
			g->st.evictions++;
		set[1] = set[0];
		set[0] = hit;
	}
	if (hit.cc[0]) {
		r->cc[0] = hit.cc[0];
		r->cc[1] = hit.cc[1];
	}
	r->asn = hit.asn;
}

void geo_stats(const struct geo *g, struct geo_stats *st)
{
	if (g)
		*st = g->st;
	else
		memset(st, 0, sizeof *st);
}
