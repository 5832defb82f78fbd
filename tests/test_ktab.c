/* ktab against a plain array of the same keys: random adds and removals
 * (which shift entries back), eviction filters, clearing; every key's counters
 * and the count of keys must agree after each phase. */
#include <stdlib.h>

#include "ktab.h"
#include "tap.h"

#define NKEYS 5000

struct ref {
	bool present;
	uint64_t bytes;
};

static struct store_key key_of(unsigned i)
{
	struct store_key k;
	memset(&k, 0, sizeof k);
	/* Few distinct high bits: many keys share home slots and probe chains. */
	k.addr[15] = (uint8_t)i;
	k.num = i >> 8;
	return k;
}

static bool agree(const struct ktab *t, const struct ref *r)
{
	size_t n = 0;
	for (unsigned i = 0; i < NKEYS; i++) {
		struct store_key k = key_of(i);
		const struct kent *e = ktab_find(t, &k, ktab_hash(&k));
		if (r[i].present != (e != NULL))
			return false;
		if (e && e->c.bytes != r[i].bytes)
			return false;
		n += r[i].present;
	}
	return n == t->n;
}

static bool keep_even(const struct kent *e, void *arg)
{
	(void)arg;
	return e->c.bytes % 2 == 0;
}

int main(void)
{
	static struct ref r[NKEYS];
	struct ktab t = { 0 };
	srand(7);
	bool good = true;
	for (int round = 0; round < 20 && good; round++) {
		for (int op = 0; op < 20000; op++) {
			unsigned i = (unsigned)rand() % NKEYS;
			struct store_key k = key_of(i);
			uint32_t h = ktab_hash(&k);
			if (rand() % 3) {
				bool added;
				struct kent *e = ktab_get(&t, &k, h, &added);
				if (added != !r[i].present)
					good = false;
				uint64_t b = (uint64_t)rand() % 1000;
				e->c.bytes += b;
				r[i].present = true;
				r[i].bytes += b;
			} else {
				struct kent *e = ktab_find(&t, &k, h);
				if ((e != NULL) != r[i].present)
					good = false;
				if (e)
					ktab_del(&t, e);
				r[i].present = false;
				r[i].bytes = 0;
			}
		}
		good = good && agree(&t, r);
	}
	ok(good, "20 rounds of 20000 random adds and removals agree with the reference");
	ktab_filter(&t, keep_even, NULL);
	for (unsigned i = 0; i < NKEYS; i++)
		if (r[i].present && r[i].bytes % 2) {
			r[i].present = false;
			r[i].bytes = 0;
		}
	ok(agree(&t, r), "a filter keeps exactly the entries it accepts");
	ok(t.cap && t.n * 4 <= t.cap * 3, "at most 3/4 full");
	ktab_resize(&t, t.n * 4 / 3 + 7);	/* any size, not a power of two */
	ok(agree(&t, r), "resized to %zu slots (not a power of two), every entry still found", t.cap);
	for (unsigned i = 0; i < NKEYS; i += 3) {
		struct store_key k = key_of(i);
		bool added;
		ktab_get(&t, &k, ktab_hash(&k), &added)->c.bytes += 2;
		r[i].present = true;
		r[i].bytes += 2;
	}
	ok(agree(&t, r), "adds after the resize (growing from an odd size) agree");
	for (unsigned i = 0; i < NKEYS; i += 2) {
		struct store_key k = key_of(i);
		struct kent *e = ktab_find(&t, &k, ktab_hash(&k));
		if (e) {
			ktab_del(&t, e);
			r[i].present = false;
			r[i].bytes = 0;
		}
	}
	ok(agree(&t, r), "removals in an odd-sized table (wrapping clusters) agree");
	ktab_clear(&t);
	memset(r, 0, sizeof r);
	ok(agree(&t, r) && t.n == 0, "cleared");
	ktab_free(&t);
	struct store_key z;
	memset(&z, 0, sizeof z);
	ok(ktab_hash(&z) != 0, "no key hashes to the empty mark");
	return done_testing();
}
