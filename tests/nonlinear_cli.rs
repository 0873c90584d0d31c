//! Nonlinear load cases as a user meets them: loading past yield and releasing, checked
//! against the linear solution the release must be, and bad input refused with its place.

use std::process::Command;

fn run(dir: &std::path::Path, text: &str) -> (bool, String, serde_json::Value) {
    let path = dir.join("nl.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(["run", path.to_str().unwrap(), "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let summary = std::fs::read_to_string(dir.join("out/nl.summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    (
        out.status.code() == Some(0) || out.status.code() == Some(1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        summary,
    )
}

fn key(summary: &serde_json::Value, lc: &str, name: &str) -> f64 {
    summary["load_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == lc)
        .unwrap()["key_results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == name)
        .unwrap()["value"]
        .as_f64()
        .unwrap()
}

const BEAM: &str = "name = \"nl\"\n[model.generate]\nshape = \"box\"\nsize = [0.2, 0.02, 0.02]\ndivisions = [20, 4, 4]\nelement = \"hex20r\"\n[regions]\nall = \"steel_s355\"\n[[constraint]]\nset = \"xmin\"\nfixed = true\n";

fn load_case(name: &str, analysis: &str, extra: &str, force: f64) -> String {
    format!("[[load_case]]\nname = \"{name}\"\nanalysis = \"{analysis}\"\n{extra}[[load_case.load]]\ntype = \"force\"\nset = \"xmax\"\ntotal = [0.0, 0.0, {force}]\n")
}

/// Past yield and back: the release is elastic (no point yields in reverse), so the
/// loaded tip displacement minus the permanent set is the linear solution of the same
/// load (to the largest |u|'s choice of node); and plasticity made the loaded tip go
/// further than linear.
#[test]
fn release_from_past_yield_is_the_linear_solution() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{BEAM}{}{}{}",
        load_case("loaded", "nonlinear", "", -3400.0),
        load_case("released", "nonlinear", "unload = true\n", -3400.0),
        load_case("linear", "static", "", -3400.0)
    );
    let (ok, err, s) = run(dir.path(), &text);
    assert!(ok, "{err}");
    let loaded = key(&s, "loaded", "max_displacement");
    let set = key(&s, "released", "max_displacement");
    let linear = key(&s, "linear", "max_displacement");
    let peeq = key(&s, "released", "max_plastic_strain");
    println!("tip: loaded {loaded:e} m, permanent set {set:e} m, linear {linear:e} m; plastic strain {peeq:e}");
    assert!(peeq > 1e-4 && loaded > linear * 1.05);
    // The largest |u| of each state (its node may differ between them): 2e-5 seen.
    assert!(
        ((loaded - set) / linear - 1.0).abs() < 1e-4,
        "{}",
        (loaded - set) / linear
    );
    // The release yields nowhere: the plastic strain is the loaded state's.
    assert!((peeq / key(&s, "loaded", "max_plastic_strain") - 1.0).abs() < 1e-12);
}

/// Bad input names its place: a softening flow curve (and which material), an
/// increment outside (0, 1], a load past the limit (the load factor reached, and no
/// verdict on a state short of it), a criterion a static load case cannot read.
#[test]
fn bad_nonlinear_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let soft = "[materials.soft]\nyoungs_modulus = 200e9\npoisson_ratio = 0.3\ndensity = 7800.0\nplastic = [[0.0, 300e6], [0.01, 250e6]]\n";
    let cases = [
        (
            format!(
                "{}{soft}{}",
                BEAM.replace("\"steel_s355\"", "\"soft\""),
                load_case("p", "nonlinear", "", -100.0)
            ),
            "material 'soft': flow curve point 2: stress 250000000 is below the one before",
        ),
        (
            format!(
                "{BEAM}{}",
                load_case("p", "nonlinear", "first_increment = 2.0\n", -100.0)
            ),
            "first_increment must lie in (0, 1]",
        ),
        (
            format!(
                "{}{}",
                BEAM.replace("[20, 4, 4]", "[10, 2, 2]"),
                load_case("p", "nonlinear", "min_increment = 1e-3\n", -20000.0)
            ),
            "no equilibrium beyond load factor",
        ),
        (
            format!(
                "{BEAM}{}[[load_case.criterion]]\ntype = \"max_plastic_strain\"\nlimit = 0.05\n",
                load_case("p", "static", "", -100.0)
            ),
            "equivalent_plastic_strain",
        ),
    ];
    for (text, expected) in cases {
        let (ok, err, _) = run(dir.path(), &text);
        assert!(!ok, "{expected}: it ran");
        assert!(
            err.contains(expected) && err.contains("nl.toml"),
            "expected '{expected}' in: {err}"
        );
    }
}
