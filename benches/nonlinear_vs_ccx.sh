#!/usr/bin/env bash
# A plastic cantilever deck (S355 bilinear *PLASTIC, tip load 1.4× first yield, *STATIC
# 0.1, 1.0) solved by `vproto run deck.inp` and by CalculiX `ccx` side by side: wall
# time, peak memory, increments and iterations of each, the mean tip deflection, and
# where vproto's time goes (stress updates, tangent assembly, numeric factorisation,
# solves; the symbolic factorisation is done once before the first increment).
# Needs ccx (apt-get install calculix-ccx) and GNU time. CCX_SOLVER="ITERATIVE CHOLESKY"
# sets ccx's *STATIC solver (default SPOOLES).
# Usage: benches/nonlinear_vs_ccx.sh [element nx ny nz]   (default: hex20r 80 10 10, ~112k equations)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin vproto --example ccx_compare
target/release/examples/ccx_compare "${1:-hex20r}" "${2:-80}" "${3:-10}" "${4:-10}" plastic
