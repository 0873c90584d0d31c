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
