#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xmem.h"

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

struct services {
	char *name[65536];
};

struct services *services_load(const char *path)
{
	struct services *s = xcalloc(1, sizeof *s);
	FILE *f = fopen(path ? path : "/etc/services", "r");
	if (!f)
		return s;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char name[64], proto[8];
		unsigned port;
		if (line[0] == '#' || sscanf(line, "%63s %u/%7s", name, &port, proto) != 3 || port > 65535)
			continue;
		/* The first line for a port wins (services(5) lists tcp first). */
		if (!s->name[port])
			s->name[port] = xstrdup(name);
	}
	fclose(f);
	return s;
}

void services_free(struct services *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < 65536; i++)
		free(s->name[i]);
	free(s);
}

const char *services_name(const struct services *s, uint16_t port)
{
	return s ? s->name[port] : NULL;
}
