//! Steady heat conduction: −∇·(k∇T) = Q with fixed temperatures, heat flux and
//! convection (film coefficient and sink temperature) on faces.
//!
//! One unknown per node, assembled with the same generic machinery as elasticity
//! (scalar element matrices, faces added for convection) and solved by the same sparse
//! Cholesky. Fixed temperatures are eliminated with the full matrix: the right-hand side
//! is f − K T̄ and the heat flowing in at fixed nodes is (K T − f) there.
//!
//! ```
//! use vproto_solver::thermal::{HeatCase, HeatLoad, ThermalModel};
//! use vproto_solver::{generate::block, ElementKind};
//! // A slab held at 20 and 80 on its faces: the temperature is linear through it.
//! let mesh = block([0.1, 0.02, 0.02], [5, 1, 1], ElementKind::Hex8).unwrap();
//! let model = ThermalModel { mesh: &mesh, conductivity: vec![50.0; mesh.element_count()] };
//! let case = HeatCase {
//!     name: "slab".into(),
//!     loads: vec![
//!         HeatLoad::Temperature { nodes: mesh.set_nodes("xmin").unwrap(), value: 20.0 },
//!         HeatLoad::Temperature { nodes: mesh.set_nodes("xmax").unwrap(), value: 80.0 },
//!     ],
//! };
//! let h = model.solve(&case).unwrap();
//! for (p, t) in mesh.nodes.iter().zip(&h.temperature) {
//!     assert!((t - (20.0 + 600.0 * p.x)).abs() < 1e-9);
//! }
//! ```

use crate::amg::{Amg, Csr};
use crate::assembly::{
    add_face_matrix, assemble_scalar, checked_gradients, matrix, physical_gradients, ElementMatrix,
};
use crate::dofs::DofMap;
use crate::element::{natural_nodes, Shape};
use crate::error::{Result, SolverError};
use crate::linsolve::{symmetric_matvec, StiffnessSolver, SymbolicFactor};
use crate::loads::{face_weights, volume_weights};
use crate::memory::factor_bytes;
use crate::mesh::{FaceRef, Mesh, NodeGraph};
use crate::ordering::{equation_order, nested_dissection, reverse_cuthill_mckee};
use crate::statics::{factor_error, Method};
use crate::with_shape;
use faer::sparse::SymbolicSparseColMat;
use faer::Mat;
use nalgebra::{SMatrix, Vector3};

/// One boundary condition or source of a heat load case.
#[derive(Clone, Debug)]
pub enum HeatLoad {
    /// Fixed temperature on nodes.
    Temperature { nodes: Vec<usize>, value: f64 },
    /// Heat flux into the body through faces (W/m²).
    Flux { faces: Vec<FaceRef>, value: f64 },
    /// Convection to a sink: q = h (T_sink − T) into the body.
    Convection {
        faces: Vec<FaceRef>,
        film_coefficient: f64,
        sink_temperature: f64,
    },
    /// Volumetric heat generation (W/m³) in elements.
    Source { elements: Vec<usize>, value: f64 },
}

#[derive(Clone, Debug)]
pub struct HeatCase {
    pub name: String,
    pub loads: Vec<HeatLoad>,
}

/// A heat conduction model: the mesh and each element's conductivity (W/(m·K)).
#[derive(Clone, Debug)]
pub struct ThermalModel<'a> {
    pub mesh: &'a Mesh,
    pub conductivity: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct HeatResults {
    pub name: String,
    /// Nodal temperatures.
    pub temperature: Vec<f64>,
    /// Heat flux −k∇T averaged at nodes (W/m²), 3 per node.
    pub heat_flux: Vec<f64>,
    /// Heat flowing into the body at fixed-temperature nodes (W), zero elsewhere.
    pub reaction: Vec<f64>,
    /// "double" (direct factor) or "multigrid" (multigrid-preconditioned CG).
    pub method: &'static str,
    /// Conjugate-gradient iterations (0 for the direct factor).
    pub iterations: usize,
    /// Temperature unknowns solved for (nodes less those at a fixed temperature).
    pub equations: usize,
    /// ‖K T − f − r‖ / ‖f + r‖: the balance check of the solve.
    pub relative_residual: f64,
}

/// The conduction matrix k ∫ ∇N_a · ∇N_b dV.
struct Conduction<'a>(&'a [f64]);

impl ElementMatrix for Conduction<'_> {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        _nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>> {
        const { assert!(D == N) };
        let mut k = SMatrix::<f64, D, D>::zeros();
        for (q, (xi, w)) in E::quadrature().iter().enumerate() {
            let (g, det) = checked_gradients::<E, N>(x, xi, q, id)?;
            let gg = g * g.transpose() * (self.0[id] * w * det);
            for b in 0..N {
                for a in 0..N {
                    k[(a, b)] += gg[(a, b)];
                }
            }
        }
        Ok(k)
    }
}

impl ThermalModel<'_> {
    /// Solves a heat load case, by a direct factor when it fits in memory, else by
    /// multigrid-preconditioned CG.
    pub fn solve(&self, case: &HeatCase) -> Result<HeatResults> {
        self.solve_with(case, Method::Auto)
    }

    /// Solves a heat load case by `method`.
    pub fn solve_with(&self, case: &HeatCase, method: Method) -> Result<HeatResults> {
        let mesh = self.mesh;
        mesh.check()?;
        if let Some((e, k)) = self
            .conductivity
            .iter()
            .enumerate()
            .find(|(_, k)| !(**k > 0.0 && k.is_finite()))
        {
            return Err(SolverError::Material {
                region: format!("element {e}"),
                reason: format!("conductivity must be positive, got {k}"),
            });
        }
        let n = mesh.nodes.len();
        let (mut fixed, mut tbar) = (vec![false; n], vec![0.0; n]);
        let mut f = vec![0.0; n];
        let mut convection = Vec::new();
        for load in &case.loads {
            match load {
                HeatLoad::Temperature { nodes, value } => {
                    for &v in nodes {
                        fixed[v] = true;
                        tbar[v] = *value;
                    }
                }
                HeatLoad::Flux { faces, value } => {
                    add_scaled(&mut f, &face_weights(mesh, faces), *value)
                }
                HeatLoad::Convection {
                    faces,
                    film_coefficient,
                    sink_temperature,
                } => {
                    add_scaled(
                        &mut f,
                        &face_weights(mesh, faces),
                        film_coefficient * sink_temperature,
                    );
                    convection.push((faces, *film_coefficient));
                }
                HeatLoad::Source { elements, value } => {
                    add_scaled(&mut f, &volume_weights(mesh, elements, |_| *value), 1.0)
                }
            }
        }
        if !fixed.iter().any(|&x| x) && convection.is_empty() {
            return Err(SolverError::UnderConstrained {
                motions: "the temperature level (no fixed temperature and no convection anywhere)"
                    .into(),
            });
        }

        // The full matrix (for K T̄ and the reactions) and the free–free one.
        let graph = NodeGraph::new(mesh);
        let conduction = Conduction(&self.conductivity);
        let untied = NodeGraph::of_elements(mesh);
        let full = |graph: &NodeGraph,
                    dofs: &DofMap|
         -> Result<(faer::sparse::SymbolicSparseColMat<usize>, Vec<f64>)> {
            let pattern = crate::assembly::stiffness_pattern(graph, dofs);
            let mut values = assemble_scalar(mesh, dofs, &pattern, &conduction)?;
            for (faces, h) in &convection {
                add_face_matrix(mesh, faces, *h, dofs, &pattern, &mut values);
            }
            Ok((pattern, values))
        };
        let all = DofMap::scalar(&vec![false; n]);
        let (full_pattern, full_values) = full(&untied, &all)?;
        // Nodes numbered by reverse Cuthill–McKee: local rows for the iterative method
        // (the direct one orders the equations for its factor anyway).
        let dofs = DofMap::tied(&fixed, 1, reverse_cuthill_mckee(&graph), &mesh.ties);
        if dofs.free_count() == 0 {
            return Err(SolverError::NothingToSolve);
        }
        let (pattern, values) = full(&graph, &dofs)?;
        dofs.expand(&mut tbar);
        let mut kt_bar = symmetric_matvec(matrix(&full_pattern, &full_values), &tbar);
        dofs.fold(&mut kt_bar);
        dofs.fold(&mut f);

        let mut rhs = Mat::<f64>::from_fn(dofs.free_count(), 1, |i, _| {
            let d = dofs.free_dofs()[i];
            f[d] - kt_bar[d]
        });
        let solver = self.conduction_solver(method, &graph, &dofs, &pattern, &values)?;
        let iterations = solver.solve(Some(matrix(&pattern, &values)), rhs.as_mut())?;
        let mut t = tbar;
        for (i, &d) in dofs.free_dofs().iter().enumerate() {
            t[d] = rhs[(i, 0)];
        }
        dofs.expand(&mut t);
        let mut kt = symmetric_matvec(matrix(&full_pattern, &full_values), &t);
        dofs.fold(&mut kt);
        let reaction: Vec<f64> = (0..n)
            .map(|v| if fixed[v] { kt[v] - f[v] } else { 0.0 })
            .collect();
        let residual = (0..n)
            .map(|v| (kt[v] - f[v] - reaction[v]).powi(2))
            .sum::<f64>()
            .sqrt();
        let scale = (0..n)
            .map(|v| (f[v] + reaction[v]).powi(2))
            .sum::<f64>()
            .sqrt();
        Ok(HeatResults {
            name: case.name.clone(),
            equations: dofs.free_count(),
            method: solver.kind(),
            iterations,
            heat_flux: self.nodal_flux(&t),
            temperature: t,
            reaction,
            relative_residual: if scale > 0.0 {
                residual / scale
            } else {
                residual
            },
        })
    }

    /// The conduction matrix's factor (nested dissection order), or, when `method`
    /// says so or the factor would not fit in memory (`Auto`), its multigrid hierarchy
    /// with the constant temperature as near-null space.
    fn conduction_solver(
        &self,
        method: Method,
        graph: &NodeGraph,
        dofs: &DofMap,
        pattern: &SymbolicSparseColMat<usize>,
        values: &[f64],
    ) -> Result<StiffnessSolver> {
        let mesh = self.mesh;
        let symbolic = match method {
            Method::Iterative => None,
            Method::Direct | Method::Auto => {
                let order = equation_order(&nested_dissection(graph)?, dofs);
                let symbolic = SymbolicFactor::analyse(pattern, Some(&order))?;
                let bytes = factor_bytes(pattern.compute_nnz(), symbolic.factor_nnz());
                match crate::memory::check("the conduction factorisation", bytes) {
                    Ok(()) => Some(symbolic),
                    Err(SolverError::OutOfMemory { .. }) if method == Method::Auto => None,
                    Err(e) => return Err(e),
                }
            }
        };
        if let Some(symbolic) = symbolic {
            return StiffnessSolver::new(&symbolic, matrix(pattern, values), false)
                .map_err(|e| factor_error(e, dofs, mesh));
        }
        crate::memory::check(
            "the multigrid solver",
            crate::memory::multigrid_bytes(pattern.compute_nnz()),
        )?;
        let n = dofs.free_count();
        let a = Csr::from_upper(n, pattern.col_ptr(), pattern.row_idx(), values);
        tracing::info!(
            equations = n,
            "building the multigrid hierarchy (conduction)"
        );
        let amg = Amg::new(a, vec![vec![1.0; n]], (0..n).collect())?;
        Ok(StiffnessSolver::Multigrid(Box::new(amg)))
    }

    /// −k∇T evaluated at each element's nodes and averaged over the elements at a node.
    fn nodal_flux(&self, t: &[f64]) -> Vec<f64> {
        let mesh = self.mesh;
        let mut sum = vec![Vector3::zeros(); mesh.nodes.len()];
        let mut count = vec![0u32; mesh.nodes.len()];
        for (offset, b) in mesh.block_offsets().into_iter().zip(&mesh.blocks) {
            let xi = natural_nodes(b.kind);
            with_shape!(b.kind, E, N, D => {
                let _ = D;
                for e in 0..b.len() {
                    let nodes = b.element(e);
                    let x = mesh.coords::<N>(nodes);
                    let te = nalgebra::SVector::<f64, N>::from_fn(|a, _| t[nodes[a]]);
                    for (a, p) in xi.iter().enumerate() {
                        if let Some((g, _)) = physical_gradients::<E, N>(&x, p) {
                            sum[nodes[a]] -= g.transpose() * te * self.conductivity[offset + e];
                            count[nodes[a]] += 1;
                        }
                    }
                }
            });
        }
        sum.iter()
            .zip(&count)
            .flat_map(|(s, &c)| {
                let v = if c > 0 { s / c as f64 } else { *s };
                [v.x, v.y, v.z]
            })
            .collect()
    }
}

fn add_scaled(f: &mut [f64], w: &[f64], s: f64) {
    f.iter_mut().zip(w).for_each(|(a, b)| *a += s * b);
}

/// Total heat (W) over a set of nodes of a nodal vector.
pub fn total(values: &[f64], nodes: &[usize]) -> f64 {
    nodes.iter().map(|&n| values[n]).sum()
}
