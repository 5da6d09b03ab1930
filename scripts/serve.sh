#!/usr/bin/env bash
# memd's main job on its embedded defaults: set up (Debian packages), build, then run the
# HTTP API server in the foreground — 127.0.0.1:7437, data in ./memd-data (or $MEMD_DATA),
# authentication on. The first start prints an admin API key once. Extra arguments go to
# `memd serve` (e.g. --port 8080, --config deploy/memd.example.toml). Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/src/memd serve "$@"
