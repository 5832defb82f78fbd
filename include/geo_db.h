/* geo_db: finding and opening the MMDB files behind geo, and making their
 * strings safe to show. Only geo's own files use it. */
#ifndef NFTOP_GEO_DB_H
#define NFTOP_GEO_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <maxminddb.h>

enum geo_role { GEO_ROLE_COUNTRY, GEO_ROLE_ASN, GEO_ROLE_COUNT };

struct geo_db {
	MMDB_s mmdb;
	char *path;	/* malloc'd when open */
	bool open;
};

/* "country" or "asn". */
const char *geo_db_role_name(enum geo_role r);
/* Opens path for role r. On failure d stays closed and one "PATH: reason"
 * line is added to *warnings (when warnings is not NULL). */
bool geo_db_open(struct geo_db *d, const char *path, enum geo_role r, char **warnings);
/* Searches the directories, in order, for the usual file names of role r
 * (see geo_open); files that fail to open are reported and passed over. */
bool geo_db_search(struct geo_db *d, const char *const *dirs, size_t ndirs, enum geo_role r,
		   char **warnings);
/* $XDG_DATA_HOME/nftop, else ~/.local/share/nftop; malloc'd, NULL without HOME. */
char *geo_db_user_dir(void);
void geo_db_close(struct geo_db *d);
/* "ROLE: PATH (TYPE, built YYYY-MM-DD HH:MM UTC)\n" into buf (snprintf rules). */
int geo_db_describe(const struct geo_db *d, enum geo_role r, char *buf, size_t len);

/* Copies n bytes of database text into dst (cap bytes, always terminated):
 * valid UTF-8 only, without C0/C1 controls, bidi overrides or zero-width marks
 * (a terminal shows these strings); whitespace controls become spaces, bad
 * bytes '?', trailing spaces go, and the cut falls on a character boundary. */
void geo_db_clean(char *dst, size_t cap, const char *s, size_t n);
/* Appends a line to a '\n'-separated malloc'd list (no-op when w is NULL). */
void geo_db_warn(char **w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
