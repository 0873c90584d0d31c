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
                "{}{}",
                BEAM.replace("\"hex20r\"", "\"tet4\""),
                load_case("p", "nonlinear", "", -100.0)
            ),
            "of material 'steel_s355': tet4 (constant strain) locks in plastic flow",
        ),
        (
            format!(
                "{}{}",
                BEAM.replace("\"hex20r\"", "\"hex8\""),
                load_case("p", "nonlinear", "large_deformation = true\n", -100.0)
            ),
            "hex8 has no F-bar for large deformation",
        ),
        (
            format!(
                "{}{}{}",
                BEAM.replace("\"steel_s355\"", "\"high\""),
                "[materials.high]\nyoungs_modulus = 200e9\npoisson_ratio = 0.3\ndensity = 7800.0\nyield_strength = 400e6\nplastic = [[0.0, 300e6]]\n",
                load_case("p", "nonlinear", "", -100.0)
            ),
            "material 'high': yield_strength is 400000000 Pa but its flow curve starts at 300000000 Pa",
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
                "{BEAM}{}[[load_case.criterion]]\ntype = \"max_permanent_set\"\nlimit = 1e-3\n",
                load_case("p", "nonlinear", "", -100.0)
            ),
            "max_permanent_set reads the displacement left after the load is removed: set unload = true",
        ),
        (
            format!(
                "{}[materials.rubber]\nyoungs_modulus = 5e6\npoisson_ratio = 0.45\ndensity = 1100.0\nhyperelastic = \"neo_hookean\"\n{}",
                BEAM.replace("\"steel_s355\"", "\"rubber\""),
                load_case("p", "nonlinear", "", -1.0)
            ),
            "material 'rubber' is hyperelastic: set large_deformation = true",
        ),
        (
            format!(
                "{}[materials.rubber]\nyoungs_modulus = 5e6\npoisson_ratio = 0.5\ndensity = 1100.0\nhyperelastic = \"neo_hookean\"\n{}",
                BEAM.replace("\"steel_s355\"", "\"rubber\""),
                load_case("p", "nonlinear", "large_deformation = true\n", -1.0)
            ),
            "got 0.5 (incompressible: a displacement formulation locks",
        ),
        (
            format!(
                "{BEAM}{}[[load_case.criterion]]\ntype = \"max_plastic_strain\"\nlimit = 0.05\n",
                load_case("p", "static", "", -100.0)
            ),
            "equivalent_plastic_strain",
        ),        (
            format!(
                "{}{}",
                BEAM.replace("\"steel_s355\"", "\"abs\""),
                load_case("p", "nonlinear", "", -1.0)
            ),
            "material 'abs' has a yield strength (42000000 Pa) but no flow curve",
        ),
        (
            format!(
                "{BEAM}{}",
                load_case("p", "nonlinear", "unload = true\nload_path = [[1.0, 1.0], [2.0, 0.0]]\n", -100.0)
            ),
            "load_path gives the whole path: leave out max_load_factor and unload",
        ),
        (
            format!(
                "{BEAM}{}",
                load_case("p", "nonlinear", "load_path = [[1.0, 1.0], [0.5, 0.0]]\n", -100.0)
            ),
            "load_path: point 2: time 0.5 must come after 1",
        ),
    ];
    for (text, expected) in cases {
        let (ok, err, _) = run(dir.path(), &text);
        assert!(!ok, "{expected}: it ran");
        let _ = ok;
        assert!(
            err.contains(expected) && err.contains("nl.toml"),
            "expected '{expected}' in: {err}"
        );
    }
}

/// A load past the limit load: the run stops at its last converged increment, writes its
/// results and the load–displacement curve, and fails — `load_capacity` decides on the
/// load factor reached, every other criterion cannot decide; without a `load_capacity`
/// criterion a "load path carried" check fails it.
#[test]
fn a_load_past_the_limit_stops_writes_its_results_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let beam = BEAM.replace("[20, 4, 4]", "[10, 2, 2]");
    let over = load_case("p", "nonlinear", "max_load_factor = 3.0\n", -3400.0);
    let capacity = "[[load_case.criterion]]\ntype = \"load_capacity\"\nmin = 1.2\n[[load_case.criterion]]\ntype = \"max_plastic_strain\"\nlimit = 100.0\n";
    let (ok, err, s) = run(dir.path(), &format!("{beam}{over}{capacity}"));
    assert!(
        ok && err.contains("no equilibrium beyond load factor"),
        "{err}"
    );
    assert_eq!(s["verdict"], "FAIL");
    let checks = s["checks"].as_array().unwrap();
    let reached = key(&s, "p", "load_factor");
    assert!(reached > 1.2 && reached < 3.0, "{reached}");
    let cap = checks
        .iter()
        .find(|c| c["criterion"] == "load capacity (load factor)")
        .unwrap();
    assert_eq!(cap["pass"], true);
    let peeq = checks
        .iter()
        .find(|c| c["criterion"] == "max plastic strain (all)")
        .unwrap();
    assert_eq!(peeq["pass"], false);
    assert!(peeq["note"]
        .as_str()
        .unwrap()
        .contains("these results are not the state asked for"));
    assert!(dir.path().join("out/nl_p_load_displacement.svg").exists());
    assert!(dir.path().join("out/nl_p.xdmf").exists());
    // Without load_capacity: the load path not carried fails the run by itself.
    let (_, _, s) = run(dir.path(), &format!("{beam}{over}"));
    assert_eq!(s["verdict"], "FAIL");
    let carried = &s["checks"][0];
    assert_eq!(carried["criterion"], "load path carried (load factor)");
    assert_eq!(carried["pass"], false);
    // A capacity beyond the load path's end cannot be shown.
    let short = load_case("q", "nonlinear", "", -100.0);
    let (_, _, s) = run(
        dir.path(),
        &format!("{beam}{short}[[load_case.criterion]]\ntype = \"load_capacity\"\nmin = 1.5\n"),
    );
    assert_eq!(s["checks"][0]["pass"], false);
    assert!(s["checks"][0]["note"]
        .as_str()
        .unwrap()
        .contains("raise max_load_factor"));
}

/// Gravity in a nonlinear load case weighs the materials' density: elastic and small, it
/// is the linear static solution.
#[test]
fn gravity_in_a_nonlinear_load_case_is_the_static_one() {
    let dir = tempfile::tempdir().unwrap();
    let g = |name: &str, analysis: &str| {
        format!("[[load_case]]\nname = \"{name}\"\nanalysis = \"{analysis}\"\n{}[[load_case.load]]\ntype = \"gravity\"\nacceleration = [0.0, 0.0, -9.81]\n",
            if analysis == "nonlinear" { "max_increment = 0.25\n" } else { "" })
    };
    let (ok, err, s) = run(
        dir.path(),
        &format!("{BEAM}{}{}", g("nl", "nonlinear"), g("lin", "static")),
    );
    assert!(ok, "{err}");
    // No increment above 0.25 of the load: at least four.
    let increments = s["load_cases"][0]["scalars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "increments")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(increments >= 4.0, "{increments}");
    let (a, b) = (
        key(&s, "nl", "max_displacement"),
        key(&s, "lin", "max_displacement"),
    );
    assert!(b > 0.0 && (a / b - 1.0).abs() < 1e-6, "{a} vs {b}");
}

/// A cyclic proof load through `load_path` (pull to 1, push to −1, release): the
/// increments land on the corners, the XDMF series runs over rising pseudo-time with
/// each step's load factor, `load_capacity` reads the largest load factor carried (1,
/// not the 0 the path ends at), and the set after the cycle is smaller than after the
/// pull alone (isotropic hardening: the push yields the root a little in reverse).
#[test]
fn cyclic_load_path_is_followed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let capacity = "[[load_case.criterion]]\ntype = \"load_capacity\"\nmin = 0.9\n";
    let text = format!(
        "{BEAM}[[probe]]\nname = \"tip\"\npoint = [0.2, 0.01, 0.01]\n{}{capacity}{}",
        load_case(
            "cycle",
            "nonlinear",
            "load_path = [[1.0, 1.0], [3.0, -1.0], [4.0, 0.0]]\n",
            -3400.0
        ),
        load_case("pull", "nonlinear", "unload = true\n", -3400.0),
    );
    let (ok, err, s) = run(dir.path(), &text);
    assert!(ok, "{err}");
    let verdict = s["verdict"].as_str().unwrap_or_default();
    assert!(verdict.starts_with("PASS"), "{verdict}: {err}");
    let (cycle, pull) = (
        key(&s, "cycle", "max_displacement"),
        key(&s, "pull", "max_displacement"),
    );
    println!("set after the cycle {cycle:e} m, after the pull alone {pull:e} m");
    assert!(cycle < pull && cycle > 0.5 * pull && pull > 1e-5);
    assert_eq!(key(&s, "cycle", "carried_load_factor"), 1.0);
    let xdmf = std::fs::read_to_string(dir.path().join("out/nl_cycle.xdmf")).unwrap();
    let times: Vec<f64> = xdmf
        .split("Time Value=\"")
        .skip(1)
        .map(|t| t[..t.find('"').unwrap()].parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[1] > w[0]), "{times:?}");
    for corner in [1.0, 3.0, 4.0] {
        assert!(times.contains(&corner), "{corner} not in {times:?}");
    }
    let file = hdf5_pure::File::open(dir.path().join("out/nl.h5")).unwrap();
    let curve = file
        .dataset("load_cases/cycle/load_displacement")
        .unwrap()
        .read_f64()
        .unwrap();
    // Pseudo-time, load factor, largest |u|, u at the tip (3): the first row the origin.
    assert_eq!(curve.len() % 6, 0);
    assert!(curve[..6].iter().all(|&v| v == 0.0));
    let tip_z: Vec<f64> = curve.chunks(6).map(|r| r[5]).collect();
    assert!(tip_z.iter().any(|&z| z < -1e-4) && tip_z.iter().any(|&z| z > 1e-4));
}
