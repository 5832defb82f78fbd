/* ui: the screen's state and what keys do to it. The state is keyed by
 * stable ids (pane, store key), never by row number, so a selection
 * survives re-sorting and new snapshots. No curses here. */
#ifndef NFTOP_UI_H
#define NFTOP_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "snap.h"
#include "store.h"

enum pane_id { PANE_SRC, PANE_DST, PANE_PORT, PANE_PROTO, PANE_AS, PANE_COUNTRY, UI_PANES };
enum sort_mode { SORTM_BYTES, SORTM_PACKETS, SORTM_FLOWS, SORTM_RATE, SORTM_COUNT };

#define UI_MAX_DRILL 16
#define UI_WINDOWS 6

struct pane_state {
	bool alt;			/* ports: src instead of dst; ASNs: dst instead of src */
	bool has_sel;
	struct store_key sel;		/* selected key, when has_sel */
	int sel_row;			/* where it was last seen */
	int top;			/* first row shown */
};

struct drill {
	enum dim dim;
	struct store_key key;
	char expr[200];			/* filter expression that selects it */
	char label[96];			/* breadcrumb text */
};

struct ui_state {
	int active;
	struct pane_state pane[UI_PANES];
	enum sort_mode sort;
	bool invert, byte_rates, numeric, frozen, help, quit;
	int window_idx;			/* into ui_windows; -1: the starting window */
	uint32_t window_s;
	struct drill drill[UI_MAX_DRILL];
	int ndrill;
	char filter[512];		/* the user's expression (without drill-downs) */
	bool prompt;			/* the '/' line editor is open */
	char input[512];
	int cursor;
	char prompt_err[256];		/* shown under an open prompt */
	int err_col;
	char status[640];		/* one-shot message in the status line */
	bool alerts;			/* the alert list replaces the panes */
	int alert_sel;			/* selected row of the alert list */
	int visible;			/* panes on screen, from the last layout */
	int rows_shown;			/* rows per pane, from the last layout */
};

extern const uint32_t ui_windows[UI_WINDOWS];

/* Keys, as term.c reports them (printable characters are themselves). */
enum {
	UK_UP = 0x110000, UK_DOWN, UK_LEFT, UK_RIGHT, UK_PGUP, UK_PGDN, UK_HOME, UK_END,
	UK_ENTER, UK_ESC, UK_BACKSPACE, UK_TAB, UK_BTAB, UK_F1, UK_F6, UK_F10, UK_RESIZE, UK_DELETE,
};

void ui_init(struct ui_state *u, uint32_t window_s, enum sort_by sort);
/* The dimension a pane shows; DIM_COUNT for the Countries pane (no data yet). */
enum dim ui_pane_dim(const struct ui_state *u, int pane);
const char *ui_pane_title(int pane);

/* What a key asks of the engine, beyond the state change itself. */
struct ui_effect {
	bool filter;			/* recompose and send the filter */
	bool window, sort, speed, pause, export_csv, export_json;
	double speed_factor;		/* for speed: multiply the current speed */
};

/* Applies one key to the state, with the snapshot on screen (may be NULL). */
void ui_key(struct ui_state *u, int key, const struct snap *sn, struct ui_effect *fx);
/* The full filter: drill-downs and the user's expression, joined with 'and'. */
void ui_filter_expr(const struct ui_state *u, char *buf, size_t len);
/* Moves each pane's selection to where its key now is in a new snapshot. */
void ui_follow(struct ui_state *u, const struct snap *sn);
enum sort_by ui_sort_by(const struct ui_state *u);

#endif
