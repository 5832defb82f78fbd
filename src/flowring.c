#include <stdlib.h>
#include <string.h>

#include "flowring.h"
#include "xmem.h"

/* 104 bytes a flow: what the aggregates and filters read, nothing more. */
struct cflow {
	uint8_t src[16], dst[16], exporter[16];
	uint64_t bytes, packets, recv_ms;
	uint32_t in_if, out_if, src_as, dst_as;
	uint16_t sport, dport, src_cc, dst_cc;
	uint8_t proto, tcp_flags, tos, version, src_class, dst_class;
};

struct flowring {
	struct cflow *v;
	size_t cap, head, n;
	int wrapped;
};

struct flowring *flowring_new(size_t cap)
{
	struct flowring *r = xcalloc(1, sizeof *r);
	r->cap = cap ? cap : 1;
	r->v = xcalloc(r->cap, sizeof *r->v);
	return r;
}

void flowring_free(struct flowring *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}

void flowring_push(struct flowring *r, const struct flow *f)
{
	struct cflow *c = &r->v[r->head];
	memcpy(c->src, f->src.b, 16);
	memcpy(c->dst, f->dst.b, 16);
	memcpy(c->exporter, f->exporter.b, 16);
	c->bytes = f->bytes;
	c->packets = f->packets;
	c->recv_ms = f->recv_ms;
	c->in_if = f->in_if;
	c->out_if = f->out_if;
	c->src_as = f->src_as;
	c->dst_as = f->dst_as;
	c->sport = f->sport;
	c->dport = f->dport;
	c->proto = f->proto;
	c->tcp_flags = f->tcp_flags;
	c->tos = f->tos;
	c->version = f->version;
	c->src_cc = f->src_cc;
	c->dst_cc = f->dst_cc;
	c->src_class = f->src_class;
	c->dst_class = f->dst_class;
	r->head = (r->head + 1) % r->cap;
	if (r->n < r->cap)
		r->n++;
	else
		r->wrapped = 1;
}

uint64_t flowring_replay(const struct flowring *r, uint64_t since_ms, flow_emit_fn fn, void *arg)
{
	if (!r->n)
		return 0;
	size_t start = (r->head + r->cap - r->n) % r->cap;
	for (size_t i = 0; i < r->n; i++) {
		const struct cflow *c = &r->v[(start + i) % r->cap];
		if (c->recv_ms < since_ms)
			continue;
		struct flow f;
		memset(&f, 0, sizeof f);
		memcpy(f.src.b, c->src, 16);
		memcpy(f.dst.b, c->dst, 16);
		memcpy(f.exporter.b, c->exporter, 16);
		f.bytes = c->bytes;
		f.packets = c->packets;
		f.recv_ms = c->recv_ms;
		f.in_if = c->in_if;
		f.out_if = c->out_if;
		f.src_as = c->src_as;
		f.dst_as = c->dst_as;
		f.sport = c->sport;
		f.dport = c->dport;
		f.proto = c->proto;
		f.tcp_flags = c->tcp_flags;
		f.tos = c->tos;
		f.version = c->version;
		f.src_cc = c->src_cc;
		f.dst_cc = c->dst_cc;
		f.src_class = c->src_class;
		f.dst_class = c->dst_class;
		f.sampling = 1;
		fn(arg, &f);
	}
	return r->v[start].recv_ms;
}

int flowring_wrapped(const struct flowring *r)
{
	return r->wrapped;
}
