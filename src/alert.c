/* alert: per-tick baselines and alert events.
 *
 * Per watched dimension there are two fixed tables of opts.keys entries:
 *  - tracked: keys with a baseline (EWMA mean and variance of bits/s per tick);
 *  - sketch: this tick's untracked keys, Filtered Space-Saving over bytes: a
 *    min-heap picks the entry to replace, and in front of it a small array
 *    of counters indexed by hash holds what keys not in the sketch sent.
 *    Such a key enters the sketch only when its cell's sum would pass the
 *    sketch's smallest entry, so most flows of the many small keys cost one
 *    add to a counter already in the cache; every key that sent more than
 *    the smallest entry is in the sketch.
 * A flow costs one hash probe per dimension, then a counter add (tracked or
 * filtered) or a heap step (sketch). Closing a tick evaluates the total and
 * every tracked key, tests thresholds, evicts idle keys and promotes the
 * biggest sketch keys: O(dims * keys log keys), whatever the traffic. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "err.h"
#include "xmem.h"

#define NW 4			/* watched dimensions */
#define QUEUE_MAX 1024
#define HIST_MAX 256
#define THR_MAX 32
#define IDLE_TICKS 300		/* a tracked key silent this long leaves */
#define GAP_MAX 3600		/* empty ticks evaluated before jumping */
#define RELEARN_TICKS 600	/* a spike this long is the new normal */
#define SIGMA_FLOOR 0.05	/* sigma is at least this share of the mean */
#define FILTER_MAX (1u << 16)	/* cells of a sketch's filter, at most */

static const enum dim watched[NW] = { DIM_SRC_IP, DIM_DST_IP, DIM_DST_PORT, DIM_PROTO };

enum { M_BPS, M_PPS, M_FPS };
static const char *const metric_names[] = { "bps", "pps", "fps" };

/* One time series' state; thresholds reuse it without the mean. */
struct series {
	double mean, var;
	uint32_t age;		/* ticks learned */
	uint32_t over, under;	/* consecutive ticks over start / under end */
	uint64_t run_ms;	/* start of the current over (or, while active, under) run */
	int32_t act;		/* index in a->act, or -1 */
};

struct slot {
	struct store_key key;
	struct counters c;	/* this tick */
	struct series s;
	uint64_t last_tick;	/* last tick with traffic */
	int32_t next;		/* hash chain */
	bool used;
};

struct cand {
	struct store_key key;
	struct counters c, err;	/* Space-Saving count and overestimate */
	int32_t next;
	uint32_t hpos;
};

struct dimtab {
	struct slot *slot;
	int32_t *sbucket, *sfree;
	size_t nslot, nfree;
	struct cand *cand;
	int32_t *cbucket, *heap;
	size_t ncand;
	/* The filter: each cell holds at least what any key hashing there that
	 * is not in the sketch sent this tick (counts, and sketch entries
	 * replaced), and at most the smallest sketch entry's bytes. */
	struct counters *filt;
	uint32_t fmask;
	uint32_t mask;
	uint64_t evicted;
	int32_t *ord, *ord2;	/* per-tick scratch */
	double *score;
};

struct thr {
	int w;			/* index in watched[], or -1 for the total */
	bool has_net, has_num;
	struct flow_addr net;
	unsigned bits;
	uint32_t num;
	int metric;
	double value;
};

struct thr_state {
	bool used, seen;
	int thr;
	struct store_key key;
	struct series s;
};

struct alert {
	struct alert_opts o;
	bool started;
	uint64_t cur, first;	/* open tick, tick of the first flow */
	struct counters tot;
	struct series total;
	struct dimtab t[NW];
	struct thr thr[THR_MAX];
	size_t nthr;
	struct thr_state *ts;
	size_t nts;
	struct alert_event *act;
	bool *act_used;
	size_t nact;
	struct alert_event q[QUEUE_MAX];
	size_t qhead, qn;
	uint64_t qdropped;
	struct alert_event hist[HIST_MAX];
	size_t hhead, hn;
	uint64_t next_id;
};

void alert_opts_default(struct alert_opts *o)
{
	o->k = 4;
	o->k_end = 2;
	o->min_bps = 1000000;
	o->start_ticks = 2;
	o->end_ticks = 3;
	o->warmup = 30;
	o->alpha = 0.1;
	o->new_share = 0.3;
	o->keys = 64;
}

static void dimtab_init(struct dimtab *t, size_t keys)
{
	/* Sixteen hash buckets per key: most flows are of keys neither tracked
	 * nor in the sketch, and then find their buckets empty, a branch that
	 * predicts well (with two per key, a third of the buckets held a chain
	 * and walking them was most of the detector's time). */
	size_t nb = 16;
	while (nb < 16 * keys)
		nb *= 2;
	t->mask = (uint32_t)(nb - 1);
	t->slot = xcalloc(keys, sizeof *t->slot);
	t->sbucket = xmalloc(nb * sizeof *t->sbucket);
	t->sfree = xmalloc(keys * sizeof *t->sfree);
	t->cand = xcalloc(keys, sizeof *t->cand);
	t->cbucket = xmalloc(nb * sizeof *t->cbucket);
	t->heap = xmalloc(keys * sizeof *t->heap);
	t->ord = xmalloc(keys * sizeof *t->ord);
	t->ord2 = xmalloc(keys * sizeof *t->ord2);
	t->score = xmalloc(keys * sizeof *t->score);
	size_t nf = 64;			/* eight per key */
	while (nf < 8 * keys && nf < FILTER_MAX)
		nf *= 2;
	t->filt = xcalloc(nf, sizeof *t->filt);
	t->fmask = (uint32_t)(nf - 1);
	memset(t->sbucket, 0xff, nb * sizeof *t->sbucket);
	memset(t->cbucket, 0xff, nb * sizeof *t->cbucket);
	for (size_t i = 0; i < keys; i++)
		t->sfree[i] = (int32_t)(keys - 1 - i);
	t->nfree = keys;
}

struct alert *alert_new(const struct alert_opts *o)
{
	struct alert *a = xcalloc(1, sizeof *a);
	if (o)
		a->o = *o;
	else
		alert_opts_default(&a->o);
	if (a->o.keys == 0 || a->o.keys > (1u << 20))
		a->o.keys = a->o.keys ? 1u << 20 : 64;
	if (!(a->o.alpha > 0 && a->o.alpha <= 1))
		a->o.alpha = 0.1;
	if (a->o.start_ticks == 0)
		a->o.start_ticks = 1;
	if (a->o.end_ticks == 0)
		a->o.end_ticks = 1;
	for (int w = 0; w < NW; w++)
		dimtab_init(&a->t[w], a->o.keys);
	a->nts = 2 * a->o.keys;
	a->ts = xcalloc(a->nts, sizeof *a->ts);
	a->nact = 1 + NW * a->o.keys + a->nts;
	a->act = xcalloc(a->nact, sizeof *a->act);
	a->act_used = xcalloc(a->nact, sizeof *a->act_used);
	a->total.act = -1;
	return a;
}

void alert_free(struct alert *a)
{
	if (!a)
		return;
	for (int w = 0; w < NW; w++) {
		struct dimtab *t = &a->t[w];
		free(t->slot);
		free(t->sbucket);
		free(t->sfree);
		free(t->cand);
		free(t->filt);
		free(t->cbucket);
		free(t->heap);
		free(t->ord);
		free(t->ord2);
		free(t->score);
	}
	free(a->ts);
	free(a->act);
	free(a->act_used);
	free(a);
}

/* Keys built exactly as the store builds them, so callers render them alike. */
static inline void key_of(int w, const struct flow *f, struct store_key *k)
{
	memset(k, 0, sizeof *k);
	switch (watched[w]) {
	case DIM_SRC_IP: memcpy(k->addr, f->src.b, 16); break;
	case DIM_DST_IP: memcpy(k->addr, f->dst.b, 16); break;
	case DIM_DST_PORT: k->num = f->dport; break;
	default: k->num = f->proto; break;
	}
}

static uint32_t key_hash(const struct store_key *k)
{
	uint64_t x, y;
	memcpy(&x, k->addr, 8);
	memcpy(&y, k->addr + 8, 8);
	uint64_t h = (x ^ (y * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)k->num << 21)) * 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)h;
}

static void add_counters(struct counters *to, const struct counters *c)
{
	to->bytes += c->bytes;
	to->packets += c->packets;
	to->flows += c->flows;
}

/* ---- tracked keys ---- */

static inline int32_t slot_find(const struct dimtab *t, const struct store_key *k, uint32_t h)
{
	for (int32_t i = t->sbucket[h & t->mask]; i >= 0; i = t->slot[i].next)
		if (!memcmp(&t->slot[i].key, k, sizeof *k))
			return i;
	return -1;
}

static void slot_remove(struct dimtab *t, int32_t i)
{
	int32_t *p = &t->sbucket[key_hash(&t->slot[i].key) & t->mask];
	while (*p != i)
		p = &t->slot[*p].next;
	*p = t->slot[i].next;
	t->slot[i].used = false;
	t->sfree[t->nfree++] = i;
	t->nslot--;
}

static int32_t slot_insert(struct dimtab *t, const struct store_key *k)
{
	if (!t->nfree)
		return -1;
	int32_t i = t->sfree[--t->nfree];
	struct slot *s = &t->slot[i];
	memset(s, 0, sizeof *s);
	s->key = *k;
	s->used = true;
	s->s.act = -1;
	uint32_t b = key_hash(k) & t->mask;
	s->next = t->sbucket[b];
	t->sbucket[b] = i;
	t->nslot++;
	return i;
}

/* ---- this tick's sketch of untracked keys (Space-Saving) ---- */

static void heap_swap(struct dimtab *t, uint32_t i, uint32_t j)
{
	int32_t x = t->heap[i];
	t->heap[i] = t->heap[j];
	t->heap[j] = x;
	t->cand[t->heap[i]].hpos = i;
	t->cand[t->heap[j]].hpos = j;
}

static uint64_t hb(const struct dimtab *t, uint32_t i)
{
	return t->cand[t->heap[i]].c.bytes;
}

static void heap_fix(struct dimtab *t, uint32_t i)
{
	while (i > 0 && hb(t, (i - 1) / 2) > hb(t, i)) {
		heap_swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->ncand && hb(t, l) < hb(t, m))
			m = l;
		if (r < t->ncand && hb(t, r) < hb(t, m))
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static uint32_t filt_cell(const struct dimtab *t, uint32_t h)
{
	return (h >> 16 ^ h * 0x9e3779b1u >> 16) & t->fmask;
}

static void max_counters(struct counters *a, const struct counters *b)
{
	a->bytes = a->bytes > b->bytes ? a->bytes : b->bytes;
	a->packets = a->packets > b->packets ? a->packets : b->packets;
	a->flows = a->flows > b->flows ? a->flows : b->flows;
}

static void cand_add(struct dimtab *t, size_t cap, const struct store_key *k, uint32_t h, const struct counters *c)
{
	int32_t i = t->cbucket[h & t->mask];
	while (i >= 0 && memcmp(&t->cand[i].key, k, sizeof *k))
		i = t->cand[i].next;
	if (i < 0) {
		struct counters *f = &t->filt[filt_cell(t, h)];
		if (t->ncand < cap) {
			i = (int32_t)t->ncand;
			memset(&t->cand[i], 0, sizeof t->cand[i]);
			t->cand[i].hpos = (uint32_t)t->ncand;
			t->heap[t->ncand++] = i;
		} else {
			if (f->bytes + c->bytes <= hb(t, 0)) {
				add_counters(f, c);	/* stays out: counted in its cell */
				return;
			}
			/* Replaces the smallest, which leaves its count in its cell. */
			i = t->heap[0];
			struct cand *m = &t->cand[i];
			uint32_t mh = key_hash(&m->key);
			int32_t *p = &t->cbucket[mh & t->mask];
			while (*p != i)
				p = &t->cand[*p].next;
			*p = m->next;
			max_counters(&t->filt[filt_cell(t, mh)], &m->c);
		}
		/* What the key may have sent before is at most its cell's sum. */
		t->cand[i].c = *f;
		t->cand[i].err = *f;
		t->cand[i].key = *k;
		t->cand[i].next = t->cbucket[h & t->mask];
		t->cbucket[h & t->mask] = i;
	}
	add_counters(&t->cand[i].c, c);
	heap_fix(t, t->cand[i].hpos);
}

static void cand_clear(struct dimtab *t)
{
	for (size_t i = 0; i < t->ncand; i++)
		t->cbucket[key_hash(&t->cand[i].key) & t->mask] = -1;
	t->ncand = 0;
	memset(t->filt, 0, ((size_t)t->fmask + 1) * sizeof *t->filt);
}

/* What a sketch entry surely holds. */
static struct counters cand_low(const struct cand *c)
{
	struct counters r = { c->c.bytes - c->err.bytes, c->c.packets - c->err.packets, c->c.flows - c->err.flows };
	return r;
}

/* ---- events ---- */

static void emit(struct alert *a, const struct alert_event *e)
{
	if (a->qn == QUEUE_MAX) {
		a->qhead = (a->qhead + 1) % QUEUE_MAX;
		a->qn--;
		a->qdropped++;
	}
	a->q[(a->qhead + a->qn++) % QUEUE_MAX] = *e;
	a->hhead = (a->hhead + HIST_MAX - 1) % HIST_MAX;
	a->hist[a->hhead] = *e;
	if (a->hn < HIST_MAX)
		a->hn++;
}

static void start_alert(struct alert *a, struct series *s, enum alert_kind kind, int w, const struct store_key *k,
			int metric, double x, double base, uint64_t start_ms)
{
	size_t i = 0;
	while (i < a->nact && a->act_used[i])
		i++;
	if (i == a->nact)
		return;	/* cannot happen: one place per series and threshold state */
	struct alert_event *e = &a->act[i];
	memset(e, 0, sizeof *e);
	e->id = ++a->next_id;
	e->kind = kind;
	e->dim = w < 0 ? -1 : (int)watched[w];
	if (k)
		e->key = *k;
	snprintf(e->metric, sizeof e->metric, "%s", metric_names[metric]);
	e->observed = x;
	e->baseline = base;
	e->factor = base > 0 ? x / base : 0;
	e->start_ms = start_ms;
	a->act_used[i] = true;
	s->act = (int32_t)i;
	s->over = s->under = 0;
	emit(a, e);
}

static void end_alert(struct alert *a, struct series *s, uint64_t end_ms)
{
	struct alert_event *e = &a->act[s->act];
	e->end = true;
	e->end_ms = end_ms;
	e->factor = e->baseline > 0 ? e->observed / e->baseline : 0;
	emit(a, e);
	a->act_used[s->act] = false;
	s->act = -1;
	s->over = s->under = 0;
}

static void peak(struct alert *a, const struct series *s, double x)
{
	struct alert_event *e = &a->act[s->act];
	if (x > e->observed)
		e->observed = x;
	e->factor = e->baseline > 0 ? e->observed / e->baseline : 0;
}

/* Counts a tick under the end condition; ends after end_ticks of them. */
static void under(struct alert *a, struct series *s, bool is_under, uint64_t t0)
{
	if (!is_under) {
		s->under = 0;
		return;
	}
	if (s->under++ == 0)
		s->run_ms = t0;
	if (s->under >= a->o.end_ticks)
		end_alert(a, s, s->run_ms);
}

/* ---- baselines ---- */

static void learn(struct series *s, double x, double alpha)
{
	if (s->age == 0) {
		s->mean = x;
		s->var = 0;
	} else {
		double d = x - s->mean, inc = alpha * d;
		s->mean += inc;
		s->var = (1 - alpha) * (s->var + d * inc);
	}
	if (s->age < UINT32_MAX)
		s->age++;
}

/* One tick of one series: x in bits/s, share of the tick's bytes. */
static void eval_series(struct alert *a, struct series *s, int w, const struct store_key *k, double x, double share,
			uint64_t t0)
{
	const struct alert_opts *o = &a->o;
	double sd = sqrt(s->var);
	if (sd < SIGMA_FLOOR * s->mean)
		sd = SIGMA_FLOOR * s->mean;
	if (s->act >= 0) {
		struct alert_event *e = &a->act[s->act];
		peak(a, s, x);
		if (e->kind == ALERT_NEW_HEAVY) {
			learn(s, x, o->alpha);	/* no baseline to protect yet */
			under(a, s, share < o->new_share, t0);
			return;
		}
		under(a, s, x < s->mean + o->k_end * sd, t0);	/* frozen baseline */
		if (s->act >= 0 && t0 >= e->start_ms + RELEARN_TICKS * 1000ULL) {
			end_alert(a, s, t0 + 1000);
			s->age = 0;
			learn(s, x, o->alpha);
		}
		return;
	}
	if (s->age >= o->warmup && s->age > 0 && x > s->mean + o->k * sd && x >= (double)o->min_bps) {
		if (s->over++ == 0)
			s->run_ms = t0;
		if (s->over >= o->start_ticks)
			start_alert(a, s, ALERT_SPIKE, w, k, M_BPS, x, s->mean, s->run_ms);
		return;	/* a run over the threshold is not learned */
	}
	s->over = 0;
	learn(s, x, o->alpha);
}

/* ---- thresholds ---- */

static double metric_of(const struct counters *c, int m)
{
	return m == M_BPS ? (double)c->bytes * 8 : m == M_PPS ? (double)c->packets : (double)c->flows;
}

static bool thr_match(const struct thr *t, const struct store_key *k)
{
	if (t->has_num && k->num != t->num)
		return false;
	if (t->has_net) {
		struct flow_addr x;
		memcpy(x.b, k->addr, 16);
		return flow_addr_in(&x, &t->net, t->bits);
	}
	return true;
}

static void thr_hit(struct alert *a, int i, const struct store_key *k, double x, uint64_t t0)
{
	struct thr_state *st = NULL, *fr = NULL;
	for (size_t j = 0; j < a->nts && !st; j++) {
		if (!a->ts[j].used)
			fr = fr ? fr : &a->ts[j];
		else if (a->ts[j].thr == i && !memcmp(&a->ts[j].key, k, sizeof *k))
			st = &a->ts[j];
	}
	if (!st) {
		if (!fr)
			return;	/* more keys over thresholds than states: the rest wait */
		st = fr;
		memset(st, 0, sizeof *st);
		st->used = true;
		st->thr = i;
		st->key = *k;
		st->s.act = -1;
	}
	st->seen = true;
	if (st->s.act >= 0) {
		peak(a, &st->s, x);
		st->s.under = 0;
		return;
	}
	if (st->s.over++ == 0)
		st->s.run_ms = t0;
	if (st->s.over >= a->o.start_ticks)
		start_alert(a, &st->s, ALERT_THRESHOLD, a->thr[i].w, k, a->thr[i].metric, x, a->thr[i].value,
			    st->s.run_ms);
}

static void thr_tick(struct alert *a, uint64_t t0)
{
	for (size_t j = 0; j < a->nts; j++)
		a->ts[j].seen = false;
	for (size_t i = 0; i < a->nthr; i++) {
		const struct thr *th = &a->thr[i];
		if (th->w < 0) {
			struct store_key z;
			memset(&z, 0, sizeof z);
			double x = metric_of(&a->tot, th->metric);
			if (x > th->value)
				thr_hit(a, (int)i, &z, x, t0);
			continue;
		}
		struct dimtab *t = &a->t[th->w];
		for (size_t j = 0; j < a->o.keys; j++) {
			if (!t->slot[j].used || !thr_match(th, &t->slot[j].key))
				continue;
			double x = metric_of(&t->slot[j].c, th->metric);
			if (x > th->value)
				thr_hit(a, (int)i, &t->slot[j].key, x, t0);
		}
		for (size_t j = 0; j < t->ncand; j++) {
			struct counters c = cand_low(&t->cand[j]);
			double x = metric_of(&c, th->metric);
			if (x > th->value && thr_match(th, &t->cand[j].key))
				thr_hit(a, (int)i, &t->cand[j].key, x, t0);
		}
	}
	for (size_t j = 0; j < a->nts; j++) {
		struct thr_state *st = &a->ts[j];
		if (!st->used || st->seen)
			continue;
		if (st->s.act < 0) {
			st->used = false;
			continue;
		}
		under(a, &st->s, true, t0);
		if (st->s.act < 0)
			st->used = false;
	}
}

/* ---- closing a tick ---- */

static void sift(int32_t *v, size_t r, size_t end, const double *score)
{
	for (;;) {
		size_t c = 2 * r + 1, m = r;
		if (c < end && score[v[c]] > score[v[m]])
			m = c;
		if (c + 1 < end && score[v[c + 1]] > score[v[m]])
			m = c + 1;
		if (m == r)
			return;
		int32_t x = v[r];
		v[r] = v[m];
		v[m] = x;
		r = m;
	}
}

/* Heapsort of n indices by score, ascending: no allocation, O(n log n). */
static void sort_idx(int32_t *v, size_t n, const double *score)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(v, i, n, score);
	for (size_t end = n; end > 1; end--) {
		int32_t x = v[0];
		v[0] = v[end - 1];
		v[end - 1] = x;
		sift(v, 0, end - 1, score);
	}
}

/* Biggest sketch keys go to free places. A new heavy hitter, or a key over
 * twice a tracked key's mean, displaces the tracked key of smallest mean. */
static void promote(struct alert *a, int w, bool warm, uint64_t t0)
{
	const struct alert_opts *o = &a->o;
	struct dimtab *t = &a->t[w];
	size_t nc = t->ncand, ns = 0, j = 0;
	for (size_t i = 0; i < nc; i++) {
		t->ord[i] = (int32_t)i;
		t->score[i] = -(double)cand_low(&t->cand[i]).bytes;
	}
	sort_idx(t->ord, nc, t->score);
	for (size_t i = 0; i < o->keys; i++) {
		if (t->slot[i].used && t->slot[i].s.act < 0) {
			t->ord2[ns++] = (int32_t)i;
			t->score[i] = t->slot[i].s.mean;
		}
	}
	sort_idx(t->ord2, ns, t->score);
	for (size_t i = 0; i < nc; i++) {
		const struct cand *c = &t->cand[t->ord[i]];
		double x = (double)cand_low(c).bytes * 8;
		if (x <= 0)
			break;	/* sorted: the rest are empty too */
		bool heavy = warm && x > o->new_share * (double)a->tot.bytes * 8 && x >= (double)o->min_bps;
		if (!t->nfree && j < ns && (heavy || x > 2 * t->slot[t->ord2[j]].s.mean)) {
			slot_remove(t, t->ord2[j++]);
			t->evicted++;
		}
		int32_t si = slot_insert(t, &c->key);
		if (si < 0)
			continue;
		struct slot *s = &t->slot[si];
		s->last_tick = a->cur;
		learn(&s->s, x, o->alpha);
		if (heavy)
			start_alert(a, &s->s, ALERT_NEW_HEAVY, w, &c->key, M_BPS, x, 0, t0);
	}
}

static void close_tick(struct alert *a)
{
	const struct alert_opts *o = &a->o;
	uint64_t t0 = a->cur * 1000;
	bool warm = a->cur >= a->first + o->warmup;
	double tb = (double)a->tot.bytes;
	eval_series(a, &a->total, -1, NULL, tb * 8, 1, t0);
	for (int w = 0; w < NW; w++) {
		struct dimtab *t = &a->t[w];
		for (size_t i = 0; i < o->keys; i++) {
			struct slot *s = &t->slot[i];
			if (!s->used)
				continue;
			double b = (double)s->c.bytes;
			eval_series(a, &s->s, w, &s->key, b * 8, tb > 0 ? b / tb : 0, t0);
		}
	}
	thr_tick(a, t0);
	for (int w = 0; w < NW; w++) {
		struct dimtab *t = &a->t[w];
		for (size_t i = 0; i < o->keys; i++) {
			struct slot *s = &t->slot[i];
			if (s->used && s->s.act < 0 && a->cur - s->last_tick >= IDLE_TICKS) {
				slot_remove(t, (int32_t)i);
				t->evicted++;
			}
		}
		promote(a, w, warm, t0);
		for (size_t i = 0; i < o->keys; i++)
			memset(&t->slot[i].c, 0, sizeof t->slot[i].c);
		cand_clear(t);
	}
	memset(&a->tot, 0, sizeof a->tot);
}

static void advance_to(struct alert *a, uint64_t tick)
{
	for (uint32_t n = 0; a->cur < tick; n++) {
		if (n == GAP_MAX) {
			/* An hour of zeros ended every alert and evicted every key;
			 * a baseline of nothing is no baseline: warm up again. */
			a->cur = a->first = tick;
			a->total.age = 0;
			return;
		}
		close_tick(a);
		a->cur++;
	}
}

void alert_advance(struct alert *a, uint64_t t_ms)
{
	if (a->started && t_ms / 1000 > a->cur)
		advance_to(a, t_ms / 1000);
}

static inline void add_one(struct alert *a, int w, const struct flow *f, const struct counters *c)
{
	struct dimtab *t = &a->t[w];
	struct store_key k;
	key_of(w, f, &k);
	uint32_t h = key_hash(&k);
	int32_t i = slot_find(t, &k, h);
	if (i >= 0) {
		add_counters(&t->slot[i].c, c);
		t->slot[i].last_tick = a->cur;
	} else {
		cand_add(t, a->o.keys, &k, h, c);
	}
}

void alert_add(struct alert *a, const struct flow *f)
{
	uint64_t tick = f->recv_ms / 1000;
	if (!a->started) {
		a->started = true;
		a->cur = a->first = tick;
	} else if (tick > a->cur) {
		advance_to(a, tick);
	}
	struct counters c = { f->bytes, f->packets, 1 };
	add_counters(&a->tot, &c);
	/* One call per watched dimension, so each key is built without a switch. */
	_Static_assert(NW == 4, "alert_add names every watched dimension");
	add_one(a, 0, f, &c);
	add_one(a, 1, f, &c);
	add_one(a, 2, f, &c);
	add_one(a, 3, f, &c);
}

/* ---- threshold specs ---- */

static __attribute__((format(printf, 3, 4))) int fail(char **cause, size_t col, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (cause)
		*cause = err_fmt("column %zu: %s", col, buf);
	return ERR_ARG;
}

/* Next space-separated word: *at its offset, returns its length (0 at the end). */
static size_t word(const char *spec, size_t *pos, size_t *at)
{
	size_t p = *pos;
	while (spec[p] == ' ' || spec[p] == '\t')
		p++;
	*at = p;
	while (spec[p] && spec[p] != ' ' && spec[p] != '\t')
		p++;
	*pos = p;
	return p - *at;
}

static int parse_key(struct thr *t, const char *s, size_t n, size_t col, char **cause)
{
	char buf[64];
	if (n >= sizeof buf)
		return fail(cause, col, "key too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (t->w < 0)
		return fail(cause, col, "the total takes no key: '%s'", buf);
	if (watched[t->w] == DIM_SRC_IP || watched[t->w] == DIM_DST_IP) {
		if (!flow_prefix_parse(buf, &t->net, &t->bits))
			return fail(cause, col, "expected an address or prefix: '%s'", buf);
		t->has_net = true;
		return ERR_OK;
	}
	char *end;
	unsigned long v = strtoul(buf, &end, 10);
	unsigned long max = watched[t->w] == DIM_DST_PORT ? 65535 : 255;
	if (!isdigit((unsigned char)buf[0]) || *end || v > max)
		return fail(cause, col, "expected a number 0-%lu: '%s'", max, buf);
	t->has_num = true;
	t->num = (uint32_t)v;
	return ERR_OK;
}

static int parse_metric(struct thr *t, const char *s, size_t n, size_t col, char **cause)
{
	char buf[64];
	if (n >= sizeof buf)
		return fail(cause, col, "condition too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *gt = strchr(buf, '>');
	if (!gt)
		return fail(cause, col, "expected METRIC>VALUE: '%s'", buf);
	*gt = '\0';
	t->metric = -1;
	for (int m = 0; m < 3; m++)
		if (!strcmp(buf, metric_names[m]))
			t->metric = m;
	if (t->metric < 0)
		return fail(cause, col, "unknown metric '%s' (bps, pps or fps)", buf);
	size_t vcol = col + (size_t)(gt - buf) + 1;
	char *v = gt + 1, *end;
	if (!isdigit((unsigned char)*v) && *v != '.')
		return fail(cause, vcol, "expected a number after '>'");
	double x = strtod(v, &end);
	double mul = 1;
	switch (tolower((unsigned char)*end)) {
	case 'k': mul = 1e3; end++; break;
	case 'm': mul = 1e6; end++; break;
	case 'g': mul = 1e9; end++; break;
	}
	if (*end)
		return fail(cause, vcol + (size_t)(end - v), "unexpected '%s' after the value", end);
	if (!isfinite(x * mul))
		return fail(cause, vcol, "value out of range");
	t->value = x * mul;
	return ERR_OK;
}

int alert_add_threshold(struct alert *a, const char *spec, char **cause)
{
	struct thr t;
	size_t pos = 0, at, n;
	char name[32];
	int r;
	if (cause)
		*cause = NULL;
	memset(&t, 0, sizeof t);
	if (a->nthr == THR_MAX)
		return fail(cause, 1, "too many thresholds (at most %d)", THR_MAX);
	n = word(spec, &pos, &at);
	if (!n)
		return fail(cause, at + 1, "expected a dimension (src_ip, dst_ip, dst_port, proto or total)");
	snprintf(name, sizeof name, "%.*s", (int)n, spec + at);
	enum dim d;
	t.w = -2;
	if (!strcmp(name, "total"))
		t.w = -1;
	else if (dim_parse(name, &d))
		for (int w = 0; w < NW; w++)
			if (watched[w] == d)
				t.w = w;
	if (t.w == -2)
		return fail(cause, at + 1, "'%s' is not a watched dimension (src_ip, dst_ip, dst_port, proto, total)",
			    name);
	n = word(spec, &pos, &at);
	if (n && !memchr(spec + at, '>', n)) {
		if ((r = parse_key(&t, spec + at, n, at + 1, cause)) != ERR_OK)
			return r;
		n = word(spec, &pos, &at);
	}
	if (!n)
		return fail(cause, at + 1, "expected METRIC>VALUE (bps, pps or fps)");
	if ((r = parse_metric(&t, spec + at, n, at + 1, cause)) != ERR_OK)
		return r;
	if (word(spec, &pos, &at))
		return fail(cause, at + 1, "unexpected '%s'", spec + at);
	a->thr[a->nthr++] = t;
	return ERR_OK;
}

/* ---- reading events ---- */

size_t alert_take(struct alert *a, struct alert_event *out, size_t max)
{
	size_t n = 0;
	for (; n < max && a->qn; n++, a->qn--) {
		out[n] = a->q[a->qhead];
		a->qhead = (a->qhead + 1) % QUEUE_MAX;
	}
	return n;
}

size_t alert_active(const struct alert *a, struct alert_event *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nact && n < max; i++) {
		if (!a->act_used[i])
			continue;
		size_t j = n++;
		for (; j > 0 && out[j - 1].id > a->act[i].id; j--)
			out[j] = out[j - 1];
		out[j] = a->act[i];
	}
	return n;
}

size_t alert_history(const struct alert *a, struct alert_event *out, size_t max)
{
	size_t n = 0;
	for (; n < max && n < a->hn; n++)
		out[n] = a->hist[(a->hhead + n) % HIST_MAX];
	return n;
}

uint64_t alert_dropped(const struct alert *a)
{
	return a->qdropped;
}

bool alert_dim_info(const struct alert *a, enum dim d, struct alert_dim_info *info)
{
	for (int w = 0; w < NW; w++) {
		if (watched[w] != d)
			continue;
		info->tracked = a->t[w].nslot;
		info->candidates = a->t[w].ncand;
		info->evicted = a->t[w].evicted;
		return true;
	}
	return false;
}

const char *alert_kind_name(enum alert_kind k)
{
	switch (k) {
	case ALERT_SPIKE: return "spike";
	case ALERT_NEW_HEAVY: return "new_heavy_hitter";
	case ALERT_THRESHOLD: return "threshold";
	}
	return "?";
}

/* ---- JSON ---- */

struct out {
	char *p;
	size_t len, n;
};

static __attribute__((format(printf, 2, 3))) void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = o->n < o->len ? vsnprintf(o->p + o->n, o->len - o->n, fmt, ap) : vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->n += (size_t)r;
}

static void put_str(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

/* Rounded to 3 decimals, without trailing zeros: 80000000, 1.5, 12.346. */
static void put_num(struct out *o, double x)
{
	put(o, "%.15g", round(x * 1000) / 1000);
}

static void put_time(struct out *o, uint64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];
	gmtime_r(&s, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	put(o, "\"%s.%03uZ\"", buf, (unsigned)(ms % 1000));
}

int alert_json(const struct alert_event *e, const char *key_text, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	put(&o, "{\"event\":\"%s\",\"id\":%llu,\"kind\":\"%s\",\"dimension\":", e->end ? "end" : "start",
	    (unsigned long long)e->id, alert_kind_name(e->kind));
	put_str(&o, e->dim < 0 ? "total" : dim_name((enum dim)e->dim));
	put(&o, ",\"key\":");
	put_str(&o, key_text ? key_text : "");
	put(&o, ",\"metric\":");
	put_str(&o, e->metric);
	put(&o, ",\"observed\":");
	put_num(&o, e->observed);
	put(&o, ",\"baseline\":");
	put_num(&o, e->baseline);
	put(&o, ",\"factor\":");
	put_num(&o, e->factor);
	put(&o, ",\"start\":");
	put_time(&o, e->start_ms);
	put(&o, ",\"end\":");
	if (e->end)
		put_time(&o, e->end_ms);
	else
		put(&o, "null");
	put(&o, "}");
	if (o.n >= len)
		return ERR_LIMIT;
	return (int)o.n;
}
