/* ingest: runs sources through the decoder into the store, keeping input
 * time, replay pacing and the print schedule of batch mode. */
#ifndef NFTOP_INGEST_H
#define NFTOP_INGEST_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "decode.h"
#include "source.h"
#include "store.h"

struct ingest;

/* Called when an --interval boundary of input time passes, and at the end. */
typedef void (*ingest_tick_fn)(void *arg, struct ingest *in);

struct ingest {
	const struct conf *c;
	struct decoder *dec;
	struct store *store;
	struct source_stats done;	/* counters of sources already closed */
	struct source *cur;		/* the source being read */
	uint64_t next_print_ms;		/* input time of the next interval print */
	ingest_tick_fn tick;
	void *tick_arg;
	volatile sig_atomic_t *stop;	/* set from a signal handler */
	uint64_t flows;
	int errors;			/* inputs that failed */
};

void ingest_init(struct ingest *in, const struct conf *c, struct decoder *dec, struct store *st,
		 ingest_tick_fn tick, void *arg, volatile sig_atomic_t *stop);
/* Reads a capture to its end; prints a one-line error for a bad file. */
int ingest_replay(struct ingest *in, const char *path);
/* Collects until --duration passes or *stop is set. */
int ingest_live(struct ingest *in);
/* Before the last print: aligns the window to the interval in progress. */
void ingest_finish(struct ingest *in);
/* Counters of every source so far, the current one included. */
void ingest_source_stats(const struct ingest *in, struct source_stats *st);

#endif
