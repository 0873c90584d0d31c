//! Regression of design cases for CI: run every case of a directory, compare its key
//! results with a stored baseline under tolerances, and report regressions,
//! improvements and failed criteria (table, JUnit XML, Markdown).
//!
//! A baseline is a small JSON file per case (`<dir>/baselines/<case>.json`): every key
//! quantity by name, and optional tolerances. It is written by `vproto regress --update`
//! after an intended change and reviewed like code.

use crate::report::Summary;
use crate::results::RESOLUTION;
use crate::run::{run_case, RunOptions};
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Default tolerance relative to the baseline value.
pub const DEFAULT_RELATIVE: f64 = 1e-6;
/// Default absolute tolerance, as a fraction of the largest value of the same kind in
/// the case (so reaction components of round-off size compare sensibly).
pub const DEFAULT_ABSOLUTE_OF_KIND: f64 = 1e-8;

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Tolerance {
    pub relative: f64,
    pub absolute: f64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub case: String,
    /// Quantity name → value (SI).
    pub quantities: BTreeMap<String, f64>,
    /// Tolerances by quantity-name prefix (the longest matching prefix applies).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tolerances: BTreeMap<String, Tolerance>,
}

/// The key quantities of a run, by name: every check's value, and every load case's key
/// results (extremes, reactions, frequencies, buckling factors, temperatures, probes).
pub fn quantities(s: &Summary) -> BTreeMap<String, f64> {
    let mut q = BTreeMap::new();
    if let Some(mass) = s.model.as_ref().and_then(|m| m.mass) {
        q.insert("mass".to_string(), mass);
    }
    if let Some(m) = &s.motion {
        for j in &m.joints {
            q.insert(format!("motion/peak_force/{}", j.name), j.peak_force);
        }
        for b in &m.bodies {
            q.insert(
                format!("motion/max_acceleration/{}", b.name),
                b.max_acceleration,
            );
        }
    }
    for c in &s.checks {
        q.insert(format!("check/{}/{}", c.load_case, c.criterion), c.value);
    }
    for lc in &s.load_cases {
        for k in &lc.key_results {
            q.insert(format!("{}/{}", lc.name, k.name), k.value);
        }
    }
    q
}

/// The tolerances below which a run cannot tell answers apart, by quantity: a load case
/// that states its [`RESOLUTION`] (contact's multipliers converged to 1e-3 of the
/// largest pressure) is compared at that relative resolution, and its checks also at
/// that share of their limit (a gap of 1e-11 m under a 1 µm limit is zero to it).
/// Round-off or a different order of augmentations on another machine is no regression.
pub fn resolutions(s: &Summary) -> BTreeMap<String, Tolerance> {
    let mut out = BTreeMap::new();
    for lc in &s.load_cases {
        let Some(r) = lc.scalars.iter().find(|x| x.name == RESOLUTION) else {
            continue;
        };
        let relative = r.value;
        for k in &lc.key_results {
            let name = format!("{}/{}", lc.name, k.name);
            out.insert(
                name,
                Tolerance {
                    relative,
                    absolute: 0.0,
                },
            );
        }
        for c in s.checks.iter().filter(|c| c.load_case == lc.name) {
            let name = format!("check/{}/{}", c.load_case, c.criterion);
            let absolute = relative * c.limit.abs();
            out.insert(name, Tolerance { relative, absolute });
        }
    }
    out
}

/// The kind of a quantity for the absolute tolerance: its name without load case, set
/// or component (`reaction`, `max_von_mises`, `frequency`, …), so a reaction component
/// that is round-off compares against the size of the reactions.
fn kind(name: &str) -> String {
    // A check's kind is its criterion without the set or region in parentheses, so a
    // displacement check never takes a stress check's size as its tolerance.
    if let Some(criterion) = name.strip_prefix("check/").and_then(|r| r.split_once('/')) {
        let base = criterion.1.split(" (").next().unwrap_or(criterion.1);
        return format!("check/{base}");
    }
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        [_, "reaction", ..] => "reaction".into(),
        // Probe values compare with the same field at the other probes.
        [_, "probe", _, field, ..] => format!("probe/{field}"),
        [_, k, ..] => k.to_string(),
        _ => name.to_string(),
    }
}

/// How one quantity compares with its baseline.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Changed {
        baseline: f64,
        current: f64,
        improvement: bool,
    },
    Missing {
        baseline: f64,
    },
    New {
        current: f64,
    },
}

#[derive(Debug, Serialize)]
pub struct CaseReport {
    pub case: String,
    pub file: String,
    /// The run's verdict, or "ERROR".
    pub verdict: String,
    pub error: Option<String>,
    pub baseline_found: bool,
    pub changes: BTreeMap<String, Change>,
    /// (load case, criterion, pass, margin) of every check.
    pub checks: Vec<(String, String, bool, Option<f64>)>,
    pub seconds: f64,
}

impl CaseReport {
    /// A regression: the run failed, a criterion failed, the baseline is missing, or a
    /// quantity moved beyond its tolerance in a way that is not an improvement.
    pub fn regressed(&self) -> bool {
        self.verdict != "PASS" || !self.matches_baseline()
    }

    /// The run succeeded, has a baseline, and nothing moved beyond tolerance except
    /// improvements.
    pub fn matches_baseline(&self) -> bool {
        self.error.is_none() && self.baseline_found && self.regressions().is_empty()
    }

    /// Quantities that changed for the worse or disappeared.
    pub fn regressions(&self) -> Vec<(&String, &Change)> {
        self.changes
            .iter()
            .filter(|(_, c)| {
                matches!(
                    c,
                    Change::Changed {
                        improvement: false,
                        ..
                    } | Change::Missing { .. }
                )
            })
            .collect()
    }
}

/// Compares current quantities with a baseline. A changed check value counts as an
/// improvement when its margin grew; any other change beyond tolerance is a regression.
pub fn compare(
    baseline: &Baseline,
    current: &BTreeMap<String, f64>,
    margins: &BTreeMap<String, (f64, f64)>,
    resolutions: &BTreeMap<String, Tolerance>,
) -> BTreeMap<String, Change> {
    let mut largest: BTreeMap<String, f64> = BTreeMap::new();
    for (k, v) in baseline.quantities.iter().chain(current) {
        let e = largest.entry(kind(k)).or_insert(0.0);
        *e = e.max(v.abs());
    }
    let tolerance = |name: &str| {
        baseline
            .tolerances
            .iter()
            .filter(|(prefix, _)| name.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, t)| *t)
            .unwrap_or_else(|| {
                let floor = resolutions.get(name).copied().unwrap_or(Tolerance {
                    relative: 0.0,
                    absolute: 0.0,
                });
                Tolerance {
                    relative: DEFAULT_RELATIVE.max(floor.relative),
                    absolute: (DEFAULT_ABSOLUTE_OF_KIND * largest[&kind(name)]).max(floor.absolute),
                }
            })
    };
    let mut changes = BTreeMap::new();
    for (name, &base) in &baseline.quantities {
        match current.get(name) {
            None => {
                changes.insert(name.clone(), Change::Missing { baseline: base });
            }
            Some(&cur) => {
                let t = tolerance(name);
                if (cur - base).abs() > t.absolute + t.relative * base.abs()
                    || cur.is_nan() != base.is_nan()
                {
                    // For a check, compare margins: (limit - value) for upper bounds.
                    let improvement = margins.get(name).is_some_and(|(old, new)| new > old);
                    changes.insert(
                        name.clone(),
                        Change::Changed {
                            baseline: base,
                            current: cur,
                            improvement,
                        },
                    );
                }
            }
        }
    }
    for (name, &cur) in current {
        if !baseline.quantities.contains_key(name) {
            changes.insert(name.clone(), Change::New { current: cur });
        }
    }
    changes
}

fn baseline_path(dir: &Path, case: &str) -> PathBuf {
    dir.join("baselines").join(format!("{case}.json"))
}

/// Baselines are keyed by case name: two files of one name would share (and overwrite)
/// one baseline, so that is an error; so is a `baselines` folder that is a link (an
/// update would write wherever it points).
fn refuse_shared_baselines(dir: &Path, files: &[PathBuf]) -> Result<()> {
    let baselines = dir.join("baselines");
    if std::fs::symlink_metadata(&baselines).is_ok_and(|m| m.file_type().is_symlink()) {
        anyhow::bail!(
            "{} is a symbolic link: baselines must be a real folder of the case directory",
            baselines.display()
        );
    }
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for file in files {
        let Ok(case) = crate::case::Case::load(file) else {
            continue; // reported when the case runs
        };
        if let Some(other) = seen.insert(case.name(), file) {
            anyhow::bail!(
                "{} and {} are both named '{}': they would share one baseline; give each case its own `name`",
                other.display(),
                file.display(),
                case.name()
            );
        }
    }
    Ok(())
}

/// Runs every case (`*.toml`) of `dir` in parallel and compares it with its baseline;
/// with `update`, writes the current results as the new baselines instead.
pub fn regress(dir: &Path, out: &Path, update: bool) -> Result<Vec<CaseReport>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{} has no case files (*.toml)", dir.display());
    }
    refuse_shared_baselines(dir, &files)?;
    files
        .par_iter()
        .map(|file| {
            let stem = file
                .file_stem()
                .map_or("case".into(), |s| s.to_string_lossy().into_owned());
            let t = std::time::Instant::now();
            let run = run_case(
                file,
                &RunOptions {
                    out_dir: Some(out.join(&stem)),
                    vtkhdf: false,
                },
            );
            let seconds = t.elapsed().as_secs_f64();
            let summary = match run {
                Ok(s) => s,
                Err(e) => {
                    return Ok(CaseReport {
                        case: stem,
                        file: file.display().to_string(),
                        verdict: "ERROR".into(),
                        error: Some(format!("{e:#}")),
                        baseline_found: false,
                        changes: BTreeMap::new(),
                        checks: vec![],
                        seconds,
                    })
                }
            };
            let current = quantities(&summary);
            let path = baseline_path(dir, &summary.case);
            let previous: Option<Baseline> = std::fs::read_to_string(&path)
                .ok()
                .map(|t| serde_json::from_str(&t))
                .transpose()
                .with_context(|| format!("baseline {}", path.display()))?;
            if update {
                let baseline = Baseline {
                    case: summary.case.clone(),
                    quantities: current.clone(),
                    tolerances: previous
                        .as_ref()
                        .map(|b| b.tolerances.clone())
                        .unwrap_or_default(),
                };
                std::fs::create_dir_all(path.parent().expect("baselines dir"))?;
                crate::output::atomically(&path, |tmp| {
                    Ok(std::fs::write(
                        tmp,
                        serde_json::to_string_pretty(&baseline)? + "\n",
                    )?)
                })?;
            }
            let margins: BTreeMap<String, (f64, f64)> = previous
                .as_ref()
                .map(|b| {
                    summary
                        .checks
                        .iter()
                        .filter_map(|c| {
                            let name = format!("check/{}/{}", c.load_case, c.criterion);
                            let old = *b.quantities.get(&name)?;
                            let signed = |v: f64| match c.bound {
                                crate::criteria::Bound::Upper => c.limit - v,
                                crate::criteria::Bound::Lower => v - c.limit,
                            };
                            Some((name, (signed(old), signed(c.value))))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let (baseline_found, changes) = match (&previous, update) {
                (_, true) => (true, BTreeMap::new()),
                (Some(b), false) => (true, compare(b, &current, &margins, &resolutions(&summary))),
                (None, false) => (false, BTreeMap::new()),
            };
            Ok(CaseReport {
                case: summary.case.clone(),
                file: file.display().to_string(),
                verdict: summary.verdict.to_string(),
                error: None,
                baseline_found,
                changes,
                checks: summary
                    .checks
                    .iter()
                    .map(|c| {
                        let op = if c.bound == crate::criteria::Bound::Upper {
                            "<="
                        } else {
                            ">="
                        };
                        (
                            c.load_case.clone(),
                            format!(
                                "{} {op} {}",
                                c.criterion,
                                crate::units::value(c.limit, c.quantity, summary.temperature_unit)
                            ),
                            c.pass,
                            c.margin,
                        )
                    })
                    .collect(),
                seconds,
            })
        })
        .collect()
}

/// The plain-text report printed by `vproto regress`.
pub fn text(reports: &[CaseReport]) -> String {
    // Baselines compare at 1e-6: show enough digits to see such a change.
    let sig = |v: f64| crate::units::sig_n(v, 8);
    let mut s = String::new();
    for r in reports {
        let status = if r.regressed() { "REGRESSED" } else { "ok" };
        let _ = writeln!(
            s,
            "{:<32} {:<5} {:>7.2} s  {status}",
            r.case, r.verdict, r.seconds
        );
        if let Some(e) = &r.error {
            let _ = writeln!(s, "    error: {}", e.lines().next().unwrap_or(""));
        }
        if !r.baseline_found && r.error.is_none() {
            let _ = writeln!(s, "    no baseline: run `vproto regress --update` and review the new baselines/{}.json", r.case);
        }
        for (lc, criterion, pass, _) in r.checks.iter().filter(|c| !c.2) {
            let _ = writeln!(s, "    criterion fails: {lc}: {criterion} (pass = {pass})");
        }
        for (name, c) in &r.changes {
            let line = match c {
                Change::Changed {
                    baseline,
                    current,
                    improvement,
                } => {
                    let rel = (current - baseline) / baseline.abs().max(f64::MIN_POSITIVE);
                    format!(
                        "{} {name}: {} -> {} ({}%)",
                        if *improvement { "improved" } else { "changed " },
                        sig(*baseline),
                        sig(*current),
                        crate::units::margin(Some(100.0 * rel))
                    )
                }
                Change::Missing { baseline } => {
                    format!("missing  {name} (baseline {})", sig(*baseline))
                }
                Change::New { current } => format!("new      {name} = {}", sig(*current)),
            };
            let _ = writeln!(s, "    {line}");
        }
    }
    let bad = reports.iter().filter(|r| r.regressed()).count();
    let _ = writeln!(s, "regress: {} passed, {bad} failed", reports.len() - bad);
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one test suite per case, one test case per load case × criterion, and one
/// for the comparison with the baseline.
pub fn junit(reports: &[CaseReport]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"vproto regress\">\n",
    );
    for r in reports {
        let tests = r.checks.len() + 1;
        let failures =
            r.checks.iter().filter(|c| !c.2).count() + usize::from(!r.matches_baseline());
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" time=\"{:.3}\">",
            xml(&r.case),
            r.seconds
        );
        for (lc, criterion, pass, margin) in &r.checks {
            let _ = write!(
                s,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&r.case),
                xml(&format!("{lc}: {criterion}"))
            );
            if *pass {
                s += "/>\n";
            } else {
                let _ = writeln!(
                    s,
                    "><failure message=\"criterion fails, margin {}\"/></testcase>",
                    crate::units::margin(*margin)
                );
            }
        }
        let _ = write!(
            s,
            "    <testcase classname=\"{}\" name=\"results match baseline\"",
            xml(&r.case)
        );
        let regressions: Vec<String> = r
            .regressions()
            .iter()
            .map(|(n, c)| format!("{n}: {c:?}"))
            .collect();
        match (&r.error, r.baseline_found, regressions.is_empty()) {
            (Some(e), ..) => {
                let _ = writeln!(
                    s,
                    "><error message=\"{}\"/></testcase>",
                    xml(e.lines().next().unwrap_or(""))
                );
            }
            (None, false, _) => s += "><failure message=\"no baseline\"/></testcase>\n",
            (None, true, false) => {
                let _ = writeln!(
                    s,
                    "><failure message=\"{} quantities changed\">{}</failure></testcase>",
                    regressions.len(),
                    xml(&regressions.join("\n"))
                );
            }
            _ => s += "/>\n",
        }
        s += "  </testsuite>\n";
    }
    s += "</testsuites>\n";
    s
}

/// A Markdown summary for a pull-request comment.
pub fn markdown(reports: &[CaseReport]) -> String {
    let bad = reports.iter().filter(|r| r.regressed()).count();
    let mut s = format!("### vproto regress: {} of {} cases ok\n\n| case | verdict | checks passing | worst margin | baseline | time |\n|---|---|---|---|---|---|\n", reports.len() - bad, reports.len());
    for r in reports {
        let passing = r.checks.iter().filter(|c| c.2).count();
        let worst = r
            .checks
            .iter()
            .filter_map(|c| c.3)
            .reduce(f64::min)
            .map_or("–".into(), |m| format!("{m:+.3}"));
        let changed = r
            .changes
            .values()
            .filter(|c| matches!(c, Change::Changed { .. } | Change::Missing { .. }))
            .count();
        let baseline = match (&r.error, r.baseline_found, changed) {
            (Some(_), ..) => "error".to_string(),
            (None, false, _) => "missing".into(),
            (None, true, 0) => "matches".into(),
            (None, true, n) => format!("{n} changed"),
        };
        let icon = if r.regressed() { "❌" } else { "✅" };
        let _ = writeln!(
            s,
            "| {icon} {} | {} | {passing}/{} | {worst} | {baseline} | {:.1} s |",
            r.case,
            r.verdict,
            r.checks.len(),
            r.seconds
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(q: &[(&str, f64)]) -> Baseline {
        Baseline {
            case: "c".into(),
            quantities: q.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            tolerances: BTreeMap::new(),
        }
    }

    #[test]
    fn kinds_keep_quantities_of_different_units_apart() {
        assert_eq!(
            kind("check/tip/max von Mises (all, yield/1.5)"),
            "check/max von Mises"
        );
        assert_eq!(kind("check/tip/max |u_z| (xmax)"), "check/max |u_z|");
        assert_eq!(kind("lc/probe/D/stress/yy"), "probe/stress");
        assert_eq!(kind("lc/probe/D/displacement/x"), "probe/displacement");
        assert_eq!(kind("lc/reaction/fix/x"), "reaction");
        // A displacement check is not compared with a stress check's size.
        let b = baseline(&[
            ("check/lc/max von Mises (all)", 100e6),
            ("check/lc/max |u_z| (tip)", 3e-4),
        ]);
        let now: BTreeMap<String, f64> = [
            ("check/lc/max von Mises (all)", 100e6),
            ("check/lc/max |u_z| (tip)", 6e-4),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
        assert!(compare(&b, &now, &BTreeMap::new(), &BTreeMap::new())
            .contains_key("check/lc/max |u_z| (tip)"));
    }

    #[test]
    fn round_off_matches_and_real_changes_do_not() {
        let b = baseline(&[
            ("lc/max_von_mises", 100e6),
            ("lc/reaction/fix/x", 1e-9),
            ("lc/reaction/fix/z", 1000.0),
        ]);
        let same: BTreeMap<String, f64> = [
            ("lc/max_von_mises", 100e6 * (1.0 + 1e-12)),
            ("lc/reaction/fix/x", -3e-9),
            ("lc/reaction/fix/z", 1000.0),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
        assert!(compare(&b, &same, &BTreeMap::new(), &BTreeMap::new()).is_empty());
        let mut moved = same.clone();
        moved.insert("lc/max_von_mises".into(), 101e6);
        moved.remove("lc/reaction/fix/z");
        let c = compare(&b, &moved, &BTreeMap::new(), &BTreeMap::new());
        assert!(matches!(
            c["lc/max_von_mises"],
            Change::Changed {
                improvement: false,
                ..
            }
        ));
        assert!(matches!(c["lc/reaction/fix/z"], Change::Missing { .. }));
    }

    #[test]
    fn a_stated_resolution_widens_the_default_tolerance_and_no_more() {
        let b = baseline(&[("lc/max_contact_force", 1000.0), ("check/lc/gap", 1e-11)]);
        let floors: BTreeMap<String, Tolerance> = [
            ("lc/max_contact_force", 1e-3, 0.0),
            ("check/lc/gap", 1e-3, 1e-9),
        ]
        .iter()
        .map(|&(k, relative, absolute)| (k.to_string(), Tolerance { relative, absolute }))
        .collect();
        let near: BTreeMap<String, f64> =
            [("lc/max_contact_force", 1000.5), ("check/lc/gap", 3e-11)]
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect();
        assert!(compare(&b, &near, &BTreeMap::new(), &floors).is_empty());
        assert_eq!(
            compare(&b, &near, &BTreeMap::new(), &BTreeMap::new()).len(),
            2
        );
        let far: BTreeMap<String, f64> = [("lc/max_contact_force", 1002.0), ("check/lc/gap", 2e-9)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        assert_eq!(compare(&b, &far, &BTreeMap::new(), &floors).len(), 2);
    }

    #[test]
    fn a_grown_margin_is_an_improvement_and_tolerances_apply_by_prefix() {
        let mut b = baseline(&[("check/lc/max von Mises (all)", 100e6)]);
        let cur: BTreeMap<String, f64> =
            [("check/lc/max von Mises (all)".to_string(), 90e6)].into();
        let margins: BTreeMap<String, (f64, f64)> =
            [("check/lc/max von Mises (all)".to_string(), (50e6, 60e6))].into();
        assert!(matches!(
            compare(&b, &cur, &margins, &BTreeMap::new())["check/lc/max von Mises (all)"],
            Change::Changed {
                improvement: true,
                ..
            }
        ));
        b.tolerances.insert(
            "check/".into(),
            Tolerance {
                relative: 0.2,
                absolute: 0.0,
            },
        );
        assert!(compare(&b, &cur, &margins, &BTreeMap::new()).is_empty());
    }
}
