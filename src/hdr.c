#include <string.h>

#include "hdr.h"
#include "wire.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100

/* Network layers the link layers lead to; NET_ETH is an Ethernet frame
 * carried in an MPLS pseudowire. */
enum net { NET_NONE, NET_IPV4, NET_IPV6, NET_MPLS, NET_ETH };

static enum net from_ethertype(uint16_t type)
{
	switch (type) {
	case ETH_IPV4: return NET_IPV4;
	case ETH_IPV6: return NET_IPV6;
	case ETH_MPLS: case ETH_MPLS_MC: return NET_MPLS;
	}
	return NET_NONE;
}

/* PPP protocol field (RFC 1661): IPv4, IPv6, MPLS unicast and multicast. */
static enum net from_ppp(uint16_t proto)
{
	switch (proto) {
	case 0x0021: return NET_IPV4;
	case 0x0057: return NET_IPV6;
	case 0x0281: case 0x0283: return NET_MPLS;
	}
	return NET_NONE;
}

static enum net ppp(struct wire *w)
{
	uint8_t b0, b1;
	uint16_t proto;
	if (wire_left(w) < 2)
		return NET_NONE;
	b0 = wire_ptr(w)[0];
	b1 = wire_ptr(w)[1];
	/* Cisco HDLC (address 0x0f or 0x8f, control 0) carries an ethertype. */
	if ((b0 == 0x0f || b0 == 0x8f) && b1 == 0) {
		wire_skip(w, 2);
		return wire_u16(w, &proto) ? from_ethertype(proto) : NET_NONE;
	}
	/* HDLC address and control, unless compressed away (ACFC). */
	if (b0 == 0xff && b1 == 0x03)
		wire_skip(w, 2);
	if (!wire_u8(w, &b0))
		return NET_NONE;
	/* Protocol field compression: an odd first byte is the whole field. */
	if (b0 & 1)
		return from_ppp(b0);
	if (!wire_u8(w, &b1))
		return NET_NONE;
	return from_ppp((uint16_t)(b0 << 8 | b1));
}

static enum net ethernet(struct wire *w)
{
	uint16_t type;
	if (!wire_skip(w, 12) || !wire_u16(w, &type))
		return NET_NONE;
	/* Each tag consumes 4 bytes, so the loop ends with the bytes. */
	while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD)
		if (!wire_skip(w, 2) || !wire_u16(w, &type))
			return NET_NONE;
	if (type < 0x0600) {
		/* 802.3 length: only LLC/SNAP (AA AA 03, OUI 0) names an ethertype. */
		const uint8_t *s = wire_ptr(w);
		if (wire_left(w) < 8 || s[0] != 0xaa || s[1] != 0xaa || s[2] != 0x03 ||
		    s[3] || s[4] || s[5])
			return NET_NONE;
		wire_skip(w, 6);
		wire_u16(w, &type);
	}
	if (type == ETH_PPPOE) {
		/* Version/type, code, session id, length, then a PPP protocol field. */
		uint16_t proto;
		if (!wire_skip(w, 6) || !wire_u16(w, &proto))
			return NET_NONE;
		return from_ppp(proto);
	}
	return from_ethertype(type);
}

/* Skips the label stack to its bottom entry; the payload's first nibble then
 * says IPv4 or IPv6. A 0 nibble is the control word of an Ethernet
 * pseudowire (RFC 4448): it is skipped and the frame behind it parsed when its
 * ethertype is one this parser follows. Other payloads are not followed. */
static enum net mpls(struct wire *w)
{
	uint32_t entry;
	do {
		if (!wire_u32(w, &entry))
			return NET_NONE;
	} while (!(entry & 0x100));
	if (wire_left(w) < 1)
		return NET_NONE;
	switch (wire_ptr(w)[0] >> 4) {
	case 4: return NET_IPV4;
	case 6: return NET_IPV6;
	case 0:
		if (wire_left(w) >= 4 + 14) {
			const uint8_t *e = wire_ptr(w) + 4 + 12;
			uint16_t type = (uint16_t)(e[0] << 8 | e[1]);
			if (type == ETH_VLAN || type == ETH_QINQ || from_ethertype(type) != NET_NONE) {
				wire_skip(w, 4);
				return NET_ETH;
			}
		}
		break;
	}
	return NET_NONE;
}

/* Ports and flags from the transport header, as far as the bytes go. */
static void transport(const uint8_t *p, size_t len, uint8_t proto, struct flow *f)
{
	switch (proto) {
	case 6:		/* TCP */
		if (len >= 14)
			f->tcp_flags = p[13];
		/* fall through */
	case 17:	/* UDP */
	case 132:	/* SCTP */
	case 136:	/* UDP-Lite */
		if (len >= 4) {
			f->sport = be16(p);
			f->dport = be16(p + 2);
		}
		break;
	case 1:		/* ICMP */
	case 58:	/* ICMPv6 */
		if (len >= 2)
			f->dport = (uint16_t)(p[0] << 8 | p[1]);
		break;
	}
}

static bool ipv4(struct wire *w, struct flow *f, uint32_t *ip_len)
{
	const uint8_t *h = wire_ptr(w);
	size_t left = wire_left(w);
	if (left < 20 || (h[0] >> 4) != 4)
		return false;
	size_t ihl = (size_t)(h[0] & 0x0f) * 4;
	size_t total = be16(h + 2);
	if (ihl < 20 || ihl > left)
		return false;
	/* The packet's own length: not the Ethernet padding after it, and not
	 * cut by the capture's snap length. A 0 (segmentation offload) or a
	 * length shorter than the header falls back to the bytes present. */
	*ip_len = (uint32_t)(total >= ihl ? total : left);
	/* The sample is cut short of the packet, or padded past it (Ethernet
	 * minimum frame): bound the transport header by both. */
	size_t end = total >= ihl && total < left ? total : left;
	flow_addr_set4(&f->src, h + 12);
	flow_addr_set4(&f->dst, h + 16);
	f->proto = h[9];
	f->tos = h[1];
	f->sport = f->dport = 0;
	f->tcp_flags = 0;
	/* Only the first fragment carries the transport header. */
	if ((be16(h + 6) & 0x1fff) == 0)
		transport(h + ihl, end - ihl, f->proto, f);
	return true;
}

static bool ipv6(struct wire *w, struct flow *f, uint32_t *ip_len)
{
	const uint8_t *h = wire_ptr(w);
	size_t left = wire_left(w);
	if (left < 40 || (h[0] >> 4) != 6)
		return false;
	size_t plen = be16(h + 4);
	uint8_t next = h[6];
	/* As for IPv4; a jumbogram (payload length 0) counts the bytes present. */
	*ip_len = (uint32_t)(plen ? plen + 40 : left);
	memcpy(f->src.b, h + 8, 16);
	memcpy(f->dst.b, h + 24, 16);
	f->tos = (uint8_t)((h[0] & 0x0f) << 4 | h[1] >> 4);
	f->sport = f->dport = 0;
	f->tcp_flags = 0;
	wire_skip(w, 40);
	/* A jumbogram says 0; otherwise the payload can end before the bytes do. */
	struct wire p = wire_make(wire_ptr(w), plen && plen < wire_left(w) ? plen : wire_left(w));
	bool first = true;
	for (int depth = 0; depth < 8; depth++) {
		uint8_t nh, hl;
		if (next == 0 || next == 43 || next == 60 || next == 51) {
			/* Hop-by-hop, routing, destination options: (hl + 1) * 8 bytes;
			 * AH: (hl + 2) * 4 bytes. */
			if (!wire_u8(&p, &nh) || !wire_u8(&p, &hl))
				break;
			size_t skip = next == 51 ? ((size_t)hl + 2) * 4 : ((size_t)hl + 1) * 8;
			next = nh;
			if (!wire_skip(&p, skip - 2)) {
				wire_skip(&p, wire_left(&p));
				break;
			}
			continue;
		}
		if (next == 44) {
			uint8_t res;
			uint16_t offm;
			if (!wire_u8(&p, &nh) || !wire_u8(&p, &res) || !wire_u16(&p, &offm) ||
			    !wire_skip(&p, 4)) {
				wire_skip(&p, wire_left(&p));
				break;
			}
			next = nh;
			if (offm & 0xfff8)
				first = false;
			continue;
		}
		break;
	}
	/* The protocol is the last header reached, even when cut short. */
	f->proto = next;
	if (first)
		transport(wire_ptr(&p), wire_left(&p), next, f);
	return true;
}

bool hdr_parse(const uint8_t *p, size_t len, int header_protocol, struct flow *f)
{
	uint32_t ip_len;
	return hdr_parse_ip(p, len, header_protocol, f, &ip_len);
}

bool hdr_parse_ip(const uint8_t *p, size_t len, int header_protocol, struct flow *f, uint32_t *ip_len)
{
	struct wire w = wire_make(p, len);
	enum net n;
	switch (header_protocol) {
	case HDR_ETHERNET: n = ethernet(&w); break;
	case HDR_PPP: case HDR_POS: n = ppp(&w); break;
	case HDR_IPV4: n = NET_IPV4; break;
	case HDR_IPV6: n = NET_IPV6; break;
	case HDR_MPLS: n = NET_MPLS; break;
	default: return false;
	}
	/* A pseudowire can carry Ethernet that carries MPLS again: bounded. */
	for (int depth = 0; depth < 4 && (n == NET_MPLS || n == NET_ETH); depth++)
		n = n == NET_MPLS ? mpls(&w) : ethernet(&w);
	/* Work on a copy so a failed parse leaves f as it was. */
	struct flow t = *f;
	bool ok = false;
	if (n == NET_IPV4)
		ok = ipv4(&w, &t, ip_len);
	else if (n == NET_IPV6)
		ok = ipv6(&w, &t, ip_len);
	if (ok)
		*f = t;
	return ok;
}
