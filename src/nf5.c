#include <string.h>

#include "err.h"
#include "nf5.h"

/* Header: version, count, sysUptime, unix_secs, unix_nsecs, flow_sequence,
 * engine_type, engine_id, sampling_interval (2 bits mode, 14 bits interval). */
int nf5_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms)
{
	uint16_t version, count, sampling;
	uint32_t uptime, secs, nsecs, seq;
	uint8_t etype, eid;
	if (!wire_u16(w, &version) || !wire_u16(w, &count) || !wire_u32(w, &uptime) ||
	    !wire_u32(w, &secs) || !wire_u32(w, &nsecs) || !wire_u32(w, &seq) ||
	    !wire_u8(w, &etype) || !wire_u8(w, &eid) || !wire_u16(w, &sampling))
		return ERR_TRUNCATED;

	/* The count is distrusted: never read past what the datagram holds. */
	size_t fit = wire_left(w) / NF5_RECORD_LEN;
	int rc = ERR_OK;
	size_t n = count;
	if (n > fit) {
		n = fit;
		rc = ERR_TRUNCATED;
	}
	uint32_t domain = (uint32_t)etype << 8 | eid;
	uint32_t interval = sampling & 0x3fff;
	uint32_t rate = interval > 1 ? interval : 1;
	uint32_t gap = exporter_seq(c->e, domain, seq, count);
	c->e->st.seq_lost += gap;

	uint64_t export_ms = (uint64_t)secs * 1000 + nsecs / 1000000;
	for (size_t i = 0; i < n; i++) {
		/* n was bounded by what fits, so the record is there in full. */
		const uint8_t *p = wire_ptr(w);
		wire_skip(w, NF5_RECORD_LEN);
		struct flow f;
		flow_clear(&f);
		flow_addr_set4(&f.src, p);
		flow_addr_set4(&f.dst, p + 4);
		flow_addr_set4(&f.nexthop, p + 8);
		f.in_if = be16(p + 12);
		f.out_if = be16(p + 14);
		f.packets = be32(p + 16);
		f.bytes = be32(p + 20);
		uint32_t first = be32(p + 24), last = be32(p + 28);
		f.first_ms = (uint64_t)((int64_t)export_ms - (int32_t)(uptime - first));
		f.last_ms = (uint64_t)((int64_t)export_ms - (int32_t)(uptime - last));
		f.sport = be16(p + 32);
		f.dport = be16(p + 34);
		f.tcp_flags = p[37];
		f.proto = p[38];
		f.tos = p[39];
		f.src_as = be16(p + 40);
		f.dst_as = be16(p + 42);
		f.domain = domain;
		f.sampling = rate;
		f.recv_ms = recv_ms;
		f.version = 5;
		emit_flow(c, &f);
	}
	return rc;
}
