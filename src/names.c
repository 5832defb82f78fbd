#include <stddef.h>

#include "names.h"

const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPv6";
	case 46: return "RSVP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 115: return "L2TP";
	case 132: return "SCTP";
	case 137: return "MPLS-in-IP";
	}
	return NULL;
}
