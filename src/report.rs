//! The verdict: a table for people and a JSON summary for machines.

use crate::criteria::{Bound, Check, Quantity};
use crate::results::{KeyResult, Results, Scalar, StepAxis};
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
    /// Free degrees of freedom.
    pub equations: usize,
    pub mass: f64,
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
        }
    }
}

/// Human units for a quantity: (scale from SI, unit).
fn display_unit(q: Quantity) -> (f64, &'static str) {
    match q {
        Quantity::Stress => (1e-6, "MPa"),
        Quantity::Strain => (1.0, ""),
        Quantity::HeatFlux => (1.0, "W/m2"),
        Quantity::Power => (1.0, "W"),
        Quantity::Energy => (1.0, "J"),
        Quantity::Mass => (1.0, "kg"),
        Quantity::Number => (1.0, ""),
        Quantity::Displacement => (1e3, "mm"),
        Quantity::Force => (1.0, "N"),
        Quantity::Frequency => (1.0, "Hz"),
        Quantity::Fraction => (100.0, "%"),
        Quantity::Factor => (1.0, "x"),
        Quantity::Temperature => (1.0, "deg"),
        Quantity::Moment => (1.0, "N m"),
        Quantity::Acceleration => (1.0, "m/s2"),
        Quantity::Angle => (180.0 / std::f64::consts::PI, "deg"),
    }
}

fn fmt_value(v: f64, q: Quantity) -> String {
    let (s, u) = display_unit(q);
    format!("{:.4} {u}", v * s)
}

/// The verdict table.
pub fn table(summary: &Summary) -> String {
    let mut out = String::new();
    match &summary.model {
        Some(m) => {
            let _ = writeln!(
                out,
                "vproto · {} — {} nodes, {} elements ({}), {} equations, mass {:.4} kg",
                summary.case,
                m.nodes,
                m.elements,
                m.element_types.join(", "),
                m.equations,
                m.mass
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
                "  joint {:<16} peak force {:>12.4} N at t = {:.4} s",
                j.name, j.peak_force, j.peak_force_time
            );
        }
    }
    for lc in &summary.load_cases {
        let _ = writeln!(out, "{}", lc.headline);
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
        "{:<lc_w$}  {:<cr_w$}  {:>16}     {:>16}  {:>8}  verdict",
        "load case", "criterion", "value", "limit", "margin"
    );
    for c in &summary.checks {
        let op = if c.bound == Bound::Upper { "<=" } else { ">=" };
        let margin = c.margin.map_or("inf".to_string(), |m| format!("{m:+.3}"));
        let _ = writeln!(
            out,
            "{:<lc_w$}  {:<cr_w$}  {:>16}  {op} {:>16}  {:>8}  {}",
            c.load_case,
            c.criterion,
            fmt_value(c.value, c.quantity),
            fmt_value(c.limit, c.quantity),
            margin,
            if c.pass { "PASS" } else { "FAIL" }
        );
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
