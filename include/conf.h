/* conf: one options table drives the command line, the config file and
 * --help. The result is a read-only struct conf. */
#ifndef NFTOP_CONF_H
#define NFTOP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch.h"
#include "store.h"

enum format_in { FORMAT_IN_AUTO, FORMAT_IN_EXPORTS, FORMAT_IN_PACKETS, FORMAT_IN_NFCAPD, FORMAT_IN_JSON };

struct conf {
	char **read;			/* -r files, in order */
	size_t nread;
	char **read_dir;		/* -R directories of nfcapd files; main adds their files to read */
	size_t nread_dir;
	char **listen;			/* -l addresses */
	size_t nlisten;
	bool batch;
	enum out_format format;
	size_t top;
	enum sort_by sort;
	uint32_t window_s;		/* 0: whole input */
	uint32_t interval_s;		/* 0: print once */
	double duration_s;		/* live batch: stop after this; 0 = until signalled */
	double speed;			/* replay: 0 as fast as possible, 1 real time; <0 unset */
	unsigned port;			/* replay: only UDP to this port */
	enum format_in format_in;	/* what -r files hold; auto: judged per file */
	bool no_scale;
	char **allow;			/* --allow-exporter prefixes; none: every exporter */
	size_t nallow;
	char *user;			/* -u: drop root for this user after binding */
	char *interface;		/* -i: live packet capture, metered into flows */
	char *bpf;			/* capture filter for -i and -r packet captures */
	bool keep_root;			/* -i as root without -u is refused unless set */
	uint32_t active_timeout_s, inactive_timeout_s;	/* meter; 0: its defaults */
	char **alerts;			/* --alert thresholds */
	size_t nalerts;
	char *alert_log, *alert_exec;
	bool no_alerts, bell;
	uint32_t alert_warmup;		/* ticks before a series may alert; 0: the default */
	size_t max_keys;
	size_t max_memory;		/* bytes for the key tables; 0: no bound */
	unsigned threads;		/* aggregation threads (1 or 2); 0: by the CPUs online */
	size_t history;			/* flows kept to rebuild the screen's views */
	char *filter;			/* -f expression, NULL for none */
	char *theme;			/* --theme name or path, NULL for the default */
	char *geoip_country, *geoip_asn, *geoip_dir;	/* databases; NULL: the usual places */
	bool strict;			/* a named database that cannot be read is an error */
	uint8_t prefix4, prefix6;	/* prefix dimensions */
	int rcvbuf;
	bool quiet;
	bool help, version;
	int verbose;
	const char *config_used;	/* path of the config file read, if any */
};

enum { CONF_OK = 0, CONF_EXIT = 1, CONF_ERROR = -1 };

void conf_defaults(struct conf *c);
/* Reads the config file (the -c/--config one, else the usual places unless
 * --no-config) and then the command line. On error *cause says why. */
int conf_load(struct conf *c, int argc, char **argv, char **cause);
/* Applies config-file text (what conf_load reads from a file) to c; 'name'
 * prefixes the "NAME:LINE: reason" in *cause. The fuzz target's entry. */
int conf_parse_text(struct conf *c, const char *name, const char *text, size_t len, char **cause);
void conf_usage(FILE *out);
void conf_free(struct conf *c);
/* Whether the store should keep half its dimensions in a second thread. */
bool conf_split_store(const struct conf *c);
/* The bytes the store's key tables may take under --max-memory: all but
 * 16 MiB left for the rest of the process (half for bounds under 32 MiB);
 * 0 without a bound. */
size_t conf_table_memory(const struct conf *c);

#endif
