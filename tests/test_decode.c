/* Decoder edge cases on datagrams built here field by field (RFC 3954, RFC
 * 7011): each expected value follows from the bytes the test writes. The
 * real vendor captures are checked against tshark in captures.sh. */
#include <stdlib.h>

#include "build.h"
#include "decoded.h"
#include "decode.h"
#include "err.h"
#include "ie.h"
#include "tap.h"
#include "tmpl.h"

static bool is_addr_dest(int d)
{
	return d >= IE_SRC4 && d <= IE_BGP_NH6;
}

#define MAXF 64

struct sink {
	size_t n;
	struct flow f[MAXF];
};

static void collect(void *arg, const struct flow *f)
{
	struct sink *s = arg;
	if (s->n < MAXF)
		s->f[s->n] = *f;
	s->n++;
}

static struct flow_addr EXP;

static int feed(struct decoder *d, struct bld *b, struct sink *s)
{
	return decode_datagram(d, &EXP, 1767323045000ULL, b->b, b->n, collect, s);
}


/* ---- NetFlow v5 ---- */

static void v5_record(struct bld *b, uint8_t last_octet, uint32_t pkts, uint32_t bytes, uint32_t first,
		      uint32_t last, uint16_t sp, uint16_t dp, uint8_t proto)
{
	bip4(b, 10, 0, 0, last_octet); bip4(b, 192, 0, 2, 1); bip4(b, 0, 0, 0, 0);
	b16(b, 3); b16(b, 4); b32(b, pkts); b32(b, bytes); b32(b, first); b32(b, last);
	b16(b, sp); b16(b, dp); b8(b, 0); b8(b, 0x1b); b8(b, proto); b8(b, 0);
	b16(b, 64500); b16(b, 64501); b8(b, 24); b8(b, 24); b16(b, 0);
}

static void v5_header(struct bld *b, uint16_t count, uint32_t seq, uint16_t sampling)
{
	b->n = 0;
	b16(b, 5); b16(b, count); b32(b, 100000); b32(b, 1767323045); b32(b, 500000000);
	b32(b, seq); b8(b, 0); b8(b, 0); b16(b, sampling);
}

static void test_v5(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b;
	struct sink s = { 0 };

	/* Sampling mode 1, interval 100 in the low 14 bits. */
	v5_header(&b, 2, 0, 0x4000 | 100);
	v5_record(&b, 7, 10, 1500, 90000, 99000, 443, 50000, 6);
	v5_record(&b, 8, 1, 60, 95000, 95000, 53, 53, 17);
	is_u64(feed(d, &b, &s), ERR_OK, "v5: datagram decodes");
	is_u64(s.n, 2, "v5: two records");
	is_str(addr(&s.f[0].src), "10.0.0.7", "v5: source address");
	is_str(addr(&s.f[0].dst), "192.0.2.1", "v5: destination address");
	is_u64(s.f[0].bytes, 150000, "v5: bytes scaled by the header's sampling interval");
	is_u64(s.f[0].packets, 1000, "v5: packets scaled");
	is_u64(s.f[0].sampling, 100, "v5: sampling rate recorded");
	/* export 1767323045.5 s, uptime 100000 ms, first 90000 -> 10 s before export */
	is_u64(s.f[0].first_ms, 1767323045500ULL - 10000, "v5: first switched in Unix ms");
	is_u64(s.f[0].last_ms, 1767323045500ULL - 1000, "v5: last switched in Unix ms");
	is_u64(s.f[0].src_as, 64500, "v5: source AS");
	is_u64(s.f[0].in_if, 3, "v5: input interface");
	is_u64(s.f[1].proto, 17, "v5: protocol");

	/* Sequence: 2 flows were sent from 0, so 2 is expected; 5 means 3 lost. */
	v5_header(&b, 1, 5, 0);
	v5_record(&b, 9, 1, 40, 99000, 99000, 1, 2, 6);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(stats(d).seq_lost, 3, "v5: sequence gap counts lost flows");

	/* The count says 30, the datagram holds 1: decode 1, count it malformed. */
	v5_header(&b, 30, 6, 0);
	v5_record(&b, 10, 1, 40, 99000, 99000, 1, 2, 6);
	s.n = 0;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_TRUNCATED, "v5: count past the datagram is reported");
	is_u64(s.n, 1, "v5: only the records present are decoded");
	is_u64(stats(d).malformed, 1, "v5: malformed counted");

	b.n = 10;
	s.n = 0;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_TRUNCATED, "v5: short header is truncated");
	is_u64(s.n, 0, "v5: nothing from a short header");
	decoder_free(d);

	/* --no-scale leaves the exported counters alone. */
	struct decode_opts o;
	decode_opts_default(&o);
	o.no_scale = true;
	d = decoder_new(&o);
	v5_header(&b, 1, 0, 0x4000 | 100);
	v5_record(&b, 7, 10, 1500, 90000, 99000, 443, 50000, 6);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.f[0].bytes, 1500, "v5: no_scale keeps raw bytes");
	is_u64(s.f[0].sampling, 100, "v5: no_scale still reports the rate");
	decoder_free(d);
}

/* ---- NetFlow v9 ---- */

static void v9_template_256(struct bld *b)
{
	size_t at = bset(b, 0);
	b16(b, 256); b16(b, 8);
	b16(b, 8); b16(b, 4);	/* IPV4_SRC_ADDR */
	b16(b, 12); b16(b, 4);	/* IPV4_DST_ADDR */
	b16(b, 1); b16(b, 4);	/* IN_BYTES */
	b16(b, 2); b16(b, 4);	/* IN_PKTS */
	b16(b, 22); b16(b, 4);	/* FIRST_SWITCHED */
	b16(b, 21); b16(b, 4);	/* LAST_SWITCHED */
	b16(b, 4); b16(b, 1);	/* PROTOCOL */
	b16(b, 48); b16(b, 1);	/* FLOW_SAMPLER_ID */
	bend(b, at);
}

static void v9_data_256(struct bld *b, uint8_t host, uint32_t bytes, uint8_t sampler)
{
	size_t at = bset(b, 256);
	bip4(b, 10, 1, 1, host); bip4(b, 10, 2, 2, 2);
	b32(b, bytes); b32(b, 2); b32(b, 50000); b32(b, 59000); b8(b, 17); b8(b, sampler);
	b8(b, 0); b8(b, 0); b8(b, 0);	/* padding to 4 bytes */
	bend(b, at);
}

static void test_v9(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b;
	struct sink s = { 0 };

	/* Data first: held, not lost. */
	v9_header(&b, 1, 60000, 1767323045, 0, 7);
	v9_data_256(&b, 1, 1000, 0);
	is_u64(feed(d, &b, &s), ERR_OK, "v9: data before template is not an error");
	is_u64(s.n, 0, "v9: nothing decoded without the template");
	is_u64(stats(d).waiting_for_template, 1, "v9: one set waits for its template");

	/* The template arrives: the waiting set is decoded with its own header times. */
	v9_header(&b, 1, 61000, 1767323046, 1, 7);
	v9_template_256(&b);
	feed(d, &b, &s);
	is_u64(s.n, 1, "v9: waiting set decoded when the template came");
	is_u64(stats(d).waiting_for_template, 0, "v9: queue empty again");
	is_u64(stats(d).decoded_late, 1, "v9: decoded_late counted");
	is_u64(s.f[0].bytes, 1000, "v9: bytes of the late record");
	is_u64(s.f[0].first_ms, 1767323045000ULL - 10000, "v9: first switched from the held header");
	is_u64(s.f[0].domain, 7, "v9: source id kept");

	/* Options: sampler 5 samples 1 in 64 (FLOW_SAMPLER_ID 48, SAMPLING_INTERVAL 34). */
	v9_header(&b, 3, 62000, 1767323047, 2, 7);
	size_t at = bset(&b, 1);
	b16(&b, 300); b16(&b, 4); b16(&b, 8);
	b16(&b, 1); b16(&b, 4);		/* scope: System */
	b16(&b, 48); b16(&b, 1);
	b16(&b, 34); b16(&b, 4);
	b16(&b, 0);			/* padding */
	bend(&b, at);
	at = bset(&b, 300);
	b32(&b, 0); b8(&b, 5); b32(&b, 64);
	b8(&b, 0); b8(&b, 0); b8(&b, 0);
	bend(&b, at);
	v9_data_256(&b, 2, 100, 5);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.n, 1, "v9: options records are not flows");
	is_u64(stats(d).options_records, 1, "v9: options record counted");
	is_u64(s.f[0].bytes, 6400, "v9: sampler table scales bytes (100 x 64)");
	is_u64(s.f[0].packets, 128, "v9: sampler table scales packets");
	is_u64(stats(d).sampling, 64, "v9: sampling in force reported");

	/* A sequence jump of 3 datagrams. */
	v9_header(&b, 1, 63000, 1767323048, 6, 7);
	v9_data_256(&b, 3, 10, 0);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(stats(d).seq_lost_datagrams, 3, "v9: lost datagrams from the sequence gap");

	/* A flowset length past the datagram end. */
	v9_header(&b, 1, 63000, 1767323048, 7, 7);
	at = bset(&b, 256);
	b32(&b, 1);
	b.b[at + 2] = 0x10;	/* claims 4096 bytes */
	uint64_t mal = stats(d).malformed;
	s.n = 0;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_MALFORMED, "v9: lying flowset length is malformed");
	is_u64(stats(d).malformed, mal + 1, "v9: malformed counted");

	/* A template whose fields add up to zero bytes can never be read. */
	v9_header(&b, 1, 63000, 1767323048, 8, 7);
	at = bset(&b, 0);
	b16(&b, 400); b16(&b, 2); b16(&b, 1); b16(&b, 0); b16(&b, 2); b16(&b, 0);
	bend(&b, at);
	feed(d, &b, &s);
	is_u64(stats(d).templates_rejected, 1, "v9: zero-length template rejected");

	/* More flowsets than the header's record count: the rest is not trusted. */
	v9_header(&b, 1, 63000, 1767323048, 9, 7);
	v9_data_256(&b, 4, 10, 0);
	v9_data_256(&b, 5, 10, 0);
	s.n = 0;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_MALFORMED, "v9: flowsets past the count are malformed");
	is_u64(s.n, 1, "v9: records within the count are kept");
	decoder_free(d);

	/* Bounds: a queue of 2 sets and 4 templates. */
	struct decode_opts o;
	decode_opts_default(&o);
	o.max_pending_sets = 2;
	o.max_templates = 4;
	d = decoder_new(&o);
	v9_header(&b, 3, 1, 1767323045, 0, 0);
	for (int i = 0; i < 3; i++) {
		at = bset(&b, (uint16_t)(500 + i));
		b32(&b, 0);
		bend(&b, at);
	}
	feed(d, &b, &s);
	is_u64(stats(d).waiting_for_template, 2, "v9: pending queue holds its bound");
	is_u64(stats(d).dropped_no_template, 1, "v9: the oldest set is dropped and counted");

	v9_header(&b, 10, 1, 1767323045, 1, 0);
	at = bset(&b, 0);
	for (int i = 0; i < 10; i++) {
		b16(&b, (uint16_t)(1000 + i)); b16(&b, 1); b16(&b, 1); b16(&b, 4);
	}
	bend(&b, at);
	feed(d, &b, &s);
	is_u64(stats(d).templates, 4, "v9: template cache capped per exporter");
	is_u64(stats(d).templates_rejected, 6, "v9: templates past the cap counted");
	decoder_free(d);
}

/* ---- IPFIX ---- */

static void test_ipfix(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b;
	struct sink s = { 0 };

	/* Template 256: IPv6 addresses, a variable-length string, an enterprise
	 * field, 64-bit counters, millisecond times, ICMP type/code. */
	ipfix_header(&b, 1767323045, 0, 3);
	size_t at = bset(&b, 2);
	b16(&b, 256); b16(&b, 9);
	b16(&b, 27); b16(&b, 16);
	b16(&b, 28); b16(&b, 16);
	b16(&b, 82); b16(&b, 0xffff);		/* interfaceName, variable length */
	b16(&b, 0x8000 | 100); b16(&b, 4); b32(&b, 9);	/* enterprise 9, field 100 */
	b16(&b, 1); b16(&b, 8);
	b16(&b, 2); b16(&b, 8);
	b16(&b, 152); b16(&b, 8);
	b16(&b, 153); b16(&b, 8);
	b16(&b, 139); b16(&b, 2);		/* icmpTypeCodeIPv6 */
	bend(&b, at);
	at = bset(&b, 256);
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	/* record 1: 1-byte length string */
	bbytes(&b, a6, 16); bbytes(&b, b6, 16);
	b8(&b, 3); bbytes(&b, "et0", 3);
	b32(&b, 0xdeadbeef);
	b64(&b, 5000000000ULL); b64(&b, 7);
	b64(&b, 1767323040123ULL); b64(&b, 1767323044999ULL);
	b8(&b, 0); b8(&b, 0);
	/* record 2: 3-byte length form (255, then 16 bits) */
	bbytes(&b, b6, 16); bbytes(&b, a6, 16);
	b8(&b, 255); b16(&b, 4); bbytes(&b, "eth1", 4);
	b32(&b, 0);
	b64(&b, 100); b64(&b, 1);
	b64(&b, 1767323041000ULL); b64(&b, 1767323042000ULL);
	b8(&b, 128); b8(&b, 0);			/* echo request */
	bend(&b, at);
	ipfix_end(&b);
	is_u64(feed(d, &b, &s), ERR_OK, "ipfix: message decodes");
	is_u64(s.n, 2, "ipfix: two records across variable-length fields");
	is_str(addr(&s.f[0].src), "2001:db8::1", "ipfix: IPv6 source");
	is_u64(s.f[0].bytes, 5000000000ULL, "ipfix: 64-bit octetDeltaCount");
	is_u64(s.f[0].first_ms, 1767323040123ULL, "ipfix: flowStartMilliseconds");
	is_u64(s.f[0].last_ms, 1767323044999ULL, "ipfix: flowEndMilliseconds");
	is_u64(s.f[1].bytes, 100, "ipfix: record after a 3-byte length");
	is_u64(s.f[1].domain, 3, "ipfix: observation domain kept");

	/* Reduced-size encoding and the other time elements. */
	ipfix_header(&b, 1767323045, 2, 3);
	at = bset(&b, 2);
	b16(&b, 257); b16(&b, 7);
	b16(&b, 8); b16(&b, 4);
	b16(&b, 12); b16(&b, 4);
	b16(&b, 1); b16(&b, 2);		/* octetDeltaCount in 2 bytes */
	b16(&b, 4); b16(&b, 1);
	b16(&b, 32); b16(&b, 2);	/* icmpTypeCodeIPv4 */
	b16(&b, 156); b16(&b, 8);	/* flowStartNanoseconds (NTP) */
	b16(&b, 159); b16(&b, 4);	/* flowEndDeltaMicroseconds */
	bend(&b, at);
	at = bset(&b, 257);
	bip4(&b, 192, 0, 2, 9); bip4(&b, 198, 51, 100, 1);
	b16(&b, 1234); b8(&b, 1); b16(&b, 0x0800);
	b32(&b, (uint32_t)(1767323040ULL + 2208988800ULL)); b32(&b, 0x80000000u);	/* +0.5 s */
	b32(&b, 2000000);		/* 2 s before export */
	bend(&b, at);
	ipfix_end(&b);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.n, 1, "ipfix: reduced-size record");
	is_u64(s.f[0].bytes, 1234, "ipfix: 2-byte counter");
	is_u64(s.f[0].dport, 0x0800, "ipfix: ICMP type/code in the port dimension");
	is_u64(s.f[0].first_ms, 1767323040500ULL, "ipfix: NTP nanosecond start");
	is_u64(s.f[0].last_ms, 1767323043000ULL, "ipfix: delta-microsecond end");

	/* Sampling options 305/306 (1 in 10: interval 1, space 9), and sysUpTime
	 * times resolved through systemInitTimeMilliseconds. */
	ipfix_header(&b, 1767323045, 3, 3);
	at = bset(&b, 3);
	b16(&b, 258); b16(&b, 4); b16(&b, 1);
	b16(&b, 149); b16(&b, 4);	/* scope: observationDomainId */
	b16(&b, 305); b16(&b, 4);
	b16(&b, 306); b16(&b, 4);
	b16(&b, 160); b16(&b, 8);
	bend(&b, at);
	at = bset(&b, 258);
	b32(&b, 3); b32(&b, 1); b32(&b, 9); b64(&b, 1767320000000ULL);
	bend(&b, at);
	at = bset(&b, 2);
	b16(&b, 259); b16(&b, 4);
	b16(&b, 8); b16(&b, 4);
	b16(&b, 1); b16(&b, 4);
	b16(&b, 22); b16(&b, 4);
	b16(&b, 21); b16(&b, 4);
	bend(&b, at);
	at = bset(&b, 259);
	bip4(&b, 192, 0, 2, 10); b32(&b, 50); b32(&b, 1000); b32(&b, 2000);
	bend(&b, at);
	ipfix_end(&b);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.n, 1, "ipfix: options record is no flow");
	is_u64(s.f[0].bytes, 500, "ipfix: samplingPacketInterval/Space scale 1 in 10");
	is_u64(s.f[0].first_ms, 1767320001000ULL, "ipfix: sysUpTime start via systemInitTimeMilliseconds");

	/* Withdrawal (field count 0): data for 259 now waits. */
	ipfix_header(&b, 1767323045, 5, 3);
	at = bset(&b, 2);
	b16(&b, 259); b16(&b, 0);
	bend(&b, at);
	at = bset(&b, 259);
	bip4(&b, 192, 0, 2, 10); b32(&b, 50); b32(&b, 1000); b32(&b, 2000);
	bend(&b, at);
	ipfix_end(&b);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.n, 0, "ipfix: withdrawn template decodes nothing");
	is_u64(stats(d).waiting_for_template, 1, "ipfix: its data waits");

	/* A message length shorter than the header. */
	ipfix_header(&b, 1767323045, 6, 3);
	b.b[3] = 8;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_MALFORMED, "ipfix: impossible message length");

	/* A short tail that is not zero is padding, as nProbe and MikroTik send it. */
	ipfix_header(&b, 1767323045, 6, 3);
	at = bset(&b, 257);
	bip4(&b, 192, 0, 2, 9); bip4(&b, 198, 51, 100, 1);
	b16(&b, 10); b8(&b, 6); b16(&b, 0); b64(&b, 0); b32(&b, 0);
	bip4(&b, 5, 0, 0, 13); bip4(&b, 0, 1, 0, 0);	/* 8 bytes, less than a record */
	bend(&b, at);
	ipfix_end(&b);
	s.n = 0;
	uint64_t mal = stats(d).malformed;
	is_u64(feed(d, &b, &s), ERR_OK, "ipfix: short non-zero tail is padding");
	is_u64(s.n, 1, "ipfix: the record before the tail is kept");

	/* A variable-length field running past the set: the record is cut. */
	ipfix_header(&b, 1767323045, 7, 3);
	at = bset(&b, 256);
	bbytes(&b, a6, 16); bbytes(&b, b6, 16);
	b8(&b, 200); bbytes(&b, "et0", 3);	/* claims 200 bytes, 3 follow */
	for (int i = 0; i < 40; i++)
		b8(&b, 1);
	bend(&b, at);
	ipfix_end(&b);
	s.n = 0;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_TRUNCATED, "ipfix: a cut record is reported");
	is_u64(s.n, 0, "ipfix: nothing from the cut record");
	is_u64(stats(d).malformed, mal + 1, "ipfix: cut record counts the message malformed");
	decoder_free(d);
}

static void test_unknown(void)
{
	struct decoder *d = decoder_new(NULL);
	struct sink s = { 0 };
	uint8_t junk[32] = { 0, 7 };
	is_u64(decode_datagram(d, &EXP, 0, junk, sizeof junk, collect, &s), (uint64_t)ERR_VERSION,
	       "unknown version refused");
	is_u64(decoder_stats(d)->unknown_version, 1, "unknown version counted");
	is_u64(decoder_exporters(d, NULL, 0), 0, "no exporter entry for junk");
	ok(!decode_is_export(junk, sizeof junk), "junk is not an export");
	decoder_free(d);
}

static void test_ie(void)
{
	ok(ie_table_sorted(), "ie: table sorted for the binary search");
	is_u64(ie_dest(22, 0), IE_FIRST_UP, "ie: 22 flowStartSysUpTime");
	is_u64(ie_dest(23, 0), IE_BYTES_OUT, "ie: 23 postOctetDeltaCount");
	is_u64(ie_dest(310, 0), IE_SAMP_POPULATION, "ie: 310 samplingPopulation");
	is_u64(ie_dest(1, IE_PEN_REVERSE), IE_BYTES_REV, "ie: RFC 5103 reverse octets");
	is_u64(ie_dest(1, 9), IE_SKIP, "ie: other enterprises skipped");
	is_u64(ie_dest(3, 0), IE_SKIP, "ie: unused element skipped");
}

/* A template of fixed-length fields runs compiled (offsets known, one
 * bounds check); one with a variable-length field runs field by field. The
 * same leading fields must give the same record either way, including the
 * fields both skip (an integer of 9 bytes, an unknown element) and the
 * order rules of next hops. */
static void test_compiled(void)
{
	static const uint16_t ids[] = { 8, 12, 27, 28, 15, 18, 1, 2, 4, 7, 11, 10, 999, 14, 999 };
	static const uint16_t lens[] = { 4, 4, 16, 4, 4, 4, 3, 8, 1, 2, 9, 4, 5, 0, TMPL_VARLEN };
	uint32_t ens[15] = { 0 };
	struct tmpl *fixed = tmpl_new(256, 0, false, 14, ids, ens, lens);
	struct tmpl *var = tmpl_new(257, 0, false, 15, ids, ens, lens);
	ok(fixed && var && fixed->compiled && !var->compiled, "fixed template compiled, varlen one not");
	uint8_t rec[128];
	size_t n = 0;
	for (size_t i = 0; i < 14; i++)
		n += lens[i];
	for (size_t i = 0; i < n; i++)
		rec[i] = (uint8_t)(i * 37 + 11);
	rec[n] = 0;	/* the varlen field: length 0 */
	struct tmpl_rec a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	struct wire wa = { rec, n, 0 }, wb = { rec, n + 1, 0 };
	bool ra = tmpl_run(fixed, &wa, &a), rb = tmpl_run(var, &wb, &b);
	ok(ra && rb && wa.off == n && wb.off == n + 1, "both read their record whole");
	bool same = a.have == b.have && !memcmp(&a.f, &b.f, sizeof a.f);
	for (int d = 0; d < IE_DEST_MAX; d++)
		if (tmpl_has(&a, (enum ie_dest)d) && !(is_addr_dest(d)))
			same &= a.v[d] == b.v[d];
	ok(same, "compiled and field-by-field runs give the same record");
	/* Bytes: 3 bytes at offset 36 (4+4+16+4+4+4). */
	is_u64(a.v[IE_BYTES], (uint64_t)rec[36] << 16 | (uint64_t)rec[37] << 8 | rec[38], "3-byte counter read");
	ok(!tmpl_has(&a, IE_DPORT), "a 9-byte port is skipped, as if absent");
	char buf[FLOW_ADDRSTRLEN];
	is_str(flow_addr_fmt(&a.f.src, buf, sizeof buf), "11.48.85.122", "IPv4 source kept over the IPv6 element");
	struct wire wc = { rec, n - 1, 0 };
	ok(!tmpl_run(fixed, &wc, &a), "a record one byte short is not read");
	free(fixed);
	free(var);

	/* A destination given twice, in widths read differently (IN_BYTES as 4
	 * then 8 bytes, IN_PKTS as 8 then 2): the later field wins, compiled
	 * (the fields grouped by width) as field by field. */
	static const uint16_t ids2[] = { 1, 2, 8, 1, 2, 4, 999 };
	static const uint16_t lens2[] = { 4, 8, 4, 8, 2, 1, TMPL_VARLEN };
	uint32_t ens2[7] = { 0 };
	fixed = tmpl_new(258, 0, false, 6, ids2, ens2, lens2);
	var = tmpl_new(259, 0, false, 7, ids2, ens2, lens2);
	n = 27;
	for (size_t i = 0; i < n; i++)
		rec[i] = (uint8_t)(i * 29 + 3);
	rec[n] = 0;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	struct wire wd = { rec, n, 0 }, we = { rec, n + 1, 0 };
	ra = fixed && var && fixed->compiled && tmpl_run(fixed, &wd, &a);
	rb = var && tmpl_run(var, &we, &b);
	uint64_t bytes = 0;
	for (int i = 16; i < 24; i++)	/* the second IN_BYTES: 4 + 8 + 4 bytes in */
		bytes = bytes << 8 | rec[i];
	ok(ra && rb && a.v[IE_BYTES] == bytes && b.v[IE_BYTES] == bytes, "the later of two IN_BYTES fields wins (%" PRIu64 ")",
	   a.v[IE_BYTES]);
	ok(ra && rb && a.v[IE_PKTS] == ((uint64_t)rec[24] << 8 | rec[25]) && b.v[IE_PKTS] == a.v[IE_PKTS],
	   "the later of two IN_PKTS fields wins, though narrower");
	ok(ra && rb && a.v[IE_PROTO] == rec[26] && a.have == b.have, "the other fields read alike");
	free(fixed);
	free(var);
}

int main(void)
{
	flow_addr_parse("192.0.2.99", &EXP);
	test_ie();
	test_v5();
	test_v9();
	test_ipfix();
	test_unknown();
	test_compiled();
	return done_testing();
}
