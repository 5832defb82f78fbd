/* store: per-dimension counters over a sliding window of time buckets, with
 * top-N selection and a memory cap whose evictions are counted. Knows
 * nothing of terminals or output formats. */
#ifndef NFTOP_STORE_H
#define NFTOP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

enum dim {
	DIM_SRC_IP, DIM_DST_IP, DIM_SRC_PORT, DIM_DST_PORT, DIM_PROTO,
	DIM_SRC_AS, DIM_DST_AS, DIM_EXPORTER, DIM_IN_IF, DIM_OUT_IF,
	DIM_SRC_COUNTRY, DIM_DST_COUNTRY, DIM_SRC_PREFIX, DIM_DST_PREFIX,
	DIM_COUNT
};

enum sort_by { SORT_BYTES, SORT_PACKETS, SORT_FLOWS };

/* Zeroed before filling, so padding-free comparisons are exact. Addresses and
 * prefixes use 'addr' (prefix length in 'num'); numbers use 'num'; interfaces
 * use both (exporter + ifindex). Countries and AS numbers of special
 * addresses (private, documentation...) carry the enum geo_class in addr[0]. */
struct store_key {
	uint8_t addr[16];
	uint32_t num;
};

struct counters {
	uint64_t bytes, packets, flows;
};

struct store_row {
	struct store_key key;
	struct counters c;
};

struct store_opts {
	uint32_t window_s;		/* 0: everything since the start (no expiry) */
	size_t max_keys;		/* per dimension */
	uint8_t prefix4, prefix6;	/* prefix dimensions' lengths (0: 24 and 48) */
	bool split;			/* half the dimensions kept by a worker thread */
	size_t max_memory;		/* bytes the key tables may take (0: no bound) */
};

struct store;

struct store_dim_info {
	size_t keys;			/* distinct keys tracked now */
	uint64_t evicted;		/* keys evicted by the caps since the start (window buckets too) */
	struct counters other;		/* what evicted keys still hold in the window */
	size_t bytes;			/* memory of the dimension's tables (window buckets too) */
	size_t bucket_keys;		/* keys held by the window's buckets together */
};

struct store *store_new(const struct store_opts *o);
void store_free(struct store *s);
void store_add(struct store *s, const struct flow *f);
/* Moves the window's end to t (Unix ms) without adding anything. */
void store_advance(struct store *s, uint64_t t_ms);

/* Top n rows of a dimension, sorted descending (ties by key), or the bottom n
 * in ascending order when invert is set; returns the count. */
size_t store_top(const struct store *s, enum dim d, enum sort_by by, bool invert, struct store_row *out,
		 size_t n);
/* store_top of every dimension at once (out[d] holds n rows, cnt[d] gets the
 * count): with split, both threads select their own dimensions at the same time. */
void store_top_all(const struct store *s, enum sort_by by, bool invert, struct store_row *const out[DIM_COUNT],
		   size_t n, size_t cnt[DIM_COUNT]);
void store_totals(const struct store *s, struct counters *c);
void store_dim_info(const struct store *s, enum dim d, struct store_dim_info *info);
/* The time span covered: whole-input mode gives first/last flow time seen;
 * window mode gives the window's bounds. Both 0 before any flow. */
void store_span(const struct store *s, uint64_t *start_ms, uint64_t *end_ms);
/* Receive time of the first flow ever added (0 before any). */
uint64_t store_first(const struct store *s);
/* Flows that arrived older than the window and were not counted. */
uint64_t store_late(const struct store *s);

const char *dim_name(enum dim d);
bool dim_parse(const char *s, enum dim *d);
const char *sort_name(enum sort_by by);
bool sort_parse(const char *s, enum sort_by *by);

#endif
