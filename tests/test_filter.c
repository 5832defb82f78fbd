/* Filter expressions: every construct parsed and matched against flows made
 * here (IPv4 and IPv6), precedence, error messages with their columns, and
 * the length and nesting bounds. */
#include <stdlib.h>

#include "filter.h"
#include "tap.h"

struct spec {
	const char *src, *dst, *exporter;
	uint16_t sport, dport;
	uint8_t proto;
	uint64_t bytes, packets;
	uint32_t src_as, dst_as, in_if, out_if;
};

static struct flow mk(const struct spec *s)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	flow_addr_parse(s->src, &f.src);
	flow_addr_parse(s->dst, &f.dst);
	flow_addr_parse(s->exporter, &f.exporter);
	f.sport = s->sport;
	f.dport = s->dport;
	f.proto = s->proto;
	f.bytes = s->bytes;
	f.packets = s->packets;
	f.src_as = s->src_as;
	f.dst_as = s->dst_as;
	f.in_if = s->in_if;
	f.out_if = s->out_if;
	return f;
}

/* A: IPv4 TCP to HTTPS.  B: IPv4 UDP DNS, big.  C: IPv6 TCP to HTTP.
 * D: IPv6 ICMPv6 whose addresses end in 10.1.2.3 and 10.0.0.1 (v4-compatible
 * style), to catch an IPv4 prefix that forgets the family. E: IPv4 ICMP. */
static const struct spec specs[] = {
	{ "10.1.2.3", "192.0.2.10", "198.51.100.1", 40000, 443, 6, 1500, 3, 64512, 15169, 3, 7 },
	{ "172.16.0.5", "10.9.9.9", "198.51.100.2", 53, 5353, 17, 12000000, 8000, 0, 64512, 1, 2 },
	{ "2001:db8:1::5", "2001:db8:2::10", "2001:db8:ffff::1", 51000, 80, 6, 900, 2, 65001, 65002, 10, 20 },
	{ "2001:db8::a01:203", "::a00:1", "198.51.100.1", 0, 0x8000, 58, 64, 1, 0, 0, 0, 0 },
	{ "10.1.2.4", "192.0.2.10", "198.51.100.1", 0, 0x0800, 1, 84, 1, 64512, 15169, 3, 7 },
};
enum { A, B, C, D, E, NFLOWS };

/* Which of the flows A..E an expression matches, as a string like "A.C..". */
static const char *matches(const char *expr, const struct flow *fl)
{
	static char buf[NFLOWS + 1];
	char *cause = NULL;
	int col = 0;
	struct filter *f = filter_parse(expr, &cause, &col);
	if (!f) {
		printf("# '%s': column %d: %s\n", expr, col, cause);
		free(cause);
		return "parse error";
	}
	for (int i = 0; i < NFLOWS; i++)
		buf[i] = filter_match(f, &fl[i]) ? (char)('A' + i) : '.';
	buf[NFLOWS] = '\0';
	filter_free(f);
	return buf;
}

static const struct {
	const char *expr, *want;
} cases[] = {
	/* empty, any */
	{ "", "ABCDE" },
	{ "   \t ", "ABCDE" },
	{ "any", "ABCDE" },
	{ "not any", "....." },
	/* hosts */
	{ "host 10.1.2.3", "A...." },
	{ "host 192.0.2.10", "A...E" },
	{ "ip 10.9.9.9", ".B..." },
	{ "src host 10.1.2.3", "A...." },
	{ "dst host 10.1.2.3", "....." },
	{ "dst ip 192.0.2.10", "A...E" },
	{ "HOST 2001:DB8:1::5", "..C.." },
	{ "host 2001:db8:2:0:0:0:0:10", "..C.." },
	{ "dst host 2001:db8:2::10", "..C.." },
	{ "src host 2001:db8:2::10", "....." },
	{ "host ::ffff:10.1.2.3", "A...." },
	{ "host 10.0.0.1", "....." },
	{ "host ::a00:1", "...D." },
	/* nets */
	{ "net 10.0.0.0/8", "AB..E" },
	{ "src net 10.0.0.0/8", "A...E" },
	{ "dst net 10.0.0.0/8", ".B..." },
	{ "net 10.1.2.0/24", "A...E" },
	{ "net 10.1.2.3/32", "A...." },
	{ "net 10.1.2.99/24", "A...E" },
	{ "net 0.0.0.0/0", "AB..E" },
	{ "net 10.0.0.0 255.0.0.0", "AB..E" },
	{ "src net 172.16.0.0 255.240.0.0", ".B..." },
	{ "net 2001:db8::/32", "..CD." },
	{ "src net 2001:db8:1::/48", "..C.." },
	{ "dst net 2001:db8:2::/48", "..C.." },
	{ "net ::/0", "..CD." },
	{ "net ::/96", "...D." },
	{ "net ::ffff:0:0/96", "AB..E" },
	{ "net 2001:db8:1::5/128", "..C.." },
	/* an IPv4 prefix never matches IPv6, whatever the low 32 bits say */
	{ "net 10.1.2.3/32", "A...." },
	{ "net 10.0.0.1/32", "....." },
	{ "dst net 10.0.0.0/8", ".B..." },
	/* ports */
	{ "port 443", "A...." },
	{ "port 53", ".B..." },
	{ "src port 53", ".B..." },
	{ "dst port 53", "....." },
	{ "dst port = 80", "..C.." },
	{ "dst port == 80", "..C.." },
	{ "port eq 80", "..C.." },
	{ "port > 50000", "..C.." },
	{ "dst port > 1024", ".B.DE" },
	{ "dst port < 1024", "A.C.." },
	{ "dst port <= 443", "A.C.." },
	{ "dst port >= 443", "AB.DE" },
	{ "dst port gt 5353", "...D." },
	{ "src port lt 1", "...DE" },
	{ "src port ge 51000", "..C.." },
	{ "src port le 53", ".B.DE" },
	{ "port != 443", ".BCDE" },
	{ "dst port != 443", ".BCDE" },
	{ "src port != 40000", ".BCDE" },
	{ "port ne 53", "A.CDE" },
	{ "port!=53", "A.CDE" },
	{ "port in [80 443 8080]", "A.C.." },
	{ "port in [8080, 443,80]", "A.C.." },
	{ "port in [443 443 443]", "A...." },
	{ "dst port in [53 5353]", ".B..." },
	{ "src port in [53 5353]", ".B..." },
	{ "port in [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 53]", ".B..." },
	/* protocols */
	{ "proto tcp", "A.C.." },
	{ "proto UDP", ".B..." },
	{ "proto icmp", "....E" },
	{ "proto icmp6", "...D." },
	{ "proto icmpv6", "...D." },
	{ "proto 58", "...D." },
	{ "proto 6", "A.C.." },
	{ "proto gre", "....." },
	{ "proto esp or proto sctp", "....." },
	{ "proto in [tcp udp]", "ABC.." },
	{ "proto != tcp", ".B.DE" },
	/* AS numbers */
	{ "as 64512", "AB..E" },
	{ "src as 64512", "A...E" },
	{ "dst as 64512", ".B..." },
	{ "as 4294967295", "....." },
	{ "as > 65000", "..C.." },
	{ "src as in [65001 0]", ".BCD." },
	{ "dst as >= 65002", "..C.." },
	/* interfaces */
	{ "if 7", "A...E" },
	{ "in if 3", "A...E" },
	{ "out if 3", "....." },
	{ "out if 20", "..C.." },
	{ "in if in [1 10]", ".BC.." },
	{ "if > 9", "..C.." },
	/* exporter */
	{ "exporter 198.51.100.1", "A..DE" },
	{ "exporter 198.51.100.2", ".B..." },
	{ "exporter 2001:db8:ffff::1", "..C.." },
	{ "exporter 198.51.100.0/24", "AB.DE" },
	{ "exporter 2001:db8::/32", "..C.." },
	/* counters */
	{ "bytes > 1000", "AB..." },
	{ "bytes >= 1500", "AB..." },
	{ "bytes < 100", "...DE" },
	{ "bytes > 1k", "AB..." },
	{ "bytes > 1K", "AB..." },
	{ "bytes >= 12m", ".B..." },
	{ "bytes > 12m", "....." },
	{ "bytes < 1g", "ABCDE" },
	{ "bytes 900", "..C.." },
	{ "packets > 2", "AB..." },
	{ "packets >= 8k", ".B..." },
	{ "packets = 1", "...DE" },
	{ "packets != 1", "ABC.." },
	/* address family */
	{ "inet", "AB..E" },
	{ "ipv4", "AB..E" },
	{ "inet6", "..CD." },
	{ "IPv6", "..CD." },
	{ "not inet6", "AB..E" },
	/* boolean operators */
	{ "proto tcp and port 443", "A...." },
	{ "proto tcp && port 443", "A...." },
	{ "proto udp or port 80", ".BC.." },
	{ "proto udp || port 80", ".BC.." },
	{ "not proto tcp", ".B.DE" },
	{ "! proto tcp", ".B.DE" },
	{ "!proto tcp", ".B.DE" },
	{ "not not proto tcp", "A.C.." },
	{ "!!!proto tcp", ".B.DE" },
	{ "NOT proto tcp AND inet", ".B..E" },
	/* precedence: not > and > or */
	{ "host 10.1.2.3 or host 2001:db8:1::5 and port 9999", "A...." },
	{ "(host 10.1.2.3 or host 2001:db8:1::5) and port 9999", "....." },
	{ "port 9999 and host 10.1.2.3 or host 2001:db8:1::5", "..C.." },
	{ "port 9999 and (host 10.1.2.3 or host 2001:db8:1::5)", "....." },
	{ "not port 443 and proto tcp", "..C.." },
	{ "not (port 443 and proto tcp)", ".BCDE" },
	{ "not port 443 or proto tcp", "ABCDE" },
	{ "not (port 443 or proto tcp)", ".B.DE" },
	{ "inet and (proto tcp or proto udp) and not bytes > 10m", "A...." },
	{ "((((proto tcp))))", "A.C.." },
	{ "(proto tcp or proto udp) and (inet6 or bytes > 1m)", ".BC.." },
	{ "proto icmp or proto icmp6 or proto udp or port 80", ".BCDE" },
	{ "not (not (inet and not (proto udp)))", "A...E" },
	{ "inet and proto tcp and port 443 and bytes > 1000 and in if 3", "A...." },
};

static void test_cases(const struct flow *fl)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_str(matches(cases[i].expr, fl), cases[i].want, "%s", cases[i].expr);
}

static const struct {
	const char *expr;
	int col;
	const char *cause;
} bad[] = {
	{ "foo 1", 1, "unknown keyword 'foo'; expected host, net, port, proto, as, if, exporter, country, bytes, packets, "
		      "inet, inet6 or any" },
	{ "host", 5, "expected an IPv4 or IPv6 address after 'host'" },
	{ "host 10.0.0.300", 6, "expected an IPv4 or IPv6 address after 'host', not '10.0.0.300'" },
	{ "src host 2001:db8::g", 10, "expected an IPv4 or IPv6 address after 'host', not '2001:db8::g'" },
	{ "host 10.0.0.0/8", 6, "'10.0.0.0/8' is a prefix; use 'net' to match a prefix" },
	{ "port", 5, "expected a port number after 'port'" },
	{ "port http", 6, "expected a port number after 'port', not 'http'" },
	{ "port 70000", 6, "port 70000 is out of range (0-65535)" },
	{ "dst port > ", 12, "expected a port number after '>'" },
	{ "net 10.0.0.0/33", 14, "prefix length 33 is out of range for IPv4 (0-32)" },
	{ "net 2001:db8::/129", 16, "prefix length 129 is out of range for IPv6 (0-128)" },
	{ "net 10.0.0.0/", 14, "expected a prefix length (0-32) after '/'" },
	{ "net 10.0.0.0/x", 14, "expected a prefix length (0-32) after '/'" },
	{ "net 10.0.0.0", 13, "expected '/LEN' or a netmask after '10.0.0.0'" },
	{ "net 10.0.0.0 and any", 14, "expected '/LEN' or a netmask after '10.0.0.0', not 'and'" },
	{ "net 10.0.0.0 255.0.255.0", 14, "netmask 255.0.255.0 is not contiguous" },
	{ "net", 4, "expected a prefix like 10.0.0.0/8 or 2001:db8::/32 after 'net'" },
	{ "proto foo", 7, "expected a protocol (tcp, udp, icmp, icmp6, gre, esp, sctp or 0-255) after 'proto', not 'foo'" },
	{ "proto 256", 7, "protocol 256 is out of range (0-255)" },
	{ "as 4294967296", 4, "AS number 4294967296 is out of range (0-4294967295)" },
	{ "bytes > 99999999999999999999", 9, "byte count '99999999999999999999' is too large" },
	{ "bytes > 20000000000g", 9, "byte count '20000000000g' is too large" },
	{ "bytes > 10x", 9, "expected a byte count (like 1500, 10k or 2m) after '>', not '10x'" },
	{ "packets >", 10, "expected a packet count (like 10 or 5k) after '>'" },
	{ "in 3", 4, "expected 'if' after 'in', not '3'" },
	{ "src 10.0.0.1", 5, "expected host, ip, net, port, as or country after 'src', not '10.0.0.1'" },
	{ "host 10.0.0.1 port 80", 15, "expected 'and' or 'or' after '10.0.0.1', not 'port'" },
	{ "port 80 any", 9, "expected 'and' or 'or' after '80', not 'any'" },
	{ "(port 80", 9, "expected ')' to close the '(' at column 1" },
	{ "((port 80) or (port 53)", 24, "expected ')' to close the '(' at column 1" },
	{ "(port 80 port 53)", 10, "expected 'and', 'or' or ')' after '80', not 'port'" },
	{ "port 80)", 8, "unexpected ')' with no matching '('" },
	{ "()", 2, "expected an expression after '(', not ')'" },
	{ ")", 1, "expected a test such as host, net, port or proto, not ')'" },
	{ "port 80 and", 12, "expected a test such as host, net, port or proto after 'and'" },
	{ "port 80 or or port 53", 12, "expected a test such as host, net, port or proto after 'or', not 'or'" },
	{ "and port 80", 1, "expected a test such as host, net, port or proto, not 'and'" },
	{ "not", 4, "expected a test such as host, net, port or proto after 'not'" },
	{ "port 80 & port 53", 9, "unexpected '&' (use '&&')" },
	{ "port 80 | port 53", 9, "unexpected '|' (use '||')" },
	{ "port in 80", 9, "expected '[' to start a list after 'in', not '80'" },
	{ "port in [80 443", 16, "expected ']' to close the list at column 9" },
	{ "port in []", 10, "expected a port number in the list" },
	{ "port in [80 x]", 13, "expected a port number or ']' after '80', not 'x'" },
	{ "  host\t", 8, "expected an IPv4 or IPv6 address after 'host'" },
	{ "port 80 and h\xc3\xb6st 1", 13, "unknown keyword 'h\xc3\xb6st'; expected host, net, port, proto, as, if, "
		      "exporter, country, bytes, packets, inet, inet6 or any" },
	{ "port 80\x01", 8, "unexpected byte 0x01" },
	{ "port 80 and\x7f", 12, "unexpected byte 0x7f" },
	{ "exporter", 9, "expected an address or prefix after 'exporter'" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;
		int col = -1;
		struct filter *f = filter_parse(bad[i].expr, &cause, &col);
		ok(!f, "refused: %s", bad[i].expr);
		is_str(cause, bad[i].cause, "message: %s", bad[i].expr);
		is_u64(col, bad[i].col, "column: %s", bad[i].expr);
		filter_free(f);
		free(cause);
	}
}

static struct filter *parse(const char *expr, char **cause, int *col)
{
	*cause = NULL;
	*col = 0;
	return filter_parse(expr, cause, col);
}

static void test_bounds(const struct flow *fl)
{
	char *s = malloc(FILTER_MAX_LEN + 2), *cause;
	int col;
	struct filter *f;

	/* Nesting: 64 levels parse and match, 65 are refused at the 65th '('. */
	for (int depth = FILTER_MAX_DEPTH; depth <= FILTER_MAX_DEPTH + 1; depth++) {
		int n = 0;
		for (int i = 0; i < depth; i++)
			s[n++] = '(';
		n += sprintf(s + n, "proto tcp");
		for (int i = 0; i < depth; i++)
			s[n++] = ')';
		s[n] = '\0';
		f = parse(s, &cause, &col);
		if (depth == FILTER_MAX_DEPTH) {
			ok(f && filter_match(f, &fl[A]) && !filter_match(f, &fl[B]), "depth %d parses and matches", depth);
		} else {
			ok(!f, "depth %d refused", depth);
			is_str(cause, "parentheses nest deeper than 64 levels", "depth: message");
			is_u64(col, FILTER_MAX_DEPTH + 1, "depth: column of the first '(' too many");
		}
		filter_free(f);
		free(cause);
	}

	/* Unbalanced deep nesting is refused, not overflowed. */
	memset(s, '(', FILTER_MAX_LEN);
	s[FILTER_MAX_LEN] = '\0';
	f = parse(s, &cause, &col);
	ok(!f && col == FILTER_MAX_DEPTH + 1, "4096 '(' refused at column 65");
	free(cause);

	/* 'not' is not recursion: thousands of them are fine. */
	memset(s, '!', FILTER_MAX_LEN - 9);
	strcpy(s + FILTER_MAX_LEN - 9, "proto tcp");
	f = parse(s, &cause, &col);
	ok(f && strlen(filter_text(f)) == FILTER_MAX_LEN, "4087 '!' then a test: parses");
	ok(f && !filter_match(f, &fl[A]) && filter_match(f, &fl[B]), "odd number of '!' negates");
	filter_free(f);

	/* Length: exactly the maximum is accepted, one more is refused. A long
	 * chain of 'or' also checks that long chains neither recurse nor break. */
	int n = 0;
	while (n + 16 <= FILTER_MAX_LEN)
		n += sprintf(s + n, "%sport %5d", n ? " or " : "", 10000 + n);
	n += sprintf(s + n, " or port 443");
	while (n < FILTER_MAX_LEN)
		s[n++] = ' ';
	s[n] = '\0';
	f = parse(s, &cause, &col);
	ok(f != NULL, "expression of exactly %d characters parses", FILTER_MAX_LEN);
	ok(f && filter_match(f, &fl[A]) && !filter_match(f, &fl[B]), "long 'or' chain: last term decides");
	filter_free(f);
	s[n++] = ' ';
	s[n] = '\0';
	f = parse(s, &cause, &col);
	ok(!f, "expression of %d characters refused", FILTER_MAX_LEN + 1);
	is_str(cause, "expression is longer than 4096 characters", "length: message");
	is_u64(col, FILTER_MAX_LEN + 1, "length: column");
	free(cause);
	free(s);
}

static void test_api(const struct flow *fl)
{
	char *cause;
	int col;
	struct filter *f = parse("  src net 10.0.0.0/8  and not port 53\t\n", &cause, &col);
	is_str(f ? filter_text(f) : NULL, "src net 10.0.0.0/8  and not port 53", "text: trimmed, inner spacing kept");
	ok(cause == NULL && col == 0, "success leaves no cause and column 0");
	filter_free(f);
	f = parse("", &cause, &col);
	is_str(f ? filter_text(f) : NULL, "", "text: empty");
	filter_free(f);
	f = filter_parse(NULL, NULL, NULL);
	ok(f && filter_match(f, &fl[C]), "NULL expression matches everything");
	filter_free(f);
	ok(!filter_parse("port x", NULL, NULL), "error without cause or column pointers");
	ok(filter_match(NULL, &fl[A]), "NULL filter matches everything");
	filter_free(NULL);

	/* One compiled filter, many flows: matching keeps no state between calls. */
	f = parse("(src net 10.0.0.0/8 or src net 2001:db8:1::/48) and proto tcp", &cause, &col);
	int hits = 0;
	for (int r = 0; r < 1000; r++)
		for (int i = 0; i < NFLOWS; i++)
			hits += filter_match(f, &fl[i]);
	is_u64(hits, 2000, "repeated matching is stable");
	filter_free(f);
}

int main(void)
{
	struct flow fl[NFLOWS];
	for (int i = 0; i < NFLOWS; i++)
		fl[i] = mk(&specs[i]);
	test_cases(fl);
	test_errors();
	test_bounds(fl);
	test_api(fl);
	return done_testing();
}
