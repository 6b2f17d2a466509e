#!/usr/bin/env python3
"""Counts the results in meson's testlog.json files and prints them, the
last line exactly "N passed, N failed". Exits 1 when a test failed or a
log is missing.

usage: summary.py TESTLOG.json [TESTLOG.json ...]
"""
import json
import sys

passed = failed = skipped = 0
bad = []
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        print("missing test log %s: %s" % (path, e.strerror))
        failed += 1
        continue
    for line in lines:
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
            bad.append("%s (%s)" % (r["name"], r["result"]))
for b in bad:
    print("failed: " + b)
if skipped:
    print("%d skipped (see the test logs for why)" % skipped)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
