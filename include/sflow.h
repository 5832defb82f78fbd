/* sflow: sFlow version 5 datagrams (sflow.org/sflow_version_5.txt).
 * Flow samples (compact 1, expanded 3) become one flow each: the sampled
 * packet header, or the sampled IPv4/IPv6 record when there is none, gives
 * the addresses; extended router/gateway records the next hop and ASes.
 * Counter samples (2, 4) are counted; other samples and records are skipped
 * by their length. */
#ifndef NFTOP_SFLOW_H
#define NFTOP_SFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter.h"
#include "flow.h"
#include "wire.h"

/* version, agent address type, IPv4 agent, sub-agent, sequence, uptime, sample count */
#define SFLOW_HEADER_MIN 28

/* Whether buf starts like an sFlow v5 datagram: the 32-bit version 5 (its first
 * 16 bits are 0, unlike NetFlow v5's) and an agent address type we know. */
bool sflow_is_v5(const uint8_t *buf, size_t len);

/* The agent address, which names the exporter (one UDP source can relay many
 * agents). False when the header is cut short or the agent type is unknown. */
bool sflow_agent(const uint8_t *buf, size_t len, struct flow_addr *agent);

/* Decodes one datagram whose exporter (c->e) the agent address chose. Returns
 * ERR_OK or a negative err code; the samples before a fault are kept. */
int sflow_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms);

#endif
