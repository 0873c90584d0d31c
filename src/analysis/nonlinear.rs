//! `analysis = "nonlinear"`: a static load case beyond yield (small strain) — the load
//! applied in increments of a load factor, Newton with the consistent tangent at each
//! (`vproto_solver::nonlinear`), materials with a `plastic` flow curve yielding by J2
//! (the others elastic).
//!
//! Options: `unload = true` (apply the load, then remove it: the displacement is then
//! the permanent set and the stress the residual stress, read by the usual criteria),
//! `first_increment` (load factor, default 0.1), `min_increment` (default 1e-5),
//! `max_iterations` (per increment, default 25), `tolerance` (relative residual,
//! default 1e-8).
//!
//! A run that cannot carry the whole load stops with an error that says the load factor
//! it reached and why — never a verdict on a state that is not the one asked for.
//!
//! Results: `displacement`, `von_mises` and `equivalent_plastic_strain` (at a node,
//! the largest of its elements' integration points: conservative for the criteria);
//! criteria `max_plastic_strain`, and the stress and displacement ones.

use super::loads::{self, Built};
use super::{Analysis, Context, Input, Kind, Solved};
use crate::results::{Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step};
use crate::schema::LoadSpec;
use crate::units::{node_place, sig};
use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::hyperelastic::NeoHookean;
use vproto_solver::nonlinear::{NonlinearModel, NonlinearOptions, NonlinearSolution, Solid};
use vproto_solver::plasticity::J2;
use vproto_solver::LoadCase;

pub struct Nonlinear;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    unload: Option<bool>,
    large_deformation: Option<bool>,
    first_increment: Option<Spanned<f64>>,
    min_increment: Option<Spanned<f64>>,
    max_iterations: Option<Spanned<usize>>,
    tolerance: Option<Spanned<f64>>,
}

impl Kind for Nonlinear {
    fn keyword(&self) -> &'static str {
        "nonlinear"
    }

    fn takes_load(&self, load: &LoadSpec) -> bool {
        load.is_mechanical()
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &["displacement", "von_mises", "equivalent_plastic_strain"],
            axis: None,
            step_scalars: &[],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let o: Options = input.options()?;
        let case = input.case;
        let positive = |v: &Option<Spanned<f64>>, key: &str, default: f64, max: f64| match v {
            Some(x) if !(x.get_ref().is_finite() && *x.get_ref() > 0.0 && *x.get_ref() <= max) => {
                Err(case.error_at(x, format!("{key} must lie in (0, {max}]")))
            }
            Some(x) => Ok(*x.get_ref()),
            None => Ok(default),
        };
        let options = NonlinearOptions {
            first_increment: positive(&o.first_increment, "first_increment", 0.1, 1.0)?,
            min_increment: positive(&o.min_increment, "min_increment", 1e-5, 1.0)?,
            tolerance: positive(&o.tolerance, "tolerance", 1e-8, 0.1)?,
            max_iterations: match &o.max_iterations {
                Some(m) if !(1..=200).contains(m.get_ref()) => {
                    return Err(case.error_at(m, "max_iterations must lie in 1..=200"))
                }
                Some(m) => *m.get_ref(),
                None => 25,
            },
        };
        let mut lc = LoadCase {
            name: input.spec().name.clone(),
            loads: Vec::new(),
        };
        for b in loads::build(input, None)? {
            match b {
                Built::Static(l) => lc.loads.push(l),
                _ => bail!(
                    "{}: load case '{}': a nonlinear load case takes forces, pressures, tractions and gravity",
                    case.path.display(),
                    lc.name
                ),
            }
        }
        let large_deformation = o.large_deformation == Some(true);
        let (materials, density) = materials(input, large_deformation)?;
        Ok(Box::new(NonlinearCase {
            materials,
            density,
            large_deformation,
            lc,
            path: if o.unload == Some(true) {
                vec![1.0, 0.0]
            } else {
                vec![1.0]
            },
            options,
        }))
    }
}

/// Every material's law — neo-Hookean when `hyperelastic`, else J2 with its `plastic`
/// flow curve (none: it never yields) — and density, checked and reported by name.
fn materials(input: &Input, large_deformation: bool) -> Result<(Vec<Solid>, Vec<f64>)> {
    let mut out = Vec::new();
    let mut density = Vec::new();
    let here = || {
        format!(
            "{}: load case '{}'",
            input.case.path.display(),
            input.spec().name
        )
    };
    for (name, m) in &input.model.material_specs {
        density.push(if m.density.is_finite() {
            m.density
        } else {
            0.0
        });
        if m.hyperelastic.is_some() {
            if m.plastic.is_some() {
                bail!(
                    "{}: material '{name}' is both hyperelastic and plastic: give one",
                    here()
                );
            }
            if !large_deformation {
                bail!("{}: material '{name}' is hyperelastic: set large_deformation = true in the load case (a hyperelastic part is only meaningful with large deformation)", here());
            }
            let nh = NeoHookean::from_elastic(m.youngs_modulus, m.poisson_ratio)
                .map_err(|e| anyhow!("{}: material '{name}': {e}", here()))?;
            out.push(Solid::NeoHookean(nh));
            continue;
        }
        let curve = match &m.plastic {
            Some(points) => points.iter().map(|p| (p[0], p[1])).collect(),
            None => vec![(0.0, f64::INFINITY)],
        };
        let j2 = J2 {
            youngs_modulus: m.youngs_modulus,
            poisson_ratio: m.poisson_ratio,
            curve,
            kinematic_modulus: m.kinematic_hardening_modulus.unwrap_or(0.0),
        };
        j2.check()
            .map_err(|e| anyhow!("{}: material '{name}': {e}", here()))?;
        if let (Some(y), Some([_, s0])) =
            (m.yield_strength, m.plastic.as_ref().and_then(|p| p.first()))
        {
            if (y - s0).abs() > 1e-6 * y {
                tracing::warn!("material '{name}': the flow curve starts at {s0} Pa, yield_strength is {y} Pa: the curve is what yields");
            }
        }
        out.push(Solid::Plastic(j2));
    }
    Ok((out, density))
}

struct NonlinearCase {
    materials: Vec<Solid>,
    density: Vec<f64>,
    large_deformation: bool,
    lc: LoadCase,
    path: Vec<f64>,
    options: NonlinearOptions,
}

impl Analysis for NonlinearCase {
    fn name(&self) -> &str {
        &self.lc.name
    }

    fn solve(&self, ctx: &Context, _done: &Solved) -> Result<Results> {
        let model = NonlinearModel {
            mesh: ctx.fe.mesh,
            materials: self.materials.clone(),
            density: self.density.clone(),
            large_deformation: self.large_deformation,
            of_element: ctx.fe.materials.of_element.clone(),
            constraints: ctx.fe.constraints.clone(),
        };
        let here = || {
            format!(
                "{}: nonlinear load case '{}'",
                ctx.case.path.display(),
                self.lc.name
            )
        };
        if ctx.case.spec.solver.method == crate::schema::MethodSpec::Iterative {
            tracing::warn!(
                "{}: its tangent is factored directly at each iteration; [solver] method = \"iterative\" applies to the linear load cases",
                here()
            );
        }
        let s = model
            .solve(&self.lc, &self.path, &self.options)
            .map_err(|e| anyhow!("{}: {e}", here()))?;
        if let Some(why) = &s.stopped {
            bail!("{}: {why}; the load path was {:?} — results of a state short of it are not reported", here(), self.path);
        }
        Ok(self.results(ctx, s))
    }
}

impl NonlinearCase {
    /// The largest of each node's neighbouring integration points' values.
    fn nodal_max(mesh: &vproto_solver::Mesh, offsets: &[usize], per_point: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0f64; mesh.nodes.len()];
        for (e, nodes) in vproto_solver::assembly::elements(mesh) {
            let top = per_point[offsets[e]..offsets[e + 1]]
                .iter()
                .copied()
                .fold(0.0f64, f64::max);
            for &n in nodes {
                out[n] = out[n].max(top);
            }
        }
        out
    }

    fn results(&self, ctx: &Context, s: NonlinearSolution) -> Results {
        let mesh = ctx.fe.mesh;
        let peeq: Vec<f64> = s
            .states
            .iter()
            .map(|p| p.equivalent_plastic_strain)
            .collect();
        let vm: Vec<f64> = s
            .stress
            .iter()
            .map(vproto_solver::material::von_mises)
            .collect();
        let offsets = vproto_solver::nonlinear::point_offsets(mesh);
        let (peeq, vm) = (
            Self::nodal_max(mesh, &offsets, &peeq),
            Self::nodal_max(mesh, &offsets, &vm),
        );
        let (worst, pmax) = super::dynamic::largest(mesh.nodes.len(), |n| peeq[n]);
        let (far, umax) = super::dynamic::largest(mesh.nodes.len(), |n| {
            let u = &s.displacement[3 * n..3 * n + 3];
            (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt()
        });
        let iterations: usize = s.increments.iter().map(|i| i.residuals.len()).sum();
        let residual = s
            .increments
            .last()
            .and_then(|i| i.residuals.last())
            .copied()
            .unwrap_or(0.0);
        let unloaded = self.path.last() == Some(&0.0);
        let headline = format!(
            "{}: {} increments, {iterations} iterations, {} cut-backs{}; max plastic strain {} at {}; max |u| {} m{}",
            self.lc.name,
            s.increments.len(),
            s.cutbacks,
            if unloaded { ", loaded and released" } else { "" },
            sig(pmax),
            node_place(mesh, worst),
            sig(umax),
            if unloaded { " (permanent set)" } else { "" }
        );
        let key = |name: &str, value: f64, quantity: Quantity, at: usize| KeyResult {
            name: name.into(),
            value,
            quantity,
            location: Some(node_place(mesh, at)),
        };
        Results {
            name: self.lc.name.clone(),
            analysis: "nonlinear",
            steps: vec![Step {
                name: format!("{}_final", self.lc.name),
                value: None,
                rigid_body: false,
                fields: vec![
                    Field::nodal(
                        "displacement",
                        Shape::Vector,
                        Quantity::Displacement,
                        s.displacement.clone(),
                    ),
                    Field::nodal("von_mises", Shape::Scalar, Quantity::Stress, vm),
                    Field::nodal(
                        "equivalent_plastic_strain",
                        Shape::Scalar,
                        Quantity::Strain,
                        peeq,
                    ),
                ],
                scalars: vec![],
            }],
            axis: None,
            covered: None,
            scalars: vec![
                Scalar::new("increments", s.increments.len() as f64, Quantity::Number),
                Scalar::new("iterations", iterations as f64, Quantity::Number),
                Scalar::new("cutbacks", s.cutbacks as f64, Quantity::Number),
                Scalar::new("relative_residual", residual, Quantity::Number),
            ],
            tables: vec![],
            key_results: vec![
                key("max_plastic_strain", pmax, Quantity::Strain, worst),
                key("max_displacement", umax, Quantity::Displacement, far),
            ],
            headline,
            series: None,
            plots: vec![],
            raw: Arc::new(s),
        }
    }
}
