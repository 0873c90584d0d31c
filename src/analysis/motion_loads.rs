//! Loads a mechanism puts on a finite-element part — a joint's reaction, a spring's
//! pull, the body's own inertia — at any sample of its motion, moved into the part's
//! initial pose (the mesh's frame).
//!
//! Why components: each such load is linear in a few numbers that vary over the motion
//! (a wrench's force and moment; the inertia's acceleration, angular acceleration and
//! the products ω_i ω_j of the centripetal term), so the part's stress over a whole
//! duty cycle is a sum of a few unit solves times those numbers' histories — the
//! quasi-static superposition fatigue counts ([`MotionLoad::components`]).

use crate::case::Case;
use crate::mechanism::MotionRun;
use crate::schema::LoadSpec;
use anyhow::{anyhow, Result};
use nalgebra::{Point3, Vector3};
use toml::Spanned;
use vproto_solver::coupling::{spread_wrench, RigidAcceleration};
use vproto_solver::multibody::Part;
use vproto_solver::{FaceRef, Load, Mesh};

/// A mechanism load, ready to be built at any sample of the motion.
pub struct MotionLoad<'a> {
    motion: &'a MotionRun,
    mesh: &'a Mesh,
    /// Where the load is in the case file, for errors.
    place: String,
    /// The body the part is.
    body: usize,
    kind: Kind,
}

enum Kind {
    /// A force and moment about `point` on the faces: a joint's reaction on the body
    /// (`sign` −1 when the body is the joint's first part) or a spring's pull.
    Joint {
        joint: usize,
        sign: f64,
        faces: Vec<FaceRef>,
        point: Point3<f64>,
    },
    Spring {
        spring: usize,
        end: usize,
        faces: Vec<FaceRef>,
    },
    /// The d'Alembert forces of the body's rigid motion on its elements.
    Inertia { elements: Vec<usize> },
}

/// The angular velocities whose centripetal fields ω × (ω × r) the centripetal term of
/// any ω is a sum of: e_x, e_y, e_z, e_x + e_y, e_x + e_z, e_y + e_z.
const CENTRIPETAL_UNITS: [[f64; 3]; 6] = [
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
    [1.0, 1.0, 0.0],
    [1.0, 0.0, 1.0],
    [0.0, 1.0, 1.0],
];

/// The weights of [`CENTRIPETAL_UNITS`]' fields that sum to ω's: the field is quadratic
/// in ω, Q(ω) = Σ ω_i² Q(e_i) + Σ_{i<j} ω_i ω_j (Q(e_i + e_j) − Q(e_i) − Q(e_j)).
fn centripetal_weights(w: &Vector3<f64>) -> [f64; 6] {
    let (x, y, z) = (w.x, w.y, w.z);
    [
        x * x - x * y - x * z,
        y * y - x * y - y * z,
        z * z - x * z - y * z,
        x * y,
        x * z,
        y * z,
    ]
}

/// A unit load and its factor at every sample of the motion.
pub type Component = (Load, Vec<f64>);

impl<'a> MotionLoad<'a> {
    /// The mechanism load `spanned` (joint_load, spring_load or motion_inertia), its
    /// names checked against the mechanism and the mesh.
    pub fn new(
        case: &Case,
        mesh: &'a Mesh,
        spanned: &Spanned<LoadSpec>,
        motion: &'a MotionRun,
    ) -> Result<Self> {
        let here = |e: String| case.error_at(spanned, e);
        let faces = |set: &str| -> Result<Vec<FaceRef>> {
            Ok(mesh
                .face_set(set)
                .map_err(|e| here(e.to_string()))?
                .to_vec())
        };
        let body_of = |name: &str| {
            motion
                .body(name)
                .ok_or_else(|| here(format!("unknown body '{name}'")))
        };
        let (body, kind) = match spanned.get_ref() {
            LoadSpec::JointLoad { joint, body, set } => {
                let b = body_of(body)?;
                let j = motion
                    .joint(joint)
                    .ok_or_else(|| here(format!("unknown joint '{joint}'")))?;
                let spec = &motion.mechanism.joints[j];
                let sign = if spec.second == Part::Body(b) {
                    1.0
                } else if spec.first == Part::Body(b) {
                    -1.0
                } else {
                    return Err(here(format!(
                        "joint '{joint}' does not connect body '{body}'"
                    )));
                };
                let (faces, point) = (faces(set)?, spec.point);
                (
                    b,
                    Kind::Joint {
                        joint: j,
                        sign,
                        faces,
                        point,
                    },
                )
            }
            LoadSpec::SpringLoad { spring, body, set } => {
                let b = body_of(body)?;
                let k = motion
                    .spring_names
                    .iter()
                    .position(|n| n == spring)
                    .ok_or_else(|| here(format!("unknown spring '{spring}'")))?;
                let Some(end) = motion.mechanism.springs[k]
                    .parts
                    .iter()
                    .position(|p| *p == Part::Body(b))
                else {
                    return Err(here(format!(
                        "spring '{spring}' is not attached to body '{body}'"
                    )));
                };
                (
                    b,
                    Kind::Spring {
                        spring: k,
                        end,
                        faces: faces(set)?,
                    },
                )
            }
            LoadSpec::MotionInertia { body } => {
                let b = body_of(body)?;
                let elements = match &motion.regions[b] {
                    Some(r) => mesh.region_elements(r).map_err(|e| here(e.to_string()))?,
                    None => (0..mesh.element_count()).collect(),
                };
                (b, Kind::Inertia { elements })
            }
            _ => return Err(here("not a load from a mechanism".into())),
        };
        Ok(Self {
            motion,
            mesh,
            place: case.at(spanned.span()),
            body,
            kind,
        })
    }

    /// The load at sample `k`.
    pub fn at(&self, k: usize) -> Result<Load> {
        match &self.kind {
            Kind::Inertia { elements } => Ok(Load::Inertia {
                elements: elements.clone(),
                motion: self.rigid(k),
            }),
            _ => {
                let (force, moment) = self.wrench(k);
                self.spread(force, moment)
            }
        }
    }

    /// Unit loads and their histories whose sum at every sample is [`Self::at`]: six
    /// for a joint (force and moment, part frame), three for a spring, twelve for
    /// inertia (a − g, α, and ω_i ω_j: the unit for ω = e_i carries ω_i² − Σ_{j≠i} ω_i ω_j,
    /// the one for ω = e_i + e_j (i < j) ω_i ω_j, which sums to ω × (ω × r)).
    pub fn components(&self) -> Result<Vec<Component>> {
        let samples = self.motion.solution.samples.len();
        let e = |i: usize| Vector3::ith(i, 1.0);
        let zero = Vector3::zeros();
        let history = |f: &dyn Fn(usize) -> f64| (0..samples).map(f).collect::<Vec<f64>>();
        let mut out = Vec::new();
        match &self.kind {
            Kind::Inertia { elements } => {
                let base = self.rigid(0);
                let unit = |a: Vector3<f64>, w: Vector3<f64>, alpha: Vector3<f64>| Load::Inertia {
                    elements: elements.clone(),
                    motion: RigidAcceleration {
                        reference: base.reference,
                        acceleration: a,
                        angular_velocity: w,
                        angular_acceleration: alpha,
                    },
                };
                let states: Vec<RigidAcceleration> = (0..samples).map(|k| self.rigid(k)).collect();
                for i in 0..3 {
                    out.push((
                        unit(e(i), zero, zero),
                        history(&|k| states[k].acceleration[i]),
                    ));
                    out.push((
                        unit(zero, zero, e(i)),
                        history(&|k| states[k].angular_acceleration[i]),
                    ));
                }
                let weights: Vec<[f64; 6]> = states
                    .iter()
                    .map(|s| centripetal_weights(&s.angular_velocity))
                    .collect();
                for (c, w) in CENTRIPETAL_UNITS.iter().enumerate() {
                    let w = Vector3::from(*w);
                    out.push((unit(zero, w, zero), history(&|k| weights[k][c])));
                }
            }
            _ => {
                let wrenches: Vec<_> = (0..samples).map(|k| self.wrench(k)).collect();
                for i in 0..3 {
                    out.push((self.spread(e(i), zero)?, history(&|k| wrenches[k].0[i])));
                }
                if matches!(self.kind, Kind::Joint { .. }) {
                    for i in 0..3 {
                        out.push((self.spread(zero, e(i))?, history(&|k| wrenches[k].1[i])));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The rotation from the world into the part's initial pose at sample `k`.
    fn to_part(&self, k: usize) -> nalgebra::Matrix3<f64> {
        self.motion.solution.samples[k].bodies[self.body]
            .rotation
            .transpose()
    }

    /// The force and moment on the part at sample `k` (part frame; no moment for a
    /// spring, whose pull acts along the line between its ends).
    fn wrench(&self, k: usize) -> (Vector3<f64>, Vector3<f64>) {
        let (sample, to_part) = (&self.motion.solution.samples[k], self.to_part(k));
        match &self.kind {
            Kind::Joint { joint, sign, .. } => {
                let js = &sample.joints[*joint];
                (*sign * (to_part * js.force), *sign * (to_part * js.moment))
            }
            Kind::Spring { spring, end, .. } => {
                let spec = &self.motion.mechanism.springs[*spring];
                let world = |i: usize| self.motion.world_point(spec.parts[i], &spec.points[i], k);
                let towards_other = (world(1 - end) - world(*end)).normalize();
                (
                    sample.springs[*spring].1 * (to_part * towards_other),
                    Vector3::zeros(),
                )
            }
            Kind::Inertia { .. } => (Vector3::zeros(), Vector3::zeros()),
        }
    }

    /// A force and moment spread over the load's faces (about the joint's point, or the
    /// spring's end).
    fn spread(&self, force: Vector3<f64>, moment: Vector3<f64>) -> Result<Load> {
        let (faces, about) = match &self.kind {
            Kind::Joint { faces, point, .. } => (faces, *point),
            Kind::Spring { spring, end, faces } => {
                (faces, self.motion.mechanism.springs[*spring].points[*end])
            }
            Kind::Inertia { .. } => unreachable!("inertia is not spread over faces"),
        };
        let forces = spread_wrench(self.mesh, faces, force, moment, about)
            .map_err(|e| anyhow!("{}: {e}", self.place))?;
        Ok(Load::NodalForces(forces))
    }

    /// The rigid motion's d'Alembert field at sample `k` (part frame): gravity enters
    /// as a reduced acceleration, −ρ(a − g).
    fn rigid(&self, k: usize) -> RigidAcceleration {
        let state = &self.motion.solution.samples[k].bodies[self.body];
        let to_part = self.to_part(k);
        RigidAcceleration {
            reference: self.motion.mechanism.bodies[self.body].center_of_mass,
            acceleration: to_part * (state.acceleration - self.motion.mechanism.gravity),
            angular_velocity: to_part * state.angular_velocity,
            angular_acceleration: to_part * state.angular_acceleration,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weighted unit fields are ω × (ω × r) for any ω and r, to round-off.
    #[test]
    fn centripetal_units_sum_to_any_angular_velocity() {
        let q = |w: &Vector3<f64>, r: &Vector3<f64>| w.cross(&w.cross(r));
        for (w, r) in [
            (Vector3::new(1.3, -0.4, 2.2), Vector3::new(0.3, 0.7, -1.1)),
            (Vector3::new(-5.0, 0.0, 0.1), Vector3::new(2.0, -1.0, 0.5)),
            (Vector3::new(0.2, 3.0, -1.7), Vector3::new(-0.6, 0.0, 4.0)),
        ] {
            let sum = CENTRIPETAL_UNITS
                .iter()
                .zip(centripetal_weights(&w))
                .fold(Vector3::zeros(), |acc, (u, k)| {
                    acc + q(&Vector3::from(*u), &r) * k
                });
            assert!((sum - q(&w, &r)).norm() < 1e-12 * q(&w, &r).norm(), "{w:?}");
        }
    }
}
