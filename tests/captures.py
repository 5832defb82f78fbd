#!/usr/bin/env python3
"""Real vendor captures against tshark's numbers.

For every NetFlow v5/v9/IPFIX capture in tests/data/expected.tsv (computed by
tshark; the commands are in that file's header), `nftop -b --no-scale -o json`
must report the same datagrams, flow records, packets and bytes; for the
captures in expected_top.tsv, the same top-5 source addresses and destination
ports by bytes (ties in any order). Sampled totals (scaled) are checked
against expected_sampling.tsv's rates. Prints TAP; exit 1 on any failure.
"""
import csv, json, os, subprocess, sys

top = os.environ.get("top_srcdir", ".")
nftop = os.environ.get("NFTOP", "src/nftop")
data = os.path.join(top, "tests", "data")

# Where tshark's own numbers are not the content of the capture (the notes
# column of expected.tsv says why): the values an independent decode gives.
OVERRIDE = {
    # tshark stops at IE 43 of length 2 after record 1; 16 records are there
    # (tests/data/tools/pydecode.py, and logstash's spec expects 16).
    "netflow9/h3c.pcap": dict(flows=16, packets=6113, bytes=8729687),
}
# Captures whose structure is invalid on purpose: also check they are counted.
MALFORMED = {
    "netflow5/invalid/logstash_v5_invalid01.pcap": 1,
    "netflow5/invalid/logstash_v5_invalid02.pcap": 1,
    # more flowsets than the header's record count (the rest is not trusted)
    "netflow9/invalid/logstash_v9_invalid01.pcap": 1,
    # message length 2 bytes short of its last set (see ipfix.c)
    "ipfix/telegraf_issue14370.pcap": 1,
}

n = 0
failed = 0


def check(cond, name, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        if detail:
            print("#   " + detail)


def run(path, *extra):
    p = subprocess.run([nftop, "--no-config", "-b", "-q", "-o", "json", "-r",
                        os.path.join(data, path), *extra], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip())
    return json.loads(p.stdout.strip().splitlines()[-1]), ""


def rows(name):
    with open(os.path.join(data, name)) as f:
        return list(csv.DictReader((l for l in f if not l.startswith("#")), delimiter="\t"))


for r in rows("expected.tsv"):
    if r["version"] not in ("v5", "v9", "ipfix", "sflow5"):
        continue
    path = r["path"]
    want = {k: int(r[k]) for k in ("datagrams", "flows", "packets", "bytes")}
    want.update(OVERRIDE.get(path, {}))
    out, err = run(path, "--no-scale")
    if out is None:
        check(False, path, err)
        continue
    got = dict(datagrams=sum(e["datagrams"] for e in out["exporters"]), **out["totals"])
    diff = ["%s %d != %d" % (k, got[k], want[k]) for k in want if got[k] != want[k]]
    check(not diff, "%s: %d datagrams, %d flows, %d packets, %d bytes" %
          (path, want["datagrams"], want["flows"], want["packets"], want["bytes"]), "; ".join(diff))
    if path in MALFORMED:
        mal = sum(e["malformed"] for e in out["exporters"])
        check(mal == MALFORMED[path], "%s: %d malformed datagram(s) counted" % (path, MALFORMED[path]),
              "malformed %d" % mal)

# Top-5 by raw bytes. Within a tie the order is free, so compare rank by rank
# the byte counts, and the keys as sets per byte count.
tops = {}
exact = set()   # (path, dim) with fewer than 5 distinct keys: nftop must list exactly those
for r in rows("expected_top.tsv"):
    if r["rank"] == "-":
        exact.add((r["path"], r["dimension"]))
        continue
    tops.setdefault((r["path"], r["dimension"]), []).append((r["key"], int(r["bytes"])))
for (path, dim), want in sorted(tops.items()):
    out, err = run(path, "--no-scale", "-n", "50")
    if out is None:
        check(False, "%s %s" % (path, dim), err)
        continue
    got = [(e["key"], e["bytes"]) for e in out["top"][dim]]
    ok = [b for _, b in got[:len(want)]] == [b for _, b in want]
    for b in set(b for _, b in want):
        tied_got = {k for k, x in got if x == b}
        tied_want = {k for k, x in want if x == b}
        ok = ok and tied_want <= tied_got
    if (path, dim) in exact:
        ok = ok and len(got) == len(want)
    check(ok, "%s: top %s by bytes" % (path, dim), "got %s want %s" % (got[:len(want)], want))

# Sampling: totals scale by the announced rate (v5 header; IPFIX options).
for path, rate in (("netflow5/juniper_mx80_v5.pcap", 1000),):
    raw, _ = run(path, "--no-scale")
    scaled, _ = run(path)
    check(scaled and raw and scaled["totals"]["bytes"] == rate * raw["totals"]["bytes"] and
          scaled["totals"]["packets"] == rate * raw["totals"]["packets"] and
          scaled["exporters"][0]["sampling"] == rate,
          "%s: packets and bytes scaled 1:%d" % (path, rate))

print("1..%d" % n)
sys.exit(1 if failed else 0)
