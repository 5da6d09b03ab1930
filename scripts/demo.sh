#!/usr/bin/env bash
# memd's main job on its embedded defaults: set up, build, then a short CLI session on a
# demo project (two projects, add, search, update, history, preferences, context), with its
# data in ./memd-data (or $MEMD_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
memd() { build/src/memd "$@"; }
export MEMD_DATA="${MEMD_DATA:-./memd-data}"
export MEMD_USER="${MEMD_USER:-demo}"
run() { echo; echo "\$ memd $*"; memd "$@"; }

run --version
run add --project alpha --kind code --tag physics \
  "def calculate_photon_matrix(n): builds the photon scattering matrix for n modes"
run add --project alpha --kind fact "The alpha service stores its data in PostgreSQL 15."
run add --project beta --kind code "def graviton_field(x): integrates the graviton field at x"
run add --project alpha --kind fact "The alpha service stores its data in PostgreSQL 15."
run search --project alpha "how is the photon matrix computed"
run search --project alpha --mode lexical --explain "PostgreSQL"
run search --project beta "photon matrix"
id="$(memd --json search --project alpha --top-k 1 "alpha service database" | sed -E 's/.*"id":"([0-9A-Z]{26})".*/\1/')"
run update --project alpha "$id" --text "The alpha service stores its data in PostgreSQL 16."
run history --project alpha "$id"
run pref set --project alpha style docstring Google --description "docstring format"
run context --project alpha --budget 200 "where does alpha keep its data"
run cubes list
echo
echo "memd demo done: data in $MEMD_DATA; try 'build/src/memd --help'"
