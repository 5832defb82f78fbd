/* geo: what an address is. Special ranges (private, documentation...) are
 * known without any file; countries and AS numbers come from MaxMind DB
 * (MMDB) files through libmaxminddb, behind a bounded lookup cache.
 * Used only from the ingest thread, so nothing here locks. */
#ifndef NFTOP_GEO_H
#define NFTOP_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* GEO_PUBLIC is 0: struct flow's src_class/dst_class say "public" when zero. */
enum geo_class {
	GEO_PUBLIC,
	GEO_PRIVATE,		/* RFC 1918, RFC 4193 fc00::/7 */
	GEO_LOOPBACK,		/* 127/8, ::1 */
	GEO_LINKLOCAL,		/* 169.254/16 (RFC 3927), fe80::/10 (RFC 4291) */
	GEO_CGNAT,		/* 100.64/10 (RFC 6598) */
	GEO_DOCUMENTATION,	/* RFC 5737, 2001:db8::/32 (RFC 3849), 3fff::/20 (RFC 9637) */
	GEO_MULTICAST,		/* 224/4, ff00::/8 */
	GEO_RESERVED,		/* 0/8, 240/4 with broadcast, 192.0.0/24, 198.18/15, 2001:2::/48,
				 * and IPv6 outside 2000::/3 not named above */
	GEO_UNSPECIFIED,	/* 0.0.0.0, :: */
	GEO_CLASS_COUNT
};

/* Pure: which special range an address is in. IPv4 is v4-mapped (flow.h);
 * a NAT64 address 64:ff9b::/96 (RFC 6052) is classed by the IPv4 it embeds. */
enum geo_class geo_classify(const struct flow_addr *a);
/* Whether any special IPv4 range starts with this first octet: most
 * addresses are public, and this answers them without the table. */
static inline bool geo_octet_special(uint8_t o)
{
	/* A bit per octet, so the answer costs no branch (the switch it
	 * replaces mispredicted): 0, 10 | 100, 127 | 169, 172 | 192, 198, 203
	 * and 224-255. */
	static const uint64_t bits[4] = {
		1ULL << 0 | 1ULL << 10,
		1ULL << (100 - 64) | 1ULL << (127 - 64),
		1ULL << (169 - 128) | 1ULL << (172 - 128),
		1ULL << (192 - 192) | 1ULL << (198 - 192) | 1ULL << (203 - 192) | ~0ULL << (224 - 192),
	};
	return bits[o >> 6] >> (o & 63) & 1;
}
/* geo_classify, with a public IPv4 address answered inline. */
static inline enum geo_class geo_classify_fast(const struct flow_addr *a)
{
	if (flow_addr_is4(a) && !geo_octet_special(a->b[12]))
		return GEO_PUBLIC;
	return geo_classify(a);
}
/* "public", "private", "loopback", "link-local", "cgnat", "documentation",
 * "multicast", "reserved", "unspecified"; "?" out of range. */
const char *geo_class_name(enum geo_class c);

struct geo_opts {
	const char *country;	/* path, or NULL */
	const char *asn;	/* path, or NULL */
	const char *dir;	/* look here first for the usual file names, or NULL */
	size_t cache;		/* entries in the lookup cache (default 65536 when 0) */
};

struct geo;

/* Opens the databases named in o (o may be NULL). A role not named is searched
 * for in o->dir, /usr/share/GeoIP, /var/lib/GeoIP, $XDG_DATA_HOME/nftop
 * (default ~/.local/share/nftop), in that order, under the usual names:
 * country: GeoLite2-Country, GeoIP2-Country, GeoLite2-City, GeoIP2-City,
 * dbip-country*, dbip-city*, iptoasn-country, geo-whois-asn-country;
 * ASN: GeoLite2-ASN, GeoIP2-ISP, dbip-asn*, asn (all .mmdb; of several
 * dbip-* files the last by name, i.e. the newest date, wins).
 * A named file that is missing, unreadable, corrupt or of the wrong kind is not
 * replaced by a search; each problem, including a bad file met while searching
 * and a named directory that is missing, becomes one "FILE: reason" line in
 * *warnings (malloc'd, '\n'-separated, NULL when none; warnings may be NULL).
 * Never returns NULL: without databases only geo_classify's answers remain. */
struct geo *geo_open(const struct geo_opts *o, char **warnings);
void geo_free(struct geo *g);
bool geo_has_country(const struct geo *g);
bool geo_has_asn(const struct geo *g);
/* Whether any database is open (else geo_lookup only classifies). */
bool geo_active(const struct geo *g);
/* One line per loaded database, "ROLE: PATH (TYPE, built YYYY-MM-DD HH:MM UTC)\n".
 * Returns the length of the whole text, as snprintf does; 0 when none or g is NULL. */
size_t geo_describe(const struct geo *g, char *buf, size_t len);

struct geo_result {
	char cc[3];		/* ISO 3166-1 alpha-2, "" when unknown or not public */
	uint32_t asn;		/* 0 when unknown */
	enum geo_class cls;
};

/* Looks an address up: binary lookups (MMDB_lookup_sockaddr), cached. Special
 * addresses are not looked up; cls says what they are. Country comes from
 * country.iso_code, then registered_country.iso_code (MaxMind), then a top-level
 * country_code (ip-location-db); ASN from autonomous_system_number. */
void geo_lookup(struct geo *g, const struct flow_addr *a, struct geo_result *r);
/* The organisation of an AS number as seen in ASN lookups so far (a bounded
 * table; the first name seen wins), or NULL. Control characters are removed. */
const char *geo_as_org(const struct geo *g, uint32_t asn);
/* English name for an ISO 3166-1 alpha-2 code (also XK and EU), or NULL. */
const char *geo_country_name(const char *cc);

struct geo_stats {
	uint64_t lookups;	/* geo_lookup calls for public addresses with a database open */
	uint64_t cache_hits;	/* of those, answered from the cache */
	uint64_t db_misses;	/* database lookups (one per database per cache miss) that found nothing */
	uint64_t evictions;	/* cache entries replaced by another address */
};
void geo_stats(const struct geo *g, struct geo_stats *st);

#endif
