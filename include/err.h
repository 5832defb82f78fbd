/* err: negative error codes shared by every module, and their messages. */
#ifndef NFTOP_ERR_H
#define NFTOP_ERR_H

enum {
	ERR_OK = 0,
	ERR_TRUNCATED = -1,	/* fewer bytes than a header or length says */
	ERR_VERSION = -2,	/* not a flow export version we know */
	ERR_MALFORMED = -3,	/* structurally wrong (bad length, count, template) */
	ERR_NOMEM = -4,
	ERR_LIMIT = -5,		/* a configured cap was reached */
	ERR_IO = -6,
	ERR_FORMAT = -7,	/* a file whose format we cannot read */
	ERR_ARG = -8,
};

const char *err_str(int code);
/* A malloc'd message for a 'char **cause' (printf format); never NULL. */
char *err_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
