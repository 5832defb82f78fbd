/* iface: live packet capture on a network interface through libpcap, for
 * metering ordinary traffic into flows. Non-blocking, so the ingest loop keeps
 * its idle ticks (expiring flows, answering the screen) when nothing comes. */
#ifndef NFTOP_IFACE_H
#define NFTOP_IFACE_H

#include <stdint.h>

#include "capfile.h"

struct iface;

/* Opens and activates DEV; bpf (NULL for none) is compiled and set. Needs
 * CAP_NET_RAW; the caller drops privileges afterwards. */
int iface_open(const char *dev, const char *bpf, struct iface **out, char **cause);
/* 1 with a frame (valid until the next call), 0 when nothing came within
 * timeout_ms, or a negative err code with *cause. */
int iface_next(struct iface *ifc, struct frame *fr, int timeout_ms, char **cause);
int iface_dlt(const struct iface *ifc);
/* Packets the kernel or the interface dropped (pcap_stats). */
uint64_t iface_drops(struct iface *ifc);
void iface_close(struct iface *ifc);

#endif
