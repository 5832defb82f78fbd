/* nf5: NetFlow v5 datagrams. */
#ifndef NFTOP_NF5_H
#define NFTOP_NF5_H

#include "exporter.h"
#include "wire.h"

#define NF5_HEADER_LEN 24
#define NF5_RECORD_LEN 48

int nf5_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms);

#endif
