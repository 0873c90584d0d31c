//! Parameter sweeps: run a case at many values of its `[parameters]`, in parallel, and
//! find the lightest design that passes and the trade-off between mass and margin.
//!
//! Each design point is an ordinary run of the case with some parameters overridden,
//! written to its own directory. A point whose summary is already on disk with the same
//! parameters is read back instead of recomputed, so an interrupted sweep resumes where
//! it stopped. A point that cannot be run (bad geometry, singular model) is recorded
//! with its error and the sweep goes on.

use crate::output::atomically;
use crate::params::{Parameters, Value};
use crate::plot::Axis;
use crate::run::{run_case_with, RunOptions};
use crate::schema::sweep::{Plan, SweepSpec, ValuesSpec};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outcome of one design point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointResult {
    pub id: usize,
    pub parameters: Parameters,
    /// "PASS", "FAIL" or "ERROR".
    pub verdict: String,
    pub mass: Option<f64>,
    /// The smallest margin of safety over all checks (None: no checks, or an error).
    pub worst_margin: Option<f64>,
    /// Criterion label → (value, margin, pass).
    pub checks: BTreeMap<String, (f64, Option<f64>, bool)>,
    /// Criterion label → the SI unit of its value.
    #[serde(default)]
    pub check_units: BTreeMap<String, String>,
    /// The point's folder under the sweep's, named by its parameter values, so a
    /// point keeps its results when the value lists change around it.
    #[serde(default)]
    pub folder: String,
    pub error: Option<String>,
    pub reused: bool,
    /// A hash of the case text and every file it reads: a point is reused only when
    /// nothing it was computed from has changed.
    #[serde(default)]
    pub fingerprint: String,
}

#[derive(Debug, Serialize)]
pub struct SweepReport {
    pub case: String,
    pub points: Vec<PointResult>,
    /// Id of the lightest passing design.
    pub lightest_passing: Option<usize>,
    /// Ids of the designs no other beats in both mass and worst margin, lightest first.
    pub pareto_front: Vec<usize>,
    /// The unit of each parameter, as `[sweep.units]` gives it.
    pub parameter_units: BTreeMap<String, String>,
    pub files: Vec<String>,
}

/// The design points of a plan.
pub fn points(spec: &SweepSpec, case_dir: &Path) -> Result<Vec<Parameters>> {
    match spec.plan {
        Plan::Factorial => {
            let mut pts = vec![Parameters::new()];
            for (name, values) in &spec.values {
                let list = match values {
                    ValuesSpec::List(v) => v.clone(),
                    ValuesSpec::Range(r) => {
                        let n = r.steps.unwrap_or(2).max(2);
                        (0..n)
                            .map(|i| {
                                let t = i as f64 / (n - 1) as f64;
                                Value::Number(r.from * (1.0 - t) + r.to * t)
                            })
                            .collect()
                    }
                };
                pts = pts
                    .into_iter()
                    .flat_map(|p| {
                        list.iter().map(move |v| {
                            let mut q = p.clone();
                            q.insert(name.clone(), v.clone());
                            q
                        })
                    })
                    .collect();
            }
            Ok(pts)
        }
        Plan::LatinHypercube => {
            let Some(n) = spec.samples.filter(|&n| n > 0) else {
                bail!("a latin_hypercube plan needs `samples` > 0")
            };
            let mut rng = XorShift(spec.seed.unwrap_or(1).max(1));
            let mut pts = vec![Parameters::new(); n];
            for (name, values) in &spec.values {
                let mut strata: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    strata.swap(i, (rng.next() % (i as u64 + 1)) as usize);
                }
                for (p, &s) in pts.iter_mut().zip(&strata) {
                    let v = match values {
                        ValuesSpec::Range(r) => Value::Number(
                            r.from + (r.to - r.from) * (s as f64 + rng.unit()) / n as f64,
                        ),
                        ValuesSpec::List(list) => list[s * list.len() / n].clone(),
                    };
                    p.insert(name.clone(), v);
                }
            }
            Ok(pts)
        }
        Plan::Table => {
            let Some(file) = &spec.table else {
                bail!("a table plan needs `table = \"points.csv\"`")
            };
            let path = case_dir.join(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let header: Vec<&str> = lines
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .collect();
            lines
                .enumerate()
                .map(|(i, l)| {
                    let cells: Vec<&str> = l.split(',').map(str::trim).collect();
                    if cells.len() != header.len() {
                        bail!(
                            "{}:{}: {} values for {} columns",
                            path.display(),
                            i + 2,
                            cells.len(),
                            header.len()
                        );
                    }
                    Ok(header
                        .iter()
                        .zip(cells)
                        .map(|(h, c)| {
                            (
                                h.to_string(),
                                c.parse::<f64>()
                                    .map_or_else(|_| Value::Text(c.to_string()), Value::Number),
                            )
                        })
                        .collect())
                })
                .collect()
        }
    }
}

/// xorshift64*: a small, seeded, reproducible generator for sampling plans.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs every design point of the case's `[sweep]` in parallel, in this process.
pub fn run_sweep(path: &Path, out: Option<PathBuf>) -> Result<SweepReport> {
    run_sweep_on(path, out, &crate::distributed::Single)
}

/// Runs this rank's share of the design points in parallel and gathers every rank's
/// results; only rank 0 writes the sweep table and plots.
pub fn run_sweep_on(
    path: &Path,
    out: Option<PathBuf>,
    ranks: &dyn crate::distributed::Distribution,
) -> Result<SweepReport> {
    let case = crate::case::Case::load(path)?;
    let Some(spec) = &case.spec.sweep else {
        bail!("{}: the case has no [sweep] table", path.display())
    };
    let name = case.name();
    if let Some(k) = spec
        .units
        .keys()
        .find(|k| !case.parameters.contains_key(*k))
    {
        bail!(
            "{}: [sweep.units] names '{k}', which is not a parameter of [parameters]",
            path.display()
        );
    }
    let dir = out.unwrap_or_else(|| PathBuf::from("out").join(format!("{name}_sweep")));
    let pts = points(spec, path.parent().unwrap_or(Path::new(".")))?;
    if pts.is_empty() {
        bail!("{}: the sweep has no points", path.display());
    }
    let total = pts.len();
    let mine: Vec<(usize, Parameters)> = pts
        .into_iter()
        .enumerate()
        .filter(|(id, _)| id % ranks.size() == ranks.rank())
        .collect();
    let bar = indicatif::ProgressBar::new(mine.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} points, {elapsed} elapsed, ETA {eta}",
        )
        .expect("valid template"),
    );
    // On a terminal the bar moves; in a CI log each finished point is a plain line.
    let plain = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let start = std::time::Instant::now();
    let done: Vec<PointResult> = mine
        .into_par_iter()
        .map(|(id, p)| {
            let r = tracing::info_span!("point", id).in_scope(|| run_point(path, &dir, id, p));
            bar.inc(1);
            if plain {
                let reused = if r.reused { ", reused" } else { "" };
                eprintln!(
                    "point {id} of {total}: {}{reused} ({:.1} s elapsed)",
                    r.verdict,
                    start.elapsed().as_secs_f64()
                );
            }
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut points: Vec<PointResult> = Vec::with_capacity(total);
    for bytes in ranks.all_gather(serde_json::to_vec(&done)?) {
        points.extend(serde_json::from_slice::<Vec<PointResult>>(&bytes)?);
    }
    points.sort_by_key(|p| p.id);

    let passing = points
        .iter()
        .filter(|p| p.verdict == "PASS" && p.mass.is_some());
    let lightest_passing = passing
        .min_by(|a, b| {
            a.mass
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.mass.unwrap_or(f64::INFINITY))
        })
        .map(|p| p.id);
    let pareto_front = pareto(&points);
    let mut report = SweepReport {
        case: name.clone(),
        points,
        lightest_passing,
        pareto_front,
        parameter_units: spec.units.clone(),
        files: vec![],
    };
    if ranks.rank() != 0 {
        return Ok(report);
    }
    let csv = dir.join(format!("{name}_sweep.csv"));
    atomically(&csv, |tmp| Ok(std::fs::write(tmp, table_csv(&report))?))?;
    report.files.push(csv.display().to_string());
    let h5 = dir.join(format!("{name}_sweep.h5"));
    atomically(&h5, |tmp| table_hdf5(tmp, &report))?;
    report.files.push(h5.display().to_string());
    for (file, svg) in plots(&report, &report.parameter_units) {
        let path = dir.join(format!("{name}_{file}.svg"));
        atomically(&path, |tmp| Ok(std::fs::write(tmp, svg)?))?;
        report.files.push(path.display().to_string());
    }
    let json = dir.join(format!("{name}_sweep.json"));
    report.files.push(json.display().to_string());
    atomically(&json, |tmp| {
        Ok(std::fs::write(tmp, serde_json::to_string_pretty(&report)?)?)
    })?;
    Ok(report)
}

/// FNV-1a over the case file, every file its model reads (mesh, `.geo`, deck, material
/// libraries) and the point's parameters; `None` when a file cannot be read (the point
/// then runs, and reports the error itself).
fn fingerprint(path: &Path, parameters: &Parameters) -> Option<String> {
    let case = crate::case::Case::load_with(path, parameters).ok()?;
    // The case as this point sees it, less the [sweep] table: changing the value lists
    // changes no point that was already computed.
    let mut text: toml::Table = toml::from_str(&case.text).ok()?;
    text.remove("sweep");
    let mut inputs = Vec::new();
    if let Some(m) = &case.spec.model {
        inputs.extend(
            [&m.mesh, &m.geo, &m.inp]
                .into_iter()
                .flatten()
                .map(|p| case.resolve(p.get_ref())),
        );
    }
    inputs.extend(case.spec.material_library.iter().map(|p| case.resolve(p)));
    // Files a load case reads by an option (`psd_file = "…"`).
    let load_cases = text.get("load_case").and_then(|v| v.as_array());
    for lc in load_cases
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_table())
    {
        inputs.extend(
            lc.iter()
                .filter(|(k, _)| k.ends_with("_file"))
                .filter_map(|(_, v)| v.as_str())
                .map(|f| case.resolve(Path::new(f))),
        );
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(text.to_string().as_bytes());
    for file in inputs {
        eat(&std::fs::read(file).ok()?);
    }
    eat(serde_json::to_string(parameters).ok()?.as_bytes());
    Some(format!("{h:016x}"))
}

/// A point's folder: `point_<name>=<value>,…` (characters other than letters, digits
/// and `._=,-` as `_`), or `point_<hash>` when that would be too long.
pub fn point_folder(parameters: &Parameters) -> String {
    let text: Vec<String> = parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let text = text.join(",");
    if text.len() <= 120 {
        let clean: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._=,-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("point_{clean}")
    } else {
        let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("point_{h:016x}")
    }
}

fn run_point(path: &Path, dir: &Path, id: usize, parameters: Parameters) -> PointResult {
    let folder = point_folder(&parameters);
    let out = dir.join(&folder);
    let record = out.join("point.json");
    let print = fingerprint(path, &parameters).unwrap_or_default();
    // Reuse only a finished point of the same parameters, computed from the same inputs.
    if let Some(done) = std::fs::read_to_string(&record)
        .ok()
        .and_then(|t| serde_json::from_str::<PointResult>(&t).ok())
        .filter(|p| {
            p.parameters == parameters
                && !print.is_empty()
                && p.fingerprint == print
                && p.error.is_none()
                && p.verdict != "ERROR"
        })
    {
        return PointResult {
            id,
            reused: true,
            ..done
        };
    }
    let result = match run_case_with(
        path,
        &parameters,
        // Per point: the HDF5 + XDMF pair only, to keep the per-point overhead small.
        &RunOptions {
            out_dir: Some(out.clone()),
            vtkhdf: false,
        },
    ) {
        Ok(s) => PointResult {
            id,
            verdict: s.verdict.to_string(),
            mass: s.model.as_ref().and_then(|m| m.mass).or_else(|| {
                s.motion
                    .as_ref()
                    .map(|m| m.bodies.iter().map(|b| b.mass).sum())
            }),
            worst_margin: s
                .checks
                .iter()
                .map(|c| c.margin.unwrap_or(f64::INFINITY))
                .reduce(f64::min)
                .filter(|m| m.is_finite()),
            checks: s
                .checks
                .iter()
                .map(|c| {
                    (
                        format!("{}: {}", c.load_case, c.criterion),
                        (c.value, c.margin, c.pass),
                    )
                })
                .collect(),
            check_units: s
                .checks
                .iter()
                .map(|c| {
                    let unit = match c.quantity {
                        crate::results::Quantity::Temperature => s.temperature_unit,
                        q => q.si_unit(),
                    };
                    (
                        format!("{}: {}", c.load_case, c.criterion),
                        unit.to_string(),
                    )
                })
                .collect(),
            folder: folder.clone(),
            error: None,
            reused: false,
            parameters,
            fingerprint: print,
        },
        Err(e) => PointResult {
            id,
            verdict: "ERROR".into(),
            mass: None,
            worst_margin: None,
            checks: BTreeMap::new(),
            check_units: BTreeMap::new(),
            folder: folder.clone(),
            error: Some(format!("{e:#}")),
            reused: false,
            parameters,
            fingerprint: print,
        },
    };
    if std::fs::create_dir_all(&out).is_ok() {
        let _ = atomically(&record, |tmp| {
            Ok(std::fs::write(tmp, serde_json::to_string_pretty(&result)?)?)
        });
    }
    result
}

/// Designs that no other design beats in both mass (lower) and worst margin (higher).
fn pareto(points: &[PointResult]) -> Vec<usize> {
    let scored: Vec<(usize, f64, f64)> = points
        .iter()
        .filter_map(|p| Some((p.id, p.mass?, p.worst_margin.unwrap_or(f64::INFINITY))))
        .collect();
    let mut front: Vec<(usize, f64, f64)> = scored
        .iter()
        .copied()
        .filter(|&(_, m, w)| {
            !scored
                .iter()
                .any(|&(_, m2, w2)| m2 <= m && w2 >= w && (m2 < m || w2 > w))
        })
        .collect();
    front.sort_by(|a, b| a.1.total_cmp(&b.1));
    front.into_iter().map(|(id, ..)| id).collect()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The Pareto front (mass against worst margin) and the worst margin against each
/// numeric parameter, as (file stem, SVG).
fn plots(r: &SweepReport, units: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let margin = |p: &PointResult| p.worst_margin.unwrap_or(f64::NAN);
    let margin_axis = Axis::new("worst margin of safety", "").zero_line();
    let pts: Vec<crate::plot::Point> = r
        .points
        .iter()
        .map(|p| (p.mass.unwrap_or(f64::NAN), margin(p), p.verdict == "PASS"))
        .collect();
    let front: Vec<usize> = r
        .pareto_front
        .iter()
        .filter_map(|id| r.points.iter().position(|p| p.id == *id))
        .collect();
    let mut out = vec![(
        "pareto".to_string(),
        crate::plot::scatter(
            &format!("{}: mass against worst margin", r.case),
            &Axis::new("mass", "kg").magnitude(),
            &margin_axis,
            &pts,
            &front,
        ),
    )];
    let numeric: Vec<&String> = r
        .points
        .first()
        .map(|p| {
            p.parameters
                .iter()
                .filter(|(_, v)| matches!(v, Value::Number(_)))
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default();
    for k in numeric {
        let pts: Vec<crate::plot::Point> = r
            .points
            .iter()
            .map(|p| match p.parameters.get(k) {
                Some(Value::Number(x)) => (*x, margin(p), p.verdict == "PASS"),
                _ => (f64::NAN, f64::NAN, false),
            })
            .collect();
        out.push((
            format!("margin_vs_{k}"),
            crate::plot::scatter(
                &format!("{}: worst margin against {k}", r.case),
                &Axis::new(k, units.get(k).map_or("as given", String::as_str)),
                &margin_axis,
                &pts,
                &[],
            ),
        ));
    }
    out
}

/// The sweep table as HDF5 datasets under `/points`, one per column: `id`, each
/// parameter, `verdict`, `mass`, `worst_margin` (NaN where absent) and, per check, its
/// value and margin.
fn table_hdf5(path: &Path, r: &SweepReport) -> Result<()> {
    let mut h = crate::output::h5::H5::new();
    h.text("", "case", &r.case);
    let ids: Vec<i64> = r.points.iter().map(|p| p.id as i64).collect();
    h.i64("points/id", ids, 1)?;
    let params: Vec<String> = r
        .points
        .first()
        .map(|p| p.parameters.keys().cloned().collect())
        .unwrap_or_default();
    for k in &params {
        let column: Vec<&Value> = r
            .points
            .iter()
            .filter_map(|p| p.parameters.get(k))
            .collect();
        let numbers: Option<Vec<f64>> = column
            .iter()
            .map(|v| match v {
                Value::Number(x) => Some(*x),
                Value::Text(_) => None,
            })
            .collect();
        match numbers {
            Some(nums) => h.f64(&format!("points/{k}"), nums, 1)?,
            None => h.strings(
                &format!("points/{k}"),
                column.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            )?,
        }
    }
    h.strings(
        "points/verdict",
        r.points
            .iter()
            .map(|p| p.verdict.clone())
            .collect::<Vec<_>>(),
    )?;
    let column = |f: &dyn Fn(&PointResult) -> f64| r.points.iter().map(f).collect::<Vec<f64>>();
    h.f64("points/mass", column(&|p| p.mass.unwrap_or(f64::NAN)), 1)?;
    h.text("points/mass", "unit", "kg");
    h.f64(
        "points/worst_margin",
        column(&|p| p.worst_margin.unwrap_or(f64::NAN)),
        1,
    )?;
    let mut checks: Vec<&String> = r.points.iter().flat_map(|p| p.checks.keys()).collect();
    checks.sort();
    checks.dedup();
    for (i, c) in checks.iter().enumerate() {
        let g = format!("points/check_{i}");
        h.f64(
            &format!("{g}/value"),
            column(&|p| p.checks.get(*c).map_or(f64::NAN, |x| x.0)),
            1,
        )?;
        h.f64(
            &format!("{g}/margin"),
            column(&|p| p.checks.get(*c).and_then(|x| x.1).unwrap_or(f64::NAN)),
            1,
        )?;
        h.text(&g, "criterion", c);
    }
    h.write(path)
}

/// One row per design point: parameters, verdict, mass, worst margin, then the value and
/// margin of every check.
pub fn table_csv(r: &SweepReport) -> String {
    let params: Vec<String> = r
        .points
        .first()
        .map(|p| p.parameters.keys().cloned().collect())
        .unwrap_or_default();
    let mut checks: Vec<String> = r
        .points
        .iter()
        .flat_map(|p| p.checks.keys().cloned())
        .collect();
    checks.sort();
    checks.dedup();
    let mut header: Vec<String> = vec!["id".into()];
    let numeric = |k: &String| {
        r.points
            .first()
            .is_some_and(|p| matches!(p.parameters.get(k), Some(Value::Number(_))))
    };
    header.extend(params.iter().map(|k| match r.parameter_units.get(k) {
        Some(u) => format!("{k} [{u}]"),
        None if numeric(k) => format!("{k} [as given]"),
        None => k.clone(),
    }));
    header.extend(["verdict", "mass [kg]", "worst_margin"].map(String::from));
    for c in &checks {
        let unit = r
            .points
            .iter()
            .find_map(|p| p.check_units.get(c))
            .filter(|u| u.as_str() != "1")
            .map_or(String::new(), |u| format!(" [{u}]"));
        header.push(format!("{c} value{unit}"));
        header.push(format!("{c} margin"));
    }
    header.extend(["folder", "error"].map(String::from));
    let mut out = header
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    for p in &r.points {
        let mut row = vec![p.id.to_string()];
        row.extend(
            params
                .iter()
                .map(|k| p.parameters.get(k).map_or(String::new(), |v| v.to_string())),
        );
        row.extend([p.verdict.clone(), num(p.mass), num(p.worst_margin)]);
        for c in &checks {
            let (v, m) = p
                .checks
                .get(c)
                .map_or((None, None), |(v, m, _)| (Some(*v), *m));
            row.push(num(v));
            row.push(num(m));
        }
        row.push(p.folder.clone());
        row.push(p.error.clone().unwrap_or_default());
        out += &(row
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
            + "\n");
    }
    out
}

/// The sweep table: one line per design point, then the lightest passing design and the
/// mass–margin Pareto front.
pub fn sweep_table(r: &SweepReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let params: Vec<&String> = r
        .points
        .first()
        .map(|p| p.parameters.keys().collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "vproto sweep · {} — {} design points",
        r.case,
        r.points.len()
    );
    let mut header = format!("{:>5}", "point");
    for p in &params {
        let _ = write!(header, "  {p:>18}");
    }
    let _ = writeln!(
        out,
        "{header}  {:>12}  {:>12}  verdict",
        "mass [kg]", "worst margin"
    );
    for p in &r.points {
        let mut line = format!("{:>5}", p.id);
        for k in &params {
            let _ = write!(
                line,
                "  {:>18}",
                p.parameters
                    .get(*k)
                    .map_or(String::new(), |v| v.to_string())
            );
        }
        let mass = p.mass.map_or("-".into(), crate::units::sig);
        let margin = match (&p.error, p.worst_margin) {
            (Some(_), _) => "-".into(),
            (None, m) => crate::units::margin(m),
        };
        let note = match (&p.error, p.reused) {
            (Some(e), _) => format!("  {}", e.lines().next().unwrap_or("")),
            (None, true) => "  (reused)".into(),
            _ => String::new(),
        };
        let _ = writeln!(out, "{line}  {mass:>12}  {margin:>12}  {}{note}", p.verdict);
    }
    match r.lightest_passing {
        Some(id) => {
            let _ = writeln!(out, "lightest passing design: point {id}");
        }
        None => {
            let _ = writeln!(out, "no design passes");
        }
    }
    let front: Vec<String> = r.pareto_front.iter().map(|id| id.to_string()).collect();
    let _ = writeln!(
        out,
        "Pareto front (mass vs worst margin): points {}",
        front.join(", ")
    );
    let _ = writeln!(out, "results: {}", r.files.join(", "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factorial_plan_is_the_full_product() {
        let spec: SweepSpec = toml::from_str(
            "[values]\nt = [1.0, 2.0]\nr = { from = 0.0, to = 1.0, steps = 3 }\nm = [\"a\", \"b\"]",
        )
        .unwrap();
        let pts = points(&spec, Path::new(".")).unwrap();
        assert_eq!(pts.len(), 12);
        assert!(pts
            .iter()
            .any(|p| p["r"] == Value::Number(0.5) && p["m"] == Value::Text("b".into())));
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_reproducibly() {
        let spec: SweepSpec = toml::from_str("plan = \"latin_hypercube\"\nsamples = 8\nseed = 7\n[values]\nt = { from = 0.0, to = 8.0 }").unwrap();
        let pts = points(&spec, Path::new(".")).unwrap();
        let mut strata: Vec<usize> = pts
            .iter()
            .map(|p| match p["t"] {
                Value::Number(v) => v as usize,
                _ => 99,
            })
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..8).collect::<Vec<_>>());
        let again = points(&spec, Path::new(".")).unwrap();
        assert_eq!(pts, again);
    }

    #[test]
    fn table_plan_reads_numbers_and_names() {
        let dir = std::env::temp_dir().join(format!("vproto_table_plan_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("points.csv"),
            "t, alloy\n0.004, steel_s355\n0.006, aluminium_6061_t6\n",
        )
        .unwrap();
        let spec: SweepSpec = toml::from_str("plan = \"table\"\ntable = \"points.csv\"").unwrap();
        let pts = points(&spec, &dir).unwrap();
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[1]["t"], Value::Number(0.006));
        assert_eq!(pts[0]["alloy"], Value::Text("steel_s355".into()));
        std::fs::write(dir.join("points.csv"), "t, alloy\n0.004\n").unwrap();
        assert!(points(&spec, &dir)
            .unwrap_err()
            .to_string()
            .contains("points.csv:2: 1 values for 2 columns"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pareto_front_keeps_only_undominated_designs() {
        let p = |id, mass, margin| PointResult {
            id,
            parameters: Parameters::new(),
            verdict: "PASS".into(),
            mass: Some(mass),
            worst_margin: Some(margin),
            checks: BTreeMap::new(),
            check_units: BTreeMap::new(),
            folder: String::new(),
            error: None,
            reused: false,
            fingerprint: String::new(),
        };
        let pts = [
            p(0, 1.0, 0.1),
            p(1, 2.0, 0.5),
            p(2, 2.5, 0.4),
            p(3, 3.0, 0.9),
        ];
        assert_eq!(pareto(&pts), vec![0, 1, 3]);
    }
}
