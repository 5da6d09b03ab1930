#!/usr/bin/env bash
# memd's HTTP load test (issue 3, docs/PERFORMANCE.md): one command, e.g.
#   bash bench/load/run.sh                 # 100K memories, 100 connections, 60 s per run
#   DURATION=10 MEMORIES=20000 bash bench/load/run.sh   # a quick look
# Loads a cube with MEMORIES memories, then drives `memd serve` with wrk (2 threads,
# CONNECTIONS keep-alive connections, queries drawn from 20,000 distinct ones):
#   1. search, result cache disabled (uniform query mix); the engine's row cache (the rows
#      of recent hits) on, as by default, and its hit ratio reported
#   1b. the same with the row cache off too (every hit's row read from SQLite)
#   2. search, cache on, Zipf(1.0) query mix (hit ratio from /metrics)
#   3. 90% search / 10% add, cache on; afterwards every acknowledged add must be in the cube
#   4. nginx serving a static JSON file of a search response's size: the ceiling
# The load generator shares the machine's cores with the server. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MEMORIES=${MEMORIES:-100000}
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-100}
BUILD=${BUILD:-$ROOT/build-bench}

bash scripts/setup.sh
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v bc >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk nginx-light bc >/dev/null
fi
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMD_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD" memd load_fixture >/dev/null
MEMD="$BUILD/src/memd"

WORK=$(mktemp -d /tmp/memd-load-XXXXXX)
SERVER_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "load: generating $MEMORIES memories and 20000 queries in $WORK" >&2
"$BUILD/bench/load_fixture" "$WORK" --memories "$MEMORIES" --queries 20000 >&2
start=$(date +%s.%N)
"$MEMD" --data "$WORK/data" --user bench --project bench add --jsonl "$WORK/memories.jsonl" >&2
echo "load: added in $(echo "$(date +%s.%N) - $start" | bc) s" >&2

# Starts memd serve with extra flags; sets PORT and KEY (a key of user bench).
start_server() {
  "$MEMD" --data "$WORK/data" serve --port 0 --no-rate-limits --log-level warn "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do grep -q "listening on" "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/server.out")
  if [ -z "$KEY" ]; then
    local admin
    admin=$(grep -o 'memd_k_[a-z0-9_]*' "$WORK/server.out" | head -1)
    KEY=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d '{"user":"bench","scopes":["read","write"]}' "http://127.0.0.1:$PORT/v1/keys" |
      sed -n 's|.*"secret":"\([^"]*\)".*|\1|p')
  fi
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""; }
# Waits until the cube's HNSW graph holds every vector (the bulk load leaves it to the
# background), so every run measures the steady state.
wait_for_graph() {
  for _ in $(seq 1 3600); do
    pending=$(curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/cubes/bench" | sed -n 's|.*"graph_pending":\([0-9]*\).*|\1|p')
    [ "${pending:-1}" = "0" ] && return 0
    sleep 1
  done
  echo "load: the graph did not finish" >&2; exit 1
}
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
memories() { curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/cubes/bench" | sed -n 's|.*"memories":\([0-9]*\).*|\1|p'; }
drive() {  # drive NAME ENV... : warm up 3 s (searches only), then DURATION s; appends a JSON line to results
  local name=$1; shift
  env "$@" MIX=search MEMD_KEY="$KEY" QUERIES="$WORK/queries.txt" wrk -t2 -c"$CONNECTIONS" -d3s -s bench/load/memd.lua \
    "http://127.0.0.1:$PORT" >/dev/null
  local line
  line=$(env "$@" MEMD_KEY="$KEY" QUERIES="$WORK/queries.txt" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" \
    -s bench/load/memd.lua "http://127.0.0.1:$PORT" | grep '^{')
  echo "$name $line" >>"$WORK/results"
  echo "load: $name $line" >&2
}

KEY=""
echo "load: run 1: search, cache disabled" >&2
start_server --no-cache
wait_for_graph
drive search_nocache MIX=search
row_hits=$(metric memd_row_cache_hits_total); row_misses=$(metric memd_row_cache_misses_total)
echo "load: row cache hits $row_hits misses $row_misses" >&2
stop_server

echo "load: run 1b: search, cache disabled, row cache off" >&2
printf '[data]\nrow_cache_bytes = 0\n' >"$WORK/no-row-cache.toml"
start_server --no-cache --config "$WORK/no-row-cache.toml"
drive search_nocache_norows MIX=search
stop_server

echo "load: run 2: search, cache on, Zipf query mix" >&2
start_server
hits0=$(metric memd_cache_hits_total); misses0=$(metric memd_cache_misses_total)
drive search_cache_zipf MIX=search ZIPF=1
hits=$(echo "$(metric memd_cache_hits_total) - ${hits0:-0}" | bc); misses=$(echo "$(metric memd_cache_misses_total) - ${misses0:-0}" | bc)
echo "load: cache hits $hits misses $misses" >&2

echo "load: run 3: 90% search / 10% add" >&2
before=$(memories)
drive mixed_90_10 MIX=mixed
after_live=$(memories)
stop_server
start_server   # the adds must survive a restart too
after=$(memories)
stop_server
acked=$(grep '^mixed_90_10' "$WORK/results" | sed -n 's|.*"adds_acknowledged":\([0-9]*\).*|\1|p')
echo "load: memories before $before, after the run $after_live, after restart $after; acknowledged in the measured run $acked" >&2

echo "load: run 4: nginx static file ceiling" >&2
start_server
curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"query\":\"$(head -1 "$WORK/queries.txt")\",\"top_k\":10}" "http://127.0.0.1:$PORT/v1/cubes/bench/search" >"$WORK/static.json"
stop_server
mkdir -p "$WORK/nginx/logs" "$WORK/www" && cp "$WORK/static.json" "$WORK/www/search.json"
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/search.json"  # nginx workers run as www-data
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18437; root $WORK/www; }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
sleep 0.5
wrk -t2 -c"$CONNECTIONS" -d3s http://127.0.0.1:18437/search.json >/dev/null
line=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s bench/load/static.lua http://127.0.0.1:18437/search.json | grep '^{')
echo "nginx_static $line" >>"$WORK/results"
kill "$NGINX_PID"; NGINX_PID=""

ceiling=$(grep '^nginx_static' "$WORK/results" | sed -n 's|.*"rps":\([0-9.]*\).*|\1|p')
echo
echo "memd load test: $MEMORIES memories, $CONNECTIONS connections, ${DURATION} s per run, wrk -t2 on the same machine"
echo "($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), memd $(git describe --always --dirty 2>/dev/null || echo unknown), static response $(wc -c <"$WORK/static.json") bytes)"
echo
echo "| run | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | of nginx |"
echo "|---|---|---|---|---|---|---|---|"
while read -r name json; do
  get() { echo "$json" | sed -n "s|.*\"$1\":\([0-9.]*\).*|\1|p"; }
  rps=$(get rps)
  printf '| %s | %s | %s | %s | %s | %s | %s | %.3f |\n' "$name" "$rps" "$(get p50_ms)" "$(get p95_ms)" "$(get p99_ms)" \
    "$(get max_ms)" "$(get errors)" "$(echo "$rps / $ceiling" | bc -l)"
done <"$WORK/results"
echo
total=$(echo "$hits + $misses" | bc)
echo "cache hit ratio (run 2): $(echo "scale=3; $hits / $total" | bc) ($hits of $total)"
row_total=$(echo "$row_hits + $row_misses" | bc)
echo "row cache hit ratio (run 1, warm-up included): $(echo "scale=3; $row_hits / $row_total" | bc) ($row_hits of $row_total hits' rows)"
echo "adds: memories before run 3 $before, after it $after_live, after a restart $after; adds acknowledged $acked"
echo "(adds in flight when wrk stopped are applied but not acknowledged to wrk, so after - before may exceed it)"
[ "$((after - before))" -ge "$acked" ] || { echo "LOST WRITES: $acked acknowledged, $((after - before)) present" >&2; exit 1; }
