/* ktab: the store's key -> counters table. Open addressing with linear
 * probing and entries held inline, so an update touches one cache line and
 * a key costs no pointer chasing and no allocation. Removal shifts later
 * entries back, so no tombstones build up.
 *
 * Entries come in two sizes. While every key of a table has one narrow
 * form, the table holds them in 32-byte entries (the 4 key bytes that vary,
 * the hash, the counters: two to a cache line):
 *  - KF_V4: an IPv4 address (v4-mapped) with the same number in every key
 *    (0 for addresses, the length for prefixes);
 *  - KF_NUM: a number with no address (ports, AS numbers, interfaces).
 * The first key of another form widens the table to 48-byte entries of
 * whole keys (KF_WIDE). A table of a million IPv4 addresses is then two
 * thirds the size, and a lookup in it misses the cache and the TLB less
 * often. The form is chosen by the first key of an unallocated table. */
#ifndef NFTOP_KTAB_H
#define NFTOP_KTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store.h"

enum ktab_form { KF_NONE, KF_V4, KF_NUM, KF_WIDE };

struct kwide {
	struct store_key key;
	uint32_t hash;			/* 0: empty slot */
	struct counters c;
};

struct knarrow {
	uint32_t hash;			/* 0: empty slot */
	uint32_t v;			/* KF_V4: the address's 4 bytes; KF_NUM: the number */
	struct counters c;
};

_Static_assert(sizeof(struct kwide) == 48 && sizeof(struct knarrow) == 32, "entry sizes");

struct ktab {
	unsigned char *slot;		/* cap entries of esz bytes (or NULL) */
	size_t cap, n;
	uint8_t form;			/* enum ktab_form (KF_NONE: no slots yet) */
	uint8_t esz;			/* bytes per entry */
	uint32_t num;			/* KF_V4: every key's number */
};

#define KTAB_MIN 64			/* slots of the smallest table */

/* Keys are 20 fixed bytes: a multiply-xor mix over them. The table takes
 * the high bits of the result (multiply-shift index), where every key byte
 * has reached. Never 0, which marks an empty slot. */
static inline uint32_t ktab_hash(const struct store_key *k)
{
	uint64_t a, b;
	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	uint64_t h = (a ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
	h ^= (b + (h >> 29)) * 0x94d049bb133111ebULL;
	h ^= (k->num + (h >> 31)) * 0x9e3779b97f4a7c15ULL;
	uint32_t r = (uint32_t)(h ^ h >> 32);
	return r ? r : 1;
}

/* Whether k has the table's narrow form; if so *v is what an entry keeps. */
static inline bool ktab_narrow(const struct ktab *t, const struct store_key *k, uint32_t *v)
{
	struct flow_addr a;
	memcpy(a.b, k->addr, 16);
	if (t->form == KF_V4 && k->num == t->num && flow_addr_is4(&a)) {
		memcpy(v, a.b + 12, 4);
		return true;
	}
	if (t->form == KF_NUM && flow_addr_is_zero(&a)) {
		*v = k->num;
		return true;
	}
	return false;
}

/* The form of the table once k is in it. */
static inline uint8_t ktab_form_with(const struct ktab *t, const struct store_key *k)
{
	uint32_t v;
	if (t->form == KF_NONE) {
		struct ktab probe = { .form = KF_V4, .num = k->num };
		if (ktab_narrow(&probe, k, &v))
			return KF_V4;
		probe.form = KF_NUM;
		return ktab_narrow(&probe, k, &v) ? KF_NUM : KF_WIDE;
	}
	return t->form == KF_WIDE || ktab_narrow(t, k, &v) ? t->form : KF_WIDE;
}

static inline size_t ktab_esz(uint8_t form)
{
	return form == KF_V4 || form == KF_NUM ? sizeof(struct knarrow) : sizeof(struct kwide);
}

/* The bytes of an entry once k is in the table. */
static inline size_t ktab_esz_with(const struct ktab *t, const struct store_key *k)
{
	return ktab_esz(ktab_form_with(t, k));
}

/* The bytes the table would take once k is added, if adding it grows the
 * table (more slots, or entries widened); else 0. (While it grows, the old
 * slots are still held as well.) */
static inline size_t ktab_growth(const struct ktab *t, const struct store_key *k)
{
	uint8_t f = ktab_form_with(t, k);
	bool full = (t->n + 1) * 4 > t->cap * 3;
	if (!full && f == t->form)
		return 0;
	return (full ? (t->cap ? t->cap * 2 : KTAB_MIN) : t->cap) * ktab_esz(f);
}

/* Whether adding k widens the table's entries. */
static inline bool ktab_widens(const struct ktab *t, const struct store_key *k)
{
	return t->form != KF_NONE && t->form != KF_WIDE && ktab_form_with(t, k) == KF_WIDE;
}

/* A key's first slot: the hash scaled to the capacity (multiply and shift),
 * so a table can have any size, not only powers of two, and fill a memory
 * bound closely. */
static inline size_t ktab_home(const struct ktab *t, uint32_t h)
{
	return (size_t)(((uint64_t)h * t->cap) >> 32);
}
/* Brings the slot a key hashes to into the cache ahead of use. (Asking for
 * an entry's second cache line as well measured slower.) On x86 an asm
 * statement, which the compiler cannot drop: with one more branch in here
 * (on a field of the table), GCC 12 removed the look-ahead's whole loop of
 * __builtin_prefetch calls as having no effect, and replay took 1.2x the
 * time. */
static inline void ktab_prefetch(const struct ktab *t, uint32_t h)
{
	if (!t->slot)
		return;
	const unsigned char *p = t->slot + ktab_home(t, h) * t->esz;
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht2 %0" : : "m"(*p));
#else
	__builtin_prefetch(p, 1, 1);
#endif
}

/* Where an entry keeps its hash and its counters: slot j's entry starts at
 * slot + j * esz (a loop over many slots takes these once). */
static inline size_t ktab_hoff(const struct ktab *t)
{
	return t->form == KF_WIDE ? offsetof(struct kwide, hash) : offsetof(struct knarrow, hash);
}
static inline size_t ktab_coff(const struct ktab *t)
{
	return t->form == KF_WIDE ? offsetof(struct kwide, c) : offsetof(struct knarrow, c);
}
/* Slot j: its hash (0: empty), its counters, its key. */
static inline uint32_t ktab_hash_at(const struct ktab *t, size_t j)
{
	uint32_t h;
	memcpy(&h, t->slot + j * t->esz + ktab_hoff(t), 4);
	return h;
}
static inline struct counters *ktab_counters_at(const struct ktab *t, size_t j)
{
	return (struct counters *)(void *)(t->slot + j * t->esz + ktab_coff(t));
}
void ktab_key_at(const struct ktab *t, size_t j, struct store_key *k);

/* The counters of k, or NULL. */
struct counters *ktab_find(const struct ktab *t, const struct store_key *k, uint32_t h);
/* The counters of k, added as zero if new (*added says so). */
struct counters *ktab_get(struct ktab *t, const struct store_key *k, uint32_t h, bool *added);
/* The same, but NULL instead of adding a key the table would have to grow
 * or widen for: one probe answers both whether k is there and whether it
 * fits. */
struct counters *ktab_get_room(struct ktab *t, const struct store_key *k, uint32_t h, bool *added);
/* Removes the entry whose counters c are (from ktab_find or ktab_get). */
void ktab_del(struct ktab *t, struct counters *c);
/* Moves the entries into a table of ncap slots (at least n * 4 / 3) of
 * the same form; ktab_resize_with also takes the form k needs. */
void ktab_resize(struct ktab *t, size_t ncap);
void ktab_resize_with(struct ktab *t, const struct store_key *k, size_t ncap);
/* Keeps only the entries keep() accepts, in one pass. */
void ktab_filter(struct ktab *t, bool (*keep)(const struct store_key *k, uint32_t h, const struct counters *c, void *arg),
		 void *arg);
void ktab_clear(struct ktab *t);
void ktab_free(struct ktab *t);
static inline size_t ktab_bytes(const struct ktab *t)
{
	return t->cap * t->esz;
}

#endif
