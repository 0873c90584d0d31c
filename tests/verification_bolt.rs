//! Bolt pretension through the CLI, on the bolted joint of `cases/` (an M10-like bolt
//! clamping two sleeves, quarter model, Gmsh tet10): the pretension reached exactly,
//! every clamping force balanced with the bolt's, and the joint diagram compared with
//! VDI 2230's estimate (a comparison, not a target: VDI's load-introduction factor n
//! is a table reading, the FE gives it).

mod common;

use std::path::Path;

/// The case's quarter-model pretension and service load (N).
const PRETENSION: f64 = 5000.0;
const SERVICE: f64 = 2000.0;

/// The sum of the contact normal forces at the slave nodes at height z (m).
fn clamping(file: &hdf5_pure::File, step: &str, z: f64) -> f64 {
    let x = common::h5_2d(file, "mesh/points");
    let force = common::h5_1d(
        file,
        &format!("load_cases/service/{step}/contact_normal_force"),
    );
    force
        .iter()
        .enumerate()
        .filter(|&(n, f)| (x[(n, 2)] - z).abs() < 1e-9 && f.is_finite())
        .map(|(_, f)| f)
        .sum()
}

#[test]
fn the_bolted_joint_takes_its_pretension_exactly_and_balances_its_clamping_forces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = root.join("cases/bolted_joint.toml");
    if !common::peer("gmsh", "bolted joint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = common::cli::run_into(&case, dir.path(), &[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let file = hdf5_pure::File::open(dir.path().join("bolted_joint.h5")).unwrap();
    // Rows: pseudo-time, load factor, bolt force.
    let diagram = common::h5_2d(&file, "load_cases/service/bolt_forces");
    let at = |t: f64| {
        (0..diagram.nrows())
            .find(|&r| (diagram[(r, 0)] - t).abs() < 1e-12)
            .map(|r| diagram[(r, 2)])
            .unwrap_or_else(|| panic!("no increment at time {t}: {diagram:?}"))
    };
    let locked = at(0.0);
    assert!((locked / PRETENSION - 1.0).abs() < 1e-9, "{locked}");
    // The last increment: every clamping interface carries the bolt's force (head and
    // nut), the joint what the service load leaves of it.
    let last = format!("increment_{}", diagram.nrows());
    let bolt = at(1.0);
    for (z, expected) in [(0.010, bolt), (-0.010, bolt), (0.0, bolt - SERVICE)] {
        let f = clamping(&file, &last, z);
        assert!(
            (f / expected - 1.0).abs() < 1e-6,
            "z = {z}: {f} N against {expected} N"
        );
    }
    // The joint diagram: the bolt takes a fixed share Φ of the service load (contact
    // stays closed), positive and below VDI 2230's Φ_K = 0.213 for a load brought in
    // at the head and nut (n = 1; here it enters at the sleeves' outer rings).
    let share = |t: f64| (at(t) - PRETENSION) / (t * SERVICE);
    let (half, full) = (share(0.5), share(1.0));
    assert!((half / full - 1.0).abs() < 0.01, "{half} against {full}");
    assert!(full > 0.0 && full < 0.213, "Φ = {full}");
    eprintln!(
        "joint diagram: Φ = {full:.4} (VDI 2230, n = 1: Φ_K = 0.213; n = {:.2})",
        full / 0.213
    );
}

const BAR: &str = r#"
name = "bar"
[model]
generate = { shape = "box", size = [0.02, 0.02, 0.1], divisions = [2, 2, 4], element = "hex8" }
[[model.bolt]]
name = "tie_rod"
region = "all"
point = [0.0, 0.0, Z]
axis = [0.0, 0.0, 1.0]
force = FORCE
[regions]
all = "steel_s355"
[[constraint]]
set = "zmin"
fixed = true
[[constraint]]
set = "zmax"
fixed = true
[[load_case]]
name = "hold"
analysis = "ANALYSIS"
"#;

#[test]
fn bolts_that_cannot_be_cut_or_loaded_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (z, force, analysis, why) in [
        ("0.04", "1000.0", "nonlinear", "crosses the section plane"),
        ("0.2", "1000.0", "nonlinear", "does not cut the bolt"),
        ("0.05", "-1000.0", "nonlinear", "positive pretension"),
        (
            "0.05",
            "1000.0",
            "static",
            "bolts need analysis = \"nonlinear\"",
        ),
    ] {
        let text = BAR
            .replace("Z]", &format!("{z}]"))
            .replace("FORCE", force)
            .replace("ANALYSIS", analysis);
        let err = common::cli::refused(&common::cli::write(dir.path(), "bar.toml", &text));
        assert!(err.contains(why), "{err}");
        assert!(err.contains("bar.toml"), "{err}");
    }
}
