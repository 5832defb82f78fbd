/* pkt: from a captured link-layer frame to a UDP payload. Ethernet (with
 * 802.1Q/QinQ), Linux cooked SLL/SLL2, BSD loopback and raw IP; IPv4 and
 * IPv6 (extension headers); IP fragments reassembled within fixed bounds.
 * No I/O: the caller hands frames in, so it can be tested and fuzzed. */
#ifndef NFTOP_PKT_H
#define NFTOP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct pkt_stats {
	uint64_t frames;
	uint64_t not_ip;		/* ARP, LLDP, unknown link payloads */
	uint64_t not_udp;		/* TCP (BGP...), ICMP and other IP traffic */
	uint64_t truncated;		/* frame shorter than its headers say (snaplen) */
	uint64_t fragments;		/* IP fragments seen */
	uint64_t reassembled;		/* datagrams rebuilt from fragments */
	uint64_t frag_dropped;		/* fragments given up (table full, overlap, too big) */
};

struct pkt_udp {
	struct flow_addr src, dst;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
};

struct pkt_reasm;

/* Link types as libpcap numbers them (DLT_*). */
bool pkt_linktype_ok(int dlt);
struct pkt_reasm *pkt_reasm_new(void);
void pkt_reasm_free(struct pkt_reasm *r);

/* Returns true with *u filled when the frame carries a complete UDP datagram
 * (possibly just completed by reassembly; then u->payload points into the
 * reassembly buffer, valid until the next call). */
bool pkt_udp(struct pkt_reasm *r, struct pkt_stats *st, int dlt, const uint8_t *frame,
	     size_t caplen, size_t wirelen, uint64_t now_ms, struct pkt_udp *u);

#endif
