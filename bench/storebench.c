/* storebench: the store's memory per key and the cost of a screen refresh,
 * measured on the library itself (no input files).
 *   storebench mem N      N flows with N unique source and destination
 *                         addresses: bytes per tracked key of a dimension
 *   storebench ui N       N unique keys in the screen's 60-second window: milliseconds to
 *                         build a snapshot and draw every pane at 200x50
 *   storebench churn S    bench/soak.sh's flows straight into the store: S
 *                         seconds of 60,000 flows each, every address and port
 *                         new, a 60-second window, --max-memory 256M; every 10
 *                         seconds the keys tracked and the tables' bytes
 * Prints one JSON object (churn: one a line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canvas.h"
#include "enrich.h"
#include "snap.h"
#include "store.h"
#include "ui.h"
#include "view.h"
#include "xmem.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* Flow i: a unique source and destination (10.x / 172.16+ spread over the
 * whole 32 bits), a few hundred ports, three protocols. */
static void fill(struct store *st, size_t n, uint64_t t0, uint32_t span_s)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	flow_addr_set4u(&f.exporter, 0xc0000201);
	for (size_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)(i * 2654435761u);
		flow_addr_set4u(&f.src, 0x0a000000u + (uint32_t)i);
		flow_addr_set4u(&f.dst, x);
		f.sport = (uint16_t)(1024 + i % 60000);
		f.dport = (uint16_t)(i % 300);
		f.proto = i % 10 ? 6 : 17;
		f.bytes = 40 + i % 1500;
		f.packets = 1 + i % 7;
		f.recv_ms = t0 + (span_s ? (uint64_t)i * span_s * 1000 / n : 0);
		enrich_flow(NULL, &f);
		store_add(st, &f);
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Keys tracked in the memory bound while every flow brings new ones: what
 * bench/soak.sh measures live, here without sockets, the same on every run
 * with one thread (with two, the threads' timing plays a part). */
static int churn(unsigned secs)
{
	const size_t bound = (256u << 20) - (16u << 20);	/* conf_table_memory of 256M */
	const unsigned per = 60000;
	/* STOREBENCH_THREADS=1: the one-thread store on any machine. */
	const char *th = getenv("STOREBENCH_THREADS");
	bool split = th ? atoi(th) >= 2 : sysconf(_SC_NPROCESSORS_ONLN) >= 2;
	struct store_opts so = { 60, 100000000, 24, 48, split, bound };
	struct store *st = store_new(&so);
	uint64_t x = 88172645463325252ULL;
	struct flow f;
	memset(&f, 0, sizeof f);
	flow_addr_set4u(&f.exporter, 0xc0000201);
	for (unsigned sec = 0; sec < secs; sec++) {
		for (unsigned i = 0; i < per; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			flow_addr_set4u(&f.src, (uint32_t)x);
			flow_addr_set4u(&f.dst, (uint32_t)(x >> 32));
			f.sport = (uint16_t)(x >> 8);
			f.dport = (uint16_t)(x >> 24);
			f.proto = 17;
			f.bytes = 100 + x % 1400;
			f.packets = 1;
			f.recv_ms = 1700000000000ULL + (uint64_t)sec * 1000 + (uint64_t)i * 1000 / per;
			enrich_flow(NULL, &f);
			store_add(st, &f);
		}
		if (sec % 10 != 9)
			continue;
		struct store_dim_info src, dst;
		size_t bytes = 0;
		store_dim_info(st, DIM_SRC_IP, &src);
		store_dim_info(st, DIM_DST_IP, &dst);
		for (int d = 0; d < DIM_COUNT; d++) {
			struct store_dim_info in;
			store_dim_info(st, (enum dim)d, &in);
			bytes += in.bytes;
		}
		printf("{\"second\":%u,\"threads\":%d,\"src_ip_keys\":%zu,\"dst_ip_keys\":%zu,"
		       "\"table_bytes\":%zu,\"bound\":%zu,\"rss_kb\":%ld,\"dims\":{",
		       sec + 1, split ? 2 : 1, src.keys, dst.keys, bytes, bound, rss_kb());
		/* Where the memory went: keys in the window, keys in its
		 * buckets and bytes, for the dimensions of many keys. */
		static const enum dim many[] = { DIM_SRC_IP, DIM_DST_IP, DIM_SRC_PORT, DIM_SRC_PREFIX, DIM_DST_PREFIX };
		for (size_t i = 0; i < sizeof many / sizeof many[0]; i++) {
			struct store_dim_info in;
			store_dim_info(st, many[i], &in);
			printf("%s\"%s\":[%zu,%zu,%zu]", i ? "," : "", dim_name(many[i]), in.keys, in.bucket_keys,
			       in.bytes);
		}
		printf("}}\n");
		fflush(stdout);
	}
	store_free(st);
	return 0;
}

int main(int argc, char **argv)
{
	xmem_setup();
	if (argc != 3 || (strcmp(argv[1], "mem") && strcmp(argv[1], "ui") && strcmp(argv[1], "churn"))) {
		fprintf(stderr, "usage: storebench mem|ui N | churn SECONDS\n");
		return 2;
	}
	size_t n = strtoull(argv[2], NULL, 10);
	if (!strcmp(argv[1], "churn"))
		return churn((unsigned)n);
	if (!strcmp(argv[1], "mem")) {
		long before = rss_kb();
		struct store_opts so = { 0, n + 1, 24, 48, false, 0 };
		struct store *st = store_new(&so);
		fill(st, n, 1700000000000ULL, 0);
		long after = rss_kb();
		struct store_dim_info src, all = { 0 };
		store_dim_info(st, DIM_SRC_IP, &src);
		for (int d = 0; d < DIM_COUNT; d++) {
			struct store_dim_info in;
			store_dim_info(st, (enum dim)d, &in);
			all.bytes += in.bytes;
			all.keys += in.keys;
		}
		printf("{\"keys\":%zu,\"src_ip_bytes\":%zu,\"bytes_per_key\":%.1f,"
		       "\"all_dims_bytes\":%zu,\"all_dims_keys\":%zu,\"rss_growth_kb\":%ld}\n",
		       src.keys, src.bytes, (double)src.bytes / (double)src.keys, all.bytes, all.keys, after - before);
		store_free(st);
		return 0;
	}
	/* The screen's default: a 60-second window, 100 rows a dimension, the
	 * store split over two threads where there are two CPUs. */
	bool split = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
	struct store_opts so = { 60, n + 1, 24, 48, split, 0 };
	struct store *st = store_new(&so);
	fill(st, n, 1700000000000ULL, 50);
	struct source_stats ss;
	memset(&ss, 0, sizeof ss);
	struct ui_state u;
	ui_init(&u, 60, SORT_BYTES);
	struct canvas *c = canvas_new(200, 50, true);
	double snap_ms[9], draw_ms[9];
	for (int r = 0; r < 9; r++) {
		double t0 = now_ms();
		struct snap *sn = snap_build(st, NULL, &ss, SORT_BYTES, false, 100, 60, NULL);
		double t1 = now_ms();
		ui_follow(&u, sn);
		view_draw(c, sn, &u, NULL);
		double t2 = now_ms();
		snap_ms[r] = t1 - t0;
		draw_ms[r] = t2 - t1;
		snap_free(sn);
	}
	qsort(snap_ms, 9, sizeof *snap_ms, cmp_d);
	qsort(draw_ms, 9, sizeof *draw_ms, cmp_d);
	struct store_dim_info in;
	store_dim_info(st, DIM_DST_IP, &in);
	printf("{\"keys\":%zu,\"threads\":%d,\"snapshot_ms\":%.2f,\"draw_ms\":%.2f,\"total_ms\":%.2f}\n", in.keys,
	       split ? 2 : 1, snap_ms[4], draw_ms[4], snap_ms[4] + draw_ms[4]);
	canvas_free(c);
	store_free(st);
	return 0;
}
