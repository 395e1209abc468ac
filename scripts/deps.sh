#!/usr/bin/env bash
# Installs what SiliconSim needs to build, if it is missing: Debian/Ubuntu packages through
# apt-get, or Homebrew formulae on macOS. Safe to run again; it installs nothing already there.
set -euo pipefail

debian_packages=(cmake ninja-build g++ pkg-config libyaml-cpp-dev libfmt-dev libcli11-dev
                 nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev)
brew_formulae=(cmake ninja yaml-cpp fmt cli11 nlohmann-json googletest google-benchmark)

if [[ "$(uname -s)" == "Darwin" ]]; then
  command -v brew >/dev/null || { echo "deps.sh: Homebrew is required on macOS (https://brew.sh)" >&2; exit 1; }
  missing=()
  for f in "${brew_formulae[@]}"; do brew list --formula "$f" >/dev/null 2>&1 || missing+=("$f"); done
  if ((${#missing[@]})); then brew install "${missing[@]}"; fi
  exit 0
fi

if ! command -v dpkg-query >/dev/null; then
  echo "deps.sh: not Debian-like and not macOS; install by hand: ${debian_packages[*]}" >&2
  exit 1
fi
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "deps.sh: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
