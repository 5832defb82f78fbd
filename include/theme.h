/* theme: the colour and attribute of every screen role, read from theme files
 * (themes/NAME.theme, lines of "role fg:bg attrs"). No curses here: the terminal
 * module turns styles into colour pairs. */
#ifndef NFTOP_THEME_H
#define NFTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum theme_role {
	ROLE_NORMAL, ROLE_HEADER, ROLE_HEADER_WARN, ROLE_TITLE, ROLE_TITLE_ACTIVE,
	ROLE_COLUMN, ROLE_ROW, ROLE_SELECTED, ROLE_BAR, ROLE_BAR_EMPTY, ROLE_SPARK,
	ROLE_BREADCRUMB, ROLE_STATUS, ROLE_PROMPT, ROLE_ERROR, ROLE_WARN, ROLE_FROZEN,
	ROLE_ALERT, ROLE_DIM, ROLE_HELP, ROLE_COUNT
};

#define THEME_DEFAULT_COLOR (-1)
#define THEME_MAX_FILE (64 * 1024)	/* bytes in a theme file */
#define THEME_MAX_LINE 512		/* bytes in one line of it */

enum { THEME_BOLD = 1, THEME_DIM = 2, THEME_UNDERLINE = 4, THEME_REVERSE = 8, THEME_ITALIC = 16, THEME_BLINK = 32 };

struct theme_style {
	int16_t fg, bg;		/* THEME_DEFAULT_COLOR, or 0-255 */
	uint16_t attrs;		/* THEME_BOLD | ... */
};

struct theme {
	char name[64];
	struct theme_style role[ROLE_COUNT];
	bool mono;		/* no role uses a colour */
};

/* "normal", "header", "header_warn", ...; "?" for a value out of range. */
const char *theme_role_name(enum theme_role r);
/* The compiled-in dark theme; themes/dark.theme spells out the same values. */
void theme_default(struct theme *t);
/* Attributes only, no colours; themes/monochrome.theme spells out the same. */
void theme_mono(struct theme *t);

/* Parses theme text: lines "role fg:bg attrs", '#' starts a comment, blank lines are
 * skipped. Colours are default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black .. bright-white (8-15), gray/grey (8) or 0-255; either side of "fg:bg"
 * may be empty (default), and ":bg" may be left off. Attributes are bold, dim,
 * underline, reverse, italic, blink, separated by commas or spaces, or none (also
 * when left off). Roles not named keep what t had, so a theme may override a few
 * roles of another. t is changed only on success. On error returns ERR_FORMAT and
 * sets *cause to "NAME:LINE: reason". */
int theme_parse(struct theme *t, const char *name, const char *text, size_t len, char **cause);

/* Starts from theme_default() and applies a theme file: a path when name_or_path
 * holds a '/', else DIR/NAME.theme in the first of the NULL-terminated dirs that
 * has it (dirs may be NULL). When no file is found, the names "dark"/"default" and
 * "monochrome"/"mono" give the compiled-in themes. t->name is set to the theme's
 * name (a path's base name without ".theme"). t is changed only on success. */
int theme_load(struct theme *t, const char *name_or_path, const char *const *dirs, char **cause);

/* The colour count to pass to theme_fit(): 0 when NO_COLOR is set and not empty
 * (https://no-color.org), else the terminal's. Callers pass getenv("NO_COLOR"). */
int theme_colors(int term_colors, const char *no_color);

/* Reduces t to what the terminal can show. colors < 8: monochrome (a theme that
 * already uses no colour keeps its attributes, any other becomes theme_mono()).
 * colors < 256: every colour becomes the nearest of the first 8 (colors < 16) or 16;
 * with 8, mid greys become the default colour plus dim, as black or white would
 * vanish against a dark or light terminal. */
void theme_fit(struct theme *t, int colors);

#endif
