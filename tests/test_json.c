/* goflow2 JSON lines: one line from memory (jsonflow_parse) and the reader
 * behind the flowfile interface. The first record is the example goflow2's
 * README prints (github.com/netsampler/goflow2, README.md at v2.2.6 and
 * at 6d92c9e, the same text), kept verbatim; every field is checked. */
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "flowfile.h"
#include "source_json.h"
#include "tap.h"

static const char readme_v2[] =
	"{\n"
	"    \"type\": \"SFLOW_5\",\n"
	"    \"time_received_ns\": 1681583295157626000,\n"
	"    \"sequence_num\": 2999,\n"
	"    \"sampling_rate\": 100,\n"
	"    \"sampler_address\": \"192.168.0.1\",\n"
	"    \"time_flow_start_ns\": 1681583295157626000,\n"
	"    \"time_flow_end_ns\": 1681583295157626000,\n"
	"    \"bytes\": 1500,\n"
	"    \"packets\": 1,\n"
	"    \"src_addr\": \"fd01::1\",\n"
	"    \"dst_addr\": \"fd01::2\",\n"
	"    \"etype\": \"IPv6\",\n"
	"    \"proto\": \"TCP\",\n"
	"    \"src_port\": 443,\n"
	"    \"dst_port\": 50001\n"
	"}\n";

/* goflow2 v1's README example (README.md at v1.3.7), without its "..."
 * placeholder line and the comma that makes it invalid JSON. */
static const char readme_v1[] =
	"{\n"
	"  \"Type\": \"SFLOW_5\",\n"
	"  \"TimeFlowEnd\": 1621820000,\n"
	"  \"TimeFlowStart\": 1621820000,\n"
	"  \"TimeReceived\": 1621820000,\n"
	"  \"Bytes\": 70,\n"
	"  \"Packets\": 1,\n"
	"  \"SamplingRate\": 100,\n"
	"  \"SamplerAddress\": \"192.168.1.254\",\n"
	"  \"DstAddr\": \"10.0.0.1\",\n"
	"  \"DstMac\": \"ff:ff:ff:ff:ff:ff\",\n"
	"  \"SrcAddr\": \"192.168.1.1\",\n"
	"  \"SrcMac\": \"ff:ff:ff:ff:ff:ff\",\n"
	"  \"InIf\": 1,\n"
	"  \"OutIf\": 2,\n"
	"  \"Etype\": 2048,\n"
	"  \"EtypeName\": \"IPv4\",\n"
	"  \"Proto\": 6,\n"
	"  \"ProtoName\": \"TCP\",\n"
	"  \"SrcPort\": 443,\n"
	"  \"DstPort\": 46344,\n"
	"  \"FragmentId\": 54044,\n"
	"  \"FragmentOffset\": 16384,\n"
	"  \"IPTTL\": 64,\n"
	"  \"IPTos\": 0,\n"
	"  \"TCPFlags\": 16\n"
	"}\n";

static char *addr(const struct flow_addr *a)
{
	static char buf[4][FLOW_ADDRSTRLEN];
	static int i;
	i = (i + 1) % 4;
	return flow_addr_fmt(a, buf[i], sizeof buf[i]);
}

static int parse(const char *s, struct flow *f, char **why)
{
	*why = NULL;
	return jsonflow_parse(s, strlen(s), f, why);
}

/* Parses s, which must be refused, and checks the reason starts with want. */
static void refused(const char *s, size_t len, const char *want, const char *name)
{
	struct flow f;
	char *why = NULL;
	int rc = jsonflow_parse(s, len, &f, &why);
	ok(rc == ERR_MALFORMED && why && !strncmp(why, want, strlen(want)), "refused: %s (%s)", name,
	   why ? why : "no reason");
	free(why);
}

/* A literal's length, NUL bytes included. */
#define REFUSED(lit, want, name) refused((lit), sizeof(lit) - 1, (want), (name))

static void test_readme_v2(void)
{
	struct flow f;
	char *why;
	ok(parse(readme_v2, &f, &why) == ERR_OK, "goflow2 README record parses");
	is_u64(f.version, 105, "type SFLOW_5 -> version 105");
	is_u64(f.recv_ms, 1681583295157, "time_received_ns -> recv_ms");
	is_u64(f.first_ms, 1681583295157, "time_flow_start_ns -> first_ms");
	is_u64(f.last_ms, 1681583295157, "time_flow_end_ns -> last_ms");
	is_u64(f.sampling, 100, "sampling_rate");
	is_str(addr(&f.exporter), "192.168.0.1", "sampler_address -> exporter");
	ok(flow_addr_is4(&f.exporter), "IPv4 exporter stored v4-mapped");
	is_u64(f.bytes, 1500, "bytes as printed (the reader scales)");
	is_u64(f.packets, 1, "packets as printed");
	is_str(addr(&f.src), "fd01::1", "src_addr");
	is_str(addr(&f.dst), "fd01::2", "dst_addr");
	is_u64(f.proto, 6, "proto TCP -> 6");
	is_u64(f.sport, 443, "src_port");
	is_u64(f.dport, 50001, "dst_port");
	ok(flow_addr_is_zero(&f.nexthop), "no next_hop");
	ok(!f.in_if && !f.out_if && !f.src_as && !f.dst_as && !f.tcp_flags && !f.tos && !f.domain,
	   "fields the record lacks are 0");
}

static void test_readme_v1(void)
{
	struct flow f;
	char *why;
	ok(parse(readme_v1, &f, &why) == ERR_OK, "goflow2 v1 README record parses");
	is_u64(f.version, 105, "Type SFLOW_5");
	is_u64(f.recv_ms, 1621820000000ULL, "TimeReceived (seconds)");
	is_u64(f.first_ms, 1621820000000ULL, "TimeFlowStart (seconds)");
	is_u64(f.last_ms, 1621820000000ULL, "TimeFlowEnd (seconds)");
	is_u64(f.bytes, 70, "Bytes");
	is_u64(f.packets, 1, "Packets");
	is_u64(f.sampling, 100, "SamplingRate");
	is_str(addr(&f.exporter), "192.168.1.254", "SamplerAddress");
	is_str(addr(&f.src), "192.168.1.1", "SrcAddr");
	is_str(addr(&f.dst), "10.0.0.1", "DstAddr");
	is_u64(f.in_if, 1, "InIf");
	is_u64(f.out_if, 2, "OutIf");
	is_u64(f.proto, 6, "Proto (a number)");
	is_u64(f.sport, 443, "SrcPort");
	is_u64(f.dport, 46344, "DstPort");
	is_u64(f.tos, 0, "IPTos");
	is_u64(f.tcp_flags, 16, "TCPFlags");
}

static void test_fields(void)
{
	struct flow f;
	char *why;
	ok(parse("{\"type\":\"IPFIX\",\"src_addr\":\"10.1.1.1\",\"dst_addr\":\"2001:db8::1\",\"proto\":\"IPv6-ICMP\","
		 "\"icmp_type\":128,\"icmp_code\":0,\"dst_port\":0,\"src_as\":64500,\"dst_as\":4200000000,"
		 "\"next_hop\":\"2001:db8::fe\",\"tcp_flags\":0,\"ip_tos\":184,\"in_if\":4294967295,"
		 "\"time_received_ns\":\"2024-02-29T23:59:59.123456789Z\",\"time_flow_start_ns\":\"2024-03-01T01:00:00+02:00\"}",
		 &f, &why) == ERR_OK, "IPFIX record with names, ICMPv6 and RFC 3339 times parses");
	is_u64(f.version, 10, "type IPFIX -> 10");
	is_u64(f.proto, 58, "proto IPv6-ICMP -> 58");
	is_u64(f.dport, 128 * 256, "ICMP type 128 code 0 -> dst port 32768");
	is_u64(f.src_as, 64500, "src_as");
	is_u64(f.dst_as, 4200000000u, "dst_as (4 bytes)");
	is_str(addr(&f.nexthop), "2001:db8::fe", "next_hop");
	is_u64(f.tos, 184, "ip_tos");
	is_u64(f.in_if, 4294967295u, "in_if up to 2^32-1");
	is_u64(f.recv_ms, 1709251199123ULL, "RFC 3339 time, Z (date -d 2024-02-29T23:59:59Z +%%s = 1709251199)");
	is_u64(f.first_ms, 1709247600000ULL, "RFC 3339 time with +02:00 offset (date -d 2024-02-29T23:00:00Z +%%s)");
	is_u64(f.sampling, 1, "no sampling_rate -> 1");

	ok(parse("{\"type\":\"NETFLOW_V5\",\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"proto\":1,"
		 "\"dst_port\":771,\"icmp_type\":0,\"icmp_code\":0,\"sampling_rate\":0}", &f, &why) == ERR_OK,
	   "v5 ICMP record parses");
	is_u64(f.version, 5, "type NETFLOW_V5 -> 5");
	is_u64(f.dport, 771, "ICMP type/code only in dst_port (3/3) is kept");
	is_u64(f.sampling, 1, "sampling_rate 0 -> 1");

	ok(parse("{\"type\":\"NETFLOW_V9\",\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"proto\":\"unassigned\","
		 "\"time_received_ns\":5000000000,\"time_received\":9}", &f, &why) == ERR_OK,
	   "unnamed protocol and two receive times parse");
	is_u64(f.version, 9, "type NETFLOW_V9 -> 9");
	is_u64(f.proto, 255, "a protocol goflow2 calls 'unassigned' counts under 255");
	is_u64(f.recv_ms, 5000, "ns time wins over seconds whatever the order");
	ok(parse("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"proto\":\"gre\",\"type\":3,"
		 "\"sampler_address\":\"\",\"unknown_field\":[1,{\"x\":null}]}", &f, &why) == ERR_OK,
	   "enum number type, lower-case name, empty sampler, unknown fields");
	is_u64(f.proto, 47, "gre -> 47");
	is_u64(f.version, 9, "type 3 (protobuf enum NETFLOW_V9) -> 9");
	ok(flow_addr_is_zero(&f.exporter), "empty sampler_address -> no exporter");
}

static void test_refused(void)
{
	REFUSED("garbage", "not JSON", "not JSON");
	REFUSED("[1,2]", "not a JSON object", "an array");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0", "not JSON", "truncated line");
	REFUSED("{\"src_addr\":\"10.0.0.1\"}", "no destination address", "no dst_addr");
	REFUSED("{\"dst_addr\":\"10.0.0.1\",\"src_addr\":\"\"}", "no source address", "empty src_addr");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"bytes\":\"1500\"}",
		"field 'bytes': not an unsigned integer", "bytes as a string");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"bytes\":-1}",
		"field 'bytes': not an unsigned integer", "negative bytes");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"packets\":1.5}",
		"field 'packets': not an unsigned integer", "fractional packets");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"bytes\":99999999999999999999}",
		"not JSON", "bytes past 2^63 (jansson refuses the number)");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"src_port\":65536}",
		"field 'src_port': out of range", "port 65536");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"sampling_rate\":4294967296}",
		"field 'sampling_rate': out of range", "sampling_rate 2^32");
	REFUSED("{\"src_addr\":\"10.0.0.300\",\"dst_addr\":\"10.0.0.2\"}", "field 'src_addr': not an IP address",
		"bad IPv4 literal");
	REFUSED("{\"src_addr\":42,\"dst_addr\":\"10.0.0.2\"}", "field 'src_addr': not a string", "address as a number");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"proto\":\"XYZZY\"}",
		"field 'proto': not a protocol name", "unknown protocol name");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"type\":\"NETFLOW_V7\"}",
		"field 'type': not a flow type", "unknown type");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"time_received_ns\":\"yesterday\"}",
		"field 'time_received_ns': not a time", "time as a word");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"time_received\":18446744073709552}",
		"field 'time_received': out of range", "seconds that overflow as ms");
	static const char nul[] = "{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0\0.0.2\"}";
	REFUSED(nul, "not JSON", "a NUL byte inside a string");
	REFUSED("{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"x\":\"\xff\xfe\"}", "not JSON",
		"invalid UTF-8");
}

/* The reader: line numbers, bad lines counted, blank lines skipped, scaling. */
static void test_reader(void)
{
	char path[] = "/tmp/nftop-test-json.XXXXXX";
	int fd = mkstemp(path);
	FILE *w = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!w) {
		ok(0, "temp file");
		return;
	}
	fprintf(w, "%s", "\n   \n{\"src_addr\":\"10.0.0.1\",\"dst_addr\":\"10.0.0.2\",\"bytes\":1000,\"packets\":2,"
		"\"sampling_rate\":10}\r\nnot json\n");
	for (int i = 0; i < JSONFLOW_MAX_LINE + 10; i++)
		fputc('x', w);
	fprintf(w, "\n{\"src_addr\":\"10.0.0.3\",\"dst_addr\":\"10.0.0.4\",\"bytes\":7}");	/* no final newline */
	fclose(w);

	struct flowfile *ff = NULL;
	char *cause = NULL;
	ok(flowfile_open(path, INPUT_JSON, &ff, &cause) == ERR_OK && ff, "reader opens");
	if (!ff) {
		free(cause);
		unlink(path);
		return;
	}
	struct flow f;
	ok(flowfile_next(ff, &f, &cause) == FLOWFILE_FLOW, "line 3 is a flow (blank lines skipped, CRLF taken)");
	flowfile_scale(ff, &f, false);
	is_u64(f.bytes, 10000, "bytes x sampling_rate 10");
	is_u64(f.packets, 20, "packets x sampling_rate 10");
	struct flow g = f;
	g.bytes = 1000;
	g.packets = 2;
	flowfile_scale(ff, &g, true);
	is_u64(g.bytes, 1000, "--no-scale leaves bytes as printed");
	g.bytes = UINT64_MAX / 2;
	flowfile_scale(ff, &g, false);
	is_u64(g.bytes, UINT64_MAX, "scaling saturates");
	int rc = flowfile_next(ff, &f, &cause);
	ok(rc == FLOWFILE_BAD && cause && !strncmp(cause + strlen(path), ":4: not JSON", 12), "line 4 bad: %s",
	   rc == FLOWFILE_BAD ? cause : "");
	free(cause);
	cause = NULL;
	rc = flowfile_next(ff, &f, &cause);
	ok(rc == FLOWFILE_BAD && cause && strstr(cause, ":5: line longer than 65536 bytes"), "line 5 too long: %s",
	   rc == FLOWFILE_BAD ? cause : "");
	free(cause);
	cause = NULL;
	ok(flowfile_next(ff, &f, &cause) == FLOWFILE_FLOW && f.bytes == 7, "line 6 without a newline is read");
	ok(flowfile_next(ff, &f, &cause) == FLOWFILE_END, "then the end");
	struct flowfile_stats st;
	flowfile_stats(ff, &st);
	is_u64(st.records, 4, "4 records (blank lines are not records)");
	is_u64(st.bad, 2, "2 bad");
	ok(st.bytes_done == st.bytes_total && st.bytes_total > JSONFLOW_MAX_LINE, "progress reaches the file size");
	flowfile_close(ff);
	unlink(path);
}

int main(void)
{
	test_readme_v2();
	test_readme_v1();
	test_fields();
	test_refused();
	test_reader();
	return done_testing();
}
