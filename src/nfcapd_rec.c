#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "err.h"
#include "nfcapd.h"
#include "xmem.h"

/* Record types (the 16-bit type of every record header). */
enum {
	R_EXTMAP = 2,		/* 1.6 extension map */
	R_PORT_HIST = 3, R_BPP_HIST = 4,
	R_EXPORTER = 7, R_EXPORTER_STAT = 8, R_SAMPLER_V0 = 9,
	R_COMMON = 10,		/* 1.6 flow record */
	R_V3 = 11,		/* 1.7 flow record */
	R_NBAR = 12, R_IFNAME = 13, R_VRFNAME = 14, R_SAMPLER = 15,
	R_IDENT = 0x8001, R_STAT = 0x8002,
};

/* Element ids of V3 records that are read, and how many data bytes each
 * needs at least; the first id nfdump 1.7.1 does not define. */
enum {
	E_GENERIC = 1, E_IPV4 = 2, E_IPV6 = 3, E_MISC = 4, E_CNT = 5, E_AS = 7,
	E_NEXTHOP4 = 10, E_NEXTHOP6 = 11, E_RECV4 = 12, E_RECV6 = 13,
	E_DEFINED = 38,
};

/* Limits on what one file may define; more is ignored (and counted). */
#define MAX_EXPORTERS 1024
#define MAX_MAPS 1024
#define MAX_MAP_IDS 128

struct nfcapd_map {
	uint16_t id;
	uint16_t n;
	uint16_t unknown;	/* first extension id of unknown size; 0 none */
	uint16_t ext[MAX_MAP_IDS];
};

/* Data bytes of each 1.6 extension (nfdump 1.6's extension table); 0 for
 * ids nfdump reserves or no longer defines. Ids 1-3 are the required
 * address and counter fields, never listed in a map. */
static const uint8_t ext_size[] = {
	[4] = 4, [5] = 8, [6] = 4, [7] = 8, [8] = 4, [9] = 4, [10] = 16, [11] = 4, [12] = 16, [13] = 4,
	[14] = 4, [15] = 8, [16] = 4, [17] = 8, [18] = 4, [19] = 8, [20] = 16, [21] = 16, [22] = 40,
	[23] = 4, [24] = 16, [25] = 4, [26] = 8, [27] = 8,
	[37] = 20, [38] = 4, [39] = 8, [40] = 32, [41] = 24, [42] = 24, [43] = 72, [45] = 24, [46] = 12, [48] = 8,
};
#define NEXT_IDS (sizeof ext_size / sizeof ext_size[0])

/* nfdump keeps IPv4 addresses as host-order 32-bit numbers and IPv6 ones as
 * two host-order 64-bit halves, the first the most significant. */
static void addr4(struct flow_addr *a, const uint8_t *p)
{
	flow_addr_set4u(a, nfcapd_le32(p));
}

static void addr6(struct flow_addr *a, const uint8_t *p)
{
	for (int half = 0; half < 2; half++) {
		uint64_t v = nfcapd_le64(p + 8 * half);
		for (int i = 0; i < 8; i++)
			a->b[8 * half + i] = (uint8_t)(v >> (56 - 8 * i));
	}
}

static const struct nfcapd_exporter *exporter(const struct nfcapd_ctx *ctx, uint16_t sysid)
{
	for (size_t i = 0; i < ctx->nexp; i++)
		if (ctx->exp[i].sysid == sysid)
			return &ctx->exp[i];
	return NULL;
}

static uint8_t version_of(uint32_t v)
{
	if (v == 9999)		/* nfdump's number for sFlow */
		return DECODE_VERSION_SFLOW5;
	return v <= 255 ? (uint8_t)v : 0;
}

/* Exporter info: version, address (16), family, sysid, id. */
static int rec_exporter(struct nfcapd_ctx *ctx, const uint8_t *p, size_t len, char **why)
{
	if (len < 32) {
		*why = err_fmt("exporter record of %zu bytes (32 expected)", len);
		return ERR_MALFORMED;
	}
	struct nfcapd_exporter e;
	memset(&e, 0, sizeof e);
	e.version = version_of(nfcapd_le32(p + 4));
	uint16_t family = nfcapd_le16(p + 24);
	if (family == AF_INET)
		addr4(&e.addr, p + 16);
	else if (family == AF_INET6)
		addr6(&e.addr, p + 8);
	e.sysid = nfcapd_le16(p + 26);
	e.id = nfcapd_le32(p + 28);
	for (size_t i = 0; i < ctx->nexp; i++)
		if (ctx->exp[i].sysid == e.sysid) {
			ctx->exp[i] = e;
			return NFCAPD_REC_META;
		}
	if (ctx->nexp >= MAX_EXPORTERS) {
		ctx->skipped++;
		return NFCAPD_REC_META;
	}
	ctx->exp = xreallocarray(ctx->exp, ctx->nexp + 1, sizeof *ctx->exp);
	ctx->exp[ctx->nexp++] = e;
	return NFCAPD_REC_META;
}

/* Exporter, domain and version of a flow from the exporter it names. */
static void from_exporter(const struct nfcapd_ctx *ctx, uint16_t sysid, struct flow *f)
{
	const struct nfcapd_exporter *e = exporter(ctx, sysid);
	if (!e)
		return;
	f->exporter = e->addr;
	f->domain = e->id;
	if (!f->version)
		f->version = e->version;
}

/* A 1.7 record: a 12-byte header (type, size, element count, engine
 * type/id, exporter sysid, flags, NetFlow version), then elements of
 * type, length (header included) and data. */
static int rec_v3(const struct nfcapd_ctx *ctx, const uint8_t *p, size_t len, struct flow *f, uint64_t *skipped,
		  char **why)
{
	if (len < 12) {
		*why = err_fmt("V3 record of %zu bytes, shorter than its header", len);
		return ERR_MALFORMED;
	}
	unsigned nelem = nfcapd_le16(p + 4);
	uint16_t sysid = nfcapd_le16(p + 8);
	f->version = version_of(p[11]);
	struct flow_addr received;
	memset(&received, 0, sizeof received);
	size_t off = 12;
	for (unsigned i = 0; i < nelem; i++) {
		if (len - off < 4) {
			*why = err_fmt("element %u of %u starts past the record's %zu bytes", i, nelem, len);
			return ERR_MALFORMED;
		}
		unsigned type = nfcapd_le16(p + off), elen = nfcapd_le16(p + off + 2);
		if (elen < 4 || elen > len - off) {
			*why = err_fmt("element %u (id %u) has length %u, %zu bytes left in the record", i, type, elen,
				       len - off);
			return ERR_MALFORMED;
		}
		const uint8_t *d = p + off + 4;
		size_t n = elen - 4;
		static const uint8_t need[] = {
			[E_GENERIC] = 48, [E_IPV4] = 8, [E_IPV6] = 32, [E_MISC] = 12, [E_CNT] = 24, [E_AS] = 8,
			[E_NEXTHOP4] = 4, [E_NEXTHOP6] = 16, [E_RECV4] = 4, [E_RECV6] = 16,
		};
		if (type < sizeof need && n < need[type]) {
			*why = err_fmt("element %u (id %u) holds %zu bytes, %u expected", i, type, n, need[type]);
			return ERR_MALFORMED;
		}
		switch (type) {
		case E_GENERIC:
			f->first_ms = nfcapd_le64(d);
			f->last_ms = nfcapd_le64(d + 8);
			f->recv_ms = nfcapd_le64(d + 16);
			f->packets += nfcapd_le64(d + 24);
			f->bytes += nfcapd_le64(d + 32);
			f->sport = nfcapd_le16(d + 40);
			f->dport = nfcapd_le16(d + 42);	/* ICMP: type * 256 + code, as nftop keeps it */
			f->proto = d[44];
			f->tcp_flags = d[45];
			f->tos = d[47];
			break;
		case E_IPV4:
			addr4(&f->src, d);
			addr4(&f->dst, d + 4);
			break;
		case E_IPV6:
			addr6(&f->src, d);
			addr6(&f->dst, d + 16);
			break;
		case E_MISC:
			f->in_if = nfcapd_le32(d);
			f->out_if = nfcapd_le32(d + 4);
			break;
		case E_CNT:	/* the reverse direction of a bidirectional flow; nfdump adds it */
			f->packets += nfcapd_le64(d + 8);
			f->bytes += nfcapd_le64(d + 16);
			break;
		case E_AS:
			f->src_as = nfcapd_le32(d);
			f->dst_as = nfcapd_le32(d + 4);
			break;
		case E_NEXTHOP4:
			addr4(&f->nexthop, d);
			break;
		case E_NEXTHOP6:
			addr6(&f->nexthop, d);
			break;
		case E_RECV4:
			addr4(&received, d);
			break;
		case E_RECV6:
			addr6(&received, d);
			break;
		default:
			if (type == 0 || type >= E_DEFINED)
				(*skipped)++;
			break;
		}
		off += elen;
	}
	f->exporter = received;
	from_exporter(ctx, sysid, f);
	return NFCAPD_REC_FLOW;
}

/* A 1.6 extension map: map id, size of its extensions, ids until a 0. */
static int rec_map(struct nfcapd_ctx *ctx, const uint8_t *p, size_t len, char **why)
{
	if (len < 8) {
		*why = err_fmt("extension map of %zu bytes", len);
		return ERR_MALFORMED;
	}
	struct nfcapd_map *m = xcalloc(1, sizeof *m);
	m->id = nfcapd_le16(p + 4);
	for (size_t off = 8; off + 2 <= len; off += 2) {
		uint16_t id = nfcapd_le16(p + off);
		if (!id)
			break;
		if (m->n >= MAX_MAP_IDS) {
			free(m);
			*why = err_fmt("extension map %u lists more than %d extensions", nfcapd_le16(p + 4), MAX_MAP_IDS);
			return ERR_MALFORMED;
		}
		if ((id >= NEXT_IDS || !ext_size[id]) && id > 3 && !m->unknown)
			m->unknown = id;
		m->ext[m->n++] = id;
	}
	for (size_t i = 0; i < ctx->nmaps; i++)
		if (ctx->maps[i]->id == m->id) {
			free(ctx->maps[i]);
			ctx->maps[i] = m;
			return NFCAPD_REC_META;
		}
	if (ctx->nmaps >= MAX_MAPS) {
		free(m);
		*why = err_fmt("more than %d extension maps", MAX_MAPS);
		return ERR_LIMIT;
	}
	ctx->maps = xreallocarray(ctx->maps, ctx->nmaps + 1, sizeof *ctx->maps);
	ctx->maps[ctx->nmaps++] = m;
	return NFCAPD_REC_META;
}

static const struct nfcapd_map *map_of(const struct nfcapd_ctx *ctx, uint16_t id)
{
	for (size_t i = 0; i < ctx->nmaps; i++)
		if (ctx->maps[i]->id == id)
			return ctx->maps[i];
	return NULL;
}

/* 1.6 flags of a common record. */
#define C_IPV6 0x1
#define C_PKG64 0x2
#define C_BYTES64 0x4

/* The fields of one 1.6 extension into f. */
static void extension(unsigned id, const uint8_t *d, struct flow *f)
{
	switch (id) {
	case 4: f->in_if = nfcapd_le16(d); f->out_if = nfcapd_le16(d + 2); break;
	case 5: f->in_if = nfcapd_le32(d); f->out_if = nfcapd_le32(d + 4); break;
	case 6: f->src_as = nfcapd_le16(d); f->dst_as = nfcapd_le16(d + 2); break;
	case 7: f->src_as = nfcapd_le32(d); f->dst_as = nfcapd_le32(d + 4); break;
	case 9: addr4(&f->nexthop, d); break;
	case 10: addr6(&f->nexthop, d); break;
	case 14: f->packets += nfcapd_le32(d); break;	/* output counters: nfdump adds them */
	case 15: f->packets += nfcapd_le64(d); break;
	case 16: f->bytes += nfcapd_le32(d); break;
	case 17: f->bytes += nfcapd_le64(d); break;
	case 27: f->recv_ms = nfcapd_le64(d); break;
	default: break;
	}
}

/* A 1.6 common record: type, size, flags, map id, msec first/last, first,
 * last (s), forwarding status, TCP flags, protocol, ToS, ports, exporter
 * sysid, 2 more bytes; then addresses, packets, bytes and the map's
 * extensions. */
static int rec_common(const struct nfcapd_ctx *ctx, const uint8_t *p, size_t len, struct flow *f, char **why)
{
	if (len < 32) {
		*why = err_fmt("common record of %zu bytes, shorter than its header", len);
		return ERR_MALFORMED;
	}
	uint16_t flags = nfcapd_le16(p + 4), mid = nfcapd_le16(p + 6);
	const struct nfcapd_map *m = map_of(ctx, mid);
	if (!m) {
		*why = err_fmt("extension map %u is not defined", mid);
		return ERR_MALFORMED;
	}
	if (m->unknown) {
		*why = err_fmt("extension map %u lists extension %u, whose size is unknown", mid, m->unknown);
		return ERR_MALFORMED;
	}
	f->first_ms = (uint64_t)nfcapd_le32(p + 12) * 1000 + nfcapd_le16(p + 8);
	f->last_ms = (uint64_t)nfcapd_le32(p + 16) * 1000 + nfcapd_le16(p + 10);
	f->tcp_flags = p[21];
	f->proto = p[22];
	f->tos = p[23];
	f->sport = nfcapd_le16(p + 24);
	f->dport = nfcapd_le16(p + 26);
	size_t need = 32 + (flags & C_IPV6 ? 32 : 8) + (flags & C_PKG64 ? 8 : 4) + (flags & C_BYTES64 ? 8 : 4);
	for (unsigned i = 0; i < m->n; i++)
		need += m->ext[i] < NEXT_IDS ? ext_size[m->ext[i]] : 0;
	if (need > len) {
		*why = err_fmt("common record of %zu bytes, its flags and extension map %u need %zu", len, mid, need);
		return ERR_MALFORMED;
	}
	const uint8_t *d = p + 32;
	if (flags & C_IPV6) {
		addr6(&f->src, d);
		addr6(&f->dst, d + 16);
		d += 32;
	} else {
		addr4(&f->src, d);
		addr4(&f->dst, d + 4);
		d += 8;
	}
	f->packets = flags & C_PKG64 ? nfcapd_le64(d) : nfcapd_le32(d);
	d += flags & C_PKG64 ? 8 : 4;
	f->bytes = flags & C_BYTES64 ? nfcapd_le64(d) : nfcapd_le32(d);
	d += flags & C_BYTES64 ? 8 : 4;
	for (unsigned i = 0; i < m->n; i++) {
		unsigned id = m->ext[i];
		if (id >= NEXT_IDS || !ext_size[id])
			continue;
		extension(id, d, f);
		d += ext_size[id];
	}
	from_exporter(ctx, nfcapd_le16(p + 28), f);
	return NFCAPD_REC_FLOW;
}

int nfcapd_record(struct nfcapd_ctx *ctx, const uint8_t *rec, size_t rec_len, struct flow *f, char **why)
{
	uint16_t type = nfcapd_le16(rec);
	int rc;
	switch (type) {
	case R_V3:
	case R_COMMON:
		flow_clear(f);
		f->sampling = 1;	/* nfcapd stores counters already scaled */
		rc = type == R_V3 ? rec_v3(ctx, rec, rec_len, f, &ctx->skipped, why) : rec_common(ctx, rec, rec_len, f, why);
		if (rc == NFCAPD_REC_FLOW && !f->recv_ms)
			f->recv_ms = f->last_ms;
		return rc;
	case R_EXPORTER:
		return rec_exporter(ctx, rec, rec_len, why);
	case R_EXTMAP:
		return rec_map(ctx, rec, rec_len, why);
	case R_PORT_HIST: case R_BPP_HIST: case R_EXPORTER_STAT: case R_SAMPLER_V0:
	case R_NBAR: case R_IFNAME: case R_VRFNAME: case R_SAMPLER: case R_IDENT: case R_STAT:
		return NFCAPD_REC_META;
	default:
		*why = err_fmt("record type %u of %zu bytes is not read", type, rec_len);
		return ERR_FORMAT;
	}
}

void nfcapd_ctx_free(struct nfcapd_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nmaps; i++)
		free(ctx->maps[i]);
	free(ctx->maps);
	free(ctx->exp);
	memset(ctx, 0, sizeof *ctx);
}
