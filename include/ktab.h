/* ktab: the store's key -> counters table. Open addressing with linear
 * probing and entries held inline (48 bytes each), so an update touches one
 * cache line and a key costs no pointer chasing and no allocation. Removal
 * shifts later entries back, so no tombstones build up. */
#ifndef NFTOP_KTAB_H
#define NFTOP_KTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

uint32_t ktab_hash(const struct store_key *k);
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
/* Brings the slot a key hashes to into the cache ahead of use. */
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
size_t ktab_bytes(const struct ktab *t);

#endif
