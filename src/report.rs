//! The verdict: a table for people and a JSON summary for machines.

use crate::criteria::{Bound, Check, Quantity};
use serde::Serialize;
use std::fmt::Write;

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
    /// The mechanism's motion (absent without a [mechanism]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motion: Option<crate::mechanism::MotionSummary>,
    /// The static solve (absent when the case has no static load case).
    pub solver: Option<SolverSummary>,
    pub load_cases: Vec<LoadCaseSummary>,
    pub checks: Vec<Check>,
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
}

#[derive(Debug, Serialize)]
pub struct SolverSummary {
    pub equations: usize,
    pub matrix_nonzeros: usize,
    pub factor_nonzeros: usize,
    /// "double" (direct) or "mixed" (single-precision factor + conjugate gradients).
    pub precision: &'static str,
    pub iterations: usize,
    /// Smallest pivot ratio L_jj²/K_jj of the factor: tiny values flag ill-conditioning.
    pub min_pivot_ratio: f64,
    pub assembly_seconds: f64,
    pub factor_seconds: f64,
    pub solve_seconds: f64,
    pub recovery_seconds: f64,
}

#[derive(Debug, Serialize)]
#[serde(tag = "analysis", rename_all = "snake_case")]
pub enum LoadCaseSummary {
    Static {
        name: String,
        max_displacement: f64,
        /// Node number (an input deck's own number, else the 0-based index).
        max_displacement_node: i64,
        max_von_mises: f64,
        max_von_mises_node: i64,
        strain_energy: f64,
        relative_residual: f64,
        /// Resultant reaction force [Fx, Fy, Fz] per constrained set.
        reactions: Vec<(String, [f64; 3])>,
    },
    Heat {
        name: String,
        min_temperature: f64,
        max_temperature: f64,
        /// Net heat (W) entering through fixed-temperature nodes (negative: leaving).
        heat_in_at_fixed_temperatures: f64,
        relative_residual: f64,
    },
    Buckling {
        name: String,
        /// Multiples of the preload at which the structure buckles, lowest first.
        factors: Vec<f64>,
        residuals: Vec<f64>,
        lanczos_steps: usize,
    },
    Modal {
        name: String,
        modes: Vec<ModeSummary>,
        /// Mass that can move in x, y, z: the sum of all modes' effective masses.
        participating_mass: [f64; 3],
        lanczos_steps: usize,
    },
}

#[derive(Debug, Serialize)]
pub struct ModeSummary {
    pub frequency: f64,
    pub rigid_body: bool,
    pub effective_mass: [f64; 3],
    pub residual: f64,
}

/// Human units for a quantity: (scale from SI, unit).
fn display_unit(q: Quantity) -> (f64, &'static str) {
    match q {
        Quantity::Stress => (1e-6, "MPa"),
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
        if let LoadCaseSummary::Static {
            name,
            max_displacement,
            max_displacement_node,
            max_von_mises,
            max_von_mises_node,
            ..
        } = lc
        {
            let _ = writeln!(
                out,
                "{name}: max |u| {:.4} mm (node {max_displacement_node}), max von Mises {:.4} MPa (node {max_von_mises_node})",
                max_displacement * 1e3,
                max_von_mises * 1e-6
            );
        }
        if let LoadCaseSummary::Heat {
            name,
            min_temperature,
            max_temperature,
            ..
        } = lc
        {
            let _ = writeln!(
                out,
                "{name}: temperature {min_temperature:.2} to {max_temperature:.2}"
            );
        }
        if let LoadCaseSummary::Buckling { name, factors, .. } = lc {
            let f: Vec<String> = factors.iter().map(|f| format!("{f:.3}")).collect();
            let _ = writeln!(out, "{name}: buckling factors {}", f.join(", "));
        }
        if let LoadCaseSummary::Modal { name, modes, .. } = lc {
            let rigid = modes.iter().filter(|m| m.rigid_body).count();
            let elastic: Vec<String> = modes
                .iter()
                .filter(|m| !m.rigid_body)
                .map(|m| format!("{:.2}", m.frequency))
                .collect();
            let rigid = if rigid > 0 {
                format!("{rigid} rigid-body, then ")
            } else {
                String::new()
            };
            let _ = writeln!(out, "{name}: modes {rigid}{} Hz", elastic.join(", "));
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

/// The sweep table: one line per design point, then the lightest passing design and the
/// mass–margin Pareto front.
pub fn sweep_table(r: &crate::sweep::SweepReport) -> String {
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
        let mass = p.mass.map_or("-".into(), |m| format!("{m:.4}"));
        let margin = p.worst_margin.map_or("-".into(), |m| format!("{m:+.3}"));
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
