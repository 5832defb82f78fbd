/* GeoIP enrichment end to end: NetFlow v9 datagrams with addresses that the
 * MaxMind test databases in tests/data/geoip know (values checked with
 * mmdblookup, commands beside them) are written to a capture, read by nftop
 * -b with those databases, and the JSON must name the right country and AS,
 * label special ranges as such, and keep the exporter's AS numbers. */
#include <stdlib.h>
#include <unistd.h>

#include "build.h"
#include "flow.h"
#include "tap.h"

static const char *top, *nftop;

static void ip6(struct bld *b, const char *s)
{
	struct flow_addr a;
	flow_addr_parse(s, &a);
	bbytes(b, a.b, 16);
}

/* One v4 record: src, dst, bytes, src AS, dst AS (template 256). */
static void rec4(struct bld *b, uint32_t src, uint32_t dst, uint32_t bytes, uint32_t sas, uint32_t das)
{
	b32(b, src); b32(b, dst); b32(b, bytes); b32(b, 1); b8(b, 6); b32(b, sas); b32(b, das);
}

static void write_pcap(const char *path, struct bld *dgs, int n)
{
	FILE *f = fopen(path, "wb");
	uint8_t gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	fwrite(gh, 1, 24, f);
	for (int i = 0; i < n; i++) {
		struct bld fr = { .n = 0 };
		for (int k = 0; k < 12; k++)
			b8(&fr, 0);
		b16(&fr, 0x0800);
		b8(&fr, 0x45); b8(&fr, 0); b16(&fr, (uint16_t)(28 + dgs[i].n)); b32(&fr, 0); b8(&fr, 64); b8(&fr, 17);
		b16(&fr, 0); bip4(&fr, 192, 0, 2, 1); bip4(&fr, 198, 51, 100, 10);
		b16(&fr, 50000); b16(&fr, 2055); b16(&fr, (uint16_t)(8 + dgs[i].n)); b16(&fr, 0);
		bbytes(&fr, dgs[i].b, dgs[i].n);
		uint32_t rh[4] = { 1767323045u + (uint32_t)i, 0, (uint32_t)fr.n, (uint32_t)fr.n };
		fwrite(rh, 4, 4, f);
		fwrite(fr.b, 1, fr.n, f);
	}
	fclose(f);
}

static char *run(const char *args)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "%s --no-config -b -q -o json %s", nftop, args);
	FILE *p = popen(cmd, "r");
	static char out[1 << 20];
	size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
	out[n] = '\0';
	if (p)
		pclose(p);
	return out;
}

static int has(const char *hay, const char *needle)
{
	int r = strstr(hay, needle) != NULL;
	if (!r)
		printf("#   not found: %s\n", needle);
	return r;
}

int main(void)
{
	top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	nftop = getenv("NFTOP") ? getenv("NFTOP") : "src/nftop";
	struct bld d[2];
	/* Datagram 1: templates 256 (IPv4 + AS) and 257 (IPv6). */
	v9_header(&d[0], 2, 1000, 1767323045, 0, 0);
	size_t at = bset(&d[0], 0);
	b16(&d[0], 256); b16(&d[0], 7);
	b16(&d[0], 8); b16(&d[0], 4); b16(&d[0], 12); b16(&d[0], 4); b16(&d[0], 1); b16(&d[0], 4);
	b16(&d[0], 2); b16(&d[0], 4); b16(&d[0], 4); b16(&d[0], 1); b16(&d[0], 16); b16(&d[0], 4);
	b16(&d[0], 17); b16(&d[0], 4);
	b16(&d[0], 257); b16(&d[0], 5);
	b16(&d[0], 27); b16(&d[0], 16); b16(&d[0], 28); b16(&d[0], 16); b16(&d[0], 1); b16(&d[0], 4);
	b16(&d[0], 2); b16(&d[0], 4); b16(&d[0], 4); b16(&d[0], 1);
	bend(&d[0], at);
	/* Datagram 2: the records. */
	v9_header(&d[1], 2, 2000, 1767323046, 1, 0);
	at = bset(&d[1], 256);
	rec4(&d[1], 0x510245a0, 0x0a010203, 5000, 0, 0);	/* 81.2.69.160 -> 10.1.2.3 */
	rec4(&d[1], 0x59a01470, 0xc0000205, 4000, 0, 0);	/* 89.160.20.112 -> 192.0.2.5 */
	rec4(&d[1], 0x01000001, 0x64400101, 3000, 64500, 0);	/* 1.0.0.1 (exporter AS 64500) -> 100.64.1.1 */
	rec4(&d[1], 0x0c515c01, 0x01800000, 2000, 0, 0);	/* 12.81.92.1 -> 1.128.0.0 */
	bend(&d[1], at);
	at = bset(&d[1], 257);
	ip6(&d[1], "2001:218::1"); ip6(&d[1], "fe80::1"); b32(&d[1], 1000); b32(&d[1], 1); b8(&d[1], 17);
	b8(&d[1], 0); b8(&d[1], 0); b8(&d[1], 0);
	bend(&d[1], at);

	char cap[] = "/tmp/nftop-enrich-XXXXXX";
	int fd = mkstemp(cap);
	close(fd);
	write_pcap(cap, d, 2);

	char args[2048];
	snprintf(args, sizeof args, "-n 20 -r %s --geoip-country %s/tests/data/geoip/GeoIP2-Country-Test.mmdb "
		 "--geoip-asn %s/tests/data/geoip/GeoLite2-ASN-Test.mmdb", cap, top, top);
	const char *out = run(args);
	ok(has(out, "\"totals\":{\"flows\":5,"), "five flows read");
	/* mmdblookup --file tests/data/geoip/GeoIP2-Country-Test.mmdb --ip 81.2.69.160 country iso_code -> GB */
	ok(has(out, "{\"key\":\"GB\",\"name\":\"United Kingdom\",\"flows\":1,\"packets\":1,\"bytes\":5000}"),
	   "81.2.69.160 is GB, United Kingdom");
	/* ... --ip 89.160.20.112 -> SE */
	ok(has(out, "{\"key\":\"SE\",\"name\":\"Sweden\",\"flows\":1,\"packets\":1,\"bytes\":4000}"), "89.160.20.112 is SE");
	/* ... --ip 2001:218::1 -> JP */
	ok(has(out, "{\"key\":\"JP\",\"name\":\"Japan\",\"flows\":1,\"packets\":1,\"bytes\":1000}"), "2001:218::1 is JP");
	ok(has(out, "\"dst_country\":[") && has(out, "{\"key\":\"private\",\"flows\":1,\"packets\":1,\"bytes\":5000}"),
	   "10.1.2.3 is private (RFC 1918)");
	ok(has(out, "{\"key\":\"documentation\",\"flows\":1,\"packets\":1,\"bytes\":4000}"),
	   "192.0.2.5 is documentation (RFC 5737)");
	ok(has(out, "{\"key\":\"cgnat\",\"flows\":1,\"packets\":1,\"bytes\":3000}"), "100.64.1.1 is cgnat (RFC 6598)");
	ok(has(out, "{\"key\":\"link-local\",\"flows\":1,\"packets\":1,\"bytes\":1000}"), "fe80::1 is link-local");
	/* mmdblookup --file tests/data/geoip/GeoLite2-ASN-Test.mmdb --ip 89.160.20.112 -> 29518 "Bredband2 AB" */
	ok(has(out, "{\"key\":\"29518\",\"name\":\"Bredband2 AB\",\"flows\":1,\"packets\":1,\"bytes\":4000}"),
	   "89.160.20.112 is AS29518 Bredband2 AB");
	/* ... --ip 12.81.92.1 -> 7018 "AT&T Services"; --ip 1.128.0.0 -> 1221 "Telstra Pty Ltd" */
	ok(has(out, "{\"key\":\"7018\",\"name\":\"AT&T Services\""), "12.81.92.1 is AS7018");
	ok(has(out, "{\"key\":\"1221\",\"name\":\"Telstra Pty Ltd\""), "1.128.0.0 is AS1221");
	/* 1.0.0.1 is AS15169 in the database, but the exporter said 64500: the exporter wins. */
	ok(has(out, "{\"key\":\"64500\",\"flows\":1,\"packets\":1,\"bytes\":3000}"), "exporter AS 64500 kept");
	ok(!strstr(out, "\"key\":\"15169\""), "database AS 15169 not used over the exporter's");
	ok(has(out, "\"src_prefix\":[") && has(out, "{\"key\":\"81.2.69.0/24\""), "source prefix /24");

	snprintf(args, sizeof args, "-r %s -f 'src country GB'", cap);
	char args2[4096];
	snprintf(args2, sizeof args2, "%s --geoip-country %s/tests/data/geoip/GeoIP2-Country-Test.mmdb", args, top);
	out = run(args2);
	ok(has(out, "\"totals\":{\"flows\":1,\"packets\":1,\"bytes\":5000}"), "filter 'src country GB' keeps one flow");
	snprintf(args2, sizeof args2, "-r %s -f 'dst country private'", cap);
	out = run(args2);
	ok(has(out, "\"totals\":{\"flows\":1,\"packets\":1,\"bytes\":5000}"), "filter 'dst country private'");

	/* Without databases: special ranges still labelled, public ones unknown. */
	snprintf(args, sizeof args, "-n 20 -r %s --geoip-dir /nonexistent", cap);
	out = run(args);
	ok(has(out, "{\"key\":\"private\",\"flows\":1,\"packets\":1,\"bytes\":5000}"), "no database: private still labelled");
	ok(has(out, "{\"key\":\"unknown\",\"flows\":5,"), "no database: the five public addresses are unknown");

	/* A named database that is missing: one line naming it, and nftop goes on (exit 0);
	 * with --strict it stops (exit 1). */
	snprintf(args, sizeof args, "%s --no-config -b -q -r %s --geoip-country /nonexistent/x.mmdb >/dev/null 2>/tmp/nftop-enrich.err",
		 nftop, cap);
	int rc = system(args);
	ok(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "missing named database: runs on");
	FILE *e = fopen("/tmp/nftop-enrich.err", "r");
	char line[512] = "";
	if (e) {
		if (!fgets(line, sizeof line, e))
			line[0] = '\0';
		fclose(e);
	}
	ok(strstr(line, "/nonexistent/x.mmdb") != NULL, "  ... saying which file: %s", line);
	snprintf(args, sizeof args, "%s --no-config -b -q -r %s --geoip-country /nonexistent/x.mmdb --strict >/dev/null 2>&1",
		 nftop, cap);
	rc = system(args);
	ok(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "--strict: exit 1");
	if (!getenv("KEEP"))
		unlink(cap);
	else
		printf("# kept %s\n", cap);
	unlink("/tmp/nftop-enrich.err");
	return done_testing();
}
