#!/usr/bin/env bash
# One command from a fresh clone: installs missing system libraries, builds geostream, and runs the
# recorded AIS sample (2,000 real vessel positions) through the index and the sliding window.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== building geostream (first build fetches and compiles dependencies, about a minute)"
swift build --product geostream 2>&1 | grep -E "error|warning: |Compiling geostream|Build complete" || true
bin="$(swift build --product geostream --show-bin-path)/geostream"
[ -x "$bin" ] || { echo "quickstart: build failed; run 'swift build' to see why" >&2; exit 1; }

sample=samples/ais-uscoast-2020-06-30-first2000.csv
echo
echo "== the 3 recorded positions nearest the entrance of New York harbour (R-tree over the whole sample)"
"$bin" index "$sample" --nearest -74.02,40.68 -k 3
echo
echo "== positions within 20 km of the Golden Gate, nearest first (first 5)"
"$bin" index "$sample" --radius -122.48,37.82,20000 | sed -n 1,5p
echo
echo "== the same sample replayed in event time through a 10-minute window sliding by 1 minute:"
echo "   positions in New York harbour during the last 10 minutes of the recording"
"$bin" index "$sample" --window 10m --slide 1m --bbox -74.3,40.4,-73.7,40.95
echo
echo "quickstart: done. Try '$bin index --help'."
