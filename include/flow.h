/* flow: the flow record every decoder produces and every later stage reads.
 * Addresses are 16 bytes; IPv4 is stored v4-mapped (::ffff:a.b.c.d), one way everywhere. */
#ifndef NFTOP_FLOW_H
#define NFTOP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct flow_addr {
	uint8_t b[16];
};

struct flow {
	struct flow_addr src, dst, nexthop;
	struct flow_addr exporter;	/* address the datagram came from */
	uint64_t bytes, packets;	/* already scaled by 'sampling' unless scaling is off */
	uint64_t first_ms, last_ms;	/* flow start/end, Unix milliseconds (0 = unknown) */
	uint64_t recv_ms;		/* when the export arrived (live) or was captured (pcap) */
	uint32_t in_if, out_if;
	uint32_t src_as, dst_as;
	uint32_t domain;		/* v9 source id / IPFIX observation domain */
	uint32_t sampling;		/* sampling rate applied (1 = unsampled) */
	uint16_t sport, dport;		/* for ICMP, dport = type * 256 + code */
	uint16_t src_cc, dst_cc;	/* country, ISO 3166 letters as c0 << 8 | c1; 0 unknown */
	uint8_t src_class, dst_class;	/* enum geo_class of the addresses; 0 public */
	uint8_t proto, tcp_flags, tos;
	uint8_t version;		/* 5, 9, 10 (IPFIX), 105 (sFlow v5: DECODE_VERSION_SFLOW5) */
};

/* Every decoder starts each record from a zeroed flow. memset() of the
 * struct compiles to `rep stos`, slow to start, where perf placed most of
 * the nfcapd record reader's time; copying a zero flow compiles to nine
 * 16-byte stores. */
static inline void flow_clear(struct flow *f)
{
	static const struct flow zero;
	memcpy(f, &zero, sizeof *f);
}

#define FLOW_ADDRSTRLEN 46

/* An IPv4 address as ::ffff:a.b.c.d, stored as two 8-byte words: the
 * decoders test the address right after setting it, and a word load over
 * several narrower stores cannot be forwarded from them (it waits until they
 * reach the cache: a tenth of the v9 decoding, perf). */
static inline void flow_addr_set4(struct flow_addr *a, const uint8_t v4[4])
{
	const uint8_t lo[8] = { 0 };
	const uint8_t hi[8] = { 0, 0, 0xff, 0xff, v4[0], v4[1], v4[2], v4[3] };
	memcpy(a->b, lo, 8);
	memcpy(a->b + 8, hi, 8);
}
static inline void flow_addr_set4u(struct flow_addr *a, uint32_t v4)	/* host order */
{
	const uint8_t b[4] = { (uint8_t)(v4 >> 24), (uint8_t)(v4 >> 16), (uint8_t)(v4 >> 8), (uint8_t)v4 };
	flow_addr_set4(a, b);
}
/* Both run for every address of every flow: inline, as word compares. */
static inline bool flow_addr_is4(const struct flow_addr *a)
{
	static const uint8_t mapped[4] = { 0, 0, 0xff, 0xff };	/* bytes 8-11 of ::ffff:0:0/96 */
	uint64_t hi;
	uint32_t mid, want;
	memcpy(&hi, a->b, 8);
	memcpy(&mid, a->b + 8, 4);
	memcpy(&want, mapped, 4);
	return hi == 0 && mid == want;
}
static inline bool flow_addr_is_zero(const struct flow_addr *a)
{
	uint64_t x, y;
	memcpy(&x, a->b, 8);
	memcpy(&y, a->b + 8, 8);
	return (x | y) == 0;
}
/* Text form: dotted quad for v4-mapped, RFC 5952 for IPv6. */
char *flow_addr_fmt(const struct flow_addr *a, char *buf, size_t len);
/* Parses an IPv4 or IPv6 literal. */
bool flow_addr_parse(const char *s, struct flow_addr *a);
/* Parses ADDR or ADDR/LEN; *bits counts over the 16-byte form (an IPv4 /24
 * is 120 bits), so IPv4 prefixes never match IPv6 addresses. */
bool flow_prefix_parse(const char *s, struct flow_addr *net, unsigned *bits);
bool flow_addr_in(const struct flow_addr *a, const struct flow_addr *net, unsigned bits);

#endif
