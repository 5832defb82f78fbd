/* enrich: adds what the databases know to a flow before it is counted:
 * the class of each address (private, documentation...), its country, and
 * its AS number where the exporter left it 0. The exporter's AS wins. */
#ifndef NFTOP_ENRICH_H
#define NFTOP_ENRICH_H

#include <stdbool.h>

#include "flow.h"
#include "geo.h"

struct conf;
/* Opens the databases the options name (or the usual places). Problems with
 * named files are logged when say is set; with --strict they return NULL. */
struct geo *enrich_open(const struct conf *c, bool say);

/* g may be NULL (no databases): only the address classes are set. */
void enrich_flow(struct geo *g, struct flow *f);

#endif
