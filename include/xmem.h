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

#endif
