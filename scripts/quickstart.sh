#!/usr/bin/env bash
# One command from a fresh clone: installs missing system libraries, builds geostream, and pipes a
# recorded stream (2,000 real AIS vessel positions) through pipelines/quickstart.yaml, then shows
# the results it published.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== building geostream (first build fetches and compiles dependencies, about a minute)"
swift build --product geostream 2>&1 | grep -E "error|warning: |Compiling geostream|Build complete" || true
bin="$(swift build --product geostream --show-bin-path)/geostream"
[ -x "$bin" ] || { echo "quickstart: build failed; run 'swift build' to see why" >&2; exit 1; }

sample=samples/ais-uscoast-2020-06-30-first2000.csv
out="${TMPDIR:-/tmp}/geostream-quickstart-$$.ndjson"
trap 'rm -f "$out"' EXIT

echo
echo "== the pipeline: a heatmap of ship positions per map tile, 30-minute windows every 10 minutes"
"$bin" check pipelines/quickstart.yaml
echo
echo "== cat $sample | geostream run pipelines/quickstart.yaml --out results.ndjson"
# Publish on a free port so a pipeline already running on 5560 does not get in the way.
cat "$sample" | "$bin" run pipelines/quickstart.yaml --out "$out" --publish 'tcp://127.0.0.1:*'
echo
echo "== the busiest tiles of the last window (count, tile, window end):"
last=$(tail -1 "$out" | sed -E 's/.*"t":([0-9]+).*/\1/')
grep "\"t\":$last," "$out" | sed -E 's/.*"cell":"([^"]+)","count":([0-9]+).*/\2 \1/' | sort -rn | head -5 | sed "s/\$/ $last/"
echo
echo "== one published result in full:"
head -1 "$out"
echo
echo "quickstart: done. Next: 'geostream subscribe heatmap' in another terminal while a pipeline runs,"
echo "the same run as separate processes with --processes, and '$bin run --help'."
