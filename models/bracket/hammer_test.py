#!/usr/bin/env python3
"""Synthetic hammer (impact) modal test of the bracket fixture: hammer_test.csv.

The "test article" is the bracket model with a known difference from the nominal
case (cases/bracket_modal_test.toml): Young's modulus 4 % low (68.9 -> 66.144 GPa,
so every frequency is 2.0 % low) — the kind of difference a calibration must find.
Its first six modes, sampled at 14 sensors, with stated noise, are the measurement:

- sensors: 14 surface nodes spread over the parts that move — eight on the flange's
  top (measuring +z, clear of the bolt hole), two on its side (-y), two on its tip
  (+x) and two on the upright's top edge (+x) — each the mesh node of that face
  nearest to its target point, coordinates written in mm;
- shapes: each mode scaled to a largest sensor component of 1, plus Gaussian noise
  of 2 % of that (seeded), as a roving-hammer test's residue estimates scatter;
- frequencies: +-0.3 % Gaussian noise; damping ratios 0.5-1 %, stated, unused.

Run from the repository root after `cargo build --release`:
    python3 models/bracket/hammer_test.py
Needs numpy and h5py.
"""

import pathlib
import subprocess
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODES = 6
SEED = 18

CASE = f"""
name = "bracket_as_built"
[model]
mesh = "{ROOT / 'models/bracket/bracket.msh'}"
[materials.soft_6061]
description = "6061-T6 with E 4 % low: the synthetic test article"
youngs_modulus = 66.144e9
poisson_ratio = 0.33
density = 2700.0
[regions]
bracket = "soft_6061"
[[constraint]]
set = "mount"
fixed = true
[[load_case]]
name = "modes"
analysis = "modal"
modes = {MODES}
"""

# Target point (mm), the face it lies on (axis, value in mm), the measuring direction.
TARGETS = (
    [((x, y, 10), (2, 10), "+z") for x in (25, 40, 55, 75) for y in (3, 37)]
    + [((x, 0, 5), (1, 0), "-y") for x in (40, 80)]
    + [((80, y, 5), (0, 80), "+x") for y in (8, 32)]
    + [((5, y, 60), (2, 60), "+x") for y in (8, 32)]
)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        case = pathlib.Path(tmp) / "as_built.toml"
        case.write_text(CASE)
        subprocess.run(
            [str(ROOT / "target/release/vproto"), "run", str(case), "--out", tmp],
            check=True,
            capture_output=True,
        )
        with h5py.File(pathlib.Path(tmp) / "bracket_as_built.h5") as f:
            points = f["mesh/points"][:]
            hz = f["load_cases/modes/frequencies"][:MODES]
            shapes = [f[f"load_cases/modes/mode_{k + 1}/displacement"][:] for k in range(MODES)]
    rng = np.random.default_rng(SEED)
    mm = 1e3 * points
    rows = []
    for i, (target, (face, at), direction) in enumerate(TARGETS):
        on_face = np.flatnonzero(np.abs(mm[:, face] - at) < 1e-6)
        node = int(on_face[np.argmin(np.linalg.norm(mm[on_face] - target, axis=1))])
        axis = "xyz".index(direction[1])
        sign = 1.0 if direction[0] == "+" else -1.0
        rows.append((f"H{i + 1}", node, axis, sign))
    measured = []
    for u in shapes:
        values = np.array([sign * u[node, axis] for _, node, axis, sign in rows])
        values /= np.abs(values).max()
        measured.append(values + 0.02 * rng.standard_normal(len(values)))
    freq = hz * (1.0 + 0.003 * rng.standard_normal(MODES))
    damping = 0.005 + 0.005 * rng.random(MODES)
    lines = [
        "# Synthetic hammer test of the bracket fixture, made by models/bracket/hammer_test.py:",
        "# the bracket with E 4 % low (frequencies 2 % low), 14 sensors, 2 % shape noise,",
        "# 0.3 % frequency noise (seed 18).",
        "point, x, y, z, direction, " + ", ".join(f"mode {k + 1}" for k in range(MODES)),
        "unit, mm, mm, mm",
        "frequency_hz, , , , , " + ", ".join(f"{f:.2f}" for f in freq),
        "damping_ratio, , , , , " + ", ".join(f"{z:.4f}" for z in damping),
    ]
    for (name, node, axis, sign), k in zip(rows, range(len(rows))):
        x, y, z = 1e3 * points[node]
        direction = ("+" if sign > 0 else "-") + "xyz"[axis]
        comps = ", ".join(f"{m[k]:+.4f}" for m in measured)
        lines.append(f"{name}, {x:.3f}, {y:.3f}, {z:.3f}, {direction}, {comps}")
    out = ROOT / "models/bracket/hammer_test.csv"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}: {len(rows)} sensors, {MODES} modes at "
          + ", ".join(f"{f:.1f}" for f in freq) + " Hz")


if __name__ == "__main__":
    main()
