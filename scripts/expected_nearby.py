#!/usr/bin/env python3
"""Independent reference for geostream's nearby operator: plain Python, no geostream code.

    python3 scripts/expected_nearby.py samples/ais-uscoast-2020-06-30-evening.csv \
        --distance 500 --forget-after 900 > samples/expected/coast-meetings.reference.ndjson

Output: one JSON object per transition, {"t","kind","pair":[a,b]} with the pair's ids sorted, sorted by
(t, kind, pair) - the test compares geostream's nearby/faraway alerts with it after the same reduction.

Semantics applied (docs/nearby.md):
- positions in event-time order, ties by object id (the file is sorted by (t, id));
- two objects are near when their latest positions are at most DISTANCE metres apart (haversine,
  mean Earth radius 6,371,008.8 m);
- after each position of A, every pair (A, B) with a live B is re-evaluated: nearby when it becomes
  near, faraway when it stops being near;
- an object with no position for FORGET seconds is forgotten at last + FORGET (before positions with
  t >= that time): each of its near pairs gets a faraway then. At the end of the stream every object
  is forgotten this way.
"""
import argparse
import csv
import json
import math
import sys

RADIUS = 6_371_008.8


def haversine(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * RADIUS * math.asin(min(1.0, math.sqrt(h)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stream")
    parser.add_argument("--distance", type=float, required=True, help="metres")
    parser.add_argument("--forget-after", type=float, required=True, help="seconds")
    args = parser.parse_args()
    forget = int(args.forget_after * 1000)

    with open(args.stream) as handle:
        rows = [(int(row["t"]), row["id"], float(row["lon"]), float(row["lat"])) for row in csv.DictReader(handle)]
    rows.sort(key=lambda row: (row[0], row[1]))

    latest = {}  # id -> (t, lon, lat)
    near = set()  # frozenset pairs
    out = []

    def emit(t, kind, a, b):
        out.append({"t": t, "kind": kind, "pair": sorted([a, b])})

    def expire(until):
        due = sorted((last + forget, obj) for obj, (last, _, _) in latest.items() if until is None or last + forget <= until)
        for expiry, obj in due:
            for pair in sorted((p for p in near if obj in p), key=sorted):
                emit(expiry, "faraway", *sorted(pair))
                near.discard(pair)
            del latest[obj]

    for t, obj, lon, lat in rows:
        expire(t)
        latest[obj] = (t, lon, lat)
        for other, (_, olon, olat) in latest.items():
            if other == obj:
                continue
            pair = frozenset((obj, other))
            close = haversine((lon, lat), (olon, olat)) <= args.distance
            if close and pair not in near:
                near.add(pair)
                emit(t, "nearby", obj, other)
            elif not close and pair in near:
                near.discard(pair)
                emit(t, "faraway", obj, other)
    expire(None)

    out.sort(key=lambda item: (item["t"], item["kind"], item["pair"]))
    for item in out:
        sys.stdout.write(json.dumps(item, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
