#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "window.h"

bool window_parse(const char *s, uint32_t *secs)
{
	uint64_t total = 0;
	if (!s || !*s)
		return false;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return false;
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		uint64_t mul = 1;
		switch (*end) {
		case '\0': case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: return false;
		}
		if (v > WINDOW_MAX_SECONDS)
			return false;
		total += v * mul;
		if (total > WINDOW_MAX_SECONDS)
			return false;
		s = *end ? end + 1 : end;
	}
	if (total == 0)
		return false;
	*secs = (uint32_t)total;
	return true;
}

void window_layout(uint32_t secs, uint32_t *nbuckets, uint32_t *width_s)
{
	uint32_t n = secs < WINDOW_MAX_BUCKETS ? secs : WINDOW_MAX_BUCKETS;
	if (n == 0)
		n = 1;
	uint32_t w = (secs + n - 1) / n;
	/* Whole buckets only: the window is exactly n * w, never a fraction short. */
	n = (secs + w - 1) / w;
	*nbuckets = n;
	*width_s = w;
}

const char *window_fmt(uint32_t secs, char *buf, unsigned len)
{
	unsigned h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
	if (h && !m && !s)
		snprintf(buf, len, "%uh", h);
	else if (h)
		snprintf(buf, len, "%uh%um%us", h, m, s);
	else if (m && !s)
		snprintf(buf, len, "%um", m);
	else if (m)
		snprintf(buf, len, "%um%us", m, s);
	else
		snprintf(buf, len, "%us", s);
	return buf;
}
