/* ie: information elements nftop reads from NetFlow v9 and IPFIX records,
 * and where each one lands. IDs below 128 are shared by v9 and IPFIX. */
#ifndef NFTOP_IE_H
#define NFTOP_IE_H

#include <stdbool.h>
#include <stdint.h>

enum ie_dest {
	IE_SKIP = 0,
	IE_BYTES, IE_PKTS, IE_BYTES_TOTAL, IE_PKTS_TOTAL, IE_BYTES_INIT, IE_PKTS_INIT,
	IE_PROTO, IE_TOS, IE_TCP_FLAGS, IE_SPORT, IE_DPORT,
	IE_SRC4, IE_DST4, IE_SRC6, IE_DST6, IE_NH4, IE_NH6, IE_BGP_NH4, IE_BGP_NH6,
	IE_IN_IF, IE_OUT_IF, IE_SRC_AS, IE_DST_AS,
	IE_FIRST_UP, IE_LAST_UP,		/* ms of sysUpTime (v9 21/22) */
	IE_START_S, IE_END_S, IE_START_MS, IE_END_MS,
	IE_START_US, IE_END_US, IE_START_NS, IE_END_NS,	/* NTP format */
	IE_START_DUS, IE_END_DUS,		/* delta microseconds before export */
	IE_SYSINIT_MS,
	IE_ICMP_TC4, IE_ICMP_TC6, IE_ICMP_TYPE4, IE_ICMP_CODE4, IE_ICMP_TYPE6, IE_ICMP_CODE6,
	IE_SAMP_INTERVAL, IE_SAMP_ALGO, IE_SAMPLER_ID, IE_SAMPLER_MODE, IE_SAMPLER_RAND,
	IE_SAMP_PKT_INTERVAL, IE_SAMP_PKT_SPACE, IE_SELECTOR_ID, IE_SAMP_SIZE, IE_SAMP_POPULATION,
	/* The other direction of a bidirectional record: v9 OUT_BYTES/OUT_PKTS,
	 * NSEL responder counters, RFC 5103 reverse elements. */
	IE_BYTES_OUT, IE_PKTS_OUT, IE_BYTES_RESP, IE_PKTS_RESP, IE_BYTES_REV, IE_PKTS_REV,
	IE_DEST_MAX
};

/* Record fields are kept in a 64-bit presence mask. */
_Static_assert(IE_DEST_MAX <= 64, "ie_dest must fit a uint64_t mask");

/* RFC 5103 reverse information elements carry this enterprise number. */
#define IE_PEN_REVERSE 29305u

/* Where an element goes; IE_SKIP for what nftop does not use. Enterprise
 * elements are skipped, except RFC 5103 reverse counters. */
enum ie_dest ie_dest(uint16_t id, uint32_t enterprise);
/* The lookup is a binary search: the table must stay sorted by id. */
bool ie_table_sorted(void);
/* Short name for diagnostics, or NULL. */
const char *ie_name(uint16_t id);

#endif
