/* ktab against a plain array of the same keys: random adds and removals
 * (which shift entries back), eviction filters, clearing; every key's counters
 * and the count of keys must agree after each phase. Run once per entry
 * form: whole keys, IPv4 addresses, numbers, and IPv4 addresses joined by
 * IPv6 ones partway (the table widens with its entries in it). */
#include <stdlib.h>

#include "ktab.h"
#include "tap.h"

#define NKEYS 5000

struct ref {
	bool present;
	uint64_t bytes;
};

enum mode { WIDE, V4, NUM, MIXED };
static enum mode mode;
static const char *const mode_name[] = { "whole keys", "IPv4 addresses", "numbers", "IPv4 then IPv6 addresses" };

static struct store_key key_of(unsigned i)
{
	struct store_key k;
	memset(&k, 0, sizeof k);
	switch (mode) {
	case WIDE:
		/* Few distinct high bits: many keys share home slots and probe chains. */
		k.addr[15] = (uint8_t)i;
		k.num = i >> 8;
		break;
	case MIXED:
		if (i >= NKEYS / 2) {
			k.addr[0] = 0x20;
			k.addr[1] = 0x01;
			k.addr[14] = (uint8_t)(i >> 8);
			k.addr[15] = (uint8_t)i;
			break;
		}
		/* fall through */
	case V4:
		k.addr[10] = k.addr[11] = 0xff;
		k.addr[12] = 10;
		k.addr[14] = (uint8_t)(i >> 8);
		k.addr[15] = (uint8_t)i;
		k.num = 24;
		break;
	case NUM:
		k.num = i * 7;
		break;
	}
	return k;
}

static bool agree(const struct ktab *t, const struct ref *r)
{
	size_t n = 0;
	for (unsigned i = 0; i < NKEYS; i++) {
		struct store_key k = key_of(i);
		const struct counters *e = ktab_find(t, &k, ktab_hash(&k));
		if (r[i].present != (e != NULL))
			return false;
		if (e && e->bytes != r[i].bytes)
			return false;
		n += r[i].present;
	}
	return n == t->n;
}

static bool keep_even(const struct store_key *k, uint32_t h, const struct counters *c, void *arg)
{
	(void)arg;
	(void)k;
	(void)h;
	return c->bytes % 2 == 0;
}

/* Whether every key in the table has the entry form expected of the mode. */
static bool form_is(const struct ktab *t, bool widened)
{
	static const uint8_t want[] = { KF_WIDE, KF_V4, KF_NUM, KF_V4 };
	uint8_t f = widened ? KF_WIDE : want[mode];
	return t->form == f && ktab_bytes(t) == t->cap * (f == KF_WIDE ? 48 : 32);
}

static void run(void)
{
	static struct ref r[NKEYS];
	memset(r, 0, sizeof r);
	struct ktab t = { 0 };
	srand(7);
	bool good = true, narrow_seen = false;
	for (int round = 0; round < 20 && good; round++) {
		if (round == 10 && mode == MIXED)
			narrow_seen = form_is(&t, false);
		for (int op = 0; op < 20000; op++) {
			/* MIXED: only IPv4 keys in the first ten rounds. */
			unsigned i = (unsigned)rand() % (mode == MIXED && round < 10 ? NKEYS / 2 : NKEYS);
			struct store_key k = key_of(i);
			uint32_t h = ktab_hash(&k);
			if (rand() % 3) {
				bool added;
				struct counters *e = ktab_get(&t, &k, h, &added);
				if (added != !r[i].present)
					good = false;
				uint64_t b = (uint64_t)rand() % 1000;
				e->bytes += b;
				r[i].present = true;
				r[i].bytes += b;
			} else {
				struct counters *e = ktab_find(&t, &k, h);
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
	ok(good, "%s: 20 rounds of 20000 random adds and removals agree with the reference", mode_name[mode]);
	if (mode == MIXED)
		ok(narrow_seen && form_is(&t, true), "%s: narrow entries while all keys were IPv4, wide after", mode_name[mode]);
	else
		ok(form_is(&t, false), "%s: entries of %zu bytes", mode_name[mode], ktab_bytes(&t) / t.cap);
	ktab_filter(&t, keep_even, NULL);
	for (unsigned i = 0; i < NKEYS; i++)
		if (r[i].present && r[i].bytes % 2) {
			r[i].present = false;
			r[i].bytes = 0;
		}
	ok(agree(&t, r), "%s: a filter keeps exactly the entries it accepts", mode_name[mode]);
	ok(t.cap && t.n * 4 <= t.cap * 3, "%s: at most 3/4 full", mode_name[mode]);
	ktab_resize(&t, t.n * 4 / 3 + 7);	/* any size, not a power of two */
	ok(agree(&t, r), "%s: resized to %zu slots (not a power of two), every entry still found", mode_name[mode], t.cap);
	for (unsigned i = 0; i < NKEYS; i += 3) {
		struct store_key k = key_of(i);
		bool added;
		ktab_get(&t, &k, ktab_hash(&k), &added)->bytes += 2;
		r[i].present = true;
		r[i].bytes += 2;
	}
	ok(agree(&t, r), "%s: adds after the resize (growing from an odd size) agree", mode_name[mode]);
	for (unsigned i = 0; i < NKEYS; i += 2) {
		struct store_key k = key_of(i);
		struct counters *e = ktab_find(&t, &k, ktab_hash(&k));
		if (e) {
			ktab_del(&t, e);
			r[i].present = false;
			r[i].bytes = 0;
		}
	}
	ok(agree(&t, r), "%s: removals in an odd-sized table (wrapping clusters) agree", mode_name[mode]);
	/* Every slot's key read back is a key of the reference. */
	size_t back = 0;
	for (size_t j = 0; j < t.cap; j++) {
		if (!ktab_hash_at(&t, j))
			continue;
		struct store_key k;
		ktab_key_at(&t, j, &k);
		const struct counters *c = ktab_find(&t, &k, ktab_hash(&k));
		back += c == ktab_counters_at(&t, j);
	}
	ok(back == t.n, "%s: each of the %zu keys read back from its slot finds that slot", mode_name[mode], t.n);
	ktab_clear(&t);
	memset(r, 0, sizeof r);
	ok(agree(&t, r) && t.n == 0, "%s: cleared", mode_name[mode]);
	ktab_free(&t);
}

int main(void)
{
	for (mode = WIDE; mode <= MIXED; mode++)
		run();
	struct store_key z;
	memset(&z, 0, sizeof z);
	ok(ktab_hash(&z) != 0, "no key hashes to the empty mark");
	return done_testing();
}
