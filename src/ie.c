#include <stdbool.h>
#include <stddef.h>

#include "ie.h"

struct ie_info {
	uint16_t id;
	uint8_t dest;
	const char *name;
};

/* RFC 3954 section 8 and the IANA IPFIX registry (RFC 7012). */
static const struct ie_info ie_table[] = {
	{ 1, IE_BYTES, "octetDeltaCount" },
	{ 2, IE_PKTS, "packetDeltaCount" },
	{ 4, IE_PROTO, "protocolIdentifier" },
	{ 5, IE_TOS, "ipClassOfService" },
	{ 6, IE_TCP_FLAGS, "tcpControlBits" },
	{ 7, IE_SPORT, "sourceTransportPort" },
	{ 8, IE_SRC4, "sourceIPv4Address" },
	{ 10, IE_IN_IF, "ingressInterface" },
	{ 11, IE_DPORT, "destinationTransportPort" },
	{ 12, IE_DST4, "destinationIPv4Address" },
	{ 14, IE_OUT_IF, "egressInterface" },
	{ 15, IE_NH4, "ipNextHopIPv4Address" },
	{ 16, IE_SRC_AS, "bgpSourceAsNumber" },
	{ 17, IE_DST_AS, "bgpDestinationAsNumber" },
	{ 18, IE_BGP_NH4, "bgpNextHopIPv4Address" },
	{ 21, IE_LAST_UP, "flowEndSysUpTime" },
	{ 22, IE_FIRST_UP, "flowStartSysUpTime" },
	{ 23, IE_BYTES_OUT, "postOctetDeltaCount" },
	{ 24, IE_PKTS_OUT, "postPacketDeltaCount" },
	{ 27, IE_SRC6, "sourceIPv6Address" },
	{ 28, IE_DST6, "destinationIPv6Address" },
	{ 32, IE_ICMP_TC4, "icmpTypeCodeIPv4" },
	{ 34, IE_SAMP_INTERVAL, "samplingInterval" },
	{ 35, IE_SAMP_ALGO, "samplingAlgorithm" },
	{ 48, IE_SAMPLER_ID, "samplerId" },
	{ 49, IE_SAMPLER_MODE, "samplerMode" },
	{ 50, IE_SAMPLER_RAND, "samplerRandomInterval" },
	{ 62, IE_NH6, "ipNextHopIPv6Address" },
	{ 63, IE_BGP_NH6, "bgpNextHopIPv6Address" },
	{ 85, IE_BYTES_TOTAL, "octetTotalCount" },
	{ 86, IE_PKTS_TOTAL, "packetTotalCount" },
	{ 139, IE_ICMP_TC6, "icmpTypeCodeIPv6" },
	{ 150, IE_START_S, "flowStartSeconds" },
	{ 151, IE_END_S, "flowEndSeconds" },
	{ 152, IE_START_MS, "flowStartMilliseconds" },
	{ 153, IE_END_MS, "flowEndMilliseconds" },
	{ 154, IE_START_US, "flowStartMicroseconds" },
	{ 155, IE_END_US, "flowEndMicroseconds" },
	{ 156, IE_START_NS, "flowStartNanoseconds" },
	{ 157, IE_END_NS, "flowEndNanoseconds" },
	{ 158, IE_START_DUS, "flowStartDeltaMicroseconds" },
	{ 159, IE_END_DUS, "flowEndDeltaMicroseconds" },
	{ 160, IE_SYSINIT_MS, "systemInitTimeMilliseconds" },
	{ 176, IE_ICMP_TYPE4, "icmpTypeIPv4" },
	{ 177, IE_ICMP_CODE4, "icmpCodeIPv4" },
	{ 178, IE_ICMP_TYPE6, "icmpTypeIPv6" },
	{ 179, IE_ICMP_CODE6, "icmpCodeIPv6" },
	{ 231, IE_BYTES_INIT, "initiatorOctets" },
	{ 232, IE_BYTES_RESP, "responderOctets" },
	{ 298, IE_PKTS_INIT, "initiatorPackets" },
	{ 299, IE_PKTS_RESP, "responderPackets" },
	{ 302, IE_SELECTOR_ID, "selectorId" },
	{ 305, IE_SAMP_PKT_INTERVAL, "samplingPacketInterval" },
	{ 306, IE_SAMP_PKT_SPACE, "samplingPacketSpace" },
	{ 309, IE_SAMP_SIZE, "samplingSize" },
	{ 310, IE_SAMP_POPULATION, "samplingPopulation" },
};

static const struct ie_info *ie_find(uint16_t id)
{
	/* The table is tiny and sorted; a binary search keeps this free of state. */
	size_t lo = 0, hi = sizeof ie_table / sizeof ie_table[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ie_table[mid].id == id)
			return &ie_table[mid];
		if (ie_table[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool ie_table_sorted(void)
{
	for (size_t i = 1; i < sizeof ie_table / sizeof ie_table[0]; i++)
		if (ie_table[i - 1].id >= ie_table[i].id)
			return false;
	return true;
}

enum ie_dest ie_dest(uint16_t id, uint32_t enterprise)
{
	if (enterprise == IE_PEN_REVERSE) {
		if (id == 1 || id == 85)
			return IE_BYTES_REV;
		if (id == 2 || id == 86)
			return IE_PKTS_REV;
		return IE_SKIP;
	}
	if (enterprise)
		return IE_SKIP;
	const struct ie_info *i = ie_find(id);
	return i ? (enum ie_dest)i->dest : IE_SKIP;
}

const char *ie_name(uint16_t id)
{
	const struct ie_info *i = ie_find(id);
	return i ? i->name : NULL;
}
