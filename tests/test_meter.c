/* Packet metering: flows end on FIN/RST, on the inactive and active
 * timeouts and when the table is full; counts are summed per 5-tuple.
 * Packets are made here, so each expected number follows from them. */
#include <stdlib.h>

#include "meter.h"
#include "tap.h"

struct sink {
	size_t n;
	struct flow f[16];
};

static void collect(void *arg, const struct flow *f)
{
	struct sink *s = arg;
	if (s->n < 16)
		s->f[s->n] = *f;
	s->n++;
}

static struct flow pkt(const char *src, uint16_t sport, uint16_t dport, uint8_t proto, uint8_t flags)
{
	struct flow p;
	memset(&p, 0, sizeof p);
	flow_addr_parse(src, &p.src);
	flow_addr_parse("192.0.2.1", &p.dst);
	p.sport = sport;
	p.dport = dport;
	p.proto = proto;
	p.tcp_flags = flags;
	return p;
}

int main(void)
{
	struct meter_opts o = { 300, 15, 3 };
	struct meter *m = meter_new(&o);
	struct sink s = { 0 };
	struct flow a = pkt("10.0.0.1", 40000, 443, 6, 0x02);
	uint64_t t = 1767323045000ULL;

	meter_packet(m, &a, 60, t, collect, &s);
	a.tcp_flags = 0x10;
	meter_packet(m, &a, 1500, t + 100, collect, &s);
	is_u64(s.n, 0, "an open TCP flow is not emitted");
	a.tcp_flags = 0x11;	/* FIN */
	meter_packet(m, &a, 52, t + 200, collect, &s);
	is_u64(s.n, 1, "FIN ends the flow");
	is_u64(s.f[0].packets, 3, "three packets");
	is_u64(s.f[0].bytes, 1612, "bytes summed");
	is_u64(s.f[0].tcp_flags, 0x13, "TCP flags ORed");
	is_u64(s.f[0].first_ms, t, "first packet time");
	is_u64(s.f[0].last_ms, t + 200, "last packet time");
	is_u64(s.f[0].recv_ms, t + 200, "placed at its end");

	struct flow u = pkt("10.0.0.2", 5353, 53, 17, 0);
	meter_packet(m, &u, 80, t + 1000, collect, &s);
	meter_packet(m, &u, 80, t + 2000, collect, &s);
	struct flow v = pkt("10.0.0.3", 5353, 53, 17, 0);
	meter_packet(m, &v, 90, t + 20000, collect, &s);	/* 18 s later: u is idle past 15 s */
	is_u64(s.n, 2, "the inactive timeout ends an idle flow");
	is_u64(s.f[1].packets, 2, "  ... with its two packets");

	/* A flow that keeps going is cut at the active timeout and starts again. */
	for (int i = 0; i <= 31; i++)
		meter_packet(m, &v, 100, t + 20000 + (uint64_t)i * 10000, collect, &s);
	is_u64(s.n, 3, "the active timeout (300 s) cuts a long flow");
	is_u64(s.f[2].packets, 31, "  ... after 31 packets");

	/* The table holds 3 flows: a fourth ends the least recently seen. */
	uint64_t t2 = t + 400000;
	struct flow w1 = pkt("10.0.1.1", 1, 2, 17, 0), w2 = pkt("10.0.1.2", 1, 2, 17, 0);
	struct flow w3 = pkt("10.0.1.3", 1, 2, 17, 0), w4 = pkt("10.0.1.4", 1, 2, 17, 0);
	meter_packet(m, &w1, 10, t2, collect, &s);
	meter_packet(m, &w2, 10, t2 + 1, collect, &s);
	meter_packet(m, &w3, 10, t2 + 2, collect, &s);
	meter_packet(m, &w4, 10, t2 + 3, collect, &s);
	struct meter_stats st;
	meter_stats(m, &st);
	ok(st.active <= 3, "never more than max_flows tracked (%" PRIu64 ")", st.active);
	ok(st.early >= 1, "flows ended early are counted (%" PRIu64 ")", st.early);
	size_t before = s.n;
	meter_flush(m, collect, &s);
	meter_stats(m, &st);
	is_u64(st.active, 0, "flush ends every flow");
	uint64_t pk = 0;
	for (size_t i = 0; i < s.n && i < 16; i++)
		pk += s.f[i].packets;
	is_u64(st.packets, 3 + 3 + 32 + 4, "every packet metered");
	is_u64(pk, st.packets, "and every packet is in an emitted flow");
	ok(s.n > before, "flush emitted the rest");
	meter_free(m);
	return done_testing();
}
