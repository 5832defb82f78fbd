/* term: the only module that talks to curses. It starts and restores the
 * terminal, maps theme roles to colour pairs, copies a canvas to the screen
 * and reads keys as ui.h names them. */
#ifndef NFTOP_TERM_H
#define NFTOP_TERM_H

#include <stdbool.h>

#include "canvas.h"
#include "theme.h"

/* Starts the screen; *utf8 tells whether the locale can show UTF-8 bars.
 * Returns false (with *cause) when there is no usable terminal. */
bool term_start(struct theme *t, bool *utf8, char **cause);
void term_end(void);
/* Restores the terminal from a crash handler: async-signal-safe (write(2)
 * of the reset bytes prepared by term_start, then tcsetattr(3) of the modes
 * from before it); does nothing when the screen is not up. */
void term_emergency_end(void);
void term_size(int *w, int *h);
void term_draw(const struct canvas *c);
void term_bell(void);
/* A key (ui.h UK_* or a character), or -1 when none came within timeout_ms. */
int term_key(int timeout_ms);

#endif
