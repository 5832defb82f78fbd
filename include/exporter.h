/* exporter: state one exporter carries between datagrams: templates, sampling,
 * sequence numbers and data sets waiting for templates. Internal to decoding. */
#ifndef NFTOP_EXPORTER_H
#define NFTOP_EXPORTER_H

#include <uthash.h>

#include "decode.h"
#include "flow.h"

struct tmpl;

/* Per observation domain (v9 source id, IPFIX domain id, v5 engine). */
struct domain {
	UT_hash_handle hh;
	uint32_t id;
	bool seq_valid;
	uint32_t next_seq;
	uint32_t rate;			/* sampling announced without a sampler id */
	uint64_t sysinit_ms;		/* IPFIX systemInitTimeMilliseconds */
};

struct sampler {
	UT_hash_handle hh;
	uint64_t key;			/* domain << 32 | sampler id */
	uint32_t rate;
};

struct pending {
	struct pending *next;
	uint32_t domain;
	uint32_t export_s;
	uint32_t uptime_ms;		/* v9 only */
	uint64_t recv_ms;
	uint16_t tid;
	uint8_t version;
	size_t len;
	uint8_t data[];
};

struct exporter {
	UT_hash_handle hh;
	struct flow_addr addr;
	struct exporter_stats st;
	struct tmpl *tmpls;
	struct domain *domains;
	struct sampler *samplers;
	unsigned ndomains, nsamplers;
	struct pending *pend_head, *pend_tail;
	size_t pend_bytes;
};

struct decoder {
	struct decode_opts o;
	struct decoder_stats st;
	struct exporter *exporters;
	unsigned nexporters;
};

/* Hands the flow on, after the decoder-wide bookkeeping. */
struct emit_ctx {
	struct decoder *d;
	struct exporter *e;
	flow_emit_fn fn;
	void *arg;
};

struct domain *exporter_domain(struct exporter *e, uint32_t id);
/* Records a sampling rate for (domain, sampler id), or the domain default when !has_id. */
void exporter_set_sampler(struct exporter *e, uint32_t domain, bool has_id, uint64_t id, uint32_t rate);
/* The rate for a sampler id, 0 when unknown. */
uint32_t exporter_sampler_rate(const struct exporter *e, uint32_t domain, uint64_t id);
/* Sequence check: 'seq' is the header's, 'advance' what this datagram adds to it.
 * Returns the gap (0 when in order, reset or first). */
uint32_t exporter_seq(struct exporter *e, uint32_t domain, uint32_t seq, uint32_t advance);
void exporter_free(struct exporter *e);

void emit_flow(struct emit_ctx *c, struct flow *f);



/* Data sets that came before their template. Returns false when the set was
 * not kept (too large for the queue); a full queue drops its oldest set. */
bool exporter_pend_push(struct decoder *d, struct exporter *e, const struct pending *hdr,
			const uint8_t *data, size_t len);
/* Unlinks and returns, oldest first, the sets waiting for (domain, tid). */
struct pending *exporter_pend_take(struct exporter *e, uint32_t domain, uint16_t tid);
#endif
