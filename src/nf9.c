#include "dataset.h"
#include "err.h"
#include "nf9.h"

/* Template flowset (id 0): records of template id, field count, (type, length) pairs. */
static int templates(struct emit_ctx *c, struct wire *s, uint32_t domain)
{
	int records = 0;
	uint16_t ids[TMPL_MAX_FIELDS], lens[TMPL_MAX_FIELDS];
	uint32_t ens[TMPL_MAX_FIELDS] = { 0 };
	int rc = ERR_OK;
	while (wire_left(s) >= 4) {
		uint16_t tid = 0, n = 0;
		wire_u16(s, &tid);
		wire_u16(s, &n);
		if (n == 0 && tid == 0)
			break;	/* padding */
		if (n > TMPL_MAX_FIELDS || wire_left(s) < (size_t)n * 4)
			return ERR_MALFORMED;
		for (uint16_t i = 0; i < n; i++) {
			wire_u16(s, &ids[i]);
			wire_u16(s, &lens[i]);
		}
		records++;
		struct tmpl *t = tid >= 256 ? tmpl_new(tid, domain, false, n, ids, ens, lens) : NULL;
		if (!t) {
			c->e->st.templates_rejected++;
			rc = ERR_MALFORMED;
			continue;
		}
		dataset_add_template(c, t, domain);
	}
	return rc < 0 ? rc : records;
}

/* Options template flowset (id 1): template id, scope length, option length in
 * bytes, then scope and option (type, length) pairs. Scope types are their own
 * namespace in v9, so scope fields are read past, never mapped. */
static int options_templates(struct emit_ctx *c, struct wire *s, uint32_t domain)
{
	uint16_t ids[TMPL_MAX_FIELDS], lens[TMPL_MAX_FIELDS];
	uint32_t ens[TMPL_MAX_FIELDS] = { 0 };
	int records = 0;
	while (wire_left(s) >= 6) {
		uint16_t tid = 0, slen = 0, olen = 0;
		wire_u16(s, &tid);
		wire_u16(s, &slen);
		wire_u16(s, &olen);
		if (tid == 0 && slen == 0 && olen == 0)
			break;
		size_t ns = slen / 4, no = olen / 4;
		if (ns + no == 0 || ns + no > TMPL_MAX_FIELDS || wire_left(s) < (size_t)slen + olen)
			return ERR_MALFORMED;
		for (size_t i = 0; i < ns + no; i++) {
			uint16_t type = 0;
			wire_u16(s, &type);
			wire_u16(s, &lens[i]);
			ids[i] = i < ns ? 0 : type;
		}
		/* Lengths not a multiple of 4 leave bytes we step over. */
		wire_skip(s, slen % 4);
		wire_skip(s, olen % 4);
		struct tmpl *t = tid >= 256 ? tmpl_new(tid, domain, true, (uint16_t)(ns + no), ids, ens, lens) : NULL;
		if (!t) {
			c->e->st.templates_rejected++;
			return ERR_MALFORMED;
		}
		records++;
		dataset_add_template(c, t, domain);
	}
	return records;
}

int nf9_decode(struct emit_ctx *c, struct wire *w, uint64_t recv_ms)
{
	uint16_t version, count;
	uint32_t uptime, secs, seq, domain;
	if (!wire_u16(w, &version) || !wire_u16(w, &count) || !wire_u32(w, &uptime) ||
	    !wire_u32(w, &secs) || !wire_u32(w, &seq) || !wire_u32(w, &domain))
		return ERR_TRUNCATED;
	struct exporter *e = c->e;
	struct tmpl_ctx tc = { 9, secs, uptime, 0 };
	int rc = ERR_OK;
	/* The header counts records (template, options and data), and every
	 * flowset holds at least one: a flowset past that count means the
	 * datagram contradicts itself, so the rest is not trusted. */
	uint32_t sets = 0;
	while (wire_left(w) >= 4) {
		uint16_t id = 0, len = 0;
		struct wire set;
		if (sets >= count) {
			if (!wire_rest_zero(w))
				rc = ERR_MALFORMED;
			break;
		}
		sets++;
		wire_u16(w, &id);
		wire_u16(w, &len);
		if (len < 4 || !wire_sub(w, len - 4, &set)) {
			/* Some exporters pad the datagram with zeros past the last set. */
			if (id == 0 && len == 0)
				break;
			rc = ERR_MALFORMED;
			break;
		}
		int r = 0;
		if (id == 0) {
			r = templates(c, &set, domain);
		} else if (id == 1) {
			r = options_templates(c, &set, domain);
		} else if (id >= 256) {
			int status;
			r = dataset_data(c, &tc, domain, id, &set, recv_ms, &status);
			if (status == DATASET_CUT)
				rc = ERR_TRUNCATED;
		}
		if (r < 0)
			rc = r;
	}

	/* v9 sequence numbers count datagrams; estimate the flows the lost ones
	 * carried from the average so far. */
	uint32_t gap = exporter_seq(e, domain, seq, 1);
	if (gap) {
		uint64_t dg = e->st.datagrams ? e->st.datagrams : 1;
		uint64_t avg = (e->st.flows + dg / 2) / dg;
		e->st.seq_lost_datagrams += gap;
		e->st.seq_lost += (uint64_t)gap * (avg ? avg : 1);
	}
	return rc;
}
