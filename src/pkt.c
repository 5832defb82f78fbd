#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "wire.h"
#include "xmem.h"

#define REASM_SLOTS 32
#define REASM_MAX 65535
#define REASM_TIMEOUT_MS 30000
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define IPPROTO_UDP_ 17
#define IPPROTO_FRAG6 44

struct frag_slot {
	bool used;
	uint8_t proto;
	uint32_t id;
	struct flow_addr src, dst;
	uint64_t first_ms;
	uint32_t total;			/* payload length once the last fragment came; 0 before */
	uint8_t map[REASM_MAX / 64 + 1];	/* one bit per 8-byte block received */
	uint8_t buf[REASM_MAX];
};

struct pkt_reasm {
	struct frag_slot *slot[REASM_SLOTS];
};

bool pkt_linktype_ok(int dlt)
{
	switch (dlt) {
	case DLT_NULL: case DLT_LOOP: case DLT_EN10MB: case DLT_RAW:
	case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_IPV4: case DLT_IPV6:
		return true;
	}
	return false;
}

struct pkt_reasm *pkt_reasm_new(void)
{
	return xcalloc(1, sizeof(struct pkt_reasm));
}

void pkt_reasm_free(struct pkt_reasm *r)
{
	if (!r)
		return;
	for (int i = 0; i < REASM_SLOTS; i++)
		free(r->slot[i]);
	free(r);
}

/* Returns the ethertype of the network layer and leaves w at its start. */
static int link_layer(int dlt, struct wire *w)
{
	uint16_t type;
	uint32_t fam;
	switch (dlt) {
	case DLT_EN10MB:
		if (!wire_skip(w, 12) || !wire_u16(w, &type))
			return -1;
		/* 802.1Q, 802.1ad and the old QinQ tag, stacked as deep as they go. */
		while (type == 0x8100 || type == 0x88a8 || type == 0x9100)
			if (!wire_skip(w, 2) || !wire_u16(w, &type))
				return -1;
		return type;
	case DLT_LINUX_SLL:
		if (!wire_skip(w, 14) || !wire_u16(w, &type))
			return -1;
		return type;
	case DLT_LINUX_SLL2:
		if (!wire_u16(w, &type) || !wire_skip(w, 18))
			return -1;
		return type;
	case DLT_NULL: case DLT_LOOP:
		if (!wire_bytes(w, &fam, 4))
			return -1;
		/* DLT_NULL is in the writer's byte order: accept either. */
		if (fam == 2 || fam == 0x02000000)
			return ETH_IPV4;
		if (fam == 24 || fam == 28 || fam == 30 ||
		    fam == 0x18000000 || fam == 0x1c000000 || fam == 0x1e000000)
			return ETH_IPV6;
		return 0;
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
		if (wire_left(w) < 1)
			return -1;
		return (wire_ptr(w)[0] >> 4) == 6 ? ETH_IPV6 : ETH_IPV4;
	}
	return -1;
}

static bool udp_header(struct wire *w, struct pkt_stats *st, struct pkt_udp *u)
{
	uint16_t len, sum;
	if (!wire_u16(w, &u->sport) || !wire_u16(w, &u->dport) || !wire_u16(w, &len) ||
	    !wire_u16(w, &sum) || len < 8) {
		st->truncated++;
		return false;
	}
	if ((size_t)len - 8 > wire_left(w)) {
		st->truncated++;
		return false;
	}
	u->payload = wire_ptr(w);
	u->len = len - 8;
	return true;
}

static struct frag_slot *frag_find(struct pkt_reasm *r, struct pkt_stats *st,
				   const struct pkt_udp *u, uint32_t id, uint8_t proto, uint64_t now)
{
	struct frag_slot *free_slot = NULL, *oldest = NULL;
	for (int i = 0; i < REASM_SLOTS; i++) {
		struct frag_slot *s = r->slot[i];
		if (s && s->used && now - s->first_ms > REASM_TIMEOUT_MS && now >= s->first_ms) {
			s->used = false;
			st->frag_dropped++;
		}
		if (s && s->used && s->id == id && s->proto == proto &&
		    !memcmp(&s->src, &u->src, sizeof s->src) && !memcmp(&s->dst, &u->dst, sizeof s->dst))
			return s;
		if (!s || !s->used) {
			if (!free_slot) {
				if (!s)
					s = r->slot[i] = xmalloc(sizeof *s);
				free_slot = s;
			}
		} else if (!oldest || s->first_ms < oldest->first_ms) {
			oldest = s;
		}
	}
	if (!free_slot) {
		free_slot = oldest;	/* the table is full: the oldest gives way */
		st->frag_dropped++;
	}
	memset(free_slot, 0, offsetof(struct frag_slot, buf));
	free_slot->used = true;
	free_slot->id = id;
	free_slot->proto = proto;
	free_slot->src = u->src;
	free_slot->dst = u->dst;
	free_slot->first_ms = now;
	return free_slot;
}

/* Adds one fragment; returns the slot when the datagram is complete. */
static struct frag_slot *frag_add(struct pkt_reasm *r, struct pkt_stats *st, const struct pkt_udp *u,
				  uint32_t id, uint8_t proto, size_t off, bool more,
				  const uint8_t *data, size_t len, uint64_t now)
{
	st->fragments++;
	if (off + len > REASM_MAX || (more && len % 8) || len == 0) {
		st->frag_dropped++;
		return NULL;
	}
	struct frag_slot *s = frag_find(r, st, u, id, proto, now);
	memcpy(s->buf + off, data, len);
	for (size_t b = off / 8; b < (off + len + 7) / 8; b++)
		s->map[b / 8] |= (uint8_t)(1u << (b % 8));
	if (!more)
		s->total = (uint32_t)(off + len);
	if (!s->total)
		return NULL;
	for (size_t b = 0; b < (s->total + 7) / 8; b++)
		if (!(s->map[b / 8] >> (b % 8) & 1))
			return NULL;
	s->used = false;
	st->reassembled++;
	return s;
}

static bool ipv4(struct pkt_reasm *r, struct pkt_stats *st, struct wire *w, uint64_t now,
		 struct pkt_udp *u)
{
	const uint8_t *h = wire_ptr(w);
	if (wire_left(w) < 20 || (h[0] >> 4) != 4) {
		st->truncated++;
		return false;
	}
	size_t ihl = (size_t)(h[0] & 0x0f) * 4;
	size_t total = (size_t)h[2] << 8 | h[3];
	if (ihl < 20 || total < ihl || total > wire_left(w)) {
		st->truncated++;
		return false;
	}
	flow_addr_set4(&u->src, h + 12);
	flow_addr_set4(&u->dst, h + 16);
	if (h[9] != IPPROTO_UDP_) {
		st->not_udp++;
		return false;
	}
	uint16_t frag = (uint16_t)(h[6] << 8 | h[7]);
	struct wire p = wire_make(h + ihl, total - ihl);
	if (frag & 0x3fff) {
		uint32_t id = (uint32_t)h[4] << 8 | h[5];
		struct frag_slot *s = frag_add(r, st, u, id, 4, (size_t)(frag & 0x1fff) * 8,
					       frag & 0x2000, wire_ptr(&p), wire_left(&p), now);
		if (!s)
			return false;
		p = wire_make(s->buf, s->total);
	}
	return udp_header(&p, st, u);
}

static bool ipv6(struct pkt_reasm *r, struct pkt_stats *st, struct wire *w, uint64_t now,
		 struct pkt_udp *u)
{
	const uint8_t *h = wire_ptr(w);
	if (wire_left(w) < 40 || (h[0] >> 4) != 6) {
		st->truncated++;
		return false;
	}
	size_t plen = (size_t)h[4] << 8 | h[5];
	uint8_t next = h[6];
	memcpy(u->src.b, h + 8, 16);
	memcpy(u->dst.b, h + 24, 16);
	wire_skip(w, 40);
	if (plen > wire_left(w)) {
		st->truncated++;
		return false;
	}
	struct wire p = wire_make(wire_ptr(w), plen);
	/* Hop-by-hop, routing and destination options precede the fragment header. */
	for (int depth = 0; depth < 8; depth++) {
		uint8_t nh, hl;
		if (next == 0 || next == 43 || next == 60) {
			if (!wire_u8(&p, &nh) || !wire_u8(&p, &hl) || !wire_skip(&p, (size_t)hl * 8 + 6)) {
				st->truncated++;
				return false;
			}
			next = nh;
			continue;
		}
		if (next == IPPROTO_FRAG6) {
			uint8_t res;
			uint16_t offm;
			uint32_t id;
			if (!wire_u8(&p, &nh) || !wire_u8(&p, &res) || !wire_u16(&p, &offm) ||
			    !wire_u32(&p, &id)) {
				st->truncated++;
				return false;
			}
			if (nh != IPPROTO_UDP_) {
				st->not_udp++;
				return false;
			}
			struct frag_slot *s = frag_add(r, st, u, id, 6, offm & 0xfff8, offm & 1,
						       wire_ptr(&p), wire_left(&p), now);
			if (!s)
				return false;
			p = wire_make(s->buf, s->total);
			return udp_header(&p, st, u);
		}
		break;
	}
	if (next != IPPROTO_UDP_) {
		st->not_udp++;
		return false;
	}
	return udp_header(&p, st, u);
}

bool pkt_udp(struct pkt_reasm *r, struct pkt_stats *st, int dlt, const uint8_t *frame,
	     size_t caplen, size_t wirelen, uint64_t now_ms, struct pkt_udp *u)
{
	struct wire w = wire_make(frame, caplen);
	st->frames++;
	memset(u, 0, sizeof *u);
	int type = link_layer(dlt, &w);
	if (type < 0) {
		st->truncated++;
		return false;
	}
	if (type != ETH_IPV4 && type != ETH_IPV6) {
		st->not_ip++;
		return false;
	}
	/* A snaplen shorter than the frame cuts the datagram: count it, never decode half. */
	if (caplen < wirelen) {
		st->truncated++;
		return false;
	}
	return type == ETH_IPV4 ? ipv4(r, st, &w, now_ms, u) : ipv6(r, st, &w, now_ms, u);
}
