#include <string.h>

#include "decode.h"
#include "err.h"
#include "hdr.h"
#include "sflow.h"

/* data_format: enterprise in the top 20 bits, format in the low 12. */
#define SF_ENTERPRISE(df) ((df) >> 12)
#define SF_FORMAT(df) ((df) & 0xfffu)

enum { ADDR_UNKNOWN = 0, ADDR_IP4 = 1, ADDR_IP6 = 2 };
enum { SAMPLE_FLOW = 1, SAMPLE_COUNTERS = 2, SAMPLE_FLOW_EXP = 3, SAMPLE_COUNTERS_EXP = 4 };
enum {
	REC_HEADER = 1, REC_ETHERNET = 2, REC_IPV4 = 3, REC_IPV6 = 4,
	REC_SWITCH = 1001, REC_ROUTER = 1002, REC_GATEWAY = 1003,
};

/* Fixed record sizes (XDR: a 6-byte MAC is padded to 8). */
#define REC_ETHERNET_LEN 24
#define REC_IPV4_LEN 32
#define REC_IPV6_LEN 56

/* "No interface" (traffic from or to the agent itself): 0x3fffffff in the
 * compact 30-bit encoding, 0xffffffff in the expanded one. */
#define IF_INTERNAL_COMPACT 0x3fffffffu
#define IF_INTERNAL_EXPANDED 0xffffffffu

/* What the records of one flow sample say, combined into a flow at its end. */
struct sample {
	struct flow f;			/* addresses, ports, proto from header or IP record */
	bool have_hdr, hdr_ip;		/* a sampled header; it held an IP packet */
	bool have_ipr;			/* a sampled IPv4/IPv6 record */
	bool have_eth;
	uint64_t hdr_len, eth_len, ip_len;	/* frame, MAC and IP lengths */
	struct flow_addr router_nh, gw_nh;
};

static bool read_addr(struct wire *w, struct flow_addr *a, bool *ok_type)
{
	uint32_t type;
	uint8_t b[16];
	*ok_type = true;
	if (!wire_u32(w, &type))
		return false;
	memset(a, 0, sizeof *a);
	switch (type) {
	case ADDR_UNKNOWN:
		return true;
	case ADDR_IP4:
		if (!wire_bytes(w, b, 4))
			return false;
		flow_addr_set4(a, b);
		return true;
	case ADDR_IP6:
		return wire_bytes(w, a->b, 16);
	}
	*ok_type = false;	/* the address length is unknowable: nothing after it is */
	return false;
}

bool sflow_is_v5(const uint8_t *buf, size_t len)
{
	if (len < 8 || be32(buf) != 5)
		return false;
	switch (be32(buf + 4)) {
	case ADDR_UNKNOWN: return len >= SFLOW_HEADER_MIN - 4;
	case ADDR_IP4: return len >= SFLOW_HEADER_MIN;
	case ADDR_IP6: return len >= SFLOW_HEADER_MIN + 12;
	}
	return false;
}

bool sflow_agent(const uint8_t *buf, size_t len, struct flow_addr *agent)
{
	struct wire w = wire_make(buf, len);
	struct flow_addr a;
	uint32_t version;
	bool ok_type;
	static const uint8_t zero4[4];
	if (!wire_u32(&w, &version) || version != 5 || !read_addr(&w, &a, &ok_type))
		return false;
	/* Unknown (type 0) or unset (0.0.0.0, ::) agents leave the UDP source in charge. */
	if (flow_addr_is_zero(&a) || (flow_addr_is4(&a) && !memcmp(a.b + 12, zero4, 4)))
		return false;
	*agent = a;
	return true;
}

static uint32_t iface(uint32_t format, uint32_t value, uint32_t internal)
{
	/* Formats 1 (discarded, value = reason) and 2 (several outputs, value =
	 * how many) name no single interface. */
	return format == 0 && value != internal ? value : 0;
}

static int rec_header(struct sample *s, struct wire *r)
{
	uint32_t proto, frame_len, stripped, hlen;
	if (!wire_u32(r, &proto) || !wire_u32(r, &frame_len) || !wire_u32(r, &stripped) ||
	    !wire_u32(r, &hlen))
		return ERR_MALFORMED;
	if (hlen > wire_left(r))
		return ERR_TRUNCATED;	/* the header length runs past its record */
	if (s->have_hdr)
		return ERR_OK;		/* one packet per sample: the first header tells it */
	s->have_hdr = true;
	s->hdr_len = frame_len;
	s->hdr_ip = hdr_parse(wire_ptr(r), hlen, (int)proto, &s->f);
	return ERR_OK;
}

static int rec_ip(struct sample *s, struct wire *r, bool v6)
{
	size_t alen = v6 ? 16 : 4;
	const uint8_t *p = wire_ptr(r);
	/* length, protocol, src, dst, src_port, dst_port, tcp_flags, tos/priority */
	if (!wire_skip(r, v6 ? REC_IPV6_LEN : REC_IPV4_LEN))
		return ERR_MALFORMED;
	const uint8_t *src = p + 8, *dst = src + alen, *q = dst + alen;
	uint32_t len = be32(p), proto = be32(p + 4);
	uint32_t sport = be32(q), dport = be32(q + 4), flags = be32(q + 8), tos = be32(q + 12);
	if (s->have_ipr)
		return ERR_OK;
	s->have_ipr = true;
	s->ip_len = len;
	if (s->hdr_ip)
		return ERR_OK;		/* the packet's own header is better evidence */
	struct flow *f = &s->f;
	if (v6) {
		memcpy(f->src.b, src, 16);
		memcpy(f->dst.b, dst, 16);
	} else {
		flow_addr_set4(&f->src, src);
		flow_addr_set4(&f->dst, dst);
	}
	f->proto = (uint8_t)proto;
	f->tos = (uint8_t)tos;
	f->tcp_flags = (uint8_t)flags;
	if (proto == 1 || proto == 58) {
		/* The record has no ICMP fields; sflowtool reads the type from
		 * src_port and the code from dst_port, and so do we, folded
		 * into dport the way the NetFlow decoders do. */
		f->sport = 0;
		f->dport = (uint16_t)((sport & 0xff) << 8 | (dport & 0xff));
	} else {
		f->sport = (uint16_t)sport;
		f->dport = (uint16_t)dport;
	}
	return ERR_OK;
}

static int rec_router(struct sample *s, struct wire *r)
{
	uint32_t src_mask, dst_mask;
	bool ok_type;
	if (!read_addr(r, &s->router_nh, &ok_type) || !wire_u32(r, &src_mask) ||
	    !wire_u32(r, &dst_mask))
		return ERR_MALFORMED;
	return ERR_OK;
}

/* next_hop, as (the router's own), src_as, src_peer_as, then the destination
 * AS path as segments (type, count, ASes); communities and localpref follow
 * and are not used. The destination AS is the last AS of the path. */
static int rec_gateway(struct sample *s, struct wire *r)
{
	uint32_t as, src_as, peer_as, nseg, dst_as = 0;
	bool ok_type;
	if (!read_addr(r, &s->gw_nh, &ok_type) || !wire_u32(r, &as) || !wire_u32(r, &src_as) ||
	    !wire_u32(r, &peer_as) || !wire_u32(r, &nseg))
		return ERR_MALFORMED;
	/* nseg is distrusted: every segment takes at least 8 bytes, so the loop
	 * ends with the record whatever the count says. */
	for (uint32_t i = 0; i < nseg; i++) {
		uint32_t type, n;
		if (!wire_u32(r, &type) || !wire_u32(r, &n) || n > wire_left(r) / 4)
			return ERR_MALFORMED;
		if (n == 0)
			continue;
		wire_skip(r, ((size_t)n - 1) * 4);
		wire_u32(r, &dst_as);
	}
	s->f.src_as = src_as;
	s->f.dst_as = dst_as;
	return ERR_OK;
}

static int record(struct sample *s, uint32_t format, struct wire *r)
{
	switch (format) {
	case REC_HEADER:
		return rec_header(s, r);
	case REC_ETHERNET:
		if (wire_left(r) < REC_ETHERNET_LEN)
			return ERR_MALFORMED;
		if (!s->have_eth) {
			uint32_t len;
			wire_u32(r, &len);
			s->have_eth = true;
			s->eth_len = len;
		}
		return ERR_OK;
	case REC_IPV4:
		return rec_ip(s, r, false);
	case REC_IPV6:
		return rec_ip(s, r, true);
	case REC_ROUTER:
		return rec_router(s, r);
	case REC_GATEWAY:
		return rec_gateway(s, r);
	}
	return ERR_OK;		/* extended switch (VLANs), user, URL, MPLS...: not kept */
}

/* One flow sample, compact (format 1) or expanded (3), to one flow. Returns a
 * negative code, emitting nothing, when any of its lengths is wrong. */
static int flow_sample(struct emit_ctx *c, struct wire *w, bool expanded, uint32_t sub,
		       uint64_t recv_ms)
{
	/* sequence_number, source_id (expanded: type and index), sampling_rate,
	 * sample_pool, drops, input, output (expanded: format and value each),
	 * then the record count. */
	size_t fixed = expanded ? 44 : 32;
	const uint8_t *p = wire_ptr(w);
	if (!wire_skip(w, fixed))
		return ERR_MALFORMED;
	uint32_t rate, nrec = be32(p + fixed - 4);
	uint32_t in_fmt, in_val, out_fmt, out_val;
	if (expanded) {
		rate = be32(p + 12);
		in_fmt = be32(p + 24);
		in_val = be32(p + 28);
		out_fmt = be32(p + 32);
		out_val = be32(p + 36);
	} else {
		uint32_t in = be32(p + 20), out = be32(p + 24);
		rate = be32(p + 8);
		in_fmt = in >> 30;
		in_val = in & 0x3fffffffu;
		out_fmt = out >> 30;
		out_val = out & 0x3fffffffu;
	}
	uint32_t internal = expanded ? IF_INTERNAL_EXPANDED : IF_INTERNAL_COMPACT;

	struct sample s;
	memset(&s, 0, sizeof s);
	/* nrec is distrusted like nseg: each record takes 8 bytes at least. */
	for (uint32_t i = 0; i < nrec; i++) {
		uint32_t df, rlen;
		struct wire r;
		if (!wire_u32(w, &df) || !wire_u32(w, &rlen))
			return ERR_TRUNCATED;
		if (!wire_sub(w, rlen, &r))
			return ERR_TRUNCATED;	/* the record runs past its sample */
		if (SF_ENTERPRISE(df) != 0)
			continue;
		int rc = record(&s, SF_FORMAT(df), &r);
		if (rc < 0)
			return rc;
	}

	struct flow *f = &s.f;
	f->nexthop = flow_addr_is_zero(&s.router_nh) ? s.gw_nh : s.router_nh;
	f->in_if = iface(in_fmt, in_val, internal);
	f->out_if = iface(out_fmt, out_val, internal);
	/* The whole frame when the agent says it, else the best length there is. */
	f->bytes = s.have_hdr ? s.hdr_len : s.have_eth ? s.eth_len : s.ip_len;
	f->packets = 1;
	f->sampling = rate;		/* emit_flow scales unless --no-scale */
	f->first_ms = f->last_ms = recv_ms;	/* a sample is an instant */
	f->recv_ms = recv_ms;
	f->domain = sub;
	f->version = DECODE_VERSION_SFLOW5;
	emit_flow(c, f);
	return ERR_OK;
}

/* Datagram: version, agent address, sub-agent id, sequence number, uptime,
 * then samples, each (data_format, length, bytes). */
int sflow_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms)
{
	uint32_t version, sub, seq, uptime, nsamples;
	struct flow_addr agent;
	bool ok_type = true;
	if (!wire_u32(w, &version) || !read_addr(w, &agent, &ok_type))
		return ok_type ? ERR_TRUNCATED : ERR_MALFORMED;
	if (!wire_u32(w, &sub) || !wire_u32(w, &seq) || !wire_u32(w, &uptime) ||
	    !wire_u32(w, &nsamples))
		return ERR_TRUNCATED;
	/* The datagram sequence counts per (agent, sub-agent): the exporter is
	 * the agent, its domain the sub-agent. */
	c->e->st.seq_lost_datagrams += exporter_seq(c->e, sub, seq, 1);

	for (uint32_t i = 0; i < nsamples; i++) {
		uint32_t df, slen;
		struct wire s;
		if (!wire_u32(w, &df) || !wire_u32(w, &slen) || !wire_sub(w, slen, &s))
			return ERR_TRUNCATED;	/* the sample runs past the datagram */
		if (SF_ENTERPRISE(df) != 0)
			continue;
		int rc = ERR_OK;
		switch (SF_FORMAT(df)) {
		case SAMPLE_FLOW:
		case SAMPLE_FLOW_EXP:
			rc = flow_sample(c, &s, SF_FORMAT(df) == SAMPLE_FLOW_EXP, sub, recv_ms);
			break;
		case SAMPLE_COUNTERS:
		case SAMPLE_COUNTERS_EXP:
			c->e->st.counter_samples++;
			break;
		}
		/* After a wrong length nothing later in the datagram is trusted. */
		if (rc < 0)
			return rc;
	}
	return ERR_OK;
}
