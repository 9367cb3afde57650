#!/usr/bin/env bash
# Rebuild styles/color/brochure-fogra39.icc, the CMYK profile of the print profile.
#
# Input: Fogra's FOGRA39L characterization data (ISO 12647-2:2004/Amd 1, coated paper) as
# packaged with a zlib licence by Debian's icc-profiles-free; tool: ArgyllCMS's colprof.
# Neither is needed at run time: the profile is committed. Run this only to change it:
#
#     apt-get install icc-profiles-free argyll && scripts/make_cmyk_profile.sh
#
# Choices: total ink limit 300 %, black limit 95 %, Argyll's default K ramp (black generation),
# perceptual and saturation tables gamut-mapped from sRGB, medium quality tables (~230 KB),
# no measurement data embedded. colprof takes about three minutes on one core.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
data=/usr/share/color/icc/FOGRA39L.ti3
srgb=/usr/share/color/argyll/ref/sRGB.icm
for need in "$data" "$srgb"; do
    [[ -f "$need" ]] || { echo "missing $need: apt-get install icc-profiles-free argyll" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$data" "$work/FOGRA39L.ti3"
(
    cd "$work"
    colprof -qm -nc -kr -l300 -L95 -S "$srgb" -cmt -dpp \
        -A "brochure" -M "FOGRA39" \
        -D "brochure FOGRA39 coated, 300% TAC" \
        -C "Built by brochure from FOGRA39L data (zlib licence); see LICENSE.md" \
        -O brochure-fogra39.icc FOGRA39L
)
install -m 0644 "$work/brochure-fogra39.icc" "$here/styles/color/brochure-fogra39.icc"
echo "wrote styles/color/brochure-fogra39.icc"
