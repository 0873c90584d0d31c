//! Element kernels and global assembly.
//!
//! The sparsity pattern of the free–free stiffness (upper triangle, compressed columns)
//! is built once from the node graph; values are then assembled in parallel with one
//! generic kernel per element type. Forces `K u` for reactions and prescribed
//! displacements are computed element by element, so only the free–free block is
//! ever stored.

use crate::dofs::DofMap;
use crate::element::Shape;
use crate::error::{Result, SolverError};
use crate::material::Isotropic;
use crate::mesh::{jacobian, Mesh, NodeGraph};
use crate::with_shape;
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use nalgebra::{Matrix3, SMatrix, SVector};
use rayon::prelude::*;
use std::ops::AddAssign;
use std::sync::atomic::{AtomicU64, Ordering};

/// Physical shape-function gradients and the integration weight × det J at one point.
#[inline]
pub fn physical_gradients<E: Shape<N>, const N: usize>(
    x: &SMatrix<f64, N, 3>,
    xi: &[f64; 3],
) -> Option<(SMatrix<f64, N, 3>, f64)> {
    let dn = E::gradients(&(*xi).into());
    let j = jacobian(x, &dn);
    let det = j.determinant();
    let inv = j.try_inverse().filter(|_| det > 0.0)?;
    Some((dn * inv, det))
}

/// [`physical_gradients`] at quadrature point `q`, or the error naming the inverted or
/// degenerate element `id` and its Jacobian determinant there.
pub fn checked_gradients<E: Shape<N>, const N: usize>(
    x: &SMatrix<f64, N, 3>,
    xi: &[f64; 3],
    q: usize,
    id: usize,
) -> Result<(SMatrix<f64, N, 3>, f64)> {
    physical_gradients::<E, N>(x, xi).ok_or_else(|| SolverError::BadElement {
        element: id as i64,
        kind: E::KIND.name(),
        at: crate::mesh::centre(x),
        det_j: jacobian(x, &E::gradients(&(*xi).into())).determinant(),
        point: q,
    })
}

/// Stiffness matrix of one isotropic element: K_ab = ∫ λ g_a g_bᵀ + μ g_b g_aᵀ + μ (g_a·g_b) I.
pub fn element_stiffness<E: Shape<N>, const N: usize, const D: usize>(
    x: &SMatrix<f64, N, 3>,
    material: &Isotropic,
    id: usize,
) -> Result<SMatrix<f64, D, D>> {
    const { assert!(D == 3 * N) };
    let (lambda, mu) = material.lame();
    let mut k = SMatrix::<f64, D, D>::zeros();
    for (q, (xi, w)) in E::quadrature().iter().enumerate() {
        let (g, det) = checked_gradients::<E, N>(x, xi, q, id)?;
        let dv = w * det;
        for b in 0..N {
            let gb = g.row(b).transpose() * dv;
            for a in 0..=b {
                let ga = g.row(a).transpose();
                let block = ga * gb.transpose() * lambda
                    + gb * ga.transpose() * mu
                    + Matrix3::identity() * (mu * ga.dot(&gb));
                k.fixed_view_mut::<3, 3>(3 * a, 3 * b).add_assign(&block);
            }
        }
    }
    // Fill the lower blocks from the upper ones.
    for b in 0..N {
        for a in 0..b {
            let upper = k.fixed_view::<3, 3>(3 * a, 3 * b).transpose();
            k.fixed_view_mut::<3, 3>(3 * b, 3 * a).copy_from(&upper);
        }
    }
    Ok(k)
}

/// Per-element material assignment.
#[derive(Clone, Debug)]
pub struct Materials {
    pub materials: Vec<Isotropic>,
    /// Thermal expansion coefficient of each material (1/K).
    pub expansion: Vec<f64>,
    /// Index into `materials` for each element.
    pub of_element: Vec<usize>,
}

impl Materials {
    /// One material everywhere, without thermal expansion.
    pub fn uniform(material: Isotropic, elements: usize) -> Self {
        Self {
            materials: vec![material],
            expansion: vec![0.0],
            of_element: vec![0; elements],
        }
    }
    #[inline]
    pub fn of(&self, element: usize) -> &Isotropic {
        &self.materials[self.of_element[element]]
    }
    /// The stress-free thermal stress modulus (3λ + 2μ) α of an element: a temperature
    /// change ΔT with the strain held at zero gives σ = −(3λ + 2μ) α ΔT I.
    #[inline]
    pub fn thermal_modulus(&self, element: usize) -> f64 {
        let m = self.of_element[element];
        let (lambda, mu) = self.materials[m].lame();
        (3.0 * lambda + 2.0 * mu) * self.expansion[m]
    }
}

/// Upper-triangular compressed-column pattern of the free–free stiffness.
pub fn stiffness_pattern(graph: &NodeGraph, dofs: &DofMap) -> SymbolicSparseColMat<usize> {
    let k = dofs.per_node();
    // Equation j's column: the equations of its node's neighbours up to j, sorted.
    let free = dofs.free_dofs();
    let (col_ptr, row_idx) = crate::compressed::build(
        free.len(),
        || (),
        |j, _, out| {
            let rows = graph
                .neighbours(free[j] / k)
                .iter()
                .flat_map(|&m| (0..k).filter_map(move |c| dofs.eq(k * m + c)));
            out.extend(rows.filter(|&r| r <= j));
            out.sort_unstable();
        },
    );
    let nf = dofs.free_count();
    SymbolicSparseColMat::new_checked(nf, nf, col_ptr, None, row_idx)
}

/// Iterates (global id, nodes) over every element.
pub fn elements(mesh: &Mesh) -> impl Iterator<Item = (usize, &[usize])> {
    mesh.blocks
        .iter()
        .flat_map(|b| (0..b.len()).map(move |e| b.element(e)))
        .enumerate()
}

fn atomic_add(cell: &AtomicU64, v: f64) {
    let mut old = cell.load(Ordering::Relaxed);
    loop {
        let new = (f64::from_bits(old) + v).to_bits();
        match cell.compare_exchange_weak(old, new, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break,
            Err(now) => old = now,
        }
    }
}

/// Assembles the free–free stiffness values on `pattern`, in parallel over elements.
pub fn assemble_stiffness(
    mesh: &Mesh,
    materials: &Materials,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
) -> Result<Vec<f64>> {
    assemble(mesh, dofs, pattern, &Stiffness(materials))
}

/// Assembles the free–free consistent mass matrix values on `pattern`.
pub fn assemble_mass(
    mesh: &Mesh,
    materials: &Materials,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
) -> Result<Vec<f64>> {
    assemble(mesh, dofs, pattern, &Mass(materials))
}

/// An element matrix (3 dofs per node) that can be assembled: stiffness, mass, …
/// It sees the element's coordinates, its global node ids and its id.
pub trait ElementMatrix: Sync {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>>;
}

/// The isotropic elastic stiffness.
pub struct Stiffness<'a>(pub &'a Materials);
/// The consistent mass.
pub struct Mass<'a>(pub &'a Materials);

impl ElementMatrix for Stiffness<'_> {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        _nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>> {
        element_stiffness::<E, N, D>(x, self.0.of(id), id)
    }
}

impl ElementMatrix for Mass<'_> {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        _nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>> {
        Ok(element_mass::<E, N, D>(x, self.0.of(id).density))
    }
}

/// The geometric (initial-stress) stiffness of the stress state of a displacement field.
pub struct GeometricStiffness<'a> {
    pub materials: &'a Materials,
    /// Full displacement vector (3 × nodes) the stresses come from.
    pub displacement: &'a [f64],
}

impl ElementMatrix for GeometricStiffness<'_> {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>> {
        let u = SMatrix::<f64, N, 3>::from_fn(|a, c| self.displacement[3 * nodes[a] + c]);
        Ok(element_geometric_stiffness::<E, N, D>(
            x,
            &u,
            self.materials.of(id),
        ))
    }
}

/// K_σ,ab = ∫ (∇N_a · σ ∇N_b) dV · I, with σ the stress of the element displacements `u`.
pub fn element_geometric_stiffness<E: Shape<N>, const N: usize, const D: usize>(
    x: &SMatrix<f64, N, 3>,
    u: &SMatrix<f64, N, 3>,
    material: &Isotropic,
) -> SMatrix<f64, D, D> {
    const { assert!(D == 3 * N) };
    let mut k = SMatrix::<f64, D, D>::zeros();
    for (xi, w) in E::quadrature() {
        let Some((g, det)) = physical_gradients::<E, N>(x, xi) else {
            continue;
        };
        let (_, sigma) = material.stress(&(u.transpose() * g));
        let s = crate::material::from_voigt(&sigma) * (w * det);
        let gs = g * s; // row a: (σ ∇N_a)ᵀ
        for b in 0..N {
            for a in 0..N {
                let v = gs.row(a).dot(&g.row(b));
                for c in 0..3 {
                    k[(3 * a + c, 3 * b + c)] += v;
                }
            }
        }
    }
    k
}

/// Consistent mass of one element: M_ab = ∫ ρ N_a N_b dV · I.
pub fn element_mass<E: Shape<N>, const N: usize, const D: usize>(
    x: &SMatrix<f64, N, 3>,
    density: f64,
) -> SMatrix<f64, D, D> {
    const { assert!(D == 3 * N) };
    let mut m = SMatrix::<f64, D, D>::zeros();
    for (xi, w) in E::mass_quadrature() {
        let n = E::values(&(*xi).into());
        let dv = w * jacobian(x, &E::gradients(&(*xi).into())).determinant() * density;
        for b in 0..N {
            for a in 0..N {
                let v = n[a] * n[b] * dv;
                for c in 0..3 {
                    m[(3 * a + c, 3 * b + c)] += v;
                }
            }
        }
    }
    m
}

/// Assembles a vector-valued (3 dofs per node) element matrix over every element into
/// the values of `pattern`, in parallel over elements (atomic adds resolve shared entries).
pub fn assemble(
    mesh: &Mesh,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
    op: &impl ElementMatrix,
) -> Result<Vec<f64>> {
    let values = zeros(pattern);
    for (offset, b) in mesh.block_offsets().into_iter().zip(&mesh.blocks) {
        with_shape!(b.kind, E, N, D => scatter::<_, E, N, D>(mesh, b, offset, dofs, pattern, &values, op)?);
    }
    Ok(into_values(values))
}

/// Like [`assemble`] for a scalar (1 dof per node) element matrix.
pub fn assemble_scalar(
    mesh: &Mesh,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
    op: &impl ElementMatrix,
) -> Result<Vec<f64>> {
    let values = zeros(pattern);
    for (offset, b) in mesh.block_offsets().into_iter().zip(&mesh.blocks) {
        with_shape!(b.kind, E, N, D => { let _ = D; scatter::<_, E, N, N>(mesh, b, offset, dofs, pattern, &values, op)? });
    }
    Ok(into_values(values))
}

fn zeros(pattern: &SymbolicSparseColMat<usize>) -> Vec<AtomicU64> {
    (0..pattern.as_ref().row_idx().len())
        .map(|_| AtomicU64::new(0))
        .collect()
}

fn into_values(values: Vec<AtomicU64>) -> Vec<f64> {
    values
        .into_iter()
        .map(|v| f64::from_bits(v.into_inner()))
        .collect()
}

/// Adds a dense matrix over the dofs `eqs` into the upper triangle stored in `values`.
fn scatter_matrix<const D: usize>(
    k: &SMatrix<f64, D, D>,
    eqs: &[Option<usize>; D],
    pattern: &SymbolicSparseColMat<usize>,
    values: &[AtomicU64],
) {
    let p = pattern.as_ref();
    let (col_ptr, row_idx) = (p.col_ptr(), p.row_idx());
    for (cb, col) in eqs.iter().enumerate() {
        let Some(col) = *col else { continue };
        let rows = &row_idx[col_ptr[col]..col_ptr[col + 1]];
        for (ra, row) in eqs.iter().enumerate() {
            match *row {
                Some(row) if row <= col => {
                    let pos =
                        col_ptr[col] + rows.binary_search(&row).expect("pattern covers element");
                    atomic_add(&values[pos], k[(ra, cb)]);
                }
                _ => {}
            }
        }
    }
}

/// Adds an element (or face) matrix over `nodes` into the free–free matrix: through the
/// ties (Tᵀ k T) when one of the nodes is a tied slave node.
fn scatter_element<const D: usize>(
    k: &SMatrix<f64, D, D>,
    nodes: &[usize],
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
    values: &[AtomicU64],
) {
    if !nodes.iter().any(|&n| dofs.is_tied_node(n)) {
        return scatter_matrix(k, &element_equations::<D>(nodes, dofs), pattern, values);
    }
    let per_node = D / nodes.len();
    let mut terms = Vec::new();
    let mut buf = Vec::new();
    for r in 0..D {
        dofs.terms(per_node * nodes[r / per_node] + r % per_node, &mut buf);
        terms.extend(buf.iter().map(|&(e, w)| (r, e, w)));
    }
    let p = pattern.as_ref();
    let (col_ptr, row_idx) = (p.col_ptr(), p.row_idx());
    for &(cb, col, wc) in &terms {
        let rows = &row_idx[col_ptr[col]..col_ptr[col + 1]];
        for &(ra, row, wr) in terms.iter().filter(|t| t.1 <= col) {
            let pos = col_ptr[col] + rows.binary_search(&row).expect("pattern covers ties");
            atomic_add(&values[pos], wr * wc * k[(ra, cb)]);
        }
    }
}

/// Adds K_kl = c_k c_l A over the nodes and weights `terms` (a contact point's
/// coupling, 3 dofs a node) into the upper triangle of `values`, through ties and past
/// prescribed dofs.
pub fn scatter_coupling(
    terms: &[(usize, f64)],
    a: &nalgebra::Matrix3<f64>,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
    values: &mut [f64],
) {
    let mut eqs = Vec::new();
    let mut buf = Vec::new();
    for &(k, c) in terms {
        for i in 0..3 {
            dofs.terms(3 * k + i, &mut buf);
            eqs.extend(buf.iter().map(|&(e, w)| (i, e, w * c)));
        }
    }
    let p = pattern.as_ref();
    let (col_ptr, row_idx) = (p.col_ptr(), p.row_idx());
    for &(j, col, wc) in &eqs {
        let rows = &row_idx[col_ptr[col]..col_ptr[col + 1]];
        for &(i, row, wr) in eqs.iter().filter(|t| t.1 <= col) {
            let pos = col_ptr[col] + rows.binary_search(&row).expect("pattern covers contact");
            values[pos] += wr * wc * a[(i, j)];
        }
    }
}

/// Whether `pattern` holds the coupling of every pair of `terms`' nodes (a contact
/// point's): [`scatter_coupling`] can add its block.
pub fn covers(
    terms: &[(usize, f64)],
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
) -> bool {
    let mut eqs = Vec::new();
    let mut buf = Vec::new();
    for &(k, _) in terms {
        for i in 0..3 {
            dofs.terms(3 * k + i, &mut buf);
            eqs.extend(buf.iter().map(|&(e, _)| e));
        }
    }
    let p = pattern.as_ref();
    let (col_ptr, row_idx) = (p.col_ptr(), p.row_idx());
    eqs.iter().all(|&col| {
        let rows = &row_idx[col_ptr[col]..col_ptr[col + 1]];
        eqs.iter()
            .filter(|&&row| row <= col)
            .all(|row| rows.binary_search(row).is_ok())
    })
}

/// The equations of an element's (or face's) dofs, `DD / nodes` components per node.
fn element_equations<const DD: usize>(nodes: &[usize], dofs: &DofMap) -> [Option<usize>; DD] {
    let p = DD / nodes.len();
    std::array::from_fn(|r| dofs.eq(p * nodes[r / p] + r % p))
}

#[allow(clippy::too_many_arguments)]
fn scatter<Op: ElementMatrix, E: Shape<N>, const N: usize, const DD: usize>(
    mesh: &Mesh,
    b: &crate::mesh::ElementBlock,
    offset: usize,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
    values: &[AtomicU64],
    op: &Op,
) -> Result<()> {
    (0..b.len()).into_par_iter().try_for_each(|i| {
        let nodes = b.element(i);
        let k = op.matrix::<E, N, DD>(&mesh.coords::<N>(nodes), nodes, offset + i)?;
        scatter_element(&k, nodes, dofs, pattern, values);
        Ok(())
    })
}

/// Adds `h` × the scalar face "mass" ∫ N_a N_b dA of every face into `values` (the
/// convection matrix of a heat problem).
pub fn add_face_matrix(
    mesh: &Mesh,
    faces: &[crate::mesh::FaceRef],
    h: f64,
    dofs: &DofMap,
    pattern: &SymbolicSparseColMat<usize>,
    values: &mut [f64],
) {
    let atomic: Vec<AtomicU64> = values.iter().map(|v| AtomicU64::new(v.to_bits())).collect();
    for &face in faces {
        let nodes = mesh.face_nodes(face);
        let kind = mesh.element(face.element).0.face_kind();
        crate::with_face_shape!(kind, F, M => {
            let m = crate::loads::face_mass::<F, M>(&mesh.coords::<M>(&nodes)) * h;
            scatter_element(&m, &nodes, dofs, pattern, &atomic);
        });
    }
    values.copy_from_slice(&into_values(atomic));
}

/// View of an assembled matrix.
pub fn matrix<'a>(
    pattern: &'a SymbolicSparseColMat<usize>,
    values: &'a [f64],
) -> SparseColMatRef<'a, usize, f64> {
    SparseColMatRef::new(pattern.as_ref(), values)
}

/// Internal forces K u for a full displacement vector (length 3 × nodes), element by element.
pub fn internal_forces(mesh: &Mesh, materials: &Materials, u: &[f64]) -> Result<Vec<f64>> {
    let mut f = vec![0.0; u.len()];
    for (offset, b) in mesh.block_offsets().into_iter().zip(&mesh.blocks) {
        with_shape!(b.kind, E, N, D => {
            let fe: Vec<SVector<f64, D>> = (0..b.len())
                .into_par_iter()
                .map(|i| {
                    let nodes = b.element(i);
                    let ue = SVector::<f64, D>::from_fn(|r, _| u[3 * nodes[r / 3] + r % 3]);
                    if ue.iter().all(|&v| v == 0.0) {
                        return Ok(SVector::zeros());
                    }
                    let k = element_stiffness::<E, N, D>(&mesh.coords::<N>(nodes), materials.of(offset + i), offset + i)?;
                    Ok(k * ue)
                })
                .collect::<Result<_>>()?;
            for (i, fe) in fe.iter().enumerate() {
                for (r, v) in fe.iter().enumerate() {
                    f[3 * b.element(i)[r / 3] + r % 3] += v;
                }
            }
        });
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::ElementKind;

    fn steel() -> Isotropic {
        Isotropic {
            youngs_modulus: 200e9,
            poisson_ratio: 0.3,
            density: 7800.0,
        }
    }

    #[test]
    fn element_mass_sums_to_element_mass() {
        for kind in ElementKind::ALL {
            let m = block([1.0, 0.7, 0.4], [1, 1, 1], kind).unwrap();
            with_shape!(kind, E, N, D => {
                let mass = element_mass::<E, N, D>(&m.coords::<N>(m.blocks[0].element(0)), 1000.0);
                let total: f64 = (0..D).step_by(3).flat_map(|r| (0..D).step_by(3).map(move |c| (r, c))).map(|(r, c)| mass[(r, c)]).sum();
                let expect = 1000.0 * 0.28 / if kind.corner_count() == 4 { 6.0 } else { 1.0 };
                assert!((total - expect).abs() < 1e-10 * expect, "{kind:?}: {total} vs {expect}");
            });
        }
    }

    #[test]
    fn element_stiffness_is_symmetric_with_rigid_body_null_space() {
        for kind in ElementKind::ALL {
            let m = block([1.0, 0.7, 0.4], [1, 1, 1], kind).unwrap();
            let nodes = m.blocks[0].element(0);
            with_shape!(kind, E, N, D => {
                let x = m.coords::<N>(nodes);
                let k = element_stiffness::<E, N, D>(&x, &steel(), 0).unwrap();
                assert!((k - k.transpose()).norm() < 1e-12 * k.norm());
                // Rigid rotation about z: u = (-y, x, 0).
                let u = SVector::<f64, D>::from_fn(|r, _| match r % 3 { 0 => -x[(r / 3, 1)], 1 => x[(r / 3, 0)], _ => 0.0 });
                let f = k * u;
                assert!(f.norm() < 1e-6 * k.norm() * u.norm(), "{kind:?}");
            });
        }
    }
}
