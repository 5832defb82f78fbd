#include <stdlib.h>
#include <string.h>

#include "exporter.h"
#include "tmpl.h"
#include "xmem.h"

/* Domains and samplers are bounded too: a hostile exporter could announce many. */
#define MAX_DOMAINS 1024
#define MAX_SAMPLERS 4096
/* A sequence jump bigger than this is taken as an exporter restart, not loss. */
#define SEQ_MAX_GAP 0x00100000u

struct domain *exporter_domain(struct exporter *e, uint32_t id)
{
	struct domain *dm;
	HASH_FIND(hh, e->domains, &id, sizeof id, dm);
	if (dm)
		return dm;
	if (e->ndomains >= MAX_DOMAINS)
		return NULL;
	dm = xcalloc(1, sizeof *dm);
	dm->id = id;
	HASH_ADD(hh, e->domains, id, sizeof dm->id, dm);
	e->ndomains++;
	return dm;
}

void exporter_set_sampler(struct exporter *e, uint32_t domain, bool has_id, uint64_t id, uint32_t rate)
{
	if (rate == 0)
		rate = 1;
	if (!has_id) {
		struct domain *dm = exporter_domain(e, domain);
		if (dm)
			dm->rate = rate;
		return;
	}
	uint64_t key = (uint64_t)domain << 32 | (id & 0xffffffffu);
	struct sampler *s;
	HASH_FIND(hh, e->samplers, &key, sizeof key, s);
	if (!s) {
		if (e->nsamplers >= MAX_SAMPLERS)
			return;
		s = xcalloc(1, sizeof *s);
		s->key = key;
		HASH_ADD(hh, e->samplers, key, sizeof s->key, s);
		e->nsamplers++;
	}
	s->rate = rate;
}

uint32_t exporter_sampler_rate(const struct exporter *e, uint32_t domain, uint64_t id)
{
	uint64_t key = (uint64_t)domain << 32 | (id & 0xffffffffu);
	struct sampler *s;
	HASH_FIND(hh, e->samplers, &key, sizeof key, s);
	return s ? s->rate : 0;
}

uint32_t exporter_seq(struct exporter *e, uint32_t domain, uint32_t seq, uint32_t advance)
{
	struct domain *dm = exporter_domain(e, domain);
	uint32_t gap = 0;
	if (!dm)
		return 0;
	if (dm->seq_valid) {
		uint32_t d = seq - dm->next_seq;	/* modulo 2^32: wraps cleanly */
		if (d != 0 && d < SEQ_MAX_GAP)
			gap = d;
	}
	dm->seq_valid = true;
	dm->next_seq = seq + advance;
	return gap;
}

bool exporter_pend_push(struct decoder *d, struct exporter *e, const struct pending *hdr,
			const uint8_t *data, size_t len)
{
	if (len > d->o.max_pending_bytes || d->o.max_pending_sets == 0) {
		e->st.dropped_no_template++;
		return false;
	}
	while (e->pend_head && (e->st.waiting_for_template >= d->o.max_pending_sets ||
				e->pend_bytes + len > d->o.max_pending_bytes)) {
		struct pending *old = e->pend_head;
		e->pend_head = old->next;
		if (!e->pend_head)
			e->pend_tail = NULL;
		e->pend_bytes -= old->len;
		e->st.waiting_for_template--;
		e->st.dropped_no_template++;
		free(old);
	}
	struct pending *p = xmalloc(sizeof *p + len);
	*p = *hdr;
	p->next = NULL;
	p->len = len;
	memcpy(p->data, data, len);
	if (e->pend_tail)
		e->pend_tail->next = p;
	else
		e->pend_head = p;
	e->pend_tail = p;
	e->pend_bytes += len;
	e->st.waiting_for_template++;
	return true;
}

struct pending *exporter_pend_take(struct exporter *e, uint32_t domain, uint16_t tid)
{
	struct pending *out = NULL, **outp = &out, **pp = &e->pend_head, *last = NULL;
	while (*pp) {
		struct pending *p = *pp;
		if (p->domain == domain && p->tid == tid) {
			*pp = p->next;
			p->next = NULL;
			*outp = p;
			outp = &p->next;
			e->pend_bytes -= p->len;
			e->st.waiting_for_template--;
		} else {
			last = p;
			pp = &p->next;
		}
	}
	e->pend_tail = last;
	return out;
}

void exporter_free(struct exporter *e)
{
	struct tmpl *t, *tt;
	HASH_ITER(hh, e->tmpls, t, tt) {
		HASH_DEL(e->tmpls, t);
		free(t);
	}
	struct domain *dm, *dt;
	HASH_ITER(hh, e->domains, dm, dt) {
		HASH_DEL(e->domains, dm);
		free(dm);
	}
	struct sampler *s, *st;
	HASH_ITER(hh, e->samplers, s, st) {
		HASH_DEL(e->samplers, s);
		free(s);
	}
	while (e->pend_head) {
		struct pending *p = e->pend_head;
		e->pend_head = p->next;
		free(p);
	}
	free(e);
}

void emit_flow(struct emit_ctx *c, struct flow *f)
{
	f->exporter = c->e->addr;
	if (f->sampling == 0)
		f->sampling = 1;
	c->e->st.sampling = f->sampling;
	if (!c->d->o.no_scale && f->sampling > 1) {
		f->bytes *= f->sampling;
		f->packets *= f->sampling;
	}
	c->e->st.flows++;
	c->d->st.flows++;
	c->fn(c->arg, f);
}
