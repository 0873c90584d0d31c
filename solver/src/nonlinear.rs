//! Nonlinear statics with elasto-plastic materials (small strain): the load applied in
//! increments of a load factor, each solved by Newton–Raphson with the consistent
//! tangent ([`crate::plasticity`]), an increment that does not converge cut back.
//!
//! Why this way: with the algorithmic tangent Newton converges quadratically, so a few
//! iterations an increment suffice; the stiffness pattern and its fill-reducing
//! analysis are the linear solver's, done once, and only the numeric factor is redone
//! each iteration. The state of every integration point is committed only when its
//! increment converges, so a cut-back restarts from a consistent state, and a run that
//! cannot go on returns the last converged increment with the reason — never a
//! half-iterated field. Prescribed displacements scale with the load factor too
//! (displacement control, which passes limit loads that force control cannot).

use crate::assembly::{assemble, checked_gradients, matrix, ElementMatrix};
use crate::element::Shape;
use crate::error::{Result, SolverError};
use crate::linsolve::StiffnessSolver;
use crate::material::Voigt;
use crate::mesh::Mesh;
use crate::plasticity::{PlasticState, J2};
use crate::{with_shape, Constraint, LoadCase, StaticModel};
use faer::Mat;
use nalgebra::{Matrix6, SMatrix, SVector};
use rayon::prelude::*;
use std::ops::AddAssign;

/// An elasto-plastic model: mesh, one J2 material per element, constraints.
pub struct PlasticModel<'a> {
    pub mesh: &'a Mesh,
    pub materials: Vec<J2>,
    pub of_element: Vec<usize>,
    pub constraints: Vec<Constraint>,
}

/// How the load is stepped and equilibrium judged.
#[derive(Clone, Debug)]
pub struct NonlinearOptions {
    /// The load factor's first increment (the run goes from 0 to 1).
    pub first_increment: f64,
    /// The smallest increment before the run stops.
    pub min_increment: f64,
    pub max_iterations: usize,
    /// Equilibrium: ‖residual‖ ≤ tolerance × the largest of ‖load‖, ‖reactions‖ and
    /// the largest of them at any converged increment before (so that an unloaded
    /// state, whose load is zero, is judged against the load it carried).
    pub tolerance: f64,
}

impl Default for NonlinearOptions {
    fn default() -> Self {
        Self {
            first_increment: 0.1,
            min_increment: 1e-5,
            max_iterations: 25,
            tolerance: 1e-8,
        }
    }
}

/// One converged increment.
#[derive(Clone, Debug)]
pub struct Increment {
    pub load_factor: f64,
    /// Relative residual after each iteration.
    pub residuals: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct NonlinearSolution {
    /// Displacement (3 per node) at the last converged increment.
    pub displacement: Vec<f64>,
    /// The last converged load factor (the path's last when it was all carried).
    pub load_factor: f64,
    pub increments: Vec<Increment>,
    pub cutbacks: usize,
    /// Per integration point (elements in order, points in quadrature order).
    pub states: Vec<PlasticState>,
    pub stress: Vec<Voigt>,
    /// Why the run stopped short of the load factor 1.
    pub stopped: Option<String>,
}

/// Integration point offsets of every element (and the total at the end): where each
/// element's points are in [`NonlinearSolution::states`] and `stress`.
pub fn point_offsets(mesh: &Mesh) -> Vec<usize> {
    let mut out = vec![0];
    for b in &mesh.blocks {
        let q = with_shape!(b.kind, E, N, D => { let _ = (N, D); E::quadrature().len() });
        for _ in 0..b.len() {
            out.push(out[out.len() - 1] + q);
        }
    }
    out
}

/// The engineering-strain B matrix of node `a` (6 × 3) from its gradient row.
fn b_matrix(g: &[f64; 3]) -> SMatrix<f64, 6, 3> {
    let [x, y, z] = *g;
    SMatrix::<f64, 6, 3>::from_row_slice(&[
        x, 0.0, 0.0, 0.0, y, 0.0, 0.0, 0.0, z, y, x, 0.0, 0.0, z, y, z, 0.0, x,
    ])
}

/// Every point's update at a displacement: stresses, trial states and tangents.
struct Evaluation {
    stress: Vec<Voigt>,
    states: Vec<PlasticState>,
    tangents: Vec<Matrix6<f64>>,
}

/// An element's internal forces and each point's stress, state and tangent.
type ElementUpdate<const D: usize> = (SVector<f64, D>, Vec<(Voigt, PlasticState, Matrix6<f64>)>);

/// The tangent stiffness from the points' tangents.
struct Tangent<'a> {
    tangents: &'a [Matrix6<f64>],
    offsets: &'a [usize],
}

impl ElementMatrix for Tangent<'_> {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        _nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>> {
        let mut k = SMatrix::<f64, D, D>::zeros();
        for (q, (xi, w)) in E::quadrature().iter().enumerate() {
            let (g, det) = checked_gradients::<E, N>(x, xi, q, id)?;
            let c = self.tangents[self.offsets[id] + q] * (w * det);
            // Each node's B once a point, not once a pair of nodes.
            let bs: [SMatrix<f64, 6, 3>; N] =
                std::array::from_fn(|a| b_matrix(&[g[(a, 0)], g[(a, 1)], g[(a, 2)]]));
            for (a, ba) in bs.iter().enumerate() {
                let cb = c * ba;
                for (b, bb) in bs.iter().enumerate() {
                    let block = bb.transpose() * cb;
                    k.fixed_view_mut::<3, 3>(3 * b, 3 * a).add_assign(&block);
                }
            }
        }
        Ok(k)
    }
}

impl PlasticModel<'_> {
    /// The elastic model of the same mesh and constraints: its loads, constraints and
    /// equation set-up are those of this one.
    fn elastic(&self) -> StaticModel<'_> {
        let materials = self
            .materials
            .iter()
            .map(|m| crate::material::Isotropic {
                youngs_modulus: m.youngs_modulus,
                poisson_ratio: m.poisson_ratio,
                density: 0.0,
            })
            .collect();
        StaticModel {
            mesh: self.mesh,
            materials: crate::assembly::Materials {
                materials,
                expansion: vec![0.0; self.materials.len()],
                of_element: self.of_element.clone(),
            },
            constraints: self.constraints.clone(),
        }
    }

    /// Every integration point's stress, trial state and tangent at displacement `u`
    /// from the committed states `old`; and the internal forces.
    fn evaluate(
        &self,
        u: &[f64],
        old: &[PlasticState],
        offsets: &[usize],
    ) -> Result<(Evaluation, Vec<f64>)> {
        let mesh = self.mesh;
        let mut eval = Evaluation {
            stress: vec![Voigt::zeros(); old.len()],
            states: old.to_vec(),
            tangents: vec![Matrix6::zeros(); old.len()],
        };
        let mut f = vec![0.0; u.len()];
        for (first, b) in mesh.block_offsets().into_iter().zip(&mesh.blocks) {
            with_shape!(b.kind, E, N, D => {
                let per: Vec<ElementUpdate<D>> = (0..b.len())
                    .into_par_iter()
                    .map(|i| self.element::<E, N, D>(first + i, b.element(i), u, &old[offsets[first + i]..]))
                    .collect::<Result<_>>()?;
                for (i, (fe, points)) in per.into_iter().enumerate() {
                    let nodes = b.element(i);
                    for (r, v) in fe.iter().enumerate() {
                        f[3 * nodes[r / 3] + r % 3] += v;
                    }
                    for (q, (s, st, t)) in points.into_iter().enumerate() {
                        let k = offsets[first + i] + q;
                        (eval.stress[k], eval.states[k], eval.tangents[k]) = (s, st, t);
                    }
                }
            });
        }
        Ok((eval, f))
    }

    /// One element's internal forces and its points' updates (`old`: its points'
    /// committed states first).
    fn element<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        id: usize,
        nodes: &[usize],
        u: &[f64],
        old: &[PlasticState],
    ) -> Result<ElementUpdate<D>> {
        let x = self.mesh.coords::<N>(nodes);
        let ue = SMatrix::<f64, N, 3>::from_fn(|a, c| u[3 * nodes[a] + c]);
        let m = &self.materials[self.of_element[id]];
        let mut fe = SVector::<f64, D>::zeros();
        let mut points = Vec::with_capacity(E::quadrature().len());
        for (q, (xi, w)) in E::quadrature().iter().enumerate() {
            let (g, det) = checked_gradients::<E, N>(&x, xi, q, id)?;
            let h = ue.transpose() * g;
            let eps = 0.5 * (h + h.transpose());
            let up = m.update(&crate::material::to_voigt(&eps), &old[q]);
            for a in 0..N {
                let ba = b_matrix(&[g[(a, 0)], g[(a, 1)], g[(a, 2)]]);
                let fa = ba.transpose() * up.stress * (w * det);
                for c in 0..3 {
                    fe[3 * a + c] += fa[c];
                }
            }
            points.push((up.stress, up.state, up.tangent));
        }
        Ok((fe, points))
    }

    /// Applies `case` (and the prescribed displacements) from load factor 0 through the
    /// load factors of `path` in turn: `[1.0]` loads, `[1.0, 0.0]` loads and unloads
    /// (the residual stress and permanent set of a proof test).
    pub fn solve(
        &self,
        case: &LoadCase,
        path: &[f64],
        options: &NonlinearOptions,
    ) -> Result<NonlinearSolution> {
        if path.is_empty() || path.iter().any(|l| !l.is_finite()) {
            return Err(SolverError::Dynamics(format!(
                "nonlinear: the load path {path:?} needs finite load factors"
            )));
        }
        for (i, m) in self.materials.iter().enumerate() {
            m.check().map_err(|reason| SolverError::Material {
                region: format!("material #{i}"),
                reason,
            })?;
        }
        let elastic = self.elastic();
        self.mesh.check()?;
        let (fixed, ubar) = elastic.prescribed();
        elastic.require_constrained(&fixed)?;
        let system = elastic.system(&fixed)?;
        let f_ext = elastic.load_vector(case);
        let offsets = point_offsets(self.mesh);
        let points = offsets[offsets.len() - 1];
        crate::memory::check("the integration points' states", 400 * points as u64)?;
        let mut committed = vec![PlasticState::default(); points];
        let mut u = vec![0.0; f_ext.len()];
        let mut out = NonlinearSolution {
            displacement: u.clone(),
            load_factor: 0.0,
            increments: Vec::new(),
            cutbacks: 0,
            states: committed.clone(),
            stress: vec![Voigt::zeros(); points],
            stopped: None,
        };
        let mut step = options.first_increment.clamp(options.min_increment, 1.0);
        let mut next = 0;
        let mut reference = 0.0f64;
        while next < path.len() && out.stopped.is_none() {
            let goal = path[next];
            if out.load_factor == goal {
                next += 1;
                continue;
            }
            let target = if goal > out.load_factor {
                (out.load_factor + step).min(goal)
            } else {
                (out.load_factor - step).max(goal)
            };
            match self.increment(
                &system,
                (&f_ext, &ubar, &fixed),
                (target, reference),
                &u,
                &committed,
                &offsets,
                options,
            ) {
                Ok((u_new, eval, residuals, scale)) => {
                    reference = reference.max(scale);
                    let fast = residuals.len() <= options.max_iterations / 3;
                    u = u_new;
                    committed = eval.states;
                    out.stress = eval.stress;
                    out.load_factor = target;
                    out.increments.push(Increment {
                        load_factor: target,
                        residuals,
                    });
                    if fast {
                        step = (step * 1.5).min(1.0);
                    }
                }
                Err(why) => {
                    out.cutbacks += 1;
                    step *= 0.5;
                    if step < options.min_increment {
                        out.stopped = Some(format!(
                            "no equilibrium beyond load factor {:.6} (increments cut back below {:e}): {why}",
                            out.load_factor, options.min_increment
                        ));
                        break;
                    }
                }
            }
        }
        out.displacement = u;
        out.states = committed;
        Ok(out)
    }

    /// Newton iterations to equilibrium at load factor `target` from `u0`.
    #[allow(clippy::too_many_arguments)]
    fn increment(
        &self,
        system: &crate::statics::System,
        (f_ext, ubar, fixed): (&[f64], &[f64], &[bool]),
        (target, reference): (f64, f64),
        u0: &[f64],
        committed: &[PlasticState],
        offsets: &[usize],
        options: &NonlinearOptions,
    ) -> std::result::Result<(Vec<f64>, Evaluation, Vec<f64>, f64), String> {
        let dofs = &system.dofs;
        let mut u = u0.to_vec();
        for (k, &f) in fixed.iter().enumerate() {
            if f {
                u[k] = target * ubar[k];
            }
        }
        let load_norm = f_ext
            .iter()
            .map(|f| (target * f).powi(2))
            .sum::<f64>()
            .sqrt();
        let mut residuals = Vec::new();
        for _ in 0..options.max_iterations {
            let (eval, f_int) = self
                .evaluate(&u, committed, offsets)
                .map_err(|e| e.to_string())?;
            let mut r = Mat::<f64>::zeros(dofs.free_count(), 1);
            let mut reaction = 0.0;
            for (k, (fe, fi)) in f_ext.iter().zip(&f_int).enumerate() {
                match dofs.eq(k) {
                    Some(e) => r[(e, 0)] = target * fe - fi,
                    None => reaction += fi * fi,
                }
            }
            let scale = load_norm
                .max(reaction.sqrt())
                .max(reference)
                .max(f64::MIN_POSITIVE);
            let norm = (0..r.nrows())
                .map(|i| r[(i, 0)].powi(2))
                .sum::<f64>()
                .sqrt()
                / scale;
            if !norm.is_finite() {
                return Err(format!("the residual is {norm}"));
            }
            residuals.push(norm);
            if norm <= options.tolerance {
                return Ok((u, eval, residuals, load_norm.max(reaction.sqrt())));
            }
            if residuals.len() > 3 && norm > residuals[residuals.len() - 4] {
                return Err(format!("the residual grows ({norm:.3e})"));
            }
            let tangent = Tangent {
                tangents: &eval.tangents,
                offsets,
            };
            let values =
                assemble(self.mesh, dofs, &system.pattern, &tangent).map_err(|e| e.to_string())?;
            let solver = StiffnessSolver::new(
                &system.symbolic,
                matrix(&system.pattern, &values),
                false,
            )
            .map_err(|_| {
                "the tangent stiffness is not positive definite (a mechanism or the limit load)"
                    .to_string()
            })?;
            solver.solve(None, r.as_mut()).map_err(|e| e.to_string())?;
            for (k, uk) in u.iter_mut().enumerate() {
                if let Some(e) = dofs.eq(k) {
                    *uk += r[(e, 0)];
                }
            }
        }
        Err(format!(
            "no convergence in {} iterations (relative residual {:.3e})",
            options.max_iterations,
            residuals.last().copied().unwrap_or(f64::NAN)
        ))
    }
}
