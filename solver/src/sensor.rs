//! Sensors on the body's surface: a measured point (an accelerometer, a strain gauge, a
//! displacement transducer) placed at the nearest point of the mesh's boundary faces,
//! with the weights that interpolate nodal values there.
//!
//! Test points come as coordinates measured on the part, a little off the meshed
//! surface (the mesh's facets, the sensor's own height, the measuring arm). Snapping
//! to the nearest surface point — not the nearest node, not an interior point — is
//! what the sensor sees; how far it had to move is returned so the caller can refuse
//! a sensor that is off the body.
//!
//! ```
//! use vproto_solver::{generate::block, sensor::Surface, ElementKind};
//! let mesh = block([2.0, 1.0, 1.0], [2, 1, 1], ElementKind::Hex20).unwrap();
//! let surface = Surface::of(&mesh);
//! let at = surface.place(&mesh, [1.5, 0.25, 1.002].into()).unwrap();
//! assert!((at.distance - 0.002).abs() < 1e-12 && (at.point.z - 1.0).abs() < 1e-12);
//! ```

use crate::mesh::{FaceRef, Mesh};
use nalgebra::Vector3;

/// A sensor placed on the surface: its face, the face nodes and their weights, the
/// surface point and how far the given point was from it (m).
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub face: FaceRef,
    pub nodes: Vec<usize>,
    pub weights: Vec<f64>,
    pub point: Vector3<f64>,
    pub distance: f64,
}

impl Placed {
    /// A nodal vector field (3 per node) interpolated at the sensor.
    pub fn vector(&self, field: &[f64]) -> Vector3<f64> {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&n, w)| *w * Vector3::new(field[3 * n], field[3 * n + 1], field[3 * n + 2]))
            .sum()
    }
}

/// The boundary faces of a mesh with their bounding boxes, to place many sensors.
pub struct Surface {
    faces: Vec<(FaceRef, Vector3<f64>, Vector3<f64>)>,
}

impl Surface {
    pub fn of(mesh: &Mesh) -> Self {
        let mut faces: Vec<FaceRef> = mesh.boundary_faces().into_values().collect();
        faces.sort_by_key(|f| (f.element, f.face));
        let faces = faces
            .into_iter()
            .map(|f| {
                let nodes = mesh.face_nodes(f);
                let (mut lo, mut hi) = (mesh.nodes[nodes[0]], mesh.nodes[nodes[0]]);
                for &n in &nodes {
                    lo = lo.inf(&mesh.nodes[n]);
                    hi = hi.sup(&mesh.nodes[n]);
                }
                (f, lo, hi)
            })
            .collect();
        Self { faces }
    }

    /// The nearest surface point to `p`: faces are projected on in the order of their
    /// boxes' distance, until a box lies farther than the best point found (a curved
    /// quadratic face bulges out of its nodes' box by little; the boxes are padded by
    /// a tenth of their size for it). `None` for a mesh without faces.
    pub fn place(&self, mesh: &Mesh, p: Vector3<f64>) -> Option<Placed> {
        let mut order: Vec<(f64, usize)> = self
            .faces
            .iter()
            .enumerate()
            .map(|(i, (_, lo, hi))| {
                let pad = 0.1 * (hi - lo).norm();
                let d =
                    Vector3::from_fn(|k, _| (lo[k] - pad - p[k]).max(p[k] - hi[k] - pad).max(0.0));
                (d.norm(), i)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut best: Option<Placed> = None;
        for (box_distance, i) in order {
            if best.as_ref().is_some_and(|b| box_distance > b.distance) {
                break;
            }
            let face = self.faces[i].0;
            let Some(pr) = crate::tie::project_on_face(mesh, face, p) else {
                continue;
            };
            if best.as_ref().is_none_or(|b| pr.distance < b.distance) {
                best = Some(Placed {
                    face,
                    nodes: mesh.face_nodes(face),
                    weights: pr.weights,
                    point: pr.point,
                    distance: pr.distance,
                });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::ElementKind;

    #[test]
    fn a_sensor_lands_on_the_nearest_face_and_interpolates_a_linear_field_exactly() {
        for kind in [
            ElementKind::Hex8,
            ElementKind::Hex20,
            ElementKind::Tet4,
            ElementKind::Tet10,
        ] {
            let mesh = block([1.0, 0.5, 0.3], [3, 2, 2], kind).unwrap();
            let surface = Surface::of(&mesh);
            // Off the top by 1 mm, off the side x = 1 by 3 mm, inside near y = 0.
            for (p, on, d) in [
                ([0.41, 0.17, 0.301], [0.41, 0.17, 0.3], 0.001),
                ([1.003, 0.27, 0.11], [1.0, 0.27, 0.11], 0.003),
                ([0.52, 0.002, 0.2], [0.52, 0.0, 0.2], 0.002),
            ] {
                let at = surface.place(&mesh, p.into()).unwrap();
                assert!((at.distance - d).abs() < 1e-12, "{kind:?}: {at:?}");
                assert!(
                    (at.point - Vector3::from(on)).norm() < 1e-12,
                    "{kind:?}: {at:?}"
                );
                let field: Vec<f64> = mesh
                    .nodes
                    .iter()
                    .flat_map(|x| [2.0 * x.x - x.z, x.y + 0.5, 3.0 * x.z])
                    .collect();
                let u = at.vector(&field);
                let q = Vector3::from(on);
                let exact = Vector3::new(2.0 * q.x - q.z, q.y + 0.5, 3.0 * q.z);
                assert!((u - exact).norm() < 1e-12, "{kind:?}: {u} against {exact}");
            }
        }
    }
}
