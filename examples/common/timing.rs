//! Timing of whole programs for the benchmarks that run a peer beside vproto, and
//! reading the peer's printed tables.

use std::process::Command;
use std::time::Instant;

/// Runs `command` in `dir` under GNU time: its output, wall seconds and peak memory (MiB).
pub fn timed(command: Command, dir: &std::path::Path) -> (std::process::Output, f64, f64) {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(command.get_program())
        .args(command.get_args())
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(dir)
        .output()
        .expect("GNU time and the program are installed");
    let seconds = t.elapsed().as_secs_f64();
    let mib = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0);
    (out, seconds, mib)
}

/// The rows of a printed table (a CalculiX .dat file) that hold exactly `width`
/// numbers, parsed.
pub fn numeric_rows(text: &str, width: usize) -> impl Iterator<Item = Vec<f64>> + '_ {
    text.lines().filter_map(move |l| {
        let v: Vec<f64> = l
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        (v.len() == width).then_some(v)
    })
}

/// A scalar of a load case in vproto's summary JSON (NaN when it is not there).
#[allow(dead_code)] // not every benchmark reads a summary
pub fn scalar(load_case: &serde_json::Value, name: &str) -> f64 {
    load_case["scalars"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == name))
        .and_then(|s| s["value"].as_f64())
        .unwrap_or(f64::NAN)
}
