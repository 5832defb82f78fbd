#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode.h"
#include "err.h"
#include "capfile.h"
#include "source.h"
#include "xmem.h"

struct capfile {
	pcap_t *p;
	FILE *f;
	char *path;
	int dlt;
	uint64_t size;
	long off;		/* where the next record starts (ftell once per record) */
	char *buf;		/* the stream's buffer, when capfile_open gave it one */
};

#define STREAM_BUF (1u << 20)

int capfile_dlt(const struct capfile *cf) { return cf->dlt; }
uint64_t capfile_size(const struct capfile *cf) { return cf->size; }

uint64_t capfile_offset(const struct capfile *cf)
{
	return cf->off > 0 ? (uint64_t)cf->off : 0;
}

int capfile_next(struct capfile *cf, struct frame *fr, char **cause)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = pcap_next_ex(cf->p, &h, &data);
	if (r == PCAP_ERROR_BREAK)
		return SOURCE_END;
	if (r != 1) {
		*cause = err_fmt("%s: offset %ld: %s", cf->path, cf->off, pcap_geterr(cf->p));
		return ERR_FORMAT;
	}
	cf->off = ftell(cf->f);
	fr->data = data;
	fr->caplen = h->caplen;
	fr->wirelen = h->len;
	fr->ts_ms = (uint64_t)h->ts.tv_sec * 1000 + (uint64_t)h->ts.tv_usec / 1000;
	return 1;
}

int capfile_filter(struct capfile *cf, const char *expr, char **cause)
{
	struct bpf_program prog;
	if (pcap_compile(cf->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		*cause = err_fmt("--bpf: %s", pcap_geterr(cf->p));
		return ERR_ARG;
	}
	int rc = pcap_setfilter(cf->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		*cause = err_fmt("--bpf: %s", pcap_geterr(cf->p));
		return ERR_ARG;
	}
	return ERR_OK;
}

void capfile_close(struct capfile *cf)
{
	if (!cf)
		return;
	pcap_close(cf->p);	/* closes cf->f too */
	free(cf->buf);
	free(cf->path);
	free(cf);
}

struct pcap_src {
	struct capfile *cf;
	unsigned port;
	struct pkt_reasm *reasm;
	struct source_stats st;
};

static int pcap_next_dg(void *self, struct datagram *dg, int timeout_ms, char **cause)
{
	struct pcap_src *s = self;
	struct frame fr;
	(void)timeout_ms;
	for (;;) {
		int r = capfile_next(s->cf, &fr, cause);
		if (r != 1)
			return r;
		s->st.bytes_done = capfile_offset(s->cf);
		struct pkt_udp u;
		if (!pkt_udp(s->reasm, &s->st.pkt, capfile_dlt(s->cf), fr.data, fr.caplen, fr.wirelen, fr.ts_ms, &u))
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
		dg->recv_ms = fr.ts_ms;
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
	capfile_close(s->cf);
	pkt_reasm_free(s->reasm);
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

int capfile_open(const char *path, struct capfile **out, char **cause)
{
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
	/* libpcap reads a record at a time through the stream: with stdio's
	 * page-sized buffer that was a read(2) per 4 KiB, a tenth of a v9
	 * capture's decoding (perf, strace). (glibc ignores a size given
	 * without a buffer.) */
	char *buf = xmalloc(STREAM_BUF);
	setvbuf(f, buf, _IOFBF, STREAM_BUF);
	int rc = capfile_open_file(f, path, (uint64_t)sb.st_size, out, cause);
	if (rc == ERR_OK)
		(*out)->buf = buf;
	else
		free(buf);	/* the stream was closed */
	return rc;
}

int capfile_open_file(FILE *f, const char *name, uint64_t size, struct capfile **out, char **cause)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	uint8_t magic[4];
	size_t got = fread(magic, 1, 4, f);
	if (got < 4 || !pcap_magic(magic)) {
		fclose(f);
		if (got < 4)
			*cause = err_fmt("%s: offset 0: file too short for a capture (%zu bytes)", name, got);
		else
			*cause = err_fmt("%s: offset 0: not a pcap or pcapng capture (magic %02x%02x%02x%02x)",
					 name, magic[0], magic[1], magic[2], magic[3]);
		return ERR_FORMAT;
	}
	rewind(f);
	pcap_t *p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		*cause = err_fmt("%s: offset 0: %s", name, errbuf);
		return ERR_FORMAT;
	}
	int dlt = pcap_datalink(p);
	if (!pkt_linktype_ok(dlt)) {
		*cause = err_fmt("%s: unsupported link type %s (%d)", name,
				 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", dlt);
		pcap_close(p);
		return ERR_FORMAT;
	}
	struct capfile *cf = xcalloc(1, sizeof *cf);
	cf->p = p;
	cf->f = f;
	cf->path = xstrdup(name);
	cf->dlt = dlt;
	cf->size = size;
	cf->off = ftell(f);
	*out = cf;
	return ERR_OK;
}

/* Export captures show a flow export among their first frames; a capture of
 * ordinary traffic does not (DNS and the like fail decode_is_export's checks). */
#define KIND_FRAMES 1000

int capfile_kind(const char *path, enum capfile_kind *kind, char **cause)
{
	struct capfile *cf;
	int rc = capfile_open(path, &cf, cause);
	if (rc < 0)
		return rc;
	struct pkt_reasm *r = pkt_reasm_new();
	struct pkt_stats st = { 0 };
	struct frame fr;
	char *why = NULL;	/* a damaged file is said by the reader that follows */
	*kind = CAPFILE_PACKETS;
	for (int i = 0; i < KIND_FRAMES && capfile_next(cf, &fr, &why) == 1; i++) {
		struct pkt_udp u;
		if (pkt_udp(r, &st, cf->dlt, fr.data, fr.caplen, fr.wirelen, fr.ts_ms, &u) &&
		    decode_is_export(u.payload, u.len)) {
			*kind = CAPFILE_EXPORTS;
			break;
		}
	}
	free(why);
	pkt_reasm_free(r);
	capfile_close(cf);
	return ERR_OK;
}

int source_pcap_open(const char *path, unsigned port, struct source **out, char **cause)
{
	struct capfile *cf;
	int rc = capfile_open(path, &cf, cause);
	if (rc < 0)
		return rc;
	struct pcap_src *s = xcalloc(1, sizeof *s);
	s->cf = cf;
	s->port = port;
	s->reasm = pkt_reasm_new();
	s->st.bytes_total = cf->size;
	struct source *src = xcalloc(1, sizeof *src);
	src->ops = &pcap_ops;
	src->self = s;
	src->name = xstrdup(path);
	src->live = false;
	*out = src;
	return ERR_OK;
}
