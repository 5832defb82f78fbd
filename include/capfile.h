/* capfile: frames of a pcap or pcapng file through libpcap, with the checks
 * and one-line errors (file and offset) every reader of captures shares. */
#ifndef NFTOP_CAPFILE_H
#define NFTOP_CAPFILE_H

#include <stddef.h>
#include <stdint.h>

struct capfile;

struct frame {
	const uint8_t *data;		/* valid until the next capfile_next */
	size_t caplen, wirelen;
	uint64_t ts_ms;
};

#include <stdio.h>

int capfile_open(const char *path, struct capfile **out, char **cause);
/* The same over an open stream (taken over: closed with the capfile, or on
 * failure); name is for messages. The fuzz target's entry. */
int capfile_open_file(FILE *f, const char *name, uint64_t size, struct capfile **out, char **cause);
/* 1 with a frame, SOURCE_END at the end, or a negative err code with *cause. */
int capfile_next(struct capfile *cf, struct frame *fr, char **cause);
void capfile_close(struct capfile *cf);
/* Only frames that match the BPF expression from now on (--bpf). */
int capfile_filter(struct capfile *cf, const char *expr, char **cause);
int capfile_dlt(const struct capfile *cf);
uint64_t capfile_size(const struct capfile *cf);
uint64_t capfile_offset(const struct capfile *cf);

/* What a capture holds: export datagrams (NetFlow, IPFIX, sFlow) or ordinary
 * traffic, judged from its first frames. */
enum capfile_kind { CAPFILE_EXPORTS, CAPFILE_PACKETS };
int capfile_kind(const char *path, enum capfile_kind *kind, char **cause);

#endif
