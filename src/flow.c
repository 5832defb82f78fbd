#include <arpa/inet.h>
#include <string.h>

#include "flow.h"

static const uint8_t v4_prefix[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

void flow_addr_set4(struct flow_addr *a, const uint8_t v4[4])
{
	memcpy(a->b, v4_prefix, 12);
	memcpy(a->b + 12, v4, 4);
}

void flow_addr_set4u(struct flow_addr *a, uint32_t v4)
{
	uint8_t b[4] = { v4 >> 24, v4 >> 16, v4 >> 8, v4 };
	flow_addr_set4(a, b);
}

bool flow_addr_is4(const struct flow_addr *a)
{
	return memcmp(a->b, v4_prefix, 12) == 0;
}

bool flow_addr_is_zero(const struct flow_addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->b, zero, 16) == 0;
}

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
