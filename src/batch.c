#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "geo.h"
#include "names.h"

bool out_format_parse(const char *s, enum out_format *f)
{
	if (!strcmp(s, "text")) *f = OUT_TEXT;
	else if (!strcmp(s, "csv")) *f = OUT_CSV;
	else if (!strcmp(s, "json")) *f = OUT_JSON;
	else return false;
	return true;
}

static char *iso_time(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static bool dim_is_addr(enum dim d)
{
	return d == DIM_SRC_IP || d == DIM_DST_IP || d == DIM_EXPORTER;
}

static bool dim_is_iface(enum dim d)
{
	return d == DIM_IN_IF || d == DIM_OUT_IF;
}

static bool dim_is_country(enum dim d)
{
	return d == DIM_SRC_COUNTRY || d == DIM_DST_COUNTRY;
}

static bool dim_is_as(enum dim d)
{
	return d == DIM_SRC_AS || d == DIM_DST_AS;
}

char *batch_key(enum dim d, const struct store_key *k, char *buf, size_t len)
{
	struct flow_addr a;
	char ab[FLOW_ADDRSTRLEN];
	if (dim_is_addr(d)) {
		memcpy(a.b, k->addr, 16);
		return flow_addr_fmt(&a, buf, len);
	}
	if (d == DIM_SRC_PREFIX || d == DIM_DST_PREFIX) {
		memcpy(a.b, k->addr, 16);
		snprintf(buf, len, "%s/%" PRIu32, flow_addr_fmt(&a, ab, sizeof ab), k->num);
		return buf;
	}
	/* Special addresses are labelled for what they are, not "unknown". */
	if ((dim_is_country(d) || (dim_is_as(d) && !k->num)) && k->addr[0]) {
		snprintf(buf, len, "%s", geo_class_name((enum geo_class)k->addr[0]));
		return buf;
	}
	if (dim_is_country(d)) {
		if (k->num)
			snprintf(buf, len, "%c%c", (char)(k->num >> 8), (char)(k->num & 0xff));
		else
			snprintf(buf, len, "unknown");
		return buf;
	}
	snprintf(buf, len, "%" PRIu32, k->num);
	return buf;
}

/* The second column: protocol or country name, AS organisation, or the
 * exporter an interface belongs to. */
static const char *key_name(const struct snap_dim *sd, size_t row, enum dim d, const struct store_key *k,
			    char *buf, size_t len)
{
	if (sd->label && sd->label[row][0])
		return sd->label[row];
	if (dim_is_country(d) && k->num && !k->addr[0]) {
		char cc[3] = { (char)(k->num >> 8), (char)(k->num & 0xff), 0 };
		const char *n = geo_country_name(cc);
		return n ? n : "";
	}
	if (d == DIM_PROTO) {
		const char *n = proto_name((uint8_t)k->num);
		return n ? n : "";
	}
	if (dim_is_iface(d)) {
		struct flow_addr a;
		memcpy(a.b, k->addr, 16);
		return flow_addr_fmt(&a, buf, len);
	}
	return "";
}

/* ---- JSON ---- */

static void json_counters(FILE *o, const struct counters *c)
{
	fprintf(o, "\"flows\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64,
		c->flows, c->packets, c->bytes);
}

/* The export protocol by name; sFlow v5's version number is kept apart from NetFlow v5's. */
static const char *protocol_name(uint8_t version)
{
	switch (version) {
	case 5: return "netflow5";
	case 9: return "netflow9";
	case 10: return "ipfix";
	case DECODE_VERSION_SFLOW5: return "sflow5";
	}
	return "unknown";
}

static void json_exporter(FILE *o, const struct exporter_stats *e)
{
	char a[FLOW_ADDRSTRLEN];
	fprintf(o, "{\"address\":\"%s\",\"protocol\":\"%s\",\"version\":%u,\"datagrams\":%" PRIu64 ",\"flows\":%" PRIu64
		",\"malformed\":%" PRIu64 ",\"waiting_for_template\":%" PRIu64
		",\"dropped_no_template\":%" PRIu64 ",\"seq_lost\":%" PRIu64 ",\"sampling\":%" PRIu32
		",\"templates\":%" PRIu64 ",\"templates_rejected\":%" PRIu64
		",\"options_records\":%" PRIu64 ",\"decoded_late\":%" PRIu64
		",\"seq_lost_datagrams\":%" PRIu64 ",\"counter_samples\":%" PRIu64 "}",
		flow_addr_fmt(&e->addr, a, sizeof a), protocol_name(e->version), e->version, e->datagrams, e->flows, e->malformed,
		e->waiting_for_template, e->dropped_no_template, e->seq_lost, e->sampling,
		e->templates, e->templates_rejected, e->options_records, e->decoded_late,
		e->seq_lost_datagrams, e->counter_samples);
}

static void print_json(FILE *o, const struct snap *sn)
{
	char t0[32], t1[32], k[FLOW_ADDRSTRLEN], nb[FLOW_ADDRSTRLEN];
	fprintf(o, "{\"window\":{\"start\":\"%s\",\"end\":\"%s\",\"seconds\":%" PRIu32 "},",
		iso_time(sn->start_ms, t0, sizeof t0), iso_time(sn->end_ms, t1, sizeof t1), sn->seconds);
	fputs("\"totals\":{", o);
	json_counters(o, &sn->total);
	fputs("},\"exporters\":[", o);
	for (size_t i = 0; i < sn->nexp; i++) {
		if (i)
			fputc(',', o);
		json_exporter(o, &sn->exp[i]);
	}
	fprintf(o, "],\"sort\":\"%s\",\"top\":{", sort_name(sn->sort));
	for (int d = 0; d < DIM_COUNT; d++) {
		const struct snap_dim *sd = &sn->dim[d];
		fprintf(o, "%s\"%s\":[", d ? "," : "", dim_name((enum dim)d));
		for (size_t i = 0; i < sd->n; i++) {
			const struct store_row *r = &sd->rows[i];
			fprintf(o, "%s{\"key\":\"%s\",", i ? "," : "",
				batch_key((enum dim)d, &r->key, k, sizeof k));
			const char *name = key_name(sd, i, (enum dim)d, &r->key, nb, sizeof nb);
			if (*name)
				fprintf(o, "\"%s\":\"%s\",", dim_is_iface((enum dim)d) ? "exporter" : "name", name);
			json_counters(o, &r->c);
			fputc('}', o);
		}
		fputc(']', o);
	}
	fputs("},\"keys\":{", o);
	for (int d = 0; d < DIM_COUNT; d++) {
		const struct store_dim_info *in = &sn->dim[d].info;
		fprintf(o, "%s\"%s\":{\"tracked\":%zu,\"evicted\":%" PRIu64 ",\"evicted_share\":{",
			d ? "," : "", dim_name((enum dim)d), in->keys, in->evicted);
		json_counters(o, &in->other);
		fputs("}}", o);
	}
	const struct source_stats *s = &sn->src;
	fprintf(o, "},\"input\":{\"datagrams\":%" PRIu64 ",\"not_export\":%" PRIu64
		",\"other_port\":%" PRIu64 ",\"not_ip\":%" PRIu64 ",\"not_udp\":%" PRIu64
		",\"truncated\":%" PRIu64 ",\"fragments\":%" PRIu64 ",\"reassembled\":%" PRIu64
		",\"fragments_dropped\":%" PRIu64 ",\"kernel_drops\":%" PRIu64
		",\"unknown_version\":%" PRIu64 ",\"exporters_rejected\":%" PRIu64
		",\"late\":%" PRIu64 ",\"not_allowed\":%" PRIu64
		",\"bad_records\":%" PRIu64 "}",
		s->datagrams, s->not_export, s->other_port, s->pkt.not_ip, s->pkt.not_udp,
		s->pkt.truncated, s->pkt.fragments, s->pkt.reassembled, s->pkt.frag_dropped,
		s->kernel_drops, sn->dec.unknown_version, sn->dec.exporters_rejected, sn->late, s->not_allowed,
		s->bad_records);
	/* Alert events kept, newest first, as the alert log writes them. */
	fputs(",\"alerts\":[", o);
	for (size_t i = 0; i < sn->nhistory; i++) {
		char key[FLOW_ADDRSTRLEN + 8], json[1024];
		alert_key_text(&sn->history[i], key, sizeof key);
		alert_json(&sn->history[i], key, json, sizeof json);
		fprintf(o, "%s%s", i ? "," : "", json);
	}
	fputs("]}\n", o);
}

/* ---- CSV ---- */

static void print_csv(FILE *o, const struct snap *sn, bool first)
{
	char t0[32], t1[32], k[FLOW_ADDRSTRLEN], nb[FLOW_ADDRSTRLEN];
	iso_time(sn->start_ms, t0, sizeof t0);
	iso_time(sn->end_ms, t1, sizeof t1);
	if (first)
		fputs("window_start,window_end,dimension,rank,key,name,flows,packets,bytes\n", o);
	fprintf(o, "%s,%s,total,0,,,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", t0, t1,
		sn->total.flows, sn->total.packets, sn->total.bytes);
	for (int d = 0; d < DIM_COUNT; d++) {
		const struct snap_dim *sd = &sn->dim[d];
		for (size_t i = 0; i < sd->n; i++) {
			const struct store_row *r = &sd->rows[i];
			fprintf(o, "%s,%s,%s,%zu,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", t0, t1,
				dim_name((enum dim)d), i + 1, batch_key((enum dim)d, &r->key, k, sizeof k),
				key_name(sd, i, (enum dim)d, &r->key, nb, sizeof nb),
				r->c.flows, r->c.packets, r->c.bytes);
		}
	}
}

/* ---- text ---- */

void alert_key_text(const struct alert_event *e, char *buf, size_t len)
{
	if (e->dim < 0)
		snprintf(buf, len, "total");
	else
		batch_key((enum dim)e->dim, &e->key, buf, len);
}

static void print_text(FILE *o, const struct snap *sn)
{
	char t0[32], t1[32], k[FLOW_ADDRSTRLEN], nb[FLOW_ADDRSTRLEN], a[FLOW_ADDRSTRLEN];
	fprintf(o, "window %s .. %s (%" PRIu32 " s)  flows %" PRIu64 "  packets %" PRIu64
		"  bytes %" PRIu64, iso_time(sn->start_ms, t0, sizeof t0),
		iso_time(sn->end_ms, t1, sizeof t1), sn->seconds, sn->total.flows, sn->total.packets,
		sn->total.bytes);
	if (sn->src.bad_records)
		fprintf(o, "  bad records %" PRIu64, sn->src.bad_records);
	fputc('\n', o);
	fprintf(o, "\n%-40s %-8s %10s %10s %9s %7s %7s %8s %8s\n", "exporter", "protocol", "datagrams",
		"flows", "malformed", "waiting", "dropped", "seq_lost", "sampling");
	for (size_t i = 0; i < sn->nexp; i++) {
		const struct exporter_stats *e = &sn->exp[i];
		fprintf(o, "%-40s %-8s %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64
			" %8" PRIu64 " %8" PRIu32 "\n", flow_addr_fmt(&e->addr, a, sizeof a), protocol_name(e->version),
			e->datagrams, e->flows, e->malformed, e->waiting_for_template,
			e->dropped_no_template, e->seq_lost, e->sampling);
	}
	for (int d = 0; d < DIM_COUNT; d++) {
		const struct snap_dim *sd = &sn->dim[d];
		fprintf(o, "\ntop %s by %s (%zu keys", dim_name((enum dim)d), sort_name(sn->sort),
			sd->info.keys);
		if (sd->info.evicted)
			fprintf(o, ", %" PRIu64 " evicted", sd->info.evicted);
		fprintf(o, ")\n%4s  %-40s %-8s %10s %12s %16s %7s %14s\n", "#", "key", "name", "flows",
			"packets", "bytes", "share", "bits/s");
		for (size_t i = 0; i < sd->n; i++) {
			const struct store_row *r = &sd->rows[i];
			double share = sn->total.bytes ? 100.0 * (double)r->c.bytes / (double)sn->total.bytes : 0;
			double bps = sn->seconds ? 8.0 * (double)r->c.bytes / sn->seconds : 0;
			fprintf(o, "%4zu  %-40s %-8s %10" PRIu64 " %12" PRIu64 " %16" PRIu64 " %6.1f%% %14.0f\n",
				i + 1, batch_key((enum dim)d, &r->key, k, sizeof k),
				key_name(sd, i, (enum dim)d, &r->key, nb, sizeof nb), r->c.flows, r->c.packets,
				r->c.bytes, share, bps);
		}
	}
	if (sn->alerts_on) {
		fprintf(o, "\nalerts (%zu active; events newest first)\n", sn->nactive);
		for (size_t i = 0; i < sn->nhistory; i++) {
			const struct alert_event *e = &sn->history[i];
			char key[FLOW_ADDRSTRLEN + 8], ts[32];
			alert_key_text(e, key, sizeof key);
			fprintf(o, "  %s %-5s %-16s %-10s %-40s %s %.0f (baseline %.0f)\n",
				iso_time(e->end ? e->end_ms : e->start_ms, ts, sizeof ts), e->end ? "end" : "start",
				alert_kind_name(e->kind), e->dim < 0 ? "total" : dim_name((enum dim)e->dim), key,
				e->metric, e->observed, e->baseline);
		}
	}
	fputc('\n', o);
}

void batch_print(FILE *out, const struct snap *sn, enum out_format f, bool first)
{
	switch (f) {
	case OUT_JSON: print_json(out, sn); break;
	case OUT_CSV: print_csv(out, sn, first); break;
	case OUT_TEXT: print_text(out, sn); break;
	}
	fflush(out);
}
