#include <stdlib.h>
#include <string.h>

#include "source.h"

int source_next(struct source *s, struct datagram *dg, int timeout_ms, char **cause)
{
	return s->ops->next(s->self, dg, timeout_ms, cause);
}

void source_stats(const struct source *s, struct source_stats *st)
{
	memset(st, 0, sizeof *st);
	s->ops->stats(s->self, st);
}

void source_close(struct source *s)
{
	if (!s)
		return;
	s->ops->close(s->self);
	free(s->name);
	free(s);
}

void source_stats_add(struct source_stats *a, const struct source_stats *b)
{
	a->datagrams += b->datagrams;
	a->not_export += b->not_export;
	a->other_port += b->other_port;
	a->kernel_drops += b->kernel_drops;
	a->recv_errors += b->recv_errors;
	a->bad_records += b->bad_records;
	a->bytes_done += b->bytes_done;
	a->bytes_total += b->bytes_total;
	a->pkt.frames += b->pkt.frames;
	a->pkt.not_ip += b->pkt.not_ip;
	a->pkt.not_udp += b->pkt.not_udp;
	a->pkt.truncated += b->pkt.truncated;
	a->pkt.fragments += b->pkt.fragments;
	a->pkt.reassembled += b->pkt.reassembled;
	a->pkt.frag_dropped += b->pkt.frag_dropped;
}
