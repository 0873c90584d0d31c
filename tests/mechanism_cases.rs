//! Mechanism case files end to end: the finite-element part cut free from its mechanism
//! is in equilibrium (its support reaction equals the joint reaction the mechanism
//! computed there), and mistakes in a [mechanism] are reported at their line.

use nalgebra::{Matrix3, Vector3};
use std::path::Path;
use vproto::run::{run_case, RunOptions};

fn case_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join(name)
}

/// The press's connecting rod is fixed at its wrist-pin end and loaded by the crank-pin
/// reaction and its own inertia: its fixed-end reaction must equal the force the ram
/// exerts on the rod at the wrist pin (the negative of the wrist-pin reaction on the
/// ram), turned into the rod's initial pose.
#[test]
fn press_rod_support_reaction_equals_wrist_pin_reaction() {
    let out = tempfile::tempdir().unwrap();
    let summary = run_case(
        &case_path("slider_crank_press.toml"),
        &RunOptions::all_files(Some(out.path().into())),
    )
    .unwrap();
    assert_eq!(summary.verdict, "PASS");
    let file = hdf5::File::open(out.path().join("slider_crank_press_motion.h5")).unwrap();
    let time = file.dataset("time").unwrap().read_1d::<f64>().unwrap();
    let wrist = file
        .dataset("joints/wrist_pin/force")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    let crank_pin = file
        .dataset("joints/crank_pin/force")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    let rotation = file
        .dataset("bodies/rod/rotation")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("slider_crank_press.summary.json")).unwrap(),
    )
    .unwrap();
    let peak = (0..time.len())
        .max_by(|&a, &b| {
            crank_pin
                .row(a)
                .dot(&crank_pin.row(a))
                .total_cmp(&crank_pin.row(b).dot(&crank_pin.row(b)))
        })
        .unwrap();
    let quarter = (0..time.len())
        .min_by(|&a, &b| (time[a] - 0.25).abs().total_cmp(&(time[b] - 0.25).abs()))
        .unwrap();
    for (lc, k) in [("peak_crank_pin_load", peak), ("mid_stroke", quarter)] {
        let r = Matrix3::from_row_slice(rotation.row(k).as_slice().unwrap());
        let on_rod = -(r.transpose() * Vector3::new(wrist[[k, 0]], wrist[[k, 1]], wrist[[k, 2]]));
        let fe = json["load_cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == lc)
            .unwrap();
        let reaction = &fe["reactions"][0][1];
        let fe = Vector3::new(
            reaction[0].as_f64().unwrap(),
            reaction[1].as_f64().unwrap(),
            reaction[2].as_f64().unwrap(),
        );
        assert!(
            (fe - on_rod).norm() < 1e-6 * on_rod.norm(),
            "{lc}: FE {fe:?} vs mechanism {on_rod:?}"
        );
    }
}

/// Writes a variant of the press case and returns the error of running it.
fn error_of(edit: impl Fn(&str) -> String) -> String {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(case_path("slider_crank_press.toml")).unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, edit(&text)).unwrap();
    let err = run_case(&path, &RunOptions::all_files(Some(dir.path().into()))).unwrap_err();
    format!("{err:#}")
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn mechanism_mistakes_are_reported_at_their_line() {
    let text = std::fs::read_to_string(case_path("slider_crank_press.toml")).unwrap();
    // An unknown body in a joint names the joint's table and the known bodies.
    let e = error_of(|t| {
        t.replace(
            "parts = [\"crank\", \"rod\"]",
            "parts = [\"crank\", \"conrod\"]",
        )
    });
    assert!(
        e.contains("bad.toml:") && e.contains("unknown body 'conrod'") && e.contains("rod, ram"),
        "{e}"
    );
    // A rotation driver on a prismatic joint.
    let e = error_of(|t| {
        t.replace(
            "axis = [0.0, 1.0, 0.0]",
            "axis = [0.0, 1.0, 0.0]\ndrive = { rotation = \"t\" }",
        )
    });
    assert!(e.contains("ram_guide") && e.contains("prismatic"), "{e}");
    // A bad drive expression names its line.
    let e = error_of(|t| t.replace("\"2*pi*t\"", "\"2*pi*x\""));
    let line = line_of(&text, "name = \"main_bearing\"") - 1;
    assert!(
        e.contains(&format!("bad.toml:{line}")) && e.contains("unknown name 'x'"),
        "{e}"
    );
    // A second driver on the same freedom over-constrains the mechanism.
    let e = error_of(|t| {
        t.replace(
            "axis = [0.0, 1.0, 0.0]",
            "axis = [0.0, 1.0, 0.0]\ndrive = { translation = \"-0.01*t\" }",
        )
    });
    assert!(
        e.contains("over-constrains") && e.contains("ram_guide"),
        "{e}"
    );
    // A drive that starts where the mechanism cannot reach (the ram 0.5 m down a
    // 0.1 m stroke) cannot be assembled, and says which equation is off.
    let e = error_of(|t| {
        t.replace("drive = { rotation = \"2*pi*t\" }", "").replace(
            "axis = [0.0, 1.0, 0.0]",
            "axis = [0.0, 1.0, 0.0]\ndrive = { translation = \"-0.5 + 0.01*t\" }",
        )
    });
    assert!(e.contains("cannot assemble"), "{e}");
    // Starting at a singular position (rod square to a horizontal slide): a double root
    // of the assembly, reported rather than integrated through.
    let e = error_of(|t| {
        t.replace(
            "point = [0.0, -0.2, 0.0]\naxis = [0.0, 1.0, 0.0]",
            "point = [0.3, -0.2, 0.0]\naxis = [1.0, 0.0, 0.0]",
        )
    });
    assert!(
        e.contains("singular position") && e.contains("ram_guide"),
        "{e}"
    );
    // Loads from the mechanism need an instant.
    let e = error_of(|t| t.replace("at_time = 0.25\n", ""));
    assert!(
        e.contains("at_time") && e.contains("at_peak") && e.contains("mid_stroke"),
        "{e}"
    );
    // An unphysical inertia.
    let e = error_of(|t| {
        t.replace(
            "inertia = [0.01, 0.01, 0.02]",
            "inertia = [0.01, 0.01, 0.05]",
        )
    });
    assert!(e.contains("crank") && e.contains("not physical"), "{e}");
    // A history that does not exist in a plot.
    let e = error_of(|t| t.replace("\"joint/ram_guide/slide\"", "\"joint/ram_guide/angle\""));
    assert!(
        e.contains("bad.toml:") && e.contains("ram_guide") && e.contains("angle"),
        "{e}"
    );
}
