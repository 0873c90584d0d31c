//! `[mechanism]`: rigid bodies, joints, drivers, springs, loads, criteria and plots.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MechanismSpec {
    /// Simulated time (s), from 0.
    pub end_time: f64,
    /// Interval between result samples (s).
    pub output_step: f64,
    /// Integrator tolerance (relative and absolute; default 1e-8).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// m/s², e.g. [0, -9.81, 0]; default none.
    #[serde(default)]
    pub gravity: [f64; 3],
    pub body: Vec<Spanned<BodySpec>>,
    #[serde(default)]
    pub joint: Vec<Spanned<JointSpec>>,
    #[serde(default)]
    pub spring: Vec<Spanned<SpringSpec>>,
    #[serde(default)]
    pub torsion_spring: Vec<Spanned<TorsionSpec>>,
    #[serde(default)]
    pub load: Vec<Spanned<LoadSpec>>,
    #[serde(default)]
    pub criterion: Vec<Spanned<CriterionSpec>>,
    /// History plots written as SVG (default: one of every joint's force).
    #[serde(default)]
    pub plot: Vec<Spanned<PlotSpec>>,
}

fn default_tolerance() -> f64 {
    1e-8
}

/// A rigid body: mass properties given, or computed from a region of the case's mesh
/// and its material density (the part's mesh is then the body, at its initial pose).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    pub name: String,
    pub region: Option<String>,
    pub mass: Option<f64>,
    pub center_of_mass: Option<[f64; 3]>,
    /// About the centre of mass: [Ixx, Iyy, Izz] or [Ixx, Iyy, Izz, Ixy, Iyz, Ixz] (kg m²).
    pub inertia: Option<Vec<f64>>,
    #[serde(default)]
    pub velocity: [f64; 3],
    #[serde(default)]
    pub angular_velocity: [f64; 3],
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum JointType {
    Fixed,
    Revolute,
    Prismatic,
    Cylindrical,
    Spherical,
    Universal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: JointType,
    /// Two body names, or "ground".
    pub parts: [String; 2],
    pub point: [f64; 3],
    /// Rotation / sliding axis (default z); universal: the first part's pin.
    pub axis: Option<[f64; 3]>,
    /// The joint frame's x direction; universal: the second part's pin.
    pub reference: Option<[f64; 3]>,
    /// Prescribed motion of the joint, an expression of `t` from the initial pose:
    /// `{ rotation = "2*pi*t" }` (rad) or `{ translation = "0.01*sin(t)" }` (m).
    pub drive: Option<DriveSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriveSpec {
    pub rotation: Option<String>,
    pub translation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpringSpec {
    pub name: String,
    pub parts: [String; 2],
    pub points: [[f64; 3]; 2],
    pub stiffness: f64,
    #[serde(default)]
    pub damping: f64,
    /// Default: the initial distance between the points.
    pub free_length: Option<f64>,
    /// Tension at the free length (N).
    #[serde(default)]
    pub preload: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TorsionSpec {
    pub name: String,
    pub joint: String,
    pub stiffness: f64,
    #[serde(default)]
    pub damping: f64,
    #[serde(default)]
    pub free_angle: f64,
    #[serde(default)]
    pub preload: f64,
}

/// A force and/or torque (world directions) on a body at a point, scaled by an
/// expression of `t` (default 1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    pub name: String,
    pub body: String,
    #[serde(default)]
    pub point: Option<[f64; 3]>,
    #[serde(default)]
    pub force: [f64; 3],
    #[serde(default)]
    pub torque: [f64; 3],
    pub scale: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CriterionSpec {
    /// The largest joint reaction force (N) over the motion ≤ limit.
    MaxJointForce { joint: String, limit: f64 },
    /// The largest joint reaction moment (N m) over the motion ≤ limit.
    MaxJointMoment { joint: String, limit: f64 },
    /// The largest acceleration of a body's centre of mass (m/s²) ≤ limit.
    MaxAcceleration { body: String, limit: f64 },
    /// A joint's angle (rad) or slide (m) stays within [min, max].
    RangeOfMotion {
        joint: String,
        min: Option<f64>,
        max: Option<f64>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    /// File name stem of the SVG.
    pub name: String,
    /// History paths, e.g. "joint/crank_pin/force".
    pub series: Vec<String>,
}
