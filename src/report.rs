//! The verdict: a table for people and a JSON summary for machines.

use crate::criteria::{Bound, Check};
use crate::results::{KeyResult, Results, Scalar, StepAxis};
use crate::units;
use serde::Serialize;
use std::fmt::Write;

pub use crate::results::SolverSummary;

#[derive(Debug, Serialize)]
pub struct Summary {
    pub case: String,
    pub case_file: String,
    /// The design parameters this run used.
    pub parameters: crate::params::Parameters,
    pub verdict: &'static str,
    pub units: &'static str,
    /// The scale of the case's temperatures (`°C` or `K`).
    pub temperature_unit: &'static str,
    /// The finite-element model (absent for a mechanism-only case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelSummary>,
    /// The mechanism's motion (absent without a `[mechanism]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motion: Option<crate::mechanism::MotionSummary>,
    /// The static solve (absent when the case has no static load case).
    pub solver: Option<SolverSummary>,
    pub load_cases: Vec<LoadCaseSummary>,
    pub checks: Vec<Check>,
    /// The id every file of this run carries (HDF5 attribute `run_id`, a comment in
    /// XDMF and SVG): files with another id are from another run.
    pub run_id: String,
    pub files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ModelSummary {
    pub nodes: usize,
    pub elements: usize,
    pub element_types: Vec<&'static str>,
    /// Slave nodes of ties (they follow the master surfaces; not unknowns).
    pub tied_nodes: usize,
    /// Unknowns solved for: free displacement components, or for a heat-only model
    /// the temperature unknowns.
    pub equations: usize,
    /// kg; absent when a material gives no density (a heat-only model).
    pub mass: Option<f64>,
    /// Signs of a unit mistake or of a linear analysis past its validity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One load case in the summary: its key results, scalars and steps (without fields).
#[derive(Debug, Serialize)]
pub struct LoadCaseSummary {
    pub name: String,
    pub analysis: &'static str,
    /// The line of the table above the checks.
    pub headline: String,
    /// By name, as `vproto regress` keys them (`<load case>/<name>`).
    pub key_results: Vec<KeyResult>,
    pub scalars: Vec<Scalar>,
    /// What the steps stand for (a mode's frequency), for multi-step load cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_axis: Option<StepAxis>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSummary>,
    /// The load case's tables that belong beside the verdict (a correlation's pairs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableSummary>,
}

#[derive(Debug, Serialize)]
pub struct TableSummary {
    pub path: String,
    pub note: Option<String>,
    /// Row by row; NaN is written as null.
    pub rows: Vec<Vec<f64>>,
}

#[derive(Debug, Serialize)]
pub struct StepSummary {
    pub name: String,
    pub value: Option<f64>,
    pub rigid_body: bool,
    pub scalars: Vec<Scalar>,
}

impl LoadCaseSummary {
    pub fn of(r: &Results) -> Self {
        Self {
            name: r.name.clone(),
            analysis: r.analysis,
            headline: r.headline.clone(),
            key_results: r.key_results.clone(),
            scalars: r.scalars.clone(),
            step_axis: r.axis,
            steps: if r.axis.is_some() {
                r.steps
                    .iter()
                    .map(|s| StepSummary {
                        name: s.name.clone(),
                        value: s.value,
                        rigid_body: s.rigid_body,
                        scalars: s.scalars.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            tables: r
                .tables
                .iter()
                .filter(|t| t.summary)
                .map(|t| TableSummary {
                    path: t.path.clone(),
                    note: t.note.clone(),
                    rows: t
                        .values
                        .chunks(t.columns.max(1))
                        .map(<[f64]>::to_vec)
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The pairs of every correlation with test data (`correlation/<name>/pairs` tables),
/// one table each: `None` when the run correlated nothing.
pub fn correlation(summary: &Summary) -> Option<String> {
    let mut out = String::new();
    for lc in &summary.load_cases {
        for t in &lc.tables {
            let Some(name) = t
                .path
                .strip_prefix("correlation/")
                .and_then(|p| p.strip_suffix("/pairs"))
            else {
                continue;
            };
            let _ = writeln!(out, "'{name}' against load case '{}':", lc.name);
            let _ = writeln!(
                out,
                "  measured mode  measured Hz  computed mode  computed Hz  frequency error     MAC"
            );
            for (i, row) in t.rows.iter().enumerate() {
                let (hz, computed, mac, error, mode) = (row[0], row[1], row[2], row[3], row[4]);
                let _ = if mode.is_finite() {
                    writeln!(
                        out,
                        "  {:>13}  {:>11}  {:>13}  {:>11}  {:>+14.2} %  {:>6.4}",
                        i + 1,
                        units::sig(hz),
                        mode,
                        units::sig(computed),
                        100.0 * error,
                        mac
                    )
                } else {
                    writeln!(
                        out,
                        "  {:>13}  {:>11}  (no computed mode left to pair with)",
                        i + 1,
                        units::sig(hz)
                    )
                };
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Each constrained set's total reaction `set (Fx, Fy, Fz) N`, from the key results
/// `reaction/<set>/<axis>` (as `*NODE PRINT, TOTALS=ONLY` shows them).
fn reaction_totals(lc: &LoadCaseSummary) -> Vec<String> {
    let mut sets: Vec<(&str, [f64; 3])> = Vec::new();
    for k in &lc.key_results {
        let Some((set, axis)) = k
            .name
            .strip_prefix("reaction/")
            .and_then(|r| r.rsplit_once('/'))
        else {
            continue;
        };
        let Some(i) = ["x", "y", "z"].iter().position(|a| *a == axis) else {
            continue;
        };
        match sets.iter_mut().find(|(s, _)| *s == set) {
            Some((_, f)) => f[i] = k.value,
            None => {
                let mut f = [0.0; 3];
                f[i] = k.value;
                sets.push((set, f));
            }
        }
    }
    // Round-off of a balanced component (1e-10 N next to 900 N) shows as 0.
    let scale = sets
        .iter()
        .flat_map(|(_, f)| f.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    sets.into_iter()
        .map(|(set, f)| {
            let f = f.map(|v| units::sig_n(if v.abs() < 1e-9 * scale { 0.0 } else { v }, 4));
            format!("{set} ({}, {}, {}) N", f[0], f[1], f[2])
        })
        .collect()
}

/// The verdict table.
pub fn table(summary: &Summary) -> String {
    let mut out = String::new();
    match &summary.model {
        Some(m) => {
            let _ = writeln!(
                out,
                "vproto · {} — {} nodes, {} elements ({}), {}{} equations{}",
                summary.case,
                m.nodes,
                m.elements,
                m.element_types.join(", "),
                match m.tied_nodes {
                    0 => String::new(),
                    n => format!("{n} tied nodes, "),
                },
                m.equations,
                m.mass.map_or(String::new(), |kg| format!(
                    ", mass {}",
                    units::with_unit(units::sig(kg), "kg")
                ))
            );
        }
        None => {
            let _ = writeln!(out, "vproto · {}", summary.case);
        }
    }
    if let Some(m) = &summary.motion {
        let _ = writeln!(
            out,
            "motion: {} analysis, {} bodies, {} degree(s) of freedom, {} samples to {} s ({} steps), energy balance error {:.3e} J",
            m.analysis,
            m.bodies.len(),
            m.degrees_of_freedom,
            m.samples,
            m.end_time,
            m.steps,
            m.max_energy_error
        );
        if !m.redundant_equations.is_empty() {
            let _ = writeln!(out, "  {} redundant joint equation(s) removed (their reactions are carried by the others)", m.redundant_equations.len());
        }
        for j in &m.joints {
            let _ = writeln!(
                out,
                "  joint {:<16} peak force {:>12} at t = {} s",
                j.name,
                units::with_unit(units::sig(j.peak_force), "N"),
                units::sig(j.peak_force_time)
            );
        }
    }
    for lc in &summary.load_cases {
        let _ = writeln!(out, "{}", lc.headline);
        let reactions = reaction_totals(lc);
        if !reactions.is_empty() {
            let _ = writeln!(out, "  reaction totals: {}", reactions.join("; "));
        }
    }
    let lc_w = summary
        .checks
        .iter()
        .map(|c| c.load_case.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let cr_w = summary
        .checks
        .iter()
        .map(|c| c.criterion.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = writeln!(
        out,
        "{:<lc_w$}  {:<cr_w$}  {:>14}     {:>14}  {:>8}  verdict",
        "load case", "criterion", "value", "limit", "margin"
    );
    let t = summary.temperature_unit;
    for c in &summary.checks {
        let op = if c.bound == Bound::Upper { "<=" } else { ">=" };
        let _ = writeln!(
            out,
            "{:<lc_w$}  {:<cr_w$}  {:>14}  {op} {:>14}  {:>8}  {}",
            c.load_case,
            c.criterion,
            units::value(c.value, c.quantity, t),
            units::value(c.limit, c.quantity, t),
            match (c.margin, c.pass) {
                // A zero limit has no relative margin: a failing check shows none.
                (None, false) => "n/a".to_string(),
                (m, _) => units::margin(m),
            },
            if c.pass { "PASS" } else { "FAIL" }
        );
        if let Some(at) = &c.location {
            let _ = writeln!(out, "{:<lc_w$}    at {at}", "");
        }
        if c.margin.is_none() && c.note.is_none() && c.pass {
            let _ = writeln!(
                out,
                "{:<lc_w$}    margin ∞: no demand (below 1e-9 of the limit), or a zero limit (no relative margin)",
                ""
            );
        }
        if let Some(note) = &c.note {
            let _ = writeln!(out, "{:<lc_w$}  cannot decide: {note}", "");
        }
    }
    for w in summary.model.iter().flat_map(|m| &m.warnings) {
        let _ = writeln!(out, "WARNING: {w}");
    }
    if summary.checks.is_empty() {
        let _ = writeln!(out, "VERDICT: {} — results only: the case checks nothing (add [[criterion]] tables to get a pass/fail verdict)", summary.verdict);
        return out;
    }
    let passed = summary.checks.iter().filter(|c| c.pass).count();
    let _ = writeln!(
        out,
        "VERDICT: {} ({passed} of {} checks pass)",
        summary.verdict,
        summary.checks.len()
    );
    out
}
