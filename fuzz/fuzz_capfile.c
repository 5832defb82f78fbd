/* Fuzz target: the capture reader. The input is a whole pcap or pcapng file,
 * read from memory through libpcap; every frame goes through the link layers,
 * reassembly and the decoders as in a replay, so damaged files meet the
 * reader's checks and whatever they carry meets the decoders. */
#include <stdio.h>
#include <stdlib.h>

#include "capfile.h"
#include "decode.h"
#include "fuzz.h"
#include "pkt.h"

static volatile uint64_t sink;

static void count(void *arg, const struct flow *f)
{
	(void)arg;
	sink += f->bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_copy(data, size);
	FILE *f = fmemopen(copy, size ? size : 1, "rb");
	if (!f)
		abort();
	struct capfile *cf;
	char *cause = NULL;
	if (capfile_open_file(f, "fuzz", size, &cf, &cause) < 0) {
		free(cause);
		free(copy);
		return 0;
	}
	struct decode_opts o;
	decode_opts_default(&o);
	o.max_exporters = 4;
	o.max_templates = 64;
	struct decoder *dec = decoder_new(&o);
	struct pkt_reasm *r = pkt_reasm_new();
	struct pkt_stats st = { 0 };
	struct frame fr;
	int rc;
	for (int n = 0; n < 10000 && (rc = capfile_next(cf, &fr, &cause)) == 1; n++) {
		struct pkt_udp u;
		if (pkt_udp(r, &st, capfile_dlt(cf), fr.data, fr.caplen, fr.wirelen, fr.ts_ms, &u))
			decode_datagram(dec, &u.src, fr.ts_ms, u.payload, u.len, count, NULL);
	}
	free(cause);
	pkt_reasm_free(r);
	decoder_free(dec);
	capfile_close(cf);
	free(copy);
	return 0;
}
