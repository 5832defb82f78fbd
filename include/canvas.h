/* canvas: an in-memory grid of cells (character + colour role). Every screen
 * is drawn here first; only term.c turns it into curses calls, so screens can
 * be tested as text. */
#ifndef NFTOP_CANVAS_H
#define NFTOP_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

struct cell {
	uint32_t ch;			/* Unicode code point */
	uint8_t role;			/* enum theme_role */
};

struct canvas {
	int w, h;
	bool utf8;			/* false: ASCII stand-ins for bars and lines */
	struct cell *cells;
};

struct canvas *canvas_new(int w, int h, bool utf8);
void canvas_free(struct canvas *c);
void canvas_clear(struct canvas *c, uint8_t role);
/* Writes UTF-8 text at (x, y), at most maxw columns, clipped to the grid;
 * control characters and invalid bytes become '?'. Returns columns written. */
int canvas_text(struct canvas *c, int x, int y, int maxw, uint8_t role, const char *s);
int canvas_textf(struct canvas *c, int x, int y, int maxw, uint8_t role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Right-aligned text ending at column x + w - 1. */
void canvas_rtext(struct canvas *c, int x, int y, int w, uint8_t role, const char *s);
void canvas_fill(struct canvas *c, int x, int y, int w, uint8_t role, uint32_t ch);
void canvas_paint(struct canvas *c, int x, int y, int w, uint8_t role);
/* A horizontal bar of frac (0..1) of w columns, in eighths with UTF-8. */
void canvas_bar(struct canvas *c, int x, int y, int w, double frac, uint8_t role, uint8_t empty_role);
/* A sparkline of n values scaled to their maximum, one column each. */
void canvas_spark(struct canvas *c, int x, int y, const uint64_t *v, int n, uint8_t role);
/* The grid as UTF-8 text, one line per row, trailing blanks trimmed; malloc'd. */
char *canvas_dump(const struct canvas *c);
/* The number of columns a UTF-8 string takes (one per code point). */
int canvas_width(const char *s);

#endif
