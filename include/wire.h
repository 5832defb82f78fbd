/* wire: a bounds-checked big-endian cursor over a byte buffer.
 * Every read checks the remaining length first; a failed read leaves the
 * cursor where it was and returns false, so a decoder can stop cleanly. */
#ifndef NFTOP_WIRE_H
#define NFTOP_WIRE_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

static inline struct wire wire_make(const void *buf, size_t len)
{
	struct wire w = { (const uint8_t *)buf, len, 0 };
	return w;
}

static inline size_t wire_left(const struct wire *w) { return w->len - w->off; }
static inline const uint8_t *wire_ptr(const struct wire *w) { return w->buf + w->off; }

static inline bool wire_skip(struct wire *w, size_t n)
{
	if (n > wire_left(w))
		return false;
	w->off += n;
	return true;
}

static inline bool wire_u8(struct wire *w, uint8_t *v)
{
	if (wire_left(w) < 1)
		return false;
	*v = w->buf[w->off++];
	return true;
}

static inline bool wire_u16(struct wire *w, uint16_t *v)
{
	if (wire_left(w) < 2)
		return false;
	const uint8_t *p = w->buf + w->off;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	w->off += 2;
	return true;
}

static inline bool wire_u32(struct wire *w, uint32_t *v)
{
	if (wire_left(w) < 4)
		return false;
	const uint8_t *p = w->buf + w->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	w->off += 4;
	return true;
}

static inline bool wire_u64(struct wire *w, uint64_t *v)
{
	uint32_t hi, lo;
	if (wire_left(w) < 8)
		return false;
	wire_u32(w, &hi);
	wire_u32(w, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static inline bool wire_bytes(struct wire *w, void *dst, size_t n)
{
	if (n > wire_left(w))
		return false;
	memcpy(dst, w->buf + w->off, n);
	w->off += n;
	return true;
}

/* Whether every byte left is zero (padding). */
static inline bool wire_rest_zero(const struct wire *w)
{
	for (size_t i = w->off; i < w->len; i++)
		if (w->buf[i])
			return false;
	return true;
}

/* A sub-cursor over the next n bytes; the parent advances past them. */
static inline bool wire_sub(struct wire *w, size_t n, struct wire *sub)
{
	if (n > wire_left(w))
		return false;
	*sub = wire_make(w->buf + w->off, n);
	w->off += n;
	return true;
}

/* Loads from bytes already bounds-checked (after wire_skip or wire_sub). */
static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Unsigned big-endian integer of 1..8 bytes (reduced-size encoding, RFC 7011 6.2). */
static inline uint64_t wire_be_uint(const uint8_t *p, size_t n)
{
	/* The common widths load at once (a record field per flow each). */
	uint16_t v16;
	uint32_t v32;
	uint64_t v = 0;
	switch (n) {
	case 1: return p[0];
	case 2: memcpy(&v16, p, 2); return be16toh(v16);
	case 4: memcpy(&v32, p, 4); return be32toh(v32);
	case 8: memcpy(&v, p, 8); return be64toh(v);
	default: break;
	}
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
