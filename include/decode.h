/* decode: the one entry point from export datagram bytes to flow records.
 * Pure over its arguments: no I/O, no globals, no logging. All state that
 * survives a datagram (templates, sampling, sequence numbers, data waiting
 * for its template) lives in the decoder passed in. Also the fuzz target. */
#ifndef NFTOP_DECODE_H
#define NFTOP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct decoder;

struct decode_opts {
	bool no_scale;			/* leave packets/bytes as exported */
	unsigned max_exporters;		/* new exporters past this are refused (counted) */
	unsigned max_templates;		/* per exporter */
	unsigned max_pending_sets;	/* data sets held per exporter waiting for a template */
	size_t max_pending_bytes;	/* per exporter */
};

void decode_opts_default(struct decode_opts *o);

/* exporter_stats.version and flow.version for sFlow v5, whose own number
 * would clash with NetFlow v5's. */
#define DECODE_VERSION_SFLOW5 105

/* Counters kept per exporter: one source address for NetFlow and IPFIX, one
 * agent address (from the datagram, not the UDP source) for sFlow. */
struct exporter_stats {
	struct flow_addr addr;
	uint8_t version;		/* export version last seen: 5, 9, 10, or 105 (sFlow v5) */
	uint32_t sampling;		/* sampling rate in force (last applied; 1 = none) */
	uint64_t datagrams;
	uint64_t flows;			/* flow records decoded (options records excluded) */
	uint64_t options_records;
	uint64_t malformed;		/* datagrams with any structural error */
	uint64_t templates;		/* templates currently known */
	uint64_t templates_rejected;	/* refused: over the per-exporter cap or invalid */
	uint64_t waiting_for_template;	/* data sets held now, waiting for their template */
	uint64_t decoded_late;		/* data sets decoded when their template came */
	uint64_t dropped_no_template;	/* data sets dropped: queue full, or never decodable */
	uint64_t seq_lost;		/* estimated flow records lost (sequence gaps) */
	uint64_t seq_lost_datagrams;	/* datagrams lost (v9 and sFlow, whose sequences count datagrams) */
	uint64_t counter_samples;	/* sFlow counter samples (not flows) */
	uint64_t first_ms, last_ms;	/* receive time of the first and last datagram */
};

/* Decoder-wide counters for datagrams that no exporter entry can own. */
struct decoder_stats {
	uint64_t datagrams;
	uint64_t unknown_version;
	uint64_t exporters_rejected;
	uint64_t flows;
};

typedef void (*flow_emit_fn)(void *arg, const struct flow *f);

struct decoder *decoder_new(const struct decode_opts *o);
void decoder_free(struct decoder *d);

/* Decodes one datagram received from 'exporter' at 'recv_ms' (Unix ms) and
 * calls emit for every flow record. Returns ERR_OK, or a negative err code for
 * a datagram that was unknown or malformed (flows before the fault are still
 * emitted and counted). */
int decode_datagram(struct decoder *d, const struct flow_addr *exporter, uint64_t recv_ms,
		    const uint8_t *buf, size_t len, flow_emit_fn emit, void *arg);

/* Whether the payload looks like an export we decode (NetFlow v5, v9, IPFIX, sFlow v5). */
bool decode_is_export(const uint8_t *buf, size_t len);

const struct decoder_stats *decoder_stats(const struct decoder *d);
/* Copies up to max exporters' counters; returns how many exporters there are. */
size_t decoder_exporters(const struct decoder *d, struct exporter_stats *out, size_t max);

#endif
