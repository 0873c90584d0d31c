//! Nonlinear decks (`*PLASTIC`, `*HYPERELASTIC, NEO HOOKE`, `*STEP, NLGEOM`) run by
//! `vproto run deck.inp` and by CalculiX 2.20 on the same file: displacements at every
//! node and the largest equivalent plastic strain within 0.5 % of the largest value
//! (the target), with NLGEOM (total Lagrangian against CalculiX's) and without
//! (small strain on both sides), a load and its release by a second step, a full load
//! cycle by `*AMPLITUDE` in `*STATIC, DIRECT` increments, an elastic cantilever bent to
//! a tip drop of 0.6 L and a neo-Hookean one; and linear kinematic hardening
//! (`HARDENING=KINEMATIC`) on a cube against its closed form.

mod common;
use common::deck::{elements_and_sets, nodes_text, run_ccx, run_vproto};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use vproto_solver::generate::block;
use vproto_solver::{ElementKind, Mesh};

/// A cantilever 200 × 20 × 20 mm (C3D20R, 10 × 2 × 2) clamped at x = 0 with `material`
/// (deck lines) and a tip force `force` (N, along z) in one step, `step` its `*STEP`
/// line and `release` whether a second step removes the load.
fn deck(dir: &Path, name: &str, material: &str, step: &str, force: f64, release: bool) -> PathBuf {
    let mesh: Mesh = block([0.2, 0.02, 0.02], [10, 2, 2], ElementKind::Hex20R).unwrap();
    let tip = mesh.set_nodes("xmax").unwrap();
    let mut s = format!("*HEADING\n{name}\n");
    s += &nodes_text(&mesh);
    s += &elements_and_sets(
        &mesh,
        "C3D20R",
        &[
            ("FIX", mesh.set_nodes("xmin").unwrap()),
            ("TIP", tip.clone()),
        ],
        &[],
    );
    let _ = write!(
        s,
        "*MATERIAL, NAME=M\n{material}*SOLID SECTION, ELSET=EALL, MATERIAL=M\n*BOUNDARY\nFIX, 1, 3\n\
         {step}\n*STATIC\n0.1, 1.0, 1e-5, 0.25\n*CLOAD\nTIP, 3, {:.12e}\n\
         *NODE PRINT, NSET=NALL\nU\n*EL PRINT, ELSET=EALL\nPEEQ\n*END STEP\n",
        force / tip.len() as f64
    );
    if release {
        s += &format!("{step}\n*STATIC\n0.25, 1.0, 1e-5, 0.25\n*CLOAD, OP=NEW\n*NODE PRINT, NSET=NALL\nU\n*EL PRINT, ELSET=EALL\nPEEQ\n*END STEP\n");
    }
    let path = dir.join(format!("{name}.inp"));
    std::fs::write(&path, s).unwrap();
    path
}

/// vproto's displacements (per node) and largest equivalent plastic strain of the
/// deck's load case `step1`.
fn vproto(deck: &Path) -> (Vec<[f64; 3]>, f64) {
    let out = deck.parent().unwrap().join("out");
    let run = run_vproto(deck);
    assert!(
        run.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stem = deck.file_stem().unwrap().to_str().unwrap();
    let file = hdf5_pure::File::open(out.join(format!("{stem}.h5"))).unwrap();
    let u = common::h5_2d(&file, "load_cases/step1/displacement");
    let peeq = file
        .dataset("load_cases/step1/equivalent_plastic_strain")
        .unwrap()
        .read_f64()
        .unwrap()
        .into_iter()
        .fold(0.0, f64::max);
    (
        u.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect(),
        peeq,
    )
}

/// The last block of each kind in a ccx `.dat`: displacements per node (1-based ids in
/// order) and the largest PEEQ.
fn ccx_last(dat: &str) -> (Vec<[f64; 3]>, f64) {
    let mut u = Vec::new();
    let mut peeq = 0.0f64;
    let mut block = "";
    for line in dat.lines() {
        let t = line.trim();
        if t.starts_with("displacements") {
            block = "u";
            u.clear();
            continue;
        }
        if t.starts_with("equivalent plastic strain") {
            block = "p";
            peeq = 0.0;
            continue;
        }
        let v: Vec<f64> = t
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        match (block, v.len()) {
            ("u", 4) => u.push([v[1], v[2], v[3]]),
            ("p", 3) => peeq = peeq.max(v[2]),
            (_, 0) => {}
            _ => block = "",
        }
    }
    (u, peeq)
}

fn worst(a: &[[f64; 3]], b: &[[f64; 3]]) -> (f64, f64) {
    let largest = b
        .iter()
        .map(|v| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt())
        .fold(0.0, f64::max);
    let diff = a
        .iter()
        .zip(b)
        .map(|(p, q)| (0..3).map(|c| (p[c] - q[c]).abs()).fold(0.0, f64::max))
        .fold(0.0, f64::max);
    (diff / largest, largest)
}

const S355: &str = "*ELASTIC\n210e9, 0.3\n*PLASTIC\n355e6, 0.0\n470e6, 0.054214\n";

/// An S355 cantilever loaded to 1.4× its first-yield load (beam theory, 2.37 kN), with
/// and without NLGEOM in the deck, and loaded then released by a second step (the
/// permanent set: vproto's `unload = true`), against CalculiX on the same deck.
#[test]
fn plastic_cantilever_deck_agrees_with_calculix() {
    let dir = tempfile::tempdir().unwrap();
    for (name, step, release) in [
        ("plastic_nlgeom", "*STEP, NLGEOM", false),
        ("plastic", "*STEP", false),
        ("plastic_released", "*STEP, NLGEOM", true),
    ] {
        let path = deck(dir.path(), name, S355, step, -3300.0, release);
        let ours = vproto(&path);
        let Some(dat) = run_ccx(&path) else { return };
        let theirs = ccx_last(&dat);
        assert_eq!(ours.0.len(), theirs.0.len());
        let (du, umax) = worst(&ours.0, &theirs.0);
        let dp = (ours.1 - theirs.1).abs() / theirs.1;
        println!(
            "{name}: |u| max {umax:.6e} m, largest difference {:.2e} of it; PEEQ max {:.6e} vs ccx {:.6e} ({:.2e})",
            du,
            ours.1,
            theirs.1,
            dp
        );
        assert!(theirs.1 > 1e-4, "the load yields the root: {}", theirs.1);
        assert!(du < 5e-3 && dp < 5e-3);
    }
}

/// The S355 cantilever through a full load cycle set by `*AMPLITUDE` (0 → 1 → −1 → 0
/// of a tip force 1.4× first yield) in fixed increments (`*STATIC, DIRECT`: the corners
/// fall on increments), with and without NLGEOM: the set left after the cycle and the
/// largest PEEQ (both half-cycles' flow) against CalculiX on the same deck.
#[test]
fn cyclic_deck_agrees_with_calculix() {
    let dir = tempfile::tempdir().unwrap();
    for (name, step) in [("cyclic", "*STEP"), ("cyclic_nlgeom", "*STEP, NLGEOM")] {
        let path = deck(dir.path(), name, S355, step, -3300.0, false);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(
                "*STATIC\n0.1, 1.0, 1e-5, 0.25\n*CLOAD\n",
                "*STATIC, DIRECT\n0.025, 1.0\n*CLOAD, AMPLITUDE=CYCLE\n",
            )
            .replace(step, &format!("{CYCLE}{step}"));
        std::fs::write(&path, text).unwrap();
        let ours = vproto(&path);
        let Some(dat) = run_ccx(&path) else { return };
        let theirs = ccx_last(&dat);
        let (du, umax) = worst(&ours.0, &theirs.0);
        let dp = (ours.1 - theirs.1).abs() / theirs.1;
        println!(
            "{name}: set after the cycle |u| max {umax:.6e} m, largest difference {du:.2e} of it; PEEQ max {:.6e} vs ccx {:.6e} ({dp:.2e})",
            ours.1, theirs.1
        );
        assert!(
            theirs.1 > 1e-4 && umax > 1e-5,
            "the cycle yields: {theirs:?}"
        );
        assert!(du < 5e-3 && dp < 5e-3);
    }
}

const CYCLE: &str = "*AMPLITUDE, NAME=CYCLE\n0., 0., 0.25, 1., 0.75, -1., 1., 0.\n";

/// A unit cube (one C3D8) pulled to 300 MPa, pushed to −300 MPa and released by the
/// cycle's amplitude, σ_y = 250 MPa and a slope of 2 GPa in the `*PLASTIC` table: with
/// `HARDENING=KINEMATIC` (Abaqus's linear kinematic model: the surface moves, reversed
/// yield at −200 MPa) the set is −(300 − 250)/2 GPa = −0.025 m; isotropic (the surface
/// grew to 300 MPa, no reversed yield) +0.025 m. CalculiX 2.20's kinematic model is left
/// out: on this cube under displacement control its stress falls while it is pulled
/// (measured), which is no linear kinematic hardening.
#[test]
fn cyclic_cube_deck_follows_the_hardening_models() {
    let dir = tempfile::tempdir().unwrap();
    for (hardening, expected) in [(", HARDENING=KINEMATIC", -0.025), ("", 0.025)] {
        let mesh: Mesh = block([1.0, 1.0, 1.0], [1, 1, 1], ElementKind::Hex8).unwrap();
        let mut s = nodes_text(&mesh);
        let sets = ["xmin", "xmax", "ymin", "zmin"]
            .map(|n| (n.to_uppercase(), mesh.set_nodes(n).unwrap()));
        let named: Vec<(&str, Vec<usize>)> =
            sets.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        s += &elements_and_sets(&mesh, "C3D8", &named, &[]);
        let _ = write!(
            s,
            "*MATERIAL, NAME=M\n*ELASTIC\n200e9, 0.3\n*PLASTIC{hardening}\n250e6, 0.0\n350e6, 0.05\n\
             *SOLID SECTION, ELSET=EALL, MATERIAL=M\n*BOUNDARY\nXMIN, 1, 1\nYMIN, 2, 2\nZMIN, 3, 3\n\
             {CYCLE}*STEP\n*STATIC, DIRECT\n0.025, 1.0\n*CLOAD, AMPLITUDE=CYCLE\nXMAX, 1, 75e6\n*END STEP\n"
        );
        let path = dir.path().join("cube.inp");
        std::fs::write(&path, s).unwrap();
        let (u, _) = vproto(&path);
        let end: Vec<f64> = mesh
            .set_nodes("xmax")
            .unwrap()
            .iter()
            .map(|&n| u[n][0])
            .collect();
        let set = end[0];
        assert!(end.iter().all(|x| (x - set).abs() < 1e-12), "{end:?}");
        println!("cube{hardening}: set {set:.9} m (closed form {expected})");
        assert!((set / expected - 1.0).abs() < 1e-9, "{set} vs {expected}");
    }
}

/// A cantilever bent far (tip force k = PL²/EI = 3: the tip drops 0.6 L), elastic, and
/// a neo-Hookean block stretched: NLGEOM decks against CalculiX.
#[test]
fn large_deformation_decks_agree_with_calculix() {
    let dir = tempfile::tempdir().unwrap();
    let ei = 210e9 * 0.02f64.powi(4) / 12.0;
    let cases = [
        (
            "elastica",
            "*ELASTIC\n210e9, 0.0\n".to_string(),
            -3.0 * ei / 0.04,
        ),
        (
            "rubber",
            // C10 = μ/2, D1 = 2/K of E = 5 MPa, ν = 0.45.
            format!(
                "*HYPERELASTIC, NEO HOOKE\n{:.12e}, {:.12e}\n",
                5e6 / (2.0 * 1.45) / 2.0,
                2.0 / (5e6 / (3.0 * 0.1))
            ),
            -2.0,
        ),
    ];
    for (name, material, force) in cases {
        let path = deck(dir.path(), name, &material, "*STEP, NLGEOM", force, false);
        let ours = vproto(&path);
        let Some(dat) = run_ccx(&path) else { return };
        let theirs = ccx_last(&dat);
        let (du, umax) = worst(&ours.0, &theirs.0);
        println!(
            "{name}: |u| max {umax:.6e} m, largest difference {:.2e} of it",
            100.0 * du
        );
        assert!(du < 5e-3);
    }
}

/// What vproto cannot run as CalculiX would is refused at its line: a Mooney–Rivlin
/// (default) *HYPERELASTIC, temperature-dependent *PLASTIC, kinematic *PLASTIC, a
/// hyperelastic step without NLGEOM, and a loaded step after a nonlinear one (CalculiX
/// continues from its state, vproto starts from the unloaded part).
#[test]
fn nonlinear_decks_vproto_cannot_follow_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "*HYPERELASTIC\n1e6, 1e-8\n",
            "*STEP, NLGEOM",
            "only *HYPERELASTIC, NEO HOOKE",
        ),
        (
            "*ELASTIC\n210e9, 0.3\n*PLASTIC\n355e6, 0.0, 20.\n",
            "*STEP",
            "temperature-dependent *PLASTIC",
        ),
        (
            "*ELASTIC\n210e9, 0.3\n*PLASTIC, HARDENING=KINEMATIC\n355e6, 0.0\n400e6, 0.01\n450e6, 0.1\n",
            "*STEP",
            "kinematic hardening is linear",
        ),
        (
            "*ELASTIC\n210e9, 0.3\n*PLASTIC, HARDENING=COMBINED\n355e6, 0.0\n",
            "*STEP",
            "HARDENING=COMBINED is not supported",
        ),
        (
            "*HYPERELASTIC, NEO HOOKE\n1e6, 1e-8\n",
            "*STEP",
            "is hyperelastic: the step needs NLGEOM",
        ),
    ];
    for (material, step, expected) in cases {
        let run = run_vproto(&deck(dir.path(), "bad", material, step, -1.0, false));
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            run.status.code() == Some(2) && err.contains(expected) && err.contains("bad.inp:"),
            "expected '{expected}': {err}"
        );
    }
    // An amplitude on a linear static step, and one that does not start unloaded.
    for (material, table, expected) in [
        (
            "*ELASTIC\n210e9, 0.3\n",
            "0., 0., 1., 1.",
            "belongs to dynamic steps",
        ),
        (S355, "0., 0.5, 1., 1.", "is 0.5 at time 0"),
    ] {
        let path = deck(dir.path(), "amplitude", material, "*STEP", -1.0, false);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("*CLOAD\n", "*CLOAD, AMPLITUDE=A\n")
            .replace("*STEP", &format!("*AMPLITUDE, NAME=A\n{table}\n*STEP"));
        std::fs::write(&path, text).unwrap();
        let run = run_vproto(&path);
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            run.status.code() == Some(2)
                && err.contains(expected)
                && err.contains("amplitude.inp:"),
            "expected '{expected}': {err}"
        );
    }
    // A second loaded step after a nonlinear one.
    let path = deck(dir.path(), "two", S355, "*STEP", -3300.0, false);
    let text = std::fs::read_to_string(&path).unwrap();
    let twice = text.clone() + &text[text.find("*STEP").unwrap()..];
    std::fs::write(&path, twice).unwrap();
    let run = run_vproto(&path);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("a step after a nonlinear static step"),
        "{err}"
    );
}
