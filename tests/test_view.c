/* Screen goldens: a real capture replayed into the store, drawn by the view
 * at 80x24 and 200x50 onto the cell grid, compared as text with
 * tests/golden/screen_*.txt. The clock is the capture's own, so the text is
 * the same on every run. After a deliberate change to the screen:
 * UPDATE=1 tests/test_view, and review the diff. */
#include <stdlib.h>

#include "canvas.h"
#include "conf.h"
#include "enrich.h"
#include "ingest.h"
#include "tap.h"
#include "theme.h"
#include "view.h"

static const char *top;

/* As the engine does: address classes (no databases here), then the store. */
static void sink(void *arg, const struct flow *f0)
{
	struct flow f = *f0;
	enrich_flow(NULL, &f);
	store_add(arg, &f);
}

static struct snap *replay(const char *capture, uint32_t window)
{
	static struct conf c;
	conf_defaults(&c);
	c.batch = true;
	c.quiet = true;
	c.speed = 0;
	c.window_s = window;
	struct decoder *d = decoder_new(NULL);
	struct store_opts so = { window, 1000, 24, 48, false, 0 };
	struct store *st = store_new(&so);
	struct ingest in;
	ingest_init(&in, &c, d, st, NULL, NULL, NULL);
	in.sink = sink;
	in.sink_arg = st;
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/%s", top, capture);
	ingest_replay(&in, path);
	struct source_stats ss;
	ingest_source_stats(&in, &ss);
	struct snap *sn = snap_build(st, d, &ss, SORT_BYTES, false, 100, window, NULL);
	store_totals(st, &sn->total_all);
	sn->input_ms = in.input_ms;
	snprintf(sn->source, sizeof sn->source, "tests/data/%s", capture);
	sn->progress = 1;
	sn->done = true;
	store_free(st);
	decoder_free(d);
	return sn;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void golden(const char *name, struct snap *sn, struct ui_state *u, int w, int h)
{
	struct canvas *c = canvas_new(w, h, true);
	ui_follow(u, sn);
	view_draw(c, sn, u, NULL);
	char *got = canvas_dump(c);
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/golden/%s", top, name);
	if (getenv("UPDATE")) {
		FILE *f = fopen(path, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	char *want = slurp(path);
	ok(want && !strcmp(got, want), "screen %s (%dx%d)", name, w, h);
	if (want && strcmp(got, want))
		printf("# got:\n%s", got);
	free(want);
	free(got);
	canvas_free(c);
}

int main(void)
{
	top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	struct ui_state u;
	struct snap *sn = replay("ipfix/mikrotik_routeros6.pcap", 60);

	ui_init(&u, 60, SORT_BYTES);
	golden("screen_80x24.txt", sn, &u, 80, 24);
	ui_init(&u, 60, SORT_BYTES);
	golden("screen_200x50.txt", sn, &u, 200, 50);

	/* Keys change the state the view draws: pane 3, down twice, sort by packets. */
	struct ui_effect fx;
	ui_init(&u, 60, SORT_BYTES);
	ui_key(&u, '3', sn, &fx);
	ui_key(&u, 'j', sn, &fx);
	ui_key(&u, 'j', sn, &fx);
	ok(u.active == 2 && u.pane[2].sel_row == 2, "keys: pane 3, third row selected");
	ui_key(&u, 'n', sn, &fx);
	golden("screen_ports_80x24.txt", sn, &u, 80, 24);
	ui_key(&u, 's', sn, &fx);
	ok(fx.sort && ui_sort_by(&u) == SORT_PACKETS, "keys: s asks for a packet sort");

	/* Drill-down on the selected port composes a filter expression. */
	ui_key(&u, UK_ENTER, sn, &fx);
	char expr[512];
	ui_filter_expr(&u, expr, sizeof expr);
	ok(fx.filter, "drill-down asks for a filter");
	/* Third destination port by bytes: 80 (42502, 5678, 80 in tests/data/expected_top.tsv terms:
	 * nfdump -s dstport/bytes on the same capture agrees, see nfdump_topn.sh). */
	is_str(expr, "(dst port 80)", "drill-down filter on the third port by bytes");
	ui_key(&u, UK_ESC, sn, &fx);
	ok(fx.filter && u.ndrill == 0, "Esc pops the drill-down");

	/* Help and the filter prompt. */
	ui_init(&u, 60, SORT_BYTES);
	ui_key(&u, '?', sn, &fx);
	golden("screen_help_80x24.txt", sn, &u, 80, 24);
	ui_key(&u, 'x', sn, &fx);
	ok(!u.help && !u.quit, "any key closes the help");
	ui_key(&u, '/', sn, &fx);
	const char *typed = "port 443";
	for (const char *p = typed; *p; p++)
		ui_key(&u, *p, sn, &fx);
	ui_key(&u, UK_ENTER, sn, &fx);
	ok(fx.filter && !strcmp(u.filter, "port 443") && !u.prompt, "filter prompt takes an expression");
	ui_key(&u, 'q', sn, &fx);
	ok(u.quit, "q quits");
	snap_free(sn);
	/* Strings from databases, files or the wire reach the screen only through
	 * canvas_text: C0 and C1 controls and DEL become '?', so no escape
	 * sequence (ESC [ 2 J, BEL, the 8-bit CSI U+009B) reaches the terminal. */
	struct canvas *cc = canvas_new(16, 1, true);
	canvas_clear(cc, 0);
	int nw = canvas_text(cc, 0, 0, 16, 0, "a\x1b[2Jb\x07\xc2\x9b" "c\x7f\xc3\xa9");
	uint32_t want[] = { 'a', '?', '[', '2', 'J', 'b', '?', '?', 'c', '?', 0xe9 };
	bool same = nw == 11;
	for (int k = 0; k < 11; k++)
		same = same && cc->cells[k].ch == want[k];
	ok(same, "canvas: control characters become '?', printable UTF-8 stays (%d columns)", nw);
	canvas_free(cc);

	return done_testing();
}
