/* The ingest thread: replay and live collection publish snapshots a few times
 * a second whatever the screen does, requests (filter, window, pause) take
 * effect, and totals match what batch mode reads from the same capture
 * (tests/data/expected.tsv, from tshark). Also the target of the TSan build. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "ingest.h"
#include "tap.h"

static const char *top;

static uint64_t now_ms(void)
{
	return ingest_mono_ms();
}

/* Waits up to ms for a snapshot that satisfies done(); returns the last one. */
static struct snap *wait_snap(struct engine *e, uint64_t *seq, int ms, bool (*done)(const struct snap *))
{
	struct snap *last = NULL;
	uint64_t end = now_ms() + (uint64_t)ms;
	while (now_ms() < end) {
		struct snap *sn = engine_snapshot(e, seq);
		if (sn) {
			snap_free(last);
			last = sn;
			if (done(last))
				break;
		}
		usleep(20000);
	}
	return last;
}

static bool is_done(const struct snap *sn) { return sn->done; }
static bool is_filtered(const struct snap *sn) { return sn->done && sn->filter[0]; }
static bool is_paused(const struct snap *sn) { return sn->paused; }

static void test_replay(void)
{
	struct conf c;
	char path[1024];
	char *cause = NULL;
	conf_defaults(&c);
	snprintf(path, sizeof path, "%s/tests/data/ipfix/mikrotik_routeros6.pcap", top);
	char *files[] = { path };
	c.read = files;
	c.nread = 1;
	c.speed = 0;
	c.window_s = 0;
	struct engine *e = engine_start(&c, &cause);
	ok(e != NULL, "engine starts on a replay");
	uint64_t seq = 0;
	struct snap *sn = wait_snap(e, &seq, 5000, is_done);
	ok(sn && sn->done, "the replay reaches its end");
	/* tests/data/expected.tsv: 46 flows, 253 packets, 103235 bytes (tshark). */
	is_u64(sn ? sn->total.flows : 0, 46, "flows as tshark counts them");
	is_u64(sn ? sn->total.bytes : 0, 103235, "bytes as tshark counts them");
	snap_free(sn);

	int col = 0;
	engine_set_filter(e, filter_parse("proto udp", &cause, &col));
	sn = wait_snap(e, &seq, 3000, is_filtered);
	ok(sn && !strcmp(sn->filter, "proto udp"), "the filter takes effect after the end of input");
	/* tests/data/expected_top.tsv and nfdump -s proto agree: UDP is 14610 bytes. */
	is_u64(sn ? sn->total.bytes : 0, 14610, "filtered bytes: UDP only");
	is_u64(sn ? sn->total_all.bytes : 0, 103235, "unfiltered totals kept for the header");
	is_u64(sn ? sn->dim[DIM_PROTO].n : 0, 1, "one protocol left");
	snap_free(sn);
	engine_stop(e);
}

static void test_live(void)
{
	struct conf c;
	char *cause = NULL;
	conf_defaults(&c);
	/* Ask the kernel for a free port first. */
	int probe = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	bind(probe, (struct sockaddr *)&a, sizeof a);
	getsockname(probe, (struct sockaddr *)&a, &al);
	close(probe);
	char spec[64];
	snprintf(spec, sizeof spec, "127.0.0.1:%u", ntohs(a.sin_port));
	char *listen[] = { spec };
	c.listen = listen;
	c.nlisten = 1;
	c.window_s = 60;
	c.quiet = true;
	struct engine *e = engine_start(&c, &cause);
	ok(e != NULL, "engine starts listening on %s", spec);

	/* One NetFlow v5 datagram of 1 flow every 100 ms for 3 s. */
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint8_t dg[24 + 48];
	uint64_t seq = 0, t0 = now_ms(), last_new = t0, max_gap = 0, got = 0;
	struct snap *sn = NULL;
	for (int i = 0; i < 30; i++) {
		memset(dg, 0, sizeof dg);
		dg[1] = 5;
		dg[3] = 1;
		uint32_t fseq = htonl((uint32_t)i);
		memcpy(dg + 16, &fseq, 4);
		uint8_t *r = dg + 24;
		r[0] = 10; r[3] = 1; r[4] = 192; r[5] = 0; r[6] = 2; r[7] = 1;
		r[19] = 1;		/* 1 packet */
		r[22] = 0x05; r[23] = 0xdc;	/* 1500 bytes */
		r[38] = 17;
		sendto(fd, dg, sizeof dg, 0, (struct sockaddr *)&a, sizeof a);
		for (int k = 0; k < 5; k++) {
			usleep(20000);
			struct snap *n = engine_snapshot(e, &seq);
			if (n) {
				uint64_t t = now_ms();
				if (t - last_new > max_gap)
					max_gap = t - last_new;
				last_new = t;
				got++;
				snap_free(sn);
				sn = n;
			}
		}
	}
	close(fd);
	ok(got >= 9, "snapshots published while collecting (%" PRIu64 " in 3 s)", got);
	ok(max_gap <= 1000, "never more than a second without a new snapshot (longest %" PRIu64 " ms)", max_gap);
	usleep(1000000);	/* publishing runs every 250 ms, idle polls every 200 ms */
	struct snap *n = engine_snapshot(e, &seq);
	if (n) {
		snap_free(sn);
		sn = n;
	}
	is_u64(sn ? sn->total.flows : 0, 30, "every datagram counted");
	is_u64(sn ? sn->total.bytes : 0, 45000, "30 x 1500 bytes");

	engine_set_paused(e, true);	/* no effect on a live input but must not hang */
	snap_free(sn);
	sn = wait_snap(e, &seq, 2000, is_paused);
	ok(sn != NULL, "a snapshot after a pause request");
	snap_free(sn);
	engine_stop(e);
	ok(1, "engine stops");
}

int main(void)
{
	top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	test_replay();
	test_live();
	return done_testing();
}
