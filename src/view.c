#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "fmt.h"
#include "theme.h"
#include "view.h"
#include "window.h"

#include "config.h"

/* One "label value" pair; the value in the warning role when it is not zero. */
static int counter(struct canvas *c, int x, int y, int maxw, const char *label, uint64_t v)
{
	char num[32];
	int n = canvas_text(c, x, y, maxw, ROLE_HEADER, label);
	n += canvas_text(c, x + n, y, maxw - n, ROLE_HEADER, " ");
	fmt_count((double)v, num, sizeof num);
	n += canvas_text(c, x + n, y, maxw - n, v ? ROLE_HEADER_WARN : ROLE_HEADER, num);
	n += canvas_text(c, x + n, y, maxw - n, ROLE_HEADER, "  ");
	return n;
}

static void header(struct canvas *c, const struct snap *sn, const struct ui_state *u)
{
	char a[128], b[64], d[64];
	int w = c->w, x;
	for (int y = 0; y < VIEW_HEADER_LINES; y++)
		canvas_fill(c, 0, y, w, ROLE_HEADER, ' ');

	/* Line 1: input, progress, input time, window. */
	x = canvas_textf(c, 0, 0, w, ROLE_HEADER, "nftop %s  ", PACKAGE_VERSION);
	if (sn->live) {
		x += canvas_textf(c, x, 0, w - x, ROLE_HEADER, "live %s", sn->source);
	} else {
		/* The file's base name: the path would push the rest off a narrow screen. */
		const char *base = strrchr(sn->source, '/');
		x += canvas_textf(c, x, 0, w - x, ROLE_HEADER, "replay %s ", base ? base + 1 : sn->source);
		int bw = 12;
		if (x + bw + 2 < w) {
			x += canvas_text(c, x, 0, 1, ROLE_HEADER, "[");
			canvas_bar(c, x, 0, bw, sn->progress, ROLE_BAR, ROLE_BAR_EMPTY);
			x += bw;
			x += canvas_text(c, x, 0, 1, ROLE_HEADER, "]");
		}
		if (sn->speed > 0)
			snprintf(b, sizeof b, "x%g", sn->speed);
		else
			snprintf(b, sizeof b, "max speed");
		x += canvas_textf(c, x, 0, w - x, ROLE_HEADER, " %3.0f%% %s", 100 * sn->progress, b);
	}
	if (sn->input_ms)
		x += canvas_textf(c, x, 0, w - x, ROLE_HEADER, "  %s", fmt_time(sn->input_ms, a, sizeof a));
	if (sn->window_s)
		x += canvas_textf(c, x, 0, w - x, ROLE_HEADER, "  window %s", window_fmt(sn->window_s, b, sizeof b));
	else
		x += canvas_text(c, x, 0, w - x, ROLE_HEADER, "  window: whole input");
	if (sn->done)
		x += canvas_text(c, x, 0, w - x, ROLE_HEADER_WARN, "  END");
	if (sn->paused)
		x += canvas_text(c, x, 0, w - x, ROLE_FROZEN, "  PAUSED");
	if (u->frozen)
		canvas_text(c, x, 0, w - x, ROLE_FROZEN, "  FROZEN");

	/* Line 2: totals and rates over the window, and the last minute per second. */
	double secs = sn->seconds ? sn->seconds : 1;
	const struct counters *t = &sn->total_all;
	if (u->byte_rates) {
		fmt_bytes((uint64_t)((double)t->bytes / secs), a, sizeof a);
		strncat(a, "/s", sizeof a - strlen(a) - 1);
	} else {
		fmt_bits(8.0 * (double)t->bytes / secs, a, sizeof a);
	}
	fmt_count((double)t->packets / secs, b, sizeof b);
	fmt_count((double)t->flows / secs, d, sizeof d);
	x = canvas_textf(c, 0, 1, w, ROLE_HEADER, "traffic %s  %s pkt/s  %s flows/s  ", a, b, d);
	fmt_bytes(t->bytes, a, sizeof a);
	fmt_count((double)t->flows, b, sizeof b);
	x += canvas_textf(c, x, 1, w - x, ROLE_HEADER, "(%s, %s flows)  ", a, b);
	if (x + 10 < w) {
		int n = SNAP_SPARK < w - x - 1 ? SNAP_SPARK : w - x - 1;
		canvas_spark(c, x, 1, sn->spark + SNAP_SPARK - n, n, ROLE_SPARK);
	}

	/* Line 3: exporters and everything that went wrong, in warning colour. */
	uint64_t mal = 0, waiting = 0, dropped = 0, lost = 0, evicted = 0;
	for (size_t i = 0; i < sn->nexp; i++) {
		mal += sn->exp[i].malformed;
		waiting += sn->exp[i].waiting_for_template;
		dropped += sn->exp[i].dropped_no_template;
		lost += sn->exp[i].seq_lost;
	}
	for (int i = 0; i < DIM_COUNT; i++)
		evicted += sn->dim[i].info.evicted;
	x = canvas_textf(c, 0, 2, w, ROLE_HEADER, "exporters %zu  ", sn->nexp);
	x += counter(c, x, 2, w - x, "malformed", mal);
	x += counter(c, x, 2, w - x, "no-template", waiting + dropped);
	x += counter(c, x, 2, w - x, "seq-lost", lost);
	x += counter(c, x, 2, w - x, "evicted", evicted);
	x += counter(c, x, 2, w - x, "late", sn->late);
	x += counter(c, x, 2, w - x, "kernel-drops", sn->src.kernel_drops);
	if (sn->alerts_on)
		x += counter(c, x, 2, w - x, "alerts", sn->nactive);
	if (sn->src.not_allowed)
		x += counter(c, x, 2, w - x, "not-allowed", sn->src.not_allowed);
	if (sn->src.bad_records)
		counter(c, x, 2, w - x, "bad-records", sn->src.bad_records);

	/* Line 4: what the panes are narrowed to. */
	x = canvas_text(c, 0, 3, w, ROLE_BREADCRUMB, "view: ");
	if (!u->ndrill && !u->filter[0]) {
		x += canvas_text(c, x, 3, w - x, ROLE_BREADCRUMB, "all traffic");
	} else {
		for (int i = 0; i < u->ndrill; i++)
			x += canvas_textf(c, x, 3, w - x, ROLE_BREADCRUMB, "%s%s", i ? " > " : "", u->drill[i].label);
		if (u->filter[0])
			x += canvas_textf(c, x, 3, w - x, ROLE_BREADCRUMB, "%sfilter: %s", u->ndrill ? "  " : "",
					  u->filter);
		fmt_bytes(sn->total.bytes, a, sizeof a);
		x += canvas_textf(c, x, 3, w - x, ROLE_BREADCRUMB, "  (%s of ", a);
		fmt_bytes(t->bytes, a, sizeof a);
		x += canvas_textf(c, x, 3, w - x, ROLE_BREADCRUMB, "%s)", a);
	}
	if (sn->partial) {
		canvas_textf(c, x, 3, w - x, ROLE_WARN, "  rebuilt from history since %s",
			     fmt_time(sn->history_from_ms, a, sizeof a));
	}
}

static void tabs(struct canvas *c, int y, const struct ui_state *u)
{
	int x = 0;
	canvas_fill(c, 0, y, c->w, ROLE_NORMAL, ' ');
	for (int p = 0; p < UI_PANES && x < c->w; p++)
		x += canvas_textf(c, x, y, c->w - x, p == u->active ? ROLE_TITLE_ACTIVE : ROLE_DIM, " %d %s ", p + 1,
				  ui_pane_title(p));
}

static void detail(struct canvas *c, int y, const struct snap *sn, const struct ui_state *u,
		   const struct services *svc)
{
	char k[160], a[32], b[32];
	canvas_fill(c, 0, y, c->w, ROLE_STATUS, ' ');
	enum dim d = ui_pane_dim(u, u->active);
	const struct pane_state *ps = &u->pane[u->active];
	if (d >= DIM_COUNT || !ps->has_sel || ps->sel_row >= (int)sn->dim[d].n)
		return;
	const struct store_row *r = &sn->dim[d].rows[ps->sel_row];
	view_key(k, sizeof k, d, &r->key, sn->dim[d].label ? sn->dim[d].label[ps->sel_row] : NULL, false, svc);
	fmt_bytes(r->c.bytes, a, sizeof a);
	fmt_count((double)r->c.packets, b, sizeof b);
	canvas_textf(c, 0, y, c->w, ROLE_STATUS, " %s %s: %s, %s packets, %" PRIu64 " flows, %.1f%% of bytes",
		     dim_name(d), k, a, b, r->c.flows,
		     sn->total.bytes ? 100.0 * (double)r->c.bytes / (double)sn->total.bytes : 0.0);
}

static void status(struct canvas *c, int y, const struct ui_state *u)
{
	canvas_fill(c, 0, y, c->w, ROLE_STATUS, ' ');
	if (u->prompt) {
		int x = canvas_text(c, 0, y, c->w, ROLE_PROMPT, "filter: ");
		canvas_text(c, x, y, c->w - x, ROLE_PROMPT, u->input);
		/* The cursor is drawn as a reversed cell. */
		if (x + u->cursor < c->w)
			canvas_paint(c, x + u->cursor, y, 1, ROLE_SELECTED);
		return;
	}
	if (u->status[0]) {
		canvas_text(c, 0, y, c->w, ROLE_WARN, u->status);
		return;
	}
	canvas_text(c, 0, y, c->w, ROLE_STATUS,
		    " ?:help  Enter:drill  Esc:back  /:filter  s:sort  w:window  Tab:pane  p:freeze  q:quit");
}

static const char *const help_lines[] = {
	"nftop keys",
	"",
	"  Up/Down j/k PgUp/PgDn g/G  move the selection",
	"  Tab Shift-Tab 1-6          select a pane (Left/Right too)",
	"  Enter                      drill down: narrow every pane to the selection",
	"  Esc Backspace              back one drill-down level, then clear the filter",
	"  /                          filter, e.g. dst port 443 and not src net 10/8",
	"  s F6 > <                   sort by bytes, packets, flows, rate",
	"  I                          invert the order (smallest first)",
	"  t                          hosts or prefixes; source or destination",
	"  w                          window: 10s, 1m, 5m, 15m, 1h, whole input",
	"  p Space                    freeze the view (collection goes on)",
	"  + - .                      replay: faster, slower, pause",
	"  b                          rates in bits/s or bytes/s",
	"  n                          numeric ports and protocols",
	"  e E                        export the view to a CSV / JSON file",
	"  a                          alerts, newest first (Enter drills into one)",
	"  ? h F1                     this help (any key closes it)",
	"  q F10                      quit",
	"",
	"Filters: [src|dst] host A, [src|dst] net P/N, [src|dst] port N (= != < >),",
	"proto tcp|udp|icmp|N, [src|dst] as N, [src|dst] country CC, in|out if N,",
	"exporter A,",
	"bytes|packets > N, inet, inet6, and, or, not, ( ).",
};

static void help(struct canvas *c, const struct snap *sn)
{
	int n = (int)(sizeof help_lines / sizeof help_lines[0]);
	/* The help covers the screen but the status line, so 80x24 shows all of it. */
	for (int y = 0; y < c->h - 1; y++)
		canvas_fill(c, 0, y, c->w, ROLE_HELP, ' ');
	int top = 0;
	for (int i = 0; i < n && top + i < c->h - 1; i++) {
		canvas_fill(c, 0, top + i, c->w, ROLE_HELP, ' ');
		canvas_text(c, 1, top + i, c->w - 2, i == 0 ? ROLE_TITLE_ACTIVE : ROLE_HELP, help_lines[i]);
	}
	/* What the Countries and ASNs panes are built from, where there is room. */
	int y = top + n + 1;
	if (y < c->h - 1)
		canvas_text(c, 1, y++, c->w - 2, ROLE_TITLE_ACTIVE, "GeoIP databases");
	const char *p = sn->geo_desc;
	if (!*p && y < c->h - 1)
		canvas_text(c, 3, y++, c->w - 4, ROLE_HELP, "none loaded: tools/geoip.sh fetches free ones");
	while (*p && y < c->h - 1) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)len, p);
		canvas_text(c, 3, y++, c->w - 4, ROLE_HELP, line);
		p += len + (nl ? 1 : 0);
	}
}

/* The alert list, newest first, in place of the panes. */
static void alert_list(struct canvas *c, int top, int bottom, const struct snap *sn, const struct ui_state *u)
{
	char t[32], key[64], line[256];
	canvas_fill(c, 0, top, c->w, ROLE_TITLE_ACTIVE, ' ');
	canvas_textf(c, 0, top, c->w, ROLE_TITLE_ACTIVE, " Alerts: %zu active, newest first (a or Esc closes, Enter drills down)",
		     sn->nactive);
	canvas_fill(c, 0, top + 1, c->w, ROLE_COLUMN, ' ');
	canvas_text(c, 1, top + 1, c->w - 1, ROLE_COLUMN,
		    "time                  event  kind              dimension  key                        observed   baseline");
	if (!sn->alerts_on) {
		canvas_text(c, 1, top + 2, c->w - 2, ROLE_DIM, "alerts are off (--no-alerts)");
		return;
	}
	if (!sn->nhistory)
		canvas_text(c, 1, top + 2, c->w - 2, ROLE_DIM, "no alerts so far");
	for (size_t i = 0; i < sn->nhistory && top + 2 + (int)i < bottom; i++) {
		const struct alert_event *e = &sn->history[i];
		bool active = false;
		for (size_t k = 0; k < sn->nactive; k++)
			if (sn->active[k].id == e->id)
				active = !e->end;
		alert_key_text(e, key, sizeof key);
		snprintf(line, sizeof line, "%-21s %-6s %-17s %-10s %-24s %10.0f %10.0f %s",
			 fmt_time(e->end ? e->end_ms : e->start_ms, t, sizeof t), e->end ? "end" : "start",
			 alert_kind_name(e->kind), e->dim < 0 ? "total" : dim_name((enum dim)e->dim), key,
			 e->observed, e->baseline, e->metric);
		int y = top + 2 + (int)i;
		uint8_t role = (int)i == u->alert_sel ? ROLE_SELECTED : active ? ROLE_ALERT : ROLE_ROW;
		canvas_fill(c, 0, y, c->w, role, ' ');
		canvas_text(c, 1, y, c->w - 1, role, line);
	}
}

void view_draw(struct canvas *c, const struct snap *sn, struct ui_state *u, const struct services *svc)
{
	canvas_clear(c, ROLE_NORMAL);
	header(c, sn, u);
	int tab_y = VIEW_HEADER_LINES;
	tabs(c, tab_y, u);
	int top = tab_y + 1, bottom = c->h - 2;	/* detail line, then status line */
	int area = bottom - top;
	int cols = c->w >= 160 ? 3 : c->w >= 110 ? 2 : 1;
	int rows = area >= 24 ? 2 : 1;
	int visible = cols * rows;
	if (visible > UI_PANES)
		visible = UI_PANES;
	u->visible = visible;
	int first = u->active / visible * visible;
	int ph = area / rows;
	u->rows_shown = ph - 3 > 1 ? ph - 3 : 1;
	for (int i = 0; i < visible && first + i < UI_PANES && !u->alerts; i++) {
		int col = i % cols, row = i / cols;
		int px = col * c->w / cols, pw = (col + 1) * c->w / cols - px;
		int py = top + row * ph;
		view_pane(c, px, py, pw - (col < cols - 1), ph - 1, sn, u, first + i, svc);
	}
	if (u->alerts)
		alert_list(c, top, bottom, sn, u);
	detail(c, bottom, sn, u, svc);
	if (u->help)
		help(c, sn);
	if (u->prompt && u->prompt_err[0]) {
		canvas_fill(c, 0, bottom, c->w, ROLE_ERROR, ' ');
		canvas_textf(c, 0, bottom, c->w, ROLE_ERROR, " column %d: %s", u->err_col, u->prompt_err);
	}
	status(c, c->h - 1, u);
}
