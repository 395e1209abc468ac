#!/bin/sh
# Which models fit my Mac, and how fast are they? A 48 GB M4 Pro, 32k tokens of context, at least
# 15 tokens/s at the end of that context.
# Usage: examples/what_fits.sh [chip] [memory GB]   (SILICONSIM=path/to/siliconsim to pick a binary)
set -eu
bin="${SILICONSIM:-siliconsim}"
"$bin" fit --chip "${1:-M4 Pro}" --memory "${2:-48}" --ctx 32k --min-tps 15
