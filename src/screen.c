#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "canvas.h"
#include "engine.h"
#include "err.h"
#include "filter.h"
#include "log.h"
#include "screen.h"
#include "term.h"
#include "theme.h"
#include "view.h"

#include "config.h"

#define FRAME_MS 100

struct screen {
	const struct conf *c;
	struct engine *e;
	struct ui_state u;
	struct snap *sn;
	uint64_t seq;
	struct canvas *cv;
	bool utf8;
	struct services *svc;
	uint64_t log_seen;
};

/* Composes drill-downs and the filter and hands them to the engine; a bad
 * expression reopens the prompt with the column of the error. */
static void apply_filter(struct screen *s)
{
	char expr[4096], *cause = NULL;
	int col = 0;
	ui_filter_expr(&s->u, expr, sizeof expr);
	if (!expr[0]) {
		engine_set_filter(s->e, NULL);
		return;
	}
	struct filter *f = filter_parse(expr, &cause, &col);
	if (f) {
		engine_set_filter(s->e, f);
		s->u.prompt_err[0] = '\0';
		return;
	}
	/* Only the user's part can be wrong; its column is counted from its own start. */
	char drills[4096];
	struct ui_state tmp = s->u;
	tmp.filter[0] = '\0';
	ui_filter_expr(&tmp, drills, sizeof drills);
	int offset = drills[0] ? (int)strlen(drills) + 6 : 1;	/* " and (" or "(" */
	snprintf(s->u.prompt_err, sizeof s->u.prompt_err, "%s", cause ? cause : "bad expression");
	s->u.err_col = col - offset > 0 ? col - offset : 1;
	s->u.prompt = true;
	snprintf(s->u.input, sizeof s->u.input, "%s", s->u.filter);
	s->u.cursor = s->u.err_col - 1 < (int)strlen(s->u.input) ? s->u.err_col - 1 : (int)strlen(s->u.input);
	s->u.filter[0] = '\0';
	free(cause);
}

static void export(struct screen *s, enum out_format fmt)
{
	char path[256], ts[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
	snprintf(path, sizeof path, "nftop-%s.%s", ts, fmt == OUT_JSON ? "json" : "csv");
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(path, sizeof path, "%s/nftop-%s.%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", ts,
			 fmt == OUT_JSON ? "json" : "csv");
		f = fopen(path, "w");
	}
	if (!f) {
		snprintf(s->u.status, sizeof s->u.status, "export failed: %s: %s", path, strerror(errno));
		return;
	}
	batch_print(f, s->sn, fmt, true);
	if (fclose(f) != 0)
		snprintf(s->u.status, sizeof s->u.status, "export failed: %s: %s", path, strerror(errno));
	else
		snprintf(s->u.status, sizeof s->u.status, "exported the view to %s", path);
}

static void effects(struct screen *s, const struct ui_effect *fx)
{
	if (fx->filter)
		apply_filter(s);
	if (fx->window)
		engine_set_window(s->e, s->u.window_s);
	if (fx->sort)
		engine_set_sort(s->e, ui_sort_by(&s->u), s->u.invert);
	if (fx->speed && !s->sn->live) {
		double sp = s->sn->speed;
		if (sp <= 0)
			sp = fx->speed_factor < 1 ? 64 : 0;	/* from "as fast as possible" */
		else
			sp *= fx->speed_factor;
		if (sp > 4096)
			sp = 0;
		if (sp > 0 && sp < 1.0 / 64)
			sp = 1.0 / 64;
		engine_set_speed(s->e, sp);
	}
	if (fx->pause && !s->sn->live)
		engine_set_paused(s->e, !s->sn->paused);
	if (fx->export_csv)
		export(s, OUT_CSV);
	if (fx->export_json)
		export(s, OUT_JSON);
}

static void take_snapshot(struct screen *s)
{
	if (s->u.frozen)
		return;
	struct snap *n = engine_snapshot(s->e, &s->seq);
	if (!n)
		return;
	if (s->c->bell && s->sn && n->alerts_started > s->sn->alerts_started)
		term_bell();
	snap_free(s->sn);
	s->sn = n;
	ui_follow(&s->u, s->sn);
}

/* A new error from the ingest thread is shown once in the status line. */
static void show_errors(struct screen *s)
{
	char line[LOG_LINE];
	enum log_level lv;
	uint64_t seq = log_last(line, sizeof line, &lv);
	if (seq != s->log_seen) {
		s->log_seen = seq;
		if (lv >= LOG_WARN)
			snprintf(s->u.status, sizeof s->u.status, "%s", line);
	}
}

static void resize(struct screen *s)
{
	int w, h;
	term_size(&w, &h);
	if (s->cv && s->cv->w == w && s->cv->h == h)
		return;
	canvas_free(s->cv);
	s->cv = canvas_new(w, h, s->utf8);
}

int screen_run(const struct conf *c, atomic_int *stop)
{
	struct screen s;
	char *cause = NULL;
	memset(&s, 0, sizeof s);
	s.c = c;

	struct theme th;
	const char *dirs[] = { NFTOP_THEMEDIR, "themes", NULL };
	if (theme_load(&th, c->theme ? c->theme : "dark", dirs, &cause) < 0) {
		fprintf(stderr, "nftop: %s\n", cause);
		free(cause);
		return 2;
	}
	struct filter *f0 = NULL;
	if (c->filter && !(f0 = filter_parse(c->filter, &cause, &(int){ 0 }))) {
		fprintf(stderr, "nftop: --filter: %s\n", cause);
		free(cause);
		return 2;
	}
	filter_free(f0);

	uint32_t window = c->window_s ? c->window_s : 60;
	struct conf ec = *c;
	ec.window_s = window;
	log_to_stderr(0);
	s.e = engine_start(&ec, &cause);
	if (!s.e) {
		log_to_stderr(1);
		fprintf(stderr, "nftop: %s\n", cause);
		free(cause);
		return 1;
	}
	ui_init(&s.u, window, c->sort);
	if (c->filter) {
		snprintf(s.u.filter, sizeof s.u.filter, "%s", c->filter);
	}
	if (!term_start(&th, &s.utf8, &cause)) {
		engine_stop(s.e);
		log_to_stderr(1);
		fprintf(stderr, "nftop: %s\n", cause);
		free(cause);
		return 1;
	}
	s.svc = services_load(NULL);
	if (c->filter)
		apply_filter(&s);
	resize(&s);
	uint64_t seq0 = 0;
	while (!(s.sn = engine_snapshot(s.e, &seq0)))
		;	/* the engine publishes one before its thread starts */
	s.seq = seq0;
	ui_follow(&s.u, s.sn);

	while (!s.u.quit && !*stop) {
		take_snapshot(&s);
		show_errors(&s);
		view_draw(s.cv, s.sn, &s.u, s.svc);
		term_draw(s.cv);
		int key = term_key(FRAME_MS);
		/* Take every key that is waiting before drawing again. */
		while (key >= 0) {
			if (key == UK_RESIZE) {
				resize(&s);
			} else {
				struct ui_effect fx;
				ui_key(&s.u, key, s.sn, &fx);
				effects(&s, &fx);
			}
			if (s.u.quit)
				break;
			key = term_key(0);
		}
	}
	term_end();
	engine_stop(s.e);
	log_to_stderr(1);
	snap_free(s.sn);
	canvas_free(s.cv);
	services_free(s.svc);
	return 0;
}
