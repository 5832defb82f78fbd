#include <stdio.h>
#include <string.h>

#include "geo.h"
#include "ui.h"

const uint32_t ui_windows[UI_WINDOWS] = { 10, 60, 300, 900, 3600, 0 };

static const char *const pane_titles[UI_PANES] = {
	"Sources", "Destinations", "Ports", "Protocols", "ASNs", "Countries",
};

const char *ui_pane_title(int pane)
{
	return pane >= 0 && pane < UI_PANES ? pane_titles[pane] : "?";
}

void ui_init(struct ui_state *u, uint32_t window_s, enum sort_by sort)
{
	memset(u, 0, sizeof *u);
	u->window_s = window_s;
	u->window_idx = -1;
	for (int i = 0; i < UI_WINDOWS; i++)
		if (ui_windows[i] == window_s)
			u->window_idx = i;
	u->sort = sort == SORT_PACKETS ? SORTM_PACKETS : sort == SORT_FLOWS ? SORTM_FLOWS : SORTM_BYTES;
	u->visible = 1;
	u->rows_shown = 10;
}

enum dim ui_pane_dim(const struct ui_state *u, int pane)
{
	bool alt = pane >= 0 && pane < UI_PANES && u->pane[pane].alt;
	switch (pane) {
	case PANE_SRC: return alt ? DIM_SRC_PREFIX : DIM_SRC_IP;
	case PANE_DST: return alt ? DIM_DST_PREFIX : DIM_DST_IP;
	case PANE_PORT: return alt ? DIM_SRC_PORT : DIM_DST_PORT;
	case PANE_PROTO: return DIM_PROTO;
	case PANE_AS: return alt ? DIM_DST_AS : DIM_SRC_AS;
	case PANE_COUNTRY: return alt ? DIM_DST_COUNTRY : DIM_SRC_COUNTRY;
	}
	return DIM_COUNT;
}

enum sort_by ui_sort_by(const struct ui_state *u)
{
	switch (u->sort) {
	case SORTM_PACKETS: return SORT_PACKETS;
	case SORTM_FLOWS: return SORT_FLOWS;
	default: return SORT_BYTES;	/* rate over one window orders as bytes do */
	}
}

void ui_filter_expr(const struct ui_state *u, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < u->ndrill && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s(%s)", n ? " and " : "", u->drill[i].expr);
	if (u->filter[0] && n < len)
		snprintf(buf + n, len - n, "%s(%s)", n ? " and " : "", u->filter);
}

static const struct snap_dim *pane_rows(const struct ui_state *u, const struct snap *sn, int pane)
{
	enum dim d = ui_pane_dim(u, pane);
	return sn && d < DIM_COUNT ? &sn->dim[d] : NULL;
}

void ui_follow(struct ui_state *u, const struct snap *sn)
{
	for (int p = 0; p < UI_PANES; p++) {
		struct pane_state *ps = &u->pane[p];
		const struct snap_dim *sd = pane_rows(u, sn, p);
		if (!sd || sd->n == 0) {
			ps->sel_row = 0;
			ps->top = 0;
			continue;
		}
		int row = -1;
		if (ps->has_sel)
			for (size_t i = 0; i < sd->n; i++)
				if (!memcmp(&sd->rows[i].key, &ps->sel, sizeof ps->sel)) {
					row = (int)i;
					break;
				}
		if (row < 0) {
			/* The key left the top list: stay at the same place. */
			row = ps->sel_row < (int)sd->n ? ps->sel_row : (int)sd->n - 1;
			if (row < 0)
				row = 0;
		}
		ps->sel_row = row;
		ps->sel = sd->rows[row].key;
		ps->has_sel = true;
		if (ps->sel_row < ps->top)
			ps->top = ps->sel_row;
		if (u->rows_shown > 0 && ps->sel_row >= ps->top + u->rows_shown)
			ps->top = ps->sel_row - u->rows_shown + 1;
	}
}

static void move_sel(struct ui_state *u, const struct snap *sn, int delta, bool absolute)
{
	struct pane_state *ps = &u->pane[u->active];
	const struct snap_dim *sd = pane_rows(u, sn, u->active);
	if (!sd || sd->n == 0)
		return;
	int row = absolute ? delta : ps->sel_row + delta;
	if (row < 0)
		row = 0;
	if (row >= (int)sd->n)
		row = (int)sd->n - 1;
	ps->sel_row = row;
	ps->sel = sd->rows[row].key;
	ps->has_sel = true;
	ui_follow(u, sn);
}

/* The expression and breadcrumb for one key of one dimension. */
static void drill_for(struct drill *dr, enum dim d, const struct store_key *k)
{
	struct flow_addr a;
	char addr[FLOW_ADDRSTRLEN];
	memcpy(a.b, k->addr, 16);
	flow_addr_fmt(&a, addr, sizeof addr);
	dr->dim = d;
	dr->key = *k;
	switch (d) {
	case DIM_SRC_IP: snprintf(dr->expr, sizeof dr->expr, "src host %s", addr); break;
	case DIM_DST_IP: snprintf(dr->expr, sizeof dr->expr, "dst host %s", addr); break;
	case DIM_SRC_PORT: snprintf(dr->expr, sizeof dr->expr, "src port %u", k->num); break;
	case DIM_DST_PORT: snprintf(dr->expr, sizeof dr->expr, "dst port %u", k->num); break;
	case DIM_PROTO: snprintf(dr->expr, sizeof dr->expr, "proto %u", k->num); break;
	case DIM_SRC_AS: snprintf(dr->expr, sizeof dr->expr, "src as %u", k->num); break;
	case DIM_DST_AS: snprintf(dr->expr, sizeof dr->expr, "dst as %u", k->num); break;
	case DIM_EXPORTER: snprintf(dr->expr, sizeof dr->expr, "exporter %s", addr); break;
	case DIM_IN_IF: snprintf(dr->expr, sizeof dr->expr, "exporter %s and in if %u", addr, k->num); break;
	case DIM_OUT_IF: snprintf(dr->expr, sizeof dr->expr, "exporter %s and out if %u", addr, k->num); break;
	case DIM_SRC_COUNTRY: case DIM_DST_COUNTRY: {
		const char *side = d == DIM_SRC_COUNTRY ? "src" : "dst";
		if (k->addr[0])
			snprintf(dr->expr, sizeof dr->expr, "%s country %s", side,
				 geo_class_name((enum geo_class)k->addr[0]));
		else if (k->num)
			snprintf(dr->expr, sizeof dr->expr, "%s country %c%c", side, (char)(k->num >> 8),
				 (char)(k->num & 0xff));
		else
			snprintf(dr->expr, sizeof dr->expr, "%s country unknown", side);
		break;
	}
	case DIM_SRC_PREFIX: snprintf(dr->expr, sizeof dr->expr, "src net %s/%u", addr, k->num); break;
	case DIM_DST_PREFIX: snprintf(dr->expr, sizeof dr->expr, "dst net %s/%u", addr, k->num); break;
	case DIM_COUNT: dr->expr[0] = '\0'; break;
	}
	size_t n = strlen(dr->expr);
	if (n >= sizeof dr->label)
		n = sizeof dr->label - 1;
	memcpy(dr->label, dr->expr, n);
	dr->label[n] = '\0';
}

static void prompt_key(struct ui_state *u, int key, struct ui_effect *fx)
{
	size_t len = strlen(u->input);
	switch (key) {
	case UK_ESC:
		u->prompt = false;
		u->prompt_err[0] = '\0';
		return;
	case UK_ENTER:
		/* The screen parses it; on error it reopens the prompt with the column. */
		snprintf(u->filter, sizeof u->filter, "%s", u->input);
		u->prompt = false;
		fx->filter = true;
		return;
	case UK_BACKSPACE:
		if (u->cursor > 0) {
			memmove(u->input + u->cursor - 1, u->input + u->cursor, len - (size_t)u->cursor + 1);
			u->cursor--;
		}
		return;
	case UK_DELETE:
		if ((size_t)u->cursor < len)
			memmove(u->input + u->cursor, u->input + u->cursor + 1, len - (size_t)u->cursor);
		return;
	case UK_LEFT: if (u->cursor > 0) u->cursor--; return;
	case UK_RIGHT: if ((size_t)u->cursor < len) u->cursor++; return;
	case UK_HOME: u->cursor = 0; return;
	case UK_END: u->cursor = (int)len; return;
	}
	if (key >= 0x20 && key < 0x7f && len + 1 < sizeof u->input) {
		memmove(u->input + u->cursor + 1, u->input + u->cursor, len - (size_t)u->cursor + 1);
		u->input[u->cursor++] = (char)key;
	}
}

/* Keys of the alert list; false for the ones it leaves to the panes. */
static bool alerts_key(struct ui_state *u, int key, const struct snap *sn, struct ui_effect *fx)
{
	int n = sn ? (int)sn->nhistory : 0;
	switch (key) {
	case 'a': case UK_ESC: u->alerts = false; return true;
	case UK_UP: case 'k': if (u->alert_sel > 0) u->alert_sel--; return true;
	case UK_DOWN: case 'j': if (u->alert_sel + 1 < n) u->alert_sel++; return true;
	case UK_ENTER: {
		if (u->alert_sel >= n) {
			snprintf(u->status, sizeof u->status, "no alert to drill into");
			return true;
		}
		const struct alert_event *e = &sn->history[u->alert_sel];
		if (e->dim < 0 || e->dim >= DIM_COUNT) {
			snprintf(u->status, sizeof u->status, "an alert on the total has no key to drill into");
			return true;
		}
		if (u->ndrill >= UI_MAX_DRILL)
			return true;
		drill_for(&u->drill[u->ndrill++], (enum dim)e->dim, &e->key);
		u->alerts = false;
		fx->filter = true;
		return true;
	}
	}
	return false;
}

void ui_key(struct ui_state *u, int key, const struct snap *sn, struct ui_effect *fx)
{
	memset(fx, 0, sizeof *fx);
	if (u->prompt) {
		prompt_key(u, key, fx);
		return;
	}
	if (u->help) {
		if (key == 'q' || key == UK_F10)
			u->quit = true;
		u->help = false;	/* any key closes the help */
		return;
	}
	u->status[0] = '\0';
	if (u->alerts && alerts_key(u, key, sn, fx))
		return;
	int page = u->rows_shown > 1 ? u->rows_shown - 1 : 1;
	switch (key) {
	case 'q': case UK_F10: u->quit = true; break;
	case '?': case 'h': case UK_F1: u->help = true; break;
	case UK_UP: case 'k': move_sel(u, sn, -1, false); break;
	case UK_DOWN: case 'j': move_sel(u, sn, 1, false); break;
	case UK_PGUP: move_sel(u, sn, -page, false); break;
	case UK_PGDN: move_sel(u, sn, page, false); break;
	case 'g': case UK_HOME: move_sel(u, sn, 0, true); break;
	case 'G': case UK_END: move_sel(u, sn, 1 << 30, true); break;
	case UK_TAB: case UK_RIGHT: u->active = (u->active + 1) % UI_PANES; break;
	case UK_BTAB: case UK_LEFT: u->active = (u->active + UI_PANES - 1) % UI_PANES; break;
	case '1': case '2': case '3': case '4': case '5': case '6': u->active = key - '1'; break;
	case 's': case UK_F6: case '>':
		u->sort = (enum sort_mode)((u->sort + 1) % SORTM_COUNT);
		fx->sort = true;
		break;
	case '<':
		u->sort = (enum sort_mode)((u->sort + SORTM_COUNT - 1) % SORTM_COUNT);
		fx->sort = true;
		break;
	case 'I': u->invert = !u->invert; fx->sort = true; break;
	case 't':
		if (u->active != PANE_PROTO) {
			u->pane[u->active].alt = !u->pane[u->active].alt;
			u->pane[u->active].has_sel = false;
			u->pane[u->active].sel_row = u->pane[u->active].top = 0;
		}
		break;
	case UK_ENTER: {
		const struct snap_dim *sd = pane_rows(u, sn, u->active);
		const struct pane_state *ps = &u->pane[u->active];
		if (!sd || sd->n == 0 || !ps->has_sel) {
			snprintf(u->status, sizeof u->status, "nothing to drill into here");
			break;
		}
		if (u->ndrill >= UI_MAX_DRILL) {
			snprintf(u->status, sizeof u->status, "at most %d drill-down levels", UI_MAX_DRILL);
			break;
		}
		drill_for(&u->drill[u->ndrill++], ui_pane_dim(u, u->active), &ps->sel);
		fx->filter = true;
		break;
	}
	case UK_ESC: case UK_BACKSPACE:
		if (u->ndrill > 0) {
			u->ndrill--;
			fx->filter = true;
		} else if (u->filter[0]) {
			u->filter[0] = '\0';
			fx->filter = true;
		}
		break;
	case '/':
		u->prompt = true;
		snprintf(u->input, sizeof u->input, "%s", u->filter);
		u->cursor = (int)strlen(u->input);
		u->prompt_err[0] = '\0';
		break;
	case 'w':
		u->window_idx = (u->window_idx + 1) % UI_WINDOWS;
		u->window_s = ui_windows[u->window_idx];
		fx->window = true;
		break;
	case ' ': case 'p': u->frozen = !u->frozen; break;
	case '+': fx->speed = true; fx->speed_factor = 2; break;
	case '-': fx->speed = true; fx->speed_factor = 0.5; break;
	case '.': fx->pause = true; break;
	case 'b': u->byte_rates = !u->byte_rates; break;
	case 'n': u->numeric = !u->numeric; break;
	case 'e': fx->export_csv = true; break;
	case 'a': u->alerts = true; u->alert_sel = 0; break;
	case 'E': fx->export_json = true; break;
	}
}
