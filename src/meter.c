#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "meter.h"
#include "xmem.h"

#define TCP_FIN 0x01
#define TCP_RST 0x04

struct mkey {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t proto, pad[3];
};

struct mflow {
	UT_hash_handle hh;
	struct mkey key;
	struct mflow *prev, *next;	/* least recently seen first */
	uint64_t first_ms, last_ms, bytes, packets;
	uint8_t tos, flags;
};

struct meter {
	struct meter_opts o;
	struct mflow *table;
	struct mflow *oldest, *newest;
	struct meter_stats st;
};

void meter_opts_default(struct meter_opts *o)
{
	o->active_s = 300;
	o->inactive_s = 15;
	o->max_flows = 1000000;
}

struct meter *meter_new(const struct meter_opts *o)
{
	struct meter *m = xcalloc(1, sizeof *m);
	if (o)
		m->o = *o;
	else
		meter_opts_default(&m->o);
	return m;
}

static void unlink_lru(struct meter *m, struct mflow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		m->oldest = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		m->newest = f->prev;
	f->prev = f->next = NULL;
}

static void append_lru(struct meter *m, struct mflow *f)
{
	f->prev = m->newest;
	f->next = NULL;
	if (m->newest)
		m->newest->next = f;
	else
		m->oldest = f;
	m->newest = f;
}

static void end_flow(struct meter *m, struct mflow *f, flow_emit_fn emit, void *arg)
{
	struct flow out;
	memset(&out, 0, sizeof out);
	memcpy(out.src.b, f->key.src, 16);
	memcpy(out.dst.b, f->key.dst, 16);
	out.sport = f->key.sport;
	out.dport = f->key.dport;
	out.proto = f->key.proto;
	out.tos = f->tos;
	out.tcp_flags = f->flags;
	out.bytes = f->bytes;
	out.packets = f->packets;
	out.first_ms = f->first_ms;
	out.last_ms = f->last_ms;
	out.recv_ms = f->last_ms;	/* placed in time where an exporter would send it */
	out.sampling = 1;
	unlink_lru(m, f);
	HASH_DEL(m->table, f);
	free(f);
	m->st.active--;
	m->st.flows++;
	emit(arg, &out);
}

/* Flows idle past the inactive timeout, oldest first. */
static void expire(struct meter *m, uint64_t now, flow_emit_fn emit, void *arg)
{
	uint64_t idle = (uint64_t)m->o.inactive_s * 1000;
	while (m->oldest && m->oldest->last_ms + idle < now)
		end_flow(m, m->oldest, emit, arg);
}

void meter_packet(struct meter *m, const struct flow *pkt, uint32_t ip_len, uint64_t ts_ms,
		  flow_emit_fn emit, void *arg)
{
	struct mkey k;
	struct mflow *f;
	memset(&k, 0, sizeof k);
	memcpy(k.src, pkt->src.b, 16);
	memcpy(k.dst, pkt->dst.b, 16);
	k.sport = pkt->sport;
	k.dport = pkt->dport;
	k.proto = pkt->proto;
	m->st.packets++;
	expire(m, ts_ms, emit, arg);
	HASH_FIND(hh, m->table, &k, sizeof k, f);
	if (f && ts_ms >= f->first_ms + (uint64_t)m->o.active_s * 1000) {
		end_flow(m, f, emit, arg);	/* a long flow is cut and starts again */
		f = NULL;
	}
	if (!f) {
		if (m->o.max_flows && m->st.active >= m->o.max_flows && m->oldest) {
			m->st.early++;
			end_flow(m, m->oldest, emit, arg);
		}
		f = xcalloc(1, sizeof *f);
		f->key = k;
		f->first_ms = ts_ms;
		f->tos = pkt->tos;
		HASH_ADD(hh, m->table, key, sizeof f->key, f);
		m->st.active++;
	} else {
		unlink_lru(m, f);
	}
	append_lru(m, f);
	f->last_ms = ts_ms;
	f->bytes += ip_len;
	f->packets++;
	f->flags |= pkt->tcp_flags;
	if (k.proto == 6 && (pkt->tcp_flags & (TCP_FIN | TCP_RST)))
		end_flow(m, f, emit, arg);
}

void meter_expire(struct meter *m, uint64_t now_ms, flow_emit_fn emit, void *arg)
{
	expire(m, now_ms, emit, arg);
}

void meter_flush(struct meter *m, flow_emit_fn emit, void *arg)
{
	while (m->oldest)
		end_flow(m, m->oldest, emit, arg);
}

void meter_stats(const struct meter *m, struct meter_stats *st)
{
	*st = m->st;
}

void meter_free(struct meter *m)
{
	struct mflow *f, *tmp;
	if (!m)
		return;
	HASH_ITER(hh, m->table, f, tmp) {
		HASH_DEL(m->table, f);
		free(f);
	}
	free(m);
}
