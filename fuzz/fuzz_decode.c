/* Fuzz target: decode_datagram, the one entry point from export bytes to
 * flows. The input is a sequence of datagrams, each behind a 2-byte
 * big-endian length (a length past the end takes the rest), so one input can
 * carry a template and the data that needs it. One decoder lives across
 * inputs, as it does across datagrams in nftop, so template state, pending
 * data sets and sequence numbers from earlier inputs are exercised too. */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz.h"

static struct decoder *dec;
static uint64_t clock_ms = 1700000000000ULL;
static volatile uint64_t sink;

/* Reads every field, so a flow built from uninitialised or freed memory shows. */
static void emit(void *arg, const struct flow *f)
{
	uint64_t h = f->bytes ^ f->packets ^ f->first_ms ^ f->last_ms ^ f->recv_ms;
	h ^= (uint64_t)f->in_if << 1 ^ f->out_if ^ f->src_as ^ f->dst_as ^ f->domain ^ f->sampling;
	h ^= (uint64_t)f->sport << 16 ^ f->dport ^ f->src_cc ^ f->dst_cc ^ f->proto ^ f->tcp_flags ^ f->tos ^ f->version;
	for (size_t i = 0; i < sizeof f->src.b; i++)
		h += f->src.b[i] ^ f->dst.b[i] ^ f->nexthop.b[i] ^ f->exporter.b[i];
	sink += h;
	(*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dec) {
		struct decode_opts o;
		decode_opts_default(&o);
		/* Small caps, so the refusals and evictions are reached too. */
		o.max_exporters = 4;
		o.max_templates = 64;
		o.max_pending_sets = 8;
		o.max_pending_bytes = 64 * 1024;
		if (!(dec = decoder_new(&o)))
			abort();
	}
	size_t off = 0, flows = 0;
	while (size - off >= 2) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		/* Each datagram in a copy of its exact size: a read past it is caught. */
		uint8_t *dg = malloc(n ? n : 1);
		if (!dg)
			abort();
		memcpy(dg, data + off, n);
		off += n;
		/* Two exporters, picked by the length's low bit: state is per exporter. */
		struct flow_addr exp;
		memset(&exp, 0, sizeof exp);
		exp.b[10] = exp.b[11] = 0xff;
		exp.b[12] = 192;
		exp.b[14] = 2;
		exp.b[15] = 1 + (n & 1);
		(void)decode_is_export(dg, n);
		clock_ms += 1000;
		(void)decode_datagram(dec, &exp, clock_ms, dg, n, emit, &flows);
		free(dg);
	}
	struct exporter_stats st[4];
	size_t ne = decoder_exporters(dec, st, 4);
	sink += ne + decoder_stats(dec)->flows + flows;
	return 0;
}
