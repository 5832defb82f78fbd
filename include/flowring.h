/* flowring: the most recent flows, compact, in a fixed-size ring. When the
 * screen changes its filter or window, the aggregates are rebuilt from here;
 * how far back the ring reaches is reported, never assumed. */
#ifndef NFTOP_FLOWRING_H
#define NFTOP_FLOWRING_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

struct flowring;

struct flowring *flowring_new(size_t cap);
void flowring_free(struct flowring *r);
void flowring_push(struct flowring *r, const struct flow *f);
/* Emits, oldest first, every flow received at or after since_ms. Returns the
 * receive time of the oldest flow still held (0 when empty). */
uint64_t flowring_replay(const struct flowring *r, uint64_t since_ms, flow_emit_fn fn, void *arg);
/* Whether flows older than the ring's oldest have been overwritten. */
int flowring_wrapped(const struct flowring *r);

#endif
