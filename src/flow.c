#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

char *flow_addr_fmt(const struct flow_addr *a, char *buf, size_t len)
{
	const char *r;
	if (flow_addr_is4(a))
		r = inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len);
	else
		r = inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
	if (!r && len)
		buf[0] = '\0';
	return buf;
}

bool flow_addr_parse(const char *s, struct flow_addr *a)
{
	uint8_t v4[4];
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, s, v4) == 1) {
		flow_addr_set4(a, v4);
		return true;
	}
	return inet_pton(AF_INET6, s, a->b) == 1;
}

bool flow_prefix_parse(const char *s, struct flow_addr *net, unsigned *bits)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!flow_addr_parse(buf, net))
		return false;
	bool v4 = flow_addr_is4(net);
	unsigned max = v4 ? 32 : 128, len = max;
	if (slash) {
		char *end;
		unsigned long l = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || l > max)
			return false;
		len = (unsigned)l;
	}
	*bits = v4 ? 96 + len : len;
	return true;
}

bool flow_addr_in(const struct flow_addr *a, const struct flow_addr *net, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	if (memcmp(a->b, net->b, whole))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (a->b[whole] & mask) == (net->b[whole] & mask);
}
