#!/usr/bin/env bash
# Developing a photo: a 12-megapixel phone photo (a 4000×3000 JPEG, made in code from gradients
# and grain so it compresses like a real one; nothing is downloaded) checked, decoded, turned
# upright and encoded into Tend's three sizes, several times in a row on one thread, as one
# upload is. Prints the input's size, each size's dimensions and bytes, the median and slowest
# time, and both against the budget of 1.5 s per 12 MP photo on a 2-core machine. Times are
# wall-clock, so run it on a quiet machine: the load average is printed to tell a contended run.
# Prints figures; asserts nothing.
#
#   bench/photos.sh            # release build, 5 runs
#   RUNS=20 bench/photos.sh    # a steadier median
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
cargo build --release --locked -p tend-media --example develop
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"${CARGO_TARGET_DIR:-target}/release/examples/develop" "$runs"
