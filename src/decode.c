#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "err.h"
#include "exporter.h"
#include "ipfix.h"
#include "nf5.h"
#include "nf9.h"
#include "sflow.h"
#include "xmem.h"

void decode_opts_default(struct decode_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_exporters = 4096;
	o->max_templates = 1024;
	o->max_pending_sets = 256;
	o->max_pending_bytes = 1u << 20;
}

struct decoder *decoder_new(const struct decode_opts *o)
{
	struct decoder *d = xcalloc(1, sizeof *d);
	if (o)
		d->o = *o;
	else
		decode_opts_default(&d->o);
	return d;
}

void decoder_free(struct decoder *d)
{
	struct exporter *e, *tmp;
	if (!d)
		return;
	HASH_ITER(hh, d->exporters, e, tmp) {
		HASH_DEL(d->exporters, e);
		exporter_free(e);
	}
	free(d);
}

/* NetFlow and IPFIX start with a 16-bit version; sFlow with a 32-bit one,
 * so sFlow v5's first 16 bits are 0 and the two v5s cannot be confused.
 * Returns 5, 9, 10, DECODE_VERSION_SFLOW5, or 0 for anything else. */
static unsigned peek_version(const uint8_t *buf, size_t len)
{
	if (len >= 4 && be32(buf) == 5)
		return DECODE_VERSION_SFLOW5;
	uint16_t v = len >= 2 ? be16(buf) : 0;
	return v == 5 || v == 9 || v == 10 ? v : 0;
}

bool decode_is_export(const uint8_t *buf, size_t len)
{
	switch (peek_version(buf, len)) {
	case 5:
		return len >= NF5_HEADER_LEN;
	case 9:
		return len >= NF9_HEADER_LEN;
	case 10:
		return len >= IPFIX_HEADER_LEN;
	case DECODE_VERSION_SFLOW5:
		return sflow_is_v5(buf, len);
	}
	return false;
}

static struct exporter *find_exporter(struct decoder *d, const struct flow_addr *a)
{
	struct exporter *e;
	HASH_FIND(hh, d->exporters, a->b, sizeof a->b, e);
	if (e)
		return e;
	if (d->nexporters >= d->o.max_exporters)
		return NULL;
	e = xcalloc(1, sizeof *e);
	e->addr = *a;
	e->st.addr = *a;
	e->st.sampling = 1;
	HASH_ADD(hh, d->exporters, addr.b, sizeof e->addr.b, e);
	d->nexporters++;
	return e;
}

int decode_datagram(struct decoder *d, const struct flow_addr *exporter, uint64_t recv_ms,
		    const uint8_t *buf, size_t len, flow_emit_fn emit, void *arg)
{
	unsigned version = peek_version(buf, len);
	d->st.datagrams++;
	if (!version) {
		d->st.unknown_version++;
		return ERR_VERSION;
	}
	/* An sFlow agent names itself in the datagram, and a relay or NAT can
	 * send several agents from one address: the agent is the exporter. A
	 * header too short to name one, or an unknown or unset (0.0.0.0) agent,
	 * leaves the UDP source in charge. */
	struct flow_addr key = *exporter;
	if (version == DECODE_VERSION_SFLOW5)
		sflow_agent(buf, len, &key);
	struct exporter *e = find_exporter(d, &key);
	if (!e) {
		d->st.exporters_rejected++;
		return ERR_LIMIT;
	}
	if (!e->st.datagrams)
		e->st.first_ms = recv_ms;
	e->st.last_ms = recv_ms;
	e->st.datagrams++;
	e->st.version = (uint8_t)version;

	struct emit_ctx c = { d, e, emit, arg };
	struct wire w = wire_make(buf, len);
	int rc;
	if (version == 5)
		rc = nf5_decode(&c, &w, recv_ms);
	else if (version == 9)
		rc = nf9_decode(&c, &w, recv_ms);
	else if (version == 10)
		rc = ipfix_decode(&c, &w, recv_ms);
	else
		rc = sflow_decode(&c, &w, recv_ms);
	if (rc < 0)
		e->st.malformed++;
	return rc;
}

const struct decoder_stats *decoder_stats(const struct decoder *d)
{
	return &d->st;
}

size_t decoder_exporters(const struct decoder *d, struct exporter_stats *out, size_t max)
{
	size_t n = 0;
	const struct exporter *e;
	for (e = d->exporters; e; e = e->hh.next) {
		if (n < max)
			out[n] = e->st;
		n++;
	}
	return n;
}
