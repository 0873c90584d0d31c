//! Acceptance criteria: each check compares one result value with one limit.
//!
//! Margin of safety is capacity/demand − 1: for an upper limit, (limit − value)/|value|
//! (the classic allowable/actual − 1); for a lower limit, (value − limit)/|limit|. A
//! check passes when its margin is ≥ 0; a non-finite value always fails.

use crate::case::{AnalysisSpec, Case, Component, CriterionSpec};
use crate::model::Model;
use anyhow::Result;
use nalgebra::Vector3;
use serde::Serialize;
use toml::Spanned;
use vproto_solver::buckling::BucklingSolution;
use vproto_solver::loads::resultant;
use vproto_solver::material::von_mises;
use vproto_solver::modal::ModalSolution;
use vproto_solver::thermal::HeatResults;
use vproto_solver::StaticResults;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Upper,
    Lower,
}

/// Physical quantity of a check, for units in reports.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Stress,
    Displacement,
    Force,
    Frequency,
    Fraction,
    /// A load multiplier.
    Factor,
    /// Temperature, in the unit the case file uses (K or °C).
    Temperature,
    Moment,
    Acceleration,
    /// An angle (rad).
    Angle,
}

impl Quantity {
    pub fn si_unit(self) -> &'static str {
        match self {
            Self::Stress => "Pa",
            Self::Displacement => "m",
            Self::Force => "N",
            Self::Frequency => "Hz",
            Self::Fraction | Self::Factor => "1",
            Self::Temperature => "K or degC (as given)",
            Self::Moment => "N m",
            Self::Acceleration => "m/s^2",
            Self::Angle => "rad",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub load_case: String,
    pub criterion: String,
    pub quantity: Quantity,
    pub value: f64,
    pub bound: Bound,
    pub limit: f64,
    /// `None` when infinite (zero demand).
    pub margin: Option<f64>,
    pub pass: bool,
    /// Where the value occurs (node id and coordinates), when it is a field maximum.
    pub location: Option<String>,
}

impl Check {
    pub(crate) fn new(
        load_case: &str,
        criterion: String,
        quantity: Quantity,
        value: f64,
        bound: Bound,
        limit: f64,
        location: Option<String>,
    ) -> Self {
        let margin = match bound {
            Bound::Upper if value.abs() > 0.0 => Some((limit - value) / value.abs()),
            Bound::Upper => None,
            Bound::Lower if limit.abs() > 0.0 => Some((value - limit) / limit.abs()),
            Bound::Lower => None,
        };
        let pass = value.is_finite()
            && match bound {
                Bound::Upper => value <= limit,
                Bound::Lower => value >= limit,
            };
        Self {
            load_case: load_case.to_string(),
            criterion,
            quantity,
            value,
            bound,
            limit,
            margin,
            pass,
            location,
        }
    }
}

fn component_name(c: Component) -> &'static str {
    match c {
        Component::X => "x",
        Component::Y => "y",
        Component::Z => "z",
        Component::Magnitude => "magnitude",
    }
}

fn pick(v: Vector3<f64>, c: Component) -> f64 {
    match c {
        Component::X => v.x,
        Component::Y => v.y,
        Component::Z => v.z,
        Component::Magnitude => v.norm(),
    }
}

/// The results of one load case, whichever its analysis.
#[derive(Clone, Copy)]
pub enum Results<'a> {
    Static(&'a StaticResults),
    Modal(&'a ModalSolution),
    Buckling(&'a BucklingSolution),
    Heat(&'a HeatResults),
}

/// Evaluates `spec` on one load case's results; criteria of another analysis give no
/// checks (top-level criteria apply to the load cases they can read).
pub fn evaluate(
    case: &Case,
    model: &Model,
    spec: &Spanned<CriterionSpec>,
    load_case: &str,
    results: Results,
) -> Result<Vec<Check>> {
    match results {
        Results::Static(r) if spec.get_ref().analysis() == AnalysisSpec::Static => {
            evaluate_static(case, model, spec, r)
        }
        Results::Modal(m) if spec.get_ref().analysis() == AnalysisSpec::Modal => {
            evaluate_modal(case, spec, load_case, m)
        }
        Results::Heat(h) => Ok(match spec.get_ref() {
            CriterionSpec::MaxTemperature { set, limit } => {
                let nodes = model
                    .mesh
                    .set_nodes(set.as_deref().unwrap_or("all"))
                    .map_err(|e| case.error_at(spec, e))?;
                let (node, t) = nodes
                    .iter()
                    .map(|&n| (n, h.temperature[n]))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap_or((0, f64::NAN));
                let p = model.mesh.nodes[node];
                let at = format!(
                    "node {} ({:.4}, {:.4}, {:.4})",
                    model.mesh.node_label(node),
                    p.x,
                    p.y,
                    p.z
                );
                vec![Check::new(
                    load_case,
                    format!("max temperature ({})", set.as_deref().unwrap_or("all")),
                    Quantity::Temperature,
                    t,
                    Bound::Upper,
                    *limit,
                    Some(at),
                )]
            }
            _ => vec![],
        }),
        Results::Buckling(b) => Ok(match spec.get_ref() {
            CriterionSpec::BucklingFactor { min } => {
                let f = b.modes.first().map_or(f64::NAN, |m| m.factor);
                vec![Check::new(
                    load_case,
                    "lowest buckling factor".into(),
                    Quantity::Factor,
                    f,
                    Bound::Lower,
                    *min,
                    None,
                )]
            }
            _ => vec![],
        }),
        _ => Ok(vec![]),
    }
}

fn evaluate_modal(
    case: &Case,
    spec: &Spanned<CriterionSpec>,
    load_case: &str,
    m: &ModalSolution,
) -> Result<Vec<Check>> {
    let elastic: Vec<f64> = m
        .modes
        .iter()
        .filter(|x| !x.rigid_body)
        .map(|x| x.frequency)
        .collect();
    Ok(match spec.get_ref() {
        CriterionSpec::FirstFrequency { min } => {
            let f = elastic.first().copied().unwrap_or(f64::NAN);
            vec![Check::new(
                load_case,
                "first natural frequency".into(),
                Quantity::Frequency,
                f,
                Bound::Lower,
                *min,
                None,
            )]
        }
        CriterionSpec::ForbiddenBand { min, max } => {
            if min >= max {
                return Err(case.error_at(
                    spec,
                    format!("forbidden_band needs min < max, got [{min}, {max}]"),
                ));
            }
            let centre = 0.5 * (min + max);
            let nearest = elastic
                .iter()
                .copied()
                .min_by(|a, b| (a - centre).abs().total_cmp(&(b - centre).abs()));
            let name = format!("no mode in [{min}, {max}] Hz");
            match nearest {
                // A mode below the band's centre must stay below the band, one above it above.
                Some(f) if f < centre => vec![Check::new(
                    load_case,
                    name,
                    Quantity::Frequency,
                    f,
                    Bound::Upper,
                    *min,
                    None,
                )],
                Some(f) => vec![Check::new(
                    load_case,
                    name,
                    Quantity::Frequency,
                    f,
                    Bound::Lower,
                    *max,
                    None,
                )],
                None => vec![],
            }
        }
        CriterionSpec::EffectiveMass {
            direction,
            min_fraction,
        } => {
            let d = match direction {
                Component::X => 0,
                Component::Y => 1,
                Component::Z => 2,
                Component::Magnitude => {
                    return Err(case.error_at(spec, "effective_mass needs direction x, y or z"))
                }
            };
            let total = m.participating_mass[d];
            let sum: f64 = m
                .modes
                .iter()
                .filter(|x| !x.rigid_body)
                .map(|x| x.effective_mass[d])
                .sum();
            let fraction = if total > 0.0 { sum / total } else { f64::NAN };
            vec![Check::new(
                load_case,
                format!(
                    "effective mass {} ({} modes)",
                    component_name(*direction),
                    m.modes.len()
                ),
                Quantity::Fraction,
                fraction,
                Bound::Lower,
                *min_fraction,
                None,
            )]
        }
        _ => vec![],
    })
}

fn evaluate_static(
    case: &Case,
    model: &Model,
    spec: &Spanned<CriterionSpec>,
    r: &StaticResults,
) -> Result<Vec<Check>> {
    let mesh = &model.mesh;
    let at = |n: usize| {
        let p = mesh.nodes[n];
        Some(format!(
            "node {} ({:.4}, {:.4}, {:.4})",
            mesh.node_label(n),
            p.x,
            p.y,
            p.z
        ))
    };
    let here = |e: vproto_solver::SolverError| case.error_at(spec, e);
    Ok(match spec.get_ref() {
        CriterionSpec::MaxVonMises {
            region,
            allowable,
            safety_factor,
        } => {
            let region_name = region.as_deref().unwrap_or("all");
            let elements = mesh.region_elements(region_name).map_err(here)?;
            let (limit, how) = match (allowable, safety_factor) {
                (Some(a), None) => (*a, String::new()),
                (None, Some(sf)) if *sf > 0.0 => {
                    let y = model.min_yield(&elements).map_err(|e| case.error_at(spec, e))?;
                    (y / sf, format!(", yield/{sf}"))
                }
                _ => return Err(case.error_at(spec, "max_von_mises needs exactly one of `allowable` (Pa) or a positive `safety_factor`")),
            };
            let nodes = mesh.set_nodes(region_name).map_err(here)?;
            let (node, value) = nodes
                .iter()
                .map(|&n| (n, von_mises(&r.fields.nodal_stress[n])))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, f64::NAN));
            vec![Check::new(
                &r.name,
                format!("max von Mises ({region_name}{how})"),
                Quantity::Stress,
                value,
                Bound::Upper,
                limit,
                at(node),
            )]
        }
        CriterionSpec::MaxDisplacement {
            set,
            component,
            limit,
        } => {
            let nodes = mesh
                .set_nodes(set.as_deref().unwrap_or("all"))
                .map_err(here)?;
            let (node, value) = nodes
                .iter()
                .map(|&n| {
                    let u = Vector3::new(
                        r.displacement[3 * n],
                        r.displacement[3 * n + 1],
                        r.displacement[3 * n + 2],
                    );
                    (n, pick(u, *component).abs())
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, f64::NAN));
            let set_name = set.as_deref().unwrap_or("all");
            vec![Check::new(
                &r.name,
                format!("max |u_{}| ({set_name})", component_name(*component)),
                Quantity::Displacement,
                value,
                Bound::Upper,
                *limit,
                at(node),
            )]
        }
        CriterionSpec::ReactionForce {
            set,
            component,
            min,
            max,
        } => {
            if min.is_none() && max.is_none() {
                return Err(case.error_at(spec, "reaction_force needs `min`, `max` or both"));
            }
            let nodes = mesh.set_nodes(set).map_err(here)?;
            let value = pick(resultant(&r.reactions, &nodes), *component);
            let name = format!("reaction F_{} ({set})", component_name(*component));
            let mut checks = Vec::new();
            if let Some(lo) = min {
                checks.push(Check::new(
                    &r.name,
                    name.clone(),
                    Quantity::Force,
                    value,
                    Bound::Lower,
                    *lo,
                    None,
                ));
            }
            if let Some(hi) = max {
                checks.push(Check::new(
                    &r.name,
                    name,
                    Quantity::Force,
                    value,
                    Bound::Upper,
                    *hi,
                    None,
                ));
            }
            checks
        }
        _ => vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_capacity_over_demand_minus_one() {
        let c = Check::new(
            "lc",
            "s".into(),
            Quantity::Stress,
            100.0,
            Bound::Upper,
            150.0,
            None,
        );
        assert!((c.margin.unwrap() - 0.5).abs() < 1e-12 && c.pass);
        let c = Check::new(
            "lc",
            "f".into(),
            Quantity::Force,
            90.0,
            Bound::Lower,
            100.0,
            None,
        );
        assert!((c.margin.unwrap() + 0.1).abs() < 1e-12 && !c.pass);
        let c = Check::new(
            "lc",
            "s".into(),
            Quantity::Stress,
            f64::NAN,
            Bound::Upper,
            150.0,
            None,
        );
        assert!(!c.pass);
    }
}
