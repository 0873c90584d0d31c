//! Nonlinear statics: the load applied in increments of a load factor, each solved by
//! Newton–Raphson with the consistent tangent, an increment that does not converge cut
//! back. Materials are elasto-plastic ([`crate::plasticity`]) or hyperelastic
//! ([`crate::hyperelastic`]); the kinematics small-strain or, with `large_deformation`,
//! total Lagrangian (Green–Lagrange strain, second Piola–Kirchhoff stress, the initial
//! stress stiffness, pressure following the deformed faces).
//!
//! Why this way: with the algorithmic tangent Newton converges quadratically, so a few
//! iterations an increment suffice; the stiffness pattern and its fill-reducing
//! analysis are the linear solver's, done once, and only the numeric factor is redone
//! each iteration. The state of every integration point is committed only when its
//! increment converges, so a cut-back restarts from a consistent state, and a run that
//! cannot go on returns the last converged increment with the reason — never a
//! half-iterated field. Prescribed displacements scale with the load factor too
//! (displacement control, which passes limit loads that force control cannot). The
//! total Lagrangian form with J2 on the Green–Lagrange strain is exact for rigid
//! rotations of any size and right for small strains (metal parts that bend far); the
//! follower pressure's load stiffness is left out of the tangent to keep it symmetric
//! (Newton then converges linearly when a pressure turns far).

use crate::assembly::{assemble, checked_gradients, matrix, ElementMatrix};
use crate::contact::{ContactResult, Sliding};
use crate::element::Shape;
use crate::error::{Result, SolverError};
use crate::hyperelastic::NeoHookean;
use crate::linsolve::StiffnessSolver;
use crate::loads::SurfaceLoad;
use crate::material::{from_voigt, to_voigt, Voigt};
use crate::mesh::{FaceRef, Mesh};
use crate::plasticity::{PlasticState, Update, J2};
use crate::{with_shape, Constraint, Load, LoadCase, StaticModel};
use faer::Mat;
use nalgebra::{Matrix3, Matrix6, SMatrix, SVector};
use rayon::prelude::*;
use std::ops::AddAssign;

mod contacts;
mod increments;
mod path;

use contacts::Contacts;
use increments::{Phase, Progress, Run};
pub use path::LoadPath;

/// The constitutive law of one material.
#[derive(Clone, Debug, PartialEq)]
pub enum Solid {
    /// J2 plasticity (elastic for ever with the flow curve [(0, ∞)]).
    Plastic(J2),
    /// Compressible neo-Hookean (needs `large_deformation`).
    NeoHookean(NeoHookean),
}

impl Solid {
    fn check(&self, large_deformation: bool) -> std::result::Result<(), String> {
        match self {
            Solid::Plastic(j2) => j2.check(),
            Solid::NeoHookean(_) if !large_deformation => Err(
                "a hyperelastic material needs large deformation (geometry = \"nonlinear\")".into(),
            ),
            Solid::NeoHookean(m) if !(m.shear_modulus > 0.0 && m.bulk_modulus > 0.0) => {
                Err(format!("moduli {m:?} must be > 0"))
            }
            Solid::NeoHookean(_) => Ok(()),
        }
    }

    /// Young's modulus and Poisson ratio at zero strain.
    fn elastic(&self) -> (f64, f64) {
        match self {
            Solid::Plastic(j2) => (j2.youngs_modulus, j2.poisson_ratio),
            Solid::NeoHookean(m) => {
                let (k, g) = (m.bulk_modulus, m.shear_modulus);
                (
                    9.0 * k * g / (3.0 * k + g),
                    (3.0 * k - 2.0 * g) / (2.0 * (3.0 * k + g)),
                )
            }
        }
    }

    /// The stress (second Piola–Kirchhoff; Cauchy in small strain) at `strain` (tensor
    /// shears) from `old`; `None` when the point is inverted.
    fn update(&self, strain: &Voigt, old: &PlasticState) -> Option<Update> {
        match self {
            Solid::Plastic(j2) => Some(j2.update(strain, old)),
            Solid::NeoHookean(m) => m.update(strain).map(|(stress, tangent)| Update {
                stress,
                state: *old,
                tangent,
                plastic: false,
            }),
        }
    }
}

/// A nonlinear static model: mesh, one law per material, constraints.
pub struct NonlinearModel<'a> {
    pub mesh: &'a Mesh,
    pub materials: Vec<Solid>,
    /// Mass density of each material (kg/m³), for gravity and acceleration loads.
    pub density: Vec<f64>,
    pub of_element: Vec<usize>,
    pub constraints: Vec<Constraint>,
    /// Total Lagrangian kinematics (large displacement and rotation, follower pressure);
    /// false: small strain.
    pub large_deformation: bool,
    /// Contact pairs between the faces of parts.
    pub contacts: Vec<crate::contact::Contact>,
    /// Bolts cut for pretension ([`crate::bolt::cut`]): pretensioned over pseudo-time
    /// −1…0 with no other load, then locked for the load path.
    pub bolts: Vec<crate::bolt::Bolt>,
}

/// How the load is stepped and equilibrium judged. Increments are of the load path's
/// pseudo-time ([`LoadPath`]); an increment has converged when all three measures
/// pass.
#[derive(Clone, Debug)]
pub struct NonlinearOptions {
    /// The first increment.
    pub first_increment: f64,
    /// The smallest increment before the run stops.
    pub min_increment: f64,
    /// The largest increment the steps grow to.
    pub max_increment: f64,
    pub max_iterations: usize,
    /// Force: ‖residual‖ ≤ tolerance × the largest of ‖load‖, ‖reactions‖ and the
    /// largest of them at any converged increment before (so that an unloaded state,
    /// whose load is zero, is judged against the load it carried).
    pub tolerance: f64,
    /// Displacement: the last correction's largest component ≤ this × the
    /// increment's largest displacement component.
    pub displacement_tolerance: f64,
    /// Energy: the last correction's work on the residual |δu·r| ≤ this × the first
    /// iteration's.
    pub energy_tolerance: f64,
    pub newton: Newton,
}

/// When the tangent is factored anew.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Newton {
    /// Every iteration: quadratic convergence, a factorisation an iteration.
    #[default]
    Full,
    /// At an increment's first iteration, and again only when an iteration cut the
    /// residual by less than half: more, cheaper iterations (triangular solves instead
    /// of factorisations) where the tangent changes little.
    Modified,
}

impl Default for NonlinearOptions {
    fn default() -> Self {
        Self {
            first_increment: 0.1,
            min_increment: 1e-5,
            max_increment: 1.0,
            max_iterations: 25,
            tolerance: 1e-8,
            displacement_tolerance: 1e-3,
            energy_tolerance: 1e-6,
            newton: Newton::Full,
        }
    }
}

/// One converged increment: where on the path, and its Newton record.
#[derive(Clone, Debug)]
pub struct Increment {
    pub time: f64,
    pub load_factor: f64,
    /// Relative residual after each iteration.
    pub residuals: Vec<f64>,
    /// The last correction relative to the increment's displacement (0: none needed).
    pub correction: f64,
    /// The last correction's energy relative to the first's.
    pub energy: f64,
    /// Augmentations of the contact multipliers (each followed by Newton iterations).
    pub augmentations: usize,
}

/// Why a run stopped short of its path's end.
#[derive(Clone, Debug)]
pub struct Stop {
    pub reason: String,
    /// The node with the largest out-of-balance force at the last failed iteration,
    /// and that force (N).
    pub worst: Option<(usize, f64)>,
}

/// The state at a converged increment, as an observer of [`NonlinearModel::solve_with`]
/// sees it.
pub struct Converged<'a> {
    pub time: f64,
    pub load_factor: f64,
    /// Displacement, 3 per node.
    pub displacement: &'a [f64],
    pub states: &'a [PlasticState],
    /// Cauchy stress per integration point.
    pub stress: &'a [Voigt],
    /// Each contact pair's points.
    pub contact: &'a [ContactResult],
    pub bolts: &'a [BoltResult],
}

/// A bolt's state at a converged increment.
#[derive(Clone, Debug, PartialEq)]
pub struct BoltResult {
    pub name: String,
    /// The pretension it was given (N).
    pub pretension: f64,
    /// Its axial force (N, tension > 0).
    pub force: f64,
    /// How much the section closed (m): the nut's turn.
    pub shortening: f64,
    /// Whether its length was held (the load path, after the pretension).
    pub locked: bool,
}

#[derive(Clone, Debug)]
pub struct NonlinearSolution {
    /// Displacement (3 per node) at the last converged increment (0 at the bolts'
    /// reference nodes: their shortenings are in `bolts`).
    pub displacement: Vec<f64>,
    /// The last converged pseudo-time and load factor (the path's end when it was all
    /// carried).
    pub time: f64,
    pub load_factor: f64,
    pub increments: Vec<Increment>,
    pub cutbacks: usize,
    /// Per integration point (elements in order, points in quadrature order).
    pub states: Vec<PlasticState>,
    /// Cauchy (true) stress per integration point.
    pub stress: Vec<Voigt>,
    /// Second Piola–Kirchhoff stress per integration point (the Cauchy stress in small
    /// strain).
    pub pk2: Vec<Voigt>,
    pub stopped: Option<Stop>,
    pub timing: Timing,
    /// Each contact pair's points at the last converged increment.
    pub contact: Vec<ContactResult>,
    /// The contact stabilisation's work and the internal forces' (J), when parts are
    /// held only by contact.
    pub stabilisation: Option<(f64, f64)>,
    /// Each bolt at the last converged increment.
    pub bolts: Vec<BoltResult>,
}

/// Where the time went (wall seconds, summed over every iteration and line-search
/// step).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    /// Stress updates and internal forces at the integration points, the contact
    /// forces and pairing.
    pub evaluation: f64,
    /// Assembling the tangent stiffness.
    pub assembly: f64,
    /// Its numeric factorisation (the symbolic one is done once, before).
    pub factorization: f64,
    /// How many numeric factorisations.
    pub factorizations: usize,
    /// The triangular solves.
    pub solution: f64,
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

/// The B matrix of node `a` (6 × 3: δE in engineering shears per δu_a) from its
/// reference gradient and the deformation gradient F (identity in small strain):
/// δE = sym(Fᵀ δu_a ⊗ g_a).
fn b_matrix(g: &[f64; 3], f: &Matrix3<f64>) -> SMatrix<f64, 6, 3> {
    SMatrix::<f64, 6, 3>::from_fn(|r, k| match r {
        0 => f[(k, 0)] * g[0],
        1 => f[(k, 1)] * g[1],
        2 => f[(k, 2)] * g[2],
        3 => f[(k, 0)] * g[1] + f[(k, 1)] * g[0],
        4 => f[(k, 1)] * g[2] + f[(k, 2)] * g[1],
        _ => f[(k, 2)] * g[0] + f[(k, 0)] * g[2],
    })
}

/// The element's volume-averaged shape function gradients ḡ_a = ∫ g_a dV / V for the
/// B-bar (mean dilatation) strain of small-strain hex8 (Hughes 1980): the volumetric
/// strain is taken constant over the element, so that plastic flow, which keeps the
/// volume, does not lock the fully integrated hex8 (as it does tet4 and hex8 without
/// it). `None` for other elements and in large deformation.
fn mean_gradients<E: Shape<N>, const N: usize>(
    x: &SMatrix<f64, N, 3>,
    id: usize,
    large: bool,
) -> Result<Option<SMatrix<f64, N, 3>>> {
    if large || E::KIND != crate::ElementKind::Hex8 {
        return Ok(None);
    }
    let (mut sum, mut volume) = (SMatrix::<f64, N, 3>::zeros(), 0.0);
    for (q, (xi, w)) in E::quadrature().iter().enumerate() {
        let (g, det) = checked_gradients::<E, N>(x, xi, q, id)?;
        sum += g * (w * det);
        volume += w * det;
    }
    Ok(Some(sum / volume))
}

/// Node `a`'s B matrix, its dilatation replaced by the element mean's when `bar` is
/// given (row a of ḡ).
fn strain_b(g: &[f64; 3], f: &Matrix3<f64>, bar: Option<[f64; 3]>) -> SMatrix<f64, 6, 3> {
    let mut b = b_matrix(g, f);
    if let Some(m) = bar {
        for r in 0..3 {
            for k in 0..3 {
                b[(r, k)] += (m[k] - g[k]) / 3.0;
            }
        }
    }
    b
}

fn row<const N: usize>(g: &SMatrix<f64, N, 3>, a: usize) -> [f64; 3] {
    [g[(a, 0)], g[(a, 1)], g[(a, 2)]]
}

/// Every point's update at a displacement: stresses, trial states, tangents and (large
/// deformation) deformation gradients.
struct Evaluation {
    /// Second Piola–Kirchhoff (small strain: Cauchy) stress.
    stress: Vec<Voigt>,
    states: Vec<PlasticState>,
    tangents: Vec<Matrix6<f64>>,
    /// Empty in small strain.
    deformation: Vec<Matrix3<f64>>,
    /// Each contact pair's trial point states.
    contact: Vec<Vec<crate::contact::PointState>>,
}

/// One point's update: stress, state, tangent and deformation gradient.
type PointUpdate = (Voigt, PlasticState, Matrix6<f64>, Matrix3<f64>);

/// An element's internal forces and each point's update.
type ElementUpdate<const D: usize> = (SVector<f64, D>, Vec<PointUpdate>);

/// The tangent stiffness from the points' tangents (and, in large deformation, their
/// deformation gradients and the initial stress stiffness).
struct Tangent<'a> {
    eval: &'a Evaluation,
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
        let large = !self.eval.deformation.is_empty();
        let bar = mean_gradients::<E, N>(x, id, large)?;
        for (q, (xi, w)) in E::quadrature().iter().enumerate() {
            let (g, det) = checked_gradients::<E, N>(x, xi, q, id)?;
            let p = self.offsets[id] + q;
            let c = self.eval.tangents[p] * (w * det);
            let f = if large {
                self.eval.deformation[p]
            } else {
                Matrix3::identity()
            };
            // Each node's B once a point, not once a pair of nodes.
            let bs: [SMatrix<f64, 6, 3>; N] =
                std::array::from_fn(|a| strain_b(&row(&g, a), &f, bar.as_ref().map(|m| row(m, a))));
            let sg = g * from_voigt(&self.eval.stress[p]) * (w * det);
            for (a, ba) in bs.iter().enumerate() {
                let cb = c * ba;
                for (b, bb) in bs.iter().enumerate() {
                    let mut block = bb.transpose() * cb;
                    if large {
                        let geometric = sg.row(b).dot(&g.row(a));
                        for i in 0..3 {
                            block[(i, i)] += geometric;
                        }
                    }
                    k.fixed_view_mut::<3, 3>(3 * b, 3 * a).add_assign(&block);
                }
            }
        }
        Ok(k)
    }
}

/// A load case split for the increments: the dead loads' vector and the pressures that
/// follow the deformed faces (none in small strain: all dead).
struct Loads {
    dead: Vec<f64>,
    follower: Vec<(Vec<FaceRef>, f64)>,
}

impl Loads {
    /// The external forces at load factor `factor` and displacement `u`.
    fn at(&self, mesh: &Mesh, factor: f64, u: &[f64]) -> Vec<f64> {
        let mut f: Vec<f64> = self.dead.iter().map(|v| factor * v).collect();
        for (faces, p) in &self.follower {
            crate::loads::add_surface_load_displaced(
                mesh,
                faces,
                SurfaceLoad::Pressure(factor * p),
                Some(u),
                &mut f,
            );
        }
        f
    }
}

impl NonlinearModel<'_> {
    /// The elastic model of the same mesh and constraints: its loads, constraints and
    /// equation set-up are those of this one.
    fn elastic(&self) -> StaticModel<'_> {
        let materials = self
            .materials
            .iter()
            .zip(&self.density)
            .map(|(m, &density)| {
                let (youngs_modulus, poisson_ratio) = m.elastic();
                crate::material::Isotropic {
                    youngs_modulus,
                    poisson_ratio,
                    density,
                }
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

    /// The case's loads: pressures follow the faces in large deformation.
    fn loads(&self, elastic: &StaticModel, case: &LoadCase) -> Loads {
        let mut dead = LoadCase {
            name: case.name.clone(),
            loads: Vec::new(),
        };
        let mut follower = Vec::new();
        for load in &case.loads {
            match load {
                Load::Surface {
                    faces,
                    load: SurfaceLoad::Pressure(p),
                } if self.large_deformation => follower.push((faces.clone(), *p)),
                other => dead.loads.push(other.clone()),
            }
        }
        Loads {
            dead: elastic.load_vector(&dead),
            follower,
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
            deformation: if self.large_deformation {
                vec![Matrix3::identity(); old.len()]
            } else {
                Vec::new()
            },
            contact: Vec::new(),
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
                    for (q, (s, st, t, def)) in points.into_iter().enumerate() {
                        let k = offsets[first + i] + q;
                        (eval.stress[k], eval.states[k], eval.tangents[k]) = (s, st, t);
                        if self.large_deformation {
                            eval.deformation[k] = def;
                        }
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
        let bar = mean_gradients::<E, N>(&x, id, self.large_deformation)?;
        // The element's mean dilatation (B-bar).
        let mean = bar.map(|m| (ue.transpose() * m).trace());
        for (q, (xi, w)) in E::quadrature().iter().enumerate() {
            let (g, det) = checked_gradients::<E, N>(&x, xi, q, id)?;
            let h = ue.transpose() * g;
            let (f, strain) = if self.large_deformation {
                let f = Matrix3::identity() + h;
                (f, 0.5 * (f.transpose() * f - Matrix3::identity()))
            } else {
                let shift = mean.map_or(0.0, |m| (m - h.trace()) / 3.0);
                (
                    Matrix3::identity(),
                    0.5 * (h + h.transpose()) + Matrix3::identity() * shift,
                )
            };
            let inverted = || SolverError::BadElement {
                element: id as i64,
                kind: E::KIND.name(),
                at: crate::mesh::centre(&x),
                det_j: f.determinant(),
                point: q,
            };
            if f.determinant() <= 0.0 {
                return Err(inverted());
            }
            let up = m.update(&to_voigt(&strain), &old[q]).ok_or_else(inverted)?;
            for a in 0..N {
                let ba = strain_b(&row(&g, a), &f, bar.as_ref().map(|m| row(m, a)));
                let fa = ba.transpose() * up.stress * (w * det);
                for c in 0..3 {
                    fe[3 * a + c] += fa[c];
                }
            }
            points.push((up.stress, up.state, up.tangent, f));
        }
        Ok((fe, points))
    }

    /// Applies `case` (and the prescribed displacements) scaled by the load factor of
    /// `path`: `LoadPath::through(&[1.0])` loads, `&[1.0, 0.0]` loads and unloads (the
    /// residual stress and permanent set of a proof test).
    pub fn solve(
        &self,
        case: &LoadCase,
        path: &LoadPath,
        options: &NonlinearOptions,
    ) -> Result<NonlinearSolution> {
        self.solve_with(case, path, options, &mut |_| {})
    }

    /// [`Self::solve`], handing each converged increment to `observer` (for a series of
    /// results or a progress report).
    pub fn solve_with(
        &self,
        case: &LoadCase,
        path: &LoadPath,
        options: &NonlinearOptions,
        observer: &mut dyn FnMut(&Converged),
    ) -> Result<NonlinearSolution> {
        self.check_laws()?;
        if let (true, Some(b)) = (self.large_deformation, self.bolts.first()) {
            return Err(SolverError::Mesh(format!(
                "bolt '{}': a pretension section keeps its undeformed axis; it cannot follow large rotations — solve without large_deformation",
                b.name
            )));
        }
        let elastic = self.elastic();
        self.mesh.check()?;
        let (mut fixed, ubar) = elastic.prescribed();
        let contacts = self.contact_pairs(&elastic, &fixed)?;
        let offsets = point_offsets(self.mesh);
        let points = offsets[offsets.len() - 1];
        crate::memory::check("the integration points' states", 700 * points as u64)?;
        let mut progress = Progress::new(fixed.len(), points, contacts.results());
        let mut setup = Setup {
            model: self,
            elastic,
            contacts,
            offsets,
            options,
            timing: Timing::default(),
        };
        for b in &self.bolts {
            (fixed[3 * b.reference + 1], fixed[3 * b.reference + 2]) = (true, true);
        }
        if !self.bolts.is_empty() {
            let mut dead = vec![0.0; fixed.len()];
            for b in &self.bolts {
                dead[3 * b.reference] = b.force;
            }
            let pretension = Loads {
                dead,
                follower: Vec::new(),
            };
            let zero = vec![0.0; fixed.len()];
            let path = LoadPath::through(&[1.0]).expect("a path to 1");
            let phase = Phase {
                shift: -1.0,
                loading: false,
            };
            setup.phase(
                (&fixed, &zero, &[]),
                &pretension,
                &path,
                phase,
                &mut progress,
                observer,
            )?;
        }
        if progress.out.stopped.is_none() {
            // Each bolt's shortening held where the pretension left it.
            let locked: Vec<(usize, f64)> = self
                .bolts
                .iter()
                .map(|b| (3 * b.reference, progress.u[3 * b.reference]))
                .collect();
            for &(d, _) in &locked {
                fixed[d] = true;
            }
            let loads = self.loads(&setup.elastic, case);
            let phase = Phase {
                shift: 0.0,
                loading: true,
            };
            setup.phase(
                (&fixed, &ubar, &locked),
                &loads,
                path,
                phase,
                &mut progress,
                observer,
            )?;
        }
        Ok(progress.finish(setup.timing))
    }

    /// Every material law checked, with a density each.
    fn check_laws(&self) -> Result<()> {
        if self.density.len() != self.materials.len() {
            return Err(SolverError::Dynamics(format!(
                "nonlinear: {} materials but {} densities",
                self.materials.len(),
                self.density.len()
            )));
        }
        for (i, m) in self.materials.iter().enumerate() {
            m.check(self.large_deformation)
                .map_err(|reason| SolverError::Material {
                    region: format!("material #{i}"),
                    reason,
                })?;
        }
        Ok(())
    }
}

/// What the phases of a run (the bolts' pretension, then the load path) share.
struct Setup<'a> {
    model: &'a NonlinearModel<'a>,
    elastic: StaticModel<'a>,
    contacts: Contacts,
    offsets: Vec<usize>,
    options: &'a NonlinearOptions,
    timing: Timing,
}

impl Setup<'_> {
    /// Follows `path` with `loads`, the dofs flagged in `fixed` prescribed (`ubar`
    /// scaled by the load factor, `locked` held as they are), from `progress` on.
    fn phase(
        &mut self,
        (fixed, ubar, locked): (&[bool], &[f64], &[(usize, f64)]),
        loads: &Loads,
        path: &LoadPath,
        phase: Phase,
        progress: &mut Progress,
        observer: &mut dyn FnMut(&Converged),
    ) -> Result<()> {
        let mut cursor = increments::Cursor::new(self.options);
        let mut groups = 0;
        loop {
            // The stiffness pattern holds every contact pairing so far; one that
            // slides beyond it has the phase go on on a new one.
            let cliques = self.contacts.seen();
            if cliques.len() == groups && groups > 0 {
                return Err(SolverError::Mesh(
                    "contact: the pairing left a stiffness pattern that holds it".into(),
                ));
            }
            groups = cliques.len();
            let system = self.elastic.coupled_system(fixed, &cliques)?;
            let mut run = Run {
                model: self.model,
                system: &system,
                loads,
                prescribed: (ubar, fixed),
                locked,
                offsets: &self.offsets,
                options: self.options,
                timing: std::cell::Cell::new(self.timing),
                factor: Default::default(),
                elements: Default::default(),
                iteration_seconds: Default::default(),
                contacts: &self.contacts,
            };
            let done = run.follow((path, phase), &mut cursor, progress, observer);
            self.timing = run.timing.get();
            if done {
                return Ok(());
            }
            tracing::info!(
                pseudo_time = cursor.at,
                "the contact pairing slid beyond the stiffness pattern: a new pattern"
            );
        }
    }
}

impl NonlinearModel<'_> {
    /// The contact pairs, checked: every part held by supports, shared nodes, ties or
    /// contact; stabilised when some part is held only by contact.
    fn contact_pairs(&self, elastic: &StaticModel, fixed: &[bool]) -> Result<Contacts> {
        let small = self.contacts.iter().find(|c| c.sliding == Sliding::Small);
        if let (true, Some(c)) = (self.large_deformation, small) {
            return Err(SolverError::Mesh(format!(
                "contact '{}': a small-sliding pair keeps its undeformed pairing and normals; it cannot follow large rotations — give it finite sliding, or solve without large_deformation",
                c.name
            )));
        }
        let modulus = |e: usize| self.materials[self.of_element[e]].elastic().0;
        let mut contacts =
            Contacts::new(self.mesh, &self.contacts, &modulus, self.large_deformation)?;
        let cliques = contacts.cliques();
        if cliques.is_empty() {
            elastic.require_constrained(fixed)?;
        } else {
            elastic.require_held(fixed, &cliques, "no shared nodes, no tie, no contact")?;
            if let Err(e) = elastic.require_constrained(fixed) {
                tracing::info!(why = %e, "a part is held only by contact: contact stabilisation on");
                contacts.stabilise();
            }
        }
        Ok(contacts)
    }
}

/// The Cauchy stress σ = F S Fᵀ / det F of every point (S itself in small strain).
fn cauchy(eval: &Evaluation) -> Vec<Voigt> {
    if eval.deformation.is_empty() {
        return eval.stress.clone();
    }
    eval.stress
        .iter()
        .zip(&eval.deformation)
        .map(|(s, f)| to_voigt(&(f * from_voigt(s) * f.transpose() / f.determinant())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::ElementKind;

    fn model(mesh: &Mesh, solid: Solid, large_deformation: bool) -> NonlinearModel<'_> {
        NonlinearModel {
            mesh,
            materials: vec![solid],
            density: vec![0.0],
            of_element: vec![0; mesh.element_count()],
            constraints: vec![],
            large_deformation,
            contacts: vec![],
            bolts: vec![],
        }
    }

    /// One element's tangent (material and initial stress parts) is the derivative of
    /// its internal forces (central differences) at a large, general displacement, for
    /// both laws and for linear and quadratic elements; and in small strain (the hex8's
    /// B-bar included) for an elastic J2 material.
    #[test]
    fn total_lagrangian_tangent_is_the_derivative_of_the_internal_forces() {
        let elastic = |nu| {
            Solid::Plastic(J2 {
                youngs_modulus: 10e6,
                poisson_ratio: nu,
                curve: vec![(0.0, f64::INFINITY)],
                kinematic_modulus: 0.0,
            })
        };
        let laws = [
            (
                Solid::NeoHookean(NeoHookean::from_elastic(10e6, 0.4).unwrap()),
                true,
            ),
            (elastic(0.3), true),
            (elastic(0.45), false),
        ];
        for kind in [ElementKind::Hex8, ElementKind::Tet10, ElementKind::Hex20] {
            let mesh = block([1.0, 0.6, 0.5], [1, 1, 1], kind).unwrap();
            for (law, large) in &laws {
                let m = model(&mesh, law.clone(), *large);
                let n = 3 * mesh.nodes.len();
                // A rotation of 40° about z plus a smooth stretch and shear.
                let (c, s) = (40f64.to_radians().cos(), 40f64.to_radians().sin());
                let u: Vec<f64> = (0..n)
                    .map(|k| {
                        let p = mesh.nodes[k / 3];
                        let (x, y, z) = (p[0], p[1], p[2]);
                        match k % 3 {
                            0 => (c - 1.0) * x - s * y + 0.1 * x * y + 0.05 * z,
                            1 => s * x + (c - 1.0) * y + 0.08 * y * z,
                            _ => 0.12 * z + 0.04 * x * x,
                        }
                    })
                    .collect();
                let offsets = point_offsets(&mesh);
                let old = vec![PlasticState::default(); offsets[offsets.len() - 1]];
                let (eval, _) = m.evaluate(&u, &old, &offsets).unwrap();
                // The global tangent, dense, summed from every element's.
                let mut k = nalgebra::DMatrix::<f64>::zeros(n, n);
                let b = &mesh.blocks[0];
                with_shape!(kind, E, N, D => {
                    let t = Tangent { eval: &eval, offsets: &offsets };
                    for e in 0..b.len() {
                        let nodes = b.element(e);
                        let x = mesh.coords::<N>(nodes);
                        let ke = t.matrix::<E, N, D>(&x, nodes, e).unwrap();
                        for i in 0..D {
                            for j in 0..D {
                                k[(3 * nodes[i / 3] + i % 3, 3 * nodes[j / 3] + j % 3)] += ke[(i, j)];
                            }
                        }
                    }
                });
                let h = 1e-7;
                let scale = k.amax();
                for j in 0..n {
                    let (mut plus, mut minus) = (u.clone(), u.clone());
                    plus[j] += h;
                    minus[j] -= h;
                    let fp = m.evaluate(&plus, &old, &offsets).unwrap().1;
                    let fm = m.evaluate(&minus, &old, &offsets).unwrap().1;
                    for (r, (p, q)) in fp.iter().zip(&fm).enumerate() {
                        let fd = (p - q) / (2.0 * h);
                        assert!(
                            (fd - k[(r, j)]).abs() < 1e-6 * scale,
                            "{kind:?} {law:?} ({r}, {j}): {fd} vs {}",
                            k[(r, j)]
                        );
                    }
                }
            }
        }
    }
}
