/* nf9: NetFlow v9 datagrams (RFC 3954). */
#ifndef NFTOP_NF9_H
#define NFTOP_NF9_H

#include "exporter.h"
#include "wire.h"

#define NF9_HEADER_LEN 20

int nf9_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms);

#endif
