//! Natural frequencies and mode shapes: K φ = ω² M φ with the consistent mass matrix.
//!
//! Shift-invert Lanczos ([`crate::eigen`]) in the M inner product: the operator
//! (K − σM)⁻¹ M turns the lowest eigenvalues into the largest and best separated ones,
//! and its factor is the same sparse Cholesky the static analysis uses. Every returned mode
//! is checked by its true residual as a backward error, ‖Kφ − λMφ‖ / ((‖K‖ + |λ|‖M‖)‖φ‖). A model with free rigid-body
//! motion is solved with a negative shift; its rigid-body modes are reported as such.
//!
//! ```
//! use vproto_solver::assembly::Materials;
//! use vproto_solver::modal::ModalOptions;
//! use vproto_solver::{generate::block, Constraint, ElementKind, Isotropic, StaticModel};
//! let mesh = block([1.0, 0.05, 0.1], [20, 1, 2], ElementKind::Hex20).unwrap();
//! let steel = Isotropic { youngs_modulus: 210e9, poisson_ratio: 0.3, density: 7850.0 };
//! let model = StaticModel {
//!     mesh: &mesh,
//!     materials: Materials::uniform(steel, mesh.element_count()),
//!     constraints: vec![Constraint { nodes: mesh.set_nodes("xmin").unwrap(), components: [Some(0.0); 3] }],
//! };
//! let modes = model.modes(ModalOptions { modes: 2, ..Default::default() }).unwrap();
//! // First bending mode (in y, the thin direction): 1.875² / (2π L²) √(E I / (ρ A)).
//! let euler = 1.8751_f64.powi(2) / (2.0 * std::f64::consts::PI) * (210e9 * 0.05_f64.powi(2) / 12.0 / 7850.0).sqrt();
//! assert!((modes.modes[0].frequency / euler - 1.0).abs() < 0.02);
//! ```

use crate::amg::Csr;
use crate::assembly::{assemble, assemble_mass, assemble_stiffness, matrix, GeometricStiffness};
use crate::dofs::DofMap;
use crate::eigen::{dot, lanczos, norm, wanted};
use crate::error::{Result, SolverError};
use crate::linsolve::{symmetric_matvec, StiffnessSolver};
use crate::lobpcg::{lobpcg, Pencil};
use crate::rigid::free_rigid_modes;
use crate::statics::{factor_error, Method, StaticModel, StaticResults, System};
use faer::Mat;
use std::f64::consts::PI;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ModalOptions {
    /// Number of modes wanted (rigid-body modes included).
    pub modes: usize,
    /// Frequency (Hz) the search is centred below: the lowest modes above it are found.
    /// `None` centres it at zero (slightly below for models that can move rigidly).
    pub shift_hz: Option<f64>,
    /// Shift-invert Lanczos on a factor (direct), LOBPCG preconditioned by multigrid
    /// (iterative), or the factor when it fits in memory (auto).
    pub method: Method,
}

/// Relative residual ‖Kφ − λMφ‖ / (λ‖Mφ‖) the iterative (LOBPCG) modes reach.
pub const LOBPCG_TOLERANCE: f64 = 1e-6;
const LOBPCG_MAX_ITERATIONS: usize = 400;

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
        self.modes_about(None, options)
    }

    /// The lowest natural modes about the stress state of a static load case:
    /// (K + K_σ) φ = ω² M φ, so tension stiffens the part and compression softens it (a
    /// preloaded frequency step, `*STEP, PERTURBATION` in Abaqus and CalculiX).
    pub fn modes_prestressed(
        &self,
        preload: &StaticResults,
        options: ModalOptions,
    ) -> Result<ModalSolution> {
        self.modes_about(Some(preload), options)
    }

    fn modes_about(
        &self,
        preload: Option<&StaticResults>,
        options: ModalOptions,
    ) -> Result<ModalSolution> {
        let mesh = self.mesh;
        mesh.check()?;
        let (fixed, _) = self.prescribed();
        let rigid_motions = free_rigid_modes(&mesh.nodes, &fixed);
        let rigid = rigid_motions.len();
        if preload.is_some() && rigid > 0 {
            return Err(SolverError::LinearSolver(format!(
                "a preloaded modal analysis needs a fully supported model: this one has {rigid} free rigid-body motion(s)"
            )));
        }
        let t = std::time::Instant::now();
        let (system, _) = self.choose(&fixed, options.method)?;
        let Some(System {
            dofs,
            pattern,
            symbolic,
            ..
        }) = system
        else {
            return self.modes_iterative(preload, options, &fixed, rigid);
        };
        let n = dofs.free_count();
        wanted(options.modes, n)?;
        let k = self.stiffness_about(preload, &dofs, &pattern)?;
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
        // The rigid-body modes are known: taken out of the Krylov space explicitly, so
        // Lanczos sees only elastic modes and none of the six can be lost.
        let basis = rigid_basis(&rigid_motions, &dofs, mm);
        let shifted =
            |sigma: f64| -> Vec<f64> { k.iter().zip(&m).map(|(a, b)| a - sigma * b).collect() };
        let factor = |values: &[f64]| {
            StiffnessSolver::new(&symbolic, matrix(&pattern, values), false).map_err(|e| {
                match (preload, options.shift_hz) {
                    (Some(pre), _) => SolverError::LinearSolver(format!(
                        "the stiffness under the preload of '{}' is not positive definite: the preload is at or beyond a buckling load",
                        pre.name
                    )),
                    // K − σM is indefinite once σ passes an eigenvalue: the Cholesky
                    // factor cannot take it.
                    (None, Some(f)) if f > 0.0 => SolverError::LinearSolver(format!(
                        "the shift of {f} Hz lies above a natural frequency of the model (K − σM is not positive definite), and vproto's shifted factor needs it below the lowest mode: lower shift_hz below the first natural frequency, or leave it out and ask for more modes"
                    )),
                    _ => factor_error(e, &dofs, mesh),
                }
            })
        };
        let mut sigma = match options.shift_hz {
            Some(f) => (2.0 * PI * f).powi(2) * f.signum(),
            None if rigid > 0 => -1e-6 * ratio,
            None => 0.0,
        };
        let mut values = shifted(sigma);
        let mut solver = factor(&values)?;
        if rigid > 0 && options.shift_hz.is_none() {
            // The safe shift above can lie far below the first elastic eigenvalue of a
            // thin part, where every θ = 1/(λ − σ) looks alike and Lanczos crawls: a
            // short run estimates that eigenvalue and the shift moves just below it.
            let estimate = {
                let op = deflated_operator(&solver, matrix(&pattern, &values), mm, &basis);
                lanczos_estimate(n, &op, &|x| symmetric_matvec(mm, x), sigma)
            };
            if estimate.is_finite() && estimate > 0.0 {
                sigma = -0.1 * estimate;
                values = shifted(sigma);
                solver = factor(&values)?;
            }
        }
        let factor_seconds = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let deflated = deflated_operator(&solver, matrix(&pattern, &values), mm, &basis);
        let elastic_wanted = options.modes.saturating_sub(rigid).min(n - rigid.min(n));
        tracing::info!(modes = elastic_wanted, rigid, "Lanczos iterations");
        let (pairs, steps) = if elastic_wanted > 0 {
            lanczos(n, elastic_wanted, &deflated, &|x| symmetric_matvec(mm, x))?
        } else {
            (Vec::new(), 0)
        };
        let rigid_pairs = basis.iter().map(|phi| {
            let k_phi = dot(phi, &symmetric_matvec(kk, phi));
            (true, k_phi, phi.clone())
        });
        let elastic_pairs = pairs
            .into_iter()
            .take(elastic_wanted)
            .map(|(theta, v)| (false, sigma + 1.0 / theta, v));
        let pencil = Checks {
            k: &|x| symmetric_matvec(kk, x),
            m: &|x| symmetric_matvec(mm, x),
            k_max,
            m_max,
            ratio,
            rigid,
        };
        let modes = pencil.modes(rigid_pairs.chain(elastic_pairs).collect(), &dofs)?;
        Ok(ModalSolution {
            modes,
            participating_mass: participating_mass(&pencil, &dofs),
            lanczos_steps: steps,
            factor_seconds,
            eigen_seconds: t.elapsed().as_secs_f64(),
        })
    }
}

impl StaticModel<'_> {
    /// K, or K + K_σ about the stresses of a preload.
    fn stiffness_about(
        &self,
        preload: Option<&StaticResults>,
        dofs: &DofMap,
        pattern: &faer::sparse::SymbolicSparseColMat<usize>,
    ) -> Result<Vec<f64>> {
        let mut k = assemble_stiffness(self.mesh, &self.materials, dofs, pattern)?;
        if let Some(pre) = preload {
            let geometric = GeometricStiffness {
                materials: &self.materials,
                displacement: &pre.displacement,
            };
            let kg = assemble(self.mesh, dofs, pattern, &geometric)?;
            k.iter_mut().zip(&kg).for_each(|(a, b)| *a += b);
        }
        Ok(k)
    }

    /// The lowest modes by LOBPCG preconditioned with the multigrid V-cycle of the
    /// stiffness: memory of a few copies of K and M and a block of vectors, never a
    /// factor's. For supported models (the V-cycle needs a positive definite K).
    fn modes_iterative(
        &self,
        preload: Option<&StaticResults>,
        options: ModalOptions,
        fixed: &[bool],
        rigid: usize,
    ) -> Result<ModalSolution> {
        if rigid > 0 || options.shift_hz.is_some() {
            return Err(SolverError::LinearSolver(format!(
                "the iterative modal solver needs a supported model and no frequency shift (this one has {rigid} free rigid-body motion(s){}): use [solver] method = \"direct\"",
                if options.shift_hz.is_some() { " and a shift" } else { "" }
            )));
        }
        let (mesh, t) = (self.mesh, std::time::Instant::now());
        let (dofs, pattern) = self.free_pattern(fixed)?;
        let n = dofs.free_count();
        wanted(options.modes, n)?;
        crate::memory::check(
            "the iterative modal solver",
            crate::memory::lobpcg_bytes(pattern.compute_nnz(), n, options.modes),
        )?;
        let k = self.stiffness_about(preload, &dofs, &pattern)?;
        let m = assemble_mass(mesh, &self.materials, &dofs, &pattern)?;
        let (k_diag, m_diag) = (diagonal(&pattern, &k), diagonal(&pattern, &m));
        let max = |d: &[f64]| d.iter().fold(0.0, |a: f64, &b| a.max(b));
        let (col_ptr, row_idx) = (pattern.col_ptr(), pattern.row_idx());
        let stiffness = Csr::from_upper(n, col_ptr, row_idx, &k);
        let mass = Csr::from_upper(n, col_ptr, row_idx, &m);
        drop((k, m, pattern));
        let amg = self.hierarchy(&dofs, stiffness).map_err(|e| match preload {
            Some(pre) => SolverError::LinearSolver(format!(
                "the stiffness under the preload of '{}' is not positive definite (the preload is at or beyond a buckling load): {e}",
                pre.name
            )),
            None => e,
        })?;
        let factor_seconds = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        tracing::info!(modes = options.modes, "LOBPCG iterations");
        let k_apply = |x: &[f64], y: &mut [f64]| amg.matrix().apply(x, y);
        let m_apply = |x: &[f64], y: &mut [f64]| mass.apply(x, y);
        let mut work = amg.work();
        let mut precondition = |r: &[f64], z: &mut [f64]| amg.apply(r, z, &mut work);
        let mut pencil = Pencil {
            k: &k_apply,
            m: &m_apply,
            precondition: &mut precondition,
            deflate: &[],
        };
        let found = lobpcg(
            n,
            options.modes,
            &mut pencil,
            LOBPCG_TOLERANCE,
            LOBPCG_MAX_ITERATIONS,
        )?;
        let checks = Checks {
            k: &|x| amg.matrix().mul(x),
            m: &|x| mass.mul(x),
            k_max: max(&k_diag),
            m_max: max(&m_diag),
            ratio: k_diag.iter().sum::<f64>() / m_diag.iter().sum::<f64>(),
            rigid: 0,
        };
        let pairs = found.values.into_iter().zip(found.vectors);
        let modes = checks.modes(pairs.map(|(l, v)| (false, l, v)).collect(), &dofs)?;
        Ok(ModalSolution {
            modes,
            participating_mass: participating_mass(&checks, &dofs),
            lanczos_steps: found.iterations,
            factor_seconds,
            eigen_seconds: t.elapsed().as_secs_f64(),
        })
    }
}

/// What every computed mode is checked and described with: the pencil's products,
/// the largest diagonal entries (norm estimates) and the free rigid-body motions.
struct Checks<'a> {
    k: &'a dyn Fn(&[f64]) -> Vec<f64>,
    m: &'a dyn Fn(&[f64]) -> Vec<f64>,
    k_max: f64,
    m_max: f64,
    /// Σ diag K / Σ diag M: the scale of the eigenvalues.
    ratio: f64,
    rigid: usize,
}

impl Checks<'_> {
    /// Modes from (rigid, λ, vector on the free dofs), sorted rigid first then by
    /// frequency; an extra zero-frequency mode or an unconverged one is an error.
    fn modes(&self, pairs: Vec<(bool, f64, Vec<f64>)>, dofs: &DofMap) -> Result<Vec<Mode>> {
        let mut modes: Vec<Mode> = pairs
            .into_iter()
            .map(|(rigid_body, lambda, v)| self.mode(rigid_body, lambda, v, dofs))
            .collect();
        modes.sort_by(|a, b| {
            (!a.rigid_body, a.eigenvalue)
                .partial_cmp(&(!b.rigid_body, b.eigenvalue))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for m in modes.iter_mut().filter(|m| m.rigid_body) {
            m.frequency = 0.0;
        }
        // A zero-frequency mode beyond the rigid-body motions is a mechanism or a
        // loose part: its "frequency" would be round-off, so it is an error.
        if let Some(m) = modes
            .iter()
            .find(|m| !m.rigid_body && m.eigenvalue.abs() < 1e-12 * self.ratio)
        {
            return Err(SolverError::LinearSolver(format!(
                "a zero-frequency mode ({:.3e} Hz) besides the {} rigid-body motion(s): a mechanism or a part attached to nothing",
                m.frequency, self.rigid
            )));
        }
        if let Some((i, m)) = modes
            .iter()
            .enumerate()
            .find(|(_, m)| !m.rigid_body && (m.residual.is_nan() || m.residual > MODE_TOLERANCE))
        {
            return Err(SolverError::LinearSolver(format!(
                "mode {} ({:.4} Hz) did not converge: residual {:.2e}",
                i + 1,
                m.frequency,
                m.residual
            )));
        }
        Ok(modes)
    }

    fn mode(&self, rigid_body: bool, lambda: f64, v: Vec<f64>, dofs: &DofMap) -> Mode {
        let kv = (self.k)(&v);
        let mv = (self.m)(&v);
        let r: f64 = kv
            .iter()
            .zip(&mv)
            .map(|(a, b)| (a - lambda * b).powi(2))
            .sum::<f64>()
            .sqrt();
        let scale = ((self.k_max + lambda.abs() * self.m_max) * norm(&v)).max(f64::MIN_POSITIVE);
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
        dofs.expand(&mut shape);
        Mode {
            frequency: lambda.max(0.0).sqrt() / (2.0 * PI),
            eigenvalue: lambda,
            shape,
            residual: r / scale,
            participation,
            effective_mass: participation.map(|g| g * g),
            rigid_body,
        }
    }
}

/// Mass that can move in x, y, z: rᵀ M r over the free dofs for unit translations r.
fn participating_mass(checks: &Checks<'_>, dofs: &DofMap) -> [f64; 3] {
    let mut total = [0.0; 3];
    for (d, t) in total.iter_mut().enumerate() {
        let r: Vec<f64> = dofs
            .free_dofs()
            .iter()
            .map(|&g| if g % 3 == d { 1.0 } else { 0.0 })
            .collect();
        *t = dot(&r, &(checks.m)(&r));
    }
    total
}

/// (K − σM)⁻¹ M with the rigid-body modes projected out of its input and output.
fn deflated_operator<'a>(
    solver: &'a StiffnessSolver,
    shifted: faer::sparse::SparseColMatRef<'a, usize, f64>,
    mm: faer::sparse::SparseColMatRef<'a, usize, f64>,
    basis: &'a [Vec<f64>],
) -> impl Fn(&[f64]) -> Result<Vec<f64>> + 'a {
    let project = move |x: &mut Vec<f64>| {
        let mx = symmetric_matvec(mm, x);
        for phi in basis {
            let c = dot(phi, &mx);
            x.iter_mut().zip(phi).for_each(|(a, b)| *a -= c * b);
        }
    };
    move |x: &[f64]| {
        let mut x = x.to_vec();
        project(&mut x);
        let mx = symmetric_matvec(mm, &x);
        let mut y = Mat::<f64>::from_fn(x.len(), 1, |i, _| mx[i]);
        solver.solve(Some(shifted), y.as_mut())?;
        let mut y: Vec<f64> = (0..x.len()).map(|i| y[(i, 0)]).collect();
        project(&mut y);
        Ok(y)
    }
}

/// A rough lowest eigenvalue of the deflated problem: the largest Ritz value of a
/// short Lanczos run (extreme ones converge first), NaN when the run fails.
fn lanczos_estimate(
    n: usize,
    op: &dyn Fn(&[f64]) -> Result<Vec<f64>>,
    m: &dyn Fn(&[f64]) -> Vec<f64>,
    sigma: f64,
) -> f64 {
    crate::eigen::lanczos_rough(n, op, m).map_or(f64::NAN, |theta| sigma + 1.0 / theta)
}

/// The rigid-body motions on the free dofs, M-orthonormal (modified Gram–Schmidt).
fn rigid_basis(
    motions: &[Vec<f64>],
    dofs: &crate::dofs::DofMap,
    mm: faer::sparse::SparseColMatRef<'_, usize, f64>,
) -> Vec<Vec<f64>> {
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(motions.len());
    for u in motions {
        let mut v: Vec<f64> = dofs.free_dofs().iter().map(|&g| u[g]).collect();
        for phi in &basis {
            let c = dot(phi, &symmetric_matvec(mm, &v));
            v.iter_mut().zip(phi).for_each(|(a, b)| *a -= c * b);
        }
        let norm = dot(&v, &symmetric_matvec(mm, &v)).sqrt();
        if norm > 0.0 {
            basis.push(v.into_iter().map(|x| x / norm).collect());
        }
    }
    basis
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
