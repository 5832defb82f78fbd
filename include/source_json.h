/* source_json: goflow2's JSON lines (one flow object a line, as
 * `goflow2 -format json` prints it, v2 snake_case or v1 CamelCase names)
 * read as a flowfile (jsonflow_open in flowfile.h), and the parse of one
 * line from memory, which is also the fuzz target. */
#ifndef NFTOP_SOURCE_JSON_H
#define NFTOP_SOURCE_JSON_H

#include <stddef.h>

#include "flow.h"

/* Longer lines are skipped as bad records without being held in memory. */
#define JSONFLOW_MAX_LINE 65536

/* Parses one line (len bytes, no newline needed, NUL bytes allowed and
 * refused) into *f: IPv4 v4-mapped, packets and bytes as printed (goflow2
 * prints them unscaled: f->sampling says by how much to multiply).
 * ERR_OK, or ERR_MALFORMED with *why saying what is wrong ("field 'bytes':
 * not an unsigned integer"); the caller adds where. */
int jsonflow_parse(const char *line, size_t len, struct flow *f, char **why);

#endif
