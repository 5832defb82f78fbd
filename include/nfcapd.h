/* nfcapd: nfdump's flow files as flows. The file and block layer
 * (src/nfcapd.c) reads the header of layout 1 (nfdump 1.6) or layout 2
 * (nfdump 1.7), then data blocks, uncompressed or compressed with LZO, BZ2,
 * LZ4 or ZSTD; the record layer (src/nfcapd_rec.c) turns one record of a
 * block into a flow: V3 records with element lists (1.7), common records
 * with extension maps (1.6), and the exporter records both carry. The
 * directory layer (src/nfcapd_dir.c) expands -R into files in time order.
 * Everything nfdump writes is little-endian on the machines it runs on;
 * files of the other byte order are not read. */
#ifndef NFTOP_NFCAPD_H
#define NFTOP_NFCAPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "flow.h"
#include "flowfile.h"

/* The largest block nfdump reads or writes (its BUFFSIZE), before and after
 * decompression; anything bigger is refused. */
#define NFCAPD_BLOCK_MAX (5u << 20)

static inline uint16_t nfcapd_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t nfcapd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t nfcapd_le64(const uint8_t *p)
{
	return (uint64_t)nfcapd_le32(p) | (uint64_t)nfcapd_le32(p + 4) << 32;
}

struct nfcapd_exporter {
	struct flow_addr addr;
	uint32_t id;		/* v9 source id / IPFIX observation domain */
	uint16_t sysid;		/* the number records refer to */
	uint8_t version;	/* as struct flow's: 5, 9, 10, 105 (sFlow) */
};

struct nfcapd_map;		/* a 1.6 extension map */

/* What the records of one file refer to: exporters and extension maps. */
struct nfcapd_ctx {
	struct nfcapd_exporter *exp;
	size_t nexp;
	struct nfcapd_map **maps;
	size_t nmaps;
	uint64_t skipped;	/* elements of kinds nfdump does not define, skipped by their length */
};

enum {
	NFCAPD_REC_META = 0,	/* read, not a flow (exporter, map, statistics...) */
	NFCAPD_REC_FLOW = 1,	/* *f holds a flow */
};

/* One record of rec_len bytes (its 4-byte type/size header included, size
 * already checked against the block). NFCAPD_REC_FLOW, NFCAPD_REC_META, or a
 * negative err code with *why (a malloc'd reason, no file or block). */
int nfcapd_record(struct nfcapd_ctx *ctx, const uint8_t *rec, size_t rec_len, struct flow *f, char **why);
void nfcapd_ctx_free(struct nfcapd_ctx *ctx);

/* Reads a whole file held in memory (the fuzz target's entry); buf must
 * outlive the flowfile. nfcapd_open (flowfile.h) reads a path. */
int nfcapd_open_mem(const char *name, const uint8_t *buf, size_t len, struct flowfile **out, char **cause);

/* The nfcapd.* files under dir (recursing into nfcapd -S layouts), sorted
 * by the time in their names, then by path; nfcapd.current.* files are left
 * out and, with verbose, named on standard error. ERR_IO with *cause when
 * dir cannot be read or holds no such file. */
int nfcapd_dir_list(const char *dir, bool verbose, char ***paths, size_t *n, char **cause);
/* Appends the files of every c->read_dir to c->read. */
int nfcapd_dir_expand(struct conf *c, char **cause);

#endif
