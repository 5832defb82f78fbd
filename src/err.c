#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "xmem.h"

char *err_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return xstrdup(fmt);
	return s;
}

const char *err_str(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_TRUNCATED: return "truncated";
	case ERR_VERSION: return "unknown export version";
	case ERR_MALFORMED: return "malformed";
	case ERR_NOMEM: return "out of memory";
	case ERR_LIMIT: return "limit reached";
	case ERR_IO: return "input/output error";
	case ERR_FORMAT: return "unrecognised file format";
	case ERR_ARG: return "invalid argument";
	}
	return "unknown error";
}
