#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "conf.h"
#include "flow.h"
#include "err.h"
#include "window.h"
#include "xmem.h"

typedef int (*setter)(struct conf *c, const char *v, char **cause);

struct opt {
	const char *name;	/* long option and config-file key */
	int key;		/* short option letter, or a value >= 256 */
	const char *arg;	/* argument name in --help, NULL for a flag */
	setter set;
	bool cli_only;
	const char *help;
};

static int set_list(char ***list, size_t *n, const char *v)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(v);
	return CONF_OK;
}

static bool parse_ulong(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	if (!*v || *v == '-')
		return false;
	unsigned long x = strtoul(v, &end, 10);
	if (errno || *end || x > max)
		return false;
	*out = x;
	return true;
}

static bool parse_bool(const char *v, bool *b)
{
	if (!v || !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
		*b = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
		*b = false;
	else
		return false;
	return true;
}

#define FLAG_SETTER(fn, field) \
	static int fn(struct conf *c, const char *v, char **cause) \
	{ \
		if (!parse_bool(v, &c->field)) { \
			*cause = err_fmt("expected yes or no, not '%s'", v); \
			return CONF_ERROR; \
		} \
		return CONF_OK; \
	}

FLAG_SETTER(set_batch, batch)
FLAG_SETTER(set_no_scale, no_scale)
FLAG_SETTER(set_quiet, quiet)
FLAG_SETTER(set_help, help)
FLAG_SETTER(set_version, version)

static int set_read(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_list(&c->read, &c->nread, v);
}

static int set_read_dir(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_list(&c->read_dir, &c->nread_dir, v);
}

static int set_listen(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_list(&c->listen, &c->nlisten, v);
}

static int set_format(struct conf *c, const char *v, char **cause)
{
	if (out_format_parse(v, &c->format))
		return CONF_OK;
	*cause = err_fmt("format must be text, csv or json, not '%s'", v);
	return CONF_ERROR;
}

static int set_sort(struct conf *c, const char *v, char **cause)
{
	if (sort_parse(v, &c->sort))
		return CONF_OK;
	*cause = err_fmt("sort must be bytes, packets or flows, not '%s'", v);
	return CONF_ERROR;
}

static int set_top(struct conf *c, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, 100000, &n) || n == 0) {
		*cause = err_fmt("top must be a number from 1 to 100000, not '%s'", v);
		return CONF_ERROR;
	}
	c->top = n;
	return CONF_OK;
}

static int set_duration_field(uint32_t *field, const char *what, const char *v, char **cause)
{
	if (!window_parse(v, field)) {
		*cause = err_fmt("%s must be a duration like 30, 30s, 5m or 1h (at most 7d), not '%s'", what, v);
		return CONF_ERROR;
	}
	return CONF_OK;
}

static int set_window(struct conf *c, const char *v, char **cause)
{
	return set_duration_field(&c->window_s, "window", v, cause);
}

static int set_interval(struct conf *c, const char *v, char **cause)
{
	return set_duration_field(&c->interval_s, "interval", v, cause);
}

static int set_duration(struct conf *c, const char *v, char **cause)
{
	uint32_t s;
	if (set_duration_field(&s, "duration", v, cause) < 0)
		return CONF_ERROR;
	c->duration_s = s;
	return CONF_OK;
}

static int set_speed(struct conf *c, const char *v, char **cause)
{
	char *end;
	double x = strtod(v, &end);
	if (!*v || *end || !(x >= 0) || x > 1e6) {
		*cause = err_fmt("speed must be 0 (as fast as possible) or a factor like 1 or 10, not '%s'", v);
		return CONF_ERROR;
	}
	c->speed = x;
	return CONF_OK;
}

static int set_format_in(struct conf *c, const char *v, char **cause)
{
	if (!strcmp(v, "auto"))
		c->format_in = FORMAT_IN_AUTO;
	else if (!strcmp(v, "pcap-export") || !strcmp(v, "export"))
		c->format_in = FORMAT_IN_EXPORTS;
	else if (!strcmp(v, "pcap-packets") || !strcmp(v, "packets"))
		c->format_in = FORMAT_IN_PACKETS;
	else if (!strcmp(v, "nfcapd"))
		c->format_in = FORMAT_IN_NFCAPD;
	else if (!strcmp(v, "json") || !strcmp(v, "goflow2"))
		c->format_in = FORMAT_IN_JSON;
	else {
		*cause = err_fmt("format-in must be auto, pcap-export, pcap-packets, nfcapd or json, not '%s'", v);
		return CONF_ERROR;
	}
	return CONF_OK;
}

static int set_port(struct conf *c, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, 65535, &n)) {
		*cause = err_fmt("port must be 0-65535, not '%s'", v);
		return CONF_ERROR;
	}
	c->port = (unsigned)n;
	return CONF_OK;
}

static int set_max_keys(struct conf *c, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, 1000000000UL, &n) || n < 10) {
		*cause = err_fmt("max-keys must be a number from 10 to 1000000000, not '%s'", v);
		return CONF_ERROR;
	}
	c->max_keys = n;
	return CONF_OK;
}

/* A byte count with an optional K, M or G (powers of 1024); 0 is "none". */
static int set_max_memory(struct conf *c, const char *v, char **cause)
{
	char *end;
	errno = 0;
	unsigned long long n = *v && *v != '-' ? strtoull(v, &end, 10) : 0;
	unsigned shift = 0;
	bool ok = *v && *v != '-' && !errno && end != v;
	if (ok && *end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: ok = false;
		}
		ok = ok && (!end[1] || ((end[1] == 'b' || end[1] == 'B') && !end[2]) ||
			    ((end[1] == 'i') && (end[2] == 'B' || end[2] == 'b') && !end[3]));
	}
	if (ok && n > (1ULL << 40) >> shift)
		ok = false;
	if (ok)
		n <<= shift;
	if (!ok || (n && n < 64ULL << 20)) {
		*cause = err_fmt("max-memory must be 0 (no bound) or a size from 64M to 1T (K, M, G suffixes), not '%s'", v);
		return CONF_ERROR;
	}
	c->max_memory = (size_t)n;
	return CONF_OK;
}

static int set_threads(struct conf *c, const char *v, char **cause)
{
	if (!strcmp(v, "1") || !strcmp(v, "2")) {
		c->threads = (unsigned)(v[0] - '0');
		return CONF_OK;
	}
	*cause = err_fmt("threads must be 1 or 2, not '%s'", v);
	return CONF_ERROR;
}

static int set_rcvbuf(struct conf *c, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, INT_MAX, &n)) {
		*cause = err_fmt("rcvbuf must be a byte count, not '%s'", v);
		return CONF_ERROR;
	}
	c->rcvbuf = (int)n;
	return CONF_OK;
}

static int set_allow(struct conf *c, const char *v, char **cause)
{
	struct flow_addr a;
	unsigned bits;
	if (!flow_prefix_parse(v, &a, &bits)) {
		*cause = err_fmt("expected an address or prefix like 192.0.2.0/24 or 2001:db8::/32, not '%s'", v);
		return CONF_ERROR;
	}
	return set_list(&c->allow, &c->nallow, v);
}

static int set_alert(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_list(&c->alerts, &c->nalerts, v);
}

static int set_alert_log(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	free(c->alert_log);
	c->alert_log = xstrdup(v);
	return CONF_OK;
}

static int set_alert_exec(struct conf *c, const char *v, char **cause)
{
	if (v[0] != '/') {
		*cause = err_fmt("alert-exec needs an absolute path (it is run without a shell), not '%s'", v);
		return CONF_ERROR;
	}
	free(c->alert_exec);
	c->alert_exec = xstrdup(v);
	return CONF_OK;
}

static int set_alert_warmup(struct conf *c, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, 86400, &n) || n == 0) {
		*cause = err_fmt("alert-warmup must be a number of seconds from 1 to 86400, not '%s'", v);
		return CONF_ERROR;
	}
	c->alert_warmup = (uint32_t)n;
	return CONF_OK;
}

FLAG_SETTER(set_no_alerts, no_alerts)
FLAG_SETTER(set_bell, bell)

static int set_user(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	free(c->user);
	c->user = xstrdup(v);
	return CONF_OK;
}

#define STRING_SETTER(fn, field) \
	static int fn(struct conf *c, const char *v, char **cause) \
	{ \
		(void)cause; \
		free(c->field); \
		c->field = xstrdup(v); \
		return CONF_OK; \
	}

STRING_SETTER(set_interface, interface)
STRING_SETTER(set_bpf, bpf)
FLAG_SETTER(set_keep_root, keep_root)

static int set_timeout_field(uint32_t *field, const char *name, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, 86400, &n) || n == 0) {
		*cause = err_fmt("%s must be seconds from 1 to 86400, not '%s'", name, v);
		return CONF_ERROR;
	}
	*field = (uint32_t)n;
	return CONF_OK;
}

static int set_active_timeout(struct conf *c, const char *v, char **cause)
{
	return set_timeout_field(&c->active_timeout_s, "active-timeout", v, cause);
}

static int set_inactive_timeout(struct conf *c, const char *v, char **cause)
{
	return set_timeout_field(&c->inactive_timeout_s, "inactive-timeout", v, cause);
}

static int set_history(struct conf *c, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, 100000000UL, &n) || n < 1000) {
		*cause = err_fmt("history must be a number of flows from 1000 to 100000000, not '%s'", v);
		return CONF_ERROR;
	}
	c->history = n;
	return CONF_OK;
}

static int set_string(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
	return CONF_OK;
}

static int set_filter(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_string(&c->filter, v);
}

static int set_theme(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_string(&c->theme, v);
}

static int set_geoip_country(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_string(&c->geoip_country, v);
}

static int set_geoip_asn(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_string(&c->geoip_asn, v);
}

static int set_geoip_dir(struct conf *c, const char *v, char **cause)
{
	(void)cause;
	return set_string(&c->geoip_dir, v);
}

static int set_prefix(uint8_t *field, unsigned max, const char *what, const char *v, char **cause)
{
	unsigned long n;
	if (!parse_ulong(v, max, &n) || n == 0) {
		*cause = err_fmt("%s must be a prefix length from 1 to %u, not '%s'", what, max, v);
		return CONF_ERROR;
	}
	*field = (uint8_t)n;
	return CONF_OK;
}

static int set_prefix4(struct conf *c, const char *v, char **cause)
{
	return set_prefix(&c->prefix4, 32, "prefix4", v, cause);
}

static int set_prefix6(struct conf *c, const char *v, char **cause)
{
	return set_prefix(&c->prefix6, 128, "prefix6", v, cause);
}

FLAG_SETTER(set_strict, strict)

static int set_verbose(struct conf *c, const char *v, char **cause)
{
	(void)v;
	(void)cause;
	c->verbose++;
	return CONF_OK;
}

static int set_nothing(struct conf *c, const char *v, char **cause)
{
	(void)c;
	(void)v;
	(void)cause;
	return CONF_OK;	/* handled before the table runs (config file selection) */
}

enum { O_INTERVAL = 256, O_DURATION, O_SPEED, O_PORT, O_NO_SCALE, O_MAX_KEYS, O_MAX_MEMORY, O_RCVBUF, O_NO_CONFIG,
       O_HISTORY, O_THEME, O_ALLOW, O_FORMAT_IN, O_ALERT, O_ALERT_LOG, O_ALERT_EXEC, O_NO_ALERTS, O_BELL, O_ALERT_WARMUP, O_GEO_COUNTRY, O_GEO_ASN, O_GEO_DIR, O_PREFIX4, O_PREFIX6, O_STRICT,
       O_THREADS, O_BPF, O_KEEP_ROOT, O_ACTIVE_TIMEOUT, O_INACTIVE_TIMEOUT };

static const struct opt opts[] = {
	{ "read", 'r', "FILE", set_read, false, "replay a capture of export datagrams (pcap or pcapng), or read an nfcapd file; repeatable" },
	{ "read-dir", 'R', "DIR", set_read_dir, false, "read every nfcapd.* file under DIR (also nfcapd -S subdirectories) in time order; repeatable" },
	{ "listen", 'l', "[ADDR:]PORT", set_listen, false, "collect NetFlow/IPFIX on UDP (IPv4, or [IPv6]:PORT); repeatable; default 2055" },
	{ "interface", 'i', "IFACE", set_interface, false, "capture packets on IFACE and meter them into flows (needs root or CAP_NET_RAW)" },
	{ "bpf", O_BPF, "EXPR", set_bpf, false, "capture filter for -i and for -r packet captures, e.g. 'tcp and not port 22'" },
	{ "keep-root", O_KEEP_ROOT, NULL, set_keep_root, false, "with -i as root and no -u: keep running as root" },
	{ "active-timeout", O_ACTIVE_TIMEOUT, "SECS", set_active_timeout, false, "packets to flows: longest a flow runs before it is cut (default 300)" },
	{ "inactive-timeout", O_INACTIVE_TIMEOUT, "SECS", set_inactive_timeout, false, "packets to flows: idle time that ends a flow (default 15)" },
	{ "batch", 'b', NULL, set_batch, false, "no screen: print the aggregates to standard output" },
	{ "format", 'o', "FMT", set_format, false, "batch output: text, csv or json (one object per line)" },
	{ "top", 'n', "N", set_top, false, "rows per dimension (default 10)" },
	{ "sort", 's', "KEY", set_sort, false, "order rows by bytes, packets or flows (default bytes)" },
	{ "filter", 'f', "EXPR", set_filter, false, "only flows matching EXPR, e.g. 'dst port 443 and not src net 10.0.0.0/8'" },
	{ "window", 'w', "DUR", set_window, false, "sliding window, e.g. 10s, 1m, 5m, 1h (batch default: the whole input)" },
	{ "interval", O_INTERVAL, "DUR", set_interval, false, "batch: print every DUR of input time (window defaults to DUR)" },
	{ "duration", O_DURATION, "DUR", set_duration, false, "batch with --listen: stop after DUR" },
	{ "speed", O_SPEED, "X", set_speed, false, "replay speed: 0 as fast as possible (batch default), 1 real time (screen default), N times faster" },
	{ "format-in", O_FORMAT_IN, "KIND", set_format_in, false, "what -r files hold: auto (default: judged by their first bytes), pcap-export, pcap-packets (traffic metered into flows), nfcapd, or json (goflow2 -format json lines; counters scaled by sampling_rate unless --no-scale; -r - reads stdin)" },
	{ "port", O_PORT, "N", set_port, false, "replay: take only UDP datagrams sent to port N" },
	{ "no-scale", O_NO_SCALE, NULL, set_no_scale, false, "do not multiply packets and bytes by the announced sampling rate" },
	{ "max-keys", O_MAX_KEYS, "N", set_max_keys, false, "keys kept per dimension before the smallest are evicted (default 1000000)" },
	{ "max-memory", O_MAX_MEMORY, "SIZE", set_max_memory, false, "memory bound: the key tables take all of it but 16 MiB, then evict their smallest keys (default 1G; 0: none)" },
	{ "threads", O_THREADS, "N", set_threads, false, "aggregation threads: 1, or 2 to keep most dimensions in a second thread (default 2 with 2 or more CPUs)" },
	{ "geoip-country", O_GEO_COUNTRY, "FILE", set_geoip_country, false, "country (or city) MMDB database; default: the usual places" },
	{ "geoip-asn", O_GEO_ASN, "FILE", set_geoip_asn, false, "ASN MMDB database; default: the usual places" },
	{ "geoip-dir", O_GEO_DIR, "DIR", set_geoip_dir, false, "look for GeoLite2-*/dbip-*/asn.mmdb databases here first" },
	{ "strict", O_STRICT, NULL, set_strict, false, "exit when a GeoIP database that was named or found cannot be read" },
	{ "prefix4", O_PREFIX4, "N", set_prefix4, false, "IPv4 prefix length of the prefix dimensions (default 24)" },
	{ "prefix6", O_PREFIX6, "N", set_prefix6, false, "IPv6 prefix length of the prefix dimensions (default 48)" },
	{ "alert", O_ALERT, "SPEC", set_alert, false, "a threshold, e.g. 'dst_ip pps>100000' or 'dst_ip 10.0.0.0/8 bps>1g'; repeatable" },
	{ "alert-log", O_ALERT_LOG, "FILE", set_alert_log, false, "append one JSON object per alert start and end" },
	{ "alert-exec", O_ALERT_EXEC, "PROGRAM", set_alert_exec, false, "run PROGRAM (absolute path, no shell) with each alert event" },
	{ "alert-warmup", O_ALERT_WARMUP, "SECONDS", set_alert_warmup, false, "seconds a series is watched before it may alert (default 30)" },
	{ "no-alerts", O_NO_ALERTS, NULL, set_no_alerts, false, "no spike detection or thresholds" },
	{ "bell", O_BELL, NULL, set_bell, false, "screen: ring the terminal bell when an alert starts" },
	{ "history", O_HISTORY, "FLOWS", set_history, false, "screen: recent flows kept to rebuild views on a new filter or window (default 500000)" },
	{ "theme", O_THEME, "NAME", set_theme, false, "screen colours: dark (default), light, monochrome, or a theme file path" },
	{ "allow-exporter", O_ALLOW, "CIDR", set_allow, false, "take export datagrams only from these sources; repeatable (the rest are counted)" },
	{ "user", 'u', "USER", set_user, false, "as root: switch to USER once the sockets are bound or the interface is open" },
	{ "rcvbuf", O_RCVBUF, "BYTES", set_rcvbuf, false, "UDP receive buffer (default 33554432)" },
	{ "quiet", 'q', NULL, set_quiet, false, "no progress or summary on standard error" },
	{ "config", 'c', "FILE", set_nothing, true, "read this config file instead of the usual ones" },
	{ "no-config", O_NO_CONFIG, NULL, set_nothing, true, "read no config file" },
	{ "verbose", 'v', NULL, set_verbose, true, "more detail (with --version: libraries)" },
	{ "help", 'h', NULL, set_help, true, "this help" },
	{ "version", 'V', NULL, set_version, true, "print the version" },
};
#define NOPTS (sizeof opts / sizeof opts[0])

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	c->format = OUT_TEXT;
	c->top = 10;
	c->sort = SORT_BYTES;
	c->max_keys = 1000000;
	c->max_memory = 1ULL << 30;
	c->history = 500000;
	c->prefix4 = 24;
	c->prefix6 = 48;
	c->speed = -1;
	c->rcvbuf = 32 << 20;
}

void conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->nread; i++)
		free(c->read[i]);
	for (size_t i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	for (size_t i = 0; i < c->nallow; i++)
		free(c->allow[i]);
	free(c->read);
	for (size_t i = 0; i < c->nread_dir; i++)
		free(c->read_dir[i]);
	free(c->read_dir);
	free(c->listen);
	for (size_t i = 0; i < c->nalerts; i++)
		free(c->alerts[i]);
	free(c->alerts);
	free(c->alert_log);
	free(c->alert_exec);
	free(c->allow);
	free(c->user);
	free(c->interface);
	free(c->bpf);
	free((char *)c->config_used);
	free(c->filter);
	free(c->theme);
	free(c->geoip_country);
	free(c->geoip_asn);
	free(c->geoip_dir);
	memset(c, 0, sizeof *c);
}

static const struct opt *opt_by_name(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One config line, "name value" or "name = value"; '#' starts a comment. */
static int config_line(struct conf *c, const char *path, unsigned lineno, char *line, char **cause)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *s = trim(line);
	if (!*s)
		return CONF_OK;
	char *v = s + strcspn(s, " \t=");
	if (*v) {
		*v++ = '\0';
		v = trim(v);
		if (*v == '=')
			v = trim(v + 1);
	}
	const struct opt *o = opt_by_name(s);
	if (!o || o->cli_only) {
		*cause = err_fmt("%s:%u: unknown option '%s'", path, lineno, s);
		return CONF_ERROR;
	}
	if (o->arg && !*v) {
		*cause = err_fmt("%s:%u: '%s' needs a value (%s)", path, lineno, s, o->arg);
		return CONF_ERROR;
	}
	char *why = NULL;
	if (o->set(c, *v ? v : NULL, &why) < 0) {
		*cause = err_fmt("%s:%u: %s: %s", path, lineno, s, why);
		free(why);
		return CONF_ERROR;
	}
	return CONF_OK;
}

static int read_config(struct conf *c, const char *path, FILE *f, char **cause)
{
	char line[4096];
	unsigned lineno = 0;
	while (fgets(line, sizeof line, f))
		if (config_line(c, path, ++lineno, line, cause) < 0)
			return CONF_ERROR;
	return CONF_OK;
}

/* The same over text in memory, cut into lines as fgets() would cut them. */
int conf_parse_text(struct conf *c, const char *name, const char *text, size_t len, char **cause)
{
	char line[4096];
	unsigned lineno = 0;
	size_t off = 0;
	while (off < len) {
		size_t n = 0;
		while (off + n < len && n < sizeof line - 1 && text[off + n] != '\n')
			n++;
		if (off + n < len && n < sizeof line - 1)
			n++;	/* keep the newline, as fgets does */
		memcpy(line, text + off, n);
		line[n] = '\0';
		off += n;
		if (config_line(c, name, ++lineno, line, cause) < 0)
			return CONF_ERROR;
	}
	return CONF_OK;
}

/* -c/--config and --no-config decide which file is read before the rest. */
static void scan_config_args(int argc, char **argv, const char **path, bool *none)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--no-config"))
			*none = true;
		else if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc)
			*path = argv[++i];
		else if (!strncmp(a, "--config=", 9))
			*path = a + 9;
		else if (!strncmp(a, "-c", 2) && a[2])
			*path = a + 2;
	}
}

static int load_config_file(struct conf *c, const char *explicit_path, char **cause)
{
	char buf[4096];
	const char *cands[3];
	size_t n = 0;
	if (explicit_path) {
		cands[n++] = explicit_path;
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		if (xdg && *xdg)
			snprintf(buf, sizeof buf, "%s/nftop/config", xdg);
		else if (home && *home)
			snprintf(buf, sizeof buf, "%s/.config/nftop/config", home);
		else
			buf[0] = '\0';
		if (buf[0])
			cands[n++] = buf;
		cands[n++] = "/etc/nftop.conf";
	}
	for (size_t i = 0; i < n; i++) {
		FILE *f = fopen(cands[i], "r");
		if (!f) {
			if (explicit_path) {
				*cause = err_fmt("%s: %s", cands[i], strerror(errno));
				return CONF_ERROR;
			}
			continue;
		}
		int rc = read_config(c, cands[i], f, cause);
		fclose(f);
		c->config_used = xstrdup(cands[i]);
		return rc;
	}
	return CONF_OK;
}

int conf_load(struct conf *c, int argc, char **argv, char **cause)
{
	const char *cfg = NULL;
	bool no_cfg = false;
	scan_config_args(argc, argv, &cfg, &no_cfg);
	if (!no_cfg && load_config_file(c, cfg, cause) < 0)
		return CONF_ERROR;

	struct option lopts[NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	size_t ns = 0;
	shorts[ns++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		lopts[i].name = opts[i].name;
		lopts[i].has_arg = opts[i].arg ? required_argument : no_argument;
		lopts[i].flag = NULL;
		lopts[i].val = opts[i].key;
		if (opts[i].key < 256) {
			shorts[ns++] = (char)opts[i].key;
			if (opts[i].arg)
				shorts[ns++] = ':';
		}
	}
	memset(&lopts[NOPTS], 0, sizeof lopts[NOPTS]);
	shorts[ns] = '\0';

	/* Lists given on the command line replace those from the config file. */
	bool cli_read = false, cli_read_dir = false, cli_listen = false;
	optind = 0;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (ch == '?') {
			if (optopt && optopt < 256)
				*cause = err_fmt("unknown option '-%c' (see nftop --help)", optopt);
			else
				*cause = err_fmt("unknown option '%s' (see nftop --help)", argv[optind - 1]);
			return CONF_ERROR;
		}
		if (ch == ':') {
			*cause = err_fmt("option '%s' needs a value", argv[optind - 1]);
			return CONF_ERROR;
		}
		const struct opt *o = NULL;
		for (size_t i = 0; i < NOPTS; i++)
			if (opts[i].key == ch)
				o = &opts[i];
		if (!o)
			continue;
		if (o->set == set_read && !cli_read) {
			cli_read = true;
			while (c->nread)
				free(c->read[--c->nread]);
		}
		if (o->set == set_read_dir && !cli_read_dir) {
			cli_read_dir = true;
			while (c->nread_dir)
				free(c->read_dir[--c->nread_dir]);
		}
		if (o->set == set_listen && !cli_listen) {
			cli_listen = true;
			while (c->nlisten)
				free(c->listen[--c->nlisten]);
		}
		char *why = NULL;
		if (o->set(c, o->arg ? optarg : NULL, &why) < 0) {
			*cause = err_fmt("--%s: %s", o->name, why);
			free(why);
			return CONF_ERROR;
		}
	}
	if (optind < argc) {
		*cause = err_fmt("unexpected argument '%s' (files are read with -r FILE)", argv[optind]);
		return CONF_ERROR;
	}
	if (c->help || c->version)
		return CONF_EXIT;
	if (c->interval_s && !c->window_s)
		c->window_s = c->interval_s;
	if (c->speed < 0)
		c->speed = c->batch ? 0 : 1;
	return CONF_OK;
}

void conf_usage(FILE *out)
{
	fputs("usage: nftop [options]\n"
	      "  top for network flows: NetFlow v5/v9 and IPFIX, live or replayed.\n\n", out);
	for (size_t i = 0; i < NOPTS; i++) {
		char left[64];
		const struct opt *o = &opts[i];
		if (o->key < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(out, "  %-28s %s\n", left, o->help);
	}
	fputs("\nConfig file: $XDG_CONFIG_HOME/nftop/config, else /etc/nftop.conf; one option\n"
	      "per line as 'name value' (long names, without dashes), e.g. 'window 5m'.\n"
	      "\nexamples:\n"
	      "  nftop -b -r export.pcap                    top 10 of everything in a capture\n"
	      "  nftop -b -r export.pcap -o json -n 20      the same as one JSON object\n"
	      "  nftop -b -r export.pcap -w 1m --interval 1m -o csv   one CSV block per minute\n"
	      "  nftop -b -l 2055 -l [::1]:4739 --duration 30s       collect for 30 s, then print\n"
	      "  nftop -b -r a.pcap -r b.pcap --port 2055 -s packets  two files, one port, by packets\n"
	      "  goflow2 -format json | nftop -r -          goflow2's flows on the screen\n"
	      "  nftop -b -R /var/cache/nfdump -o json       every nfcapd file of a collector\n"
	      "\nexit status: 0 success, 1 an input could not be read or decoded, 2 usage error.\n", out);
}

size_t conf_table_memory(const struct conf *c)
{
	const size_t rest = 16u << 20;
	if (!c->max_memory)
		return 0;
	return c->max_memory >= 2 * rest ? c->max_memory - rest : c->max_memory / 2;
}

bool conf_split_store(const struct conf *c)
{
	if (c->threads)
		return c->threads == 2;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}
