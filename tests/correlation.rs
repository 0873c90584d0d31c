//! Correlation with a modal test, end to end: a steel cantilever's modes sampled at
//! eleven sensors (on its top and side faces, given 0.5 mm off the surface, in mm) are
//! written as a modal test CSV with the shapes scaled by −2.5, the first two modes
//! listed in swapped order, the third missing, and every frequency 2 % high. `vproto
//! run` pairs each measured mode with the computed one it was made from (MAC 1 to
//! round-off, whatever the scale, order and gap), reports the frequency errors, and
//! the criteria `min_mac` and `max_frequency_error` decide on them.

mod common;
use common::cli::{refused, run, write};
use std::fmt::Write as _;

const BEAM: &str = r#"
name = "beam"
[model.generate]
shape = "box"
size = [1.0, 0.05, 0.1]
divisions = [10, 2, 4]
element = "hex20"
[regions]
all = "steel_s355"
[[constraint]]
set = "xmin"
fixed = true
[[load_case]]
name = "modes"
analysis = "modal"
modes = 6
"#;

/// Sensors: (x, y, z) in m on nodes of the top (+z) and side (+y) faces' common edge,
/// which bending and torsion move, and one on the tip (+x) for the axial mode.
fn sensors() -> Vec<([f64; 3], &'static str)> {
    (1..=5)
        .flat_map(|k| {
            let x = 0.2 * k as f64;
            [([x, 0.0, 0.1], "+z"), ([x, 0.05, 0.1], "+y")]
        })
        .chain([([1.0, 0.025, 0.05], "+x")])
        .collect()
}

fn axis(direction: &str) -> usize {
    ["+x", "+y", "+z"]
        .iter()
        .position(|&d| d == direction)
        .unwrap()
}

/// The computed frequencies and, per mode, the sensors' components.
fn computed(dir: &std::path::Path) -> (Vec<f64>, Vec<Vec<f64>>) {
    let file = common::cli::run_case(&write(dir, "beam.toml", BEAM));
    let hz = common::h5_1d(&file, "load_cases/modes/frequencies");
    let points = common::h5_2d(&file, "mesh/points");
    let node = |p: [f64; 3]| {
        (0..points.nrows())
            .find(|&n| (0..3).all(|c| (points[(n, c)] - p[c]).abs() < 1e-9))
            .unwrap()
    };
    let shapes = (1..=hz.len())
        .map(|k| {
            let u = common::h5_2d(&file, &format!("load_cases/modes/mode_{k}/displacement"));
            sensors()
                .iter()
                .map(|&(p, d)| u[(node(p), axis(d))])
                .collect()
        })
        .collect();
    (hz, shapes)
}

/// The test CSV: computed modes `order` (from 0), frequencies × `high`, shapes × −2.5,
/// points in mm 0.5 mm off the surface.
fn test_csv(hz: &[f64], shapes: &[Vec<f64>], order: &[usize], high: f64) -> String {
    let mut s = String::from("point, x, y, z, direction");
    order
        .iter()
        .for_each(|k| write!(s, ", mode {}", k + 1).unwrap());
    s += "\nunit, mm, mm, mm\nfrequency_hz, , , , ";
    order
        .iter()
        .for_each(|&k| write!(s, ", {}", hz[k] * high).unwrap());
    for (i, (p, d)) in sensors().into_iter().enumerate() {
        let off = |c: usize| 1e3 * p[c] + if c == axis(d) { 0.5 } else { 0.0 };
        write!(s, "\nS{}, {}, {}, {}, {d}", i + 1, off(0), off(1), off(2)).unwrap();
        order
            .iter()
            .for_each(|&k| write!(s, ", {:e}", -2.5 * shapes[k][i]).unwrap());
    }
    s + "\n"
}

fn with_test(criteria: &str) -> String {
    format!(
        "{BEAM}[[measurement]]\nname = \"hammer\"\nload_case = \"modes\"\nfile = \"test.csv\"\n{criteria}"
    )
}

const CRITERIA: &str = "[[criterion]]\ntype = \"min_mac\"\nmeasurement = \"hammer\"\nmin = 0.99\n\
    [[criterion]]\ntype = \"max_frequency_error\"\nmeasurement = \"hammer\"\nlimit = LIMIT\n";

#[test]
fn a_modal_test_is_paired_and_held_to_its_frequencies() {
    let dir = tempfile::tempdir().unwrap();
    let (hz, shapes) = computed(dir.path());
    let order = [1, 0, 3, 4];
    write(
        dir.path(),
        "test.csv",
        &test_csv(&hz, &shapes, &order, 1.02),
    );
    let case = write(
        dir.path(),
        "twin.toml",
        &with_test(&CRITERIA.replace("LIMIT", "0.03")),
    );
    let out = run(&case, &["--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let file = hdf5_pure::File::open(dir.path().join("out/beam.h5")).unwrap();
    let pairs = common::h5_2d(&file, "load_cases/modes/correlation/hammer/pairs");
    for (i, &k) in order.iter().enumerate() {
        assert_eq!(pairs[(i, 4)], (k + 1) as f64, "{pairs:?}");
        assert!((pairs[(i, 2)] - 1.0).abs() < 1e-9, "{pairs:?}");
        assert!(
            (pairs[(i, 3)] - (1.0 / 1.02 - 1.0)).abs() < 1e-9,
            "{pairs:?}"
        );
    }
    for plot in ["mac", "frequencies"] {
        let svg =
            std::fs::read_to_string(dir.path().join(format!("out/beam_modes_hammer_{plot}.svg")))
                .unwrap();
        assert!(
            svg.contains("<svg xmlns") && svg.trim_end().ends_with("</svg>"),
            "{plot}"
        );
    }
    let comac = common::h5_1d(&file, "load_cases/modes/correlation/hammer/comac");
    // The tip's axial sensor sees none of these modes: no COMAC there.
    assert!(
        comac[..10].iter().all(|c| (c - 1.0).abs() < 1e-9),
        "{comac:?}"
    );
    assert!(comac[10].is_nan(), "{comac:?}");
    // `vproto correlate` prints the pairs before the verdict table; the summary lists them.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(["correlate", case.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let first = text.lines().nth(2).unwrap_or_default();
    let words: Vec<&str> = first.split_whitespace().collect();
    assert!(
        text.starts_with("'hammer' against load case 'modes':")
            && words[0] == "1"
            && words[2] == "2",
        "{text}"
    );
    assert!(
        words[4] == "-1.96" && words[6] == "1.0000" && text.contains("VERDICT: PASS"),
        "{text}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&run(&case, &["--json"]).stdout).unwrap();
    let table = &summary["load_cases"][0]["tables"][0];
    assert_eq!(table["path"], "correlation/hammer/pairs", "{summary}");
    assert_eq!(table["rows"].as_array().unwrap().len(), 4, "{summary}");
    // 2 % off fails a 1 % limit, on every mode.
    let case = write(
        dir.path(),
        "twin.toml",
        &with_test(&CRITERIA.replace("LIMIT", "0.01")),
    );
    let out = run(&case, &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed: Vec<&serde_json::Value> = summary["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["pass"] == false)
        .collect();
    assert_eq!(failed.len(), 4, "{summary}");
    // A measured mode above the highest computed one: its pair is no evidence.
    let mut high = test_csv(&hz, &shapes, &[0, 1], 1.0);
    high = high.replacen(&format!(", {}", hz[1]), &format!(", {}", 10.0 * hz[5]), 1);
    write(dir.path(), "test.csv", &high);
    undecided(
        &case,
        "MAC of 'hammer' mode 2",
        "above the highest computed mode",
    );
    // Below the modes a shifted load case looked for: its pair is no evidence either.
    let mut low = test_csv(&hz, &shapes, &[0, 1], 1.0);
    low = low.replacen(&format!(", {}", hz[0]), &format!(", {}", 0.25 * hz[0]), 1);
    write(dir.path(), "test.csv", &low);
    let shifted = with_test(&CRITERIA.replace("LIMIT", "0.03")).replace(
        "modes = 6",
        &format!("modes = 6\nshift_hz = {}", 0.5 * hz[0]),
    );
    let shifted = write(dir.path(), "twin.toml", &shifted);
    undecided(
        &shifted,
        "MAC of 'hammer' mode 1",
        "below the modes the load case looked for",
    );
}

/// Runs `case` and asserts that its check named `criterion…` failed as undecided, with
/// a note saying `why`.
fn undecided(case: &std::path::Path, criterion: &str, why: &str) {
    let out = run(case, &["--json"]);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = summary["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"].as_str().unwrap().starts_with(criterion))
        .unwrap();
    assert_eq!(check["pass"], false, "{check}");
    assert!(check["note"].as_str().unwrap().contains(why), "{check}");
}

#[test]
fn bad_measurements_are_refused_naming_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = vec![vec![1.0; 11]];
    let good = test_csv(&[100.0], &shapes, &[0], 1.0);
    let off = good.replace("S3, 400, 0, 100.5", "S3, 400, 0, 130");
    for (csv, criteria, why) in [
        (
            off,
            CRITERIA.replace("LIMIT", "0.03"),
            "test.csv:6: sensor 'S3' at (0.4, 0, 0.13) m is 3.000e-2 m off the body's surface",
        ),
        (
            good.clone(),
            CRITERIA
                .replace("hammer\"\nmin", "tap\"\nmin")
                .replace("LIMIT", "0.1"),
            "no [[measurement]] is named 'tap'",
        ),
        (
            good.clone(),
            CRITERIA.replace("0.99", "1.5").replace("LIMIT", "0.1"),
            "the limit is out of range",
        ),
        (
            good.replace("unit, mm, mm, mm\n", ""),
            String::new(),
            "a sensor row before the 'unit' row",
        ),
    ] {
        write(dir.path(), "test.csv", &csv);
        let err = refused(&write(dir.path(), "twin.toml", &with_test(&criteria)));
        assert!(
            err.contains(why) && err.contains("twin.toml:"),
            "{err}\nwanted: {why}"
        );
    }
    let plain = write(dir.path(), "plain.toml", BEAM);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(["correlate", plain.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the case has no [[measurement]] to correlate with"));
    // A shift above a natural frequency cannot be factored: said, not a "singular" model.
    let shifted = write(
        dir.path(),
        "shifted.toml",
        &BEAM.replace("modes = 6", "modes = 6\nshift_hz = 60.0"),
    );
    assert!(refused(&shifted).contains("the shift of 60 Hz lies above a natural frequency"));
    let static_case = with_test("").replace(
        "analysis = \"modal\"\nmodes = 6",
        "[[load_case.load]]\ntype = \"gravity\"\nacceleration = [0.0, 0.0, -9.81]",
    );
    write(dir.path(), "test.csv", &good);
    let out = run(&write(dir.path(), "twin.toml", &static_case), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no natural modes to correlate with"),
        "{err}"
    );
}
