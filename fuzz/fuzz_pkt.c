/* Fuzz target: pkt_udp, link-layer frame to UDP payload. The first byte picks
 * the link type (low bits: Ethernet, raw IP, then the other supported types)
 * and how much longer the frame was on the wire than captured (high bits:
 * snaplen truncation); the rest is the frame. One reassembly table lives
 * across inputs, so fragments from earlier inputs meet later ones. */
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "decode.h"
#include "fuzz.h"
#include "pkt.h"

static struct pkt_reasm *reasm;
static struct pkt_stats stats;
static uint64_t clock_ms = 1700000000000ULL;
static volatile uint64_t sink;

static const int dlts[] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
			    DLT_IPV4, DLT_IPV6 };
#define NDLTS (sizeof dlts / sizeof dlts[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!reasm && !(reasm = pkt_reasm_new()))
		abort();
	int dlt = dlts[(data[0] & 0x0f) % NDLTS];
	size_t caplen = size - 1;
	size_t wirelen = caplen + (size_t)(data[0] >> 4) * 100;
	uint8_t *frame = malloc(caplen ? caplen : 1);
	if (!frame)
		abort();
	memcpy(frame, data + 1, caplen);
	/* Time moves on a little per frame; sometimes past any reassembly timeout. */
	clock_ms += (data[0] & 0x80) ? 60000 : 10;
	struct pkt_udp u;
	if (pkt_linktype_ok(dlt) && pkt_udp(reasm, &stats, dlt, frame, caplen, wirelen, clock_ms, &u)) {
		uint64_t h = u.sport ^ u.dport ^ u.src.b[15] ^ u.dst.b[15];
		for (size_t i = 0; i < u.len; i++)
			h += u.payload[i];
		h += decode_is_export(u.payload, u.len);
		sink += h;
	}
	free(frame);
	return 0;
}
