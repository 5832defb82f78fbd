/* Fuzz target: the nfcapd file reader (layouts 1 and 2, every block
 * compression, V3 and 1.6 records), over one whole file held in memory.
 * The input is copied to a buffer of its exact size so a read past the end
 * shows; every flow's fields are read so one built from uninitialised
 * memory shows too. */
#include <stdlib.h>

#include "flowfile.h"
#include "fuzz.h"
#include "nfcapd.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = (uint8_t *)fuzz_copy(data, size);
	struct flowfile *ff = NULL;
	char *cause = NULL;
	if (nfcapd_open_mem("fuzz", buf, size, &ff, &cause) < 0) {
		free(cause);
		free(buf);
		return 0;
	}
	struct flow f;
	int rc;
	while ((rc = flowfile_next(ff, &f, &cause)) != FLOWFILE_END) {
		if (rc < 0 || rc == FLOWFILE_BAD) {
			sink += cause[0];
			free(cause);
			cause = NULL;
			if (rc < 0)
				break;
			continue;
		}
		uint64_t h = f.bytes ^ f.packets ^ f.first_ms ^ f.last_ms ^ f.recv_ms ^ f.in_if ^ f.out_if;
		h ^= (uint64_t)f.src_as << 7 ^ f.dst_as ^ f.domain ^ f.sampling ^ f.sport ^ f.dport;
		h ^= (uint64_t)f.proto << 3 ^ f.tcp_flags ^ f.tos ^ f.version;
		for (size_t i = 0; i < sizeof f.src.b; i++)
			h += f.src.b[i] ^ f.dst.b[i] ^ f.nexthop.b[i] ^ f.exporter.b[i];
		sink += h;
	}
	struct flowfile_stats st;
	flowfile_stats(ff, &st);
	sink += st.records + st.bad + st.bytes_done + st.bytes_total;
	flowfile_close(ff);
	free(buf);
	return 0;
}
