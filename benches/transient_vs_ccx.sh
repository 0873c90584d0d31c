#!/usr/bin/env bash
# Linear transient dynamics of one deck in vproto and CalculiX 2.20, side by side in one
# run: a steel cantilever (C3D8, ~33k equations) under a triangular tip pulse, 2 %
# damping, by direct integration (*DYNAMIC, DIRECT: HHT α = −0.05, Rayleigh damping,
# one factorisation) and by modal superposition (*FREQUENCY of 20 modes, then *MODAL
# DYNAMIC). Prints wall time and peak memory (GNU time) of each, per step, and the tip
# displacement each code prints last.
# Needs ccx (apt-get install calculix-ccx) and GNU time.
# Usage: benches/transient_vs_ccx.sh [STEPS [CCX_DIRECT_STEPS]]
#   STEPS (default 10000) for every run but ccx's direct one, which takes
#   CCX_DIRECT_STEPS (default 500: ccx assembles and solves each increment anew, so
#   its time is given per step).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-10000}
ccx_direct=${2:-500}
cargo build --release --quiet --bin vproto
vproto=$PWD/target/release/vproto
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
nx, ny, nz = 120, 12, 6
L, W, H = 0.48, 0.048, 0.024
def nid(i, j, k): return 1 + i + (nx + 1) * (j + (ny + 1) * k)
out = ["*NODE, NSET=NALL"]
for k in range(nz + 1):
    for j in range(ny + 1):
        for i in range(nx + 1):
            out.append(f"{nid(i,j,k)}, {L*i/nx:.9g}, {W*j/ny:.9g}, {H*k/nz:.9g}")
out.append("*ELEMENT, TYPE=C3D8, ELSET=EALL")
e = 1
for k in range(nz):
    for j in range(ny):
        for i in range(nx):
            n = [nid(i,j,k), nid(i+1,j,k), nid(i+1,j+1,k), nid(i,j+1,k),
                 nid(i,j,k+1), nid(i+1,j,k+1), nid(i+1,j+1,k+1), nid(i,j+1,k+1)]
            out.append(f"{e}, " + ", ".join(map(str, n))); e += 1
out.append("*NSET, NSET=FIX")
fix = [str(nid(0, j, k)) for k in range(nz + 1) for j in range(ny + 1)]
out += [", ".join(fix[i:i+16]) for i in range(0, len(fix), 16)]
out.append(f"*NSET, NSET=P\n{nid(nx, ny // 2, nz)}")
out += ["*MATERIAL, NAME=STEEL", "*ELASTIC", "210e9, 0.3", "*DENSITY", "7850",
        "*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL", "*BOUNDARY", "FIX, 1, 3",
        "*AMPLITUDE, NAME=PULSE", "0., 0., 0.002, 1., 0.004, 0."]
open(f"{d}/mesh.inp", "w").write("\n".join(out) + "\n")
PY
write() { # name period(s) procedure-lines
  printf '*INCLUDE, INPUT=mesh.inp\n%s' "$3" > "$dir/$1.inp"
}
period() { python3 -c "print(f'{$1 * 2e-5:.6g}')"; }
load='*CLOAD, AMPLITUDE=PULSE\nP, 3, 1000.\n*NODE PRINT, NSET=P\nU\n*END STEP\n'
direct() { printf "*STEP, INC=10000000\n*DYNAMIC, DIRECT\n2.e-5, %s\n*MODAL DAMPING, RAYLEIGH\n, , 10., 1.e-5\n$load" "$(period "$1")"; }
modal() { printf "*STEP\n*FREQUENCY, STORAGE=YES\n20\n*END STEP\n*STEP, INC=10000000\n*MODAL DYNAMIC\n2.e-5, %s\n*MODAL DAMPING\n1, 20, 0.02\n$load" "$(period "$1")"; }
write direct "" "$(direct "$steps")"
write modal "" "$(modal "$steps")"
write ccx_direct "" "$(direct "$ccx_direct")"
cp "$dir/modal.inp" "$dir/ccx_modal.inp"
measure() { # label steps command...
  local label=$1 n=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$dir/mem" "$@" > "$dir/log" 2>&1 || { cat "$dir/log"; exit 1; }
  t1=$(date +%s.%N)
  python3 -c "
s = $t1 - $t0; m = int(open('$dir/mem').read().split()[-1]) / 1024
print(f'| $label | $n | {s:.2f} s | {1e3 * s / $n:.2f} ms | {m:.0f} MiB |')"
}
cd "$dir"
echo "| run | steps | wall | per step | peak memory |"
echo "|---|---|---|---|---|"
measure "vproto direct (HHT-α, one factor, von Mises envelope every step)" "$steps" "$vproto" run direct.inp -o out_d
measure "vproto modal (20 modes, exact steps, envelope every step)" "$steps" "$vproto" run modal.inp -o out_m
if command -v ccx > /dev/null; then
  measure "ccx *DYNAMIC, DIRECT" "$ccx_direct" env OMP_NUM_THREADS=2 ccx ccx_direct
  measure "ccx *FREQUENCY + *MODAL DYNAMIC" "$steps" env OMP_NUM_THREADS=2 ccx ccx_modal
  last() { grep -A2 "displacements (vx,vy,vz) for set P" "$1.dat" | tail -1 | awk '{print $4}'; }
  echo "ccx tip u_z at the end: modal $(last ccx_modal), direct ($ccx_direct steps) $(last ccx_direct)"
else
  echo "ccx not found: apt-get install calculix-ccx"
fi
python3 - <<'PY' || true
import h5py
for run, step in (("out_m/modal.h5", "step2"), ("out_d/direct.h5", "step1")):
    f = h5py.File(run)
    g = f[f"load_cases/{step}/history"]
    h = g[list(g.keys())[0]][()].reshape(-1, 4)
    print(f"vproto tip u_z at the end ({run.split('/')[0]}): {h[-1, 3]:.6e}")
PY
