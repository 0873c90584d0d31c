//! Strain and stress recovery: values at integration points, and nodal values by
//! extrapolating each element's integration-point values with its corner (linear)
//! shape functions in the least-squares sense, then averaging over elements at each
//! node (as CalculiX and Abaqus report nodal stresses). Midside nodes take the mean of
//! their edge's corners.

use crate::assembly::{elements, physical_gradients, Materials};
use crate::element::{natural_nodes, ElementKind, Hex8, Shape, Tet4};
use crate::error::Result;
use crate::material::Voigt;
use crate::mesh::Mesh;
use crate::with_shape;
use nalgebra::{DMatrix, Matrix3, SMatrix, Vector3};
use rayon::prelude::*;

/// Strain and stress (Voigt: xx, yy, zz, xy, yz, xz, tensor components).
#[derive(Clone, Debug, Default)]
pub struct TensorFields {
    /// Per integration point, element by element (`offsets[e]..offsets[e+1]`).
    pub gauss_strain: Vec<Voigt>,
    pub gauss_stress: Vec<Voigt>,
    /// Physical coordinates of each integration point.
    pub gauss_points: Vec<Vector3<f64>>,
    pub gauss_offsets: Vec<usize>,
    /// Averaged nodal values.
    pub nodal_strain: Vec<Voigt>,
    pub nodal_stress: Vec<Voigt>,
}

/// Extrapolation matrix from integration points to the corners of `kind`:
/// the pseudo-inverse of the corner shape functions evaluated at the points.
fn extrapolation(kind: ElementKind, points: &[([f64; 3], f64)]) -> DMatrix<f64> {
    let corners = kind.corner_count();
    let a = DMatrix::from_fn(points.len(), corners, |q, c| {
        let xi = points[q].0.into();
        if corners == 4 {
            Tet4::values(&xi)[c]
        } else {
            Hex8::values(&xi)[c]
        }
    });
    a.pseudo_inverse(1e-12)
        .expect("SVD of a small matrix converges")
}

struct ElementResult<const N: usize> {
    strain: Vec<Voigt>,
    stress: Vec<Voigt>,
    points: Vec<Vector3<f64>>,
    nodal: SMatrix<f64, N, 12>,
}

/// `thermal`: (3λ + 2μ)α of the element and its nodal temperature changes, when heated.
fn element_fields<E: Shape<N>, const N: usize>(
    x: &SMatrix<f64, N, 3>,
    u: &SMatrix<f64, N, 3>,
    material: &crate::Isotropic,
    thermal: Option<(f64, nalgebra::SVector<f64, N>)>,
    extrap: &DMatrix<f64>,
) -> ElementResult<N> {
    let rule = E::quadrature();
    let mut r = ElementResult {
        strain: Vec::with_capacity(rule.len()),
        stress: Vec::with_capacity(rule.len()),
        points: Vec::with_capacity(rule.len()),
        nodal: SMatrix::zeros(),
    };
    for (xi, _) in rule {
        let (g, _) = physical_gradients::<E, N>(x, xi).unwrap_or((SMatrix::zeros(), 0.0));
        let grad_u: Matrix3<f64> = u.transpose() * g;
        let (eps, mut sig) = material.stress(&grad_u);
        if let Some((modulus, dt)) = &thermal {
            let s = modulus * E::values(&(*xi).into()).dot(dt);
            for k in 0..3 {
                sig[k] -= s;
            }
        }
        r.strain.push(eps);
        r.stress.push(sig);
        r.points.push(x.transpose() * E::values(&(*xi).into()));
    }
    let kind = E::KIND;
    for c in 0..kind.corner_count() {
        for q in 0..rule.len() {
            for k in 0..6 {
                r.nodal[(c, k)] += extrap[(c, q)] * r.strain[q][k];
                r.nodal[(c, 6 + k)] += extrap[(c, q)] * r.stress[q][k];
            }
        }
    }
    for (i, &[a, b]) in kind
        .edges()
        .iter()
        .enumerate()
        .take(N - kind.corner_count())
    {
        let mid = (r.nodal.row(a) + r.nodal.row(b)) * 0.5;
        r.nodal.set_row(kind.corner_count() + i, &mid);
    }
    r
}

/// Elements whose results are computed together (in parallel) before they are summed.
const RECOVERY_BLOCK: usize = 16384;

/// Recovers strain and stress for a full displacement vector (length 3 × nodes). With a
/// nodal temperature change `delta_t`, the stress excludes the free thermal strain
/// (the strain reported is the total strain).
pub fn recover(
    mesh: &Mesh,
    materials: &Materials,
    u: &[f64],
    delta_t: Option<&[f64]>,
) -> Result<TensorFields> {
    let mut out = TensorFields {
        gauss_offsets: vec![0],
        ..Default::default()
    };
    let points: usize = mesh
        .blocks
        .iter()
        .map(
            |b| with_shape!(b.kind, E, N, D => { let _ = (D, N); b.len() * E::quadrature().len() }),
        )
        .sum();
    out.gauss_strain.reserve_exact(points);
    out.gauss_stress.reserve_exact(points);
    out.gauss_points.reserve_exact(points);
    out.gauss_offsets.reserve_exact(mesh.element_count() + 1);
    let mut sum = vec![[0.0; 12]; mesh.nodes.len()];
    let mut count = vec![0u32; mesh.nodes.len()];
    for (offset, b) in mesh.block_offsets().into_iter().zip(&mesh.blocks) {
        with_shape!(b.kind, E, N, D => {
            let _ = D;
            debug_assert_eq!(natural_nodes(b.kind).len(), N);
            let extrap = extrapolation(b.kind, E::quadrature());
            // A block of elements at a time: the per-element results of a whole model
            // would be several times the size of what is kept.
            for first in (0..b.len()).step_by(RECOVERY_BLOCK) {
            let results: Vec<ElementResult<N>> = (first..(first + RECOVERY_BLOCK).min(b.len()))
                .into_par_iter()
                .map(|i| {
                    let nodes = b.element(i);
                    let ue = SMatrix::<f64, N, 3>::from_fn(|a, c| u[3 * nodes[a] + c]);
                    let thermal = delta_t.map(|t| (materials.thermal_modulus(offset + i), nalgebra::SVector::<f64, N>::from_fn(|a, _| t[nodes[a]])));
                    element_fields::<E, N>(&mesh.coords::<N>(nodes), &ue, materials.of(offset + i), thermal, &extrap)
                })
                .collect();
            for (i, r) in (first..).zip(results) {
                for (a, &n) in b.element(i).iter().enumerate() {
                    for (k, s) in sum[n].iter_mut().enumerate() {
                        *s += r.nodal[(a, k)];
                    }
                    count[n] += 1;
                }
                out.gauss_strain.extend(r.strain);
                out.gauss_stress.extend(r.stress);
                out.gauss_points.extend(r.points);
                out.gauss_offsets.push(out.gauss_stress.len());
            }
            }
        });
    }
    debug_assert_eq!(elements(mesh).count() + 1, out.gauss_offsets.len());
    for (s, &c) in sum.iter().zip(&count) {
        let k = if c > 0 { 1.0 / c as f64 } else { 0.0 };
        out.nodal_strain.push(Voigt::from_fn(|i, _| s[i] * k));
        out.nodal_stress.push(Voigt::from_fn(|i, _| s[6 + i] * k));
    }
    Ok(out)
}

/// The nodal stress of many displacement fields of one model (a transient's every step):
/// the shape-function gradients at every integration point and the extrapolation to the
/// nodes are computed once, so a field costs a gradient product, a stress and an
/// average per point — what [`recover`] does without its Jacobians and its
/// integration-point output.
pub struct NodalStress<'m> {
    mesh: &'m Mesh,
    materials: &'m Materials,
    /// Per block: the physical gradients (N × 3, column-major) at every point of every
    /// element, and the block's extrapolation matrix.
    gradients: Vec<(Vec<f64>, DMatrix<f64>)>,
    /// 1 / the number of elements at each node.
    weight: Vec<f64>,
}

impl<'m> NodalStress<'m> {
    pub fn new(mesh: &'m Mesh, materials: &'m Materials) -> Self {
        let mut count = vec![0u32; mesh.nodes.len()];
        let gradients = mesh
            .blocks
            .iter()
            .map(|b| {
                (0..b.len()).for_each(|i| b.element(i).iter().for_each(|&n| count[n] += 1));
                with_shape!(b.kind, E, N, D => {
                    let _ = D;
                    let rule = E::quadrature();
                    let g: Vec<f64> = (0..b.len())
                        .into_par_iter()
                        .flat_map_iter(|i| {
                            let x = mesh.coords::<N>(b.element(i));
                            rule.iter().flat_map(move |(xi, _)| {
                                let (g, _) = physical_gradients::<E, N>(&x, xi)
                                    .unwrap_or((SMatrix::zeros(), 0.0));
                                g.as_slice().to_vec()
                            })
                        })
                        .collect();
                    (g, extrapolation(b.kind, rule))
                })
            })
            .collect();
        let weight = count
            .iter()
            .map(|&c| if c > 0 { 1.0 / c as f64 } else { 0.0 })
            .collect();
        Self {
            mesh,
            materials,
            gradients,
            weight,
        }
    }

    /// Bytes the operator holds for `mesh` (checked before building it).
    pub fn bytes(mesh: &Mesh) -> u64 {
        mesh.blocks
            .iter()
            .map(|b| {
                with_shape!(b.kind, E, N, D => {
                    let _ = D;
                    8 * (b.len() * E::quadrature().len() * 3 * N) as u64
                })
            })
            .sum::<u64>()
            + 8 * mesh.nodes.len() as u64
    }

    /// The averaged nodal stress (Voigt, 6 a node) of the displacement `u` (3 a node).
    pub fn of(&self, u: &[f64]) -> Vec<f64> {
        let nodes = self.mesh.nodes.len();
        let mut sum = vec![0.0; 6 * nodes];
        for ((offset, b), (grad, extrap)) in self
            .mesh
            .block_offsets()
            .into_iter()
            .zip(&self.mesh.blocks)
            .zip(&self.gradients)
        {
            with_shape!(b.kind, E, N, D => {
                let _ = D;
                let part = self.block::<E, N>(b, offset, grad, extrap, u);
                sum.iter_mut().zip(part).for_each(|(s, p)| *s += p);
            });
        }
        for (n, w) in self.weight.iter().enumerate() {
            sum[6 * n..6 * n + 6].iter_mut().for_each(|s| *s *= w);
        }
        sum
    }

    /// One block's summed nodal stresses, in parallel over its elements.
    fn block<E: Shape<N>, const N: usize>(
        &self,
        b: &crate::mesh::ElementBlock,
        offset: usize,
        grad: &[f64],
        extrap: &DMatrix<f64>,
        u: &[f64],
    ) -> Vec<f64> {
        let points = E::quadrature().len();
        let corners = b.kind.corner_count();
        let edges = b.kind.edges();
        let size = 6 * self.mesh.nodes.len();
        (0..b.len())
            .into_par_iter()
            .with_min_len(1024)
            .fold(
                || vec![0.0; size],
                |mut sum, i| {
                    let nodes = b.element(i);
                    let ue = SMatrix::<f64, N, 3>::from_fn(|a, c| u[3 * nodes[a] + c]);
                    let material = self.materials.of(offset + i);
                    let mut nodal = SMatrix::<f64, N, 6>::zeros();
                    for q in 0..points {
                        let at = (i * points + q) * 3 * N;
                        let g = SMatrix::<f64, N, 3>::from_column_slice(&grad[at..at + 3 * N]);
                        let (_, sig) = material.stress(&(ue.transpose() * g));
                        for c in 0..corners {
                            for k in 0..6 {
                                nodal[(c, k)] += extrap[(c, q)] * sig[k];
                            }
                        }
                    }
                    for (m, &[p, r]) in edges.iter().enumerate().take(N - corners) {
                        let mid = (nodal.row(p) + nodal.row(r)) * 0.5;
                        nodal.set_row(corners + m, &mid);
                    }
                    for (a, &n) in nodes.iter().enumerate() {
                        for k in 0..6 {
                            sum[6 * n + k] += nodal[(a, k)];
                        }
                    }
                    sum
                },
            )
            .reduce(
                || vec![0.0; size],
                |mut a, b| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    a
                },
            )
    }
}

#[cfg(test)]
mod tests {
    use crate::assembly::Materials;
    use crate::generate::block;
    use crate::{ElementKind, Isotropic};

    /// The precomputed operator gives [`super::recover`]'s nodal stress, on every kind.
    #[test]
    fn nodal_stress_operator_matches_recovery() {
        for kind in [
            ElementKind::Tet4,
            ElementKind::Tet10,
            ElementKind::Hex8,
            ElementKind::Hex20,
        ] {
            let mesh = block([1.0, 0.5, 0.3], [3, 2, 2], kind).unwrap();
            let materials = Materials::uniform(
                Isotropic {
                    youngs_modulus: 200e9,
                    poisson_ratio: 0.3,
                    density: 7850.0,
                },
                mesh.element_count(),
            );
            let u: Vec<f64> = (0..3 * mesh.nodes.len())
                .map(|i| 1e-4 * ((i as f64 * 0.37).sin() + 0.3 * (i as f64 * 1.3).cos()))
                .collect();
            let want = super::recover(&mesh, &materials, &u, None)
                .unwrap()
                .nodal_stress;
            let got = super::NodalStress::new(&mesh, &materials).of(&u);
            let scale = want
                .iter()
                .flat_map(|s| s.iter())
                .fold(0.0f64, |a, b| a.max(b.abs()));
            for (n, s) in want.iter().enumerate() {
                for k in 0..6 {
                    assert!(
                        (got[6 * n + k] - s[k]).abs() < 1e-12 * scale,
                        "{kind:?} node {n}"
                    );
                }
            }
        }
    }
}
