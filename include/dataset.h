/* dataset: runs a compiled template over a v9/IPFIX data set, applies options
 * records (sampling, system init time) and emits flow records. Shared by nf9
 * and ipfix, and by data sets that waited for their template. */
#ifndef NFTOP_DATASET_H
#define NFTOP_DATASET_H

#include "exporter.h"
#include "tmpl.h"
#include "wire.h"

/* Decodes every record of the set body; returns the number of records (data
 * and options) read. *cut is set when a record ran past the end of the set
 * (the records before it are kept). */
int dataset_decode(struct emit_ctx *c, const struct tmpl *t, struct wire *set,
		   const struct tmpl_ctx *tc, uint32_t domain, uint64_t recv_ms, bool *cut);

/* Installs a template (replacing one with the same id) and decodes the data
 * sets that were waiting for it. Takes ownership of t. Returns records decoded
 * from waiting sets, or ERR_LIMIT when the exporter has too many templates. */
int dataset_add_template(struct emit_ctx *c, struct tmpl *t, uint32_t domain);

/* Withdraws one template, or all of a kind (options or not) when all is set. */
void dataset_withdraw(struct exporter *e, uint32_t domain, uint16_t tid, bool all, bool options);

/* A data set of template tid: decoded when the template is known, else held
 * for it. Returns the records read; *status says which happened. */
enum { DATASET_DECODED, DATASET_CUT, DATASET_HELD };
int dataset_data(struct emit_ctx *c, const struct tmpl_ctx *tc, uint32_t domain, uint16_t tid,
		 struct wire *set, uint64_t recv_ms, int *status);

/* Holds a data set whose template is unknown. */
void dataset_pend(struct emit_ctx *c, uint8_t version, uint32_t domain, uint16_t tid,
		  uint32_t export_s, uint32_t uptime_ms, uint64_t recv_ms, const struct wire *set);

#endif
