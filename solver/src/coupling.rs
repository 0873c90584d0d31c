//! Coupling a rigid body of a mechanism to its finite-element part: the mass
//! properties of a mesh region, a joint reaction (force and moment) spread over a face
//! set the way a distributing coupling (RBE3) does, and the d'Alembert body forces of a
//! rigid motion. With all three, a part cut free from its mechanism is in equilibrium.

use crate::assembly::{physical_gradients, Materials};
use crate::element::Shape;
use crate::error::{Result, SolverError};
use crate::loads::face_weights;
use crate::mesh::{FaceRef, Mesh};
use crate::with_shape;
use nalgebra::{Matrix3, Point3, Vector3};

/// Mass, centre of mass and inertia tensor about the centre of mass (global axes).
#[derive(Clone, Copy, Debug)]
pub struct MassProperties {
    pub mass: f64,
    pub center: Point3<f64>,
    pub inertia: Matrix3<f64>,
}

/// What [`for_each_point`] calls at each point.
type PointVisitor<'a> = dyn FnMut(&[usize], &[f64], Vector3<f64>, f64) + 'a;

/// Calls `f(element, node ids, shape values, point, density × dV)` at every mass
/// quadrature point of `elements`.
fn for_each_point(
    mesh: &Mesh,
    elements: &[usize],
    density: &dyn Fn(usize) -> f64,
    f: &mut PointVisitor,
) {
    for &e in elements {
        let (kind, nodes) = mesh.element(e);
        let rho = density(e);
        with_shape!(kind, E, N, D => {
            let _ = D;
            let x = mesh.coords::<N>(nodes);
            for (xi, wq) in E::mass_quadrature() {
                let Some((_, det)) = physical_gradients::<E, N>(&x, xi) else { continue };
                let n = E::values(&(*xi).into());
                let point = x.transpose() * n;
                f(nodes, n.as_slice(), point, rho * wq * det);
            }
        });
    }
}

/// Mass properties of `elements` with the materials' densities.
pub fn mass_properties(mesh: &Mesh, materials: &Materials, elements: &[usize]) -> MassProperties {
    let density = |e| materials.of(e).density;
    let (mut mass, mut first) = (0.0, Vector3::zeros());
    let mut second = Matrix3::zeros();
    for_each_point(mesh, elements, &density, &mut |_, _, x, dm| {
        mass += dm;
        first += dm * x;
        second += dm * x * x.transpose();
    });
    let c = first / mass;
    // ∫ρ d dᵀ about the centre, then I = tr(J) 1 − J.
    let j = second - mass * c * c.transpose();
    MassProperties {
        mass,
        center: Point3::from(c),
        inertia: Matrix3::identity() * j.trace() - j,
    }
}

/// Nodal forces on the nodes of `faces` whose resultant is `force` and whose moment about
/// `about` is `moment`: each node takes its area share of the force plus θ × dᵢ (dᵢ from
/// the set's centroid) weighted by area, with θ chosen so the moments add up — the
/// distribution of an RBE3 coupling. Fails when the set cannot carry a moment (all its
/// nodes on one line).
pub fn spread_wrench(
    mesh: &Mesh,
    faces: &[FaceRef],
    force: Vector3<f64>,
    moment: Vector3<f64>,
    about: Point3<f64>,
) -> Result<Vec<(usize, Vector3<f64>)>> {
    let w = face_weights(mesh, faces);
    let nodes: Vec<usize> = (0..w.len()).filter(|&n| w[n] > 0.0).collect();
    let total: f64 = nodes.iter().map(|&n| w[n]).sum();
    if nodes.is_empty() || total <= 0.0 {
        return Err(SolverError::Mesh(
            "a joint load needs a face set with area".into(),
        ));
    }
    let c: Vector3<f64> = nodes
        .iter()
        .map(|&n| w[n] * mesh.nodes[n])
        .sum::<Vector3<f64>>()
        / total;
    let polar: Matrix3<f64> = nodes
        .iter()
        .map(|&n| {
            let d = mesh.nodes[n] - c;
            w[n] * (Matrix3::identity() * d.norm_squared() - d * d.transpose())
        })
        .sum();
    let about_centroid = moment + (about.coords - c).cross(&force);
    let theta = if about_centroid.norm() == 0.0 {
        Vector3::zeros()
    } else {
        polar
            .try_inverse()
            .filter(|_| polar.determinant().abs() > 1e-12 * polar.norm().powi(3))
            .ok_or_else(|| {
                SolverError::Mesh(
                    "the face set cannot carry the joint moment (its nodes lie on a line)".into(),
                )
            })?
            * about_centroid
    };
    Ok(nodes
        .iter()
        .map(|&n| {
            (
                n,
                w[n] * (force / total + theta.cross(&(mesh.nodes[n] - c))),
            )
        })
        .collect())
}

/// A rigid motion's acceleration field a(x) = a₀ + α × d + ω × (ω × d), d = x − reference.
#[derive(Clone, Copy, Debug)]
pub struct RigidAcceleration {
    pub reference: Point3<f64>,
    pub acceleration: Vector3<f64>,
    pub angular_velocity: Vector3<f64>,
    pub angular_acceleration: Vector3<f64>,
}

impl RigidAcceleration {
    pub fn at(&self, x: Vector3<f64>) -> Vector3<f64> {
        let d = x - self.reference.coords;
        let w = self.angular_velocity;
        self.acceleration + self.angular_acceleration.cross(&d) + w.cross(&w.cross(&d))
    }
}

/// Adds the consistent d'Alembert forces −∫ Nₐ ρ a(x) dV of a rigid motion into `f`.
pub fn add_inertia_forces(
    mesh: &Mesh,
    materials: &Materials,
    elements: &[usize],
    motion: &RigidAcceleration,
    f: &mut [f64],
) {
    let density = |e| materials.of(e).density;
    for_each_point(mesh, elements, &density, &mut |nodes, n, x, dm| {
        let a = motion.at(x);
        for (&node, &na) in nodes.iter().zip(n) {
            for c in 0..3 {
                f[3 * node + c] -= na * dm * a[c];
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::material::Isotropic;
    use crate::ElementKind;
    use approx::assert_relative_eq;

    fn steel(mesh: &Mesh) -> Materials {
        Materials {
            materials: vec![Isotropic {
                youngs_modulus: 2e11,
                poisson_ratio: 0.3,
                density: 7850.0,
            }],
            expansion: vec![0.0],
            of_element: vec![0; mesh.element_count()],
        }
    }

    /// A 2 × 1 × 0.5 box: m = ρV, centre at the middle, I = m(b² + c²)/12 etc.
    #[test]
    fn box_mass_properties_are_exact() {
        for kind in ElementKind::ALL {
            let mesh = block([2.0, 1.0, 0.5], [3, 2, 2], kind).unwrap();
            let p = mass_properties(
                &mesh,
                &steel(&mesh),
                &(0..mesh.element_count()).collect::<Vec<_>>(),
            );
            let m = 7850.0;
            assert_relative_eq!(p.mass, m, max_relative = 1e-12);
            assert_relative_eq!(p.center, Point3::new(1.0, 0.5, 0.25), epsilon = 1e-12);
            let expect = Matrix3::from_diagonal(&Vector3::new(1.25, 4.25, 5.0)) * (m / 12.0);
            assert_relative_eq!(p.inertia, expect, max_relative = 1e-10, epsilon = 1e-8);
        }
    }

    /// The spread forces add up to the force and, about the given point, to the moment.
    #[test]
    fn spread_wrench_reproduces_force_and_moment() {
        let mesh = block([1.0, 0.4, 0.3], [4, 2, 2], ElementKind::Hex20).unwrap();
        let (force, moment, about) = (
            Vector3::new(3.0, -2.0, 5.0),
            Vector3::new(0.7, 1.1, -0.4),
            Point3::new(1.5, 0.2, 0.1),
        );
        let f = spread_wrench(&mesh, &mesh.face_sets["xmax"], force, moment, about).unwrap();
        let sum: Vector3<f64> = f.iter().map(|(_, v)| *v).sum();
        let m: Vector3<f64> = f
            .iter()
            .map(|(n, v)| (mesh.nodes[*n] - about.coords).cross(v))
            .sum();
        assert_relative_eq!(sum, force, epsilon = 1e-12);
        assert_relative_eq!(m, moment, epsilon = 1e-12);
    }

    /// For a spinning, accelerating block the d'Alembert forces sum to −m a_c.
    #[test]
    fn inertia_forces_sum_to_mass_times_centre_acceleration() {
        let mesh = block([2.0, 1.0, 0.5], [2, 2, 1], ElementKind::Tet10).unwrap();
        let mats = steel(&mesh);
        let all: Vec<usize> = (0..mesh.element_count()).collect();
        let motion = RigidAcceleration {
            reference: Point3::origin(),
            acceleration: Vector3::new(1.0, 2.0, 3.0),
            angular_velocity: Vector3::new(0.0, 0.0, 4.0),
            angular_acceleration: Vector3::new(1.0, 0.0, 0.0),
        };
        let mut f = vec![0.0; 3 * mesh.nodes.len()];
        add_inertia_forces(&mesh, &mats, &all, &motion, &mut f);
        let sum = crate::loads::resultant(&f, &(0..mesh.nodes.len()).collect::<Vec<_>>());
        let p = mass_properties(&mesh, &mats, &all);
        assert_relative_eq!(
            sum,
            -p.mass * motion.at(p.center.coords),
            max_relative = 1e-12
        );
    }
}
