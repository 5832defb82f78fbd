/* ipfix: IPFIX messages (RFC 7011, information elements of RFC 7012). */
#ifndef NFTOP_IPFIX_H
#define NFTOP_IPFIX_H

#include "exporter.h"
#include "wire.h"

#define IPFIX_HEADER_LEN 16

int ipfix_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms);

#endif
