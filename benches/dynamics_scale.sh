#!/usr/bin/env bash
# Forced response at scale: a ~320k-equation hex8 steel block (1 × 0.4 × 0.25 m,
# 100 × 40 × 25), clamped at one end and shaken there at 1 g — its 50 lowest modes, a
# 2 000-point sine sweep (modal superposition with the static correction) and a random
# response (RMS von Mises from the modal cross-spectra), all on the same 50 modes.
# Prints each load case's wall time from the run's own log (GNU time for the whole run's
# peak memory). The issue's targets: the sweep at most 2× the modal analysis alone; the
# random RMS fields in under 10 s once the modes are found.
# Usage: benches/dynamics_scale.sh [NX NY NZ]   (default 100 40 25)
set -euo pipefail
cd "$(dirname "$0")/.."
nx=${1:-100}; ny=${2:-40}; nz=${3:-25}
cargo build --release --quiet --bin vproto
vproto=$PWD/target/release/vproto
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/scale.toml" <<TOML
name = "dynamics_scale"
[model.generate]
shape = "box"
size = [1.0, 0.4, 0.25]
divisions = [$nx, $ny, $nz]
element = "hex8"
[regions]
all = "steel_s355"
[[constraint]]
set = "xmin"
fixed = true
[damping]
modal_ratio = 0.02
[[load_case]]
name = "modes"
analysis = "modal"
modes = 50
[[load_case]]
name = "sine"
analysis = "harmonic"
frequency = [5.0, 300.0]
points = 2000
spacing = "linear"
modes = 50
[[load_case.load]]
type = "base_acceleration"
set = "xmin"
acceleration = [0, 0, 1]
unit = "g"
[[load_case]]
name = "random"
analysis = "random"
psd = [[20.0, 0.04], [300.0, 0.04]]
modes = 50
[[load_case.load]]
type = "base_acceleration"
set = "xmin"
acceleration = [0, 0, 1]
unit = "g"
TOML
/usr/bin/time -f "%e %M" -o "$dir/time" "$vproto" run "$dir/scale.toml" -o "$dir/out" -vv > "$dir/log" 2>&1 || { tail -20 "$dir/log"; exit 1; }
python3 - "$dir" <<'PY'
import re, sys
d = sys.argv[1]
log = open(f"{d}/log").read()
eq = re.search(r"equations=(\d+)", log).group(1)
starts = [(float(m.group(1)), m.group(2)) for m in re.finditer(r"^\s*([\d.]+)s .*load case \d+ of \d+: (\S+)", log, re.M)]
end = float(re.search(r"^\s*([\d.]+)s .*writing results", log, re.M).group(1))
wall, kib = open(f"{d}/time").read().split()
print(f"{eq} equations; whole run {float(wall):.1f} s, peak {int(kib) / 1048576:.2f} GiB")
print("| load case | wall |")
print("|---|---|")
for (t, name), nxt in zip(starts, [s[0] for s in starts[1:]] + [end]):
    print(f"| {name} | {nxt - t:.1f} s |")
for line in log.splitlines():
    if re.search(r"^(sine|random|modes):", line):
        print(line[:200])
PY
