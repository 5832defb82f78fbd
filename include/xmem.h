/* xmem: allocation that never returns NULL; on exhaustion it aborts with a message.
 * Used for small bounded structures; hot paths allocate from pools instead. */
#ifndef NFTOP_XMEM_H
#define NFTOP_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* Zeroed, at an address that is a multiple of align (a power of two); free() frees it. */
void *xcalloc_aligned(size_t align, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* Called once at the start: large blocks (eviction's temporary arrays, key
 * tables) are mapped on their own and given back when freed. glibc would
 * otherwise raise that threshold after the first such block is freed and
 * keep the later ones in its heap, holding memory --max-memory does not
 * count (11 MiB of 256 in storebench churn). */
void xmem_setup(void);

#endif
