/* sFlow v5 decoder and sampled-header parser (sflow.org/sflow_version_5.txt).
 * Datagrams and packets are built here byte by byte, so every expected value
 * follows from the bytes written; then the telegraf captures in
 * tests/data/sflow/ are replayed and checked against tshark 4.0.
 * Extra arguments are captures to replay too (flows, packets and bytes are
 * printed as TAP comments, malformed datagrams fail): the sanitizer run uses
 * that on the shared captures whose licence keeps them out of the tree. */
#include <stdlib.h>

#include "build.h"
#include "decoded.h"
#include "decode.h"
#include "err.h"
#include "hdr.h"
#include "source.h"
#include "tap.h"

#define MAXF 64
#define RECV_MS 1767323045000ULL

struct sink {
	size_t n;
	uint64_t packets, bytes;	/* over every flow, kept or not */
	struct flow f[MAXF];
};

static void collect(void *arg, const struct flow *f)
{
	struct sink *s = arg;
	if (s->n < MAXF)
		s->f[s->n] = *f;
	s->n++;
	s->packets += f->packets;
	s->bytes += f->bytes;
}

/* The UDP source: sFlow must key its exporter by the agent, never this. */
static struct flow_addr UDP_SRC;

static int feed(struct decoder *d, struct bld *b, struct sink *s)
{
	return decode_datagram(d, &UDP_SRC, RECV_MS, b->b, b->n, collect, s);
}


/* The counters of the exporter with address 'a' (zeroed when there is none). */
static struct exporter_stats stats_of(struct decoder *d, const char *a)
{
	struct exporter_stats st[8], none;
	size_t n = decoder_exporters(d, st, 8);
	for (size_t i = 0; i < n && i < 8; i++)
		if (!strcmp(addr(&st[i].addr), a))
			return st[i];
	memset(&none, 0, sizeof none);
	return none;
}

/* ---- builders: XDR lengths are 32-bit, patched when the part is closed ---- */

static size_t open32(struct bld *b)
{
	size_t at = b->n;
	b32(b, 0);
	return at;
}

static void close32(struct bld *b, size_t at)
{
	uint32_t len = (uint32_t)(b->n - at - 4);
	for (int i = 0; i < 4; i++)
		b->b[at + (size_t)i] = (uint8_t)(len >> (24 - 8 * i));
}

static void set32(struct bld *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->b[at + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
}

static void sf_header(struct bld *b, uint8_t agent_last, uint32_t sub, uint32_t seq, uint32_t nsamples)
{
	b->n = 0;
	b32(b, 5);
	b32(b, 1); bip4(b, 192, 0, 2, agent_last);
	b32(b, sub); b32(b, seq); b32(b, 123456); b32(b, nsamples);
}

/* Compact flow sample (format 1); returns where its length is. */
static size_t fs_begin(struct bld *b, uint32_t rate, uint32_t in, uint32_t out, uint32_t nrec)
{
	b32(b, 1);
	size_t at = open32(b);
	b32(b, 77); b32(b, 5); b32(b, rate); b32(b, 1000000); b32(b, 0);
	b32(b, in); b32(b, out); b32(b, nrec);
	return at;
}

/* Expanded flow sample (format 3): interfaces as (format, value) pairs. */
static size_t fsx_begin(struct bld *b, uint32_t rate, uint32_t in_fmt, uint32_t in, uint32_t out_fmt,
			uint32_t out, uint32_t nrec)
{
	b32(b, 3);
	size_t at = open32(b);
	b32(b, 78); b32(b, 0); b32(b, 0x01000005); b32(b, rate); b32(b, 1000000); b32(b, 0);
	b32(b, in_fmt); b32(b, in); b32(b, out_fmt); b32(b, out); b32(b, nrec);
	return at;
}

static size_t rec_begin(struct bld *b, uint32_t format)
{
	b32(b, format);
	return open32(b);
}

static void pad4(struct bld *b)
{
	while (b->n % 4)
		b8(b, 0);
}

static void rec_header(struct bld *b, uint32_t proto, uint32_t frame_len, const struct bld *pkt)
{
	size_t at = rec_begin(b, 1);
	b32(b, proto); b32(b, frame_len); b32(b, 4); b32(b, (uint32_t)pkt->n);
	bbytes(b, pkt->b, pkt->n);
	pad4(b);
	close32(b, at);
}

static void rec_ipv4(struct bld *b, uint32_t len, uint32_t proto, uint8_t s, uint8_t d,
		     uint32_t sport, uint32_t dport)
{
	size_t at = rec_begin(b, 3);
	b32(b, len); b32(b, proto); bip4(b, 10, 9, 9, s); bip4(b, 10, 9, 9, d);
	b32(b, sport); b32(b, dport); b32(b, 0x12); b32(b, 0x20);
	close32(b, at);
}

static const uint8_t V6A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
static const uint8_t V6B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0b };

static void rec_ipv6(struct bld *b, uint32_t len, uint32_t proto, uint32_t sport, uint32_t dport)
{
	size_t at = rec_begin(b, 4);
	b32(b, len); b32(b, proto); bbytes(b, V6A, 16); bbytes(b, V6B, 16);
	b32(b, sport); b32(b, dport); b32(b, 0); b32(b, 0);
	close32(b, at);
}

static void rec_router(struct bld *b, uint8_t nh_last)
{
	size_t at = rec_begin(b, 1002);
	b32(b, 1); bip4(b, 198, 51, 100, nh_last); b32(b, 24); b32(b, 16);
	close32(b, at);
}

static void rec_switch(struct bld *b)
{
	size_t at = rec_begin(b, 1001);
	b32(b, 100); b32(b, 0); b32(b, 200); b32(b, 0);
	close32(b, at);
}

/* ---- packets ---- */

static void pk_eth(struct bld *b, uint16_t type)
{
	for (int i = 0; i < 12; i++)
		b8(b, (uint8_t)(i < 6 ? 0x02 : 0x04));
	b16(b, type);
}

static void pk_ip4(struct bld *b, uint8_t proto, uint8_t s, uint8_t d, uint16_t total, uint16_t frag)
{
	b8(b, 0x45); b8(b, 0xb8); b16(b, total); b16(b, 0x1234); b16(b, frag);
	b8(b, 64); b8(b, proto); b16(b, 0);
	bip4(b, 203, 0, 113, s); bip4(b, 198, 51, 100, d);
}

static void pk_ip6(struct bld *b, uint8_t next, uint16_t plen)
{
	b32(b, 0x6a000000);	/* traffic class 0xa0 */
	b16(b, plen); b8(b, next); b8(b, 64);
	bbytes(b, V6A, 16); bbytes(b, V6B, 16);
}

static void pk_tcp(struct bld *b, uint16_t sp, uint16_t dp, uint8_t flags)
{
	b16(b, sp); b16(b, dp); b32(b, 1); b32(b, 2); b8(b, 0x50); b8(b, flags);
	b16(b, 1024); b16(b, 0); b16(b, 0);
}

static void pk_udp(struct bld *b, uint16_t sp, uint16_t dp)
{
	b16(b, sp); b16(b, dp); b16(b, 8); b16(b, 0);
}

/* Ethernet, IPv4, TCP 40000 -> 443 SYN|ACK: 54 bytes. */
static void pk_web(struct bld *b, uint8_t s, uint8_t d)
{
	b->n = 0;
	pk_eth(b, 0x0800);
	pk_ip4(b, 6, s, d, 1500, 0x4000);
	pk_tcp(b, 40000, 443, 0x12);
}

/* ---- hdr ---- */

static void test_hdr(void)
{
	struct bld p;
	struct flow f;

	pk_web(&p, 1, 2);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: Ethernet IPv4 TCP parses");
	is_str(addr(&f.src), "203.0.113.1", "hdr: IPv4 source");
	is_str(addr(&f.dst), "198.51.100.2", "hdr: IPv4 destination");
	is_u64(f.proto, 6, "hdr: TCP");
	is_u64(f.sport, 40000, "hdr: TCP source port");
	is_u64(f.dport, 443, "hdr: TCP destination port");
	is_u64(f.tcp_flags, 0x12, "hdr: TCP flags");
	is_u64(f.tos, 0xb8, "hdr: IPv4 TOS");

	/* 802.1ad outer tag, 802.1Q inner tag, then IPv4/UDP. */
	p.n = 0;
	pk_eth(&p, 0x88a8); b16(&p, 10); b16(&p, 0x8100); b16(&p, 20); b16(&p, 0x0800);
	pk_ip4(&p, 17, 3, 4, 28, 0);
	pk_udp(&p, 5353, 53);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: QinQ parses");
	is_u64(f.dport, 53, "hdr: QinQ to UDP destination port");
	is_str(addr(&f.src), "203.0.113.3", "hdr: QinQ to IPv4 source");

	/* MPLS over Ethernet, two labels (bottom of stack on the second). */
	p.n = 0;
	pk_eth(&p, 0x8847); b32(&p, 0x00010040); b32(&p, 0x00020140);
	pk_ip4(&p, 17, 5, 6, 28, 0);
	pk_udp(&p, 1000, 2000);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: MPLS label stack parses");
	is_u64(f.sport, 1000, "hdr: MPLS to UDP source port");
	is_str(addr(&f.dst), "198.51.100.6", "hdr: MPLS to IPv4 destination");

	/* header_protocol MPLS (13): the stack first, IPv6 under it. */
	p.n = 0;
	b32(&p, 0x00030140);
	pk_ip6(&p, 17, 8);
	pk_udp(&p, 4789, 4789);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_MPLS, &f), "hdr: raw MPLS header_protocol parses");
	is_str(addr(&f.src), "2001:db8::a", "hdr: MPLS to IPv6 source");
	is_u64(f.dport, 4789, "hdr: MPLS to IPv6 UDP port");

	/* IPv6: hop-by-hop (8 bytes), routing (24 bytes), first fragment, TCP. */
	p.n = 0;
	pk_eth(&p, 0x86dd);
	pk_ip6(&p, 0, 200);
	b8(&p, 43); b8(&p, 0); b16(&p, 0); b32(&p, 0);
	b8(&p, 44); b8(&p, 2); b16(&p, 0); b32(&p, 0); bbytes(&p, V6A, 16);
	b8(&p, 6); b8(&p, 0); b16(&p, 0x0001); b32(&p, 99);
	pk_tcp(&p, 22, 50000, 0x18);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: IPv6 with extension headers parses");
	is_u64(f.proto, 6, "hdr: IPv6 protocol after hop-by-hop, routing, fragment");
	is_u64(f.sport, 22, "hdr: IPv6 TCP source port past the extension headers");
	is_u64(f.tcp_flags, 0x18, "hdr: IPv6 TCP flags");
	is_u64(f.tos, 0xa0, "hdr: IPv6 traffic class");

	/* A later IPv6 fragment has no transport header. */
	p.n = 0;
	pk_ip6(&p, 44, 100);
	b8(&p, 17); b8(&p, 0); b16(&p, 0x0100); b32(&p, 99);
	pk_udp(&p, 1, 2);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_IPV6, &f), "hdr: raw IPv6 header_protocol parses");
	is_u64(f.proto, 17, "hdr: IPv6 fragment's protocol");
	is_u64(f.sport + f.dport, 0, "hdr: no ports from a later IPv6 fragment");

	/* A later IPv4 fragment neither. */
	p.n = 0;
	pk_ip4(&p, 17, 7, 8, 100, 0x0010);
	pk_udp(&p, 1, 2);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_IPV4, &f), "hdr: raw IPv4 header_protocol parses");
	is_u64(f.sport + f.dport, 0, "hdr: no ports from a later IPv4 fragment");

	/* ICMP destination unreachable / port unreachable: 3 * 256 + 3. */
	p.n = 0;
	pk_ip4(&p, 1, 9, 10, 56, 0);
	b8(&p, 3); b8(&p, 3); b16(&p, 0);
	memset(&f, 0, sizeof f);
	hdr_parse(p.b, p.n, HDR_IPV4, &f);
	is_u64(f.dport, 771, "hdr: ICMP type * 256 + code in dport");
	is_u64(f.sport, 0, "hdr: ICMP source port 0");

	/* ICMPv6 echo request: 128 * 256. */
	p.n = 0;
	pk_ip6(&p, 58, 8);
	b8(&p, 128); b8(&p, 0); b16(&p, 0); b32(&p, 0);
	memset(&f, 0, sizeof f);
	hdr_parse(p.b, p.n, HDR_IPV6, &f);
	is_u64(f.dport, 32768, "hdr: ICMPv6 type * 256 + code in dport");

	/* Cut short inside TCP: addresses, no ports. */
	pk_web(&p, 1, 2);
	p.n = 14 + 20 + 2;
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: header cut inside TCP still gives addresses");
	is_u64(f.sport + f.dport, 0, "hdr: no ports from a cut transport header");

	/* Cut inside the IPv4 header, non-IP frames, unknown protocols: nothing, f untouched. */
	p.n = 14 + 19;
	memset(&f, 0, sizeof f);
	f.sport = 7;
	ok(!hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: header cut inside IPv4 is refused");
	is_u64(f.sport, 7, "hdr: a refused header leaves the flow alone");
	p.n = 0;
	pk_eth(&p, 0x0806);
	for (int i = 0; i < 28; i++)
		b8(&p, 0);
	ok(!hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: ARP is not IP");
	pk_web(&p, 1, 2);
	ok(!hdr_parse(p.b, p.n, 2, &f), "hdr: token bus header_protocol is not read");
	ok(!hdr_parse(p.b, 0, HDR_ETHERNET, &f), "hdr: empty header");
	p.b[14] = 0x4f;		/* IHL 60 bytes, more than there is */
	ok(!hdr_parse(p.b, 14 + 40, HDR_ETHERNET, &f), "hdr: IPv4 header length past the bytes");
	/* A label stack that never ends. */
	p.n = 0;
	for (int i = 0; i < 8; i++)
		b32(&p, 0x00010040);
	ok(!hdr_parse(p.b, p.n, HDR_MPLS, &f), "hdr: MPLS stack without bottom");

	/* LLC/SNAP and PPPoE carry an IP packet too. */
	p.n = 0;
	for (int i = 0; i < 12; i++)
		b8(&p, 2);
	b16(&p, 48);
	b8(&p, 0xaa); b8(&p, 0xaa); b8(&p, 3); b8(&p, 0); b8(&p, 0); b8(&p, 0); b16(&p, 0x0800);
	pk_ip4(&p, 17, 11, 12, 28, 0);
	pk_udp(&p, 123, 123);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f) && f.dport == 123, "hdr: 802.3 LLC/SNAP to IPv4");
	p.n = 0;
	pk_eth(&p, 0x8864); b8(&p, 0x11); b8(&p, 0); b16(&p, 1); b16(&p, 50); b16(&p, 0x0021);
	pk_ip4(&p, 6, 13, 14, 40, 0);
	pk_tcp(&p, 1, 179, 2);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f) && f.dport == 179, "hdr: PPPoE session to IPv4");
	p.n = 0;
	b8(&p, 0xff); b8(&p, 0x03); b16(&p, 0x0057);
	pk_ip6(&p, 17, 8);
	pk_udp(&p, 1, 500);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_PPP, &f) && f.dport == 500, "hdr: PPP to IPv6");

	/* The IP length metering counts is the header's, whatever the frame. */
	uint32_t ipl = 0;
	pk_web(&p, 1, 2);	/* total length 1500, only 54 bytes captured */
	ok(hdr_parse_ip(p.b, p.n, HDR_ETHERNET, &f, &ipl) && ipl == 1500,
	   "hdr: a frame cut by the snap length counts its IP total length");
	p.n = 0;
	pk_eth(&p, 0x0800); pk_ip4(&p, 17, 1, 2, 28, 0); pk_udp(&p, 1, 2);
	for (int i = 0; i < 18; i++)
		b8(&p, 0);	/* padded to the 60-byte Ethernet minimum */
	ipl = 0;
	ok(hdr_parse_ip(p.b, p.n, HDR_ETHERNET, &f, &ipl) && ipl == 28,
	   "hdr: Ethernet padding after a short packet is not counted");
	p.n = 0;
	pk_eth(&p, 0x0800); pk_ip4(&p, 6, 1, 2, 0, 0); pk_tcp(&p, 1, 2, 0x10);
	ipl = 0;
	ok(hdr_parse_ip(p.b, p.n, HDR_ETHERNET, &f, &ipl) && ipl == 40,
	   "hdr: IPv4 total length 0 (offload) counts the bytes present");
	p.n = 0;
	pk_eth(&p, 0x86dd); pk_ip6(&p, 17, 8); pk_udp(&p, 7, 8);
	for (int i = 0; i < 100; i++)
		b8(&p, 0);
	ipl = 0;
	ok(hdr_parse_ip(p.b, p.n, HDR_ETHERNET, &f, &ipl) && ipl == 48,
	   "hdr: IPv6 counts payload length + 40");

	/* Ethernet pseudowire (RFC 4448): label, control word, then a tagged
	 * Ethernet frame carrying IPv4/UDP. */
	p.n = 0;
	pk_eth(&p, 0x8847); b32(&p, 0x00010140); b32(&p, 0);
	pk_eth(&p, 0x8100); b16(&p, 7); b16(&p, 0x0800);
	pk_ip4(&p, 17, 9, 10, 28, 0); pk_udp(&p, 3000, 4000);
	memset(&f, 0, sizeof f);
	ok(hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: MPLS Ethernet pseudowire parses");
	is_str(addr(&f.src), "203.0.113.9", "hdr: pseudowire to the inner IPv4 source");
	is_u64(f.dport, 4000, "hdr: pseudowire to the inner UDP port");
	/* A control word followed by something that is not Ethernet with IP. */
	p.n = 0;
	pk_eth(&p, 0x8847); b32(&p, 0x00010140); b32(&p, 0);
	pk_eth(&p, 0x0806);
	for (int i = 0; i < 28; i++)
		b8(&p, 0);
	ok(!hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: pseudowire carrying ARP is not IP");
	/* Pseudowires nested past the bound are not followed. */
	p.n = 0;
	pk_eth(&p, 0x8847);
	for (int i = 0; i < 6; i++) {
		b32(&p, 0x00010140); b32(&p, 0); pk_eth(&p, 0x8847);
	}
	b32(&p, 0x00010140);
	pk_ip4(&p, 17, 9, 10, 28, 0); pk_udp(&p, 3000, 4000);
	ok(!hdr_parse(p.b, p.n, HDR_ETHERNET, &f), "hdr: nesting past 4 levels is refused");
}

/* ---- sFlow datagrams ---- */

static void test_flow_sample(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b, p;
	struct sink s = { 0 };

	/* One compact sample: switch record, then the header; 1 in 400. */
	pk_web(&p, 1, 2);
	sf_header(&b, 7, 3, 100, 1);
	size_t at = fs_begin(&b, 400, 12, 13, 2);
	rec_switch(&b);
	rec_header(&b, HDR_ETHERNET, 1518, &p);
	close32(&b, at);
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: datagram decodes");
	is_u64(s.n, 1, "sflow: one flow per flow sample");
	is_str(addr(&s.f[0].src), "203.0.113.1", "sflow: source from the sampled header");
	is_str(addr(&s.f[0].dst), "198.51.100.2", "sflow: destination from the sampled header");
	is_u64(s.f[0].dport, 443, "sflow: port from the sampled header");
	is_u64(s.f[0].bytes, 1518 * 400, "sflow: bytes = frame length x sampling rate");
	is_u64(s.f[0].packets, 400, "sflow: packets = 1 x sampling rate");
	is_u64(s.f[0].sampling, 400, "sflow: sampling rate recorded");
	is_u64(s.f[0].in_if, 12, "sflow: input interface");
	is_u64(s.f[0].out_if, 13, "sflow: output interface");
	is_u64(s.f[0].first_ms, RECV_MS, "sflow: first = receive time");
	is_u64(s.f[0].last_ms, RECV_MS, "sflow: last = receive time");
	is_u64(s.f[0].version, DECODE_VERSION_SFLOW5, "sflow: flow version 105");
	is_u64(s.f[0].domain, 3, "sflow: sub-agent id as the domain");
	is_str(addr(&s.f[0].exporter), "192.0.2.7", "sflow: exporter is the agent, not the UDP source");
	struct exporter_stats st = stats(d);
	is_str(addr(&st.addr), "192.0.2.7", "sflow: exporter entry keyed by the agent");
	is_u64(st.version, DECODE_VERSION_SFLOW5, "sflow: exporter version 105");
	is_u64(st.flows, 1, "sflow: flows counted");
	is_u64(st.sampling, 400, "sflow: sampling in force");

	/* Another agent through the same UDP source is another exporter. */
	sf_header(&b, 8, 0, 1, 1);
	at = fs_begin(&b, 1, 1, 2, 1);
	rec_header(&b, HDR_ETHERNET, 60, &p);
	close32(&b, at);
	feed(d, &b, &s);
	is_u64(decoder_exporters(d, NULL, 0), 2, "sflow: two agents behind one source are two exporters");
	decoder_free(d);

	/* --no-scale: raw frame length and one packet, rate still reported. */
	struct decode_opts o;
	decode_opts_default(&o);
	o.no_scale = true;
	d = decoder_new(&o);
	sf_header(&b, 7, 0, 1, 1);
	at = fs_begin(&b, 400, 1, 2, 1);
	rec_header(&b, HDR_ETHERNET, 1518, &p);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.f[0].bytes, 1518, "sflow: no_scale keeps the frame length");
	is_u64(s.f[0].packets, 1, "sflow: no_scale keeps one packet");
	is_u64(s.f[0].sampling, 400, "sflow: no_scale still reports the rate");
	decoder_free(d);

	/* Interfaces: compact 0x3fffffff is the agent itself; format 2 is
	 * several outputs (value = how many), not an ifIndex. */
	d = decoder_new(NULL);
	sf_header(&b, 7, 0, 1, 1);
	at = fs_begin(&b, 1, 0x3fffffff, 0x80000003, 1);
	rec_header(&b, HDR_ETHERNET, 64, &p);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.f[0].in_if, 0, "sflow: compact 0x3fffffff (internal) is no interface");
	is_u64(s.f[0].out_if, 0, "sflow: compact format 2 (multiple outputs) is no interface");

	/* Expanded sample: 32-bit ifIndex values in (format, value) pairs. */
	sf_header(&b, 7, 0, 2, 1);
	at = fsx_begin(&b, 2048, 0, 0x01000005, 0, 0x40000000, 1);
	rec_header(&b, HDR_ETHERNET, 100, &p);
	close32(&b, at);
	s.n = 0;
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: expanded flow sample decodes");
	is_u64(s.n, 1, "sflow: expanded flow sample gives a flow");
	is_u64(s.f[0].in_if, 0x01000005, "sflow: expanded input ifIndex past 24 bits");
	is_u64(s.f[0].out_if, 0x40000000, "sflow: expanded output ifIndex past 30 bits");
	is_u64(s.f[0].bytes, 100 * 2048, "sflow: expanded bytes scaled");
	sf_header(&b, 7, 0, 3, 1);
	at = fsx_begin(&b, 1, 0, 0xffffffff, 1, 17, 1);
	rec_header(&b, HDR_ETHERNET, 100, &p);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.f[0].in_if, 0, "sflow: expanded 0xffffffff (internal) is no interface");
	is_u64(s.f[0].out_if, 0, "sflow: expanded format 1 (discarded) is no interface");
	decoder_free(d);
}

static void test_ip_records(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b, p;
	struct sink s = { 0 };

	/* Sampled IPv4 only: addresses, ports, IP length as bytes. */
	sf_header(&b, 7, 0, 1, 1);
	size_t at = fs_begin(&b, 10, 1, 2, 1);
	rec_ipv4(&b, 576, 17, 1, 2, 5000, 53);
	close32(&b, at);
	feed(d, &b, &s);
	is_str(addr(&s.f[0].src), "10.9.9.1", "sflow: sampled IPv4 source");
	is_str(addr(&s.f[0].dst), "10.9.9.2", "sflow: sampled IPv4 destination");
	is_u64(s.f[0].proto, 17, "sflow: sampled IPv4 protocol");
	is_u64(s.f[0].sport, 5000, "sflow: sampled IPv4 source port");
	is_u64(s.f[0].dport, 53, "sflow: sampled IPv4 destination port");
	is_u64(s.f[0].tos, 0x20, "sflow: sampled IPv4 TOS");
	is_u64(s.f[0].tcp_flags, 0x12, "sflow: sampled IPv4 TCP flags");
	is_u64(s.f[0].bytes, 5760, "sflow: sampled IPv4 length x rate as bytes");

	/* ICMP echo request in a sampled IPv4 record: type 8 in src_port, code 0. */
	sf_header(&b, 7, 0, 2, 1);
	at = fs_begin(&b, 1, 1, 2, 1);
	rec_ipv4(&b, 84, 1, 1, 2, 8, 0);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.f[0].dport, 2048, "sflow: sampled IPv4 ICMP type * 256 + code");
	is_u64(s.f[0].sport, 0, "sflow: sampled IPv4 ICMP source port 0");

	/* Sampled IPv6 only. */
	sf_header(&b, 7, 0, 3, 1);
	at = fs_begin(&b, 1, 1, 2, 1);
	rec_ipv6(&b, 1280, 6, 443, 40001);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_str(addr(&s.f[0].src), "2001:db8::a", "sflow: sampled IPv6 source");
	is_str(addr(&s.f[0].dst), "2001:db8::b", "sflow: sampled IPv6 destination");
	is_u64(s.f[0].dport, 40001, "sflow: sampled IPv6 destination port");
	is_u64(s.f[0].bytes, 1280, "sflow: sampled IPv6 length as bytes");

	/* Header and IPv4 record disagree: the packet's own header wins, and
	 * the frame length is the byte count. */
	pk_web(&p, 1, 2);
	sf_header(&b, 7, 0, 4, 1);
	at = fs_begin(&b, 1, 1, 2, 2);
	rec_ipv4(&b, 1000, 17, 5, 6, 1, 2);
	rec_header(&b, HDR_ETHERNET, 1518, &p);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_str(addr(&s.f[0].src), "203.0.113.1", "sflow: sampled header preferred to the IPv4 record");
	is_u64(s.f[0].bytes, 1518, "sflow: frame length preferred to the IP length");

	/* A header that is no IP packet (ARP) leaves the addresses to the record. */
	p.n = 0;
	pk_eth(&p, 0x0806);
	for (int i = 0; i < 28; i++)
		b8(&p, 0);
	sf_header(&b, 7, 0, 5, 1);
	at = fs_begin(&b, 1, 1, 2, 2);
	rec_header(&b, HDR_ETHERNET, 64, &p);
	rec_ipv4(&b, 46, 17, 5, 6, 1, 2);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_str(addr(&s.f[0].src), "10.9.9.5", "sflow: non-IP header falls back to the IPv4 record");
	is_u64(s.f[0].bytes, 64, "sflow: the frame length still counts");

	/* A sample with a non-IP header only is still one sampled packet. */
	sf_header(&b, 7, 0, 6, 1);
	at = fs_begin(&b, 3, 1, 2, 1);
	rec_header(&b, HDR_ETHERNET, 64, &p);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_u64(s.n, 1, "sflow: a non-IP sample is a flow");
	ok(flow_addr_is_zero(&s.f[0].src), "sflow: ... without addresses");
	is_u64(s.f[0].bytes, 192, "sflow: ... with its bytes");
	decoder_free(d);
}

static void gateway(struct bld *b, uint8_t nh_last, uint32_t src_as, uint32_t nseg, const uint32_t *seg)
{
	size_t at = rec_begin(b, 1003);
	b32(b, 1); bip4(b, 192, 0, 2, nh_last);
	b32(b, 64500);		/* the router's own AS */
	b32(b, src_as); b32(b, 64999);
	b32(b, nseg);
	for (uint32_t i = 0, k = 0; i < nseg; i++) {
		uint32_t n = seg[k + 1];
		b32(b, seg[k]); b32(b, n);
		for (uint32_t j = 0; j < n; j++)
			b32(b, seg[k + 2 + j]);
		k += 2 + n;
	}
	b32(b, 2); b32(b, 0xfde80001); b32(b, 0xfde80002);	/* communities */
	b32(b, 100);						/* localpref */
	close32(b, at);
}

static void test_extended(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b, p;
	struct sink s = { 0 };
	pk_web(&p, 1, 2);

	/* Gateway then router: AS_SET {1, 2}, AS_SEQUENCE {3, 4, 65551} -> 65551. */
	static const uint32_t path[] = { 1, 2, 1, 2, 2, 3, 3, 4, 65551 };
	sf_header(&b, 7, 0, 1, 1);
	size_t at = fs_begin(&b, 1, 1, 2, 4);
	rec_header(&b, HDR_ETHERNET, 100, &p);
	gateway(&b, 9, 65000, 2, path);
	rec_router(&b, 1);
	size_t rec = rec_begin(&b, 2000);	/* an unknown standard record */
	b32(&b, 0xdeadbeef);
	close32(&b, rec);
	close32(&b, at);
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: extended records decode");
	is_u64(s.f[0].src_as, 65000, "sflow: gateway src_as");
	is_u64(s.f[0].dst_as, 65551, "sflow: dst_as is the last AS of the path");
	is_str(addr(&s.f[0].nexthop), "198.51.100.1", "sflow: router next hop preferred to the gateway's");
	is_u64(s.f[0].dport, 443, "sflow: unknown record skipped by its length");

	/* Gateway only, empty path: its next hop, no destination AS. */
	sf_header(&b, 7, 0, 2, 1);
	at = fs_begin(&b, 1, 1, 2, 2);
	gateway(&b, 9, 65000, 0, NULL);
	rec_header(&b, HDR_ETHERNET, 100, &p);
	close32(&b, at);
	s.n = 0;
	feed(d, &b, &s);
	is_str(addr(&s.f[0].nexthop), "192.0.2.9", "sflow: gateway next hop without a router record");
	is_u64(s.f[0].dst_as, 0, "sflow: empty AS path, no destination AS");

	/* An enterprise record with format 1 is not a sampled header. */
	sf_header(&b, 7, 0, 3, 1);
	at = fs_begin(&b, 1, 1, 2, 2);
	rec = rec_begin(&b, 4413u << 12 | 1);
	for (int i = 0; i < 5; i++)
		b32(&b, 0xffffffff);
	close32(&b, rec);
	rec_ipv4(&b, 40, 6, 1, 2, 3, 4);
	close32(&b, at);
	s.n = 0;
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: enterprise record skipped");
	is_str(addr(&s.f[0].src), "10.9.9.1", "sflow: ... and the standard record after it read");
	decoder_free(d);
}

static void test_samples(void)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b, p;
	struct sink s = { 0 };
	pk_web(&p, 1, 2);

	/* Counter sample, drop sample (5), enterprise sample, expanded counters,
	 * then a flow sample: two counted, two skipped, one flow. */
	sf_header(&b, 7, 0, 1, 5);
	b32(&b, 2); size_t at = open32(&b); b32(&b, 1); b32(&b, 5); b32(&b, 0); close32(&b, at);
	b32(&b, 5); at = open32(&b); b32(&b, 1); b32(&b, 2); b32(&b, 3); close32(&b, at);
	b32(&b, 4413u << 12 | 1); at = open32(&b); b32(&b, 0); close32(&b, at);
	b32(&b, 4); at = open32(&b); b32(&b, 1); b32(&b, 0); b32(&b, 5); b32(&b, 0); close32(&b, at);
	at = fs_begin(&b, 1, 1, 2, 1);
	rec_header(&b, HDR_ETHERNET, 100, &p);
	close32(&b, at);
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: mixed samples decode");
	is_u64(s.n, 1, "sflow: only the flow sample is a flow");
	is_u64(stats(d).counter_samples, 2, "sflow: compact and expanded counter samples counted");
	is_u64(stats(d).flows, 1, "sflow: counter samples are not flows");

	/* Sequence numbers per (agent, sub-agent): 1 then 4 loses 2; sub-agent 9
	 * has its own sequence. */
	sf_header(&b, 7, 0, 4, 0);
	feed(d, &b, &s);
	is_u64(stats(d).seq_lost_datagrams, 2, "sflow: sequence gap counts lost datagrams");
	sf_header(&b, 7, 9, 500, 0);
	feed(d, &b, &s);
	sf_header(&b, 7, 0, 5, 0);
	feed(d, &b, &s);
	sf_header(&b, 7, 9, 501, 0);
	feed(d, &b, &s);
	is_u64(stats(d).seq_lost_datagrams, 2, "sflow: sub-agents keep separate sequences");
	decoder_free(d);

	/* IPv6 agent address. */
	d = decoder_new(NULL);
	b.n = 0;
	b32(&b, 5); b32(&b, 2); bbytes(&b, V6A, 16);
	b32(&b, 0); b32(&b, 1); b32(&b, 1); b32(&b, 1);
	at = fs_begin(&b, 1, 1, 2, 1);
	rec_header(&b, HDR_ETHERNET, 100, &p);
	close32(&b, at);
	s.n = 0;
	ok(decode_is_export(b.b, b.n), "sflow: IPv6 agent datagram is an export");
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: IPv6 agent decodes");
	is_u64(stats_of(d, "2001:db8::a").flows, 1, "sflow: IPv6 agent is the exporter");
	decoder_free(d);
}

/* Two good samples, then a third whose lengths are wrong in the way 'bad' says. */
enum bad { BAD_SAMPLE_LEN, BAD_RECORD_LEN, BAD_HEADER_LEN, BAD_NREC, BAD_NSAMPLES,
	   BAD_IPV4_SHORT, BAD_AS_COUNT, BAD_NSEG, BAD_ADDR_TYPE, BAD_SAMPLE_FIELDS };

static int malformed(enum bad what, size_t *nflows, uint64_t *nmalformed)
{
	struct decoder *d = decoder_new(NULL);
	struct bld b, p;
	struct sink s = { 0 };
	pk_web(&p, 1, 2);
	sf_header(&b, 7, 0, 1, what == BAD_NSAMPLES ? 9 : 3);
	for (int i = 0; i < 2; i++) {
		size_t at = fs_begin(&b, 1, 1, 2, 1);
		rec_header(&b, HDR_ETHERNET, 100, &p);
		close32(&b, at);
	}
	if (what != BAD_NSAMPLES) {
		size_t at = fs_begin(&b, 1, 1, 2, what == BAD_NREC ? 5 : 1), rec, seg;
		switch (what) {
		case BAD_RECORD_LEN:
			rec_header(&b, HDR_ETHERNET, 100, &p);
			set32(&b, at + 4 + 32 + 4, 1000);
			break;
		case BAD_HEADER_LEN:
			rec_header(&b, HDR_ETHERNET, 100, &p);
			set32(&b, at + 4 + 32 + 8 + 12, 200);
			break;
		case BAD_IPV4_SHORT:
			rec = rec_begin(&b, 3);
			b32(&b, 40); b32(&b, 6);
			close32(&b, rec);
			break;
		case BAD_AS_COUNT:
		case BAD_NSEG:
			rec = rec_begin(&b, 1003);
			b32(&b, 1); bip4(&b, 192, 0, 2, 1); b32(&b, 1); b32(&b, 2); b32(&b, 3);
			/* one AS_SEQUENCE of 1000 ASes holding one; or 2^32-1
			 * segments of which one is there */
			seg = b.n;
			b32(&b, 1); b32(&b, 2); b32(&b, 1000); b32(&b, 64496);
			if (what == BAD_NSEG) {
				set32(&b, seg, 0xffffffff);
				set32(&b, seg + 8, 1);
			}
			close32(&b, rec);
			break;
		case BAD_ADDR_TYPE:
			rec = rec_begin(&b, 1002);
			b32(&b, 3); bip4(&b, 1, 2, 3, 4); b32(&b, 1); b32(&b, 2);
			close32(&b, rec);
			break;
		default:
			rec_header(&b, HDR_ETHERNET, 100, &p);
		}
		close32(&b, at);
		if (what == BAD_SAMPLE_LEN)
			set32(&b, at, (uint32_t)(b.n - at));	/* 4 bytes more than there are */
		if (what == BAD_SAMPLE_FIELDS)
			set32(&b, at, 16);	/* too short for the sample's own fields */
	}
	int rc = feed(d, &b, &s);
	*nflows = s.n;
	*nmalformed = stats(d).malformed;
	decoder_free(d);
	return rc;
}

static void test_malformed(void)
{
	static const struct { enum bad what; const char *name; } cases[] = {
		{ BAD_SAMPLE_LEN, "sample length past the datagram" },
		{ BAD_RECORD_LEN, "record length past the sample" },
		{ BAD_HEADER_LEN, "header length past the record" },
		{ BAD_NREC, "record count past the sample" },
		{ BAD_NSAMPLES, "sample count past the datagram" },
		{ BAD_IPV4_SHORT, "sampled IPv4 record shorter than its fields" },
		{ BAD_AS_COUNT, "AS path count past the gateway record" },
		{ BAD_NSEG, "AS path segment count 2^32-1" },
		{ BAD_ADDR_TYPE, "next hop of unknown address type" },
		{ BAD_SAMPLE_FIELDS, "flow sample shorter than its fields" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n;
		uint64_t m;
		int rc = malformed(cases[i].what, &n, &m);
		ok(rc < 0, "sflow malformed: %s is an error (%d)", cases[i].name, rc);
		is_u64(n, 2, "sflow malformed: %s keeps the two good samples before it", cases[i].name);
		is_u64(m, 1, "sflow malformed: %s counted malformed", cases[i].name);
	}

	/* Headers: cut short, and an agent address type we cannot size. */
	struct decoder *d = decoder_new(NULL);
	struct bld b;
	struct sink s = { 0 };
	sf_header(&b, 7, 0, 1, 0);
	ok(decode_is_export(b.b, b.n), "sflow: a 28-byte header is an export");
	b.n = 20;
	ok(!decode_is_export(b.b, b.n), "sflow: a 20-byte header is not");
	is_u64(feed(d, &b, &s), (uint64_t)ERR_TRUNCATED, "sflow: header cut after the agent is truncated");
	is_u64(stats_of(d, "192.0.2.7").malformed, 1, "sflow: ... and counted against its agent");
	b.n = 10;
	is_u64(feed(d, &b, &s), (uint64_t)ERR_TRUNCATED, "sflow: header cut inside the agent is truncated");
	is_u64(stats_of(d, "192.0.2.99").malformed, 1, "sflow: ... and counted against the UDP source");
	sf_header(&b, 7, 0, 1, 0);
	set32(&b, 4, 7);
	ok(!decode_is_export(b.b, b.n), "sflow: agent address type 7 is not an export");
	is_u64(feed(d, &b, &s), (uint64_t)ERR_MALFORMED, "sflow: agent address type 7 is malformed");
	is_u64(stats_of(d, "192.0.2.99").malformed, 2, "sflow: ... counted against the UDP source");
	/* An unset agent (0.0.0.0) names no one: the UDP source does. */
	sf_header(&b, 0, 0, 1, 0);
	set32(&b, 8, 0);
	is_u64(feed(d, &b, &s), ERR_OK, "sflow: agent 0.0.0.0 decodes");
	is_u64(stats_of(d, "192.0.2.99").datagrams, 3, "sflow: ... under the UDP source");
	/* NetFlow v5 (first 16 bits 5) is still NetFlow v5. */
	b.n = 0;
	b16(&b, 5); b16(&b, 0);
	for (int i = 0; i < 20; i++)
		b8(&b, 0);
	ok(decode_is_export(b.b, b.n), "sflow: NetFlow v5 header still an export");
	decoder_free(d);
	d = decoder_new(NULL);
	feed(d, &b, &s);
	is_u64(stats(d).version, 5, "sflow: NetFlow v5 still decoded as v5");
	decoder_free(d);
}

/* ---- real captures ---- */

struct replay {
	size_t datagrams, flows;
	uint64_t packets, bytes, counter_samples, malformed;
	char agent[FLOW_ADDRSTRLEN];
	struct sink s;
};

static bool replay(const char *path, struct replay *r)
{
	struct source *src;
	char *cause = NULL;
	memset(r, 0, sizeof *r);
	if (source_pcap_open(path, 0, &src, &cause) < 0) {
		printf("# %s\n", cause);
		free(cause);
		return false;
	}
	struct decoder *d = decoder_new(NULL);
	struct datagram dg;
	int rc;
	while ((rc = source_next(src, &dg, 0, &cause)) == SOURCE_DATAGRAM) {
		r->datagrams++;
		decode_datagram(d, &dg.from, dg.recv_ms, dg.data, dg.len, collect, &r->s);
	}
	if (rc != SOURCE_END) {
		printf("# %s\n", cause ? cause : "read error");
		free(cause);
	}
	r->packets = r->s.packets;
	r->bytes = r->s.bytes;
	r->flows = r->s.n;
	struct exporter_stats st[8];
	size_t n = decoder_exporters(d, st, 8);
	for (size_t i = 0; i < n && i < 8; i++) {
		r->counter_samples += st[i].counter_samples;
		r->malformed += st[i].malformed;
	}
	if (n)
		flow_addr_fmt(&st[0].addr, r->agent, sizeof r->agent);
	decoder_free(d);
	source_close(src);
	return rc == SOURCE_END;
}

static const char *top;

static bool replay_data(const char *name, struct replay *r)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/sflow/%s", top, name);
	return ok(replay(path, r), "capture %s read", name);
}

static void test_captures(void)
{
	struct replay r;

	/* tshark -r tests/data/sflow/telegraf_sflow_issue15918.pcap -d udp.port==6343,sflow -T fields
	 *   -e sflow_245.agent -e sflow_245.sampletype -e sflow.flow_sample.sampling_rate
	 *   -e sflow_245.header.frame_length -e sflow.flow_sample.input_interface
	 *   -e sflow.flow_sample.output_interface
	 * 192.168.227.2  2,1,1,1,1,1,1  200 x6  1286,563,114,77,719,93  96,101,97,60,6,97
	 *   0x0000005f,0x0000003c,0x8000000a,0x00000065,0x00000061,0x8000000a
	 * -> 6 flow samples, 1 counter sample; packets 6 x 200 = 1200;
	 *    bytes 200 x (1286+563+114+77+719+93) = 570400 */
	replay_data("telegraf_sflow_issue15918.pcap", &r);
	is_u64(r.flows, 6, "15918: flows = tshark's flow samples");
	is_u64(r.packets, 1200, "15918: packets = sum of sampling rates");
	is_u64(r.bytes, 570400, "15918: bytes = sum of frame length x rate");
	is_u64(r.counter_samples, 1, "15918: one counter sample");
	is_u64(r.malformed, 0, "15918: nothing malformed");
	is_str(r.agent, "192.168.227.2", "15918: exporter is the agent (UDP source is 192.0.2.65)");
	/* tshark ... -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e udp.srcport -e udp.dstport -e icmpv6.type
	 * (the first ip/udp values are the outer datagram's):
	 * 192.168.227.2 -> 192.168.101.2 UDP 49469 -> 2055; fe80::f3a8:9738:cab4:2286 -> ff02::16
	 * ICMPv6 143 behind a hop-by-hop header; fe80::... -> ff02::1:3 UDP 49770 -> 5355 */
	struct flow *f = r.s.f;
	is_str(addr(&f[0].src), "192.168.227.2", "15918: sample 1 source");
	is_str(addr(&f[0].dst), "192.168.101.2", "15918: sample 1 destination");
	is_u64(f[0].dport, 2055, "15918: sample 1 UDP destination port");
	is_u64(f[0].in_if, 96, "15918: sample 1 input interface");
	is_u64(f[0].out_if, 95, "15918: sample 1 output interface");
	is_u64(f[0].bytes, 1286 * 200, "15918: sample 1 bytes");
	is_str(addr(&f[2].src), "fe80::f3a8:9738:cab4:2286", "15918: sample 3 IPv6 source");
	is_u64(f[2].proto, 58, "15918: sample 3 ICMPv6 past the hop-by-hop header");
	is_u64(f[2].dport, 143 * 256, "15918: sample 3 MLDv2 report type in dport");
	is_u64(f[2].out_if, 0, "15918: sample 3 output 0x8000000a (multiple) is no interface");
	is_str(addr(&f[5].dst), "ff02::1:3", "15918: sample 6 IPv6 destination");
	is_u64(f[5].dport, 5355, "15918: sample 6 LLMNR port");

	/* tshark -r tests/data/sflow/telegraf_sflow_v5_example.pcap -d udp.port==6343,sflow -T fields
	 *   -e sflow_245.agent -e sflow_245.sampletype  ->  192.168.119.184  2 */
	replay_data("telegraf_sflow_v5_example.pcap", &r);
	is_u64(r.flows, 0, "v5_example: no flows");
	is_u64(r.counter_samples, 1, "v5_example: one counter sample");
	is_u64(r.malformed, 0, "v5_example: nothing malformed");
	is_str(r.agent, "192.168.119.184", "v5_example: exporter is the agent");

	/* ... telegraf_sflow_issue18876.pcap ... -> 172.16.254.196  4 (expanded counters, Dell S4048) */
	replay_data("telegraf_sflow_issue18876.pcap", &r);
	is_u64(r.flows, 0, "18876: no flows");
	is_u64(r.counter_samples, 1, "18876: one expanded counter sample");
	is_u64(r.malformed, 0, "18876: nothing malformed");
	is_str(r.agent, "172.16.254.196", "18876: exporter is the agent");

	/* ... telegraf_sflow_drop_issue15375.pcap ... -> 192.168.119.184  5 (discarded packet sample) */
	replay_data("telegraf_sflow_drop_issue15375.pcap", &r);
	is_u64(r.flows, 0, "drop: a discarded-packet sample is no flow");
	is_u64(r.counter_samples, 0, "drop: nor a counter sample");
	is_u64(r.malformed, 0, "drop: skipped by its length, not malformed");
}

int main(int argc, char **argv)
{
	top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	flow_addr_parse("192.0.2.99", &UDP_SRC);
	test_hdr();
	test_flow_sample();
	test_ip_records();
	test_extended();
	test_samples();
	test_malformed();
	test_captures();
	for (int i = 1; i < argc; i++) {
		struct replay r;
		ok(replay(argv[i], &r), "capture %s read", argv[i]);
		printf("# %s: datagrams %zu flows %zu packets %" PRIu64 " bytes %" PRIu64
		       " counter_samples %" PRIu64 " malformed %" PRIu64 "\n",
		       argv[i], r.datagrams, r.flows, r.packets, r.bytes, r.counter_samples, r.malformed);
		is_u64(r.malformed, 0, "capture %s: nothing malformed", argv[i]);
	}
	return done_testing();
}
