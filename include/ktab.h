/* ktab: the store's key -> counters table. Open addressing with linear
 * probing and entries held inline (48 bytes each), so an update touches one
 * cache line and a key costs no pointer chasing and no allocation. Removal
 * shifts later entries back, so no tombstones build up. */
#ifndef NFTOP_KTAB_H
#define NFTOP_KTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store.h"

struct kent {
	struct store_key key;
	uint32_t hash;			/* 0: empty slot */
	struct counters c;
};

struct ktab {
	struct kent *slot;		/* cap slots, any number of them (or NULL) */
	size_t cap, n;
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
/* The bytes the table would take once grown, if adding one key grows it;
 * else 0. (While it grows, the old slots are still held as well.) */
static inline size_t ktab_growth(const struct ktab *t)
{
	if ((t->n + 1) * 4 <= t->cap * 3)
		return 0;
	return (t->cap ? t->cap * 2 : KTAB_MIN) * sizeof(struct kent);
}
/* A key's first slot: the hash scaled to the capacity (multiply and shift),
 * so a table can have any size, not only powers of two, and fill a memory
 * bound closely. */
static inline size_t ktab_home(const struct ktab *t, uint32_t h)
{
	return (size_t)(((uint64_t)h * t->cap) >> 32);
}
/* Brings the slot a key hashes to into the cache ahead of use. (Asking for
 * an entry's second cache line as well measured slower.) */
static inline void ktab_prefetch(const struct ktab *t, uint32_t h)
{
	if (t->slot)
		__builtin_prefetch(&t->slot[ktab_home(t, h)], 1, 1);
}
struct kent *ktab_find(const struct ktab *t, const struct store_key *k, uint32_t h);
/* The entry of k, added with zero counters if new (*added says so). */
struct kent *ktab_get(struct ktab *t, const struct store_key *k, uint32_t h, bool *added);
void ktab_del(struct ktab *t, struct kent *e);
/* Moves the entries into a table of ncap slots (at least n * 4 / 3). */
void ktab_resize(struct ktab *t, size_t ncap);
/* Keeps only the entries keep() accepts, in one pass. */
void ktab_filter(struct ktab *t, bool (*keep)(const struct kent *e, void *arg), void *arg);
void ktab_clear(struct ktab *t);
void ktab_free(struct ktab *t);
static inline size_t ktab_bytes(const struct ktab *t)
{
	return t->cap * sizeof *t->slot;
}

#endif
