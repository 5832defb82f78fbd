/* snap: an immutable picture of the aggregates at one moment — totals,
 * sorted top-N per dimension, exporter and input counters. Output and the
 * UI only ever read snapshots. */
#ifndef NFTOP_SNAP_H
#define NFTOP_SNAP_H

#include "decode.h"
#include "source.h"
#include "store.h"

struct snap_dim {
	size_t n;
	struct store_row *rows;
	struct store_dim_info info;
};

struct snap {
	uint64_t start_ms, end_ms;	/* span covered */
	uint32_t window_s;		/* 0: the whole input */
	uint32_t seconds;		/* length used for rates */
	enum sort_by sort;
	struct counters total;
	struct snap_dim dim[DIM_COUNT];
	size_t nexp;
	struct exporter_stats *exp;
	struct decoder_stats dec;
	struct source_stats src;
	uint64_t late;
};

struct snap *snap_build(const struct store *s, const struct decoder *d, const struct source_stats *src,
			enum sort_by by, size_t topn, uint32_t window_s);
void snap_free(struct snap *sn);

#endif
