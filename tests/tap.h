/* A small TAP producer for the unit tests (automake's tap-driver reads it). */
#ifndef NFTOP_TAP_H
#define NFTOP_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_u64(got, want, ...) tap_is_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* Prints one result line; returns c. The caller adds its own diagnostics. */
static __attribute__((unused)) int tap_line(int c, const char *f, int l, const char *fmt, va_list ap)
{
	tap_n++;
	printf("%sok %d - ", c ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!c) {
		tap_failed++;
		printf("#   failed at %s:%d\n", f, l);
	}
	return c;
}

static __attribute__((unused, format(printf, 4, 5))) int tap_ok(int c, const char *f, int l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_line(c, f, l, fmt, ap);
	va_end(ap);
	return c;
}

static __attribute__((unused, format(printf, 5, 6))) int tap_is_u64(uint64_t got, uint64_t want, const char *f,
								     int l, const char *fmt, ...)
{
	va_list ap;
	int c = got == want;
	va_start(ap, fmt);
	tap_line(c, f, l, fmt, ap);
	va_end(ap);
	if (!c)
		printf("#   got %" PRIu64 ", want %" PRIu64 "\n", got, want);
	return c;
}

static __attribute__((unused, format(printf, 5, 6))) int tap_is_str(const char *got, const char *want,
								     const char *f, int l, const char *fmt, ...)
{
	va_list ap;
	int c = got && want && !strcmp(got, want);
	va_start(ap, fmt);
	tap_line(c, f, l, fmt, ap);
	va_end(ap);
	if (!c)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return c;
}

static __attribute__((unused)) int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
