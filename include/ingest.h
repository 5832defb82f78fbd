/* ingest: runs sources through the decoder into a flow sink, keeping input
 * time, replay pacing and the print schedule of batch mode. The same loop
 * runs in the main thread (batch) and in the ingest thread (screen). */
#ifndef NFTOP_INGEST_H
#define NFTOP_INGEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "decode.h"
#include "source.h"
#include "store.h"

struct ingest;
struct iface;

/* Called when an --interval boundary of input time passes, and at the end. */
typedef void (*ingest_tick_fn)(void *arg, struct ingest *in);
/* Called often between datagrams (and on every idle timeout), so a caller can
 * take commands, publish snapshots or hold a paused replay. */
typedef void (*ingest_hook_fn)(void *arg, struct ingest *in);

struct ingest {
	const struct conf *c;
	struct decoder *dec;
	struct store *store;		/* where the default sink adds flows */
	flow_emit_fn sink;
	void *sink_arg;
	struct source_stats done;	/* counters of sources already closed */
	struct source *cur;		/* the source being read */
	struct iface *ifc;		/* -i: the interface being captured */
	char cur_name[256];		/* name of the current (or last) source */
	uint64_t next_print_ms;		/* input time of the next interval print */
	uint64_t input_ms;		/* input time of the newest datagram */
	ingest_tick_fn tick;
	void *tick_arg;
	ingest_hook_fn hook;
	void *hook_arg;
	atomic_int *stop;		/* set from a signal handler or the screen */
	double speed;			/* replay pacing, changeable by the hook */
	uint64_t pace_wall, pace_input;	/* anchor of the pacing: restart with ingest_repace */
	uint64_t flows;
	uint64_t not_allowed;		/* datagrams from sources --allow-exporter leaves out */
	uint64_t metered_packets;	/* packets of ordinary captures turned into flows */
	struct ingest_allow {
		struct flow_addr net;
		unsigned bits;
	} *allow;
	size_t nallow;
	int errors;			/* inputs that failed */
};

void ingest_init(struct ingest *in, const struct conf *c, struct decoder *dec, struct store *st,
		 ingest_tick_fn tick, void *arg, atomic_int *stop);
/* Reads a capture to its end; logs a one-line error for a bad file. */
int ingest_replay(struct ingest *in, const char *path);
/* Binds the listening sockets now (ingest_live would do it), so that an
 * error is known before a screen starts. */
int ingest_open_live(struct ingest *in);
/* Collects until --duration passes or *stop is set. */
int ingest_live(struct ingest *in);
/* Runs every -r file, or the listeners. */
void ingest_run(struct ingest *in);
/* Before the last print: aligns the window to the interval in progress. */
void ingest_finish(struct ingest *in);
/* Pacing starts afresh from the next datagram (after a pause or a new speed). */
void ingest_repace(struct ingest *in);
void ingest_free(struct ingest *in);
/* Counters of every source so far, the current one included. */
void ingest_source_stats(const struct ingest *in, struct source_stats *st);
uint64_t ingest_mono_ms(void);

#endif
