#!/usr/bin/env bash
# Validates deploy/: the Prometheus config and alert rules (promtool check), the alert unit
# tests (promtool test rules), the Grafana dashboard (valid JSON, and every PromQL query
# parses), and the TOML example. Exits 0 when all pass, 1 on a failure, 77 (ctest SKIP) when
# promtool is not installed (Debian package: prometheus).
#
# Usage: deploy/check.sh [METRICS_SCRAPE]
#   METRICS_SCRAPE: optional file holding a GET /metrics response of a running memd; then every
#   memd_* metric that alerts.yml and the dashboard use must appear in it.
set -euo pipefail
cd "$(dirname "$0")"
scrape="${1:+$(cd "$OLDPWD" && realpath "$1")}"

if ! command -v promtool >/dev/null 2>&1; then
  echo "deploy/check.sh: promtool not found (apt-get install prometheus); skipping" >&2
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

promtool check config prometheus/prometheus.yml
promtool check rules prometheus/alerts.yml
promtool test rules prometheus/alerts_test.yml
python3 -m json.tool grafana/memd-dashboard.json >/dev/null
echo "grafana/memd-dashboard.json: valid JSON"

# Every dashboard query, with Grafana's variables substituted, as a recording rule: promtool
# then parses each one.
python3 - grafana/memd-dashboard.json "$tmp/dashboard_rules.yml" <<'EOF'
import json, sys
dash = json.load(open(sys.argv[1]))
ids, exprs = set(), []
def walk(panels):
    for p in panels:
        if p["id"] in ids:
            sys.exit(f"dashboard: panel id {p['id']} is used twice")
        ids.add(p["id"])
        for t in p.get("targets", []):
            exprs.append((p["title"], t["expr"]))
        walk(p.get("panels", []))
walk(dash["panels"])
if not exprs:
    sys.exit("dashboard: no queries found")
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (title, expr) in enumerate(exprs):
        expr = expr.replace("$__rate_interval", "5m").replace("$instance", ".*")
        out.write(f"      - record: dashboard_query_{i}\n        expr: {json.dumps(expr)}\n")
print(f"grafana/memd-dashboard.json: {len(ids)} panels, {len(exprs)} queries")
EOF
promtool check rules "$tmp/dashboard_rules.yml"

python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' memd.example.toml
echo "memd.example.toml: valid TOML"

if [ -n "$scrape" ]; then
  promtool check metrics < "$scrape"
  python3 - "$scrape" prometheus/alerts.yml grafana/memd-dashboard.json <<'EOF'
import re, sys
exposed = set()
for line in open(sys.argv[1]):
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        name, kind = m.groups()
        exposed.add(name)
        if kind == "histogram":
            exposed.update(name + s for s in ("_bucket", "_sum", "_count"))
used = set()
for path in sys.argv[2:]:
    used.update(re.findall(r"\bmemd_[a-z_]+", open(path).read()))
missing = sorted(used - exposed)
if missing:
    sys.exit("metrics used by alerts or the dashboard but not exposed by memd: " + ", ".join(missing))
print(f"{len(used)} memd metrics used by alerts and the dashboard are all exposed")
EOF
fi
echo "deploy/check.sh: all checks passed"
