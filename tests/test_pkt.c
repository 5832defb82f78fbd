/* Link and network layers of capture replay: VLAN tags, cooked captures,
 * IPv4/IPv6 fragments reassembled, truncated frames counted. Frames are
 * built here around a fixed payload; the payload must come back intact. */
#include <pcap/dlt.h>
#include <stdlib.h>

#include "build.h"
#include "pkt.h"
#include "tap.h"
#include "wire.h"

static uint8_t payload[3000];

static void eth(struct bld *b, int vlans, uint16_t type)
{
	b->n = 0;
	for (int i = 0; i < 12; i++)
		b8(b, (uint8_t)i);
	for (int i = 0; i < vlans; i++) {
		b16(b, i ? 0x8100 : 0x88a8);
		b16(b, 100);
	}
	b16(b, type);
}

static void ip4(struct bld *b, uint8_t proto, size_t datalen, uint16_t id, uint16_t frag)
{
	b8(b, 0x45); b8(b, 0); b16(b, (uint16_t)(20 + datalen)); b16(b, id); b16(b, frag);
	b8(b, 64); b8(b, proto); b16(b, 0);
	bip4(b, 192, 0, 2, 7); bip4(b, 198, 51, 100, 10);
}

static void udp(struct bld *b, size_t len)
{
	b16(b, 50000); b16(b, 2055); b16(b, (uint16_t)(8 + len)); b16(b, 0);
}

static void test_wire(void)
{
	uint8_t buf[6] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };
	struct wire w = wire_make(buf, sizeof buf);
	uint16_t a = 0;
	uint32_t c = 0;
	uint64_t d = 0;
	ok(wire_u16(&w, &a) && a == 0x1234, "wire: big-endian u16");
	ok(wire_u32(&w, &c) && c == 0x56789abc, "wire: big-endian u32");
	ok(!wire_u8(&w, (uint8_t *)&a), "wire: read past the end refused");
	is_u64(w.off, 6, "wire: failed read leaves the cursor");
	w = wire_make(buf, sizeof buf);
	ok(!wire_u64(&w, &d) && w.off == 0, "wire: u64 on 6 bytes refused");
	ok(!wire_skip(&w, 7) && wire_skip(&w, 6), "wire: skip bounded");
	is_u64(wire_be_uint(buf, 3), 0x123456, "wire: reduced-size integer");
}

static void test_plain(void)
{
	struct pkt_reasm *r = pkt_reasm_new();
	struct pkt_stats st = { 0 };
	struct pkt_udp u;
	struct bld b;

	eth(&b, 2, 0x0800);
	ip4(&b, 17, 8 + 100, 1, 0);
	udp(&b, 100);
	bbytes(&b, payload, 100);
	ok(pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 0, &u), "QinQ-tagged IPv4 UDP frame");
	is_u64(u.len, 100, "payload length");
	ok(!memcmp(u.payload, payload, 100), "payload intact");
	is_u64(u.dport, 2055, "destination port");
	char a[FLOW_ADDRSTRLEN];
	is_str(flow_addr_fmt(&u.src, a, sizeof a), "192.0.2.7", "exporter address from the IP header");

	ok(!pkt_udp(r, &st, DLT_EN10MB, b.b, b.n - 10, b.n, 0, &u), "snaplen cut frame refused");
	is_u64(st.truncated, 1, "snaplen cut counted");

	eth(&b, 0, 0x0800);
	ip4(&b, 6, 20, 2, 0);
	for (int i = 0; i < 20; i++)
		b8(&b, 0);
	ok(!pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 0, &u), "TCP is not an export");
	is_u64(st.not_udp, 1, "TCP counted as other traffic");

	eth(&b, 0, 0x0806);
	ok(!pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 0, &u), "ARP skipped");
	is_u64(st.not_ip, 1, "ARP counted");

	/* Linux cooked v2: protocol first, 20-byte header. */
	b.n = 0;
	b16(&b, 0x0800);
	for (int i = 0; i < 18; i++)
		b8(&b, 0);
	ip4(&b, 17, 8 + 10, 3, 0);
	udp(&b, 10);
	bbytes(&b, payload, 10);
	ok(pkt_udp(r, &st, DLT_LINUX_SLL2, b.b, b.n, b.n, 0, &u) && u.len == 10, "SLL2 frame");

	/* IPv6 with a destination-options header before UDP. */
	b.n = 0;
	b8(&b, 0x60); b8(&b, 0); b16(&b, 0); b16(&b, 8 + 8 + 20); b8(&b, 60); b8(&b, 64);
	uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	bbytes(&b, s6, 16); bbytes(&b, s6, 16);
	b8(&b, 17); b8(&b, 0); b16(&b, 0); b32(&b, 0);
	udp(&b, 20);
	bbytes(&b, payload, 20);
	ok(pkt_udp(r, &st, DLT_RAW, b.b, b.n, b.n, 0, &u) && u.len == 20, "raw IPv6 with an extension header");
	is_str(flow_addr_fmt(&u.src, a, sizeof a), "2001:db8::9", "IPv6 exporter address");
	pkt_reasm_free(r);
}

static void test_fragments(void)
{
	struct pkt_reasm *r = pkt_reasm_new();
	struct pkt_stats st = { 0 };
	struct pkt_udp u;
	struct bld b;
	const size_t plen = 2500, total = 8 + plen;
	uint8_t whole[8 + 2500];
	struct bld ub = { .n = 0 };
	udp(&ub, plen);
	memcpy(whole, ub.b, 8);
	memcpy(whole + 8, payload, plen);

	/* Three fragments of 1000, 1000 and 508 bytes, sent last, first, middle. */
	size_t offs[3] = { 2000, 0, 1000 }, lens[3] = { 508, 1000, 1000 };
	int got = 0;
	for (int i = 0; i < 3; i++) {
		bool more = offs[i] + lens[i] < total;
		eth(&b, 0, 0x0800);
		ip4(&b, 17, lens[i], 77, (uint16_t)((more ? 0x2000 : 0) | offs[i] / 8));
		bbytes(&b, whole + offs[i], lens[i]);
		got += pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 1000 + (uint64_t)i, &u);
	}
	is_u64(got, 1, "IPv4: one datagram out of three fragments");
	is_u64(u.len, plen, "IPv4: reassembled length");
	ok(!memcmp(u.payload, payload, plen), "IPv4: reassembled payload intact");
	is_u64(st.fragments, 3, "IPv4: fragments counted");
	is_u64(st.reassembled, 1, "IPv4: reassembly counted");

	/* IPv6 fragment header, two fragments in order. */
	got = 0;
	size_t o6[2] = { 0, 1504 }, l6[2] = { 1504, total - 1504 };
	for (int i = 0; i < 2; i++) {
		b.n = 0;
		b8(&b, 0x60); b8(&b, 0); b16(&b, 0); b16(&b, (uint16_t)(8 + l6[i])); b8(&b, 44); b8(&b, 64);
		uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
		bbytes(&b, s6, 16); bbytes(&b, s6, 16);
		b8(&b, 17); b8(&b, 0); b16(&b, (uint16_t)(o6[i] | (i == 0))); b32(&b, 4242);
		bbytes(&b, whole + o6[i], l6[i]);
		got += pkt_udp(r, &st, DLT_RAW, b.b, b.n, b.n, 2000, &u);
	}
	is_u64(got, 1, "IPv6: one datagram out of two fragments");
	ok(u.len == plen && !memcmp(u.payload, payload, plen), "IPv6: reassembled payload intact");

	/* A fragment claiming to reach past 64 KiB is dropped, never written. */
	eth(&b, 0, 0x0800);
	ip4(&b, 17, 16, 78, 0x2000 | 8190);
	bbytes(&b, payload, 16);
	ok(!pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 3000, &u), "IPv4: oversize fragment refused");
	is_u64(st.frag_dropped, 1, "IPv4: oversize fragment counted");

	/* A lone first fragment is given up after the timeout. */
	eth(&b, 0, 0x0800);
	ip4(&b, 17, 1000, 79, 0x2000);
	bbytes(&b, whole, 1000);
	pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 4000, &u);
	eth(&b, 0, 0x0800);
	ip4(&b, 17, 1000, 80, 0x2000);
	bbytes(&b, whole, 1000);
	pkt_udp(r, &st, DLT_EN10MB, b.b, b.n, b.n, 4000 + 60000, &u);
	is_u64(st.frag_dropped, 2, "IPv4: stale fragments expire and are counted");
	pkt_reasm_free(r);
}

int main(void)
{
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	test_wire();
	test_plain();
	test_fragments();
	return done_testing();
}
