/* screen: the interactive loop. Takes snapshots from the engine, draws them
 * with the view, reads keys through term, turns them into requests. */
#ifndef NFTOP_SCREEN_H
#define NFTOP_SCREEN_H

#include <stdatomic.h>

#include "conf.h"

/* Runs until q or *stop; returns the exit status. */
int screen_run(const struct conf *c, atomic_int *stop);

#endif
