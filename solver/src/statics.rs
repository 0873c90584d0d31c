//! Linear static analysis with many load cases and one factorisation.
//!
//! The routine reads like the method: set up dofs → check for free rigid-body motion →
//! assemble K_ff → factor once → solve every load case as one block of right-hand
//! sides → reactions and stresses. Prescribed displacements are eliminated:
//! K_ff u_f = f_f − (K ū)_f, with K ū computed element by element.

use crate::assembly::{assemble_stiffness, internal_forces, matrix, stiffness_pattern, Materials};
use crate::dofs::DofMap;
use crate::error::{Result, SolverError};
use crate::linsolve::{Cholesky, FactorError, SymbolicFactor};
use crate::loads::{add_body_acceleration, add_surface_load, SurfaceLoad};
use crate::mesh::{FaceRef, Mesh, NodeGraph};
use crate::ordering::{equation_order, nested_dissection};
use crate::recovery::{recover, TensorFields};
use crate::rigid::free_rigid_motions;
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
    NodalForce { nodes: Vec<usize>, force: Vector3<f64> },
    /// A surface load on element faces.
    Surface { faces: Vec<FaceRef>, load: SurfaceLoad },
    /// Body acceleration (m/s²) on elements: gravity is `(0, 0, -9.81)`.
    BodyAcceleration { elements: Vec<usize>, acceleration: Vector3<f64> },
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

/// Size and timing of a solve.
#[derive(Clone, Debug, Default)]
pub struct SolveStats {
    pub equations: usize,
    pub matrix_nnz: usize,
    pub factor_nnz: usize,
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

    /// Constrained flags and prescribed values per dof.
    fn prescribed(&self) -> (Vec<bool>, Vec<f64>) {
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

    fn load_vector(&self, case: &LoadCase) -> Vec<f64> {
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
                Load::BodyAcceleration { elements, acceleration } => {
                    add_body_acceleration(self.mesh, &self.materials, elements, *acceleration, &mut f)
                }
            }
        }
        f
    }

    /// Solves every load case with one factorisation.
    pub fn solve(&self, cases: &[LoadCase]) -> Result<StaticSolution> {
        let mesh = self.mesh;
        mesh.check()?;
        for (i, m) in self.materials.materials.iter().enumerate() {
            m.validate(&format!("material #{i}"))?;
        }
        let (fixed, ubar) = self.prescribed();
        let free = free_rigid_motions(&mesh.nodes, &fixed);
        if !free.is_empty() {
            return Err(SolverError::UnderConstrained { motions: free.join("; ") });
        }
        let dofs = DofMap::new(&fixed);
        if dofs.free_count() == 0 {
            return Err(SolverError::NothingToSolve);
        }
        let mut stats = SolveStats {
            equations: dofs.free_count(),
            ..Default::default()
        };

        let t = Instant::now();
        let graph = NodeGraph::new(mesh);
        let pattern = stiffness_pattern(&graph, &dofs);
        let values = assemble_stiffness(mesh, &self.materials, &dofs, &pattern)?;
        stats.matrix_nnz = values.len();
        stats.assembly_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let order = equation_order(&nested_dissection(&mesh.nodes, &graph), &dofs);
        let symbolic = SymbolicFactor::analyse(&pattern, Some(&order))?;
        stats.factor_nnz = symbolic.factor_nnz();
        let chol = Cholesky::factor(&symbolic, matrix(&pattern, &values)).map_err(|e| match e {
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
        stats.factor_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let k_ubar = internal_forces(mesh, &self.materials, &ubar)?;
        let loads: Vec<Vec<f64>> = cases.iter().map(|c| self.load_vector(c)).collect();
        let mut rhs = Mat::<f64>::from_fn(dofs.free_count(), cases.len(), |i, j| {
            let d = dofs.free_dofs()[i];
            loads[j][d] - k_ubar[d]
        });
        chol.solve_in_place(rhs.as_mut());
        stats.solve_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut results = Vec::with_capacity(cases.len());
        for (j, (case, applied)) in cases.iter().zip(loads).enumerate() {
            let mut u = ubar.clone();
            for (i, &d) in dofs.free_dofs().iter().enumerate() {
                u[d] = rhs[(i, j)];
            }
            if let Some(d) = u.iter().position(|v| !v.is_finite()) {
                return Err(SolverError::LinearSolver(format!(
                    "load case '{}': non-finite displacement at node {}",
                    case.name,
                    d / 3
                )));
            }
            let ku = internal_forces(mesh, &self.materials, &u)?;
            let reactions: Vec<f64> = (0..u.len())
                .map(|d| if fixed[d] { ku[d] - applied[d] } else { 0.0 })
                .collect();
            let residual: f64 = (0..u.len())
                .map(|d| (ku[d] - applied[d] - reactions[d]).powi(2))
                .sum::<f64>()
                .sqrt();
            let scale = (0..u.len())
                .map(|d| (applied[d] + reactions[d]).powi(2))
                .sum::<f64>()
                .sqrt();
            results.push(StaticResults {
                name: case.name.clone(),
                strain_energy: 0.5 * u.iter().zip(&ku).map(|(a, b)| a * b).sum::<f64>(),
                relative_residual: if scale > 0.0 { residual / scale } else { residual },
                fields: recover(mesh, &self.materials, &u)?,
                displacement: u,
                applied,
                reactions,
            });
        }
        stats.recovery_seconds = t.elapsed().as_secs_f64();
        Ok(StaticSolution {
            load_cases: results,
            stats,
        })
    }
}
