//! Parameter sweeps as a user runs them: results identical to single runs, resumption
//! after an interruption, and a failing design point isolated from the others.

use std::path::{Path, PathBuf};
use vproto::params::{Parameters, Value};
use vproto::run::{run_case_with, RunOptions};
use vproto::sweep::run_sweep;

mod common;

fn case() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/strap_sweep.toml")
}

#[test]
fn sweep_points_equal_single_runs_and_resume_without_recomputing() {
    let out = tempfile::tempdir().unwrap();
    let first = run_sweep(&case(), Some(out.path().to_path_buf())).unwrap();
    assert_eq!(first.points.len(), 18);
    assert!(first.points.iter().all(|p| p.error.is_none() && !p.reused));

    // Each point is what a single run with those parameters gives, to round-off: the
    // parallel assembly adds element contributions in whichever order threads reach
    // them, and a sweep point factors on one thread.
    for p in first.points.iter().step_by(5) {
        let dir = tempfile::tempdir().unwrap();
        let single = run_case_with(
            &case(),
            &p.parameters,
            &RunOptions::all_files(Some(dir.path().to_path_buf())),
        )
        .unwrap();
        assert_eq!(single.verdict, p.verdict);
        let mass = single.model.as_ref().unwrap().mass.unwrap();
        assert!((mass - p.mass.unwrap()).abs() < 1e-12 * mass);
        // Equal to round-off: the parallel assembly adds in the threads' order.
        for c in &single.checks {
            let (v, _, pass) = p.checks[&format!("{}: {}", c.load_case, c.criterion)];
            assert!(
                (c.value - v).abs() < 1e-9 * v.abs() && c.pass == pass,
                "{} vs {v}",
                c.value
            );
        }
    }

    // An interrupted sweep: two points never finished. Rerunning computes only those.
    for id in [3, 11] {
        std::fs::remove_dir_all(out.path().join(&first.points[id].folder)).unwrap();
    }
    let again = run_sweep(&case(), Some(out.path().to_path_buf())).unwrap();
    // Reused points are read back exactly; recomputed ones equal to round-off (the
    // parallel assembly's order of additions).
    for (a, b) in first.points.iter().zip(&again.points) {
        assert_eq!(b.reused, ![3, 11].contains(&b.id), "point {}", b.id);
        assert_eq!((a.mass, &a.verdict), (b.mass, &b.verdict));
        let (x, y) = (a.worst_margin.unwrap(), b.worst_margin.unwrap());
        if b.reused {
            assert_eq!(x, y, "point {}", b.id);
        } else {
            assert!(
                (x - y).abs() < 1e-9 * x.abs().max(1.0),
                "point {}: {x} vs {y}",
                b.id
            );
        }
    }
    assert_eq!(first.lightest_passing, again.lightest_passing);
    let csv = std::fs::read_to_string(&again.files[0]).unwrap();
    assert_eq!(csv.lines().count(), 19, "header and one row per point");
    // The HDF5 table opens with an independent reader; the plots are complete SVG.
    let h5 = again
        .files
        .iter()
        .find(|f| f.ends_with("_sweep.h5"))
        .unwrap();
    if common::peer("h5dump", "sweep table") {
        let dump = std::process::Command::new("h5dump")
            .args(["-d", "/points/mass"])
            .arg(h5)
            .output()
            .unwrap();
        assert!(dump.status.success() && String::from_utf8_lossy(&dump.stdout).contains("( 18 )"));
    }
    let svgs: Vec<_> = again.files.iter().filter(|f| f.ends_with(".svg")).collect();
    assert_eq!(
        svgs.len(),
        3,
        "Pareto front and one plot per numeric parameter"
    );
    for f in svgs {
        let svg = std::fs::read_to_string(f).unwrap();
        assert!(
            svg.starts_with("<svg")
                && svg.ends_with("</svg>\n")
                && svg.matches("class=\"datum\"").count() == 18,
            "{f}"
        );
    }
}

#[test]
fn a_failing_design_point_is_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(case()).unwrap().replace(
        "hole_radius = { from = 0.01, to = 0.03, steps = 3 }",
        "hole_radius = [0.02, 0.15]             # 0.15 m does not fit in the plate",
    );
    let path = dir.path().join("bad_sweep.toml");
    std::fs::write(&path, text).unwrap();
    let r = run_sweep(&path, Some(dir.path().join("out"))).unwrap();
    assert_eq!(r.points.len(), 12);
    let failed: Vec<_> = r.points.iter().filter(|p| p.verdict == "ERROR").collect();
    assert_eq!(failed.len(), 6);
    assert!(failed
        .iter()
        .all(|p| p.parameters["hole_radius"] == Value::Number(0.15)
            && p.error.as_ref().unwrap().contains("hole radius")));
    assert!(r
        .points
        .iter()
        .filter(|p| p.verdict != "ERROR")
        .all(|p| p.mass.is_some()));
    assert!(r.lightest_passing.is_some());
}

#[test]
fn a_unit_for_an_undeclared_parameter_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(case())
        .unwrap()
        .replace(
            "hole_radius = \"m\"",
            "hole_radius = \"m\"\nthicknes = \"m\"",
        )
        .replace(
            "\"../models/",
            &format!("\"{}/models/", env!("CARGO_MANIFEST_DIR")),
        );
    let path = dir.path().join("units.toml");
    std::fs::write(&path, text).unwrap();
    let e = run_sweep(&path, Some(dir.path().join("out")))
        .unwrap_err()
        .to_string();
    assert!(e.contains("[sweep.units] names 'thicknes'"), "{e}");
}

#[test]
fn overriding_an_undeclared_parameter_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Parameters::new();
    p.insert("thicknes".into(), Value::Number(0.01));
    let e = run_case_with(
        &case(),
        &p,
        &RunOptions::all_files(Some(dir.path().to_path_buf())),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no parameter 'thicknes'"), "{e}");
}

/// A finished point is reused only when nothing it came from changed: after the case
/// file changes (ten times the load), every point is computed again.
#[test]
fn a_changed_case_file_recomputes_every_point() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(case()).unwrap();
    let path = dir.path().join("strap_sweep.toml");
    let local = src.replace(
        "\"../models/",
        &format!("\"{}/models/", env!("CARGO_MANIFEST_DIR")),
    );
    std::fs::write(&path, &local).unwrap();
    let out = dir.path().join("out");
    let first = run_sweep(&path, Some(out.clone())).unwrap();
    let again = run_sweep(&path, Some(out.clone())).unwrap();
    assert!(again.points.iter().all(|p| p.reused));
    // Points are keyed by their parameter values: a changed value list (one thickness
    // dropped, one added) reuses every point it keeps and computes only the new ones.
    let widened = local.replace(
        "thickness = [0.003, 0.004, 0.006]",
        "thickness = [0.004, 0.006, 0.008]",
    );
    assert_ne!(widened, local);
    std::fs::write(&path, &widened).unwrap();
    let wider = run_sweep(&path, Some(out.clone())).unwrap();
    assert_eq!(wider.points.len(), 18);
    for p in &wider.points {
        let new = p.parameters["thickness"] == Value::Number(0.008);
        assert_eq!(p.reused, !new, "point {} {:?}", p.id, p.parameters);
    }
    std::fs::write(&path, &local).unwrap();
    let heavier = local.replace("total = [15e3, 0.0, 0.0]", "total = [150e3, 0.0, 0.0]");
    assert_ne!(heavier, local);
    std::fs::write(&path, &heavier).unwrap();
    let third = run_sweep(&path, Some(out)).unwrap();
    assert!(
        third.points.iter().all(|p| !p.reused),
        "a changed case must not reuse points"
    );
    for (a, b) in first.points.iter().zip(&third.points) {
        assert!(b.worst_margin < a.worst_margin, "point {}", a.id);
    }
}
