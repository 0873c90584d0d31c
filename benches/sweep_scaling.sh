#!/usr/bin/env bash
# Parallel efficiency and per-point overhead of a 16-point sweep (the strap of
# cases/strap_sweep.toml at a finer mesh, 4 thicknesses x 4 hole radii, ~16k equations
# per point). Prints the serial and parallel wall times, the speedup, and the share of
# case instantiation + output in each point's time. Usage: benches/sweep_scaling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -e 's/divisions = \[16, 8, 1\]/divisions = [32, 16, 2]/' \
    -e 's/thickness = \[0.003, 0.004, 0.006\]/thickness = [0.003, 0.004, 0.005, 0.006]/' \
    -e 's/hole_radius = { from = 0.01, to = 0.03, steps = 3 }/hole_radius = { from = 0.01, to = 0.03, steps = 4 }/' \
    -e 's/alloy = \["aluminium_6061_t6", "aluminium_7075_t6"\]/alloy = ["aluminium_6061_t6"]/' \
    -e "s#\"../models#\"$PWD/models#" cases/strap_sweep.toml > "$work/sweep16.toml"
time_it() { local s; s=$(date +%s.%N); "$@" > /dev/null; awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}'; }
serial=$(time_it env RAYON_NUM_THREADS=1 target/release/vproto sweep "$work/sweep16.toml" -o "$work/serial")
parallel=$(time_it env RAYON_NUM_THREADS="$(nproc)" target/release/vproto sweep "$work/sweep16.toml" -o "$work/parallel")
echo "16 points: serial ${serial} s, parallel ($(nproc) threads) ${parallel} s, speedup $(awk -v a="$serial" -v b="$parallel" 'BEGIN{printf "%.2f", a / b}')"
RAYON_NUM_THREADS="$(nproc)" target/release/vproto sweep "$work/sweep16.toml" -o "$work/logged" -v 2>&1 >/dev/null \
    | sed 's/\x1b\[[0-9;]*m//g' | grep "results written" \
    | awk '{for(i=1;i<=NF;i++) if($i ~ /=/){split($i,a,"="); s[a[1]]+=a[2]}}
           END{printf "per point: case+model %.1f ms, solve %.1f ms, output %.1f ms; overhead %.1f %% of the solve\n",
               1000*s["case_and_model_s"]/16, 1000*s["solve_s"]/16, 1000*s["output_s"]/16,
               100*(s["case_and_model_s"]+s["output_s"])/s["solve_s"]}'
