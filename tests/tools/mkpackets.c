/* SPDX-License-Identifier: MIT
 *
 * mkpackets - write a deterministic, ordinary packet capture for tests.
 *
 *   mkpackets OUT.pcap [SEED] [NFLOWS]
 *
 * The capture is a classic pcap file (microsecond timestamps, DLT_EN10MB)
 * written with plain stdio.  It holds NFLOWS conversations (default 300)
 * between about 20 client hosts and a handful of servers, over IPv4 and
 * IPv6: TCP sessions with a full SYN .. FIN exchange (so a flow exporter
 * such as softflowd ends them), UDP request/response traffic (DNS, NTP,
 * QUIC) and one-way syslog, and ICMP / ICMPv6 echo.  Clients are picked
 * with a Zipf-like weight so a few hosts carry most of the bytes.
 *
 * Everything is derived from SEED with a small xorshift generator, so the
 * same SEED and NFLOWS always give a byte-identical file.  The first packet
 * is at 2026-01-02T03:04:05Z and the capture spans about two minutes.
 * IPv4 header checksums, and TCP/UDP/ICMP/ICMPv6 checksums, are correct.
 * "-" as OUT writes to standard output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPOCH_SECONDS 1767323045u /* 2026-01-02T03:04:05Z */
#define SPAN_US 120000000u        /* no packet later than EPOCH + 120 s */
#define START_SPAN_US 100000000u  /* flows start within the first 100 s */
#define NHOSTS 20
#define MAX_FLOWS 20000u
#define MSS 1460u
#define SNAPLEN 65535u

/* ------------------------------------------------------------------ PRNG */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	/* spread the seed over all bits; the state must never be zero */
	rng_state = (seed + 1u) * UINT64_C(0x9E3779B97F4A7C15);
	rng_state ^= rng_state >> 31;
	if (rng_state == 0)
		rng_state = 1;
}

static uint64_t rng_next(void)
{
	/* xorshift64* */
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* uniform in [0, n), n > 0 (the small modulo bias does not matter here) */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)((rng_next() >> 32) % n);
}

/* uniform in [lo, hi] */
static uint32_t rng_range(uint32_t lo, uint32_t hi)
{
	return lo + rng_below(hi - lo + 1u);
}

/* ----------------------------------------------------------- addresses */

struct host {
	int v6;
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint8_t mac[6];
};

static struct host clients[NHOSTS];
static uint32_t zipf_cum[NHOSTS]; /* cumulative weights, scaled integers */

#define NSERVERS 6
static struct host servers4[NSERVERS];
static struct host servers6[NSERVERS];
static const uint8_t router_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0xff, 0x01 };

static void make_hosts(void)
{
	uint32_t total = 0;

	for (int i = 0; i < NHOSTS; i++) {
		struct host *h = &clients[i];
		memset(h, 0, sizeof(*h));
		/* every third rank is an IPv6 host, so IPv6 shows up near the top */
		h->v6 = (i % 3) == 1;
		if (h->v6) {
			static const uint8_t pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0x00, 0x00 };
			memcpy(h->addr, pfx, 8);
			h->addr[15] = (uint8_t)(0x10 + i);
		} else if (i < 10) {
			h->addr[0] = 10;
			h->addr[1] = 1;
			h->addr[2] = 0;
			h->addr[3] = (uint8_t)(10 + i);
		} else {
			h->addr[0] = 192;
			h->addr[1] = 168;
			h->addr[2] = 20;
			h->addr[3] = (uint8_t)(100 + i);
		}
		h->mac[0] = 0x02;
		h->mac[5] = (uint8_t)(i + 1);
		/* Zipf-like weight without libm: 5e6 / (5 r + r^2 / 4) falls
		 * from 1e6 at rank 1 to 25e3 at rank 20, close to 1 / r^1.2. */
		uint32_t r = (uint32_t)i + 1u;
		uint32_t w = 5000000u / (5u * r + (r * r) / 4u);
		total += w;
		zipf_cum[i] = total;
	}

	for (int i = 0; i < NSERVERS; i++) {
		struct host *s4 = &servers4[i], *s6 = &servers6[i];
		memset(s4, 0, sizeof(*s4));
		memset(s6, 0, sizeof(*s6));
		if (i < 3) {
			s4->addr[0] = 198;
			s4->addr[1] = 51;
			s4->addr[2] = 100;
			s4->addr[3] = (uint8_t)(10 * (i + 1));
		} else {
			s4->addr[0] = 203;
			s4->addr[1] = 0;
			s4->addr[2] = 113;
			s4->addr[3] = (uint8_t)(5 * i);
		}
		memcpy(s4->mac, router_mac, 6);
		static const uint8_t pfx6[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x0f, 0xff, 0x00, 0x00 };
		s6->v6 = 1;
		memcpy(s6->addr, pfx6, 8);
		s6->addr[14] = (uint8_t)i;
		s6->addr[15] = 0x01;
		memcpy(s6->mac, router_mac, 6);
	}
}

static int pick_client(void)
{
	uint32_t x = rng_below(zipf_cum[NHOSTS - 1]);
	for (int i = 0; i < NHOSTS; i++)
		if (x < zipf_cum[i])
			return i;
	return NHOSTS - 1;
}

/* ------------------------------------------------------------ services */

enum kind { K_TCP_DOWN, K_TCP_UP, K_TCP_INTERACTIVE, K_UDP_REQRESP, K_UDP_ONEWAY, K_ICMP_ECHO };

struct service {
	enum kind kind;
	uint8_t proto; /* 6, 17, or 1 (ICMPv6 is chosen per family) */
	uint16_t port;
	uint32_t weight;
	int server; /* index into servers4/servers6 */
};

static const struct service services[] = {
	{ K_TCP_DOWN, 6, 443, 34, 0 },
	{ K_TCP_DOWN, 6, 80, 14, 1 },
	{ K_TCP_INTERACTIVE, 6, 22, 7, 2 },
	{ K_TCP_DOWN, 6, 8080, 4, 1 },
	{ K_TCP_UP, 6, 25, 3, 3 },
	{ K_UDP_REQRESP, 17, 53, 16, 4 },
	{ K_UDP_REQRESP, 17, 123, 6, 5 },
	{ K_UDP_REQRESP, 17, 443, 5, 0 },
	{ K_UDP_ONEWAY, 17, 514, 4, 3 },
	{ K_ICMP_ECHO, 1, 0, 7, 2 },
};
#define NSERVICES (sizeof(services) / sizeof(services[0]))

static const struct service *pick_service(void)
{
	uint32_t total = 0;
	for (size_t i = 0; i < NSERVICES; i++)
		total += services[i].weight;
	uint32_t x = rng_below(total);
	for (size_t i = 0; i < NSERVICES; i++) {
		if (x < services[i].weight)
			return &services[i];
		x -= services[i].weight;
	}
	return &services[0];
}

/* roughly log-uniform size: lo << k plus up to as much again */
static uint32_t pick_bytes(uint32_t lo, unsigned max_shift)
{
	uint32_t base = lo << rng_below(max_shift + 1u);
	return base + rng_below(base);
}

/* -------------------------------------------------------------- packets */

struct packet {
	uint64_t ts_us; /* microseconds after EPOCH_SECONDS */
	uint32_t flow;
	uint32_t seq;
	uint32_t len;
	uint8_t *data;
};

static struct packet *pkts;
static size_t npkts, cap_pkts;
static uint16_t ip_id = 0x1000;

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (p == NULL) {
		fprintf(stderr, "mkpackets: out of memory\n");
		exit(1);
	}
	return p;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1u)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One conversation's state while its packets are produced. */
struct conv {
	uint32_t flow;
	uint32_t seq;
	uint64_t now_us;
	const struct host *cli, *srv;
	int v6;
	uint8_t proto; /* 6, 17, 1 or 58 */
	uint16_t cport, sport;
	uint32_t flowlabel;
	uint32_t cseq, sseq; /* TCP sequence numbers */
	const uint8_t *payload; /* if set, the next packet's payload (used once) */
};

/* TCP flag bits */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

/*
 * Emit one packet.  dir 0 is client -> server, 1 is server -> client.
 * For TCP, flags are used and paylen bytes of payload follow the header.
 * For ICMP, icmp_type/icmp_id/icmp_seq describe an echo message.
 */
static void emit(struct conv *c, int dir, uint8_t flags, uint32_t paylen, uint8_t icmp_type,
		 uint16_t icmp_seq)
{
	const struct host *src = dir ? c->srv : c->cli;
	const struct host *dst = dir ? c->cli : c->srv;
	uint32_t l4len;
	uint32_t tcp_hlen = 20;

	if (c->proto == 6) {
		if (flags & TH_SYN)
			tcp_hlen = 24; /* with an MSS option */
		l4len = tcp_hlen + paylen;
	} else if (c->proto == 17) {
		l4len = 8 + paylen;
	} else {
		l4len = 8 + paylen; /* echo header + data */
	}
	uint32_t l3hlen = c->v6 ? 40u : 20u;
	uint32_t len = 14u + l3hlen + l4len;
	uint8_t *b = xmalloc(len);
	memset(b, 0, len);

	/* Ethernet */
	memcpy(b, dst->mac, 6);
	memcpy(b + 6, src->mac, 6);
	put16(b + 12, c->v6 ? 0x86dd : 0x0800);

	uint8_t *ip = b + 14;
	uint8_t *l4 = ip + l3hlen;
	uint32_t pseudo = 0;
	if (c->v6) {
		put32(ip, 0x60000000u | (c->flowlabel & 0xfffffu));
		put16(ip + 4, l4len);
		ip[6] = c->proto;
		ip[7] = dir ? 57 : 64;
		memcpy(ip + 8, src->addr, 16);
		memcpy(ip + 24, dst->addr, 16);
		pseudo = csum_add(0, ip + 8, 32);
		pseudo += l4len >> 16;
		pseudo += l4len & 0xffffu;
		pseudo += c->proto;
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, 20u + l4len);
		put16(ip + 4, ip_id++);
		put16(ip + 6, c->proto == 6 ? 0x4000 : 0); /* DF for TCP */
		ip[8] = dir ? 55 : 64;
		ip[9] = c->proto;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		if (c->proto != 1) {
			pseudo = csum_add(0, ip + 12, 8);
			pseudo += c->proto;
			pseudo += l4len;
		}
	}

	uint8_t *pay;
	if (c->proto == 6) {
		put16(l4, dir ? c->sport : c->cport);
		put16(l4 + 2, dir ? c->cport : c->sport);
		put32(l4 + 4, dir ? c->sseq : c->cseq);
		put32(l4 + 8, (flags & TH_ACK) ? (dir ? c->cseq : c->sseq) : 0);
		l4[12] = (uint8_t)((tcp_hlen / 4u) << 4);
		l4[13] = flags;
		put16(l4 + 14, 64240);
		if (flags & TH_SYN) {
			l4[20] = 2; /* MSS */
			l4[21] = 4;
			put16(l4 + 22, MSS);
		}
		pay = l4 + tcp_hlen;
		uint32_t adv = paylen + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
		if (dir)
			c->sseq += adv;
		else
			c->cseq += adv;
	} else if (c->proto == 17) {
		put16(l4, dir ? c->sport : c->cport);
		put16(l4 + 2, dir ? c->cport : c->sport);
		put16(l4 + 4, l4len);
		pay = l4 + 8;
	} else {
		l4[0] = icmp_type;
		l4[1] = 0;
		put16(l4 + 4, c->cport); /* identifier */
		put16(l4 + 6, icmp_seq);
		pay = l4 + 8;
	}

	/* payload: given by the caller, or a pattern tied to flow and direction */
	if (c->payload != NULL) {
		memcpy(pay, c->payload, paylen);
		c->payload = NULL;
	} else {
		for (uint32_t i = 0; i < paylen; i++)
			pay[i] = (uint8_t)(c->flow * 31u + (uint32_t)dir * 7u + i);
	}

	uint16_t ck;
	if (c->proto == 1) {
		ck = csum_fold(csum_add(0, l4, l4len));
		put16(l4 + 2, ck);
	} else {
		uint32_t off = c->proto == 6 ? 16u : (c->proto == 17 ? 6u : 2u);
		ck = csum_fold(csum_add(pseudo, l4, l4len));
		if (c->proto == 17 && ck == 0)
			ck = 0xffff;
		put16(l4 + off, ck);
	}

	if (npkts == cap_pkts) {
		cap_pkts = cap_pkts ? cap_pkts * 2 : 4096;
		struct packet *np = realloc(pkts, cap_pkts * sizeof(*pkts));
		if (np == NULL) {
			fprintf(stderr, "mkpackets: out of memory\n");
			exit(1);
		}
		pkts = np;
	}
	struct packet *p = &pkts[npkts++];
	p->ts_us = c->now_us;
	p->flow = c->flow;
	p->seq = c->seq++;
	p->len = len;
	p->data = b;
}

/* advance the conversation's clock by a random gap in [lo_us, hi_us] */
static void tick(struct conv *c, uint32_t lo_us, uint32_t hi_us)
{
	c->now_us += rng_range(lo_us, hi_us);
}

static void tcp_conversation(struct conv *c, enum kind kind)
{
	uint32_t up, down;

	switch (kind) {
	case K_TCP_UP:
		up = pick_bytes(400, 7);
		down = rng_range(100, 400);
		break;
	case K_TCP_INTERACTIVE:
		up = pick_bytes(200, 4);
		down = pick_bytes(300, 5);
		break;
	default:
		up = rng_range(150, 700);
		down = pick_bytes(300, 7);
		break;
	}
	uint32_t rtt = rng_range(2000, 40000);

	emit(c, 0, TH_SYN, 0, 0, 0);
	c->now_us += rtt / 2u;
	emit(c, 1, TH_SYN | TH_ACK, 0, 0, 0);
	c->now_us += rtt / 2u;
	emit(c, 0, TH_ACK, 0, 0, 0);

	if (kind == K_TCP_INTERACTIVE) {
		/* small segments both ways, each answered */
		while (up > 0 || down > 0) {
			tick(c, 20000, 400000);
			uint32_t n = up < 120u ? up : rng_range(36, 120);
			if (n > 0) {
				emit(c, 0, TH_PSH | TH_ACK, n, 0, 0);
				up -= n;
			}
			c->now_us += rtt / 2u;
			uint32_t m = down < 400u ? down : rng_range(36, 400);
			if (m > 0) {
				emit(c, 1, TH_PSH | TH_ACK, m, 0, 0);
				down -= m;
			} else {
				emit(c, 1, TH_ACK, 0, 0, 0);
			}
		}
	} else {
		/* request (possibly several segments), then the response */
		int dir_big = kind == K_TCP_UP ? 0 : 1;
		uint32_t small = kind == K_TCP_UP ? down : up;
		uint32_t big = kind == K_TCP_UP ? up : down;
		tick(c, 100, 2000);
		if (kind == K_TCP_UP) {
			emit(c, 1, TH_PSH | TH_ACK, small, 0, 0); /* banner */
			c->now_us += rtt;
		} else {
			emit(c, 0, TH_PSH | TH_ACK, small, 0, 0); /* request */
			c->now_us += rtt / 2u;
		}
		unsigned inflight = 0;
		while (big > 0) {
			uint32_t n = big < MSS ? big : MSS;
			emit(c, dir_big, TH_ACK | (big == n ? TH_PSH : 0), n, 0, 0);
			big -= n;
			tick(c, 150, 3000);
			if (++inflight == 2 || big == 0) {
				emit(c, !dir_big, TH_ACK, 0, 0, 0);
				inflight = 0;
				tick(c, 100, 1500);
			}
		}
		if (kind == K_TCP_UP) {
			c->now_us += rtt / 2u;
			emit(c, 1, TH_PSH | TH_ACK, rng_range(20, 60), 0, 0); /* "250 OK" */
		}
	}

	/* orderly close started by the client */
	tick(c, 1000, 200000);
	emit(c, 0, TH_FIN | TH_ACK, 0, 0, 0);
	c->now_us += rtt / 2u;
	emit(c, 1, TH_FIN | TH_ACK, 0, 0, 0);
	c->now_us += rtt / 2u;
	emit(c, 0, TH_ACK, 0, 0, 0);
}

static void udp_conversation(struct conv *c, const struct service *s)
{
	uint32_t rtt = rng_range(1000, 30000);

	if (s->kind == K_UDP_ONEWAY) {
		uint32_t n = rng_range(3, 40);
		for (uint32_t i = 0; i < n; i++) {
			emit(c, 0, 0, rng_range(60, 480), 0, 0);
			tick(c, 5000, 900000);
		}
		return;
	}
	if (s->port == 53) {
		/* well-formed DNS: a query for an A record and an answer with
		 * one to eight addresses */
		static const uint8_t qname[] = "\003www\007example\003com";
		uint8_t msg[12 + sizeof(qname) + 4 + 8 * 16];
		uint32_t n = rng_range(1, 3);
		for (uint32_t i = 0; i < n; i++) {
			uint16_t id = (uint16_t)rng_next();
			uint32_t qlen = 12u + (uint32_t)sizeof(qname) + 4u;
			memset(msg, 0, sizeof(msg));
			put16(msg, id);
			put16(msg + 2, 0x0100); /* standard query, RD */
			put16(msg + 4, 1);
			memcpy(msg + 12, qname, sizeof(qname)); /* with its final 0 */
			put16(msg + qlen - 4, 1);	/* A */
			put16(msg + qlen - 2, 1);	/* IN */
			c->payload = msg;
			emit(c, 0, 0, qlen, 0, 0);
			c->now_us += rtt;
			uint32_t nans = rng_range(1, 8);
			put16(msg + 2, 0x8180);
			put16(msg + 6, nans);
			for (uint32_t a = 0; a < nans; a++) {
				uint8_t *rr = msg + qlen + 16u * a;
				put16(rr, 0xc00c);	/* name: pointer to the question */
				put16(rr + 2, 1);
				put16(rr + 4, 1);
				put32(rr + 6, 300);	/* TTL */
				put16(rr + 10, 4);
				rr[12] = 192;
				rr[13] = 0;
				rr[14] = 2;
				rr[15] = (uint8_t)rng_range(1, 254);
			}
			c->payload = msg;
			emit(c, 1, 0, qlen + 16u * nans, 0, 0);
			tick(c, 1000, 50000);
		}
		return;
	}
	if (s->port == 123) {
		uint8_t msg[48];
		uint32_t n = rng_range(1, 4);
		for (uint32_t i = 0; i < n; i++) {
			memset(msg, 0, sizeof(msg));
			msg[0] = 0x23; /* NTPv4, client */
			put32(msg + 40, (uint32_t)(EPOCH_SECONDS + 2208988800u + c->now_us / 1000000u));
			c->payload = msg;
			emit(c, 0, 0, 48, 0, 0);
			c->now_us += rtt;
			msg[0] = 0x24; /* NTPv4, server */
			msg[1] = 2;    /* stratum */
			msg[2] = 6;
			msg[3] = 0xe9;
			memcpy(msg + 24, msg + 40, 8); /* origin = client transmit */
			put32(msg + 32, (uint32_t)(EPOCH_SECONDS + 2208988800u + c->now_us / 1000000u));
			put32(msg + 40, (uint32_t)(EPOCH_SECONDS + 2208988800u + c->now_us / 1000000u));
			c->payload = msg;
			emit(c, 1, 0, 48, 0, 0);
			tick(c, 500000, 4000000);
		}
		return;
	}
	/* QUIC-like: a few client packets, a bigger stream back */
	uint32_t down = pick_bytes(1200, 5);
	emit(c, 0, 0, 1200, 0, 0);
	c->now_us += rtt;
	while (down > 0) {
		uint32_t n = down < 1350u ? down : 1350u;
		emit(c, 1, 0, n, 0, 0);
		down -= n;
		tick(c, 150, 3000);
		if (rng_below(3) == 0) {
			emit(c, 0, 0, rng_range(30, 60), 0, 0);
			tick(c, 100, 1000);
		}
	}
}

static void icmp_conversation(struct conv *c)
{
	uint32_t n = rng_range(1, 10);
	uint32_t rtt = rng_range(500, 60000);
	uint8_t req = c->v6 ? 128 : 8, rep = c->v6 ? 129 : 0;

	for (uint32_t i = 0; i < n; i++) {
		emit(c, 0, 0, 56, req, (uint16_t)(i + 1));
		c->now_us += rtt;
		emit(c, 1, 0, 56, rep, (uint16_t)(i + 1));
		tick(c, 900000, 1100000);
	}
}

static int cmp_packet(const void *a, const void *b)
{
	const struct packet *x = a, *y = b;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	if (x->flow != y->flow)
		return x->flow < y->flow ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* ---------------------------------------------------------------- output */

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static int write_pcap(FILE *f)
{
	uint8_t gh[24];
	le32(gh, 0xa1b2c3d4u);
	le16(gh + 4, 2);
	le16(gh + 6, 4);
	le32(gh + 8, 0);  /* thiszone */
	le32(gh + 12, 0); /* sigfigs */
	le32(gh + 16, SNAPLEN);
	le32(gh + 20, 1); /* LINKTYPE_ETHERNET */
	if (fwrite(gh, sizeof(gh), 1, f) != 1)
		return -1;
	for (size_t i = 0; i < npkts; i++) {
		uint8_t rh[16];
		uint64_t ts = pkts[i].ts_us;
		le32(rh, (uint32_t)(EPOCH_SECONDS + ts / 1000000u));
		le32(rh + 4, (uint32_t)(ts % 1000000u));
		le32(rh + 8, pkts[i].len);
		le32(rh + 12, pkts[i].len);
		if (fwrite(rh, sizeof(rh), 1, f) != 1 || fwrite(pkts[i].data, pkts[i].len, 1, f) != 1)
			return -1;
	}
	return 0;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkpackets OUT.pcap [SEED] [NFLOWS]\n"
			"  writes a deterministic Ethernet pcap (default SEED 1, NFLOWS 300, max %u)\n",
		MAX_FLOWS);
}

int main(int argc, char **argv)
{
	uint32_t seed = 1, nflows = 300;

	if (argc < 2 || argc > 4 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage();
		return 2;
	}
	if (argc > 2 && parse_u32(argv[2], UINT32_MAX, &seed) != 0) {
		fprintf(stderr, "mkpackets: bad SEED '%s'\n", argv[2]);
		return 2;
	}
	if (argc > 3 && (parse_u32(argv[3], MAX_FLOWS, &nflows) != 0 || nflows == 0)) {
		fprintf(stderr, "mkpackets: NFLOWS must be 1..%u\n", MAX_FLOWS);
		return 2;
	}

	rng_seed(seed);
	make_hosts();

	uint32_t per_proto[4] = { 0, 0, 0, 0 };
	uint32_t nv6 = 0;
	for (uint32_t i = 0; i < nflows; i++) {
		const struct service *s = pick_service();
		const struct host *cli = &clients[pick_client()];
		struct conv c;
		memset(&c, 0, sizeof(c));
		c.flow = i;
		c.cli = cli;
		c.v6 = cli->v6;
		c.srv = c.v6 ? &servers6[s->server] : &servers4[s->server];
		c.proto = s->proto == 1 ? (c.v6 ? 58 : 1) : s->proto;
		/* a distinct client port per flow: 7919 is prime to 28232 */
		c.cport = (uint16_t)(32768u + (i * 7919u) % 28232u);
		c.sport = s->port;
		c.flowlabel = (uint32_t)rng_next() & 0xfffffu;
		c.cseq = (uint32_t)rng_next();
		c.sseq = (uint32_t)rng_next();
		c.now_us = i == 0 ? 0 : rng_below(START_SPAN_US);

		size_t first = npkts;
		if (s->kind == K_ICMP_ECHO)
			icmp_conversation(&c);
		else if (s->proto == 6)
			tcp_conversation(&c, s->kind);
		else
			udp_conversation(&c, s);

		/* keep the whole capture inside the two-minute span: shift a
		 * late conversation back rather than cutting it */
		uint64_t last = pkts[npkts - 1].ts_us;
		if (last >= SPAN_US) {
			uint64_t shift = last - SPAN_US + 1u;
			uint64_t start = pkts[first].ts_us;
			if (shift > start)
				shift = start;
			for (size_t k = first; k < npkts; k++)
				pkts[k].ts_us -= shift;
		}
		per_proto[s->proto == 6 ? 0 : s->proto == 17 ? 1 : 2]++;
		nv6 += c.v6 ? 1u : 0u;
	}

	qsort(pkts, npkts, sizeof(*pkts), cmp_packet);

	FILE *f = strcmp(argv[1], "-") == 0 ? stdout : fopen(argv[1], "wb");
	if (f == NULL) {
		fprintf(stderr, "mkpackets: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int rc = write_pcap(f);
	if (f != stdout) {
		if (fclose(f) != 0)
			rc = -1;
	} else if (fflush(f) != 0) {
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "mkpackets: writing %s failed\n", argv[1]);
		return 1;
	}
	uint64_t bytes = 0;
	for (size_t i = 0; i < npkts; i++) {
		bytes += pkts[i].len;
		free(pkts[i].data);
	}
	free(pkts);
	fprintf(stderr,
		"mkpackets: %u conversations (tcp %u, udp %u, icmp %u; ipv6 %u), %zu packets, %" PRIu64
		" bytes, seed %u\n",
		nflows, per_proto[0], per_proto[1], per_proto[2], nv6, npkts, bytes, seed);
	return 0;
}
