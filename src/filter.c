/* filter: a recursive-descent parser builds a small tree only to compile it
 * into a branch program: one test per leaf, each with a target for true and
 * one for false. Targets always point forward (to a later test, ACCEPT = n or
 * REJECT = n + 1), so matching is a loop that cannot recurse, allocate or fail
 * to end, and 'and', 'or' and 'not' cost nothing at match time. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "geo.h"
#include "xmem.h"

enum tk {
	TK_END, TK_WORD, TK_BAD, TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_COMMA,
	TK_AND, TK_OR, TK_NOT, TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
};

struct tok {
	enum tk t;
	size_t at, len;		/* byte offset into the expression as given */
};

enum test { T_ANY, T_FAMILY, T_ADDR, T_NUM, T_SET };
enum where { W_SRC, W_DST, W_BOTH, W_EXPORTER };
enum dir { D_SRC, D_DST, D_BOTH };	/* in if = D_SRC, out if = D_DST */
enum kind { K_PORT, K_AS, K_IF, K_PROTO, K_BYTES, K_PACKETS };
/* Numeric fields: kind * 3 + dir for the first three kinds. */
enum field {
	F_SPORT, F_DPORT, F_PORT, F_SAS, F_DAS, F_AS, F_INIF, F_OUTIF, F_IF,
	F_PROTO, F_BYTES, F_PACKETS, F_SCC, F_DCC, F_CC,
};

/* A country test's value: the ISO letters, or 0x10000 + the address class
 * (private, documentation...) for addresses that have no country. */
#define CC_CLASS 0x10000u

static uint64_t cc_value(uint16_t cc, uint8_t cls)
{
	return cls ? CC_CLASS + cls : cc;
}
enum op { OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE };

struct insn {
	uint8_t test, field, op, v6only;	/* field: enum where or enum field; op: 4 or 6 for T_FAMILY */
	uint32_t jt, jf;
	union {
		struct { uint64_t p[2], m[2]; } net;	/* prefix and mask over the 16-byte address */
		uint64_t v;
		struct { uint32_t off, n; } set;	/* sorted, into filter.set */
	} u;
};

struct filter {
	char *text;
	struct insn *prog;
	uint32_t n;
	uint64_t *set;
};

enum nkind { N_LEAF, N_AND, N_OR };

struct node {
	uint8_t kind;
	bool neg;
	uint32_t first;		/* index of the first test in this subtree */
	int child, next;	/* -1 = none */
};

struct parser {
	const char *s;
	struct tok tok, prev;	/* lookahead, and the last token consumed */
	bool has_prev;
	int depth;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct insn *prog;
	size_t n, cap;
	uint64_t *set;
	size_t nset, capset;
	char *cause;
	size_t err_at;
};

static const uint8_t mapped_prefix[16] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff, 0,0,0,0 };
static const uint8_t mapped_mask[16] = { 0xff,0xff,0xff,0xff, 0xff,0xff,0xff,0xff,
					 0xff,0xff,0xff,0xff, 0,0,0,0 };

/* ---- matching ---- */

static inline bool is_mapped(const uint64_t w[2])
{
	uint64_t p[2], m[2];
	memcpy(p, mapped_prefix, 16);
	memcpy(m, mapped_mask, 16);
	return (w[0] & m[0]) == p[0] && (w[1] & m[1]) == p[1];
}

static inline bool net_has(const struct insn *i, const struct flow_addr *a)
{
	uint64_t w[2];
	memcpy(w, a->b, 16);
	if ((w[0] & i->u.net.m[0]) != i->u.net.p[0] || (w[1] & i->u.net.m[1]) != i->u.net.p[1])
		return false;
	return !i->v6only || !is_mapped(w);
}

/* inet: either end is v4-mapped; inet6: either end is a real (non-zero) IPv6 address. */
static bool family_is(const struct flow_addr *a, int fam)
{
	uint64_t w[2];
	memcpy(w, a->b, 16);
	if (fam == 4)
		return is_mapped(w);
	return !is_mapped(w) && (w[0] | w[1]) != 0;
}

static inline unsigned values(uint8_t field, const struct flow *fl, uint64_t v[2])
{
	switch (field) {
	case F_SPORT: v[0] = fl->sport; return 1;
	case F_DPORT: v[0] = fl->dport; return 1;
	case F_PORT: v[0] = fl->sport; v[1] = fl->dport; return 2;
	case F_SAS: v[0] = fl->src_as; return 1;
	case F_DAS: v[0] = fl->dst_as; return 1;
	case F_AS: v[0] = fl->src_as; v[1] = fl->dst_as; return 2;
	case F_INIF: v[0] = fl->in_if; return 1;
	case F_OUTIF: v[0] = fl->out_if; return 1;
	case F_IF: v[0] = fl->in_if; v[1] = fl->out_if; return 2;
	case F_PROTO: v[0] = fl->proto; return 1;
	case F_BYTES: v[0] = fl->bytes; return 1;
	case F_PACKETS: v[0] = fl->packets; return 1;
	case F_SCC: v[0] = cc_value(fl->src_cc, fl->src_class); return 1;
	case F_DCC: v[0] = cc_value(fl->dst_cc, fl->dst_class); return 1;
	case F_CC:
		v[0] = cc_value(fl->src_cc, fl->src_class);
		v[1] = cc_value(fl->dst_cc, fl->dst_class);
		return 2;
	}
	return 0;
}

static inline bool cmp(uint8_t op, uint64_t a, uint64_t b)
{
	switch (op) {
	case OP_EQ: return a == b;
	case OP_LT: return a < b;
	case OP_LE: return a <= b;
	case OP_GT: return a > b;
	case OP_GE: return a >= b;
	}
	return false;
}

static bool in_set(const uint64_t *s, uint32_t n, uint64_t v)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && s[lo] == v;
}

static inline bool test(const struct filter *f, const struct insn *i, const struct flow *fl)
{
	uint64_t v[2];
	unsigned n, k;
	switch (i->test) {
	case T_ANY:
		return true;
	case T_FAMILY:
		return family_is(&fl->src, i->op) || family_is(&fl->dst, i->op);
	case T_ADDR:
		switch (i->field) {
		case W_SRC: return net_has(i, &fl->src);
		case W_DST: return net_has(i, &fl->dst);
		case W_BOTH: return net_has(i, &fl->src) || net_has(i, &fl->dst);
		case W_EXPORTER: return net_has(i, &fl->exporter);
		}
		return false;
	case T_NUM:
		n = values(i->field, fl, v);
		for (k = 0; k < n; k++)
			if (cmp(i->op, v[k], i->u.v))
				return true;
		return false;
	case T_SET:
		n = values(i->field, fl, v);
		for (k = 0; k < n; k++)
			if (in_set(f->set + i->u.set.off, i->u.set.n, v[k]))
				return true;
		return false;
	}
	return false;
}

bool filter_match(const struct filter *f, const struct flow *fl)
{
	if (!f)
		return true;
	uint32_t pc = 0, n = f->n;
	while (pc < n) {
		const struct insn *i = &f->prog[pc];
		pc = test(f, i, fl) ? i->jt : i->jf;
	}
	return pc == n;
}

/* ---- lexing and errors ---- */

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Bytes >= 0x80 belong to words, so "höst" is reported whole as an unknown keyword. */
static bool is_word(int c)
{
	return c > 0x20 && c != 0x7f && !strchr("()[],!&|=<>", c);
}

static void lex(struct parser *p, size_t pos)
{
	const char *s = p->s;
	while (is_space((unsigned char)s[pos]))
		pos++;
	struct tok t = { TK_END, pos, 0 };
	char c = s[pos], d = c ? s[pos + 1] : '\0';
	if (!c) {
		p->tok = t;
		return;
	}
	t.len = 1;
	switch (c) {
	case '(': t.t = TK_LPAREN; break;
	case ')': t.t = TK_RPAREN; break;
	case '[': t.t = TK_LBRACK; break;
	case ']': t.t = TK_RBRACK; break;
	case ',': t.t = TK_COMMA; break;
	case '&': t.t = d == '&' ? TK_AND : TK_BAD; t.len += d == '&'; break;
	case '|': t.t = d == '|' ? TK_OR : TK_BAD; t.len += d == '|'; break;
	case '!': t.t = d == '=' ? TK_NE : TK_NOT; t.len += d == '='; break;
	case '=': t.t = TK_EQ; t.len += d == '='; break;
	case '<': t.t = d == '=' ? TK_LE : TK_LT; t.len += d == '='; break;
	case '>': t.t = d == '=' ? TK_GE : TK_GT; t.len += d == '='; break;
	default:
		if (!is_word((unsigned char)c)) {
			t.t = TK_BAD;
			break;
		}
		t.t = TK_WORD;
		while (is_word((unsigned char)s[pos + t.len]))
			t.len++;
		break;
	}
	p->tok = t;
}

static void next(struct parser *p)
{
	p->prev = p->tok;
	p->has_prev = true;
	lex(p, p->tok.at + p->tok.len);
}

static __attribute__((format(printf, 3, 4))) int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	if (p->cause)
		return -1;	/* the first error is the one to show */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	p->cause = xstrdup(buf);
	p->err_at = at;
	return -1;
}

/* "'text'" for a token, shortened, or a name for the end. */
static const char *desc(const struct parser *p, const struct tok *t, char *buf, size_t len)
{
	if (t->t == TK_END)
		snprintf(buf, len, "the end");
	else if (t->len > 32)
		snprintf(buf, len, "'%.29s...'", p->s + t->at);
	else
		snprintf(buf, len, "'%.*s'", (int)t->len, p->s + t->at);
	return buf;
}

/* The current token is not what the grammar wants here. */
static int unexpected(struct parser *p, const char *what)
{
	char a[48], b[48];
	unsigned char c = (unsigned char)p->s[p->tok.at];
	if (p->tok.t == TK_BAD) {
		if (c == '&' || c == '|')
			return fail(p, p->tok.at, "unexpected '%c' (use '%c%c')", c, c, c);
		if (c > 0x20 && c < 0x7f)
			return fail(p, p->tok.at, "unexpected character '%c'", c);
		return fail(p, p->tok.at, "unexpected byte 0x%02x", c);
	}
	if (!p->has_prev)
		return fail(p, p->tok.at, "expected %s, not %s", what, desc(p, &p->tok, a, sizeof a));
	desc(p, &p->prev, a, sizeof a);
	if (p->tok.t == TK_END)
		return fail(p, p->tok.at, "expected %s after %s", what, a);
	return fail(p, p->tok.at, "expected %s after %s, not %s", what, a, desc(p, &p->tok, b, sizeof b));
}

static bool kw(const struct parser *p, const char *k)
{
	size_t n = strlen(k);
	return p->tok.t == TK_WORD && p->tok.len == n && strncasecmp(p->s + p->tok.at, k, n) == 0;
}

static bool at_and(const struct parser *p)
{
	return p->tok.t == TK_AND || kw(p, "and");
}

static bool at_or(const struct parser *p)
{
	return p->tok.t == TK_OR || kw(p, "or");
}

static bool at_not(const struct parser *p)
{
	return p->tok.t == TK_NOT || kw(p, "not");
}

/* ---- building ---- */

static int new_node(struct parser *p, uint8_t kind, uint32_t first)
{
	if (p->nnodes == p->capnodes) {
		p->capnodes = p->capnodes ? p->capnodes * 2 : 16;
		p->nodes = xreallocarray(p->nodes, p->capnodes, sizeof *p->nodes);
	}
	p->nodes[p->nnodes] = (struct node){ kind, false, first, -1, -1 };
	return (int)p->nnodes++;
}

/* Appends a test and the leaf that owns it; returns the leaf. */
static int leaf(struct parser *p, const struct insn *i)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->prog = xreallocarray(p->prog, p->cap, sizeof *p->prog);
	}
	p->prog[p->n] = *i;
	return new_node(p, N_LEAF, (uint32_t)p->n++);
}

static void set_add(struct parser *p, uint64_t v)
{
	if (p->nset == p->capset) {
		p->capset = p->capset ? p->capset * 2 : 16;
		p->set = xreallocarray(p->set, p->capset, sizeof *p->set);
	}
	p->set[p->nset++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Fills in the targets: t where the subtree is true, f where false. */
static void gen(struct parser *p, int i, uint32_t t, uint32_t f)
{
	const struct node *nd = &p->nodes[i];
	if (nd->neg) {
		uint32_t x = t;
		t = f;
		f = x;
	}
	if (nd->kind == N_LEAF) {
		p->prog[nd->first].jt = t;
		p->prog[nd->first].jf = f;
		return;
	}
	for (int c = nd->child; c >= 0; c = p->nodes[c].next) {
		int nx = p->nodes[c].next;
		if (nd->kind == N_AND)
			gen(p, c, nx >= 0 ? p->nodes[nx].first : t, f);
		else
			gen(p, c, t, nx >= 0 ? p->nodes[nx].first : f);
	}
}

/* ---- values ---- */

static const struct {
	const char *name, *what;
	uint64_t max;
	bool suffix;
} kinds[] = {
	[K_PORT] = { "port", "a port number", 65535, false },
	[K_AS] = { "AS number", "an AS number", UINT32_MAX, false },
	[K_IF] = { "interface index", "an interface index", UINT32_MAX, false },
	[K_PROTO] = { "protocol", "a protocol (tcp, udp, icmp, icmp6, gre, esp, sctp or 0-255)", 255, false },
	[K_BYTES] = { "byte count", "a byte count (like 1500, 10k or 2m)", UINT64_MAX, true },
	[K_PACKETS] = { "packet count", "a packet count (like 10 or 5k)", UINT64_MAX, true },
};

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "icmp6", 58 }, { "icmpv6", 58 }, { "ipv6-icmp", 58 }, { "ospf", 89 },
	{ "sctp", 132 },
};

/* 0 = ok, -1 = not a number, -2 = too large. */
static int parse_u64(const char *s, size_t len, bool suffix, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	size_t i = 0;
	if (!len || s[0] < '0' || s[0] > '9')
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	if (i < len) {
		if (!suffix || i + 1 != len)
			return -1;
		switch (s[i] | 0x20) {
		case 'k': mul = 1000; break;
		case 'm': mul = 1000000; break;
		case 'g': mul = 1000000000; break;
		case 't': mul = 1000000000000ULL; break;
		default: return -1;
		}
	}
	if (v > UINT64_MAX / mul)
		return -2;
	*out = v * mul;
	return 0;
}

/* One value of a numeric test; the current token is consumed on success. */
static int parse_value(struct parser *p, enum kind k, const char *what, uint64_t *v)
{
	const char *w = p->s + p->tok.at;
	size_t len = p->tok.len;
	if (p->tok.t != TK_WORD)
		return unexpected(p, what);
	if (k == K_PROTO)
		for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
			if (strlen(protos[i].name) == len && !strncasecmp(w, protos[i].name, len)) {
				*v = protos[i].num;
				next(p);
				return 0;
			}
	int r = parse_u64(w, len, kinds[k].suffix, v);
	if (r == -1)
		return unexpected(p, what);
	if (r == -2 || *v > kinds[k].max) {
		if (kinds[k].max == UINT64_MAX)
			return fail(p, p->tok.at, "%s '%.*s' is too large", kinds[k].name, (int)len, w);
		return fail(p, p->tok.at, "%s %.*s is out of range (0-%llu)", kinds[k].name,
			    len > 24 ? 24 : (int)len, w, (unsigned long long)kinds[k].max);
	}
	next(p);
	return 0;
}

static int parse_set(struct parser *p, enum kind k, struct insn *i)
{
	char what[128];
	size_t open = p->tok.at, off = p->nset;
	uint64_t v;
	if (p->tok.t != TK_LBRACK)
		return unexpected(p, "'[' to start a list");
	next(p);
	snprintf(what, sizeof what, "%s or ']'", kinds[k].what);
	for (;;) {
		if (p->tok.t == TK_COMMA) {
			next(p);
			continue;
		}
		if (p->tok.t == TK_RBRACK)
			break;
		if (p->tok.t == TK_END)
			return fail(p, p->tok.at, "expected ']' to close the list at column %zu", open + 1);
		if (parse_value(p, k, what, &v) < 0)
			return -1;
		set_add(p, v);
	}
	if (p->nset == off)
		return fail(p, p->tok.at, "expected %s in the list", kinds[k].what);
	qsort(p->set + off, p->nset - off, sizeof *p->set, cmp_u64);
	size_t n = 1;
	for (size_t j = off + 1; j < p->nset; j++)
		if (p->set[j] != p->set[off + n - 1])
			p->set[off + n++] = p->set[j];
	p->nset = off + n;
	i->test = T_SET;
	i->u.set.off = (uint32_t)off;
	i->u.set.n = (uint32_t)n;
	next(p);
	return 0;
}

/* [op] value | 'in' '[' value... ']' after a numeric keyword. */
static int parse_num(struct parser *p, enum kind k, enum dir d)
{
	static const char *const words[] = { "eq", "lt", "le", "gt", "ge" };
	struct insn i = { .test = T_NUM, .op = OP_EQ };
	bool neg = false;
	i.field = (uint8_t)(k <= K_IF ? k * 3 + d : F_PROTO + (k - K_PROTO));
	next(p);
	switch (p->tok.t) {
	case TK_EQ: next(p); break;
	case TK_NE: neg = true; next(p); break;
	case TK_LT: i.op = OP_LT; next(p); break;
	case TK_LE: i.op = OP_LE; next(p); break;
	case TK_GT: i.op = OP_GT; next(p); break;
	case TK_GE: i.op = OP_GE; next(p); break;
	default:
		if (kw(p, "in")) {
			next(p);
			if (parse_set(p, k, &i) < 0)
				return -1;
			return leaf(p, &i);
		}
		if (kw(p, "ne")) {
			neg = true;
			next(p);
		}
		for (unsigned j = 0; j < sizeof words / sizeof words[0]; j++)
			if (kw(p, words[j])) {
				i.op = (uint8_t)j;
				next(p);
				break;
			}
	}
	if (parse_value(p, k, kinds[k].what, &i.u.v) < 0)
		return -1;
	int n = leaf(p, &i);
	/* "port != 80" is "not port 80": neither end is 80. */
	p->nodes[n].neg = neg;
	return n;
}

/* [src|dst] country CC|CLASS [= or !=]: ISO 3166 letters or an address class. */
static int parse_country(struct parser *p, enum dir d)
{
	struct insn i = { .test = T_NUM, .op = OP_EQ };
	bool neg = false;
	i.field = (uint8_t)(d == D_SRC ? F_SCC : d == D_DST ? F_DCC : F_CC);
	next(p);
	if (p->tok.t == TK_EQ) {
		next(p);
	} else if (p->tok.t == TK_NE) {
		neg = true;
		next(p);
	}
	if (p->tok.t != TK_WORD)
		return unexpected(p, "a country code such as GB, or private, documentation...");
	const char *w = p->s + p->tok.at;
	size_t len = p->tok.len;
	if (len == 2 && ((w[0] | 0x20) >= 'a' && (w[0] | 0x20) <= 'z') && ((w[1] | 0x20) >= 'a' && (w[1] | 0x20) <= 'z')) {
		i.u.v = (uint64_t)((w[0] & ~0x20) << 8 | (w[1] & ~0x20));
	} else if (len == 7 && !strncasecmp(w, "unknown", 7)) {
		i.u.v = 0;	/* a public address the databases do not place */
	} else {
		int cls = -1;
		for (int c = 1; c < GEO_CLASS_COUNT; c++)
			if (strlen(geo_class_name((enum geo_class)c)) == len &&
			    !strncasecmp(w, geo_class_name((enum geo_class)c), len))
				cls = c;
		if (cls < 0)
			return fail(p, p->tok.at, "'%.*s' is not a country code (two letters), unknown, or an address class "
				    "(private, loopback, link-local, cgnat, documentation, multicast, reserved)",
				    len > 32 ? 32 : (int)len, w);
		i.u.v = CC_CLASS + (uint64_t)cls;
	}
	next(p);
	int n = leaf(p, &i);
	p->nodes[n].neg = neg;
	return n;
}

static void set_prefix(struct insn *i, const struct flow_addr *a, unsigned bits)
{
	uint8_t m[16] = { 0 }, pre[16];
	for (unsigned b = 0; b < 16; b++) {
		unsigned have = bits > b * 8 ? bits - b * 8 : 0;
		m[b] = have >= 8 ? 0xff : (uint8_t)(0xff00 >> have);
		pre[b] = a->b[b] & m[b];
	}
	memcpy(i->u.net.p, pre, 16);
	memcpy(i->u.net.m, m, 16);
	/* A v6 prefix never matches a v4-mapped address; a v4 prefix (which covers
	 * the ::ffff:0:0/96 bits) never matches anything else. */
	i->v6only = !(flow_addr_is4(a) && bits >= 96);
}

/* A dotted-quad netmask after "net A.B.C.D": its prefix length, or -1. */
static int netmask_len(const struct parser *p)
{
	char buf[16];
	struct flow_addr a;
	if (p->tok.t != TK_WORD || p->tok.len >= sizeof buf || memchr(p->s + p->tok.at, ':', p->tok.len))
		return -1;
	memcpy(buf, p->s + p->tok.at, p->tok.len);
	buf[p->tok.len] = '\0';
	if (!flow_addr_parse(buf, &a))
		return -1;
	uint32_t m = (uint32_t)a.b[12] << 24 | (uint32_t)a.b[13] << 16 | (uint32_t)a.b[14] << 8 | a.b[15];
	uint32_t inv = ~m;
	if (inv & (inv + 1))
		return -2;
	int len = 0;
	while (m) {
		len++;
		m <<= 1;
	}
	return len;
}

enum amode { A_HOST, A_NET, A_EITHER };

static int parse_addr(struct parser *p, enum where w, enum amode mode)
{
	static const char *const what[] = { "an IPv4 or IPv6 address", "a prefix like 10.0.0.0/8 or 2001:db8::/32",
					    "an address or prefix" };
	struct insn i = { .test = T_ADDR, .field = (uint8_t)w };
	struct flow_addr a;
	char buf[64];
	next(p);
	if (p->tok.t != TK_WORD)
		return unexpected(p, what[mode]);
	const char *s = p->s + p->tok.at;
	const char *slash = memchr(s, '/', p->tok.len);
	size_t alen = slash ? (size_t)(slash - s) : p->tok.len;
	if (alen >= sizeof buf)
		return unexpected(p, what[mode]);
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!flow_addr_parse(buf, &a))
		return unexpected(p, what[mode]);
	bool v4 = !memchr(buf, ':', alen);
	unsigned max = v4 ? 32 : 128, bits = max;
	if (slash && mode == A_HOST)
		return fail(p, p->tok.at, "'%.*s' is a prefix; use 'net' to match a prefix", (int)p->tok.len > 48 ? 48 : (int)p->tok.len, s);
	if (slash) {
		size_t at = p->tok.at + alen + 1, llen = p->tok.len - alen - 1;
		uint64_t l = 0;
		if (parse_u64(p->s + at, llen, false, &l) == -1)
			return fail(p, at, "expected a prefix length (0-%u) after '/'", max);
		if (llen > 3 || l > max)
			return fail(p, at, "prefix length %.*s is out of range for %s (0-%u)", llen > 8 ? 8 : (int)llen,
				    p->s + at, v4 ? "IPv4" : "IPv6", max);
		bits = (unsigned)l;
		next(p);
	} else if (mode == A_NET) {
		next(p);
		int l = v4 ? netmask_len(p) : -1;
		if (l == -2)
			return fail(p, p->tok.at, "netmask %.*s is not contiguous", (int)p->tok.len, p->s + p->tok.at);
		if (l < 0)
			return unexpected(p, v4 ? "'/LEN' or a netmask" : "'/LEN'");
		bits = (unsigned)l;
		next(p);
	} else {
		next(p);
	}
	set_prefix(&i, &a, v4 ? 96 + bits : bits);
	return leaf(p, &i);
}

/* ---- grammar ---- */

static int parse_or(struct parser *p);

static int parse_group(struct parser *p)
{
	size_t open = p->tok.at;
	if (++p->depth > FILTER_MAX_DEPTH)
		return fail(p, open, "parentheses nest deeper than %d levels", FILTER_MAX_DEPTH);
	next(p);
	if (p->tok.t == TK_RPAREN)
		return unexpected(p, "an expression");
	int n = parse_or(p);
	if (n < 0)
		return -1;
	if (p->tok.t == TK_END)
		return fail(p, p->tok.at, "expected ')' to close the '(' at column %zu", open + 1);
	if (p->tok.t != TK_RPAREN)
		return unexpected(p, "'and', 'or' or ')'");
	p->depth--;
	next(p);
	return n;
}

static int parse_primary(struct parser *p)
{
	struct insn i = { .test = T_ANY };
	if (p->tok.t == TK_LPAREN)
		return parse_group(p);
	if (p->tok.t != TK_WORD)
		return unexpected(p, "a test such as host, net, port or proto");
	if (kw(p, "any")) {
		next(p);
		return leaf(p, &i);
	}
	if (kw(p, "inet") || kw(p, "ipv4") || kw(p, "inet6") || kw(p, "ipv6")) {
		i.test = T_FAMILY;
		i.op = kw(p, "inet") || kw(p, "ipv4") ? 4 : 6;
		next(p);
		return leaf(p, &i);
	}
	if (kw(p, "src") || kw(p, "dst")) {
		enum dir d = kw(p, "src") ? D_SRC : D_DST;
		next(p);
		if (kw(p, "host") || kw(p, "ip"))
			return parse_addr(p, (enum where)d, A_HOST);
		if (kw(p, "net"))
			return parse_addr(p, (enum where)d, A_NET);
		if (kw(p, "port"))
			return parse_num(p, K_PORT, d);
		if (kw(p, "as"))
			return parse_num(p, K_AS, d);
		if (kw(p, "country"))
			return parse_country(p, d);
		return unexpected(p, "host, ip, net, port, as or country");
	}
	if (kw(p, "in") || kw(p, "out")) {
		enum dir d = kw(p, "in") ? D_SRC : D_DST;
		next(p);
		if (!kw(p, "if"))
			return unexpected(p, "'if'");
		return parse_num(p, K_IF, d);
	}
	if (kw(p, "host") || kw(p, "ip"))
		return parse_addr(p, W_BOTH, A_HOST);
	if (kw(p, "net"))
		return parse_addr(p, W_BOTH, A_NET);
	if (kw(p, "exporter"))
		return parse_addr(p, W_EXPORTER, A_EITHER);
	if (kw(p, "port"))
		return parse_num(p, K_PORT, D_BOTH);
	if (kw(p, "as"))
		return parse_num(p, K_AS, D_BOTH);
	if (kw(p, "if"))
		return parse_num(p, K_IF, D_BOTH);
	if (kw(p, "country"))
		return parse_country(p, D_BOTH);
	if (kw(p, "proto"))
		return parse_num(p, K_PROTO, D_BOTH);
	if (kw(p, "bytes"))
		return parse_num(p, K_BYTES, D_BOTH);
	if (kw(p, "packets"))
		return parse_num(p, K_PACKETS, D_BOTH);
	if (at_and(p) || at_or(p))
		return unexpected(p, "a test such as host, net, port or proto");
	return fail(p, p->tok.at, "unknown keyword '%.*s'; expected host, net, port, proto, as, if, exporter, "
		    "country, bytes, packets, inet, inet6 or any", p->tok.len > 32 ? 32 : (int)p->tok.len, p->s + p->tok.at);
}

/* 'not' loops rather than recurses, so "not not ... x" cannot exhaust the stack. */
static int parse_unary(struct parser *p)
{
	bool neg = false;
	while (at_not(p)) {
		neg = !neg;
		next(p);
	}
	int n = parse_primary(p);
	if (n >= 0 && neg)
		p->nodes[n].neg = !p->nodes[n].neg;
	return n;
}

/* A run of terms joined by one operator becomes one n-ary node, so long
 * chains do not deepen the tree that gen() walks. */
static int parse_chain(struct parser *p, int (*term)(struct parser *), bool (*at_op)(const struct parser *),
		       uint8_t kind)
{
	int first = term(p);
	if (first < 0 || !at_op(p))
		return first;
	int n = new_node(p, kind, p->nodes[first].first), last = first;
	p->nodes[n].child = first;
	while (at_op(p)) {
		next(p);
		int c = term(p);
		if (c < 0)
			return -1;
		p->nodes[last].next = c;
		last = c;
	}
	return n;
}

static int parse_and(struct parser *p)
{
	return parse_chain(p, parse_unary, at_and, N_AND);
}

static int parse_or(struct parser *p)
{
	return parse_chain(p, parse_and, at_or, N_OR);
}

static int parse_all(struct parser *p)
{
	lex(p, 0);
	if (p->tok.t == TK_END)
		return 0;
	int root = parse_or(p);
	if (root < 0)
		return -1;
	if (p->tok.t == TK_RPAREN)
		return fail(p, p->tok.at, "unexpected ')' with no matching '('");
	if (p->tok.t != TK_END)
		return unexpected(p, "'and' or 'or'");
	gen(p, root, (uint32_t)p->n, (uint32_t)p->n + 1);
	return 0;
}

struct filter *filter_parse(const char *expr, char **cause, int *col)
{
	struct parser p = { 0 };
	size_t len;
	if (cause)
		*cause = NULL;
	if (col)
		*col = 0;
	if (!expr)
		expr = "";
	p.s = expr;
	len = strlen(expr);
	if (len > FILTER_MAX_LEN)
		fail(&p, FILTER_MAX_LEN, "expression is longer than %d characters", FILTER_MAX_LEN);
	else
		parse_all(&p);
	free(p.nodes);
	if (p.cause) {
		if (cause)
			*cause = p.cause;
		else
			free(p.cause);
		if (col)
			*col = (int)p.err_at + 1;
		free(p.prog);
		free(p.set);
		return NULL;
	}
	struct filter *f = xcalloc(1, sizeof *f);
	size_t a = 0, b = len;
	while (a < b && is_space((unsigned char)expr[a]))
		a++;
	while (b > a && is_space((unsigned char)expr[b - 1]))
		b--;
	f->text = xmalloc(b - a + 1);
	memcpy(f->text, expr + a, b - a);
	f->text[b - a] = '\0';
	f->prog = p.prog;
	f->n = (uint32_t)p.n;
	f->set = p.set;
	return f;
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	free(f->text);
	free(f->prog);
	free(f->set);
	free(f);
}

const char *filter_text(const struct filter *f)
{
	return f ? f->text : "";
}
