//! Consistent nodal loads: f_a = ∫ N_a t dA on faces and f_a = ∫ N_a ρ a dV in volumes.
//!
//! Face integrals use the facet's own shape functions and quadrature, so quadratic and
//! curved faces get the correct (non-uniform) corner/midside split, and pressure acts
//! along the local outward normal of the deformed-free geometry.

use crate::assembly::{physical_gradients, Materials};
use crate::element::{FaceShape, Shape};
use crate::mesh::{FaceRef, Mesh};
use crate::{with_face_shape, with_shape};
use nalgebra::{SMatrix, Vector2, Vector3};

/// How a surface load acts on a face.
#[derive(Clone, Copy, Debug)]
pub enum SurfaceLoad {
    /// Force per unit area in a fixed direction (N/m²).
    Traction(Vector3<f64>),
    /// Pressure (Pa), positive pushing into the solid against the outward normal.
    Pressure(f64),
}

/// Adds the consistent nodal forces of `load` on `faces` into `f` (length 3 × nodes).
pub fn add_surface_load(mesh: &Mesh, faces: &[FaceRef], load: SurfaceLoad, f: &mut [f64]) {
    add_surface_load_displaced(mesh, faces, load, None, f)
}

/// [`add_surface_load`] on the faces displaced by `u` (3 per node): a pressure that
/// follows the deformed surface in a large-deformation analysis.
pub fn add_surface_load_displaced(
    mesh: &Mesh,
    faces: &[FaceRef],
    load: SurfaceLoad,
    u: Option<&[f64]>,
    f: &mut [f64],
) {
    for &face in faces {
        let nodes = mesh.face_nodes(face);
        let kind = mesh.element(face.element).0.face_kind();
        with_face_shape!(kind, F, M => {
            let mut x = mesh.coords::<M>(&nodes);
            if let Some(u) = u {
                for (a, &n) in nodes.iter().enumerate() {
                    for c in 0..3 {
                        x[(a, c)] += u[3 * n + c];
                    }
                }
            }
            for (a, fa) in face_forces::<F, M>(&x, load).iter().enumerate() {
                for c in 0..3 {
                    f[3 * nodes[a] + c] += fa[c];
                }
            }
        });
    }
}

fn face_forces<F: FaceShape<M>, const M: usize>(
    x: &SMatrix<f64, M, 3>,
    load: SurfaceLoad,
) -> [Vector3<f64>; M] {
    let mut out = [Vector3::zeros(); M];
    for (s, w) in F::quadrature() {
        let s = Vector2::from(*s);
        let n = F::values(&s);
        let t = x.transpose() * F::gradients(&s); // 3×2 tangents
        let area_vector = t.column(0).cross(&t.column(1)) * *w;
        let force = match load {
            SurfaceLoad::Traction(tr) => tr * area_vector.norm(),
            SurfaceLoad::Pressure(p) => -area_vector * p,
        };
        for a in 0..M {
            out[a] += force * n[a];
        }
    }
    out
}

/// ∫ N_a dA of every node over a set of faces (consistent area weights).
pub fn face_weights(mesh: &Mesh, faces: &[FaceRef]) -> Vec<f64> {
    let mut f = vec![0.0; 3 * mesh.nodes.len()];
    add_surface_load(mesh, faces, SurfaceLoad::Traction(Vector3::x()), &mut f);
    f.into_iter().step_by(3).collect()
}

/// Area of a set of faces.
pub fn face_area(mesh: &Mesh, faces: &[FaceRef]) -> f64 {
    face_weights(mesh, faces).iter().sum()
}

/// ∫ N_a N_b dA of one facet (the boundary "mass" matrix, e.g. for convection).
pub fn face_mass<F: FaceShape<M>, const M: usize>(x: &SMatrix<f64, M, 3>) -> SMatrix<f64, M, M> {
    let mut m = SMatrix::<f64, M, M>::zeros();
    for (s, w) in F::quadrature() {
        let s = Vector2::from(*s);
        let n = F::values(&s);
        let t = x.transpose() * F::gradients(&s);
        m += n * n.transpose() * (t.column(0).cross(&t.column(1)).norm() * w);
    }
    m
}

/// ∫ scale(e) N_a dV of every node over `elements` (consistent volume weights).
pub fn volume_weights(mesh: &Mesh, elements: &[usize], scale: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut w = vec![0.0; mesh.nodes.len()];
    for &e in elements {
        let (kind, nodes) = mesh.element(e);
        let s = scale(e);
        with_shape!(kind, E, N, D => {
            let _ = D;
            let x = mesh.coords::<N>(nodes);
            for (xi, wq) in E::quadrature() {
                let Some((_, det)) = physical_gradients::<E, N>(&x, xi) else { continue };
                let n = E::values(&(*xi).into());
                for a in 0..N {
                    w[nodes[a]] += n[a] * s * wq * det;
                }
            }
        });
    }
    w
}

/// Adds body forces ρ a over `elements` into `f`.
pub fn add_body_acceleration(
    mesh: &Mesh,
    materials: &Materials,
    elements: &[usize],
    accel: Vector3<f64>,
    f: &mut [f64],
) {
    let w = volume_weights(mesh, elements, |e| materials.of(e).density);
    for (n, wn) in w.iter().enumerate() {
        for c in 0..3 {
            f[3 * n + c] += wn * accel[c];
        }
    }
}

/// Adds the thermal load f_a = ∫ (3λ + 2μ) α ΔT ∇N_a dV of nodal temperature changes.
pub fn add_thermal_load(mesh: &Mesh, materials: &Materials, delta_t: &[f64], f: &mut [f64]) {
    for e in 0..mesh.element_count() {
        let modulus = materials.thermal_modulus(e);
        if modulus == 0.0 {
            continue;
        }
        let (kind, nodes) = mesh.element(e);
        with_shape!(kind, E, N, D => {
            let _ = D;
            let x = mesh.coords::<N>(nodes);
            let dt = nalgebra::SVector::<f64, N>::from_fn(|a, _| delta_t[nodes[a]]);
            for (xi, w) in E::quadrature() {
                let Some((g, det)) = physical_gradients::<E, N>(&x, xi) else { continue };
                let s = modulus * E::values(&(*xi).into()).dot(&dt) * w * det;
                for a in 0..N {
                    for c in 0..3 {
                        f[3 * nodes[a] + c] += s * g[(a, c)];
                    }
                }
            }
        });
    }
}

/// Sum of the components of a full dof vector over a set of nodes.
pub fn resultant(values: &[f64], nodes: &[usize]) -> Vector3<f64> {
    nodes
        .iter()
        .map(|&n| Vector3::new(values[3 * n], values[3 * n + 1], values[3 * n + 2]))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{block, tube_sector};
    use crate::ElementKind;
    use approx::assert_relative_eq;

    #[test]
    fn pressure_resultant_equals_pressure_times_area_on_every_element() {
        for kind in ElementKind::ALL {
            let m = block([2.0, 3.0, 1.0], [2, 3, 2], kind).unwrap();
            let mut f = vec![0.0; 3 * m.nodes.len()];
            add_surface_load(&m, &m.face_sets["zmax"], SurfaceLoad::Pressure(5.0), &mut f);
            let r = resultant(&f, &(0..m.nodes.len()).collect::<Vec<_>>());
            assert_relative_eq!(r, Vector3::new(0.0, 0.0, -30.0), epsilon = 1e-10);
        }
    }

    #[test]
    fn quadratic_face_load_puts_negative_share_on_tri6_corners() {
        // Classic result: uniform traction on a 6-node triangle gives zero corner loads
        // and a third of the total at each midside node.
        let m = block([1.0, 1.0, 1.0], [1, 1, 1], ElementKind::Tet10).unwrap();
        let face = m.face_sets["zmax"][0];
        let mut f = vec![0.0; 3 * m.nodes.len()];
        add_surface_load(&m, &[face], SurfaceLoad::Traction(Vector3::z()), &mut f);
        let nodes = m.face_nodes(face);
        for (i, &n) in nodes.iter().enumerate() {
            let expect = if i < 3 { 0.0 } else { 0.5 / 3.0 };
            assert_relative_eq!(f[3 * n + 2], expect, epsilon = 1e-12);
        }
    }

    #[test]
    fn curved_face_area_converges() {
        let m = tube_sector(
            1.0,
            2.0,
            std::f64::consts::FRAC_PI_2,
            1.0,
            [1, 4, 1],
            ElementKind::Hex20,
        )
        .unwrap();
        assert_relative_eq!(
            face_area(&m, &m.face_sets["inner"]),
            std::f64::consts::FRAC_PI_2,
            max_relative = 1e-4
        );
    }
}
