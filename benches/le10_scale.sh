#!/usr/bin/env bash
# NAFEMS LE10 on unstructured (free) tet10 meshes: vproto's direct factor and its
# multigrid-preconditioned CG against CalculiX 2.20's SPOOLES and ITERATIVE CHOLESKY,
# the same deck in one run — wall time, peak memory (GNU time), σ_yy(D) and u_z(D).
# Needs gmsh (pip install gmsh), ccx (apt-get install calculix-ccx) and GNU time.
# Usage: benches/le10_scale.sh SIZE [skip-direct] [skip-iterative] [skip-spooles] [skip-ccx]
#   SIZE 0.1 ≈ 73k equations, 0.05 ≈ 477k, 0.039 ≈ 1M (element size in m).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-0.1}
shift || true
mesh=$(mktemp -d)/le10_tet10_${size}.msh
python3 models/le10/le10.py tet10 "$size" "$mesh"
cargo build --release --quiet --bin vproto --example le10_scale
target/release/examples/le10_scale "$mesh" "$@"
rm -rf "$(dirname "$mesh")"
