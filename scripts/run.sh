#!/usr/bin/env bash
# One command from a fresh checkout: install what is missing, build in Release, run siliconsim.
#   scripts/run.sh                      -> siliconsim fit --chip "M4 Pro" --memory 48
#   scripts/run.sh chips show "M4 Max" --gpu-cores 40
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SILICONSIM_BUILD_DIR:-$root/build}"
"$root/scripts/deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSILICONSIM_BUILD_TESTS=OFF \
      -DSILICONSIM_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target siliconsim >/dev/null
if (($# == 0)); then set -- fit --chip "M4 Pro" --memory 48; fi
exec "$build/siliconsim" "$@"
