#!/usr/bin/env bash
# Installs the Debian packages memd needs and builds the release binary at build/src/memd.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$(nproc)" memd
