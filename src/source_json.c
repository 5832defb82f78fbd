#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "decode.h"
#include "err.h"
#include "flowfile.h"
#include "source_json.h"
#include "xmem.h"

/* Fields by their name lower-cased without underscores, so goflow2 v2's
 * "src_addr" and v1's "SrcAddr" are one field, as are "tcp_flags",
 * "TCPFlags" and "TcpFlags". Times come in their own units. */
enum dest {
	D_TYPE, D_RECV, D_START, D_END, D_SAMPLING, D_EXPORTER, D_BYTES, D_PACKETS,
	D_SRC, D_DST, D_NEXTHOP, D_PROTO, D_SPORT, D_DPORT, D_IN_IF, D_OUT_IF,
	D_SRC_AS, D_DST_AS, D_TCP_FLAGS, D_TOS, D_ICMP_TYPE, D_ICMP_CODE, D_COUNT
};

enum unit { U_NONE, U_NS, U_MS, U_S };

static const struct field {
	const char *name;
	uint8_t dest, unit;
	uint64_t max;		/* largest number accepted */
} fields[] = {
	{ "type", D_TYPE, U_NONE, 0 },
	{ "timereceivedns", D_RECV, U_NS, 0 },
	{ "timereceived", D_RECV, U_S, 0 },
	{ "timeflowstartns", D_START, U_NS, 0 },
	{ "timeflowstartms", D_START, U_MS, 0 },
	{ "timeflowstart", D_START, U_S, 0 },
	{ "timeflowendns", D_END, U_NS, 0 },
	{ "timeflowendms", D_END, U_MS, 0 },
	{ "timeflowend", D_END, U_S, 0 },
	{ "samplingrate", D_SAMPLING, U_NONE, UINT32_MAX },
	{ "sampleraddress", D_EXPORTER, U_NONE, 0 },
	{ "bytes", D_BYTES, U_NONE, UINT64_MAX },
	{ "packets", D_PACKETS, U_NONE, UINT64_MAX },
	{ "srcaddr", D_SRC, U_NONE, 0 },
	{ "dstaddr", D_DST, U_NONE, 0 },
	{ "nexthop", D_NEXTHOP, U_NONE, 0 },
	{ "proto", D_PROTO, U_NONE, 255 },
	{ "srcport", D_SPORT, U_NONE, 65535 },
	{ "dstport", D_DPORT, U_NONE, 65535 },
	{ "inif", D_IN_IF, U_NONE, UINT32_MAX },
	{ "outif", D_OUT_IF, U_NONE, UINT32_MAX },
	{ "srcas", D_SRC_AS, U_NONE, UINT32_MAX },
	{ "dstas", D_DST_AS, U_NONE, UINT32_MAX },
	{ "tcpflags", D_TCP_FLAGS, U_NONE, 65535 },	/* IPFIX tcpControlBits is 16 bits */
	{ "iptos", D_TOS, U_NONE, 255 },
	{ "icmptype", D_ICMP_TYPE, U_NONE, 255 },
	{ "icmpcode", D_ICMP_CODE, U_NONE, 255 },
};

/* What one line said, before it becomes a flow. */
struct rec {
	uint64_t num[D_COUNT];
	uint8_t unit[D_COUNT];		/* of the time fields: the finest one seen wins */
	bool seen[D_COUNT];
	struct flow_addr addr[D_COUNT];
};

/* goflow2 v2/v3 name protocols by IANA's keywords (numbers 0-145), v1 a few
 * of its own; numbers above 145 it prints as a range name only. */
static const char *const iana_proto[] = {
	"HOPOPT", "ICMP", "IGMP", "GGP", "IPv4", "ST", "TCP", "CBT", "EGP", "IGP",
	"BBN-RCC-MON", "NVP-II", "PUP", "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX", "DCN-MEAS",
	"HMP", "PRM", "XNS-IDP", "TRUNK-1", "TRUNK-2", "LEAF-1", "LEAF-2", "RDP", "IRTP", "ISO-TP4",
	"NETBLT", "MFE-NSP", "MERIT-INP", "DCCP", "3PC", "IDPR", "XTP", "DDP", "IDPR-CMTP", "TP++",
	"IL", "IPv6", "SDRP", "IPv6-Route", "IPv6-Frag", "IDRP", "RSVP", "GRE", "DSR", "BNA",
	"ESP", "AH", "I-NLSP", "SWIPE", "NARP", "Min-IPv4", "TLSP", "SKIP", "IPv6-ICMP", "IPv6-NoNxt",
	"IPv6-Opts", "any-host-internal-protocol", "CFTP", "any-local-network", "SAT-EXPAK", "KRYPTOLAN",
	"RVD", "IPPC", "any-distributed-file-system", "SAT-MON",
	"VISA", "IPCV", "CPNX", "CPHB", "WSN", "PVP", "BR-SAT-MON", "SUN-ND", "WB-MON", "WB-EXPAK",
	"ISO-IP", "VMTP", "SECURE-VMTP", "VINES", "IPTM", "NSFNET-IGP", "DGP", "TCF", "EIGRP", "OSPFIGP",
	"Sprite-RPC", "LARP", "MTP", "AX.25", "IPIP", "MICP", "SCC-SP", "ETHERIP", "ENCAP",
	"any-private-encryption-scheme",
	"GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "A/N", "IPComp", "SNP",
	"Compaq-Peer", "IPX-in-IP", "VRRP", "PGM", "any-0-hop-protocol", "L2TP", "DDX", "IATP", "STP", "SRP",
	"UTI", "SMP", "SM", "PTP", "ISIS over IPv4", "FIRE", "CRTP", "CRUDP", "SSCOPMCE", "IPLT",
	"SPS", "PIPE", "SCTP", "FC", "RSVP-E2E-IGNORE", "Mobility Header", "UDPLite", "MPLS-in-IP", "manet", "HIP",
	"Shim6", "WESP", "ROHC", "Ethernet", "AGGFRAG", "NSH",
};

static const struct { const char *name; uint8_t proto; } proto_alias[] = {
	{ "ICMPv6", 58 }, { "OSPF", 89 },
	/* Numbers goflow2 has no keyword for: kept, under 255. */
	{ "unassigned", 255 }, { "experimental", 255 }, { "reserved", 255 }, { "unknown", 255 },
};

static bool proto_by_name(const char *s, uint8_t *p)
{
	for (size_t i = 0; i < sizeof iana_proto / sizeof iana_proto[0]; i++)
		if (!strcasecmp(s, iana_proto[i])) {
			*p = (uint8_t)i;
			return true;
		}
	for (size_t i = 0; i < sizeof proto_alias / sizeof proto_alias[0]; i++)
		if (!strcasecmp(s, proto_alias[i].name)) {
			*p = proto_alias[i].proto;
			return true;
		}
	return false;
}

static bool version_by_type(json_t *v, uint64_t *ver)
{
	static const struct { const char *name; uint8_t version; } types[] = {
		{ "FLOWUNKNOWN", 0 }, { "SFLOW_5", DECODE_VERSION_SFLOW5 }, { "NETFLOW_V5", 5 },
		{ "NETFLOW_V9", 9 }, { "IPFIX", 10 },
	};
	const size_t n = sizeof types / sizeof types[0];
	if (json_is_integer(v)) {	/* the protobuf enum number */
		json_int_t i = json_integer_value(v);
		if (i < 0 || (size_t)i >= n)
			return false;
		*ver = types[i].version;
		return true;
	}
	for (size_t i = 0; json_is_string(v) && i < n; i++)
		if (!strcmp(json_string_value(v), types[i].name)) {
			*ver = types[i].version;
			return true;
		}
	return false;
}

/* RFC 3339 ("2023-04-15T18:28:15.157626Z"), as goflow2's datetime renderers print. */
static bool rfc3339_ms(const char *s, uint64_t *ms)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n < 19)
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	s += n;
	unsigned frac = 0, digits = 0;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 3)
				frac = frac * 10 + (unsigned)(*s - '0');
		if (!digits)
			return false;
		for (unsigned k = digits; k < 3; k++)
			frac *= 10;
	}
	long off = 0;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int oh, om, m = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5 || oh > 23 || om > 59)
			return false;
		off = (*s == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
		s += 6;
	} else {
		return false;
	}
	if (*s)
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = sec };
	time_t t = timegm(&tm) - off;
	if (t < 0)
		return false;
	*ms = (uint64_t)t * 1000 + frac;
	return true;
}

static int bad(char **why, const char *key, const char *what)
{
	*why = err_fmt("field '%.40s': %s", key, what);
	return ERR_MALFORMED;
}

static int take_number(json_t *v, const struct field *fd, const char *key, struct rec *r, char **why)
{
	if (fd->unit != U_NONE && json_is_string(v)) {
		uint64_t ms;
		if (!rfc3339_ms(json_string_value(v), &ms))
			return bad(why, key, "not a time");
		r->num[fd->dest] = ms;
		r->unit[fd->dest] = U_MS;
		r->seen[fd->dest] = true;
		return ERR_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad(why, key, "not an unsigned integer");
	uint64_t x = (uint64_t)json_integer_value(v);
	if (fd->unit == U_NONE) {
		if (x > fd->max)
			return bad(why, key, "out of range");
		r->num[fd->dest] = x;
		r->seen[fd->dest] = true;
		return ERR_OK;
	}
	/* A time: keep the finest unit given (ns over ms over s). */
	if (r->seen[fd->dest] && r->unit[fd->dest] != U_NONE && r->unit[fd->dest] < fd->unit)
		return ERR_OK;
	if (fd->unit == U_NS)
		x /= 1000000;
	else if (fd->unit == U_S) {
		if (x > UINT64_MAX / 1000)
			return bad(why, key, "out of range");
		x *= 1000;
	}
	r->num[fd->dest] = x;
	r->unit[fd->dest] = fd->unit;
	r->seen[fd->dest] = true;
	return ERR_OK;
}

static int take(json_t *v, const struct field *fd, const char *key, struct rec *r, char **why)
{
	switch (fd->dest) {
	case D_TYPE:
		if (!version_by_type(v, &r->num[D_TYPE]))
			return bad(why, key, "not a flow type (NETFLOW_V5, NETFLOW_V9, IPFIX, SFLOW_5)");
		r->seen[D_TYPE] = true;
		return ERR_OK;
	case D_EXPORTER: case D_SRC: case D_DST: case D_NEXTHOP:
		if (!json_is_string(v))
			return bad(why, key, "not a string");
		/* goflow2 prints "" for an address the record did not carry. */
		if (!json_string_length(v))
			return ERR_OK;
		if (json_string_length(v) >= FLOW_ADDRSTRLEN || !flow_addr_parse(json_string_value(v), &r->addr[fd->dest]))
			return bad(why, key, "not an IP address");
		r->seen[fd->dest] = true;
		return ERR_OK;
	case D_PROTO:
		if (json_is_string(v)) {
			uint8_t p;
			if (!proto_by_name(json_string_value(v), &p))
				return bad(why, key, "not a protocol name");
			r->num[D_PROTO] = p;
			r->seen[D_PROTO] = true;
			return ERR_OK;
		}
		return take_number(v, fd, key, r, why);
	default:
		return take_number(v, fd, key, r, why);
	}
}

static const struct field *field_of(const char *key)
{
	char norm[24];
	size_t n = 0;
	for (const char *k = key; *k; k++) {
		if (*k == '_')
			continue;
		if (n + 1 >= sizeof norm)
			return NULL;
		norm[n++] = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
	}
	norm[n] = '\0';
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (!strcmp(norm, fields[i].name))
			return &fields[i];
	return NULL;
}

static void build(const struct rec *r, struct flow *f)
{
	memset(f, 0, sizeof *f);
	f->src = r->addr[D_SRC];
	f->dst = r->addr[D_DST];
	f->nexthop = r->addr[D_NEXTHOP];
	f->exporter = r->addr[D_EXPORTER];
	f->bytes = r->num[D_BYTES];
	f->packets = r->num[D_PACKETS];
	f->recv_ms = r->num[D_RECV];
	f->first_ms = r->num[D_START];
	f->last_ms = r->num[D_END];
	f->sampling = r->num[D_SAMPLING] ? (uint32_t)r->num[D_SAMPLING] : 1;
	f->in_if = (uint32_t)r->num[D_IN_IF];
	f->out_if = (uint32_t)r->num[D_OUT_IF];
	f->src_as = (uint32_t)r->num[D_SRC_AS];
	f->dst_as = (uint32_t)r->num[D_DST_AS];
	f->proto = (uint8_t)r->num[D_PROTO];
	f->sport = (uint16_t)r->num[D_SPORT];
	f->dport = (uint16_t)r->num[D_DPORT];
	f->tcp_flags = (uint8_t)r->num[D_TCP_FLAGS];
	f->tos = (uint8_t)r->num[D_TOS];
	f->version = (uint8_t)r->num[D_TYPE];
	/* ICMP type and code as the decoders give them; an exporter that carried
	 * them only in the destination port (NetFlow v5) leaves both 0. */
	if ((f->proto == 1 || f->proto == 58) && (r->num[D_ICMP_TYPE] || r->num[D_ICMP_CODE]))
		f->dport = (uint16_t)(r->num[D_ICMP_TYPE] << 8 | r->num[D_ICMP_CODE]);
}

int jsonflow_parse(const char *line, size_t len, struct flow *f, char **why)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, 0, &je);
	if (!o) {
		/* jansson quotes the text near the fault: keep the message printable. */
		char msg[JSON_ERROR_TEXT_LENGTH];
		snprintf(msg, sizeof msg, "%s", je.text);
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		*why = err_fmt("not JSON: %s (column %d)", msg, je.column);
		return ERR_MALFORMED;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		*why = err_fmt("not a JSON object");
		return ERR_MALFORMED;
	}
	struct rec r;
	memset(&r, 0, sizeof r);
	const char *key;
	json_t *v;
	int rc = ERR_OK;
	json_object_foreach(o, key, v) {
		const struct field *fd = field_of(key);
		if (fd && (rc = take(v, fd, key, &r, why)) < 0)
			break;
	}
	json_decref(o);
	if (rc < 0)
		return rc;
	if (!r.seen[D_SRC] || !r.seen[D_DST]) {
		*why = err_fmt("no %s address", r.seen[D_SRC] ? "destination" : "source");
		return ERR_MALFORMED;
	}
	build(&r, f);
	return ERR_OK;
}

/* ------------------------------------------------------------ the reader */

struct jsonflow {
	FILE *f;
	bool is_stdin;
	char *name;
	char *line;			/* JSONFLOW_MAX_LINE bytes */
	uint64_t lineno;
	struct flowfile_stats st;
};

enum { LINE_OK, LINE_LONG, LINE_EOF, LINE_ERROR };

/* Reads one line without its newline into jf->line; a longer one is
 * consumed to its end and reported, never held. */
static int read_line(struct jsonflow *jf, size_t *len)
{
	size_t n = 0;
	bool long_line = false;
	int ch;
	while ((ch = getc_unlocked(jf->f)) != EOF) {
		jf->st.bytes_done++;
		if (ch == '\n')
			break;
		if (n < JSONFLOW_MAX_LINE)
			jf->line[n++] = (char)ch;
		else
			long_line = true;
	}
	if (ch == EOF) {
		if (ferror(jf->f))
			return LINE_ERROR;
		if (n == 0 && !long_line)
			return LINE_EOF;
	}
	jf->lineno++;
	if (n && jf->line[n - 1] == '\r')
		n--;
	*len = n;
	return long_line ? LINE_LONG : LINE_OK;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static int jf_next(void *self, struct flow *f, char **cause)
{
	struct jsonflow *jf = self;
	for (;;) {
		size_t len = 0;
		int r = read_line(jf, &len);
		if (r == LINE_EOF)
			return FLOWFILE_END;
		if (r == LINE_ERROR) {
			*cause = err_fmt("%s: line %" PRIu64 ": read error: %s", jf->name, jf->lineno + 1,
					 strerror(errno));
			return ERR_IO;
		}
		if (r == LINE_OK && blank(jf->line, len))
			continue;
		jf->st.records++;
		if (r == LINE_LONG) {
			jf->st.bad++;
			*cause = err_fmt("%s:%" PRIu64 ": line longer than %d bytes, skipped", jf->name, jf->lineno,
					 JSONFLOW_MAX_LINE);
			return FLOWFILE_BAD;
		}
		char *why = NULL;
		if (jsonflow_parse(jf->line, len, f, &why) < 0) {
			jf->st.bad++;
			*cause = err_fmt("%s:%" PRIu64 ": %s", jf->name, jf->lineno, why);
			free(why);
			return FLOWFILE_BAD;
		}
		return FLOWFILE_FLOW;
	}
}

static void jf_stats(const void *self, struct flowfile_stats *st)
{
	const struct jsonflow *jf = self;
	*st = jf->st;
}

static void jf_close(void *self)
{
	struct jsonflow *jf = self;
	if (!jf->is_stdin)
		fclose(jf->f);
	free(jf->line);
	free(jf->name);
	free(jf);
}

static const struct flowfile_ops jsonflow_ops = { jf_next, jf_stats, jf_close };

int jsonflow_open(const char *path, struct flowfile **out, char **cause)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		*cause = err_fmt("%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	struct jsonflow *jf = xcalloc(1, sizeof *jf);
	jf->f = fp;
	jf->is_stdin = is_stdin;
	jf->name = xstrdup(path);
	jf->line = xmalloc(JSONFLOW_MAX_LINE);
	struct stat sb;
	if (!is_stdin && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
		jf->st.bytes_total = (uint64_t)sb.st_size;
	struct flowfile *ff = xcalloc(1, sizeof *ff);
	ff->ops = &jsonflow_ops;
	ff->self = jf;
	ff->name = xstrdup(path);
	ff->unscaled = true;
	*out = ff;
	return ERR_OK;
}
