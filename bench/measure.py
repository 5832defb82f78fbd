#!/usr/bin/env python3
"""measure.py ROUNDS NAME=CMD [NAME=CMD ...]: runs the commands alternately
ROUNDS times each and prints, per command, the median wall time, every
run's time (in round order) and the largest peak RSS, as one JSON object per
line. Every other round runs the commands in the reverse order: on a shared
machine a run's speed depends on what ran just before it, and the per-round
ratios of two commands then err both ways. Commands run through /bin/sh;
their standard output is discarded."""
import json, os, resource, statistics, subprocess, sys, time

def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    p = subprocess.Popen(["/bin/sh", "-c", cmd], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t
    if status != 0:
        sys.exit("measure: command failed (%d): %s" % (status, cmd))
    return wall, usage.ru_maxrss * 1024

def main():
    rounds = int(sys.argv[1])
    cmds = [a.split("=", 1) for a in sys.argv[2:]]
    times = {n: [] for n, _ in cmds}
    rss = {n: 0 for n, _ in cmds}
    for i in range(rounds):
        for name, cmd in (cmds if i % 2 == 0 else cmds[::-1]):
            w, r = run(cmd)
            times[name].append(w)
            rss[name] = max(rss[name], r)
    for name, _ in cmds:
        print(json.dumps({"name": name, "median_s": round(statistics.median(times[name]), 4),
                          "runs": [round(x, 4) for x in times[name]], "max_rss": rss[name]}))

main()
