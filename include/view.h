/* view: draws a snapshot and the screen state onto a canvas: header, panes,
 * detail and status lines, help, filter prompt. Roles only, no colours; the
 * layout follows the canvas size. */
#ifndef NFTOP_VIEW_H
#define NFTOP_VIEW_H

#include "canvas.h"
#include "names.h"
#include "snap.h"
#include "ui.h"

#define VIEW_HEADER_LINES 4

/* Draws everything; records the layout (panes visible, rows per pane) in u.
 * svc may be NULL (numeric ports only). */
void view_draw(struct canvas *c, const struct snap *sn, struct ui_state *u, const struct services *svc);
/* One pane at (x, y) of w x h cells. */
void view_pane(struct canvas *c, int x, int y, int w, int h, const struct snap *sn, const struct ui_state *u,
	       int pane, const struct services *svc);
/* The text of a row's key as the panes show it ("443 https", "AS15169 Google",
 * "GB United Kingdom", "TCP"); label is the row's snapshot label or NULL. */
void view_key(char *buf, size_t len, enum dim d, const struct store_key *k, const char *label, bool numeric,
	      const struct services *svc);

#endif
