/* source: where export datagrams come from, behind one interface, so live
 * collection and replay share every later stage. */
#ifndef NFTOP_SOURCE_H
#define NFTOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "pkt.h"

struct datagram {
	const uint8_t *data;		/* valid until the next source_next() */
	size_t len;
	struct flow_addr from;
	uint64_t recv_ms;		/* arrival (live) or capture timestamp (pcap) */
};

struct source_stats {
	uint64_t datagrams;		/* export datagrams handed on */
	uint64_t not_export;		/* UDP payloads that are no flow export */
	uint64_t other_port;		/* UDP to another port than --port */
	uint64_t kernel_drops;		/* receive-queue overflows the OS reported */
	uint64_t not_allowed;		/* from sources --allow-exporter leaves out */
	uint64_t recv_errors;
	uint64_t bad_records;		/* flow-file records skipped (bad JSON lines, nfcapd records) */
	uint64_t bytes_done, bytes_total;	/* replay progress; 0 total when unknown */
	struct pkt_stats pkt;		/* replay: frames that were not export datagrams */
};

enum { SOURCE_DATAGRAM = 1, SOURCE_TIMEOUT = 0, SOURCE_END = -1 };

struct source_ops {
	/* SOURCE_DATAGRAM, SOURCE_TIMEOUT (live, nothing within timeout_ms),
	 * SOURCE_END, or a negative err code with *cause set. */
	int (*next)(void *self, struct datagram *dg, int timeout_ms, char **cause);
	void (*stats)(const void *self, struct source_stats *st);
	void (*close)(void *self);
};

struct source {
	const struct source_ops *ops;
	void *self;
	char *name;			/* file name or listen addresses, for messages */
	bool live;
};

/* Replay of a pcap or pcapng capture; port 0 takes UDP on any port. */
int source_pcap_open(const char *path, unsigned port, struct source **out, char **cause);
/* Live UDP on each [ADDR:]PORT given (IPv4 or [IPv6]); rcvbuf in bytes. */
int source_udp_open(char *const *listen, size_t n, int rcvbuf, struct source **out, char **cause);

int source_next(struct source *s, struct datagram *dg, int timeout_ms, char **cause);
void source_stats(const struct source *s, struct source_stats *st);
void source_close(struct source *s);
void source_stats_add(struct source_stats *a, const struct source_stats *b);

#endif
