//! Running case files through the `vproto` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes a case file into `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `vproto run <case> --out <case's dir>/out` with `extra` arguments.
pub fn run(case: &Path, extra: &[&str]) -> Output {
    run_into(case, &case.parent().unwrap().join("out"), extra)
}

/// `vproto run <case> --out <out>` with `extra` arguments.
pub fn run_into(case: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args([
            "run",
            case.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// Runs a case that must succeed (exit 0) and opens its HDF5 results.
pub fn run_case(case: &Path) -> hdf5_pure::File {
    let run = run(case, &[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let stem = case.file_stem().unwrap().to_str().unwrap();
    let out = case.parent().unwrap().join("out");
    hdf5_pure::File::open(out.join(format!("{stem}.h5"))).unwrap()
}

/// Runs a case with `--json` that must succeed: its summary.
pub fn run_json(case: &Path) -> serde_json::Value {
    let run = run(case, &["--json"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

/// Runs a case that must be refused (exit 2): its error text.
pub fn refused(case: &Path) -> String {
    let run = run(case, &[]);
    assert_eq!(
        run.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    String::from_utf8_lossy(&run.stderr).into_owned()
}
