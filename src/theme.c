#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "theme.h"
#include "xmem.h"

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_NORMAL] = "normal", [ROLE_HEADER] = "header", [ROLE_HEADER_WARN] = "header_warn",
	[ROLE_TITLE] = "title", [ROLE_TITLE_ACTIVE] = "title_active", [ROLE_COLUMN] = "column",
	[ROLE_ROW] = "row", [ROLE_SELECTED] = "selected", [ROLE_BAR] = "bar",
	[ROLE_BAR_EMPTY] = "bar_empty", [ROLE_SPARK] = "spark", [ROLE_BREADCRUMB] = "breadcrumb",
	[ROLE_STATUS] = "status", [ROLE_PROMPT] = "prompt", [ROLE_ERROR] = "error",
	[ROLE_WARN] = "warn", [ROLE_FROZEN] = "frozen", [ROLE_ALERT] = "alert",
	[ROLE_DIM] = "dim", [ROLE_HELP] = "help",
};

static const char *const colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	uint16_t bit;
} attr_names[] = {
	{ "bold", THEME_BOLD }, { "dim", THEME_DIM }, { "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE }, { "italic", THEME_ITALIC }, { "blink", THEME_BLINK },
};

enum { D = THEME_DEFAULT_COLOR, BLACK = 0, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE, GRAY };
#define S(f, b, a) { (f), (b), (a) }

/* themes/dark.theme must say the same; tests/test_theme.c compares them. */
static const struct theme_style dark[ROLE_COUNT] = {
	[ROLE_NORMAL] = S(D, D, 0),
	[ROLE_HEADER] = S(WHITE, BLUE, THEME_BOLD),
	[ROLE_HEADER_WARN] = S(YELLOW, BLUE, THEME_BOLD),
	[ROLE_TITLE] = S(CYAN, D, THEME_BOLD),
	[ROLE_TITLE_ACTIVE] = S(BLACK, GREEN, THEME_BOLD),
	[ROLE_COLUMN] = S(GREEN, D, THEME_BOLD),
	[ROLE_ROW] = S(D, D, 0),
	[ROLE_SELECTED] = S(BLACK, CYAN, 0),
	[ROLE_BAR] = S(GREEN, D, 0),
	[ROLE_BAR_EMPTY] = S(GRAY, D, 0),
	[ROLE_SPARK] = S(CYAN, D, 0),
	[ROLE_BREADCRUMB] = S(YELLOW, D, THEME_BOLD),
	[ROLE_STATUS] = S(BLACK, WHITE, 0),
	[ROLE_PROMPT] = S(WHITE, D, THEME_BOLD),
	[ROLE_ERROR] = S(WHITE, RED, THEME_BOLD),
	[ROLE_WARN] = S(YELLOW, D, THEME_BOLD),
	[ROLE_FROZEN] = S(BLACK, YELLOW, THEME_BOLD),
	[ROLE_ALERT] = S(RED, D, THEME_BOLD),
	[ROLE_DIM] = S(GRAY, D, 0),
	[ROLE_HELP] = S(D, D, 0),
};

/* themes/monochrome.theme must say the same. */
static const struct theme_style mono[ROLE_COUNT] = {
	[ROLE_NORMAL] = S(D, D, 0),
	[ROLE_HEADER] = S(D, D, THEME_REVERSE | THEME_BOLD),
	[ROLE_HEADER_WARN] = S(D, D, THEME_REVERSE | THEME_BOLD | THEME_UNDERLINE),
	[ROLE_TITLE] = S(D, D, THEME_BOLD),
	[ROLE_TITLE_ACTIVE] = S(D, D, THEME_REVERSE | THEME_BOLD),
	[ROLE_COLUMN] = S(D, D, THEME_BOLD | THEME_UNDERLINE),
	[ROLE_ROW] = S(D, D, 0),
	[ROLE_SELECTED] = S(D, D, THEME_REVERSE),
	[ROLE_BAR] = S(D, D, THEME_BOLD),
	[ROLE_BAR_EMPTY] = S(D, D, THEME_DIM),
	[ROLE_SPARK] = S(D, D, 0),
	[ROLE_BREADCRUMB] = S(D, D, THEME_BOLD),
	[ROLE_STATUS] = S(D, D, THEME_REVERSE),
	[ROLE_PROMPT] = S(D, D, THEME_BOLD),
	[ROLE_ERROR] = S(D, D, THEME_REVERSE | THEME_BOLD),
	[ROLE_WARN] = S(D, D, THEME_BOLD),
	[ROLE_FROZEN] = S(D, D, THEME_REVERSE | THEME_BOLD),
	[ROLE_ALERT] = S(D, D, THEME_BOLD | THEME_UNDERLINE),
	[ROLE_DIM] = S(D, D, THEME_DIM),
	[ROLE_HELP] = S(D, D, 0),
};

const char *theme_role_name(enum theme_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

static void set(struct theme *t, const char *name, const struct theme_style *roles, bool is_mono)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	memcpy(t->role, roles, sizeof t->role);
	t->mono = is_mono;
}

void theme_default(struct theme *t)
{
	set(t, "dark", dark, false);
}

void theme_mono(struct theme *t)
{
	set(t, "monochrome", mono, true);
}

static bool uses_colour(const struct theme *t)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (t->role[i].fg != D || t->role[i].bg != D)
			return true;
	return false;
}

/* Names match without regard to case, and '-' matches '_' ("bright_red", "Header-Warn"). */
static bool word_is(const char *w, size_t n, const char *name)
{
	size_t i = 0;
	for (; i < n && name[i]; i++) {
		char a = (char)tolower((unsigned char)w[i]), b = name[i];
		if (a == '_')
			a = '-';
		if (b == '_')
			b = '-';
		if (a != b)
			return false;
	}
	return i == n && !name[i];
}

static int find_role(const char *w, size_t n)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (word_is(w, n, role_names[i]))
			return i;
	return -1;
}

static bool parse_colour(const char *w, size_t n, int16_t *out)
{
	if (n == 0 || word_is(w, n, "default")) {
		*out = D;
		return true;
	}
	if (word_is(w, n, "gray") || word_is(w, n, "grey")) {
		*out = GRAY;
		return true;
	}
	bool bright = n > 7 && word_is(w, 7, "bright-");
	const char *base = bright ? w + 7 : w;
	size_t bn = bright ? n - 7 : n;
	for (int i = 0; i < 8; i++) {
		if (word_is(base, bn, colour_names[i])) {
			*out = (int16_t)(bright ? i + 8 : i);
			return true;
		}
	}
	if (n > 3)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)w[i]))
			return false;
		v = v * 10 + (w[i] - '0');
	}
	if (v > 255)
		return false;
	*out = (int16_t)v;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next word of [*p, end) ending at a space (or also a comma when commas is set). */
static size_t next_word(const char **p, const char *end, bool commas)
{
	const char *s = *p;
	while (s < end && (is_space(*s) || (commas && *s == ',')))
		s++;
	const char *e = s;
	while (e < end && !is_space(*e) && !(commas && *e == ','))
		e++;
	*p = s;
	return (size_t)(e - s);
}

/* One line without its newline or comment; returns NULL or a reason for err_fmt. */
static char *parse_line(struct theme *t, const char *p, const char *end)
{
	size_t n = next_word(&p, end, false);
	if (n == 0)
		return NULL;
	int r = find_role(p, n);
	if (r < 0)
		return err_fmt("unknown role '%.*s'", (int)n, p);
	const char *role = p;
	size_t role_n = n;
	p += n;

	struct theme_style st = { D, D, 0 };
	n = next_word(&p, end, false);
	if (n == 0)
		return err_fmt("role '%.*s' has no colours", (int)role_n, role);
	const char *colon = memchr(p, ':', n);
	size_t fn = colon ? (size_t)(colon - p) : n;
	if (!parse_colour(p, fn, &st.fg))
		return err_fmt("unknown colour '%.*s'", (int)fn, p);
	if (colon) {
		const char *b = colon + 1;
		size_t bn = n - fn - 1;
		if (memchr(b, ':', bn))
			return err_fmt("'%.*s' is not fg:bg", (int)n, p);
		if (!parse_colour(b, bn, &st.bg))
			return err_fmt("unknown colour '%.*s'", (int)bn, b);
	}
	p += n;

	bool none = false, any = false;
	while ((n = next_word(&p, end, true)) > 0) {
		size_t i = 0, na = sizeof attr_names / sizeof attr_names[0];
		if (word_is(p, n, "none")) {
			none = true;
		} else {
			while (i < na && !word_is(p, n, attr_names[i].name))
				i++;
			if (i == na)
				return err_fmt("unknown attribute '%.*s'", (int)n, p);
			st.attrs |= attr_names[i].bit;
			any = true;
		}
		if (none && any)
			return err_fmt("'none' with other attributes");
		p += n;
	}
	t->role[r] = st;
	return NULL;
}

int theme_parse(struct theme *t, const char *name, const char *text, size_t len, char **cause)
{
	if (!name)
		name = "theme";
	if (len > THEME_MAX_FILE) {
		*cause = err_fmt("%s: larger than %d bytes", name, THEME_MAX_FILE);
		return ERR_FORMAT;
	}
	struct theme tmp = *t;
	const char *p = text, *end = text + len;
	for (unsigned line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		char *why = NULL;
		if (eol - p > THEME_MAX_LINE)
			why = err_fmt("line longer than %d bytes", THEME_MAX_LINE);
		for (const char *c = p; !why && c < eol; c++)
			if ((unsigned char)*c < 0x20 && !is_space(*c))
				why = err_fmt("control character 0x%02x", (unsigned char)*c);
		if (!why) {
			const char *hash = memchr(p, '#', (size_t)(eol - p));
			why = parse_line(&tmp, p, hash ? hash : eol);
		}
		if (why) {
			*cause = err_fmt("%s:%u: %s", name, line, why);
			free(why);
			return ERR_FORMAT;
		}
		p = nl ? nl + 1 : end;
	}
	tmp.mono = !uses_colour(&tmp);
	*t = tmp;
	return ERR_OK;
}

/* Reads and applies one file. A missing file sets *missing (when given) without a cause. */
static int load_file(struct theme *t, const char *path, bool *missing, char **cause)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && missing) {
			*missing = true;
			return ERR_IO;
		}
		*cause = err_fmt("%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	char *buf = xmalloc(THEME_MAX_FILE + 1);
	size_t n = fread(buf, 1, THEME_MAX_FILE + 1, f);
	int rc = ERR_OK;
	if (ferror(f)) {
		*cause = err_fmt("%s: %s", path, strerror(errno));
		rc = ERR_IO;
	} else if (n > THEME_MAX_FILE) {
		*cause = err_fmt("%s: larger than %d bytes", path, THEME_MAX_FILE);
		rc = ERR_FORMAT;
	} else {
		rc = theme_parse(t, path, buf, n, cause);
	}
	free(buf);
	fclose(f);
	return rc;
}

static char *join(const char *dir, const char *name)
{
	size_t dn = strlen(dir);
	const char *sep = dn && dir[dn - 1] == '/' ? "" : "/";
	return err_fmt("%s%s%s.theme", dir, sep, name);
}

static int load_named(struct theme *t, const char *name, const char *const *dirs, char **cause)
{
	size_t ndirs = 0;
	for (; dirs && dirs[ndirs]; ndirs++) {
		if (!*dirs[ndirs])
			continue;
		char *path = join(dirs[ndirs], name);
		bool missing = false;
		int rc = load_file(t, path, &missing, cause);
		free(path);
		if (!missing)
			return rc;
	}
	if (word_is(name, strlen(name), "dark") || word_is(name, strlen(name), "default")) {
		theme_default(t);
		return ERR_OK;
	}
	if (word_is(name, strlen(name), "monochrome") || word_is(name, strlen(name), "mono")) {
		theme_mono(t);
		return ERR_OK;
	}
	/* Name every file tried, so a typo or a missing install is plain. */
	char *tried = xstrdup("");
	for (size_t i = 0; i < ndirs; i++) {
		if (!*dirs[i])
			continue;
		char *path = join(dirs[i], name);
		char *more = err_fmt("%s%s%s", tried, *tried ? ", " : "", path);
		free(path);
		free(tried);
		tried = more;
	}
	if (*tried)
		*cause = err_fmt("theme '%s' not found (tried %s)", name, tried);
	else
		*cause = err_fmt("theme '%s' not found (no theme directories)", name);
	free(tried);
	return ERR_IO;
}

int theme_load(struct theme *t, const char *name_or_path, const char *const *dirs, char **cause)
{
	const char *s = name_or_path;
	if (!s || !*s) {
		*cause = err_fmt("empty theme name");
		return ERR_ARG;
	}
	struct theme tmp;
	theme_default(&tmp);
	const char *slash = strrchr(s, '/');
	int rc = slash ? load_file(&tmp, s, NULL, cause) : load_named(&tmp, s, dirs, cause);
	if (rc != ERR_OK)
		return rc;
	const char *base = slash ? slash + 1 : s;
	size_t n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".theme"))
		n -= 6;
	if (n >= sizeof tmp.name)
		n = sizeof tmp.name - 1;
	memcpy(tmp.name, base, n);
	tmp.name[n] = '\0';
	*t = tmp;
	return ERR_OK;
}

int theme_colors(int term_colors, const char *no_color)
{
	return no_color && *no_color ? 0 : term_colors;
}

/* xterm's palette: what "nearest" is measured against. */
static void rgb(int c, int out[3])
{
	static const unsigned char base[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	if (c < 16) {
		for (int i = 0; i < 3; i++)
			out[i] = base[c][i];
	} else if (c < 232) {
		int v[3] = { (c - 16) / 36, (c - 16) / 6 % 6, (c - 16) % 6 };
		for (int i = 0; i < 3; i++)
			out[i] = v[i] ? 55 + 40 * v[i] : 0;
	} else {
		out[0] = out[1] = out[2] = 8 + 10 * (c - 232);
	}
}

static int16_t nearest(int16_t c, int pal)
{
	if (c < pal)
		return c;
	int want[3], best = 0;
	long best_d = -1;
	rgb(c, want);
	for (int i = 0; i < pal; i++) {
		int have[3];
		rgb(i, have);
		long dr = want[0] - have[0], dg = want[1] - have[1], db = want[2] - have[2];
		/* Weighted as the eye is: green counts most, blue least but more than red. */
		long d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return (int16_t)best;
}

static bool is_mid_grey(int16_t c)
{
	if (c < 8)
		return false;
	int v[3];
	rgb(c, v);
	return v[0] == v[1] && v[1] == v[2] && v[0] >= 0x30 && v[0] <= 0xd0;
}

void theme_fit(struct theme *t, int colors)
{
	if (colors >= 256)
		return;
	if (colors < 8) {
		if (uses_colour(t)) {
			char name[sizeof t->name];
			memcpy(name, t->name, sizeof name);
			theme_mono(t);
			memcpy(t->name, name, sizeof name);
		}
		t->mono = true;
		return;
	}
	int pal = colors < 16 ? 8 : 16;
	for (int i = 0; i < ROLE_COUNT; i++) {
		struct theme_style *s = &t->role[i];
		int16_t fg0 = s->fg, bg0 = s->bg;
		if (pal == 8 && is_mid_grey(s->fg)) {
			s->fg = D;
			s->attrs |= THEME_DIM;
		} else {
			s->fg = nearest(s->fg, pal);
		}
		s->bg = nearest(s->bg, pal);
		/* Two colours that differed must not merge into unreadable text. */
		if (s->fg != D && s->fg == s->bg && fg0 != bg0) {
			int v[3];
			rgb(s->bg, v);
			s->fg = 2 * v[0] + 4 * v[1] + 3 * v[2] > 9 * 128 ? BLACK : WHITE;
		}
	}
}
