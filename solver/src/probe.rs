//! Points inside the body: which element holds a point and the weights that
//! interpolate nodal values there (the element's own shape functions at the point's
//! natural coordinates, found by Newton's method on the isoparametric map).
//!
//! ```
//! use vproto_solver::{generate::block, probe::locate, ElementKind};
//! let mesh = block([2.0, 1.0, 1.0], [2, 1, 1], ElementKind::Hex8).unwrap();
//! let at = locate(&mesh, [1.5, 0.5, 0.5].into()).unwrap();
//! // Interpolating the nodal x coordinates gives the point's x back.
//! let x: f64 = at.nodes.iter().zip(&at.weights).map(|(&n, w)| w * mesh.nodes[n].x).sum();
//! assert!((x - 1.5).abs() < 1e-12);
//! ```

use crate::element::Shape;
use crate::error::{Result, SolverError};
use crate::mesh::Mesh;
use crate::with_shape;
use nalgebra::{SMatrix, Vector3};

/// A located point: its element and the interpolation weights of that element's nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub element: usize,
    pub nodes: Vec<usize>,
    pub weights: Vec<f64>,
}

/// How far outside the reference element (in natural coordinates) a point may lie and
/// still count as inside: round-off on faces shared by two elements.
const INSIDE_TOLERANCE: f64 = 1e-7;

/// The element containing `p` (the first of several when it lies on a shared face).
pub fn locate(mesh: &Mesh, p: Vector3<f64>) -> Result<Located> {
    let mut nearest = f64::INFINITY;
    for (e, (lo, hi)) in bounding_boxes(mesh).into_iter().enumerate() {
        let pad = 1e-9 * (hi - lo).norm();
        if (0..3).any(|i| p[i] < lo[i] - pad || p[i] > hi[i] + pad) {
            nearest = nearest.min(distance_to_box(p, lo, hi));
            continue;
        }
        let (kind, nodes) = mesh.element(e);
        let found = with_shape!(kind, E, N, _D => inside::<E, N>(mesh, nodes, p));
        if let Some(weights) = found {
            return Ok(Located {
                element: e,
                nodes: nodes.to_vec(),
                weights,
            });
        }
    }
    Err(SolverError::OutsideBody(format!(
        "the point ({}, {}, {}) is outside the body (nearest element box {:.3e} away)",
        p.x,
        p.y,
        p.z,
        if nearest.is_finite() { nearest } else { 0.0 }
    )))
}

fn bounding_boxes(mesh: &Mesh) -> Vec<(Vector3<f64>, Vector3<f64>)> {
    (0..mesh.element_count())
        .map(|e| {
            let nodes = mesh.element(e).1;
            let mut lo = Vector3::repeat(f64::INFINITY);
            let mut hi = Vector3::repeat(f64::NEG_INFINITY);
            for &n in nodes {
                lo = lo.inf(&mesh.nodes[n]);
                hi = hi.sup(&mesh.nodes[n]);
            }
            (lo, hi)
        })
        .collect()
}

fn distance_to_box(p: Vector3<f64>, lo: Vector3<f64>, hi: Vector3<f64>) -> f64 {
    let d = Vector3::from_fn(|i, _| (lo[i] - p[i]).max(p[i] - hi[i]).max(0.0));
    d.norm()
}

/// The shape-function values at `p` if it lies in the element (Newton on x(ξ) = p).
fn inside<E: Shape<N>, const N: usize>(
    mesh: &Mesh,
    nodes: &[usize],
    p: Vector3<f64>,
) -> Option<Vec<f64>> {
    let x = SMatrix::<f64, N, 3>::from_fn(|a, i| mesh.nodes[nodes[a]][i]);
    let tet = N == 4 || N == 10;
    let mut xi = if tet {
        Vector3::repeat(0.25)
    } else {
        Vector3::zeros()
    };
    for _ in 0..30 {
        let n = E::values(&xi);
        let r = x.transpose() * n - p;
        let j = x.transpose() * E::gradients(&xi);
        let step = j.try_inverse()? * r;
        xi -= step;
        if xi.norm() > 10.0 {
            return None;
        }
        if step.norm() < 1e-13 {
            break;
        }
    }
    let t = INSIDE_TOLERANCE;
    let ok = if tet {
        xi.iter().all(|&c| c >= -t) && xi.sum() <= 1.0 + t
    } else {
        xi.iter().all(|&c| c.abs() <= 1.0 + t)
    };
    let n = E::values(&xi);
    (ok && (x.transpose() * n - p).norm() <= 1e-9 * (1.0 + p.norm()))
        .then(|| n.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::ElementKind;

    #[test]
    fn quadratic_fields_are_interpolated_exactly_and_outside_points_are_errors() {
        for kind in [
            ElementKind::Tet10,
            ElementKind::Hex20,
            ElementKind::Hex8,
            ElementKind::Tet4,
        ] {
            let mesh = block([1.0, 0.5, 0.3], [3, 2, 2], kind).unwrap();
            let p = Vector3::new(0.41, 0.17, 0.23);
            let at = locate(&mesh, p).unwrap();
            let f = |q: &Vector3<f64>| {
                if kind.is_quadratic() {
                    q.x * q.x + q.y * q.z
                } else {
                    2.0 * q.x - q.z
                }
            };
            let v: f64 = at
                .nodes
                .iter()
                .zip(&at.weights)
                .map(|(&n, w)| w * f(&mesh.nodes[n]))
                .sum();
            assert!((v - f(&p)).abs() < 1e-12, "{kind:?}: {v} vs {}", f(&p));
            assert!(locate(&mesh, Vector3::new(1.2, 0.1, 0.1)).is_err());
        }
    }
}
