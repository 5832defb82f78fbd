#include "dataset.h"
#include "err.h"
#include "ipfix.h"

#define SET_TEMPLATE 2
#define SET_OPTIONS 3

/* Template (set 2) and options template (set 3) records. A record with no
 * fields withdraws its template; template id = set id withdraws them all. */
static int templates(struct emit_ctx *c, struct wire *s, uint32_t domain, bool options)
{
	uint16_t ids[TMPL_MAX_FIELDS], lens[TMPL_MAX_FIELDS];
	uint32_t ens[TMPL_MAX_FIELDS];
	size_t hdr = options ? 6 : 4;
	while (wire_left(s) >= hdr) {
		uint16_t tid = 0, n = 0, scope = 0;
		wire_u16(s, &tid);
		wire_u16(s, &n);
		if (options && n > 0 && !wire_u16(s, &scope))
			return ERR_MALFORMED;
		if (n == 0) {
			if (tid == 0)
				break;	/* padding */
			dataset_withdraw(c->e, domain, tid, tid == SET_TEMPLATE || tid == SET_OPTIONS,
					 options);
			continue;
		}
		if (n > TMPL_MAX_FIELDS || (options && (scope == 0 || scope > n)))
			return ERR_MALFORMED;
		for (uint16_t i = 0; i < n; i++) {
			uint16_t id;
			uint32_t en = 0;
			if (!wire_u16(s, &id) || !wire_u16(s, &lens[i]))
				return ERR_MALFORMED;
			if (id & 0x8000) {
				if (!wire_u32(s, &en))
					return ERR_MALFORMED;
				id &= 0x7fff;
			}
			ids[i] = id;
			ens[i] = en;
		}
		struct tmpl *t = tid >= 256 ? tmpl_new(tid, domain, options, n, ids, ens, lens) : NULL;
		if (!t) {
			c->e->st.templates_rejected++;
			return ERR_MALFORMED;
		}
		dataset_add_template(c, t, domain);
	}
	return ERR_OK;
}

int ipfix_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms)
{
	uint16_t version, length;
	uint32_t secs, seq, domain;
	if (!wire_u16(w, &version) || !wire_u16(w, &length) || !wire_u32(w, &secs) ||
	    !wire_u32(w, &seq) || !wire_u32(w, &domain))
		return ERR_TRUNCATED;
	int rc = ERR_OK;
	/* The message length is checked against what arrived, never trusted. A
	 * set may still run past a length that is short of the datagram (seen
	 * from real exporters): it is read, within the datagram, and the message
	 * counted as malformed. */
	if (length < IPFIX_HEADER_LEN)
		return ERR_MALFORMED;
	size_t msg_end = length;
	if (msg_end > w->len) {
		rc = ERR_TRUNCATED;
		msg_end = w->len;
	}
	struct exporter *e = c->e;
	struct tmpl_ctx tc = { 10, secs, 0, 0 };
	uint32_t records = 0;
	bool unknown = false;
	while (w->off + 4 <= msg_end) {
		uint16_t id = 0, len = 0;
		struct wire set;
		wire_u16(w, &id);
		wire_u16(w, &len);
		if (len < 4 || !wire_sub(w, len - 4, &set)) {
			rc = ERR_MALFORMED;
			break;
		}
		if (w->off > msg_end)
			rc = ERR_MALFORMED;
		int r = ERR_OK;
		if (id == SET_TEMPLATE || id == SET_OPTIONS) {
			r = templates(c, &set, domain, id == SET_OPTIONS);
		} else if (id >= 256) {
			int status;
			r = dataset_data(c, &tc, domain, id, &set, recv_ms, &status);
			records += (uint32_t)r;
			if (status == DATASET_CUT)
				rc = ERR_TRUNCATED;
			else if (status == DATASET_HELD)
				unknown = true;
		}
		if (r < 0)
			rc = r;
	}

	/* IPFIX sequence numbers count data records; a set we could not read
	 * makes the next expectation unknown rather than a false loss. */
	e->st.seq_lost += exporter_seq(e, domain, seq, records);
	if (unknown) {
		struct domain *dm = exporter_domain(e, domain);
		if (dm)
			dm->seq_valid = false;
	}
	return rc;
}
