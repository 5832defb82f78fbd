#include <endian.h>
#include <string.h>

#include "tmpl.h"
#include "xmem.h"

/* Seconds between the NTP epoch (1900) and the Unix epoch. */
#define NTP_UNIX_OFFSET 2208988800ULL

static bool is_addr4(uint8_t d)
{
	return d == IE_SRC4 || d == IE_DST4 || d == IE_NH4 || d == IE_BGP_NH4;
}

static bool is_addr6(uint8_t d)
{
	return d == IE_SRC6 || d == IE_DST6 || d == IE_NH6 || d == IE_BGP_NH6;
}

/* Whether a field of this destination and length is read (else it is
 * skipped, as if absent): IPv4 elements of 4 bytes, IPv6 ones of 4 or 16,
 * integers of 1 to 8 bytes. */
static bool field_used(uint8_t dest, size_t len)
{
	if (dest == IE_SKIP)
		return false;
	if (is_addr4(dest))
		return len == 4;
	if (is_addr6(dest))
		return len == 4 || len == 16;
	return len >= 1 && len <= 8;
}

static uint8_t op_kind(uint8_t dest, size_t len)
{
	if (is_addr4(dest) || is_addr6(dest))
		return TOP_ADDR;
	return len == 1 ? TOP_U8 : len == 2 ? TOP_U16 : len == 4 ? TOP_U32 : len == 8 ? TOP_U64 : TOP_UINT;
}

/* The ops in groups by kind, each group in the template's order. Of
 * integer fields of one destination only the last is kept (it would
 * overwrite the others); addresses keep their order (put_addr decides
 * between them by it). */
static void compile(struct tmpl *t)
{
	uint16_t off[TMPL_MAX_FIELDS];
	uint32_t last[IE_DEST_MAX] = { 0 };	/* index + 1 of a destination's last integer field */
	uint16_t o = 0;
	for (uint16_t i = 0; i < t->nfields; i++) {
		const struct tmpl_field *fd = &t->f[i];
		off[i] = o;
		o = (uint16_t)(o + fd->len);
		if (field_used(fd->dest, fd->len) && op_kind(fd->dest, fd->len) != TOP_ADDR)
			last[fd->dest] = i + 1u;
	}
	for (uint8_t k = 0; k < TOP_KINDS; k++) {
		for (uint16_t i = 0; i < t->nfields; i++) {
			const struct tmpl_field *fd = &t->f[i];
			if (!field_used(fd->dest, fd->len) || op_kind(fd->dest, fd->len) != k)
				continue;
			if (k != TOP_ADDR && last[fd->dest] != i + 1u)
				continue;
			t->ops[t->nops++] = (struct tmpl_op){ off[i], (uint8_t)fd->len, fd->dest };
			t->nkind[k]++;
			t->have |= 1ULL << fd->dest;
		}
	}
	t->compiled = true;
}

struct tmpl *tmpl_new(uint16_t tid, uint32_t domain, bool options, uint16_t nfields,
		      const uint16_t *ids, const uint32_t *ens, const uint16_t *lens)
{
	if (nfields == 0 || nfields > TMPL_MAX_FIELDS)
		return NULL;
	struct tmpl *t = xcalloc(1, sizeof *t + nfields * (sizeof t->f[0] + sizeof t->ops[0]));
	t->ops = (struct tmpl_op *)((char *)t + sizeof *t + nfields * sizeof t->f[0]);
	t->key = tmpl_key(domain, tid);
	t->tid = tid;
	t->nfields = nfields;
	t->options = options;
	for (uint16_t i = 0; i < nfields; i++) {
		enum ie_dest d = ie_dest(ids[i], ens[i]);
		t->f[i].len = lens[i];
		if (lens[i] == TMPL_VARLEN) {
			t->varlen = true;
			t->min_len += 1;
			d = IE_SKIP;	/* nothing nftop counts is variable-length */
		} else {
			t->min_len += lens[i];
		}
		t->f[i].dest = (uint8_t)d;
	}
	if (t->min_len == 0) {
		free(t);
		return NULL;
	}
	if (!t->varlen && t->min_len <= UINT16_MAX)
		compile(t);
	return t;
}

static bool zero_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Templates with both IPv4 and IPv6 address fields fill one: a zero address
 * never replaces a set one. */
static void put_addr(struct flow_addr *a, const uint8_t *p, uint16_t len)
{
	if (!flow_addr_is_zero(a) && (zero_bytes(p, len) || (len == 16 && flow_addr_is4(a))))
		return;	/* a set IPv4 address (IE 8, 12) wins over the IPv6 element */
	if (len == 4)
		flow_addr_set4(a, p);
	else if (len == 16)
		memcpy(a->b, p, 16);
}

/* One address field into its place in the flow. */
static void put_field_addr(struct tmpl_rec *r, uint8_t dest, const uint8_t *p, uint16_t len)
{
	if (dest == IE_SRC4 || dest == IE_SRC6)
		put_addr(&r->f.src, p, len);
	else if (dest == IE_DST4 || dest == IE_DST6)
		put_addr(&r->f.dst, p, len);
	else if (dest == IE_NH4 || dest == IE_NH6)
		put_addr(&r->f.nexthop, p, len);
	else if (flow_addr_is_zero(&r->f.nexthop))
		put_addr(&r->f.nexthop, p, len);
}

bool tmpl_run(const struct tmpl *t, struct wire *w, struct tmpl_rec *r)
{
	flow_clear(&r->f);
	if (t->compiled) {
		const uint8_t *p = wire_ptr(w);
		if (!wire_skip(w, t->min_len))
			return false;
		r->have = t->have;
		const struct tmpl_op *op = t->ops;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;
		for (uint16_t n = t->nkind[TOP_U8]; n; n--, op++)
			r->v[op->dest] = p[op->off];
		for (uint16_t n = t->nkind[TOP_U16]; n; n--, op++) {
			memcpy(&v16, p + op->off, 2);
			r->v[op->dest] = be16toh(v16);
		}
		for (uint16_t n = t->nkind[TOP_U32]; n; n--, op++) {
			memcpy(&v32, p + op->off, 4);
			r->v[op->dest] = be32toh(v32);
		}
		for (uint16_t n = t->nkind[TOP_U64]; n; n--, op++) {
			memcpy(&v64, p + op->off, 8);
			r->v[op->dest] = be64toh(v64);
		}
		for (uint16_t n = t->nkind[TOP_UINT]; n; n--, op++)
			r->v[op->dest] = wire_be_uint(p + op->off, op->len);
		for (uint16_t n = t->nkind[TOP_ADDR]; n; n--, op++)
			put_field_addr(r, op->dest, p + op->off, op->len);
		return true;
	}
	r->have = 0;
	for (uint16_t i = 0; i < t->nfields; i++) {
		const struct tmpl_field *fd = &t->f[i];
		size_t len = fd->len;
		if (len == TMPL_VARLEN) {
			uint8_t l8;
			uint16_t l16;
			if (!wire_u8(w, &l8))
				return false;
			len = l8;
			if (l8 == 255) {
				if (!wire_u16(w, &l16))
					return false;
				len = l16;
			}
		}
		const uint8_t *p = wire_ptr(w);
		if (!wire_skip(w, len))
			return false;
		if (!field_used(fd->dest, len))
			continue;
		if (is_addr4(fd->dest) || is_addr6(fd->dest))
			put_field_addr(r, fd->dest, p, (uint16_t)len);
		else
			r->v[fd->dest] = wire_be_uint(p, len);
		r->have |= 1ULL << fd->dest;
	}
	return true;
}

int tmpl_tail(const struct tmpl *t, const struct wire *w)
{
	size_t left = wire_left(w);
	if (left >= t->min_len) {
		/* Sets are padded to 4 bytes; tiny records must not eat the pad. */
		if (left < 4 && wire_rest_zero(w))
			return TMPL_TAIL_PADDING;
		return TMPL_TAIL_RECORD;
	}
	/* Shorter than any record: padding. Real exporters (nProbe, MikroTik)
	 * leave non-zero bytes there, so the content is not held against them. */
	return TMPL_TAIL_PADDING;
}

static uint64_t ntp_to_ms(uint64_t ntp)
{
	uint64_t s = ntp >> 32, frac = ntp & 0xffffffffULL;
	if (s < NTP_UNIX_OFFSET)
		return 0;
	return (s - NTP_UNIX_OFFSET) * 1000 + (frac * 1000 >> 32);
}

/* One end of the flow in Unix ms, from whichever time element the template had. */
static uint64_t flow_time(const struct tmpl_rec *r, const struct tmpl_ctx *c, enum ie_dest ms,
			  enum ie_dest s, enum ie_dest us, enum ie_dest ns, enum ie_dest dus,
			  enum ie_dest up)
{
	uint64_t export_ms = (uint64_t)c->export_s * 1000;
	if (tmpl_has(r, ms))
		return r->v[ms];
	if (tmpl_has(r, s))
		return r->v[s] * 1000;
	if (tmpl_has(r, us))
		return ntp_to_ms(r->v[us]);
	if (tmpl_has(r, ns))
		return ntp_to_ms(r->v[ns]);
	if (tmpl_has(r, dus)) {
		uint64_t d = r->v[dus] / 1000;
		return d < export_ms ? export_ms - d : 0;
	}
	if (tmpl_has(r, up)) {
		uint32_t v = (uint32_t)r->v[up];
		if (c->version == 9) {
			/* sysUpTime wraps after 49.7 days; the signed gap survives that. */
			int64_t back = (int32_t)(c->uptime_ms - v);
			return (uint64_t)((int64_t)export_ms - back);
		}
		if (c->sysinit_ms)
			return c->sysinit_ms + v;
	}
	return 0;
}

static bool is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

void tmpl_finish(struct tmpl_rec *r, const struct tmpl_ctx *c)
{
	struct flow *f = &r->f;
	const uint64_t *v = r->v;

	if (tmpl_has(r, IE_BYTES))
		f->bytes = v[IE_BYTES];
	else if (tmpl_has(r, IE_BYTES_TOTAL))
		f->bytes = v[IE_BYTES_TOTAL];
	else if (tmpl_has(r, IE_BYTES_INIT))
		f->bytes = v[IE_BYTES_INIT];
	if (tmpl_has(r, IE_PKTS))
		f->packets = v[IE_PKTS];
	else if (tmpl_has(r, IE_PKTS_TOTAL))
		f->packets = v[IE_PKTS_TOTAL];
	else if (tmpl_has(r, IE_PKTS_INIT))
		f->packets = v[IE_PKTS_INIT];

	/* postOctet/PacketDeltaCount (v9 OUT_BYTES/OUT_PKTS) count the same
	 * packets after NAT or at egress (RFC 7012): they stand in when the
	 * plain counter is absent or zero, and are never added to it (nfdump
	 * adds them, which doubles Fortigate's NAT flows). */
	if (!f->bytes && tmpl_has(r, IE_BYTES_OUT))
		f->bytes = v[IE_BYTES_OUT];
	if (!f->packets && tmpl_has(r, IE_PKTS_OUT))
		f->packets = v[IE_PKTS_OUT];
	/* The other direction of a bidirectional record (NSEL responder, RFC
	 * 5103 reverse) belongs to the same conversation: it is added. */
	if (tmpl_has(r, IE_BYTES_RESP))
		f->bytes += v[IE_BYTES_RESP];
	else if (tmpl_has(r, IE_BYTES_REV))
		f->bytes += v[IE_BYTES_REV];
	if (tmpl_has(r, IE_PKTS_RESP))
		f->packets += v[IE_PKTS_RESP];
	else if (tmpl_has(r, IE_PKTS_REV))
		f->packets += v[IE_PKTS_REV];
	/* A record without an address, or with only zero ones, is shown as
	 * 0.0.0.0 unless it had IPv6 fields only, as nfdump does. */
	if (flow_addr_is_zero(&f->src) && (tmpl_has(r, IE_SRC4) || !tmpl_has(r, IE_SRC6)))
		flow_addr_set4u(&f->src, 0);
	if (flow_addr_is_zero(&f->dst) && (tmpl_has(r, IE_DST4) || !tmpl_has(r, IE_DST6)))
		flow_addr_set4u(&f->dst, 0);

	if (tmpl_has(r, IE_PROTO)) f->proto = (uint8_t)v[IE_PROTO];
	if (tmpl_has(r, IE_TOS)) f->tos = (uint8_t)v[IE_TOS];
	if (tmpl_has(r, IE_TCP_FLAGS)) f->tcp_flags = (uint8_t)v[IE_TCP_FLAGS];
	if (tmpl_has(r, IE_SPORT)) f->sport = (uint16_t)v[IE_SPORT];
	if (tmpl_has(r, IE_DPORT)) f->dport = (uint16_t)v[IE_DPORT];
	if (tmpl_has(r, IE_IN_IF)) f->in_if = (uint32_t)v[IE_IN_IF];
	if (tmpl_has(r, IE_OUT_IF)) f->out_if = (uint32_t)v[IE_OUT_IF];
	if (tmpl_has(r, IE_SRC_AS)) f->src_as = (uint32_t)v[IE_SRC_AS];
	if (tmpl_has(r, IE_DST_AS)) f->dst_as = (uint32_t)v[IE_DST_AS];

	/* ICMP type/code: the dedicated elements first, the destination port otherwise. */
	if (is_icmp(f->proto)) {
		bool v6 = f->proto == 58;
		enum ie_dest tc = v6 ? IE_ICMP_TC6 : IE_ICMP_TC4;
		enum ie_dest ty = v6 ? IE_ICMP_TYPE6 : IE_ICMP_TYPE4;
		enum ie_dest co = v6 ? IE_ICMP_CODE6 : IE_ICMP_CODE4;
		enum ie_dest other = v6 ? IE_ICMP_TC4 : IE_ICMP_TC6;
		if (tmpl_has(r, tc))
			f->dport = (uint16_t)v[tc];
		else if (tmpl_has(r, other))
			f->dport = (uint16_t)v[other];
		else if (tmpl_has(r, ty))
			f->dport = (uint16_t)((v[ty] & 0xff) << 8 | (tmpl_has(r, co) ? v[co] & 0xff : 0));
	}

	f->first_ms = flow_time(r, c, IE_START_MS, IE_START_S, IE_START_US, IE_START_NS,
				IE_START_DUS, IE_FIRST_UP);
	f->last_ms = flow_time(r, c, IE_END_MS, IE_END_S, IE_END_US, IE_END_NS,
			       IE_END_DUS, IE_LAST_UP);
}
