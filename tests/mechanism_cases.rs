//! Mechanism case files end to end: the finite-element part cut free from its mechanism
//! is in equilibrium (its support reaction equals the joint reaction the mechanism
//! computed there), and mistakes in a [mechanism] are reported at their line.

mod common;
use nalgebra::{Matrix3, Vector3};
use std::path::Path;
use vproto::run::{run_case, RunOptions};

fn case_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join(name)
}

/// Runs a case and checks that for each (load case, sample) the reaction of the part's
/// constrained set equals `sign` × the force of `joint` (first part on second) at that
/// sample, turned into `body`'s initial pose: the part cut free is in equilibrium.
fn support_reaction_matches_joint(
    case: &str,
    joint: &str,
    sign: f64,
    body: &str,
    instants: &[(&str, Instant)],
) {
    let out = tempfile::tempdir().unwrap();
    let summary = run_case(
        &case_path(&format!("{case}.toml")),
        &RunOptions::all_files(Some(out.path().into())),
    )
    .unwrap();
    assert_eq!(summary.verdict, "PASS");
    let file = hdf5_pure::File::open(out.path().join(format!("{case}_motion.h5"))).unwrap();
    let time = common::h5_1d(&file, "time");
    let force = common::h5_2d(&file, &format!("joints/{joint}/force"));
    let rotation = common::h5_2d(&file, &format!("bodies/{body}/rotation"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join(format!("{case}.summary.json"))).unwrap(),
    )
    .unwrap();
    for (lc, instant) in instants {
        let k = match instant {
            Instant::Time(t) => (0..time.len())
                .min_by(|&a, &b| (time[a] - t).abs().total_cmp(&(time[b] - t).abs()))
                .unwrap(),
            Instant::Peak(j) => {
                let f = common::h5_2d(&file, &format!("joints/{j}/force"));
                (0..time.len())
                    .max_by(|&a, &b| f.row(a).dot(&f.row(a)).total_cmp(&f.row(b).dot(&f.row(b))))
                    .unwrap()
            }
        };
        let r = Matrix3::from_row_slice(rotation.row(k).as_slice().unwrap());
        let expected =
            sign * (r.transpose() * Vector3::new(force[[k, 0]], force[[k, 1]], force[[k, 2]]));
        let fe = json["load_cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == *lc)
            .unwrap();
        // The key results `reaction/<set>/x|y|z` of the part's one constrained set.
        let reaction: Vec<f64> = fe["key_results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["name"].as_str().unwrap().starts_with("reaction/"))
            .map(|k| k["value"].as_f64().unwrap())
            .collect();
        assert_eq!(reaction.len(), 3, "{case} {lc}: one constrained set");
        let fe = Vector3::new(reaction[0], reaction[1], reaction[2]);
        assert!(
            (fe - expected).norm() < 1e-6 * expected.norm(),
            "{case} {lc}: FE {fe:?} vs mechanism {expected:?}"
        );
    }
}

enum Instant {
    Time(f64),
    Peak(&'static str),
}

/// The press's connecting rod, fixed at its wrist-pin end and loaded by the crank-pin
/// reaction and its inertia: its support reaction is the force the ram exerts on it
/// (minus the wrist-pin force on the ram).
#[test]
fn press_rod_support_reaction_equals_wrist_pin_reaction() {
    let instants = [
        ("peak_crank_pin_load", Instant::Peak("crank_pin")),
        ("mid_stroke", Instant::Time(0.25)),
    ];
    support_reaction_matches_joint("slider_crank_press", "wrist_pin", -1.0, "rod", &instants);
}

/// The clamp arm, fixed at its pivot and loaded by the link, the workpiece spring and
/// its inertia: its support reaction is the pivot's force on the arm.
#[test]
fn clamp_arm_support_reaction_equals_pivot_reaction() {
    let instants = [
        ("clamped", Instant::Time(0.4)),
        ("peak_pivot_load", Instant::Peak("arm_pivot")),
    ];
    support_reaction_matches_joint("toggle_clamp", "arm_pivot", 1.0, "arm", &instants);
}

/// The rod's fatigue over the whole stroke (`rod_duty`): the crank-pin reaction and
/// the inertia at each of the 501 samples, as 18 unit solves times their histories. At
/// three samples the loads solved whole equal that sum (`superposition_error`, to
/// round-off), and 10⁷ strokes pass.
#[test]
fn press_rod_duty_cycle_is_the_superposed_motion() {
    let out = tempfile::tempdir().unwrap();
    run_case(
        &case_path("slider_crank_press.toml"),
        &RunOptions::all_files(Some(out.path().into())),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("slider_crank_press.summary.json")).unwrap(),
    )
    .unwrap();
    let lc = json["load_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "rod_duty")
        .unwrap()
        .clone();
    let scalar = |name: &str| {
        lc["scalars"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    println!(
        "rod_duty: superposition error {:e}, samples {}",
        scalar("superposition_error"),
        scalar("samples")
    );
    assert!(scalar("superposition_error") < 1e-11);
    assert_eq!(scalar("samples"), 501.0);
    assert_eq!(scalar("pass_duration"), 1.0);
    let damage = lc["key_results"][0]["value"].as_f64().unwrap();
    assert!(damage > 0.0 && damage * 3e7 < 1.0, "{damage}");
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
    // A fatigue case of the duty cycle takes mechanism loads only, and not with channels.
    let e = error_of(|t| {
        t.replace(
            "[[load_case.load]]                    # the mechanism's loads, at every sample of the motion",
            "[[load_case.load]]\ntype = \"force\"\nset = \"ymax\"\ntotal = [1.0, 0.0, 0.0]\n[[load_case.load]]",
        )
    });
    assert!(
        e.contains("a 'force' load belongs to") && e.contains("'rod_duty' is fatigue"),
        "{e}"
    );
    let e = error_of(|t| {
        t.replace(
            "[[load_case.load]]                    # the mechanism's loads, at every sample of the motion",
            "[[load_case.channel]]\nload_case = \"mid_stroke\"\nvalues = [0.0, 1.0]\n[[load_case.load]]",
        )
    });
    assert!(e.contains("either channels or the mechanism loads"), "{e}");
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
