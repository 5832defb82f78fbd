/* hdr: the first bytes of a sampled packet (an sFlow sampled_header record)
 * to flow fields. Ethernet with 802.1Q/802.1ad/QinQ tags, LLC/SNAP and PPPoE
 * sessions, MPLS label stacks, IPv4 and IPv6 (extension headers), then TCP,
 * UDP, SCTP, ICMP and ICMPv6. Pure: reads only the bytes handed in, which are
 * usually cut short (128 bytes is the common default), so every layer is
 * bounds-checked and a missing transport header just leaves the ports 0. */
#ifndef NFTOP_HDR_H
#define NFTOP_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* sFlow v5 header_protocol values this module reads (the rest are not IP-bearing
 * or not seen in practice: token ring, FDDI, frame relay, X.25, SMDS, AAL5...). */
enum {
	HDR_ETHERNET = 1,	/* ETHERNET-ISO88023 */
	HDR_PPP = 7,
	HDR_IPV4 = 11,
	HDR_IPV6 = 12,
	HDR_MPLS = 13,
	HDR_POS = 14,		/* PPP over SONET/SDH: HDLC framing then PPP */
};

/* Fills f->src, dst, proto, tos and, when the transport header is within
 * the bytes, sport, dport (ICMP: dport = type * 256 + code) and tcp_flags.
 * Touches nothing else in f. Returns false (f unchanged) when no IP header
 * is found: unknown protocol, non-IP frame (ARP, LLDP...) or too few bytes. */
bool hdr_parse(const uint8_t *p, size_t len, int header_protocol, struct flow *f);
/* The same, and *ip_len = the packet's IP length as its header gives it
 * (IPv4 total length, IPv6 payload length + 40): what packet metering
 * counts. Ethernet padding after a short packet is not counted, and a frame
 * cut by the snap length still counts whole. A length of 0 (segmentation
 * offload, jumbogram) or shorter than the header counts the bytes present. */
bool hdr_parse_ip(const uint8_t *p, size_t len, int header_protocol, struct flow *f, uint32_t *ip_len);

#endif
