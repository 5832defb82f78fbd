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
static unsigned char *slots_alloc(size_t bytes)
{
	if (bytes < MAPPED)
		return xcalloc(1, bytes);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "nftop: out of memory (%zu bytes for a key table)\n", bytes);
		abort();
	}
	if (bytes >= HUGE_PAGE)
		madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static void slots_free(unsigned char *p, size_t bytes)
{
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

static inline struct kwide *wide(const struct ktab *t, size_t i)
{
	return (struct kwide *)(void *)t->slot + i;
}

static inline struct knarrow *narrow(const struct ktab *t, size_t i)
{
	return (struct knarrow *)(void *)t->slot + i;
}

void ktab_key_at(const struct ktab *t, size_t j, struct store_key *k)
{
	if (t->form == KF_WIDE) {
		*k = wide(t, j)->key;
		return;
	}
	uint32_t v = narrow(t, j)->v;
	memset(k, 0, sizeof *k);
	if (t->form == KF_V4) {
		struct flow_addr a;
		uint8_t v4[4];
		memcpy(v4, &v, 4);
		flow_addr_set4(&a, v4);
		memcpy(k->addr, a.b, 16);
		k->num = t->num;
	} else {
		k->num = v;
	}
}

/* The slot holding k, or the empty slot where its probe ended (*found
 * false); SIZE_MAX when k cannot be in the table (none yet, another form). */
static size_t probe(const struct ktab *t, const struct store_key *k, uint32_t h, bool *found)
{
	*found = false;
	if (!t->slot)
		return SIZE_MAX;
	size_t i = ktab_home(t, h);
	if (t->form == KF_WIDE) {
		for (;; i = next(t, i)) {
			const struct kwide *e = wide(t, i);
			if (!e->hash)
				return i;
			if (e->hash == h && key_eq(&e->key, k))
				break;
		}
	} else {
		uint32_t v;
		if (!ktab_narrow(t, k, &v))
			return SIZE_MAX;
		for (;; i = next(t, i)) {
			const struct knarrow *e = narrow(t, i);
			if (!e->hash)
				return i;
			if (e->hash == h && e->v == v)
				break;
		}
	}
	*found = true;
	return i;
}

struct counters *ktab_find(const struct ktab *t, const struct store_key *k, uint32_t h)
{
	bool found;
	size_t i = probe(t, k, h, &found);
	return found ? ktab_counters_at(t, i) : NULL;
}

/* Writes entry k (hash h, zero counters) into slot i, which is empty. */
static void put(struct ktab *t, size_t i, const struct store_key *k, uint32_t h)
{
	if (t->form == KF_WIDE) {
		struct kwide *e = wide(t, i);
		e->key = *k;
		e->hash = h;
		memset(&e->c, 0, sizeof e->c);
	} else {
		struct knarrow *e = narrow(t, i);
		uint32_t v = 0;
		(void)ktab_narrow(t, k, &v);
		e->hash = h;
		e->v = v;
		memset(&e->c, 0, sizeof e->c);
	}
}

static size_t free_slot(const struct ktab *t, uint32_t h)
{
	size_t i = ktab_home(t, h);
	while (ktab_hash_at(t, i))
		i = next(t, i);
	return i;
}

/* The old copy of a mapped table is given back in steps of this many bytes
 * as its entries move. */
#define RELEASE_STEP HUGE_PAGE

/* Moves the entries into ncap slots of the given form (narrow entries
 * widen; a form is only ever widened). */
static void rebuild(struct ktab *t, size_t ncap, uint8_t form)
{
	if (ncap * 3 < t->n * 4)
		abort();		/* callers keep every table at most 3/4 full */
	struct ktab nt = { NULL, ncap, t->n, form, (uint8_t)ktab_esz(form), t->num };
	nt.slot = slots_alloc(ncap * nt.esz);
	/* Entries sit near their home and the home grows with the hash, so
	 * the new table fills from its start as the old one is read from its
	 * start: the old copy's pages already read are given back as the new
	 * copy's are touched, and the two are held together only in part
	 * (shrinking a table then takes no more memory than the table). */
	size_t bytes = ktab_bytes(t), released = 0;
	bool mapped = t->slot && bytes >= MAPPED;
	for (size_t j = 0; j < t->cap; j++) {
		uint32_t h = ktab_hash_at(t, j);
		if (h) {
			size_t i = free_slot(&nt, h);
			if (form == t->form) {
				memcpy(nt.slot + i * nt.esz, t->slot + j * t->esz, nt.esz);
			} else {
				struct store_key k;
				ktab_key_at(t, j, &k);
				put(&nt, i, &k, h);
				*ktab_counters_at(&nt, i) = *ktab_counters_at(t, j);
			}
		}
		if (mapped && ((j + 1) & 4095) == 0) {
			size_t done = (j + 1) * t->esz / RELEASE_STEP * RELEASE_STEP;
			if (done > released) {
				munmap(t->slot + released, done - released);
				released = done;
			}
		}
	}
	if (mapped) {
		if (bytes > released)
			munmap(t->slot + released, bytes - released);
	} else {
		slots_free(t->slot, bytes);
	}
	*t = nt;
}

void ktab_resize(struct ktab *t, size_t ncap)
{
	rebuild(t, ncap, t->form == KF_NONE ? KF_WIDE : t->form);
}

void ktab_resize_with(struct ktab *t, const struct store_key *k, size_t ncap)
{
	uint8_t f = ktab_form_with(t, k);
	if (t->form == KF_NONE)
		t->num = k->num;
	rebuild(t, ncap, f);
}

struct counters *ktab_get_room(struct ktab *t, const struct store_key *k, uint32_t h, bool *added)
{
	bool found;
	size_t i = probe(t, k, h, &found);
	*added = false;
	if (found)
		return ktab_counters_at(t, i);
	/* At most 3/4 full, so probes stay short. */
	if (i == SIZE_MAX || (t->n + 1) * 4 > t->cap * 3)
		return NULL;
	put(t, i, k, h);
	t->n++;
	*added = true;
	return ktab_counters_at(t, i);
}

struct counters *ktab_get(struct ktab *t, const struct store_key *k, uint32_t h, bool *added)
{
	struct counters *c = ktab_get_room(t, k, h, added);
	if (c)
		return c;
	/* A new key the table has no room or no form for: only a new key
	 * grows the table (the store checks its memory bound before that),
	 * and only a key of another form widens it. */
	bool full = (t->n + 1) * 4 > t->cap * 3;
	ktab_resize_with(t, k, full ? (t->cap ? t->cap * 2 : KTAB_MIN) : t->cap);
	size_t i = free_slot(t, h);
	put(t, i, k, h);
	t->n++;
	*added = true;
	return ktab_counters_at(t, i);
}

/* Backward-shift deletion: every entry after the hole that may move into it
 * does, so lookups never meet a gap before their key. */
static void del_at(struct ktab *t, size_t hole)
{
	for (size_t i = next(t, hole);; i = next(t, i)) {
		uint32_t h = ktab_hash_at(t, i);
		if (!h)
			break;
		size_t home = ktab_home(t, h);
		/* The entry may fill the hole if its home is not in (hole, i]. */
		bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
		if (!stays) {
			memcpy(t->slot + hole * t->esz, t->slot + i * t->esz, t->esz);
			hole = i;
		}
	}
	memset(t->slot + hole * t->esz, 0, t->esz);
	t->n--;
}

void ktab_del(struct ktab *t, struct counters *c)
{
	del_at(t, (size_t)((unsigned char *)c - t->slot) / t->esz);
}

/* In place, so a full table never needs a second copy of itself: a removal
 * shifts later entries back into the hole, which is then looked at again.
 * Entries of a cluster that wraps past the end may be looked at twice, which
 * only asks keep() again. */
void ktab_filter(struct ktab *t, bool (*keep)(const struct store_key *k, uint32_t h, const struct counters *c, void *arg),
		 void *arg)
{
	for (size_t i = 0; i < t->cap;) {
		uint32_t h = ktab_hash_at(t, i);
		if (h) {
			struct store_key k;
			ktab_key_at(t, i, &k);
			if (!keep(&k, h, ktab_counters_at(t, i), arg)) {
				del_at(t, i);
				continue;
			}
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
		memset(t->slot, 0, ktab_bytes(t));
	t->n = 0;
}

void ktab_free(struct ktab *t)
{
	slots_free(t->slot, ktab_bytes(t));
	*t = (struct ktab){ 0 };
}
