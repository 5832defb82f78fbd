/* SPDX-License-Identifier: MIT
 *
 * mknfcapd16 - write a deterministic nfcapd file of layout 1 (nfdump 1.6),
 * which nfdump 1.7 still reads but no longer writes.
 *
 *   mknfcapd16 OUT [NFLOWS] [none|lzo]
 *
 * Layout (little-endian), from nfdump 1.6's nffile.h and nfx.h: a 140-byte
 * header (magic 0xA50C, layout 1, flags: 0x1 LZO, number of blocks,
 * 128-byte ident), a 136-byte statistics record, then blocks of a 12-byte
 * header (records, size, type 2, flags) and records. The first block holds
 * an exporter record (type 7) and three extension maps (type 2: map id,
 * extension bytes, 16-bit extension ids ending with 0, padded to 4 bytes);
 * then come common records (type 10): flags (0x1 IPv6, 0x2 64-bit packets,
 * 0x4 64-bit bytes), map id, msec first/last, first, last, forwarding
 * status, TCP flags, protocol, ToS, ports, exporter sysid, 2 bytes, the
 * addresses, packets, bytes and the extensions the map lists.
 *
 * The flows come from a fixed xorshift sequence: IPv4 and IPv6, 32- and
 * 64-bit counters, TCP/UDP/ICMP, a few hosts weighted so tops are clear.
 * Debian's nfdump 1.7.1 reading the file is the oracle for it.
 */
#include <lzo/lzo1x.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint8_t blk[1 << 20];
static size_t blen;
static uint32_t brec, nblocks;
static int lzo;
static FILE *out;

static void p8(uint8_t v) { blk[blen++] = v; }
static void p16(uint16_t v) { p8((uint8_t)v); p8((uint8_t)(v >> 8)); }
static void p32(uint32_t v) { p16((uint16_t)v); p16((uint16_t)(v >> 16)); }
static void p64(uint64_t v) { p32((uint32_t)v); p32((uint32_t)(v >> 32)); }
static void set16(size_t at, uint16_t v) { blk[at] = (uint8_t)v; blk[at + 1] = (uint8_t)(v >> 8); }

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void flush(void)
{
	static uint8_t z[(1 << 20) + (1 << 16)];
	static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	if (!brec)
		return;
	const uint8_t *p = blk;
	lzo_uint n = blen;
	if (lzo) {
		if (lzo1x_1_compress(blk, blen, z, &n, wrk) != LZO_E_OK)
			exit(1);
		p = z;
	}
	uint8_t h[12];
	le32(h, brec);
	le32(h + 4, (uint32_t)n);
	h[8] = 2, h[9] = 0;
	h[10] = lzo ? 2 : 0, h[11] = 0;
	if (fwrite(h, 1, 12, out) != 12 || fwrite(p, 1, n, out) != n)
		exit(1);
	nblocks++;
	blen = brec = 0;
}

/* An extension map record: id, then extension ids (their data sizes given). */
static void map(uint16_t id, const uint16_t *ext, const uint16_t *size, int n)
{
	size_t at = blen;
	uint16_t total = 0;
	p16(2);
	p16(0);
	p16(id);
	p16(0);
	for (int i = 0; i < n; i++) {
		p16(ext[i]);
		total += size[i];
	}
	p16(0);
	while ((blen - at) & 3)
		p8(0);
	set16(at + 2, (uint16_t)(blen - at));
	set16(at + 6, total);
	brec++;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "usage: mknfcapd16 OUT [NFLOWS] [none|lzo]\n"), 2;
	unsigned nflows = argc > 2 ? (unsigned)atoi(argv[2]) : 400;
	lzo = argc > 3 && !strcmp(argv[3], "lzo");
	if (lzo && lzo_init() != LZO_E_OK)
		return 1;
	out = fopen(argv[1], "wb");
	if (!out)
		return 1;
	uint8_t hdr[140 + 136];
	memset(hdr, 0, sizeof hdr);
	if (fwrite(hdr, 1, sizeof hdr, out) != sizeof hdr)
		return 1;

	/* exporter 192.0.2.1, NetFlow v9, sysid 1: version, ip (v4 in its third word), family, sysid, id */
	p16(7), p16(32), p32(9);
	p64(0), p32(0xc0000201), p32(0);
	p16(2), p16(1), p32(0);
	brec++;
	static const uint16_t m0[] = { 4, 6, 8, 9 }, s0[] = { 4, 4, 4, 4 };
	static const uint16_t m1[] = { 5, 7, 10, 27 }, s1[] = { 8, 8, 16, 8 };
	static const uint16_t m2[] = { 14, 16 }, s2[] = { 4, 4 };
	map(0, m0, s0, 4);
	map(1, m1, s1, 4);
	map(2, m2, s2, 2);

	uint64_t flows = 0, bytes = 0, packets = 0;
	uint32_t t0 = 1767323045;	/* 2026-01-02T03:04:05Z */
	for (unsigned i = 0; i < nflows; i++) {
		uint32_t r = next();
		int v6 = r % 4 == 0, pk64 = r % 3 == 0, by64 = r % 5 == 0, mid = (int)(next() % 3);
		static const uint8_t protos[] = { 6, 6, 6, 17, 17, 1 };
		uint8_t proto = protos[next() % 6];
		uint32_t host = next() % 16, w = host < 3 ? 100 : 5;
		uint64_t pk = 1 + next() % (10 * w), by = pk * (40 + next() % 1400);
		if (by64)
			by += 5000000000ull;	/* needs the 64-bit field */
		uint16_t dport = proto == 1 ? (uint16_t)(8 << 8) : (uint16_t)(next() % 4 == 0 ? 443 : 1 + next() % 1024);
		uint32_t first = t0 + i / 4, dur = next() % 30000;
		size_t at = blen;
		p16(10), p16(0);
		p16((uint16_t)(v6 | pk64 << 1 | by64 << 2)), p16((uint16_t)mid);
		p16((uint16_t)(next() % 1000)), p16((uint16_t)(dur % 1000));
		p32(first), p32(first + dur / 1000);
		p8(0), p8(proto == 6 ? 0x1b : 0), p8(proto), p8(0);
		p16((uint16_t)(1024 + next() % 60000)), p16(dport);
		p16(1), p8(0), p8(0);
		if (v6) {
			p64(0x20010db800000000ull | host), p64(0x10);	/* 2001:db8::N:0:0:0:10, as nfdump's two halves */
			p64(0x20010db8ffff0000ull), p64(1 + next() % 4);
		} else {
			p32(0x0a000000 | host << 8 | 1), p32(0xc6336400 | (next() % 8));	/* 10.0.N.1 -> 198.51.100.x */
		}
		if (pk64) p64(pk); else p32((uint32_t)pk);
		if (by64) p64(by); else p32((uint32_t)by);
		uint64_t out_by = 0;
		if (mid == 0) {
			p16(3), p16(7);		/* 4: interfaces */
			p16(64512), p16(64513);	/* 6: AS */
			p8(0), p8(0), p8(24), p8(24);	/* 8: dst tos, dir, masks */
			p32(0xc0000201);	/* 9: next hop */
		} else if (mid == 1) {
			p32(3), p32(7);
			p32(4200000000u), p32(65000);
			p64(0x20010db800000000ull), p64(1);
			p64((uint64_t)(first + 1) * 1000);	/* 27: received, ms */
		} else {
			out_by = 100 + next() % 1000;
			p32(2);			/* 14: output packets */
			p32((uint32_t)out_by);	/* 16: output bytes */
			pk += 2;
		}
		set16(at + 2, (uint16_t)(blen - at));
		brec++;
		flows++, packets += pk, bytes += by + out_by;
		if (brec >= 100)
			flush();
	}
	flush();

	memset(hdr, 0, sizeof hdr);
	hdr[0] = 0x0c, hdr[1] = 0xa5, hdr[2] = 1;
	le32(hdr + 4, lzo ? 0x1 : 0);
	le32(hdr + 8, nblocks);
	memcpy(hdr + 12, "mknfcapd16", 10);
	uint8_t *st = hdr + 140;	/* flows, bytes, packets; the rest left 0 */
	le32(st, (uint32_t)flows);
	le32(st + 8, (uint32_t)bytes), le32(st + 12, (uint32_t)(bytes >> 32));
	le32(st + 16, (uint32_t)packets), le32(st + 20, (uint32_t)(packets >> 32));
	le32(st + 120, t0), le32(st + 124, t0 + nflows / 4 + 30);
	if (fseek(out, 0, SEEK_SET) != 0 || fwrite(hdr, 1, sizeof hdr, out) != sizeof hdr || fclose(out) != 0)
		return 1;
	printf("%u flows, %u blocks\n", nflows, nblocks);
	return 0;
}
