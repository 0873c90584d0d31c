//! Contact in Abaqus/CalculiX decks: `*SURFACE INTERACTION`, `*SURFACE BEHAVIOR`,
//! `*FRICTION` and `*CONTACT PAIR` read into contact pairs (their `*STATIC` steps run
//! nonlinear), and the same deck through CalculiX 2.20 side by side: a square punch
//! pressed on a block (quarter model, non-matching hex20 meshes, frictionless), where
//! the pressure peaks at the punch's edges. The displacements agree to 1 % of the
//! largest (measured 3.2e-3 frictionless, 6.1e-3 with μ = 0.3). A `LINEAR`
//! pressure-overclosure slope K is soft contact in both codes (the surfaces overlap by
//! p / K). With K = 1e15 Pa/m CalculiX's nodal pressures (CPRESS) scatter from node to
//! node (0.5 … 32 MPa on a hex8 punch where vproto's lie at 8.2 … 18 MPa), as a penalty
//! far above its manual's advice does; with K = 2e12 Pa/m, a soft layer E / K = 0.1 m
//! deep that the meshes resolve, the pressures agree node by node: 1.2 % of the largest
//! on hex8 12 × 12 on 16 × 16, 0.64 % on 18 × 18 on 24 × 24 (the edge row, where
//! vproto's mortar pressure is its half-cell's mean and CalculiX's is extrapolated to
//! the node, differs most).

mod common;
use common::cli::write;
use common::deck::{all_elements, nodes_text, run_ccx, sets_text};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use vproto_solver::generate::block;
use vproto_solver::{ElementKind, Mesh};

/// Hex20 3 × 3 × 2 on 4 × 4 × 2.
const HEX20: Meshing = (ElementKind::Hex20, [4, 4, 2], [3, 3, 2]);

/// The element type and the divisions of the block and of the punch.
type Meshing = (ElementKind, [usize; 3], [usize; 3]);

/// A 0.25 m punch on a 0.5 m block, quarter model.
fn punch(dir: &Path, interaction: &str, (kind, below, above): Meshing) -> (PathBuf, Mesh) {
    let a = block([0.5, 0.5, 0.5], below, kind).unwrap();
    let mut b = block([0.25, 0.25, 0.25], above, kind).unwrap();
    b.nodes.iter_mut().for_each(|p| p.z += 0.5);
    let mut mesh = vproto_solver::mesh::merge_parts(vec![("A".into(), a), ("B".into(), b)]);
    mesh.node_labels.clear();
    mesh.element_labels.clear();
    let nodes = |sets: &[&str]| {
        let mut v: Vec<usize> = sets
            .iter()
            .flat_map(|set| mesh.set_nodes(set).unwrap())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let face = |set: &str| mesh.face_sets[set].as_slice();
    let mut s = nodes_text(&mesh) + &all_elements(&mesh);
    s += &sets_text(
        &[
            ("BASE", nodes(&["A.zmin"])),
            ("SYMX", nodes(&["A.xmin", "B.xmin"])),
            ("SYMY", nodes(&["A.ymin", "B.ymin"])),
        ],
        &[
            ("TOP", face("B.zmax")),
            ("SLAVE", face("B.zmin")),
            ("MASTER", face("A.zmax")),
        ],
    );
    let _ = write!(
        s,
        "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
         {interaction}*CONTACT PAIR, INTERACTION=SI, TYPE=SURFACE TO SURFACE\nSLAVE, MASTER\n\
         *BOUNDARY\nBASE, 3, 3\nSYMX, 1, 1\nSYMY, 2, 2\n\
         *STEP\n*STATIC\n1., 1.\n*DSLOAD\nTOP, P, 1.0e7\n*NODE PRINT, NSET=NALL\nU\n*CONTACT FILE\nCSTR\n*END STEP\n"
    );
    (write(dir, "punch.inp", &s), mesh)
}

const FRICTIONLESS: &str =
    "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n1.0e15\n";

/// The last printed displacements of CalculiX's `.dat`.
fn ccx_displacements(dat: &str) -> Vec<[f64; 3]> {
    let mut u = Vec::new();
    for line in dat.lines() {
        if line.contains("displacements (vx,vy,vz)") {
            u.clear();
        } else if let Some(v) = line
            .split_whitespace()
            .map(|w| w.parse::<f64>().ok())
            .collect::<Option<Vec<f64>>>()
        {
            if v.len() == 4 {
                u.push([v[1], v[2], v[3]]);
            }
        }
    }
    u
}

/// The punch with Coulomb friction and CalculiX's stick slope (K / 100): the punch's
/// Poisson spread is held back by friction at its edge.
const ROUGH: &str = "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n1.0e15\n*FRICTION\n0.3, 1.0e13\n";

#[test]
fn a_punch_deck_runs_nonlinear_and_matches_calculix() {
    for (interaction, name) in [(FRICTIONLESS, "frictionless"), (ROUGH, "μ = 0.3")] {
        let dir = tempfile::tempdir().unwrap();
        let (deck, mesh) = punch(dir.path(), interaction, HEX20);
        let summary = common::cli::run_json(&deck);
        assert_eq!(
            summary["load_cases"][0]["analysis"], "nonlinear",
            "{summary}"
        );
        let file = hdf5_pure::File::open(dir.path().join("out/punch.h5")).unwrap();
        let u = common::h5_2d(&file, "load_cases/step1/displacement");
        // The punch carries its load through the contact: Σ p A = p × its top.
        let force = common::h5_1d(&file, "load_cases/step1/contact_normal_force");
        let carried: f64 = force.iter().filter(|f| f.is_finite()).sum();
        assert!(
            (carried / (1e7 * 0.0625) - 1.0).abs() < 1e-6,
            "{name}: {carried}"
        );
        let Some(dat) = run_ccx(&deck) else {
            return;
        };
        let u_ccx = ccx_displacements(&dat);
        assert_eq!(u_ccx.len(), mesh.nodes.len());
        let scale = u_ccx.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let worst = u
            .iter()
            .zip(u_ccx.iter().flatten())
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        eprintln!(
            "punch, {name}: largest |u| {scale:.6e} m by ccx; vproto differs by at most {:.2e} of it",
            worst / scale
        );
        assert!(worst < 0.01 * scale, "{name}: {worst} against {scale}");
    }
}

/// Slave node → CalculiX's contact pressure (CPRESS) from the `.frd` file's last
/// CONTACT block.
fn ccx_pressures(frd: &str) -> std::collections::HashMap<usize, f64> {
    let block = frd.rsplit(" -4  CONTACT").next().unwrap();
    block
        .lines()
        .take_while(|l| !l.starts_with(" -3"))
        .filter(|l| l.starts_with(" -1"))
        .map(|l| {
            let node: usize = l[3..13].trim().parse().unwrap();
            let cpress: f64 = l[13 + 36..13 + 48].trim().parse().unwrap();
            (node - 1, cpress)
        })
        .collect()
}

/// The largest difference between vproto's and CalculiX's contact pressures at the
/// slave nodes, as a share of the largest pressure, for one meshing of the punch.
fn soft_punch_pressures(meshing: Meshing) -> Option<f64> {
    let soft = FRICTIONLESS.replace("1.0e15", "2.0e12");
    let dir = tempfile::tempdir().unwrap();
    let (deck, _) = punch(dir.path(), &soft, meshing);
    common::cli::run_json(&deck);
    let file = hdf5_pure::File::open(dir.path().join("out/punch.h5")).unwrap();
    let p = common::h5_1d(&file, "load_cases/step1/contact_pressure");
    run_ccx(&deck)?;
    let ccx = ccx_pressures(&std::fs::read_to_string(deck.with_extension("frd")).unwrap());
    let slave: Vec<usize> = (0..p.len()).filter(|&n| p[n].is_finite()).collect();
    let largest = slave.iter().fold(0.0f64, |m, &n| m.max(p[n]));
    assert!(largest > 1e7, "{largest}");
    let worst = slave
        .iter()
        .fold(0.0f64, |m, &n| m.max((p[n] - ccx[&n]).abs()));
    Some(worst / largest)
}

#[test]
fn a_soft_punch_presses_as_in_calculix_node_by_node() {
    let Some(coarse) = soft_punch_pressures((ElementKind::Hex8, [16, 16, 6], [12, 12, 6])) else {
        return;
    };
    let fine = soft_punch_pressures((ElementKind::Hex8, [24, 24, 6], [18, 18, 6])).unwrap();
    eprintln!("soft punch: contact pressures differ from CalculiX's by at most {coarse:.2e} (hex8 12 × 12 on 16 × 16), {fine:.2e} (18 × 18 on 24 × 24) of the largest");
    assert!(fine < 0.01 && fine < 0.7 * coarse, "{coarse} → {fine}");
}

#[test]
fn contact_cards_that_cannot_be_read_are_refused_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (interaction, why) in [
        ("*SURFACE INTERACTION, NAME=OTHER\n", "no *SURFACE INTERACTION named SI"),
        ("*SURFACE INTERACTION, NAME=SI\n*FRICTION\n5.0\n", "friction = 5 is out of range"),
        (
            "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=EXPONENTIAL\n1e-5, 1e6\n",
            "PRESSURE-OVERCLOSURE=EXPONENTIAL is not supported",
        ),
        (
            "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n-1.0\n",
            "slope K -1 must be > 0",
        ),
        (
            "*SURFACE INTERACTION, NAME=SI\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n1e15, 1e5, 1e-4\n",
            "data field 2 ('1e5') is not supported",
        ),
        (
            "*SURFACE INTERACTION, NAME=SI\n*FRICTION\n0.2, -1e9\n",
            "stick slope -1000000000 must be > 0",
        ),
        (
            "*SURFACE INTERACTION, NAME=SI\n*FRICTION\n0.2, 1e9, 3\n",
            "data field 3 ('3') is not supported",
        ),
    ] {
        let (deck, _) = punch(dir.path(), interaction, HEX20);
        let err = common::cli::refused(&deck);
        assert!(err.contains(why) && err.contains("punch.inp:"), "{err}");
    }
    // SMALL SLIDING keeps the undeformed pairing, which large rotations would leave.
    let (deck, _) = punch(dir.path(), FRICTIONLESS, HEX20);
    let text = std::fs::read_to_string(&deck).unwrap();
    let text = text
        .replace(
            "SURFACE TO SURFACE\n",
            "SURFACE TO SURFACE, SMALL SLIDING\n",
        )
        .replace("*STEP\n", "*STEP, NLGEOM\n");
    let err = common::cli::refused(&write(dir.path(), "punch.inp", &text));
    assert!(
        err.contains("small-sliding pair keeps its undeformed pairing"),
        "{err}"
    );
}

/// A bar between two walls (hex20 2 × 2 × 8, 20 × 20 × 200 mm, on rollers) with a
/// `*PRE-TENSION SECTION` at mid-length: pulled to 10 kN in the first step, locked by
/// `*BOUNDARY, FIXED` in the second, which pulls a node layer at z = 150 mm up by 4 kN.
/// The section is in the part below the load, which takes a quarter of it: the bolt
/// then carries 11 kN exactly (1D statics; the bar is uniaxial on rollers).
fn pretensioned_bar(dir: &Path, steps: &str) -> (PathBuf, Mesh) {
    let mesh = block([0.02, 0.02, 0.2], [2, 2, 8], ElementKind::Hex20).unwrap();
    let at = |z: f64| -> Vec<usize> {
        (0..mesh.nodes.len())
            .filter(|&n| (mesh.nodes[n].z - z).abs() < 1e-9)
            .collect()
    };
    // The top faces of the elements below the cut.
    let cut: Vec<vproto_solver::FaceRef> = (0..mesh.element_count())
        .flat_map(|element| (0..6u8).map(move |face| vproto_solver::FaceRef { element, face }))
        .filter(|&f| {
            let nodes = mesh.face_nodes(f);
            nodes.iter().all(|&n| (mesh.nodes[n].z - 0.1).abs() < 1e-9)
                && mesh
                    .element(f.element)
                    .1
                    .iter()
                    .any(|&n| mesh.nodes[n].z < 0.09)
        })
        .collect();
    assert_eq!(cut.len(), 4);
    let layer = at(0.15);
    let reference = mesh.nodes.len() + 1;
    let mut s = nodes_text(&mesh) + &format!("*NODE\n{reference}, 0.01, 0.01, 0.1\n");
    s += &all_elements(&mesh);
    s += &sets_text(
        &[
            ("ENDS", [at(0.0), at(0.2)].concat()),
            ("XSYM", mesh.set_nodes("xmin").unwrap()),
            ("YSYM", mesh.set_nodes("ymin").unwrap()),
            ("LAYER", layer.clone()),
        ],
        &[("CUT", &cut)],
    );
    let per_node = 4000.0 / layer.len() as f64;
    let steps = steps
        .replace("REF", &reference.to_string())
        .replace("PULL", &format!("{per_node:.12e}"));
    let _ = write!(
        s,
        "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
         *PRE-TENSION SECTION, SURFACE=CUT, NODE={reference}\n0., 0., 1.\n\
         *BOUNDARY\nENDS, 3, 3\nXSYM, 1, 1\nYSYM, 2, 2\n{steps}"
    );
    (write(dir, "bar.inp", &s), mesh)
}

const PULL_AND_LOCK: &str = "*STEP\n*STATIC\n*CLOAD\nREF, 1, 10000.\n*END STEP\n\
     *STEP\n*STATIC\n*BOUNDARY, FIXED\nREF, 1, 1\n*CLOAD\nLAYER, 3, PULL\n\
     *NODE PRINT, NSET=NALL\nU\n*END STEP\n";

#[test]
fn a_pretension_section_deck_takes_its_force_locks_and_matches_calculix() {
    let dir = tempfile::tempdir().unwrap();
    let (deck, mesh) = pretensioned_bar(dir.path(), PULL_AND_LOCK);
    let summary = common::cli::run_json(&deck);
    let case = &summary["load_cases"][0];
    assert_eq!(case["name"], "step2", "{summary}");
    assert_eq!(case["analysis"], "nonlinear", "{summary}");
    let file = hdf5_pure::File::open(dir.path().join("out/bar.h5")).unwrap();
    // Rows: pseudo-time, load factor, bolt force.
    let diagram = common::h5_2d(&file, "load_cases/step2/bolt_forces");
    let rows = diagram.nrows();
    let locked = (0..rows).find(|&r| diagram[(r, 0)] == 0.0).unwrap();
    assert!(
        (diagram[(locked, 2)] / 1e4 - 1.0).abs() < 1e-9,
        "{diagram:?}"
    );
    assert!(
        (diagram[(rows - 1, 2)] / 1.1e4 - 1.0).abs() < 1e-6,
        "{diagram:?}"
    );
    let Some(dat) = run_ccx(&deck) else {
        return;
    };
    // Off the section (whose nodes CalculiX and vproto double on opposite sides).
    let u = common::h5_2d(&file, "load_cases/step2/displacement");
    let u_ccx = ccx_displacements(&dat);
    assert_eq!(u_ccx.len(), mesh.nodes.len());
    let scale = u_ccx.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let worst = (0..mesh.nodes.len())
        .filter(|&n| (mesh.nodes[n].z - 0.1).abs() > 1e-9)
        .flat_map(|n| (0..3).map(move |c| (n, c)))
        .fold(0.0f64, |m, (n, c)| m.max((u[(n, c)] - u_ccx[n][c]).abs()));
    eprintln!("pretensioned bar: largest |u| {scale:.6e} m by ccx; vproto differs by at most {:.2e} of it", worst / scale);
    assert!(worst < 1e-6 * scale, "{worst} against {scale}");
}

#[test]
fn pretension_steps_vproto_cannot_follow_are_refused_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (steps, why) in [
        (
            "*STEP\n*STATIC\n*CLOAD\nREF, 1, 10000.\nLAYER, 3, PULL\n*END STEP\n",
            "must load their reference nodes only",
        ),
        (
            "*STEP\n*STATIC\n*CLOAD\nREF, 1, 10000.\n*END STEP\n*STEP\n*STATIC\n*CLOAD\nLAYER, 3, PULL\n*END STEP\n",
            "does not lock the bolt of reference node",
        ),
        (
            "*STEP\n*STATIC\n*CLOAD\nREF, 1, 10000.\n*END STEP\n*STEP\n*STATIC\n*BOUNDARY\nREF, 1, 1\n*END STEP\n",
            "would set the bolt's shortening",
        ),
        (
            "*STEP\n*STATIC\n*CLOAD\nREF, 1, 1.\n*END STEP\n*STEP\n*STATIC\n*BOUNDARY, FIXED\nREF, 1, 1, 0.002\n*END STEP\n",
            "takes no value",
        ),
        (
            "*STEP\n*STATIC\n*CLOAD\nREF, 1, -5.\n*END STEP\n",
            "positive *CLOAD on each reference node",
        ),
        (
            "*STEP\n*STATIC\n*CLOAD\nREF, 1, 1.\n*END STEP\n*STEP\n*STATIC\n*BOUNDARY, FIXED\nXSYM, 1, 1\n*END STEP\n",
            "for pretension reference nodes only",
        ),
    ] {
        let (deck, _) = pretensioned_bar(dir.path(), steps);
        let err = common::cli::refused(&deck);
        assert!(err.contains(why) && err.contains("bar.inp:"), "{why}: {err}");
    }
}
