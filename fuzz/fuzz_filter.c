/* Fuzz target: filter_parse, then filter_match against fixed IPv4 and IPv6
 * flows and filter_text. */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz.h"

static volatile uint64_t sink;

static void set6(struct flow_addr *a, uint16_t first, uint8_t last)
{
	memset(a, 0, sizeof *a);
	a->b[0] = first >> 8;
	a->b[1] = first & 0xff;
	a->b[15] = last;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FILTER_MAX_LEN + 16)
		return 0;
	char *expr = malloc(size + 1);
	if (!expr)
		abort();
	memcpy(expr, data, size);
	expr[size] = '\0';

	struct flow fl[2];
	memset(fl, 0, sizeof fl);
	flow_addr_set4u(&fl[0].src, 0x0a000001);	/* 10.0.0.1:53000 -> 192.0.2.7:53 udp */
	flow_addr_set4u(&fl[0].dst, 0xc0000207);
	flow_addr_set4u(&fl[0].exporter, 0xc6336401);
	fl[0].sport = 53000;
	fl[0].dport = 53;
	fl[0].proto = 17;
	fl[0].bytes = 1500;
	fl[0].packets = 3;
	fl[0].in_if = 1;
	fl[0].out_if = 2;
	fl[0].src_as = 64512;
	fl[0].dst_as = 15169;
	set6(&fl[1].src, 0x2001, 1);			/* 2001::1 -> fe80::2 tcp 443 */
	set6(&fl[1].dst, 0xfe80, 2);
	set6(&fl[1].exporter, 0x2001, 0xfe);
	fl[1].sport = 443;
	fl[1].dport = 51000;
	fl[1].proto = 6;
	fl[1].bytes = 4000000000ULL;
	fl[1].packets = 1000000;

	char *cause = NULL;
	int col = 0;
	struct filter *f = filter_parse(expr, &cause, &col);
	if (f) {
		sink += filter_match(f, &fl[0]) + 2 * filter_match(f, &fl[1]);
		sink += strlen(filter_text(f));
		filter_free(f);
	} else {
		/* A failed parse says where and why. */
		if (!cause || col < 1)
			abort();
		sink += strlen(cause) + (unsigned)col;
	}
	free(cause);
	free(expr);
	return 0;
}
