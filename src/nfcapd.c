#include <bzlib.h>
#include <errno.h>
#include <inttypes.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "err.h"
#include "nfcapd.h"
#include "xmem.h"

/* File header of layout 2 (nfdump 1.7): magic, version, nfdump version,
 * created (8), compression, encryption, appendix blocks, creator (4),
 * appendix offset (8), block size, number of blocks. */
#define HDR2_LEN 40
/* Layout 1 (nfdump 1.6): magic, version, flags, number of blocks, ident[128],
 * then a 136-byte statistics record before the first block. */
#define HDR1_LEN 140
#define STAT1_LEN 136
#define BLOCK_HDR_LEN 12	/* records, size, type, flags */

enum compression { C_NONE, C_LZO, C_BZ2, C_LZ4, C_ZSTD };

/* Layout 1 header flags that name the compression. */
#define F1_LZO 0x1
#define F1_BZ2 0x8
#define F1_LZ4 0x10

#define BLOCK_UNCOMPRESSED 0x1	/* layout 2 block flag: stored as is */

struct nfcapd {
	char *name;
	FILE *f;			/* NULL: reading mem */
	bool own_f;
	const uint8_t *mem;
	size_t memlen;
	uint64_t off, size;		/* read position; file size (0 unknown) */
	int layout;
	enum compression comp;
	uint32_t nblocks;		/* from the header; 0 unknown (a file being written) */
	uint32_t block;			/* blocks read so far */
	uint32_t idx;			/* number of the current block, from 0 */
	uint64_t block_off;		/* offset of the current block */
	uint8_t *raw, *plain;
	size_t raw_cap;
	const uint8_t *cur;		/* records of the current block */
	size_t cur_len, rec_off;
	uint32_t nrec, rec;
	bool done;
	struct nfcapd_ctx ctx;
	struct flowfile_stats st;
};

static size_t src_read(struct nfcapd *r, void *dst, size_t n)
{
	size_t got;
	if (r->f) {
		got = fread(dst, 1, n, r->f);
	} else {
		size_t left = r->off < r->memlen ? r->memlen - (size_t)r->off : 0;
		got = n < left ? n : left;
		memcpy(dst, r->mem + r->off, got);
	}
	r->off += got;
	return got;
}

static int fail(struct nfcapd *r, int code, char **cause, const char *why)
{
	*cause = err_fmt("%s: block %" PRIu32 " at offset %" PRIu64 ": %s", r->name, r->idx, r->block_off, why);
	r->done = true;
	return code;
}

/* Decompresses r->raw[0..n) into r->plain (allocated at the first
 * compressed block); the size out, or -1 with *why. Uncompressed data
 * stay in r->raw. */
static long inflate_block(struct nfcapd *r, enum compression c, size_t n, const char **why)
{
	if (c != C_NONE && !r->plain)
		r->plain = xmalloc(NFCAPD_BLOCK_MAX);
	switch (c) {
	case C_NONE:
		return (long)n;
	case C_LZO: {
		lzo_uint out = NFCAPD_BLOCK_MAX;
		int rc = lzo1x_decompress_safe(r->raw, n, r->plain, &out, NULL);
		if (rc == LZO_E_OK)
			return (long)out;
		*why = rc == LZO_E_OUTPUT_OVERRUN ? "LZO data decompress to more than 5 MiB" : "LZO data corrupt";
		return -1;
	}
	case C_LZ4: {
		int out = LZ4_decompress_safe((const char *)r->raw, (char *)r->plain, (int)n, NFCAPD_BLOCK_MAX);
		if (out >= 0)
			return out;
		*why = "LZ4 data corrupt or larger than 5 MiB";
		return -1;
	}
	case C_ZSTD: {
		size_t out = ZSTD_decompress(r->plain, NFCAPD_BLOCK_MAX, r->raw, n);
		if (!ZSTD_isError(out))
			return (long)out;
		*why = ZSTD_getErrorCode(out) == ZSTD_error_dstSize_tooSmall ? "ZSTD data decompress to more than 5 MiB"
									     : "ZSTD data corrupt";
		return -1;
	}
	case C_BZ2: {
		bz_stream bs;
		memset(&bs, 0, sizeof bs);
		if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK) {
			*why = "BZ2 decompressor cannot start";
			return -1;
		}
		bs.next_in = (char *)r->raw;
		bs.avail_in = (unsigned)n;
		bs.next_out = (char *)r->plain;
		bs.avail_out = NFCAPD_BLOCK_MAX;
		int rc;
		while ((rc = BZ2_bzDecompress(&bs)) == BZ_OK && bs.avail_in && bs.avail_out)
			;
		long out = (long)(NFCAPD_BLOCK_MAX - bs.avail_out);
		BZ2_bzDecompressEnd(&bs);
		if (rc == BZ_STREAM_END)
			return out;
		*why = rc == BZ_OK && !bs.avail_out ? "BZ2 data decompress to more than 5 MiB" : "BZ2 data corrupt or cut short";
		return -1;
	}
	}
	*why = "unknown compression";
	return -1;
}

/* Whether the nrec records of a block lie inside its len bytes, each at
 * least a record header long; checked before any is used, so a block is
 * read whole or not at all. */
static bool records_fit(const uint8_t *b, size_t len, uint32_t nrec, char *why, size_t whylen)
{
	size_t off = 0;
	for (uint32_t i = 0; i < nrec; i++) {
		size_t left = len - off;
		if (left < 4) {
			snprintf(why, whylen, "record %" PRIu32 " of %" PRIu32 " starts past the %zu bytes of the block", i,
				 nrec, len);
			return false;
		}
		uint16_t size = nfcapd_le16(b + off + 2);
		if (size < 4 || size > left) {
			snprintf(why, whylen, "record %" PRIu32 " (type %u) at block byte %zu has size %u (%zu bytes left)", i,
				 nfcapd_le16(b + off), off, size, left);
			return false;
		}
		off += size;
	}
	return true;
}

/* Reads the next block into r->cur. FLOWFILE_FLOW when one was read (it
 * may hold no flow), FLOWFILE_BAD for a block of a type that is skipped,
 * FLOWFILE_END, or a negative error. */
static int next_block(struct nfcapd *r, char **cause)
{
	char why[128];
	if (r->nblocks && r->block >= r->nblocks)
		return FLOWFILE_END;
	r->idx = r->block;
	r->block_off = r->off;
	uint8_t h[BLOCK_HDR_LEN];
	size_t got = src_read(r, h, sizeof h);
	if (got == 0 && !r->nblocks)
		return FLOWFILE_END;
	if (got == 0) {
		snprintf(why, sizeof why, "the file ends after %" PRIu32 " of the %" PRIu32 " blocks its header announces",
			 r->block, r->nblocks);
		return fail(r, ERR_TRUNCATED, cause, why);
	}
	if (got < sizeof h) {
		snprintf(why, sizeof why, "block header cut short (%zu of %d bytes)", got, BLOCK_HDR_LEN);
		return fail(r, ERR_TRUNCATED, cause, why);
	}
	uint32_t nrec = nfcapd_le32(h), size = nfcapd_le32(h + 4);
	uint16_t type = nfcapd_le16(h + 8), flags = nfcapd_le16(h + 10);
	if (size == 0 || size > NFCAPD_BLOCK_MAX) {
		snprintf(why, sizeof why, "block size %" PRIu32 " is %s", size, size ? "over 5 MiB" : "zero");
		return fail(r, ERR_MALFORMED, cause, why);
	}
	if (r->size && size > r->size - r->off) {
		snprintf(why, sizeof why, "block size %" PRIu32 " runs %" PRIu64 " bytes past the end of the file", size,
			 size - (r->size - r->off));
		return fail(r, ERR_TRUNCATED, cause, why);
	}
	if (size > r->raw_cap) {
		r->raw = xrealloc(r->raw, size);
		r->raw_cap = size;
	}
	got = src_read(r, r->raw, size);
	if (got < size) {
		snprintf(why, sizeof why, "block of %" PRIu32 " bytes cut short after %zu", size, got);
		return fail(r, ERR_TRUNCATED, cause, why);
	}
	r->block++;
	r->st.bytes_done = r->off;
	if (type != 2 && type != 3) {
		*cause = err_fmt("%s: block %" PRIu32 " at offset %" PRIu64 ": block type %u is not read (%" PRIu32
				 " records skipped)", r->name, r->idx, r->block_off, type, nrec);
		r->st.bad++;
		return FLOWFILE_BAD;
	}
	enum compression c = r->layout == 2 && (flags & BLOCK_UNCOMPRESSED) ? C_NONE : r->comp;
	const char *bad = NULL;
	long n = inflate_block(r, c, size, &bad);
	if (n < 0)
		return fail(r, ERR_MALFORMED, cause, bad);
	const uint8_t *b = c == C_NONE ? r->raw : r->plain;
	if (!records_fit(b, (size_t)n, nrec, why, sizeof why))
		return fail(r, ERR_MALFORMED, cause, why);
	r->cur = b;
	r->cur_len = (size_t)n;
	r->rec_off = 0;
	r->nrec = nrec;
	r->rec = 0;
	return FLOWFILE_FLOW;
}

static int header(struct nfcapd *r, char **cause)
{
	uint8_t h[HDR1_LEN + STAT1_LEN];
	size_t got = src_read(r, h, 4);
	if (got < 4 || nfcapd_le16(h) != 0xA50C) {
		*cause = err_fmt("%s: offset 0: not an nfcapd file", r->name);
		return ERR_FORMAT;
	}
	r->layout = nfcapd_le16(h + 2);
	if (r->layout == 2) {
		if (src_read(r, h + 4, HDR2_LEN - 4) < HDR2_LEN - 4) {
			*cause = err_fmt("%s: offset 0: file header cut short (%d bytes expected)", r->name, HDR2_LEN);
			return ERR_TRUNCATED;
		}
		if (h[16] > C_ZSTD) {
			*cause = err_fmt("%s: offset 16: unknown compression %u", r->name, h[16]);
			return ERR_FORMAT;
		}
		if (h[17]) {
			*cause = err_fmt("%s: offset 17: encrypted files (method %u) cannot be read", r->name, h[17]);
			return ERR_FORMAT;
		}
		r->comp = (enum compression)h[16];
		r->nblocks = nfcapd_le32(h + 36);
	} else if (r->layout == 1) {
		if (src_read(r, h + 4, sizeof h - 4) < sizeof h - 4) {
			*cause = err_fmt("%s: offset 0: file header and statistics cut short (%zu bytes expected)", r->name,
					 sizeof h);
			return ERR_TRUNCATED;
		}
		uint32_t fl = nfcapd_le32(h + 4);
		r->comp = fl & F1_LZO ? C_LZO : fl & F1_BZ2 ? C_BZ2 : fl & F1_LZ4 ? C_LZ4 : C_NONE;
		r->nblocks = nfcapd_le32(h + 8);
	} else {
		*cause = err_fmt("%s: offset 2: nfcapd file layout %d is not 1 (nfdump 1.6) or 2 (nfdump 1.7)", r->name,
				 r->layout);
		return ERR_FORMAT;
	}
	r->st.bytes_done = r->off;
	return ERR_OK;
}

static int nf_next(void *self, struct flow *f, char **cause)
{
	struct nfcapd *r = self;
	for (;;) {
		if (r->cur && r->rec < r->nrec) {
			/* records_fit() has checked every size */
			const uint8_t *p = r->cur + r->rec_off;
			uint16_t size = nfcapd_le16(p + 2);
			r->rec_off += size;
			r->rec++;
			char *bad = NULL;
			int rc = nfcapd_record(&r->ctx, p, size, f, &bad);
			if (rc == NFCAPD_REC_META)
				continue;
			r->st.records++;
			if (rc == NFCAPD_REC_FLOW)
				return FLOWFILE_FLOW;
			r->st.bad++;
			*cause = err_fmt("%s: block %" PRIu32 " at offset %" PRIu64 ": record %" PRIu32 ": %s", r->name,
					 r->idx, r->block_off, r->rec - 1, bad);
			free(bad);
			return FLOWFILE_BAD;
		}
		if (r->done)
			return FLOWFILE_END;
		r->cur = NULL;
		int rc = next_block(r, cause);
		if (rc == FLOWFILE_END)
			r->done = true;
		if (rc != FLOWFILE_FLOW)
			return rc;
	}
}

static void nf_stats(const void *self, struct flowfile_stats *st)
{
	const struct nfcapd *r = self;
	*st = r->st;
}

static void nf_close(void *self)
{
	struct nfcapd *r = self;
	if (r->f && r->own_f)
		fclose(r->f);
	nfcapd_ctx_free(&r->ctx);
	free(r->raw);
	free(r->plain);
	free(r->name);
	free(r);
}

static const struct flowfile_ops nfcapd_ops = { nf_next, nf_stats, nf_close };

static int start(struct nfcapd *r, struct flowfile **out, char **cause)
{
	int rc = ERR_FORMAT;
	if (lzo_init() != LZO_E_OK)
		*cause = err_fmt("%s: the LZO library does not work", r->name);
	else
		rc = header(r, cause);
	if (rc < 0) {
		nf_close(r);
		return rc;
	}
	r->st.bytes_total = r->size;
	struct flowfile *ff = xcalloc(1, sizeof *ff);
	ff->ops = &nfcapd_ops;
	ff->self = r;
	ff->name = xstrdup(r->name);
	*out = ff;
	return ERR_OK;
}

int nfcapd_open_mem(const char *name, const uint8_t *buf, size_t len, struct flowfile **out, char **cause)
{
	struct nfcapd *r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	r->mem = buf;
	r->memlen = len;
	r->size = len;
	return start(r, out, cause);
}

int nfcapd_open(const char *path, struct flowfile **out, char **cause)
{
	struct nfcapd *r = xcalloc(1, sizeof *r);
	r->name = xstrdup(path);
	if (!strcmp(path, "-")) {
		r->f = stdin;
	} else {
		r->f = fopen(path, "rb");
		r->own_f = true;
		struct stat sb;
		if (r->f && fstat(fileno(r->f), &sb) == 0 && S_ISREG(sb.st_mode))
			r->size = (uint64_t)sb.st_size;
	}
	if (!r->f) {
		*cause = err_fmt("%s: %s", path, strerror(errno));
		free(r->name);
		free(r);
		return ERR_IO;
	}
	return start(r, out, cause);
}
