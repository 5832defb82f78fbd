#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ktab.h"
#include "xmem.h"

#define HUGE_PAGE (2u << 20)
/* Tables from this size on are mapped on their own: freed, they go back to
 * the system whole, so tables of a window's buckets that shrink and grow
 * again at other sizes leave no holes in the heap. */
#define MAPPED (128u << 10)

/* Large tables are mapped on their own and asked for huge pages: a lookup in
 * a 100 MB table then costs one cache miss instead of a miss and a page walk. */
static struct kent *slots_alloc(size_t cap)
{
	size_t bytes = cap * sizeof(struct kent);
	if (bytes < MAPPED)
		return xcalloc(cap, sizeof(struct kent));
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "nftop: out of memory (%zu bytes for a key table)\n", bytes);
		abort();
	}
	if (bytes >= HUGE_PAGE)
		madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static void slots_free(struct kent *p, size_t cap)
{
	size_t bytes = cap * sizeof(struct kent);
	if (!p)
		return;
	if (bytes < MAPPED)
		free(p);
	else
		munmap(p, bytes);
}

static inline bool key_eq(const struct store_key *x, const struct store_key *y)
{
	uint64_t a0, a1, b0, b1;
	memcpy(&a0, x->addr, 8);
	memcpy(&a1, x->addr + 8, 8);
	memcpy(&b0, y->addr, 8);
	memcpy(&b1, y->addr + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1) | (uint64_t)(x->num ^ y->num)) == 0;
}

static inline size_t next(const struct ktab *t, size_t i)
{
	return i + 1 == t->cap ? 0 : i + 1;
}

struct kent *ktab_find(const struct ktab *t, const struct store_key *k, uint32_t h)
{
	if (!t->slot)
		return NULL;
	for (size_t i = ktab_home(t, h);; i = next(t, i)) {
		struct kent *e = &t->slot[i];
		if (!e->hash)
			return NULL;
		if (e->hash == h && key_eq(&e->key, k))
			return e;
	}
}

/* The old copy of a mapped table is given back in steps of this many bytes
 * as its entries move. */
#define RELEASE_STEP HUGE_PAGE

void ktab_resize(struct ktab *t, size_t ncap)
{
	if (ncap * 3 < t->n * 4)
		abort();		/* callers keep every table at most 3/4 full */
	struct ktab nt = { slots_alloc(ncap), ncap, t->n };
	/* Entries sit near their home and the home grows with the hash, so
	 * the new table fills from its start as the old one is read from its
	 * start: the old copy's pages already read are given back as the new
	 * copy's are touched, and the two are held together only in part
	 * (shrinking a table then takes no more memory than the table). */
	size_t bytes = t->cap * sizeof(struct kent), released = 0;
	bool mapped = t->slot && bytes >= MAPPED;
	for (size_t j = 0; j < t->cap; j++) {
		const struct kent *e = &t->slot[j];
		if (e->hash) {
			size_t i = ktab_home(&nt, e->hash);
			while (nt.slot[i].hash)
				i = next(&nt, i);
			nt.slot[i] = *e;
		}
		if (mapped && ((j + 1) & 4095) == 0) {
			size_t done = (j + 1) * sizeof(struct kent) / RELEASE_STEP * RELEASE_STEP;
			if (done > released) {
				munmap((char *)t->slot + released, done - released);
				released = done;
			}
		}
	}
	if (mapped) {
		if (bytes > released)
			munmap((char *)t->slot + released, bytes - released);
	} else {
		slots_free(t->slot, t->cap);
	}
	*t = nt;
}

struct kent *ktab_get(struct ktab *t, const struct store_key *k, uint32_t h, bool *added)
{
	*added = false;
	struct kent *e = NULL;
	if (t->slot) {
		for (size_t i = ktab_home(t, h);; i = next(t, i)) {
			e = &t->slot[i];
			if (!e->hash)
				break;
			if (e->hash == h && key_eq(&e->key, k))
				return e;
		}
	}
	/* A new key: at most 3/4 full, so probes stay short. Only a new key
	 * grows the table (the store checks its memory bound before that). */
	if ((t->n + 1) * 4 > t->cap * 3) {
		ktab_resize(t, t->cap ? t->cap * 2 : KTAB_MIN);
		size_t i = ktab_home(t, h);
		while (t->slot[i].hash)
			i = next(t, i);
		e = &t->slot[i];
	}
	e->key = *k;
	e->hash = h;
	memset(&e->c, 0, sizeof e->c);
	t->n++;
	*added = true;
	return e;
}

/* Backward-shift deletion: every entry after the hole that may move into it
 * does, so lookups never meet a gap before their key. */
void ktab_del(struct ktab *t, struct kent *e)
{
	size_t hole = (size_t)(e - t->slot);
	for (size_t i = next(t, hole);; i = next(t, i)) {
		struct kent *x = &t->slot[i];
		if (!x->hash)
			break;
		size_t home = ktab_home(t, x->hash);
		/* x may fill the hole if its home is not in (hole, i]. */
		bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
		if (!stays) {
			t->slot[hole] = *x;
			hole = i;
		}
	}
	t->slot[hole].hash = 0;
	t->n--;
}

/* In place, so a full table never needs a second copy of itself: a removal
 * shifts later entries back into the hole, which is then looked at again.
 * Entries of a cluster that wraps past the end may be looked at twice, which
 * only asks keep() again. */
void ktab_filter(struct ktab *t, bool (*keep)(const struct kent *e, void *arg), void *arg)
{
	for (size_t i = 0; i < t->cap;) {
		struct kent *e = &t->slot[i];
		if (e->hash && !keep(e, arg)) {
			ktab_del(t, e);
			continue;
		}
		i++;
	}
}

void ktab_clear(struct ktab *t)
{
	/* A table that was large keeps its memory only if it was busy; otherwise
	 * it starts small again (expired buckets would pin their peak). */
	if (t->cap > KTAB_MIN * 4 && t->n * 8 < t->cap) {
		ktab_free(t);
		return;
	}
	if (t->slot)
		memset(t->slot, 0, t->cap * sizeof *t->slot);
	t->n = 0;
}

void ktab_free(struct ktab *t)
{
	slots_free(t->slot, t->cap);
	t->slot = NULL;
	t->cap = t->n = 0;
}
