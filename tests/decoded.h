/* Small readers of decoder results shared by the decoder tests. */
#ifndef NFTOP_TEST_DECODED_H
#define NFTOP_TEST_DECODED_H

#include <string.h>

#include "decode.h"
#include "flow.h"

/* The first exporter's counters. */
static inline struct exporter_stats stats(struct decoder *d)
{
	struct exporter_stats st[4];
	memset(st, 0, sizeof st);
	decoder_exporters(d, st, 4);
	return st[0];
}

/* An address as text; four calls can be used in one expression. */
static inline const char *addr(const struct flow_addr *a)
{
	static char buf[4][FLOW_ADDRSTRLEN];
	static int i;
	i = (i + 1) % 4;
	return flow_addr_fmt(a, buf[i], sizeof buf[i]);
}

#endif
