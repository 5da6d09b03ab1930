#!/usr/bin/env bash
# ingest_bench: memd ingest of a large real source tree, against the I/O floor of reading
# the same files (find + cat), measured in the same run.
#
#   1. Baseline: `find TREE -type f -print0 | xargs -0 cat > /dev/null`, run twice; the
#      second (page cache warm, as for memd's runs) is reported.
#   2. First ingest into a fresh data directory: wall time, files/s, MB/s, chunks/s, peak
#      RSS (/usr/bin/time -v), from `memd ingest --json`.
#   3. No-change re-ingest of the same tree: wall time and the ratio first / re-ingest
#      (issue 4 asks for at least 20x).
#
# Usage: bench/ingest_bench.sh [TREE] [MEMD_BINARY]
#   TREE defaults to /usr/include/boost; MEMD_BINARY to build-bench/src/memd.
set -euo pipefail
cd "$(dirname "$0")/.."
tree="${1:-/usr/include/boost}"
memd="${2:-build-bench/src/memd}"
work="$(mktemp -d /tmp/memd-ingest-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
echo "ingest_bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%Y-%m-%d %H:%M UTC'), memd $(git rev-parse --short HEAD)"
echo "tree: $tree ($(find "$tree" -type f | wc -l) files, $(du -sh "$tree" | cut -f1))"

find "$tree" -type f -print0 | xargs -0 cat > /dev/null
t0=$(now); find "$tree" -type f -print0 | xargs -0 cat > /dev/null; t1=$(now)
baseline=$(echo "$t1 - $t0" | bc -l)
printf 'baseline find + cat (warm cache): %.3f s\n' "$baseline"

run_ingest() {  # label
  local t0 t1
  t0=$(now)
  /usr/bin/time -v -o "$work/time.txt" "$memd" --data "$work/data" --user bench --project tree --durability full \
    --json ingest "$tree" > "$work/report.json"
  t1=$(now)
  local wall rss
  wall=$(echo "$t1 - $t0" | bc -l)
  rss=$(grep 'Maximum resident' "$work/time.txt" | awk '{print $NF}')
  python3 - "$work/report.json" "$wall" "$rss" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); wall = float(sys.argv[2]); rss = int(sys.argv[3]); label = sys.argv[4]
f = r["files"]; c = r["chunks"]
print(f"{label}: {wall:.2f} s wall (ingest's own {r['seconds']:.2f} s); files seen {f['seen']}, ingested {f['ingested']}, "
      f"unchanged {f['unchanged']}, skipped {f['skipped']} {r['skipped_by_reason']}, failed {f['failed']}; "
      f"chunks added {c['added']}; {r['bytes_read']/1e6:.1f} MB read; "
      f"{f['ingested']/wall:.0f} files/s, {r['bytes_read']/1e6/wall:.2f} MB/s, {c['added']/wall:.0f} chunks/s; "
      f"peak RSS {rss/1024:.0f} MiB")
PY
  echo "$wall" > "$work/wall_$1"
}
run_ingest first
run_ingest again
first=$(cat "$work/wall_first"); again=$(cat "$work/wall_again")
printf 'no-change re-ingest is %.1fx faster than the first ingest; first ingest is %.1fx the find + cat floor\n' \
  "$(echo "$first / $again" | bc -l)" "$(echo "$first / $baseline" | bc -l)"
