#!/usr/bin/env bash
# Sets up the machine (Debian packages) and runs memd's whole test suite:
#   1. Release build (RelWithDebInfo): every ctest test (unit, integration, crash).
#   2. ASan + UBSan build: every ctest test except those labelled `slow`.
#   3. TSan build: the concurrency tests (gtest names matching *Concurren*) of the store,
#      index, embed and engine layers.
# Usage: scripts/test.sh            (all three)
#        MEMD_TEST_STAGES="release" scripts/test.sh   (a subset: release asan tsan)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npm ci --prefix tests/mcp  # the MCP tests' SDK client and conformance runner (tests/mcp/package-lock.json)

stages="${MEMD_TEST_STAGES:-release asan tsan}"
jobs="$(nproc)"
export CTEST_OUTPUT_ON_FAILURE=1

configure() {  # dir, extra cmake args...
  local dir="$1"; shift
  cmake -S . -B "$dir" -G Ninja -DMEMD_BUILD_BENCH=OFF "$@" >/dev/null
}

for stage in $stages; do
  case "$stage" in
    release)
      echo "== release build and full test suite"
      configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
      ninja -C build -j "$jobs"
      (cd build && ctest -j "$jobs" --timeout 600)
      ;;
    asan)
      echo "== ASan+UBSan build, tests not labelled slow"
      configure build-asan -DCMAKE_BUILD_TYPE=Debug -DMEMD_SANITIZE=address
      ninja -C build-asan -j "$jobs"
      (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest -j "$jobs" -LE slow --timeout 900)
      ;;
    tsan)
      echo "== TSan build, concurrency tests"
      configure build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMD_SANITIZE=thread
      ninja -C build-tsan -j "$jobs" memd_util_tests memd_store_tests memd_index_tests memd_embed_tests \
        memd_engine_tests memd_server_tests
      for t in util store index embed engine server; do
        TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
          "build-tsan/src/memd_${t}_tests" --gtest_filter='*Concurren*'
      done
      ;;
    *) echo "unknown stage $stage" >&2; exit 2 ;;
  esac
done
echo "memd: all test stages passed ($stages)"
