/* Store and window: counts, top-N order, sliding expiry, eviction under the
 * key cap. Flows are made here, so every expected number follows from them. */
#include <stdlib.h>

#include "store.h"
#include "tap.h"
#include "window.h"

static struct flow mk(const char *src, const char *dst, uint16_t dport, uint8_t proto,
		      uint64_t bytes, uint64_t pkts, uint64_t t_ms)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	flow_addr_parse(src, &f.src);
	flow_addr_parse(dst, &f.dst);
	flow_addr_parse("192.0.2.1", &f.exporter);
	f.dport = dport;
	f.sport = 40000;
	f.proto = proto;
	f.bytes = bytes;
	f.packets = pkts;
	f.recv_ms = t_ms;
	return f;
}

static const char *key(enum dim d, const struct store_row *r)
{
	static char buf[64];
	if (d == DIM_SRC_IP || d == DIM_DST_IP) {
		struct flow_addr a;
		memcpy(a.b, r->key.addr, 16);
		return flow_addr_fmt(&a, buf, sizeof buf);
	}
	snprintf(buf, sizeof buf, "%u", r->key.num);
	return buf;
}

static void test_window_parse(void)
{
	uint32_t s = 0, n, w;
	ok(window_parse("10s", &s) && s == 10, "window: 10s");
	ok(window_parse("5m", &s) && s == 300, "window: 5m");
	ok(window_parse("1h", &s) && s == 3600, "window: 1h");
	ok(window_parse("1m30s", &s) && s == 90, "window: 1m30s");
	ok(window_parse("45", &s) && s == 45, "window: bare seconds");
	ok(!window_parse("0", &s), "window: zero refused");
	ok(!window_parse("5x", &s), "window: unknown unit refused");
	ok(!window_parse("-5", &s), "window: negative refused");
	ok(!window_parse("99999999d", &s), "window: absurd length refused");
	window_layout(60, &n, &w);
	ok(n == 60 && w == 1, "layout: 1m is 60 one-second buckets");
	window_layout(3600, &n, &w);
	ok(n == 60 && w == 60, "layout: 1h is 60 one-minute buckets");
	window_layout(90, &n, &w);
	ok(n * w == 90, "layout: 90 s covered exactly");
}

static void test_whole(void)
{
	struct store_opts o = { 0, 1000, 24, 48, false };
	struct store *s = store_new(&o);
	uint64_t t = 1767323045000ULL;
	struct flow f1 = mk("10.0.0.1", "192.0.2.10", 443, 6, 1000, 10, t);
	struct flow f2 = mk("10.0.0.2", "192.0.2.10", 53, 17, 3000, 3, t + 5000);
	struct flow f3 = mk("10.0.0.1", "2001:db8::1", 443, 6, 1500, 20, t + 9000);
	store_add(s, &f1);
	store_add(s, &f2);
	store_add(s, &f3);
	struct counters c;
	store_totals(s, &c);
	is_u64(c.flows, 3, "totals: flows");
	is_u64(c.bytes, 5500, "totals: bytes");
	is_u64(c.packets, 33, "totals: packets");

	struct store_row r[4];
	size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, r, 4);
	is_u64(n, 2, "src_ip: two keys");
	is_str(key(DIM_SRC_IP, &r[0]), "10.0.0.2", "src_ip by bytes: 10.0.0.2 first (3000)");
	is_u64(r[1].c.bytes, 2500, "src_ip: 10.0.0.1 sums its two flows");
	n = store_top(s, DIM_SRC_IP, SORT_PACKETS, false, r, 4);
	is_str(key(DIM_SRC_IP, &r[0]), "10.0.0.1", "src_ip by packets: 10.0.0.1 first (30)");
	n = store_top(s, DIM_DST_PORT, SORT_FLOWS, false, r, 1);
	is_u64(n, 1, "top 1 gives one row");
	is_str(key(DIM_DST_PORT, &r[0]), "443", "dst_port by flows: 443");
	n = store_top(s, DIM_DST_IP, SORT_BYTES, false, r, 4);
	is_str(key(DIM_DST_IP, &r[0]), "192.0.2.10", "dst_ip: IPv4 and IPv6 keys kept apart");
	is_str(key(DIM_DST_IP, &r[1]), "2001:db8::1", "dst_ip: IPv6 key");

	uint64_t a, b;
	store_span(s, &a, &b);
	is_u64(a, t, "span: first flow");
	is_u64(b, t + 9000, "span: last flow");
	store_free(s);
}

static void test_sliding(void)
{
	struct store_opts o = { 10, 1000, 24, 48, false };
	struct store *s = store_new(&o);
	uint64_t t = 1767323040000ULL;	/* a multiple of 10 s */
	for (int i = 0; i < 20; i++) {
		struct flow f = mk(i < 10 ? "10.0.0.1" : "10.0.0.2", "192.0.2.10", 80, 6, 100, 1,
				   t + (uint64_t)i * 1000);
		store_add(s, &f);
	}
	struct counters c;
	store_totals(s, &c);
	is_u64(c.flows, 10, "window 10s: only the last 10 one-second flows remain");
	struct store_row r[4];
	size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, r, 4);
	is_u64(n, 1, "window: the expired key left the table");
	is_str(key(DIM_SRC_IP, &r[0]), "10.0.0.2", "window: the recent key stays");
	uint64_t a, b;
	store_span(s, &a, &b);
	is_u64(b - a, 10000, "window: span is the window length");
	is_u64(b, t + 20000, "window: ends at the end of the newest bucket");

	struct flow old = mk("10.0.0.3", "192.0.2.10", 80, 6, 100, 1, t);
	store_add(s, &old);
	is_u64(store_late(s), 1, "window: a flow older than the window is counted late");
	store_totals(s, &c);
	is_u64(c.flows, 10, "window: late flow not added");

	store_advance(s, t + 60000);
	store_totals(s, &c);
	is_u64(c.flows, 0, "window: everything expires when time moves on");
	n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, r, 4);
	is_u64(n, 0, "window: no keys left");
	store_free(s);
}

static void test_evict(void)
{
	struct store_opts o = { 0, 100, 24, 48, false };
	struct store *s = store_new(&o);
	char ip[32];
	uint64_t total = 0;
	/* 300 keys with bytes = 1..300: the cap keeps at most 100 and evicts small ones. */
	for (int i = 1; i <= 300; i++) {
		snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
		struct flow f = mk(ip, "192.0.2.10", 80, 6, (uint64_t)i, 1, 1767323040000ULL);
		store_add(s, &f);
		total += (uint64_t)i;
	}
	struct store_dim_info in;
	store_dim_info(s, DIM_SRC_IP, &in);
	ok(in.keys <= 100, "evict: at most max_keys tracked (%zu)", in.keys);
	is_u64(in.keys + in.evicted, 300, "evict: tracked + evicted = keys seen");
	struct store_row r[1];
	store_top(s, DIM_SRC_IP, SORT_BYTES, false, r, 1);
	is_u64(r[0].c.bytes, 300, "evict: the heaviest key survives");
	uint64_t kept = 0;
	struct store_row all[100];
	size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, all, 100);
	for (size_t i = 0; i < n; i++)
		kept += all[i].c.bytes;
	is_u64(kept + in.other.bytes, total, "evict: kept + evicted share = all bytes");
	struct counters c;
	store_totals(s, &c);
	is_u64(c.bytes, total, "evict: totals are never reduced by eviction");
	store_free(s);
}

/* Rows compared by key and counters (their padding is not data). */
static bool rows_equal(const struct store_row *x, const struct store_row *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(&x[i].key, &y[i].key, sizeof x[i].key) || x[i].c.bytes != y[i].c.bytes ||
		    x[i].c.packets != y[i].c.packets || x[i].c.flows != y[i].c.flows)
			return false;
	return true;
}

/* The same flows into a store kept by one thread and one split over two:
 * every dimension's rows, key counts, evictions and the window must agree. */
static void test_split(void)
{
	struct store_opts o1 = { 30, 500, 24, 48, false }, o2 = o1;
	o2.split = true;
	struct store *a = store_new(&o1), *b = store_new(&o2);
	srand(11);
	char src[32], dst[32];
	uint64_t t = 1767323040000ULL;
	for (int i = 0; i < 200000; i++) {
		t += (uint64_t)(rand() % 3);	/* about 67 s of input: buckets expire */
		snprintf(src, sizeof src, "10.%d.%d.%d", rand() % 4, rand() % 256, rand() % 256);
		snprintf(dst, sizeof dst, "192.0.%d.%d", rand() % 8, rand() % 256);
		struct flow f = mk(src, dst, (uint16_t)(rand() % 2000), rand() % 2 ? 6 : 17,
				   (uint64_t)(40 + rand() % 1500), (uint64_t)(1 + rand() % 5), t);
		f.in_if = (uint32_t)(rand() % 7);
		f.out_if = (uint32_t)(rand() % 9);
		store_add(a, &f);
		store_add(b, &f);
		if (i % 50000 == 0) {
			store_advance(a, t + 500);
			store_advance(b, t + 500);
		}
	}
	bool same = true;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_row ra[50], rb[50];
		size_t na = store_top(a, (enum dim)d, SORT_BYTES, false, ra, 50);
		size_t nb = store_top(b, (enum dim)d, SORT_BYTES, false, rb, 50);
		struct store_dim_info ia, ib;
		store_dim_info(a, (enum dim)d, &ia);
		store_dim_info(b, (enum dim)d, &ib);
		if (na != nb || !rows_equal(ra, rb, na) || ia.keys != ib.keys || ia.evicted != ib.evicted ||
		    memcmp(&ia.other, &ib.other, sizeof ia.other)) {
			same = false;
			printf("# dimension %s differs\n", dim_name((enum dim)d));
		}
	}
	/* All dimensions at once, both threads selecting at the same time. */
	static struct store_row all_a[DIM_COUNT][20], all_b[DIM_COUNT][20];
	struct store_row *pa[DIM_COUNT], *pb[DIM_COUNT];
	size_t ca_n[DIM_COUNT], cb_n[DIM_COUNT];
	for (int d = 0; d < DIM_COUNT; d++) {
		pa[d] = all_a[d];
		pb[d] = all_b[d];
	}
	store_top_all(a, SORT_PACKETS, false, pa, 20, ca_n);
	store_top_all(b, SORT_PACKETS, false, pb, 20, cb_n);
	bool all_same = true;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_row one[20];
		size_t n1 = store_top(a, (enum dim)d, SORT_PACKETS, false, one, 20);
		if (ca_n[d] != cb_n[d] || ca_n[d] != n1 || !rows_equal(all_a[d], all_b[d], n1) ||
		    !rows_equal(all_a[d], one, n1)) {
			all_same = false;
			printf("# %s differs\n", dim_name((enum dim)d));
		}
	}
	ok(all_same, "split: the top of every dimension at once equals one dimension at a time");
	struct store_dim_info in;
	store_dim_info(b, DIM_SRC_IP, &in);
	ok(in.evicted > 0, "split: the key cap was reached (%" PRIu64 " evicted)", in.evicted);
	ok(same, "split: every dimension equals the single-thread store's");
	struct counters ca, cb;
	store_totals(a, &ca);
	store_totals(b, &cb);
	ok(!memcmp(&ca, &cb, sizeof ca) && store_late(a) == store_late(b), "split: totals and late flows agree");
	store_free(a);
	store_free(b);
}

int main(void)
{
	test_split();
	test_window_parse();
	test_whole();
	test_sliding();
	test_evict();
	return done_testing();
}
