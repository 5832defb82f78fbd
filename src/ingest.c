#include <inttypes.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ingest.h"
#include "capfile.h"
#include "flowfile.h"
#include "hdr.h"
#include "iface.h"
#include "log.h"
#include "meter.h"
#include "priv.h"
#include "xmem.h"

uint64_t ingest_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void store_sink(void *arg, const struct flow *f)
{
	struct ingest *in = arg;
	store_add(in->store, f);
}

static void on_flow(void *arg, const struct flow *f)
{
	struct ingest *in = arg;
	in->flows++;
	in->sink(in->sink_arg, f);
}

void ingest_init(struct ingest *in, const struct conf *c, struct decoder *dec, struct store *st,
		 ingest_tick_fn tick, void *arg, atomic_int *stop)
{
	memset(in, 0, sizeof *in);
	in->c = c;
	in->dec = dec;
	in->store = st;
	in->tick = tick;
	in->tick_arg = arg;
	in->stop = stop;
	in->sink = store_sink;
	in->sink_arg = in;
	in->speed = c->speed;
	if (c->nallow) {
		in->allow = xcalloc(c->nallow, sizeof *in->allow);
		for (size_t i = 0; i < c->nallow; i++)
			if (flow_prefix_parse(c->allow[i], &in->allow[in->nallow].net, &in->allow[in->nallow].bits))
				in->nallow++;
	}
}

void ingest_free(struct ingest *in)
{
	free(in->allow);
	in->allow = NULL;
	in->nallow = 0;
}

/* With --allow-exporter, datagrams from any other source are counted and dropped. */
static bool allowed(struct ingest *in, const struct flow_addr *from)
{
	if (!in->nallow)
		return true;
	for (size_t i = 0; i < in->nallow; i++)
		if (flow_addr_in(from, &in->allow[i].net, in->allow[i].bits))
			return true;
	in->not_allowed++;
	return false;
}

void ingest_repace(struct ingest *in)
{
	in->pace_wall = 0;
	in->pace_input = 0;
}

/* Holds the replay back until its input time is due at the current speed. */
static void pace(struct ingest *in, uint64_t t)
{
	if (in->speed <= 0)
		return;
	uint64_t now = ingest_mono_ms();
	if (!in->pace_wall || t < in->pace_input) {
		in->pace_wall = now;
		in->pace_input = t;
		return;
	}
	uint64_t due = in->pace_wall + (uint64_t)((double)(t - in->pace_input) / in->speed);
	while (due > now && !(in->stop && *in->stop)) {
		/* Sleep in slices so the hook keeps taking commands while we wait. */
		uint64_t slice = due - now < 50 ? due - now : 50;
		usleep((useconds_t)(slice * 1000));
		if (in->hook)
			in->hook(in->hook_arg, in);
		if (!in->pace_wall)
			return;	/* re-anchored by the hook (new speed, pause) */
		now = ingest_mono_ms();
	}
}

void ingest_source_stats(const struct ingest *in, struct source_stats *st)
{
	*st = in->done;
	if (in->cur) {
		struct source_stats cur;
		source_stats(in->cur, &cur);
		source_stats_add(st, &cur);
	}
	st->not_allowed = in->not_allowed;
}

/* Prints for every --interval boundary that input time t has passed. */
static void interval_ticks(struct ingest *in, uint64_t t)
{
	uint64_t iv = (uint64_t)in->c->interval_s * 1000;
	if (!iv || !in->tick)
		return;
	if (!in->next_print_ms)
		in->next_print_ms = (t / iv + 1) * iv;
	while (t >= in->next_print_ms) {
		store_advance(in->store, in->next_print_ms - 1);
		in->tick(in->tick_arg, in);
		in->next_print_ms += iv;
	}
}

static void progress(const struct ingest *in, const char *path, uint64_t started, bool final)
{
	struct source_stats st;
	source_stats(in->cur, &st);
	double secs = (double)(ingest_mono_ms() - started) / 1000.0;
	double pct = st.bytes_total ? 100.0 * (double)st.bytes_done / (double)st.bytes_total : 0;
	double rate = secs > 0 ? (double)in->flows / secs : 0;
	if (!final)
		fprintf(stderr, "\rnftop: %s %5.1f%%  %" PRIu64 " flows  %.0f flows/s ", path, pct, in->flows, rate);
	else
		fprintf(stderr, "\rnftop: %s: %" PRIu64 " datagrams, %" PRIu64 " flows in %.1f s (%.0f flows/s)\n",
			path, st.datagrams, in->flows, secs, rate);
}

void ingest_finish(struct ingest *in)
{
	/* The last interval ends on its boundary too, however little it holds. */
	if (in->c->interval_s && in->next_print_ms)
		store_advance(in->store, in->next_print_ms - 1);
}

/* Makes s the current source, or says why it could not be opened. */
static int begin(struct ingest *in, int rc, struct source *s, char *cause)
{
	if (rc < 0) {
		log_msg(LOG_ERROR, "%s", cause);
		free(cause);
		in->errors++;
		return rc;
	}
	in->cur = s;
	snprintf(in->cur_name, sizeof in->cur_name, "%s", s->name);
	return rc;
}

/* Adds the source's counters to the closed ones and closes it. */
static void end(struct ingest *in)
{
	struct source_stats st;
	source_stats(in->cur, &st);
	source_stats_add(&in->done, &st);
	source_close(in->cur);
	in->cur = NULL;
}

/* The hook every 64 items, so commands and snapshots keep flowing. */
static void poll_hook(struct ingest *in, unsigned *n)
{
	if (in->hook && (++*n & 63) == 0)
		in->hook(in->hook_arg, in);
}

/* After a read: true to go on with what was read; false at the end (rc
 * becomes ERR_OK) or on an error, which is logged and counted. */
static bool read_ok(struct ingest *in, int *rc, char *cause)
{
	if (*rc == SOURCE_END) {
		*rc = ERR_OK;
		return false;
	}
	if (*rc < 0) {
		log_msg(LOG_ERROR, "%s", cause);
		free(cause);
		in->errors++;
		return false;
	}
	return true;
}

/* The IP packet in a frame, by link type; false for anything else. */
static bool frame_ip(int dlt, const struct frame *fr, struct flow *pkt, uint32_t *ip_len)
{
	const uint8_t *p = fr->data;
	size_t n = fr->caplen, skip = 0;
	int proto = 0;
	switch (dlt) {
	case DLT_EN10MB:
		return hdr_parse_ip(p, n, HDR_ETHERNET, pkt, ip_len);
	case DLT_LINUX_SLL: skip = 16; break;
	case DLT_LINUX_SLL2: skip = 20; break;
	case DLT_NULL: case DLT_LOOP: skip = 4; break;
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6: break;
	default: return false;
	}
	if (n <= skip)
		return false;
	proto = (p[skip] >> 4) == 6 ? HDR_IPV6 : HDR_IPV4;
	return hdr_parse_ip(p + skip, n - skip, proto, pkt, ip_len);
}

/* A frame's IP packet for the meter; false (counted) for anything else. */
static bool frame_packet(struct ingest *in, int dlt, const struct frame *fr, struct flow *pkt, uint32_t *ip_len)
{
	memset(pkt, 0, sizeof *pkt);
	*ip_len = 0;
	in->done.pkt.frames++;
	if (!frame_ip(dlt, fr, pkt, ip_len)) {
		in->done.pkt.not_ip++;
		return false;
	}
	return true;
}

static struct meter *new_meter(const struct conf *c)
{
	struct meter_opts mo;
	meter_opts_default(&mo);
	if (c->active_timeout_s)
		mo.active_s = c->active_timeout_s;
	if (c->inactive_timeout_s)
		mo.inactive_s = c->inactive_timeout_s;
	return meter_new(&mo);
}

/* Logs and counts a failure; returns rc. */
static int failed(struct ingest *in, int rc, char *cause)
{
	log_msg(LOG_ERROR, "%s", cause);
	free(cause);
	in->errors++;
	return rc;
}

/* A capture of ordinary traffic: packets metered into flows. */
static int meter_capture(struct ingest *in, const char *path)
{
	struct capfile *cf;
	char *cause = NULL;
	int rc = capfile_open(path, &cf, &cause);
	if (rc < 0)
		return failed(in, rc, cause);
	if (in->c->bpf && (rc = capfile_filter(cf, in->c->bpf, &cause)) < 0) {
		capfile_close(cf);
		return failed(in, rc, cause);
	}
	snprintf(in->cur_name, sizeof in->cur_name, "%s", path);
	struct meter *m = new_meter(in->c);
	struct frame fr;
	unsigned n = 0;
	uint64_t base = in->done.bytes_done;	/* progress of the files before */
	ingest_repace(in);
	while (!(in->stop && *in->stop)) {
		poll_hook(in, &n);
		rc = capfile_next(cf, &fr, &cause);
		if (!read_ok(in, &rc, cause))
			break;
		in->done.bytes_done = base + capfile_offset(cf);
		struct flow pkt;
		uint32_t ip_len = 0;
		if (!frame_packet(in, capfile_dlt(cf), &fr, &pkt, &ip_len))
			continue;
		interval_ticks(in, fr.ts_ms);
		pace(in, fr.ts_ms);
		in->input_ms = fr.ts_ms;
		meter_packet(m, &pkt, ip_len, fr.ts_ms, on_flow, in);
	}
	meter_flush(m, on_flow, in);
	struct meter_stats ms;
	meter_stats(m, &ms);
	in->metered_packets += ms.packets;
	meter_free(m);
	in->done.bytes_done = base + capfile_size(cf);
	in->done.bytes_total += capfile_size(cf);
	capfile_close(cf);
	return rc < 0 ? rc : ERR_OK;
}

/* A file of flow records (nfcapd, JSON lines): each flow straight to the sink. */
static int replay_flowfile(struct ingest *in, const char *path, enum input_kind kind)
{
	struct flowfile *ff;
	char *cause = NULL;
	int rc = flowfile_open(path, kind, &ff, &cause);
	if (rc < 0)
		return failed(in, rc, cause);
	snprintf(in->cur_name, sizeof in->cur_name, "%s", path);
	unsigned n = 0;
	struct flow f;
	uint64_t base = in->done.bytes_done;	/* progress of the files before */
	ingest_repace(in);
	while (!(in->stop && *in->stop)) {
		poll_hook(in, &n);
		rc = flowfile_next(ff, &f, &cause);
		if (rc == FLOWFILE_END)
			break;
		if (rc == FLOWFILE_BAD) {
			log_msg(LOG_WARN, "%s", cause);
			free(cause);
			continue;
		}
		if (rc < 0) {
			log_msg(LOG_ERROR, "%s", cause);
			free(cause);
			in->errors++;
			break;
		}
		flowfile_scale(ff, &f, in->c->no_scale);
		uint64_t t = f.recv_ms ? f.recv_ms : f.last_ms;
		if (t) {
			interval_ticks(in, t);
			pace(in, t);
			if (t > in->input_ms)
				in->input_ms = t;
		}
		on_flow(in, &f);
		if ((n & 0x3ff) == 0) {
			struct flowfile_stats fs;
			flowfile_stats(ff, &fs);
			in->done.bytes_done = base + fs.bytes_done;
		}
	}
	struct flowfile_stats fs;
	flowfile_stats(ff, &fs);
	in->done.bad_records += fs.bad;
	in->done.bytes_done = base + fs.bytes_done;
	in->done.bytes_total += fs.bytes_total;
	flowfile_close(ff);
	return rc < 0 ? rc : ERR_OK;
}

int ingest_replay(struct ingest *in, const char *path)
{
	enum capfile_kind kind = CAPFILE_EXPORTS;
	enum input_kind ik = INPUT_PCAP;
	char *why = NULL;
	if (in->c->format_in == FORMAT_IN_NFCAPD || in->c->format_in == FORMAT_IN_JSON)
		return replay_flowfile(in, path, in->c->format_in == FORMAT_IN_NFCAPD ? INPUT_NFCAPD : INPUT_JSON);
	if (in->c->format_in == FORMAT_IN_AUTO && flowfile_detect(path, &ik, &why) == ERR_OK && ik != INPUT_PCAP)
		return replay_flowfile(in, path, ik);
	free(why);
	why = NULL;
	if (in->c->format_in == FORMAT_IN_PACKETS ||
	    (in->c->format_in == FORMAT_IN_AUTO && capfile_kind(path, &kind, &why) == ERR_OK &&
	     kind == CAPFILE_PACKETS))
		return meter_capture(in, path);
	free(why);
	struct source *s = NULL;
	char *cause = NULL;
	int rc = source_pcap_open(path, in->c->port, &s, &cause);
	rc = begin(in, rc, s, cause);
	if (rc < 0)
		return rc;
	bool show = in->c->batch && !in->c->quiet && isatty(STDERR_FILENO);
	uint64_t started = ingest_mono_ms(), last_shown = started;
	uint64_t flows_before = in->flows;
	unsigned n = 0;
	struct datagram dg;
	ingest_repace(in);
	while (!(in->stop && *in->stop)) {
		poll_hook(in, &n);
		rc = source_next(s, &dg, -1, &cause);
		if (!read_ok(in, &rc, cause))
			break;
		interval_ticks(in, dg.recv_ms);
		pace(in, dg.recv_ms);
		in->input_ms = dg.recv_ms;
		if (allowed(in, &dg.from))
			decode_datagram(in->dec, &dg.from, dg.recv_ms, dg.data, dg.len, on_flow, in);
		if (show && (n & 0x3ff) == 0) {
			uint64_t now = ingest_mono_ms();
			if (now - last_shown >= 500) {
				progress(in, path, started, false);
				last_shown = now;
			}
		}
	}
	bool slow = ingest_mono_ms() - started > 2000;
	if (in->c->batch && !in->c->quiet && (slow || show)) {
		uint64_t total = in->flows;
		in->flows -= flows_before;
		progress(in, path, started, true);
		in->flows = total;
	}
	end(in);
	return rc;
}

void ingest_run(struct ingest *in)
{
	if (in->c->nread)
		for (size_t i = 0; i < in->c->nread && !(in->stop && *in->stop); i++)
			ingest_replay(in, in->c->read[i]);
	else
		ingest_live(in);
}

/* -i: the interface is opened (as root), then privileges go. */
static int open_iface(struct ingest *in)
{
	char *cause = NULL;
	int rc = iface_open(in->c->interface, in->c->bpf, &in->ifc, &cause);
	if (rc < 0)
		return failed(in, rc, cause);
	snprintf(in->cur_name, sizeof in->cur_name, "%s", in->c->interface);
	if (!in->c->quiet)
		log_msg(LOG_INFO, "capturing on %s", in->c->interface);
	if (in->c->user && (rc = priv_drop(in->c->user, &cause)) < 0) {
		iface_close(in->ifc);
		in->ifc = NULL;
		return failed(in, rc, cause);
	}
	return ERR_OK;
}

/* How long a live loop may wait for input: up to 200 ms, less near the end
 * of --duration (limit ms from started; 0 for none), -1 once it has passed. */
static int live_timeout(uint64_t started, uint64_t limit)
{
	uint64_t spent = ingest_mono_ms() - started;
	if (limit && spent >= limit)
		return -1;
	return limit && limit - spent < 200 ? (int)(limit - spent) : 200;
}

/* Packets captured on an interface, metered into flows until --duration or
 * *stop; idle ticks expire flows by wall time and keep the hook running. */
static int capture_live(struct ingest *in)
{
	char *cause = NULL;
	int rc = ERR_OK;
	struct meter *m = new_meter(in->c);
	uint64_t started = ingest_mono_ms();
	uint64_t limit = (uint64_t)(in->c->duration_s * 1000);
	unsigned n = 0;
	int timeout;
	while (!(in->stop && *in->stop) && (timeout = live_timeout(started, limit)) >= 0) {
		poll_hook(in, &n);
		struct frame fr;
		rc = iface_next(in->ifc, &fr, timeout, &cause);
		if (rc < 0) {
			failed(in, rc, cause);
			break;
		}
		uint64_t t = wall_ms();
		struct flow pkt;
		uint32_t ip_len = 0;
		bool ip = rc == 1 && frame_packet(in, iface_dlt(in->ifc), &fr, &pkt, &ip_len);
		if (ip)
			t = fr.ts_ms;
		interval_ticks(in, t);
		store_advance(in->store, t);
		in->input_ms = t;
		if (ip)
			meter_packet(m, &pkt, ip_len, t, on_flow, in);
		else
			meter_expire(m, t, on_flow, in);
		if (rc == 0 && in->hook)
			in->hook(in->hook_arg, in);	/* quiet link: the screen still answers */
		if (rc == 0 || (n & 1023) == 0)
			in->done.kernel_drops = iface_drops(in->ifc);
	}
	meter_flush(m, on_flow, in);
	struct meter_stats ms;
	meter_stats(m, &ms);
	in->metered_packets += ms.packets;
	meter_free(m);
	in->done.kernel_drops = iface_drops(in->ifc);
	iface_close(in->ifc);
	in->ifc = NULL;
	return rc < 0 ? rc : ERR_OK;
}

int ingest_open_live(struct ingest *in)
{
	if (in->cur || in->ifc)
		return ERR_OK;
	if (in->c->interface)
		return open_iface(in);
	struct source *s = NULL;
	char *cause = NULL;
	int rc = source_udp_open(in->c->listen, in->c->nlisten, in->c->rcvbuf, &s, &cause);
	rc = begin(in, rc, s, cause);
	if (rc >= 0 && !in->c->quiet)
		log_msg(LOG_INFO, "listening on %s", s->name);
	if (rc >= 0 && in->c->user && (rc = priv_drop(in->c->user, &cause)) < 0) {
		log_msg(LOG_ERROR, "%s", cause);
		free(cause);
		in->errors++;
		end(in);
	}
	return rc;
}

int ingest_live(struct ingest *in)
{
	char *cause = NULL;
	int rc = ingest_open_live(in);
	if (rc < 0)
		return rc;
	if (in->ifc)
		return capture_live(in);
	struct source *s = in->cur;
	uint64_t started = ingest_mono_ms();
	uint64_t limit = (uint64_t)(in->c->duration_s * 1000);
	struct datagram dg;
	int timeout;
	while (!(in->stop && *in->stop) && (timeout = live_timeout(started, limit)) >= 0) {
		if (in->hook)
			in->hook(in->hook_arg, in);
		rc = source_next(s, &dg, timeout, &cause);
		if (rc < 0) {
			log_msg(LOG_ERROR, "%s", cause);
			free(cause);
			in->errors++;
			break;
		}
		uint64_t t = rc == SOURCE_DATAGRAM ? dg.recv_ms : wall_ms();
		interval_ticks(in, t);
		store_advance(in->store, t);
		in->input_ms = t;
		if (rc == SOURCE_DATAGRAM && allowed(in, &dg.from))
			decode_datagram(in->dec, &dg.from, dg.recv_ms, dg.data, dg.len, on_flow, in);
	}
	end(in);
	return rc < 0 ? rc : ERR_OK;
}
