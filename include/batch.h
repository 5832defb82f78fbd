/* batch: headless output of a snapshot as text, CSV or JSON lines. */
#ifndef NFTOP_BATCH_H
#define NFTOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "snap.h"

enum out_format { OUT_TEXT, OUT_CSV, OUT_JSON };

bool out_format_parse(const char *s, enum out_format *f);
/* 'first' is true for the first print of a run (CSV writes its header then). */
void batch_print(FILE *out, const struct snap *sn, enum out_format f, bool first);
/* The key an alert names, as the outputs and the alert log show it. */
void alert_key_text(const struct alert_event *e, char *buf, size_t len);
/* The text of a key as every output shows it. */
char *batch_key(enum dim d, const struct store_key *k, char *buf, size_t len);

#endif
