#!/usr/bin/env bash
# One command from a fresh checkout: install what is missing, build everything (warnings are
# errors), run the whole test suite.
#   scripts/test.sh                 Release build in build-test/
#   scripts/test.sh --sanitize      the same under AddressSanitizer + UBSan, in build-asan/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/deps.sh"
sanitize=OFF
benchmarks=ON
extra=()
build="$root/build-test"
type=Release
if [[ "${1:-}" == "--sanitize" ]]; then
  sanitize=ON
  benchmarks=OFF  # timing code under ASan measures nothing; the Release build compiles them
  build="$root/build-asan"
  type=RelWithDebInfo
  # -O1 -g1: line tables for the sanitizer's stack traces, at half the compile time of -O2 -g.
  extra=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1")
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DSILICONSIM_BUILD_TESTS=ON \
      -DSILICONSIM_BUILD_BENCHMARKS="$benchmarks" -DSILICONSIM_WERROR="$([[ -n "${CI:-}" ]] && echo ON || echo OFF)" -DSILICONSIM_SANITIZE="$sanitize" ${extra[@]+"${extra[@]}"} >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || sysctl -n hw.ncpu)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build" --output-on-failure -j "$(nproc 2>/dev/null || sysctl -n hw.ncpu)"
