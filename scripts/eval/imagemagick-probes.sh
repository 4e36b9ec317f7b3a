#!/bin/sh
# Cross-check of the robustness generator with noise we did not make ourselves
# (docs/ACCURACY.md): DevTest probes perturbed by ImageMagick 6 (`apt-get install
# imagemagick`; nothing in npm test needs it), one CSV pair file per perturbation
# for `npm run eval` (references clean, probes perturbed, JPEG at the source's quality).
#   sh scripts/eval/imagemagick-probes.sh [out dir] [LFW dir]
#   npx tsx scripts/eval/imagemagick-check.ts [--dir <out dir>]   (the table: clean and every variant)
set -eu
OUT=${1:-artifacts/imagemagick}
LFW=${2:-../shared/data/lfw-dev}
mkdir -p "$OUT"
ln -sfn "$(cd "$LFW/images" && pwd)" "$OUT/clean"
# name|ImageMagick options
VARIANTS='modulate60|-modulate 60
modulate140|-modulate 140
rotate15|-rotate 15
impulse|-attenuate 0.35 +noise Impulse
blur2|-blur 0x2
quality30|-quality 30'
# The DevTest pairs as (reference, probe, same) relative paths.
awk 'NR > 1 {
  if (NF == 3) { a = sprintf("%s/%s_%04d.jpg", $1, $1, $2); b = sprintf("%s/%s_%04d.jpg", $1, $1, $3); s = "Yes" }
  else { a = sprintf("%s/%s_%04d.jpg", $1, $1, $2); b = sprintf("%s/%s_%04d.jpg", $3, $3, $4); s = "No" }
  print a "," b "," s }' "$LFW/pairsDevTest.txt" > "$OUT/pairs.txt"
{ echo "file_x,file_y,Decision"; sed 's|\([^,]*\),\([^,]*\),|clean/\1,clean/\2,|' "$OUT/pairs.txt"; } > "$OUT/none.csv"
echo "$VARIANTS" | while IFS='|' read -r name opts; do
  echo "file_x,file_y,Decision" > "$OUT/$name.csv"
  while IFS=, read -r a b s; do
    dst="$OUT/$name/$b"
    if [ ! -f "$dst" ]; then
      mkdir -p "$(dirname "$dst")"
      # shellcheck disable=SC2086
      convert "$LFW/images/$b" $opts "$dst"
    fi
    echo "clean/$a,$name/$b,$s" >> "$OUT/$name.csv"
  done < "$OUT/pairs.txt"
  echo "$name: $(($(wc -l < "$OUT/$name.csv") - 1)) pairs"
done
