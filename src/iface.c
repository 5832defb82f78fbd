#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "iface.h"
#include "pkt.h"
#include "xmem.h"

/* Headers are all the meter reads: bytes come from the IP length. */
#define SNAPLEN 256
#define BUFFER (8 << 20)

struct iface {
	pcap_t *p;
	char *dev;
	int fd;
	int dlt;
};

static int fail(pcap_t *p, char **cause, const char *dev, const char *what, int rc)
{
	const char *why = pcap_geterr(p);
	if (rc == PCAP_ERROR_PERM_DENIED)
		*cause = err_fmt("-i %s: permission denied: capturing needs root or CAP_NET_RAW", dev);
	else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		*cause = err_fmt("-i %s: no such interface", dev);
	else
		*cause = err_fmt("-i %s: %s: %s", dev, what, why && *why ? why : pcap_statustostr(rc));
	pcap_close(p);
	return rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_NO_SUCH_DEVICE ? ERR_IO : ERR_ARG;
}

int iface_open(const char *dev, const char *bpf, struct iface **out, char **cause)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(dev, errbuf);
	if (!p) {
		*cause = err_fmt("-i %s: %s", dev, errbuf);
		return ERR_IO;
	}
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, BUFFER);
	int rc = pcap_activate(p);
	if (rc < 0)
		return fail(p, cause, dev, "cannot capture", rc);
	int dlt = pcap_datalink(p);
	if (!pkt_linktype_ok(dlt)) {
		*cause = err_fmt("-i %s: unsupported link type %s (%d)", dev,
				 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", dlt);
		pcap_close(p);
		return ERR_FORMAT;
	}
	if (bpf) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0)
			return fail(p, cause, dev, "--bpf", PCAP_ERROR);
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc < 0)
			return fail(p, cause, dev, "--bpf", rc);
	}
	if (pcap_setnonblock(p, 1, errbuf) < 0 || pcap_get_selectable_fd(p) < 0) {
		*cause = err_fmt("-i %s: cannot poll the capture: %s", dev, errbuf);
		pcap_close(p);
		return ERR_IO;
	}
	struct iface *ifc = xcalloc(1, sizeof *ifc);
	ifc->p = p;
	ifc->dev = xstrdup(dev);
	ifc->fd = pcap_get_selectable_fd(p);
	ifc->dlt = dlt;
	*out = ifc;
	return ERR_OK;
}

int iface_next(struct iface *ifc, struct frame *fr, int timeout_ms, char **cause)
{
	for (int tries = 0; tries < 2; tries++) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int r = pcap_next_ex(ifc->p, &h, &data);
		if (r == 1) {
			fr->data = data;
			fr->caplen = h->caplen;
			fr->wirelen = h->len;
			fr->ts_ms = (uint64_t)h->ts.tv_sec * 1000 + (uint64_t)h->ts.tv_usec / 1000;
			return 1;
		}
		if (r < 0) {
			*cause = err_fmt("-i %s: %s", ifc->dev, pcap_geterr(ifc->p));
			return ERR_IO;
		}
		if (tries)
			break;
		/* Nothing buffered: wait for the descriptor, at most timeout_ms. */
		struct pollfd pfd = { ifc->fd, POLLIN, 0 };
		int n = poll(&pfd, 1, timeout_ms);
		if (n < 0 && errno != EINTR) {
			*cause = err_fmt("-i %s: poll: %s", ifc->dev, strerror(errno));
			return ERR_IO;
		}
		if (n <= 0)
			return 0;
	}
	return 0;
}

int iface_dlt(const struct iface *ifc)
{
	return ifc->dlt;
}

uint64_t iface_drops(struct iface *ifc)
{
	struct pcap_stat ps;
	if (pcap_stats(ifc->p, &ps) != 0)
		return 0;
	return (uint64_t)ps.ps_drop + ps.ps_ifdrop;
}

void iface_close(struct iface *ifc)
{
	if (!ifc)
		return;
	pcap_close(ifc->p);
	free(ifc->dev);
	free(ifc);
}
