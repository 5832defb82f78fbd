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
 * out evenly among the buckets in use: a window that is not full yet (the
 * first minutes of a long window, a short capture) gives its few buckets all
 * of it. When a newer bucket then finds the pool full, the tables of the
 * buckets over the (now smaller) share are shrunk, their smallest keys
 * evicted. Each half shrinks only its own tables; when what it needs is
 * held by the other's, it asks (want_back) and the other gives it back at
 * its next flow. Once every bucket is in use the shares are equal and
 * nothing is taken back. */
enum { POOL_AGG, POOL_BUCKETS };
struct budget {
	_Atomic size_t used[2];
	size_t limit[2];		/* 0: no bound */
	_Atomic size_t *bucket_used;	/* nb of them, with a window */
	_Atomic size_t want_back[2];	/* bytes asked of the first half, of the worker */
};

/* A flow's share for a dimension of few keys (protocols, interfaces, AS
 * numbers...) is first summed in a small direct-mapped cache, and only added
 * to the key table when another key takes its entry or before anything reads
 * the tables: most flows then cost an add to a line already in L1 instead of
 * a hash-table update. tag: 0 empty, 1 the aggregate alone (no window),
 * else the window's bucket index + 2. */
#define COMB_SLOTS 32		/* combine() takes the top 5 bits of a mix */
#define COMB_DIMS                                                                                   \
	(1u << DIM_PROTO | 1u << DIM_SRC_AS | 1u << DIM_DST_AS | 1u << DIM_EXPORTER | 1u << DIM_IN_IF | \
	 1u << DIM_OUT_IF | 1u << DIM_SRC_COUNTRY | 1u << DIM_DST_COUNTRY)
/* A key of those dimensions as words, built without a store_key: the 16
 * address bytes (the exporter's, or the address class in the first byte)
 * and the number. */
struct rawkey {
	uint64_t a, b;
	uint32_t num;
};
struct comb {
	struct rawkey k;
	uint32_t tag;
	struct counters c;
};

/* What the worker's dimensions read of a flow: all but the source address,
 * whose dimensions stay in the first thread, packed into one cache line.
 * The exporter and the time change once per datagram at most: they go in a
 * context message (struct wctx) when they change, and the flow carries its
 * time as milliseconds after the context's. */
struct __attribute__((packed)) wflow {
	struct flow_addr dst;
	uint64_t bytes, packets;
	uint32_t in_if, out_if, src_as, dst_as;
	uint32_t dt_ms;			/* recv_ms - the context's base_ms */
	uint16_t sport, dport, src_cc, dst_cc;
	uint8_t src_class, dst_class, proto;
};
struct wctx {
	struct flow_addr exporter;
	uint64_t base_ms;
};
_Static_assert(sizeof(struct wctx) <= FLOWPIPE_DATA, "a context fits a message");
_Static_assert(sizeof(struct wflow) <= FLOWPIPE_DATA, "a packed flow fits a message");

#define DEFER 8
#define MANY_MAX (DIM_COUNT - 9)	/* all but the COMB_DIMS and the destination port */
struct deferred {
	struct store_key k[MANY_MAX];
	uint32_t h[MANY_MAX];
	struct counters c;
	uint32_t b;			/* bucket index + 1; 0 none */
};

struct store {
	struct store_opts o;
	struct budget *bud;		/* owned by the store that is not a peer */
	bool peer_of;			/* this store is another's worker half */
	size_t bkeys[DIM_COUNT];	/* keys in all buckets' tables, per dimension */
	uint64_t bevicted[DIM_COUNT];	/* keys the buckets evicted, per dimension */
	uint32_t mask;			/* the dimensions this store keeps */
	uint8_t many[DIM_COUNT];	/* ... of many keys (updated per flow) */
	uint8_t nmany, nfew;		/* ... and how many of few keys (COMB_DIMS) */
	uint32_t portmask;		/* ... and which of PORT_DIMS */
	struct ports *ports[2];		/* source, destination ports (those of portmask) */
	struct store *peer;		/* with split: the worker's half */
	struct flowpipe *pipe;		/* ... and the flows on their way to it */
	struct wctx out_ctx;		/* the context last sent to the worker (none: base_ms UINT64_MAX) */
	struct wctx in_ctx;		/* the worker's: the context last received */
	struct table agg[DIM_COUNT];
	struct counters total;
	struct bucket *b;		/* ring of nb buckets; NULL in whole-input mode */
	uint32_t nb, width_s;
	uint64_t head;			/* newest bucket id */
	uint32_t nused;			/* buckets in use */
	uint64_t first_id;		/* the first bucket's id */
	uint8_t half;			/* 0 the first half, 1 the worker (budget.want_back) */
	bool started;
	uint64_t first_ms, last_ms;
	uint64_t late;
	struct comb comb[DIM_COUNT][COMB_SLOTS];
	uint32_t comb_pending;		/* dimensions with entries in their cache */
	/* The first thread's (and the one-thread store's) updates of the
	 * dimensions of many keys wait DEFER flows after their slots were
	 * asked for, so the cache misses are over when they are made (the
	 * worker, peer_of, has the same from its look-ahead). Readers apply
	 * them first, as they flush the caches above. */
	uint32_t defer_head, defer_n;
	struct deferred defer[DEFER];
	/* Whole-input mode computes the prefix dimensions from the address
	 * tables when read, instead of updating a table of their own per flow:
	 * agg[] of such a dimension holds only what its addresses' table
	 * evicted, and view[] the last computed whole, until the next add. */
	uint32_t derived, view_ok;
	struct table view[DIM_COUNT];
	/* Eviction's copy of a table's byte counts, kept for the next one up
	 * to RANKS_KEPT: allocated anew each time, its pages were faulted in
	 * anew each time (perf: a third of the evictions' time with a window,
	 * whose buckets' tables of 20,000-30,000 keys evict thousands of
	 * times in a replay). */
	struct rank *ranks;
	size_t nranks;
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
 * runs the alert detector) keeps the source addresses and prefixes, the
 * worker the other twelve dimensions. Measured on 5M flows
 * (doc/PERFORMANCE.md): the worker was the slower thread with only the
 * source addresses here once the detector had become cheaper. */
#define FRONT_DIMS (1u << DIM_SRC_IP | 1u << DIM_SRC_PREFIX)

static void add_local(struct store *s, const struct flow *f);
static void advance_local(struct store *s, uint64_t t_ms);

/* Without a window, the port dimensions sum a flow's share in an array
 * indexed by the port (a key of theirs is the 16-bit port alone), which
 * goes to the key tables at the same times as the caches above: per flow,
 * one 16-byte cell in a 1 MiB array instead of a hash-table update in a
 * table that grows to 65,536 keys (perf: a fifth of the worker's time went
 * to the source ports' table). Only the cells used are listed, so a flush
 * costs what was used. A cell counts packets and flows in 32 bits: one
 * that would pass that goes to the table first (port_spill). */
#define PORT_DIMS (1u << DIM_SRC_PORT | 1u << DIM_DST_PORT)
struct portcell {
	uint64_t bytes;
	uint32_t packets, flows;	/* flows 0: unused */
};
struct ports {
	struct portcell cell[65536];
	uint16_t used[65536];		/* the cells in use */
	uint32_t nused;
};

/* add_local() spells the dimensions of few keys out: they are these eight,
 * and the first thread keeps none of them, nor the ports. */
_Static_assert(__builtin_popcount(COMB_DIMS) + 1 + MANY_MAX == DIM_COUNT, "struct deferred holds every other dimension");
_Static_assert(COMB_DIMS == (1u << DIM_PROTO | 1u << DIM_SRC_AS | 1u << DIM_DST_AS | 1u << DIM_EXPORTER |
			     1u << DIM_IN_IF | 1u << DIM_OUT_IF | 1u << DIM_SRC_COUNTRY | 1u << DIM_DST_COUNTRY) &&
		       (FRONT_DIMS & (COMB_DIMS | PORT_DIMS)) == 0,
	       "the dimensions of few keys are all kept together");
_Static_assert((FRONT_DIMS & (1u << DIM_SRC_IP | 1u << DIM_SRC_PREFIX)) == (1u << DIM_SRC_IP | 1u << DIM_SRC_PREFIX),
	       "the worker is not sent source addresses");

static void peer_apply(void *arg, const struct flowpipe_msg *m)
{
	struct store *s = arg;
	if (m->kind == FLOWPIPE_CONTEXT) {
		memcpy(&s->in_ctx, m->data, sizeof s->in_ctx);
		return;
	}
	if (m->kind == FLOWPIPE_ADVANCE) {
		uint64_t t_ms;
		memcpy(&t_ms, m->data, sizeof t_ms);
		advance_local(s, t_ms);
		return;
	}
	struct wflow w;
	struct flow f;
	memcpy(&w, m->data, sizeof w);
	flow_clear(&f);
	f.dst = w.dst;
	f.exporter = s->in_ctx.exporter;
	f.bytes = w.bytes;
	f.packets = w.packets;
	f.recv_ms = s->in_ctx.base_ms + w.dt_ms;
	f.in_if = w.in_if;
	f.out_if = w.out_if;
	f.src_as = w.src_as;
	f.dst_as = w.dst_as;
	f.sport = w.sport;
	f.dport = w.dport;
	f.src_cc = w.src_cc;
	f.dst_cc = w.dst_cc;
	f.src_class = w.src_class;
	f.dst_class = w.dst_class;
	f.proto = w.proto;
	add_local(s, &f);
}

static void prefix_key(const struct flow_addr *a, uint8_t len4, uint8_t len6, struct store_key *k);

/* The worker's look ahead (flowpipe.h): the slots of a flow's destination
 * address (and prefix) asked for a dozen flows before it is applied. Those
 * tables' misses were most of the worker's time, which prefetching just
 * before the update, within one flow, hid only in part. */
static void peer_ahead(void *arg, const struct flowpipe_msg *m)
{
	const struct store *s = arg;
	if (m->kind != FLOWPIPE_FLOW)
		return;
	struct flow_addr dst;
	uint32_t dt;
	memcpy(&dst, m->data + offsetof(struct wflow, dst), sizeof dst);
	memcpy(&dt, m->data + offsetof(struct wflow, dt_ms), sizeof dt);
	/* The context may change before this flow is applied: a bucket
	 * guessed wrong only costs a useless prefetch. */
	uint64_t t = s->in_ctx.base_ms + dt;
	const struct bucket *b = s->b ? &s->b[t / 1000 / s->width_s % s->nb] : NULL;
	for (unsigned i = 0; i < s->nmany; i++) {
		enum dim d = s->many[i];
		struct store_key k;
		if (d == DIM_DST_IP) {
			memcpy(k.addr, dst.b, 16);
			k.num = 0;
		} else if (d == DIM_DST_PREFIX) {
			prefix_key(&dst, s->o.prefix4, s->o.prefix6, &k);
		} else {
			continue;
		}
		uint32_t h = ktab_hash(&k);
		ktab_prefetch(&s->agg[d].k, h);
		if (b)
			ktab_prefetch(&b->t[d].k, h);
	}
	/* And the ports' cells: 1 MiB arrays, out of the cache as often. */
	uint16_t port[2];
	memcpy(&port[0], m->data + offsetof(struct wflow, sport), 2);
	memcpy(&port[1], m->data + offsetof(struct wflow, dport), 2);
	for (int i = 0; i < 2; i++)
		if (s->ports[i])
			__builtin_prefetch(&s->ports[i]->cell[port[i]], 1, 3);
}

/* The address dimension a prefix dimension is computed from, or -1. */
static int parent_of(int d)
{
	return d == DIM_SRC_PREFIX ? DIM_SRC_IP : d == DIM_DST_PREFIX ? DIM_DST_IP : -1;
}

static int child_of(int d)
{
	return d == DIM_SRC_IP ? DIM_SRC_PREFIX : d == DIM_DST_IP ? DIM_DST_PREFIX : -1;
}

static void set_mask(struct store *s, uint32_t mask)
{
	s->mask = mask;
	s->nmany = s->nfew = 0;
	/* Only without a window: there each cell would be flushed into a
	 * bucket's tables at every bucket change, a burst of up to 65,536
	 * keys the bucket share (reserve) lets run over its bound. */
	s->portmask = s->b ? 0 : mask & PORT_DIMS;
	s->derived = 0;
	for (int d = 0; d < DIM_COUNT; d++) {
		if (!(mask & 1u << d))
			continue;
		int p = parent_of(d);
		if (!s->b && p >= 0 && (mask & 1u << p)) {
			s->derived |= 1u << d;
			continue;
		}
		if (COMB_DIMS & 1u << d)
			s->nfew++;
		else if (!(s->portmask & 1u << d) && d != DIM_DST_PORT)
			s->many[s->nmany++] = (uint8_t)d;
	}
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
	s->out_ctx.base_ms = UINT64_MAX;
	s->bud = xcalloc(1, sizeof *s->bud);
	if (o->max_memory) {
		/* A window's aggregate holds the union of its buckets' keys: about
		 * as many entries as all buckets together, so half each. */
		s->bud->limit[POOL_AGG] = s->b ? o->max_memory / 2 : o->max_memory;
		s->bud->limit[POOL_BUCKETS] = o->max_memory - s->bud->limit[POOL_AGG];
		if (s->b)
			s->bud->bucket_used = xcalloc(s->nb, sizeof *s->bud->bucket_used);
	}
	set_mask(s, (1u << DIM_COUNT) - 1);
	if (o->split) {
		struct store_opts po = s->o;
		po.split = false;
		po.max_memory = 0;
		s->peer = store_new(&po);
		free(s->peer->bud);
		s->peer->bud = s->bud;
		s->peer->peer_of = true;
		s->pipe = flowpipe_start(peer_apply, peer_ahead, s->peer);
		if (s->pipe) {
			set_mask(s, FRONT_DIMS);
			set_mask(s->peer, s->peer->mask & ~FRONT_DIMS);
			s->peer->half = 1;
		} else {
			store_free(s->peer);
			s->peer = NULL;
		}
	}
	/* The port arrays of the dimensions kept here (untouched pages of
	 * theirs take no memory). */
	for (int i = 0; i < 2; i++)
		if (s->portmask & 1u << (i ? DIM_DST_PORT : DIM_SRC_PORT))
			s->ports[i] = xcalloc(1, sizeof *s->ports[i]);
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
	for (int d = 0; d < DIM_COUNT; d++) {
		table_free(&s->agg[d]);
		table_free(&s->view[d]);
	}
	for (uint32_t i = 0; s->b && i < s->nb; i++)
		for (int d = 0; d < DIM_COUNT; d++)
			table_free(&s->b[i].t[d]);
	free(s->b);
	free(s->ports[0]);
	free(s->ports[1]);
	free(s->ranks);
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

#define RANKS_KEPT ((2u << 20) / sizeof(struct rank))	/* 2 MiB per thread at most */

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
	struct store *s;		/* evicting addresses whose prefixes are computed: */
	int child;			/* ... that prefix dimension, else -1 */
};

static void table_add(struct store *s, enum dim d, struct bucket *b, const struct store_key *k, uint32_t h,
		      const struct counters *c);
static void prefix_of_key(const struct store *s, const struct store_key *k, struct store_key *pk);

/* Takes a bucket entry's counters out of the aggregate's row for its key (the
 * row goes when empty); returns what the row could not give, which the
 * aggregate's evicted share holds (it evicted the key earlier). */
static struct counters agg_take(struct table *agg, const struct store_key *k, uint32_t h, const struct counters *c)
{
	struct counters left = *c;
	struct counters *a = ktab_find(&agg->k, k, h);
	if (a) {
		sub_counters(a, &left);
		if (a->flows == 0 && a->bytes == 0 && a->packets == 0)
			ktab_del(&agg->k, a);
	}
	return left;
}

/* What a bucket evicts leaves the aggregate's row for its key as well, into
 * the aggregate's evicted share: the row is then still the sum of the
 * buckets that hold the key, so when those buckets expire the right amounts
 * are taken away from the row and from the share. */
static void evict_from_agg(struct table *agg, const struct store_key *k, uint32_t h, const struct counters *c)
{
	struct counters left = agg_take(agg, k, h, c), moved;
	moved.bytes = c->bytes - left.bytes;
	moved.packets = c->packets - left.packets;
	moved.flows = c->flows - left.flows;
	add_counters(&agg->other, &moved);
}

static bool evict_keep(const struct store_key *k, uint32_t h, const struct counters *c, void *arg)
{
	struct evict_arg *ea = arg;
	struct rank r = { c->bytes, rank_mix(h, ea->salt) };
	if (ea->removed < ea->want && !rank_lt(ea->thr, r)) {
		add_counters(ea->other, c);
		if (ea->agg)
			evict_from_agg(ea->agg, k, h, c);
		if (ea->child >= 0) {
			/* The prefix keeps what its address leaves. */
			struct store_key pk;
			prefix_of_key(ea->s, k, &pk);
			table_add(ea->s, (enum dim)ea->child, NULL, &pk, ktab_hash(&pk), c);
		}
		ea->removed++;
		return false;
	}
	return true;
}

/* Evicts the smallest tenth of the table by bytes into 'other': a selection
 * over a copy of the byte counts, then one rebuilding pass, once every n/10
 * new keys. agg: the aggregate when t is a bucket's table. s and child: the
 * store and prefix dimension that take the evicted addresses (child -1: none). */
static size_t table_evict_n(struct table *t, struct table *agg, struct store *s, int child, size_t want)
{
	size_t n = t->k.n, i = 0;
	if (n == 0 || want == 0)
		return 0;
	if (want > n)
		want = n;
	uint32_t salt = (uint32_t)(t->evicted * 0x9e3779b97f4a7c15ULL >> 32) ^ (uint32_t)n;
	struct rank *v = s->ranks;
	if (n > s->nranks) {
		if (n > RANKS_KEPT) {
			v = xmalloc(n * sizeof *v);
		} else {
			free(s->ranks);
			s->nranks = n + n / 4 < RANKS_KEPT ? n + n / 4 : RANKS_KEPT;
			v = s->ranks = xmalloc(s->nranks * sizeof *s->ranks);
		}
	}
	for (size_t j = 0; j < t->k.cap; j++) {
		uint32_t h = ktab_hash_at(&t->k, j);
		if (h)
			v[i++] = (struct rank){ ktab_counters_at(&t->k, j)->bytes, rank_mix(h, salt) };
	}
	struct evict_arg ea = { kth_smallest(v, n, want - 1), salt, want, 0, &t->other, agg, s, child };
	if (v != s->ranks)
		free(v);
	ktab_filter(&t->k, evict_keep, &ea);
	t->evicted += ea.removed;
	return ea.removed;
}

/* A bucket's share of the buckets' pool: an even share among the buckets in
 * use (0: no bound). */
static size_t bucket_share(const struct store *s)
{
	return s->bud->limit[POOL_BUCKETS] / (s->nused ? s->nused : 1);
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
		lim = bucket_share(s);
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

/* Shrinks this thread's tables of bucket c, each in the proportion that
 * would bring the bucket (both halves' tables) to about 'target' bytes,
 * evicting their smallest keys into the bucket's evicted share (and the
 * aggregate's) as far as the smaller tables need. Returns the bytes given
 * back. */
static size_t shrink_bucket(struct store *s, struct bucket *c, size_t target)
{
	_Atomic size_t *u = &s->bud->bucket_used[c - s->b];
	size_t was = atomic_load_explicit(u, memory_order_relaxed);
	if (was <= target)
		return 0;
	double f = (double)target / (double)was;
	for (int d = 0; d < DIM_COUNT; d++) {
		struct table *t = &c->t[d];
		if (!(s->mask & 1u << d) || t->k.cap <= KTAB_MIN)
			continue;
		size_t ncap = (size_t)((double)t->k.cap * f);
		if (ncap < KTAB_MIN)
			ncap = KTAB_MIN;
		size_t fit = ncap * 3 / 4;
		if (t->k.n > fit) {
			size_t gone = table_evict_n(t, &s->agg[d], s, -1, t->k.n - fit);
			s->bkeys[d] -= gone;
			s->bevicted[d] += gone;
		}
		size_t before = ktab_bytes(&t->k);
		ktab_resize(&t->k, ncap);
		budget_change(s, c, before, ktab_bytes(&t->k));
	}
	size_t now = atomic_load_explicit(u, memory_order_relaxed);
	return was > now ? was - now : 0;
}

/* Makes 'need' bytes of this half's part free for bucket b by shrinking
 * its tables of the buckets over their share, the most over first. Such a
 * bucket is cut to the share it would have with twice as many buckets in
 * use, so that while a window fills each bucket is cut a few times, not
 * once for every bucket that starts after it. *over says whether any
 * bucket was over its share. */
static size_t take_back(struct store *s, const struct bucket *b, size_t need, size_t share, bool *over)
{
	size_t freed = 0;
	uint64_t tried[(WINDOW_MAX_BUCKETS + 63) / 64] = { 0 };	/* nb <= that: window_layout */
	uint32_t twice = s->nused * 2 < s->nb ? s->nused * 2 : s->nb;
	size_t target = s->bud->limit[POOL_BUCKETS] / (twice ? twice : 1);
	*over = false;
	while (freed < need) {
		/* Over by more than a sixteenth: the smallest tables may grow
		 * past a share, and a full window's buckets sit at theirs. */
		struct bucket *c = NULL;
		size_t most = share + share / 16;
		for (uint32_t i = 0; i < s->nb; i++) {
			size_t u = atomic_load_explicit(&s->bud->bucket_used[i], memory_order_relaxed);
			if (&s->b[i] != b && u > most && !(tried[i / 64] >> (i % 64) & 1)) {
				most = u;
				c = &s->b[i];
			}
		}
		if (!c)
			break;
		*over = true;
		uint32_t ci = (uint32_t)(c - s->b);
		tried[ci / 64] |= 1ULL << (ci % 64);
		freed += shrink_bucket(s, c, target);	/* (0: the other half holds it) */
	}
	return freed;
}

/* Takes delta bytes from the budget of bucket b (or of the aggregate when b
 * is NULL) if they fit under its bound, in one atomic step, so two threads
 * cannot both take the same room. A bucket under its share whose pool is
 * full takes room back from buckets over theirs. */
static bool reserve(struct store *s, const struct bucket *b, size_t delta)
{
	struct budget *bu = s->bud;
	if (!b) {
		size_t lim = bu->limit[POOL_AGG];
		size_t was = atomic_fetch_add_explicit(&bu->used[POOL_AGG], delta, memory_order_relaxed);
		if (lim && was + delta > lim) {
			atomic_fetch_sub_explicit(&bu->used[POOL_AGG], delta, memory_order_relaxed);
			return false;
		}
		return true;
	}
	if (!bu->bucket_used)
		return true;
	_Atomic size_t *u = &bu->bucket_used[b - s->b];
	size_t share = bucket_share(s), pool = bu->limit[POOL_BUCKETS];
	size_t was = atomic_fetch_add_explicit(u, delta, memory_order_relaxed);
	if (was + delta > share) {
		atomic_fetch_sub_explicit(u, delta, memory_order_relaxed);
		return false;
	}
	size_t pw = atomic_fetch_add_explicit(&bu->used[POOL_BUCKETS], delta, memory_order_relaxed);
	if (pw + delta <= pool)
		return true;
	bool over;
	size_t need = pw + delta - pool, freed = take_back(s, b, need, share, &over);
	if (freed >= need || !over)
		return true;	/* (none over its share: the pool is over only for a moment) */
	/* The rest is in the other half's tables: asked for, and this growth
	 * waits (the table evicts from itself meanwhile). */
	if (s->peer || s->peer_of)
		atomic_store_explicit(&bu->want_back[!s->half], need - freed, memory_order_relaxed);
	atomic_fetch_sub_explicit(u, delta, memory_order_relaxed);
	atomic_fetch_sub_explicit(&bu->used[POOL_BUCKETS], delta, memory_order_relaxed);
	return false;
}

/* What the other half asked back (reserve): taken from this half's tables
 * of the buckets over their share. */
static void give_back(struct store *s)
{
	size_t want = atomic_exchange_explicit(&s->bud->want_back[s->half], 0, memory_order_relaxed);
	bool over;
	if (want)
		(void)take_back(s, NULL, want, bucket_share(s), &over);
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

/* Evicts the want smallest keys of table 'from' of dimension d (of bucket b,
 * or not of a bucket when b is NULL) into its evicted share; an address
 * table whose prefix dimension is derived gives them to the prefix's. */
static void evict_keys(struct store *s, enum dim d, struct bucket *b, struct table *from, size_t want)
{
	int child = child_of(d);
	if (b || child < 0 || !(s->derived & 1u << child))
		child = -1;
	size_t gone = table_evict_n(from, b ? &s->agg[d] : NULL, s, child, want);
	if (b) {
		s->bkeys[d] -= gone;
		s->bevicted[d] += gone;
	}
}

/* Adds c to key k of dimension d in table t: the aggregate's (b NULL),
 * bucket b's, or a derived prefix view (b NULL). A new key that would pass
 * a bound first makes room by eviction: --max-keys per table, --max-keys over all buckets of the dimension
 * (taken from the bucket table that holds the most), or the memory pool (a
 * table that cannot double grows to what fits, and when even that is not
 * an eighth more, evicts from itself; the smallest tables always may grow). */
static void table_put(struct store *s, enum dim d, struct bucket *b, struct table *t, const struct store_key *k,
		      uint32_t h, const struct counters *c)
{
	/* Most adds: the key is there, or the table has room for it under
	 * every bound. */
	bool added;
	struct counters *e;
	if (t->k.n < s->o.max_keys && (!b || s->bkeys[d] < s->o.max_keys) &&
	    (e = ktab_get_room(&t->k, k, h, &added))) {
		add_counters(e, c);
		if (b && added)
			s->bkeys[d]++;
		return;
	}
	size_t before = ktab_bytes(&t->k), grow = ktab_growth(&t->k, k), held = 0;
	bool self = t->k.n >= s->o.max_keys, widen = ktab_widens(&t->k, k);
	if ((!self || widen) && grow && t->k.n >= KTAB_MIN * 3 / 4) {
		/* Growth is taken from the budget before it is made (the other
		 * thread may be growing a table of the same bucket): doubling, or
		 * else a table of the size that still fits if that is worth it
		 * (an eighth more slots), or else evict. A key that widens the
		 * entries must have them wide: with no room to spare, in the
		 * bytes the table has, evicting down to what they hold. */
		size_t esz = ktab_esz_with(&t->k, k);
		if (reserve(s, b, grow - before)) {
			held = grow - before;
		} else {
			size_t ncap = table_room(s, b, before) / esz;
			size_t nbytes = ncap * esz;
			if (ncap >= t->k.cap + t->k.cap / 8 && reserve(s, b, nbytes - before)) {
				held = nbytes - before;
				ktab_resize_with(&t->k, k, ncap);
			} else if (widen) {
				ncap = before / esz;
				if (t->k.n + 1 > ncap * 3 / 4)
					evict_keys(s, d, b, t, t->k.n + 1 - ncap * 3 / 4);
				ktab_resize_with(&t->k, k, ncap);
			} else {
				self = true;
			}
		}
	}
	bool sum = b && s->bkeys[d] >= s->o.max_keys;
	if ((self || sum) && !ktab_find(&t->k, k, h)) {
		struct table *from = self ? t : largest_bucket_table(s, d);
		evict_keys(s, d, b, from, from->k.n / 10 ? from->k.n / 10 : 1);
	}
	add_counters(ktab_get(&t->k, k, h, &added), c);
	/* What was taken and not used (the key was there, or eviction made
	 * room) goes back; growth of the smallest tables was not taken. */
	if (ktab_bytes(&t->k) != before + held)
		budget_change(s, b, before + held, ktab_bytes(&t->k));
	if (b && added)
		s->bkeys[d]++;
}

static void table_add(struct store *s, enum dim d, struct bucket *b, const struct store_key *k, uint32_t h,
		      const struct counters *c)
{
	table_put(s, d, b, b ? &b->t[d] : &s->agg[d], k, h, c);
}

/* Takes a bucket's table out of the aggregate. */
static void table_sub(struct store *s, enum dim d, struct bucket *b)
{
	struct table *bt = &b->t[d];
	struct table *agg = &s->agg[d];
	for (size_t j = 0; j < bt->k.cap; j++) {
		uint32_t h = ktab_hash_at(&bt->k, j);
		if (!h)
			continue;
		struct store_key k;
		ktab_key_at(&bt->k, j, &k);
		struct counters left = agg_take(agg, &k, h, ktab_counters_at(&bt->k, j));
		sub_counters(&agg->other, &left);
	}
	struct counters o = bt->other;
	sub_counters(&agg->other, &o);
	/* The window's table of a dimension whose keys fell to under 3/8 of
	 * its slots (it grew while the window filled, or the traffic changed)
	 * gives the room back to the others: half full again. */
	if (agg->k.cap > KTAB_MIN * 4 && agg->k.n * 8 < agg->k.cap * 3) {
		size_t abefore = ktab_bytes(&agg->k), ncap = agg->k.n * 2;
		ktab_resize(&agg->k, ncap < KTAB_MIN ? KTAB_MIN : ncap);
		budget_change(s, NULL, abefore, ktab_bytes(&agg->k));
	}
	s->bkeys[d] -= bt->k.n;
	size_t before = ktab_bytes(&bt->k);
	/* A table that leaves the window keeps its memory for the bucket that
	 * takes its place (ktab_clear), unless it was sized while the window
	 * filled: the shares were larger then, and the sizes the dimensions
	 * reached then, first come first served, would stay with the slot; its
	 * tables start anew. */
	if (s->head < s->first_id + 2 * (uint64_t)s->nb)
		ktab_free(&bt->k);
	else
		ktab_clear(&bt->k);
	budget_change(s, b, before, ktab_bytes(&bt->k));
	memset(&bt->other, 0, sizeof bt->other);
	bt->evicted = 0;
}

static void raw_to_key(const struct rawkey *r, struct store_key *k)
{
	memcpy(k->addr, &r->a, 8);
	memcpy(k->addr + 8, &r->b, 8);
	k->num = r->num;
}

static void comb_flush_one(struct store *s, enum dim d, struct comb *e)
{
	struct bucket *b = e->tag >= 2 ? &s->b[e->tag - 2] : NULL;
	struct store_key k;
	raw_to_key(&e->k, &k);
	uint32_t h = ktab_hash(&k);
	table_add(s, d, NULL, &k, h, &e->c);
	if (b)
		table_add(s, d, b, &k, h, &e->c);
	e->tag = 0;
}

static void table_add(struct store *s, enum dim d, struct bucket *b, const struct store_key *k, uint32_t h,
		      const struct counters *c);

/* One flow's updates of the dimensions of many keys: the window's table
 * and, with a window, the flow's bucket's. */
static void many_apply(struct store *s, const struct store_key *k, const uint32_t *h, const struct counters *c,
		       struct bucket *b)
{
	for (unsigned i = 0; i < s->nmany; i++) {
		table_add(s, s->many[i], NULL, &k[i], h[i], c);
		if (b)
			table_add(s, s->many[i], b, &k[i], h[i], c);
	}
}

static void defer_apply(struct store *s, const struct deferred *q)
{
	many_apply(s, q->k, q->h, &q->c, q->b ? &s->b[q->b - 1] : NULL);
}

/* Applies the oldest waiting flow and frees its place. */
static void defer_pop(struct store *s)
{
	defer_apply(s, &s->defer[s->defer_head]);
	s->defer_head = (s->defer_head + 1) % DEFER;
	s->defer_n--;
}

static void defer_flush(struct store *s)
{
	while (s->defer_n)
		defer_pop(s);
}

static void ports_flush(struct store *s, enum dim d)
{
	struct ports *p = s->ports[d == DIM_DST_PORT];
	for (uint32_t i = 0; i < p->nused; i++) {
		struct portcell *e = &p->cell[p->used[i]];
		struct store_key k = { .num = p->used[i] };
		struct counters c = { e->bytes, e->packets, e->flows };
		table_add(s, d, NULL, &k, ktab_hash(&k), &c);
		memset(e, 0, sizeof *e);
	}
	p->nused = 0;
}

/* A flow that would take cell e's packets or flows past 32 bits: the
 * cell's sums go to the table and it starts again from this flow's (still
 * listed); a flow of more packets than a cell holds goes to the table
 * alone, the cell as it was. */
static __attribute__((noinline)) void port_spill(struct store *s, enum dim d, uint16_t port, struct portcell *e,
						 const struct counters *c)
{
	struct store_key k = { .num = port };
	uint32_t h = ktab_hash(&k);
	if (c->packets > UINT32_MAX) {
		table_add(s, d, NULL, &k, h, c);
		return;
	}
	struct counters sum = { e->bytes, e->packets, e->flows };
	table_add(s, d, NULL, &k, h, &sum);
	*e = (struct portcell){ c->bytes, (uint32_t)c->packets, 1 };
}

static inline void port_add(struct store *s, enum dim d, uint16_t port, const struct counters *c)
{
	struct ports *p = s->ports[d == DIM_DST_PORT];
	struct portcell *e = &p->cell[port];
	s->comb_pending |= 1u << d;
	/* (An unused cell passes only with a flow of over 32 bits of packets.) */
	if (__builtin_expect(c->packets > UINT32_MAX - e->packets || e->flows == UINT32_MAX, 0)) {
		port_spill(s, d, port, e, c);
		return;
	}
	if (!e->flows)
		p->used[p->nused++] = port;
	e->bytes += c->bytes;
	e->packets += (uint32_t)c->packets;
	e->flows++;
}

/* Adds what dimension d's cache holds to its tables. The cache is part of
 * what the store holds: readers flush it first and then see the same sums,
 * so a reader holding the store const may call this. */
static void comb_flush(const struct store *cs, enum dim d)
{
	struct store *s = (struct store *)cs;
	defer_flush(s);
	if (!(s->comb_pending & 1u << d))
		return;
	if (s->portmask & 1u << d) {
		ports_flush(s, d);
		s->comb_pending &= ~(1u << d);
		return;
	}
	for (int i = 0; i < COMB_SLOTS; i++)
		if (s->comb[d][i].tag)
			comb_flush_one(s, d, &s->comb[d][i]);
	s->comb_pending &= ~(1u << d);
}

static void comb_flush_all(struct store *s)
{
	defer_flush(s);
	for (int d = 0; s->comb_pending && d < DIM_COUNT; d++)
		comb_flush(s, (enum dim)d);
}

/* The address class in the first address byte, whatever the byte order. */
static inline uint64_t class_word(uint8_t cls)
{
	/* Arithmetic, not a byte array read back as a word: that read is not
	 * forwarded from the narrower stores that built the array and waits
	 * for them (perf: a tenth of add_local). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return cls;
#else
	return (uint64_t)cls << 56;
#endif
}

/* Key of a dimension of few keys (COMB_DIMS). AS 0 of a special address
 * keys as its class ("private" rather than AS0). */
static inline void few_key(const struct flow *f, enum dim d, struct rawkey *r)
{
	r->a = r->b = 0;
	r->num = 0;
	switch (d) {
	case DIM_DST_PORT: r->num = f->dport; break;
	case DIM_PROTO: r->num = f->proto; break;
	case DIM_SRC_AS:
		r->num = f->src_as;
		r->a = f->src_as ? 0 : class_word(f->src_class);
		break;
	case DIM_DST_AS:
		r->num = f->dst_as;
		r->a = f->dst_as ? 0 : class_word(f->dst_class);
		break;
	case DIM_SRC_COUNTRY:
		r->num = f->src_cc;
		r->a = class_word(f->src_class);
		break;
	case DIM_DST_COUNTRY:
		r->num = f->dst_cc;
		r->a = class_word(f->dst_class);
		break;
	case DIM_IN_IF: r->num = f->in_if; goto exporter;
	case DIM_OUT_IF: r->num = f->out_if; goto exporter;
	case DIM_EXPORTER:
	exporter:
		memcpy(&r->a, f->exporter.b, 8);
		memcpy(&r->b, f->exporter.b + 8, 8);
		break;
	default: break;
	}
}

static inline void combine(struct store *s, enum dim d, uint32_t tag, const struct rawkey *k,
			   const struct counters *c)
{
	/* The slot by a cheap mix: the table's hash is taken only when the
	 * entry goes to the table. */
	struct comb *e = &s->comb[d][(k->a ^ k->b ^ k->num) * 0x9e3779b97f4a7c15ULL >> 59];
	if (e->tag == tag && e->k.a == k->a && e->k.b == k->b && e->k.num == k->num) {
		add_counters(&e->c, c);
		return;
	}
	if (e->tag)
		comb_flush_one(s, d, e);
	e->k = *k;
	e->tag = tag;
	e->c = *c;
	s->comb_pending |= 1u << d;
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

static void prefix_of_key(const struct store *s, const struct store_key *k, struct store_key *pk)
{
	struct flow_addr a;
	memcpy(a.b, k->addr, 16);
	memset(pk, 0, sizeof *pk);
	prefix_key(&a, s->o.prefix4, s->o.prefix6, pk);
}

/* A derived prefix dimension as a table: what its addresses' table evicted
 * plus every address row summed by prefix, bounded like any table (by
 * --max-keys and the memory pool, evicting into its evicted share). Kept
 * until the next add (see comb_flush on const). */
static const struct table *view_of(const struct store *cs, enum dim d)
{
	struct store *s = (struct store *)cs;
	if (!(s->derived & 1u << d))
		return &s->agg[d];
	struct table *v = &s->view[d];
	if (s->view_ok & 1u << d)
		return v;
	const struct table *spill = &s->agg[d], *addr = &s->agg[parent_of(d)];
	table_free(v);
	v->other = spill->other;
	v->evicted = spill->evicted;
	for (size_t j = 0; j < spill->k.cap; j++) {
		uint32_t h = ktab_hash_at(&spill->k, j);
		if (!h)
			continue;
		struct store_key k;
		ktab_key_at(&spill->k, j, &k);
		table_put(s, d, NULL, v, &k, h, ktab_counters_at(&spill->k, j));
	}
	for (size_t j = 0; j < addr->k.cap; j++) {
		if (!ktab_hash_at(&addr->k, j))
			continue;
		struct store_key k, pk;
		ktab_key_at(&addr->k, j, &k);
		prefix_of_key(s, &k, &pk);
		table_put(s, d, NULL, v, &pk, ktab_hash(&pk), ktab_counters_at(&addr->k, j));
	}
	s->view_ok |= 1u << d;
	return v;
}

static void drop_views(struct store *s)
{
	for (int d = 0; d < DIM_COUNT; d++)
		if (s->view_ok & 1u << d) {
			budget_change(s, NULL, ktab_bytes(&s->view[d].k), 0);
			table_free(&s->view[d]);
		}
	s->view_ok = 0;
}

/* Key of a dimension of many keys (those of few keys go through few_key). */
static void key_of(const struct store *s, const struct flow *f, enum dim d, struct store_key *k)
{
	memset(k, 0, sizeof *k);
	switch (d) {
	case DIM_SRC_IP: memcpy(k->addr, f->src.b, 16); break;
	case DIM_DST_IP: memcpy(k->addr, f->dst.b, 16); break;
	case DIM_SRC_PORT: k->num = f->sport; break;
	case DIM_SRC_PREFIX: prefix_key(&f->src, s->o.prefix4, s->o.prefix6, k); break;
	case DIM_DST_PREFIX: prefix_key(&f->dst, s->o.prefix4, s->o.prefix6, k); break;
	default: break;
	}
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
	s->nused--;
}

void store_advance(struct store *s, uint64_t t_ms)
{
	if (s->pipe) {
		struct flowpipe_msg m = { .kind = FLOWPIPE_ADVANCE };
		memcpy(m.data, &t_ms, sizeof t_ms);
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
		s->head = s->first_id = id;
		return;
	}
	if (id <= s->head)
		return;
	comb_flush_all(s);
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
		if (f->recv_ms < s->out_ctx.base_ms || f->recv_ms - s->out_ctx.base_ms > UINT32_MAX ||
		    memcmp(&f->exporter, &s->out_ctx.exporter, sizeof f->exporter)) {
			struct flowpipe_msg c = { .kind = FLOWPIPE_CONTEXT };
			s->out_ctx = (struct wctx){ f->exporter, f->recv_ms };
			memcpy(c.data, &s->out_ctx, sizeof s->out_ctx);
			flowpipe_push_stream(s->pipe, &c);
		}
		struct flowpipe_msg m;
		struct wflow w = {
			f->dst, f->bytes, f->packets, f->in_if, f->out_if, f->src_as, f->dst_as,
			(uint32_t)(f->recv_ms - s->out_ctx.base_ms), f->sport, f->dport, f->src_cc, f->dst_cc,
			f->src_class, f->dst_class, f->proto,
		};
		m.kind = FLOWPIPE_FLOW;
		memcpy(m.data, &w, sizeof w);
		flowpipe_push_stream(s->pipe, &m);
	}
	add_local(s, f);
}

static void add_local(struct store *s, const struct flow *f)
{
	if (s->view_ok)
		drop_views(s);
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
		if (atomic_load_explicit(&s->bud->want_back[s->half], memory_order_relaxed))
			give_back(s);
		b = &s->b[id % s->nb];
		if (!b->used) {
			b->used = true;
			b->id = id;
			s->nused++;
		}
		add_counters(&b->total, &c);
	}
	if (!s->first_ms || t < s->first_ms)
		s->first_ms = t;
	if (t > s->last_ms)
		s->last_ms = t;
	add_counters(&s->total, &c);
	/* Keys and hashes first, and the slots of the dimensions of many keys
	 * asked for, so their cache misses overlap instead of coming one after
	 * another; the dimensions of few keys are summed meanwhile. */
	struct store_key kl[MANY_MAX];
	uint32_t hl[MANY_MAX];
	struct store_key *k = kl;
	uint32_t *h = hl;
	struct deferred *q = NULL;
	if (!s->peer_of && s->nmany) {
		if (s->defer_n == DEFER)
			defer_pop(s);
		q = &s->defer[(s->defer_head + s->defer_n++) % DEFER];
		q->c = c;
		q->b = b ? (uint32_t)(b - s->b) + 1 : 0;
		k = q->k;
		h = q->h;
	}
	for (unsigned i = 0; i < s->nmany; i++) {
		enum dim d = s->many[i];
		key_of(s, f, d, &k[i]);
		h[i] = ktab_hash(&k[i]);
		if (s->peer_of && (d == DIM_DST_IP || d == DIM_DST_PREFIX))
			continue;	/* the look-ahead asked for these (peer_ahead) */
		ktab_prefetch(&s->agg[d].k, h[i]);
		if (b)
			ktab_prefetch(&b->t[d].k, h[i]);
	}
	uint32_t tag = b ? (uint32_t)(b - s->b) + 2 : 1;
	/* Spelled out per dimension, so each key's build and slot fold to a
	 * few instructions. */
	if (s->nfew) {
#define FEW(d)                                   \
	do {                                     \
		struct rawkey r;                 \
		few_key(f, d, &r);               \
		combine(s, d, tag, &r, &c);      \
	} while (0)
		FEW(DIM_PROTO);
		FEW(DIM_SRC_AS);
		FEW(DIM_DST_AS);
		FEW(DIM_EXPORTER);
		FEW(DIM_IN_IF);
		FEW(DIM_OUT_IF);
		FEW(DIM_SRC_COUNTRY);
		FEW(DIM_DST_COUNTRY);
#undef FEW
	}
	if (s->portmask & 1u << DIM_SRC_PORT)
		port_add(s, DIM_SRC_PORT, f->sport, &c);
	if (s->portmask & 1u << DIM_DST_PORT) {
		port_add(s, DIM_DST_PORT, f->dport, &c);
	} else if (s->mask & 1u << DIM_DST_PORT) {
		struct rawkey r;	/* with a window: summed as the dimensions of few keys */
		few_key(f, DIM_DST_PORT, &r);
		combine(s, DIM_DST_PORT, tag, &r, &c);
	}
	if (!q)
		many_apply(s, k, h, &c, b);
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

/* The table dimension d's rows are read from, with every pending share in it. */
static const struct ktab *ready_table(const struct store *s, enum dim d)
{
	comb_flush(s, d);
	return &view_of(s, d)->k;
}

/* The best n rows among slots [lo, hi) of t, as a heap in out (unsorted);
 * returns how many. */
static size_t heap_range(const struct ktab *t, size_t lo, size_t hi, int order, struct store_row *out, size_t n)
{
	size_t k = 0;
	bool invert = order & SORT_INVERT;
	if (n == 0 || !t->slot)
		return 0;
	/* The heap's root is the worst of the kept rows, so a better row
	 * replaces it. Once the heap is full most slots lose to the root on
	 * the metric alone, empty ones as well (their counters are zero),
	 * which is therefore asked first: whether a slot is empty is a branch
	 * no CPU predicts, whether it loses mostly is. */
	uint64_t worst = 0;
	const size_t esz = t->esz, hoff = ktab_hoff(t), coff = ktab_coff(t);
	const unsigned char *e = t->slot + lo * esz;
	for (size_t j = lo; j < hi; j++, e += esz) {
		const struct counters *c = (const struct counters *)(const void *)(e + coff);
		if (k == n) {
			uint64_t m = metric(c, order);
			if (invert ? m > worst : m < worst)
				continue;
		}
		uint32_t h;
		memcpy(&h, e + hoff, 4);
		if (!h)
			continue;
		struct store_row r = { .c = *c };
		ktab_key_at(t, j, &r.key);
		if (k < n) {
			out[k] = r;
			heap_up(out, k++, order);
		} else if (row_before(&r, &out[0], order)) {
			out[0] = r;
			heap_down(out, k, 0, order);
		} else {
			continue;
		}
		if (k == n)
			worst = metric(&out[0].c, order);
	}
	return k;
}

/* Heap-sort in place: repeatedly move the worst to the end. */
static void heap_sort(struct store_row *h, size_t k, int order)
{
	for (size_t m = k; m > 1; m--) {
		struct store_row tmp = h[0];
		h[0] = h[m - 1];
		h[m - 1] = tmp;
		heap_down(h, m - 1, 0, order);
	}
}

static size_t top_local(const struct store *s, enum dim d, enum sort_by by, bool invert, struct store_row *out,
			size_t n)
{
	int order = (int)by | (invert ? SORT_INVERT : 0);
	if (n == 0 || d >= DIM_COUNT)
		return 0;
	const struct ktab *t = ready_table(s, d);
	size_t k = heap_range(t, 0, t->cap, order, out, n);
	heap_sort(out, k, order);
	return k;
}

size_t store_top(const struct store *s, enum dim d, enum sort_by by, bool invert, struct store_row *out,
		 size_t n)
{
	if (d >= DIM_COUNT)
		return 0;
	return top_local(owner(s, d), d, by, invert, out, n);
}

/* store_top_all with split: each thread reads its own dimensions, and the
 * one with fewer slots to read takes the far end of the other's tables
 * too, so both finish together. The worker's tables hold still from the
 * moment it says they are ready until its call returns, and the decoding
 * thread pushes nothing meanwhile. */
struct top_req {
	const struct store *s;		/* the worker's half */
	int order;
	size_t n;
	size_t front_slots;		/* what the decoding thread reads of its own */
	struct store_row *const *out;
	size_t *cnt;
	const struct ktab *t[DIM_COUNT];
	size_t cut[DIM_COUNT];		/* the worker reads [0, cut), the other [cut, cap) */
	atomic_bool ready;
};

static void top_worker(void *arg)
{
	struct top_req *r = arg;
	const struct store *s = r->s;
	size_t slots = 0;
	for (int d = 0; d < DIM_COUNT; d++)
		if (s->mask & 1u << d) {
			r->t[d] = ready_table(s, (enum dim)d);
			slots += r->t[d]->cap;
		}
	/* The share of every table that evens out the two threads' reads. */
	double give = slots > r->front_slots ? (double)(slots - r->front_slots) / 2 / (double)slots : 0;
	for (int d = 0; d < DIM_COUNT; d++)
		if (s->mask & 1u << d)
			r->cut[d] = r->t[d]->cap - (size_t)((double)r->t[d]->cap * give);
	atomic_store_explicit(&r->ready, true, memory_order_release);
	for (int d = 0; d < DIM_COUNT; d++)
		if (s->mask & 1u << d) {
			r->cnt[d] = heap_range(r->t[d], 0, r->cut[d], r->order, r->out[d], r->n);
			heap_sort(r->out[d], r->cnt[d], r->order);
		}
}

/* The best n of two sorted lists: a[0..*na) and b[0..nb), into a. */
static void merge_rows(struct store_row *a, size_t *na, const struct store_row *b, size_t nb, size_t n, int order)
{
	if (nb == 0)
		return;
	struct store_row *m = xmalloc(n * sizeof *m);
	size_t i = 0, j = 0, k = 0;
	while (k < n && (i < *na || j < nb)) {
		if (j == nb || (i < *na && row_before(&a[i], &b[j], order)))
			m[k++] = a[i++];
		else
			m[k++] = b[j++];
	}
	memcpy(a, m, k * sizeof *m);
	*na = k;
	free(m);
}

void store_top_all(const struct store *s, enum sort_by by, bool invert, struct store_row *const out[DIM_COUNT],
		   size_t n, size_t cnt[DIM_COUNT])
{
	int order = (int)by | (invert ? SORT_INVERT : 0);
	if (!s->peer || n == 0) {
		for (int d = 0; d < DIM_COUNT; d++)
			cnt[d] = top_local(s, (enum dim)d, by, invert, out[d], n);
		return;
	}
	const struct ktab *mine[DIM_COUNT] = { NULL };
	struct top_req r = { .s = s->peer, .order = order, .n = n, .out = out, .cnt = cnt };
	atomic_init(&r.ready, false);
	for (int d = 0; d < DIM_COUNT; d++)
		if (s->mask & 1u << d) {
			mine[d] = ready_table(s, (enum dim)d);
			r.front_slots += mine[d]->cap;
		}
	/* The worker selects its dimensions after the flows before this. */
	flowpipe_call(s->pipe, top_worker, &r);
	flowpipe_publish(s->pipe);
	for (int d = 0; d < DIM_COUNT; d++)
		if (mine[d]) {
			cnt[d] = heap_range(mine[d], 0, mine[d]->cap, order, out[d], n);
			heap_sort(out[d], cnt[d], order);
		}
	flowpipe_await(&r.ready);
	struct store_row *far[DIM_COUNT] = { NULL };
	size_t nfar[DIM_COUNT] = { 0 };
	for (int d = 0; d < DIM_COUNT; d++)
		if (r.t[d] && r.cut[d] < r.t[d]->cap) {
			far[d] = xmalloc(n * sizeof *far[d]);
			nfar[d] = heap_range(r.t[d], r.cut[d], r.t[d]->cap, order, far[d], n);
			heap_sort(far[d], nfar[d], order);
		}
	flowpipe_sync(s->pipe);
	for (int d = 0; d < DIM_COUNT; d++)
		if (far[d]) {
			merge_rows(out[d], &cnt[d], far[d], nfar[d], n, order);
			free(far[d]);
		}
}

void store_totals(const struct store *s, struct counters *c)
{
	*c = s->total;
}

void store_dim_info(const struct store *s, enum dim d, struct store_dim_info *info)
{
	s = owner(s, d);
	comb_flush(s, d);
	const struct table *t = view_of(s, d);
	info->keys = t->k.n;
	info->evicted = t->evicted + s->bevicted[d];
	info->other = t->other;
	info->bucket_keys = s->bkeys[d];
	info->bytes = ktab_bytes(&s->agg[d].k) + (t != &s->agg[d] ? ktab_bytes(&t->k) : 0);
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
