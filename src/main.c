#include <inttypes.h>
#include <maxminddb.h>
#include <ncurses.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "conf.h"
#include "err.h"
#include "decode.h"
#include "alerting.h"
#include "enrich.h"
#include "geo.h"
#include "log.h"
#include "nfcapd.h"
#include "filter.h"
#include "ingest.h"
#include "screen.h"
#include "snap.h"
#include "store.h"
#include "term.h"
#include "xmem.h"

#include "config.h"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

static atomic_int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct printer {
	const struct conf *c;
	const struct geo *geo;
	const struct alerting *al;
	bool first;
};

static void print_snapshot(void *arg, struct ingest *in)
{
	struct printer *p = arg;
	struct source_stats st;
	ingest_source_stats(in, &st);
	struct snap *sn = snap_build(in->store, in->dec, &st, p->c->sort, false, p->c->top, p->c->window_s, p->geo);
	alerting_snap(p->al, sn);
	batch_print(stdout, sn, p->c->format, p->first);
	p->first = false;
	snap_free(sn);
}

/* Batch mode: flows are enriched, then filtered (-f), then counted. */
struct batch_sink {
	struct geo *geo;
	const struct filter *f;
	struct store *store;
	struct alerting *al;
};

static void batch_sink(void *arg, const struct flow *f0)
{
	struct batch_sink *bs = arg;
	struct flow f = *f0;
	enrich_flow(bs->geo, &f);
	if (!filter_match(bs->f, &f))
		return;
	store_add(bs->store, &f);
	alerting_flow(bs->al, &f);
}

/* A crash restores the terminal before the core dump. */
static void on_crash(int sig)
{
	term_emergency_end();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void crash_handlers(void)
{
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
}

static void print_version(const struct conf *c)
{
	char dbs[2048];
	printf("nftop %s\n", PACKAGE_VERSION);
	if (c->verbose) {
		printf("libpcap: %s\n", pcap_lib_version());
		printf("ncurses: %s\n", curses_version());
		printf("libmaxminddb: %s\n", MMDB_lib_version());
		printf("config file: %s\n", c->config_used ? c->config_used : "(none)");
		struct geo *g = enrich_open(c, false);
		if (geo_describe(g, dbs, sizeof dbs))
			printf("GeoIP databases:\n%s", dbs);
		else
			printf("GeoIP databases: none found (see tools/geoip.sh)\n");
		geo_free(g);
	}
}

int main(int argc, char **argv)
{
	struct conf c;
	char *cause = NULL;
	xmem_setup();
	conf_defaults(&c);
	int rc = conf_load(&c, argc, argv, &cause);
	if (rc == CONF_ERROR) {
		fprintf(stderr, "nftop: %s\n", cause);
		free(cause);
		conf_free(&c);
		return EXIT_USAGE;
	}
	if (c.help) {
		conf_usage(stdout);
		conf_free(&c);
		return 0;
	}
	if (c.version) {
		print_version(&c);
		conf_free(&c);
		return 0;
	}
	if (c.nread_dir && nfcapd_dir_expand(&c, &cause) < 0) {
		fprintf(stderr, "nftop: %s\n", cause);
		free(cause);
		conf_free(&c);
		return EXIT_INPUT;
	}
	if ((c.nread > 0) + (c.nlisten > 0) + (c.interface != NULL) > 1) {
		fprintf(stderr, "nftop: give one of -r files, -l addresses or -i interface\n");
		conf_free(&c);
		return EXIT_USAGE;
	}
	if (c.interface && geteuid() == 0 && !c.user && !c.keep_root) {
		fprintf(stderr, "nftop: refusing to capture on %s as root; give -u USER to drop privileges "
			"once it is open, or --keep-root\n", c.interface);
		conf_free(&c);
		return EXIT_USAGE;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* the SSH session went away: stop cleanly too */
	signal(SIGPIPE, SIG_IGN);

	if (!c.batch) {
		/* Standard input may be data (-r -): keys then come from /dev/tty. */
		if (!isatty(STDOUT_FILENO)) {
			fprintf(stderr, "nftop: the screen needs a terminal; use -b for batch output\n");
			conf_free(&c);
			return EXIT_USAGE;
		}
		crash_handlers();
		int st = screen_run(&c, &stop_flag);
		conf_free(&c);
		return st;
	}

	struct filter *flt = NULL;
	if (c.filter) {
		int col = 0;
		flt = filter_parse(c.filter, &cause, &col);
		if (!flt) {
			fprintf(stderr, "nftop: --filter: column %d: %s\n", col, cause);
			free(cause);
			conf_free(&c);
			return EXIT_USAGE;
		}
	}

	struct alerting *al = alerting_open(&c, &cause);
	if (cause) {
		fprintf(stderr, "nftop: %s\n", cause);
		free(cause);
		filter_free(flt);
		conf_free(&c);
		return EXIT_USAGE;
	}
	struct geo *geo = enrich_open(&c, true);
	if (!geo) {
		fprintf(stderr, "nftop: --strict: a named GeoIP database cannot be read\n");
		alerting_close(al);
		filter_free(flt);
		conf_free(&c);
		return EXIT_INPUT;
	}
	struct decode_opts dopts;
	decode_opts_default(&dopts);
	dopts.no_scale = c.no_scale;
	struct decoder *dec = decoder_new(&dopts);
	struct store_opts sopts = { c.window_s, c.max_keys, c.prefix4, c.prefix6, conf_split_store(&c), conf_table_memory(&c) };
	struct store *store = store_new(&sopts);
	struct printer pr = { &c, geo, al, true };
	struct ingest in;
	ingest_init(&in, &c, dec, store, c.interval_s ? print_snapshot : NULL, &pr, &stop_flag);
	struct batch_sink bs = { geo, flt, store, al };
	in.sink = batch_sink;
	in.sink_arg = &bs;

	/* Sockets or the interface first: if they cannot be opened there is
	 * nothing to print, only the one-line reason. */
	int status, open_rc = c.nread ? ERR_OK : ingest_open_live(&in);
	if (open_rc < 0) {
		status = open_rc == ERR_ARG ? EXIT_USAGE : EXIT_INPUT;
	} else {
		ingest_run(&in);
		/* The last print: the whole input, the last window, or the last interval. */
		ingest_finish(&in);
		print_snapshot(&pr, &in);
		status = in.errors ? EXIT_INPUT : 0;
	}
	filter_free(flt);
	geo_free(geo);
	alerting_close(al);
	ingest_free(&in);
	store_free(store);
	decoder_free(dec);
	conf_free(&c);
	return status;
}
