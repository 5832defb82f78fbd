#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "enrich.h"
#include "log.h"

struct geo *enrich_open(const struct conf *c, bool say)
{
	struct geo_opts go = { c->geoip_country, c->geoip_asn, c->geoip_dir, 0 };
	char *warn = NULL, *save = NULL;
	struct geo *g = geo_open(&go, &warn);
	if (warn) {
		if (say)
			for (char *line = strtok_r(warn, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				log_msg(LOG_WARN, "%s", line);
		free(warn);
		if (c->strict) {
			geo_free(g);
			return NULL;
		}
	}
	return g;
}

/* g is NULL when no database is open. */
static void one(struct geo *g, const struct flow_addr *a, uint16_t *cc, uint8_t *cls, uint32_t *as)
{
	struct geo_result r;
	if (!g) {
		*cls = (uint8_t)geo_classify_fast(a);
		return;
	}
	geo_lookup(g, a, &r);
	*cls = (uint8_t)r.cls;
	if (r.cc[0] && r.cc[1])
		*cc = (uint16_t)((uint8_t)r.cc[0] << 8 | (uint8_t)r.cc[1]);
	if (!*as)
		*as = r.asn;
}

void enrich_flow(struct geo *g, struct flow *f)
{
	if (!geo_active(g))
		g = NULL;
	one(g, &f->src, &f->src_cc, &f->src_class, &f->src_as);
	one(g, &f->dst, &f->dst_cc, &f->dst_class, &f->dst_as);
}
