/* meter: packets to flows, for captures of ordinary traffic. A flow is the
 * 5-tuple (addresses, ports, protocol); it ends on TCP FIN or RST, after the
 * inactive timeout, or at the active timeout, and is then emitted with the
 * IP-level packet and byte counts (as softflowd counts them). Pure: packets
 * come in with their capture time, flows go out through a callback. */
#ifndef NFTOP_METER_H
#define NFTOP_METER_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

struct meter_opts {
	uint32_t active_s;		/* longest a flow runs before it is cut (default 300) */
	uint32_t inactive_s;		/* idle time that ends a flow (default 15) */
	size_t max_flows;		/* flows tracked at once (default 1000000) */
};

struct meter_stats {
	uint64_t packets;		/* IP packets metered */
	uint64_t flows;			/* flows emitted */
	uint64_t early;			/* flows ended early because the table was full */
	uint64_t active;		/* flows being tracked now */
};

struct meter;

void meter_opts_default(struct meter_opts *o);
struct meter *meter_new(const struct meter_opts *o);
void meter_free(struct meter *m);
/* One IP packet: pkt holds its addresses, ports, protocol, ToS and TCP flags
 * (as hdr_parse_ip fills them), ip_len its length, ts_ms its capture time. */
void meter_packet(struct meter *m, const struct flow *pkt, uint32_t ip_len, uint64_t ts_ms,
		  flow_emit_fn emit, void *arg);
/* Ends the flows idle past the inactive timeout at now_ms (live capture,
 * when no packet has come for a while). */
void meter_expire(struct meter *m, uint64_t now_ms, flow_emit_fn emit, void *arg);
/* Ends every flow (end of input). */
void meter_flush(struct meter *m, flow_emit_fn emit, void *arg);
void meter_stats(const struct meter *m, struct meter_stats *st);

#endif
