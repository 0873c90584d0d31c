//! Linear static analysis with many load cases and one factorisation.
//!
//! The routine reads like the method: set up dofs → check for free rigid-body motion →
//! assemble K_ff → factor once → solve every load case as one block of right-hand
//! sides → reactions and stresses. Prescribed displacements are eliminated:
//! K_ff u_f = f_f − (K ū)_f, with K ū computed element by element.
//!
//! ```
//! use vproto_solver::assembly::Materials;
//! use vproto_solver::{generate::block, Constraint, ElementKind, Isotropic, Load, LoadCase, StaticModel};
//! // A steel bar 1 m × 0.1 m × 0.1 m, clamped at x = 0, pulled with 10 kN at x = 1.
//! let mesh = block([1.0, 0.1, 0.1], [10, 1, 1], ElementKind::Hex8).unwrap();
//! let steel = Isotropic { youngs_modulus: 210e9, poisson_ratio: 0.0, density: 7850.0 };
//! let model = StaticModel {
//!     mesh: &mesh,
//!     materials: Materials::uniform(steel, mesh.element_count()),
//!     constraints: vec![Constraint { nodes: mesh.set_nodes("xmin").unwrap(), components: [Some(0.0); 3] }],
//! };
//! let tip = mesh.set_nodes("xmax").unwrap();
//! let pull = LoadCase {
//!     name: "pull".into(),
//!     loads: vec![Load::NodalForce { nodes: tip.clone(), force: [10e3 / 4.0, 0.0, 0.0].into() }],
//! };
//! let solution = model.solve(&[pull]).unwrap();
//! // Elongation F L / (E A) = 10e3 / (210e9 × 0.01) m.
//! let u = solution.load_cases[0].displacement[3 * tip[0]];
//! assert!((u - 10e3 / (210e9 * 0.01)).abs() < 1e-9 * u);
//! ```

use crate::assembly::{assemble_stiffness, internal_forces, matrix, stiffness_pattern, Materials};
use crate::dofs::DofMap;
use crate::error::{Result, SolverError};
use crate::linsolve::{FactorError, StiffnessSolver, SymbolicFactor};
use crate::loads::{add_body_acceleration, add_surface_load, add_thermal_load, SurfaceLoad};
use crate::mesh::{FaceRef, Mesh, NodeGraph};
use crate::ordering::{equation_order, nested_dissection};
use crate::recovery::{recover, TensorFields};
use crate::rigid::free_rigid_motions;
use faer::sparse::SymbolicSparseColMat;
use faer::Mat;
use nalgebra::Vector3;
use std::time::Instant;

/// Prescribed displacement components on a set of nodes (`None` = free).
#[derive(Clone, Debug)]
pub struct Constraint {
    pub nodes: Vec<usize>,
    pub components: [Option<f64>; 3],
}

/// One load of a load case.
#[derive(Clone, Debug)]
pub enum Load {
    /// The same force (N) on every listed node.
    NodalForce {
        nodes: Vec<usize>,
        force: Vector3<f64>,
    },
    /// A surface load on element faces.
    Surface {
        faces: Vec<FaceRef>,
        load: SurfaceLoad,
    },
    /// A temperature change (K) at every node from the stress-free state; stresses
    /// exclude the free thermal strain α ΔT.
    Thermal { delta_t: Vec<f64> },
    /// Body acceleration (m/s²) on elements: gravity is `(0, 0, -9.81)`.
    BodyAcceleration {
        elements: Vec<usize>,
        acceleration: Vector3<f64>,
    },
    /// Forces (N) on individual nodes.
    NodalForces(Vec<(usize, Vector3<f64>)>),
    /// The d'Alembert forces −ρ a(x) of a rigid motion, on elements.
    Inertia {
        elements: Vec<usize>,
        motion: crate::coupling::RigidAcceleration,
    },
}

#[derive(Clone, Debug)]
pub struct LoadCase {
    pub name: String,
    pub loads: Vec<Load>,
}

/// Everything a static analysis needs besides the load cases.
#[derive(Clone, Debug)]
pub struct StaticModel<'a> {
    pub mesh: &'a Mesh,
    pub materials: Materials,
    pub constraints: Vec<Constraint>,
}

/// Results of one load case. Vectors over dofs have length 3 × nodes (node-major).
#[derive(Clone, Debug)]
pub struct StaticResults {
    pub name: String,
    pub displacement: Vec<f64>,
    /// Applied nodal forces (consistent loads).
    pub applied: Vec<f64>,
    /// Reaction forces at constrained dofs (zero elsewhere).
    pub reactions: Vec<f64>,
    pub fields: TensorFields,
    /// ½ uᵀ K u (J).
    pub strain_energy: f64,
    /// ‖K u − f − r‖ / ‖f + r‖ over all dofs: the equilibrium check of the solve.
    pub relative_residual: f64,
}

/// Free-dof numbering, stiffness sparsity pattern and its symbolic factorisation.
pub(crate) struct System {
    pub dofs: DofMap,
    pub pattern: SymbolicSparseColMat<usize>,
    pub symbolic: SymbolicFactor,
    /// Memory the factorisation needs (checked against what is available).
    pub factor_bytes: u64,
}

/// A failed factorisation as a user-facing error naming the node and component.
pub(crate) fn factor_error(e: FactorError, dofs: &DofMap, mesh: &Mesh) -> SolverError {
    match e {
        FactorError::Singular(p) => {
            let dof = dofs.free_dofs()[p.equation];
            let per_node = dofs.per_node();
            let node = dof / per_node;
            SolverError::Singular {
                node,
                label: mesh.node_label(node),
                at: mesh
                    .nodes
                    .get(node)
                    .map_or([f64::NAN; 3], |x| [x.x, x.y, x.z]),
                component: match per_node {
                    3 => ["u_x", "u_y", "u_z"][dof % 3],
                    _ => "T",
                },
                ratio: p.ratio,
            }
        }
        FactorError::Other(msg) => SolverError::LinearSolver(msg),
    }
}

/// Arithmetic of the factorisation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// Mixed when the double-precision factor would exceed [`AUTO_MIXED_FACTOR_ENTRIES`].
    #[default]
    Auto,
    /// A double-precision direct solve.
    Double,
    /// A single-precision factor preconditioning double-precision conjugate gradients.
    Mixed,
}

/// Factor size (entries of L) above which `Precision::Auto` factors in single precision
/// (1.6 GB in double precision).
pub const AUTO_MIXED_FACTOR_ENTRIES: usize = 200_000_000;

/// How the stiffness equations are solved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Direct when the factor fits in the available memory, else iterative.
    #[default]
    Auto,
    /// A sparse Cholesky factor (with [`Precision`]).
    Direct,
    /// Conjugate gradients preconditioned by smoothed-aggregation multigrid
    /// ([`crate::amg`]): memory of a few copies of the matrix, never a factor's.
    Iterative,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SolverOptions {
    pub precision: Precision,
    pub method: Method,
}

/// Relative residual ‖K u − f‖ / ‖f‖ the iterative method stops at.
pub const ITERATIVE_TOLERANCE: f64 = 1e-10;
/// Iterations the iterative method may take before it reports failure.
pub const ITERATIVE_MAX_ITERATIONS: usize = 1000;

/// Size and timing of a solve.
#[derive(Clone, Debug, Default)]
pub struct SolveStats {
    pub equations: usize,
    pub matrix_nnz: usize,
    pub factor_nnz: usize,
    /// "double", "mixed" or "multigrid".
    pub precision: &'static str,
    /// Which method solved, and why (the setting, or the memory the factor needs).
    pub reason: String,
    /// Conjugate-gradient iterations of the worst load case (mixed precision and
    /// multigrid).
    pub iterations: usize,
    /// Smallest pivot ratio L_jj² / K_jj: small values mean an ill-conditioned model.
    pub min_pivot_ratio: f64,
    pub assembly_seconds: f64,
    pub factor_seconds: f64,
    pub solve_seconds: f64,
    pub recovery_seconds: f64,
}

#[derive(Clone, Debug)]
pub struct StaticSolution {
    pub load_cases: Vec<StaticResults>,
    pub stats: SolveStats,
}

impl StaticModel<'_> {
    /// Total mass (kg).
    pub fn mass(&self) -> f64 {
        (0..self.mesh.element_count())
            .map(|e| self.materials.of(e).density * self.mesh.volume(&[e]))
            .sum()
    }

    /// Constrained flags and prescribed values per dof (3 × nodes).
    pub fn prescribed(&self) -> (Vec<bool>, Vec<f64>) {
        let n = 3 * self.mesh.nodes.len();
        let (mut fixed, mut value) = (vec![false; n], vec![0.0; n]);
        for c in &self.constraints {
            for &node in &c.nodes {
                for (k, v) in c.components.iter().enumerate() {
                    if let Some(v) = v {
                        fixed[3 * node + k] = true;
                        value[3 * node + k] = *v;
                    }
                }
            }
        }
        (fixed, value)
    }

    pub(crate) fn load_vector(&self, case: &LoadCase) -> Vec<f64> {
        let mut f = vec![0.0; 3 * self.mesh.nodes.len()];
        for load in &case.loads {
            match load {
                Load::NodalForce { nodes, force } => {
                    for &n in nodes {
                        for c in 0..3 {
                            f[3 * n + c] += force[c];
                        }
                    }
                }
                Load::Surface { faces, load } => add_surface_load(self.mesh, faces, *load, &mut f),
                Load::NodalForces(forces) => {
                    for (n, force) in forces {
                        for c in 0..3 {
                            f[3 * n + c] += force[c];
                        }
                    }
                }
                Load::Inertia { elements, motion } => crate::coupling::add_inertia_forces(
                    self.mesh,
                    &self.materials,
                    elements,
                    motion,
                    &mut f,
                ),
                Load::Thermal { delta_t } => {
                    add_thermal_load(self.mesh, &self.materials, delta_t, &mut f)
                }
                Load::BodyAcceleration {
                    elements,
                    acceleration,
                } => add_body_acceleration(
                    self.mesh,
                    &self.materials,
                    elements,
                    *acceleration,
                    &mut f,
                ),
            }
        }
        f
    }

    /// Rejects a model that can move as a rigid body, naming the free motions.
    /// Each part not joined to the others (by shared nodes or ties) is checked alone.
    pub(crate) fn require_constrained(&self, fixed: &[bool]) -> Result<()> {
        self.require_held(fixed, &[], "no shared nodes, no tie")
    }

    /// [`Self::require_constrained`], parts also joined through the node groups of
    /// `joins` (contact points), `how` naming what joins parts in the message.
    pub(crate) fn require_held(
        &self,
        fixed: &[bool],
        joins: &[Vec<usize>],
        how: &str,
    ) -> Result<()> {
        let free = free_rigid_motions(&self.mesh.nodes, fixed);
        if !free.is_empty() {
            return Err(SolverError::UnderConstrained {
                motions: free.join("; "),
            });
        }
        let parts = crate::mesh::connected_parts(self.mesh, joins);
        for part in parts.iter().filter(|_| parts.len() > 1) {
            let nodes: Vec<Vector3<f64>> = part.iter().map(|&n| self.mesh.nodes[n]).collect();
            let held: Vec<bool> = part
                .iter()
                .flat_map(|&n| (0..3).map(move |c| fixed[3 * n + c]))
                .collect();
            let free = free_rigid_motions(&nodes, &held);
            if !free.is_empty() {
                let n = part[0];
                let p = self.mesh.nodes[n];
                return Err(SolverError::UnderConstrained {
                    motions: format!(
                        "the part of {} nodes that contains node {} at ({:.6e}, {:.6e}, {:.6e}) m is joined to no other part ({how}) and can move alone: {}",
                        part.len(),
                        self.mesh.node_label(n),
                        p.x,
                        p.y,
                        p.z,
                        free.join("; ")
                    ),
                });
            }
        }
        Ok(())
    }

    /// The free dofs and the stiffness pattern, without a factor's analysis: the set-up
    /// of the iterative method.
    pub(crate) fn free_pattern(
        &self,
        fixed: &[bool],
    ) -> Result<(DofMap, SymbolicSparseColMat<usize>)> {
        let graph = NodeGraph::new(self.mesh);
        let order = crate::ordering::reverse_cuthill_mckee(&graph);
        let dofs = DofMap::tied(fixed, 3, order, &self.mesh.ties);
        if dofs.free_count() == 0 {
            return Err(SolverError::NothingToSolve);
        }
        let pattern = stiffness_pattern(&graph, &dofs);
        Ok((dofs, pattern))
    }

    /// Numbers the free dofs, builds the stiffness pattern and analyses it (nested
    /// dissection order): the set-up every analysis shares.
    pub(crate) fn system(&self, fixed: &[bool]) -> Result<System> {
        self.coupled_system(fixed, &[])
    }

    /// [`Self::system`] with the nodes of each clique coupled (contact points).
    pub(crate) fn coupled_system(&self, fixed: &[bool], cliques: &[Vec<usize>]) -> Result<System> {
        let dofs = DofMap::tied(fixed, 3, 0..self.mesh.nodes.len(), &self.mesh.ties);
        if dofs.free_count() == 0 {
            return Err(SolverError::NothingToSolve);
        }
        let t = Instant::now();
        tracing::info!(equations = dofs.free_count(), "ordering the equations");
        let graph = NodeGraph::new(self.mesh).coupled(self.mesh, cliques);
        let pattern = stiffness_pattern(&graph, &dofs);
        let order = equation_order(&nested_dissection(&graph)?, &dofs);
        let symbolic = SymbolicFactor::analyse(&pattern, Some(&order))?;
        let bytes = crate::memory::factor_bytes(pattern.compute_nnz(), symbolic.factor_nnz());
        tracing::debug!(
            matrix_entries = pattern.compute_nnz(),
            factor_entries = symbolic.factor_nnz(),
            memory_gib = format!("{:.2}", bytes as f64 / (1u64 << 30) as f64),
            seconds = format!("{:.3}", t.elapsed().as_secs_f64()),
            "ordered and analysed"
        );
        crate::memory::check("the stiffness factorisation", bytes)?;
        Ok(System {
            dofs,
            pattern,
            symbolic,
            factor_bytes: bytes,
        })
    }

    /// Solves every load case with one factorisation and default options.
    pub fn solve(&self, cases: &[LoadCase]) -> Result<StaticSolution> {
        self.solve_with(cases, SolverOptions::default())
    }

    /// Solves every load case with one factorisation.
    pub fn solve_with(&self, cases: &[LoadCase], options: SolverOptions) -> Result<StaticSolution> {
        let factor = self.factor(options)?;
        let (load_cases, solve) = factor.solve(cases)?;
        let mut stats = factor.stats().clone();
        stats.iterations = solve.iterations;
        stats.solve_seconds = solve.solve_seconds;
        stats.recovery_seconds = solve.recovery_seconds;
        Ok(StaticSolution { load_cases, stats })
    }

    /// Assembles and factors the stiffness once: every load case (and every later one,
    /// such as a thermal load case waiting for its temperatures) solves with the factor
    /// (or, by the iterative method, with the multigrid hierarchy).
    pub fn factor(&self, options: SolverOptions) -> Result<StaticFactor<'_>> {
        let mesh = self.mesh;
        mesh.check()?;
        for (i, m) in self.materials.materials.iter().enumerate() {
            m.validate(&format!("material #{i}"))?;
        }
        let (fixed, ubar) = self.prescribed();
        self.require_constrained(&fixed)?;
        let t = Instant::now();
        let (system, reason) = self.choose(&fixed, options.method)?;
        tracing::info!("{reason}");
        let (dofs, pattern, symbolic) = match system {
            Some(System {
                dofs,
                pattern,
                symbolic,
                ..
            }) => (dofs, pattern, Some(symbolic)),
            None => {
                let (dofs, pattern) = self.free_pattern(&fixed)?;
                crate::memory::check(
                    "the multigrid solver",
                    crate::memory::multigrid_bytes(pattern.compute_nnz()),
                )?;
                (dofs, pattern, None)
            }
        };
        tracing::info!(elements = mesh.element_count(), "assembling the stiffness");
        let values = assemble_stiffness(mesh, &self.materials, &dofs, &pattern)?;
        let mut stats = SolveStats {
            equations: dofs.free_count(),
            matrix_nnz: values.len(),
            assembly_seconds: t.elapsed().as_secs_f64(),
            ..Default::default()
        };
        let t = Instant::now();
        // The iterative method keeps its own copy of the matrix (full, compressed rows):
        // the assembled upper triangle goes into it and is not kept.
        let (solver, upper) = match symbolic {
            Some(symbolic) => {
                let solver =
                    self.direct(&symbolic, &dofs, &pattern, &values, options, &mut stats)?;
                (solver, Some((pattern, values)))
            }
            None => (self.multigrid(&dofs, pattern, values)?, None),
        };
        stats.factor_seconds = t.elapsed().as_secs_f64();
        tracing::debug!(
            assembly_s = format!("{:.3}", stats.assembly_seconds),
            factor_s = format!("{:.3}", stats.factor_seconds),
            "factorised"
        );
        stats.precision = solver.kind();
        stats.reason = reason;
        stats.min_pivot_ratio = solver.min_pivot_ratio();
        let mut ubar = ubar;
        dofs.expand(&mut ubar);
        let mut k_ubar = internal_forces(mesh, &self.materials, &ubar)?;
        dofs.fold(&mut k_ubar);
        Ok(StaticFactor {
            model: self,
            fixed,
            ubar,
            k_ubar,
            dofs,
            upper,
            solver,
            stats,
        })
    }

    /// The sparse Cholesky factor, in double or single precision.
    fn direct(
        &self,
        symbolic: &SymbolicFactor,
        dofs: &DofMap,
        pattern: &SymbolicSparseColMat<usize>,
        values: &[f64],
        options: SolverOptions,
        stats: &mut SolveStats,
    ) -> Result<StiffnessSolver> {
        stats.factor_nnz = symbolic.factor_nnz();
        let mixed = match options.precision {
            Precision::Auto => symbolic.factor_nnz() > AUTO_MIXED_FACTOR_ENTRIES,
            Precision::Double => false,
            Precision::Mixed => true,
        };
        tracing::info!(
            equations = stats.equations,
            factor_entries = stats.factor_nnz,
            precision = if mixed { "mixed" } else { "double" },
            "factorising"
        );
        StiffnessSolver::new(symbolic, matrix(pattern, values), mixed)
            .map_err(|e| factor_error(e, dofs, self.mesh))
    }

    /// The multigrid hierarchy of the stiffness.
    fn multigrid(
        &self,
        dofs: &DofMap,
        pattern: SymbolicSparseColMat<usize>,
        values: Vec<f64>,
    ) -> Result<StiffnessSolver> {
        let n = dofs.free_count();
        let a = crate::amg::Csr::from_upper(n, pattern.col_ptr(), pattern.row_idx(), &values);
        drop((pattern, values));
        Ok(StiffnessSolver::Multigrid(Box::new(
            self.hierarchy(dofs, a)?,
        )))
    }

    /// The multigrid hierarchy of a stiffness-like matrix on the free dofs `dofs`, with
    /// the six rigid-body motions over them as its near-null space.
    pub(crate) fn hierarchy(&self, dofs: &DofMap, a: crate::amg::Csr) -> Result<crate::amg::Amg> {
        let null = crate::rigid::rigid_modes_on(&self.mesh.nodes, dofs.free_dofs());
        let node_of: Vec<usize> = dofs.free_dofs().iter().map(|d| d / 3).collect();
        tracing::info!(
            equations = dofs.free_count(),
            "building the multigrid hierarchy"
        );
        let amg = crate::amg::Amg::new(a, null, node_of)?;
        tracing::debug!(
            levels = ?amg.sizes,
            operator_complexity = format!("{:.2}", amg.operator_complexity),
            "multigrid hierarchy"
        );
        Ok(amg)
    }

    /// The direct method's set-up (ordering and symbolic factor) when `method` asks for
    /// it or, for `Auto`, when its factor fits in the available memory; None for the
    /// iterative method. With the reason, which is also logged.
    pub(crate) fn choose(
        &self,
        fixed: &[bool],
        method: Method,
    ) -> Result<(Option<System>, String)> {
        let (system, reason) = match method {
            Method::Iterative => (None, "iterative: [solver] method = \"iterative\"".into()),
            Method::Direct => (Some(self.system(fixed)?), "direct: [solver] method = \"direct\"".into()),
            // A factor that would not fit in memory: the iterative method instead.
            Method::Auto => match self.system(fixed) {
                Err(SolverError::OutOfMemory {
                    needed, available, ..
                }) => (
                    None,
                    format!("iterative: the direct factor would need {needed} and {available} are available"),
                ),
                other => {
                    let s = other?;
                    let why = format!(
                        "direct: the factor ({}) fits in the available memory",
                        crate::memory::size(s.factor_bytes)
                    );
                    (Some(s), why)
                }
            },
        };
        tracing::info!("{reason}");
        Ok((system, reason))
    }
}

/// The factored stiffness of a [`StaticModel`]: solves any number of load cases.
pub struct StaticFactor<'a> {
    model: &'a StaticModel<'a>,
    fixed: Vec<bool>,
    ubar: Vec<f64>,
    /// K ū: the forces of the prescribed displacements.
    k_ubar: Vec<f64>,
    dofs: DofMap,
    /// The assembled upper triangle (direct methods; the iterative one holds its own).
    upper: Option<(SymbolicSparseColMat<usize>, Vec<f64>)>,
    solver: StiffnessSolver,
    stats: SolveStats,
}

/// Iterations and timing of one [`StaticFactor::solve`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SolveTiming {
    pub iterations: usize,
    pub solve_seconds: f64,
    pub recovery_seconds: f64,
}

impl StaticFactor<'_> {
    /// Size, precision and timing of the assembly and factorisation.
    pub fn stats(&self) -> &SolveStats {
        &self.stats
    }

    /// Solves the load cases as one block of right-hand sides, then recovers reactions
    /// and stresses.
    pub fn solve(&self, cases: &[LoadCase]) -> Result<(Vec<StaticResults>, SolveTiming)> {
        let model = self.model;
        let t = Instant::now();
        let loads: Vec<Vec<f64>> = cases.iter().map(|c| model.load_vector(c)).collect();
        if let Some((case, f)) = cases
            .iter()
            .zip(&loads)
            .find(|(_, f)| f.iter().any(|v| !v.is_finite()))
        {
            let dof = f.iter().position(|v| !v.is_finite()).unwrap_or(0);
            return Err(SolverError::LinearSolver(format!(
                "load case '{}': the applied load at node {} is not finite: check the load values",
                case.name,
                dof / 3
            )));
        }
        let free = self.dofs.free_dofs();
        let folded: Vec<std::borrow::Cow<[f64]>> = loads
            .iter()
            .map(|f| match self.dofs.has_ties() {
                false => f.into(),
                true => {
                    let mut f = f.clone();
                    self.dofs.fold(&mut f);
                    f.into()
                }
            })
            .collect();
        let mut rhs = Mat::<f64>::from_fn(self.dofs.free_count(), cases.len(), |i, j| {
            folded[j][free[i]] - self.k_ubar[free[i]]
        });
        drop(folded);
        let k = self.upper.as_ref().map(|(p, v)| matrix(p, v));
        tracing::info!(load_cases = cases.len(), "solving with the factor");
        let mut timing = SolveTiming {
            iterations: self.solver.solve(k, rhs.as_mut())?,
            ..Default::default()
        };
        timing.solve_seconds = t.elapsed().as_secs_f64();
        tracing::debug!(
            iterations = timing.iterations,
            solve_s = format!("{:.3}", timing.solve_seconds),
            "solved"
        );
        let t = Instant::now();
        let results = cases
            .iter()
            .zip(loads)
            .enumerate()
            .map(|(j, (case, applied))| {
                let mut u = self.ubar.clone();
                for (i, &d) in free.iter().enumerate() {
                    u[d] = rhs[(i, j)];
                }
                self.dofs.expand(&mut u);
                self.recover(case, u, applied)
            })
            .collect::<Result<Vec<_>>>()?;
        timing.recovery_seconds = t.elapsed().as_secs_f64();
        Ok((results, timing))
    }

    /// Reactions, strain energy, the equilibrium residual and stresses of a solution.
    fn recover(&self, case: &LoadCase, u: Vec<f64>, applied: Vec<f64>) -> Result<StaticResults> {
        let (mesh, materials) = (self.model.mesh, &self.model.materials);
        if let Some(d) = u.iter().position(|v| !v.is_finite()) {
            return Err(SolverError::LinearSolver(format!(
                "load case '{}': non-finite displacement at node {}",
                case.name,
                d / 3
            )));
        }
        let ku = internal_forces(mesh, materials, &u)?;
        // Out of balance, the tied slave nodes' share moved to their masters.
        let mut unbalanced: Vec<f64> = ku.iter().zip(&applied).map(|(k, f)| k - f).collect();
        self.dofs.fold(&mut unbalanced);
        let reactions: Vec<f64> = (0..u.len())
            .map(|d| if self.fixed[d] { unbalanced[d] } else { 0.0 })
            .collect();
        let residual: f64 = (0..u.len())
            .map(|d| (unbalanced[d] - reactions[d]).powi(2))
            .sum::<f64>()
            .sqrt();
        let scale = (0..u.len())
            .map(|d| (applied[d] + reactions[d]).powi(2))
            .sum::<f64>()
            .sqrt();
        Ok(StaticResults {
            name: case.name.clone(),
            strain_energy: 0.5 * u.iter().zip(&ku).map(|(a, b)| a * b).sum::<f64>(),
            relative_residual: if scale > 0.0 {
                residual / scale
            } else {
                residual
            },
            fields: recover(
                mesh,
                materials,
                &u,
                temperature_change(case, mesh.nodes.len()).as_deref(),
            )?,
            displacement: u,
            applied,
            reactions,
        })
    }
}

/// The summed temperature change of a load case's thermal loads, if it has any.
fn temperature_change(case: &LoadCase, nodes: usize) -> Option<Vec<f64>> {
    let mut total: Option<Vec<f64>> = None;
    for load in &case.loads {
        if let Load::Thermal { delta_t } = load {
            let t = total.get_or_insert_with(|| vec![0.0; nodes]);
            t.iter_mut().zip(delta_t).for_each(|(a, b)| *a += b);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::{ElementBlock, ElementKind, Isotropic};

    fn steel() -> Isotropic {
        Isotropic {
            youngs_modulus: 210e9,
            poisson_ratio: 0.3,
            density: 7850.0,
        }
    }

    fn clamped(mesh: &Mesh) -> StaticModel<'_> {
        StaticModel {
            mesh,
            materials: Materials::uniform(steel(), mesh.element_count()),
            constraints: vec![Constraint {
                nodes: mesh.set_nodes("xmin").unwrap(),
                components: [Some(0.0); 3],
            }],
        }
    }

    fn gravity(mesh: &Mesh) -> LoadCase {
        LoadCase {
            name: "g".into(),
            loads: vec![Load::BodyAcceleration {
                elements: (0..mesh.element_count()).collect(),
                acceleration: Vector3::new(0.0, 0.0, -9.81),
            }],
        }
    }

    #[test]
    fn reactions_balance_gravity_and_energy_is_half_work() {
        let mesh = block([1.0, 0.1, 0.1], [10, 2, 2], ElementKind::Hex8).unwrap();
        let model = clamped(&mesh);
        let s = model.solve(&[gravity(&mesh)]).unwrap();
        let r = &s.load_cases[0];
        let weight = model.mass() * 9.81;
        assert!((model.mass() - 78.5).abs() < 1e-9);
        let rz: f64 = r.reactions.iter().skip(2).step_by(3).sum();
        assert!((rz - weight).abs() < 1e-9 * weight, "{rz} vs {weight}");
        let work: f64 = r
            .applied
            .iter()
            .zip(&r.displacement)
            .map(|(f, u)| f * u)
            .sum();
        assert!((r.strain_energy - 0.5 * work).abs() < 1e-9 * r.strain_energy);
        assert!(r.relative_residual < 1e-10);
    }

    #[test]
    fn inverted_element_is_reported_by_label_and_centre() {
        let mut mesh = block([1.0, 1.0, 1.0], [2, 1, 1], ElementKind::Hex8).unwrap();
        mesh.element_labels = vec![101, 102];
        let conn = &mut mesh.blocks[0].connectivity;
        conn[8..16].swap(0, 4); // turn element 1 inside out
        conn[8..16].swap(1, 5);
        conn[8..16].swap(2, 6);
        conn[8..16].swap(3, 7);
        let err = clamped(&mesh)
            .solve(&[gravity(&mesh)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "element 102 (hex8, centre (7.500000e-1, 5.000000e-1, 5.000000e-1) m) is inverted"
            ),
            "{err}"
        );
    }

    #[test]
    fn loose_part_is_reported_with_its_free_motion() {
        // A second, unconnected cube beside the clamped one: the global rigid-body check
        // cannot see it, the check of each connected part does.
        let mut mesh = block([1.0, 1.0, 1.0], [1, 1, 1], ElementKind::Hex8).unwrap();
        let n0 = mesh.nodes.len();
        let extra: Vec<_> = mesh
            .nodes
            .iter()
            .map(|p| p + Vector3::new(3.0, 0.0, 0.0))
            .collect();
        mesh.nodes.extend(extra);
        let conn: Vec<usize> = mesh.blocks[0].connectivity.iter().map(|n| n + n0).collect();
        mesh.blocks.push(ElementBlock {
            kind: ElementKind::Hex8,
            connectivity: conn,
        });
        let err = clamped(&mesh).solve(&[gravity(&mesh)]).unwrap_err();
        match err {
            SolverError::UnderConstrained { motions } => {
                assert!(
                    motions.contains("part of 8 nodes") && motions.contains("(3.0"),
                    "{motions}"
                )
            }
            other => panic!("expected an under-constrained part, got {other}"),
        }
    }

    #[test]
    fn prescribed_displacement_stretches_a_bar_uniformly() {
        // Bar pulled by u_x = 1 mm at x = L with lateral contraction free: σ_xx = E ε.
        let mesh = block([1.0, 0.1, 0.1], [4, 1, 1], ElementKind::Hex20).unwrap();
        let set = |n: &str| mesh.set_nodes(n).unwrap();
        let model = StaticModel {
            mesh: &mesh,
            materials: Materials::uniform(steel(), mesh.element_count()),
            constraints: vec![
                Constraint {
                    nodes: set("xmin"),
                    components: [Some(0.0), None, None],
                },
                Constraint {
                    nodes: set("xmax"),
                    components: [Some(1e-3), None, None],
                },
                Constraint {
                    nodes: set("ymin"),
                    components: [None, Some(0.0), None],
                },
                Constraint {
                    nodes: set("zmin"),
                    components: [None, None, Some(0.0)],
                },
            ],
        };
        let s = model
            .solve(&[LoadCase {
                name: "pull".into(),
                loads: vec![],
            }])
            .unwrap();
        for sig in &s.load_cases[0].fields.gauss_stress {
            assert!((sig[0] - 210e9 * 1e-3).abs() < 1e-6 * 210e6, "{sig:?}");
        }
    }
}
