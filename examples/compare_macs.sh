#!/bin/sh
# One model, two Macs: Qwen3-30B-A3B at Q4_K_M on an M4 Max (48 GB) and an M3 Ultra (96 GB),
# a 4k-token prompt then 256 tokens, llama.cpp and MLX 4-bit side by side.
# Usage: examples/compare_macs.sh                  (SILICONSIM=path/to/siliconsim to pick a binary)
set -eu
bin="${SILICONSIM:-siliconsim}"
for chip in "m4-max-40c 48" "m3-ultra-80c 96"; do
  set -- $chip
  "$bin" predict --model Qwen/Qwen3-30B-A3B --quant Q4_K_M,mlx-4bit --chip "$1" --memory "$2" \
    --prompt 4k --gen 256 --format csv
done | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print "chip,quant,ttft_s,decode_tps,e2e_s"; next }
               $1 != "schema_version" && $1 != "model" { printf "%s,%s,%.2f,%.1f,%.1f\n", $col["chip"], $col["quant"], $col["ttft_s"], $col["decode_tps"], $col["e2e_s"] }'
