/* SPDX-License-Identifier: MIT
 *
 * nfreblock - rewrite an uncompressed nfcapd file (layout 2, nfdump 1.7)
 * with at most N records per data block and the blocks compressed.
 *
 *   nfreblock IN OUT N none|lzo|bz2|lz4|zstd
 *
 * The records are copied byte for byte and in order; the identification
 * and statistics records of the appendix go to one appendix block at the
 * end, as nfdump places it. The tests use it for what nfdump 1.7.1's
 * nfcapd cannot write here: files of several small blocks (to damage one
 * block and keep the others) and ZSTD blocks. nfdump reads the output
 * (except ZSTD, which its Debian build lacks), so it is the oracle for
 * the rewrite as well.
 *
 * Layout (little-endian): a 40-byte file header (magic 0xA50C, layout 2,
 * nfdump version, created, compression at byte 16, encryption, appendix
 * block count at 18, appendix offset at 24, block size at 32, block count
 * at 36), then blocks of a 12-byte header (records, size, type 3, flags)
 * and the records, each starting with its 16-bit type and size.
 */
#include <bzlib.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define MAXB (5u << 20)

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void die(const char *m)
{
	fprintf(stderr, "nfreblock: %s\n", m);
	exit(1);
}

static int comp;		/* 0 none, 1 lzo, 2 bz2, 3 lz4, 4 zstd */
static FILE *out;
static uint64_t off;
static uint32_t nblocks;

static void put_block(const uint8_t *data, uint32_t len, uint32_t nrec)
{
	static uint8_t z[MAXB + MAXB / 8];
	static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	size_t n = len;
	const uint8_t *p = data;
	if (comp == 1) {
		lzo_uint zl = 0;
		if (lzo1x_1_compress(data, len, z, &zl, wrk) != LZO_E_OK)
			die("lzo");
		n = zl, p = z;
	} else if (comp == 2) {
		unsigned zl = sizeof z;
		if (BZ2_bzBuffToBuffCompress((char *)z, &zl, (char *)data, len, 9, 0, 0) != BZ_OK)
			die("bz2");
		n = zl, p = z;
	} else if (comp == 3) {
		int zl = LZ4_compress_default((const char *)data, (char *)z, (int)len, (int)sizeof z);
		if (zl <= 0)
			die("lz4");
		n = (size_t)zl, p = z;
	} else if (comp == 4) {
		n = ZSTD_compress(z, sizeof z, data, len, 3);
		if (ZSTD_isError(n))
			die("zstd");
		p = z;
	}
	uint8_t h[12];
	put32(h, nrec);
	put32(h + 4, (uint32_t)n);
	put16(h + 8, 3);
	put16(h + 10, 0);
	if (fwrite(h, 1, 12, out) != 12 || fwrite(p, 1, n, out) != n)
		die("write");
	off += 12 + n;
	nblocks++;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "none", "lzo", "bz2", "lz4", "zstd" };
	if (argc != 5)
		die("usage: nfreblock IN OUT N none|lzo|bz2|lz4|zstd");
	unsigned per = (unsigned)atoi(argv[3]);
	comp = -1;
	for (int i = 0; i < 5; i++)
		if (!strcmp(argv[4], names[i]))
			comp = i;
	if (comp < 0 || per == 0)
		die("bad N or compression");
	if (lzo_init() != LZO_E_OK)
		die("lzo_init");
	FILE *in = fopen(argv[1], "rb");
	if (!in)
		die("cannot open input");
	static uint8_t buf[MAXB], data[MAXB], app[MAXB];
	uint8_t hdr[40];
	if (fread(hdr, 1, 40, in) != 40 || hdr[0] != 0x0c || hdr[1] != 0xa5 || hdr[2] != 2)
		die("input is not an nfcapd file of layout 2");
	if (hdr[16] != 0)
		die("input must be uncompressed");
	out = fopen(argv[2], "wb");
	if (!out || fwrite(hdr, 1, 40, out) != 40)
		die("cannot write output");
	off = 40;
	uint32_t dlen = 0, drec = 0, alen = 0, arec = 0;
	uint8_t bh[12];
	while (fread(bh, 1, 12, in) == 12) {
		uint32_t size = le32(bh + 4);
		if (size > MAXB || fread(buf, 1, size, in) != size)
			die("input block cut short");
		for (uint32_t o = 0, r = 0; r < le32(bh) && o + 4 <= size; r++) {
			uint16_t type = (uint16_t)(buf[o] | buf[o + 1] << 8), rs = (uint16_t)(buf[o + 2] | buf[o + 3] << 8);
			if (rs < 4 || o + rs > size)
				die("input record size out of its block");
			if (type == 0x8001 || type == 0x8002) {
				memcpy(app + alen, buf + o, rs);
				alen += rs, arec++;
			} else {
				memcpy(data + dlen, buf + o, rs);
				dlen += rs;
				if (++drec == per) {
					put_block(data, dlen, drec);
					dlen = drec = 0;
				}
			}
			o += rs;
		}
	}
	if (drec)
		put_block(data, dlen, drec);
	uint64_t app_off = off;
	if (arec)
		put_block(app, alen, arec);
	hdr[16] = (uint8_t)comp;
	put16(hdr + 18, arec ? 1 : 0);
	put64(hdr + 24, arec ? app_off : 0);
	put32(hdr + 36, nblocks);
	if (fseek(out, 0, SEEK_SET) != 0 || fwrite(hdr, 1, 40, out) != 40 || fclose(out) != 0)
		die("cannot write output header");
	fclose(in);
	printf("%u blocks, %s\n", nblocks, names[comp]);
	return 0;
}
