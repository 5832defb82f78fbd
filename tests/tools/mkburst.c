/* mkburst: a capture of ordinary TCP traffic, steady for a while, with a
 * burst to one destination port in the middle. For the alert tests.
 *
 *   mkburst OUT.pcap [SECONDS] [BURST_AT] [BURST_LEN] [BURST_PORT]
 *
 * Every second, 40 short connections (SYN, 3 x 1400 bytes, FIN) from 50
 * clients to ports 443 and 80 of three servers: about 1.4 Mb/s. During the
 * burst, 10 times that again to BURST_PORT of one server. Deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, (uint16_t)(v >> 16)); be16(p + 2, (uint16_t)v); }

static void packet(uint32_t sec, uint32_t usec, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
		   uint8_t flags, uint16_t payload)
{
	uint8_t f[1600];
	size_t iplen = 20 + 20 + payload, n = 14 + iplen;
	memset(f, 0, n);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45; be16(ip + 2, (uint16_t)iplen); ip[8] = 64; ip[9] = 6;
	be32(ip + 12, src); be32(ip + 16, dst);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be16(ip + 10, (uint16_t)~sum);
	uint8_t *tcp = ip + 20;
	be16(tcp, sp); be16(tcp + 2, dp); tcp[12] = 0x50; tcp[13] = flags;
	uint8_t h[16];
	le32(h, sec); le32(h + 4, usec); le32(h + 8, (uint32_t)n); le32(h + 12, (uint32_t)n);
	fwrite(h, 1, 16, out);
	fwrite(f, 1, n, out);
}

static void connection(uint32_t sec, uint32_t usec, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, int data)
{
	packet(sec, usec, src, dst, sp, dp, 0x02, 0);
	for (int i = 0; i < data; i++)
		packet(sec, usec + 1000 * (uint32_t)(i + 1), src, dst, sp, dp, 0x18, 1400);
	packet(sec, usec + 1000 * (uint32_t)(data + 1), src, dst, sp, dp, 0x11, 0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mkburst OUT.pcap [SECONDS] [BURST_AT] [BURST_LEN] [BURST_PORT]\n");
		return 2;
	}
	uint32_t secs = argc > 2 ? (uint32_t)atoi(argv[2]) : 180;
	uint32_t at = argc > 3 ? (uint32_t)atoi(argv[3]) : 120;
	uint32_t len = argc > 4 ? (uint32_t)atoi(argv[4]) : 10;
	uint16_t bport = argc > 5 ? (uint16_t)atoi(argv[5]) : 5001;
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	uint8_t gh[24] = { 0 };
	le32(gh, 0xa1b2c3d4); gh[4] = 2; gh[6] = 4; le32(gh + 16, 65535); le32(gh + 20, 1);
	fwrite(gh, 1, 24, out);
	const uint32_t t0 = 1767323045;	/* 2026-01-02T03:04:05Z */
	for (uint32_t s = 0; s < secs; s++) {
		for (int c = 0; c < 40; c++) {
			uint32_t client = 0x0a000000u | (1 + rnd() % 50);
			uint32_t server = 0xc6336400u | (10 + rnd() % 3);	/* 198.51.100.10-12 */
			connection(t0 + s, (uint32_t)c * 20000, client, server, (uint16_t)(20000 + rnd() % 40000),
				   rnd() % 3 ? 443 : 80, 3);
		}
		if (s >= at && s < at + len)
			for (int c = 0; c < 400; c++)
				connection(t0 + s, (uint32_t)c * 2000, 0x0a000100u | (1 + (uint32_t)c % 20), 0xc6336414u,
					   (uint16_t)(30000 + c), bport, 3);
	}
	return fclose(out) == 0 ? 0 : 1;
}
