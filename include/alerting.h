/* alerting: runs the spike detector next to the store for batch mode and
 * the screen: flows in, input time on, events out to the alert log (JSON
 * lines), to an external program (execve, no shell, one at a time, with a
 * timeout) and into snapshots. */
#ifndef NFTOP_ALERTING_H
#define NFTOP_ALERTING_H

#include <stdbool.h>
#include <stdio.h>

#include "alert.h"
#include "conf.h"
#include "snap.h"

struct alerting;

/* NULL with *cause when a threshold or the log file is wrong; NULL without
 * a cause when alerts are off (--no-alerts). */
struct alerting *alerting_open(const struct conf *c, char **cause);
void alerting_close(struct alerting *al);
/* A flow at its receive time (moving the detector to that second first). */
void alerting_flow(struct alerting *al, const struct flow *f);
/* Input time moved on: closes the ticks before it, logs and runs what they
 * produced. Cheap to call often: it acts once per second of input time. */
void alerting_tick(struct alerting *al, uint64_t input_ms);
/* Copies the active alerts and the history into the snapshot. */
void alerting_snap(const struct alerting *al, struct snap *sn);
/* Events started since the last call (for the screen's bell). */
uint64_t alerting_started(const struct alerting *al);

#endif
