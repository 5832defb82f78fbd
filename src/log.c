#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static struct {
	pthread_mutex_t mu;
	int to_stderr;
	uint64_t seq;
	char line[LOG_RING][LOG_LINE];
	enum log_level level[LOG_RING];
} lg = { PTHREAD_MUTEX_INITIALIZER, 1, 0, { { 0 } }, { 0 } };

void log_to_stderr(int on)
{
	pthread_mutex_lock(&lg.mu);
	lg.to_stderr = on;
	pthread_mutex_unlock(&lg.mu);
}

void log_msg(enum log_level lv, const char *fmt, ...)
{
	char buf[LOG_LINE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* Control characters from the wire or a file name never reach a terminal. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	pthread_mutex_lock(&lg.mu);
	size_t i = lg.seq++ % LOG_RING;
	memcpy(lg.line[i], buf, sizeof buf);
	lg.level[i] = lv;
	if (lg.to_stderr)
		fprintf(stderr, "nftop: %s\n", buf);
	pthread_mutex_unlock(&lg.mu);
}

uint64_t log_last(char *buf, size_t len, enum log_level *lv)
{
	pthread_mutex_lock(&lg.mu);
	uint64_t seq = lg.seq;
	if (seq && len) {
		size_t i = (seq - 1) % LOG_RING;
		snprintf(buf, len, "%s", lg.line[i]);
		if (lv)
			*lv = lg.level[i];
	}
	pthread_mutex_unlock(&lg.mu);
	return seq;
}

size_t log_recent(char (*lines)[LOG_LINE], size_t n)
{
	size_t k = 0;
	pthread_mutex_lock(&lg.mu);
	for (uint64_t s = lg.seq; s > 0 && k < n && lg.seq - s < LOG_RING; s--, k++)
		memcpy(lines[k], lg.line[(s - 1) % LOG_RING], LOG_LINE);
	pthread_mutex_unlock(&lg.mu);
	return k;
}
