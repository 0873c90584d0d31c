//! A [`Mechanism`] compiled into the equations of motion in natural coordinates:
//! constant mass matrix, applied forces f(t, q, v) and constraint rows Φ(q, t).
//!
//! `M q̈ = f(t, q, v) − Gᵀ λ`, `Φ(q, t) = 0`, with `G = ∂Φ/∂q`.

use super::constraint::{Linear, Row, BODY_COORDS};
use super::model::{Driver, JointKind, Mechanism, Motion, Part};
use crate::error::{Result, SolverError};
use nalgebra::{DMatrix, Matrix3, Vector3};
use std::ops::Range;

/// Who a constraint row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Orthonormality of a body's rotation matrix.
    Body(usize),
    Joint(usize),
}

#[derive(Clone, Debug)]
pub struct Equation {
    pub row: Row,
    pub owner: Owner,
    pub label: &'static str,
    pub driver: bool,
}

/// A joint's frames: axes `e` on the first part, `f` on the second, and its point on each.
#[derive(Clone, Debug)]
pub struct JointFrame {
    pub e: [Linear; 3],
    pub f: [Linear; 3],
    pub points: [Linear; 2],
    pub rows: Range<usize>,
}

#[derive(Clone, Debug)]
struct Spring {
    ends: [Linear; 2],
    stiffness: f64,
    damping: f64,
    free_length: f64,
    preload: f64,
}

#[derive(Clone, Debug)]
struct Torsion {
    joint: usize,
    stiffness: f64,
    damping: f64,
    free_angle: f64,
    preload: f64,
}

#[derive(Clone, Debug)]
struct Load {
    body: usize,
    point: Linear,
    force: Vector3<f64>,
    torque: Vector3<f64>,
    scale: Motion,
}

#[derive(Clone, Debug)]
pub struct System {
    /// Number of coordinates (12 per body).
    pub n: usize,
    pub mass: DMatrix<f64>,
    pub equations: Vec<Equation>,
    pub frames: Vec<JointFrame>,
    /// Initial coordinates (approximate pose).
    pub initial: Vec<f64>,
    /// Initial coordinate rates from the bodies' velocities.
    pub initial_rates: Vec<f64>,
    /// A length that sets the scale of position tolerances.
    pub length_scale: f64,
    pub body_masses: Vec<f64>,
    pub body_names: Vec<String>,
    pub joint_names: Vec<String>,
    gravity: Vector3<f64>,
    springs: Vec<Spring>,
    torsions: Vec<Torsion>,
    loads: Vec<Load>,
}

fn invalid(msg: String) -> SolverError {
    SolverError::Mechanism(msg)
}

impl System {
    pub fn new(mech: &Mechanism) -> Result<Self> {
        let nb = mech.bodies.len();
        if nb == 0 {
            return Err(invalid("the mechanism has no bodies".into()));
        }
        let n = nb * BODY_COORDS;
        let mut mass = DMatrix::zeros(n, n);
        let mut initial = vec![0.0; n];
        let mut initial_rates = vec![0.0; n];
        let mut equations = Vec::new();
        for (b, body) in mech.bodies.iter().enumerate() {
            let pseudo = pseudo_inertia(mech, b)?;
            let o = b * BODY_COORDS;
            for i in 0..3 {
                mass[(o + i, o + i)] = body.mass;
                initial[o + i] = body.center_of_mass[i];
                initial_rates[o + i] = body.velocity[i];
                initial[o + 3 + 4 * i] = 1.0;
                let axis = Vector3::ith(i, 1.0);
                let rate = body.angular_velocity.cross(&axis);
                for j in 0..3 {
                    initial_rates[o + 3 + 3 * i + j] = rate[j];
                    for k in 0..3 {
                        mass[(o + 3 + 3 * i + k, o + 3 + 3 * j + k)] = pseudo[(i, j)];
                    }
                }
            }
            let e = |k| Linear::direction(Part::Body(b), Vector3::ith(k, 1.0));
            const PAIRS: [(usize, usize, &str); 6] = [
                (0, 0, "unit e1"),
                (1, 1, "unit e2"),
                (2, 2, "unit e3"),
                (0, 1, "e1 ⊥ e2"),
                (1, 2, "e2 ⊥ e3"),
                (0, 2, "e1 ⊥ e3"),
            ];
            for (i, j, label) in PAIRS {
                let target = Motion::constant(if i == j { 1.0 } else { 0.0 });
                equations.push(Equation {
                    row: Row::Dot {
                        a: e(i),
                        b: e(j),
                        target,
                    },
                    owner: Owner::Body(b),
                    label,
                    driver: false,
                });
            }
        }
        let local = |part: Part, p: Vector3<f64>| match part {
            Part::Ground => p,
            Part::Body(b) => p - mech.bodies[b].center_of_mass.coords,
        };
        let mut frames = Vec::new();
        for (j, joint) in mech.joints.iter().enumerate() {
            let axes = joint_axes(mech, j)?;
            let point = joint.point.coords;
            let dir = |part, k: usize| Linear::direction(part, axes[k]);
            let e = [0, 1, 2].map(|k| dir(joint.first, k));
            let f = [0, 1, 2].map(|k| dir(joint.second, k));
            let points = [
                Linear::point(joint.first, local(joint.first, point)),
                Linear::point(joint.second, local(joint.second, point)),
            ];
            let start = equations.len();
            let mut push = |row, label, driver| {
                equations.push(Equation {
                    row,
                    owner: Owner::Joint(j),
                    label,
                    driver,
                })
            };
            let gap = points[1].clone().minus(&points[0]);
            let locked = joint.kind.locked_translations();
            if locked == [true; 3] {
                for (k, label) in ["x translation", "y translation", "z translation"]
                    .into_iter()
                    .enumerate()
                {
                    push(
                        Row::dot(gap.clone(), Linear::constant(Vector3::ith(k, 1.0))),
                        label,
                        false,
                    );
                }
            } else {
                for (k, label) in ["translation along x", "translation along y"]
                    .into_iter()
                    .enumerate()
                {
                    if locked[k] {
                        push(Row::dot(gap.clone(), e[k].clone()), label, false);
                    }
                }
            }
            let rotations = joint.kind.locked_rotations();
            let pairs = [
                (2, 1, "rotation about x"),
                (2, 0, "rotation about y"),
                (0, 1, "rotation about z"),
            ];
            for (k, (a, b, label)) in pairs.into_iter().enumerate() {
                if rotations[k] {
                    push(Row::dot(e[a].clone(), f[b].clone()), label, false);
                }
            }
            match (&joint.driver, joint.kind) {
                (None, _) => {}
                (Some(Driver::Rotation(m)), JointKind::Revolute | JointKind::Cylindrical) => {
                    let row = Row::Angle { a1: e[0].clone(), a2: e[1].clone(), b1: f[0].clone(), angle: m.clone() };
                    push(row, "rotation driver", true);
                }
                (Some(Driver::Translation(m)), JointKind::Prismatic | JointKind::Cylindrical) => {
                    let row = Row::Dot { a: gap.clone(), b: e[2].clone(), target: m.clone() };
                    push(row, "translation driver", true);
                }
                (Some(_), kind) => {
                    return Err(invalid(format!(
                        "joint '{}': a {} joint cannot take that driver (rotation drivers need a revolute or cylindrical joint, translation drivers a prismatic or cylindrical one)",
                        joint.name,
                        kind.name()
                    )))
                }
            }
            frames.push(JointFrame {
                e,
                f,
                points,
                rows: start..equations.len(),
            });
        }
        let springs = mech
            .springs
            .iter()
            .map(|s| {
                check_part(mech, s.parts[0], &s.name)?;
                check_part(mech, s.parts[1], &s.name)?;
                let length = (s.points[1] - s.points[0]).norm();
                let free_length = s.free_length.unwrap_or(length);
                if !(s.stiffness >= 0.0
                    && s.damping >= 0.0
                    && free_length >= 0.0
                    && s.preload.is_finite())
                {
                    return Err(invalid(format!(
                        "spring '{}': stiffness, damping and free length must be ≥ 0",
                        s.name
                    )));
                }
                Ok(Spring {
                    ends: [0, 1]
                        .map(|k| Linear::point(s.parts[k], local(s.parts[k], s.points[k].coords))),
                    stiffness: s.stiffness,
                    damping: s.damping,
                    free_length,
                    preload: s.preload,
                })
            })
            .collect::<Result<_>>()?;
        let torsions = mech
            .torsion_springs
            .iter()
            .map(|s| {
                let ok = mech.joints.get(s.joint).is_some_and(|j| {
                    matches!(j.kind, JointKind::Revolute | JointKind::Cylindrical)
                });
                if !ok {
                    return Err(invalid(format!(
                        "torsion spring '{}' needs a revolute or cylindrical joint",
                        s.name
                    )));
                }
                Ok(Torsion {
                    joint: s.joint,
                    stiffness: s.stiffness,
                    damping: s.damping,
                    free_angle: s.free_angle,
                    preload: s.preload,
                })
            })
            .collect::<Result<_>>()?;
        let loads = mech
            .loads
            .iter()
            .map(|l| {
                check_part(mech, Part::Body(l.body), &l.name)?;
                let part = Part::Body(l.body);
                Ok(Load {
                    body: l.body,
                    point: Linear::point(part, local(part, l.point.coords)),
                    force: l.force,
                    torque: l.torque,
                    scale: l.scale.clone(),
                })
            })
            .collect::<Result<_>>()?;
        let length_scale = mech
            .bodies
            .iter()
            .map(|b| b.center_of_mass.coords.norm())
            .chain(mech.joints.iter().map(|j| j.point.coords.norm()))
            .fold(0.0, f64::max)
            .max(1e-3);
        Ok(Self {
            n,
            mass,
            equations,
            frames,
            initial,
            initial_rates,
            length_scale,
            body_masses: mech.bodies.iter().map(|b| b.mass).collect(),
            body_names: mech.bodies.iter().map(|b| b.name.clone()).collect(),
            joint_names: mech.joints.iter().map(|j| j.name.clone()).collect(),
            gravity: mech.gravity,
            springs,
            torsions,
            loads,
        })
    }

    pub fn bodies(&self) -> usize {
        self.n / BODY_COORDS
    }

    /// Applied generalised forces f(t, q, v): gravity, loads, springs and dampers.
    pub fn forces(&self, t: f64, q: &[f64], v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (b, m) in self.body_masses.iter().enumerate() {
            for i in 0..3 {
                out[b * BODY_COORDS + i] += m * self.gravity[i];
            }
        }
        self.add_applied_loads(t, q, out);
        for spring in &self.springs {
            if let Some((dir, length, rate)) = spring_state(spring, q, v) {
                let tension = spring.stiffness * (length - spring.free_length)
                    + spring.damping * rate
                    + spring.preload;
                spring.ends[1].add_transpose(&(-tension * dir), out);
                spring.ends[0].add_transpose(&(tension * dir), out);
            }
        }
        for torsion in &self.torsions {
            let (angle, rate) = self.joint_angle(torsion.joint, q, v);
            let torque = -torsion.stiffness * (angle - torsion.free_angle)
                - torsion.damping * rate
                - torsion.preload;
            let axis = self.frames[torsion.joint].e[2].at(q);
            self.add_joint_torque(torsion.joint, &(torque * axis), q, out);
        }
    }

    /// Adds the generalised forces of the applied forces and torques at time t.
    fn add_applied_loads(&self, t: f64, q: &[f64], out: &mut [f64]) {
        for load in &self.loads {
            let s = load.scale.at(t)[0];
            load.point.add_transpose(&(s * load.force), out);
            add_torque(load.body, &(s * load.torque), q, out);
        }
    }

    /// Torque on the second part of a joint, its opposite on the first.
    fn add_joint_torque(&self, joint: usize, torque: &Vector3<f64>, q: &[f64], out: &mut [f64]) {
        let frame = &self.frames[joint];
        let bodies = |l: &Linear| l.bodies().next();
        if let Some(b) = bodies(&frame.f[0]) {
            add_torque(b, torque, q, out);
        }
        if let Some(b) = bodies(&frame.e[0]) {
            add_torque(b, &-torque, q, out);
        }
    }

    /// Relative rotation (rad, in (−π, π]) of a joint's second part about its axis.
    pub fn joint_rotation(&self, joint: usize, q: &[f64]) -> f64 {
        let frame = &self.frames[joint];
        let f1 = frame.f[0].at(q);
        f1.dot(&frame.e[1].at(q)).atan2(f1.dot(&frame.e[0].at(q)))
    }

    /// Relative rotation (rad, in (−π, π]) of a joint's second part about its axis, and its rate.
    pub fn joint_angle(&self, joint: usize, q: &[f64], v: &[f64]) -> (f64, f64) {
        let frame = &self.frames[joint];
        let (e1, e2, f1) = (frame.e[0].at(q), frame.e[1].at(q), frame.f[0].at(q));
        let (de1, de2, df1) = (frame.e[0].rate(v), frame.e[1].rate(v), frame.f[0].rate(v));
        let (x, y) = (f1.dot(&e1), f1.dot(&e2));
        let (dx, dy) = (df1.dot(&e1) + f1.dot(&de1), df1.dot(&e2) + f1.dot(&de2));
        (y.atan2(x), (x * dy - y * dx) / (x * x + y * y))
    }

    /// Relative displacement of a joint's second part along its axis, and its rate.
    pub fn joint_slide(&self, joint: usize, q: &[f64], v: &[f64]) -> (f64, f64) {
        let frame = &self.frames[joint];
        let gap = frame.points[1].clone().minus(&frame.points[0]);
        let axis = &frame.e[2];
        (
            gap.at(q).dot(&axis.at(q)),
            gap.rate(v).dot(&axis.at(q)) + gap.at(q).dot(&axis.rate(v)),
        )
    }

    pub fn spring_count(&self) -> usize {
        self.springs.len()
    }

    /// Length and tension of spring `i`.
    pub fn spring_force(&self, i: usize, q: &[f64], v: &[f64]) -> (f64, f64) {
        let s = &self.springs[i];
        spring_state(s, q, v).map_or((0.0, s.preload), |(_, length, rate)| {
            (
                length,
                s.stiffness * (length - s.free_length) + s.damping * rate + s.preload,
            )
        })
    }

    /// Kinetic and potential (gravity and springs) energy.
    pub fn energy(&self, q: &[f64], v: &[f64]) -> (f64, f64) {
        let vv = nalgebra::DVector::from_column_slice(v);
        let kinetic = 0.5 * vv.dot(&(&self.mass * &vv));
        let mut potential = 0.0;
        for (b, m) in self.body_masses.iter().enumerate() {
            let r = Vector3::from_column_slice(&q[b * BODY_COORDS..b * BODY_COORDS + 3]);
            potential -= m * self.gravity.dot(&r);
        }
        for spring in &self.springs {
            if let Some((_, length, _)) = spring_state(spring, q, v) {
                let stretch = length - spring.free_length;
                potential += 0.5 * spring.stiffness * stretch * stretch + spring.preload * length;
            }
        }
        for torsion in &self.torsions {
            let (angle, _) = self.joint_angle(torsion.joint, q, v);
            let twist = angle - torsion.free_angle;
            potential += 0.5 * torsion.stiffness * twist * twist + torsion.preload * angle;
        }
        (kinetic, potential)
    }

    /// Power of the non-conservative forces: applied loads, dampers and drivers
    /// (`lambda` over all equations).
    pub fn power(&self, t: f64, q: &[f64], v: &[f64], lambda: &[f64]) -> f64 {
        let mut loads = vec![0.0; self.n];
        self.add_applied_loads(t, q, &mut loads);
        let mut power: f64 = loads.iter().zip(v).map(|(f, v)| f * v).sum();
        for spring in &self.springs {
            if let Some((_, _, rate)) = spring_state(spring, q, v) {
                power -= spring.damping * rate * rate;
            }
        }
        for torsion in &self.torsions {
            let (_, rate) = self.joint_angle(torsion.joint, q, v);
            power -= torsion.damping * rate * rate;
        }
        for (eq, l) in self.equations.iter().zip(lambda) {
            if eq.driver {
                power += l * eq.row.time_rate(q, t);
            }
        }
        power
    }

    /// Reaction force and moment (about the joint point) exerted by a joint's first part on
    /// its second, from the multipliers of all equations.
    pub fn joint_reaction(
        &self,
        joint: usize,
        q: &[f64],
        t: f64,
        lambda: &[f64],
    ) -> (Vector3<f64>, Vector3<f64>) {
        let frame = &self.frames[joint];
        let mut generalised = vec![0.0; self.n];
        for i in frame.rows.clone() {
            self.equations[i]
                .row
                .add_gradient(q, t, -lambda[i], &mut generalised);
        }
        let (body, point, sign) = match frame.f[0].bodies().next() {
            Some(b) => (b, &frame.points[1], 1.0),
            None => match frame.e[0].bodies().next() {
                Some(b) => (b, &frame.points[0], -1.0),
                None => return (Vector3::zeros(), Vector3::zeros()),
            },
        };
        let o = body * BODY_COORDS;
        let block = |k: usize| Vector3::from_column_slice(&generalised[o + 3 * k..o + 3 * k + 3]);
        let coords = |k: usize| Vector3::from_column_slice(&q[o + 3 * k..o + 3 * k + 3]);
        let force = block(0);
        let about_centre: Vector3<f64> = (1..4).map(|k| coords(k).cross(&block(k))).sum();
        let moment = about_centre + (coords(0) - point.at(q)).cross(&force);
        (sign * force, sign * moment)
    }
}

/// Adds the generalised force of a torque on body `b`: ½ T × e_k on each axis column
/// (its virtual work Σ (½ T × e_k)·(δθ × e_k) equals T·δθ).
fn add_torque(b: usize, torque: &Vector3<f64>, q: &[f64], out: &mut [f64]) {
    let o = b * BODY_COORDS;
    for k in 1..4 {
        let axis = Vector3::from_column_slice(&q[o + 3 * k..o + 3 * k + 3]);
        let g = 0.5 * torque.cross(&axis);
        for i in 0..3 {
            out[o + 3 * k + i] += g[i];
        }
    }
}

/// Unit direction from end 0 to end 1, length, and length rate (`None` at zero length).
fn spring_state(spring: &Spring, q: &[f64], v: &[f64]) -> Option<(Vector3<f64>, f64, f64)> {
    let d = spring.ends[1].at(q) - spring.ends[0].at(q);
    let length = d.norm();
    (length > 1e-12).then(|| {
        let dir = d / length;
        (
            dir,
            length,
            dir.dot(&(spring.ends[1].rate(v) - spring.ends[0].rate(v))),
        )
    })
}

fn check_part(mech: &Mechanism, part: Part, owner: &str) -> Result<()> {
    match part {
        Part::Body(b) if b >= mech.bodies.len() => Err(invalid(format!(
            "'{owner}' refers to body {b}, which does not exist"
        ))),
        _ => Ok(()),
    }
}

/// ∫ρ s sᵀ dV = ½ tr(I) 1 − I, the second moments the rotation coordinates carry.
fn pseudo_inertia(mech: &Mechanism, b: usize) -> Result<Matrix3<f64>> {
    let body = &mech.bodies[b];
    let inertia = body.inertia;
    let fail = |why: &str| Err(invalid(format!("body '{}': {why}", body.name)));
    if !(body.mass > 0.0 && body.mass.is_finite()) {
        return fail("mass must be positive");
    }
    if !inertia.iter().all(|x| x.is_finite())
        || (inertia - inertia.transpose()).abs().max() > 1e-9 * inertia.abs().max()
    {
        return fail("the inertia tensor must be finite and symmetric");
    }
    let pseudo = Matrix3::identity() * (0.5 * inertia.trace()) - inertia;
    let principal = inertia.symmetric_eigenvalues();
    let second = pseudo.symmetric_eigenvalues();
    let scale = inertia.trace();
    if principal.min() <= 0.0 || second.min() < -1e-9 * scale {
        return fail("the inertia tensor is not physical (principal moments must be positive and satisfy I₁ + I₂ ≥ I₃)");
    }
    Ok(pseudo)
}

/// A joint's frame axes in world coordinates at the initial pose: z along the axis,
/// x along the reference (universal joints: x and y along the two pins).
fn joint_axes(mech: &Mechanism, j: usize) -> Result<[Vector3<f64>; 3]> {
    let joint = &mech.joints[j];
    let fail = |why: String| Err(invalid(format!("joint '{}': {why}", joint.name)));
    check_part(mech, joint.first, &joint.name)?;
    check_part(mech, joint.second, &joint.name)?;
    if joint.first == joint.second {
        return fail("it joins a part to itself".into());
    }
    let Some(axis) = joint.axis.try_normalize(1e-12) else {
        return fail("the axis has zero length".into());
    };
    if joint.kind == JointKind::Universal {
        let Some(pin) = joint.reference.and_then(|r| r.try_normalize(1e-12)) else {
            return fail("a universal joint needs the second pin's direction (reference)".into());
        };
        if axis.dot(&pin).abs() > 1e-6 {
            return fail(format!(
                "the two pins must be perpendicular (cosine {:.3e})",
                axis.dot(&pin)
            ));
        }
        return Ok([axis, pin, axis.cross(&pin)]);
    }
    let guess = joint.reference.unwrap_or_else(|| {
        let k = axis.iamin();
        Vector3::ith(k, 1.0)
    });
    let Some(x) = (guess - axis * axis.dot(&guess)).try_normalize(1e-9) else {
        return fail("the reference direction is parallel to the axis".into());
    };
    Ok([x, axis.cross(&x), axis])
}
