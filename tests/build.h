/* Builds export datagrams byte by byte for unit tests of decoder edge cases. */
#ifndef NFTOP_TEST_BUILD_H
#define NFTOP_TEST_BUILD_H

#include <stddef.h>
#include <stdint.h>

struct bld {
	uint8_t b[65536];
	size_t n;
};

static inline void b8(struct bld *b, uint8_t v) { b->b[b->n++] = v; }
static inline void b16(struct bld *b, uint16_t v) { b8(b, (uint8_t)(v >> 8)); b8(b, (uint8_t)v); }
static inline void b32(struct bld *b, uint32_t v) { b16(b, (uint16_t)(v >> 16)); b16(b, (uint16_t)v); }
static inline void b64(struct bld *b, uint64_t v) { b32(b, (uint32_t)(v >> 32)); b32(b, (uint32_t)v); }
static inline void bip4(struct bld *b, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	b8(b, x); b8(b, y); b8(b, z); b8(b, w);
}
static inline void bbytes(struct bld *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b8(b, ((const uint8_t *)p)[i]);
}
/* Starts a set (id, length patched by bend); returns its offset. */
static inline size_t bset(struct bld *b, uint16_t id)
{
	size_t at = b->n;
	b16(b, id);
	b16(b, 0);
	return at;
}
static inline void bend(struct bld *b, size_t at)
{
	uint16_t len = (uint16_t)(b->n - at);
	b->b[at + 2] = (uint8_t)(len >> 8);
	b->b[at + 3] = (uint8_t)len;
}
static inline void v9_header(struct bld *b, uint16_t count, uint32_t uptime, uint32_t secs,
			     uint32_t seq, uint32_t source)
{
	b->n = 0;
	b16(b, 9); b16(b, count); b32(b, uptime); b32(b, secs); b32(b, seq); b32(b, source);
}
static inline void ipfix_header(struct bld *b, uint32_t secs, uint32_t seq, uint32_t domain)
{
	b->n = 0;
	b16(b, 10); b16(b, 0); b32(b, secs); b32(b, seq); b32(b, domain);
}
static inline void ipfix_end(struct bld *b)
{
	b->b[2] = (uint8_t)(b->n >> 8);
	b->b[3] = (uint8_t)b->n;
}

#endif
