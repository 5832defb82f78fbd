/* mkexport: writes a classic pcap of NetFlow v9 export datagrams with a
 * realistic mix: Zipf-like source and destination popularity, common
 * service ports, TCP/UDP/ICMP. Deterministic for a seed. For benchmarks.
 *
 *   mkexport OUT.pcap FLOWS [SOURCES] [DESTINATIONS] [SEED] [RECORDS]
 *
 * SOURCES and DESTINATIONS default to 200000 and 1000000. SEED "-" (or
 * empty, or no SEED) means the default seed. RECORDS is the number of flow
 * records (38 bytes each) per datagram, 1 to 1500, default 30: 200 makes
 * datagrams of 7.6 KB, as exporters send on a network with a 9000-byte MTU.
 * The flows are the same for any RECORDS, only packed differently; with the
 * defaults the output is what it was before RECORDS existed.
 *
 * Addresses are drawn from public ranges (with a share of RFC 1918 ones),
 * so GeoIP lookups see many repeats, as on a real collector. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fast and good enough for traffic shapes. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* Rank in [0, n) with P(rank k) ~ 1/(k+1)^s, by inverting a continuous
 * approximation of the Zipf distribution. */
static uint32_t zipf(uint32_t n, double s)
{
	double u = unif();
	double x = pow((pow((double)n + 1, 1 - s) - 1) * u + 1, 1 / (1 - s)) - 1;
	uint32_t k = (uint32_t)x;
	return k < n ? k : n - 1;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void le32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

/* Address number k of a pool: spread over public space, 1 in 8 private. */
static uint32_t addr(uint32_t k, uint32_t salt)
{
	uint32_t h = (k + salt) * 2654435761u;
	if (k % 8 == 7)
		return 0x0a000000u | (h & 0x00ffffffu);	/* 10/8 */
	uint32_t a = h;
	uint8_t top = (uint8_t)(a >> 24);
	if (top == 0 || top == 10 || top == 127 || top >= 224)
		a ^= 0x40000000u;
	return a;
}

static const uint16_t ports[] = { 443, 80, 53, 22, 123, 25, 993, 8080, 3478, 5228, 1194, 853 };

static const uint16_t tpl[][2] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 }, { 1, 4 }, { 2, 4 },
	{ 22, 4 }, { 21, 4 }, { 10, 4 }, { 14, 4 },
};
enum {
	NTPL = sizeof tpl / sizeof tpl[0],
	REC = 4 + 4 + 2 + 2 + 1 + 1 + 4 + 4 + 4 + 4 + 4 + 4,	/* bytes per flow record */
	PER_DEFAULT = 30, PER_MAX = 1500,
	/* Ethernet, IPv4, UDP, v9 header; template flowset; data flowset header */
	HDRS = 14 + 20 + 8 + 20, TPL_SET = 8 + NTPL * 4, DATA_HDR = 4,
	FRAME_MAX = HDRS + TPL_SET + DATA_HDR + PER_MAX * REC,
};
/* The IP total length, the UDP length and the pcap record length are all
 * at most the frame's length, so one bound covers the three. */
_Static_assert(FRAME_MAX <= 65535, "PER_MAX records do not fit a datagram");

static int usage(void)
{
	fprintf(stderr, "usage: mkexport OUT.pcap FLOWS [SOURCES] [DESTINATIONS] [SEED|-] [RECORDS]\n"
		"  RECORDS: flow records per datagram, 1-%d (default %d)\n", PER_MAX, PER_DEFAULT);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 7)
		return usage();
	uint64_t flows = strtoull(argv[2], NULL, 10);
	uint32_t nsrc = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 200000;
	uint32_t ndst = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 1000000;
	if (argc > 5 && argv[5][0] != '\0' && strcmp(argv[5], "-") != 0)
		rng_state = strtoull(argv[5], NULL, 10) * 7919 + 1;
	else
		rng_state = 88172645463325252ULL;
	uint32_t per = PER_DEFAULT;
	if (argc > 6) {
		char *end;
		errno = 0;
		long v = strtol(argv[6], &end, 10);
		if (errno || end == argv[6] || *end || v < 1 || v > PER_MAX) {
			fprintf(stderr, "mkexport: RECORDS must be 1 to %d, not '%s'\n", PER_MAX, argv[6]);
			return usage();
		}
		per = (uint32_t)v;
	}
	FILE *f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	uint8_t gh[24] = { 0 };
	le32(gh, 0xa1b2c3d4);
	gh[4] = 2; gh[6] = 4;
	le32(gh + 16, 65535);
	le32(gh + 20, 1);
	fwrite(gh, 1, sizeof gh, f);

	static uint8_t pkt[FRAME_MAX];
	uint32_t seq = 0, t0 = 1767323045;
	uint64_t done = 0;
	while (done < flows) {
		uint32_t n = flows - done < per ? (uint32_t)(flows - done) : per;
		/* 100k flows per second of capture time. */
		uint32_t now = t0 + (uint32_t)(done / 100000);
		uint32_t usec = (uint32_t)(done % 100000) * 10;
		uint8_t *p = pkt + 14 + 20 + 8, *q = p + 20;
		uint16_t count = (uint16_t)n;
		if (seq % 64 == 0) {
			put16(q, 0); put16(q + 2, (uint16_t)TPL_SET); put16(q + 4, 256); put16(q + 6, (uint16_t)NTPL);
			q += 8;
			for (int i = 0; i < NTPL; i++, q += 4) {
				put16(q, tpl[i][0]);
				put16(q + 2, tpl[i][1]);
			}
			count++;
		}
		put16(q, 256);
		put16(q + 2, (uint16_t)(4 + n * REC));
		q += 4;
		for (uint32_t i = 0; i < n; i++, q += REC) {
			uint32_t s = addr(zipf(nsrc, 1.1), 1), d = addr(zipf(ndst, 0.9), 7);
			uint32_t r = (uint32_t)rnd();
			uint8_t proto = r % 100 < 80 ? 6 : r % 100 < 97 ? 17 : 1;
			uint16_t dport = proto == 1 ? 0x0800 : ports[zipf(sizeof ports / sizeof ports[0], 1.2)];
			uint32_t pk = 1 + zipf(5000, 1.3);
			put32(q, s); put32(q + 4, d);
			put16(q + 8, (uint16_t)(1024 + (r >> 8) % 60000)); put16(q + 10, dport);
			q[12] = proto; q[13] = proto == 6 ? 0x1b : 0;
			put32(q + 14, pk * (40 + (r >> 20) % 1400)); put32(q + 18, pk);
			put32(q + 22, 100000); put32(q + 26, 110000);
			put32(q + 30, 1 + r % 8); put32(q + 34, 1 + (r >> 4) % 8);
		}
		put16(p, 9); put16(p + 2, count); put32(p + 4, 120000); put32(p + 8, now);
		put32(p + 12, seq++); put32(p + 16, 0);
		size_t udplen = (size_t)(q - p) + 8, iplen = udplen + 20, frame = iplen + 14;
		memset(pkt, 0, 14);
		pkt[12] = 0x08;
		uint8_t *ip = pkt + 14;
		memset(ip, 0, 20);
		ip[0] = 0x45; put16(ip + 2, (uint16_t)iplen); ip[8] = 64; ip[9] = 17;
		put32(ip + 12, 0xc0000201); put32(ip + 16, 0xc6336401);
		uint8_t *udp = ip + 20;
		put16(udp, 50000); put16(udp + 2, 2055); put16(udp + 4, (uint16_t)udplen); put16(udp + 6, 0);
		uint8_t rh[16];
		le32(rh, now); le32(rh + 4, usec); le32(rh + 8, (uint32_t)frame); le32(rh + 12, (uint32_t)frame);
		fwrite(rh, 1, sizeof rh, f);
		fwrite(pkt, 1, frame, f);
		done += n;
	}
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	fprintf(stderr, "mkexport: %llu flows in %u datagrams\n", (unsigned long long)flows, seq);
	return 0;
}
