/* filter: nfdump-style flow filter expressions, e.g.
 * "src net 10.0.0.0/8 and not (port 53 or proto icmp)". Pure: no I/O, no curses.
 * A parsed filter is immutable, so one may be shared by threads; matching never
 * allocates.
 *
 *   expr    := and { ('or' | '||') and }
 *   and     := unary { ('and' | '&&') unary }
 *   unary   := { 'not' | '!' } primary
 *   primary := '(' expr ')' | 'any' | 'inet' | 'ipv4' | 'inet6' | 'ipv6'
 *            | [ 'src' | 'dst' ] ( 'host' | 'ip' ) ADDR
 *            | [ 'src' | 'dst' ] 'net' ( ADDR '/' LEN | IPV4 NETMASK )
 *            | 'exporter' ADDR [ '/' LEN ]
 *            | [ 'src' | 'dst' ] ( 'port' | 'as' ) numtest
 *            | [ 'in' | 'out' ] 'if' numtest
 *            | ( 'proto' | 'bytes' | 'packets' ) numtest
 *   numtest := [ op ] VALUE | 'in' '[' VALUE { [ ',' ] VALUE } ']'
 *   op      := '=' | '==' | '!=' | '<' | '<=' | '>' | '>='
 *            | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
 *
 * Keywords are case-insensitive. Without src/dst (in/out) a test holds if
 * either end satisfies it, except '!=', which is 'not ... =': "port != 53"
 * means neither port is 53. An IPv4 prefix never matches an IPv6 address and
 * an IPv6 prefix never matches an IPv4 one. proto takes tcp, udp, icmp, icmp6
 * (icmpv6), gre, esp, ah, sctp, igmp, ospf or 0-255; bytes and packets take
 * k, m, g, t suffixes (powers of 1000). */
#ifndef NFTOP_FILTER_H
#define NFTOP_FILTER_H

#include <stdbool.h>

#include "flow.h"

#define FILTER_MAX_LEN 4096	/* characters in an expression */
#define FILTER_MAX_DEPTH 64	/* nested parentheses */

struct filter;

/* Parses an expression. On error returns NULL, *cause is a malloc'd one-line
 * message (e.g. "expected a port number after 'port'") and *col the 1-based
 * column in 'expr' (as given, before trimming) where the error is. An empty or
 * all-blank expression matches everything. cause and col may be NULL. */
struct filter *filter_parse(const char *expr, char **cause, int *col);
/* A NULL filter matches everything. */
bool filter_match(const struct filter *f, const struct flow *fl);
void filter_free(struct filter *f);
/* The expression as given (trimmed), for headers and breadcrumbs; "" for NULL. */
const char *filter_text(const struct filter *f);

#endif
