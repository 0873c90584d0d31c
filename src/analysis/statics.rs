//! `analysis = "static"` (the default): linear statics. Every static load case of a run
//! solves with one factorisation of the stiffness, shared through the run's
//! [`Context`]; a load case with thermal expansion from a heat load case waits for it.
//!
//! Options: `at_time = <s>` or `at_peak = "<joint>"`, the instant of the mechanism's
//! motion that joint, spring and inertia loads are taken at.

use super::loads::{self, Built};
use super::{Analysis, Context, Input, Kind, Solved};
use crate::model::Model;
use crate::results::{
    Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, SolverSummary, Step, Table,
};
use crate::schema::LoadSpec;
use crate::units::node_place;
use anyhow::{anyhow, Context as _, Result};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::loads::resultant;
use vproto_solver::material::{principal, von_mises, Voigt};
use vproto_solver::{Load, LoadCase, SolverOptions, StaticFactor, StaticResults};

pub struct Static;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    at_time: Option<f64>,
    at_peak: Option<Spanned<String>>,
}

/// The fields of a static load case.
pub const FIELDS: [&str; 7] = [
    "displacement",
    "stress",
    "strain",
    "von_mises",
    "principal_stress",
    "reaction_force",
    "applied_force",
];

impl Kind for Static {
    fn keyword(&self) -> &'static str {
        "static"
    }

    fn takes_load(&self, load: &LoadSpec) -> bool {
        !matches!(
            load,
            LoadSpec::Temperature { .. }
                | LoadSpec::HeatFlux { .. }
                | LoadSpec::Convection { .. }
                | LoadSpec::HeatSource { .. }
                | LoadSpec::BaseAcceleration { .. }
        )
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &FIELDS,
            axis: None,
            step_scalars: &[],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let (case, spec) = (input.case, input.spec());
        let o: Options = input.options()?;
        let needs_instant = spec.load.iter().any(|l| loads::from_motion(l.get_ref()));
        let instant = match input.motion {
            Some(m) if needs_instant && o.at_time.is_some() != o.at_peak.is_some() => Some((
                m,
                loads::instant(case, &spec.name, o.at_time, o.at_peak.as_ref(), m)?,
            )),
            _ if needs_instant => {
                return Err(anyhow!(
                    "{}: load case '{}' takes loads from a mechanism: the case needs a [mechanism] and the load case exactly one of `at_time = <s>` or `at_peak = \"<joint>\"`",
                    case.path.display(),
                    spec.name
                ))
            }
            _ if o.at_time.is_some() || o.at_peak.is_some() => {
                return Err(anyhow!(
                    "{}: load case '{}': `at_time`/`at_peak` pick the instant of mechanism loads (joint_load, motion_inertia, spring_load), and it has none",
                    case.path.display(),
                    spec.name
                ))
            }
            _ => None,
        };
        let mut lc = LoadCase {
            name: spec.name.clone(),
            loads: Vec::new(),
        };
        let mut thermal_from = Vec::new();
        for b in loads::build(input, instant)? {
            match b {
                Built::Static(l) => lc.loads.push(l),
                Built::ThermalFrom { heat, reference } => thermal_from.push((heat, reference)),
                Built::Base { .. } => {
                    return Err(anyhow!(
                        "{}: load case '{}' is static: a base acceleration drives a harmonic load case",
                        case.path.display(),
                        spec.name
                    ))
                }
                Built::Heat(_) => {
                    return Err(anyhow!(
                        "{}: load case '{}' is static, but its deck step holds heat loads: use it in a heat load case",
                        case.path.display(),
                        spec.name
                    ))
                }
            }
        }
        Ok(Box::new(StaticCase { lc, thermal_from }))
    }
}

struct StaticCase {
    lc: LoadCase,
    /// Thermal expansion from another load case's `temperature` field, above a
    /// stress-free reference temperature.
    thermal_from: Vec<(String, f64)>,
}

impl Analysis for StaticCase {
    fn name(&self) -> &str {
        &self.lc.name
    }

    fn depends_on(&self) -> Vec<String> {
        self.thermal_from.iter().map(|(h, _)| h.clone()).collect()
    }

    fn solve(&self, ctx: &Context, done: &Solved) -> Result<Results> {
        let mut lc = self.lc.clone();
        for (heat, reference) in &self.thermal_from {
            let t = done
                .get(heat)
                .and_then(|r| r.steps.first())
                .and_then(|s| s.field("temperature"))
                .ok_or_else(|| anyhow!("load case '{heat}' has no temperature field"))?;
            lc.loads.push(Load::Thermal {
                delta_t: t.values.iter().map(|t| t - reference).collect(),
            });
        }
        let factor = factor(ctx)?;
        let (mut solved, timing) = factor.solve(std::slice::from_ref(&lc)).with_context(|| {
            format!(
                "{}: static load case '{}'",
                ctx.case.path.display(),
                lc.name
            )
        })?;
        ctx.note_solver(|s| {
            if let Some(s) = s {
                s.iterations = s.iterations.max(timing.iterations);
                s.solve_seconds += timing.solve_seconds;
                s.recovery_seconds += timing.recovery_seconds;
            }
        });
        let r = solved.pop().ok_or_else(|| anyhow!("no result"))?;
        Ok(results(ctx.model, r))
    }
}

/// The run's stiffness factor, made by the first static load case that needs it.
pub(super) fn factor<'c>(ctx: &'c Context) -> Result<&'c StaticFactor<'c>> {
    ctx.stiffness(|fe| {
        let options = SolverOptions {
            precision: ctx.case.spec.solver.precision.into(),
            method: ctx.case.spec.solver.method.into(),
        };
        let f = fe
            .factor(options)
            .with_context(|| format!("{}: solving", ctx.case.path.display()))?;
        let s = f.stats();
        tracing::info!(
            equations = s.equations,
            factor_nnz = s.factor_nnz,
            factor_s = s.factor_seconds,
            "stiffness factored"
        );
        ctx.note_solver(|summary| {
            *summary = Some(SolverSummary {
                equations: s.equations,
                matrix_nonzeros: s.matrix_nnz,
                factor_nonzeros: s.factor_nnz,
                precision: s.precision,
                method: s.reason.clone(),
                factor_per_equation: s.factor_nnz as f64 / s.equations.max(1) as f64,
                iterations: 0,
                min_pivot_ratio: s.min_pivot_ratio,
                assembly_seconds: s.assembly_seconds,
                factor_seconds: s.factor_seconds,
                solve_seconds: 0.0,
                recovery_seconds: 0.0,
            })
        });
        Ok(f)
    })
}

fn flat(v: &[Voigt]) -> Vec<f64> {
    v.iter().flat_map(|s| s.iter().copied()).collect()
}

/// A static solution's nodal fields.
fn fields(r: &StaticResults) -> Vec<Field> {
    let stress = &r.fields.nodal_stress;
    vec![
        Field::nodal(
            "displacement",
            Shape::Vector,
            Quantity::Displacement,
            r.displacement.clone(),
        ),
        Field::nodal(
            "stress",
            Shape::SymmetricTensor,
            Quantity::Stress,
            flat(stress),
        ),
        Field::nodal(
            "strain",
            Shape::SymmetricTensor,
            Quantity::Strain,
            flat(&r.fields.nodal_strain),
        ),
        Field::nodal(
            "von_mises",
            Shape::Scalar,
            Quantity::Stress,
            stress.iter().map(von_mises).collect(),
        ),
        Field::nodal(
            "principal_stress",
            Shape::Vector,
            Quantity::Stress,
            stress.iter().flat_map(principal).collect(),
        ),
        Field::nodal(
            "reaction_force",
            Shape::Vector,
            Quantity::Force,
            r.reactions.clone(),
        ),
        Field::nodal(
            "applied_force",
            Shape::Vector,
            Quantity::Force,
            r.applied.clone(),
        ),
    ]
}

/// Integration-point coordinates, stresses and strains, and each element's first point.
fn integration_points(r: &StaticResults) -> Vec<Table> {
    let coords: Vec<f64> = r
        .fields
        .gauss_points
        .iter()
        .flat_map(|p| [p.x, p.y, p.z])
        .collect();
    let offsets: Vec<f64> = r.fields.gauss_offsets.iter().map(|&o| o as f64).collect();
    vec![
        Table::new("integration_points/coordinates", 3, coords),
        Table::new("integration_points/stress", 6, flat(&r.fields.gauss_stress)),
        Table::new("integration_points/strain", 6, flat(&r.fields.gauss_strain)),
        Table::new("integration_points/element_offsets", 1, offsets).integers(),
    ]
}

/// A static solution as generic results: fields, integration-point tables, key results.
pub fn results(model: &Model, r: StaticResults) -> Results {
    let fields = fields(&r);
    let tables = integration_points(&r);
    let key_results = key_results(model, &r, &fields);
    let (u, s) = (&key_results[0], &key_results[1]);
    let headline = format!(
        "{}: max |u| {} ({}), max von Mises {} ({})",
        r.name,
        crate::units::value(u.value, Quantity::Displacement, ""),
        u.location.as_deref().unwrap_or("-"),
        crate::units::value(s.value, Quantity::Stress, ""),
        s.location.as_deref().unwrap_or("-"),
    );
    Results {
        name: r.name.clone(),
        analysis: "static",
        steps: vec![Step {
            name: r.name.clone(),
            value: None,
            rigid_body: false,
            fields,
            scalars: vec![],
        }],
        axis: None,
        covered: None,
        incomplete: None,
        scalars: vec![
            Scalar::new("strain_energy", r.strain_energy, Quantity::Energy),
            Scalar::new("relative_residual", r.relative_residual, Quantity::Number),
        ],
        tables,
        key_results,
        headline,
        series: None,
        plots: Vec::new(),
        raw: Arc::new(r),
    }
}

/// Largest displacement and von Mises stress (with their nodes), strain energy and the
/// reaction resultant of every constrained set.
fn key_results(model: &Model, r: &StaticResults, fields: &[Field]) -> Vec<KeyResult> {
    let mesh = &model.mesh;
    let largest = |name: &str, value: &dyn Fn(&[f64]) -> f64| {
        let f = fields.iter().find(|f| f.name == name).expect("field");
        (0..mesh.nodes.len())
            .map(|n| (n, value(f.at(n))))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f64::NAN))
    };
    let (dn, dmax) = largest("displacement", &|u| {
        (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt()
    });
    let (sn, smax) = largest("von_mises", &|s| s[0]);
    let mut keys = vec![
        KeyResult {
            name: "max_displacement".into(),
            value: dmax,
            quantity: Quantity::Displacement,
            location: Some(node_place(mesh, dn)),
        },
        KeyResult {
            name: "max_von_mises".into(),
            value: smax,
            quantity: Quantity::Stress,
            location: Some(node_place(mesh, sn)),
        },
        KeyResult {
            name: "strain_energy".into(),
            value: r.strain_energy,
            quantity: Quantity::Energy,
            location: None,
        },
    ];
    for (set, c) in model.constrained_sets.iter().zip(&model.constraints) {
        let total = resultant(&r.reactions, &c.nodes);
        for (axis, v) in ["x", "y", "z"].iter().zip(total.iter()) {
            keys.push(KeyResult {
                name: format!("reaction/{set}/{axis}"),
                value: *v,
                quantity: Quantity::Force,
                location: None,
            });
        }
    }
    keys
}
