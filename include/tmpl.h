/* tmpl: NetFlow v9 / IPFIX templates, compiled once into a field program
 * (length + destination per field) and run per record. */
#ifndef NFTOP_TMPL_H
#define NFTOP_TMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "flow.h"
#include "ie.h"
#include "wire.h"

#define TMPL_VARLEN 0xFFFF
#define TMPL_MAX_FIELDS 512

struct tmpl_field {
	uint16_t len;			/* TMPL_VARLEN: length prefix in the record */
	uint8_t dest;			/* enum ie_dest */
};

/* A template without variable-length fields has every field at a fixed
 * offset: it compiles to the fields nftop reads, with their offsets, so a
 * record costs one bounds check and no per-field dispatch on skipped ones. */
/* A compiled field: where it is, where it goes, and how it is read. A
 * template's ops are grouped by how they are read, so a record is read by
 * one loop per kind, with no branch per field on its width or destination. */
enum { TOP_U8, TOP_U16, TOP_U32, TOP_U64, TOP_UINT, TOP_ADDR, TOP_KINDS };
struct tmpl_op {
	uint16_t off;
	uint8_t len, dest;
};

struct tmpl {
	UT_hash_handle hh;
	uint64_t key;			/* domain << 16 | template id */
	uint16_t tid;
	uint16_t nfields;
	bool options;
	bool varlen;
	bool compiled;			/* ops below hold the template */
	uint32_t min_len;		/* a record takes at least this many bytes */
	uint16_t nops;			/* without varlen: the compiled fields ... */
	uint16_t nkind[TOP_KINDS];	/* ... in groups of these many per kind ... */
	uint64_t have;			/* ... and the 'have' bits they set */
	struct tmpl_op *ops;		/* (in the same allocation, after f) */
	struct tmpl_field f[];
};

/* What one record carries, before times and sampling are resolved. */
struct tmpl_rec {
	struct flow f;			/* addresses are written here directly */
	uint64_t have;			/* bit per enum ie_dest seen */
	uint64_t v[IE_DEST_MAX];	/* integer values, valid where 'have' says */
};

static inline bool tmpl_has(const struct tmpl_rec *r, enum ie_dest d)
{
	return r->have >> d & 1;
}

/* Export-header context needed to turn a record into a flow. */
struct tmpl_ctx {
	uint8_t version;		/* 9 or 10 */
	uint32_t export_s;
	uint32_t uptime_ms;		/* v9 sysUpTime */
	uint64_t sysinit_ms;		/* IPFIX, 0 when unknown */
};

static inline uint64_t tmpl_key(uint32_t domain, uint16_t tid)
{
	return (uint64_t)domain << 16 | tid;
}

/* Builds a template from (id, enterprise, length) triples. v9 scope fields
 * pass id 0 so they are skipped. Returns NULL when no record could ever be
 * read with it (zero length, too many fields). */
struct tmpl *tmpl_new(uint16_t tid, uint32_t domain, bool options, uint16_t nfields,
		      const uint16_t *ids, const uint32_t *ens, const uint16_t *lens);
/* Reads one record; false when it runs past the set. */
bool tmpl_run(const struct tmpl *t, struct wire *w, struct tmpl_rec *r);
/* Fills counters, ports, times and ICMP from the record (sampling not applied). */
void tmpl_finish(struct tmpl_rec *r, const struct tmpl_ctx *c);
/* What the rest of a set is: another record, or padding (fewer bytes than
 * any record, or fewer than 4 zero bytes). */
enum { TMPL_TAIL_RECORD, TMPL_TAIL_PADDING };
int tmpl_tail(const struct tmpl *t, const struct wire *w);

#endif
