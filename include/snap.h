/* snap: an immutable picture of the aggregates at one moment — totals,
 * sorted top-N per dimension, exporter and input counters. Output and the
 * UI only ever read snapshots. */
#ifndef NFTOP_SNAP_H
#define NFTOP_SNAP_H

#include "decode.h"
#include "source.h"
#include "store.h"

#define SNAP_SPARK 60
#define SNAP_ALERTS 64

#include "alert.h"

#define SNAP_LABEL 48

struct snap_dim {
	size_t n;
	struct store_row *rows;
	char (*label)[SNAP_LABEL];	/* per row, e.g. an AS organisation; NULL when none */
	struct store_dim_info info;
};

struct snap {
	uint64_t start_ms, end_ms;	/* span covered */
	uint32_t window_s;		/* 0: the whole input */
	uint32_t seconds;		/* length used for rates */
	enum sort_by sort;
	bool invert;
	struct counters total;
	struct snap_dim dim[DIM_COUNT];
	size_t nexp;
	struct exporter_stats *exp;
	struct decoder_stats dec;
	struct source_stats src;
	uint64_t late;

	/* Filled by the engine for the screen; zero in batch mode. */
	struct counters total_all;	/* the window without the filter */
	uint64_t input_ms;		/* input time of the newest datagram */
	uint64_t spark[SNAP_SPARK];	/* bytes per second of input time, oldest first */
	char source[256];		/* file being replayed, or listening addresses */
	double progress;		/* replay: 0..1 of the bytes of all files */
	double speed;			/* replay speed in force */
	bool live, paused, done;	/* done: the replay reached its end */
	bool partial;			/* rebuilt after a change from a history that */
	uint64_t history_from_ms;	/* ... starts later than the window */
	char filter[512];		/* the filter in force, "" for none */
	bool geo_country, geo_asn;	/* databases loaded */
	char geo_desc[512];		/* what was loaded: path, type, build date, a line each */
	bool alerts_on;
	uint64_t alerts_started;	/* alerts started since the start (for the bell) */
	size_t nactive, nhistory;	/* alerts active now; events kept, newest first */
	struct alert_event active[SNAP_ALERTS], history[SNAP_ALERTS];
	uint64_t seq;			/* increases with every published snapshot */
};

struct geo;
/* geo (may be NULL) names the AS rows; it belongs to the calling thread. */
struct snap *snap_build(const struct store *s, const struct decoder *d, const struct source_stats *src,
			enum sort_by by, bool invert, size_t topn, uint32_t window_s, const struct geo *geo);
void snap_free(struct snap *sn);

#endif
