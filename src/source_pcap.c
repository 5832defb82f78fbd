#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode.h"
#include "err.h"
#include "source.h"
#include "xmem.h"

struct pcap_src {
	pcap_t *p;
	FILE *f;
	char *path;
	int dlt;
	unsigned port;
	struct pkt_reasm *reasm;
	struct source_stats st;
};

static int pcap_next_dg(void *self, struct datagram *dg, int timeout_ms, char **cause)
{
	struct pcap_src *s = self;
	struct pcap_pkthdr *h;
	const u_char *data;
	(void)timeout_ms;
	for (;;) {
		long off = ftell(s->f);
		int r = pcap_next_ex(s->p, &h, &data);
		if (r == PCAP_ERROR_BREAK)
			return SOURCE_END;
		if (r != 1) {
			*cause = err_fmt("%s: offset %ld: %s", s->path, off, pcap_geterr(s->p));
			return ERR_FORMAT;
		}
		s->st.bytes_done = (uint64_t)ftell(s->f);
		uint64_t ms = (uint64_t)h->ts.tv_sec * 1000 + (uint64_t)h->ts.tv_usec / 1000;
		struct pkt_udp u;
		if (!pkt_udp(s->reasm, &s->st.pkt, s->dlt, data, h->caplen, h->len, ms, &u))
			continue;
		if (s->port && u.dport != s->port) {
			s->st.other_port++;
			continue;
		}
		if (!decode_is_export(u.payload, u.len)) {
			s->st.not_export++;
			continue;
		}
		s->st.datagrams++;
		dg->data = u.payload;
		dg->len = u.len;
		dg->from = u.src;
		dg->recv_ms = ms;
		return SOURCE_DATAGRAM;
	}
}

static void pcap_stats_get(const void *self, struct source_stats *st)
{
	const struct pcap_src *s = self;
	*st = s->st;
}

static void pcap_close_src(void *self)
{
	struct pcap_src *s = self;
	pcap_close(s->p);	/* closes s->f too */
	pkt_reasm_free(s->reasm);
	free(s->path);
	free(s);
}

static const struct source_ops pcap_ops = { pcap_next_dg, pcap_stats_get, pcap_close_src };

/* pcap (both byte orders, micro- and nanosecond) and pcapng section headers. */
static bool pcap_magic(const uint8_t m[4])
{
	static const uint8_t magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
		{ 0x0a, 0x0d, 0x0d, 0x0a },
	};
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (!memcmp(m, magics[i], 4))
			return true;
	return false;
}

int source_pcap_open(const char *path, unsigned port, struct source **out, char **cause)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	uint8_t magic[4];
	struct stat sb;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*cause = err_fmt("%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		*cause = err_fmt("%s: is a directory", path);
		return ERR_IO;
	}
	size_t got = fread(magic, 1, 4, f);
	if (got < 4 || !pcap_magic(magic)) {
		fclose(f);
		if (got < 4)
			*cause = err_fmt("%s: offset 0: file too short for a capture (%zu bytes)", path, got);
		else
			*cause = err_fmt("%s: offset 0: not a pcap or pcapng capture (magic %02x%02x%02x%02x)",
					   path, magic[0], magic[1], magic[2], magic[3]);
		return ERR_FORMAT;
	}
	rewind(f);
	pcap_t *p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		*cause = err_fmt("%s: offset 0: %s", path, errbuf);
		return ERR_FORMAT;
	}
	int dlt = pcap_datalink(p);
	if (!pkt_linktype_ok(dlt)) {
		*cause = err_fmt("%s: unsupported link type %s (%d)", path,
				   pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", dlt);
		pcap_close(p);
		return ERR_FORMAT;
	}
	struct pcap_src *s = xcalloc(1, sizeof *s);
	s->p = p;
	s->f = f;
	s->path = xstrdup(path);
	s->dlt = dlt;
	s->port = port;
	s->reasm = pkt_reasm_new();
	s->st.bytes_total = (uint64_t)sb.st_size;
	struct source *src = xcalloc(1, sizeof *src);
	src->ops = &pcap_ops;
	src->self = s;
	src->name = xstrdup(path);
	src->live = false;
	*out = src;
	return ERR_OK;
}
