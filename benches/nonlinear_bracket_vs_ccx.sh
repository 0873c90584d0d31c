#!/usr/bin/env bash
# The unstructured counterpart of nonlinear_vs_ccx.sh: the S355 L-bracket of
# cases/bracket_overload.toml meshed by Gmsh in tet10 (element size $1, default 2.6 mm:
# ~100k equations), clamped at its back face, 7.5 kN down at the bolt hole (1.8× first
# yield, *PLASTIC bilinear, *STATIC 0.1, 1.0): `vproto run deck.inp` and CalculiX `ccx`
# on the same deck, side by side — wall time, peak memory, increments, iterations, the
# bolt hole's mean u_z, vproto's time shares. Needs ccx, GNU time and `pip install gmsh`.
# CCX_SOLVER="ITERATIVE CHOLESKY" sets ccx's *STATIC solver (default SPOOLES).
# Usage: benches/nonlinear_bracket_vs_ccx.sh [element size in m] [force in N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin vproto --example ccx_compare
msh="$(mktemp -d)/bracket.msh"
python3 models/bracket/bracket.py "${1:-0.0026}" "$msh"
target/release/examples/ccx_compare "$msh" "${2:-7500}"
rm -rf "$(dirname "$msh")"
