/* fmt: numbers for people. Bytes in IEC units (KiB, MiB), bits and counts
 * in SI units (k, M), at most 3 significant digits plus unit, so a column of
 * 8 characters never overflows. */
#ifndef NFTOP_FMT_H
#define NFTOP_FMT_H

#include <stddef.h>
#include <stdint.h>

char *fmt_bytes(uint64_t v, char *buf, size_t len);	/* "1.21 MiB", "512 B" */
char *fmt_count(double v, char *buf, size_t len);	/* "1.21k", "532" */
char *fmt_bits(double bps, char *buf, size_t len);	/* "12.3 Mb/s" */
char *fmt_time(uint64_t ms, char *buf, size_t len);	/* "2026-01-02 03:04:05Z" */

#endif
