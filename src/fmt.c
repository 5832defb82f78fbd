#include <stdio.h>
#include <time.h>

#include "fmt.h"

/* v scaled down by 'base' until it is below base; three significant digits. */
static char *scaled(double v, double base, const char *const *units, int nunits, const char *suffix,
		    char *buf, size_t len)
{
	int u = 0;
	while (v >= base && u < nunits - 1) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f%s%s", v, *units[0] ? " " : "", units[0]);
	else if (v < 10)
		snprintf(buf, len, "%.2f %s", v, units[u]);
	else if (v < 100)
		snprintf(buf, len, "%.1f %s", v, units[u]);
	else
		snprintf(buf, len, "%.0f %s", v, units[u]);
	(void)suffix;
	return buf;
}

char *fmt_bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	return scaled((double)v, 1024, u, 7, "", buf, len);
}

char *fmt_count(double v, char *buf, size_t len)
{
	static const char *const u[] = { "", "k", "M", "G", "T", "P", "E" };
	int k = 0;
	while (v >= 1000 && k < 6) {
		v /= 1000;
		k++;
	}
	if (k == 0)
		snprintf(buf, len, "%.0f", v);
	else if (v < 10)
		snprintf(buf, len, "%.2f%s", v, u[k]);
	else if (v < 100)
		snprintf(buf, len, "%.1f%s", v, u[k]);
	else
		snprintf(buf, len, "%.0f%s", v, u[k]);
	return buf;
}

char *fmt_bits(double bps, char *buf, size_t len)
{
	static const char *const u[] = { "b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s", "Pb/s" };
	return scaled(bps, 1000, u, 6, "", buf, len);
}

char *fmt_time(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}
