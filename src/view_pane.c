#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "fmt.h"
#include "geo.h"
#include "theme.h"
#include "view.h"

void view_key(char *buf, size_t len, enum dim d, const struct store_key *k, const char *label, bool numeric,
	      const struct services *svc)
{
	char base[FLOW_ADDRSTRLEN + 8];
	const char *name = NULL;
	batch_key(d, k, base, sizeof base);
	switch (d) {
	case DIM_SRC_PORT: case DIM_DST_PORT:
		name = numeric ? NULL : services_name(svc, (uint16_t)k->num);
		break;
	case DIM_PROTO:
		name = numeric ? NULL : proto_name((uint8_t)k->num);
		if (name) {
			snprintf(buf, len, "%s", name);
			return;
		}
		break;
	case DIM_SRC_AS: case DIM_DST_AS:
		if (!k->num && k->addr[0]) {
			snprintf(buf, len, "%s", base);	/* private, documentation... */
			return;
		}
		snprintf(buf, len, "AS%s%s%s", base, label && *label ? " " : "", label ? label : "");
		return;
	case DIM_SRC_COUNTRY: case DIM_DST_COUNTRY:
		if (k->num && !k->addr[0]) {
			char cc[3] = { (char)(k->num >> 8), (char)(k->num & 0xff), 0 };
			name = geo_country_name(cc);
		}
		break;
	default:
		break;
	}
	if (name)
		snprintf(buf, len, "%s %s", base, name);
	else
		snprintf(buf, len, "%s", base);
}

/* Optional columns, dropped from the right when the pane is narrow. */
enum col { C_BYTES, C_PKTS, C_FLOWS, C_RATE, C_SHARE, C_BAR, C_N };
static const int col_w[C_N] = { 9, 7, 7, 10, 6, 12 };
static const char *const col_name[C_N] = { "bytes", "pkts", "flows", "rate", "share", "" };
/* Which columns fit, in the order they are given up. */
static const enum col drop_order[C_N] = { C_BAR, C_FLOWS, C_PKTS, C_SHARE, C_RATE, C_BYTES };

static int layout_cols(int w, bool on[C_N], int *key_w)
{
	for (int i = 0; i < C_N; i++)
		on[i] = true;
	for (int d = 0; d <= C_N; d++) {
		int used = 0;
		for (int i = 0; i < C_N; i++)
			if (on[i])
				used += col_w[i] + 1;
		int kw = w - used - 1;
		if (kw >= 16 || d == C_N) {
			/* A wide pane gives the bar what the key does not need. */
			if (on[C_BAR] && kw > 40) {
				*key_w = 40;
				return col_w[C_BAR] + kw - 40;
			}
			*key_w = kw > 4 ? kw : 4;
			return col_w[C_BAR];
		}
		if (d < C_N)
			on[drop_order[d]] = false;
	}
	*key_w = 4;
	return 0;
}

static const char *sort_label(const struct ui_state *u)
{
	static const char *const names[SORTM_COUNT] = { "bytes", "packets", "flows", "rate" };
	return names[u->sort];
}

void view_pane(struct canvas *c, int x, int y, int w, int h, const struct snap *sn, const struct ui_state *u,
	       int pane, const struct services *svc)
{
	bool active = pane == u->active;
	enum dim d = ui_pane_dim(u, pane);
	char t[128], num[32];
	canvas_fill(c, x, y, w, active ? ROLE_TITLE_ACTIVE : ROLE_TITLE, ' ');
	const char *what = ui_pane_title(pane);
	switch (d) {
	case DIM_SRC_PREFIX: what = "Source prefixes"; break;
	case DIM_DST_PREFIX: what = "Destination prefixes"; break;
	case DIM_SRC_PORT: what = "Source ports"; break;
	case DIM_DST_PORT: what = "Destination ports"; break;
	case DIM_SRC_AS: what = "Source ASNs"; break;
	case DIM_DST_AS: what = "Destination ASNs"; break;
	case DIM_SRC_COUNTRY: what = "Source countries"; break;
	case DIM_DST_COUNTRY: what = "Destination countries"; break;
	default: break;
	}
	const struct snap_dim *sd = sn && d < DIM_COUNT ? &sn->dim[d] : NULL;
	if (sd)
		snprintf(t, sizeof t, " %d %s by %s%s (%zu keys)", pane + 1, what, sort_label(u),
			 u->invert ? ", smallest first" : "", sd->info.keys);
	else
		snprintf(t, sizeof t, " %d %s", pane + 1, what);
	canvas_text(c, x, y, w, active ? ROLE_TITLE_ACTIVE : ROLE_TITLE, t);
	if (h < 3)
		return;
	if (!sd)
		return;
	/* Without a database the pane still shows private and other special
	 * ranges, and says how to get one for the rest. */
	bool nodb = ((d == DIM_SRC_COUNTRY || d == DIM_DST_COUNTRY) && !sn->geo_country) ||
		    ((d == DIM_SRC_AS || d == DIM_DST_AS) && !sn->geo_asn);
	if (nodb && h > 3) {
		canvas_text(c, x + 1, y + h - 1, w - 2, ROLE_DIM,
			    d == DIM_SRC_AS || d == DIM_DST_AS
				    ? "no ASN database: exporter AS only (tools/geoip.sh gets one)"
				    : "no GeoIP database: tools/geoip.sh gets one");
		h--;
	}
	bool on[C_N];
	int kw, bw = layout_cols(w, on, &kw);
	int cx = x + 1;
	canvas_fill(c, x, y + 1, w, ROLE_COLUMN, ' ');
	canvas_text(c, cx, y + 1, kw, ROLE_COLUMN, "key");
	cx += kw;
	for (int i = 0; i < C_N; i++) {
		if (!on[i] || i == C_BAR)
			continue;
		const char *name = i == C_RATE ? (u->byte_rates ? "B/s" : "bits/s") : col_name[i];
		canvas_rtext(c, cx + 1, y + 1, col_w[i], ROLE_COLUMN, name);
		cx += col_w[i] + 1;
	}
	int rows = h - 2;
	uint64_t total = sn->total.bytes;
	double secs = sn->seconds ? sn->seconds : 1;
	const struct pane_state *ps = &u->pane[pane];
	for (int r = 0; r < rows; r++) {
		int i = ps->top + r;
		if (i >= (int)sd->n)
			break;
		const struct store_row *row = &sd->rows[i];
		bool sel = active && i == ps->sel_row;
		uint8_t role = sel ? ROLE_SELECTED : ROLE_ROW;
		int yy = y + 2 + r;
		canvas_fill(c, x, yy, w, role, ' ');
		view_key(t, sizeof t, d, &row->key, sd->label ? sd->label[i] : NULL, u->numeric, svc);
		if (canvas_width(t) > kw - 1) {
			canvas_text(c, x + 1, yy, kw - 2, role, t);
			canvas_text(c, x + kw - 1, yy, 1, role, c->utf8 ? "\u2026" : "+");
		} else {
			canvas_text(c, x + 1, yy, kw - 1, role, t);
		}
		cx = x + 1 + kw;
		double share = total ? (double)row->c.bytes / (double)total : 0;
		for (int k = 0; k < C_N; k++) {
			if (!on[k])
				continue;
			switch (k) {
			case C_BYTES: fmt_bytes(row->c.bytes, num, sizeof num); break;
			case C_PKTS: fmt_count((double)row->c.packets, num, sizeof num); break;
			case C_FLOWS: fmt_count((double)row->c.flows, num, sizeof num); break;
			case C_RATE:
				if (u->byte_rates) {
					fmt_bytes((uint64_t)((double)row->c.bytes / secs), num, sizeof num);
					strncat(num, "/s", sizeof num - strlen(num) - 1);
				} else {
					fmt_bits(8.0 * (double)row->c.bytes / secs, num, sizeof num);
				}
				break;
			case C_SHARE: snprintf(num, sizeof num, "%.1f%%", 100 * share); break;
			case C_BAR:
				canvas_bar(c, cx + 1, yy, bw - 1, share, sel ? ROLE_SELECTED : ROLE_BAR,
					   sel ? ROLE_SELECTED : ROLE_BAR_EMPTY);
				continue;
			}
			canvas_rtext(c, cx + 1, yy, col_w[k], role, num);
			cx += col_w[k] + 1;
		}
	}
	if (sd->n == 0)
		canvas_text(c, x + 1, y + 2, w - 2, ROLE_DIM, sn->filter[0] ? "no flows match" : "no flows yet");
}
