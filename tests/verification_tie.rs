//! Tied (bonded) assemblies of parts meshed apart, end to end.
//!
//! - The patch test through the CLI: a uniform pressure on a column of two
//!   non-matching tied parts (hex8 under tet10) gives the uniform stress everywhere,
//!   to round-off, in a case file with `[[model.part]]`s and a `[[model.tie]]`.
//! - A cantilever cut in two non-matching hex20 halves and tied (a deck with `*TIE`):
//!   its static deflection and first frequencies match the one-piece cantilever
//!   (0.3 %), and CalculiX 2.20 on the same deck (its node-to-face tie): within 0.1 %
//!   of the largest displacement (measured 2.3e-4) and 0.01 % on frequencies
//!   (measured 1.4e-5).
//! - Lamé's thick cylinder of two rings tied on a curved non-matching interface:
//!   hoop stress and radial displacement at the bore and on both sides of the tie
//!   (u_r within 2e-5 of the closed form; node-to-surface weights there: 2.3e-3).
//! - Bad input: overlapping surfaces, surfaces out of reach, a part joined to nothing.

mod common;
use common::cli::{run_case, run_json, write};
use common::deck::{all_elements, nodes_text, run_ccx, sets_text};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use vproto_solver::generate::block;
use vproto_solver::{ElementKind, Mesh};

const COLUMN: &str = r#"
name = "column"
[model]
[[model.part]]
name = "base"
generate = { shape = "box", size = [0.1, 0.1, 0.05], divisions = [3, 3, 2], element = "hex8" }
[[model.part]]
name = "top"
generate = { shape = "box", size = [0.1, 0.1, 0.05], divisions = [4, 5, 2], element = "tet10" }
translate = [0.0, 0.0, 0.05]
[[model.tie]]
name = "glue"
slave = "top.zmin"
master = "base.zmax"
[regions]
all = "steel_s355"
[[constraint]]
set = "base.zmin"
uz = 0.0
[[constraint]]
set = "base.xmin"
ux = 0.0
[[constraint]]
set = "top.xmin"
ux = 0.0
[[constraint]]
set = "base.ymin"
uy = 0.0
[[constraint]]
set = "top.ymin"
uy = 0.0
[[load_case]]
name = "press"
analysis = "static"
[[load_case.load]]
type = "pressure"
set = "top.zmax"
value = 1e6
"#;

#[test]
fn a_uniform_stress_crosses_tied_non_matching_parts_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let file = run_case(&write(dir.path(), "column.toml", COLUMN));
    let stress = common::h5_2d(&file, "load_cases/press/stress");
    let p = 1e6;
    for row in stress.rows() {
        // σ_zz = −p, every other component 0 (Voigt xx yy zz …), at every node.
        for (k, &s) in row.iter().enumerate() {
            let exact = if k == 2 { -p } else { 0.0 };
            assert!((s - exact).abs() < 1e-6 * p, "stress {row:?}");
        }
    }
}

/// Two hex20 halves of a 1 × 0.1 × 0.15 m steel cantilever (x < 0.5: 6 × 2 × 3,
/// x > 0.5: 5 × 3 × 4), tied at x = 0.5 with the finer side as slave; clamped at
/// x = 0; a pressure of 20 kPa on top and a 1 kN tip load down, then 3 modes.
fn tied_cantilever(dir: &Path) -> (PathBuf, Mesh) {
    let a = block([0.5, 0.1, 0.15], [6, 2, 3], ElementKind::Hex20).unwrap();
    let mut b = block([0.5, 0.1, 0.15], [5, 3, 4], ElementKind::Hex20).unwrap();
    b.nodes.iter_mut().for_each(|p| p.x += 0.5);
    let mut mesh = vproto_solver::mesh::merge_parts(vec![("A".into(), a), ("B".into(), b)]);
    mesh.node_labels.clear();
    mesh.element_labels.clear();
    let tip = mesh.set_nodes("B.xmax").unwrap();
    let tip_count = tip.len() as f64;
    let face = |set: &str| mesh.face_sets[set].as_slice();
    let top: Vec<_> = face("A.zmax")
        .iter()
        .chain(face("B.zmax"))
        .copied()
        .collect();
    let mut s = nodes_text(&mesh) + &all_elements(&mesh);
    s += &sets_text(
        &[("FIX", mesh.set_nodes("A.xmin").unwrap()), ("TIP", tip)],
        &[
            ("TOP", &top),
            ("SLAVE", face("B.xmin")),
            ("MASTER", face("A.xmax")),
        ],
    );
    let _ = write!(
        s,
        "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*DENSITY\n7850.\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
         *TIE, NAME=GLUE\nSLAVE, MASTER\n*BOUNDARY\nFIX, 1, 3\n\
         *STEP\n*STATIC\n*DSLOAD\nTOP, P, 2.0e4\n*CLOAD\nTIP, 3, {:.12e}\n*NODE PRINT, NSET=NALL\nU\n*END STEP\n\
         *STEP\n*FREQUENCY\n3\n*END STEP\n",
        -1.0e3 / tip_count
    );
    (write(dir, "tied.inp", &s), mesh)
}

/// The step values (Hz of modes) of a load case in a `--json` summary.
fn step_values(summary: &serde_json::Value, name: &str) -> Vec<f64> {
    let cases = summary["load_cases"].as_array().unwrap();
    let case = cases.iter().find(|l| l["name"] == name).unwrap();
    let steps = case["steps"].as_array().unwrap();
    steps.iter().map(|m| m["value"].as_f64().unwrap()).collect()
}

/// (displacements, frequencies) of the deck by vproto.
fn by_vproto(deck: &Path) -> (Vec<[f64; 3]>, Vec<f64>) {
    let summary = common::cli::run_json(deck);
    let out = deck.parent().unwrap().join("out");
    let file = hdf5_pure::File::open(out.join("tied.h5")).unwrap();
    let u = common::h5_2d(&file, "load_cases/step1/displacement");
    let modes = step_values(&summary, "step2");
    (
        u.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect(),
        modes,
    )
}

/// The same by CalculiX (its .dat: the NALL displacements, the frequencies).
fn by_ccx(deck: &Path) -> Option<(Vec<[f64; 3]>, Vec<f64>)> {
    let dat = run_ccx(deck)?;
    let (mut u, mut f) = (Vec::new(), Vec::new());
    let mut section = "";
    for line in dat.lines() {
        if line.contains("displacements (vx,vy,vz)") {
            // The static step's; ccx repeats the print for every mode.
            section = if u.is_empty() { "u" } else { "" };
        } else if line.contains("E I G E N V A L U E   O U T P U T") {
            section = "f";
        } else if line.contains("P A R T I C I P A T I O N") {
            section = "";
        } else if let Some(v) = line
            .split_whitespace()
            .map(|w| w.parse::<f64>().ok())
            .collect::<Option<Vec<f64>>>()
        {
            match (section, v.len()) {
                ("u", 4) => u.push([v[1], v[2], v[3]]),
                ("f", 5) => f.push(v[3]),
                _ => {}
            }
        }
    }
    Some((u, f))
}

/// The one-piece cantilever's tip deflection and first frequencies (the deck's loads).
fn one_piece(dir: &Path) -> (f64, Vec<f64>) {
    let case = r#"
[model.generate]
shape = "box"
size = [1.0, 0.1, 0.15]
divisions = [12, 3, 4]
element = "hex20"
[materials.steel]
youngs_modulus = 210e9
poisson_ratio = 0.3
density = 7850.0
[regions]
all = "steel"
[[constraint]]
set = "xmin"
fixed = true
[[probe]]
name = "tip"
point = [1.0, 0.05, 0.075]
[[load_case]]
name = "bend"
analysis = "static"
[[load_case.load]]
type = "pressure"
set = "zmax"
value = 2.0e4
[[load_case.load]]
type = "force"
set = "xmax"
total = [0.0, 0.0, -1.0e3]
[[load_case]]
name = "modes"
analysis = "modal"
modes = 3
"#;
    let path = write(dir, "one.toml", case);
    let summary = run_json(&path);
    let file = hdf5_pure::File::open(dir.join("out").join("one.h5")).unwrap();
    let u = common::h5_2d(&file, "load_cases/bend/displacement");
    let tip = u.column(2).iter().fold(0.0f64, |m, v| m.min(*v));
    let f = step_values(&summary, "modes");
    (tip, f)
}

#[test]
fn tied_cantilever_matches_one_piece_and_calculix() {
    let dir = tempfile::tempdir().unwrap();
    let (deck, mesh) = tied_cantilever(dir.path());
    if let Ok(keep) = std::env::var("VPROTO_KEEP_DECK") {
        std::fs::copy(&deck, keep).unwrap();
    }
    let (u, f) = by_vproto(&deck);
    let tip = u.iter().map(|v| v[2]).fold(0.0f64, f64::min);
    let (tip_one, f_one) = one_piece(dir.path());
    assert!(
        (tip / tip_one - 1.0).abs() < 3e-3,
        "tip {tip} vs one piece {tip_one}"
    );
    for (a, b) in f.iter().zip(&f_one) {
        assert!((a / b - 1.0).abs() < 3e-3, "frequency {a} vs one piece {b}");
    }
    let Some((u_ccx, f_ccx)) = by_ccx(&deck) else {
        return;
    };
    assert_eq!(u_ccx.len(), mesh.nodes.len());
    let scale = u_ccx.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let worst = u
        .iter()
        .flatten()
        .zip(u_ccx.iter().flatten())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    eprintln!("tied cantilever: tip {tip:.6e} m (one piece {tip_one:.6e}); ccx differs by at most {:.2e} of the largest displacement; frequencies {f:?} Hz, ccx {f_ccx:?}", worst / scale);
    assert!(
        worst <= 1e-3 * scale,
        "displacements differ from ccx by {worst} (scale {scale})"
    );
    for (a, b) in f.iter().zip(&f_ccx) {
        assert!((a / b - 1.0).abs() < 1e-4, "frequency {a} vs ccx {b}");
    }
}

/// A thick cylinder (a = 0.1 m, b = 0.2 m, plane strain, 10 MPa inside) made of two
/// hex20 rings tied on the curved interface r = 0.15 m with non-matching divisions
/// (12 and 17 around a quarter).
const LAME: &str = r#"name = "lame_tied"
[model]
[[model.part]]
name = "inner"
generate = { shape = "tube", inner_radius = 0.1, outer_radius = 0.15, angle_deg = 90.0, length = 0.02, divisions = [4, 12, 1], element = "hex20" }
[[model.part]]
name = "outer"
generate = { shape = "tube", inner_radius = 0.15, outer_radius = 0.2, angle_deg = 90.0, length = 0.02, divisions = [4, 17, 1], element = "hex20" }
[[model.tie]]
name = "shrink"
slave = "outer.inner"
master = "inner.outer"
[materials.steel]
youngs_modulus = 200e9
poisson_ratio = 0.3
density = 7850.0
[regions]
all = "steel"
[[constraint]]
set = "inner.zmin"
uz = 0.0
[[constraint]]
set = "inner.zmax"
uz = 0.0
[[constraint]]
set = "outer.zmin"
uz = 0.0
[[constraint]]
set = "outer.zmax"
uz = 0.0
[[constraint]]
set = "inner.theta_start"
uy = 0.0
[[constraint]]
set = "outer.theta_start"
uy = 0.0
[[constraint]]
set = "inner.theta_end"
ux = 0.0
[[constraint]]
set = "outer.theta_end"
ux = 0.0
[[probe]]
name = "bore"
point = [0.1, 0.0, 0.01]
[[probe]]
name = "inside"
point = [0.1499, 0.0, 0.01]
[[probe]]
name = "outside"
point = [0.1501, 0.0, 0.01]
[[load_case]]
name = "pressure"
analysis = "static"
[[load_case.load]]
type = "pressure"
set = "inner.inner"
value = 10e6
"#;

/// Lamé's closed form at r: (σ_θ, σ_r, u_r) for p = 10 MPa, E = 200 GPa, ν = 0.3.
fn lame(r: f64) -> [f64; 3] {
    let (a, b, p, e, nu) = (0.1f64, 0.2f64, 10e6, 200e9, 0.3);
    let big_a = p * a * a / (b * b - a * a);
    let big_b = big_a * b * b;
    let u = (1.0 + nu) / e * ((1.0 - 2.0 * nu) * big_a * r + big_b / r);
    [big_a + big_b / (r * r), big_a - big_b / (r * r), u]
}

#[test]
fn a_curved_non_matching_tie_keeps_lame_s_cylinder() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "lame.toml", LAME);
    let summary = run_json(&path);
    let value = |name: String| {
        let results = summary["load_cases"][0]["key_results"].as_array().unwrap();
        let r = results.iter().find(|k| k["name"] == name.as_str()).unwrap();
        r["value"].as_f64().unwrap()
    };
    // On the plane y = 0: σ_yy is the hoop stress, u_x the radial displacement.
    for (probe, r, hoop) in [
        ("bore", 0.1, 5e-4),
        ("inside", 0.1499, 2e-3),
        ("outside", 0.1501, 2e-3),
    ] {
        let [s_theta, _, u_r] = lame(r);
        let s = value(format!("probe/{probe}/stress/yy"));
        let u = value(format!("probe/{probe}/displacement/x"));
        eprintln!(
            "Lamé, tied at r = 0.15: {probe} σ_θ {:+.2e}, u_r {:+.2e} (relative)",
            s / s_theta - 1.0,
            u / u_r - 1.0
        );
        assert!(
            (s / s_theta - 1.0).abs() < hoop,
            "{probe}: σ_θ {s} vs {s_theta}"
        );
        assert!((u / u_r - 1.0).abs() < 2e-5, "{probe}: u_r {u} vs {u_r}");
    }
}

#[test]
fn bad_ties_are_refused_with_where_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, text: String| {
        let path = write(dir.path(), name, &text);
        let out = common::cli::run(&path, &[]);
        assert_ne!(out.status.code(), Some(0), "{name} ran");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    // Slave and master on the same part's face: they overlap.
    let e = run(
        "overlap.toml",
        COLUMN.replace("slave = \"top.zmin\"", "slave = \"base.zmax\""),
    );
    assert!(
        e.contains("must not overlap") && e.contains("tie 'glue'"),
        "{e}"
    );
    // The top part lifted 10 mm: nothing within reach.
    let e = run(
        "far.toml",
        COLUMN.replace(
            "translate = [0.0, 0.0, 0.05]",
            "translate = [0.0, 0.0, 0.06]",
        ),
    );
    assert!(
        e.contains("no slave node lies within the position tolerance")
            && e.contains("1.000e-2 m away"),
        "{e}"
    );
    // No tie: the top part floats.
    let e = run(
        "loose.toml",
        COLUMN.replace(
            "[[model.tie]]\nname = \"glue\"\nslave = \"top.zmin\"\nmaster = \"base.zmax\"\n",
            "",
        ),
    );
    assert!(e.contains("is joined to no other part"), "{e}");
    // An unknown surface is named with the known ones.
    let e = run(
        "unknown.toml",
        COLUMN.replace("master = \"base.zmax\"", "master = \"base.ztop\""),
    );
    assert!(e.contains("column") || e.contains("unknown.toml:"), "{e}");
    assert!(e.contains("base.ztop") && e.contains("base.zmax"), "{e}");
    // A part with its own mesh and parts.
    let e = run("both.toml", COLUMN.replace("[model]\n", "[model]\ngenerate = { shape = \"box\", size = [1.0, 1.0, 1.0], divisions = [1, 1, 1], element = \"hex8\" }\n"));
    assert!(e.contains("give the mesh in one part each"), "{e}");
}
