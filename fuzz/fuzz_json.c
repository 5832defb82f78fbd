/* Fuzz target: jsonflow_parse, one goflow2 JSON line from memory. The input
 * is split on newlines as the file reader splits it, and each line is
 * parsed from an exact-size copy, so a read past its end shows. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "source_json.h"

static volatile uint64_t sink;

/* Reads every field, so a flow built from uninitialised memory shows. */
static void use(const struct flow *f)
{
	uint64_t h = f->bytes ^ f->packets ^ f->first_ms ^ f->last_ms ^ f->recv_ms;
	h ^= (uint64_t)f->in_if << 1 ^ f->out_if ^ f->src_as ^ f->dst_as ^ f->domain ^ f->sampling;
	h ^= (uint64_t)f->sport << 16 ^ f->dport ^ f->src_cc ^ f->dst_cc ^ f->proto ^ f->tcp_flags ^ f->tos ^ f->version;
	for (size_t i = 0; i < sizeof f->src.b; i++)
		h += f->src.b[i] ^ f->dst.b[i] ^ f->nexthop.b[i] ^ f->exporter.b[i];
	sink += h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : size - off;
		if (n <= JSONFLOW_MAX_LINE) {
			char *line = fuzz_copy(data + off, n);
			struct flow f;
			char *why = NULL;
			if (jsonflow_parse(line, n, &f, &why) == 0)
				use(&f);
			else
				sink += strlen(why);
			free(why);
			free(line);
		}
		off += n + 1;
	}
	return 0;
}
