#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "flowpipe.h"
#include "xmem.h"

#if defined(__x86_64__) || defined(__SSE2__)
#include <emmintrin.h>
#define STREAM 1
#endif
_Static_assert(sizeof(struct flowpipe_msg) == 64, "a message is one cache line");

struct call {
	void (*call)(void *arg);
	void *arg;
};

#define RING 4096			/* messages; a power of two */
#define PF_MSG (2 * FLOWPIPE_AHEAD)	/* messages the worker prefetches ahead */
#define PUBLISH 32			/* producer publishes its position this often */

/* Each line below is written by one side only: the producer writes its own
 * position at every message, so nothing the worker reads may share its line
 * (the line would travel between the cores at every message). */
struct flowpipe {
	struct flowpipe_msg *ring;		/* read-only after the start */
	flowpipe_fn fn, ahead;
	void *arg;
	pthread_t th;
	_Atomic bool stop;			/* written once, at the end */
	_Alignas(64) _Atomic uint64_t head;	/* published by the producer */
	_Alignas(64) _Atomic uint64_t tail;	/* advanced by the worker */
	_Alignas(64) _Atomic uint32_t wsleep;	/* 1: the worker sleeps (or is about to) for messages */
	_Alignas(64) _Atomic uint32_t psleep;	/* 1: the producer sleeps (or is about to) for room */
	_Alignas(64) uint64_t local;		/* producer's position, not yet all published */
	uint64_t seen_tail;			/* producer's last look at tail */
	_Alignas(64) char end;			/* nothing else on the producer's line */
};

/* A side with nothing to do spins, then yields a few times, then sleeps on
 * a futex until the other side, having moved its position, wakes it. With
 * 192 yields before a sleep of 200 us (the earlier scheme), the idle worker
 * of a live collector took 0.6 s more CPU per 5M flows at 3M flows/s,
 * which on two cores the decoding thread and the kernel's receive path
 * needed (flows lost in 8 of 15 runs, up to 20%; with 16 yields in 1 of
 * 12), and 0.8 of a core at 100k flows/s; with no traffic the sleeps woke
 * it 5,000 times a second. */
#define SPINS 64
#define YIELDS 16
#define DOZE_NS 50000000L		/* a sleep's limit: only a safety net */

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	struct timespec ts = { 0, DOZE_NS };
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

/* Wakes the side sleeping on *w, if it is; called after a position was
 * stored. The sleeper sets its flag before it looks at the position and
 * the waker stores the position before it looks at the flag, both
 * sequentially consistent: one of the two sees the other, so no wake-up
 * is lost. */
static inline void rouse(_Atomic uint32_t *w)
{
	if (atomic_load(w)) {
		atomic_store_explicit(w, 0, memory_order_relaxed);
		syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

/* One more round of waiting for ready(p): spin, yield, then sleep on *w
 * until woken (w NULL: for 200 us, for a flag nothing wakes). */
static void wait_for(struct flowpipe *p, unsigned *idle, _Atomic uint32_t *w, bool (*ready)(struct flowpipe *p))
{
	if (++*idle < SPINS)
		return;
	if (*idle < SPINS + YIELDS) {
		sched_yield();
		return;
	}
	if (!w) {
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
		return;
	}
	atomic_store(w, 1);
	if (!ready(p))
		futex_wait(w, 1);
	atomic_store_explicit(w, 0, memory_order_relaxed);
}

/* Whether the worker has messages (or the end) to see. */
static bool worker_ready(struct flowpipe *p)
{
	return atomic_load(&p->head) != atomic_load_explicit(&p->tail, memory_order_relaxed) ||
	       atomic_load(&p->stop);
}

/* Whether the producer has room for a message. */
static bool room_ready(struct flowpipe *p)
{
	return p->local - atomic_load(&p->tail) < RING;
}

/* Whether the worker has taken every message. */
static bool all_taken(struct flowpipe *p)
{
	return atomic_load(&p->tail) == p->local;
}

/* The worker's position, stored, and the producer woken if it waits. */
static void advance(struct flowpipe *p, uint64_t t)
{
	atomic_store(&p->tail, t);
	rouse(&p->psleep);
}

static void *worker(void *arg)
{
	struct flowpipe *p = arg;
	uint64_t t = atomic_load_explicit(&p->tail, memory_order_relaxed);
	uint64_t a = t;			/* the next message to show 'ahead' */
	unsigned idle = 0;
	for (;;) {
		uint64_t h = atomic_load_explicit(&p->head, memory_order_acquire);
		if (t == h) {
			if (atomic_load_explicit(&p->stop, memory_order_acquire) &&
			    t == atomic_load_explicit(&p->head, memory_order_acquire))
				return NULL;
			wait_for(p, &idle, &p->wsleep, worker_ready);
			continue;
		}
		idle = 0;
		while (t != h) {
			/* The message 'ahead' will read is asked for first: the
			 * producer's streaming stores leave it in memory. */
			if (h - t > PF_MSG)
				__builtin_prefetch(&p->ring[(t + PF_MSG) & (RING - 1)], 0, 3);
			/* Each message once: a third of them came right after the
			 * worker had caught up, and were not looked at ahead when
			 * only those FLOWPIPE_AHEAD places on were. */
			if (p->ahead)
				for (uint64_t end = h - t > FLOWPIPE_AHEAD ? t + FLOWPIPE_AHEAD + 1 : h; a < end; a++)
					p->ahead(p->arg, &p->ring[a & (RING - 1)]);
			const struct flowpipe_msg *m = &p->ring[t & (RING - 1)];
			if (m->kind == FLOWPIPE_CALL) {
				struct call c;
				memcpy(&c, m->data, sizeof c);
				c.call(c.arg);
			} else {
				p->fn(p->arg, m);
			}
			t++;
			if ((t & (PUBLISH - 1)) == 0)
				advance(p, t);
		}
		advance(p, t);
	}
}

struct flowpipe *flowpipe_start(flowpipe_fn fn, flowpipe_fn ahead, void *arg)
{
	struct flowpipe *p = xcalloc_aligned(_Alignof(struct flowpipe), sizeof *p);
	p->ring = xcalloc_aligned(_Alignof(struct flowpipe_msg), RING * sizeof *p->ring);
	p->fn = fn;
	p->ahead = ahead;
	p->arg = arg;
	if (pthread_create(&p->th, NULL, worker, p) != 0) {
		free(p->ring);
		free(p);
		return NULL;
	}
	return p;
}

static void publish(struct flowpipe *p)
{
	/* Streaming stores are not ordered by the store below. */
#ifdef STREAM
	_mm_sfence();
#endif
	atomic_store(&p->head, p->local);
	rouse(&p->wsleep);
}

void flowpipe_publish(struct flowpipe *p)
{
	publish(p);
}

/* The next message's place, waiting for room. */
static struct flowpipe_msg *slot(struct flowpipe *p)
{
	/* Room is checked against the worker's last published position. */
	if (p->local - p->seen_tail >= RING) {
		publish(p);
		unsigned idle = 0;
		while (p->local - (p->seen_tail = atomic_load_explicit(&p->tail, memory_order_acquire)) >= RING)
			wait_for(p, &idle, &p->psleep, room_ready);
	}
	return &p->ring[p->local & (RING - 1)];
}

static void commit(struct flowpipe *p)
{
	p->local++;
	if ((p->local & (PUBLISH - 1)) == 0)
		publish(p);
}

void flowpipe_push_stream(struct flowpipe *p, const struct flowpipe_msg *m)
{
	struct flowpipe_msg *d = slot(p);
#ifdef STREAM
	const __m128i *src = (const __m128i *)m;
	__m128i *dst = (__m128i *)d;
	for (size_t i = 0; i < sizeof *m / 16; i++)
		_mm_stream_si128(dst + i, _mm_loadu_si128(src + i));
#else
	*d = *m;
#endif
	commit(p);
}

void flowpipe_push(struct flowpipe *p, const struct flowpipe_msg *m)
{
	*slot(p) = *m;
	commit(p);
}

void flowpipe_call(struct flowpipe *p, void (*call)(void *arg), void *arg)
{
	struct flowpipe_msg m = { .kind = FLOWPIPE_CALL };
	struct call c = { call, arg };
	memcpy(m.data, &c, sizeof c);
	flowpipe_push(p, &m);
}

void flowpipe_sync(struct flowpipe *p)
{
	publish(p);
	unsigned idle = 0;
	while ((p->seen_tail = atomic_load_explicit(&p->tail, memory_order_acquire)) != p->local)
		wait_for(p, &idle, &p->psleep, all_taken);
}

void flowpipe_await(const atomic_bool *flag)
{
	unsigned idle = 0;
	while (!atomic_load_explicit(flag, memory_order_acquire))
		wait_for(NULL, &idle, NULL, NULL);
}

void flowpipe_stop(struct flowpipe *p)
{
	if (!p)
		return;
	flowpipe_sync(p);
	atomic_store(&p->stop, true);
	rouse(&p->wsleep);
	pthread_join(p->th, NULL);
	free(p->ring);
	free(p);
}
