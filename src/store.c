#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Keys are 20 fixed bytes: a multiply-xor mix over them costs a fraction of
 * uthash's default byte-at-a-time Jenkins hash. */
static inline unsigned store_hash(const void *k)
{
	uint64_t a, b;
	uint32_t c;
	memcpy(&a, k, 8);
	memcpy(&b, (const char *)k + 8, 8);
	memcpy(&c, (const char *)k + 16, 4);
	uint64_t h = (a ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
	h ^= (b + (h >> 29)) * 0x94d049bb133111ebULL;
	h ^= (c + (h >> 31)) * 0x9e3779b97f4a7c15ULL;
	return (unsigned)(h ^ h >> 32);
}
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = store_hash(keyptr))
#include <uthash.h>

#include "store.h"
#include "window.h"
#include "xmem.h"

struct entry {
	UT_hash_handle hh;
	struct store_key key;
	struct counters c;
};

struct table {
	struct entry *head;
	size_t n;
	uint64_t evicted;
	struct counters other;		/* evicted keys' share, kept so totals never lie */
};

struct bucket {
	bool used;
	uint64_t id;			/* time / width */
	struct counters total;
	struct table t[DIM_COUNT];
};

/* Entries come from slabs and go back to a free list: no malloc per key. */
#define SLAB_ENTRIES 4096

struct slab {
	struct slab *next;
	struct entry e[SLAB_ENTRIES];
};

struct store {
	struct store_opts o;
	struct slab *slabs;
	struct entry *free_list;	/* linked through hh.next */
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
	return s;
}

static struct entry *entry_new(struct store *s)
{
	if (!s->free_list) {
		struct slab *sl = xmalloc(sizeof *sl);
		sl->next = s->slabs;
		s->slabs = sl;
		for (size_t i = 0; i < SLAB_ENTRIES; i++) {
			sl->e[i].hh.next = s->free_list;
			s->free_list = &sl->e[i];
		}
	}
	struct entry *e = s->free_list;
	s->free_list = e->hh.next;
	memset(e, 0, sizeof *e);
	return e;
}

static void entry_free(struct store *s, struct entry *e)
{
	e->hh.next = s->free_list;
	s->free_list = e;
}

static void table_clear(struct store *s, struct table *t)
{
	struct entry *e, *tmp;
	HASH_ITER(hh, t->head, e, tmp) {
		HASH_DEL(t->head, e);
		entry_free(s, e);
	}
	memset(t, 0, sizeof *t);
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (int d = 0; d < DIM_COUNT; d++)
		table_clear(s, &s->agg[d]);
	for (uint32_t i = 0; s->b && i < s->nb; i++)
		for (int d = 0; d < DIM_COUNT; d++)
			table_clear(s, &s->b[i].t[d]);
	while (s->slabs) {
		struct slab *sl = s->slabs;
		s->slabs = sl->next;
		free(sl);
	}
	free(s->b);
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Evicts the smallest tenth of the table by bytes into 'other'. Sorting a copy
 * of the byte counts is O(n log n) once every n/10 new keys. */
static void table_evict(struct store *s, struct table *t)
{
	size_t n = t->n, want = n / 10 ? n / 10 : 1, i = 0;
	uint64_t *v = xmalloc(n * sizeof *v);
	struct entry *e, *tmp;
	HASH_ITER(hh, t->head, e, tmp)
		v[i++] = e->c.bytes;
	qsort(v, n, sizeof *v, cmp_u64);
	uint64_t thr = v[want - 1];
	free(v);
	size_t removed = 0;
	HASH_ITER(hh, t->head, e, tmp) {
		if (removed >= want)
			break;
		if (e->c.bytes <= thr) {
			add_counters(&t->other, &e->c);
			HASH_DEL(t->head, e);
			entry_free(s, e);
			removed++;
		}
	}
	t->n -= removed;
	t->evicted += removed;
}

static void table_add(struct store *s, struct table *t, const struct store_key *k, const struct counters *c)
{
	struct entry *e;
	HASH_FIND(hh, t->head, k, sizeof *k, e);
	if (!e) {
		if (t->n >= s->o.max_keys)
			table_evict(s, t);
		e = entry_new(s);
		e->key = *k;
		HASH_ADD(hh, t->head, key, sizeof e->key, e);
		t->n++;
	}
	add_counters(&e->c, c);
}

/* Takes a bucket's table out of the aggregate. */
static void table_sub(struct store *s, struct table *agg, struct table *bt)
{
	struct entry *e, *tmp, *a;
	HASH_ITER(hh, bt->head, e, tmp) {
		HASH_FIND(hh, agg->head, &e->key, sizeof e->key, a);
		struct counters left = e->c;
		if (a) {
			sub_counters(&a->c, &left);
			if (a->c.flows == 0 && a->c.bytes == 0 && a->c.packets == 0) {
				HASH_DEL(agg->head, a);
				entry_free(s, a);
				agg->n--;
			}
		}
		sub_counters(&agg->other, &left);
	}
	struct counters o = bt->other;
	sub_counters(&agg->other, &o);
	table_clear(s, bt);
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

static void make_key(const struct store *s, const struct flow *f, enum dim d, struct store_key *k)
{
	memset(k, 0, sizeof *k);
	switch (d) {
	case DIM_SRC_IP: memcpy(k->addr, f->src.b, 16); break;
	case DIM_DST_IP: memcpy(k->addr, f->dst.b, 16); break;
	case DIM_SRC_PORT: k->num = f->sport; break;
	case DIM_DST_PORT: k->num = f->dport; break;
	case DIM_PROTO: k->num = f->proto; break;
	case DIM_SRC_AS:
		k->num = f->src_as;
		if (!k->num)
			k->addr[0] = f->src_class;	/* "private" rather than AS0 */
		break;
	case DIM_DST_AS:
		k->num = f->dst_as;
		if (!k->num)
			k->addr[0] = f->dst_class;
		break;
	case DIM_SRC_COUNTRY: k->num = f->src_cc; k->addr[0] = f->src_class; break;
	case DIM_DST_COUNTRY: k->num = f->dst_cc; k->addr[0] = f->dst_class; break;
	case DIM_SRC_PREFIX: prefix_key(&f->src, s->o.prefix4, s->o.prefix6, k); break;
	case DIM_DST_PREFIX: prefix_key(&f->dst, s->o.prefix4, s->o.prefix6, k); break;
	case DIM_EXPORTER: memcpy(k->addr, f->exporter.b, 16); break;
	case DIM_IN_IF: memcpy(k->addr, f->exporter.b, 16); k->num = f->in_if; break;
	case DIM_OUT_IF: memcpy(k->addr, f->exporter.b, 16); k->num = f->out_if; break;
	case DIM_COUNT: break;
	}
}

static void expire_bucket(struct store *s, struct bucket *b)
{
	if (!b->used)
		return;
	for (int d = 0; d < DIM_COUNT; d++)
		table_sub(s, &s->agg[d], &b->t[d]);
	struct counters t = b->total;
	sub_counters(&s->total, &t);
	memset(&b->total, 0, sizeof b->total);
	b->used = false;
}

void store_advance(struct store *s, uint64_t t_ms)
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
	struct counters c = { f->bytes, f->packets, 1 };
	uint64_t t = f->recv_ms;
	struct bucket *b = NULL;
	if (s->b) {
		store_advance(s, t);
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
	for (int d = 0; d < DIM_COUNT; d++) {
		struct store_key k;
		make_key(s, f, (enum dim)d, &k);
		table_add(s, &s->agg[d], &k, &c);
		if (b)
			table_add(s, &b->t[d], &k, &c);
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

size_t store_top(const struct store *s, enum dim d, enum sort_by by, bool invert, struct store_row *out,
		 size_t n)
{
	int order = (int)by | (invert ? SORT_INVERT : 0);
	size_t k = 0;
	const struct entry *e;
	if (n == 0 || d >= DIM_COUNT)
		return 0;
	/* The heap's root is the worst of the kept rows, so a better row replaces it. */
	for (e = s->agg[d].head; e; e = e->hh.next) {
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
		struct store_row t = out[0];
		out[0] = out[m - 1];
		out[m - 1] = t;
		heap_down(out, m - 1, 0, order);
	}
	return k;
}

void store_totals(const struct store *s, struct counters *c)
{
	*c = s->total;
}

void store_dim_info(const struct store *s, enum dim d, struct store_dim_info *info)
{
	info->keys = s->agg[d].n;
	info->evicted = s->agg[d].evicted;
	info->other = s->agg[d].other;
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
