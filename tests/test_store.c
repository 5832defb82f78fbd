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
	struct store_opts o = { 0, 1000, 24, 48, false, 0 };
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
	struct store_opts o = { 10, 1000, 24, 48, false, 0 };
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
	struct store_opts o = { 0, 100, 24, 48, false, 0 };
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
	struct store_opts o1 = { 30, 500, 24, 48, false, 0 }, o2 = o1;
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
	/* All dimensions at once, both threads selecting at the same time (the
	 * decoding thread reads the far end of the worker's tables too). */
	static struct store_row all_a[DIM_COUNT][20], all_b[DIM_COUNT][20];
	struct store_row *pa[DIM_COUNT], *pb[DIM_COUNT];
	size_t ca_n[DIM_COUNT], cb_n[DIM_COUNT];
	for (int d = 0; d < DIM_COUNT; d++) {
		pa[d] = all_a[d];
		pb[d] = all_b[d];
	}
	bool all_same = true;
	for (int inv = 0; inv < 2; inv++) {
		store_top_all(a, SORT_PACKETS, inv, pa, 20, ca_n);
		store_top_all(b, SORT_PACKETS, inv, pb, 20, cb_n);
		for (int d = 0; d < DIM_COUNT; d++) {
			struct store_row one[20];
			size_t n1 = store_top(a, (enum dim)d, SORT_PACKETS, inv, one, 20);
			if (ca_n[d] != cb_n[d] || ca_n[d] != n1 || !rows_equal(all_a[d], all_b[d], n1) ||
			    !rows_equal(all_a[d], one, n1)) {
				all_same = false;
				printf("# %s differs%s\n", dim_name((enum dim)d), inv ? " (inverted)" : "");
			}
		}
	}
	ok(all_same, "split: the top (and bottom) of every dimension at once equals one dimension at a time");
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

/* The dimensions of few keys (protocol, interfaces, destination port) sum
 * flows in a small cache before their tables: reads between adds, buckets
 * expiring (one of them the only flow of its key) and a split store must all
 * see exactly the flows of the window.
 * Expected rows are summed here from the flows themselves. */
#define FEW_FLOWS 30000
static void test_few_keys(bool split, uint32_t window)
{
	struct store_opts o = { window, 1000, 24, 48, split, 0 };
	struct store *s = store_new(&o);
	static struct flow fl[FEW_FLOWS];
	uint64_t t = 1767323040000ULL;
	srand(5);
	bool same = true;
	int checks = 0;
	static const enum dim dims[] = { DIM_PROTO, DIM_IN_IF, DIM_DST_PORT, DIM_EXPORTER };
	for (int i = 0; i < FEW_FLOWS; i++) {
		t += (uint64_t)(rand() % 2);	/* about 15 s of input */
		fl[i] = mk("10.0.0.1", "192.0.2.10", (uint16_t)(rand() % 40), (uint8_t)(rand() % 3 ? 6 : 17),
			   (uint64_t)(40 + rand() % 1500), (uint64_t)(1 + rand() % 5), t);
		fl[i].in_if = (uint32_t)(rand() % 5);
		/* A key seen once, then no read for longer than the window: the
		 * flow must leave with its bucket, not be added after it. */
		if (i == FEW_FLOWS / 2)
			fl[i].in_if = 99;
		store_add(s, &fl[i]);
		if ((i % 3001 != 3000 || i > FEW_FLOWS / 2) && i != FEW_FLOWS - 1)
			continue;
		uint64_t a, b;
		store_span(s, &a, &b);
		for (size_t j = 0; j < sizeof dims / sizeof dims[0]; j++) {
			enum dim d = dims[j];
			struct store_row r[64];
			size_t n = store_top(s, d, SORT_BYTES, false, r, 64);
			uint64_t rows = 0, want = 0;
			for (size_t k = 0; k < n; k++) {
				struct counters c = { 0, 0, 0 };
				for (int x = 0; x <= i; x++) {
					if (window && (fl[x].recv_ms < a || fl[x].recv_ms >= b))
						continue;
					uint32_t num = d == DIM_PROTO ? fl[x].proto : d == DIM_IN_IF ? fl[x].in_if :
						       d == DIM_DST_PORT ? fl[x].dport : 0;
					if (num == r[k].key.num) {
						c.bytes += fl[x].bytes;
						c.packets += fl[x].packets;
						c.flows++;
					}
				}
				if (memcmp(&c, &r[k].c, sizeof c)) {
					same = false;
					printf("# %s %u: %" PRIu64 " bytes, flows give %" PRIu64 "\n", dim_name(d),
					       r[k].key.num, r[k].c.bytes, c.bytes);
				}
				rows += r[k].c.flows;
			}
			for (int x = 0; x <= i; x++)
				want += !window || (fl[x].recv_ms >= a && fl[x].recv_ms < b);
			if (rows != want) {
				same = false;
				printf("# %s: rows hold %" PRIu64 " flows, the window %" PRIu64 "\n", dim_name(d), rows,
				       want);
			}
		}
		checks++;
	}
	ok(same && checks == 5, "few keys (%s, window %u s): every row equals its flows at %d reads between adds",
	   split ? "split" : "one thread", window, checks);
	store_free(s);
}

/* Whole-input mode computes the prefix dimensions from the address tables.
 * 3000 sources in 50 /24 prefixes through a key cap of 300: the source
 * table evicts, and every prefix row shown must still equal the sum of its
 * flows. With a cap of 20, less than the prefixes, the prefixes evict too:
 * no row may show more than its flows. Rows plus the evicted share are all
 * bytes either way, one thread or split. */
static void test_derived_prefix(size_t cap, bool split)
{
	struct store_opts o = { 0, cap, 24, 48, split, 0 };
	struct store *s = store_new(&o);
	uint64_t per[50] = { 0 }, total = 0;
	srand(9);
	for (int i = 0; i < 30000; i++) {
		int p = rand() % 50, h = 1 + rand() % 60;
		char src[32];
		snprintf(src, sizeof src, "10.0.%d.%d", p, h);
		uint64_t bytes = (uint64_t)(40 + rand() % 1460) * (uint64_t)(1 + p % 7);
		struct flow f = mk(src, "198.51.100.1", 53, 17, bytes, 1, 1767323040000ULL + (uint64_t)i);
		store_add(s, &f);
		per[p] += bytes;
		total += bytes;
		if (i == 15000) {
			/* A read in the middle: the view is dropped by the next add. */
			struct store_row r[1];
			store_top(s, DIM_SRC_PREFIX, SORT_BYTES, false, r, 1);
		}
	}
	struct store_row r[64];
	size_t n = store_top(s, DIM_SRC_PREFIX, SORT_BYTES, false, r, 64);
	struct store_dim_info ip, pf;
	store_dim_info(s, DIM_SRC_IP, &ip);
	store_dim_info(s, DIM_SRC_PREFIX, &pf);
	bool exact = true;
	uint64_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned p = r[i].key.addr[14];
		bool bad = r[i].key.addr[12] != 10 || r[i].key.num != 24 || p >= 50;
		if (bad || (cap >= 50 ? r[i].c.bytes != per[p] : r[i].c.bytes > per[p])) {
			exact = false;
			printf("# prefix %u: %" PRIu64 " bytes, flows give %" PRIu64 "\n", p, r[i].c.bytes,
			       p < 50 ? per[p] : 0);
		}
		shown += r[i].c.bytes;
	}
	ok(ip.evicted > 0, "derived prefixes (cap %zu, %s): the address table evicted (%" PRIu64 ")", cap,
	   split ? "split" : "one thread", ip.evicted);
	ok(exact && n == (cap < 50 ? pf.keys : 50) && n <= cap, "... every prefix row shown %s its flows (%zu rows)",
	   cap >= 50 ? "equals" : "holds no more than", n);
	is_u64(shown + pf.other.bytes, total, "... rows + evicted share = all bytes");
	store_free(s);
}

/* Window 20 s, --max-keys 2000, 60 s of flows from 100,000 source addresses:
 * the buckets together never hold more than 2000 keys of a dimension, a row
 * never shows more than the flows of its key still in the window, and rows
 * plus the evicted share are exactly the window's flows. */
struct wflow {
	uint32_t src;
	uint64_t t, bytes;
};

static int by_src(const void *a, const void *b)
{
	const struct wflow *x = a, *y = b;
	return x->src < y->src ? -1 : x->src > y->src;
}

static void test_window_caps(void)
{
	enum { N = 60000, CAP = 2000 };
	struct store_opts o = { 20, CAP, 24, 48, false, 0 };
	struct store *s = store_new(&o);
	struct wflow *w = calloc(N, sizeof *w);
	uint64_t t0 = 1767323040000ULL;
	size_t most = 0;
	srand(5);
	for (int i = 0; i < N; i++) {
		w[i].src = (uint32_t)(rand() % 100000);
		w[i].t = t0 + (uint64_t)i;		/* 1 ms apart: 60 s */
		w[i].bytes = (uint64_t)(40 + rand() % 1460);
		char src[32];
		snprintf(src, sizeof src, "10.%u.%u.%u", w[i].src >> 16, w[i].src >> 8 & 255, w[i].src & 255);
		struct flow f = mk(src, "198.51.100.1", 53, 17, w[i].bytes, 1, w[i].t);
		store_add(s, &f);
		struct store_dim_info in;
		store_dim_info(s, DIM_SRC_IP, &in);
		if (in.bucket_keys > most)
			most = in.bucket_keys;
	}
	ok(most <= CAP, "window caps: the buckets never held more than %d source keys together (most %zu)", CAP,
	   most);
	ok(most >= CAP * 9 / 10, "window caps: ... and came near it (%zu)", most);
	/* The window now is [end - 20 s, end): which flows are in it. */
	uint64_t start, end;
	store_span(s, &start, &end);
	qsort(w, N, sizeof *w, by_src);
	static struct store_row rows[CAP + 1];
	size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, rows, CAP + 1);
	struct store_dim_info in;
	store_dim_info(s, DIM_SRC_IP, &in);
	uint64_t want = 0, shown = 0;
	for (int i = 0; i < N; i++)
		if (w[i].t >= start && w[i].t < end)
			want += w[i].bytes;
	bool never_more = true;
	for (size_t r = 0; r < n; r++) {
		struct flow_addr a;
		memcpy(a.b, rows[r].key.addr, 16);
		uint32_t id = (uint32_t)a.b[13] << 16 | (uint32_t)a.b[14] << 8 | a.b[15];
		struct wflow k = { .src = id };
		struct wflow *hit = bsearch(&k, w, N, sizeof *w, by_src);
		uint64_t exact = 0;
		for (struct wflow *p = hit; p && p >= w && p->src == id; p--)
			if (p->t >= start && p->t < end)
				exact += p->bytes;
		for (struct wflow *p = hit ? hit + 1 : NULL; p && p < w + N && p->src == id; p++)
			if (p->t >= start && p->t < end)
				exact += p->bytes;
		if (rows[r].c.bytes > exact) {
			never_more = false;
			printf("# %s: %" PRIu64 " bytes shown, %" PRIu64 " in the window\n", key(DIM_SRC_IP, &rows[r]),
			       rows[r].c.bytes, exact);
		}
		shown += rows[r].c.bytes;
	}
	ok(in.evicted > 0, "window caps: keys were evicted (%" PRIu64 ")", in.evicted);
	ok(never_more, "window caps: no row shows more than its key's flows in the window (%zu rows)", n);
	is_u64(shown + in.other.bytes, want, "window caps: rows + evicted share = the window's bytes");
	struct counters tot;
	store_totals(s, &tot);
	is_u64(tot.bytes, want, "window caps: total = the window's bytes");
	/* Past the window: nothing is left anywhere. */
	store_advance(s, end + 21000);
	store_dim_info(s, DIM_SRC_IP, &in);
	store_totals(s, &tot);
	ok(in.keys == 0 && in.bucket_keys == 0 && in.other.bytes == 0 && in.other.flows == 0 && tot.bytes == 0,
	   "window caps: all gone once the window has passed (keys %zu, bucket keys %zu, other %" PRIu64 ")",
	   in.keys, in.bucket_keys, in.other.bytes);
	free(w);
	store_free(s);
}

/* Every dimension's rows plus its evicted share against the total; says
 * which did not add up, under 'label'. */
static bool all_add_up(struct store *s, const char *label)
{
	static struct store_row all[2100000];
	struct counters tot;
	store_totals(s, &tot);
	bool good = true;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_dim_info in;
		store_dim_info(s, (enum dim)d, &in);
		size_t n = store_top(s, (enum dim)d, SORT_BYTES, false, all, sizeof all / sizeof *all);
		uint64_t sum = in.other.bytes;
		for (size_t r = 0; r < n; r++)
			sum += all[r].c.bytes;
		if (sum != tot.bytes || n == sizeof all / sizeof *all) {
			good = false;
			printf("# %s: %s rows + other %" PRIu64 ", total %" PRIu64 "\n", label, dim_name((enum dim)d), sum,
			       tot.bytes);
		}
	}
	return good;
}

/* --max-memory 64M over flows of new addresses and ports (spread over 20 s),
 * in one thread and split over two (one budget for both): the tables stay
 * under the bound, keys are evicted, and every dimension still adds up to
 * the totals. */
static void test_max_memory(bool split, uint32_t window, uint32_t flows)
{
	const size_t lim = 64u << 20;
	struct store_opts o = { window, 100000000, 24, 48, split, lim };
	struct store *s = store_new(&o);
	uint64_t t = 1767323040000ULL, want = 0;
	char src[32], dst[32];
	for (uint32_t i = 0; i < flows; i++) {
		snprintf(src, sizeof src, "10.%u.%u.%u", i >> 16 & 255, i >> 8 & 255, i & 255);
		snprintf(dst, sizeof dst, "172.%u.%u.%u", 16 + (i >> 16 & 15), i >> 8 & 255, ~i & 255);
		struct flow f = mk(src, dst, (uint16_t)i, 6, 100 + i % 7, 1, t + (uint64_t)i * 20000 / flows);
		f.sport = (uint16_t)(i * 7);
		store_add(s, &f);
		want += f.bytes;
	}
	size_t bytes = 0;
	uint64_t evicted = 0;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_dim_info in;
		store_dim_info(s, (enum dim)d, &in);
		bytes += in.bytes;
		evicted += in.evicted;
		static struct store_row rows[1];
		(void)store_top(s, (enum dim)d, SORT_BYTES, false, rows, 1);
	}
	struct counters tot;
	store_totals(s, &tot);
	const char *how = split ? (window ? "split, window" : "split") : window ? "window" : "one thread";
	/* Every dimension: its rows and its evicted share make the total. */
	bool adds_up = all_add_up(s, how);
	/* The smallest tables (64 slots) may always be made: 14 x 3 KiB each. */
	ok(bytes <= lim + (size_t)DIM_COUNT * 64 * 48 * (window ? window + 1 : 1),
	   "max-memory (%s): key tables %zu bytes, bound %zu", how, bytes, lim);
	ok(bytes >= lim / 2, "max-memory (%s): ... and they used it (over half)", how);
	ok(evicted > 0, "max-memory (%s): keys evicted (%" PRIu64 ")", how, evicted);
	if (!window)
		is_u64(tot.bytes, want, "max-memory (one pass): totals exact");
	ok(adds_up, "max-memory (%s): every dimension's rows + evicted share = the total", how);
	store_free(s);
}

/* The top rows of a dimension against a selection made here from the flows'
 * own sums, for every sort and both directions, ties included: 3,000
 * sources whose packet counts repeat, a fifth of them with no packets at
 * all (their rows tie with the empty slots' zero counters). */
struct refrow {
	uint32_t a;
	uint64_t c[3];			/* bytes, packets, flows */
};
static int ref_by, ref_inv;
static int ref_cmp(const void *x, const void *y)
{
	const struct refrow *p = x, *q = y;
	uint64_t m = p->c[ref_by], n = q->c[ref_by];
	if (m != n)
		return ref_inv ? (m < n ? -1 : 1) : (m > n ? -1 : 1);
	if (p->c[0] != q->c[0])
		return p->c[0] > q->c[0] ? -1 : 1;
	return p->a < q->a ? -1 : p->a > q->a;	/* the key's bytes, in network order */
}

static void test_top_order(bool split)
{
	enum { NSRC = 3000, NTOP = 25 };
	static struct refrow ref[NSRC];
	struct store_opts o = { 0, 1000000, 24, 48, split, 0 };
	struct store *s = store_new(&o);
	srand(5);
	char src[32];
	for (uint32_t i = 0; i < NSRC; i++)
		ref[i] = (struct refrow){ 0x0a000000u + i * 7919u % 65536u, { 0, 0, 0 } };
	for (int i = 0; i < 40000; i++) {
		uint32_t x = (uint32_t)rand() % NSRC;
		uint64_t bytes = 40 + (uint64_t)(rand() % 3) * 100, pkts = x % 5 ? (uint64_t)(rand() % 3) : 0;
		uint32_t a = ref[x].a;
		snprintf(src, sizeof src, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
		struct flow f = mk(src, "192.0.2.1", 80, 6, bytes, pkts, 1767323040000ULL + (uint64_t)i);
		store_add(s, &f);
		ref[x].c[0] += bytes;
		ref[x].c[1] += pkts;
		ref[x].c[2]++;
	}
	size_t nref = 0;
	for (uint32_t i = 0; i < NSRC; i++)
		if (ref[i].c[2])
			ref[nref++] = ref[i];
	static const enum sort_by by[] = { SORT_BYTES, SORT_PACKETS, SORT_FLOWS };
	bool good = true;
	for (int b = 0; b < 3; b++)
		for (int inv = 0; inv < 2; inv++) {
			ref_by = b;
			ref_inv = inv;
			qsort(ref, nref, sizeof *ref, ref_cmp);
			struct store_row r[NTOP];
			size_t n = store_top(s, DIM_SRC_IP, by[b], inv, r, NTOP);
			bool same = n == NTOP;
			for (size_t i = 0; same && i < n; i++) {
				uint32_t a = (uint32_t)r[i].key.addr[12] << 24 | (uint32_t)r[i].key.addr[13] << 16 |
					     (uint32_t)r[i].key.addr[14] << 8 | r[i].key.addr[15];
				same = a == ref[i].a && r[i].c.bytes == ref[i].c[0] && r[i].c.packets == ref[i].c[1] &&
				       r[i].c.flows == ref[i].c[2];
			}
			if (!same)
				printf("# top by %s%s differs\n", sort_name(by[b]), inv ? " (inverted)" : "");
			good &= same;
		}
	ok(good, "top order (%s): the top %d sources by bytes, packets and flows, both ways, as sorted here",
	   split ? "split" : "one thread", NTOP);
	store_free(s);
}

/* Without a window the ports are summed in cells of 32-bit packet and flow
 * counts: flows whose packets pass that (three of 3e9 on one port) and a
 * flow of 2^40 packets must still count exactly. */
static void test_port_cells(bool split)
{
	struct store_opts o = { 0, 1000, 24, 48, split, 0 };
	struct store *s = store_new(&o);
	uint64_t t = 1767323045000ULL;
	const uint64_t big[] = { 3000000000u, 3000000000u, 1ULL << 40, 3000000000u, 7 };
	uint64_t want = 0;
	for (int i = 0; i < 5; i++) {
		struct flow f = mk("10.0.0.1", "192.0.2.10", 80, 6, 1000 + (uint64_t)i, big[i], t + (uint64_t)i);
		f.sport = 5555;
		store_add(s, &f);
		want += big[i];
		struct flow g = mk("10.0.0.2", "192.0.2.11", 443, 6, 10, 1, t + (uint64_t)i);	/* another port's cell */
		store_add(s, &g);
	}
	const char *how = split ? "split" : "one thread";
	struct store_row r[2];
	size_t n = store_top(s, DIM_DST_PORT, SORT_PACKETS, false, r, 2);
	ok(n == 2 && r[0].key.num == 80 && r[0].c.packets == want && r[0].c.flows == 5 && r[0].c.bytes == 5010,
	   "port cells (%s): dst port 80 has %" PRIu64 " packets in 5 flows (2^40 + 3 x 3e9 + 7)", how, r[0].c.packets);
	ok(n == 2 && r[1].key.num == 443 && r[1].c.packets == 5 && r[1].c.flows == 5, "port cells (%s): dst port 443 beside it",
	   how);
	n = store_top(s, DIM_SRC_PORT, SORT_PACKETS, false, r, 1);
	ok(n == 1 && r[0].key.num == 5555 && r[0].c.packets == want && r[0].c.flows == 5,
	   "port cells (%s): src port 5555 the same", how);
	store_free(s);
}

/* Tables of IPv4 addresses have narrow entries and widen at their first
 * IPv6 key: under --max-memory, when the bound is reached, the widening
 * evicts to stay under it, and every dimension still adds up. */
static void test_widen_bounded(bool split)
{
	const size_t lim = 16u << 20;
	struct store_opts o = { 0, 100000000, 24, 48, split, lim };
	struct store *s = store_new(&o);
	uint64_t t = 1767323040000ULL, want = 0;
	char src[64];
	for (uint32_t i = 0; i < 700000; i++) {
		if (i < 600000)
			snprintf(src, sizeof src, "10.%u.%u.%u", i >> 16 & 255, i >> 8 & 255, i & 255);
		else
			snprintf(src, sizeof src, "2001:db8::%x:%x", i >> 16, i & 0xffff);
		struct flow f = mk(src, i < 600000 ? "192.0.2.1" : "2001:db8:1::1", 80, 6, i < 600000 ? 100 : 1000, 1,
				   t + i / 100);
		store_add(s, &f);
		want += f.bytes;
	}
	const char *how = split ? "split" : "one thread";
	size_t bytes = 0;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_dim_info in;
		store_dim_info(s, (enum dim)d, &in);
		bytes += in.bytes;
	}
	bool adds_up = all_add_up(s, how);
	struct store_row r[1];
	size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, r, 1);
	struct counters tot;
	store_totals(s, &tot);
	ok(bytes <= lim + (size_t)DIM_COUNT * 64 * 48, "widening (%s): key tables %zu bytes, bound %zu", how, bytes, lim);
	ok(n == 1 && r[0].key.addr[0] == 0x20 && r[0].c.bytes == 1000, "widening (%s): IPv6 sources on top", how);
	is_u64(tot.bytes, want, "widening: totals exact");
	ok(adds_up, "widening (%s): every dimension's rows + evicted share = the total", how);
	store_free(s);
}

/* Sources of minute m (0-4), flow i: 10.(m*2 + i/65536).x.y, all distinct. */
static void share_src(unsigned m, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "10.%u.%u.%u", m * 2 + (i >> 16), i >> 8 & 255, i & 255);
}

/* Rows plus the evicted share of the source addresses against the total. */
static bool share_adds_up(struct store *s)
{
	static struct store_row all[600000];
	struct store_dim_info in;
	struct counters tot;
	store_dim_info(s, DIM_SRC_IP, &in);
	store_totals(s, &tot);
	size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, all, sizeof all / sizeof *all);
	uint64_t sum = in.other.bytes;
	for (size_t r = 0; r < n; r++)
		sum += all[r].c.bytes;
	return sum == tot.bytes;
}

static size_t share_bytes(struct store *s)
{
	size_t bytes = 0;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_dim_info in;
		store_dim_info(s, (enum dim)d, &in);
		bytes += in.bytes;
	}
	return bytes;
}

/* A one-hour window (60 buckets of a minute) under --max-memory 32M: the
 * buckets' pool is shared among the buckets in use, so the first minute may
 * use all of it, and the later minutes take room back from the earlier
 * ones. With a fixed sixtieth per bucket (273 KB for all fourteen
 * dimensions) the first minute kept 4,130 of its 50,000 sources, and so did
 * each minute after it (checked on the previous store). */
static void test_bucket_share(bool split)
{
	enum { PER = 50000 };
	const size_t lim = 32u << 20;
	const char *how = split ? "split" : "one thread";
	struct store_opts o = { 3600, 100000000, 24, 48, split, lim };
	struct store *s = store_new(&o);
	uint64_t t0 = 1767323040000ULL;		/* a minute's start */
	char src[32];
	for (unsigned m = 0; m < 5; m++) {
		for (uint32_t i = 0; i < PER; i++) {
			share_src(m, i, src, sizeof src);
			struct flow f = mk(src, "198.51.100.1", 443, 6, 100 + i % 1000, 1,
					   t0 + m * 60000ULL + (uint64_t)i * 50000 / PER);
			store_add(s, &f);
		}
		struct store_dim_info in;
		store_dim_info(s, DIM_SRC_IP, &in);
		size_t bytes = share_bytes(s);
		if (m == 0) {
			is_u64(in.keys, PER, "bucket share (%s): the first minute keeps all its sources", how);
			is_u64(in.evicted, 0, "bucket share (%s): ... and evicts none", how);
		}
		/* The newest minute's sources still tracked (10.2m.x.y, 10.2m+1.x.y). */
		static struct store_row all[600000];
		size_t n = store_top(s, DIM_SRC_IP, SORT_BYTES, false, all, sizeof all / sizeof *all), newest = 0;
		for (size_t r = 0; r < n; r++)
			newest += all[r].key.addr[12] == 10 && all[r].key.addr[13] / 2 == m;
		if (m == 4)
			ok(newest >= PER / 5, "bucket share (%s): the fifth minute keeps over a fifth of its sources (%zu)",
			   how, newest);
		printf("# minute %u: %zu sources tracked, %zu of them this minute's, %" PRIu64 " evicted\n", m + 1,
		       in.keys, newest, in.evicted);
		ok(bytes <= lim + (size_t)DIM_COUNT * 64 * 48 * 61,
		   "bucket share (%s): minute %u: key tables %zu bytes, bound %zu", how, m + 1, bytes, lim);
		ok(share_adds_up(s), "bucket share (%s): minute %u: rows + evicted share = the total", how, m + 1);
	}
	store_free(s);
}

/* The bucket share through a window's life under a small bound (4 MiB):
 * a filling window, bursts, a silence longer than the window, and time
 * going on; one thread and split. Every twentieth second each dimension
 * adds up, the total is the window's flows, and the tables keep to the
 * bound; at the end nothing is left. */
static void test_share_life(bool split)
{
	const size_t lim = 4u << 20;
	const char *how = split ? "share life (split)" : "share life (one thread)";
	struct store_opts o = { 60, 100000000, 24, 48, split, lim };
	struct store *s = store_new(&o);
	const uint64_t t0 = 1767323040000ULL;
	uint64_t per_sec[400] = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	bool sums = true, totals = true, bound = true;
	size_t most = 0;
	char src[32], dst[32];
	for (unsigned sec = 0; sec < 400; sec++) {
		/* 0-99 s: 250 to 2,725 flows a second; 100-189 s: none;
		 * 190-399 s: 1,000 a second, a burst of 5,000 every 50 s. */
		unsigned n = sec < 100 ? 250 + sec * 25 : sec < 190 ? 0 : sec % 50 == 0 ? 5000 : 1000;
		for (unsigned i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Half the sources from a small set, so keys repeat. */
			uint32_t a = (uint32_t)x, b = (uint32_t)(x >> 32);
			if (x & 1)
				a &= 0x3ff;
			snprintf(src, sizeof src, "10.%u.%u.%u", a >> 16 & 255, a >> 8 & 255, a & 255);
			snprintf(dst, sizeof dst, "172.%u.%u.%u", 16 + (b >> 16 & 15), b >> 8 & 255, b & 255);
			struct flow f = mk(src, dst, (uint16_t)(b >> 20), 6, 40 + x % 1400, 1,
					   t0 + sec * 1000ULL + (uint64_t)i * 1000 / n);
			f.sport = (uint16_t)(a * 7);
			store_add(s, &f);
			per_sec[sec] += f.bytes;
		}
		if (sec % 20 != 19)
			continue;
		store_advance(s, t0 + sec * 1000ULL + 999);
		char at[64];
		snprintf(at, sizeof at, "%s, %u s", how, sec + 1);
		sums = all_add_up(s, at) && sums;
		uint64_t want = 0;
		for (unsigned k = sec >= 59 ? sec - 59 : 0; k <= sec; k++)
			want += per_sec[k];
		struct counters tot;
		store_totals(s, &tot);
		if (tot.bytes != want) {
			totals = false;
			printf("# %s, %u s: total %" PRIu64 ", the window's flows %" PRIu64 "\n", how, sec + 1, tot.bytes,
			       want);
		}
		size_t bytes = share_bytes(s);
		if (bytes > most)
			most = bytes;
		if (bytes > lim + (size_t)DIM_COUNT * 64 * 48 * 61) {
			bound = false;
			printf("# %s, %u s: key tables %zu bytes\n", how, sec + 1, bytes);
		}
	}
	ok(sums, "%s: every dimension's rows + evicted share = the total, every 20 s", how);
	ok(totals, "%s: the total is the window's flows, every 20 s", how);
	ok(bound, "%s: the key tables kept to the bound (most %zu of %zu)", how, most, lim);
	ok(most >= lim / 2, "%s: ... and used it (over half)", how);
	struct store_dim_info si;
	store_dim_info(s, DIM_SRC_IP, &si);
	ok(si.evicted > 0, "%s: source keys were evicted (%" PRIu64 ")", how, si.evicted);
	store_advance(s, t0 + 500000);
	struct counters tot;
	store_totals(s, &tot);
	bool empty = tot.bytes == 0 && tot.flows == 0;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_dim_info in;
		store_dim_info(s, (enum dim)d, &in);
		empty = empty && in.keys == 0 && in.bucket_keys == 0 && in.other.bytes == 0;
	}
	ok(empty, "%s: nothing left once the window has passed", how);
	store_free(s);
}

int main(void)
{
	/* CI's ThreadSanitizer step looks for races in the split store: it sets
	 * this and runs only the cases with two threads (and the quick ones);
	 * every case runs in the plain and ASan builds. */
	bool two_only = getenv("TEST_STORE_SPLIT_ONLY") != NULL;
	if (!two_only) {
		test_window_caps();
		test_max_memory(false, 0, 2000000);
		test_max_memory(false, 20, 2000000);	/* the flows span 20 s: every bucket used */
		test_bucket_share(false);
		test_share_life(false);
		test_derived_prefix(300, false);
		test_derived_prefix(20, false);
		test_few_keys(false, 0);
		test_few_keys(false, 5);
		test_port_cells(false);
		test_widen_bounded(false);
		test_top_order(false);
	}
	test_max_memory(true, 0, 2000000);
	test_max_memory(true, 20, 1000000);	/* over 20 s: both threads growing the same buckets */
	test_bucket_share(true);
	test_share_life(true);
	test_split();
	test_derived_prefix(300, true);
	test_few_keys(true, 5);
	test_port_cells(true);
	test_widen_bounded(true);
	test_top_order(true);
	test_window_parse();
	test_whole();
	test_sliding();
	test_evict();
	return done_testing();
}
