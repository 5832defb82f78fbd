/* flowpipe: hands flows from one thread to a worker thread through a
 * single-producer single-consumer ring, without a lock on the way: the
 * producer publishes its position every few messages (release), the worker
 * takes what is published (acquire). flowpipe_sync waits until the worker has
 * applied everything pushed, after which the producer may read what the
 * worker owns. */
#ifndef NFTOP_FLOWPIPE_H
#define NFTOP_FLOWPIPE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/* FLOWPIPE_CALL runs a function on the worker; every other kind is the
 * caller's, handed to its fn. */
enum flowpipe_kind { FLOWPIPE_FLOW, FLOWPIPE_ADVANCE, FLOWPIPE_CONTEXT, FLOWPIPE_CALL };

/* A message is one cache line: the ring's lines travel between two cores
 * (through memory, with streaming stores), so the caller packs what the
 * worker needs into these bytes rather than a whole struct flow. */
#define FLOWPIPE_DATA 63

struct flowpipe_msg {
	_Alignas(64) unsigned char data[FLOWPIPE_DATA];
	uint8_t kind;
};

typedef void (*flowpipe_fn)(void *arg, const struct flowpipe_msg *m);

struct flowpipe;

/* Messages the worker looks ahead: it shows 'ahead' (if given) every
 * message once, FLOWPIPE_AHEAD places before applying it, or as soon as it
 * is published when that is later (the worker had caught up), so the slots
 * it will touch can be asked for while the messages in between are
 * applied. 'ahead' must not change anything. */
#define FLOWPIPE_AHEAD 12

/* NULL if the thread cannot be started (the caller then works alone). */
struct flowpipe *flowpipe_start(flowpipe_fn fn, flowpipe_fn ahead, void *arg);
void flowpipe_push(struct flowpipe *p, const struct flowpipe_msg *m);
/* The same with stores that bypass the producer's cache (x86: movntdq).
 * A ring line the worker has read must otherwise be taken back from the
 * worker's core before it is written again, and the producer stalled on
 * that for every message (perf: a quarter of its time, on the stores that
 * followed). The stores are fenced before every publication. */
void flowpipe_push_stream(struct flowpipe *p, const struct flowpipe_msg *m);
/* Runs call(arg) on the worker after everything pushed before it. */
void flowpipe_call(struct flowpipe *p, void (*call)(void *arg), void *arg);
/* Lets the worker see everything pushed so far, without waiting for it. */
void flowpipe_publish(struct flowpipe *p);
void flowpipe_sync(struct flowpipe *p);
/* Waits (spinning, then yielding, then sleeping) until *flag is set, with
 * acquire: for a call that tells its caller it has reached a point. */
void flowpipe_await(const atomic_bool *flag);
/* Applies what is left, stops the worker and frees the pipe. */
void flowpipe_stop(struct flowpipe *p);

#endif
