#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "xmem.h"

struct canvas *canvas_new(int w, int h, bool utf8)
{
	struct canvas *c = xcalloc(1, sizeof *c);
	c->w = w > 0 ? w : 1;
	c->h = h > 0 ? h : 1;
	c->utf8 = utf8;
	c->cells = xcalloc((size_t)c->w * (size_t)c->h, sizeof *c->cells);
	canvas_clear(c, 0);
	return c;
}

void canvas_free(struct canvas *c)
{
	if (!c)
		return;
	free(c->cells);
	free(c);
}

void canvas_clear(struct canvas *c, uint8_t role)
{
	for (int i = 0; i < c->w * c->h; i++) {
		c->cells[i].ch = ' ';
		c->cells[i].role = role;
	}
}

static void put(struct canvas *c, int x, int y, uint32_t ch, uint8_t role)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return;
	struct cell *cell = &c->cells[y * c->w + x];
	cell->ch = ch;
	cell->role = role;
}

/* Next code point of a UTF-8 string; invalid sequences give '?' and advance one byte. */
static uint32_t next_cp(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t cp;
	int n;
	if (s[0] < 0x80) {
		*sp = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) { cp = s[0] & 0x1f; n = 1; }
	else if ((s[0] & 0xf0) == 0xe0) { cp = s[0] & 0x0f; n = 2; }
	else if ((s[0] & 0xf8) == 0xf0) { cp = s[0] & 0x07; n = 3; }
	else { *sp = s + 1; return '?'; }
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*sp = s + 1;
			return '?';
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*sp = s + n + 1;
	return cp;
}

int canvas_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;
	while (*p) {
		next_cp(&p);
		n++;
	}
	return n;
}

int canvas_text(struct canvas *c, int x, int y, int maxw, uint8_t role, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;
	while (*p && n < maxw) {
		uint32_t cp = next_cp(&p);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			cp = '?';
		if (!c->utf8 && cp >= 0x80)
			cp = '?';
		put(c, x + n, y, cp, role);
		n++;
	}
	return n;
}

int canvas_textf(struct canvas *c, int x, int y, int maxw, uint8_t role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return canvas_text(c, x, y, maxw, role, buf);
}

void canvas_rtext(struct canvas *c, int x, int y, int w, uint8_t role, const char *s)
{
	int n = canvas_width(s);
	if (n > w) {
		/* Too wide: keep the end, where the unit is, and mark the cut. */
		canvas_text(c, x, y, w, role, s);
		put(c, x + w - 1, y, c->utf8 ? 0x2026 : '+', role);
		return;
	}
	canvas_text(c, x + w - n, y, n, role, s);
}

void canvas_fill(struct canvas *c, int x, int y, int w, uint8_t role, uint32_t ch)
{
	for (int i = 0; i < w; i++)
		put(c, x + i, y, ch, role);
}

void canvas_paint(struct canvas *c, int x, int y, int w, uint8_t role)
{
	for (int i = 0; i < w; i++)
		if (x + i >= 0 && x + i < c->w && y >= 0 && y < c->h)
			c->cells[y * c->w + x + i].role = role;
}

void canvas_bar(struct canvas *c, int x, int y, int w, double frac, uint8_t role, uint8_t empty_role)
{
	if (w <= 0)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int eighths = (int)(frac * w * 8 + 0.5);
	for (int i = 0; i < w; i++) {
		int e = eighths - i * 8;
		uint32_t ch;
		if (e >= 8)
			ch = c->utf8 ? 0x2588 : '#';
		else if (e <= 0)
			ch = c->utf8 ? ' ' : ' ';
		else
			ch = c->utf8 ? (uint32_t)(0x2590 - e) : (e >= 4 ? '#' : ' ');
		put(c, x + i, y, ch, e > 0 ? role : empty_role);
	}
}

void canvas_spark(struct canvas *c, int x, int y, const uint64_t *v, int n, uint8_t role)
{
	static const char ascii[] = " .:-=+*#";
	uint64_t max = 0;
	for (int i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (int i = 0; i < n; i++) {
		int lvl = max ? (int)((v[i] * 7 + max - 1) / max) : 0;	/* 0..7, any traffic >= 1 */
		uint32_t ch = c->utf8 ? (lvl ? 0x2581 + (uint32_t)lvl : ' ') : (uint32_t)ascii[lvl];
		if (c->utf8 && v[i] && !lvl)
			ch = 0x2581;
		put(c, x + i, y, ch, role);
	}
}

static int utf8_put(char *p, uint32_t cp)
{
	if (cp < 0x80) { p[0] = (char)cp; return 1; }
	if (cp < 0x800) { p[0] = (char)(0xc0 | cp >> 6); p[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | cp >> 12); p[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | cp >> 18); p[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3f)); p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *canvas_dump(const struct canvas *c)
{
	char *out = xmalloc((size_t)c->h * ((size_t)c->w * 4 + 1) + 1);
	size_t n = 0;
	for (int y = 0; y < c->h; y++) {
		size_t line = n, end = n;
		for (int x = 0; x < c->w; x++) {
			uint32_t ch = c->cells[y * c->w + x].ch;
			n += (size_t)utf8_put(out + n, ch);
			if (ch != ' ')
				end = n;
		}
		(void)line;
		n = end;
		out[n++] = '\n';
	}
	out[n] = '\0';
	return out;
}
