/* Unit tests of the nfcapd reader: one flow's every field against
 * nfdump's raw print of the same record, the file and in-memory entry
 * points agreeing, a damaged block ending the file with its position, a
 * record of an unknown type counted and passed, and the -R file listing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "flowfile.h"
#include "nfcapd.h"
#include "tap.h"

static const char *top;

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static uint8_t buf[1 << 16];
	*len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return buf;
}

/* Flows until the end or an error; the last rc and its cause. */
static size_t count(struct flowfile *ff, int *rc, char **cause, struct flow *first)
{
	size_t n = 0;
	struct flow f;
	while ((*rc = flowfile_next(ff, &f, cause)) == FLOWFILE_FLOW || *rc == FLOWFILE_BAD) {
		if (*rc == FLOWFILE_BAD) {
			free(*cause);
			*cause = NULL;
			continue;
		}
		if (n++ == 0 && first)
			*first = f;
	}
	return n;
}

static void test_record0(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/bad/nfcapd-record0", top);
	struct flowfile *ff = NULL;
	char *cause = NULL;
	int rc = nfcapd_open(path, &ff, &cause);
	ok(rc == ERR_OK, "opens %s", path);
	if (rc < 0) {
		free(cause);
		return;
	}
	struct flow f;
	memset(&f, 0, sizeof f);
	size_t n = count(ff, &rc, &cause, &f);
	/* nfdump -r tests/data/bad/nfcapd-record0 -c 1 -o raw: first record */
	is_u64(f.first_ms, 1767323045000ULL, "first");
	is_u64(f.last_ms, 1767323045204ULL, "last");
	is_u64(f.recv_ms, 1795346668515ULL, "received at");
	is_u64(f.proto, 6, "proto");
	is_u64(f.tcp_flags, 0x1b, "tcp flags");
	is_u64(f.sport, 32768, "src port");
	is_u64(f.dport, 443, "dst port");
	is_u64(f.packets, 6, "in packets");
	is_u64(f.bytes, 768, "in bytes");
	is_u64(f.sampling, 1, "counters already scaled");
	char a[FLOW_ADDRSTRLEN];
	is_str(flow_addr_fmt(&f.src, a, sizeof a), "10.1.0.10", "src addr");
	is_str(flow_addr_fmt(&f.dst, a, sizeof a), "198.51.100.10", "dst addr");
	/* nfdump -E tests/data/bad/nfcapd-record0: SysID 1, IP 127.0.0.1, version 9 */
	is_str(flow_addr_fmt(&f.exporter, a, sizeof a), "127.0.0.1", "exporter");
	is_u64(f.version, 9, "version");
	/* nfdump on the file's first block alone (tests/nfcapd.sh): 19 flows */
	is_u64(n, 19, "flows of the blocks before the damaged one");
	ok(rc == ERR_MALFORMED, "the damaged block ends the file (rc %d)", rc);
	ok(cause && strstr(cause, ": block 1 at offset 2252: record 2 (type 11)") && strstr(cause, "has size 0"),
	   "the error names block, offset and record: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	struct flowfile_stats st;
	flowfile_stats(ff, &st);
	is_u64(st.bytes_total, 8889, "bytes_total is the file size");
	flowfile_close(ff);

	size_t len = 0;
	const uint8_t *buf = slurp(path, &len);
	ok(buf && nfcapd_open_mem("mem", buf, len, &ff, &cause) == ERR_OK, "opens the same bytes from memory");
	if (!ff)
		return;
	n = count(ff, &rc, &cause, NULL);
	is_u64(n, 19, "the same flows from memory");
	ok(rc < 0 && cause && !strncmp(cause, "mem: block 1 at offset 2252:", 28), "and the same error: %s",
	   cause ? cause : "(none)");
	free(cause);
	flowfile_close(ff);
}

/* A record type nfdump does not define: counted as bad, the rest read. */
static void test_unknown_record(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/bad/nfcapd-record0", top);
	size_t len = 0;
	uint8_t *buf = slurp(path, &len);
	if (!ok(buf && len > 64, "reads the file"))
		return;
	/* Block 0 (offset 40) holds an exporter record of 32 bytes, then V3
	 * flows; call the first flow's type 99. */
	ok(buf[52] == 7 && buf[84] == 11 && buf[85] == 0, "block 0: an exporter record, then a V3 record");
	buf[84] = 99;
	struct flowfile *ff = NULL;
	char *cause = NULL;
	if (!ok(nfcapd_open_mem("x", buf, len, &ff, &cause) == ERR_OK, "opens"))
		return;
	struct flow f;
	int rc = flowfile_next(ff, &f, &cause);
	ok(rc == FLOWFILE_BAD && cause && strstr(cause, "x: block 0 at offset 40: record 1: record type 99"),
	   "an unknown record type is skipped with its place: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	int n = 0;
	while ((rc = flowfile_next(ff, &f, &cause)) == FLOWFILE_FLOW)
		n++;
	is_u64(n, 18, "the other 18 flows of block 0 are read");
	free(cause);
	struct flowfile_stats st;
	flowfile_stats(ff, &st);
	is_u64(st.bad, 1, "counted as bad");
	flowfile_close(ff);
}

static void touch(const char *dir, const char *name)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void test_dir(void)
{
	char dir[] = "/tmp/nftop-test_nfcapd.XXXXXX";
	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return;
	char *cause = NULL;
	char **paths = NULL;
	size_t n = 0;
	int rc = nfcapd_dir_list(dir, false, &paths, &n, &cause);
	ok(rc == ERR_IO && cause && strstr(cause, "no nfcapd.* files"), "an empty directory is an error: %s",
	   cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	char sub[1100];
	snprintf(sub, sizeof sub, "%s/2026", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/2026/01", dir);
	mkdir(sub, 0700);
	touch(sub, "nfcapd.202601020305");
	touch(sub, "nfcapd.current.77");
	touch(dir, "nfcapd.20260102030000");
	touch(dir, "nfcapd.202601011200");
	touch(dir, "nfcapd.old");
	touch(dir, "other.202601011200");
	rc = nfcapd_dir_list(dir, false, &paths, &n, &cause);
	ok(rc == ERR_OK, "lists the tree");
	is_u64(n, 4, "four nfcapd files; nfcapd.current.* and other names left out");
	static const char *want[] = { "/nfcapd.202601011200", "/nfcapd.20260102030000", "/2026/01/nfcapd.202601020305",
				      "/nfcapd.old" };
	for (size_t i = 0; i < n && i < 4; i++) {
		size_t dl = strlen(dir);
		ok(!strncmp(paths[i], dir, dl) && !strcmp(paths[i] + dl, want[i]), "file %zu in time order: %s", i,
		   paths[i]);
	}
	for (size_t i = 0; i < n; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	free(paths);
	snprintf(sub, sizeof sub, "%s/2026/01/nfcapd.current.77", dir);
	unlink(sub);
	snprintf(sub, sizeof sub, "%s/other.202601011200", dir);
	unlink(sub);
	snprintf(sub, sizeof sub, "%s/2026/01", dir);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/2026", dir);
	rmdir(sub);
	rmdir(dir);
	rc = nfcapd_dir_list(dir, false, &paths, &n, &cause);
	ok(rc == ERR_IO && cause && strstr(cause, strerror(ENOENT)), "a missing directory is an error: %s",
	   cause ? cause : "(none)");
	free(cause);
}

int main(void)
{
	top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	test_record0();
	test_unknown_record();
	test_dir();
	return done_testing();
}
