#include <endian.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowpipe.h"
#include "ktab.h"
#include "store.h"
#include "window.h"
#include "xmem.h"

struct table {
	struct ktab k;
	uint64_t evicted;
	struct counters other;		/* evicted keys' share, kept so totals never lie */
};

struct bucket {
	bool used;
	uint64_t id;			/* time / width */
	struct counters total;
	struct table t[DIM_COUNT];
};

/* What the key tables may take (--max-memory), shared by a store and its
 * worker half: one pool for the aggregate tables and one for the window's
 * bucket tables, so neither starves the other. The buckets' pool is shared
 * out evenly, each bucket its share: the buckets of the first seconds must
 * not take it all and leave the later ones tables too small to use. */
enum { POOL_AGG, POOL_BUCKETS };
struct budget {
	_Atomic size_t used[2];
	size_t limit[2];		/* 0: no bound */
	_Atomic size_t *bucket_used;	/* nb of them, with a window */
	size_t bucket_limit;
};

struct store {
	struct store_opts o;
	struct budget *bud;		/* owned by the store that is not a peer */
	bool peer_of;			/* this store is another's worker half */
	size_t bkeys[DIM_COUNT];	/* keys in all buckets' tables, per dimension */
	uint64_t bevicted[DIM_COUNT];	/* keys the buckets evicted, per dimension */
	uint32_t mask;			/* the dimensions this store keeps */
	struct store *peer;		/* with split: the worker's half */
	struct flowpipe *pipe;		/* ... and the flows on their way to it */
	struct table agg[DIM_COUNT];
	struct counters total;
	struct bucket *b;		/* ring of nb buckets; NULL in whole-input mode */
	uint32_t nb, width_s;
	uint64_t head;			/* newest bucket id */
	bool started;
	uint64_t first_ms, last_ms;
	uint64_t late;
};

static const char *const dim_names[DIM_COUNT] = {
	"src_ip", "dst_ip", "src_port", "dst_port", "proto",
	"src_as", "dst_as", "exporter", "in_if", "out_if",
	"src_country", "dst_country", "src_prefix", "dst_prefix",
};

const char *dim_name(enum dim d) { return d < DIM_COUNT ? dim_names[d] : "?"; }

bool dim_parse(const char *s, enum dim *d)
{
	for (int i = 0; i < DIM_COUNT; i++)
		if (!strcmp(s, dim_names[i])) {
			*d = (enum dim)i;
			return true;
		}
	return false;
}

static const char *const sort_names[] = { "bytes", "packets", "flows" };

const char *sort_name(enum sort_by by) { return sort_names[by]; }

bool sort_parse(const char *s, enum sort_by *by)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, sort_names[i])) {
			*by = (enum sort_by)i;
			return true;
		}
	return false;
}

/* With split, the thread that adds flows (it also reads and decodes them and
 * runs the alert detector) keeps the source addresses, the worker the other
 * thirteen dimensions. Measured on 5M flows (doc/PERFORMANCE.md): keeping the
 * source ports there too left that thread the slower one (5-9% longer
 * replays); keeping nothing there was no faster than this. */
#define FRONT_DIMS (1u << DIM_SRC_IP)

static void add_local(struct store *s, const struct flow *f);
static void advance_local(struct store *s, uint64_t t_ms);

static void peer_apply(void *arg, const struct flowpipe_msg *m)
{
	if (m->kind == FLOWPIPE_FLOW)
		add_local(arg, &m->f);
	else
		advance_local(arg, m->t_ms);
}

struct store *store_new(const struct store_opts *o)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->o = *o;
	if (s->o.max_keys == 0)
		s->o.max_keys = 1000000;
	if (s->o.prefix4 == 0 || s->o.prefix4 > 32)
		s->o.prefix4 = 24;
	if (s->o.prefix6 == 0 || s->o.prefix6 > 128)
		s->o.prefix6 = 48;
	if (o->window_s) {
		window_layout(o->window_s, &s->nb, &s->width_s);
		s->b = xcalloc(s->nb, sizeof *s->b);
	}
	s->bud = xcalloc(1, sizeof *s->bud);
	if (o->max_memory) {
		/* A window's aggregate holds the union of its buckets' keys: about
		 * as many entries as all buckets together, so half each. */
		s->bud->limit[POOL_AGG] = s->b ? o->max_memory / 2 : o->max_memory;
		s->bud->limit[POOL_BUCKETS] = o->max_memory - s->bud->limit[POOL_AGG];
		if (s->b) {
			s->bud->bucket_used = xcalloc(s->nb, sizeof *s->bud->bucket_used);
			s->bud->bucket_limit = s->bud->limit[POOL_BUCKETS] / s->nb;
		}
	}
	s->mask = (1u << DIM_COUNT) - 1;
	if (o->split) {
		struct store_opts po = s->o;
		po.split = false;
		po.max_memory = 0;
		s->peer = store_new(&po);
		free(s->peer->bud);
		s->peer->bud = s->bud;
		s->peer->peer_of = true;
		s->pipe = flowpipe_start(peer_apply, s->peer);
		if (s->pipe) {
			s->mask = FRONT_DIMS;
			s->peer->mask &= ~FRONT_DIMS;
		} else {
			store_free(s->peer);
			s->peer = NULL;
		}
	}
	return s;
}

static void table_free(struct table *t)
{
	ktab_free(&t->k);
	memset(t, 0, sizeof *t);
}

void store_free(struct store *s)
{
	if (!s)
		return;
	flowpipe_stop(s->pipe);
	store_free(s->peer);
	for (int d = 0; d < DIM_COUNT; d++)
		table_free(&s->agg[d]);
	for (uint32_t i = 0; s->b && i < s->nb; i++)
		for (int d = 0; d < DIM_COUNT; d++)
			table_free(&s->b[i].t[d]);
	free(s->b);
	if (!s->peer_of) {
		free((void *)s->bud->bucket_used);
		free(s->bud);
	}
	free(s);
}

static void add_counters(struct counters *a, const struct counters *b)
{
	a->bytes += b->bytes;
	a->packets += b->packets;
	a->flows += b->flows;
}

static uint64_t sat_sub(uint64_t *a, uint64_t b)
{
	uint64_t take = *a < b ? *a : b;
	*a -= take;
	return b - take;
}

/* Subtracts b from a, returning in b what a could not give. */
static void sub_counters(struct counters *a, struct counters *b)
{
	b->bytes = sat_sub(&a->bytes, b->bytes);
	b->packets = sat_sub(&a->packets, b->packets);
	b->flows = sat_sub(&a->flows, b->flows);
}

/* Eviction ranks entries by bytes, ties broken by the key's hash mixed with
 * a salt that changes each time. Breaking ties by position in the table
 * would empty its front and pack the survivors into its back, where probe
 * runs then grow without bound under churn. */
struct rank {
	uint64_t bytes;
	uint32_t mix;
};

static inline bool rank_lt(struct rank a, struct rank b)
{
	return a.bytes != b.bytes ? a.bytes < b.bytes : a.mix < b.mix;
}

static inline uint32_t rank_mix(uint32_t hash, uint32_t salt)
{
	uint32_t x = (hash ^ salt) * 0x9e3779b1u;
	return x ^ x >> 15;
}

/* The k-th smallest of v[0..n) (quickselect; v is reordered). */
static struct rank kth_smallest(struct rank *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		struct rank pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (rank_lt(v[i], pivot))
				i++;
			while (rank_lt(pivot, v[j]))
				j--;
			if (i <= j) {
				struct rank t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

struct evict_arg {
	struct rank thr;		/* entries at or below go, up to 'want' of them */
	uint32_t salt;
	size_t want, removed;
	struct counters *other;
	struct table *agg;		/* evicting from a bucket: the aggregate too */
};

/* Takes a bucket entry's counters out of the aggregate's row for its key (the
 * row goes when empty); returns what the row could not give, which the
 * aggregate's evicted share holds (it evicted the key earlier). */
static struct counters agg_take(struct table *agg, const struct kent *e)
{
	struct counters left = e->c;
	struct kent *a = ktab_find(&agg->k, &e->key, e->hash);
	if (a) {
		sub_counters(&a->c, &left);
		if (a->c.flows == 0 && a->c.bytes == 0 && a->c.packets == 0)
			ktab_del(&agg->k, a);
	}
	return left;
}

/* What a bucket evicts leaves the aggregate's row for its key as well, into
 * the aggregate's evicted share: the row is then still the sum of the
 * buckets that hold the key, so when those buckets expire the right amounts
 * are taken away from the row and from the share. */
static void evict_from_agg(struct table *agg, const struct kent *e)
{
	struct counters left = agg_take(agg, e), moved;
	moved.bytes = e->c.bytes - left.bytes;
	moved.packets = e->c.packets - left.packets;
	moved.flows = e->c.flows - left.flows;
	add_counters(&agg->other, &moved);
}

static bool evict_keep(const struct kent *e, void *arg)
{
	struct evict_arg *ea = arg;
	struct rank r = { e->c.bytes, rank_mix(e->hash, ea->salt) };
	if (ea->removed < ea->want && !rank_lt(ea->thr, r)) {
		add_counters(ea->other, &e->c);
		if (ea->agg)
			evict_from_agg(ea->agg, e);
		ea->removed++;
		return false;
	}
	return true;
}

/* Evicts the smallest tenth of the table by bytes into 'other': a selection
 * over a copy of the byte counts, then one rebuilding pass, once every n/10
 * new keys. agg: the aggregate when t is a bucket's table. */
static size_t table_evict(struct table *t, struct table *agg)
{
	size_t n = t->k.n, want = n / 10 ? n / 10 : 1, i = 0;
	if (n == 0)
		return 0;
	uint32_t salt = (uint32_t)(t->evicted * 0x9e3779b97f4a7c15ULL >> 32) ^ (uint32_t)n;
	struct rank *v = xmalloc(n * sizeof *v);
	for (size_t j = 0; j < t->k.cap; j++)
		if (t->k.slot[j].hash)
			v[i++] = (struct rank){ t->k.slot[j].c.bytes, rank_mix(t->k.slot[j].hash, salt) };
	struct evict_arg ea = { kth_smallest(v, n, want - 1), salt, want, 0, &t->other, agg };
	free(v);
	ktab_filter(&t->k, evict_keep, &ea);
	t->evicted += ea.removed;
	return ea.removed;
}

/* The bytes a table of cur bytes (of bucket b, or of the aggregate when b
 * is NULL) may grow to: what its pool has left, plus its own. SIZE_MAX
 * without a bound. */
static size_t table_room(const struct store *s, const struct bucket *b, size_t cur)
{
	const struct budget *bu = s->bud;
	size_t lim, used;
	if (!b) {
		lim = bu->limit[POOL_AGG];
		used = lim ? atomic_load_explicit(&bu->used[POOL_AGG], memory_order_relaxed) : 0;
	} else {
		lim = bu->bucket_limit;
		used = bu->bucket_used ? atomic_load_explicit(&bu->bucket_used[b - s->b], memory_order_relaxed) : 0;
	}
	if (!lim)
		return SIZE_MAX;
	return used > lim ? cur : lim - used + cur;
}

static void add_signed(_Atomic size_t *a, size_t before, size_t after)
{
	if (after > before)
		atomic_fetch_add_explicit(a, after - before, memory_order_relaxed);
	else if (before > after)
		atomic_fetch_sub_explicit(a, before - after, memory_order_relaxed);
}

static void budget_change(struct store *s, const struct bucket *b, size_t before, size_t after)
{
	add_signed(&s->bud->used[b ? POOL_BUCKETS : POOL_AGG], before, after);
	if (b && s->bud->bucket_used)
		add_signed(&s->bud->bucket_used[b - s->b], before, after);
}

/* The bucket whose table of dimension d holds the most keys. */
static struct table *largest_bucket_table(struct store *s, enum dim d)
{
	struct table *best = NULL;
	for (uint32_t i = 0; i < s->nb; i++)
		if (!best || s->b[i].t[d].k.n > best->k.n)
			best = &s->b[i].t[d];
	return best;
}

/* Adds c to key k of dimension d in the aggregate (b NULL) or in bucket b's
 * table. A new key that would pass a bound first makes room by eviction:
 * --max-keys per table, --max-keys over all buckets of the dimension
 * (taken from the bucket table that holds the most), or the memory pool (a
 * table that cannot double grows to what fits, and when even that is not
 * an eighth more, evicts from itself; the smallest tables always may grow). */
static void table_add(struct store *s, enum dim d, struct bucket *b, const struct store_key *k, uint32_t h,
		      const struct counters *c)
{
	struct table *t = b ? &b->t[d] : &s->agg[d];
	size_t before = ktab_bytes(&t->k), grow = ktab_growth(&t->k);
	bool self = t->k.n >= s->o.max_keys;
	if (!self && grow && t->k.n >= KTAB_MIN * 3 / 4) {
		/* Doubling does not fit: a table of the size that does, if that is
		 * worth it (an eighth more slots), else evict. */
		size_t room = table_room(s, b, before);
		if (room < grow) {
			size_t ncap = room / sizeof(struct kent);
			if (ncap >= t->k.cap + t->k.cap / 8)
				ktab_resize(&t->k, ncap);
			else
				self = true;
		}
	}
	bool sum = b && s->bkeys[d] >= s->o.max_keys;
	if ((self || sum) && !ktab_find(&t->k, k, h)) {
		struct table *from = self ? t : largest_bucket_table(s, d);
		size_t gone = table_evict(from, b ? &s->agg[d] : NULL);
		if (b) {
			s->bkeys[d] -= gone;
			s->bevicted[d] += gone;
		}
	}
	bool added;
	struct kent *e = ktab_get(&t->k, k, h, &added);
	add_counters(&e->c, c);
	if (ktab_bytes(&t->k) != before)
		budget_change(s, b, before, ktab_bytes(&t->k));
	if (b && added)
		s->bkeys[d]++;
}

/* Takes a bucket's table out of the aggregate. */
static void table_sub(struct store *s, enum dim d, struct bucket *b)
{
	struct table *bt = &b->t[d];
	struct table *agg = &s->agg[d];
	for (size_t j = 0; j < bt->k.cap; j++) {
		const struct kent *e = &bt->k.slot[j];
		if (!e->hash)
			continue;
		struct counters left = agg_take(agg, e);
		sub_counters(&agg->other, &left);
	}
	struct counters o = bt->other;
	sub_counters(&agg->other, &o);
	s->bkeys[d] -= bt->k.n;
	size_t before = ktab_bytes(&bt->k);
	ktab_clear(&bt->k);
	budget_change(s, b, before, ktab_bytes(&bt->k));
	memset(&bt->other, 0, sizeof bt->other);
	bt->evicted = 0;
}

/* The address with the bits past the prefix cleared; num holds the length. */
static void prefix_key(const struct flow_addr *a, uint8_t len4, uint8_t len6, struct store_key *k)
{
	bool v4 = flow_addr_is4(a);
	unsigned bits = v4 ? 96u + len4 : len6;
	uint64_t hi, lo;
	memcpy(&hi, a->b, 8);
	memcpy(&lo, a->b + 8, 8);
	/* Masks built as numbers, stored in network order like the address. */
	uint64_t mhi = bits >= 64 ? ~0ULL : bits ? ~0ULL << (64 - bits) : 0;
	uint64_t mlo = bits >= 128 ? ~0ULL : bits > 64 ? ~0ULL << (128 - bits) : 0;
	hi &= htobe64(mhi);
	lo &= htobe64(mlo);
	memcpy(k->addr, &hi, 8);
	memcpy(k->addr + 8, &lo, 8);
	k->num = v4 ? len4 : len6;
}

/* Every dimension's key of a flow, in one pass over zeroed keys. */
static void make_keys(const struct store *s, const struct flow *f, struct store_key k[DIM_COUNT])
{
	memset(k, 0, DIM_COUNT * sizeof *k);
	memcpy(k[DIM_SRC_IP].addr, f->src.b, 16);
	memcpy(k[DIM_DST_IP].addr, f->dst.b, 16);
	k[DIM_SRC_PORT].num = f->sport;
	k[DIM_DST_PORT].num = f->dport;
	k[DIM_PROTO].num = f->proto;
	/* AS 0 of a special address keys as its class ("private" rather than AS0). */
	k[DIM_SRC_AS].num = f->src_as;
	k[DIM_SRC_AS].addr[0] = f->src_as ? 0 : f->src_class;
	k[DIM_DST_AS].num = f->dst_as;
	k[DIM_DST_AS].addr[0] = f->dst_as ? 0 : f->dst_class;
	k[DIM_SRC_COUNTRY].num = f->src_cc;
	k[DIM_SRC_COUNTRY].addr[0] = f->src_class;
	k[DIM_DST_COUNTRY].num = f->dst_cc;
	k[DIM_DST_COUNTRY].addr[0] = f->dst_class;
	prefix_key(&f->src, s->o.prefix4, s->o.prefix6, &k[DIM_SRC_PREFIX]);
	prefix_key(&f->dst, s->o.prefix4, s->o.prefix6, &k[DIM_DST_PREFIX]);
	memcpy(k[DIM_EXPORTER].addr, f->exporter.b, 16);
	memcpy(k[DIM_IN_IF].addr, f->exporter.b, 16);
	k[DIM_IN_IF].num = f->in_if;
	memcpy(k[DIM_OUT_IF].addr, f->exporter.b, 16);
	k[DIM_OUT_IF].num = f->out_if;
}

static void expire_bucket(struct store *s, struct bucket *b)
{
	if (!b->used)
		return;
	for (int d = 0; d < DIM_COUNT; d++)
		table_sub(s, (enum dim)d, b);
	struct counters t = b->total;
	sub_counters(&s->total, &t);
	memset(&b->total, 0, sizeof b->total);
	b->used = false;
}

void store_advance(struct store *s, uint64_t t_ms)
{
	if (s->pipe) {
		struct flowpipe_msg m = { .kind = FLOWPIPE_ADVANCE, .t_ms = t_ms };
		flowpipe_push(s->pipe, &m);
	}
	advance_local(s, t_ms);
}

static void advance_local(struct store *s, uint64_t t_ms)
{
	if (!s->b)
		return;
	uint64_t id = t_ms / 1000 / s->width_s;
	if (!s->started) {
		s->started = true;
		s->head = id;
		return;
	}
	if (id <= s->head)
		return;
	/* Every bucket that falls out of [id - nb + 1, id] leaves the aggregate. */
	uint64_t steps = id - s->head;
	if (steps > s->nb)
		steps = s->nb;
	for (uint64_t i = 1; i <= steps; i++) {
		struct bucket *b = &s->b[(s->head + i) % s->nb];
		expire_bucket(s, b);
	}
	s->head = id;
}

void store_add(struct store *s, const struct flow *f)
{
	if (s->pipe) {
		struct flowpipe_msg m = { .kind = FLOWPIPE_FLOW, .f = *f };
		flowpipe_push(s->pipe, &m);
	}
	add_local(s, f);
}

static void add_local(struct store *s, const struct flow *f)
{
	struct counters c = { f->bytes, f->packets, 1 };
	uint64_t t = f->recv_ms;
	struct bucket *b = NULL;
	if (s->b) {
		advance_local(s, t);
		uint64_t id = t / 1000 / s->width_s;
		if (id + s->nb <= s->head) {
			s->late++;	/* older than the window: not counted, but said */
			return;
		}
		b = &s->b[id % s->nb];
		if (!b->used) {
			b->used = true;
			b->id = id;
		}
		add_counters(&b->total, &c);
	}
	if (!s->first_ms || t < s->first_ms)
		s->first_ms = t;
	if (t > s->last_ms)
		s->last_ms = t;
	add_counters(&s->total, &c);
	/* Keys and hashes first, and their slots asked for, so the cache misses
	 * of the fourteen tables overlap instead of coming one after another. */
	struct store_key k[DIM_COUNT];
	uint32_t h[DIM_COUNT];
	make_keys(s, f, k);
	for (int d = 0; d < DIM_COUNT; d++) {
		if (!(s->mask & 1u << d))
			continue;
		h[d] = ktab_hash(&k[d]);
		ktab_prefetch(&s->agg[d].k, h[d]);
		if (b)
			ktab_prefetch(&b->t[d].k, h[d]);
	}
	for (int d = 0; d < DIM_COUNT; d++) {
		if (!(s->mask & 1u << d))
			continue;
		table_add(s, (enum dim)d, NULL, &k[d], h[d], &c);
		if (b)
			table_add(s, (enum dim)d, b, &k[d], h[d], &c);
	}
}

/* Carried in the sort argument inside this file only. */
#define SORT_INVERT 0x100

static uint64_t metric(const struct counters *c, int by)
{
	by &= ~SORT_INVERT;
	return by == SORT_PACKETS ? c->packets : by == SORT_FLOWS ? c->flows : c->bytes;
}

/* Ordering of the output: larger metric first, then bytes, then key. */
static int row_before(const struct store_row *a, const struct store_row *b, int by)
{
	bool inv = by & SORT_INVERT;
	uint64_t x = metric(&a->c, by), y = metric(&b->c, by);
	if (inv && x != y)
		return x < y;
	if (x != y)
		return x > y;
	if (a->c.bytes != b->c.bytes)
		return a->c.bytes > b->c.bytes;
	return memcmp(&a->key, &b->key, sizeof a->key) < 0;
}

/* A min-heap of the n best rows: the root is the row that goes first. */
static void heap_down(struct store_row *h, size_t n, size_t i, int by)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && row_before(&h[m], &h[l], by))
			m = l;
		if (r < n && row_before(&h[m], &h[r], by))
			m = r;
		if (m == i)
			return;
		struct store_row t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_up(struct store_row *h, size_t i, int by)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!row_before(&h[p], &h[i], by))
			return;
		struct store_row t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* The store that keeps dimension d, brought up to date. */
static const struct store *owner(const struct store *s, enum dim d)
{
	if (!s->peer || !(s->peer->mask & 1u << d))
		return s;
	flowpipe_sync(s->pipe);
	return s->peer;
}

static size_t top_local(const struct store *s, enum dim d, enum sort_by by, bool invert, struct store_row *out,
			size_t n)
{
	int order = (int)by | (invert ? SORT_INVERT : 0);
	size_t k = 0;
	if (n == 0 || d >= DIM_COUNT)
		return 0;
	/* The heap's root is the worst of the kept rows, so a better row replaces it. */
	const struct ktab *t = &s->agg[d].k;
	for (size_t j = 0; j < t->cap; j++) {
		const struct kent *e = &t->slot[j];
		if (!e->hash)
			continue;
		/* Most keys lose to the worst kept row on the metric alone. */
		if (k == n) {
			uint64_t m = metric(&e->c, order), worst = metric(&out[0].c, order);
			if (invert ? m > worst : m < worst)
				continue;
		}
		struct store_row r = { e->key, e->c };
		if (k < n) {
			out[k] = r;
			heap_up(out, k++, order);
		} else if (row_before(&r, &out[0], order)) {
			out[0] = r;
			heap_down(out, k, 0, order);
		}
	}
	/* Heap-sort in place: repeatedly move the worst to the end. */
	for (size_t m = k; m > 1; m--) {
		struct store_row tmp = out[0];
		out[0] = out[m - 1];
		out[m - 1] = tmp;
		heap_down(out, m - 1, 0, order);
	}
	return k;
}

size_t store_top(const struct store *s, enum dim d, enum sort_by by, bool invert, struct store_row *out,
		 size_t n)
{
	if (d >= DIM_COUNT)
		return 0;
	return top_local(owner(s, d), d, by, invert, out, n);
}

struct top_req {
	const struct store *s;
	enum sort_by by;
	bool invert;
	struct store_row *const *out;
	size_t n, *cnt;
};

static void top_mask(void *arg)
{
	struct top_req *r = arg;
	for (int d = 0; d < DIM_COUNT; d++)
		if (r->s->mask & 1u << d)
			r->cnt[d] = top_local(r->s, (enum dim)d, r->by, r->invert, r->out[d], r->n);
}

void store_top_all(const struct store *s, enum sort_by by, bool invert, struct store_row *const out[DIM_COUNT],
		   size_t n, size_t cnt[DIM_COUNT])
{
	struct top_req mine = { s, by, invert, out, n, cnt }, theirs = mine;
	if (s->peer) {
		/* The worker selects its dimensions after the flows before this. */
		theirs.s = s->peer;
		struct flowpipe_msg m = { .kind = FLOWPIPE_CALL, .call = top_mask, .arg = &theirs };
		flowpipe_push(s->pipe, &m);
		flowpipe_publish(s->pipe);
	}
	top_mask(&mine);
	if (s->peer)
		flowpipe_sync(s->pipe);
}

void store_totals(const struct store *s, struct counters *c)
{
	*c = s->total;
}

void store_dim_info(const struct store *s, enum dim d, struct store_dim_info *info)
{
	s = owner(s, d);
	info->keys = s->agg[d].k.n;
	info->evicted = s->agg[d].evicted + s->bevicted[d];
	info->other = s->agg[d].other;
	info->bucket_keys = s->bkeys[d];
	info->bytes = ktab_bytes(&s->agg[d].k);
	for (uint32_t i = 0; s->b && i < s->nb; i++)
		info->bytes += ktab_bytes(&s->b[i].t[d].k);
}

void store_span(const struct store *s, uint64_t *start_ms, uint64_t *end_ms)
{
	if (!s->b) {
		*start_ms = s->first_ms;
		*end_ms = s->last_ms;
		return;
	}
	if (!s->started) {
		*start_ms = *end_ms = 0;
		return;
	}
	uint64_t w = (uint64_t)s->width_s * 1000;
	*end_ms = (s->head + 1) * w;
	*start_ms = *end_ms - (uint64_t)s->nb * w;
}

uint64_t store_late(const struct store *s)
{
	return s->late;
}

uint64_t store_first(const struct store *s)
{
	return s->first_ms;
}
