//! Never a silently wrong answer: inputs that once gave a verdict with exit 0 (or a
//! panic) now give a clear error naming the file and line, or a verdict that says it
//! cannot decide. Each test is one class of the trust issue.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn case_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("cases")
            .join(name),
    )
    .unwrap()
}

/// Runs `vproto run` on `text` written as `<dir>/<file>` (models resolve from `cases/`).
fn run(dir: &Path, file: &str, text: &str) -> Output {
    let text = text.replace(
        "\"../models/",
        &format!("\"{}/models/", env!("CARGO_MANIFEST_DIR")),
    );
    let path: PathBuf = dir.join(file);
    std::fs::write(&path, text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args([
            "run",
            path.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ])
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn non_finite_numbers_are_errors_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("cantilever.toml");
    let line = |needle: &str| src[..src.find(needle).unwrap()].matches('\n').count() + 1;
    let o = run(
        dir.path(),
        "inf.toml",
        &src.replace("limit = 0.5e-3", "limit = inf"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("inf.toml:{}", line("limit = 0.5e-3"))),
        "{}",
        stderr(&o)
    );
    let o = run(
        dir.path(),
        "nan.toml",
        &src.replace("limit = 0.5e-3", "limit = nan"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let with_param = src
        .replace(
            "name = \"cantilever\"",
            "name = \"cantilever\"\n[parameters]\nk = 1000.0",
        )
        .replace("limit = 0.5e-3", "limit = ${exp(k)}");
    let o = run(dir.path(), "exp.toml", &with_param);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a finite number"), "{}", stderr(&o));
    let o = run(
        dir.path(),
        "div.toml",
        &with_param.replace("${exp(k)}", "${-1/0}"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn implausible_material_constants_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("nafems_le10.toml");
    for e in ["1e-300", "1e308"] {
        let o = run(
            dir.path(),
            "e.toml",
            &src.replace("youngs_modulus = 210e9", &format!("youngs_modulus = {e}")),
        );
        assert_eq!(o.status.code(), Some(2), "E = {e}");
        assert!(stderr(&o).contains("check the units"), "{}", stderr(&o));
    }
}

#[test]
fn a_case_without_criteria_says_so_and_is_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("nafems_le10.toml");
    let cut = src.find("[[load_case.criterion]]").unwrap();
    let o = run(dir.path(), "results_only.toml", &src[..cut]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("NO CRITERIA") && out.contains("results only") && !out.contains("PASS"),
        "{out}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/nafems_le10.summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["verdict"], "NO CRITERIA");
}

/// A forbidden band above the highest computed mode cannot be decided: a mode inside
/// it was simply not computed. Once enough modes cover it, the check decides.
#[test]
fn a_band_above_the_computed_modes_cannot_pass() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("fixture_modal.toml").replace("min = 500.0", "min = 100.0");
    let band = src
        .replace("min = 45.0", "min = 30000.0")
        .replace("max = 55.0", "max = 31000.0");
    let o = run(dir.path(), "band.toml", &band);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains("cannot decide") && out.contains("not enough modes"),
        "{out}"
    );
    let o = run(
        dir.path(),
        "band_ok.toml",
        &band.replace("modes = 8", "modes = 14"),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("cannot decide"), "{out}");
}

/// A parameter's text is a TOML string value, never TOML text: it cannot end the
/// string and write tables of its own.
#[test]
fn text_parameters_cannot_inject_tables() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("cantilever.toml")
        .replace("all = \"steel_s355\"", "all = \"${material}\"")
        .replace(
            "name = \"cantilever\"",
            "name = \"cantilever\"\n[parameters]\nmaterial = \"steel_s355\"",
        );
    let path = dir.path().join("p.toml");
    std::fs::write(&path, &src).unwrap();
    let evil = "steel_s355\"\n[output]\ndirectory = \"/tmp/owned\"\n#";
    let mut params = vproto::params::Parameters::new();
    params.insert("material".into(), vproto::params::Value::Text(evil.into()));
    let case = vproto::case::Case::load_with(&path, &params).unwrap();
    assert!(case.spec.output.directory.is_none());
    assert_eq!(case.spec.regions["all"].get_ref(), evil);
}

/// Eigenproblems that are empty (no mass, no preload stress) or absurdly large are
/// errors naming the cause, not panics or runs of many minutes.
#[test]
fn empty_or_oversized_eigenproblems_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let strut = case_text("strut_buckling.toml");
    let o = run(
        dir.path(),
        "zero.toml",
        &strut.replace("total = [0.0, 0.0, -4000.0]", "total = [0.0, 0.0, 0.0]"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("eigenproblem is empty"),
        "{}",
        stderr(&o)
    );
    let o = run(
        dir.path(),
        "many.toml",
        &strut.replace("modes = 3", "modes = 100000"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("modes = 100000"), "{}", stderr(&o));
    let massless = case_text("fixture_modal.toml")
        .replace("bracket = \"aluminium_6061_t6\"", "bracket = \"massless\"")
        + "\n[materials.massless]\nyoungs_modulus = 70e9\npoisson_ratio = 0.3\ndensity = 0.0\n";
    let o = run(dir.path(), "massless.toml", &massless);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("eigenproblem is empty") && !stderr(&o).contains("panicked"),
        "{}",
        stderr(&o)
    );
}

/// TOML errors keep their line, duplicate keys and tables included.
#[test]
fn duplicate_keys_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("cantilever.toml");
    let doubled = src.replacen("description = ", "name = \"again\"\ndescription = ", 1);
    let line = doubled[..doubled.find("name = \"again\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let o = run(dir.path(), "dup.toml", &doubled);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("dup.toml:{line}: duplicate key")),
        "{}",
        stderr(&o)
    );
}

/// A part drawn in millimetres: read as metres it is a thousand times too large, which
/// the table and the summary flag; `[model] unit = "mm"` scales it and gives the
/// results of the part drawn in metres.
#[test]
fn a_millimetre_model_is_flagged_and_one_line_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("cantilever.toml");
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("out/{name}.summary.json"))).unwrap(),
        )
        .unwrap()
    };
    let metres = run(
        dir.path(),
        "m.toml",
        &src.replace("name = \"cantilever\"", "name = \"in_m\""),
    );
    assert_eq!(metres.status.code(), Some(0), "{}", stderr(&metres));
    let mm = src
        .replace("name = \"cantilever\"", "name = \"in_mm\"")
        .replace("size = [1.0, 0.05, 0.1]", "size = [1000.0, 50.0, 100.0]");
    let unflagged = run(dir.path(), "mm.toml", &mm);
    let out = String::from_utf8_lossy(&unflagged.stdout);
    assert!(
        out.contains("WARNING") && out.contains("unit = \"mm\""),
        "{out}"
    );
    assert!(json("in_mm")["model"]["warnings"]
        .as_array()
        .is_some_and(|w| !w.is_empty()));
    let (a, b) = (json("in_m"), json("in_mm"));
    assert!(b["model"]["mass"].as_f64().unwrap() > 1e6 * a["model"]["mass"].as_f64().unwrap());
    let fixed = mm.replace(
        "[model.generate]",
        "[model]\nunit = \"mm\"\n\n[model.generate]",
    );
    let o = run(dir.path(), "mm_fixed.toml", &fixed);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("WARNING"));
    let fixed = json("in_mm");
    let mass = |v: &serde_json::Value| v["model"]["mass"].as_f64().unwrap();
    assert!((mass(&fixed) - mass(&a)).abs() < 1e-9 * mass(&a));
    let u = |v: &serde_json::Value| {
        v["load_cases"][0]["key_results"][0]["value"]
            .as_f64()
            .unwrap()
    };
    assert!(
        (u(&fixed) - u(&a)).abs() < 1e-9 * u(&a),
        "{} vs {}",
        u(&fixed),
        u(&a)
    );
}

/// A model that does not fit the memory is refused with the numbers before its factor
/// is allocated (here under a user limit of 1 MiB), never killed halfway.
#[test]
fn a_model_too_large_for_the_memory_is_refused_early() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, case_text("cantilever.toml")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args([
            "run",
            path.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ])
        .env("VPROTO_MEMORY_LIMIT_GIB", "0.001")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("would need about") && e.contains("MiB") && e.contains("refused"),
        "{e}"
    );
}

/// Under `method = "auto"` a model whose factor does not fit but whose multigrid
/// solver does is solved iteratively, and the summary says which method and why.
#[test]
fn a_factor_that_does_not_fit_falls_back_to_multigrid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let text = case_text("bracket_proof_load.toml").replace(
        "\"../models/",
        &format!("\"{}/models/", env!("CARGO_MANIFEST_DIR")),
    );
    std::fs::write(&path, text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(["run", path.to_str().unwrap(), "--json", "--out"])
        .arg(dir.path().join("out"))
        .env("VPROTO_MEMORY_LIMIT_GIB", "0.07")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["solver"]["precision"], "multigrid");
    let why = s["solver"]["method"].as_str().unwrap();
    assert!(
        why.starts_with("iterative: the direct factor would need"),
        "{why}"
    );
    assert_eq!(s["verdict"], "PASS");
}

/// Found by the fuzz harness: an output step longer than the motion panicked; fewer
/// than ten output intervals would let criteria on the histories miss the motion.
#[test]
fn a_motion_sampled_too_coarsely_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("toggle_clamp.toml");
    let start = src.find("output_step = ").unwrap();
    let end = start + src[start..].find('\n').unwrap();
    for step in ["1e308", "0.1"] {
        let text = format!("{}output_step = {step}{}", &src[..start], &src[end..]);
        let o = run(dir.path(), "coarse.toml", &text);
        assert_eq!(o.status.code(), Some(2), "{step}");
        assert!(
            stderr(&o).contains("at least 10") && !stderr(&o).contains("internal error"),
            "{}",
            stderr(&o)
        );
    }
}

/// A field criterion on a modal load case would read one mode shape of arbitrary
/// scale: it is an error at its line, not a check.
#[test]
fn field_criteria_on_mode_shapes_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = case_text("fixture_modal.toml");
    let text = src.replacen(
        "[[load_case.criterion]]",
        "[[load_case.criterion]]\ntype = \"max_component\"\nquantity = \"displacement.z\"\nmax = 1.0\n\n[[load_case.criterion]]",
        1,
    );
    let line = text[..text.find("type = \"max_component\"").unwrap()]
        .matches('\n')
        .count();
    let o = run(dir.path(), "shape.toml", &text);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("shape.toml:{line}")) && stderr(&o).contains("single state"),
        "{}",
        stderr(&o)
    );
}
