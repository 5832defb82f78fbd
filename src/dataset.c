#include <stdlib.h>

#include "dataset.h"
#include "err.h"

/* Sampling rate a record announces itself, 0 when it announces none. */
static uint32_t record_rate(const struct tmpl_rec *r)
{
	if (tmpl_has(r, IE_SAMP_PKT_INTERVAL) && r->v[IE_SAMP_PKT_INTERVAL]) {
		uint64_t i = r->v[IE_SAMP_PKT_INTERVAL];
		uint64_t s = tmpl_has(r, IE_SAMP_PKT_SPACE) ? r->v[IE_SAMP_PKT_SPACE] : 0;
		uint64_t rate = (i + s) / i;
		return rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
	}
	/* Random n-out-of-N (selectorAlgorithm 3): population / size. */
	if (tmpl_has(r, IE_SAMP_POPULATION) && tmpl_has(r, IE_SAMP_SIZE) && r->v[IE_SAMP_SIZE]) {
		uint64_t rate = r->v[IE_SAMP_POPULATION] / r->v[IE_SAMP_SIZE];
		return rate > UINT32_MAX ? UINT32_MAX : (uint32_t)(rate ? rate : 1);
	}
	if (tmpl_has(r, IE_SAMP_INTERVAL) && r->v[IE_SAMP_INTERVAL])
		return r->v[IE_SAMP_INTERVAL] > UINT32_MAX ? UINT32_MAX : (uint32_t)r->v[IE_SAMP_INTERVAL];
	if (tmpl_has(r, IE_SAMPLER_RAND) && r->v[IE_SAMPLER_RAND])
		return r->v[IE_SAMPLER_RAND] > UINT32_MAX ? UINT32_MAX : (uint32_t)r->v[IE_SAMPLER_RAND];
	return 0;
}

static bool record_sampler(const struct tmpl_rec *r, uint64_t *id)
{
	if (tmpl_has(r, IE_SAMPLER_ID)) {
		*id = r->v[IE_SAMPLER_ID];
		return true;
	}
	if (tmpl_has(r, IE_SELECTOR_ID)) {
		*id = r->v[IE_SELECTOR_ID];
		return true;
	}
	return false;
}

static void apply_options(struct exporter *e, const struct tmpl_rec *r, uint32_t domain)
{
	uint64_t id = 0;
	bool has_id = record_sampler(r, &id);
	uint32_t rate = record_rate(r);
	if (rate)
		exporter_set_sampler(e, domain, has_id, id, rate);
	if (tmpl_has(r, IE_SYSINIT_MS)) {
		struct domain *dm = exporter_domain(e, domain);
		if (dm)
			dm->sysinit_ms = r->v[IE_SYSINIT_MS];
	}
}

static uint32_t flow_rate(const struct exporter *e, const struct tmpl_rec *r, uint32_t domain,
			  uint32_t domain_rate)
{
	uint32_t rate = record_rate(r);
	uint64_t id;
	if (rate)
		return rate;
	if (record_sampler(r, &id) && (rate = exporter_sampler_rate(e, domain, id)))
		return rate;
	/* A single sampler announced with an id still applies to records that name none. */
	if (domain_rate)
		return domain_rate;
	if (e->nsamplers == 1) {
		const struct sampler *s = e->samplers;
		if ((uint32_t)(s->key >> 32) == domain)
			return s->rate;
	}
	return 1;
}

int dataset_decode(struct emit_ctx *c, const struct tmpl *t, struct wire *set,
		   const struct tmpl_ctx *tc0, uint32_t domain, uint64_t recv_ms, bool *cut)
{
	struct exporter *e = c->e;
	struct domain *dm = exporter_domain(e, domain);
	struct tmpl_ctx tc = *tc0;
	struct tmpl_rec r;
	int n = 0;

	while (wire_left(set) > 0) {
		int tail = tmpl_tail(t, set);
		if (tail == TMPL_TAIL_PADDING)
			break;
		size_t before = set->off;
		if (!tmpl_run(t, set, &r)) {
			*cut = true;
			break;
		}
		if (set->off == before)
			break;	/* cannot happen with min_len > 0; never loop forever */
		n++;
		if (t->options) {
			e->st.options_records++;
			apply_options(e, &r, domain);
			continue;
		}
		tc.sysinit_ms = dm ? dm->sysinit_ms : 0;
		tmpl_finish(&r, &tc);
		r.f.domain = domain;
		r.f.recv_ms = recv_ms;
		r.f.version = tc.version;
		r.f.sampling = flow_rate(e, &r, domain, dm ? dm->rate : 0);
		emit_flow(c, &r.f);
	}
	return n;
}

int dataset_add_template(struct emit_ctx *c, struct tmpl *t, uint32_t domain)
{
	struct exporter *e = c->e;
	struct tmpl *old;
	HASH_FIND(hh, e->tmpls, &t->key, sizeof t->key, old);
	if (old) {
		HASH_DEL(e->tmpls, old);
		free(old);
	} else if (HASH_COUNT(e->tmpls) >= c->d->o.max_templates) {
		e->st.templates_rejected++;
		free(t);
		return ERR_LIMIT;
	}
	HASH_ADD(hh, e->tmpls, key, sizeof t->key, t);
	e->st.templates = HASH_COUNT(e->tmpls);

	int n = 0;
	struct pending *p = exporter_pend_take(e, domain, t->tid);
	while (p) {
		struct pending *next = p->next;
		struct wire w = wire_make(p->data, p->len);
		struct tmpl_ctx tc = { p->version, p->export_s, p->uptime_ms, 0 };
		bool cut = false;
		n += dataset_decode(c, t, &w, &tc, domain, p->recv_ms, &cut);
		if (cut)
			e->st.malformed++;
		e->st.decoded_late++;
		free(p);
		p = next;
	}
	return n;
}

void dataset_withdraw(struct exporter *e, uint32_t domain, uint16_t tid, bool all, bool options)
{
	struct tmpl *t, *tmp;
	if (!all) {
		uint64_t key = tmpl_key(domain, tid);
		HASH_FIND(hh, e->tmpls, &key, sizeof key, t);
		if (t) {
			HASH_DEL(e->tmpls, t);
			free(t);
		}
	} else {
		HASH_ITER(hh, e->tmpls, t, tmp) {
			if (t->key >> 16 == domain && t->options == options) {
				HASH_DEL(e->tmpls, t);
				free(t);
			}
		}
	}
	e->st.templates = HASH_COUNT(e->tmpls);
}

void dataset_pend(struct emit_ctx *c, uint8_t version, uint32_t domain, uint16_t tid,
		  uint32_t export_s, uint32_t uptime_ms, uint64_t recv_ms, const struct wire *set)
{
	struct pending hdr = { 0 };
	hdr.domain = domain;
	hdr.tid = tid;
	hdr.version = version;
	hdr.export_s = export_s;
	hdr.uptime_ms = uptime_ms;
	hdr.recv_ms = recv_ms;
	exporter_pend_push(c->d, c->e, &hdr, wire_ptr(set), wire_left(set));
}

int dataset_data(struct emit_ctx *c, const struct tmpl_ctx *tc, uint32_t domain, uint16_t tid,
		 struct wire *set, uint64_t recv_ms, int *status)
{
	uint64_t key = tmpl_key(domain, tid);
	struct tmpl *t;
	HASH_FIND(hh, c->e->tmpls, &key, sizeof key, t);
	if (!t) {
		dataset_pend(c, tc->version, domain, tid, tc->export_s, tc->uptime_ms, recv_ms, set);
		*status = DATASET_HELD;
		return 0;
	}
	bool cut = false;
	int n = dataset_decode(c, t, set, tc, domain, recv_ms, &cut);
	*status = cut ? DATASET_CUT : DATASET_DECODED;
	return n;
}
