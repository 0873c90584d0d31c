#!/usr/bin/env bash
# The same Abaqus/CalculiX deck solved by `vproto run deck.inp` and by CalculiX `ccx`:
# wall time and peak memory of each and their ratios (examples/ccx_compare writes the
# deck — a clamped cantilever with consistent tip loads — and times both under GNU
# time). Needs ccx (apt-get install calculix-ccx) and GNU time.
# Usage: benches/inp_vs_ccx.sh [element nx ny nz]   (default: hex8 60 12 12, ~30k equations)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin vproto --example ccx_compare
target/release/examples/ccx_compare "${1:-hex8}" "${2:-60}" "${3:-12}" "${4:-12}"
