#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs missing system libraries, then runs every test.
# Extra arguments go to `swift test` (e.g. `scripts/test.sh --filter RTree`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Plain `swift test` (not --parallel) so XCTest prints its test count.
swift test "$@"
