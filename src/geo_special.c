/* geo_special: special-purpose address ranges (the IANA IPv4 and IPv6
 * special-purpose registries, reduced to what a flow display needs to tell
 * apart). Pure: no state, no files. */
#include <string.h>

#include "geo.h"

struct range4 {
	uint32_t net;
	uint8_t len;
	uint8_t cls;
};

struct range6 {
	uint8_t net[16];
	uint8_t len;
	uint8_t cls;
};

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define G(x) (uint8_t)((x) >> 8), (uint8_t)((x) & 0xff)
#define IP6(a, b, c, d) { G(a), G(b), G(c), G(d), 0, 0, 0, 0, 0, 0, 0, 0 }

/* First match wins, so a more specific range comes before the one holding it. */
static const struct range4 ranges4[] = {
	{ IP4(0, 0, 0, 0), 32, GEO_UNSPECIFIED },
	{ IP4(0, 0, 0, 0), 8, GEO_RESERVED },		/* "this network" (RFC 791) */
	{ IP4(10, 0, 0, 0), 8, GEO_PRIVATE },
	{ IP4(100, 64, 0, 0), 10, GEO_CGNAT },
	{ IP4(127, 0, 0, 0), 8, GEO_LOOPBACK },
	{ IP4(169, 254, 0, 0), 16, GEO_LINKLOCAL },
	{ IP4(172, 16, 0, 0), 12, GEO_PRIVATE },
	{ IP4(192, 0, 0, 0), 24, GEO_RESERVED },	/* IETF protocol assignments (RFC 6890) */
	{ IP4(192, 0, 2, 0), 24, GEO_DOCUMENTATION },
	{ IP4(192, 168, 0, 0), 16, GEO_PRIVATE },
	{ IP4(198, 18, 0, 0), 15, GEO_RESERVED },	/* benchmarking (RFC 2544) */
	{ IP4(198, 51, 100, 0), 24, GEO_DOCUMENTATION },
	{ IP4(203, 0, 113, 0), 24, GEO_DOCUMENTATION },
	{ IP4(224, 0, 0, 0), 4, GEO_MULTICAST },
	{ IP4(240, 0, 0, 0), 4, GEO_RESERVED },		/* includes 255.255.255.255 */
};

static const struct range6 ranges6[] = {
	{ IP6(0, 0, 0, 0), 128, GEO_UNSPECIFIED },
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128, GEO_LOOPBACK },
	{ IP6(0x2001, 0x0db8, 0, 0), 32, GEO_DOCUMENTATION },
	{ IP6(0x3fff, 0, 0, 0), 20, GEO_DOCUMENTATION },
	{ IP6(0x2001, 0x0002, 0, 0), 48, GEO_RESERVED },	/* benchmarking (RFC 5180) */
	{ IP6(0x2000, 0, 0, 0), 3, GEO_PUBLIC },		/* global unicast */
	{ IP6(0xfc00, 0, 0, 0), 7, GEO_PRIVATE },
	{ IP6(0xfe80, 0, 0, 0), 10, GEO_LINKLOCAL },
	{ IP6(0xff00, 0, 0, 0), 8, GEO_MULTICAST },
	{ IP6(0, 0, 0, 0), 0, GEO_RESERVED },		/* everything else is unassigned */
};

static enum geo_class classify4(uint32_t v)
{
	if (!geo_octet_special((uint8_t)(v >> 24)))
		return GEO_PUBLIC;
	for (size_t i = 0; i < sizeof ranges4 / sizeof ranges4[0]; i++) {
		uint32_t mask = ranges4[i].len ? ~(uint32_t)0 << (32 - ranges4[i].len) : 0;
		if ((v & mask) == ranges4[i].net)
			return (enum geo_class)ranges4[i].cls;
	}
	return GEO_PUBLIC;
}

static bool in6(const uint8_t *a, const struct range6 *r)
{
	unsigned whole = r->len / 8u, bits = r->len % 8u;
	if (memcmp(a, r->net, whole))
		return false;
	if (!bits)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> bits);
	return (a[whole] & mask) == r->net[whole];
}

static uint32_t low32(const struct flow_addr *a)
{
	return IP4(a->b[12], a->b[13], a->b[14], a->b[15]);
}

enum geo_class geo_classify(const struct flow_addr *a)
{
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	if (flow_addr_is4(a) || !memcmp(a->b, nat64, sizeof nat64))
		return classify4(low32(a));
	for (size_t i = 0; i < sizeof ranges6 / sizeof ranges6[0]; i++)
		if (in6(a->b, &ranges6[i]))
			return (enum geo_class)ranges6[i].cls;
	return GEO_RESERVED;
}

const char *geo_class_name(enum geo_class c)
{
	static const char *const names[GEO_CLASS_COUNT] = {
		[GEO_PUBLIC] = "public", [GEO_PRIVATE] = "private", [GEO_LOOPBACK] = "loopback",
		[GEO_LINKLOCAL] = "link-local", [GEO_CGNAT] = "cgnat", [GEO_DOCUMENTATION] = "documentation",
		[GEO_MULTICAST] = "multicast", [GEO_RESERVED] = "reserved", [GEO_UNSPECIFIED] = "unspecified",
	};
	return (unsigned)c < GEO_CLASS_COUNT ? names[c] : "?";
}
