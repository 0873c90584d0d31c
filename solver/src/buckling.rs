//! Linear (eigenvalue) buckling about a static load case: (K + λ K_σ) φ = 0, where K_σ
//! is the geometric stiffness of the static stresses and λ the factor on that load at
//! which the structure buckles.
//!
//! With θ = 1/λ this is K⁻¹(−K_σ) φ = θ φ, an operator self-adjoint in the K inner
//! product, so the Lanczos process of [`crate::eigen`] finds the largest θ — the lowest
//! positive buckling factors — with the stiffness factor the static solve already needs.
//!
//! ```
//! use vproto_solver::assembly::Materials;
//! use vproto_solver::buckling::BucklingOptions;
//! use vproto_solver::{generate::block, Constraint, ElementKind, Isotropic, Load, LoadCase, StaticModel};
//! // A clamped column 1 m × 0.05 m × 0.05 m under 1 kN of compression at its free end.
//! let mesh = block([1.0, 0.05, 0.05], [20, 1, 1], ElementKind::Hex20).unwrap();
//! let steel = Isotropic { youngs_modulus: 210e9, poisson_ratio: 0.3, density: 7850.0 };
//! let model = StaticModel {
//!     mesh: &mesh,
//!     materials: Materials::uniform(steel, mesh.element_count()),
//!     constraints: vec![Constraint { nodes: mesh.set_nodes("xmin").unwrap(), components: [Some(0.0); 3] }],
//! };
//! let faces = mesh.face_set("xmax").unwrap().to_vec();
//! let push = Load::Surface { faces, load: vproto_solver::loads::SurfaceLoad::Pressure(1e3 / 0.05_f64.powi(2)) };
//! let pre = model.solve(&[LoadCase { name: "push".into(), loads: vec![push] }]).unwrap();
//! let b = model.buckling(&pre.load_cases[0], BucklingOptions { modes: 1, ..Default::default() }).unwrap();
//! // Euler: π² E I / (4 L²) for a cantilever column.
//! let euler = std::f64::consts::PI.powi(2) * 210e9 * 0.05_f64.powi(4) / 12.0 / 4.0;
//! assert!((b.modes[0].factor * 1e3 / euler - 1.0).abs() < 0.02);
//! ```

use crate::amg::Csr;
use crate::assembly::{assemble, assemble_stiffness, matrix, GeometricStiffness};
use crate::dofs::DofMap;
use crate::eigen::{lanczos, norm, wanted};
use crate::error::{Result, SolverError};
use crate::linsolve::{symmetric_matvec, StiffnessSolver};
use crate::lobpcg::lobpcg;
use crate::statics::{factor_error, Method, StaticModel, StaticResults, System};
use faer::Mat;

#[derive(Clone, Copy, Debug, Default)]
pub struct BucklingOptions {
    /// Number of buckling modes wanted.
    pub modes: usize,
    /// Lanczos on the stiffness factor (direct), LOBPCG preconditioned by multigrid
    /// (iterative), or the factor when it fits in memory (auto).
    pub method: Method,
}

#[derive(Clone, Debug)]
pub struct BucklingMode {
    /// Load factor λ: the static load × λ buckles the structure.
    pub factor: f64,
    /// Mode shape over all dofs (3 × nodes), scaled to a largest component of 1.
    pub shape: Vec<f64>,
    /// Backward error ‖Kφ + λK_σφ‖ / ((‖K‖ + |λ| ‖K_σ‖) ‖φ‖), norms by largest diagonals.
    pub residual: f64,
}

#[derive(Clone, Debug)]
pub struct BucklingSolution {
    pub modes: Vec<BucklingMode>,
    pub lanczos_steps: usize,
}

/// Backward error every returned buckling mode must reach.
pub const BUCKLING_TOLERANCE: f64 = 1e-9;

impl StaticModel<'_> {
    /// The lowest positive buckling factors of the stress state of `preload`.
    pub fn buckling(
        &self,
        preload: &StaticResults,
        options: BucklingOptions,
    ) -> Result<BucklingSolution> {
        let mesh = self.mesh;
        mesh.check()?;
        let (fixed, _) = self.prescribed();
        self.require_constrained(&fixed)?;
        let (system, _) = self.choose(&fixed, options.method)?;
        let Some(System {
            dofs,
            pattern,
            symbolic,
            ..
        }) = system
        else {
            return self.buckling_iterative(preload, options, &fixed);
        };
        let n = dofs.free_count();
        let wanted = wanted(options.modes, n)?;
        let k = assemble_stiffness(mesh, &self.materials, &dofs, &pattern)?;
        let geometric = GeometricStiffness {
            materials: &self.materials,
            displacement: &preload.displacement,
        };
        let kg = assemble(mesh, &dofs, &pattern, &geometric)?;
        let (kk, kgm) = (matrix(&pattern, &k), matrix(&pattern, &kg));
        let solver =
            StiffnessSolver::new(&symbolic, kk, false).map_err(|e| factor_error(e, &dofs, mesh))?;

        let apply = |x: &[f64]| -> Result<Vec<f64>> {
            let gx = symmetric_matvec(kgm, x);
            let mut y = Mat::<f64>::from_fn(n, 1, |i, _| -gx[i]);
            solver.solve(Some(kk), y.as_mut())?;
            Ok((0..n).map(|i| y[(i, 0)]).collect())
        };
        tracing::info!(modes = wanted, "Lanczos iterations for buckling factors");
        let (pairs, steps) = lanczos(n, wanted, &apply, &|x| symmetric_matvec(kk, x))?;
        tracing::debug!(lanczos_steps = steps, "buckling eigenproblem solved");

        let largest = |v: &[f64]| v.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        let pencil = Pencil {
            k: &|x| symmetric_matvec(kk, x),
            kg: &|x| symmetric_matvec(kgm, x),
            k_max: largest(&k),
            kg_max: largest(&kg),
        };
        let factors = pairs
            .into_iter()
            .filter(|(t, _)| *t > 0.0)
            .map(|(t, v)| (1.0 / t, v));
        let modes = pencil.modes(factors, &dofs, preload)?;
        Ok(BucklingSolution {
            modes,
            lanczos_steps: steps,
        })
    }
}

/// K and K_σ with their largest entries (norm estimates): what every buckling mode is
/// checked with.
struct Pencil<'a> {
    k: &'a dyn Fn(&[f64]) -> Vec<f64>,
    kg: &'a dyn Fn(&[f64]) -> Vec<f64>,
    k_max: f64,
    kg_max: f64,
}

impl Pencil<'_> {
    /// Modes from (λ, vector) candidates in increasing λ > 0, each checked by its
    /// backward error. A candidate that does not converge ends the list: later ones
    /// cannot be trusted to be the next lowest.
    fn modes(
        &self,
        candidates: impl Iterator<Item = (f64, Vec<f64>)>,
        dofs: &DofMap,
        preload: &StaticResults,
    ) -> Result<Vec<BucklingMode>> {
        let largest = |v: &[f64]| v.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        let mut modes = Vec::new();
        let mut unconverged = None;
        for (lambda, v) in candidates {
            let (kv, gv) = ((self.k)(&v), (self.kg)(&v));
            let r = kv
                .iter()
                .zip(&gv)
                .map(|(a, b)| (a + lambda * b).powi(2))
                .sum::<f64>()
                .sqrt();
            let residual =
                r / ((self.k_max + lambda * self.kg_max) * norm(&v)).max(f64::MIN_POSITIVE);
            if residual.is_nan() || residual > BUCKLING_TOLERANCE {
                unconverged = Some((lambda, residual));
                break;
            }
            let scale = largest(&v);
            let mut shape = vec![0.0; dofs.dof_count()];
            for (&g, &x) in dofs.free_dofs().iter().zip(&v) {
                shape[g] = x / scale;
            }
            dofs.expand(&mut shape);
            modes.push(BucklingMode {
                factor: lambda,
                shape,
                residual,
            });
        }
        if modes.is_empty() {
            let candidate = unconverged.map_or(String::new(), |(l, r)| {
                format!(" (the only candidate, factor {l:.3e}, has residual {r:.1e})")
            });
            return Err(SolverError::LinearSolver(format!(
                "load case '{}' does not buckle the structure: no positive buckling factor converged{candidate}; is it in tension?",
                preload.name
            )));
        }
        Ok(modes)
    }
}

impl StaticModel<'_> {
    /// The lowest buckling factors by LOBPCG on K_σ φ = ν K φ (ν = −1/λ, the most
    /// negative first), preconditioned by the multigrid V-cycle of K: memory of a few
    /// copies of K, never a factor's.
    fn buckling_iterative(
        &self,
        preload: &StaticResults,
        options: BucklingOptions,
        fixed: &[bool],
    ) -> Result<BucklingSolution> {
        let mesh = self.mesh;
        let (dofs, pattern) = self.free_pattern(fixed)?;
        let n = dofs.free_count();
        let wanted = wanted(options.modes, n)?;
        crate::memory::check(
            "the iterative buckling solver",
            crate::memory::lobpcg_bytes(pattern.compute_nnz(), n, wanted),
        )?;
        let k = assemble_stiffness(mesh, &self.materials, &dofs, &pattern)?;
        let geometric = GeometricStiffness {
            materials: &self.materials,
            displacement: &preload.displacement,
        };
        let kg = assemble(mesh, &dofs, &pattern, &geometric)?;
        let largest = |v: &[f64]| v.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        let (k_max, kg_max) = (largest(&k), largest(&kg));
        let (col_ptr, row_idx) = (pattern.col_ptr(), pattern.row_idx());
        let stiffness = Csr::from_upper(n, col_ptr, row_idx, &k);
        let geometric = Csr::from_upper(n, col_ptr, row_idx, &kg);
        drop((k, kg, pattern));
        let amg = self.hierarchy(&dofs, stiffness)?;
        let k_apply = |x: &[f64], y: &mut [f64]| amg.matrix().apply(x, y);
        let kg_apply = |x: &[f64], y: &mut [f64]| geometric.apply(x, y);
        let mut work = amg.work();
        let mut precondition = |r: &[f64], z: &mut [f64]| amg.apply(r, z, &mut work);
        // More pairs than wanted: tension modes (ν > 0) may sit among the lowest ν.
        let found = lobpcg(
            n,
            wanted,
            &mut crate::lobpcg::Pencil {
                k: &kg_apply,
                m: &k_apply,
                precondition: &mut precondition,
                deflate: &[],
            },
            crate::modal::LOBPCG_TOLERANCE,
            LOBPCG_MAX_ITERATIONS,
        )?;
        let pencil = Pencil {
            k: &|x| amg.matrix().mul(x),
            kg: &|x| geometric.mul(x),
            k_max,
            kg_max,
        };
        let factors = found
            .values
            .into_iter()
            .zip(found.vectors)
            .filter(|(nu, _)| *nu < 0.0)
            .map(|(nu, v)| (-1.0 / nu, v));
        Ok(BucklingSolution {
            modes: pencil.modes(factors, &dofs, preload)?,
            lanczos_steps: found.iterations,
        })
    }
}

const LOBPCG_MAX_ITERATIONS: usize = 400;
