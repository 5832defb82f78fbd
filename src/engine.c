#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerting.h"
#include "engine.h"
#include "enrich.h"
#include "flowring.h"
#include "ingest.h"
#include "log.h"
#include "xmem.h"

#define PUBLISH_MS 250

struct engine {
	const struct conf *c;
	pthread_t th;
	pthread_mutex_t mu;

	/* Requests from the screen and the published snapshot: under mu. */
	struct {
		bool filter_set, window_set, dirty;
		struct filter *filter;
		uint32_t window_s;
		enum sort_by sort;
		bool invert;
		size_t rows;
		double speed;
		bool paused;
	} req;
	struct snap *snap;		/* newest, not yet taken */
	uint64_t seq;

	atomic_int stop;

	/* Owned by the ingest thread. */
	struct ingest in;
	struct decoder *dec;
	struct geo *geo;
	struct alerting *al;
	struct store *all, *view;	/* view: NULL when no filter */
	struct filter *filter;
	struct flowring *ring;
	uint32_t window_s;
	enum sort_by sort;
	bool invert;
	size_t rows;
	bool paused, done, partial;
	uint64_t history_from_ms;
	uint64_t last_pub;
	uint64_t spark[SNAP_SPARK];
	uint64_t spark_sec;		/* input second of spark[SNAP_SPARK - 1] */
	uint64_t bytes_total;		/* of every -r file, for progress */
};

static void spark_add(struct engine *e, uint64_t t_ms, uint64_t bytes)
{
	uint64_t sec = t_ms / 1000;
	if (sec > e->spark_sec) {
		uint64_t shift = sec - e->spark_sec;
		if (shift >= SNAP_SPARK || !e->spark_sec) {
			memset(e->spark, 0, sizeof e->spark);
		} else {
			memmove(e->spark, e->spark + shift, (SNAP_SPARK - shift) * sizeof e->spark[0]);
			memset(e->spark + SNAP_SPARK - shift, 0, shift * sizeof e->spark[0]);
		}
		e->spark_sec = sec;
	}
	uint64_t back = e->spark_sec - sec;
	if (back < SNAP_SPARK)
		e->spark[SNAP_SPARK - 1 - back] += bytes;
}

static void view_sink(void *arg, const struct flow *f)
{
	struct engine *e = arg;
	if (filter_match(e->filter, f))
		store_add(e->view, f);
}

static void all_sink(void *arg, const struct flow *f)
{
	struct engine *e = arg;
	store_add(e->all, f);
}

static void engine_sink(void *arg, const struct flow *f0)
{
	struct engine *e = arg;
	struct flow f = *f0;
	enrich_flow(e->geo, &f);
	flowring_push(e->ring, &f);
	store_add(e->all, &f);
	if (e->view)
		view_sink(e, &f);
	spark_add(e, f.recv_ms, f.bytes);
	alerting_flow(e->al, &f);
}

static struct store *new_store(const struct engine *e, bool split)
{
	struct store_opts o = { e->window_s, e->c->max_keys, e->c->prefix4, e->c->prefix6, split, conf_table_memory(e->c) };
	return store_new(&o);
}

/* Rebuilds the aggregates from the history after a window or filter change. */
static void rebuild(struct engine *e, bool all_too)
{
	uint64_t now = e->in.input_ms;
	uint64_t since = e->window_s && now > (uint64_t)e->window_s * 1000 ? now - (uint64_t)e->window_s * 1000 : 0;
	if (all_too) {
		store_free(e->all);
		e->all = new_store(e, conf_split_store(e->c));
		e->in.store = e->all;
		e->history_from_ms = flowring_replay(e->ring, since, all_sink, e);
		store_advance(e->all, now);
	}
	store_free(e->view);
	e->view = NULL;
	if (e->filter) {
		e->view = new_store(e, false);
		e->history_from_ms = flowring_replay(e->ring, since, view_sink, e);
		store_advance(e->view, now);
	}
	/* The history may not reach back over the whole window (or the input). */
	e->partial = flowring_wrapped(e->ring) && (!e->window_s || e->history_from_ms > since);
}

static void publish(struct engine *e)
{
	struct source_stats st;
	ingest_source_stats(&e->in, &st);
	const struct store *shown = e->view ? e->view : e->all;
	struct snap *sn = snap_build(shown, e->dec, &st, e->sort, e->invert, e->rows, e->window_s, e->geo);
	store_totals(e->all, &sn->total_all);
	sn->input_ms = e->in.input_ms;
	memcpy(sn->spark, e->spark, sizeof sn->spark);
	snprintf(sn->source, sizeof sn->source, "%s", e->in.cur_name);
	sn->live = e->c->nread == 0;
	if (!sn->live) {
		uint64_t total = e->bytes_total ? e->bytes_total : 1;
		sn->progress = e->done ? 1.0 : (double)st.bytes_done / (double)total;
		if (sn->progress > 1)
			sn->progress = 1;
	}
	sn->speed = e->in.speed;
	alerting_snap(e->al, sn);
	sn->paused = e->paused;
	sn->done = e->done;
	sn->partial = e->partial;
	sn->history_from_ms = e->history_from_ms;
	snprintf(sn->filter, sizeof sn->filter, "%s", e->filter ? filter_text(e->filter) : "");
	if (!e->window_s && !sn->live) {
		/* Whole input: the span of what was read so far. */
		store_span(e->all, &sn->start_ms, &sn->end_ms);
	}
	pthread_mutex_lock(&e->mu);
	sn->seq = ++e->seq;
	snap_free(e->snap);
	e->snap = sn;
	pthread_mutex_unlock(&e->mu);
	e->last_pub = ingest_mono_ms();
}

/* Takes the screen's requests; returns true when something changed. */
static bool take_requests(struct engine *e)
{
	pthread_mutex_lock(&e->mu);
	bool dirty = e->req.dirty;
	bool filter_set = e->req.filter_set, window_set = e->req.window_set;
	struct filter *f = e->req.filter;
	uint32_t w = e->req.window_s;
	e->sort = e->req.sort;
	e->invert = e->req.invert;
	e->rows = e->req.rows;
	double speed = e->req.speed;
	bool paused = e->req.paused;
	e->req.filter_set = e->req.window_set = e->req.dirty = false;
	e->req.filter = NULL;
	pthread_mutex_unlock(&e->mu);
	if (!dirty)
		return false;
	if (speed != e->in.speed || paused != e->paused) {
		e->in.speed = speed;
		e->paused = paused;
		ingest_repace(&e->in);
	}
	if (window_set && w != e->window_s) {
		e->window_s = w;
		if (filter_set) {
			filter_free(e->filter);
			e->filter = f;
		}
		rebuild(e, true);
	} else if (filter_set) {
		filter_free(e->filter);
		e->filter = f;
		rebuild(e, false);
	}
	return true;
}

static void hook(void *arg, struct ingest *in)
{
	struct engine *e = arg;
	bool changed = take_requests(e);
	/* A paused replay holds here; the screen keeps getting snapshots. */
	while (e->paused && !e->stop) {
		if (changed || ingest_mono_ms() - e->last_pub >= PUBLISH_MS)
			publish(e);
		usleep(20000);
		changed = take_requests(e);
	}
	if (e->stop)
		*in->stop = 1;
	if (e->view)
		store_advance(e->view, in->input_ms);
	/* Live, quiet seconds still close alert ticks. */
	if (e->c->nread == 0)
		alerting_tick(e->al, in->input_ms);
	if (changed || ingest_mono_ms() - e->last_pub >= PUBLISH_MS)
		publish(e);
}

static void *run(void *arg)
{
	struct engine *e = arg;
	ingest_run(&e->in);
	e->done = true;
	publish(e);
	/* The input is over; the screen may still change its filter or window. */
	while (!e->stop) {
		if (take_requests(e))
			publish(e);
		usleep(20000);
	}
	return NULL;
}

struct engine *engine_start(const struct conf *c, char **cause)
{
	struct engine *e = xcalloc(1, sizeof *e);
	e->c = c;
	pthread_mutex_init(&e->mu, NULL);
	e->window_s = c->window_s;
	e->sort = c->sort;
	e->rows = 100;
	e->req.window_s = c->window_s;
	e->req.sort = c->sort;
	e->req.rows = e->rows;
	e->req.speed = c->speed;
	struct decode_opts dopts;
	decode_opts_default(&dopts);
	dopts.no_scale = c->no_scale;
	e->dec = decoder_new(&dopts);
	e->al = alerting_open(c, cause);
	if (*cause) {
		engine_stop(e);
		return NULL;
	}
	e->geo = enrich_open(c, true);
	if (!e->geo) {
		*cause = xstrdup("--strict: a named GeoIP database cannot be read");
		engine_stop(e);
		return NULL;
	}
	e->ring = flowring_new(c->history);
	e->all = new_store(e, conf_split_store(e->c));
	ingest_init(&e->in, c, e->dec, e->all, NULL, NULL, &e->stop);
	e->in.sink = engine_sink;
	e->in.sink_arg = e;
	e->in.hook = hook;
	e->in.hook_arg = e;
	for (size_t i = 0; i < c->nread; i++) {
		FILE *f = fopen(c->read[i], "rb");
		if (f) {
			fseek(f, 0, SEEK_END);
			long n = ftell(f);
			if (n > 0)
				e->bytes_total += (uint64_t)n;
			fclose(f);
		}
	}
	if (!c->nread && ingest_open_live(&e->in) < 0) {
		char line[LOG_LINE];
		log_last(line, sizeof line, NULL);
		*cause = xstrdup(line);
		engine_stop(e);
		return NULL;
	}
	publish(e);
	if (pthread_create(&e->th, NULL, run, e) != 0) {
		*cause = xstrdup("cannot start the ingest thread");
		engine_stop(e);
		return NULL;
	}
	return e;
}

void engine_stop(struct engine *e)
{
	if (!e)
		return;
	e->stop = 1;
	if (e->th)
		pthread_join(e->th, NULL);
	if (e->in.cur)
		source_close(e->in.cur);	/* opened, but the thread never ran */
	ingest_free(&e->in);
	snap_free(e->snap);
	filter_free(e->req.filter);
	filter_free(e->filter);
	store_free(e->all);
	store_free(e->view);
	flowring_free(e->ring);
	decoder_free(e->dec);
	geo_free(e->geo);
	alerting_close(e->al);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

struct snap *engine_snapshot(struct engine *e, uint64_t *seq)
{
	struct snap *sn = NULL;
	pthread_mutex_lock(&e->mu);
	if (e->snap && e->snap->seq > *seq) {
		sn = e->snap;
		e->snap = NULL;
		*seq = sn->seq;
	}
	pthread_mutex_unlock(&e->mu);
	return sn;
}

void engine_set_filter(struct engine *e, struct filter *f)
{
	pthread_mutex_lock(&e->mu);
	filter_free(e->req.filter);
	e->req.filter = f;
	e->req.filter_set = e->req.dirty = true;
	pthread_mutex_unlock(&e->mu);
}

void engine_set_window(struct engine *e, uint32_t seconds)
{
	pthread_mutex_lock(&e->mu);
	e->req.window_s = seconds;
	e->req.window_set = e->req.dirty = true;
	pthread_mutex_unlock(&e->mu);
}

void engine_set_sort(struct engine *e, enum sort_by by, bool invert)
{
	pthread_mutex_lock(&e->mu);
	e->req.sort = by;
	e->req.invert = invert;
	e->req.dirty = true;
	pthread_mutex_unlock(&e->mu);
}

void engine_set_speed(struct engine *e, double speed)
{
	pthread_mutex_lock(&e->mu);
	e->req.speed = speed;
	e->req.dirty = true;
	pthread_mutex_unlock(&e->mu);
}

void engine_set_paused(struct engine *e, bool paused)
{
	pthread_mutex_lock(&e->mu);
	e->req.paused = paused;
	e->req.dirty = true;
	pthread_mutex_unlock(&e->mu);
}

void engine_set_rows(struct engine *e, size_t rows)
{
	pthread_mutex_lock(&e->mu);
	e->req.rows = rows ? rows : 1;
	e->req.dirty = true;
	pthread_mutex_unlock(&e->mu);
}
