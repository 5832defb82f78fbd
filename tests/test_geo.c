/* geo: special ranges and their boundaries, lookups in the MaxMind test
 * databases (tests/data/geoip, expected values from mmdblookup, the command
 * beside each), the ip-location-db schema and tools/asn-csv2mmdb.pl on
 * databases built here with perl (skipped without MaxMind::DB::Writer),
 * warnings for bad files, the search order, the cache and AS names. */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo.h"
#include "tap.h"

static char data[PATH_MAX], tmp[PATH_MAX];
static const char *top;

static struct flow_addr A(const char *s)
{
	struct flow_addr a;
	memset(&a, 0, sizeof a);
	if (!flow_addr_parse(s, &a))
		printf("# bad address in test: %s\n", s);
	return a;
}

static char *path(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		printf("# path too long: %s/%s\n", dir, name);
	return buf;
}

static void skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # skip %s\n", ++tap_n, why);
}

/* Multi-line text as TAP diagnostics. */
static void diag(const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, "\n");
		printf("# %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

static void write_file(const char *p, const void *b, size_t n)
{
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(b, 1, n, f) != n)
		printf("# cannot write %s\n", p);
	if (f)
		fclose(f);
}

static void copy_file(const char *from, const char *to)
{
	static char buf[1 << 16];
	FILE *f = fopen(from, "rb");
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	if (!n || n == sizeof buf)
		printf("# cannot copy %s (missing, or over %zu bytes)\n", from, sizeof buf);
	write_file(to, buf, n);
}

static struct geo *open2(const char *country, const char *asn, size_t cache, char **w)
{
	char c[PATH_MAX], a[PATH_MAX];
	struct geo_opts o = { country ? path(c, data, country) : NULL, asn ? path(a, data, asn) : NULL, NULL, cache };
	return geo_open(&o, w);
}

static struct geo_result look(struct geo *g, const char *addr)
{
	struct geo_result r;
	struct flow_addr a = A(addr);
	geo_lookup(g, &a, &r);
	return r;
}

static void test_classify(void)
{
	static const struct {
		const char *addr, *cls;
	} t[] = {
		{ "0.0.0.0", "unspecified" }, { "0.0.0.1", "reserved" }, { "0.255.255.255", "reserved" },
		{ "1.0.0.0", "public" }, { "9.255.255.255", "public" }, { "10.0.0.0", "private" },
		{ "10.255.255.255", "private" }, { "11.0.0.0", "public" }, { "100.63.255.255", "public" },
		{ "100.64.0.0", "cgnat" }, { "100.127.255.255", "cgnat" }, { "100.128.0.0", "public" },
		{ "126.255.255.255", "public" }, { "127.0.0.0", "loopback" }, { "127.0.0.1", "loopback" },
		{ "127.255.255.255", "loopback" }, { "128.0.0.0", "public" }, { "169.253.255.255", "public" },
		{ "169.254.0.0", "link-local" }, { "169.254.255.255", "link-local" }, { "169.255.0.0", "public" },
		{ "172.15.255.255", "public" }, { "172.16.0.0", "private" }, { "172.31.255.255", "private" },
		{ "172.32.0.0", "public" }, { "191.255.255.255", "public" }, { "192.0.0.0", "reserved" },
		{ "192.0.0.255", "reserved" }, { "192.0.1.255", "public" }, { "192.0.2.0", "documentation" },
		{ "192.0.2.255", "documentation" }, { "192.0.3.0", "public" }, { "192.167.255.255", "public" },
		{ "192.168.0.0", "private" }, { "192.168.255.255", "private" }, { "192.169.0.0", "public" },
		{ "198.17.255.255", "public" }, { "198.18.0.0", "reserved" }, { "198.19.255.255", "reserved" },
		{ "198.20.0.0", "public" }, { "198.51.99.255", "public" }, { "198.51.100.0", "documentation" },
		{ "198.51.100.255", "documentation" }, { "198.51.101.0", "public" }, { "203.0.112.255", "public" },
		{ "203.0.113.0", "documentation" }, { "203.0.113.255", "documentation" }, { "203.0.114.0", "public" },
		{ "223.255.255.255", "public" }, { "224.0.0.0", "multicast" }, { "239.255.255.255", "multicast" },
		{ "240.0.0.0", "reserved" }, { "255.255.255.254", "reserved" }, { "255.255.255.255", "reserved" },
		/* IPv6 */
		{ "::", "unspecified" }, { "::1", "loopback" }, { "::2", "reserved" }, { "::1.2.3.4", "reserved" },
		{ "::ffff:10.0.0.1", "private" }, { "::ffff:8.8.8.8", "public" }, { "::fffe:808:808", "reserved" },
		{ "64:ff9b::8.8.8.8", "public" }, { "64:ff9b::10.1.2.3", "private" },
		{ "64:ff9b::192.0.2.1", "documentation" }, { "64:ff9b::1:0:0", "reserved" },
		{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved" }, { "2000::", "public" },
		{ "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", "public" }, { "2001:2::", "reserved" },
		{ "2001:2:0:ffff:ffff:ffff:ffff:ffff", "reserved" }, { "2001:2:1::", "public" },
		{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "public" }, { "2001:db8::", "documentation" },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation" }, { "2001:db9::", "public" },
		{ "2a00:1450:4001::1", "public" }, { "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public" },
		{ "3fff::", "documentation" }, { "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "documentation" },
		{ "3fff:1000::", "public" }, { "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public" },
		{ "4000::", "reserved" }, { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved" },
		{ "fc00::", "private" }, { "fd12:3456::1", "private" },
		{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "private" }, { "fe00::", "reserved" },
		{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved" }, { "fe80::", "link-local" },
		{ "fe80::1", "link-local" }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local" },
		{ "fec0::", "reserved" }, { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved" },
		{ "ff00::", "multicast" }, { "ff02::1", "multicast" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast" },
	};
	size_t fast_wrong = 0;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct flow_addr a = A(t[i].addr);
		is_str(geo_class_name(geo_classify(&a)), t[i].cls, "classify %s", t[i].addr);
		if (strcmp(geo_class_name(geo_classify_fast(&a)), t[i].cls)) {
			printf("# classify_fast %s: %s\n", t[i].addr, geo_class_name(geo_classify_fast(&a)));
			fast_wrong++;
		}
	}
	/* The inline path against the table, for both ends of every first octet. */
	for (unsigned o = 0; o < 256; o++)
		for (unsigned end = 0; end < 2; end++) {
			struct flow_addr a;
			flow_addr_set4u(&a, o << 24 | (end ? 0xffffffu : 0));
			if (geo_classify_fast(&a) != geo_classify(&a)) {
				printf("# classify_fast %u.x: %s\n", o, geo_class_name(geo_classify_fast(&a)));
				fast_wrong++;
			}
		}
	ok(fast_wrong == 0, "classify_fast agrees with the table and with geo_classify (%zu differ)", fast_wrong);
}

static void test_names(void)
{
	static const char *const cls[] = { "public", "private", "loopback", "link-local", "cgnat",
					   "documentation", "multicast", "reserved", "unspecified" };
	for (int c = 0; c < GEO_CLASS_COUNT; c++)
		is_str(geo_class_name((enum geo_class)c), cls[c], "class %d is %s", c, cls[c]);
	is_str(geo_class_name(GEO_CLASS_COUNT), "?", "class out of range");
	is_u64(GEO_PUBLIC, 0, "GEO_PUBLIC is 0, as struct flow assumes");
	is_str(geo_country_name("GB"), "United Kingdom", "country GB");
	is_str(geo_country_name("SE"), "Sweden", "country SE");
	is_str(geo_country_name("JP"), "Japan", "country JP");
	is_str(geo_country_name("US"), "United States", "country US");
	is_str(geo_country_name("AD"), "Andorra", "country AD (first)");
	is_str(geo_country_name("ZW"), "Zimbabwe", "country ZW (last)");
	is_str(geo_country_name("XK"), "Kosovo", "country XK (user-assigned, used by MaxMind)");
	ok(!geo_country_name("ZZ"), "country ZZ unknown");
	ok(!geo_country_name("gb"), "country codes are upper case");
	ok(!geo_country_name("GBR") && !geo_country_name("") && !geo_country_name(NULL), "not a code");
}

static void test_maxmind(void)
{
	char *w = (char *)"x";
	struct geo *g = open2("GeoIP2-Country-Test.mmdb", "GeoLite2-ASN-Test.mmdb", 0, &w);
	ok(!w, "MaxMind test databases open without warnings");
	ok(geo_has_country(g) && geo_has_asn(g), "country and ASN databases loaded");
	/* mmdblookup --file tests/data/geoip/GeoIP2-Country-Test.mmdb --ip 81.2.69.160 country iso_code -> "GB" */
	struct geo_result r = look(g, "81.2.69.160");
	is_str(r.cc, "GB", "81.2.69.160 -> GB");
	/* mmdblookup --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 81.2.69.160 -> not found */
	is_u64(r.asn, 0, "81.2.69.160 not in the ASN test database");
	is_u64(r.cls, GEO_PUBLIC, "81.2.69.160 is public");
	/* mmdblookup --file tests/data/geoip/GeoIP2-Country-Test.mmdb --ip 89.160.20.112 country iso_code -> "SE"
	 * mmdblookup --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 89.160.20.112 -> 29518 "Bredband2 AB" */
	r = look(g, "89.160.20.112");
	is_str(r.cc, "SE", "89.160.20.112 -> SE");
	is_u64(r.asn, 29518, "89.160.20.112 -> AS29518");
	is_str(geo_as_org(g, 29518), "Bredband2 AB", "AS29518 is Bredband2 AB");
	/* mmdblookup --file tests/data/geoip/GeoIP2-Country-Test.mmdb --ip 2001:218::1 country iso_code -> "JP" */
	is_str(look(g, "2001:218::1").cc, "JP", "2001:218::1 -> JP");
	/* 81.2.69.160 inside the NAT64 prefix is looked up as the IPv4 address */
	is_str(look(g, "64:ff9b::5102:45a0").cc, "GB", "64:ff9b::81.2.69.160 -> GB");
	/* mmdblookup --file tests/data/geoip/GeoIP2-Country-Test.mmdb --ip 1.0.0.1 -> not found */
	ok(!geo_as_org(g, 15169), "AS15169 has no name before an ASN lookup met it");
	r = look(g, "1.0.0.1");
	is_str(r.cc, "", "1.0.0.1 not in the country test database");
	/* mmdblookup --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 1.0.0.1 -> 15169 "Google Inc." */
	is_u64(r.asn, 15169, "1.0.0.1 -> AS15169");
	is_str(geo_as_org(g, 15169), "Google Inc.", "geo_as_org after the lookup");
	/* mmdblookup --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 1.128.0.0 -> 1221 "Telstra Pty Ltd" */
	is_u64(look(g, "1.128.0.0").asn, 1221, "1.128.0.0 -> AS1221");
	is_str(geo_as_org(g, 1221), "Telstra Pty Ltd", "AS1221 is Telstra Pty Ltd");
	/* mmdblookup --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 12.81.92.1 -> 7018 "AT&T Services" */
	is_u64(look(g, "12.81.92.1").asn, 7018, "12.81.92.1 -> AS7018");
	is_str(geo_as_org(g, 7018), "AT&T Services", "AS7018 is AT&T Services");
	ok(!geo_as_org(g, 0) && !geo_as_org(g, 64512), "no name for AS0 or an AS never seen");
	r = look(g, "10.1.2.3");
	ok(r.cls == GEO_PRIVATE && !r.cc[0] && !r.asn, "private address: class only, nothing looked up");
	r = look(g, "2001:db8::1");
	ok(r.cls == GEO_DOCUMENTATION && !r.cc[0], "documentation address: class only");

	char buf[1024], small[20];
	size_t n = geo_describe(g, buf, sizeof buf);
	is_u64(n, strlen(buf), "describe returns the text's length");
	ok(strstr(buf, "country: ") && strstr(buf, "GeoIP2-Country-Test.mmdb (GeoIP2-Country, built 2026-02-04 22:49 UTC)\n"),
	   "describe: country database, type and build date");
	/* mmdblookup --verbose --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 1.0.0.1
	 * -> Build epoch: 1770245369 (2026-02-04 22:49:29 UTC), Type: GeoLite2-ASN */
	ok(strstr(buf, "asn: ") && strstr(buf, "GeoLite2-ASN-Test.mmdb (GeoLite2-ASN, built 2026-02-04 22:49 UTC)\n"),
	   "describe: ASN database");
	is_u64(geo_describe(g, small, sizeof small), n, "describe into a small buffer still returns the full length");
	is_u64(strlen(small), sizeof small - 1, "and truncates, terminated");
	geo_free(g);

	/* mmdblookup --file tests/data/geoip/GeoLite2-Country-Test.mmdb --ip 81.2.69.160 country iso_code -> "GB" */
	g = open2("GeoLite2-Country-Test.mmdb", NULL, 0, NULL);
	is_str(look(g, "81.2.69.160").cc, "GB", "GeoLite2-Country: 81.2.69.160 -> GB");
	geo_free(g);
	/* mmdblookup --file tests/data/geoip/GeoIP2-City-Test.mmdb --ip 81.2.69.160 country iso_code -> "GB" */
	g = open2("GeoIP2-City-Test.mmdb", NULL, 0, NULL);
	ok(geo_has_country(g), "a City database serves as the country database");
	is_str(look(g, "81.2.69.160").cc, "GB", "GeoIP2-City: 81.2.69.160 -> GB");
	geo_free(g);
}

static void test_bad_files(void)
{
	char p[PATH_MAX], want[PATH_MAX + 64], asn[PATH_MAX];
	char *w = NULL;
	uint8_t junk[100];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof junk; i++) {	/* xorshift: random-looking, the same every run */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		junk[i] = (uint8_t)x;
	}
	path(p, tmp, "corrupt.mmdb");
	write_file(p, junk, sizeof junk);

	struct geo_opts o = { path(want, tmp, "missing.mmdb"), p, NULL, 0 };
	struct geo *g = geo_open(&o, &w);
	ok(g != NULL, "missing and corrupt files: geo_open still returns a geo");
	ok(!geo_has_country(g) && !geo_has_asn(g), "neither bad file is loaded, and nothing replaces them");
	ok(w && strstr(w, "/missing.mmdb: No such file or directory"), "warning names the missing file");
	const char *second = w ? strchr(w, '\n') : NULL;
	ok(second && !strncmp(second + 1, p, strlen(p)) && !strncmp(second + 1 + strlen(p), ": ", 2),
	   "second line names the corrupt file");
	diag(w);
	ok(w && w[strlen(w) - 1] != '\n', "lines are separated, not terminated, by newlines");
	struct geo_result r = look(g, "81.2.69.160");
	ok(r.cls == GEO_PUBLIC && !r.cc[0] && !r.asn, "usable without databases: public, unknown");
	ok(look(g, "192.168.1.1").cls == GEO_PRIVATE, "usable without databases: classes");
	char buf[64] = "x";
	is_u64(geo_describe(g, buf, sizeof buf), 0, "describe: nothing loaded");
	struct geo_stats st;
	geo_stats(g, &st);
	is_u64(st.lookups, 0, "no lookups counted without databases");
	geo_free(g);
	free(w);

	/* Given the wrong kind of database, say so rather than never finding anything. */
	path(asn, data, "GeoLite2-ASN-Test.mmdb");
	struct geo_opts o2 = { asn, NULL, NULL, 0 };
	w = NULL;
	g = geo_open(&o2, &w);
	ok(!geo_has_country(g), "an ASN database is not used as the country database");
	ok(w && strstr(w, "GeoLite2-ASN-Test.mmdb: a GeoLite2-ASN database has no country data"), "and that is said");
	geo_free(g);
	free(w);

	struct geo_opts o3 = { NULL, NULL, path(p, tmp, "nodir"), 0 };
	w = NULL;
	g = geo_open(&o3, &w);
	ok(w && strstr(w, "/nodir: No such file or directory"), "a named directory that is missing is reported");
	geo_free(g);
	free(w);

	g = geo_open(NULL, NULL);
	ok(g && look(g, "::1").cls == GEO_LOOPBACK, "geo_open(NULL, NULL) works");
	geo_free(g);
	ok(!geo_has_country(NULL) && !geo_has_asn(NULL) && !geo_as_org(NULL, 1) && !geo_describe(NULL, buf, sizeof buf),
	   "NULL geo: nothing loaded");
	struct flow_addr a = A("100.64.1.1");
	geo_lookup(NULL, &a, &r);
	ok(r.cls == GEO_CGNAT && !r.cc[0], "NULL geo: lookups still classify");
	geo_free(NULL);
}

static void test_search(void)
{
	char d[PATH_MAX], p[PATH_MAX], buf[PATH_MAX];
	char *w = NULL;
	uint8_t junk[64] = { 1, 2, 3 };
	path(d, tmp, "dir");
	mkdir(d, 0755);
	/* Preference among the usual names: GeoLite2-Country before GeoIP2-City. */
	copy_file(path(buf, data, "GeoIP2-City-Test.mmdb"), path(p, d, "GeoIP2-City.mmdb"));
	copy_file(path(buf, data, "GeoLite2-Country-Test.mmdb"), path(p, d, "GeoLite2-Country.mmdb"));
	/* Of the dbip-asn files, the newest name first; a bad one is reported and passed over. */
	copy_file(path(buf, data, "GeoLite2-ASN-Test.mmdb"), path(p, d, "dbip-asn-lite-2023-12.mmdb"));
	write_file(path(p, d, "dbip-asn-lite-2024-01.mmdb"), junk, sizeof junk);
	struct geo_opts o = { NULL, NULL, d, 0 };
	struct geo *g = geo_open(&o, &w);
	geo_describe(g, buf, sizeof buf);
	diag(buf);
	ok(strstr(buf, "/dir/GeoLite2-Country.mmdb (GeoLite2-Country"), "dir: GeoLite2-Country preferred to GeoIP2-City");
	ok(strstr(buf, "/dir/dbip-asn-lite-2023-12.mmdb (GeoLite2-ASN"), "dir: newest usable dbip-asn file");
	ok(w && strstr(w, "/dir/dbip-asn-lite-2024-01.mmdb: "), "dir: the broken newer file is reported");
	is_str(look(g, "81.2.69.160").cc, "GB", "found databases answer");
	geo_free(g);
	free(w);

	/* The user's directory ($XDG_DATA_HOME/nftop, else ~/.local/share/nftop) comes
	 * after /usr/share/GeoIP and /var/lib/GeoIP, so only check it when those are absent. */
	if (access("/usr/share/GeoIP", F_OK) == 0 || access("/var/lib/GeoIP", F_OK) == 0) {
		skip(2, "system GeoIP directories exist here");
		return;
	}
	char home[PATH_MAX], x[PATH_MAX];
	path(x, tmp, "xdg");
	mkdir(x, 0755);
	path(p, x, "nftop");
	mkdir(p, 0755);
	copy_file(path(buf, data, "GeoLite2-ASN-Test.mmdb"), path(p, x, "nftop/asn.mmdb"));
	setenv("XDG_DATA_HOME", x, 1);
	g = geo_open(NULL, NULL);
	geo_describe(g, buf, sizeof buf);
	ok(strstr(buf, "/xdg/nftop/asn.mmdb (GeoLite2-ASN"), "$XDG_DATA_HOME/nftop/asn.mmdb is found");
	geo_free(g);
	unsetenv("XDG_DATA_HOME");
	path(home, tmp, "home");
	mkdir(home, 0755);
	mkdir(path(p, home, ".local"), 0755);
	mkdir(path(p, home, ".local/share"), 0755);
	mkdir(path(p, home, ".local/share/nftop"), 0755);
	copy_file(path(buf, data, "GeoLite2-Country-Test.mmdb"), path(p, home, ".local/share/nftop/GeoLite2-Country.mmdb"));
	char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", home, 1);
	g = geo_open(NULL, NULL);
	geo_describe(g, buf, sizeof buf);
	ok(strstr(buf, "/home/.local/share/nftop/GeoLite2-Country.mmdb"), "~/.local/share/nftop without XDG_DATA_HOME");
	geo_free(g);
	if (old)
		setenv("HOME", old, 1);
	free(old);
}

static void test_cache(void)
{
	struct geo *g = open2("GeoIP2-Country-Test.mmdb", "GeoLite2-ASN-Test.mmdb", 4, NULL);
	struct geo_stats st;
	char a[32];
	geo_stats(g, &st);
	ok(!st.lookups && !st.cache_hits && !st.db_misses && !st.evictions, "stats start at zero");
	look(g, "89.160.20.112");
	struct geo_result r = look(g, "89.160.20.112");
	geo_stats(g, &st);
	is_u64(st.lookups, 2, "two lookups");
	is_u64(st.cache_hits, 1, "the second from the cache");
	ok(!strcmp(r.cc, "SE") && r.asn == 29518, "a cached answer is the same answer");
	look(g, "10.0.0.1");
	look(g, "ff02::1");
	geo_stats(g, &st);
	is_u64(st.lookups, 2, "special addresses are not lookups");
	is_u64(st.db_misses, 0, "89.160.20.112 is in both databases");
	/* mmdblookup --file tests/data/geoip/GeoIP2-Country-Test.mmdb --ip 8.8.8.8 -> not found (and in the ASN one) */
	look(g, "8.8.8.8");
	geo_stats(g, &st);
	is_u64(st.db_misses, 2, "8.8.8.8: one miss per database");
	for (int i = 1; i <= 20; i++) {
		snprintf(a, sizeof a, "8.8.4.%d", i);
		look(g, a);
	}
	geo_stats(g, &st);
	uint64_t misses = st.lookups - st.cache_hits;
	is_u64(st.lookups, 23, "23 lookups");
	ok(st.evictions < misses && st.evictions + 4 >= misses, "a 4-entry cache evicts all but 4 (%" PRIu64 " of %" PRIu64 ")",
	   st.evictions, misses);
	is_str(look(g, "89.160.20.112").cc, "SE", "after evictions, still the right answer");
	is_str(geo_as_org(g, 29518), "Bredband2 AB", "AS names outlive the cache entries");
	geo_free(g);
}

static bool have_writer(void)
{
	return system("perl -MMaxMind::DB::Writer::Tree -e 1 >/dev/null 2>&1") == 0;
}

static bool run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc)
		printf("# '%s' failed (%d)\n", cmd, rc);
	return rc == 0;
}

/* The ip-location-db schema: one top-level country_code. Also the MaxMind
 * registered_country fallback, which the MaxMind test files never need. */
static void test_iplocation(void)
{
	static const char rows[] =
		"1.1.1.0,1.1.1.255,country_code=AU\n"
		"8.8.8.0,8.8.8.255,country_code=US\n"
		"2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,country_code=US\n"
		"81.2.69.0,81.2.69.255,country_code=gb\n"
		"5.5.5.0,5.5.5.255,country_code=ZZ\n"
		"4.4.4.0,4.4.4.255,country_code=USA\n"
		"6.6.6.0,6.6.6.255,registered_country.iso_code=FR\n"
		"7.7.7.0,7.7.7.255,country.iso_code=DE,registered_country.iso_code=FR\n";
	const int n = 14;
	char csv[PATH_MAX], db[PATH_MAX], db4[PATH_MAX];
	if (!have_writer()) {
		skip(n, "perl MaxMind::DB::Writer missing (libmaxmind-db-writer-perl)");
		return;
	}
	write_file(path(csv, tmp, "loc.csv"), rows, sizeof rows - 1);
	path(db, tmp, "iptoasn-country.mmdb");
	path(db4, tmp, "v4only.mmdb");
	if (!ok(run("perl '%s/tests/tools/mkmmdb.pl' '%s' < '%s'", top, db, csv) &&
		run("perl '%s/tests/tools/mkmmdb.pl' -4 '%s' < '%s'", top, db4, csv), "mkmmdb.pl builds both")) {
		skip(n - 1, "mkmmdb.pl failed");
		return;
	}
	struct geo_opts o = { db, NULL, NULL, 0 };
	char *w = NULL;
	struct geo *g = geo_open(&o, &w);
	ok(geo_has_country(g) && !w, "ip-location-db schema database opens");
	is_str(look(g, "1.1.1.1").cc, "AU", "country_code: 1.1.1.1 -> AU");
	is_str(look(g, "8.8.8.8").cc, "US", "country_code: 8.8.8.8 -> US");
	is_str(look(g, "2001:4860:4860::8888").cc, "US", "country_code: 2001:4860:4860::8888 -> US");
	is_str(look(g, "81.2.69.160").cc, "GB", "lower-case code is upper-cased");
	is_str(look(g, "5.5.5.5").cc, "", "ZZ means unknown");
	is_str(look(g, "4.4.4.4").cc, "", "a three-letter code is refused");
	is_str(look(g, "6.6.6.6").cc, "FR", "registered_country.iso_code when country is absent");
	is_str(look(g, "7.7.7.7").cc, "DE", "country.iso_code before registered_country");
	geo_free(g);
	free(w);

	struct geo_opts o4 = { db4, NULL, NULL, 0 };
	struct geo_stats st;
	g = geo_open(&o4, NULL);
	is_str(look(g, "8.8.8.8").cc, "US", "IPv4-only database: IPv4 lookup");
	is_str(look(g, "::ffff:1.1.1.1").cc, "AU", "IPv4-only database: v4-mapped is IPv4");
	is_str(look(g, "2001:4860:4860::8888").cc, "", "IPv4-only database: IPv6 finds nothing");
	geo_stats(g, &st);
	is_u64(st.db_misses, 1, "and counts as a miss");
	geo_free(g);
}

/* tools/asn-csv2mmdb.pl on five rows in the @ip-location-db/asn CSV format. */
static void test_asn_csv(void)
{
	static const char rows[] =
		"1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
		"5.1.0.0,5.1.255.255,3320,\"Deutsche \"\"Telekom\"\" AG\"\n"
		"2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
		"200.0.0.0,200.0.0.255,18881,\"Telef\xc3\xb4nica\x1b[2J Brasil\x07\xe2\x80\xae\tS.A.\"\n"
		"9.9.9.0,9.9.9.255,0,\n";
	const int n = 12;
	char csv[PATH_MAX], db[PATH_MAX];
	if (!have_writer()) {
		skip(n, "perl MaxMind::DB::Writer missing (libmaxmind-db-writer-perl)");
		return;
	}
	write_file(path(csv, tmp, "asn-ipv4.csv"), rows, sizeof rows - 1);
	path(db, tmp, "asn.mmdb");
	if (!ok(run("perl '%s/tools/asn-csv2mmdb.pl' '%s' '%s' 2>/dev/null", top, db, csv), "asn-csv2mmdb.pl runs")) {
		skip(n - 1, "asn-csv2mmdb.pl failed");
		return;
	}
	struct geo_opts o = { NULL, db, NULL, 0 };
	char *w = NULL, buf[1024];
	struct geo *g = geo_open(&o, &w);
	ok(geo_has_asn(g) && !w, "asn.mmdb from asn-csv2mmdb.pl opens");
	geo_describe(g, buf, sizeof buf);
	ok(strstr(buf, "asn.mmdb (ip-location-db-ASN, built "), "its database type");
	/* mmdblookup --file asn.mmdb --ip 1.0.0.1 -> 13335 "Cloudflare, Inc." (checked when this was written) */
	is_u64(look(g, "1.0.0.1").asn, 13335, "1.0.0.1 -> AS13335");
	is_str(geo_as_org(g, 13335), "Cloudflare, Inc.", "quoted name with a comma");
	is_u64(look(g, "5.1.2.3").asn, 3320, "5.1.2.3 -> AS3320");
	is_str(geo_as_org(g, 3320), "Deutsche \"Telekom\" AG", "doubled quotes");
	is_u64(look(g, "2a00:1450:4001::1").asn, 15169, "IPv6 range -> AS15169");
	is_str(geo_as_org(g, 15169), "Google LLC", "unquoted name");
	is_u64(look(g, "200.0.0.1").asn, 18881, "200.0.0.1 -> AS18881");
	is_str(geo_as_org(g, 18881), "Telef\xc3\xb4nica[2J Brasil S.A.",
	       "UTF-8 kept; escape, bell and bidi override removed, tab a space");
	is_u64(look(g, "9.9.9.9").asn, 0, "a row with AS 0 is left out");
	geo_free(g);
	free(w);
}

static int rm1(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(p);
}

int main(void)
{
	top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	path(data, top, "tests/data/geoip");
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof tmp, "%s/test_geo.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp %s\n", tmp);
		return 1;
	}
	test_classify();
	test_names();
	test_maxmind();
	test_bad_files();
	test_search();
	test_cache();
	test_iplocation();
	test_asn_csv();
	nftw(tmp, rm1, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
