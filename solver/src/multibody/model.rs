//! The mechanism as plain data: bodies, joints, springs, loads, gravity.
//!
//! Everything is given in world coordinates at the initial (approximate) pose, the way
//! an engineer reads it off the assembly drawing: a joint sits at a point with an axis,
//! a spring runs between two points. The solver turns these into body-fixed quantities.

use nalgebra::{Matrix3, Point3, Vector3};
use std::fmt;
use std::sync::Arc;

/// A body, or the fixed ground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Ground,
    Body(usize),
}

/// A rigid body at its initial pose.
#[derive(Clone, Debug)]
pub struct RigidBody {
    pub name: String,
    /// kg, > 0.
    pub mass: f64,
    /// Centre of mass (world, initial pose).
    pub center_of_mass: Point3<f64>,
    /// Inertia tensor about the centre of mass, in world axes at the initial pose (kg m²).
    pub inertia: Matrix3<f64>,
    /// Initial velocity of the centre of mass (m/s); projected onto the joints.
    pub velocity: Vector3<f64>,
    /// Initial angular velocity (rad/s); projected onto the joints.
    pub angular_velocity: Vector3<f64>,
}

impl RigidBody {
    /// A body at rest.
    pub fn new(name: &str, mass: f64, center_of_mass: Point3<f64>, inertia: Matrix3<f64>) -> Self {
        Self {
            name: name.into(),
            mass,
            center_of_mass,
            inertia,
            velocity: Vector3::zeros(),
            angular_velocity: Vector3::zeros(),
        }
    }
}

/// A prescribed function of time with its first two derivatives: `f(t) → [f, f', f'']`.
#[derive(Clone)]
pub struct Motion(Arc<dyn Fn(f64) -> [f64; 3] + Send + Sync>);

impl Motion {
    pub fn new(f: impl Fn(f64) -> [f64; 3] + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }
    pub fn constant(value: f64) -> Self {
        Self::new(move |_| [value, 0.0, 0.0])
    }
    /// `rate · t`.
    pub fn linear(rate: f64) -> Self {
        Self::new(move |t| [rate * t, rate, 0.0])
    }
    pub fn at(&self, t: f64) -> [f64; 3] {
        (self.0)(t)
    }
}

impl fmt::Debug for Motion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Motion(f(0) = {:?})", self.at(0.0))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JointKind {
    /// No relative motion.
    Fixed,
    /// Rotation about the axis.
    Revolute,
    /// Translation along the axis.
    Prismatic,
    /// Rotation about and translation along the axis.
    Cylindrical,
    /// Any rotation about the point.
    Spherical,
    /// Rotation about two crossing pins: `axis` fixed in the first part, `reference` in
    /// the second, perpendicular at the initial pose.
    Universal,
}

impl JointKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Revolute => "revolute",
            Self::Prismatic => "prismatic",
            Self::Cylindrical => "cylindrical",
            Self::Spherical => "spherical",
            Self::Universal => "universal",
        }
    }
    /// Relative translations locked along the joint frame's x, y, z.
    pub(crate) fn locked_translations(self) -> [bool; 3] {
        match self {
            Self::Prismatic | Self::Cylindrical => [true, true, false],
            _ => [true; 3],
        }
    }
    /// Relative rotations locked about the joint frame's x, y, z.
    pub(crate) fn locked_rotations(self) -> [bool; 3] {
        match self {
            Self::Fixed | Self::Prismatic => [true; 3],
            Self::Revolute | Self::Cylindrical => [true, true, false],
            Self::Spherical => [false; 3],
            Self::Universal => [false, false, true],
        }
    }
}

/// Which free coordinate of a joint a driver prescribes, measured from the initial pose.
#[derive(Clone, Debug)]
pub enum Driver {
    /// Angle (rad) of the second part relative to the first about the axis.
    Rotation(Motion),
    /// Displacement (m) of the second part relative to the first along the axis.
    Translation(Motion),
}

/// A joint between two parts. The joint frame has z along `axis` and x along
/// `reference` (made perpendicular; any perpendicular when `None`).
#[derive(Clone, Debug)]
pub struct Joint {
    pub name: String,
    pub kind: JointKind,
    pub first: Part,
    pub second: Part,
    pub point: Point3<f64>,
    pub axis: Vector3<f64>,
    pub reference: Option<Vector3<f64>>,
    pub driver: Option<Driver>,
}

impl Joint {
    pub fn new(
        name: &str,
        kind: JointKind,
        parts: [Part; 2],
        point: Point3<f64>,
        axis: Vector3<f64>,
    ) -> Self {
        Self {
            name: name.into(),
            kind,
            first: parts[0],
            second: parts[1],
            point,
            axis,
            reference: None,
            driver: None,
        }
    }
    pub fn driven(mut self, driver: Driver) -> Self {
        self.driver = Some(driver);
        self
    }
}

/// A linear spring-damper between two points; tension positive:
/// `f = k (l − free_length) + c l' + preload`.
#[derive(Clone, Debug)]
pub struct SpringDamper {
    pub name: String,
    pub parts: [Part; 2],
    pub points: [Point3<f64>; 2],
    pub stiffness: f64,
    pub damping: f64,
    /// `None`: the initial length (unloaded at the initial pose).
    pub free_length: Option<f64>,
    pub preload: f64,
}

/// A torsion spring-damper acting about the axis of a revolute or cylindrical joint:
/// torque on the second part `τ = −k (θ − free_angle) − c θ' − preload`.
#[derive(Clone, Debug)]
pub struct TorsionSpring {
    pub name: String,
    /// Index into [`Mechanism::joints`].
    pub joint: usize,
    pub stiffness: f64,
    pub damping: f64,
    pub free_angle: f64,
    pub preload: f64,
}

/// A force and a torque (world directions) applied to a body at a point, scaled by a
/// function of time.
#[derive(Clone, Debug)]
pub struct AppliedLoad {
    pub name: String,
    pub body: usize,
    pub point: Point3<f64>,
    pub force: Vector3<f64>,
    pub torque: Vector3<f64>,
    pub scale: Motion,
}

#[derive(Clone, Debug, Default)]
pub struct Mechanism {
    pub bodies: Vec<RigidBody>,
    pub joints: Vec<Joint>,
    pub springs: Vec<SpringDamper>,
    pub torsion_springs: Vec<TorsionSpring>,
    pub loads: Vec<AppliedLoad>,
    pub gravity: Vector3<f64>,
}

impl Mechanism {
    pub fn part_name(&self, part: Part) -> &str {
        match part {
            Part::Ground => "ground",
            Part::Body(b) => &self.bodies[b].name,
        }
    }
}
