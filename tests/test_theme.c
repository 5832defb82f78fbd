/* Theme parser, loader and colour fitting, on the shipped theme files
 * ($top_srcdir/themes) and on small texts written here. */
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "tap.h"
#include "theme.h"

#define POISON 999	/* no parser result; a role still holding it was not named */

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : ".";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = malloc(THEME_MAX_FILE + 1);
	*len = fread(buf, 1, THEME_MAX_FILE + 1, f);
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool same_roles(const struct theme *a, const struct theme *b)
{
	return !memcmp(a->role, b->role, sizeof a->role);
}

static bool style_is(const struct theme_style *s, int fg, int bg, unsigned attrs)
{
	if (s->fg == fg && s->bg == bg && s->attrs == attrs)
		return true;
	printf("#   style is %d:%d attrs %u, want %d:%d attrs %u\n", s->fg, s->bg, s->attrs, fg, bg, attrs);
	return false;
}

/* Parses a shipped file over a poisoned theme, so a role it forgets shows. */
static bool parse_shipped(const char *file, struct theme *t)
{
	char path[4096];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/themes/%s", srcdir(), file);
	char *text = slurp(path, &len);
	if (!ok(text != NULL, "%s: readable", file))
		return false;
	theme_default(t);
	for (int i = 0; i < ROLE_COUNT; i++)
		t->role[i].fg = POISON;
	char *cause = NULL;
	int rc = theme_parse(t, path, text, len, &cause);
	free(text);
	if (!ok(rc == ERR_OK, "%s: parses", file)) {
		printf("#   %s\n", cause);
		free(cause);
		return false;
	}
	int missing = -1;
	for (int i = 0; i < ROLE_COUNT; i++)
		if (t->role[i].fg == POISON)
			missing = i;
	ok(missing < 0, "%s: names every role%s%s", file, missing < 0 ? "" : ", not ",
	   missing < 0 ? "" : theme_role_name((enum theme_role)missing));
	return true;
}

static void test_names(void)
{
	is_str(theme_role_name(ROLE_NORMAL), "normal", "role name: normal");
	is_str(theme_role_name(ROLE_HEADER_WARN), "header_warn", "role name: header_warn");
	is_str(theme_role_name(ROLE_HELP), "help", "role name: help (last)");
	is_str(theme_role_name(ROLE_COUNT), "?", "role name: out of range");
	int bad = 0;
	for (int i = 0; i < ROLE_COUNT; i++)
		for (int j = i + 1; j < ROLE_COUNT; j++)
			bad += !strcmp(theme_role_name((enum theme_role)i), theme_role_name((enum theme_role)j));
	ok(bad == 0, "role names are distinct");
}

static void test_shipped(void)
{
	struct theme t, ref;
	if (parse_shipped("dark.theme", &t)) {
		theme_default(&ref);
		ok(same_roles(&t, &ref), "dark.theme: the same as the compiled-in default");
		ok(!t.mono, "dark.theme: uses colour");
		ok(style_is(&t.role[ROLE_HEADER], 7, 4, THEME_BOLD), "dark.theme: header white:blue bold");
		ok(style_is(&t.role[ROLE_DIM], 8, -1, 0), "dark.theme: dim bright-black");
	}
	if (parse_shipped("monochrome.theme", &t)) {
		theme_mono(&ref);
		ok(same_roles(&t, &ref), "monochrome.theme: the same as theme_mono()");
		ok(t.mono && ref.mono, "monochrome.theme: no colour");
		ok(style_is(&t.role[ROLE_SELECTED], -1, -1, THEME_REVERSE), "monochrome.theme: selected reverse");
		ok(style_is(&t.role[ROLE_HEADER_WARN], -1, -1, THEME_REVERSE | THEME_BOLD | THEME_UNDERLINE),
		   "monochrome.theme: header_warn reverse,bold,underline");
	}
	if (parse_shipped("light.theme", &t)) {
		ok(!t.mono, "light.theme: uses colour");
		ok(style_is(&t.role[ROLE_HEADER_WARN], 11, 4, THEME_BOLD), "light.theme: header_warn bright-yellow:blue");
		ok(style_is(&t.role[ROLE_STATUS], 7, 240, 0), "light.theme: status white:240");
		ok(style_is(&t.role[ROLE_DIM], 244, -1, 0), "light.theme: dim 244 (comment after it ignored)");
	}
}

static void test_override(void)
{
	struct theme t, ref;
	char *cause = NULL;
	theme_default(&ref);
	t = ref;
	const char *text = "# a few roles only\n\n"
			   "header red:   # empty bg\n"
			   "  selected :green bold,underline\r\n"
			   "Bar-Empty bright_red:grey reverse, italic blink\n"
			   "spark 255\n"
			   "status 0:15 none";
	int rc = theme_parse(&t, "part", text, strlen(text), &cause);
	ok(rc == ERR_OK, "override: parses%s%s", cause ? ": " : "", cause ? cause : "");
	free(cause);
	ok(style_is(&t.role[ROLE_HEADER], 1, -1, 0), "override: header red, bg empty = default, no attrs");
	ok(style_is(&t.role[ROLE_SELECTED], -1, 2, THEME_BOLD | THEME_UNDERLINE), "override: selected :green");
	ok(style_is(&t.role[ROLE_BAR_EMPTY], 9, 8, THEME_REVERSE | THEME_ITALIC | THEME_BLINK),
	   "override: case, '-'/'_', grey, attributes by comma and space");
	ok(style_is(&t.role[ROLE_SPARK], 255, -1, 0), "override: number without ':bg'");
	ok(style_is(&t.role[ROLE_STATUS], 0, 15, 0), "override: last line without newline");
	int kept = 0;
	for (int i = 0; i < ROLE_COUNT; i++)
		kept += !memcmp(&t.role[i], &ref.role[i], sizeof t.role[i]);
	is_u64(kept, ROLE_COUNT - 5, "override: every other role keeps the default");
	is_str(t.name, "dark", "override: the name is the loader's business");

	t = ref;
	rc = theme_parse(&t, "empty", "", 0, &cause);
	ok(rc == ERR_OK && same_roles(&t, &ref), "empty text changes nothing");
}

static void expect_error(const char *text, const char *want, const char *what)
{
	struct theme t, before;
	char *cause = NULL;
	theme_default(&t);
	before = t;
	int rc = theme_parse(&t, "bad.theme", text, strlen(text), &cause);
	ok(rc == ERR_FORMAT, "error: %s: ERR_FORMAT", what);
	is_str(cause, want, "error: %s: message", what);
	ok(!memcmp(&t, &before, sizeof t), "error: %s: theme untouched", what);
	free(cause);
}

static void test_errors(void)
{
	expect_error("normal default:default\n# fine\nheadr white:blue bold\n", "bad.theme:3: unknown role 'headr'",
		     "bad role");
	expect_error("header white:blue bold\ntitle purple:default\n", "bad.theme:2: unknown colour 'purple'",
		     "bad fg");
	expect_error("title red:256\n", "bad.theme:1: unknown colour '256'", "colour above 255");
	expect_error("title red:-1\n", "bad.theme:1: unknown colour '-1'", "negative colour");
	expect_error("\n\n\n\nbar green blod\n", "bad.theme:5: unknown attribute 'blod'", "bad attribute");
	expect_error("bar green none,bold\n", "bad.theme:1: 'none' with other attributes", "none with bold");
	expect_error("bar red:green:blue\n", "bad.theme:1: 'red:green:blue' is not fg:bg", "three colours");
	expect_error("row   # no colours\n", "bad.theme:1: role 'row' has no colours", "missing colours");
	expect_error("row red\x1b[2J\n", "bad.theme:1: control character 0x1b", "control character");

	char *longl = malloc(THEME_MAX_LINE + 40);
	memset(longl, ' ', THEME_MAX_LINE + 38);
	memcpy(longl, "row 1\n# x", 9);
	longl[THEME_MAX_LINE + 38] = '\0';
	expect_error(longl, "bad.theme:2: line longer than 512 bytes", "long line");
	free(longl);

	struct theme t;
	char *cause = NULL;
	theme_default(&t);
	char *big = calloc(1, THEME_MAX_FILE + 2);
	memset(big, '\n', THEME_MAX_FILE + 1);
	int rc = theme_parse(&t, "big.theme", big, THEME_MAX_FILE + 1, &cause);
	ok(rc == ERR_FORMAT, "error: file over 64 KiB refused");
	is_str(cause, "big.theme: larger than 65536 bytes", "error: file size message");
	free(cause);
	cause = NULL;
	rc = theme_parse(&t, "nul.theme", "row red\0", 8, &cause);
	is_str(cause, "nul.theme:1: control character 0x00", "error: NUL byte");
	free(cause);
	free(big);
}

static void test_fit(void)
{
	struct theme t, m;
	char *cause = NULL;
	theme_default(&t);
	theme_fit(&t, 256);
	theme_default(&m);
	ok(same_roles(&t, &m), "fit 256: unchanged");

	theme_fit(&t, 8);
	ok(style_is(&t.role[ROLE_HEADER], 7, 4, THEME_BOLD), "fit 8: the first 8 stay");
	ok(style_is(&t.role[ROLE_DIM], -1, -1, THEME_DIM), "fit 8: grey fg becomes default + dim");

	const char *text = "title_active 28:220\nwarn 130\nstatus 7:240\nspark 33\n"
			   "error 9:1\nbar 12:default\nhelp 15:0\n";
	theme_default(&t);
	theme_parse(&t, "fit", text, strlen(text), &cause);
	free(cause);
	cause = NULL;
	struct theme t16 = t;
	theme_fit(&t, 8);
	int over = 0;
	for (int i = 0; i < ROLE_COUNT; i++)
		over += t.role[i].fg > 7 || t.role[i].bg > 7;
	is_u64(over, 0, "fit 8: no colour above 7 is left");
	ok(style_is(&t.role[ROLE_TITLE_ACTIVE], 2, 3, 0), "fit 8: 28 -> green, 220 -> yellow");
	ok(style_is(&t.role[ROLE_WARN], 1, -1, 0), "fit 8: 130 (brown) -> red");
	ok(style_is(&t.role[ROLE_STATUS], 7, 0, 0), "fit 8: 240 (dark grey) bg -> black");
	ok(style_is(&t.role[ROLE_SPARK], 6, -1, 0), "fit 8: 33 (azure) -> cyan");
	ok(style_is(&t.role[ROLE_ERROR], 7, 1, 0), "fit 8: bright-red on red stays readable");
	ok(style_is(&t.role[ROLE_BAR], 4, -1, 0), "fit 8: bright-blue -> blue");
	ok(style_is(&t.role[ROLE_HELP], 7, 0, 0), "fit 8: bright-white -> white");

	theme_fit(&t16, 16);
	ok(style_is(&t16.role[ROLE_ERROR], 9, 1, 0), "fit 16: 8-15 stay");
	ok(style_is(&t16.role[ROLE_STATUS], 7, 8, 0), "fit 16: 240 -> bright-black");
	ok(style_is(&t16.role[ROLE_TITLE_ACTIVE], 2, 3, 0), "fit 16: 220 (amber) -> yellow, not bright-yellow");

	theme_default(&t);
	theme_fit(&t, 0);
	theme_mono(&m);
	ok(same_roles(&t, &m) && t.mono, "fit 0: a colour theme becomes monochrome");
	is_str(t.name, "dark", "fit 0: keeps the theme's name");
	theme_default(&t);
	theme_fit(&t, -1);
	ok(same_roles(&t, &m), "fit -1 (no colour support): monochrome");

	theme_mono(&t);
	theme_parse(&t, "mine", "selected : underline\n", 21, &cause);
	free(cause);
	theme_fit(&t, 0);
	ok(style_is(&t.role[ROLE_SELECTED], -1, -1, THEME_UNDERLINE) && t.mono,
	   "fit 0: a colourless theme keeps its own attributes");

	is_u64(theme_colors(256, "1"), 0, "NO_COLOR=1: no colours");
	is_u64(theme_colors(256, ""), 256, "NO_COLOR empty: ignored");
	is_u64(theme_colors(8, NULL), 8, "NO_COLOR unset: the terminal's count");
}

static void test_load(void)
{
	struct theme t, ref;
	char *cause = NULL, dir[4096], tmp[] = "/tmp/nftop-theme-XXXXXX", path[4200];
	snprintf(dir, sizeof dir, "%s/themes", srcdir());
	if (!mkdtemp(tmp)) {
		ok(0, "mkdtemp");
		return;
	}

	const char *dirs[] = { tmp, dir, NULL };
	int rc = theme_load(&t, "light", dirs, &cause);
	ok(rc == ERR_OK, "load by name through the dir list%s%s", cause ? ": " : "", cause ? cause : "");
	free(cause);
	cause = NULL;
	is_str(t.name, "light", "load by name: name set");
	ok(style_is(&t.role[ROLE_DIM], 244, -1, 0), "load by name: light.theme's values");

	snprintf(path, sizeof path, "%s/light.theme", tmp);
	write_file(path, "# user's copy shadows the shipped one\nheader red:black\n");
	rc = theme_load(&t, "light", dirs, &cause);
	theme_default(&ref);
	ok(rc == ERR_OK && style_is(&t.role[ROLE_HEADER], 1, 0, 0), "load by name: first dir wins");
	ok(!memcmp(&t.role[ROLE_DIM], &ref.role[ROLE_DIM], sizeof ref.role[0]),
	   "load: a partial file starts from the default");
	ok(!t.mono, "load: partial over default still uses colour");

	snprintf(path, sizeof path, "%s/themes/monochrome.theme", srcdir());
	rc = theme_load(&t, path, NULL, &cause);
	ok(rc == ERR_OK && t.mono, "load by path: monochrome.theme");
	is_str(t.name, "monochrome", "load by path: name is the base name without .theme");

	rc = theme_load(&t, "nosuch", dirs, &cause);
	ok(rc < 0, "load: missing name fails");
	char want[9000];
	snprintf(want, sizeof want, "theme 'nosuch' not found (tried %s/nosuch.theme, %s/nosuch.theme)", tmp, dir);
	is_str(cause, want, "load: missing name lists the files tried");
	free(cause);
	cause = NULL;

	rc = theme_load(&t, "/nonexistent/x.theme", dirs, &cause);
	ok(rc < 0, "load: missing path fails");
	is_str(cause, "/nonexistent/x.theme: No such file or directory", "load: missing path names the file");
	free(cause);
	cause = NULL;

	snprintf(path, sizeof path, "%s/broken.theme", tmp);
	write_file(path, "header white:blue\nrow pink\n");
	theme_default(&t);
	strcpy(t.name, "before");
	rc = theme_load(&t, "broken", dirs, &cause);
	snprintf(want, sizeof want, "%s:2: unknown colour 'pink'", path);
	ok(rc == ERR_FORMAT, "load: parse error fails");
	is_str(cause, want, "load: parse error names the file and line");
	is_str(t.name, "before", "load: theme untouched on error");
	free(cause);
	cause = NULL;

	const char *none[] = { NULL };
	rc = theme_load(&t, "dark", none, &cause);
	theme_default(&ref);
	ok(rc == ERR_OK && same_roles(&t, &ref), "load: 'dark' without files is the compiled-in default");
	rc = theme_load(&t, "monochrome", NULL, &cause);
	ok(rc == ERR_OK && t.mono, "load: 'monochrome' without files is the compiled-in fallback");
	rc = theme_load(&t, "x", NULL, &cause);
	is_str(cause, "theme 'x' not found (no theme directories)", "load: no dirs, plain message");
	free(cause);
	cause = NULL;
	rc = theme_load(&t, "", dirs, &cause);
	ok(rc == ERR_ARG, "load: empty name refused");
	free(cause);
	cause = NULL;
	rc = theme_load(&t, tmp, dirs, &cause);
	ok(rc < 0 && cause && strstr(cause, tmp), "load: a directory as path fails naming it");
	free(cause);

	snprintf(path, sizeof path, "%s/light.theme", tmp);
	unlink(path);
	snprintf(path, sizeof path, "%s/broken.theme", tmp);
	unlink(path);
	rmdir(tmp);
}

int main(void)
{
	test_names();
	test_shipped();
	test_override();
	test_errors();
	test_fit();
	test_load();
	return done_testing();
}
