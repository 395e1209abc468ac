#!/usr/bin/env bash
# Builds the libFuzzer targets (Clang, ASan + UBSan) in build-fuzz/ and runs each one.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   run each target for SECONDS (default 60)
#   scripts/fuzz.sh -runs=N [TARGET...]      run each target for N executions
#   scripts/fuzz.sh -runs=N SECONDS [T...]   each target until N executions or SECONDS, first reached
#   scripts/fuzz.sh --smoke                  CI: each target replays its seed corpus, then fuzzes
#                                            for SILICONSIM_FUZZ_SMOKE_SECONDS (default 10) s from
#                                            libFuzzer seed SILICONSIM_FUZZ_SEED (default 1)
#   scripts/fuzz.sh --list                   the targets
#
# Seeds are read from fuzz/corpus/TARGET (never written); new inputs go to
# build-fuzz/corpus/TARGET, findings to build-fuzz/findings/TARGET/. Each run prints the
# executions and the result; the exit status is 1 if any target found a crash, leak, timeout
# or out-of-memory. Environment: SILICONSIM_FUZZ_BUILD (build dir), SILICONSIM_FUZZ_NICE
# (nice level for the fuzzers, default 15: the CPU is shared), SILICONSIM_FUZZ_JOBS (build -j),
# SILICONSIM_FUZZ_TIMEOUT (seconds one input may take, default 10; libFuzzer measures it on the
# wall clock, so on a busy or paused machine raise it and re-run any reported timeout input by
# hand: `build-fuzz/fuzz/fuzz_TARGET FILE` prints how long it really takes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SILICONSIM_FUZZ_BUILD:-$ROOT/build-fuzz}"
NICE="${SILICONSIM_FUZZ_NICE:-15}"
JOBS="${SILICONSIM_FUZZ_JOBS:-2}"
SMOKE_SECONDS="${SILICONSIM_FUZZ_SMOKE_SECONDS:-10}"
TIMEOUT="${SILICONSIM_FUZZ_TIMEOUT:-10}"
# The smoke mutates from a fixed seed, so a CI failure replays locally with the same command.
SMOKE_SEED="${SILICONSIM_FUZZ_SEED:-1}"

ALL_TARGETS=(value_parse measurements gguf_header hf_config chip_yaml model_yaml quant_yaml engine_yaml)

mode=time
seconds=""
runs=""
targets=()
for arg in "$@"; do
  case "$arg" in
    --smoke) mode=smoke ;;
    --list) printf '%s\n' "${ALL_TARGETS[@]}"; exit 0 ;;
    -runs=*) [[ $mode == smoke ]] || mode=runs; runs="${arg#-runs=}" ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    ''|*[!0-9]*) targets+=("$arg") ;;
    *) seconds="$arg" ;;
  esac
done
[[ ${#targets[@]} -eq 0 ]] && targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (see --list)" >&2; exit 2; }
done

# Clang and its runtime libraries (libFuzzer, ASan, UBSan): installed on Debian when missing, as
# scripts/deps.sh does for the rest.
if command -v dpkg-query >/dev/null; then
  missing=()
  for p in clang libclang-rt-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "fuzz.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang libclang-rt-dev)" >&2; exit 2; }

started=$(date +%s)
if [[ ! -f "$BUILD/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSILICONSIM_FUZZ=ON -DSILICONSIM_BUILD_TESTS=OFF -DSILICONSIM_BUILD_BENCHMARKS=OFF >/dev/null
fi
nice -n 5 cmake --build "$BUILD" -j"$JOBS" --target siliconsim_fuzzers
built=$(date +%s)
echo "fuzz.sh: built in $((built - started)) s"

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$BUILD/fuzz/fuzz_$t"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz.sh: $t: not built" >&2
    summary+=("$(printf '%-14s %12s  %s' "$t" "-" "FAILED (not built)")")
    failed+=("$t")
    continue
  fi
  work="$BUILD/corpus/$t"
  findings="$BUILD/findings/$t"
  mkdir -p "$work" "$findings"
  args=(-rss_limit_mb=2048 -malloc_limit_mb=1024 "-timeout=$TIMEOUT" -print_final_stats=1
        "-artifact_prefix=$findings/")
  [[ -f "$ROOT/fuzz/dict/$t.dict" ]] && args+=("-dict=$ROOT/fuzz/dict/$t.dict")
  case "$mode" in
    smoke) args+=("-max_total_time=$SMOKE_SECONDS" "-seed=$SMOKE_SEED") ;;
    runs) args+=("-runs=$runs"); [[ -n "$seconds" ]] && args+=("-max_total_time=$seconds") ;;
    time) args+=("-max_total_time=${seconds:-60}") ;;
  esac
  seeds=()
  [[ -d "$ROOT/fuzz/corpus/$t" ]] && seeds+=("$ROOT/fuzz/corpus/$t")
  log="$BUILD/findings/$t.log"
  t0=$(date +%s)
  set +e
  nice -n "$NICE" "$bin" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
  status=$?
  set -e
  t1=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  execs="${execs:-?}"
  if [[ $status -eq 0 ]]; then
    result="ok"
  else
    result="FAILED (status $status; see $log and $findings)"
    failed+=("$t")
    grep -m5 -E 'ERROR:|SUMMARY:|runtime error|deadly signal|Timeout|out-of-memory' "$log" || true
  fi
  line="$(printf '%-14s %12s execs %6s s  %s' "$t" "$execs" "$((t1 - t0))" "$result")"
  echo "fuzz.sh: $line"
  summary+=("$line")
done

echo
echo "target         executions          time   result"
printf '%s\n' "${summary[@]}"
echo "fuzz.sh: total $(( $(date +%s) - started )) s (build $((built - started)) s)"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
