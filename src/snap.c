#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "geo.h"
#include "snap.h"
#include "xmem.h"

static int cmp_exporter(const void *a, const void *b)
{
	const struct exporter_stats *x = a, *y = b;
	return memcmp(x->addr.b, y->addr.b, sizeof x->addr.b);
}

struct snap *snap_build(const struct store *s, const struct decoder *d, const struct source_stats *src,
			enum sort_by by, bool invert, size_t topn, uint32_t window_s, const struct geo *geo)
{
	struct snap *sn = xcalloc(1, sizeof *sn);
	sn->sort = by;
	sn->invert = invert;
	sn->window_s = window_s;
	store_span(s, &sn->start_ms, &sn->end_ms);
	if (window_s) {
		/* Until the window has filled, rates are over the time seen so far. */
		uint64_t seen = (sn->end_ms - store_first(s) + 999) / 1000;
		sn->seconds = seen < window_s ? (uint32_t)(seen ? seen : 1) : window_s;
	} else
		sn->seconds = (uint32_t)((sn->end_ms - sn->start_ms + 999) / 1000);
	store_totals(s, &sn->total);
	struct store_row *rows[DIM_COUNT];
	size_t cnt[DIM_COUNT] = { 0 };
	for (int i = 0; i < DIM_COUNT; i++)
		rows[i] = sn->dim[i].rows = xcalloc(topn ? topn : 1, sizeof *sn->dim[i].rows);
	store_top_all(s, by, invert, rows, topn, cnt);
	for (int i = 0; i < DIM_COUNT; i++) {
		struct snap_dim *sd = &sn->dim[i];
		sd->n = cnt[i];
		store_dim_info(s, (enum dim)i, &sd->info);
		if (geo && (i == DIM_SRC_AS || i == DIM_DST_AS) && sd->n) {
			sd->label = xcalloc(sd->n, sizeof *sd->label);
			for (size_t r = 0; r < sd->n; r++) {
				const char *org = sd->rows[r].key.num ? geo_as_org(geo, sd->rows[r].key.num) : NULL;
				if (org)
					snprintf(sd->label[r], SNAP_LABEL, "%s", org);
			}
		}
	}
	if (d) {
		sn->dec = *decoder_stats(d);
		size_t n = decoder_exporters(d, NULL, 0);
		sn->exp = xcalloc(n ? n : 1, sizeof *sn->exp);
		sn->nexp = decoder_exporters(d, sn->exp, n);
		qsort(sn->exp, sn->nexp, sizeof *sn->exp, cmp_exporter);
	}
	if (src)
		sn->src = *src;
	if (geo) {
		sn->geo_country = geo_has_country(geo);
		sn->geo_asn = geo_has_asn(geo);
		geo_describe(geo, sn->geo_desc, sizeof sn->geo_desc);
	}
	sn->late = store_late(s);
	return sn;
}

void snap_free(struct snap *sn)
{
	if (!sn)
		return;
	for (int i = 0; i < DIM_COUNT; i++) {
		free(sn->dim[i].rows);
		free(sn->dim[i].label);
	}
	free(sn->exp);
	free(sn);
}
