#!/bin/sh
# Where does a long prompt stop being practical? Qwen3-8B at Q4_K_M on a 48 GB M4 Pro, context
# from 1k to 128k tokens, as CSV for a spreadsheet or a plot (ctx_tokens, ttft_s, decode_tps, ...).
# Usage: examples/context_sweep.sh [out.csv]     (SILICONSIM=path/to/siliconsim to pick a binary)
set -eu
bin="${SILICONSIM:-siliconsim}"
out="${1:-context_sweep.csv}"
"$bin" sweep --model Qwen/Qwen3-8B --quant Q4_K_M --chip "M4 Pro" --gpu-cores 20 --memory 48 \
  --ctx 1k..128k:x2 --format csv -o "$out"
echo "wrote $out"
# The first context where the first token takes more than 30 s:
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
         $col["ttft_s"] > 30 { print "TTFT passes 30 s at " $col["ctx_tokens"] " tokens"; found = 1; exit }
         END { if (!found) print "TTFT stays under 30 s up to 128k tokens" }' "$out"
