//! `vproto regress` as CI uses it: baselines written, matched, a real change caught as
//! a regression, JUnit XML and Markdown written.

use std::path::Path;
use std::process::Command;

fn regress(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vproto"))
        .arg("regress")
        .arg(dir)
        .arg("--out")
        .arg(dir.join("out"))
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn baselines_catch_a_changed_design_and_reports_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/cantilever.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("cantilever.toml"), &src).unwrap();

    let (code, text) = regress(dir.path(), &[]);
    assert_eq!(code, Some(1), "no baseline yet is a regression:\n{text}");
    assert!(text.contains("no baseline"), "{text}");

    let (code, text) = regress(dir.path(), &["--update"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(dir.path().join("baselines/cantilever.json").exists());

    let junit = dir.path().join("report.xml");
    let md = dir.path().join("summary.md");
    let (code, text) = regress(
        dir.path(),
        &[
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("regress: 1 passed, 0 failed"), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(
        xml.matches("<testcase").count(),
        7,
        "six checks and the baseline comparison:\n{xml}"
    );
    assert!(!xml.contains("<failure"));
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .contains("| ✅ cantilever | PASS | 6/6 |"));

    // A heavier tip load: the design still passes its criteria, but its results moved.
    std::fs::write(
        dir.path().join("cantilever.toml"),
        src.replace("total = [0.0, 0.0, -1000.0]", "total = [0.0, 0.0, -1005.0]"),
    )
    .unwrap();
    let (code, text) = regress(dir.path(), &["--junit", junit.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("changed  tip_load/max_displacement")
            && text.contains("regress: 0 passed, 1 failed"),
        "{text}"
    );
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("quantities changed"));
}

/// Two cases of one name would share a baseline; a `baselines` link would let an update
/// write wherever it points. Both are refused before anything runs or is written.
#[test]
fn shared_baselines_and_linked_baseline_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/cantilever.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("a.toml"), &src).unwrap();
    std::fs::write(dir.path().join("b.toml"), &src).unwrap();
    let (code, text) = regress(dir.path(), &["--update"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("both named 'cantilever'"), "{text}");
    assert!(!dir.path().join("baselines").exists());

    std::fs::remove_file(dir.path().join("b.toml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("baselines")).unwrap();
    let (code, text) = regress(dir.path(), &["--update"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("symbolic link"), "{text}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}
