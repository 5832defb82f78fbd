/* Alerts: flows are generated here at exact input times (a fixed-seed PRNG
 * gives the noise), so every expected event follows from the traffic. */
#include <stdlib.h>
#include <time.h>

#include "alert.h"
#include "err.h"
#include "tap.h"

#define BASE 1767323000000ULL	/* 2026-01-02T03:03:20Z, on a second */
#define MAXEV 4096

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* 1 +- 5%, uniform. */
static double noise(void)
{
	return 0.95 + 0.1 * (double)(rnd() % 10001) / 10000.0;
}

static struct flow mk(uint32_t src, uint32_t dst, uint16_t dport, uint8_t proto, uint64_t bytes, uint64_t pkts,
		      uint64_t t_ms)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	flow_addr_set4u(&f.src, src);
	flow_addr_set4u(&f.dst, dst);
	f.sport = 40000;
	f.dport = dport;
	f.proto = proto;
	f.bytes = bytes;
	f.packets = pkts;
	f.recv_ms = t_ms;
	return f;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const uint16_t ports[4] = { 80, 443, 53, 22 };

/* 100 flows a tick: 20 sources x 5 destinations, 12500 bytes +-5% each, so
 * 10 Mb/s in all; dst_port 443 carries a quarter (2.5 Mb/s). */
static void steady(struct alert *a, uint64_t tick)
{
	for (uint32_t i = 0; i < 20; i++)
		for (uint32_t j = 0; j < 5; j++) {
			uint16_t p = ports[(i + j) % 4];
			struct flow f = mk(IP(10, 1, 0, i + 1), IP(192, 0, 2, 10 + j), p, p == 53 ? 17 : 6,
					   (uint64_t)(12500 * noise()), 10, BASE + tick * 1000 + i * 40 + j);
			alert_add(a, &f);
		}
}

struct log {
	struct alert_event ev[MAXEV];
	uint64_t at[MAXEV];	/* tick at which alert_take returned it */
	size_t n;
};

/* Closes tick 'tick' and collects what it produced. */
static void tick_end(struct alert *a, uint64_t tick, struct log *l)
{
	alert_advance(a, BASE + (tick + 1) * 1000);
	struct alert_event e[64];
	size_t n;
	while ((n = alert_take(a, e, 64)) > 0)
		for (size_t i = 0; i < n && l->n < MAXEV; i++) {
			l->at[l->n] = tick;
			l->ev[l->n++] = e[i];
		}
}

static size_t count(const struct log *l, bool end, int kind, int dim)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->ev[i].end == end && (kind < 0 || (int)l->ev[i].kind == kind) && (dim == -2 || l->ev[i].dim == dim))
			n++;
	return n;
}

static void dump(const struct log *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct alert_event *e = &l->ev[i];
		printf("# tick %llu: %s id %llu %s dim %d num %u %s obs %.0f base %.0f\n", (unsigned long long)l->at[i],
		       e->end ? "end" : "start", (unsigned long long)e->id, alert_kind_name(e->kind), e->dim,
		       e->key.num, e->metric, e->observed, e->baseline);
	}
}

static struct log lg;

static void test_burst(void)
{
	struct alert *a = alert_new(NULL);
	memset(&lg, 0, sizeof lg);
	for (uint64_t t = 0; t < 120; t++) {
		steady(a, t);
		tick_end(a, t, &lg);
	}
	is_u64(lg.n, 0, "steady: 120 ticks of 10 Mb/s +-5%% raise nothing");
	if (lg.n)
		dump(&lg);

	/* 10 ticks of 100 Mb/s more to dst_port 443, from and to many addresses. */
	for (uint64_t t = 120; t < 150; t++) {
		steady(a, t);
		for (uint32_t i = 0; t < 130 && i < 1000; i++) {
			struct flow f = mk(IP(100, 64, 0, 0) + (uint32_t)(rnd() % 65536),
					   IP(198, 51, 100, 0) + (uint32_t)(rnd() % 256), 443, 6, 12500, 9,
					   BASE + t * 1000 + i);
			alert_add(a, &f);
		}
		tick_end(a, t, &lg);
	}
	dump(&lg);
	/* Each series alerts on its own: the port, the total and TCP all rose
	 * about tenfold; the addresses were spread too thin to cross min_bps. */
	is_u64(count(&lg, false, ALERT_SPIKE, DIM_DST_PORT), 1, "burst: one dst_port spike");
	is_u64(count(&lg, false, ALERT_SPIKE, -1), 1, "burst: one total spike");
	is_u64(count(&lg, false, ALERT_SPIKE, DIM_PROTO), 1, "burst: one proto spike (tcp)");
	is_u64(count(&lg, false, -1, -2), 3, "burst: nothing else starts");
	is_u64(count(&lg, true, -1, -2), 3, "burst: every alert ended");
	for (size_t i = 0; i < lg.n; i++) {
		const struct alert_event *e = &lg.ev[i];
		if (e->dim != DIM_DST_PORT)
			continue;
		if (!e->end) {
			is_u64(e->key.num, 443, "spike names dst_port 443");
			ok(e->start_ms >= BASE + 120000 && e->start_ms <= BASE + 122000, "spike start_ms within 2 ticks");
			ok(lg.at[i] <= 121, "spike reported within 2 ticks of the burst (tick %llu)",
			   (unsigned long long)lg.at[i]);
			ok(e->observed > 9e7 && e->baseline > 2.2e6 && e->baseline < 2.8e6,
			   "spike observed %.0f over baseline %.0f", e->observed, e->baseline);
			is_str(e->metric, "bps", "spike metric bps");
		} else {
			ok(e->end_ms == BASE + 130000, "spike end_ms is the first quiet tick");
			ok(lg.at[i] >= 130 && lg.at[i] <= 130 + 3 + 2, "spike end reported within end_ticks+2 (tick %llu)",
			   (unsigned long long)lg.at[i]);
			ok(e->factor > 30, "end factor is the peak over the frozen baseline (%.1f)", e->factor);
		}
	}
	bool ids = true;
	for (size_t i = 0; i < lg.n; i++)
		if (lg.ev[i].end) {
			bool found = false;
			for (size_t j = 0; j < i; j++)
				found |= !lg.ev[j].end && lg.ev[j].id == lg.ev[i].id && lg.ev[j].dim == lg.ev[i].dim;
			ids &= found;
		}
	ok(ids, "each end carries the id of its start");

	struct alert_event act[8], hist[16];
	is_u64(alert_active(a, act, 8), 0, "nothing active after the burst");
	size_t nh = alert_history(a, hist, 16);
	is_u64(nh, 6, "history keeps the six events");
	ok(nh == 6 && hist[0].end && !hist[5].end && hist[0].id >= hist[5].id, "history is newest first");

	/* The frozen baseline: after the burst the port is back to its level. */
	for (uint64_t t = 150; t < 200; t++) {
		steady(a, t);
		tick_end(a, t, &lg);
	}
	is_u64(lg.n, 6, "steady again: nothing more");
	alert_free(a);
}

static void test_new_heavy(void)
{
	struct alert *a = alert_new(NULL);
	memset(&lg, 0, sizeof lg);
	for (uint64_t t = 0; t < 60; t++) {
		steady(a, t);
		tick_end(a, t, &lg);
	}
	/* A new destination takes 6 Mb/s of 16: a 37% share. */
	for (uint64_t t = 60; t < 70; t++) {
		steady(a, t);
		for (uint32_t i = 0; i < 20; i++) {
			struct flow f = mk(IP(10, 1, 0, i + 1), IP(198, 51, 100, 7), ports[i % 4], 6, 37500, 3,
					   BASE + t * 1000 + 900 + i);
			alert_add(a, &f);
		}
		struct alert_event act[8];
		if (t == 62)
			ok(alert_active(a, act, 8) >= 1, "new heavy hitter is active meanwhile");
		tick_end(a, t, &lg);
	}
	for (uint64_t t = 70; t < 80; t++) {
		steady(a, t);
		tick_end(a, t, &lg);
	}
	dump(&lg);
	is_u64(count(&lg, false, ALERT_NEW_HEAVY, -2), 1, "new key: one new-heavy-hitter event");
	is_u64(count(&lg, true, ALERT_NEW_HEAVY, -2), 1, "new key: and its end once it shrinks");
	for (size_t i = 0; i < lg.n; i++) {
		const struct alert_event *e = &lg.ev[i];
		if (e->kind != ALERT_NEW_HEAVY || e->end)
			continue;
		struct flow_addr want;
		flow_addr_set4u(&want, IP(198, 51, 100, 7));
		ok(e->dim == DIM_DST_IP && !memcmp(e->key.addr, want.b, 16), "names dst_ip 198.51.100.7");
		is_u64(lg.at[i], 60, "reported at the close of its first tick");
		ok(e->baseline == 0 && e->factor == 0 && e->observed == 6e6, "baseline 0, observed 6 Mb/s");
	}
	alert_free(a);
}

/* The sketch's filter: 5000 new small destinations a tick (far more than the
 * 64 sketch entries) hide a new heavy destination whose 40 flows come spread
 * through the tick, or all at its end after the sketch is full. Either way
 * the heavy key must reach the sketch, be promoted and be named. */
static void test_heavy_among_many(bool at_end)
{
	struct alert *a = alert_new(NULL);
	memset(&lg, 0, sizeof lg);
	uint64_t r = 12345;
	for (uint64_t t = 0; t < 70; t++) {
		for (uint32_t i = 0; i < 5000; i++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			uint32_t dst = IP(100, 64, 0, 0) | (uint32_t)(r >> 40) % (1u << 22);
			struct flow f = mk(IP(10, 0, 0, 1 + i % 200), dst, 443, 6, 100, 1, BASE + t * 1000 + i / 10);
			alert_add(a, &f);
			bool heavy = t >= 60 && (at_end ? i >= 4960 : i % 125 == 0);
			if (heavy) {
				/* 40 flows of 10 kB: 400 kB of the tick's 900 kB. */
				struct flow h = mk(IP(10, 0, 0, 1), IP(198, 51, 100, 7), 443, 6, 10000, 7,
						   BASE + t * 1000 + i / 10);
				alert_add(a, &h);
			}
		}
		tick_end(a, t, &lg);
	}
	struct flow_addr want;
	flow_addr_set4u(&want, IP(198, 51, 100, 7));
	size_t named = 0;
	for (size_t i = 0; i < lg.n; i++)
		named += lg.ev[i].kind == ALERT_NEW_HEAVY && !lg.ev[i].end && lg.ev[i].dim == DIM_DST_IP &&
			 !memcmp(lg.ev[i].key.addr, want.b, 16) && lg.at[i] == 60;
	is_u64(named, 1, "heavy key among 5000 small ones (%s): named once, at its first tick",
	       at_end ? "its flows last" : "its flows spread");
	is_u64(count(&lg, false, ALERT_NEW_HEAVY, -2), 1, "... and nothing else is a new heavy hitter");
	alert_free(a);
}

static void test_threshold(void)
{
	struct alert *a = alert_new(NULL);
	char *cause = NULL;
	is_u64(alert_add_threshold(a, "dst_ip 10.0.0.0/8 pps>1000", &cause), ERR_OK, "threshold parses");
	ok(cause == NULL, "no cause on success");
	memset(&lg, 0, sizeof lg);
	for (uint64_t t = 0; t < 10; t++) {
		for (int i = 0; t < 6 && i < 4; i++) {
			struct flow f1 = mk(IP(172, 16, 0, 1), IP(10, 1, 2, 3), 80, 6, 60000, 500, BASE + t * 1000 + i);
			struct flow f2 = mk(IP(172, 16, 0, 1), IP(192, 0, 2, 1), 80, 6, 60000, 500, BASE + t * 1000 + i);
			alert_add(a, &f1);
			alert_add(a, &f2);
		}
		struct flow tiny = mk(IP(172, 16, 0, 1), IP(10, 9, 9, 9), 80, 6, 100, 1, BASE + t * 1000 + 500);
		alert_add(a, &tiny);
		tick_end(a, t, &lg);
	}
	dump(&lg);
	is_u64(count(&lg, false, ALERT_THRESHOLD, DIM_DST_IP), 1, "threshold: one start");
	is_u64(count(&lg, true, ALERT_THRESHOLD, DIM_DST_IP), 1, "threshold: one end");
	is_u64(lg.n, 2, "threshold: nothing for 192.0.2.1 (warm-up keeps spikes quiet)");
	if (lg.n == 2) {
		struct flow_addr want;
		flow_addr_set4u(&want, IP(10, 1, 2, 3));
		const struct alert_event *e = &lg.ev[0];
		ok(!memcmp(e->key.addr, want.b, 16), "threshold names 10.1.2.3");
		is_str(e->metric, "pps", "threshold metric pps");
		ok(e->observed == 2000 && e->baseline == 1000 && e->factor == 2, "observed 2000 pps over the 1000 limit");
		is_u64(lg.at[0], 1, "fires at start_ticks, even during warm-up");
		is_u64(lg.ev[1].end_ms, BASE + 6000, "ends at the first tick under");
	}
	alert_free(a);
}

static void test_parse(void)
{
	static const struct {
		const char *spec;
		const char *col;	/* NULL: accepted */
	} cases[] = {
		{ "dst_ip 10.0.0.0/8 pps>1000", NULL },
		{ "  dst_port 443   bps>1.5g", NULL },
		{ "total fps>10k", NULL },
		{ "proto 17 pps>1M", NULL },
		{ "src_ip 2001:db8::/32 bps>100m", NULL },
		{ "dst_ipx pps>1", "column 1:" },
		{ "src_as pps>1", "column 1:" },
		{ "", "column 1:" },
		{ "dst_ip 10.0.0.0/33 pps>1", "column 8:" },
		{ "dst_port 10.0.0.0/8 pps>1", "column 10:" },
		{ "dst_port 70000 pps>1", "column 10:" },
		{ "total 5 pps>1", "column 7:" },
		{ "dst_ip bytes>5", "column 8:" },
		{ "dst_ip pps>", "column 12:" },
		{ "dst_ip pps>5q", "column 13:" },
		{ "dst_ip pps>5 junk", "column 14:" },
		{ "dst_ip 10.0.0.1", "column 16:" },
	};
	struct alert *a = alert_new(NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cause = NULL;
		int r = alert_add_threshold(a, cases[i].spec, &cause);
		if (!cases[i].col) {
			ok(r == ERR_OK && !cause, "parse '%s'", cases[i].spec);
		} else {
			ok(r == ERR_ARG && cause && !strncmp(cause, cases[i].col, strlen(cases[i].col)),
			   "refuse '%s': %s", cases[i].spec, cause ? cause : "(no cause)");
		}
		free(cause);
	}
	alert_free(a);
}

static void test_warmup(void)
{
	struct alert *a = alert_new(NULL);
	memset(&lg, 0, sizeof lg);
	for (uint64_t t = 0; t < 30; t++) {
		steady(a, t);
		/* a tenfold burst and a new big key, both inside the warm-up */
		for (uint32_t i = 0; t >= 10 && t < 20 && i < 100; i++) {
			struct flow f = mk(IP(10, 7, 7, 7), IP(198, 51, 100, 9), 443, 6, 125000, 90, BASE + t * 1000 + i);
			alert_add(a, &f);
		}
		tick_end(a, t, &lg);
	}
	dump(&lg);
	is_u64(lg.n, 0, "warm-up: no alert in the first 30 ticks");
	alert_free(a);

	struct alert_opts o;
	alert_opts_default(&o);
	o.warmup = 0;
	a = alert_new(&o);
	memset(&lg, 0, sizeof lg);
	for (uint64_t t = 0; t < 30; t++) {
		steady(a, t);
		for (uint32_t i = 0; t >= 10 && t < 20 && i < 100; i++) {
			struct flow f = mk(IP(10, 7, 7, 7), IP(198, 51, 100, 9), 443, 6, 125000, 90, BASE + t * 1000 + i);
			alert_add(a, &f);
		}
		tick_end(a, t, &lg);
	}
	ok(count(&lg, false, -1, -2) > 0, "warm-up 0: the same traffic alerts");
	alert_free(a);
}

static void test_gap(void)
{
	struct alert *a = alert_new(NULL);
	memset(&lg, 0, sizeof lg);
	for (uint64_t t = 0; t < 60; t++) {
		steady(a, t);
		tick_end(a, t, &lg);
	}
	clock_t c0 = clock();
	alert_advance(a, BASE + 60000 + 3600 * 1000ULL);
	uint64_t t = 3660 + 365ULL * 86400;	/* then a year */
	for (uint64_t i = 0; i < 20; i++) {
		steady(a, t + i);
		tick_end(a, t + i, &lg);
	}
	double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	ok(secs < 2, "an hour and a year of silence take %.3f s", secs);
	dump(&lg);
	/* Every key idled out during the first hour, and the total's baseline
	 * restarts its warm-up after a jump: traffic coming back is no alert. */
	is_u64(lg.n, 0, "traffic back after the gaps raises nothing");
	struct alert_dim_info info;
	memset(&info, 0, sizeof info);
	alert_dim_info(a, DIM_DST_IP, &info);
	ok(info.tracked == 5 && info.evicted == 5, "keys idled out and came back (%zu tracked, %llu evicted)",
	   info.tracked, (unsigned long long)info.evicted);
	alert_free(a);
}

static void test_bounded(void)
{
	struct alert_opts o;
	alert_opts_default(&o);
	o.warmup = 0;
	struct alert *a = alert_new(&o);
	memset(&lg, 0, sizeof lg);
	bool bounded = true;
	uint32_t key = 0;
	for (uint64_t t = 0; t < 400; t++) {
		for (int i = 0; i < 250; i++, key++) {
			struct flow f = mk(IP(100, 64, 0, 0) + key, IP(10, 0, 0, 0) + key, (uint16_t)key,
					   (uint8_t)key, 1000 + (rnd() % 1000), 1, BASE + t * 1000 + (uint64_t)i);
			alert_add(a, &f);
		}
		tick_end(a, t, &lg);
		for (int d = 0; d < DIM_COUNT; d++) {
			struct alert_dim_info info;
			if (alert_dim_info(a, (enum dim)d, &info))
				bounded &= info.tracked <= o.keys && info.candidates <= o.keys;
		}
	}
	is_u64(lg.n, 0, "tiny keys raise nothing");
	is_u64(key, 100000, "100k distinct keys fed");
	ok(bounded, "tracked and sketch never exceed opts.keys per dimension");
	struct alert_dim_info info;
	memset(&info, 0, sizeof info);
	alert_dim_info(a, DIM_DST_IP, &info);
	ok(info.evicted > 0, "evictions counted (%llu)",
	   (unsigned long long)info.evicted);
	ok(!alert_dim_info(a, DIM_SRC_AS, &info), "src_as is not watched");
	alert_free(a);
}

static void test_json(void)
{
	struct alert_event e;
	memset(&e, 0, sizeof e);
	e.id = 7;
	e.kind = ALERT_SPIKE;
	e.dim = DIM_DST_PORT;
	e.key.num = 443;
	strcpy(e.metric, "bps");
	e.observed = 100000000;
	e.baseline = 2500000;
	e.factor = 40;
	e.start_ms = BASE + 120000;
	char buf[512];
	int n = alert_json(&e, "443", buf, sizeof buf);
	is_str(buf,
	       "{\"event\":\"start\",\"id\":7,\"kind\":\"spike\",\"dimension\":\"dst_port\",\"key\":\"443\","
	       "\"metric\":\"bps\",\"observed\":100000000,\"baseline\":2500000,\"factor\":40,"
	       "\"start\":\"2026-01-02T03:05:20.000Z\",\"end\":null}",
	       "json: start event");
	ok(n == (int)strlen(buf), "json: returns the length");
	e.end = true;
	e.end_ms = BASE + 130500;
	e.dim = -1;
	e.kind = ALERT_NEW_HEAVY;
	e.factor = 1.0 / 3;
	alert_json(&e, "a\"b", buf, sizeof buf);
	ok(strstr(buf, "\"event\":\"end\"") && strstr(buf, "\"dimension\":\"total\"") &&
		   strstr(buf, "\"key\":\"a\\\"b\"") && strstr(buf, "\"kind\":\"new_heavy_hitter\"") &&
		   strstr(buf, "\"factor\":0.333,") && strstr(buf, "\"end\":\"2026-01-02T03:05:30.500Z\"}"),
	   "json: end event, escaped key: %s", buf);
	is_u64(alert_json(&e, "x", buf, 20) == ERR_LIMIT, 1, "json: too small a buffer");
}

int main(void)
{
	test_burst();
	test_new_heavy();
	test_heavy_among_many(false);
	test_heavy_among_many(true);
	test_threshold();
	test_parse();
	test_warmup();
	test_gap();
	test_bounded();
	test_json();
	return done_testing();
}
