#define _XOPEN_SOURCE_EXTENDED 1
#include <langinfo.h>
#include <locale.h>
#include <ncurses.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "err.h"
#include "term.h"
#include "ui.h"

static atomic_int term_up;
static FILE *tty_in;		/* the keyboard when standard input carries data (-r -) */
static attr_t role_attr[ROLE_COUNT];
static short role_pair[ROLE_COUNT];
/* What a crash handler needs, prepared while it is still safe to call
 * curses: the terminal modes from before the screen started, and the bytes
 * that leave the alternate screen, show the cursor and reset attributes. */
static struct termios saved_tio;
static bool saved_tio_ok;
static int saved_fd = STDIN_FILENO;	/* where the keys come from (stdin or /dev/tty) */
static char reset_seq[128];
static size_t reset_len;

static attr_t attrs_of(uint16_t a)
{
	attr_t r = 0;
	if (a & THEME_BOLD) r |= A_BOLD;
	if (a & THEME_DIM) r |= A_DIM;
	if (a & THEME_UNDERLINE) r |= A_UNDERLINE;
	if (a & THEME_REVERSE) r |= A_REVERSE;
	if (a & THEME_BLINK) r |= A_BLINK;
#ifdef A_ITALIC
	if (a & THEME_ITALIC) r |= A_ITALIC;
#endif
	return r;
}

static void setup_colors(struct theme *t)
{
	int colors = 0;
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		colors = COLORS;
	}
	theme_fit(t, theme_colors(colors, getenv("NO_COLOR")));
	for (int r = 0; r < ROLE_COUNT; r++) {
		role_attr[r] = attrs_of(t->role[r].attrs);
		role_pair[r] = 0;
		if (!t->mono && colors && r + 1 < COLOR_PAIRS) {
			init_pair((short)(r + 1), t->role[r].fg, t->role[r].bg);
			role_pair[r] = (short)(r + 1);
		}
	}
}

static void add_cap(const char *name)
{
	char *v = tigetstr(name);
	if (!v || v == (char *)-1)
		return;
	size_t n = strlen(v);
	if (reset_len + n < sizeof reset_seq) {
		memcpy(reset_seq + reset_len, v, n);
		reset_len += n;
	}
}

static void prepare_reset(void)
{
	reset_len = 0;
	add_cap("sgr0");	/* attributes off */
	add_cap("cnorm");	/* cursor visible */
	add_cap("rmkx");	/* keypad back to normal */
	add_cap("rmcup");	/* leave the alternate screen */
	if (reset_len + 2 < sizeof reset_seq) {
		memcpy(reset_seq + reset_len, "\r\n", 2);
		reset_len += 2;
	}
}

bool term_start(struct theme *t, bool *utf8, char **cause)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	*utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	/* Keys come from the terminal, not from standard input when that is
	 * a pipe or a file (`goflow2 | nftop -r -`), as less(1) does. */
	FILE *keys = stdin;
	if (!isatty(STDIN_FILENO)) {
		if (!(tty_in = fopen("/dev/tty", "r"))) {
			*cause = err_fmt("standard input is not a terminal and /dev/tty cannot be opened; use -b for batch output");
			return false;
		}
		keys = tty_in;
	}
	saved_fd = fileno(keys);
	saved_tio_ok = tcgetattr(saved_fd, &saved_tio) == 0;
	if (!newterm(NULL, stdout, keys)) {
		*cause = err_fmt("cannot start the screen (TERM=%s); use -b for batch output",
				 getenv("TERM") ? getenv("TERM") : "unset");
		if (tty_in)
			fclose(tty_in);
		tty_in = NULL;
		return false;
	}
	prepare_reset();
	term_up = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	setup_colors(t);
	return true;
}

void term_end(void)
{
	if (atomic_exchange(&term_up, 0)) {
		endwin();
		if (tty_in)
			fclose(tty_in);
		tty_in = NULL;
	}
}

/* Only write(2) and tcsetattr(3), both async-signal-safe, with what
 * term_start prepared: curses itself is never entered from a handler. */
void term_emergency_end(void)
{
	/* No fclose and no curses here: a signal handler may run this. */
	if (!atomic_exchange(&term_up, 0))
		return;
	const char *p = reset_seq;
	size_t left = reset_len;
	while (left > 0) {
		ssize_t n = write(STDOUT_FILENO, p, left);
		if (n <= 0)
			break;
		p += n;
		left -= (size_t)n;
	}
	if (saved_tio_ok)
		tcsetattr(saved_fd, TCSANOW, &saved_tio);
}

void term_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

void term_draw(const struct canvas *c)
{
	for (int y = 0; y < c->h; y++) {
		for (int x = 0; x < c->w; x++) {
			const struct cell *cell = &c->cells[y * c->w + x];
			wchar_t wc[2] = { (wchar_t)cell->ch, 0 };
			cchar_t cc;
			uint8_t r = cell->role < ROLE_COUNT ? cell->role : 0;
			setcchar(&cc, wc, role_attr[r], role_pair[r], NULL);
			/* The bottom-right cell would scroll some terminals: insert it instead. */
			if (y == c->h - 1 && x == c->w - 1)
				mvins_wch(y, x, &cc);
			else
				mvadd_wch(y, x, &cc);
		}
	}
	refresh();
}

int term_key(int timeout_ms)
{
	wint_t ch;
	timeout(timeout_ms);
	int r = get_wch(&ch);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return UK_UP;
		case KEY_DOWN: return UK_DOWN;
		case KEY_LEFT: return UK_LEFT;
		case KEY_RIGHT: return UK_RIGHT;
		case KEY_PPAGE: return UK_PGUP;
		case KEY_NPAGE: return UK_PGDN;
		case KEY_HOME: return UK_HOME;
		case KEY_END: return UK_END;
		case KEY_ENTER: return UK_ENTER;
		case KEY_BACKSPACE: return UK_BACKSPACE;
		case KEY_DC: return UK_DELETE;
		case KEY_BTAB: return UK_BTAB;
		case KEY_F(1): return UK_F1;
		case KEY_F(6): return UK_F6;
		case KEY_F(10): return UK_F10;
		case KEY_RESIZE: return UK_RESIZE;
		}
		return -1;
	}
	switch (ch) {
	case '\r': case '\n': return UK_ENTER;
	case 27: return UK_ESC;
	case 127: case 8: return UK_BACKSPACE;
	case '\t': return UK_TAB;
	}
	return (int)ch;
}

void term_bell(void)
{
	beep();
}
