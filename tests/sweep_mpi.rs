//! A sweep shared across two MPI ranks on this machine gives the same table as one
//! process. Built and run only with the `mpi` feature:
//! `cargo test --release --features mpi --test sweep_mpi` (needs Open MPI's `mpirun`).
#![cfg(feature = "mpi")]

use std::path::Path;
use std::process::Command;

#[test]
fn two_ranks_give_the_single_process_table() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/strap_sweep.toml");
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let single = vproto::sweep::run_sweep(&case, Some(one.clone())).unwrap();
    let run = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-n",
            "2",
            env!("CARGO_BIN_EXE_vproto"),
            "sweep",
        ])
        .arg(&case)
        .arg("--out")
        .arg(&two)
        .output()
        .expect("mpirun is installed (Debian: openmpi-bin)");
    assert!(
        run.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        stdout.matches("vproto sweep").count(),
        1,
        "only rank 0 reports:\n{stdout}"
    );

    let read = |d: &Path| std::fs::read_to_string(d.join("strap_sweep_sweep.csv")).unwrap();
    let (a, b) = (read(&one), read(&two));
    assert_eq!(a.lines().count(), single.points.len() + 1);
    for (la, lb) in a.lines().zip(b.lines()) {
        for (x, y) in la.split(',').zip(lb.split(',')) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                // Parallel assembly adds element matrices in whatever order the
                // threads reach them, so two runs agree to round-off, not bit for bit
                // (a margin differed by 2.6e-12 relative in one CI run).
                (Ok(x), Ok(y)) => {
                    assert!((x - y).abs() <= 1e-9 * x.abs().max(1e-300), "{x} vs {y}")
                }
                _ => assert_eq!(x, y),
            }
        }
    }
    // Both ranks wrote their own points' result files.
    for p in &single.points {
        assert!(
            two.join(&p.folder).join("point.json").exists(),
            "point {} ({})",
            p.id,
            p.folder
        );
    }
}
