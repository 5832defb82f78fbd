/* SPDX-License-Identifier: MIT
 *
 * pcap2udp - send the UDP payloads found in a capture to one address.
 *
 *   pcap2udp -d 127.0.0.1:PORT [--pps N] [--udp-port P] [--count N] FILE
 *
 * Reads a pcap or pcapng file with libpcap (Ethernet with any number of
 * VLAN tags, Linux cooked v1/v2, raw IP, BSD loopback), finds IPv4/IPv6 UDP
 * datagrams and sends each payload, in capture order, from one UDP socket to
 * the destination given with -d (IPv4 "A.B.C.D:PORT" or "[IPv6]:PORT").
 * It is meant to feed a collector (nfcapd, nftop) with a saved capture of
 * NetFlow/IPFIX export datagrams, since tcpreplay onto lo does not reach
 * local sockets.
 *
 * --pps N paces the sending to N datagrams a second (default 20000, 0 means
 * as fast as possible).  --udp-port P keeps only datagrams sent to UDP port
 * P.  --count N stops after N datagrams.  IP fragments and truncated
 * datagrams are skipped and counted.  At the end "sent N datagrams" is
 * printed on stderr.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_LOOP
#define DLT_LOOP 108
#endif

struct counts {
	uint64_t frames;
	uint64_t sent;
	uint64_t sent_bytes;
	uint64_t not_ip;
	uint64_t not_udp;
	uint64_t other_port;
	uint64_t fragments;
	uint64_t truncated;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pcap2udp -d ADDR:PORT [--pps N] [--udp-port P] [--count N] FILE\n"
		   "  ADDR:PORT  127.0.0.1:2055 or [::1]:2055 (numeric only)\n"
		   "  --pps N    datagrams per second, 0 = unpaced (default 20000)\n"
		   "  --udp-port P  only datagrams whose UDP destination port is P\n"
		   "  --count N  stop after N datagrams\n"
		   "  --burst N  hand the kernel N datagrams per call (sendmmsg; default 1)\n");
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (s[0] == '-' || s[0] == '\0')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "A.B.C.D:PORT" or "[V6]:PORT" -> sockaddr; numeric only, no DNS */
static int parse_dest(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *port;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - arg - 1) >= sizeof(host))
			return -1;
		memcpy(host, arg + 1, (size_t)(close - arg - 1));
		host[close - arg - 1] = '\0';
		port = close + 2;
	} else {
		const char *colon = strrchr(arg, ':');
		if (colon == NULL || strchr(arg, ':') != colon || (size_t)(colon - arg) >= sizeof(host))
			return -1;
		memcpy(host, arg, (size_t)(colon - arg));
		host[colon - arg] = '\0';
		port = colon + 1;
	}
	uint64_t p;
	if (parse_u64(port, 65535, &p) != 0 || p == 0)
		return -1;

	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * Find the UDP payload in one frame.  Returns 1 and sets pay, paylen and dport
 * for a UDP datagram, 0 for frames to skip (the reason is counted).
 */
static int find_udp(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen, struct counts *c,
		    const uint8_t **pay, uint32_t *paylen, uint16_t *dport)
{
	uint32_t off = 0;
	uint16_t ethertype = 0; /* 0: decide by the IP version nibble */

	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14)
			goto not_ip;
		ethertype = get16(p + 12);
		off = 14;
		while (ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100) {
			if (caplen < off + 4)
				goto not_ip;
			ethertype = get16(p + off + 2);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			goto not_ip;
		ethertype = get16(p + 14);
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			goto not_ip;
		ethertype = get16(p);
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		off = 4; /* address family, in some byte order: use the IP version */
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		off = 0;
		break;
	default:
		goto not_ip;
	}
	if (caplen <= off)
		goto not_ip;
	if (ethertype == 0)
		ethertype = (p[off] >> 4) == 4 ? 0x0800 : (p[off] >> 4) == 6 ? 0x86dd : 0xffff;

	const uint8_t *ip = p + off;
	uint32_t avail = caplen - off;
	uint32_t l4off, l4avail;
	uint8_t proto;

	if (ethertype == 0x0800) {
		if (avail < 20 || (ip[0] >> 4) != 4)
			goto not_ip;
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4u;
		uint32_t tot = get16(ip + 2);
		if (ihl < 20 || tot < ihl)
			goto not_ip;
		if ((get16(ip + 6) & 0x3fff) != 0) {
			c->fragments++;
			return 0;
		}
		proto = ip[9];
		if (tot > avail) {
			/* the frame was cut by the snap length */
			if (wirelen > caplen) {
				c->truncated++;
				return 0;
			}
			goto not_ip;
		}
		l4off = ihl;
		l4avail = tot - ihl;
	} else if (ethertype == 0x86dd) {
		if (avail < 40 || (ip[0] >> 4) != 6)
			goto not_ip;
		uint32_t plen = get16(ip + 4);
		if (40u + plen > avail) {
			if (wirelen > caplen) {
				c->truncated++;
				return 0;
			}
			goto not_ip;
		}
		proto = ip[6];
		l4off = 40;
		uint32_t end = 40u + plen;
		/* walk the extension headers */
		for (;;) {
			if (proto == 0 || proto == 43 || proto == 60) {
				if (l4off + 8 > end)
					goto not_ip;
				proto = ip[l4off];
				l4off += ((uint32_t)ip[l4off + 1] + 1u) * 8u;
			} else if (proto == 51) {
				if (l4off + 8 > end)
					goto not_ip;
				proto = ip[l4off];
				l4off += ((uint32_t)ip[l4off + 1] + 2u) * 4u;
			} else if (proto == 44) {
				c->fragments++;
				return 0;
			} else {
				break;
			}
			if (l4off > end)
				goto not_ip;
		}
		l4avail = end - l4off;
	} else {
		goto not_ip;
	}

	if (proto != 17) {
		c->not_udp++;
		return 0;
	}
	if (l4avail < 8)
		goto not_ip;
	const uint8_t *udp = ip + l4off;
	uint32_t ulen = get16(udp + 4);
	if (ulen == 0 && ethertype == 0x86dd)
		ulen = l4avail; /* jumbogram */
	if (ulen < 8 || ulen > l4avail)
		goto not_ip;
	*dport = get16(udp + 2);
	*pay = udp + 8;
	*paylen = ulen - 8u;
	return 1;

not_ip:
	c->not_ip++;
	return 0;
}

static void sleep_until(const struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

/* Sends n datagrams (one sendmmsg call for all that the socket takes),
 * each no earlier than its place in the schedule t0 + i / pps: the batch
 * waits for its first datagram's time. */
static int send_batch(int fd, const struct sockaddr_storage *to, socklen_t tolen, struct iovec *iov, size_t n,
		      uint64_t pps, const struct timespec *t0, struct counts *c, const char *dest)
{
	struct mmsghdr m[1024];
	if (pps > 0 && c->sent > 0) {
		uint64_t ns = c->sent * UINT64_C(1000000000) / pps;
		struct timespec next = { t0->tv_sec + (time_t)(ns / 1000000000u), t0->tv_nsec + (long)(ns % 1000000000u) };
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		sleep_until(&next);
	}
	for (size_t i = 0; i < n; i++) {
		memset(&m[i], 0, sizeof m[i]);
		m[i].msg_hdr.msg_name = (void *)to;
		m[i].msg_hdr.msg_namelen = tolen;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	size_t done = 0;
	int tries = 0;
	while (done < n) {
		int k = sendmmsg(fd, m + done, (unsigned)(n - done), 0);
		if (k > 0) {
			for (int i = 0; i < k; i++)
				c->sent_bytes += iov[done + (size_t)i].iov_len;
			done += (size_t)k;
			c->sent += (uint64_t)k;
			continue;
		}
		if (k < 0 && (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) && tries++ < 1000) {
			struct timespec pause = { 0, 100000 };
			nanosleep(&pause, NULL);
			continue;
		}
		fprintf(stderr, "pcap2udp: sendmmsg %s: %s\n", dest, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dest", required_argument, NULL, 'd' },
		{ "pps", required_argument, NULL, 'p' },
		{ "udp-port", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'c' },
		{ "burst", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dest = NULL;
	uint64_t pps = 20000, want_port = 0, limit = 0, burst = 1;
	int have_port = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "d:p:u:c:b:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dest = optarg;
			break;
		case 'p':
			if (parse_u64(optarg, 100000000, &pps) != 0) {
				fprintf(stderr, "pcap2udp: bad --pps '%s'\n", optarg);
				return 2;
			}
			break;
		case 'u':
			if (parse_u64(optarg, 65535, &want_port) != 0) {
				fprintf(stderr, "pcap2udp: bad --udp-port '%s'\n", optarg);
				return 2;
			}
			have_port = 1;
			break;
		case 'c':
			if (parse_u64(optarg, UINT64_MAX, &limit) != 0) {
				fprintf(stderr, "pcap2udp: bad --count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b':
			if (parse_u64(optarg, 1024, &burst) != 0 || burst == 0) {
				fprintf(stderr, "pcap2udp: bad --burst '%s' (1-1024)\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (dest == NULL || optind != argc - 1) {
		usage(stderr);
		return 2;
	}

	struct sockaddr_storage to;
	socklen_t tolen;
	if (parse_dest(dest, &to, &tolen) != 0) {
		fprintf(stderr, "pcap2udp: bad destination '%s' (want A.B.C.D:PORT or [V6]:PORT)\n",
			dest);
		return 2;
	}

	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(argv[optind], errbuf);
	if (pc == NULL) {
		fprintf(stderr, "pcap2udp: %s\n", errbuf);
		return 1;
	}
	int dlt = pcap_datalink(pc);

	int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("pcap2udp: socket");
		pcap_close(pc);
		return 1;
	}
	int sndbuf = 4 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	struct counts c;
	memset(&c, 0, sizeof(c));
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = 0;

	struct pcap_pkthdr *h;
	const u_char *data;
	int r = 0;
	size_t nb = 0;
	static struct iovec iov[1024];
	uint8_t(*bufs)[65536] = malloc(burst * sizeof *bufs);
	if (!bufs) {
		perror("pcap2udp: malloc");
		return 1;
	}
	while ((limit == 0 || c.sent + nb < limit) && (r = pcap_next_ex(pc, &h, &data)) >= 0) {
		if (r == 0)
			continue;
		c.frames++;
		const uint8_t *pay;
		uint32_t paylen;
		uint16_t dport;
		if (!find_udp(dlt, data, h->caplen, h->len, &c, &pay, &paylen, &dport))
			continue;
		if (have_port && dport != want_port) {
			c.other_port++;
			continue;
		}
		memcpy(bufs[nb], pay, paylen);
		iov[nb].iov_base = bufs[nb];
		iov[nb].iov_len = paylen;
		nb++;
		if (nb == burst || (limit && c.sent + nb >= limit)) {
			if (send_batch(fd, &to, tolen, iov, nb, pps, &t0, &c, dest) != 0) {
				rc = 1;
				break;
			}
			nb = 0;
		}
	}
	if (rc == 0 && nb > 0 && send_batch(fd, &to, tolen, iov, nb, pps, &t0, &c, dest) != 0)
		rc = 1;
	if (rc == 0 && (limit == 0 || c.sent < limit) && r == PCAP_ERROR) {
		fprintf(stderr, "pcap2udp: %s: %s\n", argv[optind], pcap_geterr(pc));
		rc = 1;
	}
	pcap_close(pc);
	close(fd);
	free(bufs);

	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "sent %" PRIu64 " datagrams (%" PRIu64 " payload bytes) to %s in %.3f s\n", c.sent,
		c.sent_bytes, dest, secs);
	if (c.not_ip + c.not_udp + c.other_port + c.fragments + c.truncated > 0)
		fprintf(stderr,
			"pcap2udp: %" PRIu64 " frames read; skipped %" PRIu64 " not UDP, %" PRIu64
			" not IP or malformed, %" PRIu64 " to other ports, %" PRIu64
			" fragments, %" PRIu64 " truncated\n",
			c.frames, c.not_udp, c.not_ip, c.other_port, c.fragments, c.truncated);
	return rc;
}
