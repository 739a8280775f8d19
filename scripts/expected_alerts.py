#!/usr/bin/env python3
"""Independent reference for geostream's range-alert operator, written with shapely (GEOS).

It shares no code with geostream: it reads the same CSV stream and GeoJSON fences and applies the
documented semantics (docs/range-alert.md) directly, testing every fence against every position.

    pip install shapely
    python3 scripts/expected_alerts.py samples/ais-uscoast-2020-06-30-first2000.csv \
        samples/countries-north-america.geojson --forget-after 600 --detect enter,exit,cross \
        > samples/expected/coast-alerts.alerts.ndjson

Output: one JSON object per alert, {"t","kind","fence","object","lon","lat"}, sorted by
(t, kind, fence, object) - the test compares geostream's `alerts` with it after the same sort.

Semantics applied (see docs/range-alert.md):
- positions are processed in event-time order (the file is sorted by (t, id));
- a position is inside a fence when the fence covers it (boundary counts as inside);
- enter: inside now, not at the object's previous position (first sighting inside is an enter);
- exit: inside at the previous position, not now;
- cross: neither position inside, and the segment between them intersects the fence;
- forget-after: an object with no position for F seconds is forgotten at last + F, with an exit
  (at its last position) from every fence it was inside; its next position is a first sighting.
  At the end of the stream every object is forgotten this way (as if the watermark went to +inf);
- an expiry at time e happens before positions with t >= e.
"""
import argparse
import csv
import json
import sys

from shapely.geometry import LineString, Point, shape
from shapely.strtree import STRtree


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stream")
    parser.add_argument("fences")
    parser.add_argument("--forget-after", type=float, required=True, help="seconds")
    parser.add_argument("--detect", default="enter,exit", help="comma-separated kinds")
    args = parser.parse_args()
    detect = set(args.detect.split(","))
    forget = int(args.forget_after * 1000)

    with open(args.fences) as handle:
        collection = json.load(handle)
    fences = [(str(feature.get("id", feature["properties"].get("id"))), shape(feature["geometry"]))
              for feature in collection["features"]]
    tree = STRtree([geometry for _, geometry in fences])

    with open(args.stream) as handle:
        rows = [(int(row["t"]), row["id"], float(row["lon"]), float(row["lat"])) for row in csv.DictReader(handle)]
    rows.sort(key=lambda row: row[0])  # stable: equal times keep file order

    alerts = []
    state = {}  # object -> (last t, lon, lat, set of fence indexes inside)

    def emit(t, kind, fence, obj, lon, lat):
        if kind in detect:
            alerts.append({"t": t, "kind": kind, "fence": fences[fence][0], "object": obj, "lon": lon, "lat": lat})

    def expire(until):
        """Forgets every object whose expiry time is < until (or all, for until=None)."""
        for obj, (last, lon, lat, inside) in list(state.items()):
            expiry = last + forget
            if until is None or expiry <= until:
                for fence in inside:
                    emit(expiry, "exit", fence, obj, lon, lat)
                del state[obj]

    for t, obj, lon, lat in rows:
        expire(t)
        point = Point(lon, lat)
        now = {int(i) for i in tree.query(point) if fences[int(i)][1].covers(point)}
        previous = state.get(obj)
        before = previous[3] if previous else set()
        for fence in sorted(now - before):
            emit(t, "enter", fence, obj, lon, lat)
        for fence in sorted(before - now):
            emit(t, "exit", fence, obj, lon, lat)
        if previous and "cross" in detect and (previous[1], previous[2]) != (lon, lat):
            segment = LineString([(previous[1], previous[2]), (lon, lat)])
            for i in tree.query(segment):
                fence = int(i)
                if fence not in now and fence not in before and fences[fence][1].intersects(segment):
                    emit(t, "cross", fence, obj, lon, lat)
        for fence in sorted(now):
            emit(t, "inside", fence, obj, lon, lat)
        state[obj] = (t, lon, lat, now)
    expire(None)

    alerts.sort(key=lambda alert: (alert["t"], alert["kind"], alert["fence"], alert["object"]))
    for alert in alerts:
        sys.stdout.write(json.dumps(alert, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
