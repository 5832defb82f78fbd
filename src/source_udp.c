#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "source.h"
#include "xmem.h"

#define UDP_MAX_SOCKS 16
#define UDP_BATCH 64
#define UDP_BUF 65536

struct udp_src {
	int fd[UDP_MAX_SOCKS];
	uint32_t drops[UDP_MAX_SOCKS];	/* SO_RXQ_OVFL: the kernel's running count */
	size_t nfd;
	size_t next_fd;			/* round-robin so one busy socket cannot starve another */
	struct mmsghdr msg[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct sockaddr_storage from[UDP_BATCH];
	char ctrl[UDP_BATCH][CMSG_SPACE(sizeof(uint32_t))];
	uint8_t *buf;
	int batch_n, batch_i, batch_fd;
	uint64_t batch_ms;
	struct source_stats st;
};

/* "PORT", "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT"; no address = every address. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sl, char **cause)
{
	char host[INET6_ADDRSTRLEN + 2] = "";
	const char *port = spec;
	const char *colon = strrchr(spec, ':');
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof host) {
			*cause = err_fmt("listen address '%s': expected [IPV6]:PORT", spec);
			return ERR_ARG;
		}
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		port = end + 2;
	} else if (colon) {
		if ((size_t)(colon - spec) >= sizeof host) {
			*cause = err_fmt("listen address '%s': address too long", spec);
			return ERR_ARG;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		port = colon + 1;
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 1 || p > 65535) {
		*cause = err_fmt("listen address '%s': port must be 1-65535", spec);
		return ERR_ARG;
	}
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (host[0] && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		*sl = sizeof *s4;
	} else if (!host[0] || inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		if (!host[0])
			s6->sin6_addr = in6addr_any;
		*sl = sizeof *s6;
	} else {
		*cause = err_fmt("listen address '%s': '%s' is not an IPv4 or IPv6 address", spec, host);
		return ERR_ARG;
	}
	return ERR_OK;
}

static int open_socket(const char *spec, int rcvbuf, char **cause)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int rc = parse_listen(spec, &ss, &sl, cause);
	if (rc < 0)
		return rc;
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*cause = err_fmt("listen %s: socket: %s", spec, strerror(errno));
		return ERR_IO;
	}
	int one = 1, zero = 0;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);	/* take IPv4 too */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* A big queue absorbs bursts; FORCE works as root, the plain call otherwise. */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		*cause = err_fmt("listen %s: bind: %s", spec, strerror(errno));
		close(fd);
		return ERR_IO;
	}
	return fd;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void from_addr(const struct sockaddr_storage *ss, struct flow_addr *a)
{
	memset(a, 0, sizeof *a);
	if (ss->ss_family == AF_INET)
		flow_addr_set4(a, (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr);
	else if (ss->ss_family == AF_INET6)
		memcpy(a->b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

static void note_drops(struct udp_src *s, size_t i, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t v;
			memcpy(&v, CMSG_DATA(c), sizeof v);
			s->st.kernel_drops += (uint32_t)(v - s->drops[i]);
			s->drops[i] = v;
		}
	}
}

static int fill_batch(struct udp_src *s, int timeout_ms, char **cause)
{
	struct pollfd pfd[UDP_MAX_SOCKS];
	for (size_t i = 0; i < s->nfd; i++) {
		pfd[i].fd = s->fd[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	int r = poll(pfd, (nfds_t)s->nfd, timeout_ms);
	if (r < 0) {
		if (errno == EINTR)
			return SOURCE_TIMEOUT;
		*cause = err_fmt("poll: %s", strerror(errno));
		return ERR_IO;
	}
	if (r == 0)
		return SOURCE_TIMEOUT;
	for (size_t k = 0; k < s->nfd; k++) {
		size_t i = (s->next_fd + k) % s->nfd;
		if (!(pfd[i].revents & POLLIN))
			continue;
		s->next_fd = (i + 1) % s->nfd;
		for (int j = 0; j < UDP_BATCH; j++) {
			s->iov[j].iov_base = s->buf + (size_t)j * UDP_BUF;
			s->iov[j].iov_len = UDP_BUF;
			struct msghdr *mh = &s->msg[j].msg_hdr;
			memset(mh, 0, sizeof *mh);
			mh->msg_name = &s->from[j];
			mh->msg_namelen = sizeof s->from[j];
			mh->msg_iov = &s->iov[j];
			mh->msg_iovlen = 1;
			mh->msg_control = s->ctrl[j];
			mh->msg_controllen = sizeof s->ctrl[j];
		}
		int n = recvmmsg(s->fd[i], s->msg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				s->st.recv_errors++;
			continue;
		}
		for (int j = 0; j < n; j++)
			note_drops(s, i, &s->msg[j].msg_hdr);
		s->batch_n = n;
		s->batch_i = 0;
		s->batch_fd = (int)i;
		s->batch_ms = now_ms();
		return n > 0 ? SOURCE_DATAGRAM : SOURCE_TIMEOUT;
	}
	return SOURCE_TIMEOUT;
}

static int udp_next(void *self, struct datagram *dg, int timeout_ms, char **cause)
{
	struct udp_src *s = self;
	if (s->batch_i >= s->batch_n) {
		int r = fill_batch(s, timeout_ms, cause);
		if (r != SOURCE_DATAGRAM)
			return r;
	}
	int j = s->batch_i++;
	dg->data = s->iov[j].iov_base;
	dg->len = s->msg[j].msg_len;
	from_addr(&s->from[j], &dg->from);
	dg->recv_ms = s->batch_ms;
	s->st.datagrams++;
	return SOURCE_DATAGRAM;
}

static void udp_stats_get(const void *self, struct source_stats *st)
{
	const struct udp_src *s = self;
	*st = s->st;
	/* SO_RXQ_OVFL only tells on the next datagram that arrives; a socket
	 * that overflowed and then went quiet is asked directly. */
	uint64_t drops = 0;
	for (size_t i = 0; i < s->nfd; i++) {
		uint32_t mem[SK_MEMINFO_VARS];
		socklen_t len = sizeof mem;
		if (getsockopt(s->fd[i], SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
		    len >= (SK_MEMINFO_DROPS + 1) * sizeof mem[0])
			drops += mem[SK_MEMINFO_DROPS];
		else
			return;
	}
	if (drops > st->kernel_drops)
		st->kernel_drops = drops;
}

static void udp_close(void *self)
{
	struct udp_src *s = self;
	for (size_t i = 0; i < s->nfd; i++)
		close(s->fd[i]);
	free(s->buf);
	free(s);
}

static const struct source_ops udp_ops = { udp_next, udp_stats_get, udp_close };

int source_udp_open(char *const *listen, size_t n, int rcvbuf, struct source **out, char **cause)
{
	static char *const dflt[] = { "2055" };
	if (n == 0) {
		listen = dflt;
		n = 1;
	}
	if (n > UDP_MAX_SOCKS) {
		*cause = err_fmt("at most %d listen addresses", UDP_MAX_SOCKS);
		return ERR_ARG;
	}
	struct udp_src *s = xcalloc(1, sizeof *s);
	size_t namelen = 1;
	for (size_t i = 0; i < n; i++) {
		int fd = open_socket(listen[i], rcvbuf, cause);
		if (fd < 0) {
			udp_close(s);
			return fd;
		}
		s->fd[s->nfd++] = fd;
		namelen += strlen(listen[i]) + 1;
	}
	s->buf = xmalloc((size_t)UDP_BATCH * UDP_BUF);
	struct source *src = xcalloc(1, sizeof *src);
	src->ops = &udp_ops;
	src->self = s;
	src->live = true;
	src->name = xcalloc(1, namelen);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(src->name, " ");
		strcat(src->name, listen[i]);
	}
	*out = src;
	return ERR_OK;
}
