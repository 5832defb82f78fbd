/* alert: spike, new-heavy-hitter and absolute-threshold detection over ticks of
 * input time (1 s each). Pure: no I/O, no threads, no clock; fed flows and
 * time, it produces start/end events. Memory is fixed at alert_new(). */
#ifndef NFTOP_ALERT_H
#define NFTOP_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "store.h"

struct alert_opts {
	double k;		/* start when rate > mean + k*sigma (default 4) */
	double k_end;		/* end when rate < mean + k_end*sigma (default 2) */
	uint64_t min_bps;	/* and the rate exceeds this floor, bits/s (default 1e6), totals and keys */
	uint32_t start_ticks;	/* consecutive ticks over the threshold to start (default 2) */
	uint32_t end_ticks;	/* consecutive ticks under to end (default 3) */
	uint32_t warmup;	/* ticks of learning before a series may alert (default 30) */
	double alpha;		/* EWMA weight (default 0.1) */
	double new_share;	/* new heavy hitter: untracked key over this share of the tick's bytes (0.3) */
	size_t keys;		/* keys tracked per dimension (bounded; default 64) */
};

enum alert_kind { ALERT_SPIKE, ALERT_NEW_HEAVY, ALERT_THRESHOLD };

struct alert_event {
	uint64_t id;		/* same id for the start and the end of one alert */
	bool end;		/* false: started; true: ended */
	enum alert_kind kind;
	int dim;		/* enum dim, or -1 for the total */
	struct store_key key;	/* as the store builds it; zero for the total */
	char metric[8];		/* "bps", "pps", "fps" */
	double observed;	/* start: rate of the tick that started it; end/active: the peak */
	double baseline;	/* spike: frozen EWMA mean; new heavy: 0; threshold: the limit */
	double factor;		/* observed / baseline (0 if baseline 0) */
	uint64_t start_ms;	/* input time: start of the first tick over the threshold */
	uint64_t end_ms;	/* start of the first tick back under (0 while active) */
};

struct alert_dim_info {
	size_t tracked;		/* keys with a baseline now (<= opts.keys) */
	size_t candidates;	/* keys in this tick's heavy-hitter sketch (<= opts.keys) */
	uint64_t evicted;	/* tracked keys dropped (idle, or displaced by bigger ones) */
};

struct alert;

void alert_opts_default(struct alert_opts *o);
struct alert *alert_new(const struct alert_opts *o);
void alert_free(struct alert *a);

/* Absolute thresholds, "DIM [KEY] METRIC>VALUE": DIM is src_ip, dst_ip,
 * dst_port, proto or total; KEY an address or prefix for the IP dimensions, a
 * number for dst_port and proto; METRIC bps|pps|fps (per second over one
 * tick); VALUE a number with an optional k/m/g suffix (powers of 1000).
 * Each key matching KEY is tested on its own ("dst_ip 10.0.0.0/8 pps>1000"
 * fires for any one address in 10/8 over 1000 pps). Returns ERR_OK, or an
 * error with *cause set to a malloc'd "column N: ..." message. */
int alert_add_threshold(struct alert *a, const char *spec, char **cause);

/* Adds a flow at its receive time; moves time forward first if needed. Flows
 * older than the open tick count in the open tick. O(1) hash work plus an
 * O(log keys) heap step; never allocates. */
void alert_add(struct alert *a, const struct flow *f);
/* Moves input time to t_ms: closes and evaluates every tick before it. Gaps
 * longer than 3600 ticks evaluate 3600 empty ticks and jump the rest. */
void alert_advance(struct alert *a, uint64_t t_ms);

/* Events produced since the last call, oldest first (copied up to max; the
 * rest stay queued). The queue holds 1024; older ones are dropped, counted. */
size_t alert_take(struct alert *a, struct alert_event *out, size_t max);
/* Alerts active now, oldest first. */
size_t alert_active(const struct alert *a, struct alert_event *out, size_t max);
/* The last 256 events, newest first. */
size_t alert_history(const struct alert *a, struct alert_event *out, size_t max);
/* Events dropped because nobody took them in time. */
uint64_t alert_dropped(const struct alert *a);
/* False for a dimension that is not watched. */
bool alert_dim_info(const struct alert *a, enum dim d, struct alert_dim_info *info);

const char *alert_kind_name(enum alert_kind k);
/* One JSON object (no newline) for the alert log; key_text is the caller's
 * rendering of the key (escaped here). Returns the length, or ERR_LIMIT if
 * it did not fit in len. */
int alert_json(const struct alert_event *e, const char *key_text, char *buf, size_t len);

#endif
