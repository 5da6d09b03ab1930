#!/usr/bin/env bash
# Installs every Debian 12 package memd's build, tests and benchmarks need.
# Idempotent; run as root (or with sudo) on a fresh machine.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev sqlite3
  libhnswlib-dev
  libstemmer-dev
  libutf8proc-dev
  libzstd-dev zstd
  libxxhash-dev
  libssl-dev
  libspdlog-dev libfmt-dev
  libcli11-dev
  libboost-json1.81-dev libboost1.81-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libtomlplusplus-dev            # memd serve --config (TOML)
  libpoppler-cpp-dev             # memd ingest: PDF text
  libgumbo-dev                   # memd ingest: HTML main text
  libcurl4-openssl-dev           # memd ingest: URLs
  libgoogle-perftools-dev        # tcmalloc, the memd binary's allocator
  prometheus                     # promtool: the tests check /metrics and the alert rules
  curl                           # HTTP checks in scripts and the Docker health check
  python3                        # deploy/check.sh (dashboard and TOML checks)
)

# MCP tests drive memd with the official TypeScript SDK client (Node). A machine that already
# has Node (for example from NodeSource, which bundles npm) keeps it; otherwise Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present" >&2
fi
