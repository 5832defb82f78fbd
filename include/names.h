/* names: fixed names for IP protocol numbers, independent of /etc/protocols
 * so that output is the same on every machine. */
#ifndef NFTOP_NAMES_H
#define NFTOP_NAMES_H

#include <stdint.h>

/* "TCP", "UDP", ...; NULL for a number without a common name. */
const char *proto_name(uint8_t proto);

#endif
