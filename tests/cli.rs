//! The command line as a user meets it: signs of life in logs, no colour codes in files,
//! the version with its commit, machine-readable listings, shell completions.

use std::path::PathBuf;
use std::process::Command;

fn vproto(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn case(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join(name)
        .display()
        .to_string()
}

/// `-v` logs every stage with the time since start; redirected, without colour codes
/// (and with `--color always`, with them).
#[test]
fn verbose_logs_name_each_stage_without_colour_in_files() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let run = vproto(&["run", &case("nafems_le10.toml"), "--out", dir, "-v"]);
    assert_eq!(run.status.code(), Some(0));
    let log = String::from_utf8_lossy(&run.stderr);
    for stage in [
        "reading the model",
        "load case 1 of 1",
        "ordering the equations",
        "assembling the stiffness",
        "factorising",
        "solving with the factor",
        "writing results",
    ] {
        assert!(log.contains(stage), "no '{stage}' in:\n{log}");
    }
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a redirected log:\n{log}"
    );
    // Each line starts with the seconds since start.
    assert!(
        log.lines().all(|l| l
            .trim_start()
            .split('s')
            .next()
            .unwrap()
            .parse::<f64>()
            .is_ok()),
        "{log}"
    );
    let detail = vproto(&["run", &case("nafems_le10.toml"), "--out", dir, "-vv"]);
    let detail = String::from_utf8_lossy(&detail.stderr);
    assert!(
        detail.contains("factor_entries") && detail.contains("memory_gib"),
        "{detail}"
    );
    let coloured = vproto(&[
        "run",
        &case("nafems_le10.toml"),
        "--out",
        dir,
        "-v",
        "--color",
        "always",
    ]);
    assert!(String::from_utf8_lossy(&coloured.stderr).contains('\u{1b}'));
}

/// A sweep whose stderr is not a terminal prints one plain line per finished point,
/// and its log lines name the point.
#[test]
fn a_sweep_in_a_ci_log_reports_each_point() {
    let out = tempfile::tempdir().unwrap();
    let run = vproto(&[
        "sweep",
        &case("strap_sweep.toml"),
        "--out",
        out.path().to_str().unwrap(),
        "-v",
    ]);
    assert_eq!(run.status.code(), Some(0));
    let log = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        log.lines()
            .filter(|l| l.starts_with("point ") && l.contains(" of 18: "))
            .count(),
        18,
        "{log}"
    );
    assert!(log.contains("point{id=17}"), "{log}");
    let json = vproto(&[
        "sweep",
        &case("strap_sweep.toml"),
        "--out",
        out.path().to_str().unwrap(),
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["points"].as_array().unwrap().len(), 18);
    assert!(report["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["reused"] == true));
}

#[test]
fn version_listings_and_completions() {
    let v = String::from_utf8(vproto(&["--version"]).stdout).unwrap();
    assert!(v.starts_with("vproto ") && v.contains("(commit "), "{v}");
    let m = vproto(&["materials", "--json"]);
    let lib: serde_json::Value = serde_json::from_slice(&m.stdout).unwrap();
    assert_eq!(lib["steel_s355"]["youngs_modulus"], 210e9);
    let table = String::from_utf8(vproto(&["materials"]).stdout).unwrap();
    assert!(
        table.lines().next().unwrap().contains("rho [kg/m³]"),
        "{table}"
    );
    let bash = String::from_utf8(vproto(&["completions", "bash"]).stdout).unwrap();
    assert!(
        bash.contains("complete") && bash.contains("regress"),
        "{bash}"
    );
}
