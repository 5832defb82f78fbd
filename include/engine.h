/* engine: the ingest thread for the screen. It reads the inputs, keeps the
 * aggregates (all traffic, and the traffic the screen's filter selects), and
 * publishes an immutable snapshot a few times a second. The screen sends it
 * requests and takes snapshots; neither ever waits for the other's work. */
#ifndef NFTOP_ENGINE_H
#define NFTOP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "filter.h"
#include "snap.h"

struct engine;

struct engine *engine_start(const struct conf *c, char **cause);
/* Stops the thread and frees everything (snapshots taken stay the caller's). */
void engine_stop(struct engine *e);

/* The newest snapshot if it is newer than *seq (then *seq is updated and the
 * caller owns it, free with snap_free), else NULL. */
struct snap *engine_snapshot(struct engine *e, uint64_t *seq);

/* Requests, applied by the ingest thread between datagrams. */
void engine_set_filter(struct engine *e, struct filter *f);	/* takes f; NULL = none */
void engine_set_window(struct engine *e, uint32_t seconds);
void engine_set_sort(struct engine *e, enum sort_by by, bool invert);
void engine_set_speed(struct engine *e, double speed);
void engine_set_paused(struct engine *e, bool paused);
/* Rows per dimension in each snapshot. */
void engine_set_rows(struct engine *e, size_t rows);

#endif
