/* names: fixed names for IP protocol numbers, independent of /etc/protocols
 * so that output is the same on every machine. */
#ifndef NFTOP_NAMES_H
#define NFTOP_NAMES_H

#include <stdint.h>

/* "TCP", "UDP", ...; NULL for a number without a common name. */
const char *proto_name(uint8_t proto);

/* Service names by port, read once from a services(5) file. */
struct services;
/* NULL path: /etc/services. A missing file gives an empty table. */
struct services *services_load(const char *path);
void services_free(struct services *s);
/* "https" for 443; NULL when unknown. */
const char *services_name(const struct services *s, uint16_t port);
#endif
