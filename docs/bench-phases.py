#!/usr/bin/env python3
"""docs/bench-phases.py: the phases of a guest's speed in one erst bench run
(docs/performance.md, "In a guest"). Reads erst bench -json -samples and
prints per operation floor_ratio (the paired ratio) beside the ratio of
the two medians, then, per 100 consecutive iterations, the floor's median
in µs and the paired ratio's.

Usage: build/bin/erstvm -- bench -json -samples -size 1K > s.json
       python3 docs/bench-phases.py s.json
"""
import json
import statistics
import sys

for o in json.load(open(sys.argv[1]))["operations"]:
    s = [(a, b) for a, b in o.get("samples_ns", []) if b > 0]
    print(o["op"], "floor_ratio %.3f, ratio of medians %.3f"
          % (o["floor_ratio"], o["p50_ns"] / o["floor_p50_ns"]))
    windows = (s[i:i + 100] for i in range(0, len(s), 100))
    print("  ", " ".join("%.0f/%.3f" % (statistics.median(b for _, b in w) / 1e3,
                                        statistics.median(a / b for a, b in w))
                         for w in windows))
