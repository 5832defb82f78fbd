/* flowfile: input files whose records are flows already (nfcapd files,
 * goflow2 JSON lines), read one flow at a time behind one interface, and the
 * detection of what any -r file holds by its first bytes. */
#ifndef NFTOP_FLOWFILE_H
#define NFTOP_FLOWFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

enum input_kind {
	INPUT_PCAP,		/* pcap or pcapng (exports or ordinary packets) */
	INPUT_NFCAPD,		/* nfdump's nfcapd file (1.6 or 1.7 layout) */
	INPUT_JSON,		/* goflow2 JSON lines */
};

/* Judges a file by its magic; "-" is standard input, which is peeked at
 * without consuming it. ERR_FORMAT with *cause for anything unknown. */
int flowfile_detect(const char *path, enum input_kind *kind, char **cause);

enum {
	FLOWFILE_FLOW = 1,	/* *f holds a flow */
	FLOWFILE_BAD = 2,	/* a record was skipped; *cause says where and why, reading goes on */
	FLOWFILE_END = 0,	/* no more records */
};

struct flowfile_stats {
	uint64_t records;	/* records read, good or bad */
	uint64_t bad;		/* records skipped (FLOWFILE_BAD) */
	uint64_t bytes_done, bytes_total;	/* progress; total 0 when unknown (stdin) */
};

struct flowfile_ops {
	/* FLOWFILE_FLOW, FLOWFILE_BAD (with *cause), FLOWFILE_END, or a
	 * negative err code with *cause ("FILE: block N at offset X: why"),
	 * after which the file is abandoned. */
	int (*next)(void *self, struct flow *f, char **cause);
	void (*stats)(const void *self, struct flowfile_stats *st);
	void (*close)(void *self);
};

struct flowfile {
	const struct flowfile_ops *ops;
	void *self;
	char *name;
	bool unscaled;		/* packets and bytes as sampled: flowfile_scale() multiplies them */
};

/* Opens a file of the given kind (not INPUT_PCAP). */
int flowfile_open(const char *path, enum input_kind kind, struct flowfile **out, char **cause);
int flowfile_next(struct flowfile *ff, struct flow *f, char **cause);
void flowfile_stats(const struct flowfile *ff, struct flowfile_stats *st);
void flowfile_close(struct flowfile *ff);
/* For a file whose counters are as sampled, multiplies f's packets and bytes
 * by f->sampling (saturating) unless no_scale; other files are left alone. */
void flowfile_scale(const struct flowfile *ff, struct flow *f, bool no_scale);

/* The readers, each in its own module. */
int nfcapd_open(const char *path, struct flowfile **out, char **cause);
int jsonflow_open(const char *path, struct flowfile **out, char **cause);

#endif
