//! Natural frequencies and mode shapes: K φ = ω² M φ with the consistent mass matrix.
//!
//! Shift-invert Lanczos in the M inner product: the operator (K − σM)⁻¹ M turns the
//! lowest eigenvalues into the largest and best separated ones, and its factor is the
//! same sparse Cholesky the static analysis uses. Full reorthogonalisation keeps the
//! basis M-orthonormal (the counts of modes wanted here are small). Every returned mode
//! is checked by its true residual as a backward error, ‖Kφ − λMφ‖ / ((‖K‖ + |λ|‖M‖)‖φ‖). A model with free rigid-body
//! motion is solved with a negative shift; its rigid-body modes are reported as such.

use crate::assembly::{assemble_mass, assemble_stiffness, matrix};
use crate::dofs::DofMap;
use crate::error::{Result, SolverError};
use crate::linsolve::{symmetric_matvec, FactorError, StiffnessSolver, SymbolicFactor};
use crate::mesh::NodeGraph;
use crate::ordering::{equation_order, nested_dissection};
use crate::rigid::free_rigid_motions;
use crate::statics::StaticModel;
use faer::Mat;
use nalgebra::{DMatrix, SymmetricEigen};
use std::f64::consts::PI;

#[derive(Clone, Copy, Debug)]
pub struct ModalOptions {
    /// Number of modes wanted (rigid-body modes included).
    pub modes: usize,
    /// Frequency (Hz) the search is centred below: the lowest modes above it are found.
    /// `None` centres it at zero (slightly below for models that can move rigidly).
    pub shift_hz: Option<f64>,
}

/// One natural mode.
#[derive(Clone, Debug)]
pub struct Mode {
    /// Hz (negative eigenvalues of rigid-body modes give 0).
    pub frequency: f64,
    /// ω² (rad²/s²).
    pub eigenvalue: f64,
    /// Mass-normalised shape (φᵀMφ = 1) over all dofs (3 × nodes), zero where constrained.
    pub shape: Vec<f64>,
    /// Backward error ‖Kφ − λMφ‖ / ((‖K‖ + |λ| ‖M‖) ‖φ‖), norms estimated by the
    /// largest diagonal entries.
    pub residual: f64,
    /// Participation factors Γ = φᵀ M r for unit translations r in x, y, z.
    pub participation: [f64; 3],
    /// Effective modal mass Γ² per direction (kg).
    pub effective_mass: [f64; 3],
    pub rigid_body: bool,
}

#[derive(Clone, Debug)]
pub struct ModalSolution {
    pub modes: Vec<Mode>,
    /// Mass that can move in x, y, z (rᵀ M r over free dofs): the sum of all effective masses.
    pub participating_mass: [f64; 3],
    pub lanczos_steps: usize,
    pub factor_seconds: f64,
    pub eigen_seconds: f64,
}

/// Backward error every returned mode must reach.
pub const MODE_TOLERANCE: f64 = 1e-9;

impl StaticModel<'_> {
    /// The lowest natural modes of the constrained model.
    pub fn modes(&self, options: ModalOptions) -> Result<ModalSolution> {
        let mesh = self.mesh;
        mesh.check()?;
        let (fixed, _) = self.prescribed();
        let rigid = free_rigid_motions(&mesh.nodes, &fixed).len();
        let dofs = DofMap::new(&fixed);
        let n = dofs.free_count();
        if n == 0 {
            return Err(SolverError::NothingToSolve);
        }
        let wanted = options.modes.min(n);
        if wanted == 0 {
            return Err(SolverError::LinearSolver(
                "ask for at least one mode".into(),
            ));
        }

        let t = std::time::Instant::now();
        let graph = NodeGraph::new(mesh);
        let pattern = crate::assembly::stiffness_pattern(&graph, &dofs);
        let k = assemble_stiffness(mesh, &self.materials, &dofs, &pattern)?;
        let m = assemble_mass(mesh, &self.materials, &dofs, &pattern)?;
        let (kk, mm) = (matrix(&pattern, &k), matrix(&pattern, &m));
        // A shift below zero when the model can move rigidly, scaled to the model's own
        // stiffness-to-mass ratio so the shifted matrix is comfortably positive definite.
        let (k_diag, m_diag) = (diagonal(&pattern, &k), diagonal(&pattern, &m));
        let ratio = k_diag.iter().sum::<f64>() / m_diag.iter().sum::<f64>();
        let (k_max, m_max) = (
            k_diag.iter().fold(0.0, |a: f64, &b| a.max(b)),
            m_diag.iter().fold(0.0, |a: f64, &b| a.max(b)),
        );
        let sigma = match options.shift_hz {
            Some(f) => (2.0 * PI * f).powi(2) * f.signum(),
            None if rigid > 0 => -1e-6 * ratio,
            None => 0.0,
        };
        let shifted: Vec<f64> = k.iter().zip(&m).map(|(a, b)| a - sigma * b).collect();
        let order = equation_order(&nested_dissection(&mesh.nodes, &graph), &dofs);
        let symbolic = SymbolicFactor::analyse(&pattern, Some(&order))?;
        let shifted_m = matrix(&pattern, &shifted);
        let solver = StiffnessSolver::new(&symbolic, shifted_m, false).map_err(|e| match e {
            FactorError::Singular(p) => {
                let dof = dofs.free_dofs()[p.equation];
                SolverError::Singular {
                    node: dof / 3,
                    component: ['x', 'y', 'z'][dof % 3],
                    ratio: p.ratio,
                }
            }
            FactorError::Other(msg) => SolverError::LinearSolver(msg),
        })?;
        let factor_seconds = t.elapsed().as_secs_f64();

        let t = std::time::Instant::now();
        let apply = |x: &[f64]| -> Result<Vec<f64>> {
            let mx = symmetric_matvec(mm, x);
            let mut y = Mat::<f64>::from_fn(n, 1, |i, _| mx[i]);
            solver.solve(shifted_m, y.as_mut())?;
            Ok((0..n).map(|i| y[(i, 0)]).collect())
        };
        let (pairs, steps) = lanczos(n, wanted, &apply, &|x| symmetric_matvec(mm, x))?;

        let mut modes = Vec::with_capacity(wanted);
        for (theta, v) in pairs.into_iter().take(wanted) {
            let lambda = sigma + 1.0 / theta;
            let kv = symmetric_matvec(kk, &v);
            let mv = symmetric_matvec(mm, &v);
            let r: f64 = kv
                .iter()
                .zip(&mv)
                .map(|(a, b)| (a - lambda * b).powi(2))
                .sum::<f64>()
                .sqrt();
            let scale = ((k_max + lambda.abs() * m_max) * norm(&v)).max(f64::MIN_POSITIVE);
            let mut participation = [0.0; 3];
            for (d, p) in participation.iter_mut().enumerate() {
                *p = dofs
                    .free_dofs()
                    .iter()
                    .zip(&mv)
                    .filter(|(&g, _)| g % 3 == d)
                    .map(|(_, m)| m)
                    .sum();
            }
            let mut shape = vec![0.0; dofs.dof_count()];
            for (&g, &x) in dofs.free_dofs().iter().zip(&v) {
                shape[g] = x;
            }
            modes.push(Mode {
                frequency: lambda.max(0.0).sqrt() / (2.0 * PI),
                eigenvalue: lambda,
                shape,
                residual: r / scale,
                participation,
                effective_mass: participation.map(|g| g * g),
                rigid_body: false,
            });
        }
        modes.sort_by(|a, b| a.eigenvalue.total_cmp(&b.eigenvalue));
        classify_rigid(&mut modes, rigid);
        if let Some((i, m)) = modes
            .iter()
            .enumerate()
            .find(|(_, m)| !m.rigid_body && m.residual > MODE_TOLERANCE)
        {
            return Err(SolverError::LinearSolver(format!(
                "mode {} ({:.4} Hz) did not converge: residual {:.2e}",
                i + 1,
                m.frequency,
                m.residual
            )));
        }
        let mut participating_mass = [0.0; 3];
        for (d, total) in participating_mass.iter_mut().enumerate() {
            let r: Vec<f64> = dofs
                .free_dofs()
                .iter()
                .map(|&g| if g % 3 == d { 1.0 } else { 0.0 })
                .collect();
            *total = dot(&r, &symmetric_matvec(mm, &r));
        }
        Ok(ModalSolution {
            modes,
            participating_mass,
            lanczos_steps: steps,
            factor_seconds,
            eigen_seconds: t.elapsed().as_secs_f64(),
        })
    }
}

/// The lowest `rigid` modes are rigid-body modes when they are far below the first
/// elastic one.
fn classify_rigid(modes: &mut [Mode], rigid: usize) {
    let elastic = modes
        .get(rigid)
        .map_or(f64::INFINITY, |m| m.eigenvalue.abs());
    for m in modes.iter_mut().take(rigid) {
        if m.eigenvalue.abs() < 1e-6 * elastic {
            m.rigid_body = true;
            m.frequency = 0.0;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Diagonal of an upper-triangular pattern's values (rows are sorted: the diagonal is
/// the last entry of each column).
fn diagonal(pattern: &faer::sparse::SymbolicSparseColMat<usize>, values: &[f64]) -> Vec<f64> {
    let p = pattern.as_ref();
    (0..p.ncols())
        .map(|j| {
            let last = p.col_ptr()[j + 1] - 1;
            debug_assert_eq!(p.row_idx()[last], j);
            values[last]
        })
        .collect()
}

/// Lanczos on the operator `op` (self-adjoint in the inner product `m`) with full
/// reorthogonalisation, extended until the `wanted` largest Ritz values converge.
/// Returns (θ, M-normalised Ritz vector) pairs, largest θ first, and the step count.
#[allow(clippy::type_complexity)]
fn lanczos(
    n: usize,
    wanted: usize,
    op: &dyn Fn(&[f64]) -> Result<Vec<f64>>,
    m: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Result<(Vec<(f64, Vec<f64>)>, usize)> {
    let max_steps = n.min((4 * wanted + 60).max(2 * wanted + 20)).max(wanted);
    let mut q: Vec<Vec<f64>> = Vec::new();
    let mut mq: Vec<Vec<f64>> = Vec::new();
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    // A deterministic start vector with components in every direction, pushed through
    // the operator once so it lies in the range of (K − σM)⁻¹M (no constrained junk).
    let start: Vec<f64> = (0..n)
        .map(|i| 1.0 + ((i * 7919) % 113) as f64 / 113.0)
        .collect();
    let mut r = op(&start)?;
    let mut check_at = (2 * wanted + 10).min(max_steps);
    loop {
        // Normalise and reorthogonalise r against the basis (twice is enough).
        for _ in 0..2 {
            let mr = m(&r);
            for (qi, _) in q.iter().zip(&mq) {
                let c = dot(qi, &mr);
                r.iter_mut().zip(qi).for_each(|(a, b)| *a -= c * b);
            }
        }
        let mr = m(&r);
        let b = dot(&r, &mr).sqrt();
        if !q.is_empty() {
            beta.push(b);
        }
        let steps = q.len();
        let exhausted = b <= 1e-14 * alpha.iter().fold(0.0f64, |a: f64, x: &f64| a.max(x.abs()))
            || steps == max_steps;
        if steps >= check_at || exhausted {
            let (pairs, converged) =
                ritz(&alpha, &beta, &q, wanted, if exhausted { 0.0 } else { b });
            if converged || exhausted {
                return Ok((pairs, steps));
            }
            check_at = (check_at + 10).min(max_steps);
        }
        let qj: Vec<f64> = r.iter().map(|v| v / b).collect();
        let mqj: Vec<f64> = mr.iter().map(|v| v / b).collect();
        let mut w = op(&qj)?;
        let a = dot(&mqj, &w);
        alpha.push(a);
        w.iter_mut().zip(&qj).for_each(|(x, y)| *x -= a * y);
        if let (Some(prev), Some(&bp)) = (q.last(), beta.last()) {
            w.iter_mut().zip(prev).for_each(|(x, y)| *x -= bp * y);
        }
        q.push(qj);
        mq.push(mqj);
        r = w;
    }
}

/// Ritz pairs of the tridiagonal T; converged when the wanted ones have small
/// residual estimates |β s_last| / θ.
#[allow(clippy::type_complexity)]
fn ritz(
    alpha: &[f64],
    beta: &[f64],
    q: &[Vec<f64>],
    wanted: usize,
    b_next: f64,
) -> (Vec<(f64, Vec<f64>)>, bool) {
    let k = alpha.len();
    let t = DMatrix::from_fn(k, k, |i, j| {
        if i == j {
            alpha[i]
        } else if i + 1 == j || j + 1 == i {
            beta[i.min(j)]
        } else {
            0.0
        }
    });
    let eig = SymmetricEigen::new(t);
    let mut idx: Vec<usize> = (0..k).collect();
    idx.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let mut converged = k >= wanted;
    let mut pairs = Vec::with_capacity(wanted);
    for &i in idx.iter().take(wanted) {
        let theta = eig.eigenvalues[i];
        let s = eig.eigenvectors.column(i);
        if (b_next * s[k - 1]).abs() > 1e-10 * theta.abs() {
            converged = false;
        }
        let mut v = vec![0.0; q[0].len()];
        for (j, qj) in q.iter().enumerate() {
            v.iter_mut().zip(qj).for_each(|(a, b)| *a += s[j] * b);
        }
        pairs.push((theta, v));
    }
    (pairs, converged)
}
