/* window: durations and the layout of a sliding window over time buckets. */
#ifndef NFTOP_WINDOW_H
#define NFTOP_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define WINDOW_MAX_BUCKETS 60
#define WINDOW_MAX_SECONDS (7u * 24 * 3600)

/* "90", "90s", "10m", "1h", "1d", "1m30s" -> seconds; false on anything else. */
bool window_parse(const char *s, uint32_t *secs);
/* Bucket count and width (seconds) so that count * width covers secs. */
void window_layout(uint32_t secs, uint32_t *nbuckets, uint32_t *width_s);
/* "1m", "5m", "1h30m", "45s": the shortest text for a duration. */
const char *window_fmt(uint32_t secs, char *buf, unsigned len);

#endif
